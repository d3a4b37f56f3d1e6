// SPDX-License-Identifier: BSL-1.0
// Retry mode, max attempts, CA bundle and application id from options, environment and profile; the
// User-Agent; the Lambda trace id.
#include <dynalock/error.hpp>

#include "core/client_config.hpp"
#include "support/fake_env.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace {

using namespace dynalock;
using namespace dynalock::core;

using dynalock::test::fake_env;

shared_config config_with(std::string_view text, std::string profile = "default") {
    shared_config c;
    c.profile_name = std::move(profile);
    c.path = "/home/u/.aws/config";
    std::string message;
    auto parsed = parse_aws_shared_file(text, aws_file_kind::config, c.path, message);
    EXPECT_TRUE(parsed) << message;
    if (parsed)
        c.file = *parsed;
    return c;
}

struct resolved {
    boost::system::result<client_config> config;
    std::string message;
};

resolved resolve(const fake_env& env, const shared_config& config, client_config_options options = {}) {
    resolved r{client_config{}, {}};
    r.config = resolve_client_config(options, env.lookup(), config, r.message);
    return r;
}

} // namespace

TEST(client_config, defaults) {
    auto r = resolve({}, {});
    ASSERT_TRUE(r.config) << r.message;
    EXPECT_EQ(r.config->mode, retry_mode::standard);
    EXPECT_EQ(r.config->max_attempts, 4u);
    EXPECT_EQ(r.config->ca_file, "");
    EXPECT_EQ(r.config->app_id, "");
}

TEST(client_config, profile_then_environment_then_options_win) {
    auto cfg =
        config_with("[profile dev]\nretry_mode = adaptive\nmax_attempts = 7\nca_bundle = /etc/dev.pem\n"
                    "sdk_ua_app_id = dev-app\n",
                    "dev");
    auto r = resolve({}, cfg);
    ASSERT_TRUE(r.config) << r.message;
    EXPECT_EQ(r.config->mode, retry_mode::adaptive);
    EXPECT_EQ(r.config->max_attempts, 7u);
    EXPECT_EQ(r.config->ca_file, "/etc/dev.pem");
    EXPECT_NE(r.config->ca_file_source.find("ca_bundle of profile 'dev'"), std::string::npos);
    EXPECT_EQ(r.config->app_id, "dev-app");

    fake_env env{{{"AWS_RETRY_MODE", "Standard"},
                  {"AWS_MAX_ATTEMPTS", " 2 "},
                  {"AWS_CA_BUNDLE", "~/ca.pem"},
                  {"HOME", "/home/u"},
                  {"AWS_SDK_UA_APP_ID", "env-app"}}};
    r = resolve(env, cfg);
    ASSERT_TRUE(r.config) << r.message;
    EXPECT_EQ(r.config->mode, retry_mode::standard);
    EXPECT_EQ(r.config->max_attempts, 2u);
    EXPECT_EQ(r.config->ca_file, "/home/u/ca.pem");
    EXPECT_EQ(r.config->ca_file_source, "AWS_CA_BUNDLE");
    EXPECT_EQ(r.config->app_id, "env-app");

    r = resolve(env, cfg, {retry_mode::adaptive, 9, "/opt/ca.pem", "opt-app"});
    ASSERT_TRUE(r.config) << r.message;
    EXPECT_EQ(r.config->mode, retry_mode::adaptive);
    EXPECT_EQ(r.config->max_attempts, 9u);
    EXPECT_EQ(r.config->ca_file, "/opt/ca.pem");
    EXPECT_EQ(r.config->app_id, "opt-app");
}

TEST(client_config, an_empty_variable_is_not_set) {
    auto cfg = config_with("[default]\nretry_mode = adaptive\n");
    auto r = resolve({{{"AWS_RETRY_MODE", ""}}}, cfg);
    ASSERT_TRUE(r.config) << r.message;
    EXPECT_EQ(r.config->mode, retry_mode::adaptive);
}

TEST(client_config, unknown_retry_mode_names_the_variable_and_value) {
    auto r = resolve({{{"AWS_RETRY_MODE", "turbo"}}}, {});
    ASSERT_FALSE(r.config);
    EXPECT_EQ(r.config.error(), errc::unsupported_configuration);
    EXPECT_EQ(r.message,
              "AWS_RETRY_MODE is 'turbo', which is not supported: the retry modes are standard and adaptive");
}

