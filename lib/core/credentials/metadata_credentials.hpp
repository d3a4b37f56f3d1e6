// SPDX-License-Identifier: BSL-1.0
// Container credentials (ECS task roles, EKS Pod Identity) and the EC2 instance metadata service (IMDSv2),
// sans-io: where the service is (from the environment and the config file, with the host rules that keep
// plain-http credentials on the machine), the authorization token, the requests, and the reading of the
// replies with the decision whether a failure may pass on another attempt.
#ifndef DYNALOCK_CORE_CREDENTIALS_METADATA_CREDENTIALS_HPP
#define DYNALOCK_CORE_CREDENTIALS_METADATA_CREDENTIALS_HPP

#include <dynalock/error.hpp>

#include "core/aws_config.hpp"
#include "core/endpoint.hpp"
#include "core/http_message.hpp"

#include <boost/system/result.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace dynalock::core::metadata {

/// What a credentials document says.
struct document {
    credential_values creds;
    std::string account_id; ///< `AccountId`, when the service gives it
};

/// Parses the credentials JSON of the container endpoint or of IMDS: `AccessKeyId` and `SecretAccessKey`
/// (required), `Token`, `Expiration` (ISO 8601), `AccountId`. A `Code` other than "Success" is
/// errc::credentials_rejected quoting Code and Message; anything else that is not credentials is
/// errc::malformed_response. `source` names the service in messages. Messages never quote a secret: the
/// service's Code and Message are quoted with `blot` (a token we sent) blotted out.
boost::system::result<document> parse_credentials_document(std::string_view body, std::string_view source,
                                                           std::string& message, std::string_view blot = {});

/// What one reply means for the provider.
struct reply_outcome {
    error_code ec;
    bool retryable = false; ///< 5xx and 429: another attempt may succeed
    std::string message;    ///< on error: what the service said or what was malformed; never a secret
    document doc;
};

// ---- Container credentials ------------------------------------------------------------------------

inline constexpr std::string_view container_host = "169.254.170.2";
inline constexpr std::string_view relative_uri_variable = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI";
inline constexpr std::string_view full_uri_variable = "AWS_CONTAINER_CREDENTIALS_FULL_URI";
inline constexpr std::string_view token_variable = "AWS_CONTAINER_AUTHORIZATION_TOKEN";
inline constexpr std::string_view token_file_variable = "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE";

struct container_endpoint {
    endpoint ep;        ///< target = the URI's path
    std::string source; ///< "container credentials http://169.254.170.2 (AWS_CONTAINER_CREDENTIALS_...)"
};

/// True when plain http may carry credentials to `ep`: a loopback address (127.0.0.0/8, ::1), localhost,
/// 169.254.170.2 (ECS), 169.254.170.23 or fd00:ec2::23 (EKS Pod Identity).
bool is_allowed_container_host(const endpoint& ep) noexcept;

/// AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (a path, on http://169.254.170.2), else
/// AWS_CONTAINER_CREDENTIALS_FULL_URI (http to an allowed host, or https anywhere). nullopt (and a message
/// saying so) when neither is set. errc::unsupported_configuration, saying exactly why, for a URI that is
/// malformed, has user information, a query or a fragment, a scheme other than http/https, or plain http
/// to another host. The message never quotes the URI's path (it identifies the task's credentials).
boost::system::result<std::optional<container_endpoint>> resolve_container_endpoint(const env_lookup& env,
                                                                                    std::string& message);

/// Reads a whole small file: nullopt when it does not exist; an error (with a message) when it cannot be
/// read. core::read_aws_shared_file fits; tests inject their own.
using file_reader = std::function<boost::system::result<std::optional<std::string>>(const std::string& path,
                                                                                    std::string& message)>;

/// The Authorization value: the contents of the file AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE names, read
/// at every call (trailing whitespace, such as a final newline, removed), which wins over
/// AWS_CONTAINER_AUTHORIZATION_TOKEN. nullopt when neither is set. A missing, unreadable or empty file is
/// errc::invalid_credentials_file naming it; a token with CR or LF (header injection) is
/// errc::invalid_argument. The message never quotes the token.
boost::system::result<std::optional<std::string>>
container_authorization_token(const env_lookup& env, const file_reader& read_file, std::string& message);

/// GET <target> with `Accept: application/json` and, when there is a token, `Authorization: <token>`. The
/// request holds the token: never log it.
http_request container_request(const container_endpoint& ep, const std::optional<std::string>& token);

/// Reads a reply: 200 is a credentials document; 5xx and 429 are retryable (errc::unexpected_status when
/// they are the last word); any other 4xx is errc::credentials_rejected (401/403: the token was refused);
/// anything else errc::unexpected_status. The service's message is quoted with `token` blotted out.
reply_outcome interpret_container_reply(const container_endpoint& ep, unsigned status, std::string_view body,
                                        std::string_view token);

