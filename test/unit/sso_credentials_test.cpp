// SPDX-License-Identifier: BSL-1.0
// make_sso_credentials_provider against an SSO portal test service on loopback: a config file and a token
// cache in a temporary HOME, the portal found through AWS_ENDPOINT_URL_SSO or the [services] section.
// Success with an sso-session and with a legacy profile; an expired, missing or refused token tells the
// user to run `aws sso login`; incomplete settings name the key; a hung portal fails in time; no token or
// secret in any message.
#include <dynalock/credentials.hpp>

#include "credentials/sso_provider.hpp"
#include "support/services/sso_test_service.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <string>

namespace {

namespace asio = boost::asio;
namespace fs = std::filesystem;
using namespace dynalock;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;
using sso_behaviour = test::sso_test_service::behaviour;

constexpr const char* access_token = "SSOACCESSTOKEN-aGVsbG8";
constexpr const char* secret = "SSOROLESECRETKEY";
constexpr const char* session_token = "SSOROLESESSIONTOKEN";
constexpr std::int64_t expiration_ms = 1'893'499'200'000; // 2030-01-01T12:00:00Z

// sha1("corp") and sha1("https://legacy.awsapps.com/start"): the names `aws sso login` gives the cache files.
constexpr const char* session_cache = "ee0bfd2552fbd840c02cc48b6e823320543c450f.json";
constexpr const char* legacy_cache = "79e435d7a515078e81c9dffc35f38d5687ebd3a7.json";

constexpr std::string_view session_profile = "[profile dev]\n"
                                             "sso_session = corp\n"
                                             "sso_account_id = 111122223333\n"
                                             "sso_role_name = ReadOnly\n"
                                             "region = eu-west-1\n"
                                             "[sso-session corp]\n"
                                             "sso_start_url = https://corp.awsapps.com/start\n"
                                             "sso_region = eu-west-1\n";

constexpr std::string_view legacy_profile = "[profile old]\n"
                                            "sso_start_url = https://legacy.awsapps.com/start\n"
                                            "sso_region = us-east-2\n"
                                            "sso_account_id = 444455556666\n"
                                            "sso_role_name = Admin\n";

struct outcome {
    bool called = false;
    error_code ec;
    credentials creds;
    std::string message;
    clock_type::duration elapsed{};
};

outcome get(credentials_provider& provider) {
    asio::io_context ioc;
    outcome out;
    const auto start = clock_type::now();
    provider.async_get_credentials(ioc.get_executor(), [&](error_code ec, credentials creds) {
        out.called = true;
        out.ec = ec;
        out.creds = std::move(creds);
        out.elapsed = clock_type::now() - start;
    });
    EXPECT_FALSE(out.called) << "the handler ran inside async_get_credentials";
    ioc.run();
    EXPECT_TRUE(out.called) << "the handler never ran";
    out.message = provider.last_error_message();
    return out;
}

std::string iso8601(std::chrono::system_clock::time_point when) {
    using namespace std::chrono;
    auto secs = floor<seconds>(when);
    auto days = floor<std::chrono::days>(secs);
    year_month_day ymd{days};
    hh_mm_ss hms{secs - days};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buf;
}

class sso_provider_test : public testing::Test {
protected:
    test::sso_test_service portal{access_token};
    fs::path home;
    std::map<std::string, std::string, std::less<>> vars;

    void SetUp() override {
        const auto* info = testing::UnitTest::GetInstance()->current_test_info();
        home = fs::path(testing::TempDir()) /
               ("dynalock_sso_" + std::string(info->name()) + "_" + std::to_string(::getpid()));
        fs::remove_all(home);
        fs::create_directories(home / ".aws" / "sso" / "cache");
        vars["HOME"] = home.string();
        vars["AWS_ENDPOINT_URL_SSO"] = portal.url();
        portal.add_role("111122223333", "ReadOnly", {"ASIASSOSESSION", secret, session_token, expiration_ms});
        portal.add_role("444455556666", "Admin", {"ASIASSOLEGACY", secret, session_token, expiration_ms});
    }
    void TearDown() override { fs::remove_all(home); }

