// SPDX-License-Identifier: BSL-1.0
// Retry decisions with injected randomness and time: the SDKs' 2026 standard mode for DynamoDB.
#include "core/retry_strategy.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <thread>
#include <vector>

namespace {

using dynalock::errc;
using dynalock::error_class;
using dynalock::error_code;
using dynalock::service_errc;
using dynalock::core::retry_config;
using dynalock::core::retry_quota;
using dynalock::core::retry_state;
using dynalock::core::retry_stop_reason;
using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

const error_code transient_error = service_errc::internal_server_error;
const error_code throttling_error = service_errc::provisioned_throughput_exceeded;

TEST(retry_config, defaults_are_dynamodb_2026_standard_mode) {
    retry_config c;
    EXPECT_EQ(c.max_attempts, 4u);
    EXPECT_EQ(c.transient_base, 25ms);
    EXPECT_EQ(c.throttling_base, 1000ms);
    EXPECT_EQ(c.max_backoff, 20s);
    EXPECT_EQ(c.quota_capacity, 500u);
    EXPECT_EQ(c.transient_cost, 14u);
    EXPECT_EQ(c.throttling_cost, 5u);
    EXPECT_EQ(c.no_retry_increment, 1u);
}

// go-v2 retry2026_test, DynamoDB, rand = 1: 25, 50, 100 ms, then max attempts; quota 500 -> 486 -> 472 ->
// 458.
TEST(retry_state, dynamodb_transient_example_with_rand_one) {
    retry_config config;
    retry_quota quota{config.quota_capacity};
    retry_state state{config, quota};

    auto d1 = state.on_failure(transient_error, std::nullopt, 1.0);
    EXPECT_TRUE(d1.retry);
    EXPECT_EQ(d1.delay, 25ms);
    EXPECT_EQ(quota.available(), 486u);

    auto d2 = state.on_failure(transient_error, std::nullopt, 1.0);
    EXPECT_TRUE(d2.retry);
    EXPECT_EQ(d2.delay, 50ms);
    EXPECT_EQ(quota.available(), 472u);

    auto d3 = state.on_failure(transient_error, std::nullopt, 1.0);
    EXPECT_TRUE(d3.retry);
    EXPECT_EQ(d3.delay, 100ms);
    EXPECT_EQ(quota.available(), 458u);

    auto d4 = state.on_failure(transient_error, std::nullopt, 1.0);
    EXPECT_FALSE(d4.retry);
    EXPECT_EQ(d4.reason, retry_stop_reason::attempts_exhausted);
    EXPECT_EQ(state.stop_reason(), retry_stop_reason::attempts_exhausted);
    EXPECT_EQ(state.attempts(), 4u);
    EXPECT_EQ(quota.available(), 458u); // a failed final attempt refunds nothing
}

TEST(retry_state, throttling_uses_one_second_base_and_cost_five) {
    retry_config config;
    retry_quota quota{config.quota_capacity};
    retry_state state{config, quota};
    auto d1 = state.on_failure(throttling_error, std::nullopt, 1.0);
    EXPECT_EQ(d1.delay, 1000ms);
    EXPECT_EQ(quota.available(), 495u);
    auto d2 = state.on_failure(service_errc::throttling, std::nullopt, 1.0);
    EXPECT_EQ(d2.delay, 2000ms);
    EXPECT_EQ(quota.available(), 490u);
}

TEST(retry_state, jitter_scales_the_delay) {
    retry_config config;
    retry_quota quota;
    retry_state state{config, quota};
    EXPECT_EQ(state.on_failure(throttling_error, std::nullopt, 0.5).delay, 500ms);
    EXPECT_EQ(state.on_failure(throttling_error, std::nullopt, 0.25).delay, 500ms); // 0.25 x 2 s
    EXPECT_EQ(state.on_failure(errc::attempt_timeout, std::nullopt, 0.0).delay, 0ms);
}

TEST(backoff_delay, is_capped_at_max_backoff) {
    retry_config config;
    EXPECT_EQ(dynalock::core::backoff_delay(config, error_class::throttling, 5, 1.0), 16000ms);
    EXPECT_EQ(dynalock::core::backoff_delay(config, error_class::throttling, 6, 1.0), 20000ms);
    EXPECT_EQ(dynalock::core::backoff_delay(config, error_class::throttling, 1000, 1.0), 20000ms);
    EXPECT_EQ(dynalock::core::backoff_delay(config, error_class::transient,
                                            std::numeric_limits<std::uint32_t>::max(), 0.5),
              10000ms);
}

TEST(backoff_delay, out_of_range_random_is_clamped) {
    retry_config config;
    EXPECT_EQ(dynalock::core::backoff_delay(config, error_class::transient, 1, 7.0), 25ms);
    EXPECT_EQ(dynalock::core::backoff_delay(config, error_class::transient, 1, -1.0), 0ms);
    EXPECT_EQ(dynalock::core::backoff_delay(config, error_class::transient, 1, std::nan("")), 0ms);
}

// go-v2 retry2026_test: x-amz-retry-after 1500 -> 1.5 s; 0 -> t; 10000 -> t + 5 s.
TEST(retry_state, retry_after_hint_is_bounded_by_backoff_and_five_seconds) {
    retry_config config;
    {
        retry_quota quota;
        retry_state state{config, quota};
        EXPECT_EQ(state.on_failure(throttling_error, 1500ms, 1.0).delay, 1500ms);
    }
    {
        retry_quota quota;
        retry_state state{config, quota};
        EXPECT_EQ(state.on_failure(throttling_error, 0ms, 1.0).delay, 1000ms);
    }
    {
        retry_quota quota;
        retry_state state{config, quota};
        EXPECT_EQ(state.on_failure(throttling_error, 10000ms, 1.0).delay, 6000ms);
    }
}

TEST(apply_retry_after, negative_or_absent_hint_is_ignored) {
    EXPECT_EQ(dynalock::core::apply_retry_after(40ms, -5ms), 40ms);
    EXPECT_EQ(dynalock::core::apply_retry_after(40ms, std::nullopt), 40ms);
    EXPECT_EQ(dynalock::core::apply_retry_after(40ms, 100ms), 100ms);
    EXPECT_EQ(dynalock::core::apply_retry_after(40ms, 10ms), 40ms);
}

TEST(retry_state, not_retryable_errors_are_never_retried) {
    retry_config config;
    for (error_code ec :
         {error_code(service_errc::conditional_check_failed), error_code(service_errc::validation),
          error_code(service_errc::transaction_canceled), error_code(service_errc::unknown),
          error_code(errc::outcome_unknown), error_code(errc::operation_timeout),
          error_code(errc::tls_handshake_failed), error_code(ECANCELED, boost::system::system_category()),
          error_code{}}) {
        SCOPED_TRACE(ec.message());
        retry_quota quota;
        retry_state state{config, quota};
        auto d = state.on_failure(ec, 100ms, 1.0);
        EXPECT_FALSE(d.retry);
        EXPECT_EQ(d.delay, 0ms);
        EXPECT_EQ(d.reason, retry_stop_reason::not_retryable);
        EXPECT_EQ(quota.available(), 500u);
    }
}

TEST(retry_state, network_errors_are_retried) {
    retry_config config;
    retry_quota quota;
    retry_state state{config, quota};
    EXPECT_TRUE(
        state.on_failure(error_code(ECONNRESET, boost::system::system_category()), std::nullopt, 1.0).retry);
    EXPECT_TRUE(state.on_failure(errc::checksum_mismatch, std::nullopt, 1.0).retry);
}

TEST(retry_state, quota_exhaustion_stops_and_takes_nothing) {
    retry_config config;
    config.max_attempts = 100;
    retry_quota quota{30}; // two transient retries (14 each), then 2 tokens left
    retry_state state{config, quota};
    EXPECT_TRUE(state.on_failure(transient_error, std::nullopt, 1.0).retry);
    EXPECT_TRUE(state.on_failure(transient_error, std::nullopt, 1.0).retry);
    EXPECT_EQ(quota.available(), 2u);
    auto d = state.on_failure(transient_error, std::nullopt, 1.0);
    EXPECT_FALSE(d.retry);
    EXPECT_EQ(d.reason, retry_stop_reason::quota_exceeded);
    EXPECT_EQ(quota.available(), 2u);
}

TEST(retry_state, throttling_retry_fits_where_transient_does_not) {
    retry_config config;
    retry_quota quota{10};
    retry_state state{config, quota};
    EXPECT_EQ(state.on_failure(transient_error, std::nullopt, 1.0).reason, retry_stop_reason::quota_exceeded);
    retry_state other{config, quota};
    EXPECT_TRUE(other.on_failure(throttling_error, std::nullopt, 1.0).retry);
    EXPECT_EQ(quota.available(), 5u);
}

TEST(retry_state, first_try_success_adds_one_up_to_capacity) {
    retry_config config;
    retry_quota quota{500};
    ASSERT_TRUE(quota.try_acquire(3));
    retry_state a{config, quota};
    a.on_success();
    EXPECT_EQ(quota.available(), 498u);
    EXPECT_EQ(a.attempts(), 1u);
    for (int i = 0; i < 5; ++i) {
        retry_state s{config, quota};
        s.on_success();
    }
    EXPECT_EQ(quota.available(), 500u);
}

TEST(retry_state, success_after_retries_refunds_the_last_cost) {
    retry_config config;
    retry_quota quota;
    retry_state state{config, quota};
    state.on_failure(transient_error, std::nullopt, 1.0);  // -14
    state.on_failure(throttling_error, std::nullopt, 1.0); // -5
    EXPECT_EQ(quota.available(), 481u);
    state.on_success(); // +5: the last acquisition only
    EXPECT_EQ(quota.available(), 486u);
    EXPECT_EQ(state.attempts(), 3u);
    EXPECT_EQ(state.stop_reason(), retry_stop_reason::none);
}

TEST(retry_state, single_attempt_config_never_retries) {
    retry_config config;
    config.max_attempts = 1;
    retry_quota quota;
    retry_state state{config, quota};
    EXPECT_EQ(state.on_failure(throttling_error, std::nullopt, 1.0).reason,
              retry_stop_reason::attempts_exhausted);
    config.max_attempts = 0; // treated as 1
    retry_state zero{config, quota};
    EXPECT_EQ(zero.on_failure(throttling_error, std::nullopt, 1.0).reason,
              retry_stop_reason::attempts_exhausted);
    EXPECT_EQ(quota.available(), 500u);
}

TEST(retry_state, deadline_stops_before_taking_tokens) {
    retry_config config;
    retry_quota quota;
    retry_state state{config, quota};
    const steady::time_point now{std::chrono::seconds{1000}};
    // Throttling backoff with rand 1 is 1 s: a deadline 500 ms away cannot be met.
    auto d = state.on_failure(throttling_error, std::nullopt, 1.0, now, now + 500ms);
    EXPECT_FALSE(d.retry);
    EXPECT_EQ(d.reason, retry_stop_reason::deadline_reached);
    EXPECT_EQ(quota.available(), 500u);
}

TEST(retry_state, deadline_far_enough_allows_retry) {
    retry_config config;
    retry_quota quota;
    retry_state state{config, quota};
    const steady::time_point now{std::chrono::seconds{1000}};
    auto d = state.on_failure(throttling_error, std::nullopt, 1.0, now, now + 1500ms);
    EXPECT_TRUE(d.retry);
    EXPECT_EQ(d.delay, 1000ms);
    EXPECT_EQ(quota.available(), 495u);
}

TEST(retry_state, deadline_counts_the_retry_after_hint) {
    retry_config config;
    retry_quota quota;
    retry_state state{config, quota};
    const steady::time_point now{std::chrono::seconds{1000}};
    auto d = state.on_failure(throttling_error, 3000ms, 1.0, now, now + 2s);
    EXPECT_EQ(d.reason, retry_stop_reason::deadline_reached);
}

TEST(would_pass_deadline, boundaries) {
    using dynalock::core::would_pass_deadline;
    const steady::time_point now{std::chrono::seconds{1000}};
    EXPECT_TRUE(would_pass_deadline(now, 100ms, now + 100ms));
    EXPECT_FALSE(would_pass_deadline(now, 99ms, now + 100ms));
    EXPECT_TRUE(would_pass_deadline(now, 0ms, now));
    EXPECT_TRUE(would_pass_deadline(now, 0ms, now - 1ms));
    EXPECT_FALSE(would_pass_deadline(now, 1h, steady::time_point::max()));
    EXPECT_TRUE(would_pass_deadline(now, std::chrono::milliseconds::max(), now + 1h));
}

TEST(retry_state, corrected_failure_retries_once_immediately_and_free) {
    retry_config config;
    retry_quota quota;
    retry_state state{config, quota};
    auto d = state.on_corrected_failure();
    EXPECT_TRUE(d.retry);
    EXPECT_EQ(d.delay, 0ms);
    EXPECT_EQ(quota.available(), 500u);
    auto again = state.on_corrected_failure();
    EXPECT_FALSE(again.retry);
    EXPECT_EQ(again.reason, retry_stop_reason::not_retryable);
    EXPECT_EQ(state.attempts(), 2u);
}

TEST(retry_state, corrected_failure_respects_max_attempts) {
    retry_config config;
    config.max_attempts = 1;
    retry_quota quota;
    retry_state state{config, quota};
    EXPECT_EQ(state.on_corrected_failure().reason, retry_stop_reason::attempts_exhausted);
}

TEST(retry_quota, acquire_and_release_bounds) {
    retry_quota quota{20};
    EXPECT_FALSE(quota.try_acquire(21));
    EXPECT_EQ(quota.available(), 20u);
    EXPECT_TRUE(quota.try_acquire(20));
    EXPECT_EQ(quota.available(), 0u);
    EXPECT_FALSE(quota.try_acquire(1));
    quota.release(std::numeric_limits<std::uint32_t>::max());
    EXPECT_EQ(quota.available(), 20u);
    EXPECT_EQ(quota.capacity(), 20u);
}

TEST(retry_quota, concurrent_acquires_never_oversubscribe) {
    retry_quota quota{500};
    std::atomic<int> granted{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 100; ++i)
                if (quota.try_acquire(5))
                    granted.fetch_add(1);
        });
    for (auto& t : threads)
        t.join();
    EXPECT_EQ(granted.load(), 100);
    EXPECT_EQ(quota.available(), 0u);
}

TEST(parse_max_attempts, valid_values) {
    using dynalock::core::parse_max_attempts;
    auto a = parse_max_attempts("5");
    ASSERT_TRUE(a);
    EXPECT_EQ(*a, 5u);
    auto b = parse_max_attempts(" 1 ");
    ASSERT_TRUE(b);
    EXPECT_EQ(*b, 1u);
}

TEST(parse_max_attempts, empty_means_unset) {
    auto a = dynalock::core::parse_max_attempts("");
    ASSERT_TRUE(a);
    EXPECT_FALSE(*a);
    auto b = dynalock::core::parse_max_attempts("  ");
    ASSERT_TRUE(b);
    EXPECT_FALSE(*b);
}

TEST(parse_max_attempts, invalid_values_are_errors) {
    for (const char* v : {"0", "-1", "+3", "3.0", "three", "3x", "99999999999"}) {
        SCOPED_TRACE(v);
        auto r = dynalock::core::parse_max_attempts(v);
        ASSERT_FALSE(r);
        EXPECT_EQ(r.error(), error_code(errc::invalid_argument));
    }
}

} // namespace
