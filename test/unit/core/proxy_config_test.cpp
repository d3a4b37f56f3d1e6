// SPDX-License-Identifier: BSL-1.0
// Proxy URLs, the NO_PROXY rules, and which variables apply to which targets.
#include <dynalock/error.hpp>

#include "core/proxy_config.hpp"
#include "support/fake_env.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace {

using namespace dynalock;
using namespace dynalock::core;

using dynalock::test::fake_env;

proxy_server parse_ok(std::string_view url) {
    std::string message;
    auto p = parse_proxy_url(url, "HTTPS_PROXY", message);
    EXPECT_TRUE(p) << url << ": " << message;
    return p ? *p : proxy_server{};
}

} // namespace

TEST(proxy_config, parses_proxy_urls) {
    auto p = parse_ok("http://proxy.corp.example:3128");
    EXPECT_EQ(p.host, "proxy.corp.example");
    EXPECT_EQ(p.port, 3128);
    EXPECT_EQ(p.authorization, "");
    EXPECT_EQ(p.display, "http://proxy.corp.example:3128");

    p = parse_ok("Proxy.Corp.Example:8080/");
    EXPECT_EQ(p.host, "proxy.corp.example");
    EXPECT_EQ(p.port, 8080);

    p = parse_ok("http://10.0.0.1");
    EXPECT_EQ(p.host, "10.0.0.1");
    EXPECT_EQ(p.port, 80);

    p = parse_ok("http://[::1]:3128");
    EXPECT_EQ(p.host, "::1");
    EXPECT_EQ(p.display, "http://[::1]:3128");
}

