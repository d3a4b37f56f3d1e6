// SPDX-License-Identifier: BSL-1.0
// The web identity and assume-role providers against the test STS (awsQuery wire format, SigV4 verified):
// success, distinct credentials at each refresh, the token file read afresh, chains of roles, STS errors
// and retries, a hung STS, malformed replies, missing files, cancellation, and no secret in any message.
#include <dynalock/credentials.hpp>

#include "support/fake_env.hpp"
#include "support/services/sts_test_service.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <regex>
#include <string>

// Options are written with designated initializers; the fields left out keep their defaults on purpose.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace {

namespace asio = boost::asio;
using namespace dynalock;
using dynalock::test::sts_test_service;
using clock_type = std::chrono::steady_clock;

using dynalock::test::fake_env;

struct outcome {
    error_code ec;
    credentials creds;
    std::string message;
    std::chrono::milliseconds elapsed{0};
};

// One call to completion; the io_context runs at most `limit` so a broken test cannot hang the suite.
outcome get(credentials_provider& provider, std::chrono::seconds limit = std::chrono::seconds(30)) {
    asio::io_context ioc;
    outcome out;
    bool called = false;
    auto start = clock_type::now();
    provider.async_get_credentials(ioc.get_executor(), [&](error_code ec, credentials creds) {
        called = true;
        out.ec = ec;
        out.creds = std::move(creds);
    });
    ioc.run_for(limit);
    EXPECT_TRUE(called) << "the handler never ran";
    out.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start);
    out.message = provider.last_error_message();
    return out;
}

constexpr const char* role_a = "arn:aws:iam::111111111111:role/app";
constexpr const char* role_b = "arn:aws:iam::222222222222:role/base";
constexpr const char* source_key = "AKIASOURCE0000000001";
constexpr const char* source_secret = "sourceSecret/K7MDENG+bPxRfiCY";
constexpr const char* web_token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJzeXN0ZW0ifQ.c2lnbmF0dXJl";

class sts_providers : public testing::Test {
protected:
    sts_test_service sts;
    std::string token_path = testing::TempDir() + "dynalock_sts_test_token";
    fake_env env;

    void SetUp() override {
        env.vars = {{"AWS_ENDPOINT_URL_STS", sts.url()},
                    {"AWS_CONFIG_FILE", testing::TempDir() + "dynalock_sts_test_no_config"},
                    {"AWS_SHARED_CREDENTIALS_FILE", testing::TempDir() + "dynalock_sts_test_no_credentials"}};
        sts.trust(source_key, source_secret);
        sts.expect_web_identity_token(web_token);
        write_token(web_token);
    }
    void TearDown() override { std::remove(token_path.c_str()); }

    void write_token(std::string_view token) {
        std::ofstream out(token_path, std::ios::binary | std::ios::trunc);
        out << token;
    }

    std::shared_ptr<credentials_provider> web_identity(web_identity_options o = {}) {
        if (o.role_arn.empty())
            o.role_arn = role_a;
        if (o.token_file.empty())
            o.token_file = token_path;
        return make_web_identity_credentials_provider(std::move(o), env.snapshot());
    }

    std::shared_ptr<credentials_provider> assume(assume_role_options o,
                                                 std::shared_ptr<credentials_provider> source = nullptr) {
        if (o.role_arn.empty())
            o.role_arn = role_a;
        if (!source)
            source = make_static_credentials_provider({source_key, source_secret, "", std::nullopt});
        return make_assume_role_credentials_provider(std::move(o), std::move(source), env.snapshot());
    }

    // No secret, token or signature of this test ever appears in a message.
    void expect_no_secret(const std::string& message) {
        for (const char* secret : {source_secret, web_token, "tempSecret", "tempToken", "Signature="})
            EXPECT_EQ(message.find(secret), std::string::npos) << message;
    }
};

// ---- web identity ----

