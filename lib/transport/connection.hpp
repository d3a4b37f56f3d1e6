// SPDX-License-Identifier: BSL-1.0
// One keep-alive HTTP/1.1 connection to the endpoint, plain or TLS, driven by C++20 coroutines.
// Every step is bounded by a deadline (Beast closes the socket when it passes, so a timed-out
// connection can never be reused), and every step honours the awaiting coroutine's cancellation.
#ifndef DYNALOCK_TRANSPORT_CONNECTION_HPP
#define DYNALOCK_TRANSPORT_CONNECTION_HPP

#include "core/http_message.hpp"
#include "core/proxy_config.hpp"

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

namespace dynalock::transport {

using clock = std::chrono::steady_clock;
using error_code = boost::system::error_code;

/// Where connections go.
struct target {
    std::string host;     ///< name or IP literal, without brackets
    std::string port;     ///< service string for the resolver
    bool tls = false;     ///< https
    bool send_sni = true; ///< false for IP literals (SNI carries names only)
    /// Connect through this HTTP proxy: for https an HTTP CONNECT tunnel to host:port, then TLS with the
    /// real host's name (SNI and certificate check) end to end; for http, requests in absolute form.
    std::optional<core::proxy_server> proxy;
};

/// The two deadlines of an attempt. The earlier one bounds each step; which one it was decides the
/// error: errc::attempt_timeout or errc::operation_timeout.
struct deadlines {
    clock::time_point attempt;
    clock::time_point operation;

    clock::time_point effective() const noexcept { return attempt < operation ? attempt : operation; }
    error_code timeout_error() const noexcept;
};

/// What happened to one step (connect, or request and reply).
struct exchange_result {
    error_code ec;
    bool request_sent = false;  ///< bytes of the request may have reached the server
    bool reply_started = false; ///< at least one byte of a reply arrived
    std::string detail;         ///< the low-level reason (resolver, socket, OpenSSL), for diagnostics
};

/// Counters shared by all connections of a client (read by client::stats()).
struct transport_counters {
    std::atomic<std::uint64_t> tcp_connects{0};
    std::atomic<std::uint64_t> tls_handshakes{0};
    std::atomic<std::uint64_t> exchanges{0};
    std::atomic<std::uint64_t> reused{0};
};

class connection {
public:
    connection(boost::asio::any_io_executor ex, const target& t, boost::asio::ssl::context* tls,
               transport_counters& counters);
    connection(const connection&) = delete;
    connection& operator=(const connection&) = delete;

    /// Resolves, connects and (for https) does the TLS handshake with SNI and host-name checks. Through a
    /// proxy, connects to the proxy (and, for https, opens a CONNECT tunnel first); a proxy that refuses is
    /// errc::connect_failed with "proxy http://host:port: HTTP <status> <reason>" in the detail.
    boost::asio::awaitable<exchange_result> connect(deadlines d);

    /// Writes `req` (its head is serialized into a buffer the connection keeps, so a kept-alive connection
    /// sends without allocating) and reads the reply into `out`. A reply over `body_limit` bytes is an error.
    boost::asio::awaitable<exchange_result> exchange(const core::http_request& req, core::http_response& out,
                                                     deadlines d, std::size_t body_limit);

    bool is_connected() const noexcept { return connected_; }
    /// True when the connection may carry another request: open, keep-alive, nothing left unread.
    bool reusable() const noexcept { return connected_ && keep_alive_ && buffer_.size() == 0; }
    /// Cheap check, before reuse, that the server has not closed the idle connection meanwhile.
    bool still_open() noexcept;
    void close() noexcept;

    clock::time_point idle_since{};

private:
    using plain_stream = boost::beast::tcp_stream;
    using tls_stream = boost::asio::ssl::stream<boost::beast::tcp_stream>;

    plain_stream& lowest_layer() noexcept;
    boost::asio::awaitable<exchange_result> open_tunnel(deadlines d);
    template <class Stream>
    boost::asio::awaitable<exchange_result> exchange_on(Stream& s, const core::http_request& req,
                                                        core::http_response& out, deadlines d,
                                                        std::size_t body_limit);

    const target& target_;
    transport_counters& counters_;
    std::variant<plain_stream, tls_stream> stream_;
    boost::beast::flat_buffer buffer_;
    std::string out_;       ///< the head of the request being sent (and its body, over TLS, when small)
    std::string authority_; ///< host:port of the target (IPv6 in brackets), for the proxy
    bool connected_ = false;
    bool keep_alive_ = false;
};

} // namespace dynalock::transport

#endif
