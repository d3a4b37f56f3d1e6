// SPDX-License-Identifier: BSL-1.0
// The lock commands of the `dynalock` tool (lock, locks, lock-info), run as a real program against the
// real local servers: a command run under the lock with the lock's variables, its exit status passed
// through, -n / -w / -E when another process holds the lock, holding without a command until a signal,
// signals passed on to the command, and a lease lost while the command runs (the row is overwritten from
// the test, as another owner would) stopping the command with exit status 75.
//
// Like cli_test.cpp, the child gets a clean environment with throwaway credentials.
#include <dynalock/client.hpp>
#include <dynalock/operations.hpp>

#include "support/child_process.hpp"
#include "support/integration_helpers.hpp"
#include "support/test_servers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

// Built without the tool (DYNALOCK_BUILD_CLI=OFF) there is nothing to test, as for cli_test.cpp.
#ifdef DYNALOCK_CLI_PATH

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using namespace std::chrono_literals;
using dynalock::test::env_map;
using cli_result = dynalock::test::process_result;
using steady = std::chrono::steady_clock;

constexpr const char* cli_path = DYNALOCK_CLI_PATH;

// How long a program of these tests may take to do something it should do at once (start, print its
// token, exit after a signal): generous, since it only bounds a failure.
constexpr auto prompt = 20s;

// A command that runs until a signal ends it, but not forever: if a test fails and the tool is killed,
// the command (in its own process group) is left behind and should not outlive the run by much.
const std::string bounded_loop = "i=0; while [ $i -lt 600 ]; do sleep 0.05; i=$((i+1)); done";

env_map base_env() {
    auto env = dynalock::test::throwaway_aws_env("cli-lock-home");
    env["PATH"] = "/usr/bin:/bin"; // CMD is looked up in PATH
    return env;
}

std::string show(const cli_result& r) {
    return "exit " + std::to_string(r.status) + ", stdout '" + r.out + "', stderr '" + r.err + "'";
}

// A failure is reported on stderr as exactly one line starting with "dynalock: ".
void expect_one_error_line(const cli_result& r, std::string_view mentions = {}) {
    EXPECT_EQ(r.err.rfind("dynalock: ", 0), 0u) << r.err;
    ASSERT_FALSE(r.err.empty());
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "not exactly one line: " << r.err;
    if (!mentions.empty()) {
        EXPECT_NE(r.err.find(mentions), std::string::npos) << "'" << mentions << "' not in: " << r.err;
    }
}

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        lines.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return lines;
}

std::vector<json::object> json_lines(const std::string& text) {
    std::vector<json::object> objects;
    for (const auto& line : lines_of(text))
        objects.push_back(json::parse(line).as_object());
    return objects;
}

std::int64_t to_int(const std::string& text) {
    EXPECT_FALSE(text.empty());
    EXPECT_EQ(text.find_first_not_of("0123456789"), std::string::npos) << "not a number: '" << text << "'";
    return text.empty() || text.find_first_not_of("0123456789") != std::string::npos ? -1 : std::stoll(text);
}

// A loopback port nothing listens on (inside the test's private network namespace nobody takes it).
std::uint16_t unused_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    ::close(fd);
    return ntohs(addr.sin_port);
}

