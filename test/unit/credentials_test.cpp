// SPDX-License-Identifier: BSL-1.0
// The credentials providers: static, environment, shared files, and chains; completion is never inline and
// error messages never carry a secret.
#include <dynalock/credentials.hpp>

#include "support/fake_env.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace dynalock;

struct outcome {
    bool called = false;
    error_code ec;
    credentials creds;
};

// Runs one request to completion and checks the handler did not run inside the initiating call.
outcome get(credentials_provider& provider) {
    asio::io_context ioc;
    outcome out;
    provider.async_get_credentials(ioc.get_executor(), [&out](error_code ec, credentials creds) {
        out.called = true;
        out.ec = ec;
        out.creds = std::move(creds);
    });
    EXPECT_FALSE(out.called) << "the handler ran inside async_get_credentials";
    ioc.run();
    EXPECT_TRUE(out.called) << "the handler never ran";
    return out;
}

using dynalock::test::fake_env;

// Temporary shared files, removed at the end of the test.
class shared_files : public testing::Test {
protected:
    std::string dir = testing::TempDir();
    std::string credentials_path = dir + "dynalock_credentials_test_credentials";
    std::string config_path = dir + "dynalock_credentials_test_config";
    // The default chain ends with the instance metadata service: never the real one.
    fake_env env{{{"AWS_SHARED_CREDENTIALS_FILE", credentials_path},
                  {"AWS_CONFIG_FILE", config_path},
                  {"AWS_EC2_METADATA_DISABLED", "true"}}};

    void write(const std::string& path, std::string_view text) {
        std::ofstream out(path, std::ios::binary | std::ios::trunc);
        out << text;
    }
    void TearDown() override {
        std::remove(credentials_path.c_str());
        std::remove(config_path.c_str());
    }
};

// Sets process environment variables for one test and restores them afterwards.
class scoped_env {
public:
    void set(const char* name, const char* value) {
        remember(name);
        ::setenv(name, value, 1);
    }
    void unset(const char* name) {
        remember(name);
        ::unsetenv(name);
    }
    ~scoped_env() {
        for (auto& [name, old] : saved_) {
            if (old)
                ::setenv(name.c_str(), old->c_str(), 1);
            else
                ::unsetenv(name.c_str());
        }
    }

private:
    void remember(const char* name) {
        if (saved_.count(name) != 0)
            return;
        const char* old = std::getenv(name);
        saved_[name] = old ? std::optional<std::string>(old) : std::nullopt;
    }
    std::map<std::string, std::optional<std::string>> saved_;
};

// A provider that answers what it is told, counting calls; optionally (wrongly) completing inline.
class fake_provider : public credentials_provider {
public:
    fake_provider(error_code ec, credentials creds, std::string message, bool complete_inline = false)
        : ec_(ec), creds_(std::move(creds)), message_(std::move(message)), inline_(complete_inline) {}

    void async_get_credentials(asio::any_io_executor ex,
                               asio::any_completion_handler<void(error_code, credentials)> handler) override {
        ++calls;
        if (inline_)
            std::move(handler)(ec_, creds_);
        else
            asio::post(ex, asio::append(std::move(handler), ec_, creds_));
    }
    std::string last_error_message() const override { return message_; }

    int calls = 0;

private:
    error_code ec_;
    credentials creds_;
    std::string message_;
    bool inline_;
};

credentials creds_of(std::string id, std::string secret, std::string token = {}) {
    return credentials{std::move(id), std::move(secret), std::move(token), std::nullopt};
}

// ---- static ----

TEST(static_provider, returns_its_credentials_later) {
    auto provider = make_static_credentials_provider(creds_of("AKID", "SECRET", "TOKEN"));
    auto out = get(*provider);
    ASSERT_FALSE(out.ec) << out.ec.message();
    EXPECT_EQ(out.creds.access_key_id, "AKID");
    EXPECT_EQ(out.creds.secret_access_key, "SECRET");
    EXPECT_EQ(out.creds.session_token, "TOKEN");
    EXPECT_EQ(provider->last_error_message(), "");
}

TEST(static_provider, empty_secret_is_no_credentials) {
    auto provider = make_static_credentials_provider(creds_of("AKID", ""));
    auto out = get(*provider);
    EXPECT_EQ(out.ec, errc::no_credentials);
    EXPECT_FALSE(provider->last_error_message().empty());
}

