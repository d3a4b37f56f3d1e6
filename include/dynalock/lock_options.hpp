// SPDX-License-Identifier: BSL-1.0
// Options of a lock (how long a lease lasts, how it is renewed, how waiters poll, what is written with
// it) and of its release.
#ifndef DYNALOCK_LOCK_OPTIONS_HPP
#define DYNALOCK_LOCK_OPTIONS_HPP

#include <dynalock/attribute_value.hpp>

#include <chrono>
#include <optional>
#include <string>
#include <utility>

namespace dynalock {

/// How a locker acquires, holds and releases its lease. See docs/locker.md for the algorithm.
///
/// Set the members directly or chain the `with_` setters:
///
///     auto lk = kv.new_lock("jobs/nightly", lock_options().with_lease(10s).with_max_wait(1min));
///
/// Bad values are reported by the lock operations as errc::invalid_argument with a message, before any
/// request is sent. (A class, not an aggregate: see write_options for the g++ 12 reason.)
class lock_options {
public:
    lock_options() noexcept = default;

    /// How long a lease lasts without renewal: written to the row, it is how long another process
    /// waits, on its own steady clock, after the last change it saw before it may take the lock over.
    /// At least 100 ms.
    std::chrono::milliseconds lease = std::chrono::seconds(20);
    /// Renewal period. None: lease / 3. Zero: no renewal (the lease then ends, reported as
    /// errc::lease_expired, when its time runs out). At most (lease - safety margin) / 2.
    std::optional<std::chrono::milliseconds> heartbeat{};
    /// How long async_lock may wait; none (the default): until acquired or cancelled. Running out is
    /// errc::lock_wait_timeout.
    std::optional<std::chrono::milliseconds> max_wait{};
    /// Waiting for a lock held by another process: polls with jittered exponential backoff from poll_min
    /// to poll_max (reset to poll_min when the lock changes hands). Waiters of the same process do not
    /// poll: they are woken when a local holder releases.
    std::chrono::milliseconds poll_min = std::chrono::milliseconds(10);
    std::chrono::milliseconds poll_max = std::chrono::milliseconds(500);
    /// How long before the lease could legally be taken over the holder reports errc::lease_expired (if
    /// it could not renew). None: lease / 10. Covers clock-rate differences and the time a loss report
    /// takes to reach the work it protects.
    std::optional<std::chrono::milliseconds> safety_margin{};
    /// When set, locker::async_wait_expiring completes once this little validity remains without a
    /// successful renewal (dynamolock's session monitor). Must be shorter than lease - safety margin.
    std::optional<std::chrono::milliseconds> expiring_warning{};
    /// The lock's data (payload attribute), written when the lease is acquired. None: nothing is written
    /// (with keep_data false, data already in the row is removed).
    std::optional<attribute_value> data{};
    /// Keep the data already in the row; `data` is then written only when the row has none.
    bool keep_data = false;
    /// Who holds the lease, written to the row. Empty: the client's default owner name,
    /// "<host>:<pid>:<random>", the same for every locker of one client.
    std::string owner{};
    /// Extra top-level attributes written on acquire. Their names must differ from the store's schema
    /// and lock_schema names.
    attribute_map attributes{};
    /// Release deletes the row instead of marking it released. Deleting resets the fencing tokens of the
    /// key (the next acquisition starts again from 1): keep the default (false) when tokens matter.
    bool delete_on_release = false;
    /// How many times in a row a lease may be passed to another waiter of the same process without a
    /// DynamoDB write (each with a new, greater fencing token) before it is released for real so that
    /// other processes get their turn. 0: never pass it on locally.
    unsigned local_handover_limit = 8;

