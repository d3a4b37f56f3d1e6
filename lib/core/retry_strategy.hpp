// SPDX-License-Identifier: BSL-1.0
// Retry decisions: the AWS SDKs' "standard" retry mode with the values the 2026 update gives DynamoDB
// (protocol sheet §6.2). Sans-io: the caller supplies time and randomness, so every decision is testable.
//
// Use: one retry_quota per client, one retry_state per operation.
//
//     retry_state state{config, quota};
//     for (;;) {
//         auto result = send_attempt();
//         if (success) { state.on_success(); return result; }
//         auto d = state.on_failure(ec, reply.retry_after, uniform01(rng), now, deadline);
//         if (!d.retry) return ec;     // the last error; state.stop_reason() says why we stopped
//         wait(d.delay);
//     }
#ifndef DYNALOCK_CORE_RETRY_STRATEGY_HPP
#define DYNALOCK_CORE_RETRY_STRATEGY_HPP

#include <dynalock/error.hpp>

#include <boost/system/result.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string_view>

namespace dynalock::core {

/// Retry settings. The defaults are DynamoDB's in the SDKs' 2026 standard mode.
struct retry_config {
    /// Attempts in total, the first one included (1 disables retries; 0 is treated as 1).
    /// DynamoDB gets 4 where other services get 3. Overridden by AWS_MAX_ATTEMPTS.
    std::uint32_t max_attempts = 4;
    /// Backoff base after a transient error: retry i waits rand × min(base × 2^(i-1), max_backoff).
    /// 25 ms for DynamoDB (50 ms for other services): its operations are short.
    std::chrono::milliseconds transient_base{25};
    /// Backoff base after throttling: slow down for real, the service asked for it.
    std::chrono::milliseconds throttling_base{1000};
    /// Cap of the exponential part of the backoff.
    std::chrono::milliseconds max_backoff{20000};
    /// Size of the client's retry token bucket: bounds how many retries a client makes while the
    /// service keeps failing, so retries cannot pile onto an outage.
    std::uint32_t quota_capacity = 500;
    /// Tokens taken by a retry after a transient error (a fault, possibly an outage: expensive).
    std::uint32_t transient_cost = 14;
    /// Tokens taken by a retry after throttling (the service is up and says "later": cheap).
    std::uint32_t throttling_cost = 5;
    /// Tokens a success at the first attempt puts back, so the bucket refills while things work.
    std::uint32_t no_retry_increment = 1;
};

/// How far an `x-amz-retry-after` hint may push the wait beyond the computed backoff.
inline constexpr std::chrono::milliseconds max_retry_after_extra{5000};

/// The retry token bucket shared by all operations of one client. Thread-safe, lock-free.
class retry_quota {
public:
    explicit retry_quota(std::uint32_t capacity = retry_config{}.quota_capacity) noexcept
        : tokens_(capacity), capacity_(capacity) {}
    retry_quota(const retry_quota&) = delete;
    retry_quota& operator=(const retry_quota&) = delete;

    /// Takes `cost` tokens; takes nothing and returns false when fewer are left.
    bool try_acquire(std::uint32_t cost) noexcept;
    /// Puts `amount` tokens back, never above the capacity.
    void release(std::uint32_t amount) noexcept;

