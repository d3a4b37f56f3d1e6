// SPDX-License-Identifier: BSL-1.0
// Self-test of the integration fixture: the servers answer real DynamoDB requests, the TLS server
// presents the certificate the tests expect, and the fixture's own promises hold (servers stop, a
// failed start is an error with the server's log, the network is private). Talks raw HTTP/1.1 over
// POSIX sockets and OpenSSL, without any dynalock code, so that a dynalock bug cannot hide a fixture bug.
#include "support/local_servers.hpp"
#include "support/test_servers.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>

namespace {

using dynalock::test::local_server;
using dynalock::test::server_kind;

class socket_fd {
public:
    explicit socket_fd(int fd) noexcept : fd_(fd) {}
    socket_fd(socket_fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    socket_fd& operator=(socket_fd&&) = delete;
    ~socket_fd() {
        if (fd_ >= 0)
            ::close(fd_);
    }
    int get() const noexcept { return fd_; }

private:
    int fd_;
};

// A blocking TCP connection to 127.0.0.1:port with 10 s send and receive timeouts.
socket_fd connect_to(std::uint16_t port) {
    socket_fd fd{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    if (fd.get() < 0)
        throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    timeval limit{};
    limit.tv_sec = 10;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
        throw std::runtime_error("connect to port " + std::to_string(port) + ": " + std::strerror(errno));
    return fd;
}

std::string list_tables_request(bool with_authorization) {
    std::string request = "POST / HTTP/1.1\r\n"
                          "Host: localhost\r\n"
                          "X-Amz-Target: DynamoDB_20120810.ListTables\r\n"
                          "Content-Type: application/x-amz-json-1.0\r\n"
                          "X-Amz-Date: 20260101T000000Z\r\n";
    if (with_authorization)
        request +=
            "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/aws4_request, "
            "SignedHeaders=host, Signature=00\r\n";
    request += "Content-Length: 2\r\n"
               "Connection: close\r\n"
               "\r\n"
               "{}";
    return request;
}

struct http_reply {
    int status = 0;
    std::string body;
};

// Splits a complete HTTP/1.1 response; status 0 when it is not one.
http_reply parse_reply(std::string_view raw) {
    http_reply reply;
    constexpr std::string_view prefix = "HTTP/1.1 ";
    const auto header_end = raw.find("\r\n\r\n");
    if (raw.substr(0, prefix.size()) != prefix || header_end == std::string_view::npos || raw.size() < 12)
        return reply;
    reply.status = std::atoi(std::string(raw.substr(prefix.size(), 3)).c_str());
    reply.body = raw.substr(header_end + 4);
    return reply;
}

// Sends `request` and reads until the server closes (the requests say Connection: close).
std::string exchange_plain(std::uint16_t port, std::string_view request) {
    const socket_fd fd = connect_to(port);
    if (::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(request.size()))
        return {};
    std::string raw;
    char buffer[4096];
    for (;;) {
        const ssize_t n = ::recv(fd.get(), buffer, sizeof buffer, 0);
        if (n <= 0)
            break;
        raw.append(buffer, static_cast<std::size_t>(n));
    }
    return raw;
}

struct ssl_ctx_deleter {
    void operator()(SSL_CTX* p) const noexcept { SSL_CTX_free(p); }
};
struct ssl_deleter {
    void operator()(SSL* p) const noexcept { SSL_free(p); }
};

struct tls_outcome {
    bool handshake_ok = false;
    long verify_result = X509_V_OK;
    std::string raw_reply;
};

// A verifying TLS client: trusts only `ca_file`, checks the certificate for `host` (a DNS name or an
// IP address), sends `request` once the handshake succeeds and reads the reply to the end.
tls_outcome exchange_tls(std::uint16_t port, const std::filesystem::path& ca_file, const std::string& host,
                         std::string_view request) {
    std::unique_ptr<SSL_CTX, ssl_ctx_deleter> ctx{SSL_CTX_new(TLS_client_method())};
    if (!ctx || SSL_CTX_load_verify_locations(ctx.get(), ca_file.c_str(), nullptr) != 1)
        throw std::runtime_error("cannot load " + ca_file.string());
    SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    std::unique_ptr<SSL, ssl_deleter> ssl{SSL_new(ctx.get())};
    in_addr ip{};
    const bool is_ip = ::inet_pton(AF_INET, host.c_str(), &ip) == 1;
    if (is_ip) {
        X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl.get()), host.c_str());
    } else {
        SSL_set_tlsext_host_name(ssl.get(), host.c_str());
        SSL_set1_host(ssl.get(), host.c_str());
    }
    const socket_fd fd = connect_to(port);
    SSL_set_fd(ssl.get(), fd.get());
    tls_outcome outcome;
    outcome.handshake_ok = SSL_connect(ssl.get()) == 1;
    outcome.verify_result = SSL_get_verify_result(ssl.get());
    if (outcome.handshake_ok && SSL_write(ssl.get(), request.data(), static_cast<int>(request.size())) ==
                                    static_cast<int>(request.size())) {
        char buffer[4096];
        for (;;) {
            const int n = SSL_read(ssl.get(), buffer, sizeof buffer);
            if (n <= 0)
                break;
            outcome.raw_reply.append(buffer, static_cast<std::size_t>(n));
        }
    }
    ERR_clear_error();
    return outcome;
}

// --- every plain server answers DynamoDB requests ----------------------------------------------------

class plain_server_test : public dynalock::test::server_test {};

TEST_P(plain_server_test, list_tables_answers_with_table_names) {
    const auto reply = parse_reply(exchange_plain(server().port, list_tables_request(true)));
    EXPECT_EQ(reply.status, 200) << server().name;
    EXPECT_NE(reply.body.find("\"TableNames\""), std::string::npos) << reply.body;
}

TEST_P(plain_server_test, request_without_authorization_is_rejected) {
    // Both servers insist on the header even though neither checks the signature: this tells a real
    // DynamoDB front end from a stub that accepts anything.
    const auto reply = parse_reply(exchange_plain(server().port, list_tables_request(false)));
    EXPECT_EQ(reply.status, 400) << server().name;
    EXPECT_NE(reply.body.find("MissingAuthenticationToken"), std::string::npos) << reply.body;
}

TEST_P(plain_server_test, registry_describes_the_running_server) {
    EXPECT_EQ(server().endpoint, "http://127.0.0.1:" + std::to_string(server().port));
    EXPECT_EQ(::kill(server().pid, 0), 0) << "pid " << server().pid;
    EXPECT_EQ(server().features.transactions, GetParam() == server_kind::dynamodb_local);
}

DYNALOCK_INSTANTIATE_OVER_PLAIN_SERVERS(plain_server_test);

// --- the TLS server ------------------------------------------------------------------------------------

class tls_server_test : public ::testing::Test {
protected:
    void SetUp() override {
        if (dynalock::test::find_test_server(server_kind::dynalite_tls) == nullptr &&
            !dynalock::test::is_selected(server_kind::dynalite_tls))
            GTEST_SKIP() << "dynalite_tls left out by DYNALOCK_TEST_SERVERS";
    }
    const dynalock::test::server_info& server() const {
        return dynalock::test::test_server(server_kind::dynalite_tls);
    }
};

TEST_F(tls_server_test, endpoint_names_the_certified_host) {
    EXPECT_EQ(server().endpoint, "https://localhost:" + std::to_string(server().port));
    EXPECT_EQ(server().host, "localhost");
}

TEST_F(tls_server_test, plaintext_request_gets_no_http_answer) {
    const std::string raw = exchange_plain(server().port, list_tables_request(true));
    EXPECT_EQ(parse_reply(raw).status, 0) << raw;
    EXPECT_EQ(raw.find("TableNames"), std::string::npos) << raw;
}

TEST_F(tls_server_test, client_trusting_its_ca_lists_tables_over_tls) {
    const auto outcome =
        exchange_tls(server().port, server().ca_file, "localhost", list_tables_request(true));
    ASSERT_TRUE(outcome.handshake_ok) << X509_verify_cert_error_string(outcome.verify_result);
    const auto reply = parse_reply(outcome.raw_reply);
    EXPECT_EQ(reply.status, 200);
    EXPECT_NE(reply.body.find("\"TableNames\""), std::string::npos) << outcome.raw_reply;
}

TEST_F(tls_server_test, certificate_also_names_the_loopback_address) {
    const auto outcome =
        exchange_tls(server().port, server().ca_file, "127.0.0.1", list_tables_request(true));
    EXPECT_TRUE(outcome.handshake_ok) << X509_verify_cert_error_string(outcome.verify_result);
}

TEST_F(tls_server_test, client_trusting_another_ca_rejects_the_certificate) {
    const auto outcome =
        exchange_tls(server().port, server().other_ca_file, "localhost", list_tables_request(true));
    EXPECT_FALSE(outcome.handshake_ok);
    EXPECT_EQ(outcome.verify_result, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY)
        << X509_verify_cert_error_string(outcome.verify_result);
}

// --- certificates made for the failure cases of the TLS tests ----------------------------------------

TEST(tls_material_test, certificate_for_another_name_fails_only_the_host_check) {
    const auto tls = dynalock::test::generate_tls_material(dynalock::test::test_run_dir() / "wrong-name",
                                                           {.subject_alt_names = {"DNS:wrong.example"}});
    const auto server = local_server::start_dynalite_tls(tls);

    const auto as_localhost =
        exchange_tls(server.port(), tls.ca_file, "localhost", list_tables_request(true));
    EXPECT_FALSE(as_localhost.handshake_ok);
    EXPECT_EQ(as_localhost.verify_result, X509_V_ERR_HOSTNAME_MISMATCH)
        << X509_verify_cert_error_string(as_localhost.verify_result);

    const auto as_its_name =
        exchange_tls(server.port(), tls.ca_file, "wrong.example", list_tables_request(true));
    EXPECT_TRUE(as_its_name.handshake_ok) << X509_verify_cert_error_string(as_its_name.verify_result);
}

TEST(tls_material_test, expired_certificate_fails_verification) {
    const auto tls =
        dynalock::test::generate_tls_material(dynalock::test::test_run_dir() / "expired", {.expired = true});
    const auto server = local_server::start_dynalite_tls(tls);

    const auto outcome = exchange_tls(server.port(), tls.ca_file, "localhost", list_tables_request(true));
    EXPECT_FALSE(outcome.handshake_ok);
    EXPECT_EQ(outcome.verify_result, X509_V_ERR_CERT_HAS_EXPIRED)
        << X509_verify_cert_error_string(outcome.verify_result);
}

// --- the fixture's own promises ----------------------------------------------------------------------

TEST(local_server_test, stop_ends_the_process) {
    auto server = local_server::start_dynalite();
    const pid_t pid = server.pid();
    ASSERT_GT(pid, 0);
    ASSERT_EQ(::kill(pid, 0), 0);

    server.stop();

    EXPECT_EQ(server.pid(), -1);
    // Reaped, so the pid no longer names any process of ours.
    EXPECT_EQ(::kill(pid, 0), -1);
    EXPECT_EQ(errno, ESRCH);
}

TEST(local_server_test, server_restarted_on_its_data_dir_keeps_its_tables) {
    const auto data_dir = dynalock::test::test_run_dir() / "restart-data";
    const std::string create = "POST / HTTP/1.1\r\nHost: localhost\r\n"
                               "X-Amz-Target: DynamoDB_20120810.CreateTable\r\n"
                               "Content-Type: application/x-amz-json-1.0\r\nX-Amz-Date: 20260101T000000Z\r\n"
                               "Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/dynamodb/"
                               "aws4_request, SignedHeaders=host, Signature=00\r\n";
    const std::string body = R"({"TableName":"kept","KeySchema":[{"AttributeName":"k","KeyType":"HASH"}],)"
                             R"("AttributeDefinitions":[{"AttributeName":"k","AttributeType":"S"}],)"
                             R"("BillingMode":"PAY_PER_REQUEST"})";
    const std::string request =
        create + "Content-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body;
    std::uint16_t port = 0;
    {
        auto first = local_server::start_dynalite({.port = 0, .data_dir = data_dir});
        port = first.port();
        ASSERT_EQ(parse_reply(exchange_plain(port, request)).status, 200);
    }
    auto second = local_server::start_dynalite({.port = port, .data_dir = data_dir});

    const auto reply = parse_reply(exchange_plain(second.port(), list_tables_request(true)));
    EXPECT_EQ(second.port(), port);
    EXPECT_NE(reply.body.find("\"kept\""), std::string::npos) << reply.body;
}

TEST(local_server_test, failed_start_throws_with_the_server_log) {
    dynalock::test::tls_material missing;
    missing.key_file = dynalock::test::test_run_dir() / "no-such-key.pem";
    missing.cert_file = dynalock::test::test_run_dir() / "no-such-cert.pem";
    try {
        auto server = local_server::start_dynalite_tls(missing);
        FAIL() << "started without a key: " << server.endpoint();
    } catch (const std::runtime_error& e) {
        const std::string message = e.what();
        EXPECT_NE(message.find("exited with status"), std::string::npos) << message;
        EXPECT_NE(message.find("no-such-key.pem"), std::string::npos) << message;
    }
}

TEST(local_server_test, paused_server_accepts_but_does_not_answer) {
    auto server = local_server::start_dynalite();
    server.pause();
    const socket_fd fd = connect_to(server.port()); // the kernel completes the handshake
    timeval limit{};
    limit.tv_usec = 300'000;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    const std::string request = list_tables_request(true);
    ASSERT_EQ(::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL),
              static_cast<ssize_t>(request.size()));
    char byte = 0;
    EXPECT_EQ(::recv(fd.get(), &byte, 1, 0), -1);
    EXPECT_TRUE(errno == EAGAIN || errno == EWOULDBLOCK) << std::strerror(errno);

