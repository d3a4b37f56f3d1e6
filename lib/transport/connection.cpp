// SPDX-License-Identifier: BSL-1.0
#include "transport/connection.hpp"

#include <dynalock/error.hpp>

#include "transport/reply_parser.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/empty_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>

#include <openssl/ssl.h>

#include <sys/socket.h>

#include <array>
#include <cerrno>
#include <type_traits>

namespace dynalock::transport {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using asio::ip::tcp;

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// The most plaintext one TLS record carries.
constexpr std::size_t tls_record_payload = 16 * 1024;
constexpr int max_interim_replies = 8;

// 1xx replies other than 101 (a protocol switch, which we never ask for) announce the final reply.
bool is_interim(unsigned status) noexcept {
    return status >= 100 && status < 200 && status != 101;
}

// Folds the many ways a socket, TLS or HTTP step can fail into our codes. The original reason is
// kept in `detail`; cancellation stays operation_aborted so callers can tell it apart.
error_code map_io_error(const error_code& ec, const deadlines& d) {
    if (ec == beast::error::timeout)
        return d.timeout_error();
    if (ec == asio::error::operation_aborted)
        return ec;
    if (ec == http::error::body_limit || ec == http::error::header_limit ||
        ec == http::error::buffer_overflow)
        return errc::response_too_large;
    if (ec.category() == http::make_error_code(http::error::bad_version).category() &&
        ec != http::error::end_of_stream && ec != http::error::partial_message)
        return errc::malformed_response;
    return errc::connection_closed;
}

} // namespace

error_code deadlines::timeout_error() const noexcept {
    return attempt < operation ? errc::attempt_timeout : errc::operation_timeout;
}

connection::connection(asio::any_io_executor ex, const target& t, asio::ssl::context* tls,
                       transport_counters& counters)
    : target_(t), counters_(counters),
      stream_(t.tls ? std::variant<plain_stream, tls_stream>(std::in_place_type<tls_stream>, ex, *tls)
                    : std::variant<plain_stream, tls_stream>(std::in_place_type<plain_stream>, ex)) {
    if (t.proxy)
        authority_ = (t.host.find(':') != std::string::npos ? "[" + t.host + "]" : t.host) + ":" + t.port;
}

connection::plain_stream& connection::lowest_layer() noexcept {
    if (auto* s = std::get_if<tls_stream>(&stream_))
        return s->next_layer();
    return std::get<plain_stream>(stream_);
}

asio::awaitable<exchange_result> connection::connect(deadlines d) {
    exchange_result r;
    auto& tcp_layer = lowest_layer();
    tcp::resolver resolver(tcp_layer.get_executor());
    // Through a proxy the TCP connection goes to the proxy; names in messages say which one (never with
    // its credentials).
    const auto& proxy = target_.proxy;
    const std::string connect_host = proxy ? proxy->host : target_.host;
    const std::string connect_port = proxy ? std::to_string(proxy->port) : target_.port;
    const std::string what = proxy ? "proxy " + proxy->display : connect_host + ":" + connect_port;
    auto [rec, endpoints] = co_await resolver.async_resolve(connect_host, connect_port, use_tuple);
    if (rec) {
        r.ec = rec == asio::error::operation_aborted ? rec : error_code(errc::connect_failed);
        r.detail = (proxy ? "cannot resolve " + what : "cannot resolve '" + connect_host + "'") + ": " +
                   rec.message();
        co_return r;
    }
    // The single-endpoint overload: the range overload does not work with every token on Boost 1.81,
    // and trying endpoints one by one lets us report the last reason.
    error_code cec = asio::error::host_not_found;
    for (const auto& entry : endpoints) {
        tcp_layer.expires_at(d.effective());
        std::tie(cec) = co_await tcp_layer.async_connect(entry.endpoint(), use_tuple);
        if (!cec || cec == beast::error::timeout || cec == asio::error::operation_aborted)
            break;
    }
    if (cec) {
        r.ec = cec == beast::error::timeout || cec == asio::error::operation_aborted ? map_io_error(cec, d)
                                                                                     : errc::connect_failed;
        r.detail = "cannot connect to " + what + ": " + cec.message();
        co_return r;
    }
    counters_.tcp_connects.fetch_add(1, std::memory_order_relaxed);
    tcp_layer.socket().set_option(tcp::no_delay(true), cec);
    if (proxy && target_.tls) {
        r = co_await open_tunnel(d);
        if (r.ec) {
            close();
            co_return r;
        }
    }

    if (auto* tls = std::get_if<tls_stream>(&stream_)) {
        if (target_.send_sni && !SSL_set_tlsext_host_name(tls->native_handle(), target_.host.c_str())) {
            r.ec = errc::tls_handshake_failed;
            r.detail = "cannot set the TLS server name";
            co_return r;
        }
        tls->set_verify_callback(asio::ssl::host_name_verification(target_.host));
        tcp_layer.expires_at(d.effective());
        auto [hec] = co_await tls->async_handshake(asio::ssl::stream_base::client, use_tuple);
        if (hec) {
            r.ec = hec == beast::error::timeout || hec == asio::error::operation_aborted
                       ? map_io_error(hec, d)
                       : errc::tls_handshake_failed;
            r.detail = "TLS handshake with " + target_.host + " failed: " + hec.message();
            close();
            co_return r;
        }
        counters_.tls_handshakes.fetch_add(1, std::memory_order_relaxed);
    }
    tcp_layer.expires_never();
    connected_ = true;
    keep_alive_ = true;
    co_return r;
}

