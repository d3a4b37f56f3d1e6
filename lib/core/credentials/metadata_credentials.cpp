// SPDX-License-Identifier: BSL-1.0
#include "core/credentials/metadata_credentials.hpp"

#include "core/validation.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <utility>

namespace dynalock::core::metadata {

namespace {

using boost::system::result;
using core::detail::fail;

// Quoting what a service said: long enough to be useful, short enough to stay a message.
constexpr std::size_t max_quote = 256;

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && is_space(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && is_space(s.back()))
        s.remove_suffix(1);
    return s;
}

std::string quoted(std::string_view s, std::size_t max = 64) {
    std::string out = "'";
    append_printable(out, s, max);
    out += '\'';
    return out;
}

// Quotes text from a service with `blot` (a token we sent, which a service could echo) cut out first.
std::string quoted_service_text(std::string_view text, std::string_view blot) {
    std::string clean(text);
    if (!blot.empty()) {
        for (auto pos = clean.find(blot); pos != std::string::npos; pos = clean.find(blot, pos))
            clean.replace(pos, blot.size(), "<redacted>");
    }
    return quoted(clean, max_quote);
}

bool is_retryable_status(unsigned status) noexcept {
    return status >= 500 || status == 429;
}

std::string http_status(unsigned status) {
    return "HTTP " + std::to_string(status);
}

// A string member; nullptr when absent; `bad` when present but not a string.
const boost::json::string* string_member(const boost::json::object& o, std::string_view key, bool& bad) {
    auto it = o.find(key);
    if (it == o.end() || it->value().is_null())
        return nullptr;
    if (!it->value().is_string()) {
        bad = true;
        return nullptr;
    }
    return &it->value().get_string();
}

std::string_view view(const boost::json::string* s) noexcept {
    return s == nullptr ? std::string_view() : std::string_view(s->data(), s->size());
}

// The Code/Message (or code/message) of an error body, quoted; "" when there is none.
std::string service_error_text(std::string_view body, std::string_view blot) {
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    if (ec || !v.is_object())
        return {};
    const auto& o = v.get_object();
    bool bad = false;
    auto code = view(string_member(o, "Code", bad));
    if (code.empty())
        code = view(string_member(o, "code", bad));
    auto text = view(string_member(o, "Message", bad));
    if (text.empty())
        text = view(string_member(o, "message", bad));
    std::string out;
    if (!code.empty())
        out += " " + quoted_service_text(code, blot);
    if (!text.empty())
        out += (out.empty() ? " " : ": ") + quoted_service_text(text, blot);
    return out;
}

// Strict decimal seconds, up to three fractional digits: "1", "0.5", "2.250".
std::optional<std::chrono::milliseconds> parse_seconds(std::string_view s) noexcept {
    std::int64_t whole = 0, millis = 0;
    std::size_t i = 0, int_digits = 0;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++int_digits) {
        if (int_digits >= 7)
            return std::nullopt;
        whole = whole * 10 + (s[i] - '0');
    }
    if (int_digits == 0)
        return std::nullopt;
    if (i < s.size()) {
        if (s[i] != '.')
            return std::nullopt;
        ++i;
        std::int64_t scale = 100;
        std::size_t frac_digits = 0;
        for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++frac_digits) {
            if (frac_digits >= 3)
                return std::nullopt;
            millis += (s[i] - '0') * scale;
            scale /= 10;
        }
        if (frac_digits == 0 || i != s.size())
            return std::nullopt;
    }
    return std::chrono::milliseconds(whole * 1000 + millis);
}

std::optional<unsigned> parse_count(std::string_view s, std::size_t max_digits = 3) noexcept {
    if (s.empty() || s.size() > max_digits)
        return std::nullopt;
    unsigned n = 0;
    for (char c : s) {
        if (c < '0' || c > '9')
            return std::nullopt;
        n = n * 10 + static_cast<unsigned>(c - '0');
    }
    return n;
}

