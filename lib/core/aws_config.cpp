// SPDX-License-Identifier: BSL-1.0
#include "core/aws_config.hpp"

#include <dynalock/error.hpp>

#include "core/validation.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <utility>

namespace dynalock::core {

namespace {

using boost::system::result;

// A shared file bigger than this is not a hand-written config: refuse it rather than read it whole.
constexpr std::size_t max_shared_file_size = 1024 * 1024;

using detail::fail;

bool is_blank(char c) noexcept {
    return c == ' ' || c == '\t';
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (is_blank(s.front()) || s.front() == '\r' || s.front() == '\n'))
        s.remove_prefix(1);
    while (!s.empty() && (is_blank(s.back()) || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

bool is_comment_start(char c) noexcept {
    return c == '#' || c == ';';
}

// Cuts a trailing comment: `#` or `;` preceded by whitespace (so a `#` inside a value survives).
std::string_view strip_inline_comment(std::string_view s) noexcept {
    for (std::size_t i = 1; i < s.size(); ++i) {
        if (is_comment_start(s[i]) && is_blank(s[i - 1]))
            return s.substr(0, i);
    }
    return s;
}

std::string to_lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

// Echoes user-supplied text in a message without letting control bytes or a novel into it.
std::string printable(std::string_view s, std::size_t max = 64) {
    std::string out;
    for (std::size_t i = 0; i < s.size() && i < max; ++i)
        out += (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    if (s.size() > max)
        out += "...";
    return out;
}

std::string location(std::string_view path, std::size_t line) {
    std::string out = path.empty() ? std::string("<shared file>") : std::string(path);
    out += ':';
    out += std::to_string(line);
    return out;
}

// Splits `name = value`; false when there is no `=` or no name.
bool split_property(std::string_view line, std::string& key, std::string_view& value) {
    auto eq = line.find('=');
    if (eq == std::string_view::npos)
        return false;
    auto name = trim(line.substr(0, eq));
    if (name.empty())
        return false;
    key = to_lower_ascii(name);
    value = trim(strip_inline_comment(line.substr(eq + 1)));
    return true;
}

// The section a header names, in the file's own conventions. nullptr: a section we ignore.
ini_section* section_for_header(aws_shared_file& out, std::string_view name, aws_file_kind kind) {
    if (name.empty())
        return nullptr;
    if (kind == aws_file_kind::credentials)
        return &out.profiles[std::string(name)];
    if (name == "default")
        return &out.profiles["default"];
    auto prefixed = [&](std::string_view prefix) -> std::string_view {
        if (name.size() <= prefix.size() || name.substr(0, prefix.size()) != prefix ||
            !is_blank(name[prefix.size()]))
            return {};
        return trim(name.substr(prefix.size()));
    };
    if (auto profile = prefixed("profile"); !profile.empty())
        return &out.profiles[std::string(profile)];
    if (auto services = prefixed("services"); !services.empty())
        return &out.services[std::string(services)];
    if (auto session = prefixed("sso-session"); !session.empty())
        return &out.sso_sessions[std::string(session)];
    return nullptr; // plugins, or a bare name that is not a profile in the config file
}

} // namespace

env_lookup process_environment() {
    return [](std::string_view name) -> std::optional<std::string> {
        std::string key(name);
        if (const char* value = std::getenv(key.c_str()))
            return std::string(value);
        return std::nullopt;
    };
}

std::optional<std::string> get_env(const env_lookup& env, std::string_view name) {
    if (!env)
        return std::nullopt;
    auto value = env(name);
    if (value && value->empty())
        return std::nullopt;
    return value;
}

const std::string* ini_section::find(std::string_view key) const noexcept {
    auto it = properties.find(key);
    return it == properties.end() ? nullptr : &it->second;
}

const std::string* ini_section::find(std::string_view key, std::string_view sub_key) const noexcept {
    auto it = sub_sections.find(key);
    if (it == sub_sections.end())
        return nullptr;
    auto sub = it->second.find(sub_key);
    return sub == it->second.end() ? nullptr : &sub->second;
}

const ini_section* aws_shared_file::find_profile(std::string_view name) const noexcept {
    auto it = profiles.find(name);
    return it == profiles.end() ? nullptr : &it->second;
}

const ini_section* aws_shared_file::find_services(std::string_view name) const noexcept {
    auto it = services.find(name);
    return it == services.end() ? nullptr : &it->second;
}

const ini_section* aws_shared_file::find_sso_session(std::string_view name) const noexcept {
    auto it = sso_sessions.find(name);
    return it == sso_sessions.end() ? nullptr : &it->second;
}

result<aws_shared_file> parse_aws_shared_file(std::string_view text, aws_file_kind kind,
                                              std::string_view path, std::string& message) {
    aws_shared_file out;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") // a UTF-8 byte order mark, as some editors write
        text.remove_prefix(3);

    // Properties of ignored sections are still parsed (to report errors) into this scratch section.
    ini_section ignored;
    ini_section* section = nullptr; // nullptr until the first header
    enum class after { header, value, empty_value } state = after::header;
    std::string* last_value = nullptr;
    std::map<std::string, std::string, std::less<>>* sub_section = nullptr;
    std::string last_key;
    std::size_t property_indent = 0;

    std::size_t line_number = 0;
    while (!text.empty()) {
        ++line_number;
        auto eol = text.find('\n');
        std::string_view raw = text.substr(0, eol);
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);

        auto line = trim(raw);
        if (line.empty() || is_comment_start(line.front()))
            continue;

        if (line.front() == '[') {
            auto close = line.find(']');
            if (close == std::string_view::npos)
                return fail(errc::invalid_credentials_file, message,
                            location(path, line_number) + ": section header has no closing ']'");
            auto rest = trim(line.substr(close + 1));
            if (!rest.empty() && !is_comment_start(rest.front()))
                return fail(errc::invalid_credentials_file, message,
                            location(path, line_number) + ": unexpected text after the section header");
            section = section_for_header(out, trim(line.substr(1, close - 1)), kind);
            if (section == nullptr) {
                ignored = ini_section{};
                section = &ignored;
            } else if (section->line == 0) {
                section->line = line_number;
            }
            state = after::header;
            continue;
        }
        if (section == nullptr)
            return fail(errc::invalid_credentials_file, message,
                        location(path, line_number) +
                            ": a property appears before the first section header (such as [default])");

        // A line indented deeper than the property above it belongs to that property (as configparser
        // decides); at the same depth, or right after a header, it is a property of its own.
        std::size_t indent = raw.find_first_not_of(" \t");
        if (state != after::header && indent > property_indent) {
            if (state == after::value) {
                *last_value += '\n';
                *last_value += trim(strip_inline_comment(line));
                continue;
            }
            std::string key;
            std::string_view value;
            if (!split_property(line, key, value))
                return fail(errc::invalid_credentials_file, message,
                            location(path, line_number) + ": expected 'name = value' in the indented block");
            if (sub_section == nullptr)
                sub_section = &section->sub_sections[last_key];
            (*sub_section)[std::move(key)] = std::string(value);
            continue;
        }

        std::string key;
        std::string_view value;
        if (!split_property(line, key, value))
            return fail(errc::invalid_credentials_file, message,
                        location(path, line_number) + ": expected 'name = value'");
        auto& slot = section->properties[key];
        slot.assign(value);
        last_value = &slot;
        last_key = std::move(key);
        sub_section = nullptr;
        property_indent = indent;
        state = value.empty() ? after::empty_value : after::value;
    }
    return out;
}

result<std::optional<std::string>> read_aws_shared_file(const std::string& path, std::string& message) {
    if (path.empty())
        return std::optional<std::string>{};
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> file(std::fopen(path.c_str(), "rb"), &std::fclose);
    if (!file) {
        int err = errno;
        if (err == ENOENT || err == ENOTDIR)
            return std::optional<std::string>{};
        return fail(errc::invalid_credentials_file, message,
                    path + ": cannot be opened: " + std::strerror(err));
    }
    std::string text;
    char buffer[8192];
    for (;;) {
        std::size_t n = std::fread(buffer, 1, sizeof buffer, file.get());
        text.append(buffer, n);
        if (text.size() > max_shared_file_size)
            return fail(errc::invalid_credentials_file, message, path + ": larger than 1 MiB");
        if (n < sizeof buffer) {
            if (std::ferror(file.get()))
                return fail(errc::invalid_credentials_file, message,
                            path + ": cannot be read: " + std::strerror(errno));
            break;
        }
    }
    return std::optional<std::string>(std::move(text));
}

namespace {

// Reads exactly `n` digits at `pos`.
bool read_digits(std::string_view s, std::size_t& pos, std::size_t n, int& value) noexcept {
    if (s.size() - pos < n)
        return false;
    value = 0;
    for (std::size_t i = 0; i < n; ++i) {
        char c = s[pos + i];
        if (c < '0' || c > '9')
            return false;
        value = value * 10 + (c - '0');
    }
    pos += n;
    return true;
}

bool expect(std::string_view s, std::size_t& pos, char c) noexcept {
    if (pos >= s.size() || s[pos] != c)
        return false;
    ++pos;
    return true;
}

} // namespace

result<std::chrono::system_clock::time_point> parse_iso8601_timestamp(std::string_view s) {
    using namespace std::chrono;
    const error_code bad = make_error_code(errc::invalid_argument);
    std::size_t pos = 0;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0;
    if (!read_digits(s, pos, 4, y) || !expect(s, pos, '-') || !read_digits(s, pos, 2, mo) ||
        !expect(s, pos, '-') || !read_digits(s, pos, 2, d))
        return bad;
    if (pos >= s.size() || (s[pos] != 'T' && s[pos] != 't' && s[pos] != ' '))
        return bad;
    ++pos;
    if (!read_digits(s, pos, 2, h) || !expect(s, pos, ':') || !read_digits(s, pos, 2, mi) ||
        !expect(s, pos, ':') || !read_digits(s, pos, 2, sec))
        return bad;
    if (h > 23 || mi > 59 || sec > 60) // 60: a leap second
        return bad;
    // system_clock counts nanoseconds in 64 bits here: keep well inside its ±292 years around 1970.
    if (y < 1900 || y > 2200)
        return bad;
    year_month_day date{year{y}, month{static_cast<unsigned>(mo)}, day{static_cast<unsigned>(d)}};
    if (!date.ok())
        return bad;

    nanoseconds fraction{0};
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
        ++pos;
        std::size_t digits = 0;
        std::int64_t value = 0;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') {
            if (digits < 9) { // finer than nanoseconds is dropped
                value = value * 10 + (s[pos] - '0');
                ++digits;
            }
            ++pos;
        }
        if (digits == 0)
            return bad;
        for (std::size_t i = digits; i < 9; ++i)
            value *= 10;
        fraction = nanoseconds{value};
    }