// ---- EC2 instance metadata (IMDSv2) -----------------------------------------------------------------

inline constexpr std::string_view imds_ipv4_endpoint = "http://169.254.169.254";
inline constexpr std::string_view imds_ipv6_endpoint = "http://[fd00:ec2::254]";
inline constexpr std::string_view token_path = "/latest/api/token";
inline constexpr std::string_view roles_path = "/latest/meta-data/iam/security-credentials/";
inline constexpr std::string_view region_path = "/latest/meta-data/placement/region";
inline constexpr std::string_view token_ttl_header = "x-aws-ec2-metadata-token-ttl-seconds";
inline constexpr std::string_view token_header = "x-aws-ec2-metadata-token";
/// The TTL asked for (6 h, the SDKs' value).
inline constexpr std::chrono::seconds token_ttl{21600};

struct imds_settings {
    bool disabled = false; ///< AWS_EC2_METADATA_DISABLED=true
    endpoint ep;           ///< the service; ep.target is the base path ("/" normally)
    std::string base_url;  ///< for messages: "http://169.254.169.254"
    std::string origin; ///< where the endpoint came from: "the default", "AWS_EC2_METADATA_SERVICE_ENDPOINT"
    std::optional<std::chrono::milliseconds>
        timeout;                      ///< AWS_METADATA_SERVICE_TIMEOUT / metadata_service_timeout
    std::optional<unsigned> attempts; ///< AWS_METADATA_SERVICE_NUM_ATTEMPTS / metadata_service_num_attempts
    bool v1_disabled = false;         ///< AWS_EC2_METADATA_V1_DISABLED / ec2_metadata_v1_disabled
};

/// Resolves the IMDS settings. The endpoint: AWS_EC2_METADATA_SERVICE_ENDPOINT, else the profile's
/// `ec2_metadata_service_endpoint`, else by the mode (AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE, else
/// `ec2_metadata_service_endpoint_mode`; IPv4 or IPv6 in any case) http://169.254.169.254 or
/// http://[fd00:ec2::254]. The timeout is a number of seconds (fractions allowed, > 0, at most 3600), the
/// attempts a whole number 1-10. Anything else that is set is errc::unsupported_configuration saying
/// which setting and why. When disabled, nothing else is checked.
boost::system::result<imds_settings> resolve_imds_settings(const env_lookup& env, const shared_config& config,
                                                           std::string& message);

/// PUT <base>/latest/api/token with `x-aws-ec2-metadata-token-ttl-seconds: 21600`.
http_request imds_token_request(const imds_settings& s);

/// GET <base><path> with `x-aws-ec2-metadata-token: <token>` (no header when `token` is empty: IMDSv1).
http_request imds_get_request(const imds_settings& s, std::string_view path, std::string_view token);

/// <roles_path><role>.
std::string role_credentials_path(std::string_view role);

/// What the token PUT's reply means.
struct token_outcome {
    enum class kind {
        token,   ///< `token` holds it, valid for `ttl`
        retry,   ///< 5xx, 429 or an unusable 200: another attempt may succeed
        v1_only, ///< 403, 404 or 405: this service has no IMDSv2
        error,   ///< 400 or anything else: final
    } what = kind::error;
    std::string token;
    std::chrono::seconds ttl{token_ttl};
    error_code ec;
    std::string message; ///< on anything but `token`; never the token
};
token_outcome interpret_token_reply(const imds_settings& s, unsigned status, std::string_view ttl_header,
                                    std::string_view body);

/// The role name of a role-list reply body: its first line, trimmed, 1-64 characters of [A-Za-z0-9+=,.@_-].
/// errc::malformed_response otherwise.
boost::system::result<std::string> parse_role_name(const imds_settings& s, std::string_view body,
                                                   std::string& message);

/// A region reply body (trimmed) checked with is_valid_region. errc::malformed_response otherwise.
boost::system::result<std::string> parse_region(const imds_settings& s, std::string_view body,
                                                std::string& message);

/// Reads the status of a metadata GET for `what` ("the role list", "the credentials of role 'x'"): 200 leaves
/// the body to the caller (ec empty); 5xx and 429 are retryable (errc::unexpected_status when last); with
/// `is_role_list`, 404 is errc::no_credentials (the instance has no instance profile); 401 is
/// errc::credentials_rejected (the token expired or was refused: the caller gets a new one and retries once);
/// other statuses errc::unexpected_status.
reply_outcome interpret_get_reply(const imds_settings& s, std::string_view what, unsigned status,
                                  bool is_role_list);

} // namespace dynalock::core::metadata

#endif
