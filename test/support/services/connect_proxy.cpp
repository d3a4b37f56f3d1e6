// SPDX-License-Identifier: BSL-1.0
#include "support/services/connect_proxy.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <mutex>
#include <optional>
#include <thread>

namespace dynalock::test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto token = asio::as_tuple(asio::use_awaitable);

struct host_port {
    std::string host;
    std::string port;
};

// "host:port" or "[v6]:port".
std::optional<host_port> split_authority(std::string_view a) {
    if (!a.empty() && a.front() == '[') {
        auto close = a.find(']');
        if (close == std::string_view::npos || close + 1 >= a.size() || a[close + 1] != ':')
            return std::nullopt;
        return host_port{std::string(a.substr(1, close - 1)), std::string(a.substr(close + 2))};
    }
    auto colon = a.rfind(':');
    if (colon == std::string_view::npos)
        return std::nullopt;
    return host_port{std::string(a.substr(0, colon)), std::string(a.substr(colon + 1))};
}

asio::awaitable<bool> connect_to(tcp::socket& s, const host_port& to) {
    tcp::resolver resolver(s.get_executor());
    auto [rec, endpoints] = co_await resolver.async_resolve(to.host, to.port, token);
    if (rec)
        co_return false;
    for (const auto& e : endpoints) {
        boost::system::error_code ignored;
        if (s.is_open())
            s.close(ignored);
        auto [cec] = co_await s.async_connect(e.endpoint(), token);
        if (!cec)
            co_return true;
    }
    co_return false;
}

asio::awaitable<void> pipe(std::shared_ptr<tcp::socket> from, std::shared_ptr<tcp::socket> to) {
    char data[16 * 1024];
    for (;;) {
        auto [ec, n] = co_await from->async_read_some(asio::buffer(data), token);
        if (ec) {
            boost::system::error_code ignored;
            to->shutdown(tcp::socket::shutdown_send, ignored);
            co_return;
        }
        auto [wec, written] = co_await asio::async_write(*to, asio::buffer(data, n), token);
        if (wec)
            co_return;
    }
}

asio::awaitable<void> write_status(tcp::socket& s, unsigned status, std::string_view reason,
                                   std::string_view extra = {}) {
    std::string head = "HTTP/1.1 " + std::to_string(status) + " " + std::string(reason) + "\r\n" +
                       std::string(extra) + "Content-Length: 0\r\nConnection: close\r\n\r\n";
    co_await asio::async_write(s, asio::buffer(head), token);
}

} // namespace

struct connect_proxy::state : std::enable_shared_from_this<state> {
    asio::io_context ioc;
    tcp::acceptor acceptor{ioc};
    std::thread thread;
    std::string required;
    std::uint16_t port = 0;

    mutable std::mutex mutex;
    std::size_t tunnels = 0;
    std::size_t forwarded = 0;
    std::size_t refused = 0;
    std::vector<std::string> lines;
    std::vector<std::string> authorizations;
    std::vector<std::string> hosts;

