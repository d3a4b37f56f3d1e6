// SPDX-License-Identifier: BSL-1.0
// The `dynalock` command-line tool, run as a real program (posix_spawn) against the real local servers:
// every command, every exit status, values from arguments and stdin, binary values, --output json, --ttl,
// --if-absent and --if-version. Faults the servers cannot produce (access denied, server errors, a lost
// reply) come from the scripted fault peer.
//
// The child gets a clean environment with throwaway credentials and no shared config files, so nothing
// of the developer's AWS setup is ever used; every run checks that the secret never reaches stderr.
#include <dynalock/config.hpp>

#include "support/child_process.hpp"
#include "support/test_servers.hpp"
#include "unit/fault_peer.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <openssl/evp.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#ifndef DYNALOCK_CLI_PATH
// Built without the tool (DYNALOCK_BUILD_CLI=OFF): every test below fails, saying so.
#define DYNALOCK_CLI_PATH ""
#endif

namespace {

using dynalock::test::server_kind;
namespace json = boost::json;

constexpr const char* cli_path = DYNALOCK_CLI_PATH;
constexpr std::string_view test_secret = "cli-test-secret-key-never-printed";

using cli_result = dynalock::test::process_result;
using dynalock::test::env_map;

// Throwaway credentials and a home without ~/.aws: the developer's own setup is never read.
env_map base_env() {
    const auto home = dynalock::test::test_run_dir() / "cli-home";
    std::filesystem::create_directories(home);
    return {
        {"HOME", home.string()},
        {"AWS_ACCESS_KEY_ID", "AKIDCLITEST"},
        {"AWS_SECRET_ACCESS_KEY", std::string(test_secret)},
        {"AWS_REGION", "us-east-1"},
        {"AWS_CONFIG_FILE", (home / "no-config").string()},
        {"AWS_SHARED_CREDENTIALS_FILE", (home / "no-credentials").string()},
        {"AWS_EC2_METADATA_DISABLED", "true"},
    };
}

// Runs the tool with `args`, feeding `input` to its stdin; stdout goes to a pipe, or to `stdout_file`.
cli_result run_cli(const std::vector<std::string>& args, std::string_view input = {},
                   const env_map& env = base_env(), const char* stdout_file = nullptr) {
    auto result = dynalock::test::run_program(cli_path, args, input, env, stdout_file);
    EXPECT_EQ(result.err.find(test_secret), std::string::npos)
        << "the secret key reached stderr: " << result.err;
    EXPECT_EQ(result.out.find(test_secret), std::string::npos) << "the secret key reached stdout";
    return result;
}

// A failure is reported on stderr as exactly one line starting with "dynalock: ".
void expect_one_error_line(const cli_result& r, std::string_view mentions = {}) {
    EXPECT_EQ(r.err.rfind("dynalock: ", 0), 0u) << r.err;
    ASSERT_FALSE(r.err.empty());
    EXPECT_EQ(r.err.back(), '\n') << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "more than one line: " << r.err;
    if (!mentions.empty()) {
        EXPECT_NE(r.err.find(mentions), std::string::npos) << "'" << mentions << "' not in: " << r.err;
    }
}

std::string show(const cli_result& r) {
    return "exit " + std::to_string(r.status) + ", stdout '" + r.out + "', stderr '" + r.err + "'";
}

// Standard base64 by OpenSSL: an oracle independent of the tool's encoder.
std::string openssl_base64(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    const int n =
        EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                        reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

// Each line of `text` parsed as JSON.
std::vector<json::object> json_lines(const std::string& text) {
    std::vector<json::object> objects;
    std::size_t start = 0;
    while (start < text.size()) {
        const auto end = text.find('\n', start);
        EXPECT_NE(end, std::string::npos) << "the last JSON line has no newline: " << text;
        const auto line = std::string_view(text).substr(start, end - start);
        objects.push_back(json::parse(line).as_object());
        start = end == std::string::npos ? text.size() : end + 1;
    }
    return objects;
}

json::object json_line(const cli_result& r) {
    auto lines = json_lines(r.out);
    EXPECT_EQ(lines.size(), 1u) << r.out;
    return lines.empty() ? json::object() : lines.front();
}

std::int64_t now_seconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

// A loopback port nothing listens on (inside the test's private network namespace nobody takes it).
std::uint16_t unused_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    ::close(fd);
    return ntohs(addr.sin_port);
}

std::string unique_table() {
    static std::atomic<int> counter{0};
    return "cli-" + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

class cli_test : public dynalock::test::server_test {
protected:
    void SetUp() override {
        server_test::SetUp();
        if (IsSkipped() || HasFailure())
            return;
        table_ = unique_table();
    }

    // `dynalock --endpoint <server> --table <table of this test> args...`
    cli_result cli(std::vector<std::string> args, std::string_view input = {},
                   const env_map& env = base_env()) {
        std::vector<std::string> full{"--endpoint", server().endpoint, "--table", table_};
        full.insert(full.end(), args.begin(), args.end());
        return run_cli(full, input, env);
    }

    void create_table() {
        auto r = cli({"create-table"});
        ASSERT_EQ(r.status, 0) << show(r);
    }

    // Writes a value and returns the version the tool reports.
    std::int64_t put(const std::string& key, const std::string& value) {
        auto r = cli({"-o", "json", "put", key, value});
        EXPECT_EQ(r.status, 0) << show(r);
        auto o = json_line(r);
        return o.contains("version") ? o.at("version").to_number<std::int64_t>() : -1;
    }

    std::string table_;
};

// ------------------------------------------------------------------------------------------------
// The program itself

TEST(cli_program, binary_is_built_and_executable) {
    ASSERT_NE(*cli_path, '\0') << "integration_tests was built without the dynalock program";
    EXPECT_EQ(::access(cli_path, X_OK), 0) << cli_path << ": " << std::strerror(errno);
}

TEST(cli_program, help_lists_every_command_and_exits_0) {
    auto r = run_cli({"--help"});
    EXPECT_EQ(r.status, 0) << show(r);
    for (std::string_view command : {"create-table", "put", "get", "exists", "ls", "rm"})
        EXPECT_NE(r.out.find(command), std::string::npos) << command;
    for (std::string_view option : {"--endpoint", "--region", "--table", "--partition", "--output"})
        EXPECT_NE(r.out.find(option), std::string::npos) << option;
    EXPECT_TRUE(r.err.empty()) << r.err;

    auto of_put = run_cli({"put", "--help"});
    EXPECT_EQ(of_put.status, 0) << show(of_put);
    for (std::string_view option : {"--ttl", "--if-absent", "--if-version"})
        EXPECT_NE(of_put.out.find(option), std::string::npos) << option;

    auto help_command = run_cli({"help", "ls"});
    EXPECT_EQ(help_command.status, 0) << show(help_command);
    EXPECT_NE(help_command.out.find("--limit"), std::string::npos) << help_command.out;
}

TEST(cli_program, version_prints_the_library_version) {
    auto r = run_cli({"--version"});
    EXPECT_EQ(r.status, 0) << show(r);
    const std::string expected = "dynalock " + std::to_string(DYNALOCK_VERSION_MAJOR) + "." +
                                 std::to_string(DYNALOCK_VERSION_MINOR) + "." +
                                 std::to_string(DYNALOCK_VERSION_PATCH) + "\n";
    EXPECT_EQ(r.out, expected);
}

// Bad command lines exit 64 with one line on stderr, before any server is contacted (the endpoint
// below does not exist, so reaching it would be exit 69).
TEST(cli_program, bad_usage_exits_64) {
    const std::string nowhere = "http://127.0.0.1:" + std::to_string(unused_port());
    const std::vector<std::pair<std::vector<std::string>, std::string_view>> cases = {
        {{}, "no command"},
        {{"frobnicate"}, "unknown command 'frobnicate'"},
        {{"get"}, "missing argument"},
        {{"get", "a", "b"}, "too many arguments"},
        {{"rm"}, "missing argument"},
        {{"get", "k", "--bogus"}, "unknown option '--bogus'"},
        {{"put", "k", "-5"}, "'--'"},
        {{"put", "k", "v", "--ttl", "10"}, "invalid --ttl '10'"},
        {{"put", "k", "v", "--ttl", "0s"}, "invalid --ttl '0s'"},
        {{"put", "k", "v", "--ttl"}, "needs a value"},
        {{"put", "k", "v", "--if-version", "x"}, "invalid --if-version 'x'"},
        {{"put", "k", "v", "--if-absent", "--if-version", "1"}, "cannot be used together"},
        {{"rm", "k", "--if-version", "-1"}, "--if-version"},
        {{"ls", "--limit", "0"}, "invalid --limit '0'"},
        {{"-o", "yaml", "get", "k"}, "invalid --output 'yaml'"},
        {{"--timeout", "forever", "get", "k"}, "invalid --timeout"},
    };
    for (const auto& [args, mentions] : cases) {
        std::vector<std::string> full{"--endpoint", nowhere};
        full.insert(full.end(), args.begin(), args.end());
        auto r = run_cli(full);
        std::string joined;
        for (const auto& a : args)
            joined += a + ' ';
        EXPECT_EQ(r.status, 64) << joined << ": " << show(r);
        EXPECT_TRUE(r.out.empty()) << joined << ": " << r.out;
        expect_one_error_line(r, mentions);
    }
}

TEST(cli_program, unreachable_endpoint_exits_69) {
    const std::string nowhere = "http://127.0.0.1:" + std::to_string(unused_port());
    for (std::vector<std::string> args : {std::vector<std::string>{"get", "k"},
                                          {"put", "k", "v"},
                                          {"ls"},
                                          {"exists", "k"},
                                          {"rm", "k"},
                                          {"create-table"}}) {
        args.insert(args.begin(), {"--endpoint", nowhere, "--table", "cli-nowhere"});
        auto r = run_cli(args);
        EXPECT_EQ(r.status, 69) << args[4] << ": " << show(r);
        expect_one_error_line(r, "127.0.0.1");
    }
}

TEST(cli_program, missing_region_exits_78) {
    auto env = base_env();
    env.erase("AWS_REGION");
    auto r = run_cli({"get", "k"}, {}, env); // no endpoint either: the region is needed to find one
    EXPECT_EQ(r.status, 78) << show(r);
    expect_one_error_line(r, "region");
}

// No credentials anywhere, for a real AWS endpoint (a loopback endpoint would get placeholder
// credentials: local servers do not check them). Nothing is sent: the credentials are looked up first.
TEST(cli_program, missing_credentials_exit_78) {
    auto env = base_env();
    env.erase("AWS_ACCESS_KEY_ID");
    env.erase("AWS_SECRET_ACCESS_KEY");
    auto r = run_cli({"get", "k"}, {}, env);
    EXPECT_EQ(r.status, 78) << show(r);
    expect_one_error_line(r, "credentials");
}

// ------------------------------------------------------------------------------------------------
// Faults the local servers cannot produce

std::string error_body(std::string_view type, std::string_view message) {
    return std::string(R"({"__type":"com.amazonaws.dynamodb.v20120810#)") + std::string(type) +
           R"(","message":")" + std::string(message) + "\"}";
}

TEST(cli_faults, access_denied_exits_77) {
    dynalock::test::fault_peer peer([](const auto&, std::size_t) {
        return dynalock::test::reply_raw(dynalock::test::http_reply(
            400, error_body("AccessDeniedException", "User is not authorized to perform dynamodb:GetItem")));
    });
    auto r = run_cli({"--endpoint", peer.endpoint(), "get", "k"});
    EXPECT_EQ(r.status, 77) << show(r);
    expect_one_error_line(r, "not authorized");
    EXPECT_TRUE(r.out.empty());
}

TEST(cli_faults, server_errors_after_retries_exit_69) {
    dynalock::test::fault_peer peer([](const auto&, std::size_t) {
        return dynalock::test::reply_raw(
            dynalock::test::http_reply(500, error_body("InternalServerError", "Internal server error")));
    });
    auto r = run_cli({"--endpoint", peer.endpoint(), "get", "k"});
    EXPECT_EQ(r.status, 69) << show(r);
    expect_one_error_line(r);
    EXPECT_GT(peer.requests().size(), 1u) << "a server error is retried";
}

// A conditional write whose reply is lost may or may not have been applied: its own exit status, so a
// script reads before it retries.
TEST(cli_faults, lost_reply_to_conditional_write_exits_75) {
    dynalock::test::fault_peer peer(
        [](const auto&, std::size_t) { return dynalock::test::close_connection(); });
    auto r = run_cli({"--endpoint", peer.endpoint(), "put", "k", "v", "--if-absent"});
    EXPECT_EQ(r.status, 75) << show(r);
    expect_one_error_line(r, "may or may not");
    EXPECT_EQ(peer.requests().size(), 1u) << "a conditional write is never resent blindly";
}

// --timeout bounds the whole operation: without it the client would wait 5 s per attempt, 4 attempts.
TEST(cli_faults, timeout_bounds_a_server_that_never_answers) {
    dynalock::test::fault_peer peer([](const auto&, std::size_t) { return dynalock::test::never_answer(); });
    const auto start = std::chrono::steady_clock::now();
    auto r = run_cli({"--endpoint", peer.endpoint(), "--timeout", "300ms", "get", "k"});
    const auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.status, 69) << show(r);
    expect_one_error_line(r);
    EXPECT_LT(elapsed, std::chrono::seconds(5));
}

// A service message is untrusted text: it reaches stderr on one line, without control characters.
TEST(cli_faults, service_message_with_control_characters_stays_one_line) {
    dynalock::test::fault_peer peer([](const auto&, std::size_t) {
        return dynalock::test::reply_raw(dynalock::test::http_reply(
            400, error_body("ValidationException", R"(line one\nline two\u001b[31m red)")));
    });
    auto r = run_cli({"--endpoint", peer.endpoint(), "get", "k"});
    EXPECT_EQ(r.status, 64) << show(r);
    expect_one_error_line(r, "line one");
    EXPECT_NE(r.err.find("red"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find('\x1b'), std::string::npos);
}

TEST(cli_tls, ca_file_makes_the_tls_server_trusted) {
    const auto* tls = dynalock::test::find_test_server(server_kind::dynalite_tls);
    if (tls == nullptr) {
        if (!dynalock::test::is_selected(server_kind::dynalite_tls))
            GTEST_SKIP() << "dynalite_tls left out by DYNALOCK_TEST_SERVERS";
        FAIL() << "the dynalite_tls server is not running";
    }
    const std::string table = unique_table();
    auto untrusted = run_cli({"--endpoint", tls->endpoint, "--table", table, "create-table"});
    EXPECT_EQ(untrusted.status, 69) << show(untrusted);
    expect_one_error_line(untrusted, "TLS");

    auto trusted = run_cli(
        {"--endpoint", tls->endpoint, "--ca-file", tls->ca_file.string(), "--table", table, "create-table"});
    EXPECT_EQ(trusted.status, 0) << show(trusted);
    auto put = run_cli({"--endpoint", tls->endpoint, "--ca-file", tls->ca_file.string(), "--table", table,
                        "put", "k", "over tls"});
    EXPECT_EQ(put.status, 0) << show(put);
    auto get = run_cli(
        {"--endpoint", tls->endpoint, "--ca-file", tls->ca_file.string(), "--table", table, "get", "k"});
    EXPECT_EQ(get.status, 0) << show(get);
    EXPECT_EQ(get.out, "over tls");
}

// ------------------------------------------------------------------------------------------------
// Against each server

TEST_P(cli_test, create_table_new_table_exits_0_and_is_active) {
    auto r = cli({"-o", "json", "create-table"});
    ASSERT_EQ(r.status, 0) << show(r);
    auto o = json_line(r);
    EXPECT_EQ(o.at("table"), table_.c_str());
    EXPECT_EQ(o.at("created"), true);
    EXPECT_EQ(o.at("status"), "ACTIVE");
    if (server().features.time_to_live) {
        EXPECT_TRUE(o.at("ttl") == "ENABLED" || o.at("ttl") == "ENABLING") << json::serialize(o);
        EXPECT_EQ(o.at("ttl_attribute"), "expires");
    }
    // The table works at once.
    EXPECT_EQ(cli({"put", "k", "v"}).status, 0);
}

TEST_P(cli_test, create_table_text_output_says_created) {
    auto r = cli({"create-table"});
    ASSERT_EQ(r.status, 0) << show(r);
    EXPECT_NE(r.out.find(table_), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("created"), std::string::npos) << r.out;
    EXPECT_TRUE(r.err.empty()) << r.err;
}

TEST_P(cli_test, create_table_existing_table_exits_1_unless_if_not_exists) {
    create_table();
    auto again = cli({"create-table"});
    EXPECT_EQ(again.status, 1) << show(again);
    expect_one_error_line(again, "already exists");

    auto accepted = cli({"-o", "json", "create-table", "--if-not-exists"});
    EXPECT_EQ(accepted.status, 0) << show(accepted);
    EXPECT_EQ(json_line(accepted).at("created"), false);
}

TEST_P(cli_test, missing_table_exits_78) {
    auto r = cli({"get", "k"}); // the table was never created
    EXPECT_EQ(r.status, 78) << show(r);
    expect_one_error_line(r, table_);
}

TEST_P(cli_test, put_then_get_round_trips_the_value) {
    create_table();
    auto put = cli({"put", "greeting", "hello world"});
    EXPECT_EQ(put.status, 0) << show(put);
    EXPECT_TRUE(put.out.empty()) << put.out;
    EXPECT_TRUE(put.err.empty()) << put.err;

    auto get = cli({"get", "greeting"});
    EXPECT_EQ(get.status, 0) << show(get);
    EXPECT_EQ(get.out, "hello world"); // the bytes as they are, no newline added
    EXPECT_TRUE(get.err.empty()) << get.err;

    auto eventual = cli({"get", "greeting", "--eventual"});
    EXPECT_EQ(eventual.status, 0) << show(eventual);
    EXPECT_EQ(eventual.out, "hello world");
}

TEST_P(cli_test, put_overwrites_and_increments_the_version) {
    create_table();
    EXPECT_EQ(put("k", "one"), 1);
    EXPECT_EQ(put("k", "two"), 2);
    auto get = cli({"get", "k"});
    EXPECT_EQ(get.out, "two");
}

TEST_P(cli_test, put_reads_the_value_from_stdin_with_dash_or_without_value) {
    create_table();
    auto dash = cli({"put", "from-dash", "-"}, "piped value\n");
    EXPECT_EQ(dash.status, 0) << show(dash);
    EXPECT_EQ(cli({"get", "from-dash"}).out, "piped value\n");

    auto implicit = cli({"put", "from-stdin"}, "implicit");
    EXPECT_EQ(implicit.status, 0) << show(implicit);
    EXPECT_EQ(cli({"get", "from-stdin"}).out, "implicit");

    auto empty = cli({"put", "empty"}); // stdin at its end at once: an empty value
    EXPECT_EQ(empty.status, 0) << show(empty);
    auto get_empty = cli({"get", "empty"});
    EXPECT_EQ(get_empty.status, 0) << show(get_empty);
    EXPECT_EQ(get_empty.out, "");
}

TEST_P(cli_test, binary_value_with_nul_bytes_round_trips) {
    create_table();
    std::string bytes;
    for (int round = 0; round < 3; ++round)
        for (int b = 0; b < 256; ++b)
            bytes += static_cast<char>(b);
    auto put = cli({"put", "blob", "-"}, bytes);
    ASSERT_EQ(put.status, 0) << show(put);

    auto get = cli({"get", "blob"});
    EXPECT_EQ(get.status, 0) << show(get);
    EXPECT_EQ(get.out.size(), bytes.size());
    EXPECT_TRUE(get.out == bytes) << "the bytes differ";

    auto as_json = cli({"-o", "json", "get", "blob"});
    EXPECT_EQ(as_json.status, 0) << show(as_json);
    auto o = json_line(as_json);
    EXPECT_EQ(o.at("encoding"), "base64");
    EXPECT_EQ(o.at("value"), openssl_base64(bytes).c_str());
}

TEST_P(cli_test, text_value_with_a_nul_byte_is_json_text) {
    create_table();
    const std::string value("a\0b\xc3\xa9", 5); // valid UTF-8, NUL included
    ASSERT_EQ(cli({"put", "nul", "-"}, value).status, 0);
    EXPECT_TRUE(cli({"get", "nul"}).out == value);
    auto o = json_line(cli({"--output", "json", "get", "nul"}));
    EXPECT_EQ(o.at("encoding"), "text");
    EXPECT_EQ(o.at("value").as_string(), value);
}

TEST_P(cli_test, get_json_has_key_value_version_and_expires) {
    create_table();
    put("k", "v1");
    put("k", "v2");
    auto r = cli({"get", "k", "--output=json"});
    EXPECT_EQ(r.status, 0) << show(r);
    auto o = json_line(r);
    EXPECT_EQ(o.at("key"), "k");
    EXPECT_EQ(o.at("value"), "v2");
    EXPECT_EQ(o.at("encoding"), "text");
    EXPECT_EQ(o.at("version"), 2);
    EXPECT_TRUE(o.at("expires").is_null());
}

TEST_P(cli_test, get_missing_key_exits_1) {
    create_table();
    auto r = cli({"get", "absent"});
    EXPECT_EQ(r.status, 1) << show(r);
    EXPECT_TRUE(r.out.empty());
    expect_one_error_line(r, "'absent' not found");
}

TEST_P(cli_test, exists_exits_0_when_present_and_1_when_absent) {
    create_table();
    put("here", "x");
    auto present = cli({"exists", "here"});
    EXPECT_EQ(present.status, 0) << show(present);
    EXPECT_TRUE(present.out.empty());
    EXPECT_TRUE(present.err.empty()); // "no" is an answer, not an error

    auto absent = cli({"exists", "gone"});
    EXPECT_EQ(absent.status, 1) << show(absent);
    EXPECT_TRUE(absent.err.empty()) << absent.err;

    auto present_json = cli({"-o", "json", "exists", "here"});
    EXPECT_EQ(present_json.status, 0);
    EXPECT_EQ(json_line(present_json).at("exists"), true);
    auto absent_json = cli({"-o", "json", "exists", "gone", "--eventual"});
    EXPECT_EQ(absent_json.status, 1);
    EXPECT_EQ(json_line(absent_json).at("exists"), false);
}

TEST_P(cli_test, put_if_absent_creates_once_then_exits_1) {
    create_table();
    auto first = cli({"-o", "json", "put", "lock", "me", "--if-absent"});
    EXPECT_EQ(first.status, 0) << show(first);
    EXPECT_EQ(json_line(first).at("version"), 1);

    auto second = cli({"put", "lock", "other", "--if-absent"});
    EXPECT_EQ(second.status, 1) << show(second);
    expect_one_error_line(second, "already exists");
    EXPECT_EQ(cli({"get", "lock"}).out, "me");
}

TEST_P(cli_test, put_if_version_swaps_only_at_that_version) {
    create_table();
    const auto v1 = put("counter", "1");
    ASSERT_EQ(v1, 1);

    auto swapped = cli({"-o", "json", "put", "counter", "2", "--if-version", "1"});
    EXPECT_EQ(swapped.status, 0) << show(swapped);
    EXPECT_EQ(json_line(swapped).at("version"), 2);

    auto stale = cli({"put", "counter", "3", "--if-version", "1"});
    EXPECT_EQ(stale.status, 1) << show(stale);
    expect_one_error_line(stale, "not at version 1");
    EXPECT_EQ(cli({"get", "counter"}).out, "2");

    auto missing = cli({"put", "nothing", "x", "--if-version", "1"});
    EXPECT_EQ(missing.status, 1) << show(missing);
    expect_one_error_line(missing, "not found");
}

TEST_P(cli_test, put_ttl_sets_expires_and_plain_put_clears_it) {
    create_table();
    const auto before = now_seconds();
    auto r = cli({"-o", "json", "put", "session", "token", "--ttl", "1h"});
    const auto after = now_seconds();
    ASSERT_EQ(r.status, 0) << show(r);
    const auto expires = json_line(r).at("expires").to_number<std::int64_t>();
    EXPECT_GE(expires, before + 3600);
    EXPECT_LE(expires, after + 3601);

    auto got = json_line(cli({"-o", "json", "get", "session"}));
    EXPECT_EQ(got.at("expires"), expires);

    auto compound = json_line(cli({"-o", "json", "put", "session", "token", "--ttl", "1m30s"}));
    EXPECT_GE(compound.at("expires").to_number<std::int64_t>(), before + 90);
    EXPECT_LE(compound.at("expires").to_number<std::int64_t>(), now_seconds() + 91);

    auto plain = json_line(cli({"-o", "json", "put", "session", "token"}));
    EXPECT_TRUE(plain.at("expires").is_null());
}

TEST_P(cli_test, ls_lists_keys_of_a_prefix_in_order) {
    create_table();
    for (const char* key : {"b/1", "a/2", "a/1", "a/10", "c"})
        put(key, "x");
    auto all = cli({"ls"});
    EXPECT_EQ(all.status, 0) << show(all);
    EXPECT_EQ(all.out, "a/1\na/10\na/2\nb/1\nc\n");

    auto prefixed = cli({"ls", "a/"});
    EXPECT_EQ(prefixed.status, 0) << show(prefixed);
    EXPECT_EQ(prefixed.out, "a/1\na/10\na/2\n");

    auto limited = cli({"ls", "a/", "--limit", "2"});
    EXPECT_EQ(limited.out, "a/1\na/10\n");

    auto none = cli({"ls", "zzz"});
    EXPECT_EQ(none.status, 0) << show(none);
    EXPECT_TRUE(none.out.empty());
}

TEST_P(cli_test, ls_json_has_key_version_and_expires_per_line) {
    create_table();
    put("k1", "x");
    put("k2", "x");
    put("k2", "y");
    auto r = cli({"-o", "json", "ls", "--eventual"});
    EXPECT_EQ(r.status, 0) << show(r);
    auto lines = json_lines(r.out);
    ASSERT_EQ(lines.size(), 2u) << r.out;
    EXPECT_EQ(lines[0].at("key"), "k1");
    EXPECT_EQ(lines[0].at("version"), 1);
    EXPECT_EQ(lines[1].at("key"), "k2");
    EXPECT_EQ(lines[1].at("version"), 2);
    for (const auto& o : lines) {
        EXPECT_TRUE(o.at("expires").is_null());
        EXPECT_FALSE(o.contains("value"));
    }
}

// DynamoDB answers a Query with at most 1 MB of items per page: a partition of ~2 MB is listed whole.
TEST_P(cli_test, ls_lists_a_partition_larger_than_one_page) {
    create_table();
    std::string expected;
    for (int i = 0; i < 6; ++i) {
        const std::string key = "big/" + std::to_string(i);
        auto r = cli({"put", key}, std::string(250 * 1024, static_cast<char>('a' + i)));
        ASSERT_EQ(r.status, 0) << show(r);
        expected += key + "\n";
    }
    auto r = cli({"ls", "big/"});
    EXPECT_EQ(r.status, 0) << show(r);
    EXPECT_EQ(r.out, expected);
    auto limited = cli({"ls", "big/", "--limit", "5"});
    EXPECT_EQ(limited.out, expected.substr(0, expected.size() - std::string("big/5\n").size()));
}

TEST_P(cli_test, rm_deletes_and_a_missing_key_is_not_an_error) {
    create_table();
    put("doomed", "x");
    auto rm = cli({"rm", "doomed"});
    EXPECT_EQ(rm.status, 0) << show(rm);
    EXPECT_TRUE(rm.out.empty());
    EXPECT_EQ(cli({"exists", "doomed"}).status, 1);

    auto again = cli({"-o", "json", "rm", "doomed"});
    EXPECT_EQ(again.status, 0) << show(again);
    EXPECT_EQ(json_line(again).at("key"), "doomed");
}

TEST_P(cli_test, rm_if_version_deletes_only_at_that_version) {
    create_table();
    put("k", "a");
    put("k", "b"); // version 2
    auto stale = cli({"rm", "k", "--if-version", "1"});
    EXPECT_EQ(stale.status, 1) << show(stale);
    expect_one_error_line(stale, "not at version 1");
    EXPECT_EQ(cli({"exists", "k"}).status, 0);

    auto right = cli({"rm", "k", "--if-version", "2"});
    EXPECT_EQ(right.status, 0) << show(right);
    EXPECT_EQ(cli({"exists", "k"}).status, 1);

    auto missing = cli({"rm", "k", "--if-version", "2"});
    EXPECT_EQ(missing.status, 1) << show(missing);
    expect_one_error_line(missing, "not found");
}

TEST_P(cli_test, invalid_keys_exit_64) {
    create_table();
    const std::vector<std::pair<std::string, std::string_view>> cases = {
        {"", "empty"},
        {std::string(1025, 'k'), "too large"},
        {"bad\xff", "UTF-8"},
    };
    for (const auto& [key, mentions] : cases) {
        auto r = cli({"put", "--", key, "v"});
        EXPECT_EQ(r.status, 64) << show(r);
        expect_one_error_line(r, mentions);
        auto g = cli({"get", "--", key});
        EXPECT_EQ(g.status, 64) << show(g);
    }
}

TEST_P(cli_test, value_from_stdin_over_the_item_limit_exits_64) {
    create_table();
    auto r = cli({"put", "huge"}, std::string(401 * 1024, 'x'));
    EXPECT_EQ(r.status, 64) << show(r);
    expect_one_error_line(r, "400 KB");
    EXPECT_EQ(cli({"exists", "huge"}).status, 1);
}

TEST_P(cli_test, argument_that_starts_with_a_dash_after_double_dash) {
    create_table();
    auto r = cli({"put", "--", "-k", "-v"});
    EXPECT_EQ(r.status, 0) << show(r);
    EXPECT_EQ(cli({"get", "--", "-k"}).out, "-v");
}

TEST_P(cli_test, partitions_are_separate_namespaces) {
    create_table();
    EXPECT_EQ(cli({"--partition", "tenant-a", "put", "k", "a"}).status, 0);
    EXPECT_EQ(cli({"--partition", "tenant-b", "put", "k", "b"}).status, 0);
    EXPECT_EQ(cli({"--partition", "tenant-a", "get", "k"}).out, "a");
    EXPECT_EQ(cli({"get", "k", "--partition", "tenant-b"}).out, "b");
    EXPECT_EQ(cli({"get", "k"}).status, 1); // the default partition has no "k"
    EXPECT_EQ(cli({"ls", "--partition", "tenant-a"}).out, "k\n");
}

TEST_P(cli_test, table_and_endpoint_come_from_the_environment) {
    auto env = base_env();
    env["DYNALOCK_TABLE"] = table_;
    env["AWS_ENDPOINT_URL_DYNAMODB"] = server().endpoint;
    auto create = run_cli({"create-table"}, {}, env);
    EXPECT_EQ(create.status, 0) << show(create);
    EXPECT_NE(create.out.find(table_), std::string::npos) << create.out;
    EXPECT_EQ(run_cli({"put", "k", "from env"}, {}, env).status, 0);
    EXPECT_EQ(cli({"get", "k"}).out, "from env"); // the same table, named explicitly

    // --table wins over DYNALOCK_TABLE: that table does not exist.
    auto other = run_cli({"--table", table_ + "-other", "get", "k"}, {}, env);
    EXPECT_EQ(other.status, 78) << show(other);
}

TEST_P(cli_test, closed_stdout_exits_74) {
    create_table();
    put("k", "v");
    std::vector<std::string> args{"--endpoint", server().endpoint, "--table", table_, "get", "k"};
    auto r = run_cli(args, {}, base_env(), "/dev/full");
    EXPECT_EQ(r.status, 74) << show(r);
    expect_one_error_line(r, "standard output");
}

DYNALOCK_INSTANTIATE_OVER_PLAIN_SERVERS(cli_test);

} // namespace
