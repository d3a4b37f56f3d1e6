// SPDX-License-Identifier: BSL-1.0
// The `dynalock` tool, unchanged, authenticating through every credential source of the default chain:
// web identity (EKS IRSA), an assume-role profile, credential_process, SSO, container credentials (ECS,
// EKS Pod Identity) and the instance metadata service (EC2). The services that are not DynamoDB are test
// servers on loopback (their documented wire formats); DynamoDB is dynalite or DynamoDB Local, reached
// through a recording proxy so the test sees that every request was signed with the temporary
// credentials and carried their session token.
//
// Each child gets only the variables of its platform: no access keys, a HOME of its own, no real instance
// metadata service.
#include "support/child_process.hpp"
#include "support/fault_proxy.hpp"
#include "support/services/container_test_service.hpp"
#include "support/services/imds_test_service.hpp"
#include "support/services/sso_test_service.hpp"
#include "support/services/sts_test_service.hpp"
#include "support/test_servers.hpp"

#include <openssl/sha.h>

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#ifndef DYNALOCK_CLI_PATH
#define DYNALOCK_CLI_PATH ""
#endif

namespace {

namespace fs = std::filesystem;
using dynalock::test::env_map;
using dynalock::test::process_result;

constexpr const char* cli_path = DYNALOCK_CLI_PATH;

std::string show(const process_result& r) {
    return "exit " + std::to_string(r.status) + ", stdout '" + r.out + "', stderr '" + r.err + "'";
}

void write_file(const fs::path& path, std::string_view text) {
    fs::create_directories(path.parent_path());
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    ASSERT_TRUE(out.good()) << path;
}

std::string sha1_hex(std::string_view text) {
    unsigned char digest[SHA_DIGEST_LENGTH];
    SHA1(reinterpret_cast<const unsigned char*>(text.data()), text.size(), digest);
    std::string hex;
    char buf[3];
    for (unsigned char c : digest) {
        std::snprintf(buf, sizeof buf, "%02x", c);
        hex += buf;
    }
    return hex;
}

class credential_sources_test : public dynalock::test::server_test {
protected:
    void SetUp() override {
        server_test::SetUp();
        if (IsSkipped() || HasFailure())
            return;
        static std::atomic<int> counter{0};
        const auto n = std::to_string(::getpid()) + "-" + std::to_string(++counter);
        table_ = "creds-" + n;
        home_ = dynalock::test::test_run_dir() / ("creds-home-" + n);
        fs::create_directories(home_ / ".aws");
        proxy_ = std::make_unique<dynalock::test::fault_proxy>(server().host, server().port);
    }

    // The platform's variables only: no keys, no shared files unless a test writes them, and no instance
    // metadata service unless a test points it at its own.
    env_map platform_env() const {
        return {
            {"HOME", home_.string()},
            {"AWS_REGION", "us-east-1"},
            {"AWS_CONFIG_FILE", (home_ / ".aws" / "config").string()},
            {"AWS_SHARED_CREDENTIALS_FILE", (home_ / ".aws" / "credentials").string()},
            {"AWS_EC2_METADATA_DISABLED", "true"},
        };
    }

    process_result cli(std::vector<std::string> args, const env_map& env) {
        std::vector<std::string> full{"--endpoint", proxy_->endpoint(), "--table", table_};
        full.insert(full.end(), args.begin(), args.end());
        return dynalock::test::run_program(cli_path, full, {}, env);
    }

