// SPDX-License-Identifier: BSL-1.0
// The locker's two state machines, without I/O and with injected time: acquiring a lease (write, read,
// wait, take over) and holding it (renew, detect loss, warn before expiry). The Asio layer performs the
// actions they ask for and feeds back the outcomes; every decision is made here and unit-tested.
#ifndef DYNALOCK_CORE_LOCK_MACHINES_HPP
#define DYNALOCK_CORE_LOCK_MACHINES_HPP

#include "lock_requests.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>

namespace dynalock::core {

using lock_clock = std::chrono::steady_clock;
using lock_time = lock_clock::time_point;

/// A row seen held by someone else: when we first saw this (version, lease id), on our steady clock, after
/// the read that showed it returned.
struct lock_observation {
    std::int64_t version = 0;
    std::string lease_id;
    std::chrono::milliseconds lease{};
    lock_time seen_at{};

    /// The holder has certainly stopped renewing if nothing changed for a whole lease since we saw it.
    lock_time takeover_at() const noexcept { return seen_at + lease; }
};

/// Acquiring one lease.
class acquire_machine {
public:
    struct config {
        std::chrono::milliseconds poll_min{10};
        std::chrono::milliseconds poll_max{500};
        std::optional<lock_time> deadline; ///< max_wait
        bool single_attempt = false;       ///< try_lock: one write (plus the read that explains a failure)
        bool mark_waiter = true;           ///< mark ourselves in the row while waiting
        std::string lease_id;              ///< the id our acquiring writes carry
        std::string waiter_id;             ///< this process
    };

    enum class action_kind {
        write,        ///< send the acquiring write (with takeover() when set); report on_write
        read,         ///< consistent read of the row; report on_read
        mark_waiter,  ///< send the waiter mark; report on_mark_waiter
        wait,         ///< sleep until `until`, then on_timer
        acquired,     ///< done: row() is the row as written (version, fence), sent_at() its lease start
        not_acquired, ///< single attempt failed: errc::lock_not_acquired
        timed_out,    ///< the deadline passed: errc::lock_wait_timeout
        failed,       ///< an error that waiting cannot fix (error(), message())
    };

    acquire_machine(config cfg, std::optional<lock_observation> prior, std::uint64_t seed);

    action_kind start(lock_time now);
    /// The acquiring write completed: success with the row (ALL_NEW), or an error, with the row returned on a
    /// condition failure when the server sends it. `sent_at`: when it was sent (the lease start if it won).
    action_kind on_write(lock_time now, lock_time sent_at, error_code ec, row_view row);
    action_kind on_read(lock_time now, error_code ec, row_view row);
    action_kind on_mark_waiter(lock_time now, error_code ec);
    action_kind on_timer(lock_time now);

    /// For action write: the takeover condition to add, if any.
    const takeover_condition* takeover() const noexcept { return takeover_ ? &*takeover_ : nullptr; }
    lock_time until() const noexcept { return until_; }
    const lock_row& row() const noexcept { return row_; }
    lock_row&& take_row() noexcept { return std::move(row_); }
    lock_time sent_at() const noexcept { return sent_at_; }
    error_code error() const noexcept { return error_; }
    const std::string& message() const noexcept { return message_; }
    /// What we last saw of another holder (kept by the caller for later attempts).
    const std::optional<lock_observation>& observation() const noexcept { return observation_; }
    /// Whether we marked ourselves as waiter (to be cleared if we give up).
    bool marked_waiter() const noexcept { return marked_; }
    /// Requests so far, by kind.
    std::uint32_t writes() const noexcept { return writes_; }
    std::uint32_t reads() const noexcept { return reads_; }

private:
    action_kind observe(lock_time now, lock_row&& row);
    action_kind write_now(lock_time now, bool with_takeover);
    action_kind wait_or_give_up(lock_time now, bool next_in_line);
    action_kind fail(error_code ec, std::string text);
    bool past_deadline(lock_time now) const noexcept { return cfg_.deadline && now >= *cfg_.deadline; }
    bool never_reached(error_code ec) noexcept;
    std::chrono::milliseconds next_backoff();

    config cfg_;
    std::optional<lock_observation> observation_;
    std::optional<takeover_condition> takeover_;
    std::mt19937_64 random_;
    std::uint32_t backoff_step_ = 0;
    bool resolving_ = false; ///< the last write's outcome is unknown: the next read tells
    lock_time pending_sent_at_{};
    bool marked_ = false;
    std::string marked_for_; ///< lease id of the holder we marked ourselves behind
    bool wrote_once_ = false;
    bool reached_ = false; ///< the server answered at least once
    lock_time until_{};
    lock_row row_;
    lock_time sent_at_{};
    error_code error_;
    std::string message_;
    std::uint32_t writes_ = 0;
    std::uint32_t reads_ = 0;
};

/// Holding one lease: when to renew, and what each renewal outcome means.
class lease_machine {
public:
    struct config {
        std::chrono::milliseconds lease{};
        std::chrono::milliseconds heartbeat{}; ///< 0: no renewal
        std::chrono::milliseconds safety_margin{};
        std::optional<std::chrono::milliseconds> expiring_warning;
        std::string lease_id;
    };

    enum class action_kind {
        wait,      ///< sleep until `until()` (or an outside event), then call next() again
        heartbeat, ///< send a renewal; report on_heartbeat with its send time
        read,      ///< consistent read to resolve a renewal; report on_read
        expiring,  ///< the danger zone was entered (reported once per validity); call next() again
        lost,      ///< the lease is gone: reason() is lease_stolen or lease_expired
    };

    /// A lease whose winning write was sent at `sent_at` and left `version` in the row.
    lease_machine(config cfg, std::int64_t version, lock_time sent_at);

    action_kind next(lock_time now);
    void on_heartbeat(lock_time now, lock_time sent_at, error_code ec, row_view row);
    void on_read(lock_time now, error_code ec, row_view row);

    lock_time until() const noexcept { return until_; }
    /// Start of the last successful write + lease - safety margin.
    lock_time valid_until() const noexcept { return valid_until_; }
    std::int64_t version() const noexcept { return version_; }
    bool lost() const noexcept { return static_cast<bool>(reason_); }
    error_code reason() const noexcept { return reason_; }
    /// The waiter mark the last renewal saw in the row (another process waits when not empty).
    const std::string& waiter() const noexcept { return waiter_; }
    void set_waiter(std::string w) { waiter_ = std::move(w); }
    std::uint32_t heartbeats() const noexcept { return heartbeats_; }
    std::uint32_t reads() const noexcept { return reads_; }

private:
    void renewed(lock_time sent_at, std::int64_t version);
    void judge(lock_time now, row_view&& row);
    std::chrono::milliseconds retry_delay() const noexcept;

    config cfg_;
    std::int64_t version_ = 0;
    lock_time last_ok_{};
    lock_time valid_until_{};
    lock_time next_heartbeat_{};
    lock_time until_{};
    bool next_is_read_ = false;                ///< the next due action resolves the last renewal
    std::optional<lock_time> pending_sent_at_; ///< send time of a renewal whose outcome is unknown
    bool warned_ = false;
    error_code reason_;
    std::string waiter_;
    std::uint32_t heartbeats_ = 0;
    std::uint32_t reads_ = 0;
};

} // namespace dynalock::core

#endif
