// SPDX-License-Identifier: BSL-1.0
// An HTTP/1.1 front end for the key/value store: one io_context, one coroutine per connection.
//
//   GET    /kv/<key>   200 with the value bytes (and a `Version` header), 404 when the key is absent
//   PUT    /kv/<key>   the body becomes the value: 200 with the new `Version`
//                      `If-Version: N`    compare-and-swap: 409 when the pair has another version
//                      `If-None-Match: *` create only: 409 when the key exists
//   DELETE /kv/<key>   204 (deleting an absent key succeeds too)
//
// Keys are the percent-decoded path after /kv/. Invalid keys are 400; the service failing (throttling,
// unreachable, ...) is 503, so an HTTP client can retry later. Run it against a local server:
//
//   example_http_server --endpoint http://127.0.0.1:8000 [--table NAME] [--port N] [--requests N]
//
// It listens on 127.0.0.1 only (port 0: any free port) and prints `listening on 127.0.0.1:PORT` once it
// accepts connections. It stops after N requests when --requests is given, or on SIGINT/SIGTERM.
// Exit status: 0 after a clean stop, 1 when it cannot start, 64 for bad arguments.
#include <dynalock/dynalock.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>

#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <exception>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using namespace dynalock;

namespace {

// Failures come back as error codes: every one of them becomes an HTTP status, none is exceptional.
constexpr auto store_tuple = asio::as_tuple(asio::deferred);
// Beast 1.81 is safest with use_awaitable (see asio-style.md §0).
constexpr auto net_tuple = asio::as_tuple(asio::use_awaitable);

using request = http::request<http::string_body>;
using response = http::response<http::string_body>;

// What every connection shares: the store, the request budget, and what to cancel on shutdown.
struct server_state {
    server_state(asio::io_context& ioc, store s, std::optional<std::uint64_t> requests)
        : kv(std::move(s)), acceptor(ioc), signals(ioc, SIGINT, SIGTERM), requests_left(requests) {}

    store kv;
    tcp::acceptor acceptor;
    asio::signal_set signals;
    std::optional<std::uint64_t> requests_left; // --requests: stop when it reaches 0
    std::set<beast::tcp_stream*> connections;   // idle keep-alive connections must be woken up to stop
    bool stopping = false;

    // Stops accepting and wakes every connection; each finishes the request it is serving (a store
    // write is never abandoned half way) and then closes, so io_context::run returns on its own.
    void stop() {
        if (stopping)
            return;
        stopping = true;
        error_code ignored;
        acceptor.close(ignored);
        signals.cancel(ignored);
        for (auto* stream : connections)
            stream->cancel();
    }
};

// Decodes %XX escapes; nullopt for a malformed escape. '+' stays '+': this is a path, not a form.
std::optional<std::string> percent_decode(std::string_view in) {
    std::string out;
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        if (in[i] != '%') {
            out.push_back(in[i]);
            continue;
        }
        unsigned value = 0;
        if (in.size() - i < 3)
            return std::nullopt;
        auto [end, ec] = std::from_chars(in.data() + i + 1, in.data() + i + 3, value, 16);
        if (ec != std::errc() || end != in.data() + i + 3)
            return std::nullopt;
        out.push_back(static_cast<char>(value));
        i += 2;
    }
    return out;
}

// The store's outcomes as HTTP statuses.
http::status status_for(const error_code& ec) {
    if (ec == errc::key_not_found)
        return http::status::not_found;
    if (ec == errc::key_exists || ec == errc::version_mismatch)
        return http::status::conflict;
    if (ec == errc::item_too_large)
        return http::status::payload_too_large;
    if (ec == errc::empty_key || ec == errc::key_too_large || ec == errc::invalid_utf8 ||
        ec == errc::invalid_argument)
        return http::status::bad_request;
    // Everything else is the service or the network failing: the request itself may succeed later.
    return http::status::service_unavailable;
}