asio::awaitable<exchange_result> connection::open_tunnel(deadlines d) {
    exchange_result r;
    auto& tcp_layer = lowest_layer();
    const auto& proxy = *target_.proxy;
    out_.clear();
    out_.append("CONNECT ")
        .append(authority_)
        .append(" HTTP/1.1\r\nHost: ")
        .append(authority_)
        .append("\r\n");
    if (!proxy.authorization.empty())
        out_.append("Proxy-Authorization: ").append(proxy.authorization).append("\r\n");
    out_.append("\r\n");
    tcp_layer.expires_at(d.effective());
    auto [wec, written] = co_await asio::async_write(tcp_layer, asio::buffer(out_), use_tuple);
    (void)written;
    out_.clear(); // it held the proxy's credentials
    if (wec) {
        r.ec = wec == beast::error::timeout || wec == asio::error::operation_aborted ? map_io_error(wec, d)
                                                                                     : errc::connect_failed;
        r.detail = "proxy " + proxy.display + ": sending CONNECT failed: " + wec.message();
        co_return r;
    }
    // The reply to CONNECT is a head only: a 2xx turns the connection into the tunnel right after it.
    http::response_parser<http::empty_body> parser;
    parser.skip(true);
    parser.header_limit(16 * 1024);
    auto [rec, read] = co_await http::async_read_header(tcp_layer, buffer_, parser, use_tuple);
    (void)read;
    if (rec) {
        r.ec = rec == beast::error::timeout || rec == asio::error::operation_aborted ? map_io_error(rec, d)
                                                                                     : errc::connect_failed;
        r.detail = "proxy " + proxy.display + ": no reply to CONNECT " + authority_ + ": " + rec.message();
        co_return r;
    }
    const auto& head = parser.get();
    if (head.result_int() / 100 != 2) {
        r.ec = errc::connect_failed;
        r.detail = "proxy " + proxy.display + ": HTTP " + std::to_string(head.result_int());
        if (auto reason = head.reason(); !reason.empty())
            r.detail.append(" ").append(reason.data(), reason.size());
        r.detail.append(" to CONNECT ").append(authority_);
        if (head.result_int() == 407)
            r.detail.append(proxy.authorization.empty()
                                ? " (the proxy wants credentials: put them in the proxy URL)"
                                : " (the proxy refused the credentials of the proxy URL)");
        co_return r;
    }
    if (buffer_.size() != 0) {
        // The server speaks first in no protocol we tunnel: bytes here mean a confused proxy.
        r.ec = errc::connect_failed;
        r.detail = "proxy " + proxy.display + ": unexpected bytes after the reply to CONNECT";
        buffer_.clear();
        co_return r;
    }
    co_return r;
}

