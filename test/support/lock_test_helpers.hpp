// SPDX-License-Identifier: BSL-1.0
// Helpers shared by the locker's integration tests (locker_test.cpp, locker_faults_test.cpp): waiting for
// events with deadlines, the lock operations as error codes, and reading lock rows.
#ifndef DYNALOCK_TEST_LOCK_TEST_HELPERS_HPP
#define DYNALOCK_TEST_LOCK_TEST_HELPERS_HPP

#include <dynalock/dynalock.hpp>

#include "integration_helpers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace dynalock::test::locks {

namespace asio = boost::asio;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
inline constexpr auto tuple = asio::as_tuple(asio::deferred);

inline double ms(clock_type::duration d) {
    return std::chrono::duration<double, std::milli>(d).count();
}

// What an operation started in the background reported, and when.
struct completion {
    bool done = false;
    error_code ec;
    clock_type::time_point at{};
};

inline auto record(std::shared_ptr<completion> c) {
    return [c](error_code ec) {
        c->ec = ec;
        c->at = clock_type::now();
        c->done = true;
    };
}

// Checks `condition` every 2 ms until it holds or `timeout` passes; returns whether it held.
template <class Condition>
asio::awaitable<bool> eventually(Condition condition, clock_type::duration timeout) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto deadline = clock_type::now() + timeout;
    while (!condition()) {
        if (clock_type::now() >= deadline)
            co_return false;
        timer.expires_after(2ms);
        co_await timer.async_wait(tuple);
    }
    co_return true;
}

// Lets `d` pass: only to watch that something does NOT happen during a window, never to wait for it.
inline asio::awaitable<void> watch_for(clock_type::duration d) {
    asio::steady_timer timer(co_await asio::this_coro::executor, d);
    co_await timer.async_wait(tuple);
}

// A new table per test; lock rows live in partition "locks".
inline asio::awaitable<store> make_lock_store(client& db, std::string_view base) {
    store kv(db, unique_table(base), "locks");
    co_await kv.async_create_table();
    co_return kv;
}

// The same table and partition seen through another client (another process, as far as DynamoDB and
// the lockers can tell: each client has its own owner name and process id).
inline store same_store(client& other, const store& kv) {
    return store(other, kv.table(), kv.partition());
}

inline asio::awaitable<error_code> lock(locker& lk) {
    auto [ec] = co_await lk.async_lock(tuple);
    co_return ec;
}
inline asio::awaitable<error_code> try_lock(locker& lk) {
    auto [ec] = co_await lk.async_try_lock(tuple);
    co_return ec;
}
inline asio::awaitable<error_code> unlock(locker& lk) {
    auto [ec] = co_await lk.async_unlock(tuple);
    co_return ec;
}

inline asio::awaitable<lock_info> read_row(store& kv, std::string key) {
    auto [ec, info] = co_await kv.async_read_lock(key, tuple);
    require(!ec, "read_lock " + key + ": " + ec.message());
    co_return info;
}

// Reads the row every 10 ms until `condition(row)` holds or `timeout` passes; returns the last row read
// (the caller checks it).
template <class Condition>
asio::awaitable<lock_info> read_until(store& kv, std::string key, Condition condition,
                                      clock_type::duration timeout) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto deadline = clock_type::now() + timeout;
    for (;;) {
        auto row = co_await read_row(kv, key);
        if (condition(row) || clock_type::now() >= deadline)
            co_return row;
        timer.expires_after(10ms);
        co_await timer.async_wait(tuple);
    }
}

// Waiters poll quickly so that handovers between clients do not dominate the run time.
inline lock_options quick(std::chrono::milliseconds lease) {
    return lock_options().with_lease(lease).with_poll(10ms, 100ms);
}

} // namespace dynalock::test::locks

#endif
