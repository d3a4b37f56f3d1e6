// SPDX-License-Identifier: BSL-1.0
// A loopback TCP proxy in front of a real server, for lock tests that need a fault the server cannot
// produce by itself: a request that reaches the server but whose reply never comes back (the client
// then cannot know whether its write landed), or a client cut off from the server while others still
// reach it. It understands just enough HTTP/1.1 to tell requests apart; everything else passes as is.
//
// Each client connection is served by a thread of its own with blocking Asio sockets, so the proxy never
// depends on the test's io_context (which may be busy, or paused on purpose).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace dynalock::test {

/// One request that went through the proxy.
struct proxied_request {
    std::string target; ///< the X-Amz-Target header, e.g. "DynamoDB_20120810.Query"
    std::string body;
    bool reply_dropped = false;
    std::string authorization;  ///< the Authorization header (its Credential names the access key id)
    std::string security_token; ///< the X-Amz-Security-Token header, empty when absent
};

class fault_proxy {
public:
    /// Listens on a free port of 127.0.0.1 and forwards every connection to `upstream_host:upstream_port`.
    fault_proxy(const std::string& upstream_host, std::uint16_t upstream_port);
    fault_proxy(const fault_proxy&) = delete;
    fault_proxy& operator=(const fault_proxy&) = delete;
    /// Closes every connection and joins the threads.
    ~fault_proxy();

    /// "http://127.0.0.1:PORT": the endpoint to give a client.
    std::string endpoint() const;
    std::uint16_t port() const noexcept { return port_; }

    /// The next request whose headers and body contain every one of `needles` is forwarded and answered
    /// by the server as usual, but the reply is thrown away and the client's connection closed instead.
    /// Rules queue up; each one applies to one request.
    void drop_reply_of_next(std::vector<std::string> needles);
    /// While on, requests are held before they are forwarded: the server never sees them and the client
    /// never gets an answer, as if the server had stopped for this client only. Turning it off lets the
    /// held requests go on.
    void set_stalled(bool on);

    /// Replies thrown away so far.
    std::size_t dropped() const noexcept { return dropped_.load(); }
    /// Requests held right now by set_stalled(true).
    std::size_t held() const noexcept { return held_.load(); }
    /// Every request read so far, in arrival order.
    std::vector<proxied_request> requests() const;

private:
    using tcp = boost::asio::ip::tcp;

    void accept_loop();
    void serve(std::shared_ptr<tcp::socket> client);
    // Blocks while stalled; false when the proxy is shutting down.
    bool wait_while_stalled();
    // Registers a socket so that the destructor can wake a thread blocked on it.
    void track(const std::shared_ptr<tcp::socket>& socket);

    tcp::endpoint upstream_;
    boost::asio::io_context ioc_;
    tcp::acceptor acceptor_;
    std::uint16_t port_ = 0;
    std::thread accept_thread_;

    std::atomic<bool> stopping_{false};
    std::atomic<std::size_t> dropped_{0};
    std::atomic<std::size_t> held_{0};

    mutable std::mutex mutex_;
    std::condition_variable stall_changed_;
    bool stalled_ = false;
    std::vector<std::vector<std::string>> drop_rules_;
    std::vector<proxied_request> requests_;
    std::vector<std::shared_ptr<tcp::socket>> sockets_;
    std::vector<std::thread> connection_threads_;
};

} // namespace dynalock::test
