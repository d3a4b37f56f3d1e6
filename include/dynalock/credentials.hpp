// SPDX-License-Identifier: BSL-1.0
// AWS credentials and the providers that find them.
//
// A client asks its provider through one credentials cache (see docs/client.md): one refresh at a time
// for all operations, started in the background before the credentials expire, bounded by a deadline.
// The built-in providers cover the AWS SDKs' default chain: the environment, assume-role and web-identity
// profiles, SSO, the shared files, `credential_process`, container credentials (ECS, EKS Pod Identity)
// and the EC2 instance metadata service (IMDSv2).
#ifndef DYNALOCK_CREDENTIALS_HPP
#define DYNALOCK_CREDENTIALS_HPP

#include <dynalock/error.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dynalock {

/// One consistent set of AWS credentials.
///
/// Deliberately not printable (no operator<<): the secret key and the session token must never reach a log.
struct credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;                                       ///< empty for long-term credentials
    std::optional<std::chrono::system_clock::time_point> expiration; ///< nullopt: they do not expire
};

/// Where providers read environment variables from: returns the value of a variable, or nullopt when it
/// is not set. An empty function means the process environment. Tests and embedders inject their own.
using environment_lookup = std::function<std::optional<std::string>(std::string_view name)>;

/// A source of credentials.
class credentials_provider {
public:
    virtual ~credentials_provider();

    /// Gets credentials and completes with `(error_code, credentials)`.
    ///
    /// The handler is never invoked from inside this call: it is posted to its associated executor
    /// (by default `ex`). Errors: errc::no_credentials when this provider has nothing to offer (a chain
    /// then tries the next provider); any other error (errc::invalid_credentials_file,
    /// errc::invalid_argument, errc::credentials_rejected, a network error) is final.
    ///
    /// Cancellation: the built-in providers that do I/O (web identity, assume role, SSO, container,
    /// instance metadata, credential_process) honour terminal cancellation through the handler's
    /// associated cancellation slot and then complete with asio::error::operation_aborted; the synchronous
    /// ones complete at once anyway. The client's credentials cache bounds every call by a deadline
    /// whether or not a provider honours cancellation.
    virtual void
    async_get_credentials(boost::asio::any_io_executor ex,
                          boost::asio::any_completion_handler<void(error_code, credentials)> handler) = 0;

    /// A human-readable explanation of the latest failure (what was tried, which file and line was
    /// malformed), for diagnostics::client_message; empty when unknown. It never contains a secret key
    /// or a session token.
    virtual std::string last_error_message() const;
};

/// A provider whose work is a quick synchronous load (environment, small files): async_get_credentials
/// calls load() and posts the result.
class sync_credentials_provider : public credentials_provider {
public:
    void async_get_credentials(
        boost::asio::any_io_executor ex,
        boost::asio::any_completion_handler<void(error_code, credentials)> handler) override;
    std::string last_error_message() const override;

protected:
    /// Loads the credentials. On failure, `message` says why (never quoting a secret).
    virtual boost::system::result<credentials> load(std::string& message) = 0;

private:
    mutable std::mutex mutex_;
    std::string last_error_message_;
};

/// Always the same credentials. Empty key id or secret: errc::no_credentials.
std::shared_ptr<credentials_provider> make_static_credentials_provider(credentials creds);

/// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (both required), AWS_SESSION_TOKEN (or the legacy
/// AWS_SECURITY_TOKEN) and AWS_CREDENTIAL_EXPIRATION (ISO 8601), read at every call.
/// Neither key set: errc::no_credentials; only one of them, or a malformed expiration:
/// errc::invalid_argument.
std::shared_ptr<credentials_provider> make_environment_credentials_provider(environment_lookup env = {});

/// `aws_access_key_id`, `aws_secret_access_key` and `aws_session_token` of a profile, from the shared
/// credentials file (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials) or else the shared config
/// file (AWS_CONFIG_FILE, default ~/.aws/config); the files are read at every call. An empty `profile`
/// means AWS_PROFILE, then AWS_DEFAULT_PROFILE, then "default".
/// Only a profile's static keys: see make_default_credentials_provider for the rest of what a profile
/// can say (roles, web identity, SSO, credential_process).
/// Errors: errc::no_credentials when neither file has keys for the profile; errc::invalid_credentials_file
/// when a file is malformed (the message names the file and the line) or a profile has only one of the keys.
std::shared_ptr<credentials_provider> make_profile_credentials_provider(std::string profile = "",
                                                                        environment_lookup env = {});

