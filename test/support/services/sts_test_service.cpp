// SPDX-License-Identifier: BSL-1.0
#include "support/services/sts_test_service.hpp"

#include "core/aws_config.hpp"
#include "core/http_message.hpp"
#include "core/sigv4.hpp"

#include <cstdio>
#include <ctime>
#include <sstream>
#include <utility>

namespace dynalock::test {

namespace {

constexpr const char* xmlns = "https://sts.amazonaws.com/doc/2011-06-15/";

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// application/x-www-form-urlencoded, as a server decodes it.
std::string form_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '+') {
            out += ' ';
        } else if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out += static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2]));
            i += 2;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::map<std::string, std::string> parse_form(std::string_view body) {
    std::map<std::string, std::string> out;
    while (!body.empty()) {
        auto amp = body.find('&');
        auto pair = body.substr(0, amp);
        body.remove_prefix(amp == std::string_view::npos ? body.size() : amp + 1);
        auto eq = pair.find('=');
        out[form_decode(pair.substr(0, eq))] =
            eq == std::string_view::npos ? "" : form_decode(pair.substr(eq + 1));
    }
    return out;
}

std::string xml_escape(std::string_view s) {
    std::string out;
    for (char c : s) {
        if (c == '&')
            out += "&amp;";
        else if (c == '<')
            out += "&lt;";
        else if (c == '>')
            out += "&gt;";
        else
            out += c;
    }
    return out;
}

std::string iso8601(std::chrono::system_clock::time_point t) {
    std::time_t secs = std::chrono::system_clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

// "20240102T030405Z" -> a time point; nullopt when malformed.
std::optional<std::chrono::system_clock::time_point> parse_amz_date(const std::string& s) {
    if (s.size() != 16 || s[8] != 'T' || s[15] != 'Z')
        return std::nullopt;
    std::string iso = s.substr(0, 4) + "-" + s.substr(4, 2) + "-" + s.substr(6, 2) + "T" + s.substr(9, 2) +
                      ":" + s.substr(11, 2) + ":" + s.substr(13, 2) + "Z";
    auto t = core::parse_iso8601_timestamp(iso);
    if (!t)
        return std::nullopt;
    return *t;
}

// The parts of `AWS4-HMAC-SHA256 Credential=..., SignedHeaders=..., Signature=...`.
struct authorization {
    std::string access_key_id, date, region, service, signed_headers, signature;
};

std::optional<authorization> parse_authorization(const std::string& value) {
    const std::string prefix = "AWS4-HMAC-SHA256 ";
    if (value.rfind(prefix, 0) != 0)
        return std::nullopt;
    std::map<std::string, std::string> parts;
    std::string rest = value.substr(prefix.size());
    std::stringstream ss(rest);
    std::string item;
    while (std::getline(ss, item, ',')) {
        auto start = item.find_first_not_of(' ');
        if (start == std::string::npos)
            continue;
        item = item.substr(start);
        auto eq = item.find('=');
        if (eq == std::string::npos)
            return std::nullopt;
        parts[item.substr(0, eq)] = item.substr(eq + 1);
    }
    authorization a;
    std::string credential = parts["Credential"];
    std::vector<std::string> scope;
    std::stringstream cs(credential);
    while (std::getline(cs, item, '/'))
        scope.push_back(item);
    if (scope.size() != 5 || scope[4] != "aws4_request")
        return std::nullopt;
    a.access_key_id = scope[0];
    a.date = scope[1];
    a.region = scope[2];
    a.service = scope[3];
    a.signed_headers = parts["SignedHeaders"];
    a.signature = parts["Signature"];
    if (a.signed_headers.empty() || a.signature.empty())
        return std::nullopt;
    return a;
}

} // namespace

sts_test_service::sts_test_service()
    : server_(std::make_unique<http_test_server>([this](const http_exchange& x) { return handle(x); })) {}

sts_test_service::~sts_test_service() {
    server_.reset(); // stop the server thread before the state its handler uses goes away
}

std::string sts_test_service::url() const {
    return server_->url();
}

void sts_test_service::trust(const std::string& access_key_id, const std::string& secret_access_key,
                             const std::string& session_token) {
    std::lock_guard lock(mutex_);
    trusted_[access_key_id] = trusted{secret_access_key, session_token, std::nullopt};
}

void sts_test_service::expect_web_identity_token(const std::string& token) {
    std::lock_guard lock(mutex_);
    expected_token_ = token;
}