    // create-table, put, get in three processes; every DynamoDB request signed by `key_id` with
    // `session_token`, and none of `secrets` on any output.
    void expect_round_trip(const env_map& env, const std::string& key_id, const std::string& session_token,
                           const std::vector<std::string>& secrets) {
        ASSERT_NE(*cli_path, '\0') << "integration_tests was built without the dynalock program";
        std::vector<process_result> runs;
        runs.push_back(cli({"create-table"}, env));
        ASSERT_EQ(runs.back().status, 0) << show(runs.back());
        runs.push_back(cli({"put", "job", "from-" + key_id}, env));
        ASSERT_EQ(runs.back().status, 0) << show(runs.back());
        runs.push_back(cli({"get", "job"}, env));
        ASSERT_EQ(runs.back().status, 0) << show(runs.back());
        EXPECT_EQ(runs.back().out, "from-" + key_id);

        const auto requests = proxy_->requests();
        ASSERT_GE(requests.size(), 3u);
        for (const auto& r : requests) {
            EXPECT_NE(r.authorization.find("Credential=" + key_id + "/"), std::string::npos)
                << r.target << " was signed with: " << r.authorization.substr(0, r.authorization.find(','));
            EXPECT_EQ(r.security_token, session_token) << r.target;
        }
        for (const auto& run : runs)
            for (const auto& secret : secrets) {
                ASSERT_FALSE(secret.empty());
                EXPECT_EQ(run.err.find(secret), std::string::npos) << "a secret reached stderr: " << run.err;
                EXPECT_EQ(run.out.find(secret), std::string::npos) << "a secret reached stdout";
            }
    }

