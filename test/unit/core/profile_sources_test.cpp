// SPDX-License-Identifier: BSL-1.0
// What a profile provides, decided as botocore decides it: assume-role profiles and chains of source
// profiles, credential_source, web identity (environment and profile), SSO, credential_process and static
// keys, in botocore's order; every configuration error with its message, and no secret in any message.
#include <dynalock/error.hpp>

#include "core/credentials/profile_sources.hpp"
#include "support/fake_env.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace {

using namespace dynalock;
using namespace dynalock::core;

using dynalock::test::fake_env;

constexpr const char* credentials_path = "/h/.aws/credentials";
constexpr const char* config_path = "/h/.aws/config";

// The shared files given as text; nullptr = the file does not exist.
profile_files files_of(const char* credentials, const char* config) {
    profile_files files;
    files.paths = {credentials_path, config_path};
    std::string message;
    if (credentials != nullptr) {
        auto parsed =
            parse_aws_shared_file(credentials, aws_file_kind::credentials, credentials_path, message);
        EXPECT_TRUE(parsed) << message;
        files.credentials = parsed ? *parsed : aws_shared_file{};
    }
    if (config != nullptr) {
        auto parsed = parse_aws_shared_file(config, aws_file_kind::config, config_path, message);
        EXPECT_TRUE(parsed) << message;
        files.config = parsed ? *parsed : aws_shared_file{};
    }
    return files;
}

struct planned {
    boost::system::result<credential_plan> plan;
    std::string message;
};

planned plan_for(const profile_files& files, std::string_view profile = "", const fake_env& env = {}) {
    planned out{credential_plan{}, {}};
    out.plan = plan_profile_credentials(files, profile, env.lookup(), out.message);
    return out;
}

// Asserts an error, its code and that the message holds `needle` and no secret.
void expect_error(const planned& p, errc code, std::string_view needle) {
    ASSERT_FALSE(p.plan) << "expected an error";
    EXPECT_EQ(p.plan.error(), code) << p.message;
    EXPECT_NE(p.message.find(needle), std::string::npos) << p.message;
    EXPECT_EQ(p.message.find("SECRET"), std::string::npos) << p.message;
}

constexpr const char* role_a = "arn:aws:iam::111111111111:role/a";
constexpr const char* role_b = "arn:aws:iam::222222222222:role/b";

// ---- static keys ----

TEST(profile_sources, keys_in_the_credentials_file) {
    auto p = plan_for(files_of("[default]\naws_access_key_id = AK\naws_secret_access_key = SECRET\n"
                               "aws_session_token = TOKEN\n",
                               nullptr));
    ASSERT_TRUE(p.plan) << p.message;
    ASSERT_TRUE(p.plan->base);
    EXPECT_EQ(p.plan->profile, "default");
    EXPECT_EQ(p.plan->base->kind, source_kind::static_keys);
    EXPECT_EQ(p.plan->base->keys.access_key_id, "AK");
    EXPECT_EQ(p.plan->base->keys.session_token, "TOKEN");
    EXPECT_NE(p.plan->base->origin.find(credentials_path), std::string::npos);
    EXPECT_TRUE(p.plan->roles.empty());
}

TEST(profile_sources, credentials_file_keys_win_over_config_file_keys) {
    auto p = plan_for(files_of("[dev]\naws_access_key_id = CRED\naws_secret_access_key = SECRET\n",
                               "[profile dev]\naws_access_key_id = CONF\naws_secret_access_key = SECRET\n"),
                      "dev");
    ASSERT_TRUE(p.plan) << p.message;
    EXPECT_EQ(p.plan->base->keys.access_key_id, "CRED");
}

TEST(profile_sources, config_file_keys_when_the_credentials_file_has_none) {
    auto p = plan_for(
        files_of(nullptr, "[profile dev]\naws_access_key_id = CONF\naws_secret_access_key = SECRET\n"),
        "dev");
    ASSERT_TRUE(p.plan) << p.message;
    EXPECT_EQ(p.plan->base->keys.access_key_id, "CONF");
    EXPECT_NE(p.plan->base->origin.find(config_path), std::string::npos);
}

