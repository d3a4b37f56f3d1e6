// SPDX-License-Identifier: BSL-1.0
// The classification table of every error code, the categories, and the type -> service_errc mapping.
#include <dynalock/error.hpp>

#include <gtest/gtest.h>

#include <cerrno>
#include <string>
#include <utility>
#include <vector>

namespace {

using dynalock::classify;
using dynalock::errc;
using dynalock::error_class;
using dynalock::error_code;
using dynalock::service_errc;

// Every errc, with the class decided for it.
const std::vector<std::pair<errc, error_class>> client_table{
    {errc::invalid_argument, error_class::not_retryable},
    {errc::invalid_table_name, error_class::not_retryable},
    {errc::invalid_attribute_value, error_class::not_retryable},
    {errc::invalid_utf8, error_class::not_retryable},
    {errc::empty_key, error_class::not_retryable},
    {errc::key_too_large, error_class::not_retryable},
    {errc::item_too_large, error_class::not_retryable},
    {errc::nesting_too_deep, error_class::not_retryable},
    {errc::too_many_items, error_class::not_retryable},
    {errc::invalid_endpoint, error_class::not_retryable},
    {errc::insecure_endpoint, error_class::not_retryable},
    {errc::invalid_region, error_class::not_retryable},
    {errc::no_credentials, error_class::not_retryable},
    {errc::invalid_credentials_file, error_class::not_retryable},
    {errc::credentials_rejected, error_class::not_retryable},
    {errc::sso_token_expired, error_class::not_retryable},
    {errc::credentials_process_failed, error_class::not_retryable},
    {errc::credentials_timeout, error_class::not_retryable},
    {errc::unsupported_configuration, error_class::not_retryable},
    {errc::connect_failed, error_class::transient},
    {errc::tls_handshake_failed, error_class::not_retryable},
    {errc::attempt_timeout, error_class::transient},
    {errc::operation_timeout, error_class::not_retryable},
    {errc::connection_closed, error_class::transient},
    {errc::malformed_response, error_class::transient},
    {errc::response_too_large, error_class::not_retryable},
    {errc::checksum_mismatch, error_class::transient},
    {errc::unexpected_redirect, error_class::not_retryable},
    {errc::unexpected_status, error_class::not_retryable},
    {errc::outcome_unknown, error_class::not_retryable},
    {errc::retry_quota_exceeded, error_class::not_retryable},
    {errc::client_stopped, error_class::not_retryable},
    {errc::key_not_found, error_class::condition_failed},
    {errc::key_exists, error_class::condition_failed},
    {errc::version_mismatch, error_class::condition_failed},
    {errc::lock_not_acquired, error_class::condition_failed},
    {errc::lock_wait_timeout, error_class::not_retryable},
    {errc::lease_stolen, error_class::not_retryable},
    {errc::lease_expired, error_class::not_retryable},
    {errc::lease_released, error_class::not_retryable},
    {errc::operation_in_progress, error_class::not_retryable},
};

// Every service_errc, with its class from the protocol sheet §5.3.
const std::vector<std::pair<service_errc, error_class>> service_table{
    {service_errc::unknown, error_class::not_retryable},
    {service_errc::provisioned_throughput_exceeded, error_class::throttling},
    {service_errc::throttling, error_class::throttling},
    {service_errc::request_limit_exceeded, error_class::throttling},
    {service_errc::limit_exceeded, error_class::throttling},
    {service_errc::transaction_in_progress, error_class::throttling},
    {service_errc::internal_server_error, error_class::transient},
    {service_errc::service_unavailable, error_class::transient},
    {service_errc::request_timeout, error_class::transient},
    {service_errc::replicated_write_conflict, error_class::transient},
    {service_errc::conditional_check_failed, error_class::condition_failed},
    {service_errc::transaction_canceled, error_class::condition_failed},
    {service_errc::transaction_conflict, error_class::condition_failed},
    {service_errc::idempotent_parameter_mismatch, error_class::not_retryable},
    {service_errc::resource_not_found, error_class::not_retryable},
    {service_errc::resource_in_use, error_class::not_retryable},
    {service_errc::item_collection_size_limit_exceeded, error_class::not_retryable},
    {service_errc::validation, error_class::not_retryable},
    {service_errc::serialization, error_class::not_retryable},
    {service_errc::unknown_operation, error_class::not_retryable},
    {service_errc::access_denied, error_class::not_retryable},
    {service_errc::incomplete_signature, error_class::not_retryable},
    {service_errc::missing_authentication_token, error_class::not_retryable},
    {service_errc::unrecognized_client, error_class::not_retryable},
    {service_errc::expired_token, error_class::not_retryable},
    {service_errc::invalid_signature, error_class::not_retryable},
};

// The values each category recognises, found by probing every value in the enums' ranges: a value is an
// enumerator exactly when its message is not the "unknown ..." fallback.
std::vector<int> known_values(const boost::system::error_category& cat, const std::string& fallback_prefix) {
    std::vector<int> values;
    for (int v = -5; v < 1000; ++v)
        if (cat.message(v).rfind(fallback_prefix, 0) != 0)
            values.push_back(v);
    return values;
}

TEST(error_category, names_are_stable) {
    EXPECT_STREQ(dynalock::client_category().name(), "dynalock");
    EXPECT_STREQ(dynalock::service_category().name(), "dynalock.service");
    EXPECT_NE(dynalock::client_category(), dynalock::service_category());
}

TEST(error_category, make_error_code_uses_the_enum_category) {
    error_code a = errc::connect_failed;
    error_code b = service_errc::validation;
    EXPECT_EQ(&a.category(), &dynalock::client_category());
    EXPECT_EQ(a.value(), static_cast<int>(errc::connect_failed));
    EXPECT_EQ(&b.category(), &dynalock::service_category());
    EXPECT_EQ(b.value(), static_cast<int>(service_errc::validation));
}

TEST(error_category, every_client_enumerator_has_a_message) {
    for (auto [e, cls] : client_table) {
        error_code ec = e;
        SCOPED_TRACE(static_cast<int>(e));
        EXPECT_FALSE(ec.message().empty());
        EXPECT_EQ(ec.message().rfind("unknown dynalock error", 0), std::string::npos);
        char buffer[256];
        EXPECT_EQ(std::string(dynalock::client_category().message(ec.value(), buffer, sizeof buffer)),
                  ec.message());
    }
}

TEST(error_category, every_service_enumerator_has_a_message) {
    for (auto [e, cls] : service_table) {
        error_code ec = e;
        SCOPED_TRACE(static_cast<int>(e));
        EXPECT_FALSE(ec.message().empty());
        EXPECT_EQ(ec.message().rfind("unknown DynamoDB error ", 0), std::string::npos);
    }
}

TEST(error_category, value_outside_the_enum_gets_fallback_message) {
    EXPECT_EQ(dynalock::client_category().message(99), "unknown dynalock error 99");
    EXPECT_EQ(dynalock::service_category().message(0), "unknown DynamoDB error 0");
    char buffer[8];
    EXPECT_STREQ(dynalock::client_category().message(99, buffer, sizeof buffer), "unknown");
}

TEST(error_category, short_buffer_message_is_truncated_and_terminated) {
    char buffer[5] = {'x', 'x', 'x', 'x', 'x'};
    const char* m =
        dynalock::client_category().message(static_cast<int>(errc::key_exists), buffer, sizeof buffer);
    EXPECT_STREQ(m, "key ");
}

TEST(classify, table_covers_every_client_enumerator) {
    std::vector<int> expected;
    for (auto [e, cls] : client_table)
        expected.push_back(static_cast<int>(e));
    EXPECT_EQ(known_values(dynalock::client_category(), "unknown dynalock error"), expected);
}

TEST(classify, table_covers_every_service_enumerator) {
    std::vector<int> expected;
    for (auto [e, cls] : service_table)
        expected.push_back(static_cast<int>(e));
    EXPECT_EQ(known_values(dynalock::service_category(), "unknown DynamoDB error"), expected);
}

TEST(classify, client_codes_match_table) {
    for (auto [e, cls] : client_table) {
        SCOPED_TRACE(error_code(e).message());
        EXPECT_EQ(classify(e), cls);
    }
}

TEST(classify, service_codes_match_table) {
    for (auto [e, cls] : service_table) {
        SCOPED_TRACE(error_code(e).message());
        EXPECT_EQ(classify(e), cls);
    }
}

TEST(classify, helper_predicates_follow_the_class) {
    EXPECT_TRUE(dynalock::is_retryable(service_errc::throttling));
    EXPECT_TRUE(dynalock::is_retryable(errc::attempt_timeout));
    EXPECT_FALSE(dynalock::is_retryable(service_errc::conditional_check_failed));
    EXPECT_FALSE(dynalock::is_retryable(error_code{}));
    EXPECT_TRUE(dynalock::is_throttling(service_errc::provisioned_throughput_exceeded));
    EXPECT_FALSE(dynalock::is_throttling(service_errc::internal_server_error));
    EXPECT_TRUE(dynalock::is_condition_failure(errc::version_mismatch));
    EXPECT_FALSE(dynalock::is_condition_failure(errc::lease_stolen));
}

TEST(classify, success_is_none) {
    EXPECT_EQ(classify(error_code{}), error_class::none);
    EXPECT_EQ(classify(error_code(0, boost::system::system_category())), error_class::none);
}

TEST(classify, network_errnos_are_transient_in_system_and_generic_categories) {
    for (int ev : {ECONNRESET, ECONNREFUSED, ETIMEDOUT, EPIPE, ECONNABORTED, ENETUNREACH, EHOSTUNREACH,
                   ENETDOWN, ENETRESET, ENOTCONN}) {
        SCOPED_TRACE(ev);
        EXPECT_EQ(classify(error_code(ev, boost::system::system_category())), error_class::transient);
        EXPECT_EQ(classify(error_code(ev, boost::system::generic_category())), error_class::transient);
    }
}

TEST(classify, cancellation_is_not_retryable) {
    // Asio's operation_aborted is ECANCELED in the system category on POSIX.
    EXPECT_EQ(classify(error_code(ECANCELED, boost::system::system_category())), error_class::not_retryable);
    EXPECT_EQ(classify(error_code(ECANCELED, boost::system::generic_category())), error_class::not_retryable);
}

TEST(classify, other_errnos_are_not_retryable) {
    for (int ev : {EACCES, EINVAL, EMFILE, ENOENT}) {
        SCOPED_TRACE(ev);
        EXPECT_EQ(classify(error_code(ev, boost::system::system_category())), error_class::not_retryable);
    }
}

// Stands in for an Asio or Beast category: the core recognises them by name only.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-virtual-dtor" // error_category's destructor is protected by design
class named_category final : public boost::system::error_category {
public:
    explicit named_category(const char* name) noexcept : name_(name) {}
    const char* name() const noexcept override { return name_; }
    std::string message(int) const override { return "test"; }

private:
    const char* name_;
};
#pragma GCC diagnostic pop

TEST(classify, asio_and_beast_categories_by_name) {
    named_category misc{"asio.misc"}, netdb{"asio.netdb"}, addrinfo{"asio.addrinfo"},
        ssl_stream{"asio.ssl.stream"}, ssl{"asio.ssl"}, beast{"boost.beast"}, http{"beast.http"},
        other{"something.else"};
    EXPECT_EQ(classify(error_code(2, misc)), error_class::transient);      // eof
    EXPECT_EQ(classify(error_code(3, misc)), error_class::not_retryable);  // not_found
    EXPECT_EQ(classify(error_code(1, netdb)), error_class::not_retryable); // host_not_found (NXDOMAIN)
    EXPECT_EQ(classify(error_code(2, netdb)), error_class::transient);     // host_not_found_try_again
    EXPECT_EQ(classify(error_code(8, addrinfo)), error_class::not_retryable);
    EXPECT_EQ(classify(error_code(1, ssl_stream)), error_class::transient); // stream_truncated
    EXPECT_EQ(classify(error_code(336130315, ssl)), error_class::not_retryable);
    EXPECT_EQ(classify(error_code(1, beast)), error_class::transient); // timeout
    EXPECT_EQ(classify(error_code(1, http)), error_class::transient);  // end_of_stream
    EXPECT_EQ(classify(error_code(2, http)), error_class::transient);  // partial_message
    EXPECT_EQ(classify(error_code(1, other)), error_class::not_retryable);
}

TEST(service_errc_from_type, every_documented_type_maps) {
    const std::vector<std::pair<const char*, service_errc>> types{
        {"ProvisionedThroughputExceededException", service_errc::provisioned_throughput_exceeded},
        {"ThrottlingException", service_errc::throttling},
        {"RequestLimitExceeded", service_errc::request_limit_exceeded},
        {"LimitExceededException", service_errc::limit_exceeded},
        {"TransactionInProgressException", service_errc::transaction_in_progress},
        {"InternalServerError", service_errc::internal_server_error},
        {"InternalFailure", service_errc::internal_server_error},
        {"ServiceUnavailable", service_errc::service_unavailable},
        {"ServiceUnavailableException", service_errc::service_unavailable},
        {"RequestTimeout", service_errc::request_timeout},
        {"RequestTimeoutException", service_errc::request_timeout},
        {"ReplicatedWriteConflictException", service_errc::replicated_write_conflict},
        {"ConditionalCheckFailedException", service_errc::conditional_check_failed},
        {"TransactionCanceledException", service_errc::transaction_canceled},
        {"TransactionConflictException", service_errc::transaction_conflict},
        {"IdempotentParameterMismatchException", service_errc::idempotent_parameter_mismatch},
        {"ResourceNotFoundException", service_errc::resource_not_found},
        {"ResourceInUseException", service_errc::resource_in_use},
        {"ItemCollectionSizeLimitExceededException", service_errc::item_collection_size_limit_exceeded},
        {"ValidationException", service_errc::validation},
        {"SerializationException", service_errc::serialization},
        {"UnknownOperationException", service_errc::unknown_operation},
        {"AccessDeniedException", service_errc::access_denied},
        {"IncompleteSignatureException", service_errc::incomplete_signature},
        {"MissingAuthenticationTokenException", service_errc::missing_authentication_token},
        {"UnrecognizedClientException", service_errc::unrecognized_client},
        {"ExpiredTokenException", service_errc::expired_token},
        {"InvalidSignatureException", service_errc::invalid_signature},
    };
    for (auto [type, code] : types) {
        SCOPED_TRACE(type);
        EXPECT_EQ(dynalock::service_errc_from_type(type), code);
    }
}

TEST(service_errc_from_type, generic_throttle_codes_map_to_throttling) {
    for (const char* type : {"Throttling", "ThrottledException", "RequestThrottledException",
                             "TooManyRequestsException", "RequestThrottled", "SlowDown",
                             "BandwidthLimitExceeded", "EC2ThrottledException", "PriorRequestNotComplete"}) {
        SCOPED_TRACE(type);
        EXPECT_EQ(dynalock::service_errc_from_type(type), service_errc::throttling);
        EXPECT_EQ(classify(dynalock::service_errc_from_type(type)), error_class::throttling);
    }
}

TEST(service_errc_from_type, unknown_or_inexact_types_are_unknown) {
    for (const char* type : {"", "DuplicateItemException", "validationexception", "ValidationException ",
                             "com.amazon.coral.validate#ValidationException", "Validation", "ZZZ", "A"}) {
        SCOPED_TRACE(type);
        EXPECT_EQ(dynalock::service_errc_from_type(type), service_errc::unknown);
    }
}

} // namespace
