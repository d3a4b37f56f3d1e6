// SPDX-License-Identifier: BSL-1.0
#include "core/credentials/sso.hpp"

#include "core/crypto.hpp"
#include "core/validation.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <cstdio>

namespace dynalock::core::sso {

namespace {

using boost::system::result;
using core::detail::fail;

// The keys that make a profile an SSO profile (botocore's list, plus sso_session).
constexpr std::array<std::string_view, 5> sso_keys{"sso_session", "sso_start_url", "sso_region",
                                                   "sso_account_id", "sso_role_name"};

const std::string* non_empty(const ini_section& section, std::string_view key) noexcept {
    const std::string* v = section.find(key);
    return v != nullptr && !v->empty() ? v : nullptr;
}

std::string quoted(std::string_view s) {
    std::string out = "'";
    append_printable(out, s);
    out += '\'';
    return out;
}

std::string profile_label(const settings& s) {
    return "SSO profile " + quoted(s.profile_name);
}

std::string hex_sha1(std::string_view data) {
    std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
    unsigned int size = 0;
    if (EVP_Digest(data.data(), data.size(), md.data(), &size, EVP_sha1(), nullptr) != 1)
        return {}; // no SHA-1 in this OpenSSL: the path then names no file, and the token is "missing"
    return crypto::to_hex(std::span<const unsigned char>(md.data(), size));
}

std::string format_utc(std::chrono::system_clock::time_point when) {
    using namespace std::chrono;
    const auto secs = floor<seconds>(when);
    const auto days = floor<std::chrono::days>(secs);
    const year_month_day ymd{days};
    const hh_mm_ss hms{secs - days};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buf;
}

// RFC 3986 unreserved characters stay, every other byte is %XX.
std::string query_encode(std::string_view value) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    for (char ch : value) {
        const auto c = static_cast<unsigned char>(ch);
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
            c == '_' || c == '.' || c == '~') {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xF]);
        }
    }
    return out;
}

// Every occurrence of `secret` in `text` becomes "***".
std::string blot(std::string text, std::string_view secret) {
    if (secret.empty())
        return text;
    for (auto pos = text.find(secret); pos != std::string::npos; pos = text.find(secret, pos + 3))
        text.replace(pos, secret.size(), "***");
    return text;
}

std::string_view string_member(const boost::json::object& obj, std::string_view key) noexcept {
    const boost::json::value* v = obj.if_contains(key);
    const boost::json::string* s = v == nullptr ? nullptr : v->if_string();
    return s == nullptr ? std::string_view{} : std::string_view(s->data(), s->size());
}

} // namespace

result<std::optional<settings>> settings_from_config(const shared_config& config, std::string& message) {
    const ini_section* profile = config.profile();
    const std::string where = config.path.empty() ? std::string("<config file>") : config.path;
    bool any = false;
    for (auto key : sso_keys)
        any = any || (profile != nullptr && profile->find(key) != nullptr);
    if (!any) {
        message = "profile " + quoted(config.profile_name) + " in " + where +
                  " has no SSO settings (sso_session, or sso_start_url and sso_account_id)";
        return std::optional<settings>{};
    }

    settings s;
    s.profile_name = config.profile_name;
    auto at = [&](std::size_t line) { return where + ":" + std::to_string(line) + ": "; };
    auto missing = [&](std::string_view key, std::string_view in) {
        return fail(errc::invalid_credentials_file, message,
                    at(profile->line) + "profile " + quoted(s.profile_name) + " is configured for SSO but " +
                        std::string(in) + " does not set " + std::string(key));
    };

    if (const std::string* session_name = profile->find("sso_session")) {
        if (session_name->empty())
            return fail(errc::invalid_credentials_file, message,
                        at(profile->line) + "profile " + quoted(s.profile_name) +
                            " has an empty sso_session");
        s.session_name = *session_name;
        const ini_section* session = config.file.find_sso_session(*session_name);
        if (session == nullptr)
            return fail(errc::invalid_credentials_file, message,
                        at(profile->line) + "profile " + quoted(s.profile_name) + " names sso_session " +
                            quoted(*session_name) + " but there is no [sso-session " + quoted(*session_name) +
                            "] section");
        const std::string in_session = "[sso-session " + quoted(*session_name) + "]";
        for (auto [key, out] :
             {std::pair{"sso_start_url", &s.start_url}, std::pair{"sso_region", &s.region}}) {
            const std::string* value = non_empty(*session, key);
            if (value == nullptr)
                return fail(errc::invalid_credentials_file, message,
                            at(session->line) + in_session + " does not set " + key);
            // A profile may repeat the session's values (older CLIs wrote both), never contradict them.
            if (const std::string* own = non_empty(*profile, key); own != nullptr && *own != *value)
                return fail(errc::invalid_credentials_file, message,
                            at(profile->line) + "profile " + quoted(s.profile_name) + " sets " + key +
                                " differently from its " + in_session);
            *out = *value;
        }
    } else {
        for (auto [key, out] :
             {std::pair{"sso_start_url", &s.start_url}, std::pair{"sso_region", &s.region}}) {
            const std::string* value = non_empty(*profile, key);
            if (value == nullptr)
                return missing(key, "it has no sso_session and the profile");
            *out = *value;
        }
    }
    for (auto [key, out] :
         {std::pair{"sso_account_id", &s.account_id}, std::pair{"sso_role_name", &s.role_name}}) {
        const std::string* value = non_empty(*profile, key);
        if (value == nullptr)
            return missing(key, "the profile");
        *out = *value;
    }
    message.clear();
    return std::optional<settings>(std::move(s));
}

