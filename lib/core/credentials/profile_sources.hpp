// SPDX-License-Identifier: BSL-1.0
// What a profile of the shared files says about credentials, decided as botocore decides it, sans-io: an
// assume-role profile (and the chain of source profiles behind it), web identity, SSO, credential_process
// or static keys. The result is a plan (where the first credentials come from, then the roles to assume in
// turn) that the Asio side turns into providers.
#ifndef DYNALOCK_CORE_CREDENTIALS_PROFILE_SOURCES_HPP
#define DYNALOCK_CORE_CREDENTIALS_PROFILE_SOURCES_HPP

#include "core/aws_config.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dynalock::core {

/// Both shared files as read for one call.
struct profile_files {
    shared_file_paths paths;
    std::optional<aws_shared_file> credentials; ///< nullopt: absent or unreadable
    std::optional<aws_shared_file> config;      ///< nullopt: absent or unreadable
    std::string notes; ///< "<path>: cannot be opened: ..." for an unreadable file, for "what was tried"
};

/// Reads and parses both files (paths from `env`). An absent or unreadable file is left out (an unreadable
/// one is mentioned in `notes`); a malformed one is errc::invalid_credentials_file naming file and line.
boost::system::result<profile_files> load_profile_files(const env_lookup& env, std::string& message);

/// The properties of a profile as botocore sees them: the config file's `[profile name]` (or `[default]`)
/// with the credentials file's `[name]` laid over it. nullopt when neither file has the profile.
std::optional<ini_section> merged_profile(const profile_files& files, std::string_view name);

/// Where the first credentials of a plan come from.
enum class source_kind {
    static_keys,       ///< keys of a profile (`keys`), from one file
    environment,       ///< credential_source = Environment
    instance_metadata, ///< credential_source = Ec2InstanceMetadata
    container,         ///< credential_source = EcsContainer
    web_identity,      ///< AssumeRoleWithWebIdentity (`role_arn`, `token_file`, `role_session_name`)
    sso,               ///< the SSO settings of `profile` (another provider reads them)
    process,           ///< credential_process (`command`)
};

struct base_source {
    source_kind kind = source_kind::static_keys;
    std::string profile; ///< the profile that configures it ("" for the environment's web identity)
    std::string
        origin; ///< for messages: "profile 'dev' in /home/me/.aws/config", "AWS_WEB_IDENTITY_TOKEN_FILE"
    credential_values keys;
    std::string role_arn;
    std::string token_file;
    std::string role_session_name; ///< web identity; empty: AWS_ROLE_SESSION_NAME or the default
    std::string command;
};

/// One AssumeRole call, signed by the credentials of the step before it.
struct role_step {
    std::string profile; ///< the profile that names the role
    std::string role_arn;
    std::string role_session_name; ///< empty: the default name
    std::string external_id;       ///< empty: none
    std::optional<std::chrono::seconds> duration;
};

struct credential_plan {
    std::string profile; ///< the profile the plan is for (resolved: explicit, AWS_PROFILE, ..., "default")
    /// Where the first credentials come from; nullopt when the profile configures nothing (see `tried`).
    std::optional<base_source> base;
    /// Roles assumed in turn, innermost first: profile A whose source_profile B is a role whose
    /// source_profile C has keys gives base = C's keys, roles = {B's role, A's role}.
    std::vector<role_step> roles;
    /// When `base` is nullopt: what was looked at and why it did not apply (no secret).
    std::string tried;
};

/// The plan for the profile `explicit_profile` (empty: AWS_PROFILE, AWS_DEFAULT_PROFILE, "default"), in
/// botocore's order of the default chain after the environment: an assume-role profile (`role_arn` with
/// `source_profile` or `credential_source`, unless it has `web_identity_token_file`); web identity
/// (AWS_WEB_IDENTITY_TOKEN_FILE, AWS_ROLE_ARN and AWS_ROLE_SESSION_NAME, each else the profile's
/// `web_identity_token_file`, `role_arn`, `role_session_name`); SSO (`sso_session` or `sso_start_url`);
/// keys in the credentials file; `credential_process`; keys in the config file.
///
/// A source profile is resolved as botocore's `_resolve_credentials_from_profile`: static keys win over
/// its own `role_arn`; otherwise a `role_arn` is assumed in turn (a chain of roles); otherwise its web
/// identity, SSO, keys or credential_process (never the environment). A profile may name itself as its
/// source when it has static keys; any other cycle is an error listing the profiles.
///
/// Errors (all final: the profile is configured but wrong): errc::invalid_credentials_file for both or
/// neither of source_profile and credential_source, a missing source profile or one without credentials,
/// a cycle, a malformed role_arn, role_session_name, external_id or duration_seconds, half a key pair, or a
/// named profile (explicit or from AWS_PROFILE) that neither file has; errc::unsupported_configuration for
/// an unknown credential_source or for mfa_serial (this client cannot prompt for a code);
/// errc::invalid_argument for AWS_WEB_IDENTITY_TOKEN_FILE without a role ARN.
boost::system::result<credential_plan> plan_profile_credentials(const profile_files& files,
                                                                std::string_view explicit_profile,
                                                                const env_lookup& env, std::string& message);

} // namespace dynalock::core

#endif