std::string unique_table() {
    static std::atomic<int> counter{0};
    return "cli-lock-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

cli_result run_cli(const std::vector<std::string>& args) {
    return dynalock::test::run_program(cli_path, args, {}, base_env());
}

// Every line `fd` still gives until end of file (or the deadline), then closes it.
std::vector<std::string> rest_of(int fd) {
    std::vector<std::string> lines;
    while (auto line = dynalock::test::read_line(fd, prompt))
        lines.push_back(std::move(*line));
    ::close(fd);
    return lines;
}

// Polls `condition` until it holds or `timeout` passes.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout) {
    const auto deadline = steady::now() + timeout;
    while (!condition()) {
        if (steady::now() > deadline)
            return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

class cli_lock_test : public dynalock::test::server_test {
protected:
    void SetUp() override {
        server_test::SetUp();
        if (IsSkipped() || HasFailure())
            return;
        table_ = unique_table();
        auto r = cli({"create-table"});
        ASSERT_EQ(r.status, 0) << show(r);
    }

    void TearDown() override {
        for (pid_t pid : spawned_)
            dynalock::test::wait_for_exit(pid, 0ms); // kills what a failed test left running
    }

    std::vector<std::string> with_target(std::vector<std::string> args) const {
        args.insert(args.begin(), {"--endpoint", server().endpoint, "--table", table_});
        return args;
    }

    // `dynalock --endpoint <server> --table <table of this test> args...`
    cli_result cli(std::vector<std::string> args) { return run_cli(with_target(std::move(args))); }

    // Starts the tool and returns at once; its stderr is the test's.
    dynalock::test::spawned_program spawn_cli(std::vector<std::string> args) {
        auto child = dynalock::test::spawn_program(cli_path, with_target(std::move(args)), base_env());
        if (child.pid > 0)
            spawned_.push_back(child.pid);
        return child;
    }

    std::optional<int> wait_for(const dynalock::test::spawned_program& child,
                                std::chrono::milliseconds timeout = prompt) {
        auto status = dynalock::test::wait_for_exit(child.pid, timeout);
        std::erase(spawned_, child.pid);
        return status;
    }

    // A process that holds `key` (lock without a command) and its fencing token.
    struct holding_program {
        dynalock::test::spawned_program program;
        std::int64_t token = -1;
    };
    holding_program start_holder(const std::string& key, std::vector<std::string> options = {}) {
        std::vector<std::string> args{"lock", key};
        args.insert(args.end(), options.begin(), options.end());
        holding_program h{spawn_cli(args)};
        if (h.program.pid < 0)
            return h;
        auto line = dynalock::test::read_line(h.program.out_fd, prompt);
        EXPECT_TRUE(line.has_value()) << "the holder printed no token";
        if (line)
            h.token = to_int(*line);
        return h;
    }

    // Stops a holder with `signo` and returns its exit status.
    std::optional<int> stop(holding_program& h, int signo = SIGTERM) {
        ::kill(h.program.pid, signo);
        auto status = wait_for(h.program);
        ::close(h.program.out_fd);
        return status;
    }

    // The lock's row as `lock-info -o json` shows it; empty when the command failed.
    json::object lock_info(const std::string& key) {
        auto r = cli({"-o", "json", "lock-info", key});
        EXPECT_EQ(r.status, 0) << show(r);
        auto objects = r.status == 0 ? json_lines(r.out) : std::vector<json::object>{};
        EXPECT_EQ(objects.size(), 1u) << r.out;
        return objects.empty() ? json::object() : objects.front();
    }

    bool is_released(const std::string& key) {
        auto info = lock_info(key);
        return info.contains("released") && info.at("released") == true;
    }

    // What another owner's acquisition does to the row: a new owner and lease id, written behind the
    // holder's back (the way a process that took over an expired lease would).
    void steal(const std::string& key) {
        dynalock::test::run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
            dynalock::client db(ioc, dynalock::test::local_client_options(server().endpoint));
            dynalock::update_item_request overwrite;
            overwrite.table_name = table_;
            overwrite.key.append("id", dynalock::attribute_value::string("default"));
            overwrite.key.append("name", dynalock::attribute_value::string(key));
            overwrite.update_expression = "SET #owner = :owner, #lid = :lid";
            overwrite.expression_attribute_names = {{"#owner", "owner"}, {"#lid", "lease_id"}};
            overwrite.expression_attribute_values.append(":owner",
                                                         dynalock::attribute_value::string("thief"));
            overwrite.expression_attribute_values.append(":lid",
                                                         dynalock::attribute_value::string("stolen-lease"));
            auto [ec, response] =
                co_await db.async_update_item(std::move(overwrite), asio::as_tuple(asio::deferred));
            (void)response;
            db.shutdown();
            dynalock::test::require(!ec, "overwriting the lock row: " + ec.message());
        });
    }

    std::string table_;
    std::vector<pid_t> spawned_;
};

// ------------------------------------------------------------------------------------------------
// Without a server

