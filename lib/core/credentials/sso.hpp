// SPDX-License-Identifier: BSL-1.0
// IAM Identity Center (SSO), sans-io: the SSO settings of a profile, where `aws sso login` caches its token
// and how to read it, the GetRoleCredentials request to the portal and the reading of its reply.
#ifndef DYNALOCK_CORE_CREDENTIALS_SSO_HPP
#define DYNALOCK_CORE_CREDENTIALS_SSO_HPP

#include <dynalock/error.hpp>

#include "core/aws_config.hpp"
#include "core/endpoint.hpp"
#include "core/http_message.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace dynalock::core::sso {

/// What a profile says about its SSO login.
struct settings {
    std::string profile_name;
    std::string session_name; ///< the `sso_session` it names; empty for a legacy profile
    std::string start_url;
    std::string region;
    std::string account_id;
    std::string role_name;

    bool is_legacy() const noexcept { return session_name.empty(); }
};

/// The SSO settings of the selected profile: `sso_session` naming an `[sso-session NAME]` section that gives
/// `sso_start_url` and `sso_region` (the profile may repeat them, but not differently), or the legacy
/// `sso_start_url` and `sso_region` in the profile itself; plus `sso_account_id` and `sso_role_name`.
/// nullopt (and a message saying so) when the profile sets none of these keys; errc::invalid_credentials_file
/// naming the missing key, the missing section or the conflict otherwise.
boost::system::result<std::optional<settings>> settings_from_config(const shared_config& config,
                                                                    std::string& message);

/// The command that renews the token: "aws sso login --sso-session NAME" or "aws sso login --profile NAME".
std::string login_command(const settings& s);

/// Where `aws sso login` caches the token: ~/.aws/sso/cache/<hex SHA-1 of the session name, or of the start
/// URL for a legacy profile>.json.
std::string token_cache_path(const settings& s, const env_lookup& env);

/// The cached token.
struct token {
    std::string access_token;
    std::chrono::system_clock::time_point expires_at;
};

/// Reads the token cache file (`text`, from `path`; nullopt when it does not exist): `accessToken` and
/// `expiresAt` (ISO 8601; the CLI's older "...UTC" suffix too). Missing, unreadable or expired at `now`:
/// errc::sso_token_expired, the message telling the user which `aws sso login` to run. The message never
/// quotes the file.
boost::system::result<token> parse_token_cache(const std::optional<std::string>& text, std::string_view path,
                                               const settings& s, std::chrono::system_clock::time_point now,
                                               std::string& message);

/// The portal endpoint: core::resolve_endpoint with service key "sso" (AWS_ENDPOINT_URL_SSO,
/// AWS_ENDPOINT_URL, the `[services]` sso endpoint_url, ...), else https://portal.sso.<sso_region>.<suffix>.
boost::system::result<endpoint> resolve_portal_endpoint(const settings& s, const env_lookup& env,
                                                        const shared_config& config, std::string& message);

/// GET <endpoint path>/federation/credentials?account_id=..&role_name=.. with the token in
/// `x-amz-sso_bearer_token`. The request holds the token: never log it.
http_request get_role_credentials_request(const settings& s, const endpoint& ep,
                                          std::string_view access_token);

/// What a GetRoleCredentials reply says.
struct reply_outcome {
    error_code ec;
    bool retryable = false; ///< 5xx, 429 and TooManyRequestsException: another attempt may succeed
    std::string message;    ///< on error: what the portal said or what was malformed; never a secret
    credential_values creds;
};

/// Reads a reply: on 200, `{"roleCredentials": {"accessKeyId", "secretAccessKey", "sessionToken",
/// "expiration": <epoch ms>}}`, every field required (else errc::malformed_response). A 401, or an
/// UnauthorizedException, is errc::sso_token_expired (the message says which `aws sso login` to run);
/// 429 and 5xx are retryable and errc::unexpected_status when they are the last word; any other refusal
/// (ForbiddenException, ResourceNotFoundException, InvalidRequestException) is errc::credentials_rejected.
/// The portal's message is quoted with `access_token` blotted out.
reply_outcome interpret_reply(const settings& s, unsigned status, std::string_view error_type_header,
                              std::string_view body, std::string_view access_token);

} // namespace dynalock::core::sso

#endif