TEST(profile_sources, half_a_key_pair_is_an_error_without_the_secret) {
    expect_error(plan_for(files_of("[default]\naws_secret_access_key = SECRET\n", nullptr)),
                 errc::invalid_credentials_file, "aws_secret_access_key but not aws_access_key_id");
}

TEST(profile_sources, nothing_configured_says_what_was_tried) {
    auto p = plan_for(files_of("[other]\naws_access_key_id = A\naws_secret_access_key = SECRET\n", nullptr));
    ASSERT_TRUE(p.plan) << p.message;
    EXPECT_FALSE(p.plan->base);
    const auto& tried = p.plan->tried;
    EXPECT_NE(tried.find("AWS_WEB_IDENTITY_TOKEN_FILE is not set"), std::string::npos) << tried;
    EXPECT_NE(tried.find(std::string(credentials_path) + ": no profile 'default'"), std::string::npos)
        << tried;
    EXPECT_NE(tried.find(std::string(config_path) + ": not found"), std::string::npos) << tried;
}

TEST(profile_sources, an_existing_profile_without_credentials_says_so) {
    auto p = plan_for(files_of(nullptr, "[default]\nregion = eu-west-1\n"));
    ASSERT_TRUE(p.plan) << p.message;
    EXPECT_FALSE(p.plan->base);
    EXPECT_NE(p.plan->tried.find("no sso_session, sso_start_url or credential_process"), std::string::npos)
        << p.plan->tried;
    EXPECT_NE(p.plan->tried.find("profile 'default' has no credentials"), std::string::npos) << p.plan->tried;
}

TEST(profile_sources, a_named_profile_must_exist) {
    auto files = files_of("[default]\naws_access_key_id = A\naws_secret_access_key = SECRET\n", nullptr);
    expect_error(plan_for(files, "typo"), errc::invalid_credentials_file,
                 "profile 'typo' (from the profile option) is in neither");
    fake_env env{{{"AWS_PROFILE", "typo"}}};
    expect_error(plan_for(files, "", env), errc::invalid_credentials_file, "(from AWS_PROFILE)");
    fake_env default_env{{{"AWS_DEFAULT_PROFILE", "typo"}}};
    expect_error(plan_for(files, "", default_env), errc::invalid_credentials_file,
                 "(from AWS_DEFAULT_PROFILE)");
}

// ---- assume role ----

TEST(profile_sources, assume_role_from_a_source_profile_with_every_setting) {
    auto p = plan_for(
        files_of("[base]\naws_access_key_id = AK\naws_secret_access_key = SECRET\n",
                 "[profile app]\nrole_arn = arn:aws:iam::111111111111:role/a\nsource_profile = base\n"
                 "external_id = ext-1\nrole_session_name = me@site\nduration_seconds = 1800\n"),
        "app");
    ASSERT_TRUE(p.plan) << p.message;
    ASSERT_TRUE(p.plan->base);
    EXPECT_EQ(p.plan->base->kind, source_kind::static_keys);
    EXPECT_EQ(p.plan->base->profile, "base");
    ASSERT_EQ(p.plan->roles.size(), 1u);
    const auto& role = p.plan->roles[0];
    EXPECT_EQ(role.profile, "app");
    EXPECT_EQ(role.role_arn, role_a);
    EXPECT_EQ(role.external_id, "ext-1");
    EXPECT_EQ(role.role_session_name, "me@site");
    EXPECT_EQ(role.duration, std::chrono::seconds(1800));
}

TEST(profile_sources, a_chain_of_roles_is_assumed_innermost_first) {
    auto p =
        plan_for(files_of("[c]\naws_access_key_id = AK\naws_secret_access_key = SECRET\n",
                          "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/a\nsource_profile = b\n"
                          "[profile b]\nrole_arn = arn:aws:iam::222222222222:role/b\nsource_profile = c\n"),
                 "a");
    ASSERT_TRUE(p.plan) << p.message;
    EXPECT_EQ(p.plan->base->profile, "c");
    ASSERT_EQ(p.plan->roles.size(), 2u);
    EXPECT_EQ(p.plan->roles[0].role_arn, role_b);
    EXPECT_EQ(p.plan->roles[1].role_arn, role_a);
}

