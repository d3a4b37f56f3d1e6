// SPDX-License-Identifier: BSL-1.0
// SSO, sans-io: a profile's SSO settings (sso-session and legacy), the token cache path and file, the
// GetRoleCredentials request and the reading of its replies; no token or secret in any message.
#include <dynalock/error.hpp>

#include "core/credentials/sso.hpp"
#include "support/fake_env.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <ostream>
#include <string>

namespace {

using namespace dynalock;
using namespace dynalock::core;
using namespace std::chrono_literals;

using dynalock::test::fake_env;

shared_config config_of(std::string_view text, std::string profile = "dev") {
    shared_config config;
    config.profile_name = std::move(profile);
    config.path = "/home/u/.aws/config";
    std::string message;
    auto parsed = parse_aws_shared_file(text, aws_file_kind::config, config.path, message);
    EXPECT_TRUE(parsed.has_value()) << message;
    if (parsed)
        config.file = std::move(*parsed);
    return config;
}

sso::settings settings_ok(const shared_config& config) {
    std::string message;
    auto s = sso::settings_from_config(config, message);
    EXPECT_TRUE(s.has_value()) << message;
    EXPECT_TRUE(s && s->has_value()) << message;
    return s && *s ? **s : sso::settings{};
}

error_code settings_error(const shared_config& config, std::string& message) {
    auto s = sso::settings_from_config(config, message);
    EXPECT_FALSE(s.has_value());
    return s ? error_code{} : s.error();
}

constexpr std::string_view session_config = "[profile dev]\n"
                                            "sso_session = corp\n"
                                            "sso_account_id = 111122223333\n"
                                            "sso_role_name = ReadOnly\n"
                                            "[sso-session corp]\n"
                                            "sso_start_url = https://corp.awsapps.com/start\n"
                                            "sso_region = eu-west-1\n"
                                            "sso_registration_scopes = sso:account:access\n";

constexpr std::string_view legacy_config = "[profile dev]\n"
                                           "sso_start_url = https://legacy.awsapps.com/start\n"
                                           "sso_region = us-east-2\n"
                                           "sso_account_id = 444455556666\n"
                                           "sso_role_name = Admin\n";

// ---- settings ----

TEST(sso_settings, from_an_sso_session) {
    auto s = settings_ok(config_of(session_config));
    EXPECT_EQ(s.profile_name, "dev");
    EXPECT_EQ(s.session_name, "corp");
    EXPECT_FALSE(s.is_legacy());
    EXPECT_EQ(s.start_url, "https://corp.awsapps.com/start");
    EXPECT_EQ(s.region, "eu-west-1");
    EXPECT_EQ(s.account_id, "111122223333");
    EXPECT_EQ(s.role_name, "ReadOnly");
    EXPECT_EQ(sso::login_command(s), "aws sso login --sso-session corp");
}

TEST(sso_settings, legacy_profile) {
    auto s = settings_ok(config_of(legacy_config));
    EXPECT_TRUE(s.is_legacy());
    EXPECT_EQ(s.start_url, "https://legacy.awsapps.com/start");
    EXPECT_EQ(s.region, "us-east-2");
    EXPECT_EQ(sso::login_command(s), "aws sso login --profile dev");
}

TEST(sso_settings, profile_may_repeat_the_sessions_values_but_not_contradict_them) {
    std::string text(session_config);
    text.insert(text.find("[sso-session"), "sso_region = eu-west-1\n");
    EXPECT_EQ(settings_ok(config_of(text)).region, "eu-west-1");

    std::string conflicting(session_config);
    conflicting.insert(conflicting.find("[sso-session"), "sso_region = us-west-2\n");
    std::string message;
    EXPECT_EQ(settings_error(config_of(conflicting), message),
              make_error_code(errc::invalid_credentials_file));
    EXPECT_NE(message.find("sso_region"), std::string::npos) << message;
}

TEST(sso_settings, no_sso_keys_is_not_an_sso_profile) {
    std::string message;
    auto s = sso::settings_from_config(config_of("[profile dev]\nregion = us-east-1\n"), message);
    ASSERT_TRUE(s.has_value());
    EXPECT_FALSE(s->has_value());
    EXPECT_NE(message.find("no SSO settings"), std::string::npos) << message;
    // An absent profile likewise.
    s = sso::settings_from_config(config_of("[profile other]\nsso_session = x\n"), message);
    ASSERT_TRUE(s.has_value());
    EXPECT_FALSE(s->has_value());
}

struct incomplete_case {
    std::string_view text;
    std::string_view missing;
};

// gtest names each case by its printed value: what it expects, never a pointer.
void PrintTo(const incomplete_case& c, std::ostream* os) { *os << c.missing; }

class sso_settings_incomplete : public testing::TestWithParam<incomplete_case> {};

TEST_P(sso_settings_incomplete, is_invalid_credentials_file_naming_the_key) {
    std::string message;
    EXPECT_EQ(settings_error(config_of(GetParam().text), message),
              make_error_code(errc::invalid_credentials_file));
    EXPECT_NE(message.find(GetParam().missing), std::string::npos) << message;
    EXPECT_NE(message.find("/home/u/.aws/config:"), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    cases, sso_settings_incomplete,
    testing::Values(
        incomplete_case{"[profile dev]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n",
                        "no [sso-session 'corp'] section"},
        incomplete_case{"[profile dev]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n"
                        "[sso-session corp]\nsso_region = us-east-1\n",
                        "sso_start_url"},
        incomplete_case{"[profile dev]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = R\n"
                        "[sso-session corp]\nsso_start_url = https://x\n",
                        "sso_region"},
        incomplete_case{"[profile dev]\nsso_session = corp\nsso_role_name = R\n"
                        "[sso-session corp]\nsso_start_url = https://x\nsso_region = us-east-1\n",
                        "sso_account_id"},
        incomplete_case{"[profile dev]\nsso_session = corp\nsso_account_id = 1\n"
                        "[sso-session corp]\nsso_start_url = https://x\nsso_region = us-east-1\n",
                        "sso_role_name"},
        incomplete_case{"[profile dev]\nsso_start_url = https://x\nsso_account_id = 1\nsso_role_name = R\n",
                        "sso_region"},
        incomplete_case{"[profile dev]\nsso_region = us-east-1\nsso_account_id = 1\nsso_role_name = R\n",
                        "sso_start_url"},
        incomplete_case{"[profile dev]\nsso_account_id = 1\n", "sso_start_url"},
        incomplete_case{"[profile dev]\nsso_session =\n", "empty sso_session"}));

// ---- token cache ----

TEST(sso_token_cache, path_is_the_sha1_of_the_session_name_or_the_start_url) {
    fake_env env{{{"HOME", "/home/u"}}};
    sso::settings s;
    s.session_name = "my-sso";
    s.start_url = "https://unused";
    // sha1("my-sso"), as `aws sso login --sso-session my-sso` names it
    EXPECT_EQ(sso::token_cache_path(s, env.lookup()),
              "/home/u/.aws/sso/cache/0ad374308c5a4e22f723adf10145eafad7c4031c.json");
    s.session_name.clear();
    s.start_url = "https://my-sso-portal.awsapps.com/start";
    // sha1 of the start URL: the legacy key
    EXPECT_EQ(sso::token_cache_path(s, env.lookup()),
              "/home/u/.aws/sso/cache/c7aaaf71fcc8777ae2475525ed049d39fe16c484.json");
}

const auto now = std::chrono::sys_days{std::chrono::year{2030} / 1 / 1} + 12h;

TEST(sso_token_cache, valid_token) {
    auto s = settings_ok(config_of(session_config));
    std::string message;
    auto t = sso::parse_token_cache(
        std::string(R"({"startUrl":"https://corp.awsapps.com/start","region":"eu-west-1",
                        "accessToken":"TOKENVALUE","expiresAt":"2030-01-01T13:00:00Z","clientId":"c"})"),
        "/c.json", s, now, message);
    ASSERT_TRUE(t.has_value()) << message;
    EXPECT_EQ(t->access_token, "TOKENVALUE");
    EXPECT_EQ(t->expires_at, now + 1h);
    // The older CLI wrote "UTC" instead of "Z".
    t = sso::parse_token_cache(std::string(R"({"accessToken":"T","expiresAt":"2030-01-01T13:00:00UTC"})"),
                               "/c.json", s, now, message);
    ASSERT_TRUE(t.has_value()) << message;
    EXPECT_EQ(t->expires_at, now + 1h);
}

struct token_case {
    std::optional<std::string> text;
    std::string_view expected_in_message;
};

void PrintTo(const token_case& c, std::ostream* os) { *os << c.expected_in_message; }

class sso_token_cache_bad : public testing::TestWithParam<token_case> {};

TEST_P(sso_token_cache_bad, is_token_expired_telling_to_log_in) {
    for (auto text : {session_config, legacy_config}) {
        auto s = settings_ok(config_of(text));
        std::string message;
        auto t = sso::parse_token_cache(GetParam().text, "/home/u/.aws/sso/cache/x.json", s, now, message);
        ASSERT_FALSE(t.has_value());
        EXPECT_EQ(t.error(), make_error_code(errc::sso_token_expired));
        EXPECT_NE(message.find(GetParam().expected_in_message), std::string::npos) << message;
        EXPECT_NE(message.find("run `" + sso::login_command(s) + "`"), std::string::npos) << message;
        EXPECT_EQ(message.find("TOKENVALUE"), std::string::npos) << message;
    }
}

INSTANTIATE_TEST_SUITE_P(
    cases, sso_token_cache_bad,
    testing::Values(
        token_case{std::nullopt, "does not exist"},
        token_case{std::string("TOKENVALUE {"), "not a JSON object"},
        token_case{std::string(R"({"expiresAt":"2030-01-01T13:00:00Z"})"), "no accessToken"},
        token_case{std::string(R"({"accessToken":"TOKENVALUE"})"), "no valid expiresAt"},
        token_case{std::string(R"({"accessToken":"TOKENVALUE","expiresAt":"soon"})"), "no valid expiresAt"},
        token_case{std::string(R"({"accessToken":"TOKENVALUE","expiresAt":"2030-01-01T11:59:59Z"})"),
                   "expired at 2030-01-01T11:59:59Z"},
        token_case{std::string(R"({"accessToken":"TOKENVALUE","expiresAt":"2030-01-01T12:00:00Z"})"),
                   "expired at"}));

// ---- endpoint and request ----

TEST(sso_request, regional_portal_endpoint_and_request) {
    auto config = config_of(session_config);
    auto s = settings_ok(config);
    fake_env env;
    std::string message;
    auto ep = sso::resolve_portal_endpoint(s, env.lookup(), config, message);
    ASSERT_TRUE(ep.has_value()) << message;
    EXPECT_EQ(ep->scheme, "https");
    EXPECT_EQ(ep->host, "portal.sso.eu-west-1.amazonaws.com");

    s.role_name = "Read Only/x&y";
    auto req = sso::get_role_credentials_request(s, *ep, "TOKENVALUE");
    EXPECT_EQ(req.method, "GET");
    EXPECT_EQ(req.target, "/federation/credentials?account_id=111122223333&role_name=Read%20Only%2Fx%26y");
    EXPECT_EQ(find_header(req.headers, "x-amz-sso_bearer_token"), "TOKENVALUE");
    EXPECT_TRUE(req.body.empty());
}

TEST(sso_request, endpoint_url_overrides_apply) {
    std::string text(session_config);
    text.insert(text.find("[sso-session"), "services = local\n");
    text += "[services local]\nsso =\n  endpoint_url = http://127.0.0.1:4567/base/\n";
    auto config = config_of(text);
    auto s = settings_ok(config);
    std::string message;
    fake_env none;
    auto ep = sso::resolve_portal_endpoint(s, none.lookup(), config, message);
    ASSERT_TRUE(ep.has_value()) << message;
    EXPECT_EQ(ep->host_header, "127.0.0.1:4567");
    auto req = sso::get_role_credentials_request(s, *ep, "T");
    EXPECT_EQ(req.target.substr(0, 28), "/base/federation/credentials");

    // The environment's AWS_ENDPOINT_URL_SSO wins over the config file.
    fake_env env{{{"AWS_ENDPOINT_URL_SSO", "http://localhost:9999"}}};
    ep = sso::resolve_portal_endpoint(s, env.lookup(), config, message);
    ASSERT_TRUE(ep.has_value()) << message;
    EXPECT_EQ(ep->host_header, "localhost:9999");
}

TEST(sso_request, invalid_region_is_an_error_naming_the_profile) {
    auto config = config_of("[profile dev]\nsso_start_url = https://x\nsso_region = EU WEST\n"
                            "sso_account_id = 1\nsso_role_name = R\n");
    auto s = settings_ok(config);
    std::string message;
    fake_env env;
    auto ep = sso::resolve_portal_endpoint(s, env.lookup(), config, message);
    ASSERT_FALSE(ep.has_value());
    EXPECT_EQ(ep.error(), make_error_code(errc::invalid_region));
    EXPECT_NE(message.find("'dev'"), std::string::npos) << message;
}

// ---- replies ----

TEST(sso_reply, role_credentials) {
    auto s = settings_ok(config_of(session_config));
    auto r =
        sso::interpret_reply(s, 200, "",
                             R"({"roleCredentials":{"accessKeyId":"ASIA1","secretAccessKey":"SECRETVALUE",
                                      "sessionToken":"SESSIONVALUE","expiration":1893499200000}})",
                             "TOKENVALUE");
    ASSERT_FALSE(r.ec) << r.message;
    EXPECT_EQ(r.creds.access_key_id, "ASIA1");
    EXPECT_EQ(r.creds.secret_access_key, "SECRETVALUE");
    EXPECT_EQ(r.creds.session_token, "SESSIONVALUE");
    ASSERT_TRUE(r.creds.expiration.has_value());
    EXPECT_EQ(*r.creds.expiration, std::chrono::sys_days{std::chrono::year{2030} / 1 / 1} + 12h);
}