TEST(static_provider, completes_on_the_handlers_associated_executor) {
    asio::io_context ioc;
    auto strand = asio::make_strand(ioc);
    auto provider = make_static_credentials_provider(creds_of("AKID", "SECRET"));
    bool in_strand = false;
    bool called = false;
    provider->async_get_credentials(ioc.get_executor(),
                                    asio::bind_executor(strand, [&](error_code, credentials) {
                                        called = true;
                                        in_strand = strand.running_in_this_thread();
                                    }));
    EXPECT_FALSE(called);
    ioc.run();
    EXPECT_TRUE(called);
    EXPECT_TRUE(in_strand);
}

// ---- environment ----

TEST(environment_provider, reads_injected_variables) {
    fake_env env{{{"AWS_ACCESS_KEY_ID", "AKIDENV"},
                  {"AWS_SECRET_ACCESS_KEY", "secretenv"},
                  {"AWS_SESSION_TOKEN", "tokenenv"},
                  {"AWS_CREDENTIAL_EXPIRATION", "2031-06-07T08:09:10Z"}}};
    auto provider = make_environment_credentials_provider(env.lookup());
    auto out = get(*provider);
    ASSERT_FALSE(out.ec) << provider->last_error_message();
    EXPECT_EQ(out.creds.access_key_id, "AKIDENV");
    EXPECT_EQ(out.creds.secret_access_key, "secretenv");
    EXPECT_EQ(out.creds.session_token, "tokenenv");
    ASSERT_TRUE(out.creds.expiration.has_value());
    using namespace std::chrono;
    EXPECT_EQ(*out.creds.expiration, sys_days{year{2031} / June / 7} + hours{8} + minutes{9} + seconds{10});
}

TEST(environment_provider, reads_the_process_environment_by_default) {
    scoped_env guard;
    guard.set("AWS_ACCESS_KEY_ID", "AKIDPROCESS");
    guard.set("AWS_SECRET_ACCESS_KEY", "secretprocess");
    guard.unset("AWS_SESSION_TOKEN");
    guard.unset("AWS_SECURITY_TOKEN");
    guard.unset("AWS_CREDENTIAL_EXPIRATION");
    auto provider = make_environment_credentials_provider();
    auto out = get(*provider);
    ASSERT_FALSE(out.ec) << provider->last_error_message();
    EXPECT_EQ(out.creds.access_key_id, "AKIDPROCESS");
    EXPECT_EQ(out.creds.session_token, "");

    guard.unset("AWS_ACCESS_KEY_ID");
    guard.unset("AWS_SECRET_ACCESS_KEY");
    out = get(*provider); // read again at every call
    EXPECT_EQ(out.ec, errc::no_credentials);
}

TEST(environment_provider, half_set_environment_is_an_error_without_the_secret) {
    fake_env env{{{"AWS_SECRET_ACCESS_KEY", "do-not-print-me"}}};
    auto provider = make_environment_credentials_provider(env.lookup());
    auto out = get(*provider);
    EXPECT_EQ(out.ec, errc::invalid_argument);
    auto message = provider->last_error_message();
    EXPECT_NE(message.find("AWS_ACCESS_KEY_ID"), std::string::npos) << message;
    EXPECT_EQ(message.find("do-not-print-me"), std::string::npos) << message;
}

// ---- shared files ----

TEST_F(shared_files, credentials_file_wins_over_config_file) {
    write(credentials_path, "[default]\naws_access_key_id = FILEKEY\naws_secret_access_key = filesecret\n");
    write(config_path, "[default]\naws_access_key_id = CONFIGKEY\naws_secret_access_key = configsecret\n");
    auto provider = make_profile_credentials_provider("", env.lookup());
    auto out = get(*provider);
    ASSERT_FALSE(out.ec) << provider->last_error_message();
    EXPECT_EQ(out.creds.access_key_id, "FILEKEY");
    EXPECT_EQ(out.creds.secret_access_key, "filesecret");
    EXPECT_FALSE(out.creds.expiration.has_value());
}

TEST_F(shared_files, config_file_supplies_a_profile_the_credentials_file_lacks) {
    write(credentials_path, "[default]\naws_access_key_id = DEF\naws_secret_access_key = def\n");
    write(config_path, "[profile team]\naws_access_key_id = TEAM\naws_secret_access_key = team\n"
                       "aws_session_token = teamtoken\n");
    env.vars["AWS_PROFILE"] = "team";
    auto provider = make_profile_credentials_provider("", env.lookup());
    auto out = get(*provider);
    ASSERT_FALSE(out.ec) << provider->last_error_message();
    EXPECT_EQ(out.creds.access_key_id, "TEAM");
    EXPECT_EQ(out.creds.session_token, "teamtoken");
}