template <class Stream>
asio::awaitable<exchange_result> connection::exchange_on(Stream& s, const core::http_request& req,
                                                         core::http_response& out, deadlines d,
                                                         std::size_t body_limit) {
    exchange_result r;
    auto& tcp_layer = lowest_layer();
    counters_.exchanges.fetch_add(1, std::memory_order_relaxed);
    out_.clear();
    core::write_request_head(req, out_);
    if (std::is_same_v<Stream, plain_stream> && target_.proxy) {
        // Plain http through a proxy: the absolute form tells it where to forward the request.
        out_.insert(req.method.size() + 1, "http://" + authority_);
        if (!target_.proxy->authorization.empty())
            out_.insert(out_.find("\r\n") + 2,
                        "Proxy-Authorization: " + target_.proxy->authorization + "\r\n");
    }
    // Plain TCP: head and body in one gathered write (one sendmsg), the body not copied. TLS encrypts each
    // buffer of a sequence separately: a request that fits in one record goes as one buffer (one record);
    // a larger one is not copied (its body would fill several records anyway).
    const bool merge =
        std::is_same_v<Stream, tls_stream> && out_.size() + req.body.size() <= tls_record_payload;
    if (merge)
        out_.append(req.body);
    const std::array<asio::const_buffer, 2> buffers{asio::buffer(out_),
                                                    merge ? asio::const_buffer() : asio::buffer(req.body)};
    tcp_layer.expires_at(d.effective());
    r.request_sent = true; // from here on the server may have seen (part of) the request
    auto [wec, written] = co_await asio::async_write(s, buffers, use_tuple);
    (void)written;
    if (wec) {
        r.ec = map_io_error(wec, d);
        r.detail = "sending the request failed: " + wec.message();
        close();
        co_return r;
    }
    // Interim replies (100 Continue, 103 Early Hints) may come before the final one: each is read as a
    // message of its own and skipped, up to a bound.
    for (int interim = 0;; ++interim) {
        reply_parser parser(out);
        parser.body_limit(body_limit);
        parser.header_limit(64 * 1024);
        auto [rec, read] = co_await http::async_read(s, buffer_, parser, use_tuple);
        (void)read;
        r.reply_started = r.reply_started || parser.got_some();
        if (rec) {
            r.ec = map_io_error(rec, d);
            r.detail = "reading the reply failed: " + rec.message();
            close();
            co_return r;
        }
        keep_alive_ = parser.keep_alive();
        if (!is_interim(out.status))
            break;
        if (interim == max_interim_replies) {
            r.ec = errc::malformed_response;
            r.detail = "more than " + std::to_string(max_interim_replies) + " interim (1xx) replies";
            close();
            co_return r;
        }
    }
    tcp_layer.expires_never();
    co_return r;
}

// Not a coroutine itself: it hands back the awaitable of the right stream, one coroutine frame fewer.
asio::awaitable<exchange_result> connection::exchange(const core::http_request& req, core::http_response& out,
                                                      deadlines d, std::size_t body_limit) {
    if (auto* tls = std::get_if<tls_stream>(&stream_))
        return exchange_on(*tls, req, out, d, body_limit);
    return exchange_on(std::get<plain_stream>(stream_), req, out, d, body_limit);
}

bool connection::still_open() noexcept {
    if (!connected_)
        return false;
    int fd = lowest_layer().socket().native_handle();
    char byte;
    auto n = ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0)
        return false; // the server closed it (FIN)
    if (n > 0)
        // Plain HTTP: bytes nobody asked for mean a confused peer. TLS: post-handshake records
        // (session tickets) are normal and consumed by the next read.
        return target_.tls;
    return errno == EAGAIN || errno == EWOULDBLOCK;
}

void connection::close() noexcept {
    connected_ = false;
    keep_alive_ = false;
    error_code ignored;
    lowest_layer().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest_layer().close();
}

} // namespace dynalock::transport