void sts_test_service::set_lifetime(std::chrono::seconds lifetime) {
    std::lock_guard lock(mutex_);
    lifetime_ = lifetime;
}

void sts_test_service::fail_next(unsigned status, const std::string& code, const std::string& message,
                                 unsigned times) {
    std::lock_guard lock(mutex_);
    for (unsigned i = 0; i < times; ++i)
        script_.push_back({status, code, message, false});
}

void sts_test_service::answer_raw_next(unsigned status, const std::string& body, unsigned times) {
    std::lock_guard lock(mutex_);
    for (unsigned i = 0; i < times; ++i)
        script_.push_back({status, {}, body, true});
}

void sts_test_service::set_hang(bool hang) {
    std::lock_guard lock(mutex_);
    hang_ = hang;
}

std::vector<sts_test_service::call> sts_test_service::calls() const {
    std::lock_guard lock(mutex_);
    return calls_;
}

std::size_t sts_test_service::request_count() const {
    return server_->request_count();
}

std::size_t sts_test_service::issued_count() const {
    std::lock_guard lock(mutex_);
    std::size_t n = 0;
    for (const auto& c : calls_)
        n += c.issued ? 1 : 0;
    return n;
}

http_answer sts_test_service::refuse(call& c, unsigned status, const std::string& code,
                                     const std::string& message) {
    c.error_code = code;
    std::string body =
        std::string("<ErrorResponse xmlns=\"") + xmlns + "\">\n  <Error>\n    <Type>" +
        (status >= 500 ? "Receiver" : "Sender") + "</Type>\n    <Code>" + xml_escape(code) +
        "</Code>\n    <Message>" + xml_escape(message) +
        "</Message>\n  </Error>\n  <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\n"
        "</ErrorResponse>\n";
    return answer(status, std::move(body), "text/xml");
}

http_answer sts_test_service::issue(call& c) {
    ++counter_;
    char id[32];
    std::snprintf(id, sizeof id, "ASIATEMP%08zu", counter_);
    issued_credentials creds;
    creds.access_key_id = id;
    creds.secret_access_key = "tempSecret/" + std::to_string(counter_) + "+wJalrXUtnFEMI=K7MDENG";
    creds.session_token = "tempToken&" + std::to_string(counter_) + "<FwoGZXIvYXdzEJr//////////wEaDM>";
    creds.expiration = std::chrono::system_clock::now() + lifetime_;
    trusted_[creds.access_key_id] = trusted{creds.secret_access_key, creds.session_token, creds.expiration};
    c.issued = creds;

    const std::string& action = c.action;
    std::string body = "<" + action + "Response xmlns=\"" + xmlns + "\">\n  <" + action + "Result>\n";
    if (action == "AssumeRoleWithWebIdentity")
        body +=
            "    "
            "<SubjectFromWebIdentityToken>system:serviceaccount:default:app</SubjectFromWebIdentityToken>\n"
            "    <Audience>sts.amazonaws.com</Audience>\n";
    body += "    <AssumedRoleUser>\n      <Arn>" + xml_escape(c.role_arn) + "/" +
            xml_escape(c.role_session_name) +
            "</Arn>\n      <AssumedRoleId>AROA3XFRBF535PLBIFPI4:" + xml_escape(c.role_session_name) +
            "</AssumedRoleId>\n    </AssumedRoleUser>\n    <Credentials>\n      <AccessKeyId>" +
            creds.access_key_id + "</AccessKeyId>\n      <SecretAccessKey>" +
            xml_escape(creds.secret_access_key) + "</SecretAccessKey>\n      <SessionToken>" +
            xml_escape(creds.session_token) + "</SessionToken>\n      <Expiration>" +
            iso8601(creds.expiration) +
            "</Expiration>\n    </Credentials>\n    <PackedPolicySize>6</PackedPolicySize>\n  </" + action +
            "Result>\n  <ResponseMetadata>\n    <RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId>\n"
            "  </ResponseMetadata>\n</" +
            action + "Response>\n";
    return answer(200, std::move(body), "text/xml");
}

