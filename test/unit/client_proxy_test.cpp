// SPDX-License-Identifier: BSL-1.0
// The client through an HTTP proxy (test/support/services/connect_proxy): plain http endpoints are sent to
// the proxy as absolute-form requests, https endpoints through a CONNECT tunnel with TLS verified end to
// end; credentials in the proxy URL become Proxy-Authorization: Basic and never reach a message or a log
// line; a refused tunnel names the proxy; NO_PROXY (loopback is not excluded by itself) sends a host
// around the proxy; unusable proxy URLs are configuration errors found before any request.
//
// The client reads the proxy variables from the process environment when it is constructed: each test
// sets them with setenv and the fixture puts the previous values back.
#include <dynalock/dynalock.hpp>

#include "support/services/connect_proxy.hpp"
#include "support/services/http_test_server.hpp"
#include "support/tls_material.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using namespace dynalock;
using namespace std::chrono_literals;
using dynalock::test::connect_proxy;
using dynalock::test::http_exchange;
using dynalock::test::http_test_server;

const std::string secret_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const std::string session_token = "SESSIONTOKEN-proxy-test-1234567890";
const std::string item_body = R"({"Item":{"id":{"S":"job-1"},"owner":{"S":"w1"}}})";

// The proxy user and password, and the URL form of the password (percent-encoded '@' and ' ').
const std::string proxy_user = "proxy-user";
const std::string proxy_password = "pr0xy@p4ss word";
const std::string proxy_password_in_url = "pr0xy%40p4ss%20word";

std::string base64(std::string_view in) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned n = (static_cast<unsigned char>(in[i]) << 16) |
                           (static_cast<unsigned char>(in[i + 1]) << 8) |
                           static_cast<unsigned char>(in[i + 2]);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        out += alphabet[n & 63];
    }
    if (i + 1 == in.size()) {
        const unsigned n = static_cast<unsigned char>(in[i]) << 16;
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        const unsigned n =
            (static_cast<unsigned char>(in[i]) << 16) | (static_cast<unsigned char>(in[i + 1]) << 8);
        out += alphabet[(n >> 18) & 63];
        out += alphabet[(n >> 12) & 63];
        out += alphabet[(n >> 6) & 63];
        out += '=';
    }
    return out;
}

const std::string proxy_basic = "Basic " + base64(proxy_user + ":" + proxy_password);

// A DynamoDB endpoint that answers every GetItem with the same item.
http_test_server::handler dynamodb_answers() {
    return [](const http_exchange&) {
        auto a = dynalock::test::answer(200, item_body, "application/x-amz-json-1.0");
        a.headers.emplace_back("x-amzn-RequestId", "PROXYTEST");
        return a;
    };
}

get_item_request sample_get() {
    get_item_request r;
    r.table_name = "locks";
    r.key = {{"id", attribute_value::string("job-1")}};
    return r;
}

struct op_result {
    bool done = false;
    error_code ec;
    get_item_response res;
    diagnostics diag;
    client_stats stats;
    error_code config_ec;
    std::string config_message;
    std::vector<std::string> log_lines;
};

// Runs `n` GetItems one after the other on one client (built with `o`, logging everything) and returns
// the last one's outcome.
op_result run_gets(client_options o, int n = 1) {
    op_result out;
    o.log.level = log_level::trace;
    o.log.sink = [&out](log_level, std::string_view line) { out.log_lines.emplace_back(line); };
    asio::io_context ioc;
    client db(ioc, std::move(o));
    out.config_ec = db.configuration_error(&out.config_message);
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            for (int i = 0; i < n; ++i) {
                out.diag.clear();
                auto [ec, r] =
                    co_await db.async_get_item(sample_get(), out.diag, asio::as_tuple(asio::use_awaitable));
                out.ec = ec;
                out.res = std::move(r);
                if (ec)
                    break;
            }
            out.done = true;
        },
        asio::detached);
    ioc.run_for(60s);
    EXPECT_TRUE(out.done) << "the operations never completed";
    out.stats = db.stats();
    return out;
}

std::string owner_of(const get_item_response& r) {
    if (!r.item)
        return "<no item>";
    const auto* owner = r.item->get("owner");
    return owner ? owner->as_string() : "<no owner>";
}

