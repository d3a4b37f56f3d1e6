// SPDX-License-Identifier: BSL-1.0
// Endpoint URL parsing and policy, partition hosts (from the official DynamoDB endpoint tests), and the
// precedence of configured endpoints.
#include <dynalock/error.hpp>

#include "core/endpoint.hpp"
#include "support/fake_env.hpp"

#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace {

using namespace dynalock;
using namespace dynalock::core;

using dynalock::test::fake_env;

// The URL an endpoint stands for, written the way the official endpoint tests write it.
std::string url_of(const endpoint& ep) {
    return ep.scheme + "://" + ep.host_header + (ep.target == "/" ? "" : ep.target);
}

shared_config config_from(std::string_view text, std::string profile) {
    shared_config config;
    config.profile_name = std::move(profile);
    config.path = "/h/.aws/config";
    std::string message;
    auto parsed = parse_aws_shared_file(text, aws_file_kind::config, config.path, message);
    EXPECT_TRUE(parsed.has_value()) << message;
    if (parsed)
        config.file = std::move(*parsed);
    return config;
}

// ---- parse_endpoint ----

struct parse_ok_case {
    const char* url;
    bool allow_insecure;
    const char* scheme;
    const char* host;
    std::uint16_t port;
    const char* host_header;
    const char* target;
    bool loopback;
    bool ip_literal;
};

class endpoint_parse_ok : public testing::TestWithParam<parse_ok_case> {};

TEST_P(endpoint_parse_ok, fields_match) {
    const auto& c = GetParam();
    std::string message;
    auto ep = parse_endpoint(c.url, c.allow_insecure, message);
    ASSERT_TRUE(ep.has_value()) << c.url << ": " << message;
    EXPECT_EQ(ep->scheme, c.scheme);
    EXPECT_EQ(ep->host, c.host);
    EXPECT_EQ(ep->port, c.port);
    EXPECT_EQ(ep->host_header, c.host_header);
    EXPECT_EQ(ep->target, c.target);
    EXPECT_EQ(ep->is_loopback, c.loopback);
    EXPECT_EQ(ep->is_ip_literal, c.ip_literal);
    EXPECT_TRUE(ep->signing_region.empty());
}

INSTANTIATE_TEST_SUITE_P(
    urls, endpoint_parse_ok,
    testing::Values(
        // https to any host is fine; the default port stays out of the Host header
        parse_ok_case{"https://example.com", false, "https", "example.com", 443, "example.com", "/", false,
                      false},
        parse_ok_case{"https://example.com:443", false, "https", "example.com", 443, "example.com", "/",
                      false, false},
        parse_ok_case{"https://Ddb.Example.COM:8443/base/path", false, "https", "ddb.example.com", 8443,
                      "ddb.example.com:8443", "/base/path", false, false},
        parse_ok_case{"HTTPS://example.com:", false, "https", "example.com", 443, "example.com", "/", false,
                      false},
        // loopback: localhost, all of 127.0.0.0/8, ::1 (and IPv4-mapped loopback)
        parse_ok_case{"http://localhost:8000", false, "http", "localhost", 8000, "localhost:8000", "/", true,
                      false},
        parse_ok_case{"http://LocalHost", false, "http", "localhost", 80, "localhost", "/", true, false},
        parse_ok_case{"http://localhost:80/", false, "http", "localhost", 80, "localhost", "/", true, false},
        parse_ok_case{"http://127.0.0.1:8000", false, "http", "127.0.0.1", 8000, "127.0.0.1:8000", "/", true,
                      true},
        parse_ok_case{"http://127.1.2.3", false, "http", "127.1.2.3", 80, "127.1.2.3", "/", true, true},
        parse_ok_case{"http://[::1]:8000", false, "http", "::1", 8000, "[::1]:8000", "/", true, true},
        parse_ok_case{"http://[::ffff:127.0.0.1]:8000", false, "http", "::ffff:127.0.0.1", 8000,
                      "[::ffff:127.0.0.1]:8000", "/", true, true},
        // an IPv6 literal that is not loopback: brackets only in the Host header
        parse_ok_case{"https://[2001:db8::1]", false, "https", "2001:db8::1", 443, "[2001:db8::1]", "/",
                      false, true},
        parse_ok_case{"https://[2001:DB8::1]:4443", false, "https", "2001:db8::1", 4443, "[2001:db8::1]:4443",
                      "/", false, true},
        parse_ok_case{"https://10.0.0.5", false, "https", "10.0.0.5", 443, "10.0.0.5", "/", false, true},
        // plain http elsewhere only with the opt-in
        parse_ok_case{"http://ddb.internal:8000", true, "http", "ddb.internal", 8000, "ddb.internal:8000",
                      "/", false, false},
        parse_ok_case{"http://10.1.2.3", true, "http", "10.1.2.3", 80, "10.1.2.3", "/", false, true}));

