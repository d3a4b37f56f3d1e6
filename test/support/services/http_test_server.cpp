// SPDX-License-Identifier: BSL-1.0
#include "support/services/http_test_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <cctype>
#include <mutex>
#include <thread>

namespace dynalock::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

std::string http_exchange::header(const std::string& name) const {
    auto it = headers.find(name);
    return it == headers.end() ? std::string() : it->second;
}

struct http_test_server::state : std::enable_shared_from_this<state> {
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::thread thread;
    mutable std::mutex mutex;
    handler on_request;
    std::vector<http_exchange> seen;
    std::string host;
    std::uint16_t port = 0;

    asio::awaitable<void> serve(tcp::socket socket) {
        constexpr auto token = asio::as_tuple(asio::use_awaitable);
        beast::flat_buffer buffer;
        for (;;) {
            http::request<http::string_body> req;
            auto [ec, n] = co_await http::async_read(socket, buffer, req, token);
            if (ec)
                co_return;
            http_exchange x;
            x.method = std::string(req.method_string());
            x.target = std::string(req.target());
            for (const auto& f : req) {
                std::string name(f.name_string());
                std::transform(name.begin(), name.end(), name.begin(),
                               [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
                x.headers[name] = std::string(f.value());
            }
            x.body = req.body();
            handler h;
            {
                std::lock_guard lock(mutex);
                seen.push_back(x);
                h = on_request;
            }
            http_answer a = h ? h(x) : answer(404, "");
            if (a.delay.count() > 0) {
                asio::steady_timer t(socket.get_executor(), a.delay);
                co_await t.async_wait(token);
            }
            if (a.close)
                co_return;
            if (a.hang) {
                // Read until the peer goes away or the server stops; never answer.
                char sink[256];
                for (;;) {
                    auto [rec, rn] = co_await socket.async_read_some(asio::buffer(sink), token);
                    if (rec)
                        co_return;
                }
            }
            http::response<http::string_body> res{static_cast<http::status>(a.status), 11};
            for (auto& [name, value] : a.headers)
                res.set(name, value);
            res.body() = std::move(a.body);
            res.keep_alive(req.keep_alive());
            res.prepare_payload();
            auto [wec, wn] = co_await http::async_write(socket, res, token);
            if (wec || !req.keep_alive())
                co_return;
        }
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec)
                co_return;
            asio::co_spawn(ioc, serve(std::move(socket)), asio::detached);
        }
    }
};

http_test_server::http_test_server(handler h, const std::string& address)
    : state_(std::make_shared<state>()) {
    state_->on_request = std::move(h);
    auto addr = asio::ip::make_address(address);
    tcp::endpoint ep(addr, 0);
    state_->acceptor.open(ep.protocol());
    state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    state_->acceptor.bind(ep);
    state_->acceptor.listen();
    state_->port = state_->acceptor.local_endpoint().port();
    state_->host = addr.is_v6() ? "[" + address + "]" : address;
    asio::co_spawn(state_->ioc, state_->accept_loop(), asio::detached);
    state_->thread = std::thread([s = state_] { s->ioc.run(); });
}

http_test_server::~http_test_server() {
    state_->ioc.stop();
    if (state_->thread.joinable())
        state_->thread.join();
}

std::uint16_t http_test_server::port() const noexcept {
    return state_->port;
}

std::string http_test_server::url() const {
    return "http://" + state_->host + ":" + std::to_string(state_->port);
}

std::vector<http_exchange> http_test_server::requests() const {
    std::lock_guard lock(state_->mutex);
    return state_->seen;
}

std::size_t http_test_server::request_count() const {
    std::lock_guard lock(state_->mutex);
    return state_->seen.size();
}

void http_test_server::set_handler(handler h) {
    std::lock_guard lock(state_->mutex);
    state_->on_request = std::move(h);
}

} // namespace dynalock::test