TEST(cli_lock_program, help_lists_the_lock_commands_and_options) {
    auto general = run_cli({"--help"});
    EXPECT_EQ(general.status, 0) << show(general);
    for (std::string_view text : {"lock KEY [-- CMD [ARGS...]]", "locks [PREFIX]", "lock-info KEY"})
        EXPECT_NE(general.out.find(text), std::string::npos) << text;

    auto of_lock = run_cli({"lock", "--help"});
    EXPECT_EQ(of_lock.status, 0) << show(of_lock);
    for (std::string_view option :
         {"--lease", "--heartbeat", "-n, --nonblock", "-w, --wait", "-E, --conflict-exit-code",
          "--kill-grace", "--data", "[-- CMD [ARGS...]]", "DYNALOCK_TOKEN"})
        EXPECT_NE(of_lock.out.find(option), std::string::npos) << option;
}

// Bad command lines exit 64 before any server is contacted (reaching the endpoint would be exit 69), and
// the command is never run.
TEST(cli_lock_program, bad_usage_exits_64_without_running_the_command) {
    const std::string nowhere = "http://127.0.0.1:" + std::to_string(unused_port());
    const auto marker = dynalock::test::test_run_dir() / "cli-lock-bad-usage-ran";
    const std::vector<std::string> cmd{"--", "/bin/sh", "-c", "touch " + marker.string()};
    struct usage_case {
        std::vector<std::string> args;
        std::string_view mentions;
        bool with_command = true; // append `-- CMD`
    };
    const std::vector<usage_case> cases = {
        {{"lock"}, "missing argument", false},
        {{"lock", "k", "extra"}, "too many arguments"},
        {{"lock", "k", "--"}, "missing command after '--'", false},
        {{"lock", "k", "--lease", "x"}, "invalid --lease 'x'"},
        {{"lock", "k", "--lease", "0"}, "invalid --lease '0'"},
        {{"lock", "k", "--heartbeat", "often"}, "invalid --heartbeat"},
        {{"lock", "k", "-w"}, "needs a value", false},
        {{"lock", "k", "-w", "0"}, "invalid --wait '0'"},
        {{"lock", "k", "-n", "-w", "1s"}, "cannot be used together"},
        {{"lock", "k", "-E", "256"}, "invalid --conflict-exit-code '256'"},
        {{"lock", "k", "--conflict-exit-code", "-1"}, "--conflict-exit-code"},
        {{"lock", "k", "--kill-grace", "soon"}, "invalid --kill-grace"},
        {{"lock", "k", "--bogus"}, "unknown option '--bogus'"},
        // Refused by the lock's own validation, still before anything is sent.
        {{"lock", "k", "--lease", "50ms"}, "lease"},
        {{"lock", "k", "--lease", "1s", "--heartbeat", "900ms"}, "heartbeat"},
        {{"lock", "--", ""}, "empty", false},
        {{"locks", "a", "b"}, "too many arguments", false},
        {{"lock-info"}, "missing argument", false},
    };
    for (auto [args, mentions, with_command] : cases) {
        if (with_command)
            args.insert(args.end(), cmd.begin(), cmd.end());
        args.insert(args.begin(), {"--endpoint", nowhere, "--table", "cli-lock-nowhere"});
        auto r = run_cli(args);
        std::string joined;
        for (const auto& a : args)
            joined += a + ' ';
        EXPECT_EQ(r.status, 64) << joined << ": " << show(r);
        EXPECT_TRUE(r.out.empty()) << joined << ": " << r.out;
        expect_one_error_line(r, mentions);
    }
    EXPECT_FALSE(std::filesystem::exists(marker)) << "a command ran despite a usage error";
}