    std::uint32_t available() const noexcept { return tokens_.load(std::memory_order_relaxed); }
    std::uint32_t capacity() const noexcept { return capacity_; }

private:
    std::atomic<std::uint32_t> tokens_;
    std::uint32_t capacity_;
};

/// Why an operation stopped retrying.
enum class retry_stop_reason {
    none,               ///< not stopped (yet), or it succeeded
    not_retryable,      ///< the error is not throttling or transient
    attempts_exhausted, ///< max_attempts reached
    quota_exceeded,     ///< the client's retry quota lacks the cost of this retry
    deadline_reached,   ///< the wait would run past the operation's deadline
};

/// What to do after a failed attempt.
struct retry_decision {
    bool retry = false;                                 ///< retry after `delay`
    std::chrono::milliseconds delay{0};                 ///< how long to wait first (0 when not retrying)
    retry_stop_reason reason = retry_stop_reason::none; ///< why not, when not retrying
};

/// The jittered exponential backoff before retry number `retry` (1 for the first retry):
/// rand × min(base × 2^(retry-1), max_backoff), base chosen by `cls` (throttling or not).
/// `rand` is uniform in [0,1) (1 is accepted; out-of-range values are clamped, NaN counts as 0).
std::chrono::milliseconds backoff_delay(const retry_config& config, error_class cls, std::uint32_t retry,
                                        double rand) noexcept;

/// Applies a server hint to a computed backoff t: max(t, min(retry_after, t + 5 s)).
/// An absent or negative hint leaves t unchanged.
std::chrono::milliseconds apply_retry_after(std::chrono::milliseconds backoff,
                                            std::optional<std::chrono::milliseconds> retry_after) noexcept;

/// True when waiting `delay` from `now` reaches or passes `deadline` (no time left for the attempt).
bool would_pass_deadline(std::chrono::steady_clock::time_point now, std::chrono::milliseconds delay,
                         std::chrono::steady_clock::time_point deadline) noexcept;

/// Retry bookkeeping of one operation. Not thread-safe (one operation runs on one strand); the quota it
/// shares is.
///
/// When it says stop, the caller returns the **last error** (as the SDKs do), not
/// errc::retry_quota_exceeded or errc::operation_timeout: the last error says what went wrong, and
/// stop_reason() says why there was no further attempt (for diagnostics and logs).
class retry_state {
public:
    retry_state(const retry_config& config, retry_quota& quota) noexcept : config_(config), quota_(&quota) {}

    /// Call after each failed attempt with its error, the reply's `x-amz-retry-after` (if any) and a
    /// uniform random number in [0,1). A retry takes its cost from the quota.
    retry_decision on_failure(const error_code& ec, std::optional<std::chrono::milliseconds> retry_after,
                              double rand) noexcept;
    /// Same, and also stops (taking nothing from the quota) when the wait would reach `deadline`.
    retry_decision on_failure(const error_code& ec, std::optional<std::chrono::milliseconds> retry_after,
                              double rand, std::chrono::steady_clock::time_point now,
                              std::chrono::steady_clock::time_point deadline) noexcept;

    /// Call after a failed attempt whose cause the caller has just fixed (clock offset corrected after a
    /// clock-skew error, credentials refreshed after ExpiredTokenException): allows one immediate retry
    /// per operation, free of quota, still within max_attempts.
    retry_decision on_corrected_failure() noexcept;

    /// Call once when an attempt succeeded: refunds the quota (the last cost taken when there were
    /// retries, no_retry_increment otherwise).
    void on_success() noexcept;

    /// Attempts reported so far (failed ones plus the successful one).
    std::uint32_t attempts() const noexcept { return attempts_; }
    retry_stop_reason stop_reason() const noexcept { return stop_reason_; }

private:
    retry_decision decide(const error_code& ec, std::optional<std::chrono::milliseconds> retry_after,
                          double rand, const std::chrono::steady_clock::time_point* now,
                          std::chrono::steady_clock::time_point deadline) noexcept;
    retry_decision stop(retry_stop_reason reason) noexcept;

    retry_config config_;
    retry_quota* quota_;
    std::uint32_t attempts_ = 0;
    std::uint32_t last_cost_ = 0; ///< tokens taken by the latest retry (refunded on success)
    bool corrected_retry_used_ = false;
    retry_stop_reason stop_reason_ = retry_stop_reason::none;
};

/// Parses the value of AWS_MAX_ATTEMPTS (or `max_attempts` in the shared config): a decimal integer
/// >= 1, blanks around it allowed. An empty or blank value means "not set" (nullopt); anything else
/// that is not such an integer gives errc::invalid_argument.
boost::system::result<std::optional<std::uint32_t>> parse_max_attempts(std::string_view value) noexcept;

} // namespace dynalock::core

#endif
