// SPDX-License-Identifier: BSL-1.0
// credential_process, sans-io: word splitting as a POSIX shell does it (without any expansion), the JSON
// the command prints, and the wording of failures (never the output, which holds the secret).
#include <dynalock/error.hpp>

#include "core/credentials/process_command.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <string>
#include <vector>

namespace {

using namespace dynalock;
using namespace dynalock::core::process;
using words = std::vector<std::string>;

words split_ok(std::string_view line) {
    std::string message;
    auto r = split_command_line(line, message);
    EXPECT_TRUE(r.has_value()) << message;
    return r ? *r : words{};
}

error_code split_error(std::string_view line, std::string& message) {
    auto r = split_command_line(line, message);
    EXPECT_FALSE(r.has_value());
    return r ? error_code{} : r.error();
}

// ---- splitting ----

TEST(process_split, blanks_separate_words) {
    EXPECT_EQ(split_ok("aws-vault export  --format=json\tprod\n"),
              (words{"aws-vault", "export", "--format=json", "prod"}));
    EXPECT_EQ(split_ok("   /usr/bin/tool   "), (words{"/usr/bin/tool"}));
}

TEST(process_split, single_quotes_keep_everything) {
    EXPECT_EQ(split_ok(R"(cmd 'a b' 'x"y' 'back\slash' '$HOME')"),
              (words{"cmd", "a b", "x\"y", "back\\slash", "$HOME"}));
}

TEST(process_split, double_quotes_escape_only_four_characters) {
    EXPECT_EQ(split_ok(R"(cmd "a b" "q\"q" "d\$x" "b\`t" "s\\s" "keep\n\x")"),
              (words{"cmd", "a b", "q\"q", "d$x", "b`t", "s\\s", "keep\\n\\x"}));
}

TEST(process_split, backslash_outside_quotes_escapes_the_next_character) {
    EXPECT_EQ(split_ok(R"(cmd a\ b \'x \"y \\z)"), (words{"cmd", "a b", "'x", "\"y", "\\z"}));
}

TEST(process_split, line_continuations_vanish) {
    EXPECT_EQ(split_ok("cmd ab\\\ncd \"ef\\\ngh\""), (words{"cmd", "abcd", "efgh"}));
}

TEST(process_split, quotes_join_adjacent_parts_and_empty_quotes_are_words) {
    EXPECT_EQ(split_ok(R"(cmd pre'mid'"post" "" '')"), (words{"cmd", "premidpost", "", ""}));
}

TEST(process_split, nothing_is_expanded) {
    EXPECT_EQ(split_ok("cmd $HOME ~ * ; | > `x` $(y) #c"),
              (words{"cmd", "$HOME", "~", "*", ";", "|", ">", "`x`", "$(y)", "#c"}));
}

TEST(process_split, unbalanced_quotes_are_invalid_without_quoting_the_line) {
    std::string message;
    EXPECT_EQ(split_error("cmd 'secret-arg", message), make_error_code(errc::invalid_argument));
    EXPECT_NE(message.find("single quote"), std::string::npos) << message;
    EXPECT_EQ(message.find("secret-arg"), std::string::npos) << message;
    EXPECT_EQ(split_error("cmd \"secret-arg", message), make_error_code(errc::invalid_argument));
    EXPECT_NE(message.find("double quote"), std::string::npos) << message;
    EXPECT_EQ(split_error("cmd \"a\\\"", message), make_error_code(errc::invalid_argument));
    EXPECT_EQ(split_error("cmd trailing\\", message), make_error_code(errc::invalid_argument));
    EXPECT_NE(message.find("backslash"), std::string::npos) << message;
}

TEST(process_split, empty_command_is_invalid) {
    std::string message;
    EXPECT_EQ(split_error("", message), make_error_code(errc::invalid_argument));
    EXPECT_EQ(split_error(" \t\n ", message), make_error_code(errc::invalid_argument));
    EXPECT_NE(message.find("empty"), std::string::npos) << message;
}

// ---- output ----

TEST(process_output, full_credentials) {
    std::string message;
    auto r = parse_output(R"({"Version": 1, "AccessKeyId": "AKID", "SecretAccessKey": "SECRET",
                              "SessionToken": "TOKEN", "Expiration": "2030-01-02T03:04:05Z"})",
                          message);
    ASSERT_TRUE(r.has_value()) << message;
    EXPECT_EQ(r->access_key_id, "AKID");
    EXPECT_EQ(r->secret_access_key, "SECRET");
    EXPECT_EQ(r->session_token, "TOKEN");
    ASSERT_TRUE(r->expiration.has_value());
    using namespace std::chrono;
    EXPECT_EQ(*r->expiration, sys_days{year{2030} / 1 / 2} + hours{3} + minutes{4} + seconds{5});
}

