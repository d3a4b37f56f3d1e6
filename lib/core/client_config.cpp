// SPDX-License-Identifier: BSL-1.0
#include "core/client_config.hpp"

#include "core/retry_strategy.hpp"
#include "core/validation.hpp"

#include <algorithm>
#include <cctype>

namespace dynalock::core {

namespace {

using boost::system::result;

constexpr std::size_t max_app_id_size = 50;

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

// One setting as found: its value and a description of where, for messages.
struct found_setting {
    std::string value;
    std::string source;
};

// The environment variable if set (and not empty), else the profile's property if set.
std::optional<found_setting> find_setting(const env_lookup& env, std::string_view variable,
                                          const shared_config& config, std::string_view property) {
    if (auto v = get_env(env, variable))
        return found_setting{std::move(*v), std::string(variable)};
    if (const auto* profile = config.profile())
        if (const auto* v = profile->find(property); v && !trim(*v).empty())
            return found_setting{*v, "the " + std::string(property) + " of profile '" + config.profile_name +
                                         "' in " + config.path};
    return std::nullopt;
}

error_code unsupported(std::string_view source, std::string_view value, std::string_view why,
                       std::string& message) {
    std::string text(source);
    text.append(" is '");
    append_printable(text, value);
    text.append("', which is not supported: ").append(why);
    return detail::fail(errc::unsupported_configuration, message, std::move(text));
}

bool is_token_char(char c) noexcept {
    if (std::isalnum(static_cast<unsigned char>(c)))
        return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

} // namespace

std::string_view to_string(retry_mode mode) noexcept {
    return mode == retry_mode::adaptive ? "adaptive" : "standard";
}

result<retry_mode> parse_retry_mode(std::string_view value, std::string_view source, std::string& message) {
    std::string lower(trim(value));
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "standard")
        return retry_mode::standard;
    if (lower == "adaptive")
        return retry_mode::adaptive;
    if (lower == "legacy")
        return unsupported(source, value,
                           "this client implements the standard and adaptive retry modes, not legacy; set "
                           "standard (the closest), or choose one in client_options::retry.mode",
                           message);
    return unsupported(source, value, "the retry modes are standard and adaptive", message);
}

error_code validate_app_id(std::string_view id, std::string_view source, std::string& message) {
    if (id.empty() || id.size() > max_app_id_size || !std::all_of(id.begin(), id.end(), is_token_char))
        return unsupported(source, id,
                           "an application id is 1 to 50 characters of letters, digits and !#$%&'*+-.^_`|~",
                           message);
    return {};
}

result<client_config> resolve_client_config(const client_config_options& options, const env_lookup& env,
                                            const shared_config& config, std::string& message) {
    client_config out;

    if (options.mode) {
        out.mode = *options.mode;
    } else if (auto s = find_setting(env, "AWS_RETRY_MODE", config, "retry_mode")) {
        auto mode = parse_retry_mode(s->value, s->source, message);
        if (!mode)
            return mode.error();
        out.mode = *mode;
    }

    if (options.max_attempts != 0) {
        out.max_attempts = options.max_attempts;
    } else if (auto s = find_setting(env, "AWS_MAX_ATTEMPTS", config, "max_attempts")) {
        auto attempts = parse_max_attempts(s->value);
        if (!attempts || !*attempts)
            return unsupported(s->source, s->value, "max_attempts is a whole number of attempts, 1 or more",
                               message);
        out.max_attempts = **attempts;
    }

    if (!options.ca_file.empty()) {
        out.ca_file = std::string(options.ca_file);
        out.ca_file_source = "client_options::ca_file";
    } else if (auto s = find_setting(env, "AWS_CA_BUNDLE", config, "ca_bundle")) {
        out.ca_file = expand_home(trim(s->value), env);
        out.ca_file_source = std::move(s->source);
    }

    if (!options.app_id.empty()) {
        if (auto ec = validate_app_id(options.app_id, "client_options::app_id", message))
            return ec;
        out.app_id = std::string(options.app_id);
    } else if (auto s = find_setting(env, "AWS_SDK_UA_APP_ID", config, "sdk_ua_app_id")) {
        auto id = trim(s->value);
        if (auto ec = validate_app_id(id, s->source, message))
            return ec;
        out.app_id = std::string(id);
    }
    return out;
}

std::string make_user_agent(std::string_view version, retry_mode mode, std::string_view app_id) {
    std::string ua = "dynalock/";
    ua.append(version).append(" cfg/retry-mode#").append(to_string(mode));
    if (!app_id.empty())
        ua.append(" app/").append(app_id);
    return ua;
}

std::optional<std::string> lambda_trace_id(const env_lookup& env) {
    if (!get_env(env, "AWS_LAMBDA_FUNCTION_NAME"))
        return std::nullopt;
    auto id = get_env(env, "_X_AMZN_TRACE_ID");
    if (!id)
        return std::nullopt;
    // Sent as is after signing: anything that could end the header line, or is not ASCII, is refused.
    if (!std::all_of(id->begin(), id->end(), [](char c) { return c >= 0x20 && c < 0x7f; }))
        return std::nullopt;
    return id;
}

} // namespace dynalock::core
