// SPDX-License-Identifier: BSL-1.0
#include "core/credentials/refresh_policy.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace dynalock::core {
namespace {

using namespace std::chrono_literals;

const system_time t0 = system_time{} + std::chrono::hours(24 * 365 * 50);

cached_credentials_state held(std::chrono::seconds lifetime) {
    cached_credentials_state s;
    s.present = true;
    s.fetched_at = t0;
    s.expiration = t0 + lifetime;
    return s;
}

TEST(refresh_policy, nothing_cached_means_wait) {
    EXPECT_EQ(decide_credentials_use({}, t0), credentials_use::wait_for_refresh);
}

TEST(refresh_policy, credentials_that_never_expire_are_used_and_never_refreshed) {
    cached_credentials_state s;
    s.present = true;
    s.fetched_at = t0;
    EXPECT_EQ(decide_credentials_use(s, t0 + 1000h), credentials_use::use);
    EXPECT_FALSE(usable_until(s).has_value());
    EXPECT_FALSE(refresh_due_at(s).has_value());
}

TEST(refresh_policy, an_hour_long_set_refreshes_15_minutes_early_and_stops_a_minute_early) {
    auto s = held(3600s);
    EXPECT_EQ(decide_credentials_use(s, t0 + 44min), credentials_use::use);
    EXPECT_EQ(decide_credentials_use(s, t0 + 45min), credentials_use::use_and_refresh);
    EXPECT_EQ(decide_credentials_use(s, t0 + 58min + 59s), credentials_use::use_and_refresh);
    EXPECT_EQ(decide_credentials_use(s, t0 + 59min), credentials_use::wait_for_refresh);
    EXPECT_EQ(decide_credentials_use(s, t0 + 2h), credentials_use::wait_for_refresh);
}

TEST(refresh_policy, short_lifetimes_scale_the_windows) {
    auto s = held(600s); // 10 minutes: refresh at half-time, unusable in the last tenth
    EXPECT_EQ(decide_credentials_use(s, t0 + 299s), credentials_use::use);
    EXPECT_EQ(decide_credentials_use(s, t0 + 300s), credentials_use::use_and_refresh);
    EXPECT_EQ(decide_credentials_use(s, t0 + 539s), credentials_use::use_and_refresh);
    EXPECT_EQ(decide_credentials_use(s, t0 + 540s), credentials_use::wait_for_refresh);
}

TEST(refresh_policy, a_running_refresh_is_not_started_twice) {
    auto s = held(3600s);
    s.refresh_running = true;
    EXPECT_EQ(decide_credentials_use(s, t0 + 50min), credentials_use::use);
    // ... but nothing unusable is ever used because a refresh runs.
    EXPECT_EQ(decide_credentials_use(s, t0 + 59min + 30s), credentials_use::wait_for_refresh);
}

TEST(refresh_policy, a_failed_refresh_is_retried_only_after_its_backoff) {
    auto s = held(3600s);
    s.next_refresh_allowed = t0 + 50min;
    EXPECT_EQ(decide_credentials_use(s, t0 + 49min), credentials_use::use);
    EXPECT_EQ(decide_credentials_use(s, t0 + 50min), credentials_use::use_and_refresh);
}

TEST(refresh_policy, invalidated_credentials_are_never_used) {
    auto s = held(3600s);
    s.invalidated = true;
    EXPECT_EQ(decide_credentials_use(s, t0 + 1s), credentials_use::wait_for_refresh);
}

TEST(refresh_policy, expiration_before_fetch_is_unusable_at_once) {
    auto s = held(3600s);
    s.expiration = t0 - 1s;
    EXPECT_EQ(decide_credentials_use(s, t0), credentials_use::wait_for_refresh);
}

TEST(refresh_policy, fractions_can_make_a_refresh_due_at_once) {
    refresh_windows w;
    w.advisory_fraction = 1.0;
    w.advisory = std::chrono::hours(2);
    auto s = held(3600s);
    EXPECT_EQ(decide_credentials_use(s, t0, w), credentials_use::use_and_refresh);
}

TEST(refresh_policy, backoff_doubles_up_to_its_cap_with_jitter) {
    EXPECT_EQ(refresh_backoff(1, 1.0), 1000ms);
    EXPECT_EQ(refresh_backoff(2, 1.0), 2000ms);
    EXPECT_EQ(refresh_backoff(3, 1.0), 4000ms);
    EXPECT_EQ(refresh_backoff(7, 1.0), 60000ms);
    EXPECT_EQ(refresh_backoff(1000, 1.0), 60000ms);
    EXPECT_EQ(refresh_backoff(1, 0.5), 500ms);
    EXPECT_EQ(refresh_backoff(1, 0.1), 500ms); // clamped
    EXPECT_EQ(refresh_backoff(1, 7.0), 1000ms);
    EXPECT_EQ(refresh_backoff(1, std::nan("")), 500ms);
}

} // namespace
} // namespace dynalock::core
