// SPDX-License-Identifier: BSL-1.0
// The plain parts of the `dynalock` tool: the command-line parser, durations and counts, exit statuses,
// one-line error messages, JSON output and help.
#include "cli/args.hpp"
#include "cli/exit_status.hpp"
#include "cli/help.hpp"
#include "cli/output.hpp"

#include <boost/asio/error.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <initializer_list>
#include <limits>
#include <map>

namespace {

using namespace dynalock;
using namespace dynalock::cli;
using namespace std::chrono_literals;

// A command table like the tool's, independent of it.
constexpr std::array put_options{
    option_spec{"ttl", 0, "DUR", "time to live"},
    option_spec{"if-absent", 0, {}, "create only"},
    option_spec{"if-version", 0, "N", "compare and swap"},
};
constexpr std::array get_options{option_spec{"eventual", 'e', {}, "eventual read"}};
const std::array test_commands{
    command_spec{.name = "put",
                 .arguments = "KEY [VALUE | -]",
                 .summary = "write a value",
                 .options = put_options,
                 .min_arguments = 1,
                 .max_arguments = 2},
    command_spec{.name = "get",
                 .arguments = "KEY",
                 .summary = "read a value",
                 .options = get_options,
                 .min_arguments = 1,
                 .max_arguments = 1},
    command_spec{.name = "create-table", .arguments = "", .summary = "create the table"},
};

// Parses with an environment that only has what the test gives.
parse_result<invocation> parse(std::initializer_list<std::string_view> args,
                               std::map<std::string, std::string> env = {}) {
    const std::vector<std::string_view> v(args);
    return parse_command_line(v, test_commands, [env](std::string_view name) -> std::optional<std::string> {
        auto it = env.find(std::string(name));
        if (it == env.end())
            return std::nullopt;
        return it->second;
    });
}

// ------------------------------------------------------------------------------------------------
// Durations and integers

TEST(cli_duration, each_unit_parses) {
    EXPECT_EQ(parse_duration("500ms"), 500ms);
    EXPECT_EQ(parse_duration("10s"), 10s);
    EXPECT_EQ(parse_duration("5m"), 5min);
    EXPECT_EQ(parse_duration("1h"), 1h);
    EXPECT_EQ(parse_duration("0"), 0ms);
    EXPECT_EQ(parse_duration("0s"), 0ms);
}

TEST(cli_duration, compound_and_fractional_terms_add_up) {
    EXPECT_EQ(parse_duration("1m30s"), 90s);
    EXPECT_EQ(parse_duration("1h1m1s1ms"), 1h + 1min + 1s + 1ms);
    EXPECT_EQ(parse_duration("1.5s"), 1500ms);
    EXPECT_EQ(parse_duration(".5s"), 500ms);
    EXPECT_EQ(parse_duration("0.25h"), 15min);
    EXPECT_EQ(parse_duration("0.001s"), 1ms);
    EXPECT_EQ(parse_duration("2.000000000s"), 2s);
}

TEST(cli_duration, malformed_text_is_refused) {
    for (std::string_view bad : {"", "10", "s", "ms", "1x", "1d", "1us", "-1s", "+1s", " 1s", "1s ", "1 s",
                                 "1..5s", ".s", "1s2", "1e3ms", "1,5s", "10S", "1hh"})
        EXPECT_EQ(parse_duration(bad), std::nullopt) << "'" << bad << "'";
}

TEST(cli_duration, finer_than_a_millisecond_is_refused) {
    EXPECT_EQ(parse_duration("1.5ms"), std::nullopt);
    EXPECT_EQ(parse_duration("0.0001s"), std::nullopt);
    EXPECT_EQ(parse_duration("0.0000000001h"), std::nullopt); // more fraction digits than supported
}

TEST(cli_duration, int64_overflow_is_refused) {
    constexpr auto max = std::numeric_limits<std::int64_t>::max();
    EXPECT_EQ(parse_duration("9223372036854775807ms"), std::chrono::milliseconds(max));
    EXPECT_EQ(parse_duration("9223372036854775808ms"), std::nullopt);
    EXPECT_EQ(parse_duration("2562047788015h"), std::chrono::milliseconds(2562047788015LL * 3600000));
    EXPECT_EQ(parse_duration("2562047788016h"), std::nullopt);
    EXPECT_EQ(parse_duration("9223372036854775807ms1ms"), std::nullopt);
    EXPECT_EQ(parse_duration("99999999999999999999999s"), std::nullopt);
}

TEST(cli_integer, digits_in_range_parse) {
    EXPECT_EQ(parse_integer("1", 1, 10), 1);
    EXPECT_EQ(parse_integer("10", 1, 10), 10);
    EXPECT_EQ(parse_integer("007", 1, 10), 7);
    EXPECT_EQ(parse_integer("9223372036854775807", 1, std::numeric_limits<std::int64_t>::max()),
              std::numeric_limits<std::int64_t>::max());
}

TEST(cli_integer, anything_else_is_refused) {
    constexpr auto max = std::numeric_limits<std::int64_t>::max();
    for (std::string_view bad : {"", "-1", "+1", " 1", "1 ", "1a", "0x10", "1.0", "9223372036854775808"})
        EXPECT_EQ(parse_integer(bad, 0, max), std::nullopt) << "'" << bad << "'";
    EXPECT_EQ(parse_integer("0", 1, 10), std::nullopt);
    EXPECT_EQ(parse_integer("11", 1, 10), std::nullopt);
}

// ------------------------------------------------------------------------------------------------
// The command line

TEST(cli_parse, command_arguments_and_options_are_collected) {
    auto r = parse({"put", "jobs/1", "hello", "--ttl", "10s", "--if-version", "3"});
    ASSERT_TRUE(r) << r.error;
    ASSERT_NE(r.value->command, nullptr);
    EXPECT_EQ(r.value->command->name, "put");
    EXPECT_EQ(r.value->arguments, (std::vector<std::string>{"jobs/1", "hello"}));
    ASSERT_NE(r.value->options.value("ttl"), nullptr);
    EXPECT_EQ(*r.value->options.value("ttl"), "10s");
    EXPECT_EQ(*r.value->options.value("if-version"), "3");
    EXPECT_FALSE(r.value->options.has("if-absent"));
    EXPECT_FALSE(r.value->help);
    EXPECT_FALSE(r.value->version);
}

TEST(cli_parse, defaults_apply_without_options_or_environment) {
    auto r = parse({"get", "k"});
    ASSERT_TRUE(r) << r.error;
    const auto& g = r.value->globals;
    EXPECT_EQ(g.table, "dynalock");
    EXPECT_EQ(g.partition, "default");
    EXPECT_EQ(g.output, output_format::text);
    EXPECT_TRUE(g.endpoint.empty());
    EXPECT_TRUE(g.region.empty());
    EXPECT_TRUE(g.profile.empty());
    EXPECT_FALSE(g.timeout.has_value());
    EXPECT_FALSE(g.allow_insecure_http);
}

TEST(cli_parse, global_options_before_and_after_the_command_are_accepted) {
    auto r = parse({"--endpoint", "http://127.0.0.1:8000", "--region=eu-west-1", "-o", "json", "get", "k",
                    "--table", "locks", "--partition=p1", "--profile", "ops", "--timeout", "2s", "--ca-file",
                    "/ca.pem", "--allow-insecure-http"});
    ASSERT_TRUE(r) << r.error;
    const auto& g = r.value->globals;
    EXPECT_EQ(g.endpoint, "http://127.0.0.1:8000");
    EXPECT_EQ(g.region, "eu-west-1");
    EXPECT_EQ(g.output, output_format::json);
    EXPECT_EQ(g.table, "locks");
    EXPECT_EQ(g.partition, "p1");
    EXPECT_EQ(g.profile, "ops");
    EXPECT_EQ(g.timeout, 2s);
    EXPECT_EQ(g.ca_file, "/ca.pem");
    EXPECT_TRUE(g.allow_insecure_http);
    EXPECT_EQ(r.value->arguments, (std::vector<std::string>{"k"}));
}

TEST(cli_parse, table_comes_from_flag_then_environment_then_default) {
    auto from_env = parse({"get", "k"}, {{"DYNALOCK_TABLE", "from-env"}});
    ASSERT_TRUE(from_env) << from_env.error;
    EXPECT_EQ(from_env.value->globals.table, "from-env");

    auto from_flag = parse({"get", "k", "--table", "from-flag"}, {{"DYNALOCK_TABLE", "from-env"}});
    ASSERT_TRUE(from_flag) << from_flag.error;
    EXPECT_EQ(from_flag.value->globals.table, "from-flag");

    auto empty_env = parse({"get", "k"}, {{"DYNALOCK_TABLE", ""}});
    ASSERT_TRUE(empty_env) << empty_env.error;
    EXPECT_EQ(empty_env.value->globals.table, "dynalock");
}

TEST(cli_parse, the_last_of_a_repeated_option_wins) {
    auto r = parse({"--table", "a", "put", "k", "v", "--ttl", "1s", "--ttl", "2s", "--table", "b"});
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(*r.value->options.value("ttl"), "2s");
    EXPECT_EQ(r.value->globals.table, "b");
}

TEST(cli_parse, dash_alone_is_an_argument) {
    auto r = parse({"put", "k", "-"});
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(r.value->arguments, (std::vector<std::string>{"k", "-"}));
}

TEST(cli_parse, double_dash_ends_the_options) {
    auto r = parse({"put", "--", "-k", "--ttl"});
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(r.value->arguments, (std::vector<std::string>{"-k", "--ttl"}));
    EXPECT_FALSE(r.value->options.has("ttl"));
}

TEST(cli_parse, short_options_take_their_value_from_the_next_argument) {
    auto r = parse({"get", "-e", "k", "-o", "json"});
    ASSERT_TRUE(r) << r.error;
    EXPECT_TRUE(r.value->options.has("eventual"));
    EXPECT_EQ(r.value->globals.output, output_format::json);
}

TEST(cli_parse, help_anywhere_stops_the_parse) {
    auto general = parse({"--help"});
    ASSERT_TRUE(general) << general.error;
    EXPECT_TRUE(general.value->help);
    EXPECT_EQ(general.value->command, nullptr);

    // No KEY, and an unknown option after --help: still help, not an error.
    auto of_command = parse({"put", "--help", "--bogus"});
    ASSERT_TRUE(of_command) << of_command.error;
    EXPECT_TRUE(of_command.value->help);
    ASSERT_NE(of_command.value->command, nullptr);
    EXPECT_EQ(of_command.value->command->name, "put");

    auto short_form = parse({"get", "-h"});
    ASSERT_TRUE(short_form) << short_form.error;
    EXPECT_TRUE(short_form.value->help);
}

TEST(cli_parse, help_command_shows_general_or_command_help) {
    auto general = parse({"help"});
    ASSERT_TRUE(general) << general.error;
    EXPECT_TRUE(general.value->help);
    EXPECT_EQ(general.value->command, nullptr);

    auto of_get = parse({"help", "get"});
    ASSERT_TRUE(of_get) << of_get.error;
    EXPECT_TRUE(of_get.value->help);
    ASSERT_NE(of_get.value->command, nullptr);
    EXPECT_EQ(of_get.value->command->name, "get");

    auto unknown = parse({"help", "frobnicate"});
    EXPECT_FALSE(unknown);
    EXPECT_NE(unknown.error.find("'frobnicate'"), std::string::npos) << unknown.error;
}

TEST(cli_parse, version_is_recognised) {
    auto r = parse({"--version"});
    ASSERT_TRUE(r) << r.error;
    EXPECT_TRUE(r.value->version);
}

// Each bad command line fails with a message that names what is wrong.
TEST(cli_parse, usage_errors_name_the_culprit) {
    struct bad_case {
        std::initializer_list<std::string_view> args;
        std::string_view expected_in_message;
    };
    const bad_case cases[] = {
        {{}, "no command"},
        {{"--table", "t"}, "no command"},
        {{"frobnicate"}, "unknown command 'frobnicate'"},
        {{"get"}, "missing argument"},
        {{"get", "a", "b"}, "too many arguments"},
        {{"put"}, "usage: dynalock put KEY [VALUE | -]"},
        {{"create-table", "x"}, "too many arguments"},
        {{"get", "k", "--bogus"}, "unknown option '--bogus' for 'get'"},
        {{"get", "k", "-x"}, "unknown option '-x'"},
        {{"get", "k", "-xy"}, "unknown option '-xy'"},
        {{"--ttl", "1s", "put", "k", "v"}, "unknown option '--ttl'"}, // a command option before the command
        {{"get", "k", "--ttl", "1s"}, "unknown option '--ttl' for 'get'"},
        {{"put", "k", "-5"}, "write '--' before an argument"},
        {{"put", "k", "v", "--ttl"}, "--ttl needs a value (DUR)"},
        {{"get", "k", "--table"}, "--table needs a value"},
        {{"put", "k", "v", "--if-absent=yes"}, "--if-absent takes no value"},
        {{"get", "k", "--output", "xml"}, "invalid --output 'xml'"},
        {{"get", "k", "--timeout", "soon"}, "invalid --timeout 'soon'"},
        {{"get", "k", "--timeout", "0s"}, "invalid --timeout '0s'"},
    };
    for (const auto& c : cases) {
        auto r = parse(c.args);
        std::string joined;
        for (auto a : c.args)
            joined += std::string(a) + ' ';
        EXPECT_FALSE(r) << joined;
        EXPECT_NE(r.error.find(c.expected_in_message), std::string::npos)
            << joined << "-> '" << r.error << "', expected '" << c.expected_in_message << "'";
    }
}

// ------------------------------------------------------------------------------------------------
// A command that runs another program: `lock KEY [OPTIONS] -- CMD ARGS...`

constexpr std::array lock_options{
    option_spec{"nonblock", 'n', {}, "do not wait"},
    option_spec{"wait", 'w', "DUR", "wait at most"},
};
const std::array lock_test_commands{
    command_spec{.name = "lock",
                 .arguments = "KEY",
                 .summary = "hold a lock",
                 .options = lock_options,
                 .min_arguments = 1,
                 .max_arguments = 1,
                 .runs_command = true},
    test_commands[0], // put, which runs nothing
};

parse_result<invocation> parse_lock(std::initializer_list<std::string_view> args) {
    const std::vector<std::string_view> v(args);
    return parse_command_line(v, lock_test_commands, [](std::string_view) { return std::nullopt; });
}

TEST(cli_parse_command, everything_after_double_dash_is_the_command_line_as_given) {
    auto r = parse_lock({"lock", "k", "-n", "--", "sh", "-c", "echo hi", "--help", "-o", "--", "x"});
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(r.value->arguments, (std::vector<std::string>{"k"}));
    EXPECT_EQ(r.value->child_command,
              (std::vector<std::string>{"sh", "-c", "echo hi", "--help", "-o", "--", "x"}));
    EXPECT_TRUE(r.value->options.has("nonblock"));
    EXPECT_FALSE(r.value->help) << "--help after '--' belongs to the command";
    EXPECT_EQ(r.value->globals.output, output_format::text) << "-o after '--' belongs to the command";
}

TEST(cli_parse_command, options_and_globals_before_double_dash_are_the_tools) {
    auto r = parse_lock({"--table", "t1", "lock", "-w", "5s", "k", "--partition", "p", "--", "true"});
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(*r.value->options.value("wait"), "5s");
    EXPECT_EQ(r.value->globals.table, "t1");
    EXPECT_EQ(r.value->globals.partition, "p");
    EXPECT_EQ(r.value->child_command, (std::vector<std::string>{"true"}));
}

TEST(cli_parse_command, without_double_dash_there_is_no_command) {
    auto r = parse_lock({"lock", "k", "-n"});
    ASSERT_TRUE(r) << r.error;
    EXPECT_TRUE(r.value->child_command.empty());
    EXPECT_EQ(r.value->arguments, (std::vector<std::string>{"k"}));
}

// Before the command's own arguments are there, `--` still only ends the options: a key may start
// with a dash, and a second `--` then starts the command.
TEST(cli_parse_command, double_dash_before_the_key_ends_the_options) {
    auto key_only = parse_lock({"lock", "--", "-k"});
    ASSERT_TRUE(key_only) << key_only.error;
    EXPECT_EQ(key_only.value->arguments, (std::vector<std::string>{"-k"}));
    EXPECT_TRUE(key_only.value->child_command.empty());

    auto with_command = parse_lock({"lock", "--", "-k", "--", "true", "-v"});
    ASSERT_TRUE(with_command) << with_command.error;
    EXPECT_EQ(with_command.value->arguments, (std::vector<std::string>{"-k"}));
    EXPECT_EQ(with_command.value->child_command, (std::vector<std::string>{"true", "-v"}));
}

TEST(cli_parse_command, empty_command_or_extra_arguments_are_usage_errors) {
    auto empty = parse_lock({"lock", "k", "--"});
    EXPECT_FALSE(empty);
    EXPECT_NE(empty.error.find("missing command after '--'"), std::string::npos) << empty.error;

    auto extra = parse_lock({"lock", "k", "cmd", "--", "x"});
    EXPECT_FALSE(extra);
    EXPECT_NE(extra.error.find("too many arguments"), std::string::npos) << extra.error;

    auto no_key = parse_lock({"lock", "-n"});
    EXPECT_FALSE(no_key);
    EXPECT_NE(no_key.error.find("missing argument"), std::string::npos) << no_key.error;
}

// For a command that runs nothing, a second `--` stays an argument, as before.
TEST(cli_parse_command, other_commands_keep_double_dash_as_an_argument) {
    auto r = parse_lock({"put", "--", "k", "--"});
    ASSERT_TRUE(r) << r.error;
    EXPECT_EQ(r.value->arguments, (std::vector<std::string>{"k", "--"}));
    EXPECT_TRUE(r.value->child_command.empty());
}

TEST(cli_help, command_that_runs_a_program_shows_where_it_goes) {
    const std::string usage = command_help(lock_test_commands[0]);
    EXPECT_NE(usage.find("dynalock [OPTIONS] lock KEY [--nonblock] [--wait DUR] [-- CMD [ARGS...]]"),
              std::string::npos)
        << usage;
    const std::string general = general_help(lock_test_commands);
    EXPECT_NE(general.find("lock KEY [-- CMD [ARGS...]]"), std::string::npos) << general;
    EXPECT_EQ(general.find("put KEY [VALUE | -] [--"), std::string::npos) << general;
}

// ------------------------------------------------------------------------------------------------
// Exit statuses and messages

TEST(cli_exit_status, answers_that_are_no_exit_1) {
    EXPECT_EQ(exit_status_for(errc::key_not_found), 1);
    EXPECT_EQ(exit_status_for(errc::key_exists), 1);
    EXPECT_EQ(exit_status_for(errc::version_mismatch), 1);
    EXPECT_EQ(exit_status_for(service_errc::conditional_check_failed), 1);
    EXPECT_EQ(exit_status_for(service_errc::resource_in_use), 1);
    EXPECT_EQ(exit_status_for(error_code()), 0);
}

TEST(cli_exit_status, invalid_input_exits_64) {
    for (auto e : {errc::invalid_argument, errc::invalid_table_name, errc::invalid_utf8, errc::empty_key,
                   errc::key_too_large, errc::item_too_large})
        EXPECT_EQ(exit_status_for(e), 64) << make_error_code(e).message();
    EXPECT_EQ(exit_status_for(service_errc::validation), 64);
}

TEST(cli_exit_status, unreachable_or_failing_service_exits_69) {
    for (auto e :
         {errc::connect_failed, errc::tls_handshake_failed, errc::attempt_timeout, errc::operation_timeout,
          errc::connection_closed, errc::malformed_response, errc::retry_quota_exceeded})
        EXPECT_EQ(exit_status_for(e), 69) << make_error_code(e).message();
    for (auto e :
         {service_errc::internal_server_error, service_errc::service_unavailable, service_errc::throttling,
          service_errc::provisioned_throughput_exceeded, service_errc::unknown})
        EXPECT_EQ(exit_status_for(e), 69) << make_error_code(e).message();
    EXPECT_EQ(exit_status_for(make_error_code(boost::system::errc::connection_refused)), 69);
}

TEST(cli_exit_status, refused_credentials_exit_77) {
    for (auto e : {service_errc::access_denied, service_errc::unrecognized_client,
                   service_errc::invalid_signature, service_errc::expired_token,
                   service_errc::missing_authentication_token, service_errc::incomplete_signature})
        EXPECT_EQ(exit_status_for(e), 77) << make_error_code(e).message();
}

TEST(cli_exit_status, configuration_problems_exit_78) {
    for (auto e : {errc::invalid_endpoint, errc::insecure_endpoint, errc::invalid_region,
                   errc::no_credentials, errc::invalid_credentials_file})
        EXPECT_EQ(exit_status_for(e), 78) << make_error_code(e).message();
    EXPECT_EQ(exit_status_for(service_errc::resource_not_found), 78);
}

TEST(cli_exit_status, unknown_write_outcome_exits_75) {
    EXPECT_EQ(exit_status_for(errc::outcome_unknown), 75);
}

TEST(cli_exit_status, cancellation_is_an_internal_error) {
    EXPECT_EQ(exit_status_for(boost::asio::error::operation_aborted), 70);
}

TEST(cli_message, failure_description_is_one_line_with_both_messages) {
    diagnostics diag;
    diag.client_message = "key is 1025 bytes";
    diag.service_message = "first line\nsecond\tline\x1b[31m";
    const std::string text = describe_failure(errc::key_too_large, diag);
    EXPECT_EQ(text.find('\n'), std::string::npos) << text;
    EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
    EXPECT_NE(text.find(make_error_code(errc::key_too_large).message()), std::string::npos) << text;
    EXPECT_NE(text.find("key is 1025 bytes"), std::string::npos) << text;
    EXPECT_NE(text.find("first line\\nsecond\\tline\\x1b[31m"), std::string::npos) << text;
}

TEST(cli_message, unknown_service_error_names_its_type) {
    diagnostics diag;
    diag.service_error_type = "BrandNewException";
    const std::string text = describe_failure(service_errc::unknown, diag);
    EXPECT_NE(text.find("BrandNewException"), std::string::npos) << text;
}

TEST(cli_output, one_line_escapes_controls_and_broken_utf8_but_keeps_text) {
    EXPECT_EQ(one_line("plain text"), "plain text");
    EXPECT_EQ(one_line("a\nb\rc\td"), "a\\nb\\rc\\td");
    EXPECT_EQ(one_line(std::string_view("nul\0byte", 8)), "nul\\x00byte");
    EXPECT_EQ(one_line("del\x7f"), "del\\x7f");
    EXPECT_EQ(one_line("caf\xc3\xa9 \xe2\x82\xac"), "caf\xc3\xa9 \xe2\x82\xac"); // é €
    EXPECT_EQ(one_line("bad\xff\xc3"), "bad\\xff\\xc3");
    EXPECT_EQ(one_line("\xc2\x9b"), "\xc2\x9b"); // a C1 control is valid UTF-8 and printed as such
}

// ------------------------------------------------------------------------------------------------
// Output

TEST(cli_output, utf8_validation_follows_rfc_3629) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8("ascii"));
    EXPECT_TRUE(is_valid_utf8(std::string_view("with\0nul", 8)));
    EXPECT_TRUE(is_valid_utf8("\xc3\xa9"));          // U+00E9
    EXPECT_TRUE(is_valid_utf8("\xef\xbf\xbf"));      // U+FFFF
    EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x98\x80"));  // U+1F600
    EXPECT_TRUE(is_valid_utf8("\xf4\x8f\xbf\xbf"));  // U+10FFFF
    EXPECT_FALSE(is_valid_utf8("\x80"));             // lone continuation
    EXPECT_FALSE(is_valid_utf8("\xc3"));             // truncated
    EXPECT_FALSE(is_valid_utf8("\xc0\xaf"));         // overlong '/'
    EXPECT_FALSE(is_valid_utf8("\xe0\x80\xaf"));     // overlong
    EXPECT_FALSE(is_valid_utf8("\xed\xa0\x80"));     // surrogate U+D800
    EXPECT_FALSE(is_valid_utf8("\xf4\x90\x80\x80")); // above U+10FFFF
    EXPECT_FALSE(is_valid_utf8("\xff"));
    EXPECT_FALSE(is_valid_utf8("\xe2\x82")); // truncated 3-byte
}

