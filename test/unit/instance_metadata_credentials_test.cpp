// SPDX-License-Identifier: BSL-1.0
// EC2 instance metadata credentials (IMDSv2) against a loopback metadata service: success, the session
// token reused and renewed after a 401, rotated credentials, the service turned off, hung, failing and
// garbled services, instances without a role, services without IMDSv2, retries within the configured
// attempts, unusable settings, cancellation, and no token or secret in any message. The real
// 169.254.169.254 is never contacted: every provider gets an injected environment whose
// AWS_EC2_METADATA_SERVICE_ENDPOINT names the test service.
#include <dynalock/credentials.hpp>

#include "support/fake_env.hpp"
#include "support/provider_call.hpp"
#include "support/services/imds_test_service.hpp"

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace dynalock;
using namespace std::chrono_literals;
using dynalock::test::fake_env;
using dynalock::test::imds_test_service;
using fault = imds_test_service::fault;
using clock_type = std::chrono::steady_clock;

using outcome = test::provider_outcome;

outcome get(credentials_provider& provider, std::optional<std::chrono::milliseconds> cancel_after = {}) {
    return test::call_provider(provider, cancel_after);
}

long long ms(clock_type::duration d) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

class InstanceMetadataCredentials : public testing::Test {
protected:
    imds_test_service imds;
    fake_env env;
    // Every secret the service served during the test, to check none reaches a message.
    std::set<std::string> secrets;

    void SetUp() override {
        env.vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.url();
        // No config file of the machine running the tests may change the settings.
        env.vars["AWS_CONFIG_FILE"] =
            testing::TempDir() + "dynalock_imds_no_config_" + std::to_string(::getpid());
        remember_secrets();
    }

    void remember_secrets() {
        secrets.insert(imds.secret_access_key());
        secrets.insert(imds.session_token());
    }

    std::shared_ptr<credentials_provider> provider(instance_metadata_options options = {}) {
        return make_instance_metadata_credentials_provider(options, env.lookup());
    }

    // No session token the service issued, and no secret key or session token it served, in `message`.
    void expect_no_secret(const std::string& message) {
        for (const auto& token : imds.issued_tokens())
            EXPECT_EQ(message.find(token), std::string::npos) << "an IMDS token leaked: " << message;
        for (const auto& s : secrets)
            EXPECT_EQ(message.find(s), std::string::npos) << "a secret leaked: " << message;
        EXPECT_EQ(message.find("imds-secret-"), std::string::npos) << message;
        EXPECT_EQ(message.find("imds-session-"), std::string::npos) << message;
        EXPECT_EQ(message.find("AQAEA-imds-token-"), std::string::npos) << message;
    }

    void expect_served(const outcome& r) {
        ASSERT_FALSE(r.ec) << r.ec.message() << ": " << r.message;
        EXPECT_EQ(r.creds.access_key_id, imds.access_key_id());
        EXPECT_EQ(r.creds.secret_access_key, imds.secret_access_key());
        EXPECT_EQ(r.creds.session_token, imds.session_token());
        EXPECT_TRUE(r.message.empty()) << r.message;
    }
};

TEST_F(InstanceMetadataCredentials, SuccessWithIMDSv2) {
    auto r = get(*provider());
    expect_served(r);
    ASSERT_TRUE(r.creds.expiration);
    // The service serves credentials valid for 6 hours from now.
    const auto left = *r.creds.expiration - std::chrono::system_clock::now();
    EXPECT_GT(left, 5h);
    EXPECT_LT(left, 6h + 1min);
    // One token PUT, and every GET carried a valid token: the PUT came first (a GET without one is a 401).
    EXPECT_EQ(imds.token_requests(), 1u);
    EXPECT_EQ(imds.issued_tokens().size(), 1u);
    EXPECT_EQ(imds.unauthorized(), 0u);
    EXPECT_EQ(imds.credentials_requests(), 1u);
    // The token PUT, the role list and the role's credentials.
    EXPECT_EQ(imds.request_count(), 3u);
}

TEST_F(InstanceMetadataCredentials, TheTokenIsReusedAcrossCalls) {
    auto p = provider();
    auto first = get(*p);
    expect_served(first);
    auto second = get(*p);
    expect_served(second);
    EXPECT_EQ(imds.token_requests(), 1u);
    EXPECT_EQ(imds.credentials_requests(), 2u);
    EXPECT_EQ(imds.unauthorized(), 0u);
    EXPECT_EQ(imds.request_count(), 5u);
}

