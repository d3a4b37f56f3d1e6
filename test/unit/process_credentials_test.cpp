// SPDX-License-Identifier: BSL-1.0
// make_process_credentials_provider against a real child process (test/programs/fake_credential_process):
// the credentials it prints, how its command line is split and how it is started (no shell, none of our
// descriptors, stdin from /dev/null), its failures, and that a child past its timeout or cancelled is
// killed and reaped. No secret it prints ever reaches a message.
#include <dynalock/credentials.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/json.hpp>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#ifndef DYNALOCK_FAKE_CREDENTIAL_PROCESS_PATH
#error "DYNALOCK_FAKE_CREDENTIAL_PROCESS_PATH must name the fake_credential_process program"
#endif

namespace {

namespace asio = boost::asio;
using namespace dynalock;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

const std::string fake = DYNALOCK_FAKE_CREDENTIAL_PROCESS_PATH;

// The fake program's path, single-quoted as a user would write it in a config file.
std::string command(std::string_view args) {
    return "'" + fake + "' " + std::string(args);
}

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

outcome get(const std::string& command_line, process_options options = {}) {
    auto provider = make_process_credentials_provider(command_line, options);
    return get(*provider);
}

// A pid file the fake program writes, unique to the test, removed at the end.
class pid_file {
public:
    pid_file() {
        const auto* info = testing::UnitTest::GetInstance()->current_test_info();
        path_ = testing::TempDir() + "dynalock_process_" + info->name() + "_" + std::to_string(::getpid());
        std::remove(path_.c_str());
    }
    ~pid_file() { std::remove(path_.c_str()); }
    const std::string& path() const { return path_; }
    bool exists() const { return std::ifstream(path_).good(); }
    pid_t pid() const {
        long pid = 0;
        std::ifstream(path_) >> pid;
        return static_cast<pid_t>(pid);
    }

private:
    std::string path_;
};

// Gone means reaped: a zombie still answers kill(pid, 0), and only we (its parent) can reap it.
bool process_gone(pid_t pid) {
    return ::kill(pid, 0) == -1 && errno == ESRCH;
}

boost::json::value secret_json(const credentials& creds) {
    boost::system::error_code ec;
    auto v = boost::json::parse(creds.secret_access_key, ec);
    EXPECT_FALSE(ec) << creds.secret_access_key;
    return v;
}

// ---- success ----

TEST(process_provider, temporary_credentials_with_token_and_expiration) {
    auto r =
        get(command(R"('print' '{"Version": 1, "AccessKeyId": "ASIAPROC", "SecretAccessKey": "SECRETPROC",
                                     "SessionToken": "TOKENPROC", "Expiration": "2031-02-03T04:05:06Z"}')"));
    ASSERT_FALSE(r.ec) << r.message;
    EXPECT_EQ(r.creds.access_key_id, "ASIAPROC");
    EXPECT_EQ(r.creds.secret_access_key, "SECRETPROC");
    EXPECT_EQ(r.creds.session_token, "TOKENPROC");
    ASSERT_TRUE(r.creds.expiration.has_value());
    using namespace std::chrono;
    EXPECT_EQ(*r.creds.expiration, sys_days{year{2031} / 2 / 3} + 4h + 5min + 6s);
    EXPECT_TRUE(r.message.empty());
}

TEST(process_provider, long_term_keys_without_token_or_expiration) {
    auto r = get(command(R"(print '{"Version":1,"AccessKeyId":"AKIAPROC","SecretAccessKey":"SECRETPROC"}')"));
    ASSERT_FALSE(r.ec) << r.message;
    EXPECT_EQ(r.creds.access_key_id, "AKIAPROC");
    EXPECT_TRUE(r.creds.session_token.empty());
    EXPECT_FALSE(r.creds.expiration.has_value());
}

TEST(process_provider, the_command_line_is_split_like_shell_words_and_nothing_is_expanded) {
    auto r = get(command(R"(argv 'a b' "c\"d\$e" f\ g '$HOME' * ';' '|' > "" x'y'"z" `id` $(id))"));
    ASSERT_FALSE(r.ec) << r.message;
    auto args = secret_json(r.creds);
    boost::json::array expected{"a b", "c\"d$e", "f g", "$HOME", "*",    ";",
                                "|",   ">",      "",    "xyz",   "`id`", "$(id)"};
    EXPECT_EQ(args, boost::json::value(expected)) << boost::json::serialize(args);
}

TEST(process_provider, started_without_a_shell_or_our_descriptors_or_signal_settings) {
    // What an application might have that a child must not inherit: a descriptor without O_CLOEXEC,
    // SIGPIPE ignored, a signal blocked in the calling thread.
    int leaked = ::open("/dev/null", O_RDONLY);
    ASSERT_GE(leaked, 0);
    auto old_pipe = ::signal(SIGPIPE, SIG_IGN);
    sigset_t block, old_mask;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    ASSERT_EQ(::pthread_sigmask(SIG_BLOCK, &block, &old_mask), 0);

    auto r = get(command("inspect"));

    ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
    ::signal(SIGPIPE, old_pipe);
    ::close(leaked);

    ASSERT_FALSE(r.ec) << r.message;
    auto info = secret_json(r.creds);
    ASSERT_TRUE(info.is_object()) << r.creds.secret_access_key;
    const auto& o = info.as_object();
    // Our own pid as the parent: no shell ran in between.
    EXPECT_EQ(o.at("ppid").to_number<long>(), static_cast<long>(::getpid()));
    EXPECT_TRUE(o.at("fds").as_array().empty()) << r.creds.secret_access_key;
    EXPECT_TRUE(o.at("stdin_is_dev_null").as_bool());
    EXPECT_TRUE(o.at("sigpipe_default").as_bool());
    EXPECT_TRUE(o.at("sigmask_empty").as_bool());
}

TEST(process_provider, can_be_asked_again) {
    auto provider = make_process_credentials_provider(command("fail 1 first"));
    auto first = get(*provider);
    EXPECT_EQ(first.ec, make_error_code(errc::credentials_process_failed));
    auto ok = make_process_credentials_provider(
        command(R"(print '{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S"}')"));
    for (int i = 0; i < 3; ++i) {
        auto r = get(*ok);
        EXPECT_FALSE(r.ec) << r.message;
        EXPECT_EQ(r.creds.access_key_id, "A");
    }
}

TEST(process_provider, concurrent_calls_on_a_thread_pool) {
    auto provider = make_process_credentials_provider(
        command(R"(print '{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S"}')"));
    asio::thread_pool pool(2);
    constexpr int calls = 8;
    std::atomic<int> ok{0}, done{0};
    for (int i = 0; i < calls; ++i)
        provider->async_get_credentials(pool.get_executor(), [&](error_code ec, credentials creds) {
            if (!ec && creds.access_key_id == "A")
                ++ok;
            ++done;
        });
    pool.join();
    EXPECT_EQ(done.load(), calls);
    EXPECT_EQ(ok.load(), calls);
}

// ---- failures ----

TEST(process_provider, non_zero_exit_reports_status_and_stderr) {
    auto r = get(command("fail 3 'the session expired: run aws-vault login\n'"));
    EXPECT_EQ(r.ec, make_error_code(errc::credentials_process_failed));
    EXPECT_EQ(r.message, "credential_process exited with status 3: the session expired: run aws-vault login");
}

TEST(process_provider, death_by_signal_is_reported) {
    auto r = get(command("signal " + std::to_string(SIGSEGV)));
    EXPECT_EQ(r.ec, make_error_code(errc::credentials_process_failed));
    EXPECT_EQ(r.message, "credential_process was killed by signal " + std::to_string(SIGSEGV) + " (SIGSEGV)");
}

TEST(process_provider, printed_secret_never_reaches_the_message_of_a_failed_run) {
    auto r =
        get(command(R"(print-exit 2 '{"Version":1,"AccessKeyId":"AKIDLEAK","SecretAccessKey":"SECRETLEAK",
                                          "SessionToken":"TOKENLEAK"}')"));
    EXPECT_EQ(r.ec, make_error_code(errc::credentials_process_failed));
    EXPECT_EQ(r.message, "credential_process exited with status 2");
    for (auto secret : {"SECRETLEAK", "TOKENLEAK"})
        EXPECT_EQ(r.message.find(secret), std::string::npos) << r.message;
}

TEST(process_provider, output_that_is_not_json_is_an_error_that_does_not_quote_it) {
    auto r = get(command("print 'SECRETLEAK is not json {'"));
    EXPECT_EQ(r.ec, make_error_code(errc::credentials_process_failed));
    EXPECT_NE(r.message.find("not JSON"), std::string::npos) << r.message;
    EXPECT_EQ(r.message.find("SECRETLEAK"), std::string::npos) << r.message;
}

TEST(process_provider, version_2_is_refused) {
    auto r = get(command(R"(print '{"Version":2,"AccessKeyId":"A","SecretAccessKey":"SECRETLEAK"}')"));
    EXPECT_EQ(r.ec, make_error_code(errc::credentials_process_failed));
    EXPECT_NE(r.message.find("Version 2"), std::string::npos) << r.message;
    EXPECT_EQ(r.message.find("SECRETLEAK"), std::string::npos) << r.message;
}

TEST(process_provider, output_without_the_secret_is_refused) {
    auto r = get(command(R"(print '{"Version":1,"AccessKeyId":"A","SessionToken":"TOKENLEAK"}')"));
    EXPECT_EQ(r.ec, make_error_code(errc::credentials_process_failed));
    EXPECT_NE(r.message.find("SecretAccessKey"), std::string::npos) << r.message;
    EXPECT_EQ(r.message.find("TOKENLEAK"), std::string::npos) << r.message;
}

TEST(process_provider, a_command_that_cannot_start_is_an_error_naming_it) {
    auto r = get("/nonexistent/dynalock-credential-helper --secret-flag");
    EXPECT_EQ(r.ec, make_error_code(errc::credentials_process_failed));
    EXPECT_NE(r.message.find("cannot run '/nonexistent/dynalock-credential-helper'"), std::string::npos)
        << r.message;
    EXPECT_NE(r.message.find("No such file"), std::string::npos) << r.message;
    EXPECT_EQ(r.message.find("--secret-flag"), std::string::npos) << r.message;
}

TEST(process_provider, empty_or_unbalanced_command_lines_are_invalid) {
    for (const std::string& line : std::vector<std::string>{"", "   ", command("print 'unterminated"),
                                                            command("print \"unterminated")}) {
        auto r = get(line);
        EXPECT_EQ(r.ec, make_error_code(errc::invalid_argument)) << line;
        EXPECT_FALSE(r.message.empty());
    }
}

TEST(process_provider, too_much_output_kills_the_command) {
    process_options options;
    options.max_output_bytes = 64 * 1024;
    auto r = get(command("flood 100000000"), options);
    EXPECT_EQ(r.ec, make_error_code(errc::credentials_process_failed));
    EXPECT_EQ(r.message, "credential_process printed more than 65536 bytes on stdout and was killed");
    EXPECT_LT(r.elapsed, 20s) << "100 MB were read instead of stopping at the limit";
}

TEST(process_provider, large_stderr_is_drained_and_cut_to_a_kibibyte) {
    auto r = get(command("stderr-flood 1000000 1")); // far more than a pipe holds: it must be drained
    EXPECT_EQ(r.ec, make_error_code(errc::credentials_process_failed));
    EXPECT_EQ(r.message, "credential_process exited with status 1: " + std::string(1024, 'e') + "...");
}

TEST(process_provider, a_grandchild_holding_the_pipes_does_not_hold_the_call) {
    pid_file grandchild;
    auto r = get(command("daemon-child '" + grandchild.path() +
                         R"(' '{"Version":1,"AccessKeyId":"A","SecretAccessKey":"S"}')"));
    if (grandchild.exists())
        ::kill(grandchild.pid(), SIGKILL);
    ASSERT_FALSE(r.ec) << r.message;
    EXPECT_EQ(r.creds.access_key_id, "A");
    EXPECT_LT(r.elapsed, 10s);
}

// ---- timeout and cancellation ----

TEST(process_provider, timeout_kills_and_reaps_the_command) {
    for (std::string mode : {"sleep", "ignore-term"}) {
        pid_file pids;
        process_options options;
        options.timeout = 300ms;
        auto r = get(command(mode + " '" + pids.path() + "'"), options);
        EXPECT_EQ(r.ec, make_error_code(errc::credentials_process_failed)) << mode;
        EXPECT_EQ(r.message, "credential_process did not finish within 300 ms and was killed") << mode;
        EXPECT_GE(r.elapsed, 300ms) << mode;
        EXPECT_LT(r.elapsed, 10s) << mode;
        ASSERT_TRUE(pids.exists()) << mode << ": the command never started";
        EXPECT_TRUE(process_gone(pids.pid())) << mode << ": pid " << pids.pid() << " still exists";
    }
}

TEST(process_provider, terminal_cancellation_kills_and_reaps_the_command) {
    pid_file pids;
    auto provider = make_process_credentials_provider(command("sleep '" + pids.path() + "'"));
    asio::io_context ioc;
    asio::cancellation_signal cancel;
    outcome out;
    const auto start = clock_type::now();
    provider->async_get_credentials(
        ioc.get_executor(),
        asio::bind_cancellation_slot(cancel.slot(), [&](error_code ec, credentials creds) {
            out.called = true;
            out.ec = ec;
            out.creds = std::move(creds);
            out.elapsed = clock_type::now() - start;
        }));
    // Cancel once the command runs (it has written its pid), polling on the io thread.
    asio::steady_timer poll(ioc);
    std::function<void()> wait_for_start = [&] {
        poll.expires_after(5ms);
        poll.async_wait([&](error_code) {
            if (out.called)
                return;
            if (pids.exists() || clock_type::now() - start > 20s)
                cancel.emit(asio::cancellation_type::terminal);
            else
                wait_for_start();
        });
    };
    wait_for_start();
    ioc.run();
    ASSERT_TRUE(out.called);
    EXPECT_EQ(out.ec, asio::error::operation_aborted) << provider->last_error_message();
    EXPECT_LT(out.elapsed, 25s);
    ASSERT_TRUE(pids.exists()) << "the command never started";
    EXPECT_TRUE(process_gone(pids.pid())) << "pid " << pids.pid() << " still exists";
}

TEST(process_provider, invalid_options_are_refused) {
    process_options options;
    options.timeout = 0ms;
    auto r = get(command("print x"), options);
    EXPECT_EQ(r.ec, make_error_code(errc::invalid_argument));
}

} // namespace
