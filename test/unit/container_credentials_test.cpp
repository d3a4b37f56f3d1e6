// SPDX-License-Identifier: BSL-1.0
// Container credentials (ECS, EKS Pod Identity) against a loopback container endpoint that checks the
// authorization token: success, token files re-read at each call, refresh, refusals, hung and failing
// services, malformed replies, disallowed hosts, cancellation, and no secret in any message.
#include <dynalock/credentials.hpp>

#include "support/fake_env.hpp"
#include "support/provider_call.hpp"
#include "support/services/container_test_service.hpp"

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
#include <map>
#include <optional>
#include <string>

namespace {

namespace asio = boost::asio;
using namespace dynalock;
using namespace std::chrono_literals;
using test::container_test_service;
using clock_type = std::chrono::steady_clock;

using dynalock::test::fake_env;

using outcome = test::provider_outcome;

outcome get(credentials_provider& provider, std::optional<std::chrono::milliseconds> cancel_after = {}) {
    return test::call_provider(provider, cancel_after);
}

std::chrono::milliseconds ms(clock_type::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d);
}

class ContainerCredentials : public testing::Test {
protected:
    const std::string token = "pod-identity-token-" + std::to_string(::getpid()) + "-s3cr3t";
    container_test_service service{token};
    fake_env env;
    std::string token_file = testing::TempDir() + "dynalock_container_token_" + std::to_string(::getpid());

    void SetUp() override {
        env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = service.url();
        env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = token;
    }
    void TearDown() override { std::remove(token_file.c_str()); }

    std::shared_ptr<credentials_provider> provider(credentials_http_options http = {1000ms, 1000ms, 1}) {
        return make_container_credentials_provider(http, env.lookup());
    }

    void write_token_file(std::string_view text) {
        std::ofstream out(token_file, std::ios::binary | std::ios::trunc);
        out << text;
    }

    // No secret of any kind in the message: the served keys, the authorization token.
    void expect_no_secret(const std::string& message) {
        EXPECT_EQ(message.find(service.secret_access_key()), std::string::npos) << message;
        EXPECT_EQ(message.find(service.session_token()), std::string::npos) << message;
        EXPECT_EQ(message.find(token), std::string::npos) << message;
        EXPECT_EQ(message.find("s3cr3t"), std::string::npos) << message;
    }
};

TEST_F(ContainerCredentials, Success) {
    auto p = provider();
    auto r = get(*p);
    ASSERT_FALSE(r.ec) << r.ec.message() << ": " << r.message;
    EXPECT_EQ(r.creds.access_key_id, service.access_key_id());
    EXPECT_EQ(r.creds.secret_access_key, service.secret_access_key());
    EXPECT_EQ(r.creds.session_token, service.session_token());
    ASSERT_TRUE(r.creds.expiration);
    const auto left = *r.creds.expiration - std::chrono::system_clock::now();
    EXPECT_GT(left, 50min);
    EXPECT_LT(left, 61min);
    EXPECT_EQ(service.last_authorization(), token);
    EXPECT_EQ(service.request_count(), 1u);
    EXPECT_TRUE(r.message.empty());
}