TEST_F(InstanceMetadataCredentials, AnExpiredTokenIsRenewedOnceAndTheCallSucceeds) {
    auto p = provider();
    expect_served(get(*p));
    ASSERT_EQ(imds.token_requests(), 1u);

    imds.expire_tokens();
    auto r = get(*p);
    expect_served(r);
    // The role list was refused with 401, a new token was fetched and the GET sent again with it.
    EXPECT_EQ(imds.unauthorized(), 1u);
    EXPECT_EQ(imds.token_requests(), 2u);
    EXPECT_EQ(imds.issued_tokens().size(), 2u);
    EXPECT_EQ(imds.credentials_requests(), 2u);

    // And the new token is kept for the next call.
    expect_served(get(*p));
    EXPECT_EQ(imds.token_requests(), 2u);
    EXPECT_EQ(imds.unauthorized(), 1u);
}

TEST_F(InstanceMetadataCredentials, RotatedCredentialsAreReturnedOnTheNextCall) {
    auto p = provider();
    auto first = get(*p);
    expect_served(first);

    imds.rotate_credentials();
    remember_secrets();
    auto second = get(*p);
    expect_served(second);
    EXPECT_NE(second.creds.access_key_id, first.creds.access_key_id);
    EXPECT_NE(second.creds.secret_access_key, first.creds.secret_access_key);
    EXPECT_NE(second.creds.session_token, first.creds.session_token);
    EXPECT_EQ(imds.token_requests(), 1u);
}

TEST_F(InstanceMetadataCredentials, ShortLivedCredentialsCarryTheirExpiration) {
    imds.set_lifetime(std::chrono::seconds(120));
    auto r = get(*provider());
    expect_served(r);
    ASSERT_TRUE(r.creds.expiration);
    const auto left = *r.creds.expiration - std::chrono::system_clock::now();
    EXPECT_GT(left, 60s);
    EXPECT_LE(left, 121s);
}

TEST_F(InstanceMetadataCredentials, DisabledAsksNothing) {
    for (std::string value : {"true", "TRUE", "True"}) {
        env.vars["AWS_EC2_METADATA_DISABLED"] = value;
        auto r = get(*provider());
        EXPECT_EQ(r.ec, make_error_code(errc::no_credentials)) << value << ": " << r.ec.message();
        EXPECT_NE(r.message.find("AWS_EC2_METADATA_DISABLED"), std::string::npos) << r.message;
    }
    EXPECT_EQ(imds.request_count(), 0u);

    // Any other value leaves it on.
    env.vars["AWS_EC2_METADATA_DISABLED"] = "false";
    expect_served(get(*provider()));
}

TEST_F(InstanceMetadataCredentials, AHungTokenRequestMeansNoInstanceMetadata) {
    imds.set_fault(fault::hang_token);
    auto r = get(*provider());
    // The token request times out (1 s by default): not on EC2, so the chain would move on.
    EXPECT_EQ(r.ec, make_error_code(errc::no_credentials)) << r.ec.message() << ": " << r.message;
    EXPECT_GE(r.elapsed, 900ms) << ms(r.elapsed) << " ms";
    EXPECT_LT(r.elapsed, 10s) << ms(r.elapsed) << " ms";
    EXPECT_NE(r.message.find("no answer from " + imds.url()), std::string::npos) << r.message;
    EXPECT_NE(r.message.find(make_error_code(errc::attempt_timeout).message()), std::string::npos)
        << r.message;
    EXPECT_EQ(imds.token_requests(), 1u);
    EXPECT_EQ(imds.credentials_requests(), 0u);
    expect_no_secret(r.message);
}

TEST_F(InstanceMetadataCredentials, AHungTokenRequestIsTriedAsOftenAsConfigured) {
    imds.set_fault(fault::hang_token);
    env.vars["AWS_METADATA_SERVICE_TIMEOUT"] = "0.5";
    env.vars["AWS_METADATA_SERVICE_NUM_ATTEMPTS"] = "2";
    auto r = get(*provider());
    EXPECT_EQ(r.ec, make_error_code(errc::no_credentials)) << r.ec.message() << ": " << r.message;
    EXPECT_EQ(imds.token_requests(), 2u);
    EXPECT_GE(r.elapsed, 900ms) << ms(r.elapsed) << " ms";
    EXPECT_LT(r.elapsed, 10s) << ms(r.elapsed) << " ms";
    expect_no_secret(r.message);
}

