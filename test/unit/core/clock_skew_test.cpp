// SPDX-License-Identifier: BSL-1.0
// HTTP Date parsing, the clock offset and clock-skew error detection, with injected time.
#include "core/clock_skew.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace {

using dynalock::core::clock_offset;
using dynalock::core::error_reply;
using dynalock::core::parse_http_date;
using namespace std::chrono_literals;
using sys = std::chrono::system_clock;

// The expected instants come from the standard library's calendar (an independent implementation).
sys::time_point utc(int y, unsigned m, unsigned d, int hh, int mm, int ss) {
    std::chrono::sys_days day{std::chrono::year{y} / std::chrono::month{m} / std::chrono::day{d}};
    return sys::time_point{day} + std::chrono::hours{hh} + std::chrono::minutes{mm} +
           std::chrono::seconds{ss};
}

TEST(days_from_civil, matches_std_chrono_for_every_day_1900_to_2200) {
    for (auto day = std::chrono::sys_days{std::chrono::year{1900} / 1 / 1};
         day <= std::chrono::sys_days{std::chrono::year{2200} / 12 / 31}; day += std::chrono::days{1}) {
        std::chrono::year_month_day ymd{day};
        auto got =
            dynalock::core::days_from_civil(static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                                            static_cast<unsigned>(ymd.day()));
        ASSERT_EQ(got, day.time_since_epoch().count()) << static_cast<int>(ymd.year());
    }
}

TEST(days_from_civil, epoch_and_negative_years) {
    EXPECT_EQ(dynalock::core::days_from_civil(1970, 1, 1), 0);
    EXPECT_EQ(dynalock::core::days_from_civil(1969, 12, 31), -1);
    EXPECT_EQ(dynalock::core::days_from_civil(-1, 3, 1),
              std::chrono::sys_days{std::chrono::year{-1} / 3 / 1}.time_since_epoch().count());
}