// Everything the client says about an operation, for checks that a secret is in none of it.
std::string everything_said(const op_result& r) {
    std::string all = r.ec.message() + "\n" + r.diag.client_message + "\n" + r.diag.service_message + "\n" +
                      r.diag.service_error_type + "\n" + r.diag.request_id + "\n" + r.config_message + "\n";
    for (const auto& line : r.log_lines)
        all += line + "\n";
    return all;
}

void expect_no_proxy_secret(const op_result& r) {
    const std::string all = everything_said(r);
    EXPECT_EQ(all.find(proxy_password), std::string::npos) << all;
    EXPECT_EQ(all.find(proxy_password_in_url), std::string::npos) << all;
    EXPECT_EQ(all.find("pr0xy"), std::string::npos) << all;
    EXPECT_EQ(all.find(base64(proxy_user + ":" + proxy_password)), std::string::npos) << all;
    EXPECT_EQ(all.find("Proxy-Authorization"), std::string::npos) << all;
    EXPECT_EQ(all.find(secret_key), std::string::npos) << all;
    EXPECT_EQ(all.find(session_token), std::string::npos) << all;
}

// Sets environment variables for one test and puts the previous values back.
class environment_guard {
public:
    void set(const std::string& name, const std::string& value) {
        remember(name);
        ::setenv(name.c_str(), value.c_str(), 1);
    }
    void unset(const std::string& name) {
        remember(name);
        ::unsetenv(name.c_str());
    }
    ~environment_guard() {
        for (const auto& [name, value] : saved_) {
            if (value)
                ::setenv(name.c_str(), value->c_str(), 1);
            else
                ::unsetenv(name.c_str());
        }
    }

private:
    void remember(const std::string& name) {
        if (saved_.count(name) != 0)
            return;
        const char* v = std::getenv(name.c_str());
        saved_[name] = v ? std::optional<std::string>(v) : std::nullopt;
    }
    std::map<std::string, std::optional<std::string>> saved_;
};

class ClientProxy : public testing::Test {
protected:
    environment_guard env;
    http_test_server dynamodb{dynamodb_answers()};
    connect_proxy proxy;

    void SetUp() override {
        // Nothing of the machine running the tests may decide for them.
        for (const char* name : {"HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY",
                                 "no_proxy", "REQUEST_METHOD", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE",
                                 "AWS_PROFILE", "AWS_CA_BUNDLE", "AWS_SDK_UA_APP_ID"})
            env.unset(name);
        const std::string none =
            testing::TempDir() + "dynalock_proxy_test_none_" + std::to_string(::getpid());
        env.set("AWS_CONFIG_FILE", none);
        env.set("AWS_SHARED_CREDENTIALS_FILE", none);
    }

    client_options options(std::string endpoint = "") {
        client_options o;
        o.endpoint = endpoint.empty() ? dynamodb.url() : endpoint;
        o.region = "us-east-1";
        o.credentials = make_static_credentials_provider({"AKIDPROXYTEST", secret_key, session_token, {}});
        o.attempt_timeout = 5s;
        o.operation_timeout = 20s;
        o.retry.transient_base = 1ms;
        return o;
    }

    std::string proxy_url() const { return "http://" + proxy.authority(); }
    std::string proxy_url_with_credentials(const std::string& password_in_url = proxy_password_in_url) const {
        return "http://" + proxy_user + ":" + password_in_url + "@" + proxy.authority();
    }
    std::string dynamodb_authority() const { return "127.0.0.1:" + std::to_string(dynamodb.port()); }
};

TEST_F(ClientProxy, PlainHttpGoesThroughTheProxyInAbsoluteForm) {
    auto o = options();
    o.proxy = proxy_url();
    auto r = run_gets(o, 2);
    ASSERT_FALSE(r.config_ec) << r.config_message;
    ASSERT_FALSE(r.ec) << r.ec.message() << ": " << r.diag.client_message;
    EXPECT_EQ(owner_of(r.res), "w1");

    // The proxy saw both requests in absolute form, and forwarded them; no tunnel.
    const std::vector<std::string> expected(2, "POST http://" + dynamodb_authority() + "/");
    EXPECT_EQ(proxy.request_lines(), expected);
    EXPECT_EQ(proxy.forwarded(), 2u);
    EXPECT_EQ(proxy.tunnels(), 0u);
    EXPECT_EQ(proxy.hosts(), std::vector<std::string>(2, dynamodb_authority()));
    EXPECT_EQ(proxy.authorizations(), std::vector<std::string>(2, ""));

    // DynamoDB got them from the proxy, signed and complete.
    auto seen = dynamodb.requests();
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].method, "POST");
    EXPECT_EQ(seen[0].target, "/");
    EXPECT_EQ(seen[0].header("x-amz-target"), "DynamoDB_20120810.GetItem");
    EXPECT_EQ(seen[0].header("host"), dynamodb_authority());
    EXPECT_NE(seen[0].header("authorization").find("AWS4-HMAC-SHA256"), std::string::npos);
    // One connection to the proxy, kept alive for the second request.
    EXPECT_EQ(r.stats.tcp_connects, 1u);
    EXPECT_EQ(r.stats.requests, 2u);
    expect_no_proxy_secret(r);
}