struct malformed_case {
    std::string_view body;
    std::string_view expected_in_message;
};

void PrintTo(const malformed_case& c, std::ostream* os) { *os << c.expected_in_message; }

class sso_reply_malformed : public testing::TestWithParam<malformed_case> {};

TEST_P(sso_reply_malformed, is_malformed_response_without_secrets) {
    auto s = settings_ok(config_of(session_config));
    auto r = sso::interpret_reply(s, 200, "", GetParam().body, "TOKENVALUE");
    EXPECT_EQ(r.ec, make_error_code(errc::malformed_response));
    EXPECT_FALSE(r.retryable);
    EXPECT_NE(r.message.find(GetParam().expected_in_message), std::string::npos) << r.message;
    for (std::string_view secret : {"SECRETVALUE", "SESSIONVALUE", "TOKENVALUE"})
        EXPECT_EQ(r.message.find(secret), std::string::npos) << r.message;
}

INSTANTIATE_TEST_SUITE_P(
    cases, sso_reply_malformed,
    testing::Values(malformed_case{"<html>SECRETVALUE", "not a JSON object"},
                    malformed_case{R"({"other":{}})", "no roleCredentials object"},
                    malformed_case{
                        R"({"roleCredentials":{"secretAccessKey":"SECRETVALUE","sessionToken":"SESSIONVALUE",
                          "expiration":1893499200000}})",
                        "roleCredentials.accessKeyId"},
                    malformed_case{R"({"roleCredentials":{"accessKeyId":"A","sessionToken":"SESSIONVALUE",
                          "expiration":1893499200000}})",
                                   "roleCredentials.secretAccessKey"},
                    malformed_case{R"({"roleCredentials":{"accessKeyId":"A","secretAccessKey":"SECRETVALUE",
                          "expiration":1893499200000}})",
                                   "roleCredentials.sessionToken"},
                    malformed_case{R"({"roleCredentials":{"accessKeyId":"A","secretAccessKey":"SECRETVALUE",
                          "sessionToken":"SESSIONVALUE","expiration":"2030-01-01T00:00:00Z"}})",
                                   "expiration"},
                    malformed_case{R"({"roleCredentials":{"accessKeyId":"A","secretAccessKey":"SECRETVALUE",
                          "sessionToken":"SESSIONVALUE"}})",
                                   "expiration"}));

