// SPDX-License-Identifier: BSL-1.0
// A distributed lock on one key of a store: an awaitable lease renewed by a heartbeat coroutine, whose
// loss is reported with a reason through an awaitable and a cancellation slot.
#ifndef DYNALOCK_LOCKER_HPP
#define DYNALOCK_LOCKER_HPP

#include <dynalock/config.hpp>
#include <dynalock/diagnostics.hpp>
#include <dynalock/error.hpp>
#include <dynalock/lock_info.hpp>
#include <dynalock/lock_options.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/cancellation_signal.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

namespace dynalock {

class store;

namespace detail {

struct locker_state;
using locker_handler = boost::asio::any_completion_handler<void(error_code)>;

// Compiled in lib/locker.cpp.
void async_locker_lock(std::shared_ptr<locker_state> st, bool single_attempt, diagnostics* diag,
                       locker_handler handler);
void async_locker_unlock(std::shared_ptr<locker_state> st, release_options options, diagnostics* diag,
                         locker_handler handler);
void async_locker_wait_lost(std::shared_ptr<locker_state> st, locker_handler handler);
void async_locker_wait_expiring(std::shared_ptr<locker_state> st, locker_handler handler);

struct initiate_locker_op {
    template <class Handler, class Function, class... Args>
    void operator()(Handler&& handler, Function function, Args&&... args) const {
        function(std::forward<Args>(args)..., std::forward<Handler>(handler));
    }
};

} // namespace detail

/// A lock on one key of a store: the Go dynalock `Locker`, made awaitable.
///
/// `co_await lk.async_lock()` waits until this locker holds the lease; a heartbeat coroutine on the
/// client's executor then renews it until `async_unlock`, the locker's destruction, the client's shutdown,
/// or its loss. Loss is reported with a reason — errc::lease_stolen (another owner's write is in the
/// row), errc::lease_expired (it could not be renewed in time; reported a safety margin *before* another
/// process may take it over) or errc::lease_released (our own release) — in three ways:
///  - `async_wait_lost()` completes with the reason (any number of waiters);
///  - `lost_slot()` is a cancellation slot that gets a terminal cancellation when the lease ends, to bind
///    the protected work to (`bind_cancellation_slot`): the C++ form of Go's `stopChan`;
///  - `is_held()`, `valid_until()` and `lost_reason()` answer at once, from any thread.
///
/// Every acquisition yields a fencing token (`fencing_token()`) greater than every earlier token of the
/// key, also across releases, takeovers and processes, as long as the row is not deleted. Pass it to the
/// systems the lock protects so that they can reject a holder that paused longer than its lease.
///
/// Lockers of one client that want the same key queue up in memory: only the first one polls DynamoDB,
/// and a releasing holder passes the lease directly to the next one (no DynamoDB write, a new token), a
/// bounded number of times (lock_options::local_handover_limit) before other processes get their turn.
/// Across processes, a waiter marks itself in the row and the next release is reserved for it.
///
/// @par Per-operation cancellation
/// async_lock and async_try_lock support terminal, partial and total cancellation: while waiting nothing
/// is left behind; if a conditional write was in flight, the operation completes with operation_aborted
/// at once and the outcome is resolved in the background (a lease that was acquired is released).
/// async_unlock supports terminal and partial cancellation: the release may or may not have been written,
/// and the lease counts as released here either way. The wait operations support terminal, partial and
/// total cancellation (no side effects). A cancelled operation completes with operation_aborted.
///
/// @par Executor
/// Work runs on the client's executor; handlers run on their associated executor (default: the
/// client's), never inside the initiating function.
///
/// @par Lifetimes
/// The client must outlive the locker's operations and its lease. Destroying a locker that holds its
/// lease releases it in the background.
///
/// @par Thread safety
/// Distinct objects: safe. Shared objects: is_held, valid_until, fencing_token, lost_reason, owner and
/// key are safe from any thread; the asynchronous functions may be called from any thread, but only one
/// async_lock/async_try_lock/async_unlock of a locker may run at a time (another fails with
/// errc::operation_in_progress). lost_slot must not be called concurrently with itself.
class locker {
public:
    using executor_type = boost::asio::any_io_executor;

    /// A locker for `key` of `kv`'s table and partition. No I/O; bad options or a bad key make the
    /// operations fail (see configuration_error()).
    locker(const store& kv, std::string key, lock_options options = {});
    locker(locker&&) noexcept;
    locker& operator=(locker&&) noexcept;
    locker(const locker&) = delete;
    locker& operator=(const locker&) = delete;
    /// Never blocks. A held lease is released in the background; waiters of async_wait_lost complete
    /// with errc::lease_released.
    ~locker();

    const std::string& key() const noexcept;
    const lock_options& options() const noexcept;
    executor_type get_executor() const noexcept;
    /// Why operations cannot run (bad options, key or store), with a message; empty when they can.
    error_code configuration_error(std::string* message = nullptr) const;
    /// The owner name written to the row.
    const std::string& owner() const noexcept;

