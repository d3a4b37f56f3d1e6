// SPDX-License-Identifier: BSL-1.0
// The leases of one client and the lockers waiting for them: one session per key, driven by a coroutine on
// the registry's strand (acquire → hold with heartbeats → hand over locally or release), and the state of
// each locker. The decisions are the core's (lib/core/lock_machines.hpp); this file only performs them.
#ifndef DYNALOCK_LOCK_REGISTRY_HPP
#define DYNALOCK_LOCK_REGISTRY_HPP

#include <dynalock/locker.hpp>

#include "client_impl.hpp"
#include "core/lock_machines.hpp"
#include "core/lock_requests.hpp"
#include "store_impl.hpp"

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <deque>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <vector>

namespace dynalock::detail {

class lock_registry;
struct key_session;

/// A completion handler kept until an event, with the work guard of its executor.
struct pending_handler {
    locker_handler handler;
    boost::asio::any_completion_executor work;
    boost::asio::any_io_executor strand; ///< completions are posted through it, out of the caller's frame
    std::uint64_t id = 0;
};

struct locker_state : std::enable_shared_from_this<locker_state> {
    // Fixed at construction.
    std::shared_ptr<lock_registry> registry;
    store_state_ptr store;
    std::string key;
    lock_options options;
    core::lease_terms terms;
    error_code config_error;
    std::string config_message;

    // Read from any thread.
    mutable std::mutex mutex;
    bool held = false;
    std::chrono::steady_clock::time_point valid_until{};
    std::int64_t token = 0;
    error_code lost_reason;
    std::optional<attribute_value> data;

    // On the registry's strand only.
    enum class phase { idle, waiting, held, unlocking } stage = phase::idle;
    bool single_attempt = false;
    std::optional<pending_handler> lock_op;
    diagnostics* lock_diag = nullptr;
    std::optional<boost::asio::steady_timer> max_wait_timer;
    std::list<pending_handler> lost_waiters;
    std::list<pending_handler> expiring_waiters;
    std::unique_ptr<boost::asio::cancellation_signal> lost_signal;
    std::shared_ptr<key_session> session;

    core::lock_target target() const noexcept {
        return {store->table, store->partition, store->options.schema, store->options.locks};
    }
    void publish(bool is_held, std::chrono::steady_clock::time_point until, std::int64_t tok,
                 error_code reason);
};

class lock_registry : public std::enable_shared_from_this<lock_registry> {
public:
    lock_registry(boost::asio::any_io_executor ex, std::weak_ptr<client_impl> client);

    boost::asio::any_io_executor strand; ///< made by make_strand_executor
    std::weak_ptr<client_impl> client;
    std::string process_id; ///< "<host>:<pid>:<random>": default owner and waiter mark

    /// Key of a session: table, partition and key.
    static std::string session_id(const locker_state& l);
    std::unordered_map<std::string, std::shared_ptr<key_session>> sessions;
    /// What this client last saw of other holders, per session id (bounded).
    std::unordered_map<std::string, core::lock_observation> observations;
    bool stopping = false;
    std::vector<std::function<void()>> on_stopped;
    std::mt19937_64 random;
    std::uint64_t next_handler_id = 1;

    /// What client::stats() reports about the lockers.
    struct counters {
        std::atomic<std::uint64_t> acquisitions{0}, local_handovers{0}, acquire_writes{0}, reads{0},
            waiter_marks{0}, heartbeats{0}, releases{0};
    } count;
    static void bump(std::atomic<std::uint64_t>& c) noexcept { c.fetch_add(1, std::memory_order_relaxed); }

    std::string new_lease_id();
    void remember(const std::string& id, const std::optional<core::lock_observation>& o);
    /// Releases every lease, fails every waiter with client_stopped, then calls `done` (on the strand).
    void shutdown(std::function<void()> done);
    void session_ended(const std::string& id);
};

/// The registry of a client, created on first use.
std::shared_ptr<lock_registry> registry_of(const std::shared_ptr<client_impl>& impl);

} // namespace dynalock::detail

#endif
