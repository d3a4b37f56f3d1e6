// SPDX-License-Identifier: BSL-1.0
// Runs a program of the project (the CLI, the examples) as a child process, as a shell would.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dynalock::test {

struct process_result {
    int status = -1; // the exit status, or 128 + signal
    std::string out;
    std::string err;
};

using env_map = std::map<std::string, std::string>;

// Runs `program` with `args` and exactly the environment `env`, feeds `input` to its stdin, and
// collects stdout (or sends it to the file `stdout_file`) and stderr. A program that does not finish
// within 120 s is killed. Failures to start are reported as test failures.
process_result run_program(const char* program, const std::vector<std::string>& args, std::string_view input,
                           const env_map& env, const char* stdout_file = nullptr);

// A child started by spawn_program: it runs on while the test talks to it.
struct spawned_program {
    pid_t pid = -1;  // -1 when it could not start (a test failure has been reported)
    int out_fd = -1; // the read end of its stdout; the caller closes it
};

// Starts `program` with `args` and exactly the environment `env` (stdin empty, stderr inherited, stdout
// a pipe), and returns at once. The caller must reap it with wait_for_exit.
spawned_program spawn_program(const char* program, const std::vector<std::string>& args, const env_map& env);

// One line from `fd` without its newline; nullopt at end of file or when `timeout` passes first.
std::optional<std::string> read_line(int fd, std::chrono::milliseconds timeout);

// The exit status of child `pid` (or 128 + signal). When it is still running after `timeout`, it is
// killed, reaped, and the result is nullopt.
std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout);

} // namespace dynalock::test