/// Asks each provider in turn; the first that yields credentials wins. A provider failing with
/// errc::no_credentials passes to the next one; any other error ends the search. When all are exhausted:
/// errc::no_credentials, and last_error_message() lists what each provider tried.
std::shared_ptr<credentials_provider>
make_chain_credentials_provider(std::vector<std::shared_ptr<credentials_provider>> providers);

/// The default chain, in botocore's order: the environment; an assume-role profile (`role_arn` with
/// `source_profile` or `credential_source`); web identity (the environment's AWS_WEB_IDENTITY_TOKEN_FILE
/// and AWS_ROLE_ARN, or the profile's `web_identity_token_file` and `role_arn`); SSO; the profile's keys in
/// the shared credentials file; the profile's `credential_process`; its keys in the shared config file;
/// container credentials; the EC2 instance metadata service. When `profile` is given explicitly the
/// environment is skipped (as botocore does: an explicit profile is a request for that profile's
/// credentials). A source that is configured but fails ends the search with its error; one that is not
/// configured passes to the next, and when none applies the message lists what each one tried.
std::shared_ptr<credentials_provider> make_default_credentials_provider(std::string profile = "",
                                                                        environment_lookup env = {});

/// Time limits of a provider that asks a service over HTTP.
struct credentials_http_options {
    /// Bounds connecting to the service (per address tried).
    std::chrono::milliseconds connect_timeout{1000};
    /// Bounds one request and its reply, connecting included.
    std::chrono::milliseconds attempt_timeout{1000};
    /// Attempts in total for answers that may pass (timeouts, 5xx, refused connections).
    unsigned max_attempts = 1;
};

/// STS AssumeRoleWithWebIdentity (EKS IRSA and every OIDC federation): reads the token file afresh at each
/// call and exchanges it, unsigned, for temporary credentials.
struct web_identity_options {
    std::string role_arn;          ///< empty: AWS_ROLE_ARN
    std::string token_file;        ///< empty: AWS_WEB_IDENTITY_TOKEN_FILE
    std::string role_session_name; ///< empty: AWS_ROLE_SESSION_NAME, else "dynalock-session-<epoch s>"
    std::optional<std::chrono::seconds> duration; ///< nullopt: the role's default (1 h)
    /// The STS region. Empty: AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`; none: the global
    /// endpoint https://sts.amazonaws.com.
    std::string region;
    /// The STS endpoint URL. Empty: AWS_ENDPOINT_URL_STS, AWS_ENDPOINT_URL, the `[services]` sts
    /// endpoint_url, then https://sts.<region>.amazonaws.com (the same precedence as DynamoDB's).
    std::string sts_endpoint;
    std::string profile; ///< the profile whose config the region and endpoint come from (empty: AWS_PROFILE)
    std::string ca_file; ///< extra CA certificates (PEM); empty: AWS_CA_BUNDLE, the profile's ca_bundle
    credentials_http_options http{std::chrono::milliseconds(3000), std::chrono::milliseconds(5000), 3};
};

/// Web identity. Errors: errc::no_credentials when neither the token file nor the role is configured;
/// errc::invalid_argument when only one of them is; errc::invalid_credentials_file when the token file
/// cannot be read (the message names it); errc::credentials_rejected when STS refuses (its error code and
/// message are in last_error_message()); network errors and errc::attempt_timeout as they come. STS's
/// IDPCommunicationError and 5xx replies are retried within `http.max_attempts`.
std::shared_ptr<credentials_provider>
make_web_identity_credentials_provider(web_identity_options options = {}, environment_lookup env = {});

/// STS AssumeRole, signed with SigV4 by the credentials of `source`.
struct assume_role_options {
    std::string role_arn;                         ///< required
    std::string role_session_name;                ///< empty: "dynalock-session-<epoch s>"
    std::string external_id;                      ///< empty: none
    std::optional<std::chrono::seconds> duration; ///< nullopt: the role's default (1 h)
    std::string region;                           ///< as in web_identity_options
    std::string sts_endpoint;                     ///< as in web_identity_options
    std::string profile;                          ///< as in web_identity_options
    std::string ca_file;                          ///< as in web_identity_options
    credentials_http_options http{std::chrono::milliseconds(3000), std::chrono::milliseconds(5000), 3};
};

