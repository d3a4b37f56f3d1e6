// SPDX-License-Identifier: BSL-1.0
// The AWS shared configuration: the `~/.aws/config` and `~/.aws/credentials` files, the environment
// variables that select and override them, and what they say about credentials, the profile and the region.
//
// Everything here is sans-io except read_aws_shared_file (a thin file read) and process_environment (getenv):
// the environment is injected as a lookup function and the files are parsed from text, so tests pass both.
#ifndef DYNALOCK_CORE_AWS_CONFIG_HPP
#define DYNALOCK_CORE_AWS_CONFIG_HPP

#include <boost/system/result.hpp>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace dynalock::core {

/// Looks up one environment variable; nullopt when it is not set.
using env_lookup = std::function<std::optional<std::string>(std::string_view name)>;

/// A lookup that reads the process environment (getenv).
env_lookup process_environment();

/// The value of `name`, treating an unset lookup, an unset variable and an empty value alike (nullopt):
/// the SDKs ignore empty variables.
std::optional<std::string> get_env(const env_lookup& env, std::string_view name);

/// Which of the two shared files a text comes from: their section names differ.
enum class aws_file_kind {
    config, ///< `[default]`, `[profile name]`, `[services name]`, `[sso-session name]`; others are ignored
    credentials, ///< `[name]`: every section is a profile, named as written
};

/// One section of a shared file. Property names are lower-cased; values are trimmed.
struct ini_section {
    std::size_t line = 0; ///< line of the (first) header of this section, for messages
    std::map<std::string, std::string, std::less<>> properties;
    /// Indented blocks under an empty property (`dynamodb =` then `  endpoint_url = ...`).
    std::map<std::string, std::map<std::string, std::string, std::less<>>, std::less<>> sub_sections;

    /// The value of `key`, or nullptr.
    const std::string* find(std::string_view key) const noexcept;
    /// The value of `sub_key` in the indented block under `key`, or nullptr.
    const std::string* find(std::string_view key, std::string_view sub_key) const noexcept;
};

/// A parsed shared file. A section that appears twice is merged; a later property wins.
struct aws_shared_file {
    std::map<std::string, ini_section, std::less<>> profiles; ///< by profile name ("default", "prod")
    std::map<std::string, ini_section, std::less<>> services; ///< `[services name]` (config file only)
    /// `[sso-session name]` (config file only): the start URL and region of an IAM Identity Center login.
    std::map<std::string, ini_section, std::less<>> sso_sessions;

    const ini_section* find_profile(std::string_view name) const noexcept;
    const ini_section* find_services(std::string_view name) const noexcept;
    const ini_section* find_sso_session(std::string_view name) const noexcept;
};

/// Parses a shared file. Comment lines start with `#` or `;`; in a property line, a `#` or `;` preceded by
/// whitespace starts a comment. An indented line continues the previous property (a multi-line value), or,
/// under a property whose value is empty, is a `name = value` of its sub-section.
/// On error: errc::invalid_credentials_file and `message` = "<path>:<line>: <what>". The message never
/// quotes the offending line, which may hold a secret.
boost::system::result<aws_shared_file> parse_aws_shared_file(std::string_view text, aws_file_kind kind,
                                                             std::string_view path, std::string& message);

/// Reads a whole shared file. nullopt when it does not exist. errc::invalid_credentials_file (with a
/// message) when it exists but cannot be read or is larger than 1 MiB.
boost::system::result<std::optional<std::string>> read_aws_shared_file(const std::string& path,
                                                                       std::string& message);

/// A set of credentials as the core sees it (the public dynalock::credentials lives in an Asio header).
struct credential_values {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;
    std::optional<std::chrono::system_clock::time_point> expiration;
};

/// Parses an ISO 8601 / RFC 3339 timestamp with a zone: `2024-05-01T12:00:00Z`, with optional fractional
/// seconds and a `+hh:mm`/`-hh:mm` offset instead of `Z`. errc::invalid_argument otherwise.
boost::system::result<std::chrono::system_clock::time_point> parse_iso8601_timestamp(std::string_view text);

/// The profile to use: `explicit_profile` if not empty, else AWS_PROFILE, else AWS_DEFAULT_PROFILE, else
/// "default".
std::string resolve_profile_name(std::string_view explicit_profile, const env_lookup& env);

/// Replaces a leading `~` (alone or followed by `/`) by $HOME. Other paths are returned as they are, as is
/// `path` when HOME is not set.
std::string expand_home(std::string_view path, const env_lookup& env);

struct shared_file_paths {
    std::string credentials; ///< AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials, expanded
    std::string config;      ///< AWS_CONFIG_FILE or ~/.aws/config, expanded
};
shared_file_paths resolve_shared_file_paths(const env_lookup& env);

/// Credentials from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, with AWS_SESSION_TOKEN (or the legacy
/// AWS_SECURITY_TOKEN) and AWS_CREDENTIAL_EXPIRATION. nullopt (and a message saying so) when neither key
/// is set. errc::invalid_argument when only one of the two is set or the expiration is malformed: a
/// half-configured environment is a mistake that must not silently fall through to another identity.
boost::system::result<std::optional<credential_values>> credentials_from_environment(const env_lookup& env,
                                                                                     std::string& message);

/// Credentials of one profile of one shared file (`aws_access_key_id`, `aws_secret_access_key`,
/// `aws_session_token` or the legacy `aws_security_token`). nullopt (and a message) when the profile is
/// absent or sets neither key; errc::invalid_credentials_file when it sets only one of the two.
boost::system::result<std::optional<credential_values>> credentials_from_profile(const aws_shared_file& file,
                                                                                 std::string_view profile,
                                                                                 std::string_view path,
                                                                                 std::string& message);

/// Credentials of `profile` from both shared files (nullptr = the file does not exist): the credentials file
/// wins over the config file. Values are never merged across files or from `[default]` into another profile.
/// nullopt, with a message that says what was looked at, when neither file has credentials for it.
boost::system::result<std::optional<credential_values>>
resolve_profile_credentials(const aws_shared_file* credentials_file, const aws_shared_file* config_file,
                            std::string_view profile, const shared_file_paths& paths, std::string& message);

/// The config file as seen from the selected profile: what region and endpoint resolution read.
struct shared_config {
    std::string profile_name = "default";
    std::string path;     ///< the config file's path, for messages
    aws_shared_file file; ///< empty when the file does not exist

    /// The profile's section, or nullptr.
    const ini_section* profile() const noexcept { return file.find_profile(profile_name); }
    /// The `[services name]` section the profile's `services` property names, or nullptr.
    const ini_section* services() const noexcept;
};

/// Resolves the profile name and the config file path from `env`, then reads and parses the config file.
/// A missing or unreadable file gives an empty configuration (as the SDKs do); a malformed one is an error.
boost::system::result<shared_config>
load_shared_config(const env_lookup& env, std::string_view explicit_profile, std::string& message);

/// True for 1-63 characters of [a-z0-9-]: the region becomes a DNS label of the endpoint host.
bool is_valid_region(std::string_view region) noexcept;

/// The region: `explicit_region` if not empty, else AWS_REGION, else AWS_DEFAULT_REGION, else the profile's
/// `region`. The first source that is set decides; errc::invalid_region if it is not valid or if none is set.
boost::system::result<std::string> resolve_region(std::string_view explicit_region, const env_lookup& env,
                                                  const shared_config& config, std::string& message);

} // namespace dynalock::core

#endif
