// SPDX-License-Identifier: BSL-1.0
// The HTTP server example, driven as a user would drive it: start it, read the port it prints, talk
// HTTP to it over one keep-alive connection, and see it exit 0 once its request budget is spent.
#include "support/child_process.hpp"
#include "support/integration_helpers.hpp"
#include "support/test_servers.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace {

#ifdef DYNALOCK_EXAMPLE_HTTP_SERVER_PATH
constexpr const char* http_server_path = DYNALOCK_EXAMPLE_HTTP_SERVER_PATH;
#else
constexpr const char* http_server_path = ""; // example not built: the test fails, it does not skip
#endif

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

// The port from `listening on 127.0.0.1:PORT`; nullopt for any other line.
std::optional<std::uint16_t> port_of(std::string_view line) {
    constexpr std::string_view prefix = "listening on 127.0.0.1:";
    if (line.substr(0, prefix.size()) != prefix)
        return std::nullopt;
    line.remove_prefix(prefix.size());
    std::uint16_t port = 0;
    auto [end, ec] = std::from_chars(line.data(), line.data() + line.size(), port);
    if (ec != std::errc() || end != line.data() + line.size() || port == 0)
        return std::nullopt;
    return port;
}

// A blocking HTTP/1.1 client on one connection; a server that stops answering fails the read after
// 30 s instead of hanging the suite.
class http_connection {
public:
    explicit http_connection(std::uint16_t port) : socket_(ioc_) {
        socket_.connect(tcp::endpoint(asio::ip::address_v4::loopback(), port));
        timeval timeout{30, 0};
        ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    }

    http::response<http::string_body> send(http::verb verb, const std::string& target, std::string body = {},
                                           std::string_view header = {}, std::string_view value = {}) {
        http::request<http::string_body> req(verb, target, 11);
        req.set(http::field::host, "127.0.0.1");
        if (!header.empty())
            req.set(header, value);
        if (verb == http::verb::put) {
            req.body() = std::move(body);
            req.prepare_payload();
        }
        http::write(socket_, req);
        http::response<http::string_body> res;
        http::read(socket_, buffer_, res);
        return res;
    }

private:
    asio::io_context ioc_;
    tcp::socket socket_;
    beast::flat_buffer buffer_;
};

class http_server_example_test : public dynalock::test::server_test {};

// The conversation itself: ASSERTs return from here, and the caller still reaps the child.
void converse(std::uint16_t port, const std::string& key) {
    http_connection conn(port);
    const std::string target = "/kv/" + key;
    const std::string value("binary\0value", 12); // a NUL byte must survive the round trip

    auto put = conn.send(http::verb::put, target, value);
    ASSERT_EQ(put.result(), http::status::ok) << put.body();
    ASSERT_TRUE(put.keep_alive());
    const std::string first_version(put["Version"]);
    ASSERT_FALSE(first_version.empty());

    auto get = conn.send(http::verb::get, target);
    EXPECT_EQ(get.result(), http::status::ok) << get.body();
    EXPECT_EQ(get.body(), value);
    EXPECT_EQ(get["Version"], first_version);

    auto missing = conn.send(http::verb::get, target + "-missing");
    EXPECT_EQ(missing.result(), http::status::not_found);

    // Create-only on a key that exists.
    auto create = conn.send(http::verb::put, target, "other", "If-None-Match", "*");
    EXPECT_EQ(create.result(), http::status::conflict) << create.body();

    // A second write moves the version on, so the first one is stale.
    auto second = conn.send(http::verb::put, target, "second");
    ASSERT_EQ(second.result(), http::status::ok) << second.body();
    EXPECT_NE(second["Version"], first_version);
    auto stale = conn.send(http::verb::put, target, "third", "If-Version", first_version);
    EXPECT_EQ(stale.result(), http::status::conflict) << stale.body();

    auto removed = conn.send(http::verb::delete_, target);
    EXPECT_EQ(removed.result(), http::status::no_content) << removed.body();

    auto gone = conn.send(http::verb::get, target);
    EXPECT_EQ(gone.result(), http::status::not_found) << gone.body();
    EXPECT_FALSE(gone.keep_alive()); // the last request of the budget: the server says it closes
}

constexpr int request_budget = 8; // the requests converse() sends

} // namespace

TEST_P(http_server_example_test, keep_alive_conversation_then_clean_exit) {
    auto child = dynalock::test::spawn_program(http_server_path,
                                               {"--endpoint", server().endpoint, "--table",
                                                dynalock::test::unique_table("http-server"), "--port", "0",
                                                "--requests", std::to_string(request_budget)},
                                               dynalock::test::throwaway_aws_env("http-server-home"));
    ASSERT_GE(child.pid, 0);
    const auto line = dynalock::test::read_line(child.out_fd, std::chrono::seconds(60));
    const auto port = line ? port_of(*line) : std::nullopt;
    EXPECT_TRUE(port) << "first stdout line: " << line.value_or("(none within 60 s)");
    if (port)
        converse(*port, "greeting/hello");
    // A failed conversation leaves the budget unspent: stop the server rather than wait for it.
    if (HasFailure())
        ::kill(child.pid, SIGTERM);
    const auto status = dynalock::test::wait_for_exit(child.pid, std::chrono::seconds(30));
    // Exactly one line on stdout: after it, end of file.
    const auto more = dynalock::test::read_line(child.out_fd, std::chrono::seconds(1));
    EXPECT_FALSE(more) << "unexpected stdout: " << *more;
    ::close(child.out_fd);
    ASSERT_TRUE(status) << "the server did not exit within 30 s";
    EXPECT_EQ(*status, 0);
}

DYNALOCK_INSTANTIATE_OVER_PLAIN_SERVERS(http_server_example_test);