    lock_options& with_lease(std::chrono::milliseconds d) & {
        lease = d;
        return *this;
    }
    lock_options&& with_lease(std::chrono::milliseconds d) && { return std::move(with_lease(d)); }
    lock_options& with_heartbeat(std::chrono::milliseconds d) & {
        heartbeat = d;
        return *this;
    }
    lock_options&& with_heartbeat(std::chrono::milliseconds d) && { return std::move(with_heartbeat(d)); }
    /// No renewal: the lease ends when its time runs out (Go dynalock's LockWithNoRenew, but with a
    /// loss report).
    lock_options& without_renewal() & {
        heartbeat = std::chrono::milliseconds(0);
        return *this;
    }
    lock_options&& without_renewal() && { return std::move(without_renewal()); }
    lock_options& with_max_wait(std::chrono::milliseconds d) & {
        max_wait = d;
        return *this;
    }
    lock_options&& with_max_wait(std::chrono::milliseconds d) && { return std::move(with_max_wait(d)); }
    lock_options& with_poll(std::chrono::milliseconds min, std::chrono::milliseconds max) & {
        poll_min = min;
        poll_max = max;
        return *this;
    }
    lock_options&& with_poll(std::chrono::milliseconds min, std::chrono::milliseconds max) && {
        return std::move(with_poll(min, max));
    }
    lock_options& with_safety_margin(std::chrono::milliseconds d) & {
        safety_margin = d;
        return *this;
    }
    lock_options&& with_safety_margin(std::chrono::milliseconds d) && {
        return std::move(with_safety_margin(d));
    }
    lock_options& with_expiring_warning(std::chrono::milliseconds d) & {
        expiring_warning = d;
        return *this;
    }
    lock_options&& with_expiring_warning(std::chrono::milliseconds d) && {
        return std::move(with_expiring_warning(d));
    }
    lock_options& with_data(attribute_value v) & {
        data = std::move(v);
        return *this;
    }
    lock_options&& with_data(attribute_value v) && { return std::move(with_data(std::move(v))); }
    lock_options& with_keep_data(bool keep = true) & {
        keep_data = keep;
        return *this;
    }
    lock_options&& with_keep_data(bool keep = true) && { return std::move(with_keep_data(keep)); }
    lock_options& with_owner(std::string name) & {
        owner = std::move(name);
        return *this;
    }
    lock_options&& with_owner(std::string name) && { return std::move(with_owner(std::move(name))); }
    lock_options& with_attribute(std::string name, attribute_value v) & {
        attributes.insert_or_assign(std::move(name), std::move(v));
        return *this;
    }
    lock_options&& with_attribute(std::string name, attribute_value v) && {
        return std::move(with_attribute(std::move(name), std::move(v)));
    }
    lock_options& with_delete_on_release(bool del = true) & {
        delete_on_release = del;
        return *this;
    }
    lock_options&& with_delete_on_release(bool del = true) && {
        return std::move(with_delete_on_release(del));
    }
    lock_options& with_local_handover_limit(unsigned n) & {
        local_handover_limit = n;
        return *this;
    }
    lock_options&& with_local_handover_limit(unsigned n) && {
        return std::move(with_local_handover_limit(n));
    }
};

/// How locker::async_unlock releases a lease.
class release_options {
public:
    release_options() noexcept = default;

    /// Delete the row instead of marking it released. None: lock_options::delete_on_release.
    std::optional<bool> delete_row{};
    /// Data to write on release (not with delete_row).
    std::optional<attribute_value> data{};
    /// Report success even when the release write failed for a transport or service fault: the lease
    /// then counts as released here, and other processes take the row over once its lease has passed.
    bool best_effort = false;

    release_options& with_delete_row(bool del = true) & {
        delete_row = del;
        return *this;
    }
    release_options&& with_delete_row(bool del = true) && { return std::move(with_delete_row(del)); }
    release_options& with_data(attribute_value v) & {
        data = std::move(v);
        return *this;
    }
    release_options&& with_data(attribute_value v) && { return std::move(with_data(std::move(v))); }
    release_options& with_best_effort(bool b = true) & {
        best_effort = b;
        return *this;
    }
    release_options&& with_best_effort(bool b = true) && { return std::move(with_best_effort(b)); }
};

} // namespace dynalock

#endif