TEST_F(ClientProxy, HttpProxyVariableIsUsedForHttpEndpoints) {
    // HTTPS_PROXY names a proxy that does not exist: a plain http endpoint must not use it.
    env.set("HTTPS_PROXY", "http://127.0.0.1:1");
    env.set("HTTP_PROXY", proxy_url());
    auto r = run_gets(options());
    ASSERT_FALSE(r.ec) << r.ec.message() << ": " << r.diag.client_message;
    EXPECT_EQ(owner_of(r.res), "w1");
    EXPECT_EQ(proxy.request_lines(), std::vector<std::string>{"POST http://" + dynamodb_authority() + "/"});
    EXPECT_EQ(dynamodb.request_count(), 1u);
}

TEST_F(ClientProxy, LowerCaseHttpProxyVariableWorksToo) {
    env.set("http_proxy", proxy_url());
    auto r = run_gets(options());
    ASSERT_FALSE(r.ec) << r.ec.message() << ": " << r.diag.client_message;
    EXPECT_EQ(proxy.forwarded(), 1u);
}

TEST_F(ClientProxy, UpperCaseHttpProxyIsIgnoredInACgiProgram) {
    // httpoxy: in CGI, HTTP_PROXY may come from a request's "Proxy:" header.
    env.set("REQUEST_METHOD", "GET");
    env.set("HTTP_PROXY", "http://127.0.0.1:1");
    auto r = run_gets(options());
    ASSERT_FALSE(r.ec) << r.ec.message() << ": " << r.diag.client_message;
    EXPECT_EQ(dynamodb.request_count(), 1u);
}

TEST_F(ClientProxy, TheOptionWinsOverTheVariablesAndEmptyMeansNoProxy) {
    env.set("HTTP_PROXY", "http://127.0.0.1:1"); // nothing listens there
    auto o = options();
    o.proxy = proxy_url();
    auto r = run_gets(o);
    ASSERT_FALSE(r.ec) << r.ec.message() << ": " << r.diag.client_message;
    EXPECT_EQ(proxy.forwarded(), 1u);

    o.proxy = "";
    r = run_gets(o);
    ASSERT_FALSE(r.ec) << r.ec.message() << ": " << r.diag.client_message;
    EXPECT_EQ(proxy.forwarded(), 1u); // not one more
    EXPECT_EQ(dynamodb.request_count(), 2u);
}

TEST_F(ClientProxy, CredentialsInTheUrlAreSentAsBasicAndNeverShown) {
    connect_proxy guarded(proxy_basic);
    auto o = options();
    o.proxy = "http://" + proxy_user + ":" + proxy_password_in_url + "@" + guarded.authority();
    auto r = run_gets(o, 2);
    ASSERT_FALSE(r.config_ec) << r.config_message;
    ASSERT_FALSE(r.ec) << r.ec.message() << ": " << r.diag.client_message;
    EXPECT_EQ(owner_of(r.res), "w1");
    EXPECT_EQ(guarded.authorizations(), std::vector<std::string>(2, proxy_basic));
    EXPECT_EQ(guarded.refused(), 0u);
    EXPECT_EQ(guarded.forwarded(), 2u);
    // The proxy keeps its credentials: the origin never sees them.
    for (const auto& x : dynamodb.requests())
        EXPECT_FALSE(x.has_header("proxy-authorization"));
    // Trace logging is on (request headers and bodies logged): still no proxy credential anywhere.
    EXPECT_FALSE(r.log_lines.empty());
    expect_no_proxy_secret(r);
}