TEST_F(shared_files, explicit_profile_wins_over_aws_profile) {
    write(credentials_path, "[a]\naws_access_key_id = A\naws_secret_access_key = a\n"
                            "[b]\naws_access_key_id = B\naws_secret_access_key = b\n");
    env.vars["AWS_PROFILE"] = "a";
    auto provider = make_profile_credentials_provider("b", env.lookup());
    auto out = get(*provider);
    ASSERT_FALSE(out.ec) << provider->last_error_message();
    EXPECT_EQ(out.creds.access_key_id, "B");
}

TEST_F(shared_files, missing_profile_is_no_credentials_listing_both_files) {
    write(credentials_path, "[default]\naws_access_key_id = DEF\naws_secret_access_key = def\n");
    auto provider = make_profile_credentials_provider("nope", env.lookup());
    auto out = get(*provider);
    EXPECT_EQ(out.ec, errc::no_credentials);
    auto message = provider->last_error_message();
    EXPECT_NE(message.find("nope"), std::string::npos) << message;
    EXPECT_NE(message.find(credentials_path), std::string::npos) << message;
    EXPECT_NE(message.find(config_path), std::string::npos) << message;
}

TEST_F(shared_files, malformed_file_reports_path_and_line_but_no_secret) {
    write(credentials_path,
          "[default]\naws_access_key_id = AKID\naws_secret_access_key wJalrXUtnFEMIK7MDENG\n");
    auto provider = make_profile_credentials_provider("", env.lookup());
    auto out = get(*provider);
    EXPECT_EQ(out.ec, errc::invalid_credentials_file);
    auto message = provider->last_error_message();
    EXPECT_NE(message.find(credentials_path + ":3"), std::string::npos) << message;
    EXPECT_EQ(message.find("wJalrXUtnFEMIK7MDENG"), std::string::npos) << message;
}

TEST_F(shared_files, unreadable_file_is_skipped_and_mentioned) {
    env.vars["AWS_SHARED_CREDENTIALS_FILE"] = dir; // a directory cannot be read as a file
    write(config_path, "[default]\naws_access_key_id = CFG\naws_secret_access_key = cfg\n");
    auto provider = make_profile_credentials_provider("", env.lookup());
    auto out = get(*provider);
    ASSERT_FALSE(out.ec) << provider->last_error_message();
    EXPECT_EQ(out.creds.access_key_id, "CFG");

    std::remove(config_path.c_str());
    out = get(*provider);
    EXPECT_EQ(out.ec, errc::no_credentials);
    EXPECT_NE(provider->last_error_message().find("cannot be read"), std::string::npos)
        << provider->last_error_message();
}

// ---- the default chain ----

TEST_F(shared_files, default_chain_prefers_the_environment) {
    write(credentials_path, "[default]\naws_access_key_id = FILE\naws_secret_access_key = file\n");
    env.vars["AWS_ACCESS_KEY_ID"] = "ENV";
    env.vars["AWS_SECRET_ACCESS_KEY"] = "env";
    auto provider = make_default_credentials_provider("", env.lookup());
    auto out = get(*provider);
    ASSERT_FALSE(out.ec) << provider->last_error_message();
    EXPECT_EQ(out.creds.access_key_id, "ENV");
}

TEST_F(shared_files, default_chain_falls_back_to_the_files) {
    write(config_path, "[default]\naws_access_key_id = CFG\naws_secret_access_key = cfg\n");
    auto provider = make_default_credentials_provider("", env.lookup());
    auto out = get(*provider);
    ASSERT_FALSE(out.ec) << provider->last_error_message();
    EXPECT_EQ(out.creds.access_key_id, "CFG");
}

TEST_F(shared_files, default_chain_with_explicit_profile_skips_the_environment) {
    write(credentials_path, "[dev]\naws_access_key_id = DEV\naws_secret_access_key = dev\n");
    env.vars["AWS_ACCESS_KEY_ID"] = "ENV";
    env.vars["AWS_SECRET_ACCESS_KEY"] = "env";
    auto provider = make_default_credentials_provider("dev", env.lookup());
    auto out = get(*provider);
    ASSERT_FALSE(out.ec) << provider->last_error_message();
    EXPECT_EQ(out.creds.access_key_id, "DEV");
}