TEST_F(InstanceMetadataCredentials, AHungCredentialsRequestTimesOut) {
    imds.set_fault(fault::hang_credentials);
    auto r = get(*provider());
    EXPECT_EQ(r.ec, make_error_code(errc::attempt_timeout)) << r.ec.message() << ": " << r.message;
    EXPECT_GE(r.elapsed, 900ms) << ms(r.elapsed) << " ms";
    EXPECT_LT(r.elapsed, 10s) << ms(r.elapsed) << " ms";
    EXPECT_NE(r.message.find(imds.url()), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("dynalock-test-role"), std::string::npos) << r.message;
    EXPECT_EQ(imds.token_requests(), 1u);
    EXPECT_EQ(imds.credentials_requests(), 1u);
    // A token was issued and sent with the hung GET; it must not be in the message.
    EXPECT_EQ(imds.issued_tokens().size(), 1u);
    expect_no_secret(r.message);
}

TEST_F(InstanceMetadataCredentials, GarbageIsAMalformedResponse) {
    imds.set_fault(fault::garbage);
    auto r = get(*provider());
    EXPECT_EQ(r.ec, make_error_code(errc::malformed_response)) << r.ec.message() << ": " << r.message;
    EXPECT_NE(r.message.find("not JSON"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("dynalock-test-role"), std::string::npos) << r.message;
    // The body is never quoted (it could be half a credentials document).
    EXPECT_EQ(r.message.find("oops"), std::string::npos) << r.message;
    expect_no_secret(r.message);
}

TEST_F(InstanceMetadataCredentials, AFailureCodeIsCredentialsRejected) {
    imds.set_fault(fault::code_failure);
    auto r = get(*provider());
    EXPECT_EQ(r.ec, make_error_code(errc::credentials_rejected)) << r.ec.message() << ": " << r.message;
    EXPECT_NE(r.message.find("AssumeRoleUnauthorizedAccess"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("EC2 cannot assume the role"), std::string::npos) << r.message;
    expect_no_secret(r.message);
}

TEST_F(InstanceMetadataCredentials, NoRoleIsNoCredentials) {
    imds.set_fault(fault::no_role);
    auto r = get(*provider());
    EXPECT_EQ(r.ec, make_error_code(errc::no_credentials)) << r.ec.message() << ": " << r.message;
    EXPECT_NE(r.message.find("no IAM role"), std::string::npos) << r.message;
    EXPECT_EQ(imds.credentials_requests(), 0u);
    expect_no_secret(r.message);
}

TEST_F(InstanceMetadataCredentials, IMDSv1IsRefusedByDefault) {
    imds.set_fault(fault::v1_only);
    auto r = get(*provider());
    EXPECT_EQ(r.ec, make_error_code(errc::credentials_rejected)) << r.ec.message() << ": " << r.message;
    EXPECT_NE(r.message.find("403"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("allow_imds_v1"), std::string::npos) << r.message;
    // Nothing was asked without a token.
    EXPECT_EQ(imds.token_requests(), 1u);
    EXPECT_EQ(imds.request_count(), 1u);
    EXPECT_EQ(imds.credentials_requests(), 0u);
    expect_no_secret(r.message);
}

TEST_F(InstanceMetadataCredentials, IMDSv1IsUsedWhenAllowed) {
    imds.set_fault(fault::v1_only);
    instance_metadata_options options;
    options.allow_imds_v1 = true;
    auto p = provider(options);
    expect_served(get(*p));
    EXPECT_EQ(imds.token_requests(), 1u);
    EXPECT_EQ(imds.issued_tokens().size(), 0u);
    EXPECT_EQ(imds.credentials_requests(), 1u);

    // The provider remembers that the service has no IMDSv2: no second token request.
    expect_served(get(*p));
    EXPECT_EQ(imds.token_requests(), 1u);
    EXPECT_EQ(imds.credentials_requests(), 2u);
}

TEST_F(InstanceMetadataCredentials, V1DisabledWinsOverTheOption) {
    imds.set_fault(fault::v1_only);
    env.vars["AWS_EC2_METADATA_V1_DISABLED"] = "true";
    instance_metadata_options options;
    options.allow_imds_v1 = true;
    auto r = get(*provider(options));
    EXPECT_EQ(r.ec, make_error_code(errc::credentials_rejected)) << r.ec.message() << ": " << r.message;
    EXPECT_NE(r.message.find("AWS_EC2_METADATA_V1_DISABLED"), std::string::npos) << r.message;
    EXPECT_EQ(imds.credentials_requests(), 0u);
}

TEST_F(InstanceMetadataCredentials, ABadRequestToTheTokenIsFinal) {
    imds.set_fault(fault::token_bad_request);
    env.vars["AWS_METADATA_SERVICE_NUM_ATTEMPTS"] = "3";
    auto r = get(*provider());
    EXPECT_EQ(r.ec, make_error_code(errc::unexpected_status)) << r.ec.message() << ": " << r.message;
    EXPECT_NE(r.message.find("400"), std::string::npos) << r.message;
    EXPECT_EQ(imds.token_requests(), 1u); // not retried
    expect_no_secret(r.message);
}

TEST_F(InstanceMetadataCredentials, ServerErrorsAreRetriedWithinTheAttempts) {
    env.vars["AWS_METADATA_SERVICE_NUM_ATTEMPTS"] = "3";
    // The token PUT fails twice, then succeeds.
    imds.fail_next(2);
    auto p = provider();
    expect_served(get(*p));
    EXPECT_EQ(imds.token_requests(), 3u);
    EXPECT_EQ(imds.request_count(), 5u);

    // A metadata GET too (the token is kept: the role list fails twice, then succeeds).
    imds.fail_next(2);
    expect_served(get(*p));
    EXPECT_EQ(imds.token_requests(), 3u);
    EXPECT_EQ(imds.request_count(), 5u + 4u);
}

TEST_F(InstanceMetadataCredentials, AServerErrorIsNotRetriedWithOneAttempt) {
    imds.fail_next(1);
    auto r = get(*provider());
    EXPECT_EQ(r.ec, make_error_code(errc::unexpected_status)) << r.ec.message() << ": " << r.message;
    EXPECT_NE(r.message.find("503"), std::string::npos) << r.message;
    EXPECT_EQ(imds.request_count(), 1u);
}

TEST_F(InstanceMetadataCredentials, PersistentServerErrorsEndWithTheLastOne) {
    imds.set_fault(fault::server_error);
    env.vars["AWS_METADATA_SERVICE_NUM_ATTEMPTS"] = "2";
    auto r = get(*provider());
    EXPECT_EQ(r.ec, make_error_code(errc::unexpected_status)) << r.ec.message() << ": " << r.message;
    EXPECT_NE(r.message.find("503"), std::string::npos) << r.message;
    EXPECT_NE(r.message.find("after 2 attempts"), std::string::npos) << r.message;
    EXPECT_EQ(imds.request_count(), 2u);
    expect_no_secret(r.message);
}

TEST_F(InstanceMetadataCredentials, UnusableSettingsAreRefusedBeforeAnyRequest) {
    struct bad_setting {
        std::string variable;
        std::string value;
    };
    const std::vector<bad_setting> cases = {
        {"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv5"},
        {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "ftp://127.0.0.1:" + std::to_string(imds.port())},
        {"AWS_EC2_METADATA_SERVICE_ENDPOINT", "not a url"},
        {"AWS_METADATA_SERVICE_TIMEOUT", "0"},
        {"AWS_METADATA_SERVICE_TIMEOUT", "soon"},
        {"AWS_METADATA_SERVICE_NUM_ATTEMPTS", "11"},
        {"AWS_METADATA_SERVICE_NUM_ATTEMPTS", "0"},
    };
    for (const auto& c : cases) {
        fake_env bad = env;
        bad.vars[c.variable] = c.value;
        auto p = make_instance_metadata_credentials_provider({}, bad.lookup());
        auto r = get(*p);
        EXPECT_EQ(r.ec, make_error_code(errc::unsupported_configuration))
            << c.variable << "=" << c.value << ": " << r.ec.message() << ": " << r.message;
        EXPECT_NE(r.message.find(c.variable), std::string::npos) << r.message;
    }
    EXPECT_EQ(imds.request_count(), 0u);
}

TEST_F(InstanceMetadataCredentials, TheModeIsCaseInsensitiveAndTheEndpointWins) {
    env.vars["AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"] = "ipv6";
    // The explicit endpoint wins over the mode's default (which would be http://[fd00:ec2::254]).
    expect_served(get(*provider()));
}

TEST_F(InstanceMetadataCredentials, AnHttpsEndpointIsAConfigurationError) {
    // The provider has no TLS: an https endpoint can never work, and reporting it as "no answer"
    // (no_credentials) would make a chain silently move on past a broken setting.
    env.vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = "https://127.0.0.1:" + std::to_string(imds.port());
    auto r = get(*provider());
    EXPECT_EQ(r.ec, make_error_code(errc::unsupported_configuration)) << r.ec.message() << ": " << r.message;
    EXPECT_EQ(imds.request_count(), 0u);
}

TEST_F(InstanceMetadataCredentials, CancellationAbortsAHungCredentialsRequestPromptly) {
    imds.set_fault(fault::hang_credentials);
    env.vars["AWS_METADATA_SERVICE_TIMEOUT"] = "20";
    auto r = get(*provider(), 200ms);
    EXPECT_EQ(r.ec, asio::error::operation_aborted) << r.ec.message() << ": " << r.message;
    // Well before the 20 s timeout.
    EXPECT_LT(r.elapsed, 10s) << ms(r.elapsed) << " ms";
    EXPECT_EQ(imds.credentials_requests(), 1u);
    expect_no_secret(r.message);
}

TEST_F(InstanceMetadataCredentials, CancellationAbortsAHungTokenRequestPromptly) {
    imds.set_fault(fault::hang_token);
    env.vars["AWS_METADATA_SERVICE_TIMEOUT"] = "20";
    auto r = get(*provider(), 200ms);
    EXPECT_EQ(r.ec, asio::error::operation_aborted) << r.ec.message() << ": " << r.message;
    EXPECT_LT(r.elapsed, 10s) << ms(r.elapsed) << " ms";
    expect_no_secret(r.message);
}

TEST_F(InstanceMetadataCredentials, TheProviderStillWorksAfterACancellation) {
    imds.set_fault(fault::hang_credentials);
    env.vars["AWS_METADATA_SERVICE_TIMEOUT"] = "20";
    auto p = provider();
    auto cancelled = get(*p, 200ms);
    EXPECT_EQ(cancelled.ec, asio::error::operation_aborted) << cancelled.message;

    imds.set_fault(fault::none);
    auto r = get(*p);
    expect_served(r);
    EXPECT_EQ(imds.token_requests(), 1u); // the token survived the cancelled call
}

TEST_F(InstanceMetadataCredentials, NoTokenOrSecretInAnyMessage) {
    auto p = provider();
    expect_served(get(*p)); // a token is issued and kept
    for (auto f : {fault::garbage, fault::code_failure, fault::no_role, fault::server_error}) {
        imds.set_fault(f);
        auto r = get(*p);
        EXPECT_TRUE(r.ec) << static_cast<int>(f);
        EXPECT_FALSE(r.message.empty()) << static_cast<int>(f);
        expect_no_secret(r.message);
        expect_no_secret(r.ec.message());
    }
    imds.set_fault(fault::none);
    imds.expire_tokens();
    imds.set_fault(fault::code_failure);
    auto r = get(*p);
    EXPECT_EQ(r.ec, make_error_code(errc::credentials_rejected)) << r.message;
    EXPECT_GE(imds.issued_tokens().size(), 2u);
    expect_no_secret(r.message);
}

TEST(InstanceMetadataCredentialsIpv6, LoopbackIpv6Endpoint) {
    std::unique_ptr<imds_test_service> imds;
    try {
        imds = std::make_unique<imds_test_service>("::1");
    } catch (const std::exception& e) {
        GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
    }
    fake_env env;
    env.vars["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds->url();
    env.vars["AWS_CONFIG_FILE"] =
        testing::TempDir() + "dynalock_imds_no_config_" + std::to_string(::getpid());
    auto p = make_instance_metadata_credentials_provider({}, env.lookup());
    auto r = get(*p);
    ASSERT_FALSE(r.ec) << r.message;
    EXPECT_EQ(r.creds.access_key_id, imds->access_key_id());
    EXPECT_EQ(imds->token_requests(), 1u);
}

} // namespace