struct parse_error_case {
    const char* name;
    const char* url;
    bool allow_insecure;
    errc expected;
};

class endpoint_parse_error : public testing::TestWithParam<parse_error_case> {};

TEST_P(endpoint_parse_error, is_rejected) {
    const auto& c = GetParam();
    std::string message;
    auto ep = parse_endpoint(c.url, c.allow_insecure, message);
    ASSERT_FALSE(ep.has_value()) << c.url;
    EXPECT_EQ(ep.error(), c.expected) << c.url << ": " << message;
    EXPECT_FALSE(message.empty());
}

INSTANTIATE_TEST_SUITE_P(
    urls, endpoint_parse_error,
    testing::Values(
        parse_error_case{"http_to_name", "http://example.com", false, errc::insecure_endpoint},
        parse_error_case{"http_to_ipv4", "http://128.0.0.1:8000", false, errc::insecure_endpoint},
        parse_error_case{"http_to_ipv6", "http://[2001:db8::1]", false, errc::insecure_endpoint},
        parse_error_case{"http_to_localhost_lookalike", "http://localhost.evil.com", false,
                         errc::insecure_endpoint},
        parse_error_case{"userinfo", "https://user:pass@example.com", false, errc::invalid_endpoint},
        parse_error_case{"empty_userinfo", "https://@example.com", false, errc::invalid_endpoint},
        parse_error_case{"userinfo_even_with_opt_in", "http://u@localhost", true, errc::invalid_endpoint},
        parse_error_case{"query", "https://example.com/?x=1", false, errc::invalid_endpoint},
        parse_error_case{"fragment", "https://example.com/#f", false, errc::invalid_endpoint},
        parse_error_case{"other_scheme", "ftp://example.com", false, errc::invalid_endpoint},
        parse_error_case{"no_scheme", "example.com", false, errc::invalid_endpoint},
        parse_error_case{"no_host", "https://", false, errc::invalid_endpoint},
        parse_error_case{"no_authority", "https:example.com", false, errc::invalid_endpoint},
        parse_error_case{"space_in_host", "https://exa mple.com", false, errc::invalid_endpoint},
        parse_error_case{"percent_encoded_host", "https://ex%41mple.com", false, errc::invalid_endpoint},
        parse_error_case{"empty_label", "https://example..com", false, errc::invalid_endpoint},
        parse_error_case{"ipv4_shorthand", "https://127.1", false, errc::invalid_endpoint},
        parse_error_case{"port_zero", "https://example.com:0", false, errc::invalid_endpoint},
        parse_error_case{"port_too_big", "https://example.com:65536", false, errc::invalid_endpoint},
        parse_error_case{"port_huge", "https://example.com:99999999999999999999", false,
                         errc::invalid_endpoint},
        parse_error_case{"empty", "", false, errc::invalid_endpoint}),
    [](const testing::TestParamInfo<parse_error_case>& param_info) {
        return std::string(param_info.param.name);
    });

TEST(endpoint_parse, userinfo_message_does_not_repeat_the_password) {
    std::string message;
    auto ep = parse_endpoint("https://admin:s3cr3tpw@example.com", false, message);
    ASSERT_FALSE(ep.has_value());
    EXPECT_EQ(message.find("s3cr3tpw"), std::string::npos) << message;
}

TEST(endpoint_parse, overlong_url_is_rejected) {
    std::string url = "https://example.com/" + std::string(4000, 'a');
    std::string message;
    auto ep = parse_endpoint(url, false, message);
    ASSERT_FALSE(ep.has_value());
    EXPECT_EQ(ep.error(), errc::invalid_endpoint);
}

// ---- regional hosts: cases from the official DynamoDB endpoint tests (endpoint-tests-1.json) ----

struct regional_case {
    const char* region;
    bool fips;
    bool dual_stack;
    const char* url; // nullptr: an error is expected
};

class endpoint_regional : public testing::TestWithParam<regional_case> {};