    asio::awaitable<void> serve(std::shared_ptr<tcp::socket> client) {
        beast::flat_buffer buffer;
        for (;;) {
            http::request_parser<http::string_body> parser;
            parser.body_limit(32 * 1024 * 1024);
            auto [ec, n] = co_await http::async_read(*client, buffer, parser, token);
            if (ec)
                co_return;
            auto req = parser.release();
            const std::string target(req.target());
            const std::string authorization(req[http::field::proxy_authorization]);
            {
                std::lock_guard lock(mutex);
                lines.push_back(std::string(req.method_string()) + " " + target);
                authorizations.push_back(authorization);
                hosts.emplace_back(req[http::field::host]);
            }
            if (!required.empty() && authorization != required) {
                {
                    std::lock_guard lock(mutex);
                    ++refused;
                }
                co_await write_status(*client, 407, "Proxy Authentication Required",
                                      "Proxy-Authenticate: Basic realm=\"test\"\r\n");
                co_return;
            }
            if (req.method() == http::verb::connect) {
                auto to = split_authority(target);
                auto upstream = std::make_shared<tcp::socket>(ioc);
                if (!to || !co_await connect_to(*upstream, *to)) {
                    co_await write_status(*client, 502, "Bad Gateway");
                    co_return;
                }
                std::string_view established = "HTTP/1.1 200 Connection Established\r\n\r\n";
                auto [wec, w] = co_await asio::async_write(*client, asio::buffer(established), token);
                if (wec)
                    co_return;
                {
                    std::lock_guard lock(mutex);
                    ++tunnels;
                }
                if (buffer.size() > 0) { // the client did not wait for the 200: pass those bytes on too
                    auto [bec, bw] = co_await asio::async_write(*upstream, buffer.data(), token);
                    if (bec)
                        co_return;
                }
                asio::co_spawn(ioc, pipe(upstream, client), asio::detached);
                co_await pipe(client, upstream);
                co_return;
            }
            // Absolute form: http://host:port/path -> origin form to host:port.
            constexpr std::string_view scheme = "http://";
            if (target.rfind(scheme, 0) != 0) {
                co_await write_status(*client, 400, "Bad Request");
                co_return;
            }
            auto slash = target.find('/', scheme.size());
            auto authority = target.substr(scheme.size(), slash == std::string::npos ? std::string::npos
                                                                                     : slash - scheme.size());
            auto to = split_authority(authority);
            if (!to)
                to = host_port{authority, "80"};
            tcp::socket upstream(ioc);
            if (!co_await connect_to(upstream, *to)) {
                co_await write_status(*client, 502, "Bad Gateway");
                co_return;
            }
            const bool keep_alive = req.keep_alive();
            req.target(slash == std::string::npos ? "/" : target.substr(slash));
            req.erase(http::field::proxy_authorization);
            req.keep_alive(false);
            auto [fec, fw] = co_await http::async_write(upstream, req, token);
            if (fec)
                co_return;
            beast::flat_buffer upstream_buffer;
            http::response<http::string_body> res;
            auto [rec, rn] = co_await http::async_read(upstream, upstream_buffer, res, token);
            if (rec) {
                co_await write_status(*client, 502, "Bad Gateway");
                co_return;
            }
            {
                std::lock_guard lock(mutex);
                ++forwarded;
            }
            res.keep_alive(keep_alive);
            auto [cwec, cw] = co_await http::async_write(*client, res, token);
            if (cwec || !keep_alive)
                co_return;
        }
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto client = std::make_shared<tcp::socket>(ioc);
            auto [ec] = co_await acceptor.async_accept(*client, token);
            if (ec)
                co_return;
            asio::co_spawn(ioc, serve(std::move(client)), asio::detached);
        }
    }
};

connect_proxy::connect_proxy(std::string required_authorization) : state_(std::make_shared<state>()) {
    state_->required = std::move(required_authorization);
    tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
    state_->acceptor.open(ep.protocol());
    state_->acceptor.set_option(tcp::acceptor::reuse_address(true));
    state_->acceptor.bind(ep);
    state_->acceptor.listen();
    state_->port = state_->acceptor.local_endpoint().port();
    asio::co_spawn(state_->ioc, state_->accept_loop(), asio::detached);
    state_->thread = std::thread([s = state_] { s->ioc.run(); });
}

connect_proxy::~connect_proxy() {
    state_->ioc.stop();
    if (state_->thread.joinable())
        state_->thread.join();
}

std::uint16_t connect_proxy::port() const noexcept {
    return state_->port;
}

std::string connect_proxy::authority() const {
    return "127.0.0.1:" + std::to_string(state_->port);
}

std::size_t connect_proxy::tunnels() const {
    std::lock_guard lock(state_->mutex);
    return state_->tunnels;
}

std::size_t connect_proxy::forwarded() const {
    std::lock_guard lock(state_->mutex);
    return state_->forwarded;
}

std::size_t connect_proxy::refused() const {
    std::lock_guard lock(state_->mutex);
    return state_->refused;
}

std::vector<std::string> connect_proxy::request_lines() const {
    std::lock_guard lock(state_->mutex);
    return state_->lines;
}

std::vector<std::string> connect_proxy::authorizations() const {
    std::lock_guard lock(state_->mutex);
    return state_->authorizations;
}

std::vector<std::string> connect_proxy::hosts() const {
    std::lock_guard lock(state_->mutex);
    return state_->hosts;
}

} // namespace dynalock::test