    minutes offset{0};
    if (pos < s.size() && (s[pos] == 'Z' || s[pos] == 'z')) {
        ++pos;
    } else if (pos < s.size() && (s[pos] == '+' || s[pos] == '-')) {
        bool negative = s[pos] == '-';
        ++pos;
        int oh = 0, om = 0;
        if (!read_digits(s, pos, 2, oh))
            return bad;
        if (pos < s.size() && s[pos] == ':')
            ++pos;
        if (!read_digits(s, pos, 2, om) || oh > 23 || om > 59)
            return bad;
        offset = hours{oh} + minutes{om};
        if (negative)
            offset = -offset;
    } else {
        return bad; // a local time without a zone means nothing to a remote service
    }
    if (pos != s.size())
        return bad;

    auto local = sys_days{date} + hours{h} + minutes{mi} + seconds{sec} + fraction - offset;
    return time_point_cast<system_clock::duration>(local);
}

std::string resolve_profile_name(std::string_view explicit_profile, const env_lookup& env) {
    if (!explicit_profile.empty())
        return std::string(explicit_profile);
    if (auto p = get_env(env, "AWS_PROFILE"))
        return std::move(*p);
    if (auto p = get_env(env, "AWS_DEFAULT_PROFILE"))
        return std::move(*p);
    return "default";
}

std::string expand_home(std::string_view path, const env_lookup& env) {
    if (path.empty() || path.front() != '~' || (path.size() > 1 && path[1] != '/'))
        return std::string(path);
    auto home = get_env(env, "HOME");
    if (!home)
        return std::string(path);
    std::string out = std::move(*home);
    if (path.size() > 1 && !out.empty() && out.back() == '/')
        out.pop_back();
    out.append(path.substr(1));
    return out;
}

shared_file_paths resolve_shared_file_paths(const env_lookup& env) {
    shared_file_paths paths;
    auto credentials = get_env(env, "AWS_SHARED_CREDENTIALS_FILE");
    paths.credentials = expand_home(credentials ? *credentials : "~/.aws/credentials", env);
    auto config = get_env(env, "AWS_CONFIG_FILE");
    paths.config = expand_home(config ? *config : "~/.aws/config", env);
    return paths;
}

result<std::optional<credential_values>> credentials_from_environment(const env_lookup& env,
                                                                      std::string& message) {
    auto access_key_id = get_env(env, "AWS_ACCESS_KEY_ID");
    auto secret_access_key = get_env(env, "AWS_SECRET_ACCESS_KEY");
    if (!access_key_id && !secret_access_key) {
        message = "environment: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are not set";
        return std::optional<credential_values>{};
    }
    if (!access_key_id)
        return fail(errc::invalid_argument, message,
                    "environment: AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
    if (!secret_access_key)
        return fail(errc::invalid_argument, message,
                    "environment: AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not");

    credential_values values;
    values.access_key_id = std::move(*access_key_id);
    values.secret_access_key = std::move(*secret_access_key);
    if (auto token = get_env(env, "AWS_SESSION_TOKEN"))
        values.session_token = std::move(*token);
    else if (auto legacy = get_env(env, "AWS_SECURITY_TOKEN"))
        values.session_token = std::move(*legacy);
    if (auto expiration = get_env(env, "AWS_CREDENTIAL_EXPIRATION")) {
        auto when = parse_iso8601_timestamp(*expiration);
        if (!when)
            return fail(errc::invalid_argument, message,
                        "environment: AWS_CREDENTIAL_EXPIRATION '" + printable(*expiration) +
                            "' is not an ISO 8601 timestamp such as 2024-05-01T12:00:00Z");
        values.expiration = *when;
    }
    message.clear();
    return std::optional<credential_values>(std::move(values));
}

result<std::optional<credential_values>> credentials_from_profile(const aws_shared_file& file,
                                                                  std::string_view profile,
                                                                  std::string_view path,
                                                                  std::string& message) {
    const ini_section* section = file.find_profile(profile);
    if (section == nullptr) {
        message = std::string(path) + ": no profile '" + printable(profile) + "'";
        return std::optional<credential_values>{};
    }
    auto non_empty = [&](std::string_view key) -> const std::string* {
        const std::string* v = section->find(key);
        return v != nullptr && !v->empty() ? v : nullptr;
    };
    const std::string* access_key_id = non_empty("aws_access_key_id");
    const std::string* secret_access_key = non_empty("aws_secret_access_key");
    if (access_key_id == nullptr && secret_access_key == nullptr) {
        message = std::string(path) + ": profile '" + printable(profile) + "' has no credentials";
        return std::optional<credential_values>{};
    }
    if (access_key_id == nullptr || secret_access_key == nullptr)
        return fail(errc::invalid_credentials_file, message,
                    location(path, section->line) + ": profile '" + printable(profile) + "' sets " +
                        (access_key_id ? "aws_access_key_id but not aws_secret_access_key"
                                       : "aws_secret_access_key but not aws_access_key_id"));

    credential_values values;
    values.access_key_id = *access_key_id;
    values.secret_access_key = *secret_access_key;
    if (const std::string* token = non_empty("aws_session_token"))
        values.session_token = *token;
    else if (const std::string* legacy = non_empty("aws_security_token"))
        values.session_token = *legacy;
    message.clear();
    return std::optional<credential_values>(std::move(values));
}

result<std::optional<credential_values>>
resolve_profile_credentials(const aws_shared_file* credentials_file, const aws_shared_file* config_file,
                            std::string_view profile, const shared_file_paths& paths, std::string& message) {
    std::string tried;
    if (credentials_file != nullptr) {
        auto found = credentials_from_profile(*credentials_file, profile, paths.credentials, message);
        if (!found || *found)
            return found;
        tried = std::move(message);
    } else {
        tried = paths.credentials + ": not found";
    }
    if (config_file != nullptr) {
        auto found = credentials_from_profile(*config_file, profile, paths.config, message);
        if (!found || *found)
            return found;
        tried += "; " + message;
    } else {
        tried += "; " + paths.config + ": not found";
    }
    message = std::move(tried);
    return std::optional<credential_values>{};
}

const ini_section* shared_config::services() const noexcept {
    const ini_section* p = profile();
    if (p == nullptr)
        return nullptr;
    const std::string* name = p->find("services");
    return name == nullptr ? nullptr : file.find_services(*name);
}

result<shared_config> load_shared_config(const env_lookup& env, std::string_view explicit_profile,
                                         std::string& message) {
    shared_config config;
    config.profile_name = resolve_profile_name(explicit_profile, env);
    config.path = resolve_shared_file_paths(env).config;
    std::string read_message;
    auto text = read_aws_shared_file(config.path, read_message);
    if (!text || !*text) // unreadable or absent: the SDKs carry on without it
        return config;
    auto parsed = parse_aws_shared_file(**text, aws_file_kind::config, config.path, message);
    if (!parsed)
        return parsed.error();
    config.file = std::move(*parsed);
    return config;
}

bool is_valid_region(std::string_view region) noexcept {
    if (region.empty() || region.size() > 63)
        return false;
    for (char c : region) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-'))
            return false;
    }
    return true;
}

namespace {

const std::string* profile_region(const shared_config& config) noexcept {
    const ini_section* profile = config.profile();
    const std::string* region = profile == nullptr ? nullptr : profile->find("region");
    return region != nullptr && !region->empty() ? region : nullptr;
}

} // namespace

result<std::string> resolve_region(std::string_view explicit_region, const env_lookup& env,
                                   const shared_config& config, std::string& message) {
    std::string region;
    std::string source;
    if (!explicit_region.empty()) {
        region = explicit_region;
        source = "the region option";
    } else if (auto from_env = get_env(env, "AWS_REGION")) {
        region = std::move(*from_env);
        source = "AWS_REGION";
    } else if (auto from_default = get_env(env, "AWS_DEFAULT_REGION")) {
        region = std::move(*from_default);
        source = "AWS_DEFAULT_REGION";
    } else if (const std::string* from_profile = profile_region(config)) {
        region = *from_profile;
        source = "profile '" + printable(config.profile_name) + "' in " + config.path;
    } else {
        return fail(errc::invalid_region, message,
                    "no AWS region configured: set the region option, AWS_REGION, AWS_DEFAULT_REGION or "
                    "'region' in profile '" +
                        printable(config.profile_name) + "' of " + config.path);
    }
    if (!is_valid_region(region))
        return fail(errc::invalid_region, message,
                    "region '" + printable(region) + "' from " + source +
                        " is not valid: a region is 1-63 characters of a-z, 0-9 and '-'");
    return region;
}

} // namespace dynalock::core
