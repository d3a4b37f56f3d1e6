// SPDX-License-Identifier: BSL-1.0
// The adaptive retry mode's rate limiter against the values of the SDKs' shared specification of the
// algorithm (its CUBIC and rate-update test tables), then the token bucket's waits.
#include "core/client_rate_limiter.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <vector>

using namespace dynalock::core;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

constexpr double epsilon = 1e-9;

clock_type::time_point at(double seconds_after, clock_type::time_point origin) {
    return origin +
           std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(seconds_after));
}

double seconds(clock_type::duration d) {
    return std::chrono::duration<double>(d).count();
}

} // namespace

TEST(client_rate_limiter, cubic_success_grows_back_to_the_throttled_rate_then_beyond) {
    // Throttled at 10/s at t = 5: 7 at once (beta), back near 10 after K ≈ 1.9 s, then accelerating.
    const double expected[] = {7.0,
                               9.64893600966,
                               10.000030849917364,
                               10.453284520772092,
                               13.408697022224185,
                               21.26626835427364,
                               36.425998516920465};
    for (int t = 5; t <= 11; ++t)
        EXPECT_NEAR(adaptive::cubic_success(10.0, t - 5.0), expected[t - 5], epsilon) << "t = " << t;
}

TEST(client_rate_limiter, cubic_with_throttles_in_between) {
    struct step {
        bool throttle;
        double t;
        double rate;
    };
    const std::vector<step> steps{{false, 5, 7.0},
                                  {false, 6, 9.64893600966},
                                  {true, 7, 6.754255206761999},
                                  {true, 8, 4.727978644733399},
                                  {false, 9, 6.606547753887045},
                                  {false, 10, 6.763279816944947},
                                  {false, 11, 7.598174833907107},
                                  {false, 12, 11.511232804773524}};
    double last_max_rate = 10;
    double last_throttle = 5;
    double previous = 0;
    for (const auto& s : steps) {
        double rate;
        if (s.throttle) {
            rate = adaptive::cubic_throttle(previous);
            last_max_rate = previous; // the rate that was throttled is the curve's new plateau
            last_throttle = s.t;
        } else {
            rate = adaptive::cubic_success(last_max_rate, s.t - last_throttle);
        }
        EXPECT_NEAR(rate, s.rate, 1e-6) << "t = " << s.t;
        previous = rate;
    }
}

TEST(client_rate_limiter, measured_rate_and_fill_rate_follow_the_specification) {
    struct step {
        bool throttled;
        double t;
        double measured;
        double fill;
    };
    // A response every 200 ms from the limiter's creation; throttled at 2.0 s and 3.2 s.
    const std::vector<step> steps{
        {false, 0.2, 0.0, 0.5},
        {false, 0.4, 0.0, 0.5},
        {false, 0.6, 4.8, 0.5},
        {false, 0.8, 4.8, 0.5},
        {false, 1.0, 4.16, 0.5},
        {false, 1.2, 4.16, 0.6912},
        {false, 1.4, 4.16, 1.0976},
        {false, 1.6, 5.632, 1.6384},
        {false, 1.8, 5.632, 2.3328},
        {true, 2.0, 4.3264, 3.02848},
        {false, 2.2, 4.3264, 3.4866391734702598},
        {false, 2.4, 4.3264, 3.8218744160402554},
        {false, 2.6, 5.665280, 4.053385727709987},
        {false, 2.8, 5.665280, 4.200373108479455},
        {false, 3.0, 4.333056, 4.282036558348658},
        {true, 3.2, 4.333056, 2.99742559084406},
        {false, 3.4, 4.333056, 3.4522263943863463},
    };
    const auto origin = clock_type::now();
    client_rate_limiter limiter(origin);
    for (const auto& s : steps) {
        limiter.on_response(at(s.t, origin), s.throttled);
        EXPECT_NEAR(limiter.measured_rate(), s.measured, 1e-6) << "t = " << s.t;
        EXPECT_NEAR(limiter.fill_rate(), s.fill, 1e-6) << "t = " << s.t;
        EXPECT_EQ(limiter.enabled(), s.t >= 2.0) << "t = " << s.t;
    }
}