TEST(profile_sources, static_keys_of_a_source_profile_win_over_its_role) {
    auto p = plan_for(
        files_of(nullptr, "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/a\nsource_profile = b\n"
                          "[profile b]\nrole_arn = arn:aws:iam::222222222222:role/b\nsource_profile = c\n"
                          "aws_access_key_id = BKEY\naws_secret_access_key = SECRET\n"),
        "a");
    ASSERT_TRUE(p.plan) << p.message;
    EXPECT_EQ(p.plan->base->keys.access_key_id, "BKEY");
    ASSERT_EQ(p.plan->roles.size(), 1u);
    EXPECT_EQ(p.plan->roles[0].role_arn, role_a);
}

TEST(profile_sources, assume_role_wins_over_static_keys_of_the_same_profile) {
    auto p =
        plan_for(files_of("[a]\naws_access_key_id = AKEY\naws_secret_access_key = SECRET\n"
                          "[b]\naws_access_key_id = BKEY\naws_secret_access_key = SECRET\n",
                          "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/a\nsource_profile = b\n"),
                 "a");
    ASSERT_TRUE(p.plan) << p.message;
    EXPECT_EQ(p.plan->base->keys.access_key_id, "BKEY");
    EXPECT_EQ(p.plan->roles.size(), 1u);
}

TEST(profile_sources, a_profile_may_source_its_own_static_keys) {
    auto p = plan_for(files_of("[a]\naws_access_key_id = AKEY\naws_secret_access_key = SECRET\n"
                               "role_arn = arn:aws:iam::111111111111:role/a\nsource_profile = a\n",
                               nullptr),
                      "a");
    ASSERT_TRUE(p.plan) << p.message;
    EXPECT_EQ(p.plan->base->keys.access_key_id, "AKEY");
    ASSERT_EQ(p.plan->roles.size(), 1u);
    EXPECT_EQ(p.plan->roles[0].role_arn, role_a);
}

TEST(profile_sources, a_profile_sourcing_itself_without_keys_is_a_cycle) {
    expect_error(plan_for(files_of(nullptr, "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/a\n"
                                            "source_profile = a\n"),
                          "a"),
                 errc::invalid_credentials_file, "source_profile makes a cycle: 'a' -> 'a'");
}

TEST(profile_sources, a_cycle_lists_the_profiles) {
    expect_error(plan_for(files_of(nullptr, "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/a\n"
                                            "source_profile = b\n"
                                            "[profile b]\nrole_arn = arn:aws:iam::222222222222:role/b\n"
                                            "source_profile = c\n"
                                            "[profile c]\nrole_arn = arn:aws:iam::222222222222:role/c\n"
                                            "source_profile = a\n"),
                          "a"),
                 errc::invalid_credentials_file, "cycle: 'a' -> 'b' -> 'c' -> 'a'");
}

TEST(profile_sources, a_cycle_back_to_a_profile_with_keys_is_still_a_cycle) {
    // Only the top-level self-reference is allowed: b -> a where a has keys would loop a -> b -> a.
    expect_error(plan_for(files_of(nullptr, "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/a\n"
                                            "source_profile = b\naws_access_key_id = A\n"
                                            "aws_secret_access_key = SECRET\n"
                                            "[profile b]\nrole_arn = arn:aws:iam::222222222222:role/b\n"
                                            "source_profile = a\n"),
                          "a"),
                 errc::invalid_credentials_file, "cycle: 'a' -> 'b' -> 'a'");
}