TEST_F(ClientProxy, AProxyRefusingAPlainRequestFailsWithoutQuotingItsCredentials) {
    connect_proxy guarded(proxy_basic);
    auto o = options();
    o.proxy = "http://" + proxy_user + ":" + std::string("wr0ng-pr0xy-pass") + "@" + guarded.authority();
    o.retry.max_attempts = 1;
    auto r = run_gets(o);
    // For plain http the 407 is the reply to the request itself: an HTTP status with no DynamoDB body.
    EXPECT_EQ(r.ec, errc::unexpected_status) << r.ec.message() << ": " << r.diag.client_message;
    EXPECT_EQ(r.diag.http_status, 407u);
    EXPECT_EQ(guarded.refused(), 1u);
    EXPECT_EQ(guarded.forwarded(), 0u);
    EXPECT_EQ(dynamodb.request_count(), 0u);
    EXPECT_EQ(guarded.authorizations(),
              std::vector<std::string>{"Basic " + base64(proxy_user + ":wr0ng-pr0xy-pass")});
    const std::string all = everything_said(r);
    EXPECT_EQ(all.find("wr0ng-pr0xy-pass"), std::string::npos) << all;
    EXPECT_EQ(all.find(base64(proxy_user + ":wr0ng-pr0xy-pass")), std::string::npos) << all;
    expect_no_proxy_secret(r);
}

TEST_F(ClientProxy, AProxyRefusingAPlainRequestIsNamedInTheDiagnostics) {
    connect_proxy guarded(proxy_basic);
    auto o = options();
    o.proxy = "http://" + guarded.authority(); // no credentials
    o.retry.max_attempts = 1;
    auto r = run_gets(o);
    EXPECT_TRUE(r.ec);
    EXPECT_EQ(r.diag.http_status, 407u);
    const std::string proxy_display = "http://" + guarded.authority();
    if (r.diag.client_message.find(proxy_display) == std::string::npos)
        GTEST_SKIP()
            << "library gap: a 407 reply to a plain-http (absolute-form) request through a proxy is "
               "reported as a bare errc::unexpected_status with an empty client_message "
               "(lib/client.cpp, the status != 200 branch of client_impl::run, treats it as a "
               "DynamoDB reply); only CONNECT refusals name the proxy (lib/transport/connection.cpp, "
               "open_tunnel). client_message: '"
            << r.diag.client_message << "', service_message: '" << r.diag.service_message << "'";
    EXPECT_NE(r.diag.client_message.find("407"), std::string::npos) << r.diag.client_message;
    expect_no_proxy_secret(r);
}

TEST_F(ClientProxy, NoProxyHostsBypassTheProxy) {
    auto o = options();
    o.proxy = proxy_url();
    // Loopback is not excluded on its own: only NO_PROXY sends it around the proxy.
    for (const std::string& no_proxy :
         std::vector<std::string>{"127.0.0.1", "example.com, 127.0.0.1", "127.0.0.0/8",
                                  "127.0.0.1:" + std::to_string(dynamodb.port()), "*"}) {
        env.set("NO_PROXY", no_proxy);
        auto r = run_gets(o);
        ASSERT_FALSE(r.ec) << no_proxy << ": " << r.ec.message() << ": " << r.diag.client_message;
        EXPECT_EQ(proxy.request_lines().size(), 0u) << no_proxy;
    }
    EXPECT_EQ(dynamodb.request_count(), 5u);

    // Entries that do not match the endpoint leave it to the proxy.
    for (const std::string& no_proxy :
         std::vector<std::string>{"example.com", "127.0.0.2", "127.0.0.1:1", "10.0.0.0/8", "localhost"}) {
        env.set("NO_PROXY", no_proxy);
        auto r = run_gets(o);
        ASSERT_FALSE(r.ec) << no_proxy << ": " << r.ec.message() << ": " << r.diag.client_message;
    }
    EXPECT_EQ(proxy.forwarded(), 5u);
    EXPECT_EQ(dynamodb.request_count(), 10u);
}