TEST(sso_reply, unauthorized_is_token_expired_telling_to_log_in) {
    auto s = settings_ok(config_of(legacy_config));
    auto r =
        sso::interpret_reply(s, 401, "UnauthorizedException:http://internal.amazon.com/coral/",
                             R"({"message":"Session token TOKENVALUE not found or invalid"})", "TOKENVALUE");
    EXPECT_EQ(r.ec, make_error_code(errc::sso_token_expired));
    EXPECT_FALSE(r.retryable);
    EXPECT_NE(r.message.find("UnauthorizedException"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("aws sso login --profile dev"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("Session token *** not found"), std::string::npos) << r.message;
    EXPECT_EQ(r.message.find("TOKENVALUE"), std::string::npos) << r.message;

    // An UnauthorizedException on a 403 (the type in the body) is the same.
    r = sso::interpret_reply(s, 403, "", R"({"__type":"com.amazon#UnauthorizedException","message":"x"})",
                             "T");
    EXPECT_EQ(r.ec, make_error_code(errc::sso_token_expired));
}

TEST(sso_reply, other_refusals_are_rejected_and_5xx_is_retryable) {
    auto s = settings_ok(config_of(session_config));
    auto r = sso::interpret_reply(s, 403, "ForbiddenException", R"({"message":"No access"})", "T");
    EXPECT_EQ(r.ec, make_error_code(errc::credentials_rejected));
    EXPECT_FALSE(r.retryable);
    EXPECT_NE(r.message.find("ForbiddenException: No access"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("'111122223333'"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("'ReadOnly'"), std::string::npos) << r.message;

    r = sso::interpret_reply(s, 404, "ResourceNotFoundException", "{}", "T");
    EXPECT_EQ(r.ec, make_error_code(errc::credentials_rejected));

    r = sso::interpret_reply(s, 503, "", "<html>down</html>", "T");
    EXPECT_EQ(r.ec, make_error_code(errc::unexpected_status));
    EXPECT_TRUE(r.retryable);
    EXPECT_NE(r.message.find("HTTP 503"), std::string::npos) << r.message;

    r = sso::interpret_reply(s, 429, "TooManyRequestsException", "{}", "T");
    EXPECT_TRUE(r.retryable);
}

} // namespace
