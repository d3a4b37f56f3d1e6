// SPDX-License-Identifier: BSL-1.0
// What went wrong, beyond the error code: for logs and for people, never for control flow.
#ifndef DYNALOCK_DIAGNOSTICS_HPP
#define DYNALOCK_DIAGNOSTICS_HPP

#include <dynalock/attribute_value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dynalock {

/// One entry of TransactionCanceledException.CancellationReasons ("None" when that action was fine).
struct cancellation_reason {
    std::string code;
    std::string message;
};

/// Details of a failed (or retried) operation.
///
/// The service message is untrusted text that may echo user input; it never holds credentials.
/// Nothing here ever contains a secret key, a session token or a signature.
struct diagnostics {
    unsigned http_status = 0;       ///< status of the last reply (0 when none arrived)
    std::string request_id;         ///< x-amzn-RequestId of the last reply
    std::string service_error_type; ///< sanitised `__type` of the last error reply
    std::string service_message;    ///< `message`/`Message` of the last error reply (untrusted)
    std::string client_message;     ///< what the client itself found wrong (field names, limits)
    std::uint32_t attempts = 0;     ///< how many attempts were sent
    std::vector<cancellation_reason> cancellation_reasons; ///< TransactWriteItems only
    /// After service_errc::conditional_check_failed: the item as it was, when the request asked for
    /// it (ReturnValuesOnConditionCheckFailure = ALL_OLD) and the server sent it (DynamoDB does,
    /// dynalite does not). Spares a second read to learn who holds a lock.
    std::optional<attribute_map> condition_failure_item;

    void clear() { *this = diagnostics{}; }
};

} // namespace dynalock

#endif