response make_response(const request& req, http::status status, std::string body = {},
                       const char* content_type = "text/plain") {
    response res(status, req.version());
    res.keep_alive(req.keep_alive());
    if (status != http::status::no_content) {
        res.set(http::field::content_type, content_type);
        res.body() = std::move(body);
        res.prepare_payload();
    }
    return res;
}

response error_response(const request& req, const error_code& ec) {
    return make_response(req, status_for(ec), ec.message() + "\n");
}

response with_version(response res, std::int64_t version) {
    res.set("Version", std::to_string(version));
    return res;
}

asio::awaitable<response> handle_get(store& kv, const request& req, std::string key) {
    auto [ec, pair] = co_await kv.async_get(std::move(key), store_tuple);
    if (ec)
        co_return error_response(req, ec);
    auto bytes = pair.bytes();
    if (!bytes) // written by someone else as a structured value: not ours to serve as bytes
        co_return make_response(req, http::status::internal_server_error, "the value is not bytes\n");
    co_return with_version(
        make_response(req, http::status::ok, std::move(*bytes), "application/octet-stream"), pair.version);
}

asio::awaitable<response> handle_put(store& kv, request& req, std::string key) {
    auto options = write_options().with_bytes(std::move(req.body()));
    bool conditional = false;
    if (auto it = req.find("If-Version"); it != req.end()) {
        std::int64_t version = 0;
        const auto text = it->value();
        auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), version);
        if (ec != std::errc() || end != text.data() + text.size() || version <= 0)
            co_return make_response(req, http::status::bad_request,
                                    "If-Version must be a positive integer\n");
        options.if_version(version);
        conditional = true;
    } else if (auto inm = req.find(http::field::if_none_match); inm != req.end()) {
        if (inm->value() != "*")
            co_return make_response(req, http::status::bad_request, "only If-None-Match: * is supported\n");
        conditional = true; // no previous version: atomic_put creates only
    }
    error_code ec;
    kv_pair pair;
    if (conditional)
        std::tie(ec, pair) = co_await kv.async_atomic_put(std::move(key), std::move(options), store_tuple);
    else
        std::tie(ec, pair) = co_await kv.async_put(std::move(key), std::move(options), store_tuple);
    if (ec)
        co_return error_response(req, ec);
    co_return with_version(make_response(req, http::status::ok), pair.version);
}

asio::awaitable<response> handle_delete(store& kv, const request& req, std::string key) {
    auto [ec] = co_await kv.async_remove(std::move(key), store_tuple);
    if (ec)
        co_return error_response(req, ec);
    co_return make_response(req, http::status::no_content);
}

asio::awaitable<response> handle(store& kv, request& req) {
    constexpr std::string_view prefix = "/kv/";
    std::string_view target = req.target();
    target = target.substr(0, target.find('?')); // no query parameters are used
    if (target.substr(0, prefix.size()) != prefix)
        co_return make_response(req, http::status::not_found, "not found\n");
    auto key = percent_decode(target.substr(prefix.size()));
    if (!key)
        co_return make_response(req, http::status::bad_request, "malformed percent escape in the key\n");
    switch (req.method()) {
    case http::verb::get:
        co_return co_await handle_get(kv, req, std::move(*key));
    case http::verb::put:
        co_return co_await handle_put(kv, req, std::move(*key));
    case http::verb::delete_:
        co_return co_await handle_delete(kv, req, std::move(*key));
    default: {
        auto res = make_response(req, http::status::method_not_allowed, "method not allowed\n");
        res.set(http::field::allow, "GET, PUT, DELETE");
        co_return res;
    }
    }
}

