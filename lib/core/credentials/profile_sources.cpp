// SPDX-License-Identifier: BSL-1.0
#include "core/credentials/profile_sources.hpp"

#include <dynalock/error.hpp>

#include "core/credentials/sts.hpp"
#include "core/validation.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <utility>

namespace dynalock::core {

namespace {

using boost::system::result;
using detail::fail;

// Chains of roles deeper than this are a configuration mistake (and would only recurse deeper).
constexpr std::size_t max_role_chain = 32;

std::string quoted(std::string_view s) {
    std::string out = "'";
    append_printable(out, s, 64);
    out += '\'';
    return out;
}

// A property that is set to something (botocore treats an empty value as set; the SDKs ignore it, and an
// empty role_arn or source_profile can only be a mistake we report elsewhere).
const std::string* value(const ini_section& section, std::string_view key) {
    const std::string* v = section.find(key);
    return v != nullptr && !v->empty() ? v : nullptr;
}

bool has_static_keys(const ini_section& section) {
    return value(section, "aws_access_key_id") != nullptr ||
           value(section, "aws_secret_access_key") != nullptr;
}

// botocore's _has_assume_role_config_vars: a role_arn, and no web identity (that is another provider's).
bool has_assume_role_vars(const ini_section& section) {
    return value(section, "role_arn") != nullptr && value(section, "web_identity_token_file") == nullptr;
}

result<std::optional<aws_shared_file>> read_file(const std::string& path, aws_file_kind kind,
                                                 std::string& notes, std::string& message) {
    std::string read_message;
    auto text = read_aws_shared_file(path, read_message);
    if (!text) {
        if (!notes.empty())
            notes += "; ";
        notes += read_message;
        return std::optional<aws_shared_file>{};
    }
    if (!*text)
        return std::optional<aws_shared_file>{};
    auto parsed = parse_aws_shared_file(**text, kind, path, message);
    if (!parsed)
        return parsed.error();
    return std::optional<aws_shared_file>(std::move(*parsed));
}

class planner {
public:
    planner(const profile_files& files, const env_lookup& env, std::string& message)
        : files_(files), env_(env), message_(message) {}

    result<credential_plan> run(std::string_view explicit_profile) {
        plan_.profile = resolve_profile_name(explicit_profile, env_);
        const std::string& name = plan_.profile;
        auto section = merged_profile(files_, name);
        if (!section) {
            std::string named_by;
            if (!explicit_profile.empty())
                named_by = "the profile option";
            else if (get_env(env_, "AWS_PROFILE"))
                named_by = "AWS_PROFILE";
            else if (get_env(env_, "AWS_DEFAULT_PROFILE"))
                named_by = "AWS_DEFAULT_PROFILE";
            // As botocore: a profile that was asked for by name must exist; "default" may be absent.
            if (!named_by.empty())
                return fail(errc::invalid_credentials_file, message_,
                            "profile " + quoted(name) + " (from " + named_by + ") is in neither " +
                                files_.paths.credentials + " nor " + files_.paths.config +
                                (files_.notes.empty() ? std::string() : " (" + files_.notes + ")"));
        }
        if (section && has_assume_role_vars(*section)) {
            visited_.push_back(name);
            if (auto ec = assume_role(name, *section))
                return ec;
            return std::move(plan_);
        }
        std::string tried;
        if (auto ec = profile_chain(name, section ? &*section : nullptr, true, tried))
            return ec;
        if (!plan_.base) {
            plan_.tried = std::move(tried);
            if (!files_.notes.empty())
                plan_.tried += " (" + files_.notes + ")";
        }
        return std::move(plan_);
    }

private:
    std::string where(std::string_view name) const {
        bool in_credentials = files_.credentials && files_.credentials->find_profile(name) != nullptr;
        bool in_config = files_.config && files_.config->find_profile(name) != nullptr;
        std::string out = "profile " + quoted(name);
        if (in_credentials && in_config)
            out += " in " + files_.paths.credentials + " and " + files_.paths.config;
        else if (in_credentials)
            out += " in " + files_.paths.credentials;
        else if (in_config)
            out += " in " + files_.paths.config;
        return out;
    }

