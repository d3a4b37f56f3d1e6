// SPDX-License-Identifier: BSL-1.0
#include "transport/connection_pool.hpp"

#include <dynalock/error.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace dynalock::transport {

namespace asio = boost::asio;

connection_pool::connection_pool(asio::any_io_executor ex, target t, asio::ssl::context* tls, pool_config cfg)
    : ex_(std::move(ex)), target_(std::move(t)), tls_(tls), cfg_(cfg) {}

connection_pool::~connection_pool() {
    close();
}

std::unique_ptr<connection> connection_pool::try_acquire() {
    if (closed_)
        return nullptr;
    const auto now = clock::now();
    while (!idle_.empty()) {
        auto c = std::move(idle_.back());
        idle_.pop_back();
        if (now - c->idle_since < cfg_.idle_timeout && c->still_open()) {
            ++in_use_;
            counters_.reused.fetch_add(1, std::memory_order_relaxed);
            return c;
        }
        c->close();
    }
    if (in_use_ < cfg_.max_connections) {
        ++in_use_;
        return std::make_unique<connection>(ex_, target_, tls_, counters_);
    }
    return nullptr;
}

asio::awaitable<std::pair<error_code, std::unique_ptr<connection>>> connection_pool::acquire(deadlines d) {
    while (!closed_) {
        if (auto c = try_acquire())
            co_return std::pair{error_code{}, std::move(c)};
        // Every connection is busy: wait for a release, the deadline, or cancellation.
        waiter w{asio::steady_timer(ex_, d.effective())};
        // Unregistered however this frame ends: resumed, or destroyed unresumed (an io_context torn
        // down with operations pending) — the pool must never keep a pointer into a dead frame.
        struct registration {
            std::list<waiter*>& list;
            std::list<waiter*>::iterator it;
            waiter& w;
            ~registration() {
                if (!w.notified)
                    list.erase(it);
            }
        } registered{waiters_, waiters_.insert(waiters_.end(), &w), w};
        auto [ec] = co_await w.timer.async_wait(asio::as_tuple(asio::use_awaitable));
        if (w.notified)
            continue;
        co_return std::pair{ec ? ec : d.timeout_error(), nullptr};
    }
    co_return std::pair{error_code(errc::client_stopped), nullptr};
}

void connection_pool::release(std::unique_ptr<connection> c) {
    --in_use_;
    if (c && c->reusable() && !closed_) {
        c->idle_since = clock::now();
        idle_.push_back(std::move(c));
    } else if (c) {
        c->close();
    }
    if (!waiters_.empty()) {
        auto* w = waiters_.front();
        waiters_.pop_front();
        w->notified = true;
        w->timer.cancel();
    }
}

void connection_pool::close() {
    closed_ = true;
    for (auto& c : idle_)
        c->close();
    idle_.clear();
    for (auto* w : waiters_) {
        w->notified = true;
        w->timer.cancel();
    }
    waiters_.clear();
}

} // namespace dynalock::transport