TEST(cli_lock_program, unreachable_endpoint_exits_69_without_running_the_command) {
    const std::string nowhere = "http://127.0.0.1:" + std::to_string(unused_port());
    const auto marker = dynalock::test::test_run_dir() / "cli-lock-unreachable-ran";
    const std::string touch = "touch " + marker.string();
    for (std::vector<std::string> args : {std::vector<std::string>{"lock", "k", "--", "/bin/sh", "-c", touch},
                                          {"lock", "-n", "k", "--", "/bin/sh", "-c", touch},
                                          {"lock", "k"},
                                          {"locks"},
                                          {"lock-info", "k"}}) {
        args.insert(args.begin(), {"--endpoint", nowhere, "--table", "cli-lock-nowhere", "--timeout", "2s"});
        auto r = run_cli(args);
        EXPECT_EQ(r.status, 69) << args[6] << ": " << show(r);
        EXPECT_TRUE(r.out.empty()) << r.out;
        expect_one_error_line(r, "127.0.0.1");
    }
    EXPECT_FALSE(std::filesystem::exists(marker)) << "the command ran without the lock";
}

// ------------------------------------------------------------------------------------------------
// A command under the lock

TEST_P(cli_lock_test, command_gets_key_token_and_owner_and_the_lock_is_released_after) {
    auto r = cli({"lock", "jobs/nightly", "--", "/bin/sh", "-c",
                  R"(printf '%s|%s|%s\n' "$DYNALOCK_KEY" "$DYNALOCK_TOKEN" "$DYNALOCK_OWNER")"});
    ASSERT_EQ(r.status, 0) << show(r);
    EXPECT_TRUE(r.err.empty()) << r.err;
    const auto fields = lines_of(r.out);
    ASSERT_EQ(fields.size(), 1u) << r.out;
    const auto first = fields[0].find('|');
    const auto second = fields[0].find('|', first + 1);
    ASSERT_NE(second, std::string::npos) << r.out;
    EXPECT_EQ(fields[0].substr(0, first), "jobs/nightly");
    const auto token = to_int(fields[0].substr(first + 1, second - first - 1));
    EXPECT_GT(token, 0);
    const auto owner = fields[0].substr(second + 1);
    EXPECT_FALSE(owner.empty());

    auto info = lock_info("jobs/nightly");
    EXPECT_EQ(info.at("released"), true) << json::serialize(info);
    EXPECT_EQ(info.at("owner"), owner.c_str()) << json::serialize(info);
    EXPECT_GE(info.at("token").to_number<std::int64_t>(), token) << json::serialize(info);
}

TEST_P(cli_lock_test, command_exit_status_and_signal_death_are_passed_through) {
    const std::vector<std::pair<std::string, int>> cases = {
        {"exit 0", 0},
        {"exit 3", 3},
        {"exit 255", 255},
        {"kill -KILL $$", 128 + SIGKILL},
        {"kill -TERM $$", 128 + SIGTERM},
    };
    for (const auto& [script, status] : cases) {
        auto r = cli({"lock", "k", "--", "/bin/sh", "-c", script});
        EXPECT_EQ(r.status, status) << script << ": " << show(r);
        EXPECT_TRUE(r.err.empty()) << script << ": " << r.err;
        EXPECT_TRUE(is_released("k")) << script;
    }
}

TEST_P(cli_lock_test, tokens_increase_across_runs) {
    std::int64_t previous = 0;
    for (int run = 0; run < 4; ++run) {
        auto r = cli({"lock", "counter", "--", "/bin/sh", "-c", R"(echo "$DYNALOCK_TOKEN")"});
        ASSERT_EQ(r.status, 0) << show(r);
        const auto token = to_int(lines_of(r.out).at(0));
        EXPECT_GT(token, previous) << "run " << run;
        previous = token;
    }
    auto holder = start_holder("counter");
    EXPECT_GT(holder.token, previous) << "a holder without a command gets a newer token too";
    EXPECT_EQ(stop(holder), 0);
}

TEST_P(cli_lock_test, missing_program_exits_127_and_releases_the_lock) {
    auto r = cli({"lock", "k", "--", "/nonexistent/program", "arg"});
    EXPECT_EQ(r.status, 127) << show(r);
    expect_one_error_line(r, "/nonexistent/program");
    EXPECT_TRUE(is_released("k"));
}

