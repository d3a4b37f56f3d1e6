// SPDX-License-Identifier: BSL-1.0
#include "retry_strategy.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace dynalock::core {

bool retry_quota::try_acquire(std::uint32_t cost) noexcept {
    std::uint32_t current = tokens_.load(std::memory_order_relaxed);
    do {
        if (current < cost)
            return false;
    } while (!tokens_.compare_exchange_weak(current, current - cost, std::memory_order_relaxed));
    return true;
}

void retry_quota::release(std::uint32_t amount) noexcept {
    std::uint32_t current = tokens_.load(std::memory_order_relaxed);
    std::uint32_t next;
    do {
        next = amount >= capacity_ - std::min(current, capacity_) ? capacity_ : current + amount;
    } while (!tokens_.compare_exchange_weak(current, next, std::memory_order_relaxed));
}

std::chrono::milliseconds backoff_delay(const retry_config& config, error_class cls, std::uint32_t retry,
                                        double rand) noexcept {
    if (!(rand >= 0.0)) // also catches NaN
        rand = 0.0;
    rand = std::min(rand, 1.0);
    const auto base = cls == error_class::throttling ? config.throttling_base : config.transient_base;
    const double max_ms = static_cast<double>(std::max(config.max_backoff.count(), std::int64_t{0}));
    const double base_ms = static_cast<double>(std::max(base.count(), std::int64_t{0}));
    // 2^(retry-1) in floating point cannot overflow in any way that matters: past 2^1023 it is +inf,
    // which the cap absorbs.
    const double exponential =
        std::ldexp(base_ms, static_cast<int>(std::min<std::uint32_t>(retry, 1024)) - 1);
    const double capped = std::min(exponential, max_ms);
    return std::chrono::milliseconds{static_cast<std::chrono::milliseconds::rep>(std::floor(rand * capped))};
}

std::chrono::milliseconds apply_retry_after(std::chrono::milliseconds backoff,
                                            std::optional<std::chrono::milliseconds> retry_after) noexcept {
    if (!retry_after || retry_after->count() < 0)
        return backoff;
    return std::max(backoff, std::min(*retry_after, backoff + max_retry_after_extra));
}

bool would_pass_deadline(std::chrono::steady_clock::time_point now, std::chrono::milliseconds delay,
                         std::chrono::steady_clock::time_point deadline) noexcept {
    if (deadline <= now)
        return true;
    // Compare in milliseconds: now + delay, or delay converted to the clock's nanoseconds, could overflow.
    return delay >= std::chrono::ceil<std::chrono::milliseconds>(deadline - now);
}

retry_decision retry_state::stop(retry_stop_reason reason) noexcept {
    stop_reason_ = reason;
    return {false, std::chrono::milliseconds{0}, reason};
}

retry_decision retry_state::decide(const error_code& ec, std::optional<std::chrono::milliseconds> retry_after,
                                   double rand, const std::chrono::steady_clock::time_point* now,
                                   std::chrono::steady_clock::time_point deadline) noexcept {
    ++attempts_;
    const error_class cls = classify(ec);
    if (cls != error_class::throttling && cls != error_class::transient)
        return stop(retry_stop_reason::not_retryable);
    if (attempts_ >= std::max<std::uint32_t>(config_.max_attempts, 1))
        return stop(retry_stop_reason::attempts_exhausted);

    const auto delay = apply_retry_after(backoff_delay(config_, cls, attempts_, rand), retry_after);
    // Check the deadline before taking tokens: a retry that will not happen must cost nothing.
    if (now && would_pass_deadline(*now, delay, deadline))
        return stop(retry_stop_reason::deadline_reached);

    const std::uint32_t cost =
        cls == error_class::throttling ? config_.throttling_cost : config_.transient_cost;
    if (!quota_->try_acquire(cost))
        return stop(retry_stop_reason::quota_exceeded);
    last_cost_ = cost;
    return {true, delay, retry_stop_reason::none};
}

retry_decision retry_state::on_failure(const error_code& ec,
                                       std::optional<std::chrono::milliseconds> retry_after,
                                       double rand) noexcept {
    return decide(ec, retry_after, rand, nullptr, {});
}

retry_decision retry_state::on_failure(const error_code& ec,
                                       std::optional<std::chrono::milliseconds> retry_after, double rand,
                                       std::chrono::steady_clock::time_point now,
                                       std::chrono::steady_clock::time_point deadline) noexcept {
    return decide(ec, retry_after, rand, &now, deadline);
}

retry_decision retry_state::on_corrected_failure() noexcept {
    ++attempts_;
    if (corrected_retry_used_)
        return stop(retry_stop_reason::not_retryable);
    if (attempts_ >= std::max<std::uint32_t>(config_.max_attempts, 1))
        return stop(retry_stop_reason::attempts_exhausted);
    corrected_retry_used_ = true;
    return {true, std::chrono::milliseconds{0}, retry_stop_reason::none};
}

void retry_state::on_success() noexcept {
    ++attempts_;
    stop_reason_ = retry_stop_reason::none;
    quota_->release(last_cost_ != 0 ? last_cost_ : config_.no_retry_increment);
    last_cost_ = 0;
}

boost::system::result<std::optional<std::uint32_t>> parse_max_attempts(std::string_view value) noexcept {
    auto blank = [](char c) { return c == ' ' || c == '\t'; };
    while (!value.empty() && blank(value.front()))
        value.remove_prefix(1);
    while (!value.empty() && blank(value.back()))
        value.remove_suffix(1);
    if (value.empty())
        return std::optional<std::uint32_t>{};
    std::uint32_t attempts = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), attempts);
    if (ec != std::errc{} || end != value.data() + value.size() || attempts == 0)
        return error_code{errc::invalid_argument};
    return std::optional<std::uint32_t>{attempts};
}

} // namespace dynalock::core