TEST_F(ContainerCredentials, NoTokenRequiredByAPlainAgent) {
    service.set_expected_token("");
    env.vars.erase("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    auto r = get(*provider());
    ASSERT_FALSE(r.ec) << r.message;
    EXPECT_EQ(service.last_authorization(), "");
}

TEST_F(ContainerCredentials, ExpiryThenRefreshServesNewCredentials) {
    service.set_lifetime(std::chrono::seconds(5));
    auto p = provider();
    auto first = get(*p);
    ASSERT_FALSE(first.ec) << first.message;
    ASSERT_TRUE(first.creds.expiration);
    EXPECT_LT(*first.creds.expiration - std::chrono::system_clock::now(), 6s);

    service.rotate_credentials();
    service.set_lifetime(std::chrono::hours(1));
    auto second = get(*p);
    ASSERT_FALSE(second.ec) << second.message;
    EXPECT_NE(second.creds.access_key_id, first.creds.access_key_id);
    EXPECT_NE(second.creds.secret_access_key, first.creds.secret_access_key);
    EXPECT_EQ(second.creds.secret_access_key, service.secret_access_key());
    EXPECT_EQ(service.request_count(), 2u);
}

TEST_F(ContainerCredentials, TokenFileWinsAndIsReadAtEveryCall) {
    env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "stale-env-token";
    env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = token_file;
    write_token_file(token + "\n");
    auto p = provider();
    auto r = get(*p);
    ASSERT_FALSE(r.ec) << r.message;
    EXPECT_EQ(service.last_authorization(), token);

    // The platform rotates the projected token: the next call sends the new one.
    service.set_expected_token("rotated-token-value");
    write_token_file("rotated-token-value");
    r = get(*p);
    ASSERT_FALSE(r.ec) << r.message;
    EXPECT_EQ(service.last_authorization(), "rotated-token-value");
}

TEST_F(ContainerCredentials, MissingTokenFile) {
    env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = token_file + ".absent";
    auto r = get(*provider());
    EXPECT_EQ(r.ec, make_error_code(errc::invalid_credentials_file));
    EXPECT_NE(r.message.find(token_file + ".absent"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("does not exist"), std::string::npos) << r.message;
    EXPECT_EQ(service.request_count(), 0u);
    expect_no_secret(r.message);
}

TEST_F(ContainerCredentials, UnreadableTokenFile) {
    // A directory opens but cannot be read, whoever runs the test (root reads a mode 000 file).
    const std::string dir = testing::TempDir() + "dynalock_container_token_dir_" + std::to_string(::getpid());
    std::filesystem::create_directories(dir);
    env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = dir;
    auto r = get(*provider());
    std::filesystem::remove(dir);
    EXPECT_EQ(r.ec, make_error_code(errc::invalid_credentials_file));
    EXPECT_NE(r.message.find(dir), std::string::npos) << r.message;
    EXPECT_EQ(service.request_count(), 0u);
    expect_no_secret(r.message);
}

TEST_F(ContainerCredentials, CrOrLfInTheTokenIsRefusedBeforeAnythingIsSent) {
    env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = token + "\r\nX-Injected: yes";
    auto r = get(*provider());
    EXPECT_EQ(r.ec, make_error_code(errc::invalid_argument));
    EXPECT_NE(r.message.find("CR or LF"), std::string::npos) << r.message;
    expect_no_secret(r.message);

    env.vars.erase("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = token_file;
    write_token_file(token + "\nHost: elsewhere\n");
    r = get(*provider());
    EXPECT_EQ(r.ec, make_error_code(errc::invalid_argument));
    expect_no_secret(r.message);
    EXPECT_EQ(service.request_count(), 0u);
}

TEST_F(ContainerCredentials, WrongOrMissingTokenIsRejectedWithoutQuotingIt) {
    env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "wrong-token-s3cr3t";
    auto r = get(*provider());
    EXPECT_EQ(r.ec, make_error_code(errc::credentials_rejected));
    EXPECT_NE(r.message.find("403"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("AccessDenied"), std::string::npos) << r.message;
    EXPECT_EQ(r.message.find("wrong-token"), std::string::npos) << r.message; // the service echoed it
    expect_no_secret(r.message);

    env.vars.erase("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    r = get(*provider());
    EXPECT_EQ(r.ec, make_error_code(errc::credentials_rejected));
    EXPECT_NE(r.message.find("401"), std::string::npos) << r.message;
    EXPECT_EQ(service.refused(), 2u);
}

TEST_F(ContainerCredentials, DisallowedFullUriHostsAreRefusedWithoutAConnection) {
    for (std::string url : {"http://192.0.2.10/v1/credentials", "http://169.254.169.254/latest",
                            "http://metadata.example.com/creds", "ftp://127.0.0.1/creds"}) {
        env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = url;
        auto r = get(*provider());
        EXPECT_EQ(r.ec, make_error_code(errc::unsupported_configuration)) << url;
        EXPECT_NE(r.message.find("AWS_CONTAINER_CREDENTIALS_FULL_URI"), std::string::npos) << r.message;
        expect_no_secret(r.message);
    }
    auto r = get(*provider());
    EXPECT_NE(r.message.find("http"), std::string::npos) << r.message;
}

TEST_F(ContainerCredentials, NotConfigured) {
    env.vars.clear();
    auto r = get(*provider());
    EXPECT_EQ(r.ec, make_error_code(errc::no_credentials));
    EXPECT_NE(r.message.find("AWS_CONTAINER_CREDENTIALS_FULL_URI"), std::string::npos) << r.message;
}

TEST_F(ContainerCredentials, MalformedReplies) {
    service.set_fault(container_test_service::fault::garbage);
    auto r = get(*provider());
    EXPECT_EQ(r.ec, make_error_code(errc::malformed_response));
    EXPECT_NE(r.message.find("not JSON"), std::string::npos) << r.message;
    expect_no_secret(r.message);

    service.set_fault(container_test_service::fault::error_body);
    r = get(*provider());
    EXPECT_EQ(r.ec, make_error_code(errc::malformed_response));
    EXPECT_NE(r.message.find("AccessKeyId"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("the pod's token has expired"), std::string::npos) << r.message;
    expect_no_secret(r.message);
}

TEST_F(ContainerCredentials, RetriesServerErrorsWithinTheAttempts) {
    service.fail_next(2);
    auto r = get(*provider({400ms, 400ms, 3}));
    ASSERT_FALSE(r.ec) << r.message;
    EXPECT_EQ(service.request_count(), 3u);
    // Two pauses of half an attempt timeout, no more.
    EXPECT_GE(r.elapsed, 350ms);
    EXPECT_LT(r.elapsed, 3s);
}

TEST_F(ContainerCredentials, PersistentServerErrorsEndWithTheLastOne) {
    service.set_fault(container_test_service::fault::server_error);
    auto r = get(*provider({200ms, 200ms, 2}));
    EXPECT_EQ(r.ec, make_error_code(errc::unexpected_status));
    EXPECT_NE(r.message.find("500"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("after 2 attempts"), std::string::npos) << r.message;
    EXPECT_EQ(service.request_count(), 2u);
    expect_no_secret(r.message);
}

TEST_F(ContainerCredentials, HungServiceFailsByItsTimeout) {
    service.set_fault(container_test_service::fault::hang);
    auto r = get(*provider({500ms, 500ms, 1}));
    EXPECT_EQ(r.ec, make_error_code(errc::attempt_timeout)) << r.ec.message() << ": " << r.message;
    EXPECT_GE(r.elapsed, 450ms);
    EXPECT_LT(r.elapsed, 1000ms) << ms(r.elapsed).count() << " ms";
    EXPECT_NE(r.message.find("container credentials"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("127.0.0.1"), std::string::npos) << r.message;
    expect_no_secret(r.message);
}

TEST_F(ContainerCredentials, HungServiceWithRetriesStaysWithinItsBudget) {
    service.set_fault(container_test_service::fault::hang);
    // Two attempts of 400 ms and one pause of 200 ms: 1 s in all.
    auto r = get(*provider({400ms, 400ms, 2}));
    EXPECT_EQ(r.ec, make_error_code(errc::attempt_timeout)) << r.message;
    EXPECT_EQ(service.request_count(), 2u);
    EXPECT_GE(r.elapsed, 950ms);
    EXPECT_LT(r.elapsed, 2000ms) << ms(r.elapsed).count() << " ms";
    EXPECT_NE(r.message.find("after 2 attempts"), std::string::npos) << r.message;
}

TEST_F(ContainerCredentials, CancellationAbortsAHungFetchPromptly) {
    service.set_fault(container_test_service::fault::hang);
    auto r = get(*provider({10s, 10s, 3}), 200ms);
    EXPECT_EQ(r.ec, asio::error::operation_aborted) << r.ec.message() << ": " << r.message;
    EXPECT_LT(r.elapsed, 2s) << ms(r.elapsed).count() << " ms";
    expect_no_secret(r.message);
}

TEST_F(ContainerCredentials, CancellationAbortsThePauseBetweenAttempts) {
    service.set_fault(container_test_service::fault::server_error);
    // Attempts fail at once, then the provider pauses 1 s: the cancellation lands in the pause.
    auto r = get(*provider({4s, 4s, 3}), 300ms);
    EXPECT_EQ(r.ec, asio::error::operation_aborted) << r.ec.message() << ": " << r.message;
    EXPECT_LT(r.elapsed, 900ms) << ms(r.elapsed).count() << " ms";
    EXPECT_EQ(service.request_count(), 1u);
}

TEST(ContainerCredentialsIpv6, LoopbackIpv6FullUri) {
    std::unique_ptr<container_test_service> service;
    try {
        service = std::make_unique<container_test_service>("tok", "/v1/credentials", "::1");
    } catch (const std::exception& e) {
        GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
    }
    fake_env env;
    env.vars["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = service->url();
    env.vars["AWS_CONTAINER_AUTHORIZATION_TOKEN"] = "tok";
    auto p = make_container_credentials_provider({1000ms, 1000ms, 1}, env.lookup());
    auto r = get(*p);
    ASSERT_FALSE(r.ec) << r.message;
    EXPECT_EQ(r.creds.access_key_id, service->access_key_id());
}

} // namespace