// A setting from the environment, else from the selected profile; `origin` says which, for messages.
std::optional<std::string> setting(const env_lookup& env, std::string_view variable,
                                   const shared_config& config, std::string_view key, std::string& origin) {
    if (auto v = get_env(env, variable)) {
        origin = std::string(variable);
        return v;
    }
    if (const ini_section* profile = config.profile()) {
        if (const std::string* v = profile->find(key); v != nullptr && !v->empty()) {
            origin = std::string(key) + " of profile '" + config.profile_name + "' in " + config.path;
            return *v;
        }
    }
    return std::nullopt;
}

std::string imds_label(const imds_settings& s) {
    return "EC2 instance metadata " + s.base_url;
}

// The base path of the endpoint without its trailing '/', so that paths append to it.
std::string with_base(const imds_settings& s, std::string_view path) {
    std::string target = s.ep.target;
    while (!target.empty() && target.back() == '/')
        target.pop_back();
    target += path;
    return target;
}

bool is_header_safe(std::string_view value) noexcept {
    for (char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c < 0x20 && c != '\t') || c == 0x7F)
            return false;
    }
    return true;
}

} // namespace

result<document> parse_credentials_document(std::string_view body, std::string_view source,
                                            std::string& message, std::string_view blot) {
    const std::string who(source);
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    // Never quote the body: it may be half a credentials document.
    if (ec)
        return fail(errc::malformed_response, message, who + ": the reply is not JSON");
    if (!v.is_object())
        return fail(errc::malformed_response, message, who + ": the reply is not a JSON object");
    const auto& o = v.get_object();

    bool bad = false;
    const auto* code = string_member(o, "Code", bad);
    if (bad)
        return fail(errc::malformed_response, message, who + ": the reply's Code is not a string");
    if (code != nullptr && view(code) != "Success") {
        std::string text = who + ": the service answered Code " + quoted_service_text(view(code), blot);
        if (auto m = view(string_member(o, "Message", bad)); !m.empty())
            text += ": " + quoted_service_text(m, blot);
        return fail(errc::credentials_rejected, message, std::move(text));
    }

    document out;
    const auto* key_id = string_member(o, "AccessKeyId", bad);
    const auto* secret = string_member(o, "SecretAccessKey", bad);
    if (bad || key_id == nullptr || secret == nullptr || key_id->empty() || secret->empty()) {
        std::string text = who + ": the reply has no AccessKeyId and SecretAccessKey";
        if (auto said = service_error_text(body, blot); !said.empty())
            text += " (the service said" + said + ")";
        return fail(errc::malformed_response, message, std::move(text));
    }
    out.creds.access_key_id = std::string(view(key_id));
    out.creds.secret_access_key = std::string(view(secret));
    const auto* token = string_member(o, "Token", bad);
    if (bad)
        return fail(errc::malformed_response, message, who + ": the reply's Token is not a string");
    out.creds.session_token = std::string(view(token));
    const auto* expiration = string_member(o, "Expiration", bad);
    if (bad)
        return fail(errc::malformed_response, message, who + ": the reply's Expiration is not a string");
    if (expiration != nullptr) {
        auto when = parse_iso8601_timestamp(view(expiration));
        if (!when)
            return fail(errc::malformed_response, message,
                        who + ": the reply's Expiration " + quoted(view(expiration)) +
                            " is not an ISO 8601 time");
        out.creds.expiration = *when;
    }
    out.account_id = std::string(view(string_member(o, "AccountId", bad)));
    return out;
}

// ---- Container credentials ------------------------------------------------------------------------

bool is_allowed_container_host(const endpoint& ep) noexcept {
    return ep.is_loopback || ep.host == "169.254.170.2" || ep.host == "169.254.170.23" ||
           ep.host == "fd00:ec2::23";
}