TEST(proxy_config, credentials_become_basic_authorization_and_stay_out_of_display) {
    // RFC 7617's example: Aladdin / open sesame.
    auto p = parse_ok("http://Aladdin:open%20sesame@proxy:3128");
    EXPECT_EQ(p.authorization, "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    EXPECT_EQ(p.display, "http://proxy:3128");
    p = parse_ok("http://user@proxy");
    EXPECT_EQ(p.authorization, "Basic dXNlcjo=");
}

TEST(proxy_config, refuses_what_it_cannot_use_without_echoing_the_url) {
    struct bad_case {
        const char* url;
        errc code;
    };
    for (auto [url, code] : {bad_case{"https://alice:hunter2@proxy:443", errc::unsupported_configuration},
                             bad_case{"socks5://alice:hunter2@proxy:1080", errc::unsupported_configuration},
                             bad_case{"http://alice:hunter2@proxy:99999", errc::invalid_argument},
                             bad_case{"http://alice:hunter2@proxy/path", errc::invalid_argument},
                             bad_case{"http://alice:hunter2@proxy/?q=1", errc::invalid_argument},
                             bad_case{"http://alice:hunter2@", errc::invalid_argument},
                             bad_case{"http://alice:hunter2@pro xy", errc::invalid_argument}}) {
        std::string message;
        auto p = parse_proxy_url(url, "HTTPS_PROXY", message);
        ASSERT_FALSE(p) << url;
        EXPECT_EQ(p.error(), code) << url << ": " << message;
        EXPECT_EQ(message.rfind("HTTPS_PROXY ", 0), 0u) << message;
        EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
        EXPECT_EQ(message.find("alice"), std::string::npos) << message;
    }
    std::string message;
    (void)parse_proxy_url("https://proxy", "HTTPS_PROXY", message);
    EXPECT_EQ(message,
              "HTTPS_PROXY names a https:// proxy, which is not supported: the proxy must be reached "
              "with plain http:// (https targets are still tunnelled with TLS end to end)");
}

TEST(proxy_config, no_proxy_star_matches_everything) {
    no_proxy_list l("*");
    EXPECT_TRUE(l.bypasses("dynamodb.us-east-1.amazonaws.com", 443));
    EXPECT_TRUE(l.bypasses("127.0.0.1", 8000));
}

TEST(proxy_config, no_proxy_names_match_the_host_and_below_with_or_without_a_dot) {
    no_proxy_list l("example.com, .internal.corp ,*.svc.local");
    EXPECT_TRUE(l.bypasses("example.com", 443));
    EXPECT_TRUE(l.bypasses("api.example.com", 443));
    EXPECT_TRUE(l.bypasses("API.Example.COM.", 443));
    EXPECT_FALSE(l.bypasses("badexample.com", 443));
    EXPECT_FALSE(l.bypasses("example.com.evil.net", 443));
    EXPECT_TRUE(l.bypasses("internal.corp", 80));
    EXPECT_TRUE(l.bypasses("db.internal.corp", 80));
    EXPECT_TRUE(l.bypasses("a.b.svc.local", 80));
    EXPECT_FALSE(l.bypasses("corp", 80));
    EXPECT_FALSE(l.bypasses("amazonaws.com", 443));
}

TEST(proxy_config, no_proxy_ports) {
    no_proxy_list l("localhost:8000,[::1]:8443,10.1.2.3:80");
    EXPECT_TRUE(l.bypasses("localhost", 8000));
    EXPECT_FALSE(l.bypasses("localhost", 8001));
    EXPECT_TRUE(l.bypasses("::1", 8443));
    EXPECT_FALSE(l.bypasses("::1", 443));
    EXPECT_TRUE(l.bypasses("10.1.2.3", 80));
    EXPECT_FALSE(l.bypasses("10.1.2.3", 443));
}

TEST(proxy_config, no_proxy_ip_literals_and_networks) {
    no_proxy_list l("127.0.0.1 ::1 10.0.0.0/8 fd00:ec2::/32 [2001:db8::1]");
    EXPECT_TRUE(l.bypasses("127.0.0.1", 1));
    EXPECT_FALSE(l.bypasses("127.0.0.2", 1));
    EXPECT_TRUE(l.bypasses("::1", 1));
    EXPECT_TRUE(l.bypasses("0:0:0:0:0:0:0:1", 1)) << "IPv6 compared as addresses, not text";
    EXPECT_TRUE(l.bypasses("10.200.3.4", 1));
    EXPECT_FALSE(l.bypasses("11.0.0.1", 1));
    EXPECT_TRUE(l.bypasses("fd00:ec2::23", 1));
    EXPECT_FALSE(l.bypasses("fd00:ec3::23", 1));
    EXPECT_TRUE(l.bypasses("2001:db8::1", 1));
    EXPECT_FALSE(l.bypasses("2001:db8::2", 1));
    // An IP entry never matches a name and a name entry never matches an address.
    EXPECT_FALSE(l.bypasses("localhost", 1));
    EXPECT_FALSE(no_proxy_list("1.2.3.4").bypasses("1.2.3.4.example.com", 1));
    EXPECT_TRUE(no_proxy_list("10.1.0.0/20").bypasses("10.1.15.255", 1));
    EXPECT_FALSE(no_proxy_list("10.1.0.0/20").bypasses("10.1.16.0", 1));
    EXPECT_TRUE(no_proxy_list("0.0.0.0/0").bypasses("8.8.8.8", 1));
}

TEST(proxy_config, no_proxy_ignores_entries_it_cannot_read) {
    no_proxy_list l("10.0.0.0/33,host:notaport,[::1,bad/8,,ok.example");
    EXPECT_FALSE(l.bypasses("10.0.0.1", 1));
    EXPECT_FALSE(l.bypasses("host", 1));
    EXPECT_TRUE(l.bypasses("ok.example", 1));
    EXPECT_TRUE(no_proxy_list("").empty());
}

TEST(proxy_config, https_and_http_targets_use_their_own_variable) {
    fake_env env{{{"HTTPS_PROXY", "http://secure-proxy:3128"},
                  {"http_proxy", "plain-proxy:8080"},
                  {"no_proxy", "localhost"}}};
    std::string message;
    auto cfg = load_proxy_config(env.lookup(), std::nullopt, message);
    ASSERT_TRUE(cfg) << message;
    ASSERT_NE(cfg->select(true, "dynamodb.us-east-1.amazonaws.com", 443), nullptr);
    EXPECT_EQ(cfg->select(true, "dynamodb.us-east-1.amazonaws.com", 443)->host, "secure-proxy");
    ASSERT_NE(cfg->select(false, "db.example", 80), nullptr);
    EXPECT_EQ(cfg->select(false, "db.example", 80)->host, "plain-proxy");
    EXPECT_EQ(cfg->select(false, "localhost", 8000), nullptr);
    EXPECT_EQ(cfg->select(true, "localhost", 8443), nullptr);
}

TEST(proxy_config, upper_case_wins_over_lower_case) {
    fake_env env{
        {{"HTTPS_PROXY", "upper:1"}, {"https_proxy", "lower:2"}, {"NO_PROXY", "a"}, {"no_proxy", "b"}}};
    std::string message;
    auto cfg = load_proxy_config(env.lookup(), std::nullopt, message);
    ASSERT_TRUE(cfg) << message;
    EXPECT_EQ(cfg->https->host, "upper");
    EXPECT_TRUE(cfg->no_proxy.bypasses("a", 1));
    EXPECT_FALSE(cfg->no_proxy.bypasses("b", 1));
    EXPECT_FALSE(cfg->http);
}

TEST(proxy_config, upper_case_http_proxy_is_ignored_in_cgi) {
    fake_env env{{{"HTTP_PROXY", "attacker:80"}, {"REQUEST_METHOD", "GET"}}};
    std::string message;
    auto cfg = load_proxy_config(env.lookup(), std::nullopt, message);
    ASSERT_TRUE(cfg) << message;
    EXPECT_FALSE(cfg->http);
    env.vars["http_proxy"] = "mine:3128";
    cfg = load_proxy_config(env.lookup(), std::nullopt, message);
    ASSERT_TRUE(cfg) << message;
    EXPECT_EQ(cfg->http->host, "mine");
}

TEST(proxy_config, override_replaces_the_variables_and_empty_means_direct) {
    fake_env env{{{"HTTPS_PROXY", "env-proxy:1"}, {"NO_PROXY", "direct.example"}}};
    std::string message;
    auto cfg = load_proxy_config(env.lookup(), std::string_view("http://opt-proxy:2"), message);
    ASSERT_TRUE(cfg) << message;
    EXPECT_EQ(cfg->select(true, "x.example", 443)->host, "opt-proxy");
    EXPECT_EQ(cfg->select(false, "x.example", 80)->host, "opt-proxy");
    EXPECT_EQ(cfg->select(true, "direct.example", 443), nullptr);
    cfg = load_proxy_config(env.lookup(), std::string_view(), message);
    ASSERT_TRUE(cfg) << message;
    EXPECT_EQ(cfg->select(true, "x.example", 443), nullptr);
}

TEST(proxy_config, a_bad_variable_is_an_error_naming_it) {
    fake_env env{{{"https_proxy", "ftp://u:secretpw@proxy"}}};
    std::string message;
    auto cfg = load_proxy_config(env.lookup(), std::nullopt, message);
    ASSERT_FALSE(cfg);
    EXPECT_EQ(cfg.error(), errc::unsupported_configuration);
    EXPECT_EQ(message.rfind("https_proxy names a ftp:// proxy", 0), 0u) << message;
    EXPECT_EQ(message.find("secretpw"), std::string::npos);
}