// CMD inherits what the tool inherited (here: what the test gives any program), not the tool's own
// descriptors such as its connections to DynamoDB.
TEST_P(cli_lock_test, command_inherits_no_descriptor_of_the_tool) {
    auto direct = dynalock::test::run_program("/bin/ls", {"/proc/self/fd"}, {}, base_env());
    ASSERT_EQ(direct.status, 0) << show(direct);
    // While CMD runs, the tool holds the lock and a connection to the server.
    auto r = cli({"lock", "k", "--", "/bin/ls", "/proc/self/fd"});
    ASSERT_EQ(r.status, 0) << show(r);
    EXPECT_EQ(r.out, direct.out);
}

// Arguments after `--` reach the command as they are, options and a second `--` included.
TEST_P(cli_lock_test, arguments_after_double_dash_belong_to_the_command) {
    auto r =
        cli({"lock", "k", "--", "/bin/sh", "-c", R"(printf '[%s]' "$@")", "sh", "--help", "-n", "--", "x"});
    EXPECT_EQ(r.status, 0) << show(r);
    EXPECT_EQ(r.out, "[--help][-n][--][x]");
}

TEST_P(cli_lock_test, data_is_stored_with_the_lock_like_a_value) {
    auto r = cli({"lock", "k", "--data", "deploy 42", "--", "/bin/true"});
    ASSERT_EQ(r.status, 0) << show(r);
    EXPECT_EQ(cli({"get", "k"}).out, "deploy 42");
    auto info = lock_info("k");
    EXPECT_EQ(info.at("data"), "deploy 42") << json::serialize(info);
    EXPECT_EQ(info.at("encoding"), "text") << json::serialize(info);
    auto text = cli({"lock-info", "k"});
    EXPECT_NE(text.out.find("data: deploy 42\n"), std::string::npos) << text.out;
}

// ------------------------------------------------------------------------------------------------
// Held by another process

TEST_P(cli_lock_test, nonblock_when_held_exits_1_without_running_the_command) {
    auto holder = start_holder("k");
    ASSERT_GT(holder.token, 0);
    auto r = cli({"lock", "-n", "k", "--", "/bin/sh", "-c", "echo ran"});
    EXPECT_EQ(r.status, 1) << show(r);
    EXPECT_TRUE(r.out.empty()) << "the command ran: " << r.out;
    expect_one_error_line(r, "not acquired");

    auto without_command = cli({"lock", "--nonblock", "k"});
    EXPECT_EQ(without_command.status, 1) << show(without_command);
    EXPECT_TRUE(without_command.out.empty()) << "printed a token: " << without_command.out;

    EXPECT_EQ(stop(holder), 0);
    // Released: the next try gets it.
    auto after = cli({"lock", "-n", "k", "--", "/bin/sh", "-c", "echo ran"});
    EXPECT_EQ(after.status, 0) << show(after);
    EXPECT_EQ(after.out, "ran\n");
}

TEST_P(cli_lock_test, conflict_exit_code_replaces_1) {
    auto holder = start_holder("k");
    ASSERT_GT(holder.token, 0);
    auto r = cli({"lock", "-n", "-E", "7", "k", "--", "/bin/true"});
    EXPECT_EQ(r.status, 7) << show(r);
    auto waited =
        cli({"lock", "--wait", "100ms", "--conflict-exit-code", "0", "k", "--", "/bin/sh", "-c", "echo ran"});
    EXPECT_EQ(waited.status, 0) << show(waited);
    EXPECT_TRUE(waited.out.empty()) << "the command ran: " << waited.out;
    EXPECT_EQ(stop(holder), 0);
}

TEST_P(cli_lock_test, wait_when_held_exits_1_after_about_that_long) {
    auto holder = start_holder("k");
    ASSERT_GT(holder.token, 0);
    const auto start = steady::now();
    auto r = cli({"lock", "-w", "300ms", "k", "--", "/bin/sh", "-c", "echo ran"});
    const auto elapsed = steady::now() - start;
    EXPECT_EQ(r.status, 1) << show(r);
    EXPECT_TRUE(r.out.empty()) << "the command ran: " << r.out;
    expect_one_error_line(r, "not acquired");
    EXPECT_GE(elapsed, 300ms);
    EXPECT_LT(elapsed, 10s);
    // The waiter left nothing behind: the holder still holds, nobody is marked as next.
    auto info = lock_info("k");
    EXPECT_EQ(info.at("released"), false) << json::serialize(info);
    EXPECT_TRUE(info.at("waiter").is_null()) << json::serialize(info);
    EXPECT_EQ(stop(holder), 0);
}