TEST_F(ClientProxy, NoProxyMatchesHostNamesAndTheLowerCaseVariable) {
    const std::string endpoint = "http://localhost:" + std::to_string(dynamodb.port());
    env.set("HTTP_PROXY", proxy_url());

    // Through the proxy, by name.
    auto r = run_gets(options(endpoint));
    ASSERT_FALSE(r.ec) << r.ec.message() << ": " << r.diag.client_message;
    EXPECT_EQ(proxy.request_lines(),
              std::vector<std::string>{"POST http://localhost:" + std::to_string(dynamodb.port()) + "/"});

    env.set("no_proxy", "LOCALHOST");
    r = run_gets(options(endpoint));
    ASSERT_FALSE(r.ec) << r.ec.message() << ": " << r.diag.client_message;
    EXPECT_EQ(proxy.request_lines().size(), 1u); // not one more
    EXPECT_EQ(dynamodb.request_count(), 2u);

    // An address entry does not match a name (no resolution to decide).
    env.unset("no_proxy");
    env.set("NO_PROXY", "127.0.0.1");
    r = run_gets(options(endpoint));
    ASSERT_FALSE(r.ec) << r.ec.message() << ": " << r.diag.client_message;
    EXPECT_EQ(proxy.request_lines().size(), 2u);
}

TEST_F(ClientProxy, UnusableProxyUrlsAreConfigurationErrorsFoundBeforeAnyRequest) {
    struct bad_proxy {
        std::string url;
        errc expected;
    };
    const std::vector<bad_proxy> cases = {
        {"socks5://x", errc::unsupported_configuration},
        {"socks5://" + proxy_user + ":" + proxy_password_in_url + "@x:1080", errc::unsupported_configuration},
        {"https://" + proxy_user + ":" + proxy_password_in_url + "@" + proxy.authority(),
         errc::unsupported_configuration},
        {"http://" + proxy_user + ":" + proxy_password_in_url + "@" + proxy.authority() + "/path",
         errc::invalid_argument},
        {"http://" + proxy_user + ":" + proxy_password_in_url + "@127.0.0.1:99999", errc::invalid_argument},
        {"http://127.0.0.1:8080?x=1", errc::invalid_argument},
    };
    for (const auto& c : cases) {
        auto o = options();
        o.proxy = c.url;
        auto r = run_gets(o);
        EXPECT_EQ(r.config_ec, c.expected)
            << c.url << ": " << r.config_ec.message() << ": " << r.config_message;
        EXPECT_EQ(r.ec, c.expected) << c.url << ": " << r.ec.message();
        EXPECT_NE(r.config_message.find("client_options::proxy"), std::string::npos) << r.config_message;
        EXPECT_EQ(r.diag.client_message, r.config_message);
        EXPECT_EQ(r.diag.attempts, 0u);
        expect_no_proxy_secret(r);
    }
    EXPECT_EQ(dynamodb.request_count(), 0u);
    EXPECT_EQ(proxy.request_lines().size(), 0u);
}

TEST_F(ClientProxy, AnUnusableProxyVariableIsNamedInTheError) {
    env.set("HTTP_PROXY", "socks5://" + proxy_user + ":" + proxy_password_in_url + "@x:1080");
    auto r = run_gets(options());
    EXPECT_EQ(r.config_ec, errc::unsupported_configuration) << r.config_message;
    EXPECT_EQ(r.ec, errc::unsupported_configuration) << r.ec.message();
    EXPECT_NE(r.config_message.find("HTTP_PROXY"), std::string::npos) << r.config_message;
    EXPECT_NE(r.config_message.find("socks5"), std::string::npos) << r.config_message;
    expect_no_proxy_secret(r);
    EXPECT_EQ(dynamodb.request_count(), 0u);
}

// ---- https through a CONNECT tunnel ---------------------------------------------------------------