    environment_lookup env() const {
        return [this](std::string_view name) -> std::optional<std::string> {
            auto it = vars.find(name);
            if (it == vars.end())
                return std::nullopt;
            return it->second;
        };
    }

    void write(const fs::path& path, std::string_view text) {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << text;
    }
    void write_config(std::string_view text) { write(home / ".aws" / "config", text); }
    void write_token(const char* file, std::string_view token,
                     std::chrono::system_clock::time_point expires) {
        write(home / ".aws" / "sso" / "cache" / file,
              R"({"startUrl":"https://corp.awsapps.com/start","region":"eu-west-1","accessToken":")" +
                  std::string(token) + R"(","expiresAt":")" + iso8601(expires) + R"(","clientId":"cid"})");
    }
    void write_valid_token(const char* file) {
        write_token(file, access_token, std::chrono::system_clock::now() + 1h);
    }

    std::shared_ptr<credentials_provider> provider(std::string profile,
                                                   credentials_http_options http = detail::default_sso_http) {
        return detail::make_sso_provider(std::move(profile), env(), http);
    }

    // No message may carry the token or the secrets.
    static void expect_no_secret(const std::string& message) {
        for (const char* s : {access_token, secret, session_token})
            EXPECT_EQ(message.find(s), std::string::npos) << message;
    }
};

// ---- success ----

TEST_F(sso_provider_test, sso_session_profile_gets_role_credentials) {
    write_config(session_profile);
    write_valid_token(session_cache);
    auto r = get(*make_sso_credentials_provider("dev", env()));
    ASSERT_FALSE(r.ec) << r.message;
    EXPECT_EQ(r.creds.access_key_id, "ASIASSOSESSION");
    EXPECT_EQ(r.creds.secret_access_key, secret);
    EXPECT_EQ(r.creds.session_token, session_token);
    ASSERT_TRUE(r.creds.expiration.has_value());
    EXPECT_EQ(*r.creds.expiration,
              std::chrono::system_clock::time_point(std::chrono::milliseconds(expiration_ms)));

    auto requests = portal.requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].method, "GET");
    EXPECT_EQ(requests[0].target, "/federation/credentials?account_id=111122223333&role_name=ReadOnly");
    EXPECT_EQ(requests[0].header("x-amz-sso_bearer_token"), access_token);
    EXPECT_FALSE(requests[0].has_header("authorization")); // the token is the only credential sent
}

TEST_F(sso_provider_test, legacy_profile_gets_role_credentials) {
    write_config(legacy_profile);
    write_valid_token(legacy_cache);
    vars["AWS_PROFILE"] = "old";
    auto r = get(*make_sso_credentials_provider("", env()));
    ASSERT_FALSE(r.ec) << r.message;
    EXPECT_EQ(r.creds.access_key_id, "ASIASSOLEGACY");
    ASSERT_EQ(portal.request_count(), 1u);
    EXPECT_EQ(portal.requests()[0].target, "/federation/credentials?account_id=444455556666&role_name=Admin");
}

TEST_F(sso_provider_test, the_services_section_names_the_portal) {
    vars.erase("AWS_ENDPOINT_URL_SSO");
    std::string text(session_profile);
    text.insert(text.find("[sso-session"), "services = local\n");
    text += "[services local]\nsso =\n  endpoint_url = " + portal.url() + "\n";
    write_config(text);
    write_valid_token(session_cache);
    auto r = get(*provider("dev"));
    ASSERT_FALSE(r.ec) << r.message;
    EXPECT_EQ(portal.request_count(), 1u);
}

TEST_F(sso_provider_test, files_are_read_at_each_call) {
    write_config(session_profile);
    auto p = provider("dev");
    auto before = get(*p);
    EXPECT_EQ(before.ec, make_error_code(errc::sso_token_expired));
    write_valid_token(session_cache); // `aws sso login` ran
    auto after = get(*p);
    ASSERT_FALSE(after.ec) << after.message;
    EXPECT_TRUE(p->last_error_message().empty());
}

