// SPDX-License-Identifier: BSL-1.0
// The client-side rate limiter of the AWS SDKs' "adaptive" retry mode. Every attempt first takes a token
// from a bucket; the bucket starts disabled (no wait at all) and switches on at the first throttling
// response. From then on its fill rate follows TCP CUBIC's curve: a throttling response cuts the rate to
// beta times what the client was sending, and successes grow it back along C (t - K)^3 + W_max, slowly
// near the rate that was throttled (W_max), faster away from it. The rate is also capped at twice the
// measured send rate, so an idle client does not bank a burst.
//
// Sans-io: the caller passes the time, and waits itself for the delay acquire() returns. Not thread-safe:
// one limiter per client, used on the client's strand.
#ifndef DYNALOCK_CORE_CLIENT_RATE_LIMITER_HPP
#define DYNALOCK_CORE_CLIENT_RATE_LIMITER_HPP

#include <chrono>
#include <cstdint>
#include <optional>

namespace dynalock::core {

namespace adaptive {

inline constexpr double beta = 0.7;                 ///< the rate kept after a throttling response
inline constexpr double scale_constant = 0.4;       ///< C of the cubic curve: how fast the rate grows back
inline constexpr double smoothing = 0.8;            ///< weight of the newest sample of the measured rate
inline constexpr double min_fill_rate = 0.5;        ///< tokens per second, however hard the throttling
inline constexpr double min_capacity = 1.0;         ///< tokens the bucket holds at least
inline constexpr double measurement_interval = 0.5; ///< seconds per sample of the measured send rate

/// K of the curve: the seconds it takes, after a throttling response at `last_max_rate`, to be back at
/// that rate: cbrt(last_max_rate × (1 - beta) / scale_constant).
double cubic_time_window(double last_max_rate) noexcept;

/// The rate `seconds_since_throttle` after the throttling response at `last_max_rate`:
/// scale_constant × (t - K)^3 + last_max_rate.
double cubic_success(double last_max_rate, double seconds_since_throttle) noexcept;

/// The rate after a throttling response while sending at `rate`: rate × beta.
double cubic_throttle(double rate) noexcept;

} // namespace adaptive

class client_rate_limiter {
public:
    using clock = std::chrono::steady_clock;

    /// `now` is the origin of the curve (as if the client had been throttled at rate 0 then) and of the
    /// send-rate measurement intervals.
    explicit client_rate_limiter(clock::time_point now) noexcept;

    /// Before each attempt. Takes a token and returns how long the attempt must wait for it: zero while the
    /// limiter is disabled or a token is there. The token is taken at once even when it is waited for, so
    /// attempts that arrive together are spaced by the fill rate. When the wait would exceed `max_wait`,
    /// takes nothing and returns nullopt.
    std::optional<clock::duration> acquire(clock::time_point now, clock::duration max_wait) noexcept;

    /// After each attempt that reached the service or failed on the way: `throttled` when the service said
    /// to slow down. Updates the measured send rate and the fill rate; the first throttling response
    /// enables the limiter.
    void on_response(clock::time_point now, bool throttled) noexcept;

    bool enabled() const noexcept { return enabled_; }
    double fill_rate() const noexcept { return fill_rate_; }         ///< tokens per second
    double max_capacity() const noexcept { return max_capacity_; }   ///< tokens
    double measured_rate() const noexcept { return measured_rate_; } ///< attempts per second, smoothed
    /// The tokens in the bucket at the last refill; negative while attempts wait for tokens already taken.
    double capacity() const noexcept { return capacity_; }

private:
    double seconds(clock::time_point t) const noexcept;
    void refill(double t) noexcept;
    void update_measured_rate(double t) noexcept;
    void set_rate(double t, double rate) noexcept;

    clock::time_point origin_;
    bool enabled_ = false;
    double fill_rate_ = adaptive::min_fill_rate;
    double max_capacity_ = adaptive::min_capacity;
    double capacity_ = 0;
    std::optional<double> last_refill_;
    double last_max_rate_ = 0;
    double last_throttle_ = 0;
    double measured_rate_ = 0;
    double last_interval_ = 0;
    std::uint64_t responses_in_interval_ = 0;
};

} // namespace dynalock::core

#endif