TEST(cli_output, base64_matches_rfc_4648_vectors) {
    EXPECT_EQ(base64_encode(""), "");
    EXPECT_EQ(base64_encode("f"), "Zg==");
    EXPECT_EQ(base64_encode("fo"), "Zm8=");
    EXPECT_EQ(base64_encode("foo"), "Zm9v");
    EXPECT_EQ(base64_encode("foob"), "Zm9vYg==");
    EXPECT_EQ(base64_encode("fooba"), "Zm9vYmE=");
    EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
    EXPECT_EQ(base64_encode(std::string_view("\x00\xff\xfe", 3)), "AP/+");
}

kv_pair sample_pair(std::optional<attribute_value> value) {
    kv_pair p;
    p.partition = "default";
    p.key = "jobs/1";
    p.value = std::move(value);
    p.version = 3;
    return p;
}

TEST(cli_output, text_value_is_a_json_string) {
    auto p = sample_pair(attribute_value::binary(std::string_view("h\xc3\xa9llo\n", 7)));
    p.expires = 1700000000;
    const auto j = boost::json::parse(pair_json(p, pair_fields::with_value)).as_object();
    EXPECT_EQ(j.at("key"), "jobs/1");
    EXPECT_EQ(j.at("value"), "h\xc3\xa9llo\n");
    EXPECT_EQ(j.at("encoding"), "text");
    EXPECT_EQ(j.at("version"), 3);
    EXPECT_EQ(j.at("expires"), 1700000000);
    EXPECT_EQ(j.size(), 5u);
}