result<std::optional<container_endpoint>> resolve_container_endpoint(const env_lookup& env,
                                                                     std::string& message) {
    container_endpoint out;
    std::string parse_message;
    if (auto relative = get_env(env, relative_uri_variable)) {
        const std::string var(relative_uri_variable);
        if (relative->front() != '/')
            return fail(errc::unsupported_configuration, message,
                        var + " must be a path that starts with '/'");
        auto ep = parse_endpoint("http://" + std::string(container_host) + *relative, true, parse_message);
        if (!ep)
            return fail(errc::unsupported_configuration, message,
                        var + " is not a usable path: " + parse_message);
        out.ep = std::move(*ep);
        out.source = "container credentials http://" + out.ep.host_header + " (" + var + ")";
        return std::optional<container_endpoint>(std::move(out));
    }
    if (auto full = get_env(env, full_uri_variable)) {
        const std::string var(full_uri_variable);
        auto ep = parse_endpoint(*full, true, parse_message);
        if (!ep)
            return fail(errc::unsupported_configuration, message, var + ": " + parse_message);
        if (!ep->is_https() && !is_allowed_container_host(*ep))
            return fail(errc::unsupported_configuration, message,
                        var +
                            ": plain http may carry credentials only to a loopback address, localhost, "
                            "169.254.170.2, 169.254.170.23 or fd00:ec2::23, and " +
                            quoted(ep->host) + " is none of them (use https for another host)");
        out.ep = std::move(*ep);
        out.source = "container credentials " + out.ep.scheme + "://" + out.ep.host_header + " (" + var + ")";
        return std::optional<container_endpoint>(std::move(out));
    }
    message = "container credentials: neither AWS_CONTAINER_CREDENTIALS_RELATIVE_URI nor "
              "AWS_CONTAINER_CREDENTIALS_FULL_URI is set";
    return std::optional<container_endpoint>{};
}

result<std::optional<std::string>>
container_authorization_token(const env_lookup& env, const file_reader& read_file, std::string& message) {
    std::string token;
    std::string origin;
    if (auto path = get_env(env, token_file_variable)) {
        origin = "the token file " + quoted(*path, 256) + " (" + std::string(token_file_variable) + ")";
        std::string read_message;
        auto text = read_file ? read_file(*path, read_message)
                              : result<std::optional<std::string>>(std::optional<std::string>{});
        if (!text)
            return fail(errc::invalid_credentials_file, message, "container credentials: " + read_message);
        if (!*text)
            return fail(errc::invalid_credentials_file, message,
                        "container credentials: " + origin + " does not exist");
        // A final newline is how most tools write a file; CR or LF inside the token is refused below.
        std::string& t = **text;
        while (!t.empty() && is_space(t.back()))
            t.pop_back();
        if (t.empty())
            return fail(errc::invalid_credentials_file, message,
                        "container credentials: " + origin + " is empty");
        token = std::move(t);
    } else if (auto value = get_env(env, token_variable)) {
        origin = "the token in " + std::string(token_variable);
        token = std::move(*value);
    } else {
        return std::optional<std::string>{};
    }
    if (token.find_first_of("\r\n") != std::string::npos)
        return fail(errc::invalid_argument, message,
                    "container credentials: " + origin + " contains a CR or LF, which a header cannot carry");
    if (!is_header_safe(token))
        return fail(errc::invalid_argument, message,
                    "container credentials: " + origin + " contains control characters");
    return std::optional<std::string>(std::move(token));
}

http_request container_request(const container_endpoint& ep, const std::optional<std::string>& token) {
    http_request req;
    req.method = "GET";
    req.target = ep.ep.target;
    req.headers.push_back({"Accept", "application/json"});
    if (token)
        req.headers.push_back({"Authorization", *token});
    return req;
}