TEST_P(endpoint_regional, matches_official_rule_set) {
    const auto& c = GetParam();
    fake_env env;
    shared_config config;
    endpoint_settings settings;
    settings.region = c.region;
    settings.use_fips = c.fips;
    settings.use_dual_stack = c.dual_stack;
    std::string message;
    auto ep = resolve_endpoint(settings, env.lookup(), config, message);
    if (c.url == nullptr) {
        ASSERT_FALSE(ep.has_value()) << c.region;
        EXPECT_EQ(ep.error(), errc::invalid_endpoint);
        return;
    }
    ASSERT_TRUE(ep.has_value()) << c.region << ": " << message;
    EXPECT_EQ(url_of(*ep), c.url);
    EXPECT_FALSE(ep->is_ip_literal);
}

INSTANTIATE_TEST_SUITE_P(
    official, endpoint_regional,
    testing::Values(
        regional_case{"us-east-1", false, false, "https://dynamodb.us-east-1.amazonaws.com"},
        regional_case{"us-east-1", true, false, "https://dynamodb-fips.us-east-1.amazonaws.com"},
        regional_case{"us-east-1", false, true, "https://dynamodb.us-east-1.api.aws"},
        regional_case{"us-east-1", true, true, "https://dynamodb-fips.us-east-1.api.aws"},
        regional_case{"af-south-1", false, false, "https://dynamodb.af-south-1.amazonaws.com"},
        regional_case{"eu-west-3", false, false, "https://dynamodb.eu-west-3.amazonaws.com"},
        regional_case{"ca-central-1", true, false, "https://dynamodb-fips.ca-central-1.amazonaws.com"},
        regional_case{"cn-north-1", false, false, "https://dynamodb.cn-north-1.amazonaws.com.cn"},
        regional_case{"cn-northwest-1", false, false, "https://dynamodb.cn-northwest-1.amazonaws.com.cn"},
        regional_case{"cn-north-1", true, false, "https://dynamodb-fips.cn-north-1.amazonaws.com.cn"},
        regional_case{"cn-north-1", false, true, "https://dynamodb.cn-north-1.api.amazonwebservices.com.cn"},
        regional_case{"cn-north-1", true, true,
                      "https://dynamodb-fips.cn-north-1.api.amazonwebservices.com.cn"},
        regional_case{"us-gov-east-1", false, false, "https://dynamodb.us-gov-east-1.amazonaws.com"},
        regional_case{"us-gov-east-1", true, false, "https://dynamodb.us-gov-east-1.amazonaws.com"},
        regional_case{"us-gov-west-1", true, false, "https://dynamodb.us-gov-west-1.amazonaws.com"},
        regional_case{"us-gov-east-1", false, true, "https://dynamodb.us-gov-east-1.api.aws"},
        regional_case{"us-gov-east-1", true, true, "https://dynamodb-fips.us-gov-east-1.api.aws"},
        regional_case{"us-iso-east-1", false, false, "https://dynamodb.us-iso-east-1.c2s.ic.gov"},
        regional_case{"us-iso-west-1", false, false, "https://dynamodb.us-iso-west-1.c2s.ic.gov"},
        regional_case{"us-iso-east-1", true, false, "https://dynamodb-fips.us-iso-east-1.c2s.ic.gov"},
        regional_case{"us-iso-east-1", false, true, nullptr},
        regional_case{"us-iso-east-1", true, true, nullptr},
        regional_case{"us-isob-east-1", false, false, "https://dynamodb.us-isob-east-1.sc2s.sgov.gov"},
        regional_case{"us-isob-east-1", true, false, "https://dynamodb-fips.us-isob-east-1.sc2s.sgov.gov"},
        regional_case{"us-isob-east-1", false, true, nullptr},
        regional_case{"local", false, false, "http://localhost:8000"},
        regional_case{"local", true, false, nullptr}, regional_case{"local", false, true, nullptr}));

// Suffixes from partitions.json for the partitions the official DynamoDB tests do not cover.
TEST(endpoint_partition, regions_map_to_their_partitions) {
    EXPECT_EQ(partition_of("us-east-1").name, "aws");
    EXPECT_EQ(partition_of("mx-central-1").name, "aws");
    EXPECT_EQ(partition_of("cn-north-1").name, "aws-cn");
    EXPECT_EQ(partition_of("us-gov-west-1").name, "aws-us-gov");
    EXPECT_EQ(partition_of("us-iso-east-1").name, "aws-iso");
    EXPECT_EQ(partition_of("us-isob-east-1").name, "aws-iso-b");
    EXPECT_EQ(partition_of("eu-isoe-west-1").name, "aws-iso-e");
    EXPECT_EQ(partition_of("us-isof-south-1").name, "aws-iso-f");
    EXPECT_EQ(partition_of("eusc-de-east-1").name, "aws-eusc");
    EXPECT_EQ(partition_of("eusc-de-east-1").dns_suffix, "amazonaws.eu");
    EXPECT_EQ(partition_of("eu-isoe-west-1").dns_suffix, "cloud.adc-e.uk");
    EXPECT_EQ(partition_of("aws-cn-global").name, "aws-cn");
    // Unknown shapes fall back to aws, as the rule set does.
    EXPECT_EQ(partition_of("local").name, "aws");
    EXPECT_EQ(partition_of("cn-north").name, "aws");
    EXPECT_EQ(partition_of("xx-yy-zz-ww-1-2").name, "aws");
}

