// SPDX-License-Identifier: BSL-1.0
// Error codes of dynalock.
//
// Two categories of our own:
//  - errc: conditions the client detects itself (bad input, transport faults, outcome unknown).
//  - service_errc: the error types DynamoDB returns in `__type`, sanitised.
// Every code is classified (throttling, transient, condition failed, not retryable) so callers and
// the retry loop decide without string matching.
#ifndef DYNALOCK_ERROR_HPP
#define DYNALOCK_ERROR_HPP

#include <boost/system/error_code.hpp>

#include <string_view>
#include <type_traits>

namespace dynalock {

using boost::system::error_code;

/// Errors the client detects itself.
enum class errc {
    // Invalid input, detected before any request is sent.
    invalid_argument = 1,     ///< a request or option is malformed (the diagnostics say which field)
    invalid_table_name,       ///< table name is not 3-255 characters of [a-zA-Z0-9_.-]
    invalid_attribute_value,  ///< an AttributeValue breaks DynamoDB's rules (empty set, bad number, ...)
    invalid_utf8,             ///< a string is not valid UTF-8
    empty_key,                ///< a key attribute value is empty
    key_too_large,            ///< a partition key over 2048 bytes or a sort key over 1024 bytes
    item_too_large,           ///< an item over DynamoDB's 400 KB limit
    nesting_too_deep,         ///< lists and maps nested deeper than 32 levels
    too_many_items,           ///< a batch or transaction over its item-count limit
    invalid_endpoint,         ///< the endpoint URL cannot be used (syntax, scheme, userinfo)
    insecure_endpoint,        ///< plain http to a non-loopback host without the explicit opt-in
    invalid_region,           ///< no region configured, or a region that is not [a-z0-9-]+
    no_credentials,           ///< no credentials provider found any credentials
    invalid_credentials_file, ///< a shared config/credentials file could not be parsed
    credentials_rejected,     ///< a credentials service refused (STS AccessDenied, a bad web identity token)
    sso_token_expired,        ///< the cached SSO token has expired or is missing: run `aws sso login`
    credentials_process_failed, ///< `credential_process` failed: exit status, bad output or too slow
    credentials_timeout,      ///< a credentials provider did not answer within its deadline
    unsupported_configuration, ///< a setting names something this client does not support

    // Transport and protocol faults.
    connect_failed = 100, ///< could not connect to any endpoint address
    tls_handshake_failed, ///< TLS handshake failed (certificate not trusted, host name mismatch, ...)
    attempt_timeout,      ///< one attempt took longer than the per-attempt timeout
    operation_timeout,    ///< the whole operation (all attempts) ran past its deadline
    connection_closed,    ///< the server closed the connection before the reply was complete
    malformed_response,   ///< the HTTP reply or its JSON body could not be parsed
    response_too_large,   ///< the reply exceeded the response size cap
    checksum_mismatch,    ///< the x-amz-crc32 header does not match the body
    unexpected_redirect,  ///< the server answered with a 3xx; redirects are never followed
    unexpected_status,    ///< an HTTP status with no DynamoDB error body

    // Outcomes.
    outcome_unknown = 200, ///< a non-idempotent write may or may not have been applied
    retry_quota_exceeded,  ///< retries stopped because the client's retry quota is empty
    client_stopped,        ///< the client was shut down

    // Store and lock results (used by the Store and Locker layers).
    key_not_found = 300,   ///< the key does not exist (or has expired)
    key_exists,            ///< create-if-absent found an existing key
    version_mismatch,      ///< compare-and-swap/delete found another version
    lock_not_acquired,     ///< try_lock: somebody else holds the lock
    lock_wait_timeout,     ///< lock: the maximum wait ran out
    lease_stolen,          ///< the lease was taken over by another owner
    lease_expired,         ///< the lease could not be renewed in time
    lease_released,        ///< the lease was released by its holder
    operation_in_progress, ///< another operation of this object is already running
};

/// Error types returned by DynamoDB (the `__type` of an error reply after sanitising).
enum class service_errc {
    unknown = 1, ///< a type this client does not know; the raw type is in the diagnostics
    // throttling
    provisioned_throughput_exceeded,
    throttling,
    request_limit_exceeded,
    limit_exceeded,
    transaction_in_progress,
    // transient
    internal_server_error,
    service_unavailable,
    request_timeout,
    replicated_write_conflict,
    // condition failures
    conditional_check_failed,
    transaction_canceled,
    transaction_conflict,
    // not retryable
    idempotent_parameter_mismatch,
    resource_not_found,
    resource_in_use,
    item_collection_size_limit_exceeded,
    validation,
    serialization,
    unknown_operation,
    access_denied,
    incomplete_signature,
    missing_authentication_token,
    unrecognized_client,
    expired_token,
    invalid_signature,
};

const boost::system::error_category& client_category() noexcept;
const boost::system::error_category& service_category() noexcept;

inline error_code make_error_code(errc e) noexcept {
    return {static_cast<int>(e), client_category()};
}
inline error_code make_error_code(service_errc e) noexcept {
    return {static_cast<int>(e), service_category()};
}

/// How an error should be handled.
enum class error_class {
    none,             ///< no error
    throttling,       ///< the service asked us to slow down: retry with the throttling backoff
    transient,        ///< a fault that may pass: retry (if the request is idempotent)
    condition_failed, ///< a condition was false: a normal outcome, never retried
    not_retryable,    ///< retrying cannot help
};

/// Classifies any error code: ours, the service's, and Asio/Beast/system network errors.
error_class classify(const error_code& ec) noexcept;

/// True for throttling and transient errors.
inline bool is_retryable(const error_code& ec) noexcept {
    auto c = classify(ec);
    return c == error_class::throttling || c == error_class::transient;
}
inline bool is_throttling(const error_code& ec) noexcept {
    return classify(ec) == error_class::throttling;
}
inline bool is_condition_failure(const error_code& ec) noexcept {
    return classify(ec) == error_class::condition_failed;
}

/// Maps a sanitised DynamoDB error type ("ConditionalCheckFailedException") to its code.
/// Unknown types give service_errc::unknown.
service_errc service_errc_from_type(std::string_view type) noexcept;

} // namespace dynalock

template <>
struct boost::system::is_error_code_enum<dynalock::errc> : std::true_type {};
template <>
struct boost::system::is_error_code_enum<dynalock::service_errc> : std::true_type {};

#endif