reply_outcome interpret_container_reply(const container_endpoint& ep, unsigned status, std::string_view body,
                                        std::string_view token) {
    reply_outcome out;
    if (status == 200) {
        auto doc = parse_credentials_document(body, ep.source, out.message, token);
        if (!doc)
            out.ec = doc.error();
        else
            out.doc = std::move(*doc);
        return out;
    }
    std::string said = service_error_text(body, token);
    if (is_retryable_status(status)) {
        out.retryable = true;
        out.ec = make_error_code(errc::unexpected_status);
        out.message = ep.source + ": " + http_status(status) + said;
        return out;
    }
    if (status >= 400 && status < 500) {
        out.ec = make_error_code(errc::credentials_rejected);
        out.message = ep.source + ": refused with " + http_status(status) + said;
        if (status == 401 || status == 403)
            out.message +=
                " (check AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE / AWS_CONTAINER_AUTHORIZATION_TOKEN)";
        return out;
    }
    out.ec = make_error_code(errc::unexpected_status);
    out.message = ep.source + ": unexpected " + http_status(status);
    return out;
}

// ---- EC2 instance metadata (IMDSv2) -----------------------------------------------------------------

result<imds_settings> resolve_imds_settings(const env_lookup& env, const shared_config& config,
                                            std::string& message) {
    imds_settings out;
    if (auto disabled = get_env(env, "AWS_EC2_METADATA_DISABLED");
        disabled && to_lower(*disabled) == "true") {
        out.disabled = true;
        out.base_url = std::string(imds_ipv4_endpoint);
        return out;
    }

    std::string mode_origin;
    auto mode = setting(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", config,
                        "ec2_metadata_service_endpoint_mode", mode_origin);
    std::string_view url = imds_ipv4_endpoint;
    out.origin = "the default";
    if (mode) {
        const auto lower = to_lower(*mode);
        if (lower == "ipv6")
            url = imds_ipv6_endpoint;
        else if (lower != "ipv4")
            return fail(errc::unsupported_configuration, message,
                        mode_origin + " is " + quoted(*mode) + ": the endpoint mode must be IPv4 or IPv6");
        out.origin = mode_origin;
    }
    std::string endpoint_origin;
    auto configured = setting(env, "AWS_EC2_METADATA_SERVICE_ENDPOINT", config,
                              "ec2_metadata_service_endpoint", endpoint_origin);
    if (configured) {
        url = *configured;
        out.origin = endpoint_origin;
    }
    std::string parse_message;
    auto ep = parse_endpoint(url, true, parse_message);
    if (!ep)
        return fail(errc::unsupported_configuration, message,
                    "EC2 instance metadata endpoint from " + out.origin + ": " + parse_message);
    if (ep->is_https())
        return fail(errc::unsupported_configuration, message,
                    "EC2 instance metadata endpoint from " + out.origin + " is " + quoted(url) +
                        ": the instance metadata service is plain http (https is not supported)");
    out.ep = std::move(*ep);
    out.base_url = out.ep.scheme + "://" + out.ep.host_header;
    if (out.ep.target != "/")
        out.base_url += out.ep.target;
    while (out.base_url.back() == '/')
        out.base_url.pop_back();

    std::string origin;
    if (auto timeout =
            setting(env, "AWS_METADATA_SERVICE_TIMEOUT", config, "metadata_service_timeout", origin)) {
        auto t = parse_seconds(trim(*timeout));
        if (!t || t->count() <= 0 || *t > std::chrono::hours(1))
            return fail(errc::unsupported_configuration, message,
                        origin + " is " + quoted(*timeout) +
                            ": the timeout must be a number of seconds greater than 0 and at most 3600");
        out.timeout = *t;
    }
    if (auto attempts = setting(env, "AWS_METADATA_SERVICE_NUM_ATTEMPTS", config,
                                "metadata_service_num_attempts", origin)) {
        auto n = parse_count(trim(*attempts));
        if (!n || *n < 1 || *n > 10)
            return fail(errc::unsupported_configuration, message,
                        origin + " is " + quoted(*attempts) +
                            ": the number of attempts must be a whole number 1-10");
        out.attempts = *n;
    }
    if (auto v1 = setting(env, "AWS_EC2_METADATA_V1_DISABLED", config, "ec2_metadata_v1_disabled", origin))
        out.v1_disabled = to_lower(*v1) == "true";
    return out;
}