TEST_F(shared_files, default_chain_without_credentials_lists_what_it_tried) {
    auto provider = make_default_credentials_provider("", env.lookup());
    auto out = get(*provider);
    EXPECT_EQ(out.ec, errc::no_credentials);
    auto message = provider->last_error_message();
    EXPECT_NE(message.find("AWS_ACCESS_KEY_ID"), std::string::npos) << message;
    EXPECT_NE(message.find(credentials_path), std::string::npos) << message;
    EXPECT_NE(message.find(config_path), std::string::npos) << message;
}

TEST_F(shared_files, default_chain_stops_at_a_half_set_environment) {
    write(credentials_path, "[default]\naws_access_key_id = FILE\naws_secret_access_key = file\n");
    env.vars["AWS_ACCESS_KEY_ID"] = "ENV";
    auto provider = make_default_credentials_provider("", env.lookup());
    auto out = get(*provider);
    EXPECT_EQ(out.ec, errc::invalid_argument);
    EXPECT_NE(provider->last_error_message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos);
}

// ---- chains ----

TEST(chain_provider, first_success_wins_and_later_providers_are_not_asked) {
    auto none =
        std::make_shared<fake_provider>(make_error_code(errc::no_credentials), credentials{}, "first: none");
    auto good = std::make_shared<fake_provider>(error_code{}, creds_of("GOOD", "good"), "");
    auto never = std::make_shared<fake_provider>(error_code{}, creds_of("NEVER", "never"), "");
    auto chain = make_chain_credentials_provider({none, good, never});
    auto out = get(*chain);
    ASSERT_FALSE(out.ec);
    EXPECT_EQ(out.creds.access_key_id, "GOOD");
    EXPECT_EQ(none->calls, 1);
    EXPECT_EQ(good->calls, 1);
    EXPECT_EQ(never->calls, 0);
}

TEST(chain_provider, other_errors_end_the_search) {
    auto broken = std::make_shared<fake_provider>(make_error_code(errc::invalid_credentials_file),
                                                  credentials{}, "broken file");
    auto good = std::make_shared<fake_provider>(error_code{}, creds_of("GOOD", "good"), "");
    auto chain = make_chain_credentials_provider({broken, good});
    auto out = get(*chain);
    EXPECT_EQ(out.ec, errc::invalid_credentials_file);
    EXPECT_EQ(good->calls, 0);
    EXPECT_EQ(chain->last_error_message(), "broken file");
}

TEST(chain_provider, exhausted_chain_joins_the_messages) {
    auto a =
        std::make_shared<fake_provider>(make_error_code(errc::no_credentials), credentials{}, "alpha tried");
    auto b =
        std::make_shared<fake_provider>(make_error_code(errc::no_credentials), credentials{}, "beta tried");
    auto chain = make_chain_credentials_provider({a, b});
    auto out = get(*chain);
    EXPECT_EQ(out.ec, errc::no_credentials);
    auto message = chain->last_error_message();
    auto alpha = message.find("alpha tried");
    auto beta = message.find("beta tried");
    ASSERT_NE(alpha, std::string::npos) << message;
    ASSERT_NE(beta, std::string::npos) << message;
    EXPECT_LT(alpha, beta);
}

TEST(chain_provider, empty_chain_is_no_credentials) {
    auto chain = make_chain_credentials_provider({});
    auto out = get(*chain);
    EXPECT_EQ(out.ec, errc::no_credentials);
}

TEST(chain_provider, inline_completing_member_does_not_make_the_chain_inline) {
    auto rude = std::make_shared<fake_provider>(error_code{}, creds_of("RUDE", "rude"), "", true);
    auto chain = make_chain_credentials_provider({rude});
    auto out = get(*chain); // get() fails the test if the handler runs inline
    ASSERT_FALSE(out.ec);
    EXPECT_EQ(out.creds.access_key_id, "RUDE");
}

TEST(chain_provider, can_be_asked_again_after_completing) {
    auto none = std::make_shared<fake_provider>(make_error_code(errc::no_credentials), credentials{}, "none");
    auto good = std::make_shared<fake_provider>(error_code{}, creds_of("GOOD", "good"), "");
    auto chain = make_chain_credentials_provider({none, good});
    EXPECT_FALSE(get(*chain).ec);
    EXPECT_FALSE(get(*chain).ec);
    EXPECT_EQ(none->calls, 2);
    EXPECT_EQ(good->calls, 2);
}

} // namespace