TEST(process_output, long_term_keys_need_no_token_or_expiration) {
    std::string message;
    auto r = parse_output(R"({"Version":1,"AccessKeyId":"AKID","SecretAccessKey":"SECRET"})", message);
    ASSERT_TRUE(r.has_value()) << message;
    EXPECT_TRUE(r->session_token.empty());
    EXPECT_FALSE(r->expiration.has_value());
    // null is "absent", as botocore's .get() sees it
    r = parse_output(R"({"Version":1,"AccessKeyId":"A","SecretAccessKey":"S","SessionToken":null})", message);
    ASSERT_TRUE(r.has_value()) << message;
}

struct bad_output {
    std::string_view output;
    std::string_view expected_in_message;
};

class process_output_bad : public testing::TestWithParam<bad_output> {};

TEST_P(process_output_bad, is_process_failed_without_quoting_the_output) {
    std::string message;
    auto r = parse_output(GetParam().output, message);
    ASSERT_FALSE(r.has_value());
    EXPECT_EQ(r.error(), make_error_code(errc::credentials_process_failed));
    EXPECT_NE(message.find(GetParam().expected_in_message), std::string::npos) << message;
    for (std::string_view secret : {"SECRETVALUE", "TOKENVALUE", "AKIDVALUE"})
        EXPECT_EQ(message.find(secret), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    cases, process_output_bad,
    testing::Values(
        bad_output{"SECRETVALUE not json", "not JSON"}, bad_output{R"(["SECRETVALUE"])", "not an object"},
        bad_output{R"({"AccessKeyId":"AKIDVALUE","SecretAccessKey":"SECRETVALUE"})", "without Version"},
        bad_output{R"({"Version":2,"AccessKeyId":"AKIDVALUE","SecretAccessKey":"SECRETVALUE"})", "Version 2"},
        bad_output{R"({"Version":"1","AccessKeyId":"AKIDVALUE","SecretAccessKey":"SECRETVALUE"})",
                   "number 1"},
        bad_output{R"({"Version":1,"SecretAccessKey":"SECRETVALUE"})", "without AccessKeyId"},
        bad_output{R"({"Version":1,"AccessKeyId":"AKIDVALUE"})", "without SecretAccessKey"},
        bad_output{R"({"Version":1,"AccessKeyId":"AKIDVALUE","SecretAccessKey":""})",
                   "empty SecretAccessKey"},
        bad_output{R"({"Version":1,"AccessKeyId":"AKIDVALUE","SecretAccessKey":7})", "not a string"},
        bad_output{R"({"Version":1,"AccessKeyId":"AKIDVALUE","SecretAccessKey":"SECRETVALUE",
                      "SessionToken":"TOKENVALUE","Expiration":"tomorrow SECRETVALUE"})",
                   "Expiration"},
        bad_output{R"({"Version":1,"AccessKeyId":"AKIDVALUE","SecretAccessKey":"SECRETVALUE",
                      "SessionToken":["TOKENVALUE"]})",
                   "SessionToken"}));

// ---- messages ----

TEST(process_messages, exit_status_and_stderr) {
    EXPECT_EQ(failure_message({false, 3}, "  token expired\nplease log in\n"),
              "credential_process exited with status 3: token expired please log in");
    EXPECT_EQ(failure_message({false, 1}, ""), "credential_process exited with status 1");
    EXPECT_EQ(failure_message({true, SIGKILL}, ""),
              "credential_process was killed by signal " + std::to_string(SIGKILL) + " (SIGKILL)");
}

TEST(process_messages, stderr_is_cut_to_a_kibibyte_and_made_printable) {
    std::string err(5000, 'e');
    auto shown = printable_stderr(err);
    EXPECT_EQ(shown, std::string(1024, 'e') + "...");
    EXPECT_EQ(printable_stderr("a\x1b[31mred\x07\r\n\tb"), "a?[31mred?   b");
    EXPECT_EQ(printable_stderr(std::string(1024, 'x')), std::string(1024, 'x'));
    EXPECT_EQ(printable_stderr("caf\xc3\xa9"), "caf\xc3\xa9");
    EXPECT_EQ(printable_stderr("bad \xff byte"), "bad ? byte");
}

} // namespace