http_request imds_token_request(const imds_settings& s) {
    http_request req;
    req.method = "PUT";
    req.target = with_base(s, token_path);
    req.headers.push_back({std::string(token_ttl_header), std::to_string(token_ttl.count())});
    return req;
}

http_request imds_get_request(const imds_settings& s, std::string_view path, std::string_view token) {
    http_request req;
    req.method = "GET";
    req.target = with_base(s, path);
    if (!token.empty())
        req.headers.push_back({std::string(token_header), std::string(token)});
    return req;
}

std::string role_credentials_path(std::string_view role) {
    return std::string(roles_path) + std::string(role);
}

token_outcome interpret_token_reply(const imds_settings& s, unsigned status, std::string_view ttl_header,
                                    std::string_view body) {
    token_outcome out;
    const std::string who = imds_label(s);
    if (status == 200) {
        auto token = trim(body);
        bool ok = !token.empty() && token.size() <= 4096;
        for (char c : token)
            ok = ok && c > 0x20 && c < 0x7F;
        if (!ok) {
            out.what = token_outcome::kind::retry;
            out.ec = make_error_code(errc::malformed_response);
            out.message = who + ": the token reply is not a token";
            return out;
        }
        out.what = token_outcome::kind::token;
        out.token = std::string(token);
        // The service says how long the token lives (it may cap what we asked for).
        if (auto ttl = parse_count(trim(ttl_header), 6); ttl && *ttl > 0)
            out.ttl = std::chrono::seconds(*ttl);
        return out;
    }
    if (status == 403 || status == 404 || status == 405) {
        out.what = token_outcome::kind::v1_only;
        out.ec = make_error_code(errc::credentials_rejected);
        out.message = who + ": the IMDSv2 token request was refused with " + http_status(status);
        return out;
    }
    if (is_retryable_status(status)) {
        out.what = token_outcome::kind::retry;
        out.ec = make_error_code(errc::unexpected_status);
        out.message = who + ": the token request failed with " + http_status(status);
        return out;
    }
    out.what = token_outcome::kind::error;
    out.ec = make_error_code(errc::unexpected_status);
    out.message = who + ": the token request was refused with " + http_status(status) +
                  (status == 400 ? " (bad request: a proxy in the way, or a missing TTL header)" : "");
    return out;
}

result<std::string> parse_role_name(const imds_settings& s, std::string_view body, std::string& message) {
    auto line = body.substr(0, body.find('\n'));
    line = trim(line);
    bool ok = !line.empty() && line.size() <= 64;
    for (char c : line) {
        ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '+' ||
                    c == '=' || c == ',' || c == '.' || c == '@' || c == '_' || c == '-');
    }
    if (!ok)
        return fail(errc::malformed_response, message, imds_label(s) + ": the role list is not a role name");
    return std::string(line);
}

result<std::string> parse_region(const imds_settings& s, std::string_view body, std::string& message) {
    auto region = trim(body);
    if (!is_valid_region(region))
        return fail(errc::malformed_response, message,
                    imds_label(s) + ": the region " + quoted(region) + " is not a valid region name");
    return std::string(region);
}

reply_outcome interpret_get_reply(const imds_settings& s, std::string_view what, unsigned status,
                                  bool is_role_list) {
    reply_outcome out;
    if (status == 200)
        return out;
    const std::string who = imds_label(s);
    if (is_retryable_status(status)) {
        out.retryable = true;
        out.ec = make_error_code(errc::unexpected_status);
        out.message = who + ": " + std::string(what) + ": " + http_status(status);
    } else if (status == 401) {
        out.ec = make_error_code(errc::credentials_rejected);
        out.message = who + ": " + std::string(what) + ": the token was refused (HTTP 401)";
    } else if (status == 404 && is_role_list) {
        out.ec = make_error_code(errc::no_credentials);
        out.message = who + ": the instance has no IAM role (no instance profile is attached)";
    } else {
        out.ec = make_error_code(errc::unexpected_status);
        out.message = who + ": " + std::string(what) + ": unexpected " + http_status(status);
    }
    return out;
}

} // namespace dynalock::core::metadata