    std::string table_;
    fs::path home_;
    std::unique_ptr<dynalock::test::fault_proxy> proxy_;
};

// EKS with IRSA: the pod has AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE, nothing else.
TEST_P(credential_sources_test, web_identity_from_irsa_variables) {
    dynalock::test::sts_test_service sts;
    const std::string token = "eyJpcnNhLXRlc3QtdG9rZW4ifQ.projected.token";
    sts.expect_web_identity_token(token);
    write_file(home_ / "token", token);
    auto env = platform_env();
    env["AWS_ROLE_ARN"] = "arn:aws:iam::111122223333:role/irsa-worker";
    env["AWS_WEB_IDENTITY_TOKEN_FILE"] = (home_ / "token").string();
    env["AWS_ROLE_SESSION_NAME"] = "pod-worker-0";
    env["AWS_ENDPOINT_URL_STS"] = sts.url();

    // The first call fixes which credentials the STS issues; every process asks again (no shared cache).
    auto probe = cli({"exists", "nothing"}, env);
    ASSERT_EQ(sts.issued_count(), 1u) << show(probe);
    const auto calls = sts.calls();
    ASSERT_TRUE(calls[0].issued);
    EXPECT_EQ(calls[0].action, "AssumeRoleWithWebIdentity");
    EXPECT_FALSE(calls[0].was_signed);
    EXPECT_EQ(calls[0].role_session_name, "pod-worker-0");

    // Each run gets fresh credentials from the STS; check the last process's ones were used.
    ASSERT_NE(*cli_path, '\0');
    auto created = cli({"create-table"}, env);
    ASSERT_EQ(created.status, 0) << show(created);
    auto put = cli({"put", "job", "irsa"}, env);
    ASSERT_EQ(put.status, 0) << show(put);
    const auto before = proxy_->requests().size();
    auto got = cli({"get", "job"}, env);
    ASSERT_EQ(got.status, 0) << show(got);
    EXPECT_EQ(got.out, "irsa");
    const auto last = sts.calls().back();
    ASSERT_TRUE(last.issued);
    const auto requests = proxy_->requests();
    ASSERT_GT(requests.size(), before);
    for (std::size_t i = before; i < requests.size(); ++i) {
        EXPECT_NE(requests[i].authorization.find("Credential=" + last.issued->access_key_id + "/"),
                  std::string::npos);
        EXPECT_EQ(requests[i].security_token, last.issued->session_token);
    }
    for (const auto* run : {&probe, &created, &put, &got}) {
        EXPECT_EQ(run->err.find(token), std::string::npos) << run->err;
        EXPECT_EQ(run->err.find(last.issued->secret_access_key), std::string::npos) << run->err;
    }
}

// A profile that assumes a role with the keys of another: STS verifies the SigV4 signature of AssumeRole.
TEST_P(credential_sources_test, assume_role_profile_signed_by_its_source_profile) {
    dynalock::test::sts_test_service sts;
    const std::string base_secret = "assume-role-base-secret-never-printed";
    sts.trust("AKIDBASEPROFILE", base_secret);
    sts.set_lifetime(std::chrono::hours(1));
    write_file(home_ / ".aws" / "credentials",
               "[base]\naws_access_key_id = AKIDBASEPROFILE\naws_secret_access_key = " + base_secret + "\n");
    write_file(home_ / ".aws" / "config", "[profile app]\nrole_arn = arn:aws:iam::111122223333:role/app\n"
                                          "source_profile = base\nrole_session_name = app-session\n"
                                          "external_id = ext-42\n");
    auto env = platform_env();
    env["AWS_PROFILE"] = "app";
    env["AWS_ENDPOINT_URL_STS"] = sts.url();

    // Three processes, three AssumeRole calls; the DynamoDB requests of each carry that process's role.
    ASSERT_NE(*cli_path, '\0');
    for (const auto& args : std::vector<std::vector<std::string>>{{"create-table"}, {"put", "job", "role"}}) {
        auto r = cli(args, env);
        ASSERT_EQ(r.status, 0) << show(r);
        EXPECT_EQ(r.err.find(base_secret), std::string::npos) << r.err;
    }
    const auto before = proxy_->requests().size();
    auto got = cli({"get", "job"}, env);
    ASSERT_EQ(got.status, 0) << show(got);
    EXPECT_EQ(got.out, "role");

    const auto calls = sts.calls();
    ASSERT_EQ(calls.size(), 3u);
    for (const auto& c : calls) {
        EXPECT_EQ(c.action, "AssumeRole");
        EXPECT_EQ(c.signed_by, "AKIDBASEPROFILE");
        EXPECT_EQ(c.external_id, "ext-42");
        EXPECT_EQ(c.role_session_name, "app-session");
        EXPECT_TRUE(c.error_code.empty()) << c.error_code;
    }
    ASSERT_TRUE(calls.back().issued);
    const auto requests = proxy_->requests();
    ASSERT_GT(requests.size(), before);
    for (std::size_t i = before; i < requests.size(); ++i) {
        EXPECT_NE(requests[i].authorization.find("Credential=" + calls.back().issued->access_key_id + "/"),
                  std::string::npos);
        EXPECT_EQ(requests[i].security_token, calls.back().issued->session_token);
    }
}

// aws-vault, granted and the like: the profile runs a program (no shell) and reads its JSON.
TEST_P(credential_sources_test, credential_process_profile) {
    const std::string secret = "process-secret-never-printed";
    const std::string token = "process-session-token-never-printed";
    const auto program = home_ / "credential-helper";
    write_file(program, "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"ASIAPROCESS\", "
                        "\"SecretAccessKey\": \"" +
                            secret + "\", \"SessionToken\": \"" + token +
                            "\", \"Expiration\": \"2099-01-01T00:00:00Z\"}'\n");
    fs::permissions(program, fs::perms::owner_all);
    write_file(home_ / ".aws" / "config",
               "[default]\ncredential_process = " + program.string() + " --profile x\n");
    expect_round_trip(platform_env(), "ASIAPROCESS", token, {secret, token});
}

// A laptop after `aws sso login`: the cached token, then the portal's GetRoleCredentials.
TEST_P(credential_sources_test, sso_session_profile) {
    const std::string access_token = "sso-access-token-never-printed";
    const std::string secret = "sso-role-secret-never-printed";
    const std::string token = "sso-role-session-token-never-printed";
    dynalock::test::sso_test_service portal(access_token);
    portal.add_role("111122223333", "Developer", {"ASIASSOROLE", secret, token, 4'070'908'800'000});
    write_file(home_ / ".aws" / "config",
               "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n"
               "sso_role_name = Developer\n"
               "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
               "sso_region = us-east-1\n");
    write_file(home_ / ".aws" / "sso" / "cache" / (sha1_hex("corp") + ".json"),
               R"({"startUrl":"https://corp.awsapps.com/start","region":"us-east-1","accessToken":")" +
                   access_token + R"(","expiresAt":"2099-01-01T00:00:00Z"})");
    auto env = platform_env();
    env["AWS_PROFILE"] = "dev";
    env["AWS_ENDPOINT_URL_SSO"] = portal.url();
    expect_round_trip(env, "ASIASSOROLE", token, {access_token, secret, token});
    EXPECT_EQ(portal.request_count(), 3u); // one per process
}