TEST(profile_sources, a_long_chain_is_refused) {
    std::string config;
    for (int i = 0; i < 40; ++i)
        config += "[profile p" + std::to_string(i) + "]\nrole_arn = arn:aws:iam::111111111111:role/r\n" +
                  "source_profile = p" + std::to_string(i + 1) + "\n";
    config += "[profile p40]\naws_access_key_id = A\naws_secret_access_key = SECRET\n";
    expect_error(plan_for(files_of(nullptr, config.c_str()), "p0"), errc::invalid_credentials_file,
                 "more than 32 roles chained");
}

TEST(profile_sources, both_source_profile_and_credential_source_is_an_error) {
    expect_error(plan_for(files_of(nullptr, "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/a\n"
                                            "source_profile = b\ncredential_source = Environment\n"),
                          "a"),
                 errc::invalid_credentials_file,
                 "profile 'a' in /h/.aws/config: sets both source_profile and credential_source");
}

TEST(profile_sources, neither_source_profile_nor_credential_source_is_an_error) {
    expect_error(
        plan_for(files_of(nullptr, "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/a\n"), "a"),
        errc::invalid_credentials_file, "neither source_profile nor credential_source");
}

TEST(profile_sources, credential_source_values) {
    for (auto [value, kind] : {std::pair{"Environment", source_kind::environment},
                               std::pair{"Ec2InstanceMetadata", source_kind::instance_metadata},
                               std::pair{"EcsContainer", source_kind::container}}) {
        std::string config =
            std::string("[default]\nrole_arn = ") + role_a + "\ncredential_source = " + value + "\n";
        auto p = plan_for(files_of(nullptr, config.c_str()));
        ASSERT_TRUE(p.plan) << p.message;
        EXPECT_EQ(p.plan->base->kind, kind) << value;
        EXPECT_NE(p.plan->base->origin.find(value), std::string::npos) << p.plan->base->origin;
        ASSERT_EQ(p.plan->roles.size(), 1u);
    }
}

TEST(profile_sources, unknown_credential_source_is_unsupported_and_named) {
    expect_error(
        plan_for(files_of(nullptr, "[default]\nrole_arn = arn:aws:iam::111111111111:role/a\n"
                                   "credential_source = environment\n")),
        errc::unsupported_configuration,
        "credential_source 'environment' is not supported (supported: Environment, Ec2InstanceMetadata, "
        "EcsContainer)");
}

TEST(profile_sources, missing_source_profile_is_an_error) {
    expect_error(plan_for(files_of(nullptr, "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/a\n"
                                            "source_profile = gone\n"),
                          "a"),
                 errc::invalid_credentials_file, "its source_profile 'gone' is in neither");
}

TEST(profile_sources, source_profile_without_credentials_is_an_error) {
    expect_error(plan_for(files_of(nullptr, "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/a\n"
                                            "source_profile = b\n[profile b]\nregion = us-east-1\n"),
                          "a"),
                 errc::invalid_credentials_file, "its source_profile 'b' has no credentials");
}

TEST(profile_sources, the_environment_never_supplies_a_source_profile) {
    fake_env env{{{"AWS_WEB_IDENTITY_TOKEN_FILE", "/t"}, {"AWS_ROLE_ARN", role_b}}};
    expect_error(plan_for(files_of(nullptr, "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/a\n"
                                            "source_profile = b\n[profile b]\nregion = us-east-1\n"),
                          "a", env),
                 errc::invalid_credentials_file, "has no credentials");
}

TEST(profile_sources, settings_split_across_both_files_are_merged) {
    auto p = plan_for(
        files_of("[a]\nsource_profile = b\n[b]\naws_access_key_id = B\naws_secret_access_key = SECRET\n",
                 "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/a\n"),
        "a");
    ASSERT_TRUE(p.plan) << p.message;
    EXPECT_EQ(p.plan->base->keys.access_key_id, "B");
    ASSERT_EQ(p.plan->roles.size(), 1u);
}

