// Runs a program of the project (the CLI, the examples) as a child process, as a shell would.
#pragma once

#include <map>
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

} // namespace dynalock::test
