// SPDX-License-Identifier: BSL-1.0
#include "support/fault_proxy.hpp"

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <algorithm>
#include <utility>

namespace dynalock::test {

namespace http = boost::beast::http;

namespace {

// The text a drop rule is matched against: every header line, then the body.
std::string searchable_text(const http::request<http::string_body>& req) {
    std::string text;
    for (const auto& field : req) {
        text.append(field.name_string());
        text += ": ";
        text.append(field.value());
        text += "\r\n";
    }
    text += req.body();
    return text;
}

bool contains_all(const std::string& text, const std::vector<std::string>& needles) {
    return std::all_of(needles.begin(), needles.end(),
                       [&](const std::string& n) { return text.find(n) != std::string::npos; });
}

void close_socket(boost::asio::ip::tcp::socket& s) {
    boost::system::error_code ignored;
    s.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ignored);
    s.close(ignored);
}

} // namespace

fault_proxy::fault_proxy(const std::string& upstream_host, std::uint16_t upstream_port)
    : upstream_(boost::asio::ip::make_address(upstream_host), upstream_port),
      acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { accept_loop(); });
}

fault_proxy::~fault_proxy() {
    {
        std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    stall_changed_.notify_all();
    // A blocking accept only returns for a connection: make one of our own.
    boost::system::error_code ec;
    boost::asio::io_context wake;
    tcp::socket s(wake);
    s.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
    accept_thread_.join();
    // Shutting the sockets down wakes the threads blocked reading them.
    std::vector<std::thread> threads;
    {
        std::lock_guard lock(mutex_);
        for (auto& socket : sockets_)
            socket->shutdown(tcp::socket::shutdown_both, ec);
        threads.swap(connection_threads_);
    }
    for (auto& t : threads)
        t.join();
}

std::string fault_proxy::endpoint() const {
    return "http://127.0.0.1:" + std::to_string(port_);
}

void fault_proxy::drop_reply_of_next(std::vector<std::string> needles) {
    std::lock_guard lock(mutex_);
    drop_rules_.push_back(std::move(needles));
}

void fault_proxy::set_stalled(bool on) {
    {
        std::lock_guard lock(mutex_);
        stalled_ = on;
    }
    stall_changed_.notify_all();
}

std::vector<proxied_request> fault_proxy::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

void fault_proxy::track(const std::shared_ptr<tcp::socket>& socket) {
    std::lock_guard lock(mutex_);
    sockets_.push_back(socket);
}

void fault_proxy::accept_loop() {
    for (;;) {
        auto client = std::make_shared<tcp::socket>(ioc_);
        boost::system::error_code ec;
        acceptor_.accept(*client, ec);
        if (ec || stopping_)
            return;
        std::lock_guard lock(mutex_);
        sockets_.push_back(client);
        connection_threads_.emplace_back([this, client] { serve(client); });
    }
}

bool fault_proxy::wait_while_stalled() {
    std::unique_lock lock(mutex_);
    if (stalled_) {
        ++held_;
        stall_changed_.wait(lock, [&] { return !stalled_ || stopping_; });
        --held_;
    }
    return !stopping_;
}

void fault_proxy::serve(std::shared_ptr<tcp::socket> client) {
    auto upstream = std::make_shared<tcp::socket>(ioc_);
    track(upstream);
    boost::system::error_code ec;
    upstream->connect(upstream_, ec);
    if (ec) {
        std::lock_guard lock(mutex_);
        close_socket(*client);
        return;
    }
    boost::beast::flat_buffer client_buffer;
    boost::beast::flat_buffer upstream_buffer;
    for (;;) {
        http::request<http::string_body> req;
        http::read(*client, client_buffer, req, ec);
        if (ec || !wait_while_stalled())
            break;

        bool drop = false;
        {
            std::lock_guard lock(mutex_);
            const auto text = searchable_text(req);
            auto rule = std::find_if(drop_rules_.begin(), drop_rules_.end(),
                                     [&](const auto& needles) { return contains_all(text, needles); });
            if (rule != drop_rules_.end()) {
                drop = true;
                drop_rules_.erase(rule);
            }
            requests_.push_back({std::string(req["X-Amz-Target"]), req.body(), drop,
                                 std::string(req["Authorization"]),
                                 std::string(req["X-Amz-Security-Token"])});
        }

        http::write(*upstream, req, ec);
        if (ec)
            break;
        http::response<http::string_body> res;
        http::read(*upstream, upstream_buffer, res, ec);
        if (ec)
            break;
        if (drop) {
            // The server has applied the request; the client only sees its connection close.
            ++dropped_;
            break;
        }
        http::write(*client, res, ec);
        if (ec || res.need_eof() || !req.keep_alive())
            break;
    }
    // Under the lock: the destructor may be shutting these sockets down from its own thread.
    std::lock_guard lock(mutex_);
    close_socket(*client);
    close_socket(*upstream);
}

} // namespace dynalock::test