TEST_F(sso_provider_test, a_5xx_is_retried) {
    write_config(session_profile);
    write_valid_token(session_cache);
    portal.fail_next(1);
    auto r = get(*provider("dev"));
    ASSERT_FALSE(r.ec) << r.message;
    EXPECT_EQ(portal.request_count(), 2u);
}

// ---- the token ----

TEST_F(sso_provider_test, expired_token_says_to_log_in_and_asks_nothing) {
    write_config(session_profile);
    write_token(session_cache, access_token, std::chrono::system_clock::now() - 1min);
    auto r = get(*provider("dev"));
    EXPECT_EQ(r.ec, make_error_code(errc::sso_token_expired));
    EXPECT_NE(r.message.find("expired"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("run `aws sso login --sso-session corp`"), std::string::npos) << r.message;
    EXPECT_EQ(portal.request_count(), 0u);
    expect_no_secret(r.message);
}

TEST_F(sso_provider_test, missing_cache_file_says_to_log_in) {
    write_config(legacy_profile);
    auto r = get(*provider("old"));
    EXPECT_EQ(r.ec, make_error_code(errc::sso_token_expired));
    EXPECT_NE(r.message.find(legacy_cache), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("run `aws sso login --profile old`"), std::string::npos) << r.message;
    EXPECT_EQ(portal.request_count(), 0u);
}

TEST_F(sso_provider_test, malformed_cache_file_says_to_log_in_without_quoting_it) {
    write_config(session_profile);
    write(home / ".aws" / "sso" / "cache" / session_cache,
          std::string("{\"accessToken\": \"") + access_token);
    auto r = get(*provider("dev"));
    EXPECT_EQ(r.ec, make_error_code(errc::sso_token_expired));
    EXPECT_NE(r.message.find("aws sso login"), std::string::npos) << r.message;
    expect_no_secret(r.message);
}

TEST_F(sso_provider_test, a_token_the_portal_refuses_is_expired_and_never_shown) {
    write_config(session_profile);
    write_token(session_cache, "SSOREVOKEDTOKEN", std::chrono::system_clock::now() + 1h);
    auto r = get(*provider("dev"));
    EXPECT_EQ(r.ec, make_error_code(errc::sso_token_expired));
    EXPECT_NE(r.message.find("UnauthorizedException"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("run `aws sso login --sso-session corp`"), std::string::npos) << r.message;
    EXPECT_EQ(r.message.find("SSOREVOKEDTOKEN"), std::string::npos) << r.message;
    ASSERT_EQ(portal.request_count(), 1u); // not retried: another attempt cannot help
    EXPECT_EQ(portal.requests()[0].header("x-amz-sso_bearer_token"), "SSOREVOKEDTOKEN");
}

// ---- settings ----

TEST_F(sso_provider_test, a_profile_without_sso_settings_is_no_credentials) {
    write_config("[profile dev]\nregion = eu-west-1\n");
    auto r = get(*provider("dev"));
    EXPECT_EQ(r.ec, make_error_code(errc::no_credentials));
    EXPECT_NE(r.message.find("no SSO settings"), std::string::npos) << r.message;
    // No config file at all: likewise.
    fs::remove(home / ".aws" / "config");
    EXPECT_EQ(get(*provider("dev")).ec, make_error_code(errc::no_credentials));
}

TEST_F(sso_provider_test, incomplete_settings_name_the_missing_key) {
    write_config(
        "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n"
        "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n");
    write_valid_token(session_cache);
    auto r = get(*provider("dev"));
    EXPECT_EQ(r.ec, make_error_code(errc::invalid_credentials_file));
    EXPECT_NE(r.message.find("sso_role_name"), std::string::npos) << r.message;
    EXPECT_EQ(portal.request_count(), 0u);

    write_config("[profile dev]\nsso_session = nowhere\nsso_account_id = 1\nsso_role_name = R\n");
    r = get(*provider("dev"));
    EXPECT_EQ(r.ec, make_error_code(errc::invalid_credentials_file));
    EXPECT_NE(r.message.find("[sso-session 'nowhere']"), std::string::npos) << r.message;
}

TEST_F(sso_provider_test, a_role_the_user_may_not_use_is_rejected) {
    std::string text(session_profile);
    text.replace(text.find("ReadOnly"), 8, "PowerUser");
    write_config(text);
    write_valid_token(session_cache);
    auto r = get(*provider("dev"));
    EXPECT_EQ(r.ec, make_error_code(errc::credentials_rejected));
    EXPECT_NE(r.message.find("ForbiddenException"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("'PowerUser'"), std::string::npos) << r.message;
    expect_no_secret(r.message);
}

// ---- a misbehaving portal ----

TEST_F(sso_provider_test, a_hung_portal_fails_in_time) {
    write_config(session_profile);
    write_valid_token(session_cache);
    portal.set_behaviour(sso_behaviour::hang);
    auto r = get(*provider("dev", {1000ms, 300ms, 2}));
    EXPECT_EQ(r.ec, make_error_code(errc::attempt_timeout)) << r.message;
    EXPECT_GE(r.elapsed, 600ms);
    EXPECT_LT(r.elapsed, 10s);
    EXPECT_EQ(portal.request_count(), 2u);
    EXPECT_NE(r.message.find("gave up after 2 attempts"), std::string::npos) << r.message;
    expect_no_secret(r.message);
}

TEST_F(sso_provider_test, cancellation_ends_a_call_to_a_hung_portal) {
    write_config(session_profile);
    write_valid_token(session_cache);
    portal.set_behaviour(sso_behaviour::hang);
    auto p = provider("dev", {5000ms, 60000ms, 1});
    asio::io_context ioc;
    asio::cancellation_signal cancel;
    outcome out;
    const auto start = clock_type::now();
    p->async_get_credentials(ioc.get_executor(),
                             asio::bind_cancellation_slot(cancel.slot(), [&](error_code ec, credentials) {
                                 out.called = true;
                                 out.ec = ec;
                                 out.elapsed = clock_type::now() - start;
                             }));
    // Cancel once the portal holds the request.
    asio::steady_timer poll(ioc);
    std::function<void()> wait_for_request = [&] {
        poll.expires_after(5ms);
        poll.async_wait([&](error_code) {
            if (out.called)
                return;
            if (portal.request_count() > 0 || clock_type::now() - start > 20s)
                cancel.emit(asio::cancellation_type::terminal);
            else
                wait_for_request();
        });
    };
    wait_for_request();
    ioc.run();
    ASSERT_TRUE(out.called);
    EXPECT_EQ(out.ec, asio::error::operation_aborted) << p->last_error_message();
    EXPECT_LT(out.elapsed, 25s);
    EXPECT_EQ(portal.request_count(), 1u);
}

TEST_F(sso_provider_test, garbage_from_the_portal_is_malformed) {
    write_config(session_profile);
    write_valid_token(session_cache);
    portal.set_behaviour(sso_behaviour::garbage);
    auto r = get(*provider("dev"));
    EXPECT_EQ(r.ec, make_error_code(errc::malformed_response));
    EXPECT_NE(r.message.find("not a JSON object"), std::string::npos) << r.message;
    expect_no_secret(r.message);
}

TEST_F(sso_provider_test, a_portal_that_keeps_failing_is_reported_after_the_attempts) {
    write_config(session_profile);
    write_valid_token(session_cache);
    portal.set_behaviour(sso_behaviour::server_error);
    auto r = get(*provider("dev", {1000ms, 2000ms, 3}));
    EXPECT_EQ(r.ec, make_error_code(errc::unexpected_status));
    EXPECT_EQ(portal.request_count(), 3u);
    EXPECT_NE(r.message.find("HTTP 500 InternalServerException"), std::string::npos) << r.message;
    expect_no_secret(r.message);
}

TEST_F(sso_provider_test, an_unreachable_portal_is_a_connection_error) {
    write_config(session_profile);
    write_valid_token(session_cache);
    vars["AWS_ENDPOINT_URL_SSO"] = "http://127.0.0.1:1"; // nothing listens on port 1
    auto r = get(*provider("dev", {1000ms, 1000ms, 1}));
    EXPECT_EQ(r.ec, make_error_code(errc::connect_failed)) << r.message;
    expect_no_secret(r.message);
}

} // namespace
