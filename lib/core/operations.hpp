// SPDX-License-Identifier: BSL-1.0
// Request builders, response parsers, local validation and idempotency of the DynamoDB operations,
// with one overload set per function so a generic client can drive any operation:
//
//     template <class Request>
//     error_code call(const Request& req, typename core::operation_traits<Request>::response_type& out) {
//         if (auto ec = core::validate(req, message)) return ec;
//         std::string body;
//         core::serialize(req, body);        // POST / with X-Amz-Target: operation_traits<Request>::target
//         ... send, retrying after an ambiguous failure only if core::is_idempotent(req) ...
//         return core::parse(reply.body, out, message);
//     }
//
// serialize() assumes validate() passed. parse() is for 2xx replies only (error replies have their own
// parser); it ignores unknown members and reports errc::malformed_response when a known member has the
// wrong shape.
#ifndef DYNALOCK_CORE_OPERATIONS_HPP
#define DYNALOCK_CORE_OPERATIONS_HPP

#include <dynalock/error.hpp>
#include <dynalock/operations.hpp>

#include <array>
#include <cstddef>
#include <cstdint>
#include <random>
#include <span>
#include <string>
#include <string_view>

namespace dynalock::core {

/// Content-Type of every request (awsJson 1.0).
inline constexpr std::string_view json_content_type = "application/x-amz-json-1.0";

/// Per-request facts: the reply type, the operation name and the X-Amz-Target header value.
template <class Request>
struct operation_traits;

#define DYNALOCK_CORE_OPERATION(request, response, op_name)                                                  \
    template <>                                                                                              \
    struct operation_traits<request> {                                                                       \
        using response_type = response;                                                                      \
        static constexpr std::string_view name = op_name;                                                    \
        static constexpr std::string_view target = "DynamoDB_20120810." op_name;                             \
    };                                                                                                       \
    void serialize(const request& req, std::string& body);                                                   \
    error_code parse(std::string_view body, response& out, std::string& message);                            \
    error_code validate(const request& req, std::string& message);                                           \
    bool is_idempotent(const request& req) noexcept;

DYNALOCK_CORE_OPERATION(get_item_request, get_item_response, "GetItem")
DYNALOCK_CORE_OPERATION(put_item_request, put_item_response, "PutItem")
DYNALOCK_CORE_OPERATION(update_item_request, update_item_response, "UpdateItem")
DYNALOCK_CORE_OPERATION(delete_item_request, delete_item_response, "DeleteItem")
DYNALOCK_CORE_OPERATION(query_request, query_response, "Query")
DYNALOCK_CORE_OPERATION(scan_request, scan_response, "Scan")
DYNALOCK_CORE_OPERATION(batch_get_item_request, batch_get_item_response, "BatchGetItem")
DYNALOCK_CORE_OPERATION(batch_write_item_request, batch_write_item_response, "BatchWriteItem")
DYNALOCK_CORE_OPERATION(transact_write_items_request, transact_write_items_response, "TransactWriteItems")
DYNALOCK_CORE_OPERATION(create_table_request, create_table_response, "CreateTable")
DYNALOCK_CORE_OPERATION(describe_table_request, describe_table_response, "DescribeTable")
DYNALOCK_CORE_OPERATION(delete_table_request, delete_table_response, "DeleteTable")
DYNALOCK_CORE_OPERATION(update_time_to_live_request, update_time_to_live_response, "UpdateTimeToLive")
DYNALOCK_CORE_OPERATION(describe_time_to_live_request, describe_time_to_live_response, "DescribeTimeToLive")

#undef DYNALOCK_CORE_OPERATION

/// True for the request types above.
template <class Request>
concept operation_request = requires {
    typename operation_traits<Request>::response_type;
};

// Idempotency (what is_idempotent answers), i.e. whether a request may be resent after an ambiguous
// failure (a timeout after sending, a 5xx):
//  - reads (GetItem, Query, Scan, BatchGetItem, DescribeTable, DescribeTimeToLive): yes;
//  - PutItem, DeleteItem: only without ConditionExpression (a resent conditional write can fail its
//    own condition after the first copy succeeded);
//  - UpdateItem: no (ADD, SET x = x + :n);
//  - BatchWriteItem: yes (plain puts and deletes);
//  - TransactWriteItems: only with a ClientRequestToken. serialize() never invents one: the client
//    fills `client_request_token` (make_client_request_token) once per logical call before the first
//    attempt and reuses it for every retry;
//  - CreateTable, DeleteTable: no; UpdateTimeToLive: yes.

/// Formats 16 random bytes as a UUIDv4 ("xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx", 36 characters,
/// lower-case), setting the version and variant bits.
std::string make_client_request_token(std::span<const std::uint8_t, 16> random_bytes);

/// A UUIDv4 token from a uniform random bit generator (for example a std::mt19937_64 seeded from
/// std::random_device, or a CSPRNG adaptor).
template <std::uniform_random_bit_generator Generator>
std::string make_client_request_token(Generator& generator) {
    std::array<std::uint8_t, 16> bytes{};
    std::uniform_int_distribution<unsigned> byte(0, 255);
    for (auto& b : bytes)
        b = static_cast<std::uint8_t>(byte(generator));
    return make_client_request_token(std::span<const std::uint8_t, 16>(bytes));
}

/// The wire names of the enumerations ("ALL_OLD", "PAY_PER_REQUEST", ...).
std::string_view to_string(return_value v) noexcept;
std::string_view to_string(select_mode v) noexcept;
std::string_view to_string(scalar_attribute_type v) noexcept;
std::string_view to_string(key_type v) noexcept;
std::string_view to_string(billing_mode v) noexcept;
std::string_view to_string(projection_type v) noexcept;
std::string_view to_string(table_status v) noexcept;
std::string_view to_string(time_to_live_status v) noexcept;

} // namespace dynalock::core

#endif