TEST(endpoint_regional_host, carries_the_signing_region_and_https_defaults) {
    fake_env env;
    shared_config config;
    endpoint_settings settings;
    settings.region = "eu-west-1";
    std::string message;
    auto ep = resolve_endpoint(settings, env.lookup(), config, message);
    ASSERT_TRUE(ep.has_value()) << message;
    EXPECT_EQ(ep->scheme, "https");
    EXPECT_EQ(ep->port, 443);
    EXPECT_EQ(ep->target, "/");
    EXPECT_EQ(ep->signing_region, "eu-west-1");
    EXPECT_FALSE(ep->is_loopback);
}

TEST(endpoint_regional_host, local_region_signs_for_us_east_1) {
    fake_env env;
    shared_config config;
    endpoint_settings settings;
    settings.region = "local";
    std::string message;
    auto ep = resolve_endpoint(settings, env.lookup(), config, message);
    ASSERT_TRUE(ep.has_value()) << message;
    EXPECT_EQ(ep->signing_region, "us-east-1");
    EXPECT_TRUE(ep->is_loopback);
    EXPECT_EQ(ep->host_header, "localhost:8000");
}

// ---- precedence of configured endpoints (§9.2) ----

constexpr std::string_view full_config = "[profile p]\n"
                                         "region = us-west-2\n"
                                         "services = svc\n"
                                         "endpoint_url = https://profile.example.com\n"
                                         "[services svc]\n"
                                         "dynamodb =\n"
                                         "  endpoint_url = https://services.example.com\n"
                                         "s3 =\n"
                                         "  endpoint_url = https://s3.example.com\n";

struct precedence_fixture : testing::Test {
    fake_env env{{{"AWS_ENDPOINT_URL_DYNAMODB", "https://service-env.example.com"},
                  {"AWS_ENDPOINT_URL", "https://global-env.example.com"}}};
    shared_config config = config_from(full_config, "p");
    endpoint_settings settings;
    std::string message;

    precedence_fixture() {
        settings.region = "us-west-2";
        settings.explicit_url = "https://explicit.example.com";
    }

    std::string resolved_host() {
        auto ep = resolve_endpoint(settings, env.lookup(), config, message);
        EXPECT_TRUE(ep.has_value()) << message;
        return ep ? ep->host : std::string();
    }
};

TEST_F(precedence_fixture, each_source_wins_over_the_ones_below_it) {
    EXPECT_EQ(resolved_host(), "explicit.example.com");
    settings.explicit_url = "";
    EXPECT_EQ(resolved_host(), "service-env.example.com");
    env.vars.erase("AWS_ENDPOINT_URL_DYNAMODB");
    EXPECT_EQ(resolved_host(), "global-env.example.com");
    env.vars.erase("AWS_ENDPOINT_URL");
    EXPECT_EQ(resolved_host(), "services.example.com");
    config = config_from("[profile p]\nendpoint_url = https://profile.example.com\n", "p");
    EXPECT_EQ(resolved_host(), "profile.example.com");
    config = config_from("[profile p]\n", "p");
    EXPECT_EQ(resolved_host(), "dynamodb.us-west-2.amazonaws.com");
}

TEST_F(precedence_fixture, configured_endpoint_signs_with_the_region) {
    settings.explicit_url = "";
    auto ep = resolve_endpoint(settings, env.lookup(), config, message);
    ASSERT_TRUE(ep.has_value()) << message;
    EXPECT_EQ(ep->signing_region, "us-west-2");
}

TEST_F(precedence_fixture, other_profiles_services_are_not_used) {
    settings.explicit_url = "";
    env.vars.clear();
    config.profile_name = "other";
    EXPECT_EQ(resolved_host(), "dynamodb.us-west-2.amazonaws.com");
}

