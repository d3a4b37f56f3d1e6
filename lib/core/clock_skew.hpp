// SPDX-License-Identifier: BSL-1.0
// Clock skew: DynamoDB rejects signatures dated more than 15 minutes from its own clock. The client keeps
// an offset learned from the replies' `Date` header and signs with local time + offset (sheet §6.4).
#ifndef DYNALOCK_CORE_CLOCK_SKEW_HPP
#define DYNALOCK_CORE_CLOCK_SKEW_HPP

#include "error_reply.hpp"

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace dynalock::core {

/// Parses an HTTP date: RFC 1123 ("Sun, 06 Nov 1994 08:49:37 GMT"), and leniently RFC 850
/// ("Sunday, 06-Nov-94 08:49:37 GMT"; years 70-99 are 19xx, 00-69 are 20xx) and asctime
/// ("Sun Nov  6 08:49:37 1994"). Independent of locale and time zone. The weekday name must be valid
/// but is not checked against the date. Returns nothing for anything malformed or out of range.
std::optional<std::chrono::system_clock::time_point> parse_http_date(std::string_view text) noexcept;

/// Days from 1970-01-01 to the given proleptic Gregorian date (negative before it). `month` is 1-12.
constexpr std::int64_t days_from_civil(std::int64_t year, unsigned month, unsigned day) noexcept {
    // Count from 0000-03-01 so that the leap day ends the year: then a year's day number only depends on
    // the month and day, and whole 400-year eras are 146097 days.
    const std::int64_t y = month <= 2 ? year - 1 : year;
    const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
    const std::int64_t year_of_era = y - era * 400;                           // [0, 399]
    const std::int64_t shifted_month = month > 2 ? month - 3 : month + 9;     // March = 0
    const std::int64_t day_of_year = (153 * shifted_month + 2) / 5 + day - 1; // [0, 365]
    const std::int64_t day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    constexpr std::int64_t days_0000_03_01_to_1970_01_01 = 719468;
    return era * 146097 + day_of_era - days_0000_03_01_to_1970_01_01;
}

/// Difference between the local clock and the server's that triggers a correction. Well under
/// DynamoDB's 15-minute tolerance, well above ordinary drift and the 1-second resolution of `Date`.
inline constexpr std::chrono::minutes clock_skew_threshold{4};

/// The correction added to the local clock when signing. One per client, shared by all operations;
/// thread-safe (a plain atomic: concurrent observers all write values learned from the server).
class clock_offset {
public:
    clock_offset() noexcept = default;
    clock_offset(const clock_offset&) = delete;
    clock_offset& operator=(const clock_offset&) = delete;

    std::chrono::milliseconds get() const noexcept {
        return std::chrono::milliseconds{offset_ms_.load(std::memory_order_relaxed)};
    }
    void set(std::chrono::milliseconds offset) noexcept {
        offset_ms_.store(offset.count(), std::memory_order_relaxed);
    }

    /// The time to sign with.
    std::chrono::system_clock::time_point
    adjust(std::chrono::system_clock::time_point local_now) const noexcept {
        return local_now + get();
    }

    /// Learns from a reply's `Date`: when the server's time differs from local + offset by
    /// clock_skew_threshold or more, the offset becomes server - local. Returns true when it changed.
    bool observe(std::chrono::system_clock::time_point server_date,
                 std::chrono::system_clock::time_point local_now) noexcept;

    /// After a clock-skew error: takes server - local as the offset whatever the difference.
    /// Returns true when it changed.
    bool correct(std::chrono::system_clock::time_point server_date,
                 std::chrono::system_clock::time_point local_now) noexcept;

private:
    std::atomic<std::int64_t> offset_ms_{0};
};

/// True when an error reply says the request's signing time was too far from the server's clock:
/// InvalidSignatureException whose message starts with "Signature expired" or "Signature not yet
/// current", or one of the generic codes RequestTimeTooSkewed, RequestExpired, RequestInTheFuture
/// (matched on the raw type: they have no service_errc of their own).
bool is_clock_skew_error(const error_reply& reply) noexcept;

} // namespace dynalock::core

#endif