asio::awaitable<void> serve_connection(server_state& server, tcp::socket socket) {
    beast::tcp_stream stream(std::move(socket));
    server.connections.insert(&stream);
    beast::flat_buffer buffer;
    while (!server.stopping) {
        request req;
        // An idle keep-alive connection should not hold a socket forever.
        stream.expires_after(std::chrono::seconds(60));
        auto [read_ec, read_bytes] = co_await http::async_read(stream, buffer, req, net_tuple);
        if (read_ec)
            break;              // closed by the peer, timed out, malformed, or woken up by stop()
        stream.expires_never(); // the store has its own timeouts
        auto res = co_await handle(server.kv, req);
        // Tell the client this is the last response rather than dropping a kept-alive connection.
        const bool last = server.requests_left && *server.requests_left == 1;
        if (last || server.stopping)
            res.keep_alive(false);
        stream.expires_after(std::chrono::seconds(60));
        auto [write_ec, written] = co_await http::async_write(stream, res, net_tuple);
        if (server.requests_left && --*server.requests_left == 0)
            server.stop();
        if (write_ec || !res.keep_alive())
            break;
    }
    server.connections.erase(&stream);
    error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
}

asio::awaitable<void> run(server_state& server, std::uint16_t port) {
    // The table first: requests can only be served once it is ACTIVE.
    co_await server.kv.async_create_table(table_options().with_if_not_exists());

    const tcp::endpoint where(asio::ip::address_v4::loopback(), port);
    server.acceptor.open(where.protocol());
    server.acceptor.set_option(asio::socket_base::reuse_address(true));
    server.acceptor.bind(where);
    server.acceptor.listen();
    // The one line on stdout: a script (or a test) reads the port from it, so it must not sit in a buffer.
    std::printf("listening on 127.0.0.1:%u\n",
                static_cast<unsigned>(server.acceptor.local_endpoint().port()));
    std::fflush(stdout);

    server.signals.async_wait([&server](const error_code& ec, int) {
        if (!ec)
            server.stop();
    });
    while (!server.stopping) {
        auto [ec, socket] = co_await server.acceptor.async_accept(net_tuple);
        if (ec) {
            if (server.stopping)
                break;
            continue; // e.g. too many open files: the listening socket is still fine
        }
        asio::co_spawn(server.acceptor.get_executor(), serve_connection(server, std::move(socket)),
                       asio::detached);
    }
}

bool parse_number(const char* text, std::uint64_t max, std::uint64_t& out) {
    const auto size = std::strlen(text);
    auto [end, ec] = std::from_chars(text, text + size, out);
    return ec == std::errc() && end == text + size && out <= max;
}

} // namespace

int main(int argc, char** argv) {
    client_options options;
    std::string table = "dynalock-http-server";
    std::uint64_t port = 8080;
    std::optional<std::uint64_t> requests;
    for (int i = 1; i < argc; ++i) {
        const bool has_value = i + 1 < argc;
        std::uint64_t number = 0;
        if (!std::strcmp(argv[i], "--endpoint") && has_value)
            options.endpoint = argv[++i];
        else if (!std::strcmp(argv[i], "--table") && has_value)
            table = argv[++i];
        else if (!std::strcmp(argv[i], "--port") && has_value && parse_number(argv[i + 1], 65535, port))
            ++i;
        else if (!std::strcmp(argv[i], "--requests") && has_value &&
                 parse_number(argv[i + 1], UINT64_MAX, number) && number > 0) {
            requests = number;
            ++i;
        } else {
            std::fprintf(stderr, "usage: %s [--endpoint URL] [--table NAME] [--port N] [--requests N]\n",
                         argv[0]);
            return 64;
        }
    }

    asio::io_context ioc;
    client db(ioc, options);
    std::string why;
    if (auto ec = db.configuration_error(&why)) {
        std::fprintf(stderr, "cannot use the endpoint: %s: %s\n", ec.message().c_str(), why.c_str());
        return 1;
    }

    server_state server(ioc, store(db, table, "http"), requests);
    int status = 0;
    asio::co_spawn(ioc, run(server, static_cast<std::uint16_t>(port)), [&](std::exception_ptr ep) {
        if (!ep)
            return;
        // Could not start (no table, port taken): nothing else keeps the server alive.
        status = 1;
        server.stop();
        try {
            std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "failed: %s\n", e.what());
        }
    });
    ioc.run();
    return status;
}
