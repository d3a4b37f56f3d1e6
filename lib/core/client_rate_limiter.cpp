// SPDX-License-Identifier: BSL-1.0
#include "core/client_rate_limiter.hpp"

#include <algorithm>
#include <cmath>

namespace dynalock::core {

namespace adaptive {

double cubic_time_window(double last_max_rate) noexcept {
    return std::cbrt(last_max_rate * (1.0 - beta) / scale_constant);
}

double cubic_success(double last_max_rate, double seconds_since_throttle) noexcept {
    const double dt = seconds_since_throttle - cubic_time_window(last_max_rate);
    return scale_constant * dt * dt * dt + last_max_rate;
}

double cubic_throttle(double rate) noexcept {
    return rate * beta;
}

} // namespace adaptive

client_rate_limiter::client_rate_limiter(clock::time_point now) noexcept : origin_(now) {}

double client_rate_limiter::seconds(clock::time_point t) const noexcept {
    return std::chrono::duration<double>(t - origin_).count();
}

void client_rate_limiter::refill(double t) noexcept {
    if (!last_refill_) {
        last_refill_ = t;
        return;
    }
    if (t <= *last_refill_) // time given out of order: never refill backwards
        return;
    capacity_ = std::min(max_capacity_, capacity_ + (t - *last_refill_) * fill_rate_);
    last_refill_ = t;
}

void client_rate_limiter::update_measured_rate(double t) noexcept {
    // Responses are counted per half-second interval; each interval that closes is folded into an
    // exponentially smoothed rate.
    const double interval = std::floor(t / adaptive::measurement_interval) * adaptive::measurement_interval;
    ++responses_in_interval_;
    if (interval > last_interval_) {
        const double rate = static_cast<double>(responses_in_interval_) / (interval - last_interval_);
        measured_rate_ = rate * adaptive::smoothing + measured_rate_ * (1.0 - adaptive::smoothing);
        responses_in_interval_ = 0;
        last_interval_ = interval;
    }
}

void client_rate_limiter::set_rate(double t, double rate) noexcept {
    refill(t);
    fill_rate_ = std::max(rate, adaptive::min_fill_rate);
    max_capacity_ = std::max(rate, adaptive::min_capacity);
    capacity_ = std::min(capacity_, max_capacity_);
}

std::optional<client_rate_limiter::clock::duration>
client_rate_limiter::acquire(clock::time_point now, clock::duration max_wait) noexcept {
    if (!enabled_)
        return clock::duration::zero();
    refill(seconds(now));
    double wait = 0;
    if (capacity_ < 1.0) {
        wait = (1.0 - capacity_) / fill_rate_;
        if (wait > std::chrono::duration<double>(max_wait).count())
            return std::nullopt;
    }
    capacity_ -= 1.0;
    return std::chrono::ceil<clock::duration>(std::chrono::duration<double>(wait));
}

void client_rate_limiter::on_response(clock::time_point now, bool throttled) noexcept {
    const double t = seconds(now);
    update_measured_rate(t);
    double rate;
    if (throttled) {
        // Before the limiter is on, what the client sends is the only rate there is; after, the rate it was
        // allowed is the better bound (it may send less than it measured in the last interval).
        const double rate_to_use = enabled_ ? std::min(measured_rate_, fill_rate_) : measured_rate_;
        last_max_rate_ = rate_to_use;
        last_throttle_ = t;
        rate = adaptive::cubic_throttle(rate_to_use);
        enabled_ = true;
    } else {
        rate = adaptive::cubic_success(last_max_rate_, t - last_throttle_);
    }
    set_rate(t, std::min(rate, 2.0 * measured_rate_));
}

} // namespace dynalock::core