TEST(client_config, legacy_retry_mode_is_refused_saying_so) {
    auto cfg = config_with("[profile ci]\nretry_mode = legacy\n", "ci");
    auto r = resolve({}, cfg);
    ASSERT_FALSE(r.config);
    EXPECT_EQ(r.config.error(), errc::unsupported_configuration);
    EXPECT_EQ(
        r.message.rfind("the retry_mode of profile 'ci' in /home/u/.aws/config is 'legacy', which is not "
                        "supported: this client implements the standard and adaptive retry modes, not legacy",
                        0),
        0u)
        << r.message;
    // The explicit option overrides what the shared file says.
    r = resolve({}, cfg, {retry_mode::standard, 0, {}, {}});
    EXPECT_TRUE(r.config) << r.message;
}

TEST(client_config, bad_max_attempts_is_unsupported) {
    for (const char* bad : {"0", "-1", "three", "2x", "99999999999"}) {
        auto r = resolve({{{"AWS_MAX_ATTEMPTS", bad}}}, {});
        ASSERT_FALSE(r.config) << bad;
        EXPECT_EQ(r.config.error(), errc::unsupported_configuration);
        EXPECT_EQ(r.message,
                  "AWS_MAX_ATTEMPTS is '" + std::string(bad) +
                      "', which is not supported: max_attempts is a whole number of attempts, 1 or more");
    }
    auto r = resolve({}, config_with("[default]\nmax_attempts = lots\n"));
    ASSERT_FALSE(r.config);
    EXPECT_NE(r.message.find("the max_attempts of profile 'default' in /home/u/.aws/config is 'lots'"),
              std::string::npos)
        << r.message;
}

TEST(client_config, app_id_is_validated) {
    std::string message;
    EXPECT_FALSE(validate_app_id("my-app_1.0", "X", message));
    EXPECT_FALSE(validate_app_id(std::string(50, 'a'), "X", message));
    for (std::string bad : {std::string(51, 'a'), std::string("has space"), std::string("new\nline"),
                            std::string("slash/no"), std::string("caf\xc3\xa9")}) {
        auto r = resolve({{{"AWS_SDK_UA_APP_ID", bad}}}, {});
        ASSERT_FALSE(r.config) << bad;
        EXPECT_EQ(r.config.error(), errc::unsupported_configuration);
        EXPECT_EQ(r.message.rfind("AWS_SDK_UA_APP_ID is '", 0), 0u) << r.message;
        EXPECT_NE(r.message.find("an application id is 1 to 50 characters"), std::string::npos);
        EXPECT_EQ(r.message.find('\n'), std::string::npos) << "control characters are never echoed";
    }
    auto r = resolve({}, {}, {std::nullopt, 0, {}, "bad id"});
    ASSERT_FALSE(r.config);
    EXPECT_EQ(r.message.rfind("client_options::app_id is 'bad id'", 0), 0u) << r.message;
}

TEST(client_config, user_agent) {
    EXPECT_EQ(make_user_agent("0.1", retry_mode::standard, ""), "dynalock/0.1 cfg/retry-mode#standard");
    EXPECT_EQ(make_user_agent("0.1", retry_mode::adaptive, "shop-42"),
              "dynalock/0.1 cfg/retry-mode#adaptive app/shop-42");
}

TEST(client_config, lambda_trace_id_only_inside_lambda_and_only_printable) {
    const std::string id = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1";
    EXPECT_FALSE(lambda_trace_id(fake_env{{{"_X_AMZN_TRACE_ID", id}}}.lookup()));
    EXPECT_EQ(
        lambda_trace_id(fake_env{{{"_X_AMZN_TRACE_ID", id}, {"AWS_LAMBDA_FUNCTION_NAME", "f"}}}.lookup()),
        id);
    EXPECT_FALSE(lambda_trace_id(fake_env{{{"AWS_LAMBDA_FUNCTION_NAME", "f"}}}.lookup()));
    EXPECT_FALSE(lambda_trace_id(
        fake_env{{{"_X_AMZN_TRACE_ID", "Root=1\r\nX-Evil: 1"}, {"AWS_LAMBDA_FUNCTION_NAME", "f"}}}.lookup()));
    EXPECT_FALSE(lambda_trace_id(
        fake_env{{{"_X_AMZN_TRACE_ID", "Root=\x7f"}, {"AWS_LAMBDA_FUNCTION_NAME", "f"}}}.lookup()));
}

TEST(client_config, parse_retry_mode_accepts_case_and_blanks) {
    std::string message;
    EXPECT_EQ(parse_retry_mode(" ADAPTIVE\t", "X", message).value(), retry_mode::adaptive);
    EXPECT_EQ(parse_retry_mode("standard", "X", message).value(), retry_mode::standard);
    EXPECT_FALSE(parse_retry_mode("", "X", message));
}
