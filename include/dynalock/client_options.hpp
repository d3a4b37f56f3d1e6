// Options of a client, as a value type with documented defaults.
#ifndef DYNALOCK_CLIENT_OPTIONS_HPP
#define DYNALOCK_CLIENT_OPTIONS_HPP

#include <dynalock/credentials.hpp>
#include <dynalock/logger.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

namespace dynalock {

/// Retries as the AWS SDKs' standard mode does, with DynamoDB's values (2026 update): full-jitter
/// exponential backoff, a per-client retry quota, and never a blind resend of a non-idempotent write.
struct retry_options {
    /// Attempts in total, the first included. 0: `AWS_MAX_ATTEMPTS` if set, else 4.
    std::uint32_t max_attempts = 0;
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

    /// A PEM file of CA certificates trusted in addition to the system store.
    std::string ca_file;
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