TEST_F(sts_providers, web_identity_exchanges_the_token_unsigned) {
    env.vars["AWS_ROLE_SESSION_NAME"] = "pod-abc";
    auto out = get(*web_identity({.duration = std::chrono::seconds(1800)}));
    ASSERT_FALSE(out.ec) << out.message;
    auto calls = sts.calls();
    ASSERT_EQ(calls.size(), 1u);
    const auto& c = calls[0];
    EXPECT_EQ(c.action, "AssumeRoleWithWebIdentity");
    EXPECT_FALSE(c.was_signed);
    EXPECT_EQ(c.role_arn, role_a);
    EXPECT_EQ(c.role_session_name, "pod-abc");
    EXPECT_EQ(c.web_identity_token, web_token);
    EXPECT_EQ(c.duration_seconds, 1800);
    ASSERT_TRUE(c.issued);
    EXPECT_EQ(out.creds.access_key_id, c.issued->access_key_id);
    EXPECT_EQ(out.creds.secret_access_key, c.issued->secret_access_key);
    EXPECT_EQ(out.creds.session_token, c.issued->session_token);
    ASSERT_TRUE(out.creds.expiration);
    EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(out.creds.expiration->time_since_epoch()),
              std::chrono::duration_cast<std::chrono::seconds>(c.issued->expiration.time_since_epoch()));
    auto requests = sts.server().requests();
    ASSERT_EQ(requests.size(), 1u);
    EXPECT_EQ(requests[0].header("content-type"), "application/x-www-form-urlencoded; charset=utf-8");
    EXPECT_EQ(requests[0].target, "/");
}

TEST_F(sts_providers, web_identity_reads_the_environment_and_defaults_the_session_name) {
    env.vars["AWS_ROLE_ARN"] = role_b;
    env.vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = token_path;
    auto out = get(*make_web_identity_credentials_provider({}, env.snapshot()));
    ASSERT_FALSE(out.ec) << out.message;
    auto calls = sts.calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].role_arn, role_b);
    EXPECT_TRUE(std::regex_match(calls[0].role_session_name, std::regex("dynalock-session-[0-9]+")))
        << calls[0].role_session_name;
    EXPECT_FALSE(calls[0].duration_seconds);
}

TEST_F(sts_providers, web_identity_reads_the_token_afresh_and_gets_new_credentials_each_time) {
    auto provider = web_identity();
    auto first = get(*provider);
    ASSERT_FALSE(first.ec) << first.message;
    write_token("rotated.token.value\n"); // a trailing newline, as `echo` writes
    sts.expect_web_identity_token("rotated.token.value");
    auto second = get(*provider);
    ASSERT_FALSE(second.ec) << second.message;
    EXPECT_NE(first.creds.access_key_id, second.creds.access_key_id);
    EXPECT_NE(first.creds.secret_access_key, second.creds.secret_access_key);
    EXPECT_EQ(sts.calls().at(1).web_identity_token, "rotated.token.value");
}

TEST_F(sts_providers, web_identity_configuration_errors) {
    auto none = get(*make_web_identity_credentials_provider({}, env.snapshot()));
    EXPECT_EQ(none.ec, errc::no_credentials);
    EXPECT_NE(none.message.find("AWS_WEB_IDENTITY_TOKEN_FILE"), std::string::npos) << none.message;

    auto role_only = get(*make_web_identity_credentials_provider({.role_arn = role_a}, env.snapshot()));
    EXPECT_EQ(role_only.ec, errc::invalid_argument);

    env.vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = token_path;
    auto token_only = get(*make_web_identity_credentials_provider({}, env.snapshot()));
    EXPECT_EQ(token_only.ec, errc::invalid_argument);
    EXPECT_NE(token_only.message.find("AWS_ROLE_ARN"), std::string::npos) << token_only.message;

    auto bad_session = get(*web_identity({.role_session_name = "no spaces allowed"}));
    EXPECT_EQ(bad_session.ec, errc::invalid_argument);
    EXPECT_EQ(sts.request_count(), 0u);
}

TEST_F(sts_providers, web_identity_missing_or_empty_token_file) {
    env.vars["AWS_ROLE_ARN"] = role_a;
    env.vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = token_path + ".missing";
    auto missing = get(*make_web_identity_credentials_provider({}, env.snapshot()));
    EXPECT_EQ(missing.ec, errc::invalid_credentials_file);
    EXPECT_NE(missing.message.find("AWS_WEB_IDENTITY_TOKEN_FILE is set but the file is unreadable: " +
                                   token_path + ".missing"),
              std::string::npos)
        << missing.message;

    write_token("\n");
    env.vars["AWS_WEB_IDENTITY_TOKEN_FILE"] = token_path;
    auto empty = get(*make_web_identity_credentials_provider({}, env.snapshot()));
    EXPECT_EQ(empty.ec, errc::invalid_credentials_file);
    EXPECT_NE(empty.message.find("empty"), std::string::npos) << empty.message;
    EXPECT_EQ(sts.request_count(), 0u);
}

