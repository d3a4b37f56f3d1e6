// SPDX-License-Identifier: BSL-1.0
// Options of a client, as a value type with documented defaults.
#ifndef DYNALOCK_CLIENT_OPTIONS_HPP
#define DYNALOCK_CLIENT_OPTIONS_HPP

#include <dynalock/credentials.hpp>
#include <dynalock/logger.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

namespace dynalock {

/// The AWS SDKs' retry modes.
enum class retry_mode {
    /// `AWS_RETRY_MODE`, else the profile's `retry_mode`, else standard. A value other than standard or
    /// adaptive (`legacy` included: this client does not implement it) fails every operation with
    /// errc::unsupported_configuration.
    from_config,
    /// Backoff with jitter and the retry quota.
    standard,
    /// Standard, plus a client-side rate limiter: after the first throttling reply every attempt waits
    /// for a token of a bucket whose rate follows the SDKs' CUBIC curve (cut on throttling, grown back on
    /// success), shared by all operations of the client. An attempt that would have to wait past the
    /// operation deadline fails with errc::operation_timeout.
    adaptive,
};

/// Retries as the AWS SDKs' standard mode does, with DynamoDB's values (2026 update): full-jitter
/// exponential backoff, a per-client retry quota, and never a blind resend of a non-idempotent write.
struct retry_options {
    /// Attempts in total, the first included. 0: `AWS_MAX_ATTEMPTS`, else the profile's `max_attempts`,
    /// else 4. A configured value that is not a whole number >= 1 is errc::unsupported_configuration.
    std::uint32_t max_attempts = 0;
    retry_mode mode = retry_mode::from_config;
    /// Backoff base after transient errors (5xx, timeouts, resets): retry i waits up to base * 2^(i-1).
    std::chrono::milliseconds transient_base{25};
    /// Backoff base after throttling errors.
    std::chrono::milliseconds throttling_base{1000};
    /// Upper bound of one backoff delay.
    std::chrono::milliseconds max_backoff{20000};
    /// Size of the retry quota (token bucket) shared by all operations of the client.
    std::uint32_t quota_capacity = 500;
};

struct client_options {
    /// AWS region. Empty: `AWS_REGION`, `AWS_DEFAULT_REGION`, then the profile's `region`.
    std::string region;
    /// Endpoint URL, e.g. "http://127.0.0.1:8000". Empty: `AWS_ENDPOINT_URL_DYNAMODB`, `AWS_ENDPOINT_URL`,
    /// the profile's endpoint_url, then https://dynamodb.<region>.amazonaws.com (and the other partitions).
    std::string endpoint;
    /// Shared config/credentials profile. Empty: `AWS_PROFILE`, then "default".
    std::string profile;
    /// Where credentials come from. Null: the default chain (make_default_credentials_provider), which
    /// finds them wherever the AWS SDKs do.
    std::shared_ptr<credentials_provider> credentials;
    /// Bounds one call of the credentials provider; the call is cancelled when it passes and the
    /// operations waiting for it fail with errc::credentials_timeout. Operations never wait for a
    /// refresh while the credentials they have are usable.
    std::chrono::milliseconds credentials_timeout{10000};

    /// A PEM file of CA certificates trusted in addition to the system store. Empty: `AWS_CA_BUNDLE`, else
    /// the profile's `ca_bundle`, else none.
    std::string ca_file;
    /// FIPS endpoints. nullopt: `AWS_USE_FIPS_ENDPOINT`, else the profile's `use_fips_endpoint`, else false.
    /// Together with a configured endpoint URL it is errc::invalid_endpoint.
    std::optional<bool> use_fips_endpoint;
    /// Dual-stack (IPv4 and IPv6) endpoints. nullopt: `AWS_USE_DUALSTACK_ENDPOINT`, else the profile's
    /// `use_dualstack_endpoint`, else false.
    std::optional<bool> use_dual_stack_endpoint;
    /// The HTTP proxy, as `http://[user:password@]host[:port]`. nullopt: `HTTPS_PROXY` for https endpoints
    /// and `HTTP_PROXY` for http ones (also their lower-case forms); an empty string: no proxy. NO_PROXY
    /// (or `no_proxy`) always applies. https goes through a CONNECT tunnel, verified end to end; proxy
    /// credentials are sent as `Proxy-Authorization: Basic` and never logged.
    std::optional<std::string> proxy;
    /// An application id appended to the User-Agent as `app/<id>` (1-50 letters, digits and
    /// !#$%&'*+-.^_`|~). Empty: `AWS_SDK_UA_APP_ID`, else the profile's `sdk_ua_app_id`, else none.
    /// Inside Lambda (AWS_LAMBDA_FUNCTION_NAME set), each request also carries `_X_AMZN_TRACE_ID` as
    /// X-Amzn-Trace-Id, as the SDKs do.
    std::string app_id;
    /// Plain http is refused for any host but loopback unless this is set.
    bool allow_insecure_http = false;

    /// Bounds one attempt: connect, TLS handshake, request and reply.
    std::chrono::milliseconds attempt_timeout{5000};
    /// Bounds a whole operation, all attempts and backoff included.
    std::chrono::milliseconds operation_timeout{30000};

    /// Open connections at most; further operations wait for one to be free.
    std::size_t max_connections = 64;
    /// Idle connections older than this are closed rather than reused (some servers, dynalite
    /// among them, close idle connections after 5 s).
    std::chrono::milliseconds idle_timeout{4000};
    /// Replies larger than this are refused (BatchGetItem can return 16 MB).
    std::size_t max_response_bytes = 17u * 1024 * 1024;

    retry_options retry;
    logger log;
};

} // namespace dynalock

#endif