    error_code config_error(std::string_view name, std::string text) {
        return fail(errc::invalid_credentials_file, message_, where(name) + ": " + text);
    }

    // A field checked by the STS rules, reported against the profile that holds it.
    error_code check(std::string_view name, std::string_view key, error_code ec) {
        if (!ec)
            return ec;
        return config_error(name, std::string(key) + ": " + message_);
    }

    // Steps 2-7 of botocore's profile chain for one profile: web identity, SSO, keys in the credentials
    // file, credential_process, keys in the config file. `section` is null when neither file has it.
    // Sets plan_.base when one applies.
    error_code profile_chain(std::string_view name, const ini_section* section, bool allow_env,
                             std::string& tried) {
        auto note = [&tried](std::string_view text) {
            if (!tried.empty())
                tried += "; ";
            tried += text;
        };
        if (auto ec = web_identity(name, section, allow_env, tried))
            return ec;
        if (plan_.base)
            return {};
        if (section != nullptr &&
            (value(*section, "sso_session") != nullptr || value(*section, "sso_start_url") != nullptr)) {
            base_source sso;
            sso.kind = source_kind::sso;
            sso.profile = std::string(name);
            sso.origin = where(name);
            plan_.base = std::move(sso);
            return {};
        }
        if (auto ec = static_keys(name, files_.credentials, files_.paths.credentials, tried))
            return ec;
        if (plan_.base)
            return {};
        if (section != nullptr) {
            if (const std::string* command = value(*section, "credential_process")) {
                base_source process;
                process.kind = source_kind::process;
                process.profile = std::string(name);
                process.origin = where(name);
                process.command = *command;
                plan_.base = std::move(process);
                return {};
            }
            note(where(name) + ": no sso_session, sso_start_url or credential_process");
        }
        if (auto ec = static_keys(name, files_.config, files_.paths.config, tried))
            return ec;
        return {};
    }

    error_code web_identity(std::string_view name, const ini_section* section, bool allow_env,
                            std::string& tried) {
        std::optional<std::string> token_file;
        std::string token_origin;
        if (allow_env) {
            token_file = get_env(env_, "AWS_WEB_IDENTITY_TOKEN_FILE");
            token_origin = "AWS_WEB_IDENTITY_TOKEN_FILE";
        }
        if (!token_file && section != nullptr) {
            if (const std::string* file = value(*section, "web_identity_token_file")) {
                token_file = *file;
                token_origin = where(name);
            }
        }
        if (!token_file) {
            if (!tried.empty())
                tried += "; ";
            if (allow_env) {
                tried += "web identity: AWS_WEB_IDENTITY_TOKEN_FILE is not set, nor web_identity_token_file";
                if (get_env(env_, "AWS_ROLE_ARN"))
                    tried += " (AWS_ROLE_ARN is, but a role needs the token file too)";
            } else {
                tried += where(name) + ": no web_identity_token_file";
            }
            return {};
        }
        base_source source;
        source.kind = source_kind::web_identity;
        source.profile = std::string(name);
        source.origin = token_origin;
        source.token_file = expand_home(*token_file, env_);
        std::optional<std::string> role = allow_env ? get_env(env_, "AWS_ROLE_ARN") : std::nullopt;
        bool role_from_env = role.has_value();
        if (!role && section != nullptr) {
            if (const std::string* arn = value(*section, "role_arn"))
                role = *arn;
        }
        if (!role) {
            if (token_origin == "AWS_WEB_IDENTITY_TOKEN_FILE")
                return fail(
                    errc::invalid_argument, message_,
                    "web identity: AWS_WEB_IDENTITY_TOKEN_FILE is set but no role is: set AWS_ROLE_ARN "
                    "(or role_arn in " +
                        where(name) + ")");
            return config_error(name, "web_identity_token_file is set but role_arn is not");
        }
        if (auto ec = sts::validate_role_arn(*role, message_)) {
            if (role_from_env)
                return fail(errc::invalid_argument, message_, "AWS_ROLE_ARN: " + message_);
            return check(name, "role_arn", ec);
        }
        source.role_arn = std::move(*role);
        std::optional<std::string> session =
            allow_env ? get_env(env_, "AWS_ROLE_SESSION_NAME") : std::nullopt;
        bool session_from_env = session.has_value();
        if (!session && section != nullptr) {
            if (const std::string* s = value(*section, "role_session_name"))
                session = *s;
        }
        if (session) {
            if (auto ec = sts::validate_session_name(*session, message_)) {
                if (session_from_env)
                    return fail(errc::invalid_argument, message_, "AWS_ROLE_SESSION_NAME: " + message_);
                return check(name, "role_session_name", ec);
            }
            source.role_session_name = std::move(*session);
        }
        plan_.base = std::move(source);
        return {};
    }