TEST(cli_output, go_layout_base64_string_value_is_decoded) {
    // The Go dynalock stores bytes as an S holding their base64; "aGk=" is "hi".
    const auto j =
        boost::json::parse(pair_json(sample_pair(attribute_value::string("aGk=")), pair_fields::with_value))
            .as_object();
    EXPECT_EQ(j.at("value"), "hi");
    EXPECT_EQ(j.at("encoding"), "text");
}

TEST(cli_output, binary_value_is_base64_and_flagged) {
    const auto j = boost::json::parse(
                       pair_json(sample_pair(attribute_value::binary(std::string_view("\x00\xff\xfe", 3))),
                                 pair_fields::with_value))
                       .as_object();
    EXPECT_EQ(j.at("value"), "AP/+");
    EXPECT_EQ(j.at("encoding"), "base64");
    EXPECT_TRUE(j.at("expires").is_null());
}

TEST(cli_output, missing_value_is_null_without_encoding) {
    const auto j =
        boost::json::parse(pair_json(sample_pair(std::nullopt), pair_fields::with_value)).as_object();
    EXPECT_TRUE(j.at("value").is_null());
    EXPECT_FALSE(j.contains("encoding"));
}

TEST(cli_output, value_that_is_not_bytes_is_dynamodb_json) {
    attribute_map m;
    m.insert_or_assign("n", attribute_value::number(7));
    m.insert_or_assign("tags", attribute_value::string_set({"a", "b"}));
    const auto j =
        boost::json::parse(pair_json(sample_pair(attribute_value::map(m)), pair_fields::with_value))
            .as_object();
    EXPECT_EQ(j.at("encoding"), "dynamodb");
    EXPECT_EQ(j.at("value"), boost::json::parse(R"({"M":{"n":{"N":"7"},"tags":{"SS":["a","b"]}}})"));
}

