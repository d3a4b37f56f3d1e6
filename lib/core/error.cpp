// SPDX-License-Identifier: BSL-1.0
// The two error categories of dynalock, the classification of every error code the client can meet,
// and the mapping from DynamoDB's sanitised `__type` to service_errc.
#include <dynalock/error.hpp>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>
#include <utility>

namespace dynalock {

namespace {

// Plain-words text of each code; nullptr for values that are not enumerators.
const char* client_message(errc e) noexcept {
    switch (e) {
    case errc::invalid_argument:
        return "invalid argument";
    case errc::invalid_table_name:
        return "invalid table name (3 to 255 characters of a-z, A-Z, 0-9, '_', '-', '.')";
    case errc::invalid_attribute_value:
        return "invalid attribute value";
    case errc::invalid_utf8:
        return "string is not valid UTF-8";
    case errc::empty_key:
        return "key attribute value is empty";
    case errc::key_too_large:
        return "key attribute value is too large";
    case errc::item_too_large:
        return "item is larger than DynamoDB's 400 KB limit";
    case errc::nesting_too_deep:
        return "lists and maps are nested more than 32 levels deep";
    case errc::too_many_items:
        return "too many items in one batch or transaction";
    case errc::invalid_endpoint:
        return "endpoint URL cannot be used";
    case errc::insecure_endpoint:
        return "plain http endpoint on a non-loopback host was not explicitly allowed";
    case errc::invalid_region:
        return "no region configured, or the region is invalid";
    case errc::no_credentials:
        return "no credentials found";
    case errc::invalid_credentials_file:
        return "shared config or credentials file could not be parsed";
    case errc::credentials_rejected:
        return "the credentials service refused the request";
    case errc::sso_token_expired:
        return "the SSO token has expired or is missing (run 'aws sso login')";
    case errc::credentials_process_failed:
        return "credential_process failed";
    case errc::credentials_timeout:
        return "the credentials provider did not answer in time";
    case errc::unsupported_configuration:
        return "the configuration names something this client does not support";
    case errc::connect_failed:
        return "could not connect to the endpoint";
    case errc::tls_handshake_failed:
        return "TLS handshake failed";
    case errc::attempt_timeout:
        return "attempt timed out";
    case errc::operation_timeout:
        return "operation deadline exceeded";
    case errc::connection_closed:
        return "connection closed before the reply was complete";
    case errc::malformed_response:
        return "reply could not be parsed";
    case errc::response_too_large:
        return "reply is larger than the response size limit";
    case errc::checksum_mismatch:
        return "reply body does not match its x-amz-crc32 checksum";
    case errc::unexpected_redirect:
        return "server answered with a redirect, which is never followed";
    case errc::unexpected_status:
        return "unexpected HTTP status without a DynamoDB error";
    case errc::outcome_unknown:
        return "write outcome unknown: it may or may not have been applied";
    case errc::retry_quota_exceeded:
        return "retry quota exhausted";
    case errc::client_stopped:
        return "client was stopped";
    case errc::key_not_found:
        return "key not found";
    case errc::key_exists:
        return "key already exists";
    case errc::version_mismatch:
        return "version mismatch";
    case errc::lock_not_acquired:
        return "lock is held by somebody else";
    case errc::lock_wait_timeout:
        return "timed out waiting for the lock";
    case errc::lease_stolen:
        return "lease was taken over by another owner";
    case errc::lease_expired:
        return "lease expired before it could be renewed";
    case errc::lease_released:
        return "lease was released";
    case errc::operation_in_progress:
        return "another operation of this object is already running";
    }
    return nullptr;
}

const char* service_message(service_errc e) noexcept {
    switch (e) {
    case service_errc::unknown:
        return "DynamoDB error of a type this client does not know";
    case service_errc::provisioned_throughput_exceeded:
        return "provisioned throughput exceeded";
    case service_errc::throttling:
        return "request throttled";
    case service_errc::request_limit_exceeded:
        return "account request limit exceeded";
    case service_errc::limit_exceeded:
        return "too many concurrent control-plane operations";
    case service_errc::transaction_in_progress:
        return "transaction with this client token is still in progress";
    case service_errc::internal_server_error:
        return "DynamoDB internal server error";
    case service_errc::service_unavailable:
        return "DynamoDB service unavailable";
    case service_errc::request_timeout:
        return "request timed out on the server";
    case service_errc::replicated_write_conflict:
        return "replicated write conflict";
    case service_errc::conditional_check_failed:
        return "conditional check failed";
    case service_errc::transaction_canceled:
        return "transaction canceled";
    case service_errc::transaction_conflict:
        return "transaction conflict";
    case service_errc::idempotent_parameter_mismatch:
        return "client token reused with different parameters";
    case service_errc::resource_not_found:
        return "table or index not found, or not active";
    case service_errc::resource_in_use:
        return "table is in use (exists, or is being created or deleted)";
    case service_errc::item_collection_size_limit_exceeded:
        return "item collection size limit exceeded";
    case service_errc::validation:
        return "request rejected by validation";
    case service_errc::serialization:
        return "request body could not be deserialised by the server";
    case service_errc::unknown_operation:
        return "unknown operation";
    case service_errc::access_denied:
        return "access denied";
    case service_errc::incomplete_signature:
        return "incomplete request signature";
    case service_errc::missing_authentication_token:
        return "missing authentication token";
    case service_errc::unrecognized_client:
        return "unrecognised access key or security token";
    case service_errc::expired_token:
        return "security token expired";
    case service_errc::invalid_signature:
        return "invalid request signature";
    }
    return nullptr;
}

// Copies `text` into the caller's buffer, truncated, always NUL-terminated.
const char* copy_message(const char* text, char* buffer, std::size_t len) noexcept {
    if (len == 0)
        return text;
    std::size_t n = std::min(std::strlen(text), len - 1);
    std::memcpy(buffer, text, n);
    buffer[n] = '\0';
    return buffer;
}

// error_category's destructor is protected and non-virtual by design (categories are never deleted
// through a base pointer); Boost's own categories get away with it only because they sit in system headers.
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor"
#endif

// The ids make the categories compare equal even when the library is loaded twice (Boost.System).
class client_category_impl final : public boost::system::error_category {
public:
    constexpr client_category_impl() noexcept : error_category(0x6479'6e61'6c6f'6301ULL) {}

    const char* name() const noexcept override { return "dynalock"; }
    std::string message(int ev) const override {
        const char* m = client_message(static_cast<errc>(ev));
        return m ? m : "unknown dynalock error " + std::to_string(ev);
    }
    const char* message(int ev, char* buffer, std::size_t len) const noexcept override {
        const char* m = client_message(static_cast<errc>(ev));
        return copy_message(m ? m : "unknown dynalock error", buffer, len);
    }
};

class service_category_impl final : public boost::system::error_category {
public:
    constexpr service_category_impl() noexcept : error_category(0x6479'6e61'6c6f'6302ULL) {}

    const char* name() const noexcept override { return "dynalock.service"; }
    std::string message(int ev) const override {
        const char* m = service_message(static_cast<service_errc>(ev));
        return m ? m : "unknown DynamoDB error " + std::to_string(ev);
    }
    const char* message(int ev, char* buffer, std::size_t len) const noexcept override {
        const char* m = service_message(static_cast<service_errc>(ev));
        return copy_message(m ? m : "unknown DynamoDB error", buffer, len);
    }
};

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

error_class classify_client(errc e) noexcept {
    switch (e) {
    // A fault on the way that may not happen again. A garbled reply is treated like a broken connection.
    case errc::connect_failed:
    case errc::attempt_timeout:
    case errc::connection_closed:
    case errc::malformed_response:
    case errc::checksum_mismatch:
        return error_class::transient;
    // Normal outcomes of the store and lock layers: the condition the caller asked for was false.
    case errc::key_not_found:
    case errc::key_exists:
    case errc::version_mismatch:
    case errc::lock_not_acquired:
        return error_class::condition_failed;
    // Everything else repeats on retry (bad input, certificates, size caps), or retrying is unsafe or
    // meaningless (deadline spent, outcome unknown, client stopped).
    default:
        return error_class::not_retryable;
    }
}

error_class classify_service(service_errc e) noexcept {
    switch (e) {
    case service_errc::provisioned_throughput_exceeded:
    case service_errc::throttling:
    case service_errc::request_limit_exceeded:
    case service_errc::limit_exceeded:
    case service_errc::transaction_in_progress:
        return error_class::throttling;
    case service_errc::internal_server_error:
    case service_errc::service_unavailable:
    case service_errc::request_timeout:
    case service_errc::replicated_write_conflict:
        return error_class::transient;
    case service_errc::conditional_check_failed:
    case service_errc::transaction_canceled:
    case service_errc::transaction_conflict:
        return error_class::condition_failed;
    default:
        return error_class::not_retryable;
    }
}

// errno values (after mapping to the generic category) that mean "the network failed this time".
error_class classify_errno(int ev) noexcept {
    switch (ev) {
    case ECONNRESET:
    case ECONNREFUSED:
    case ECONNABORTED:
    case ETIMEDOUT:
    case EPIPE:
    case ENETUNREACH:
    case ENETDOWN:
    case ENETRESET:
    case EHOSTUNREACH:
    case ENOTCONN:
        return error_class::transient;
    default: // ECANCELED (Asio's operation_aborted) included: a cancelled request is never retried
        return error_class::not_retryable;
    }
}

// The core must not include Asio or Beast, so their categories are recognised by name. The values used
// are the stable first enumerators of each enum (documented in the Asio and Beast headers).
error_class classify_by_category_name(std::string_view cat, int ev) noexcept {
    if (cat == "asio.misc") // 2 = eof: the peer closed the connection
        return ev == 2 ? error_class::transient : error_class::not_retryable;
    if (cat == "asio.netdb") // 2 = host_not_found_try_again; 1 = NXDOMAIN and the rest are final
        return ev == 2 ? error_class::transient : error_class::not_retryable;
    if (cat == "asio.ssl.stream") // 1 = stream_truncated: the connection ended without close_notify
        return ev == 1 ? error_class::transient : error_class::not_retryable;
    if (cat == "boost.beast") // 1 = timeout of a beast stream
        return ev == 1 ? error_class::transient : error_class::not_retryable;
    if (cat == "beast.http") // end_of_stream, partial_message, parse errors: a broken or garbled reply.
        return error_class::transient; // the transport maps size limits to errc::response_too_large
    return error_class::not_retryable;
}

struct type_entry {
    std::string_view type;
    service_errc code;
};

// Sorted by type for binary search (checked at compile time below).
constexpr std::array type_table{
    type_entry{"AccessDeniedException", service_errc::access_denied},
    type_entry{"BandwidthLimitExceeded", service_errc::throttling},
    type_entry{"ConditionalCheckFailedException", service_errc::conditional_check_failed},
    type_entry{"EC2ThrottledException", service_errc::throttling},
    type_entry{"ExpiredTokenException", service_errc::expired_token},
    type_entry{"IdempotentParameterMismatchException", service_errc::idempotent_parameter_mismatch},
    type_entry{"IncompleteSignatureException", service_errc::incomplete_signature},
    type_entry{"InternalFailure", service_errc::internal_server_error},
    type_entry{"InternalServerError", service_errc::internal_server_error},
    type_entry{"InvalidSignatureException", service_errc::invalid_signature},
    type_entry{"ItemCollectionSizeLimitExceededException", service_errc::item_collection_size_limit_exceeded},
    type_entry{"LimitExceededException", service_errc::limit_exceeded},
    type_entry{"MissingAuthenticationTokenException", service_errc::missing_authentication_token},
    type_entry{"PriorRequestNotComplete", service_errc::throttling},
    type_entry{"ProvisionedThroughputExceededException", service_errc::provisioned_throughput_exceeded},
    type_entry{"ReplicatedWriteConflictException", service_errc::replicated_write_conflict},
    type_entry{"RequestLimitExceeded", service_errc::request_limit_exceeded},
    type_entry{"RequestThrottled", service_errc::throttling},
    type_entry{"RequestThrottledException", service_errc::throttling},
    type_entry{"RequestTimeout", service_errc::request_timeout},
    type_entry{"RequestTimeoutException", service_errc::request_timeout},
    type_entry{"ResourceInUseException", service_errc::resource_in_use},
    type_entry{"ResourceNotFoundException", service_errc::resource_not_found},
    type_entry{"SerializationException", service_errc::serialization},
    type_entry{"ServiceUnavailable", service_errc::service_unavailable},
    type_entry{"ServiceUnavailableException", service_errc::service_unavailable},
    type_entry{"SlowDown", service_errc::throttling},
    type_entry{"ThrottledException", service_errc::throttling},
    type_entry{"Throttling", service_errc::throttling},
    type_entry{"ThrottlingException", service_errc::throttling},
    type_entry{"TooManyRequestsException", service_errc::throttling},
    type_entry{"TransactionCanceledException", service_errc::transaction_canceled},
    type_entry{"TransactionConflictException", service_errc::transaction_conflict},
    type_entry{"TransactionInProgressException", service_errc::transaction_in_progress},
    type_entry{"UnknownOperationException", service_errc::unknown_operation},
    type_entry{"UnrecognizedClientException", service_errc::unrecognized_client},
    type_entry{"ValidationException", service_errc::validation},
};

constexpr bool type_less(const type_entry& a, const type_entry& b) noexcept {
    return a.type < b.type;
}
static_assert(std::is_sorted(type_table.begin(), type_table.end(), type_less));

} // namespace

const boost::system::error_category& client_category() noexcept {
    static const client_category_impl instance;
    return instance;
}

const boost::system::error_category& service_category() noexcept {
    static const service_category_impl instance;
    return instance;
}

error_class classify(const error_code& ec) noexcept {
    if (!ec)
        return error_class::none;
    const auto& cat = ec.category();
    if (cat == client_category())
        return classify_client(static_cast<errc>(ec.value()));
    if (cat == service_category())
        return classify_service(static_cast<service_errc>(ec.value()));
    // System errors (what Asio reports on POSIX) map to the generic category's errno values.
    auto cond = ec.default_error_condition();
    if (cond.category() == boost::system::generic_category())
        return classify_errno(cond.value());
    return classify_by_category_name(cat.name(), ec.value());
}

service_errc service_errc_from_type(std::string_view type) noexcept {
    auto it = std::lower_bound(type_table.begin(), type_table.end(), type_entry{type, service_errc::unknown},
                               type_less);
    if (it != type_table.end() && it->type == type)
        return it->code;
    return service_errc::unknown;
}

} // namespace dynalock