TEST_F(sts_providers, web_identity_refused_token_is_rejected_without_echoing_it) {
    sts.expect_web_identity_token("another.token");
    auto out = get(*web_identity());
    EXPECT_EQ(out.ec, errc::credentials_rejected);
    EXPECT_NE(
        out.message.find("STS InvalidIdentityToken: The web identity token that was passed could not be "
                         "validated"),
        std::string::npos)
        << out.message;
    EXPECT_NE(out.message.find(role_a), std::string::npos) << out.message;
    expect_no_secret(out.message);
    EXPECT_EQ(sts.request_count(), 1u) << "a refusal is final";
}

TEST_F(sts_providers, sts_echoing_the_token_never_leaks_it) {
    sts.fail_next(400, "InvalidIdentityToken", std::string("bad token ") + web_token);
    auto out = get(*web_identity());
    EXPECT_EQ(out.ec, errc::credentials_rejected);
    EXPECT_NE(out.message.find("bad token ***"), std::string::npos) << out.message;
    expect_no_secret(out.message);
}

TEST_F(sts_providers, expired_token_exception_is_a_clear_rejection) {
    sts.fail_next(400, "ExpiredTokenException",
                  "Token expired: current date/time 1700000000 must be before the "
                  "expiration date/time 1690000000");
    auto out = get(*web_identity());
    EXPECT_EQ(out.ec, errc::credentials_rejected);
    EXPECT_NE(out.message.find("STS ExpiredTokenException: Token expired"), std::string::npos) << out.message;
}

TEST_F(sts_providers, idp_communication_errors_and_5xx_are_retried) {
    sts.fail_next(400, "IDPCommunicationError", "The IdP did not answer", 1);
    sts.fail_next(503, "ServiceUnavailable", "busy", 1);
    auto out =
        get(*web_identity({.http = {std::chrono::milliseconds(2000), std::chrono::milliseconds(5000), 3}}));
    ASSERT_FALSE(out.ec) << out.message;
    EXPECT_EQ(sts.request_count(), 3u);
}

TEST_F(sts_providers, retries_stop_at_max_attempts) {
    sts.fail_next(400, "IDPCommunicationError", "The IdP did not answer", 5);
    auto out =
        get(*web_identity({.http = {std::chrono::milliseconds(2000), std::chrono::milliseconds(5000), 2}}));
    EXPECT_EQ(out.ec, errc::unexpected_status);
    EXPECT_NE(out.message.find("STS IDPCommunicationError: The IdP did not answer"), std::string::npos)
        << out.message;
    EXPECT_NE(out.message.find("gave up after 2 attempts"), std::string::npos) << out.message;
    EXPECT_EQ(sts.request_count(), 2u);
}

TEST_F(sts_providers, hung_sts_times_out_within_bounds) {
    sts.set_hang(true);
    auto out =
        get(*web_identity({.http = {std::chrono::milliseconds(1000), std::chrono::milliseconds(300), 2}}));
    EXPECT_EQ(out.ec, errc::attempt_timeout) << out.message;
    EXPECT_GE(out.elapsed, std::chrono::milliseconds(600));
    EXPECT_LT(out.elapsed, std::chrono::milliseconds(5000));
    EXPECT_EQ(sts.request_count(), 2u);
    EXPECT_NE(out.message.find("gave up after 2 attempts"), std::string::npos) << out.message;
}

TEST_F(sts_providers, malformed_replies_are_refused_and_not_quoted) {
    sts.answer_raw_next(
        200, "<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
             "<AccessKeyId>ASIA</AccessKeyId><SecretAccessKey>tempSecretLeaked</SecretAccessKey>"
             "</Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>");
    auto missing = get(*web_identity());
    EXPECT_EQ(missing.ec, errc::malformed_response);
    EXPECT_NE(missing.message.find("SessionToken"), std::string::npos) << missing.message;
    expect_no_secret(missing.message);

    sts.answer_raw_next(200, "tempSecret garbage <<<");
    auto garbage = get(*web_identity());
    EXPECT_EQ(garbage.ec, errc::malformed_response);
    expect_no_secret(garbage.message);
    EXPECT_EQ(sts.request_count(), 2u) << "a malformed success is not retried";
}