    server.resume();
    EXPECT_EQ(parse_reply(exchange_plain(server.port(), list_tables_request(true))).status, 200);
}

TEST(network_namespace_test, only_loopback_is_up) {
    if (const char* opt_out = std::getenv("DYNALOCK_TEST_NO_NETNS"); opt_out != nullptr && *opt_out != '\0')
        GTEST_SKIP() << "DYNALOCK_TEST_NO_NETNS is set: running in the host's network";
    // Interfaces other than lo may exist (the kernel adds fallback tunnel devices to every namespace),
    // but none may be up: nothing can leave or enter.
    const std::unique_ptr<struct if_nameindex, decltype(&if_freenameindex)> interfaces{if_nameindex(),
                                                                                       if_freenameindex};
    ASSERT_NE(interfaces, nullptr);
    const socket_fd fd{::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
    bool saw_loopback = false;
    for (const struct if_nameindex* i = interfaces.get(); i->if_index != 0; ++i) {
        ifreq request{};
        std::strncpy(request.ifr_name, i->if_name, IFNAMSIZ - 1);
        ASSERT_EQ(::ioctl(fd.get(), SIOCGIFFLAGS, &request), 0) << i->if_name;
        const bool up = (request.ifr_flags & IFF_UP) != 0;
        if (std::string_view(i->if_name) == "lo") {
            saw_loopback = true;
            EXPECT_TRUE(up);
        } else {
            EXPECT_FALSE(up) << i->if_name << " is up";
        }
    }
    EXPECT_TRUE(saw_loopback);
}

} // namespace