    error_code static_keys(std::string_view name, const std::optional<aws_shared_file>& file,
                           const std::string& path, std::string& tried) {
        if (!tried.empty())
            tried += "; ";
        if (!file) {
            tried += path + ": not found";
            return {};
        }
        std::string note;
        auto found = credentials_from_profile(*file, name, path, note);
        if (!found) {
            message_ = std::move(note);
            return found.error();
        }
        if (!*found) {
            tried += note;
            return {};
        }
        base_source keys;
        keys.kind = source_kind::static_keys;
        keys.profile = std::string(name);
        keys.origin = "profile " + quoted(name) + " in " + path;
        keys.keys = std::move(**found);
        plan_.base = std::move(keys);
        return {};
    }

    // botocore's _load_creds_via_assume_role: validate the role settings, resolve the source, then add
    // this profile's role after the source's own roles.
    error_code assume_role(std::string_view name, const ini_section& section) {
        if (visited_.size() > max_role_chain)
            return config_error(name, "more than " + std::to_string(max_role_chain) + " roles chained");
        role_step role;
        role.profile = std::string(name);
        role.role_arn = *value(section, "role_arn");
        if (auto ec = check(name, "role_arn", sts::validate_role_arn(role.role_arn, message_)))
            return ec;
        if (value(section, "mfa_serial") != nullptr)
            return fail(errc::unsupported_configuration, message_,
                        where(name) +
                            ": mfa_serial is not supported (this client cannot ask for an MFA code): use "
                            "credential_process or temporary keys from `aws sts get-session-token`");
        if (const std::string* session = value(section, "role_session_name")) {
            if (auto ec = check(name, "role_session_name", sts::validate_session_name(*session, message_)))
                return ec;
            role.role_session_name = *session;
        }
        if (const std::string* external_id = value(section, "external_id")) {
            if (auto ec = check(name, "external_id", sts::validate_external_id(*external_id, message_)))
                return ec;
            role.external_id = *external_id;
        }
        if (const std::string* duration = value(section, "duration_seconds")) {
            long long seconds = 0;
            auto [end, ec] = std::from_chars(duration->data(), duration->data() + duration->size(), seconds);
            if (ec != std::errc() || end != duration->data() + duration->size())
                return config_error(name, "duration_seconds " + quoted(*duration) +
                                              " is not a whole number of seconds");
            role.duration = std::chrono::seconds(seconds);
            if (auto bad = check(name, "duration_seconds", sts::validate_duration(*role.duration, message_)))
                return bad;
        }

        const std::string* source_profile = value(section, "source_profile");
        const std::string* credential_source = value(section, "credential_source");
        if (source_profile != nullptr && credential_source != nullptr)
            return config_error(name, "sets both source_profile and credential_source; keep one");
        if (source_profile == nullptr && credential_source == nullptr)
            return config_error(name, "sets role_arn but neither source_profile nor credential_source (nor "
                                      "web_identity_token_file): say where the credentials that assume the "
                                      "role come from");
        if (credential_source != nullptr) {
            static constexpr std::array<std::pair<std::string_view, source_kind>, 3> kinds{{
                {"Environment", source_kind::environment},
                {"Ec2InstanceMetadata", source_kind::instance_metadata},
                {"EcsContainer", source_kind::container},
            }};
            auto it = std::find_if(kinds.begin(), kinds.end(),
                                   [&](const auto& k) { return k.first == *credential_source; });
            if (it == kinds.end())
                return fail(
                    errc::unsupported_configuration, message_,
                    where(name) + ": credential_source " + quoted(*credential_source) +
                        " is not supported (supported: Environment, Ec2InstanceMetadata, EcsContainer)");
            base_source base;
            base.kind = it->second;
            base.profile = std::string(name);
            base.origin = where(name) + " (credential_source = " + std::string(it->first) + ")";
            plan_.base = std::move(base);
        } else if (auto ec = resolve_source_profile(name, *source_profile)) {
            return ec;
        }
        plan_.roles.push_back(std::move(role));
        return {};
    }