TEST(profile_sources, bad_role_settings_name_the_profile_and_field) {
    expect_error(
        plan_for(files_of(nullptr, "[default]\nrole_arn = role/a\ncredential_source = Environment\n")),
        errc::invalid_credentials_file, "profile 'default' in /h/.aws/config: role_arn: role ARN 'role/a'");
    expect_error(plan_for(files_of(nullptr, "[default]\nrole_arn = arn:aws:iam::111111111111:role/a\n"
                                            "credential_source = Environment\nrole_session_name = a b\n")),
                 errc::invalid_credentials_file, "role_session_name: role session name 'a b'");
    expect_error(plan_for(files_of(nullptr, "[default]\nrole_arn = arn:aws:iam::111111111111:role/a\n"
                                            "credential_source = Environment\nduration_seconds = 1h\n")),
                 errc::invalid_credentials_file, "duration_seconds '1h' is not a whole number of seconds");
    expect_error(plan_for(files_of(nullptr, "[default]\nrole_arn = arn:aws:iam::111111111111:role/a\n"
                                            "credential_source = Environment\nduration_seconds = 100000\n")),
                 errc::invalid_credentials_file, "duration_seconds: role session duration 100000 s");
    expect_error(plan_for(files_of(nullptr, "[default]\nrole_arn = arn:aws:iam::111111111111:role/a\n"
                                            "credential_source = Environment\nexternal_id = SECRET!\n")),
                 errc::invalid_credentials_file, "external_id: external id may only hold");
}

TEST(profile_sources, mfa_serial_is_unsupported) {
    expect_error(
        plan_for(files_of(nullptr, "[default]\nrole_arn = arn:aws:iam::111111111111:role/a\n"
                                   "credential_source = Environment\nmfa_serial = arn:aws:iam::1:mfa/me\n")),
        errc::unsupported_configuration, "mfa_serial is not supported");
}

// ---- web identity ----

TEST(profile_sources, web_identity_from_the_environment_wins_over_profile_keys) {
    fake_env env{{{"AWS_WEB_IDENTITY_TOKEN_FILE", "/var/run/token"},
                  {"AWS_ROLE_ARN", role_a},
                  {"AWS_ROLE_SESSION_NAME", "pod-1"}}};
    auto p = plan_for(files_of("[default]\naws_access_key_id = A\naws_secret_access_key = SECRET\n", nullptr),
                      "", env);
    ASSERT_TRUE(p.plan) << p.message;
    ASSERT_TRUE(p.plan->base);
    EXPECT_EQ(p.plan->base->kind, source_kind::web_identity);
    EXPECT_EQ(p.plan->base->token_file, "/var/run/token");
    EXPECT_EQ(p.plan->base->role_arn, role_a);
    EXPECT_EQ(p.plan->base->role_session_name, "pod-1");
    EXPECT_EQ(p.plan->base->origin, "AWS_WEB_IDENTITY_TOKEN_FILE");
}

TEST(profile_sources, web_identity_from_the_profile) {
    fake_env env{{{"HOME", "/home/me"}}};
    auto p = plan_for(files_of(nullptr, "[default]\nweb_identity_token_file = ~/token\nrole_arn = "
                                        "arn:aws:iam::111111111111:role/a\nrole_session_name = s-1\n"
                                        "source_profile = ignored\n"
                                        "aws_access_key_id = A\naws_secret_access_key = SECRET\n"),
                      "", env);
    ASSERT_TRUE(p.plan) << p.message;
    EXPECT_EQ(p.plan->base->kind, source_kind::web_identity);
    EXPECT_EQ(p.plan->base->token_file, "/home/me/token");
    EXPECT_EQ(p.plan->base->role_session_name, "s-1");
    EXPECT_TRUE(p.plan->roles.empty())
        << "a profile with web_identity_token_file is not an assume-role profile";
}

TEST(profile_sources, environment_variables_override_profile_web_identity_settings) {
    fake_env env{{{"AWS_ROLE_ARN", role_b}}};
    auto p = plan_for(files_of(nullptr, "[default]\nweb_identity_token_file = /t\nrole_arn = "
                                        "arn:aws:iam::111111111111:role/a\n"),
                      "", env);
    ASSERT_TRUE(p.plan) << p.message;
    EXPECT_EQ(p.plan->base->role_arn, role_b);
}