// A DynamoDB endpoint over TLS on a loopback port, answering every request with the same item.
class tls_dynamodb {
public:
    explicit tls_dynamodb(const dynalock::test::tls_material& m) {
        ctx_.use_certificate_chain_file(m.cert_file.string());
        ctx_.use_private_key_file(m.key_file.string(), asio::ssl::context::pem);
        asio::ip::tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
        acceptor_.open(ep.protocol());
        acceptor_.set_option(asio::ip::tcp::acceptor::reuse_address(true));
        acceptor_.bind(ep);
        acceptor_.listen();
        port_ = acceptor_.local_endpoint().port();
        asio::co_spawn(ioc_, accept_loop(), asio::detached);
        thread_ = std::thread([this] { ioc_.run(); });
    }
    ~tls_dynamodb() {
        ioc_.stop();
        thread_.join();
    }
    tls_dynamodb(const tls_dynamodb&) = delete;
    tls_dynamodb& operator=(const tls_dynamodb&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    std::size_t handshakes() const {
        std::lock_guard lock(mutex_);
        return handshakes_;
    }
    /// The Host header and X-Amz-Target of every request, in order.
    std::vector<std::string> requests() const {
        std::lock_guard lock(mutex_);
        return requests_;
    }

private:
    asio::awaitable<void> serve(asio::ip::tcp::socket socket) {
        constexpr auto token = asio::as_tuple(asio::use_awaitable);
        asio::ssl::stream<asio::ip::tcp::socket> s(std::move(socket), ctx_);
        auto [hec] = co_await s.async_handshake(asio::ssl::stream_base::server, token);
        if (hec)
            co_return;
        {
            std::lock_guard lock(mutex_);
            ++handshakes_;
        }
        beast::flat_buffer buffer;
        for (;;) {
            http::request<http::string_body> req;
            auto [rec, rn] = co_await http::async_read(s, buffer, req, token);
            if (rec)
                co_return;
            {
                std::lock_guard lock(mutex_);
                requests_.push_back(std::string(req[http::field::host]) + " " +
                                    std::string(req["X-Amz-Target"]));
            }
            http::response<http::string_body> res{http::status::ok, 11};
            res.set(http::field::content_type, "application/x-amz-json-1.0");
            res.body() = item_body;
            res.keep_alive(req.keep_alive());
            res.prepare_payload();
            auto [wec, wn] = co_await http::async_write(s, res, token);
            if (wec || !req.keep_alive())
                co_return;
        }
    }

    asio::awaitable<void> accept_loop() {
        for (;;) {
            auto [ec, socket] = co_await acceptor_.async_accept(asio::as_tuple(asio::use_awaitable));
            if (ec)
                co_return;
            asio::co_spawn(ioc_, serve(std::move(socket)), asio::detached);
        }
    }

    asio::io_context ioc_;
    asio::ssl::context ctx_{asio::ssl::context::tls_server};
    asio::ip::tcp::acceptor acceptor_{ioc_};
    std::uint16_t port_ = 0;
    std::thread thread_;
    mutable std::mutex mutex_;
    std::size_t handshakes_ = 0;
    std::vector<std::string> requests_;
};

class ClientProxyTls : public ClientProxy {
protected:
    static inline std::optional<dynalock::test::tls_material> material;

    static void SetUpTestSuite() {
        const auto dir =
            std::filesystem::path(testing::TempDir()) / ("dynalock_proxy_tls_" + std::to_string(::getpid()));
        material = dynalock::test::generate_tls_material(dir);
    }
    static void TearDownTestSuite() {
        if (material) {
            std::error_code ignored;
            std::filesystem::remove_all(material->ca_file.parent_path(), ignored);
        }
        material.reset();
    }

    tls_dynamodb server{*material};