// Recomputes the signature from the trusted secret; any difference is SignatureDoesNotMatch, as STS says.
std::optional<http_answer> sts_test_service::verify_signature(const http_exchange& x, call& c) {
    c.was_signed = x.has_header("authorization");
    if (!c.was_signed)
        return refuse(c, 403, "MissingAuthenticationToken", "Request is missing Authentication Token");
    auto auth = parse_authorization(x.header("authorization"));
    if (!auth)
        return refuse(c, 403, "IncompleteSignature",
                      "Authorization header requires 'Credential', "
                      "'Signature' and 'SignedHeaders' parameters");
    auto known = trusted_.find(auth->access_key_id);
    if (known == trusted_.end())
        return refuse(c, 403, "InvalidClientTokenId",
                      "The security token included in the request is invalid.");
    if (x.header("x-amz-security-token") != known->second.session_token)
        return refuse(c, 403, "InvalidClientTokenId",
                      "The security token included in the request is invalid.");
    if (known->second.expiration && *known->second.expiration <= std::chrono::system_clock::now())
        return refuse(c, 403, "ExpiredToken", "The security token included in the request is expired");
    auto when = parse_amz_date(x.header("x-amz-date"));
    if (!when || auth->service != "sts" || x.header("x-amz-date").substr(0, 8) != auth->date)
        return refuse(c, 403, "SignatureDoesNotMatch",
                      "Credential should be scoped to a valid date and service.");

    core::http_request req;
    req.method = x.method;
    req.target = x.target;
    req.body = x.body;
    std::stringstream names(auth->signed_headers);
    std::string name;
    while (std::getline(names, name, ';')) {
        if (!x.has_header(name))
            return refuse(c, 403, "SignatureDoesNotMatch", "A signed header is missing from the request.");
        req.headers.push_back({name, x.header(name)});
    }
    core::sigv4::signing_options opts;
    opts.region = auth->region;
    opts.service = "sts";
    core::sigv4::credentials creds{auth->access_key_id, known->second.secret_access_key,
                                   known->second.session_token};
    if (core::sigv4::sign(req, creds, *when, opts) ||
        std::string(core::find_header(req.headers, "Authorization")) != x.header("authorization"))
        return refuse(
            c, 403, "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your "
            "AWS Secret Access Key and signing method. Consult the service documentation for details.");
    c.signed_by = auth->access_key_id;
    c.signing_region = auth->region;
    return std::nullopt;
}

http_answer sts_test_service::handle(const http_exchange& x) {
    std::lock_guard lock(mutex_);
    call c;
    auto record = [&](http_answer a) {
        calls_.push_back(c);
        return a;
    };
    if (hang_) {
        http_answer a;
        a.hang = true;
        return a;
    }
    if (!script_.empty()) {
        auto s = script_.front();
        script_.erase(script_.begin());
        if (s.raw)
            return answer(s.status, s.message, "text/xml");
        return record(refuse(c, s.status, s.code, s.message));
    }
    if (x.method != "POST" || x.header("content-type").rfind("application/x-www-form-urlencoded", 0) != 0)
        return record(refuse(c, 400, "InvalidAction", "Expected a form-encoded POST."));
    auto form = parse_form(x.body);
    c.action = form["Action"];
    c.role_arn = form["RoleArn"];
    c.role_session_name = form["RoleSessionName"];
    c.external_id = form["ExternalId"];
    c.web_identity_token = form["WebIdentityToken"];
    if (form.count("DurationSeconds"))
        c.duration_seconds = std::stol(form["DurationSeconds"]);
    if (form["Version"] != "2011-06-15")
        return record(refuse(c, 400, "InvalidAction", "Could not find operation for version."));
    if (c.role_arn.empty() || c.role_session_name.empty())
        return record(refuse(c, 400, "ValidationError", "RoleArn and RoleSessionName are required."));

    if (c.action == "AssumeRoleWithWebIdentity") {
        c.was_signed = x.has_header("authorization") || x.has_header("x-amz-security-token");
        if (c.was_signed)
            return record(
                refuse(c, 400, "UnexpectedSignature", "AssumeRoleWithWebIdentity is sent unsigned."));
        if (c.web_identity_token.empty() || (expected_token_ && c.web_identity_token != *expected_token_))
            return record(
                refuse(c, 400, "InvalidIdentityToken",
                       "The web identity token that was passed could not be validated by AWS. Get a new "
                       "identity token from the identity provider and then retry the request."));
        return record(issue(c));
    }
    if (c.action == "AssumeRole") {
        if (auto refused = verify_signature(x, c))
            return record(std::move(*refused));
        return record(issue(c));
    }
    return record(refuse(c, 400, "InvalidAction", "Could not find operation " + c.action + "."));
}

} // namespace dynalock::test