TEST(profile_sources, assume_role_profile_comes_before_environment_web_identity) {
    fake_env env{{{"AWS_WEB_IDENTITY_TOKEN_FILE", "/t"}, {"AWS_ROLE_ARN", role_b}}};
    auto p = plan_for(files_of(nullptr, "[default]\nrole_arn = arn:aws:iam::111111111111:role/a\n"
                                        "credential_source = EcsContainer\n"),
                      "", env);
    ASSERT_TRUE(p.plan) << p.message;
    EXPECT_EQ(p.plan->base->kind, source_kind::container);
    EXPECT_EQ(p.plan->roles.size(), 1u);
}

TEST(profile_sources, web_identity_without_a_role_is_an_error) {
    fake_env env{{{"AWS_WEB_IDENTITY_TOKEN_FILE", "/t"}}};
    expect_error(plan_for(files_of(nullptr, nullptr), "", env), errc::invalid_argument,
                 "AWS_WEB_IDENTITY_TOKEN_FILE is set but no role is: set AWS_ROLE_ARN");
    expect_error(plan_for(files_of(nullptr, "[default]\nweb_identity_token_file = /t\n")),
                 errc::invalid_credentials_file, "web_identity_token_file is set but role_arn is not");
}

TEST(profile_sources, role_arn_alone_in_the_environment_is_only_a_note) {
    fake_env env{{{"AWS_ROLE_ARN", role_a}}};
    auto p = plan_for(files_of(nullptr, nullptr), "", env);
    ASSERT_TRUE(p.plan) << p.message;
    EXPECT_FALSE(p.plan->base);
    EXPECT_NE(p.plan->tried.find("AWS_ROLE_ARN is, but a role needs the token file too"), std::string::npos)
        << p.plan->tried;
}

TEST(profile_sources, bad_web_identity_settings_from_the_environment) {
    fake_env env{{{"AWS_WEB_IDENTITY_TOKEN_FILE", "/t"}, {"AWS_ROLE_ARN", "nope"}}};
    expect_error(plan_for(files_of(nullptr, nullptr), "", env), errc::invalid_argument,
                 "AWS_ROLE_ARN: role ARN");
    env.vars["AWS_ROLE_ARN"] = role_a;
    env.vars["AWS_ROLE_SESSION_NAME"] = "x";
    expect_error(plan_for(files_of(nullptr, nullptr), "", env), errc::invalid_argument,
                 "AWS_ROLE_SESSION_NAME:");
}

TEST(profile_sources, a_source_profile_may_use_web_identity) {
    auto p = plan_for(
        files_of(nullptr, "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/a\nsource_profile = b\n"
                          "[profile b]\nrole_arn = arn:aws:iam::222222222222:role/b\n"
                          "web_identity_token_file = /t\n"),
        "a");
    ASSERT_TRUE(p.plan) << p.message;
    EXPECT_EQ(p.plan->base->kind, source_kind::web_identity);
    EXPECT_EQ(p.plan->base->role_arn, role_b);
    ASSERT_EQ(p.plan->roles.size(), 1u);
    EXPECT_EQ(p.plan->roles[0].role_arn, role_a);
}

// ---- SSO and credential_process ----

TEST(profile_sources, sso_profiles_are_handed_over) {
    for (const char* config :
         {"[profile dev]\nsso_session = corp\nsso_account_id = 1\nsso_role_name = r\n",
          "[profile dev]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\n"
          "aws_access_key_id = A\naws_secret_access_key = SECRET\n"}) {
        auto p = plan_for(files_of(nullptr, config), "dev");
        ASSERT_TRUE(p.plan) << p.message;
        EXPECT_EQ(p.plan->base->kind, source_kind::sso);
        EXPECT_EQ(p.plan->base->profile, "dev");
    }
}