/// Assume role. Errors: those of `source`, errc::invalid_argument for an empty role_arn,
/// errc::credentials_rejected when STS refuses, network errors.
std::shared_ptr<credentials_provider> make_assume_role_credentials_provider(
    assume_role_options options, std::shared_ptr<credentials_provider> source, environment_lookup env = {});

/// `credential_process`: runs a command (split like a POSIX shell's words, but never run by a shell) and
/// reads the JSON it prints (`Version: 1`, AccessKeyId, SecretAccessKey, SessionToken, Expiration).
struct process_options {
    std::chrono::milliseconds timeout{60000}; ///< the command is killed (SIGKILL) after this long
    std::size_t max_output_bytes = 64 * 1024; ///< more on stdout is an error
};

/// Errors: errc::invalid_argument for an empty or unbalanced command line;
/// errc::credentials_process_failed when the command cannot be started, exits non-zero (its stderr, cut
/// to 1 KiB, is in last_error_message()), prints something that is not Version 1 JSON with both keys, or
/// runs past the timeout. The printed secret never reaches a message.
std::shared_ptr<credentials_provider> make_process_credentials_provider(std::string command_line,
                                                                        process_options options = {});

/// IAM Identity Center (SSO): the token `aws sso login` cached in ~/.aws/sso/cache, exchanged for role
/// credentials with GetRoleCredentials. The profile says `sso_session` (with an `[sso-session]` section
/// giving `sso_start_url` and `sso_region`) or the legacy `sso_start_url` and `sso_region`, plus
/// `sso_account_id` and `sso_role_name`. The portal endpoint follows AWS_ENDPOINT_URL_SSO and the
/// `[services]` sso endpoint_url. An empty `profile` means AWS_PROFILE, AWS_DEFAULT_PROFILE, "default".
/// Errors: errc::no_credentials when the profile has no SSO settings; errc::invalid_credentials_file when
/// they are incomplete; errc::sso_token_expired when the cached token is missing or expired (the message
/// says to run `aws sso login`); errc::credentials_rejected when the portal refuses the token.
std::shared_ptr<credentials_provider> make_sso_credentials_provider(std::string profile = "",
                                                                    environment_lookup env = {});

/// Container credentials (ECS task roles, EKS Pod Identity): AWS_CONTAINER_CREDENTIALS_RELATIVE_URI on
/// http://169.254.170.2, else AWS_CONTAINER_CREDENTIALS_FULL_URI (plain http only to loopback,
/// 169.254.170.2, 169.254.170.23 or fd00:ec2::23; https anywhere), with the Authorization token from
/// AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (read at each call) or AWS_CONTAINER_AUTHORIZATION_TOKEN.
/// Never through a proxy. Errors: errc::no_credentials when neither URI is set;
/// errc::unsupported_configuration for a FULL_URI host outside those allowed; errc::invalid_argument for a
/// token with CR or LF; errc::credentials_rejected for 4xx replies; errc::malformed_response.
std::shared_ptr<credentials_provider> make_container_credentials_provider(
    credentials_http_options http = {std::chrono::milliseconds(2000), std::chrono::milliseconds(2000), 3},
    environment_lookup env = {});

/// EC2 instance metadata (IMDSv2): PUT /latest/api/token (TTL 6 h, reused until near its end), then the
/// role name and its credentials. AWS_EC2_METADATA_DISABLED=true turns it off;
/// AWS_EC2_METADATA_SERVICE_ENDPOINT / `ec2_metadata_service_endpoint` and ..._ENDPOINT_MODE=IPv4|IPv6
/// choose the service (default http://169.254.169.254, or http://[fd00:ec2::254]). Never through a proxy.
struct instance_metadata_options {
    credentials_http_options http{}; ///< 1 s, 1 attempt (AWS_METADATA_SERVICE_TIMEOUT / _NUM_ATTEMPTS)
    /// Fall back to IMDSv1 (no token) when the token request is refused with 403/404/405. Off by default:
    /// IMDSv1 is what SSRF attacks steal credentials from.
    bool allow_imds_v1 = false;
};

/// Errors: errc::no_credentials when disabled or when no service answers (not on EC2: the chain moves on,
/// and the message says what was tried); errc::unsupported_configuration for a bad endpoint or mode;
/// errc::malformed_response when the service answers with something that is not credentials.
std::shared_ptr<credentials_provider>
make_instance_metadata_credentials_provider(instance_metadata_options options = {},
                                            environment_lookup env = {});

} // namespace dynalock

#endif