TEST_F(precedence_fixture, ignore_flag_in_env_skips_env_and_config_but_not_explicit) {
    env.vars["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "TRUE";
    EXPECT_EQ(resolved_host(), "explicit.example.com");
    settings.explicit_url = "";
    EXPECT_EQ(resolved_host(), "dynamodb.us-west-2.amazonaws.com");
}

TEST_F(precedence_fixture, ignore_flag_in_config_skips_configured_urls) {
    settings.explicit_url = "";
    config =
        config_from(std::string(full_config) + "[profile p]\nignore_configured_endpoint_urls = true\n", "p");
    EXPECT_EQ(resolved_host(), "dynamodb.us-west-2.amazonaws.com");
    // The environment's false overrides the file's true.
    env.vars["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "false";
    EXPECT_EQ(resolved_host(), "service-env.example.com");
}

TEST_F(precedence_fixture, fips_with_a_configured_endpoint_is_an_error) {
    settings.explicit_url = "";
    env.vars["AWS_USE_FIPS_ENDPOINT"] = "true";
    auto ep = resolve_endpoint(settings, env.lookup(), config, message);
    ASSERT_FALSE(ep.has_value());
    EXPECT_EQ(ep.error(), errc::invalid_endpoint);
    EXPECT_NE(message.find("AWS_ENDPOINT_URL_DYNAMODB"), std::string::npos) << message;
}

TEST_F(precedence_fixture, dual_stack_with_explicit_endpoint_is_an_error) {
    settings.use_dual_stack = true;
    auto ep = resolve_endpoint(settings, env.lookup(), config, message);
    ASSERT_FALSE(ep.has_value());
    EXPECT_EQ(ep.error(), errc::invalid_endpoint);
}

TEST_F(precedence_fixture, explicit_fips_setting_overrides_env_and_config) {
    settings.explicit_url = "";
    env.vars.clear();
    config = config_from("[profile p]\nuse_fips_endpoint = true\n", "p");
    EXPECT_EQ(resolved_host(), "dynamodb-fips.us-west-2.amazonaws.com");
    env.vars["AWS_USE_FIPS_ENDPOINT"] = "false";
    EXPECT_EQ(resolved_host(), "dynamodb.us-west-2.amazonaws.com");
    env.vars["AWS_USE_FIPS_ENDPOINT"] = "true";
    settings.use_fips = false;
    EXPECT_EQ(resolved_host(), "dynamodb.us-west-2.amazonaws.com");
}

TEST_F(precedence_fixture, dual_stack_from_config_is_used) {
    settings.explicit_url = "";
    env.vars.clear();
    config = config_from("[profile p]\nuse_dualstack_endpoint = true\n", "p");
    EXPECT_EQ(resolved_host(), "dynamodb.us-west-2.api.aws");
}

TEST_F(precedence_fixture, insecure_configured_url_names_its_source) {
    settings.explicit_url = "";
    env.vars.erase("AWS_ENDPOINT_URL_DYNAMODB");
    env.vars["AWS_ENDPOINT_URL"] = "http://ddb.example.com";
    auto ep = resolve_endpoint(settings, env.lookup(), config, message);
    ASSERT_FALSE(ep.has_value());
    EXPECT_EQ(ep.error(), errc::insecure_endpoint);
    EXPECT_NE(message.find("AWS_ENDPOINT_URL"), std::string::npos) << message;
    settings.allow_insecure_http = true;
    EXPECT_EQ(resolved_host(), "ddb.example.com");
}

TEST_F(precedence_fixture, configured_url_wins_over_local_region) {
    settings.region = "local";
    auto ep = resolve_endpoint(settings, env.lookup(), config, message);
    ASSERT_TRUE(ep.has_value()) << message;
    EXPECT_EQ(ep->host, "explicit.example.com");
    EXPECT_EQ(ep->signing_region, "local");
}

TEST_F(precedence_fixture, configured_url_needs_no_region) {
    settings.region = "";
    settings.explicit_url = "http://localhost:8000";
    auto ep = resolve_endpoint(settings, env.lookup(), config, message);
    ASSERT_TRUE(ep.has_value()) << message;
    EXPECT_TRUE(ep->is_loopback);
    EXPECT_TRUE(ep->signing_region.empty());
}

TEST_F(precedence_fixture, regional_host_needs_a_valid_region) {
    settings.explicit_url = "";
    env.vars.clear();
    config = shared_config{};
    settings.region = "";
    auto ep = resolve_endpoint(settings, env.lookup(), config, message);
    ASSERT_FALSE(ep.has_value());
    EXPECT_EQ(ep.error(), errc::invalid_region);

    settings.region = "us-east-1.evil.com";
    ep = resolve_endpoint(settings, env.lookup(), config, message);
    ASSERT_FALSE(ep.has_value());
    EXPECT_EQ(ep.error(), errc::invalid_region);
}

} // namespace