TEST(client_rate_limiter, disabled_until_the_first_throttling_response) {
    const auto origin = clock_type::now();
    client_rate_limiter limiter(origin);
    for (int i = 0; i < 100; ++i)
        EXPECT_EQ(limiter.acquire(at(0.001 * i, origin), 0s), clock_type::duration::zero());
    limiter.on_response(at(0.1, origin), false);
    EXPECT_FALSE(limiter.enabled());
    EXPECT_EQ(limiter.acquire(at(0.2, origin), 0s), clock_type::duration::zero());
    limiter.on_response(at(0.3, origin), true);
    EXPECT_TRUE(limiter.enabled());
    EXPECT_FALSE(limiter.acquire(at(0.3, origin), 0s)) << "an empty bucket has no token without a wait";
}

TEST(client_rate_limiter, after_throttling_at_once_attempts_are_spaced_by_the_minimum_fill_rate) {
    // Throttled before any rate was measured: the rate falls to the floor, 0.5 token/s, capacity 1.
    const auto origin = clock_type::now();
    client_rate_limiter limiter(origin);
    limiter.on_response(at(0.1, origin), true);
    EXPECT_DOUBLE_EQ(limiter.fill_rate(), adaptive::min_fill_rate);
    EXPECT_DOUBLE_EQ(limiter.max_capacity(), adaptive::min_capacity);

    // Three attempts at the same instant: each waits one more token's worth (2 s) than the one before.
    const auto now = at(0.1, origin);
    for (int i = 1; i <= 3; ++i) {
        auto wait = limiter.acquire(now, 60s);
        ASSERT_TRUE(wait);
        EXPECT_NEAR(seconds(*wait), 2.0 * i, 1e-6) << "attempt " << i;
    }
    // A fourth that may not wait 8 s gets nothing and takes nothing.
    EXPECT_FALSE(limiter.acquire(now, 7s));
    EXPECT_NEAR(limiter.capacity(), -3.0, 1e-9);
    auto wait = limiter.acquire(now, 8s);
    ASSERT_TRUE(wait);
    EXPECT_NEAR(seconds(*wait), 8.0, 1e-6);
}

TEST(client_rate_limiter, tokens_refill_at_the_fill_rate_up_to_the_capacity) {
    const auto origin = clock_type::now();
    client_rate_limiter limiter(origin);
    limiter.on_response(at(0, origin), true); // floor rate: 0.5/s, capacity 1
    // Long idle: the bucket fills to its capacity (1), never beyond.
    EXPECT_EQ(limiter.acquire(at(100, origin), 0s), clock_type::duration::zero());
    auto wait = limiter.acquire(at(100, origin), 10s);
    ASSERT_TRUE(wait);
    EXPECT_NEAR(seconds(*wait), 2.0, 1e-6);
    // One second later half a token has come back: the next waits for the rest of its token and the
    // one taken before it.
    wait = limiter.acquire(at(101, origin), 10s);
    ASSERT_TRUE(wait);
    EXPECT_NEAR(seconds(*wait), 3.0, 1e-6);
}

TEST(client_rate_limiter, successes_raise_the_rate_but_never_above_twice_the_measured_rate) {
    const auto origin = clock_type::now();
    client_rate_limiter limiter(origin);
    // 10 responses per second for 3 s, throttled at the end of it.
    double t = 0;
    for (int i = 0; i < 30; ++i, t += 0.1)
        limiter.on_response(at(t, origin), false);
    limiter.on_response(at(t, origin), true);
    const double after_throttle = limiter.fill_rate();
    EXPECT_NEAR(after_throttle, limiter.measured_rate() * adaptive::beta, 1e-9);
    // Then a success long after: the cubic curve is far above, the cap of 2x the measured rate applies.
    limiter.on_response(at(t + 60, origin), false);
    EXPECT_NEAR(limiter.fill_rate(), 2.0 * limiter.measured_rate(), 1e-9);
    EXPECT_GE(limiter.fill_rate(), adaptive::min_fill_rate);
}

TEST(client_rate_limiter, time_going_backwards_never_refills) {
    const auto origin = clock_type::now();
    client_rate_limiter limiter(origin);
    limiter.on_response(at(10, origin), true);
    ASSERT_TRUE(limiter.acquire(at(10, origin), 10s));
    const double c = limiter.capacity();
    ASSERT_TRUE(limiter.acquire(at(5, origin), 10s));
    EXPECT_NEAR(limiter.capacity(), c - 1.0, 1e-9);
}