    /// True while the lease is held and its validity (valid_until) has not passed.
    bool is_held() const noexcept;
    /// Until when the lease is surely ours (steady clock): the start of the last successful write plus
    /// the lease, minus the safety margin. time_point{} when not held.
    std::chrono::steady_clock::time_point valid_until() const noexcept;
    /// The fencing token of the current (or last) acquisition; 0 before the first.
    std::int64_t fencing_token() const noexcept;
    /// Why the last lease ended (lease_stolen, lease_expired, lease_released); empty while held or
    /// before the first acquisition.
    error_code lost_reason() const noexcept;
    /// The lock's data as the row had it when the lease was acquired (with keep_data: the kept value).
    std::optional<attribute_value> data() const;

    /// Acquires the lease: waits until it is ours, the operation is cancelled, or
    /// lock_options::max_wait runs out (errc::lock_wait_timeout). A lock whose holder stopped renewing is
    /// taken over once its row has not changed for a whole lease on our own steady clock. Transient
    /// faults (throttling, timeouts, 5xx) while waiting are retried. Fails at once with
    /// errc::operation_in_progress if the locker is already locking, holds the lease or is unlocking.
    /// Signature: `void(error_code)`. Cancellation: terminal, partial, total.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code)) CompletionToken = default_completion_token_t>
    auto async_lock(CompletionToken&& token = {}) {
        return initiate(token, &detail::async_locker_lock, state_, false, nullptr);
    }
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code)) CompletionToken = default_completion_token_t>
    auto async_lock(diagnostics& diag, CompletionToken&& token = {}) {
        return initiate(token, &detail::async_locker_lock, state_, false, &diag);
    }

    /// One attempt (Go's LockWithNoTryPolling): errc::lock_not_acquired if another owner holds the
    /// lease or a local locker holds or waits for it. It takes over a lock that this client saw unchanged
    /// for a whole lease earlier. Signature: `void(error_code)`. Cancellation: terminal, partial, total.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code)) CompletionToken = default_completion_token_t>
    auto async_try_lock(CompletionToken&& token = {}) {
        return initiate(token, &detail::async_locker_lock, state_, true, nullptr);
    }
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code)) CompletionToken = default_completion_token_t>
    auto async_try_lock(diagnostics& diag, CompletionToken&& token = {}) {
        return initiate(token, &detail::async_locker_lock, state_, true, &diag);
    }

    /// Releases the lease: stops the heartbeat, then writes the release conditioned on our owner and
    /// lease (never touching someone else's lock), or passes it to a local waiter. Completes with success
    /// also when the lease was already lost (the loss was reported by then); errc::lease_stolen if the
    /// release found another owner's lease in the row. Signature: `void(error_code)`. Cancellation:
    /// terminal, partial.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code)) CompletionToken = default_completion_token_t>
    auto async_unlock(CompletionToken&& token = {}) {
        return initiate(token, &detail::async_locker_unlock, state_, release_options(), nullptr);
    }
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code)) CompletionToken = default_completion_token_t>
    auto async_unlock(release_options options, CompletionToken&& token = {}) {
        return initiate(token, &detail::async_locker_unlock, state_, std::move(options), nullptr);
    }
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code)) CompletionToken = default_completion_token_t>
    auto async_unlock(release_options options, diagnostics& diag, CompletionToken&& token = {}) {
        return initiate(token, &detail::async_locker_unlock, state_, std::move(options), &diag);
    }

    /// Completes when the current lease ends, with its reason: errc::lease_stolen, lease_expired or
    /// lease_released. When no lease is held, completes at once with the last reason (lease_released
    /// before the first acquisition). Signature: `void(error_code)`. Cancellation: terminal, partial,
    /// total.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code)) CompletionToken = default_completion_token_t>
    auto async_wait_lost(CompletionToken&& token = {}) {
        return initiate(token, &detail::async_locker_wait_lost, state_);
    }

    /// Completes without error once only lock_options::expiring_warning of validity remains and no
    /// renewal has succeeded since (the danger zone), or with the loss reason if the lease ends first.
    /// errc::invalid_argument without expiring_warning. Signature: `void(error_code)`. Cancellation:
    /// terminal, partial, total.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code)) CompletionToken = default_completion_token_t>
    auto async_wait_expiring(CompletionToken&& token = {}) {
        return initiate(token, &detail::async_locker_wait_expiring, state_);
    }

    /// A slot that receives a terminal cancellation when the current lease ends (for any reason), for
    /// work bound with `bind_cancellation_slot`. The slot belongs to the current lease: take it after
    /// async_lock. A slot holds one handler; the signal is emitted on the client's executor.
    boost::asio::cancellation_slot lost_slot();

private:
    template <class CompletionToken, class... Args>
    static auto initiate(CompletionToken& token, Args&&... args) {
        return boost::asio::async_initiate<CompletionToken, void(error_code)>(
            detail::initiate_locker_op{}, token, std::forward<Args>(args)...);
    }

    std::shared_ptr<detail::locker_state> state_;
};

} // namespace dynalock

#endif
