// SPDX-License-Identifier: BSL-1.0
#include "core/credentials/sts.hpp"

#include "core/credentials/sts_xml.hpp"
#include "core/validation.hpp"

#include <utility>

namespace dynalock::core::sts {

namespace {

using boost::system::result;
using core::detail::fail;

std::string_view trimmed(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r' || s.front() == '\n'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

bool is_alnum(char c) noexcept {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

std::string quoted(std::string_view s) {
    std::string out = "'";
    append_printable(out, s, 128);
    out += '\'';
    return out;
}

void add_field(std::string& body, std::string_view name, std::string_view value) {
    if (!body.empty())
        body += '&';
    body += name;
    body += '=';
    body += form_encode(value);
}

error_code check_common(std::string_view role_arn, std::string_view session_name,
                        const std::optional<std::chrono::seconds>& duration, std::string& message) {
    if (auto ec = validate_role_arn(role_arn, message))
        return ec;
    if (auto ec = validate_session_name(session_name, message))
        return ec;
    if (duration) {
        if (auto ec = validate_duration(*duration, message))
            return ec;
    }
    return {};
}

void add_common(std::string& body, std::string_view action, std::string_view role_arn,
                std::string_view session_name) {
    add_field(body, "Action", action);
    add_field(body, "Version", api_version);
    add_field(body, "RoleArn", role_arn);
    add_field(body, "RoleSessionName", session_name);
}

// STS's own message, made printable, capped, and stripped of anything the caller must not see echoed.
std::string sanitized(std::string_view text, std::span<const std::string_view> secrets) {
    std::string raw(text);
    for (auto secret : secrets) {
        if (secret.size() < 4)
            continue; // too short to be a secret, and replacing it would garble the message
        for (auto at = raw.find(secret); at != std::string::npos; at = raw.find(secret, at + 3))
            raw.replace(at, secret.size(), "***");
    }
    std::string out;
    append_printable(out, raw, 512);
    return out;
}

bool retryable_code(std::string_view code) noexcept {
    return code == "IDPCommunicationError" || code == "Throttling" || code == "ThrottlingException" ||
           code == "RequestLimitExceeded" || code == "InternalFailure" || code == "ServiceUnavailable";
}

reply_outcome failure(errc code, std::string message, bool retryable = false) {
    reply_outcome out;
    out.ec = make_error_code(code);
    out.message = std::move(message);
    out.retryable = retryable;
    return out;
}

reply_outcome error_reply(unsigned status, const xml_element* root,
                          std::span<const std::string_view> secrets) {
    const xml_element* error =
        root != nullptr && root->name == "ErrorResponse" ? root->child("Error") : nullptr;
    const xml_element* code_element = error != nullptr ? error->child("Code") : nullptr;
    std::string_view code = code_element != nullptr ? trimmed(code_element->text) : std::string_view();
    if (code.empty()) {
        bool transient = status >= 500;
        return failure(transient ? errc::unexpected_status
                                 : (status == 200 ? errc::malformed_response : errc::unexpected_status),
                       "STS answered HTTP " + std::to_string(status) + " without an STS error reply",
                       transient);
    }
    const xml_element* text = error->child("Message");
    std::string_view said = text != nullptr ? trimmed(text->text) : std::string_view();
    std::string message = "STS " + sanitized(code, secrets) + ": " +
                          (said.empty() ? std::string("(no message)") : sanitized(said, secrets));
    bool retry = status >= 500 || retryable_code(code);
    if (retry)
        message += " (HTTP " + std::to_string(status) + ")";
    return failure(retry ? errc::unexpected_status : errc::credentials_rejected, std::move(message), retry);
}

} // namespace

std::string form_encode(std::string_view value) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(value.size());
    for (char c : value) {
        if (is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
            out += c;
        } else if (c == ' ') {
            out += '+';
        } else {
            auto b = static_cast<unsigned char>(c);
            out += '%';
            out += hex[b >> 4];
            out += hex[b & 0xF];
        }
    }
    return out;
}

std::string default_session_name(std::chrono::system_clock::time_point now) {
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    return "dynalock-session-" + std::to_string(seconds);
}

error_code validate_session_name(std::string_view name, std::string& message) {
    if (name.size() < 2 || name.size() > 64)
        return fail(errc::invalid_argument, message,
                    "role session name " + quoted(name) + " must be 2 to 64 characters long");
    for (char c : name) {
        if (!is_alnum(c) && c != '_' && c != '+' && c != '=' && c != ',' && c != '.' && c != '@' && c != '-')
            return fail(errc::invalid_argument, message,
                        "role session name " + quoted(name) +
                            " may only hold letters, digits and the characters _+=,.@-");
    }
    return {};
}

error_code validate_role_arn(std::string_view arn, std::string& message) {
    if (!arn.starts_with("arn:"))
        return fail(errc::invalid_argument, message,
                    "role ARN " + quoted(arn) +
                        " is not an ARN: expected arn:<partition>:iam::<account id>:role/<name>");
    if (arn.size() < 20 || arn.size() > 2048)
        return fail(errc::invalid_argument, message,
                    "role ARN " + quoted(arn) + " must be 20 to 2048 characters");
    for (char c : arn) {
        if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e)
            return fail(errc::invalid_argument, message,
                        "role ARN " + quoted(arn) +
                            " holds a space or a character that is not printable ASCII");
    }
    return {};
}

error_code validate_external_id(std::string_view external_id, std::string& message) {
    if (external_id.size() < 2 || external_id.size() > 1224)
        return fail(errc::invalid_argument, message, "external id must be 2 to 1224 characters long");
    for (char c : external_id) {
        if (!is_alnum(c) && c != '_' && c != '+' && c != '=' && c != ',' && c != '.' && c != '@' &&
            c != ':' && c != '/' && c != '-')
            return fail(errc::invalid_argument, message,
                        "external id may only hold letters, digits and the characters _+=,.@:/-");
    }
    return {};
}

error_code validate_duration(std::chrono::seconds duration, std::string& message) {
    if (duration.count() < 900 || duration.count() > 43200)
        return fail(errc::invalid_argument, message,
                    "role session duration " + std::to_string(duration.count()) +
                        " s is outside STS's bounds of 900 s (15 min) to 43200 s (12 h)");
    return {};
}

result<std::string> web_identity_body(const web_identity_request& req, std::string& message) {
    if (auto ec = check_common(req.role_arn, req.role_session_name, req.duration, message))
        return ec;
    if (req.web_identity_token.empty())
        return fail(errc::invalid_argument, message, "the web identity token is empty");
    std::string body;
    add_common(body, "AssumeRoleWithWebIdentity", req.role_arn, req.role_session_name);
    add_field(body, "WebIdentityToken", req.web_identity_token);
    if (req.duration)
        add_field(body, "DurationSeconds", std::to_string(req.duration->count()));
    return body;
}

result<std::string> assume_role_body(const assume_role_request& req, std::string& message) {
    if (auto ec = check_common(req.role_arn, req.role_session_name, req.duration, message))
        return ec;
    if (!req.external_id.empty()) {
        if (auto ec = validate_external_id(req.external_id, message))
            return ec;
    }
    std::string body;
    add_common(body, "AssumeRole", req.role_arn, req.role_session_name);
    if (!req.external_id.empty())
        add_field(body, "ExternalId", req.external_id);
    if (req.duration)
        add_field(body, "DurationSeconds", std::to_string(req.duration->count()));
    return body;
}

result<endpoint> resolve_sts_endpoint(std::string_view explicit_url, std::string_view region,
                                      const env_lookup& env, const shared_config& config,
                                      std::string& message) {
    endpoint_settings settings;
    settings.explicit_url = explicit_url;
    settings.region = region;
    settings.service_key = "sts";
    settings.host_prefix = "sts";
    auto ep = resolve_endpoint(settings, env, config, message);
    if (!ep && region.empty() && ep.error() == errc::invalid_region) {
        // No region and no configured URL: the global endpoint, as botocore does without a region.
        ep = parse_endpoint(global_endpoint, false, message);
    }
    if (!ep) {
        message = "STS endpoint: " + message;
        return ep.error();
    }
    if (ep->signing_region.empty())
        ep->signing_region = global_signing_region;
    return ep;
}

reply_outcome interpret_reply(std::string_view action, unsigned status, std::string_view body,
                              std::span<const std::string_view> secrets) {
    std::string parse_message;
    auto doc = parse_xml(body, parse_message);
    if (status != 200)
        return error_reply(status, doc ? &*doc : nullptr, secrets);
    if (!doc)
        return failure(errc::malformed_response, "STS " + std::string(action) + " reply: " + parse_message);
    const std::string response = std::string(action) + "Response";
    const std::string result_name = std::string(action) + "Result";
    if (doc->name != response) {
        if (doc->name == "ErrorResponse")
            return error_reply(status, &*doc, secrets);
        return failure(errc::malformed_response,
                       "STS " + std::string(action) + " reply: the root element is not " + response);
    }
    const xml_element* creds = doc->find({result_name, "Credentials"});
    if (creds == nullptr)
        return failure(errc::malformed_response,
                       "STS " + std::string(action) + " reply has no " + result_name + "/Credentials");
    reply_outcome out;
    for (auto [field, target] : {std::pair{"AccessKeyId", &out.creds.access_key_id},
                                 std::pair{"SecretAccessKey", &out.creds.secret_access_key},
                                 std::pair{"SessionToken", &out.creds.session_token}}) {
        const xml_element* e = creds->child(field);
        std::string_view value = e != nullptr ? trimmed(e->text) : std::string_view();
        if (value.empty())
            return failure(errc::malformed_response,
                           "STS " + std::string(action) + " reply has no Credentials/" + field);
        target->assign(value);
    }
    const xml_element* expiration = creds->child("Expiration");
    std::string_view expiration_text = expiration != nullptr ? trimmed(expiration->text) : std::string_view();
    if (expiration_text.empty())
        return failure(errc::malformed_response,
                       "STS " + std::string(action) + " reply has no Credentials/Expiration");
    auto when = parse_iso8601_timestamp(expiration_text);
    if (!when)
        return failure(errc::malformed_response,
                       "STS " + std::string(action) +
                           " reply: Credentials/Expiration is not an ISO 8601 time");
    out.creds.expiration = *when;
    return out;
}

} // namespace dynalock::core::sts
