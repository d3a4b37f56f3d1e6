// SPDX-License-Identifier: BSL-1.0
// STS AssumeRole and AssumeRoleWithWebIdentity, sans-io: the awsQuery form bodies, the checks STS would
// make anyway (so a typo costs no round trip and gets a precise message), the endpoint, and the reading
// of the XML reply, with the decision whether a failure may pass on a retry.
#ifndef DYNALOCK_CORE_CREDENTIALS_STS_HPP
#define DYNALOCK_CORE_CREDENTIALS_STS_HPP

#include <dynalock/error.hpp>

#include "core/aws_config.hpp"
#include "core/endpoint.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace dynalock::core::sts {

inline constexpr std::string_view api_version = "2011-06-15";
inline constexpr std::string_view content_type = "application/x-www-form-urlencoded; charset=utf-8";
/// The global endpoint, used when no region is configured, signed for us-east-1.
inline constexpr std::string_view global_endpoint = "https://sts.amazonaws.com";
inline constexpr std::string_view global_signing_region = "us-east-1";

/// application/x-www-form-urlencoded as botocore sends it (Python's urlencode): A-Z a-z 0-9 - _ . ~ as
/// they are, a space as `+`, every other byte as `%XX` (upper-case hex).
std::string form_encode(std::string_view value);

/// "dynalock-session-<seconds since the epoch>".
std::string default_session_name(std::chrono::system_clock::time_point now);

/// 2-64 characters of [A-Za-z0-9_+=,.@-]. Error: errc::invalid_argument; the message quotes the name.
error_code validate_session_name(std::string_view name, std::string& message);

/// An IAM role ARN as STS takes it: starts with "arn:", 20-2048 printable characters.
/// Error: errc::invalid_argument; the message quotes it (an ARN is not a secret).
error_code validate_role_arn(std::string_view arn, std::string& message);

/// 2-1224 characters of [A-Za-z0-9_+=,.@:/-]. Error: errc::invalid_argument; the message never quotes it.
error_code validate_external_id(std::string_view external_id, std::string& message);

/// 900 s to 43200 s (12 h), STS's bounds for both calls. Error: errc::invalid_argument.
error_code validate_duration(std::chrono::seconds duration, std::string& message);

struct web_identity_request {
    std::string role_arn;
    std::string role_session_name; ///< required here: the provider picks the default
    std::string web_identity_token;
    std::optional<std::chrono::seconds> duration;
};

struct assume_role_request {
    std::string role_arn;
    std::string role_session_name; ///< required here: the provider picks the default
    std::string external_id;       ///< empty: none
    std::optional<std::chrono::seconds> duration;
};

/// The form body of AssumeRoleWithWebIdentity, after checking every field (errc::invalid_argument; an
/// empty token too). The body holds the token: never log it.
boost::system::result<std::string> web_identity_body(const web_identity_request& req, std::string& message);

/// The form body of AssumeRole, after checking every field (errc::invalid_argument).
boost::system::result<std::string> assume_role_body(const assume_role_request& req, std::string& message);

/// The STS endpoint: core::resolve_endpoint with service key "sts" (AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL,
/// the `[services]` sts endpoint_url, the profile's endpoint_url), else https://sts.<region>.<suffix>;
/// with no region, a configured URL or else the global endpoint. signing_region is always set (us-east-1
/// when no region is known).
boost::system::result<endpoint> resolve_sts_endpoint(std::string_view explicit_url, std::string_view region,
                                                     const env_lookup& env, const shared_config& config,
                                                     std::string& message);

/// What a reply says.
struct reply_outcome {
    error_code ec;
    /// True when another attempt may succeed: IDPCommunicationError, throttling, 5xx.
    bool retryable = false;
    /// On error: "STS <Code>: <Message>" or what was malformed; never a secret.
    std::string message;
    credential_values creds;
};

/// Reads the reply to `action` ("AssumeRole", "AssumeRoleWithWebIdentity"): on 200,
/// <action>Response/<action>Result/Credentials/{AccessKeyId, SecretAccessKey, SessionToken, Expiration},
/// every one required (else errc::malformed_response); otherwise ErrorResponse/Error/{Code, Message}.
/// IDPCommunicationError, Throttling, RequestLimitExceeded and 5xx are retryable and reported as
/// errc::unexpected_status when they are the last word; every other STS error (InvalidIdentityToken,
/// AccessDenied, ExpiredTokenException, RegionDisabledException, ...) is errc::credentials_rejected.
/// Any text of `secrets` found in STS's message is replaced by "***" before it reaches `message`.
reply_outcome interpret_reply(std::string_view action, unsigned status, std::string_view body,
                              std::span<const std::string_view> secrets = {});

} // namespace dynalock::core::sts

#endif