    // botocore's _validate_source_profile and _resolve_credentials_from_profile.
    error_code resolve_source_profile(std::string_view parent, const std::string& source) {
        auto section = merged_profile(files_, source);
        if (!section)
            return config_error(parent, "its source_profile " + quoted(source) + " is in neither " +
                                            files_.paths.credentials + " nor " + files_.paths.config);
        bool seen = std::find(visited_.begin(), visited_.end(), source) != visited_.end();
        // A profile may source itself to keep its keys next to its role; any other return is a cycle.
        if (seen && (source != parent || !has_static_keys(*section))) {
            std::string cycle;
            for (const auto& p : visited_)
                cycle += quoted(p) + " -> ";
            cycle += quoted(source);
            return config_error(parent, "source_profile makes a cycle: " + cycle);
        }
        visited_.push_back(source);
        if (has_static_keys(*section) || !has_assume_role_vars(*section)) {
            std::string tried;
            if (auto ec = profile_chain(source, &*section, false, tried))
                return ec;
            if (!plan_.base)
                return config_error(parent, "its source_profile " + quoted(source) + " has no credentials (" +
                                                tried + ")");
            return {};
        }
        return assume_role(source, *section);
    }

    const profile_files& files_;
    const env_lookup& env_;
    std::string& message_;
    std::vector<std::string> visited_;
    credential_plan plan_;
};

} // namespace

result<profile_files> load_profile_files(const env_lookup& env, std::string& message) {
    profile_files files;
    files.paths = resolve_shared_file_paths(env);
    auto credentials = read_file(files.paths.credentials, aws_file_kind::credentials, files.notes, message);
    if (!credentials)
        return credentials.error();
    files.credentials = std::move(*credentials);
    auto config = read_file(files.paths.config, aws_file_kind::config, files.notes, message);
    if (!config)
        return config.error();
    files.config = std::move(*config);
    return files;
}

std::optional<ini_section> merged_profile(const profile_files& files, std::string_view name) {
    const ini_section* from_config = files.config ? files.config->find_profile(name) : nullptr;
    const ini_section* from_credentials = files.credentials ? files.credentials->find_profile(name) : nullptr;
    if (from_config == nullptr && from_credentials == nullptr)
        return std::nullopt;
    ini_section merged = from_config != nullptr ? *from_config : ini_section{};
    if (from_credentials != nullptr) {
        for (const auto& [key, v] : from_credentials->properties)
            merged.properties[key] = v;
        for (const auto& [key, sub] : from_credentials->sub_sections)
            merged.sub_sections[key] = sub;
        if (from_config == nullptr)
            merged.line = from_credentials->line;
    }
    return merged;
}

result<credential_plan> plan_profile_credentials(const profile_files& files,
                                                 std::string_view explicit_profile, const env_lookup& env,
                                                 std::string& message) {
    return planner(files, env, message).run(explicit_profile);
}

} // namespace dynalock::core