std::string login_command(const settings& s) {
    return s.is_legacy() ? "aws sso login --profile " + s.profile_name
                         : "aws sso login --sso-session " + s.session_name;
}

std::string token_cache_path(const settings& s, const env_lookup& env) {
    return expand_home("~/.aws/sso/cache/" + hex_sha1(s.is_legacy() ? s.start_url : s.session_name) + ".json",
                       env);
}

result<token> parse_token_cache(const std::optional<std::string>& text, std::string_view path,
                                const settings& s, std::chrono::system_clock::time_point now,
                                std::string& message) {
    const std::string run = ": run `" + login_command(s) + "`";
    auto expired = [&](std::string why) {
        return fail(errc::sso_token_expired, message, profile_label(s) + ": " + why + run);
    };
    const std::string file = std::string(path);
    if (!text)
        return expired("no SSO token is cached (" + file + " does not exist)");
    boost::system::error_code ec;
    boost::json::value doc = boost::json::parse(*text, ec);
    const boost::json::object* obj = ec ? nullptr : doc.if_object();
    if (obj == nullptr)
        return expired("the SSO token cache " + file + " is not a JSON object");
    token t;
    t.access_token = std::string(string_member(*obj, "accessToken"));
    if (t.access_token.empty())
        return expired("the SSO token cache " + file + " has no accessToken");
    std::string expires_at(string_member(*obj, "expiresAt"));
    if (expires_at.size() > 3 && expires_at.compare(expires_at.size() - 3, 3, "UTC") == 0)
        expires_at.replace(expires_at.size() - 3, 3, "Z"); // "2024-05-01T12:00:00UTC", as older CLIs wrote
    auto when = parse_iso8601_timestamp(expires_at);
    if (!when)
        return expired("the SSO token cache " + file + " has no valid expiresAt");
    t.expires_at = *when;
    if (t.expires_at <= now)
        return expired("the cached SSO token expired at " + format_utc(t.expires_at));
    message.clear();
    return t;
}

result<endpoint> resolve_portal_endpoint(const settings& s, const env_lookup& env,
                                         const shared_config& config, std::string& message) {
    endpoint_settings es;
    es.region = s.region;
    es.service_key = "sso";
    es.host_prefix = "portal.sso";
    auto ep = resolve_endpoint(es, env, config, message);
    if (!ep)
        message = profile_label(s) + ": sso_region / portal endpoint: " + message;
    return ep;
}