TEST_P(cli_lock_test, waiter_gets_the_lock_when_the_holder_releases) {
    auto holder = start_holder("k");
    ASSERT_GT(holder.token, 0);
    auto waiter = spawn_cli({"lock", "k", "--", "/bin/sh", "-c", R"(echo "$DYNALOCK_TOKEN")"});
    // It marks itself in the row as next in line while it waits.
    EXPECT_TRUE(eventually([&] { return !lock_info("k").at("waiter").is_null(); }, prompt));
    EXPECT_EQ(stop(holder), 0);
    EXPECT_EQ(wait_for(waiter), 0);
    const auto lines = rest_of(waiter.out_fd);
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_GT(to_int(lines[0]), holder.token);
}

TEST_P(cli_lock_test, interrupt_while_waiting_exits_128_plus_signal_and_leaves_the_holder_alone) {
    auto holder = start_holder("k");
    ASSERT_GT(holder.token, 0);
    auto waiter = spawn_cli({"lock", "k", "--", "/bin/sh", "-c", "echo ran"});
    ASSERT_TRUE(eventually([&] { return !lock_info("k").at("waiter").is_null(); }, prompt));
    ::kill(waiter.pid, SIGINT);
    EXPECT_EQ(wait_for(waiter), 128 + SIGINT);
    EXPECT_TRUE(rest_of(waiter.out_fd).empty()) << "the command ran";
    auto info = lock_info("k");
    EXPECT_EQ(info.at("released"), false) << json::serialize(info);
    EXPECT_TRUE(info.at("waiter").is_null())
        << "the waiter mark was not withdrawn: " << json::serialize(info);
    EXPECT_EQ(stop(holder), 0);
}

// ------------------------------------------------------------------------------------------------
// Holding without a command

TEST_P(cli_lock_test, without_command_prints_the_token_and_releases_on_sigterm_or_sigint) {
    for (int signo : {SIGTERM, SIGINT}) {
        auto holder = start_holder("k");
        ASSERT_GT(holder.token, 0);
        auto info = lock_info("k");
        EXPECT_EQ(info.at("released"), false) << json::serialize(info);
        EXPECT_GE(info.at("token").to_number<std::int64_t>(), holder.token);
        ::kill(holder.program.pid, signo);
        EXPECT_EQ(wait_for(holder.program), 0) << "signal " << signo;
        EXPECT_TRUE(rest_of(holder.program.out_fd).empty()) << "nothing after the token";
        EXPECT_TRUE(is_released("k")) << "signal " << signo;
    }
}

TEST_P(cli_lock_test, without_command_json_output_has_key_token_and_owner) {
    auto program = spawn_cli({"-o", "json", "lock", "k"});
    auto line = dynalock::test::read_line(program.out_fd, prompt);
    ASSERT_TRUE(line.has_value());
    auto o = json::parse(*line).as_object();
    EXPECT_EQ(o.at("key"), "k");
    EXPECT_GT(o.at("token").to_number<std::int64_t>(), 0);
    EXPECT_EQ(lock_info("k").at("owner"), o.at("owner"));
    ::kill(program.pid, SIGTERM);
    EXPECT_EQ(wait_for(program), 0);
    ::close(program.out_fd);
}

TEST_P(cli_lock_test, without_command_lost_lease_exits_75) {
    auto holder = start_holder("k", {"--lease", "1s", "--heartbeat", "100ms"});
    ASSERT_GT(holder.token, 0);
    steal("k");
    EXPECT_EQ(wait_for(holder.program), 75);
    ::close(holder.program.out_fd);
    auto info = lock_info("k");
    EXPECT_EQ(info.at("owner"), "thief")
        << "the release touched another owner's lock: " << json::serialize(info);
    EXPECT_EQ(info.at("released"), false) << json::serialize(info);
}

// ------------------------------------------------------------------------------------------------
// Signals and a lost lease while the command runs

