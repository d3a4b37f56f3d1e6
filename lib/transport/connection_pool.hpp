// SPDX-License-Identifier: BSL-1.0
// A bounded pool of keep-alive connections to one endpoint. All calls run on the client's strand.
// Idle connections are reused newest first; one that idled too long, or that the server closed
// meanwhile, is dropped instead. When max_connections are busy, acquire() waits (bounded by the
// caller's deadline and cancellable) until one is released.
#ifndef DYNALOCK_TRANSPORT_CONNECTION_POOL_HPP
#define DYNALOCK_TRANSPORT_CONNECTION_POOL_HPP

#include "transport/connection.hpp"

#include <boost/asio/steady_timer.hpp>

#include <list>
#include <memory>
#include <vector>

namespace dynalock::transport {

struct pool_config {
    std::size_t max_connections = 64;
    clock::duration idle_timeout = std::chrono::seconds(4);
};

class connection_pool {
public:
    connection_pool(boost::asio::any_io_executor ex, target t, boost::asio::ssl::context* tls,
                    pool_config cfg);
    ~connection_pool();

    /// An idle open connection, or a new unconnected one when none is idle; null when every connection is
    /// busy or the pool is closed. The common case, without the coroutine frame acquire() costs.
    std::unique_ptr<connection> try_acquire();

    /// An idle open connection, or a new unconnected one when none is idle. Fails with
    /// errc::operation_timeout at `deadline`, operation_aborted when cancelled, client_stopped after close().
    boost::asio::awaitable<std::pair<error_code, std::unique_ptr<connection>>> acquire(deadlines d);

    /// Returns a connection: kept for reuse when reusable, closed otherwise. Wakes one waiter.
    void release(std::unique_ptr<connection> c);

    /// Closes the idle connections and fails the waiters; later acquire() calls fail.
    void close();

    transport_counters& counters() noexcept { return counters_; }
    std::size_t idle_count() const noexcept { return idle_.size(); }

private:
    struct waiter {
        boost::asio::steady_timer timer;
        bool notified = false;
    };

    boost::asio::any_io_executor ex_;
    target target_;
    boost::asio::ssl::context* tls_;
    pool_config cfg_;
    transport_counters counters_;
    std::vector<std::unique_ptr<connection>> idle_;
    std::list<waiter*> waiters_;
    std::size_t in_use_ = 0;
    bool closed_ = false;
};

} // namespace dynalock::transport

#endif