// The SSO token has expired: the user is told to log in again, and nothing is sent to DynamoDB.
TEST_P(credential_sources_test, expired_sso_token_says_run_aws_sso_login) {
    dynalock::test::sso_test_service portal("expired-token");
    write_file(home_ / ".aws" / "config",
               "[profile dev]\nsso_session = corp\nsso_account_id = 111122223333\n"
               "sso_role_name = Developer\n"
               "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
               "sso_region = us-east-1\n");
    write_file(home_ / ".aws" / "sso" / "cache" / (sha1_hex("corp") + ".json"),
               R"({"accessToken":"expired-token","expiresAt":"2020-01-01T00:00:00Z"})");
    auto env = platform_env();
    env["AWS_PROFILE"] = "dev";
    env["AWS_ENDPOINT_URL_SSO"] = portal.url();
    ASSERT_NE(*cli_path, '\0');
    auto r = cli({"get", "job"}, env);
    EXPECT_EQ(r.status, 78) << show(r); // configuration: the user must log in again
    EXPECT_NE(r.err.find("aws sso login"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("expired-token"), std::string::npos) << r.err;
    EXPECT_EQ(portal.request_count(), 0u);
    EXPECT_TRUE(proxy_->requests().empty());
}

// ECS task roles and EKS Pod Identity: the container endpoint, with the agent's authorization token file.
TEST_P(credential_sources_test, container_credentials_with_token_file) {
    const std::string auth = "pod-identity-authorization-token";
    dynalock::test::container_test_service agent(auth);
    write_file(home_ / "eks-pod-identity-token", auth);
    auto env = platform_env();
    env["AWS_CONTAINER_CREDENTIALS_FULL_URI"] = agent.url();
    env["AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE"] = (home_ / "eks-pod-identity-token").string();
    expect_round_trip(env, agent.access_key_id(), agent.session_token(),
                      {auth, agent.secret_access_key(), agent.session_token()});
    EXPECT_EQ(agent.refused(), 0u);
    EXPECT_EQ(agent.last_authorization(), auth);
}

// EC2 instance profiles: IMDSv2 (a token first; a GET without one would be refused).
TEST_P(credential_sources_test, instance_metadata_v2) {
    dynalock::test::imds_test_service imds;
    auto env = platform_env();
    env.erase("AWS_EC2_METADATA_DISABLED");
    env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = imds.url();
    expect_round_trip(env, imds.access_key_id(), imds.session_token(),
                      {imds.secret_access_key(), imds.session_token()});
    EXPECT_EQ(imds.unauthorized(), 0u);
    EXPECT_GE(imds.token_requests(), 3u); // one session per process
    for (const auto& t : imds.issued_tokens())
        EXPECT_FALSE(t.empty());
}

// Nothing configured: the error lists what each source tried, on one line.
TEST_P(credential_sources_test, no_source_lists_what_was_tried) {
    auto env = platform_env();
    env.erase("AWS_EC2_METADATA_DISABLED");
    env["AWS_EC2_METADATA_DISABLED"] = "true";
    env["AWS_ENDPOINT_URL_DYNAMODB"] = "https://dynamodb.us-east-1.amazonaws.com";
    ASSERT_NE(*cli_path, '\0');
    // Not loopback: no placeholder credentials, so the chain's message is the answer.
    auto r = dynalock::test::run_program(cli_path, {"--table", table_, "get", "job"}, {}, env);
    EXPECT_NE(r.status, 0) << show(r);
    EXPECT_NE(r.err.find("no AWS credentials found"), std::string::npos) << r.err;
    for (std::string_view named : {"AWS_ACCESS_KEY_ID", "AWS_EC2_METADATA_DISABLED"})
        EXPECT_NE(r.err.find(named), std::string::npos) << named << " not in: " << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << r.err;
}

DYNALOCK_INSTANTIATE_OVER_PLAIN_SERVERS(credential_sources_test);

} // namespace