http_request get_role_credentials_request(const settings& s, const endpoint& ep,
                                          std::string_view access_token) {
    http_request req;
    req.method = "GET";
    std::string base = ep.target;
    while (!base.empty() && base.back() == '/')
        base.pop_back();
    req.target = base + "/federation/credentials?account_id=" + query_encode(s.account_id) +
                 "&role_name=" + query_encode(s.role_name);
    req.headers.push_back({"x-amz-sso_bearer_token", std::string(access_token)});
    req.headers.push_back({"Accept", "application/json"});
    return req;
}

reply_outcome interpret_reply(const settings& s, unsigned status, std::string_view error_type_header,
                              std::string_view body, std::string_view access_token) {
    reply_outcome out;
    const std::string what = profile_label(s) + ": GetRoleCredentials for account " + quoted(s.account_id) +
                             ", role " + quoted(s.role_name);
    boost::system::error_code ec;
    boost::json::value doc = boost::json::parse(body, ec);
    const boost::json::object* obj = ec ? nullptr : doc.if_object();

    if (status == 200) {
        auto malformed = [&](std::string_view why) {
            out.ec = make_error_code(errc::malformed_response);
            out.message = what + ": the portal's reply " + std::string(why);
            out.retryable = false;
            return out;
        };
        if (obj == nullptr)
            return malformed("is not a JSON object");
        const boost::json::value* rc = obj->if_contains("roleCredentials");
        const boost::json::object* role = rc == nullptr ? nullptr : rc->if_object();
        if (role == nullptr)
            return malformed("has no roleCredentials object");
        for (auto [key, field] : {std::pair{"accessKeyId", &out.creds.access_key_id},
                                  std::pair{"secretAccessKey", &out.creds.secret_access_key},
                                  std::pair{"sessionToken", &out.creds.session_token}}) {
            *field = std::string(string_member(*role, key));
            if (field->empty())
                return malformed("has no roleCredentials." + std::string(key));
        }
        const boost::json::value* exp = role->if_contains("expiration");
        std::int64_t ms = 0;
        if (exp != nullptr && exp->is_int64())
            ms = exp->get_int64();
        else if (exp != nullptr && exp->is_uint64() && exp->get_uint64() <= 1'000'000'000'000'000u)
            ms = static_cast<std::int64_t>(exp->get_uint64());
        else if (exp != nullptr && exp->is_double() && exp->get_double() > 0 && exp->get_double() < 1e15)
            ms = static_cast<std::int64_t>(exp->get_double());
        // Milliseconds since the epoch, within what system_clock holds (years 1970 to about 2200).
        if (ms <= 0 || ms > 7'258'118'400'000)
            return malformed("has no valid roleCredentials.expiration (milliseconds since the epoch)");
        out.creds.expiration = std::chrono::system_clock::time_point(
            std::chrono::duration_cast<std::chrono::system_clock::duration>(std::chrono::milliseconds(ms)));
        return out;
    }

    // restJson1 errors: the type in x-amzn-ErrorType ("Type:namespace-uri") or the body's __type.
    std::string type(error_type_header.substr(0, error_type_header.find(':')));
    std::string said;
    if (obj != nullptr) {
        if (type.empty()) {
            std::string_view t = string_member(*obj, "__type");
            type = std::string(t.substr(t.find('#') == std::string_view::npos ? 0 : t.find('#') + 1));
        }
        said = std::string(string_member(*obj, "message"));
        if (said.empty())
            said = std::string(string_member(*obj, "Message"));
    }
    std::string portal_said = "HTTP " + std::to_string(status);
    if (!type.empty()) {
        portal_said += " ";
        append_printable(portal_said, type);
    }
    if (!said.empty()) {
        portal_said += ": ";
        append_printable(portal_said, blot(std::move(said), access_token), 256);
    }
    out.message = what + ": the SSO portal answered " + portal_said;
    if (status == 401 || type == "UnauthorizedException") {
        out.ec = make_error_code(errc::sso_token_expired);
        out.message += "; the SSO token is expired or revoked: run `" + login_command(s) + "`";
    } else if (status == 429 || status >= 500 || type == "TooManyRequestsException") {
        out.ec = make_error_code(errc::unexpected_status);
        out.retryable = true;
    } else {
        out.ec = make_error_code(errc::credentials_rejected);
    }
    return out;
}

} // namespace dynalock::core::sso