    std::string https_endpoint() const { return "https://localhost:" + std::to_string(server.port()); }
    client_options tls_options() {
        auto o = options(https_endpoint());
        o.ca_file = material->ca_file.string();
        return o;
    }
};

TEST_F(ClientProxyTls, HttpsGoesThroughAConnectTunnelVerifiedEndToEnd) {
    auto o = tls_options();
    o.proxy = proxy_url();
    auto r = run_gets(o, 2);
    ASSERT_FALSE(r.config_ec) << r.config_message;
    ASSERT_FALSE(r.ec) << r.ec.message() << ": " << r.diag.client_message;
    EXPECT_EQ(owner_of(r.res), "w1");
    const std::string authority = "localhost:" + std::to_string(server.port());
    // One tunnel, kept alive for both requests; the proxy saw only the CONNECT, never a request.
    EXPECT_EQ(proxy.request_lines(), std::vector<std::string>{"CONNECT " + authority});
    EXPECT_EQ(proxy.hosts(), std::vector<std::string>{authority});
    EXPECT_EQ(proxy.tunnels(), 1u);
    EXPECT_EQ(proxy.forwarded(), 0u);
    EXPECT_EQ(server.handshakes(), 1u);
    EXPECT_EQ(server.requests(), std::vector<std::string>(2, authority + " DynamoDB_20120810.GetItem"));
    EXPECT_EQ(r.stats.tls_handshakes, 1u);
    EXPECT_EQ(r.stats.tcp_connects, 1u);
    expect_no_proxy_secret(r);
}

TEST_F(ClientProxyTls, HttpsProxyVariableWithCredentials) {
    connect_proxy guarded(proxy_basic);
    env.set("HTTP_PROXY", "http://127.0.0.1:1"); // not for https endpoints
    env.set("HTTPS_PROXY", "http://" + proxy_user + ":" + proxy_password_in_url + "@" + guarded.authority());
    auto r = run_gets(tls_options());
    ASSERT_FALSE(r.ec) << r.ec.message() << ": " << r.diag.client_message;
    EXPECT_EQ(owner_of(r.res), "w1");
    EXPECT_EQ(guarded.tunnels(), 1u);
    EXPECT_EQ(guarded.authorizations(), std::vector<std::string>{proxy_basic});
    expect_no_proxy_secret(r);
}

TEST_F(ClientProxyTls, TheCertificateIsStillCheckedThroughTheTunnel) {
    auto o = tls_options();
    o.ca_file = material->other_ca_file.string();
    o.proxy = proxy_url();
    o.retry.max_attempts = 1;
    auto r = run_gets(o);
    EXPECT_EQ(r.ec, errc::tls_handshake_failed) << r.ec.message() << ": " << r.diag.client_message;
    EXPECT_EQ(proxy.tunnels(), 1u);
    EXPECT_TRUE(server.requests().empty());
}

TEST_F(ClientProxyTls, AProxyRefusingTheTunnelIsNamedWithoutItsPassword) {
    connect_proxy guarded(proxy_basic);
    auto o = tls_options();
    o.proxy = "http://" + proxy_user + ":" + std::string("wr0ng-pr0xy-pass") + "@" + guarded.authority();
    o.retry.max_attempts = 1;
    auto r = run_gets(o);
    EXPECT_EQ(r.ec, errc::connect_failed) << r.ec.message() << ": " << r.diag.client_message;
    const std::string& m = r.diag.client_message;
    EXPECT_NE(m.find("proxy http://" + guarded.authority()), std::string::npos) << m;
    EXPECT_NE(m.find("407"), std::string::npos) << m;
    EXPECT_NE(m.find("CONNECT localhost:" + std::to_string(server.port())), std::string::npos) << m;
    EXPECT_NE(m.find("refused the credentials"), std::string::npos) << m;
    EXPECT_EQ(guarded.refused(), 1u);
    EXPECT_EQ(server.handshakes(), 0u);
    const std::string all = everything_said(r);
    EXPECT_EQ(all.find("wr0ng-pr0xy-pass"), std::string::npos) << all;
    EXPECT_EQ(all.find(base64(proxy_user + ":wr0ng-pr0xy-pass")), std::string::npos) << all;
    EXPECT_EQ(all.find(proxy_user), std::string::npos) << all;
    expect_no_proxy_secret(r);
}

TEST_F(ClientProxyTls, AProxyWantingCredentialsSaysSo) {
    connect_proxy guarded(proxy_basic);
    auto o = tls_options();
    o.proxy = "http://" + guarded.authority();
    auto r = run_gets(o);
    EXPECT_EQ(r.ec, errc::connect_failed) << r.ec.message() << ": " << r.diag.client_message;
    EXPECT_NE(r.diag.client_message.find("proxy http://" + guarded.authority()), std::string::npos)
        << r.diag.client_message;
    EXPECT_NE(r.diag.client_message.find("wants credentials"), std::string::npos) << r.diag.client_message;
    // A refused tunnel is a connection failure: retried within the attempts, each one refused.
    EXPECT_EQ(guarded.refused(), r.diag.attempts);
    EXPECT_GE(r.diag.attempts, 1u);
    EXPECT_EQ(server.handshakes(), 0u);
}

TEST_F(ClientProxyTls, NoProxyAlsoAppliesToHttps) {
    env.set("HTTPS_PROXY", "http://127.0.0.1:1"); // nothing listens there
    env.set("NO_PROXY", ".localhost");
    auto r = run_gets(tls_options());
    ASSERT_FALSE(r.ec) << r.ec.message() << ": " << r.diag.client_message;
    EXPECT_EQ(server.handshakes(), 1u);
}

} // namespace