TEST(profile_sources, a_source_profile_may_use_sso) {
    auto p = plan_for(
        files_of(nullptr, "[profile a]\nrole_arn = arn:aws:iam::111111111111:role/a\nsource_profile = b\n"
                          "[profile b]\nsso_session = corp\n"),
        "a");
    ASSERT_TRUE(p.plan) << p.message;
    EXPECT_EQ(p.plan->base->kind, source_kind::sso);
    EXPECT_EQ(p.plan->base->profile, "b");
}

TEST(profile_sources, credential_process_sits_between_the_two_files_keys) {
    auto between = plan_for(files_of(nullptr, "[default]\ncredential_process = /bin/creds --x\n"
                                              "aws_access_key_id = A\naws_secret_access_key = SECRET\n"));
    ASSERT_TRUE(between.plan) << between.message;
    EXPECT_EQ(between.plan->base->kind, source_kind::process);
    EXPECT_EQ(between.plan->base->command, "/bin/creds --x");

    auto keys_first = plan_for(files_of("[default]\naws_access_key_id = A\naws_secret_access_key = SECRET\n",
                                        "[default]\ncredential_process = /bin/creds\n"));
    ASSERT_TRUE(keys_first.plan) << keys_first.message;
    EXPECT_EQ(keys_first.plan->base->kind, source_kind::static_keys);
}

// ---- reading the files ----

class profile_files_on_disk : public testing::Test {
protected:
    std::string dir = testing::TempDir();
    std::string credentials = dir + "dynalock_profile_sources_credentials";
    std::string config = dir + "dynalock_profile_sources_config";
    fake_env env{{{"AWS_SHARED_CREDENTIALS_FILE", credentials}, {"AWS_CONFIG_FILE", config}}};

    void write(const std::string& path, std::string_view text) {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << text;
    }
    void TearDown() override {
        std::remove(credentials.c_str());
        std::filesystem::remove_all(config);
    }
};

TEST_F(profile_files_on_disk, absent_files_are_left_out) {
    std::string message;
    auto files = load_profile_files(env.lookup(), message);
    ASSERT_TRUE(files) << message;
    EXPECT_FALSE(files->credentials);
    EXPECT_FALSE(files->config);
    EXPECT_EQ(files->paths.credentials, credentials);
    EXPECT_TRUE(files->notes.empty());
}

TEST_F(profile_files_on_disk, both_files_are_read) {
    write(credentials, "[a]\naws_access_key_id = A\naws_secret_access_key = SECRET\n");
    write(config, "[profile a]\nregion = eu-west-1\n");
    std::string message;
    auto files = load_profile_files(env.lookup(), message);
    ASSERT_TRUE(files) << message;
    ASSERT_TRUE(files->credentials);
    ASSERT_TRUE(files->config);
    auto merged = merged_profile(*files, "a");
    ASSERT_TRUE(merged);
    EXPECT_NE(merged->find("region"), nullptr);
    EXPECT_NE(merged->find("aws_access_key_id"), nullptr);
}

TEST_F(profile_files_on_disk, malformed_file_is_an_error_naming_file_and_line) {
    write(credentials, "[a]\naws_secret_access_key SECRET\n");
    std::string message;
    auto files = load_profile_files(env.lookup(), message);
    ASSERT_FALSE(files);
    EXPECT_EQ(files.error(), errc::invalid_credentials_file);
    EXPECT_NE(message.find(credentials + ":2"), std::string::npos) << message;
    EXPECT_EQ(message.find("SECRET"), std::string::npos) << message;
}

TEST_F(profile_files_on_disk, unreadable_file_is_noted) {
    std::filesystem::create_directory(config); // a directory opens but cannot be read
    std::string message;
    auto files = load_profile_files(env.lookup(), message);
    ASSERT_TRUE(files) << message;
    EXPECT_FALSE(files->config);
    EXPECT_NE(files->notes.find(config), std::string::npos) << files->notes;
    auto p = plan_for(*files);
    ASSERT_TRUE(p.plan) << p.message;
    EXPECT_NE(p.plan->tried.find(files->notes), std::string::npos) << p.plan->tried;
}

} // namespace