TEST_F(sts_providers, cancellation_aborts_a_pending_call) {
    sts.set_hang(true);
    auto provider =
        web_identity({.http = {std::chrono::milliseconds(10000), std::chrono::milliseconds(10000), 3}});
    asio::io_context ioc;
    asio::cancellation_signal signal;
    std::optional<error_code> result;
    auto start = clock_type::now();
    provider->async_get_credentials(
        ioc.get_executor(),
        asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, credentials) { result = ec; }));
    // Cancel once the request has reached the service, so the wait really is pending.
    asio::steady_timer poll(ioc);
    std::function<void()> wait_for_request = [&] {
        if (sts.request_count() > 0) {
            signal.emit(asio::cancellation_type::terminal);
            return;
        }
        poll.expires_after(std::chrono::milliseconds(5));
        poll.async_wait([&](error_code) { wait_for_request(); });
    };
    wait_for_request();
    ioc.run_for(std::chrono::seconds(30));
    ASSERT_TRUE(result);
    EXPECT_EQ(*result, asio::error::operation_aborted);
    EXPECT_LT(clock_type::now() - start, std::chrono::seconds(5));
    EXPECT_EQ(sts.request_count(), 1u);
}

TEST_F(sts_providers, region_picks_the_signing_region_of_a_configured_endpoint) {
    env.vars["AWS_REGION"] = "eu-west-2";
    auto out = get(*assume({}));
    ASSERT_FALSE(out.ec) << out.message;
    EXPECT_EQ(sts.calls().at(0).signing_region, "eu-west-2");
}

TEST_F(sts_providers, a_ca_file_that_cannot_be_used_is_reported) {
    auto out = get(*web_identity({.sts_endpoint = "https://127.0.0.1:1", .ca_file = token_path + ".no-ca"}));
    EXPECT_TRUE(out.ec);
    EXPECT_NE(out.message.find(token_path + ".no-ca"), std::string::npos) << out.message;
    EXPECT_EQ(sts.request_count(), 0u);
}

// ---- assume role ----

TEST_F(sts_providers, assume_role_is_signed_by_the_source_and_verified) {
    auto out = get(*assume(
        {.role_session_name = "deploy@ci", .external_id = "ext-123", .duration = std::chrono::seconds(900)}));
    ASSERT_FALSE(out.ec) << out.message;
    auto calls = sts.calls();
    ASSERT_EQ(calls.size(), 1u);
    EXPECT_EQ(calls[0].action, "AssumeRole");
    EXPECT_EQ(calls[0].signed_by, source_key);
    EXPECT_EQ(calls[0].signing_region, "us-east-1") << "no region: signed for the global endpoint's region";
    EXPECT_EQ(calls[0].role_arn, role_a);
    EXPECT_EQ(calls[0].role_session_name, "deploy@ci");
    EXPECT_EQ(calls[0].external_id, "ext-123");
    EXPECT_EQ(calls[0].duration_seconds, 900);
    ASSERT_TRUE(calls[0].issued);
    EXPECT_EQ(out.creds.access_key_id, calls[0].issued->access_key_id);
    EXPECT_EQ(out.creds.session_token, calls[0].issued->session_token);
    EXPECT_TRUE(out.creds.expiration);
}

TEST_F(sts_providers, assume_role_refreshes_with_new_credentials) {
    auto provider = assume({});
    auto first = get(*provider);
    auto second = get(*provider);
    ASSERT_FALSE(first.ec) << first.message;
    ASSERT_FALSE(second.ec) << second.message;
    EXPECT_NE(first.creds.access_key_id, second.creds.access_key_id);
    EXPECT_EQ(sts.issued_count(), 2u);
}

TEST_F(sts_providers, a_wrong_secret_fails_the_signature_check) {
    auto out =
        get(*assume({}, make_static_credentials_provider({source_key, "not-the-secret", "", std::nullopt})));
    EXPECT_EQ(out.ec, errc::credentials_rejected);
    EXPECT_NE(out.message.find("STS SignatureDoesNotMatch"), std::string::npos) << out.message;
    EXPECT_EQ(out.message.find("not-the-secret"), std::string::npos) << out.message;
    EXPECT_EQ(sts.request_count(), 1u);
}