TEST(parse_http_date, rfc1123) {
    EXPECT_EQ(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT"), utc(1994, 11, 6, 8, 49, 37));
    EXPECT_EQ(parse_http_date("Wed, 07 Aug 2024 06:19:17 GMT"), utc(2024, 8, 7, 6, 19, 17));
    EXPECT_EQ(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT"), utc(1970, 1, 1, 0, 0, 0));
}

TEST(parse_http_date, leap_day_and_year_ends) {
    EXPECT_EQ(parse_http_date("Thu, 29 Feb 2024 23:59:59 GMT"), utc(2024, 2, 29, 23, 59, 59));
    EXPECT_EQ(parse_http_date("Tue, 29 Feb 2000 12:00:00 GMT"), utc(2000, 2, 29, 12, 0, 0));
    EXPECT_EQ(parse_http_date("Fri, 31 Dec 2100 23:59:59 GMT"), utc(2100, 12, 31, 23, 59, 59));
}

TEST(parse_http_date, surrounding_blanks_and_one_digit_day) {
    EXPECT_EQ(parse_http_date("  Sun, 6 Nov 1994 08:49:37 GMT "), utc(1994, 11, 6, 8, 49, 37));
}

TEST(parse_http_date, leap_second_rolls_over) {
    EXPECT_EQ(parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT"), utc(2017, 1, 1, 0, 0, 0));
}

TEST(parse_http_date, rfc850) {
    EXPECT_EQ(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT"), utc(1994, 11, 6, 8, 49, 37));
    EXPECT_EQ(parse_http_date("Wednesday, 07-Aug-24 06:19:17 GMT"), utc(2024, 8, 7, 6, 19, 17));
}

TEST(parse_http_date, asctime) {
    EXPECT_EQ(parse_http_date("Sun Nov  6 08:49:37 1994"), utc(1994, 11, 6, 8, 49, 37));
    EXPECT_EQ(parse_http_date("Wed Aug 07 06:19:17 2024"), utc(2024, 8, 7, 6, 19, 17));
}

TEST(parse_http_date, invalid_inputs_give_nothing) {
    for (const char* s : {
             "",
             "garbage",
             "Sun, 06 Nov 1994 08:49:37",        // no zone
             "Sun, 06 Nov 1994 08:49:37 PST",    // not GMT
             "Sun, 06 Nov 1994 08:49:37 GMT x",  // trailing text
             "Xyz, 06 Nov 1994 08:49:37 GMT",    // bad weekday
             "Sunday, 06 Nov 1994 08:49:37 GMT", // long weekday with RFC 1123 layout
             "Sun, 06-Nov-94 08:49:37 GMT",      // short weekday with RFC 850 layout
             "Sun, 06 Foo 1994 08:49:37 GMT",    // bad month
             "Sun, 06 nov 1994 08:49:37 GMT",    // month names are case-sensitive
             "Sun, 31 Nov 1994 08:49:37 GMT",    // no 31 November
             "Sun, 29 Feb 1900 08:49:37 GMT",    // 1900 is not a leap year
             "Sun, 00 Nov 1994 08:49:37 GMT",    // day 0
             "Sun, 06 Nov 1994 24:00:00 GMT",    // hour 24
             "Sun, 06 Nov 1994 08:60:00 GMT",    // minute 60
             "Sun, 06 Nov 1994 08:49:61 GMT",    // second 61
             "Sun, 06 Nov 94 08:49:37 GMT",      // two-digit year in RFC 1123
             "Sun, 06 Nov 19945 08:49:37 GMT",   // five-digit year
             "Sun, 06 Nov 1994 8:49:37 GMT",     // one-digit hour
             "Sun, 06 Nov 1899 08:49:37 GMT",    // before the supported range
             "Sun, 06 Nov 2300 08:49:37 GMT",    // past what system_clock holds safely
             "Sun, -6 Nov 1994 08:49:37 GMT",    // sign
             "Sun Nov  6 08:49:37 1994 GMT",     // asctime has no zone
             "1994-11-06T08:49:37Z",             // ISO 8601 is not an HTTP date
         }) {
        SCOPED_TRACE(s);
        EXPECT_FALSE(parse_http_date(s));
    }
}

TEST(clock_offset, starts_at_zero) {
    clock_offset offset;
    EXPECT_EQ(offset.get(), 0ms);
    const auto now = utc(2024, 8, 7, 6, 0, 0);
    EXPECT_EQ(offset.adjust(now), now);
}

TEST(clock_offset, small_skew_is_ignored) {
    clock_offset offset;
    const auto local = utc(2024, 8, 7, 6, 0, 0);
    EXPECT_FALSE(offset.observe(local + 3min + 59s, local));
    EXPECT_FALSE(offset.observe(local - 3min - 59s, local));
    EXPECT_EQ(offset.get(), 0ms);
}

TEST(clock_offset, skew_of_four_minutes_or_more_sets_offset) {
    clock_offset offset;
    const auto local = utc(2024, 8, 7, 6, 0, 0);
    EXPECT_TRUE(offset.observe(local + 4min, local));
    EXPECT_EQ(offset.get(), 4min);
    EXPECT_EQ(offset.adjust(local), local + 4min);

    clock_offset behind;
    EXPECT_TRUE(behind.observe(local - 20min, local));
    EXPECT_EQ(behind.get(), -20min);
}

TEST(clock_offset, threshold_is_measured_against_the_corrected_clock) {
    clock_offset offset;
    const auto local = utc(2024, 8, 7, 6, 0, 0);
    ASSERT_TRUE(offset.observe(local + 30min, local));
    // Local clock did not move; the server still says +30 min: nothing new to learn.
    EXPECT_FALSE(offset.observe(local + 30min + 1s, local));
    EXPECT_EQ(offset.get(), 30min);
    // The server is back in line with the local clock: the offset is dropped.
    EXPECT_TRUE(offset.observe(local, local));
    EXPECT_EQ(offset.get(), 0ms);
}

TEST(clock_offset, correct_applies_any_difference) {
    clock_offset offset;
    const auto local = utc(2024, 8, 7, 6, 0, 0);
    EXPECT_TRUE(offset.correct(local + 90s, local));
    EXPECT_EQ(offset.get(), 90s);
    EXPECT_FALSE(offset.correct(local + 90s, local));
}

TEST(clock_offset, set_overrides) {
    clock_offset offset;
    offset.set(-1500ms);
    EXPECT_EQ(offset.get(), -1500ms);
}

error_reply skew_reply(std::string type, std::string message) {
    error_reply r;
    r.type = std::move(type);
    r.message = std::move(message);
    return r;
}

TEST(is_clock_skew_error, dynamodb_signature_expired_and_not_yet_current) {
    using dynalock::core::is_clock_skew_error;
    EXPECT_TRUE(is_clock_skew_error(skew_reply("InvalidSignatureException",
                                               "Signature expired: 20240805T055512Z is now earlier than "
                                               "20240805T061917Z (20240805T063417Z - 15 min.)")));
    EXPECT_TRUE(is_clock_skew_error(skew_reply("InvalidSignatureException",
                                               "Signature not yet current: 20240805T071512Z is still later "
                                               "than 20240805T064917Z (20240805T063417Z + 15 min.)")));
}

TEST(is_clock_skew_error, other_invalid_signature_is_not_skew) {
    using dynalock::core::is_clock_skew_error;
    EXPECT_FALSE(is_clock_skew_error(
        skew_reply("InvalidSignatureException",
                   "The request signature we calculated does not match the signature you provided.")));
    EXPECT_FALSE(is_clock_skew_error(skew_reply("InvalidSignatureException", "")));
    EXPECT_FALSE(is_clock_skew_error(skew_reply("ValidationException", "Signature expired: whatever")));
}

TEST(is_clock_skew_error, generic_skew_codes) {
    using dynalock::core::is_clock_skew_error;
    EXPECT_TRUE(is_clock_skew_error(skew_reply("RequestTimeTooSkewed", "")));
    EXPECT_TRUE(is_clock_skew_error(skew_reply("RequestExpired", "")));
    EXPECT_TRUE(is_clock_skew_error(skew_reply("RequestInTheFuture", "")));
    EXPECT_FALSE(is_clock_skew_error(skew_reply("", "Signature expired")));
}

TEST(is_clock_skew_error, works_on_a_parsed_reply) {
    dynalock::core::http_response response;
    response.status = 400;
    response.body = R"({"__type":"com.amazon.coral.service#InvalidSignatureException",)"
                    R"("message":"Signature expired: 20240805T055512Z is now earlier than 20240805T061917Z )"
                    R"json((20240805T063417Z - 15 min.)"})json";
    auto reply = dynalock::core::parse_error_reply(response);
    EXPECT_EQ(reply.code, dynalock::error_code(dynalock::service_errc::invalid_signature));
    EXPECT_TRUE(dynalock::core::is_clock_skew_error(reply));
}

} // namespace