TEST_P(cli_lock_test, sigterm_is_passed_on_to_the_command_whose_status_is_the_exit_status) {
    auto program = spawn_cli({"lock", "k", "--", "/bin/sh", "-c",
                              "trap 'echo got-term; exit 42' TERM; echo ready; " + bounded_loop});
    ASSERT_EQ(dynalock::test::read_line(program.out_fd, prompt), "ready");
    ::kill(program.pid, SIGTERM);
    EXPECT_EQ(wait_for(program), 42);
    EXPECT_EQ(rest_of(program.out_fd), std::vector<std::string>{"got-term"});
    EXPECT_TRUE(is_released("k"));
}

TEST_P(cli_lock_test, command_killed_by_a_passed_on_signal_exits_128_plus_it) {
    for (int signo : {SIGINT, SIGHUP, SIGTERM}) {
        auto program = spawn_cli({"lock", "k", "--", "/bin/sh", "-c", "echo ready; exec sleep 30"});
        ASSERT_EQ(dynalock::test::read_line(program.out_fd, prompt), "ready");
        ::kill(program.pid, signo);
        EXPECT_EQ(wait_for(program), 128 + signo) << "signal " << signo;
        ::close(program.out_fd);
        EXPECT_TRUE(is_released("k")) << "signal " << signo;
    }
}

TEST_P(cli_lock_test, lease_lost_while_the_command_runs_stops_it_and_exits_75) {
    auto program = spawn_cli({"lock", "k", "--lease", "1s", "--heartbeat", "100ms", "--", "/bin/sh", "-c",
                              R"(echo "$$"; exec sleep 30)"});
    const auto child_line = dynalock::test::read_line(program.out_fd, prompt);
    ASSERT_TRUE(child_line.has_value());
    const auto child = static_cast<pid_t>(to_int(*child_line));
    ASSERT_GT(child, 0);
    steal("k");
    EXPECT_EQ(wait_for(program), 75);
    ::close(program.out_fd);
    EXPECT_EQ(::kill(child, 0), -1) << "the command still runs";
    EXPECT_EQ(errno, ESRCH);
    auto info = lock_info("k");
    EXPECT_EQ(info.at("owner"), "thief")
        << "the release touched another owner's lock: " << json::serialize(info);
}

// A command that ignores SIGTERM is killed once the grace period is over (without SIGKILL the tool would
// wait for it forever, and wait_for would time out).
TEST_P(cli_lock_test, command_that_ignores_sigterm_is_killed_after_the_grace_period) {
    auto program = spawn_cli({"lock", "k", "--lease", "1s", "--heartbeat", "100ms", "--kill-grace", "300ms",
                              "--", "/bin/sh", "-c", "trap '' TERM; echo ready; " + bounded_loop});
    ASSERT_EQ(dynalock::test::read_line(program.out_fd, prompt), "ready");
    steal("k");
    EXPECT_EQ(wait_for(program), 75);
    ::close(program.out_fd);
}

// ------------------------------------------------------------------------------------------------
// locks and lock-info