TEST_F(sts_providers, the_session_token_of_the_source_is_sent_and_checked) {
    sts.trust("ASIASOURCETEMP", "tempSecretSource", "tempTokenSource");
    auto ok = get(*assume({}, make_static_credentials_provider(
                                  {"ASIASOURCETEMP", "tempSecretSource", "tempTokenSource", std::nullopt})));
    ASSERT_FALSE(ok.ec) << ok.message;
    EXPECT_EQ(sts.server().requests().at(0).header("x-amz-security-token"), "tempTokenSource");

    auto wrong = get(*assume({}, make_static_credentials_provider({"ASIASOURCETEMP", "tempSecretSource",
                                                                   "tempTokenOther", std::nullopt})));
    EXPECT_EQ(wrong.ec, errc::credentials_rejected);
    EXPECT_NE(wrong.message.find("STS InvalidClientTokenId"), std::string::npos) << wrong.message;
    expect_no_secret(wrong.message);
}

TEST_F(sts_providers, a_chain_of_roles_signs_each_call_with_the_previous_credentials) {
    auto base = assume({.role_arn = role_b});
    auto top = make_assume_role_credentials_provider({.role_arn = role_a}, base, env.snapshot());
    auto out = get(*top);
    ASSERT_FALSE(out.ec) << out.message;
    auto calls = sts.calls();
    ASSERT_EQ(calls.size(), 2u);
    EXPECT_EQ(calls[0].role_arn, role_b);
    EXPECT_EQ(calls[0].signed_by, source_key);
    EXPECT_EQ(calls[1].role_arn, role_a);
    ASSERT_TRUE(calls[0].issued);
    EXPECT_EQ(calls[1].signed_by, calls[0].issued->access_key_id);
    EXPECT_EQ(out.creds.access_key_id, calls[1].issued->access_key_id);
}

TEST_F(sts_providers, expired_source_credentials_are_refused_clearly) {
    sts.set_lifetime(std::chrono::seconds(-60)); // issued already expired
    auto first = get(*web_identity());
    ASSERT_FALSE(first.ec) << first.message;
    sts.set_lifetime(std::chrono::seconds(3600));
    auto out = get(*assume({}, make_static_credentials_provider(first.creds)));
    EXPECT_EQ(out.ec, errc::credentials_rejected);
    EXPECT_NE(out.message.find("STS ExpiredToken: The security token included in the request is expired"),
              std::string::npos)
        << out.message;
    expect_no_secret(out.message);
}

TEST_F(sts_providers, source_failures_pass_through) {
    auto out = get(*assume({}, make_static_credentials_provider({})));
    EXPECT_EQ(out.ec, errc::no_credentials);
    EXPECT_NE(
        out.message.find("assume role " + std::string(role_a) + ": source credentials: static credentials"),
        std::string::npos)
        << out.message;
    EXPECT_EQ(sts.request_count(), 0u);
}

TEST_F(sts_providers, assume_role_argument_errors) {
    auto no_arn = get(*make_assume_role_credentials_provider(
        {}, make_static_credentials_provider({source_key, source_secret, "", std::nullopt}), env.snapshot()));
    EXPECT_EQ(no_arn.ec, errc::invalid_argument);
    auto bad_arn = get(*assume({.role_arn = "app-role"}));
    EXPECT_EQ(bad_arn.ec, errc::invalid_argument);
    EXPECT_NE(bad_arn.message.find("'app-role' is not an ARN"), std::string::npos) << bad_arn.message;
    auto no_source =
        get(*make_assume_role_credentials_provider({.role_arn = role_a}, nullptr, env.snapshot()));
    EXPECT_EQ(no_source.ec, errc::invalid_argument);
    EXPECT_EQ(sts.request_count(), 0u);
}

TEST_F(sts_providers, throttling_is_retried_for_assume_role) {
    sts.fail_next(400, "Throttling", "Rate exceeded", 2);
    auto out = get(*assume({}));
    ASSERT_FALSE(out.ec) << out.message;
    EXPECT_EQ(sts.request_count(), 3u);
    EXPECT_EQ(sts.calls().back().signed_by, source_key) << "every attempt is signed again";
}

TEST_F(sts_providers, access_denied_is_final_and_named) {
    sts.fail_next(
        403, "AccessDenied",
        "User: arn:aws:iam::123:user/x is not authorized to perform: sts:AssumeRole on resource: role");
    auto out = get(*assume({}));
    EXPECT_EQ(out.ec, errc::credentials_rejected);
    EXPECT_NE(out.message.find("STS AccessDenied: User: arn:aws:iam::123:user/x is not authorized"),
              std::string::npos)
        << out.message;
    EXPECT_EQ(sts.request_count(), 1u);
}

} // namespace
