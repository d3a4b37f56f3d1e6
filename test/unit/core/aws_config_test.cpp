// SPDX-License-Identifier: BSL-1.0
// The shared-file parser and the resolution of profile, file paths, credentials and region.
#include <dynalock/error.hpp>

#include "core/aws_config.hpp"
#include "support/fake_env.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <map>
#include <string>

namespace {

using namespace dynalock;
using namespace dynalock::core;

using dynalock::test::fake_env;

aws_shared_file parse_ok(std::string_view text, aws_file_kind kind = aws_file_kind::config) {
    std::string message;
    auto parsed = parse_aws_shared_file(text, kind, "/home/u/.aws/config", message);
    EXPECT_TRUE(parsed.has_value()) << message;
    return parsed ? *parsed : aws_shared_file{};
}

std::chrono::system_clock::time_point utc(int y, unsigned mo, unsigned d, int h, int mi, int s) {
    using namespace std::chrono;
    return sys_days{year{y} / month{mo} / day{d}} + hours{h} + minutes{mi} + seconds{s};
}

// ---- parser ----

TEST(aws_config_parse, config_sections_map_to_profiles_and_services) {
    auto file = parse_ok("[default]\n"
                         "region = us-west-2\n"
                         "[profile prod]\n"
                         "region=eu-west-1\n"
                         "[services local-ddb]\n"
                         "dynamodb =\n"
                         "  endpoint_url = http://localhost:8000\n"
                         "[sso-session corp]\n"
                         "sso_region = us-east-1\n"
                         "[bare]\n"
                         "region = ap-south-1\n");
    ASSERT_NE(file.find_profile("default"), nullptr);
    EXPECT_EQ(*file.find_profile("default")->find("region"), "us-west-2");
    ASSERT_NE(file.find_profile("prod"), nullptr);
    EXPECT_EQ(*file.find_profile("prod")->find("region"), "eu-west-1");
    ASSERT_NE(file.find_services("local-ddb"), nullptr);
    EXPECT_EQ(*file.find_services("local-ddb")->find("dynamodb", "endpoint_url"), "http://localhost:8000");
    // In the config file a bare name is not a profile, and sso-session sections are not profiles either.
    EXPECT_EQ(file.find_profile("bare"), nullptr);
    EXPECT_EQ(file.find_profile("corp"), nullptr);
    EXPECT_EQ(file.profiles.size(), 2u);
}

TEST(aws_config_parse, sso_session_sections_are_kept_apart_from_profiles) {
    auto file = parse_ok("[profile dev]\n"
                         "sso_session = corp\n"
                         "[sso-session corp]\n"
                         "sso_start_url = https://corp.awsapps.com/start\n"
                         "SSO_Region = eu-west-1\n"
                         "[sso-session   spaced ]\n"
                         "sso_region = us-east-1\n"
                         "[sso-session corp]\n"
                         "sso_registration_scopes = sso:account:access\n"
                         "[sso-sessionbad]\n"
                         "x = 1\n");
    const ini_section* corp = file.find_sso_session("corp");
    ASSERT_NE(corp, nullptr);
    EXPECT_EQ(corp->line, 3u);
    EXPECT_EQ(*corp->find("sso_start_url"), "https://corp.awsapps.com/start");
    EXPECT_EQ(*corp->find("sso_region"), "eu-west-1");
    EXPECT_EQ(*corp->find("sso_registration_scopes"), "sso:account:access"); // repeated section merged
    ASSERT_NE(file.find_sso_session("spaced"), nullptr);
    EXPECT_EQ(*file.find_sso_session("spaced")->find("sso_region"), "us-east-1");
    EXPECT_EQ(file.sso_sessions.size(), 2u); // "[sso-sessionbad]" names nothing we know
    EXPECT_EQ(file.find_sso_session("dev"), nullptr);
    EXPECT_EQ(file.find_profile("corp"), nullptr);
    EXPECT_EQ(file.profiles.size(), 1u);
    EXPECT_TRUE(file.services.empty());
}

TEST(aws_config_parse, credentials_file_has_no_sso_sessions) {
    auto file = parse_ok("[sso-session corp]\nsso_region = eu-west-1\n", aws_file_kind::credentials);
    EXPECT_TRUE(file.sso_sessions.empty());
    EXPECT_NE(file.find_profile("sso-session corp"), nullptr);
}

TEST(aws_config_parse, credentials_file_sections_are_bare_profile_names) {
    auto file = parse_ok("[default]\naws_access_key_id = A\n[prod]\naws_access_key_id = B\n"
                         "[profile staging]\naws_access_key_id = C\n",
                         aws_file_kind::credentials);
    ASSERT_NE(file.find_profile("prod"), nullptr);
    EXPECT_EQ(*file.find_profile("prod")->find("aws_access_key_id"), "B");
    // `profile ` is not a prefix in the credentials file: the section is literally named so.
    EXPECT_EQ(file.find_profile("staging"), nullptr);
    EXPECT_NE(file.find_profile("profile staging"), nullptr);
}

TEST(aws_config_parse, whitespace_comments_and_case_are_handled) {
    auto file = parse_ok("# leading comment\n"
                         "; another\n"
                         "\n"
                         "  [ profile   spaced ]   # trailing comment\n"
                         "\tRegion\t=\t  us-east-2   ; comment after whitespace\n"
                         "output = json#not-a-comment\n"
                         "empty =\n"
                         "commented = # only a comment\n"
                         "\r\n"
                         "cr = value\r\n");
    const ini_section* p = file.find_profile("spaced");
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(*p->find("region"), "us-east-2"); // names are lower-cased
    EXPECT_EQ(*p->find("output"), "json#not-a-comment");
    EXPECT_EQ(*p->find("empty"), "");
    EXPECT_EQ(*p->find("commented"), "");
    EXPECT_EQ(*p->find("cr"), "value");
}

TEST(aws_config_parse, byte_order_mark_is_skipped) {
    auto file = parse_ok("\xEF\xBB\xBF[default]\nregion = us-east-1\n");
    ASSERT_NE(file.find_profile("default"), nullptr);
    EXPECT_EQ(*file.find_profile("default")->find("region"), "us-east-1");
}

TEST(aws_config_parse, indented_block_after_empty_value_is_a_sub_section) {
    auto file = parse_ok("[services s]\n"
                         "dynamodb =\n"
                         "  endpoint_url = https://ddb.example.com\n"
                         "\n"
                         "  # a comment inside the block\n"
                         "  other = x\n"
                         "s3 =\n"
                         "  endpoint_url = https://s3.example.com\n");
    const ini_section* s = file.find_services("s");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(*s->find("dynamodb", "endpoint_url"), "https://ddb.example.com");
    EXPECT_EQ(*s->find("dynamodb", "other"), "x");
    EXPECT_EQ(*s->find("s3", "endpoint_url"), "https://s3.example.com");
    EXPECT_EQ(s->find("s3", "other"), nullptr);
    EXPECT_EQ(s->find("missing", "endpoint_url"), nullptr);
}

TEST(aws_config_parse, indented_line_after_value_continues_it) {
    auto file = parse_ok("[default]\nca_list = first\n  second\n\tthird\n");
    EXPECT_EQ(*file.find_profile("default")->find("ca_list"), "first\nsecond\nthird");
}

TEST(aws_config_parse, indentation_is_relative_to_the_property_line) {
    // Uniformly indented properties are siblings; only a deeper line continues the one above.
    auto file = parse_ok("[default]\n"
                         "  region = us-east-1\n"
                         "  output = json\n"
                         "  list = a\n"
                         "      b\n"
                         "  s3 =\n"
                         "    addressing_style = path\n"
                         "  after = 1\n");
    const ini_section* d = file.find_profile("default");
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(*d->find("region"), "us-east-1");
    EXPECT_EQ(*d->find("output"), "json");
    EXPECT_EQ(*d->find("list"), "a\nb");
    EXPECT_EQ(*d->find("s3", "addressing_style"), "path");
    EXPECT_EQ(*d->find("after"), "1");
    EXPECT_EQ(d->find("s3", "after"), nullptr);
}

TEST(aws_config_parse, repeated_section_is_merged_and_later_value_wins) {
    auto file = parse_ok("[default]\na = 1\nb = 1\n[default]\nb = 2\n");
    const ini_section* d = file.find_profile("default");
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(*d->find("a"), "1");
    EXPECT_EQ(*d->find("b"), "2");
    EXPECT_EQ(d->line, 1u);
}

TEST(aws_config_parse, profile_default_and_default_are_the_same_profile) {
    auto file = parse_ok("[profile default]\nregion = us-east-1\n[default]\noutput = json\n");
    const ini_section* d = file.find_profile("default");
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(*d->find("region"), "us-east-1");
    EXPECT_EQ(*d->find("output"), "json");
}

struct parse_error_case {
    const char* name;
    const char* text;
    std::size_t line;
};

class aws_config_parse_error : public testing::TestWithParam<parse_error_case> {};

TEST_P(aws_config_parse_error, malformed_file_reports_path_and_line) {
    const auto& c = GetParam();
    std::string message;
    auto parsed = parse_aws_shared_file(c.text, aws_file_kind::credentials, "/tmp/creds", message);
    ASSERT_FALSE(parsed.has_value());
    EXPECT_EQ(parsed.error(), errc::invalid_credentials_file);
    EXPECT_NE(message.find("/tmp/creds:" + std::to_string(c.line) + ":"), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    cases, aws_config_parse_error,
    testing::Values(parse_error_case{"property_before_section", "a = b\n[default]\n", 1},
                    parse_error_case{"unclosed_header", "[default]\na = b\n[prod\n", 3},
                    parse_error_case{"text_after_header", "[default] junk\n", 1},
                    parse_error_case{"line_without_equals",
                                     "[default]\n\n# c\naws_secret_access_key SECRET\n", 4},
                    parse_error_case{"empty_name", "[default]\n = v\n", 2},
                    parse_error_case{"sub_section_line_without_equals", "[default]\ns3 =\n  novalue\n", 3}),
    [](const testing::TestParamInfo<parse_error_case>& param_info) {
        return std::string(param_info.param.name);
    });

TEST(aws_config_parse, error_message_never_quotes_the_line) {
    std::string message;
    auto parsed = parse_aws_shared_file("[default]\naws_secret_access_key: wJalrXUtnFEMI/K7MDENG\n",
                                        aws_file_kind::credentials, "/tmp/creds", message);
    ASSERT_FALSE(parsed.has_value());
    EXPECT_EQ(message.find("wJalrXUtnFEMI"), std::string::npos) << message;
}

// ---- file reading ----

TEST(aws_config_read, missing_file_is_not_an_error) {
    std::string message;
    auto text = read_aws_shared_file("/nonexistent-dir-for-dynalock/credentials", message);
    ASSERT_TRUE(text.has_value());
    EXPECT_FALSE(text->has_value());
}

TEST(aws_config_read, existing_file_is_read_whole) {
    std::string path = testing::TempDir() + "dynalock_aws_config_read_test";
    {
        std::ofstream out(path, std::ios::binary);
        out << "[default]\nregion = us-east-1\n";
    }
    std::string message;
    auto text = read_aws_shared_file(path, message);
    ASSERT_TRUE(text.has_value()) << message;
    ASSERT_TRUE(text->has_value());
    EXPECT_EQ(**text, "[default]\nregion = us-east-1\n");
    std::remove(path.c_str());
}

TEST(aws_config_read, directory_is_unreadable) {
    std::string message;
    auto text = read_aws_shared_file(testing::TempDir(), message);
    ASSERT_FALSE(text.has_value());
    EXPECT_EQ(text.error(), errc::invalid_credentials_file);
    EXPECT_FALSE(message.empty());
}

// ---- timestamps ----

TEST(aws_config_time, iso8601_forms_parse_to_the_same_instant) {
    auto expected = utc(2024, 5, 1, 12, 30, 15);
    for (const char* text : {"2024-05-01T12:30:15Z", "2024-05-01t12:30:15z", "2024-05-01T14:30:15+02:00",
                             "2024-05-01T07:30:15-0500", "2024-05-01 12:30:15Z"}) {
        auto parsed = parse_iso8601_timestamp(text);
        ASSERT_TRUE(parsed.has_value()) << text;
        EXPECT_EQ(*parsed, expected) << text;
    }
}

TEST(aws_config_time, fractional_seconds_are_kept) {
    auto parsed = parse_iso8601_timestamp("2024-05-01T12:30:15.250Z");
    ASSERT_TRUE(parsed.has_value());
    EXPECT_EQ(*parsed - utc(2024, 5, 1, 12, 30, 15), std::chrono::milliseconds(250));
}

TEST(aws_config_time, malformed_timestamps_are_rejected) {
    for (const char* text :
         {"", "2024-05-01", "2024-05-01T12:30:15", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z",
          "2024-05-01T24:00:00Z", "2024-05-01T12:30:15Zjunk", "2024-05-01T12:30:15.Z", "24-05-01T12:30:15Z",
          "2024-05-01T12:30:15+2", "0025-01-01T00:00:00Z", "9999-12-31T23:59:59Z"}) {
        auto parsed = parse_iso8601_timestamp(text);
        EXPECT_FALSE(parsed.has_value()) << text;
        if (!parsed) {
            EXPECT_EQ(parsed.error(), errc::invalid_argument);
        }
    }
}

// ---- profile name and paths ----

TEST(aws_config_profile, explicit_profile_wins) {
    fake_env env{{{"AWS_PROFILE", "fromenv"}, {"AWS_DEFAULT_PROFILE", "legacy"}}};
    EXPECT_EQ(resolve_profile_name("code", env.lookup()), "code");
}

TEST(aws_config_profile, aws_profile_then_default_profile_then_default) {
    fake_env env{{{"AWS_PROFILE", "fromenv"}, {"AWS_DEFAULT_PROFILE", "legacy"}}};
    EXPECT_EQ(resolve_profile_name("", env.lookup()), "fromenv");
    env.vars.erase("AWS_PROFILE");
    EXPECT_EQ(resolve_profile_name("", env.lookup()), "legacy");
    env.vars["AWS_DEFAULT_PROFILE"] = ""; // empty counts as unset
    EXPECT_EQ(resolve_profile_name("", env.lookup()), "default");
}

TEST(aws_config_paths, defaults_are_under_home) {
    fake_env env{{{"HOME", "/home/alice"}}};
    auto paths = resolve_shared_file_paths(env.lookup());
    EXPECT_EQ(paths.credentials, "/home/alice/.aws/credentials");
    EXPECT_EQ(paths.config, "/home/alice/.aws/config");
}

TEST(aws_config_paths, environment_overrides_with_tilde_expansion) {
    fake_env env{{{"HOME", "/home/bob/"},
                  {"AWS_SHARED_CREDENTIALS_FILE", "~/secrets/creds"},
                  {"AWS_CONFIG_FILE", "/etc/aws/config"}}};
    auto paths = resolve_shared_file_paths(env.lookup());
    EXPECT_EQ(paths.credentials, "/home/bob/secrets/creds");
    EXPECT_EQ(paths.config, "/etc/aws/config");
}

TEST(aws_config_paths, tilde_user_and_missing_home_are_left_alone) {
    fake_env env{{{"HOME", "/home/carol"}}};
    EXPECT_EQ(expand_home("~other/x", env.lookup()), "~other/x");
    EXPECT_EQ(expand_home("~", env.lookup()), "/home/carol");
    fake_env no_home;
    EXPECT_EQ(expand_home("~/x", no_home.lookup()), "~/x");
}

// ---- credentials from the environment ----

TEST(aws_config_env_credentials, keys_token_and_expiration_are_read) {
    fake_env env{{{"AWS_ACCESS_KEY_ID", "AKIDEXAMPLE"},
                  {"AWS_SECRET_ACCESS_KEY", "secret"},
                  {"AWS_SESSION_TOKEN", "token"},
                  {"AWS_CREDENTIAL_EXPIRATION", "2030-01-02T03:04:05Z"}}};
    std::string message;
    auto found = credentials_from_environment(env.lookup(), message);
    ASSERT_TRUE(found.has_value()) << message;
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ((*found)->access_key_id, "AKIDEXAMPLE");
    EXPECT_EQ((*found)->secret_access_key, "secret");
    EXPECT_EQ((*found)->session_token, "token");
    ASSERT_TRUE((*found)->expiration.has_value());
    EXPECT_EQ(*(*found)->expiration, utc(2030, 1, 2, 3, 4, 5));
}

TEST(aws_config_env_credentials, legacy_security_token_is_used_when_session_token_is_absent) {
    fake_env env{
        {{"AWS_ACCESS_KEY_ID", "A"}, {"AWS_SECRET_ACCESS_KEY", "S"}, {"AWS_SECURITY_TOKEN", "legacy"}}};
    std::string message;
    auto found = credentials_from_environment(env.lookup(), message);
    ASSERT_TRUE(found && *found);
    EXPECT_EQ((*found)->session_token, "legacy");
    env.vars["AWS_SESSION_TOKEN"] = "modern";
    found = credentials_from_environment(env.lookup(), message);
    ASSERT_TRUE(found && *found);
    EXPECT_EQ((*found)->session_token, "modern");
    EXPECT_FALSE((*found)->expiration.has_value());
}

TEST(aws_config_env_credentials, nothing_set_is_not_found) {
    fake_env env;
    std::string message;
    auto found = credentials_from_environment(env.lookup(), message);
    ASSERT_TRUE(found.has_value());
    EXPECT_FALSE(found->has_value());
    EXPECT_NE(message.find("AWS_ACCESS_KEY_ID"), std::string::npos);
}

TEST(aws_config_env_credentials, only_one_key_is_an_error_without_the_secret) {
    fake_env env{{{"AWS_SECRET_ACCESS_KEY", "very-secret-value"}}};
    std::string message;
    auto found = credentials_from_environment(env.lookup(), message);
    ASSERT_FALSE(found.has_value());
    EXPECT_EQ(found.error(), errc::invalid_argument);
    EXPECT_EQ(message.find("very-secret-value"), std::string::npos);

    env = fake_env{{{"AWS_ACCESS_KEY_ID", "A"}}};
    found = credentials_from_environment(env.lookup(), message);
    ASSERT_FALSE(found.has_value());
    EXPECT_NE(message.find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
}

TEST(aws_config_env_credentials, malformed_expiration_is_an_error) {
    fake_env env{{{"AWS_ACCESS_KEY_ID", "A"},
                  {"AWS_SECRET_ACCESS_KEY", "topsecret"},
                  {"AWS_CREDENTIAL_EXPIRATION", "tomorrow"}}};
    std::string message;
    auto found = credentials_from_environment(env.lookup(), message);
    ASSERT_FALSE(found.has_value());
    EXPECT_EQ(found.error(), errc::invalid_argument);
    EXPECT_NE(message.find("AWS_CREDENTIAL_EXPIRATION"), std::string::npos);
    EXPECT_EQ(message.find("topsecret"), std::string::npos);
}

// ---- credentials from profiles ----

const shared_file_paths test_paths{"/h/.aws/credentials", "/h/.aws/config"};

TEST(aws_config_profile_credentials, credentials_file_wins_over_config_file) {
    auto creds = parse_ok("[prod]\naws_access_key_id = FROM_CREDS\naws_secret_access_key = s1\n",
                          aws_file_kind::credentials);
    auto config = parse_ok("[profile prod]\naws_access_key_id = FROM_CONFIG\naws_secret_access_key = s2\n"
                           "aws_session_token = t2\n");
    std::string message;
    auto found = resolve_profile_credentials(&creds, &config, "prod", test_paths, message);
    ASSERT_TRUE(found && *found) << message;
    EXPECT_EQ((*found)->access_key_id, "FROM_CREDS");
    EXPECT_EQ((*found)->secret_access_key, "s1");
    EXPECT_EQ((*found)->session_token, ""); // never merged from the other file
}

TEST(aws_config_profile_credentials, config_file_is_used_when_credentials_file_lacks_the_profile) {
    auto creds =
        parse_ok("[default]\naws_access_key_id = D\naws_secret_access_key = d\n", aws_file_kind::credentials);
    auto config = parse_ok("[profile prod]\naws_access_key_id = C\naws_secret_access_key = c\n"
                           "aws_session_token = tok\n");
    std::string message;
    auto found = resolve_profile_credentials(&creds, &config, "prod", test_paths, message);
    ASSERT_TRUE(found && *found) << message;
    EXPECT_EQ((*found)->access_key_id, "C");
    EXPECT_EQ((*found)->session_token, "tok");
}

TEST(aws_config_profile_credentials, default_does_not_supply_named_profiles) {
    auto creds = parse_ok("[default]\naws_access_key_id = D\naws_secret_access_key = d\n[prod]\nregion = x\n",
                          aws_file_kind::credentials);
    std::string message;
    auto found = resolve_profile_credentials(&creds, nullptr, "prod", test_paths, message);
    ASSERT_TRUE(found.has_value());
    EXPECT_FALSE(found->has_value());
    // The message says what was looked at.
    EXPECT_NE(message.find("/h/.aws/credentials"), std::string::npos) << message;
    EXPECT_NE(message.find("/h/.aws/config: not found"), std::string::npos) << message;
}

TEST(aws_config_profile_credentials, legacy_security_token_key_is_read) {
    auto creds =
        parse_ok("[default]\naws_access_key_id = A\naws_secret_access_key = S\naws_security_token = T\n",
                 aws_file_kind::credentials);
    std::string message;
    auto found = credentials_from_profile(creds, "default", test_paths.credentials, message);
    ASSERT_TRUE(found && *found);
    EXPECT_EQ((*found)->session_token, "T");
}

TEST(aws_config_profile_credentials, partial_keys_name_file_and_line_without_the_secret) {
    auto creds =
        parse_ok("# header\n[default]\naws_secret_access_key = hunter2-secret\n", aws_file_kind::credentials);
    std::string message;
    auto found = resolve_profile_credentials(&creds, nullptr, "default", test_paths, message);
    ASSERT_FALSE(found.has_value());
    EXPECT_EQ(found.error(), errc::invalid_credentials_file);
    EXPECT_NE(message.find("/h/.aws/credentials:2"), std::string::npos) << message;
    EXPECT_EQ(message.find("hunter2"), std::string::npos) << message;
}

TEST(aws_config_profile_credentials, neither_file_present_is_not_found) {
    std::string message;
    auto found = resolve_profile_credentials(nullptr, nullptr, "default", test_paths, message);
    ASSERT_TRUE(found.has_value());
    EXPECT_FALSE(found->has_value());
    EXPECT_NE(message.find("/h/.aws/credentials: not found"), std::string::npos) << message;
}

// ---- region ----

shared_config config_with(std::string_view text, std::string profile = "default") {
    shared_config config;
    config.profile_name = std::move(profile);
    config.path = "/h/.aws/config";
    config.file = parse_ok(text);
    return config;
}

TEST(aws_config_region, precedence_is_explicit_env_default_env_profile) {
    auto config = config_with("[profile p]\nregion = eu-central-1\n", "p");
    fake_env env{{{"AWS_REGION", "us-west-1"}, {"AWS_DEFAULT_REGION", "us-west-2"}}};
    std::string message;
    EXPECT_EQ(resolve_region("ap-south-1", env.lookup(), config, message).value(), "ap-south-1");
    EXPECT_EQ(resolve_region("", env.lookup(), config, message).value(), "us-west-1");
    env.vars.erase("AWS_REGION");
    EXPECT_EQ(resolve_region("", env.lookup(), config, message).value(), "us-west-2");
    env.vars.erase("AWS_DEFAULT_REGION");
    EXPECT_EQ(resolve_region("", env.lookup(), config, message).value(), "eu-central-1");
}

TEST(aws_config_region, none_configured_is_a_clear_error) {
    auto config = config_with("[default]\noutput = json\n");
    fake_env env;
    std::string message;
    auto region = resolve_region("", env.lookup(), config, message);
    ASSERT_FALSE(region.has_value());
    EXPECT_EQ(region.error(), errc::invalid_region);
    EXPECT_NE(message.find("AWS_REGION"), std::string::npos) << message;
}

TEST(aws_config_region, invalid_region_is_rejected_not_skipped) {
    auto config = config_with("[default]\nregion = us-east-1\n");
    fake_env env{{{"AWS_REGION", "evil.example.com/"}}};
    std::string message;
    auto region = resolve_region("", env.lookup(), config, message);
    ASSERT_FALSE(region.has_value());
    EXPECT_EQ(region.error(), errc::invalid_region);
    EXPECT_NE(message.find("AWS_REGION"), std::string::npos) << message;
}

TEST(aws_config_region, validation_follows_the_region_pattern) {
    EXPECT_TRUE(is_valid_region("us-east-1"));
    EXPECT_TRUE(is_valid_region("local"));
    EXPECT_FALSE(is_valid_region(""));
    EXPECT_FALSE(is_valid_region("US-EAST-1"));
    EXPECT_FALSE(is_valid_region("us_east_1"));
    EXPECT_FALSE(is_valid_region("us-east-1.evil.com"));
    EXPECT_FALSE(is_valid_region(std::string(64, 'a')));
    EXPECT_TRUE(is_valid_region(std::string(63, 'a')));
}

// ---- loading the config file ----

TEST(aws_config_load, reads_the_file_from_aws_config_file) {
    std::string path = testing::TempDir() + "dynalock_aws_config_load_test";
    {
        std::ofstream out(path, std::ios::binary);
        out << "[profile team]\nregion = sa-east-1\n";
    }
    fake_env env{{{"AWS_CONFIG_FILE", path}, {"AWS_PROFILE", "team"}}};
    std::string message;
    auto config = load_shared_config(env.lookup(), "", message);
    ASSERT_TRUE(config.has_value()) << message;
    EXPECT_EQ(config->profile_name, "team");
    EXPECT_EQ(config->path, path);
    ASSERT_NE(config->profile(), nullptr);
    EXPECT_EQ(resolve_region("", env.lookup(), *config, message).value(), "sa-east-1");
    std::remove(path.c_str());
}

TEST(aws_config_load, missing_file_gives_empty_configuration) {
    fake_env env{{{"AWS_CONFIG_FILE", "/nonexistent-dir-for-dynalock/config"}}};
    std::string message;
    auto config = load_shared_config(env.lookup(), "x", message);
    ASSERT_TRUE(config.has_value());
    EXPECT_EQ(config->profile_name, "x");
    EXPECT_EQ(config->profile(), nullptr);
}

TEST(aws_config_load, malformed_file_is_an_error) {
    std::string path = testing::TempDir() + "dynalock_aws_config_bad_test";
    {
        std::ofstream out(path, std::ios::binary);
        out << "[default]\nregion\n";
    }
    fake_env env{{{"AWS_CONFIG_FILE", path}}};
    std::string message;
    auto config = load_shared_config(env.lookup(), "", message);
    ASSERT_FALSE(config.has_value());
    EXPECT_EQ(config.error(), errc::invalid_credentials_file);
    EXPECT_NE(message.find(path + ":2"), std::string::npos) << message;
    std::remove(path.c_str());
}

} // namespace