TEST_P(cli_lock_test, locks_lists_each_lock_in_text_and_json) {
    for (const std::string key : {"a/1", "a/2", "b/1"}) {
        auto r = cli({"lock", key, "--lease", "5s", "--data", "for " + key, "--", "/bin/true"});
        ASSERT_EQ(r.status, 0) << show(r);
    }
    ASSERT_EQ(cli({"put", "a/plain", "not a lock"}).status, 0);
    auto holder = start_holder("a/3");
    ASSERT_GT(holder.token, 0);

    auto json_out = cli({"-o", "json", "locks", "a/"});
    ASSERT_EQ(json_out.status, 0) << show(json_out);
    const auto objects = json_lines(json_out.out);
    ASSERT_EQ(objects.size(), 3u) << json_out.out;
    const std::vector<std::string> keys{"a/1", "a/2", "a/3"};
    for (std::size_t i = 0; i < objects.size(); ++i) {
        const auto& o = objects[i];
        EXPECT_EQ(o.at("key"), keys[i].c_str()) << json::serialize(o);
        EXPECT_FALSE(o.at("owner").as_string().empty()) << json::serialize(o);
        EXPECT_GT(o.at("token").to_number<std::int64_t>(), 0) << json::serialize(o);
        EXPECT_EQ(o.at("released"), i < 2) << json::serialize(o);
        EXPECT_EQ(o.at("lease_ms"), i < 2 ? 5000 : 20000) << json::serialize(o);
    }
    EXPECT_EQ(objects[0].at("data"), "for a/1");
    EXPECT_TRUE(objects[2].at("data").is_null());

    auto text = cli({"locks", "a/"});
    ASSERT_EQ(text.status, 0) << show(text);
    const auto rows = lines_of(text.out);
    ASSERT_EQ(rows.size(), 4u) << text.out;
    for (std::string_view column : {"KEY", "OWNER", "TOKEN", "RELEASED", "LEASE"})
        EXPECT_NE(rows[0].find(column), std::string::npos) << rows[0];
    EXPECT_EQ(rows[1].rfind("a/1 ", 0), 0u) << rows[1];
    EXPECT_NE(rows[1].find(" yes "), std::string::npos) << rows[1];
    EXPECT_NE(rows[1].find(" 5s"), std::string::npos) << rows[1];
    EXPECT_EQ(rows[3].rfind("a/3 ", 0), 0u) << rows[3];
    EXPECT_NE(rows[3].find(" no "), std::string::npos) << rows[3];
    EXPECT_NE(rows[3].find(objects[2].at("owner").as_string().c_str()), std::string::npos) << rows[3];

    auto all = cli({"-o", "json", "locks"});
    EXPECT_EQ(json_lines(all.out).size(), 4u) << all.out;
    EXPECT_EQ(stop(holder), 0);
}

TEST_P(cli_lock_test, locks_of_an_empty_partition_print_nothing) {
    for (const std::string format : {"text", "json"}) {
        auto r = cli({"--partition", "no-locks-here", "-o", format, "locks"});
        EXPECT_EQ(r.status, 0) << show(r);
        EXPECT_TRUE(r.out.empty()) << r.out;
        EXPECT_TRUE(r.err.empty()) << r.err;
    }
}

TEST_P(cli_lock_test, lock_info_shows_the_row_in_text_and_json) {
    auto holder = start_holder("k", {"--lease", "3s"});
    ASSERT_GT(holder.token, 0);
    auto info = lock_info("k");
    EXPECT_EQ(info.at("key"), "k");
    EXPECT_EQ(info.at("released"), false);
    EXPECT_EQ(info.at("lease_ms"), 3000);
    EXPECT_FALSE(info.at("lease_id").as_string().empty());
    EXPECT_GT(info.at("version").to_number<std::int64_t>(), 0);

    auto text = cli({"lock-info", "k"});
    ASSERT_EQ(text.status, 0) << show(text);
    const std::vector<std::string> expected_lines{
        "key: k", "owner: " + std::string(info.at("owner").as_string()), "released: no", "lease: 3s",
        "lease_id: " + std::string(info.at("lease_id").as_string())};
    for (const auto& line : expected_lines)
        EXPECT_NE(text.out.find(line + "\n"), std::string::npos) << line << " not in: " << text.out;
    EXPECT_EQ(stop(holder), 0);
}

TEST_P(cli_lock_test, lock_info_of_a_missing_lock_exits_1) {
    auto r = cli({"lock-info", "never-locked"});
    EXPECT_EQ(r.status, 1) << show(r);
    EXPECT_TRUE(r.out.empty()) << r.out;
    expect_one_error_line(r, "'never-locked' not found");
}

TEST_P(cli_lock_test, partitions_keep_locks_apart) {
    auto holder = start_holder("k");
    ASSERT_GT(holder.token, 0);
    auto other = cli({"--partition", "other", "lock", "-n", "k", "--", "/bin/true"});
    EXPECT_EQ(other.status, 0) << show(other);
    EXPECT_EQ(stop(holder), 0);
}

DYNALOCK_INSTANTIATE_OVER_PLAIN_SERVERS(cli_lock_test);

} // namespace

#endif // DYNALOCK_CLI_PATH