TEST(cli_output, metadata_has_no_value) {
    auto p = sample_pair(attribute_value::binary("x"));
    const auto j = boost::json::parse(pair_json(p, pair_fields::metadata)).as_object();
    EXPECT_EQ(j.at("key"), "jobs/1");
    EXPECT_EQ(j.at("version"), 3);
    EXPECT_TRUE(j.at("expires").is_null());
    EXPECT_FALSE(j.contains("value"));
    EXPECT_EQ(j.size(), 3u);
}

TEST(cli_output, every_attribute_type_renders_as_dynamodb_json) {
    attribute_value::list_type list{attribute_value::boolean(true),
                                    attribute_value::null(),
                                    attribute_value::binary(std::string_view("\x01", 1)),
                                    attribute_value::number_set({"1", "2.5"}),
                                    attribute_value::binary_set({"ab"}),
                                    attribute_value::string("s")};
    EXPECT_EQ(boost::json::parse(attribute_json(attribute_value::list(list))),
              boost::json::parse(R"({"L":[{"BOOL":true},{"NULL":true},{"B":"AQ=="},{"NS":["1","2.5"]},)"
                                 R"({"BS":["YWI="]},{"S":"s"}]})"));
}

// ------------------------------------------------------------------------------------------------
// Help

TEST(cli_help, general_help_lists_every_command_and_global_option) {
    const std::string text = general_help(test_commands);
    for (const auto& c : test_commands) {
        EXPECT_NE(text.find(c.name), std::string::npos) << c.name;
        EXPECT_NE(text.find(c.summary), std::string::npos) << c.summary;
    }
    for (const auto& o : global_option_specs())
        EXPECT_NE(text.find("--" + std::string(o.name)), std::string::npos) << o.name;
    EXPECT_NE(text.find("64"), std::string::npos);
}

TEST(cli_help, command_help_shows_usage_and_its_options) {
    const std::string text = command_help(test_commands[0]);
    EXPECT_NE(text.find("dynalock [OPTIONS] put KEY [VALUE | -]"), std::string::npos) << text;
    for (const auto& o : put_options) {
        EXPECT_NE(text.find("--" + std::string(o.name)), std::string::npos) << o.name;
        EXPECT_NE(text.find(o.description), std::string::npos) << o.description;
    }
}

TEST(cli_help, version_names_the_tool) {
    EXPECT_EQ(version_text().rfind("dynalock ", 0), 0u);
    EXPECT_EQ(version_text().back(), '\n');
}

} // namespace
