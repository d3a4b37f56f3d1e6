// SPDX-License-Identifier: BSL-1.0
// A scripted HTTP peer on a loopback port, for fault tests of the client: it answers each request
// with what the test's script says (a canned reply, garbage, a truncated reply, a closed
// connection, or nothing at all). It runs on its own thread and io_context.
#ifndef DYNALOCK_TEST_FAULT_PEER_HPP
#define DYNALOCK_TEST_FAULT_PEER_HPP

#include "core/crc32.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace dynalock::test {

/// What the peer does with one request.
struct peer_action {
    enum kind { reply, close, hang } what = reply;
    std::string bytes;        ///< written as is (reply)
    bool close_after = false; ///< close the connection after writing
};

inline peer_action reply_raw(std::string bytes, bool close_after = false) {
    return {peer_action::reply, std::move(bytes), close_after};
}
inline peer_action close_connection() {
    return {peer_action::close, {}, false};
}
inline peer_action never_answer() {
    return {peer_action::hang, {}, false};
}

/// An HTTP/1.1 reply with Content-Length, a correct x-amz-crc32 and the extra header lines given.
inline std::string http_reply(unsigned status, std::string_view body,
                              std::vector<std::string> extra_headers = {}, bool with_crc = true) {
    std::string r = "HTTP/1.1 " + std::to_string(status) + " Status\r\n";
    r += "Content-Type: application/x-amz-json-1.0\r\n";
    r += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    r += "x-amzn-RequestId: TESTREQUEST" + std::to_string(status) + "\r\n";
    if (with_crc)
        r += "x-amz-crc32: " + std::to_string(core::crc32(body)) + "\r\n";
    for (auto& h : extra_headers)
        r += h + "\r\n";
    r += "\r\n";
    r.append(body);
    return r;
}

struct received_request {
    std::string target;   ///< X-Amz-Target
    std::string amz_date; ///< X-Amz-Date
    std::string authorization;
    std::string body;
};

class fault_peer {
public:
    using script = std::function<peer_action(const received_request&, std::size_t index)>;

    explicit fault_peer(script s)
        : script_(std::move(s)), acceptor_(ioc_, {boost::asio::ip::make_address("127.0.0.1"), 0}) {
        port_ = acceptor_.local_endpoint().port();
        thread_ = std::thread([this] { accept_loop(); });
    }
    ~fault_peer() {
        stopping_ = true;
        boost::system::error_code ec;
        // Wake the blocking accept with a connection of our own, then close everything.
        boost::asio::io_context wake;
        boost::asio::ip::tcp::socket s(wake);
        s.connect({boost::asio::ip::make_address("127.0.0.1"), port_}, ec);
        thread_.join();
        // Shutting the sockets down wakes connection threads blocked in a read; then join them all.
        std::vector<std::thread> threads;
        {
            std::lock_guard lock(mutex_);
            for (auto& sock : sockets_)
                sock->shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
            threads.swap(connection_threads_);
        }
        for (auto& t : threads)
            t.join();
    }

    std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::size_t connections() const { return connections_.load(); }
    /// Connections the peer has closed itself (after close_after or close_connection()).
    std::size_t closed_by_peer() const { return closed_by_peer_.load(); }
    std::vector<received_request> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    void accept_loop() {
        for (;;) {
            auto sock = std::make_shared<boost::asio::ip::tcp::socket>(ioc_);
            boost::system::error_code ec;
            acceptor_.accept(*sock, ec);
            if (ec || stopping_)
                return;
            connections_.fetch_add(1);
            std::lock_guard lock(mutex_);
            sockets_.push_back(sock);
            connection_threads_.emplace_back([this, sock] { serve(*sock); });
        }
    }

    // Under the mutex: the destructor shuts down every socket from another thread, and a close racing
    // with it would be a data race on the socket object.
    void close_from_peer(boost::asio::ip::tcp::socket& sock) {
        boost::system::error_code ec;
        {
            std::lock_guard lock(mutex_);
            sock.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
            sock.close(ec);
        }
        closed_by_peer_.fetch_add(1);
    }

    void serve(boost::asio::ip::tcp::socket& sock) {
        namespace http = boost::beast::http;
        boost::beast::flat_buffer buffer;
        for (;;) {
            http::request<http::string_body> req;
            boost::system::error_code ec;
            http::read(sock, buffer, req, ec);
            if (ec)
                return;
            received_request r{std::string(req["X-Amz-Target"]), std::string(req["X-Amz-Date"]),
                               std::string(req["Authorization"]), req.body()};
            std::size_t index;
            {
                std::lock_guard lock(mutex_);
                index = requests_.size();
                requests_.push_back(r);
            }
            auto action = script_(r, index);
            if (action.what == peer_action::hang)
                return; // keep the socket open, never answer
            if (action.what == peer_action::close) {
                close_from_peer(sock);
                return;
            }
            boost::asio::write(sock, boost::asio::buffer(action.bytes), ec);
            if (ec || action.close_after) {
                close_from_peer(sock);
                return;
            }
        }
    }

    script script_;
    boost::asio::io_context ioc_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::thread thread_;
    std::atomic<bool> stopping_{false};
    std::atomic<std::size_t> connections_{0};
    std::atomic<std::size_t> closed_by_peer_{0};
    mutable std::mutex mutex_;
    std::vector<received_request> requests_;
    std::vector<std::shared_ptr<boost::asio::ip::tcp::socket>> sockets_;
    std::vector<std::thread> connection_threads_;
};

} // namespace dynalock::test

#endif
