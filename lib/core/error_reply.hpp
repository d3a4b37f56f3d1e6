// SPDX-License-Identifier: BSL-1.0
// Parsing of DynamoDB error replies (any non-2xx HTTP response) into an error code plus the details
// people and the lock layer need.
#ifndef DYNALOCK_CORE_ERROR_REPLY_HPP
#define DYNALOCK_CORE_ERROR_REPLY_HPP

#include <dynalock/diagnostics.hpp>
#include <dynalock/error.hpp>

#include "http_message.hpp"

#include <boost/json/object.hpp>

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dynalock::core {

/// Longest service message kept from a reply body (bytes). Body text is untrusted and may be huge.
inline constexpr std::size_t max_error_message_size = 1024;
/// Longest error type or request id kept (bytes).
inline constexpr std::size_t max_error_type_size = 256;

/// What an error reply says.
struct error_reply {
    /// The error: a service_errc for a DynamoDB error type (service_errc::unknown for a type we do
    /// not know), or an errc for a reply that carries no usable type. See parse_error_reply.
    error_code code;
    /// The sanitised error type as sent ("ConditionalCheckFailedException"); empty when none was sent.
    std::string type;
    /// `message` or `Message` of the body (untrusted, capped, control characters replaced by spaces).
    /// For a body that is not JSON, the body text itself.
    std::string message;
    /// ConditionalCheckFailedException.Item (present with ReturnValuesOnConditionCheckFailure=ALL_OLD),
    /// raw AttributeValue JSON.
    std::optional<boost::json::object> item;
    /// TransactionCanceledException.CancellationReasons, one per action, in order.
    std::vector<cancellation_reason> cancellation_reasons;
    /// The server's `x-amz-retry-after` hint (milliseconds). Absent when missing, invalid or negative.
    std::optional<std::chrono::milliseconds> retry_after;
};

/// Cuts an error type the way the AWS SDKs do: at the first ':', then keeps what follows the last '#'.
/// "com.amazon.coral.validate#ValidationException" -> "ValidationException".
std::string_view sanitize_error_type(std::string_view type) noexcept;

/// Parses `x-amz-retry-after` (non-negative decimal milliseconds, optional surrounding blanks).
/// Returns nothing for a missing, negative or malformed value; saturates absurdly large values.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value) noexcept;

/// Interprets a non-2xx reply. The type comes from the `x-amzn-ErrorType` header, else from the body's
/// `__type`, both sanitised. The code is chosen in this order:
///  - 3xx: errc::unexpected_redirect (redirects are never followed);
///  - a known type: its service_errc;
///  - 5xx without a known type (empty, HTML or non-JSON body, or an unknown type): 500 gives
///    service_errc::internal_server_error, any other 5xx service_errc::service_unavailable, so every
///    5xx is transient as in the SDKs' standard mode; the status is in the diagnostics;
///  - 429 without a known type: service_errc::throttling;
///  - another status with an unknown type: service_errc::unknown (the raw type is kept in `type`);
///  - anything else without a type (non-JSON body, 1xx/2xx/4xx with no `__type`): errc::unexpected_status.
/// Never throws on malformed input (a std::bad_alloc aside).
error_reply parse_error_reply(const http_response& response);

/// Records an error reply in the diagnostics: status, x-amzn-RequestId, type, message, cancellation
/// reasons. Does not touch `attempts` or `client_message`.
void fill_diagnostics(const http_response& response, const error_reply& reply, diagnostics& out);

} // namespace dynalock::core

#endif
