// SPDX-License-Identifier: BSL-1.0
// The command line of the `dynalock` tool: option and command specifications, the parser that turns argv
// into an invocation, and the parsers of option values (durations, counts). Plain code: no I/O, no Asio,
// so every rule is unit-tested (test/unit/cli_args_test.cpp).
#ifndef DYNALOCK_CLI_ARGS_HPP
#define DYNALOCK_CLI_ARGS_HPP

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace dynalock::cli {

/// One option a command (or the tool itself) accepts: `--name`, `--name VALUE` or `--name=VALUE`, and
/// optionally a one-letter form `-x` / `-x VALUE`.
struct option_spec {
    std::string_view name;          ///< the long name, without the dashes: "ttl"
    char short_name = 0;            ///< 0: none
    std::string_view value_name{};  ///< empty: a flag; otherwise it takes a value, shown as this in help
    std::string_view description{}; ///< one line for --help

    bool takes_value() const noexcept { return !value_name.empty(); }
};

/// One command: its name, what it takes, and its own options (the global ones are accepted as well).
struct command_spec {
    std::string_view name;      ///< "put"
    std::string_view arguments; ///< positional arguments for usage lines: "KEY [VALUE | -]"
    std::string_view summary;   ///< one line for the command list
    std::string_view details{}; ///< more lines for `dynalock CMD --help` (may be empty)
    std::span<const option_spec> options{};
    std::size_t min_arguments = 0;
    std::size_t max_arguments = 0;
    /// The command runs another program (`lock KEY -- CMD ARGS...`): once its own arguments are there
    /// (min_arguments), `--` ends the tool's command line and everything after it is that program and its
    /// arguments, kept as they are (invocation::child_command).
    bool runs_command = false;
};

enum class output_format { text, json };

/// The options every command accepts, after defaults were applied.
struct global_options {
    std::string endpoint{};  ///< empty: the client resolves it (AWS_ENDPOINT_URL..., profile, region)
    std::string region{};    ///< empty: the client resolves it (AWS_REGION, profile)
    std::string profile{};   ///< empty: AWS_PROFILE, then "default"
    std::string ca_file{};   ///< extra trusted CA certificates (PEM)
    std::string table{};     ///< --table, else DYNALOCK_TABLE, else "dynalock"
    std::string partition{}; ///< --partition, else "default"
    output_format output = output_format::text;
    std::optional<std::chrono::milliseconds> timeout{}; ///< bounds each operation; empty: the client's
    bool allow_insecure_http = false;
};

/// The global options, as written in help.
std::span<const option_spec> global_option_specs() noexcept;

/// The options given to a command (its own, not the global ones), in the order they were written.
class option_values {
public:
    /// Whether the option was given (any number of times).
    bool has(std::string_view name) const noexcept;
    /// The value given last to an option that takes one; null when it was not given.
    const std::string* value(std::string_view name) const noexcept;

    void add(std::string_view name, std::string value);

private:
    std::vector<std::pair<std::string_view, std::string>> given_;
};

/// What the command line asks for.
struct invocation {
    bool help = false;    ///< --help, -h or `help [COMMAND]`: show help (of `command` when set)
    bool version = false; ///< --version
    /// The command to run (or whose help to show); null with `help` for the general help.
    const command_spec* command = nullptr;
    global_options globals{};
    option_values options{};              ///< the command's own options
    std::vector<std::string> arguments{}; ///< the command's positional arguments
    /// The program to run and its arguments, after `--` (commands that run one); empty when not given.
    std::vector<std::string> child_command{};
};

/// Reads an environment variable: its value, or nullopt when it is not set.
using environment_reader = std::function<std::optional<std::string>(std::string_view)>;

/// The outcome of a parse: a value, or a one-line message saying what is wrong with the input.
template <class T>
struct parse_result {
    std::optional<T> value{};
    std::string error{};

    explicit operator bool() const noexcept { return value.has_value(); }
    static parse_result failure(std::string message) {
        parse_result r;
        r.error = std::move(message);
        return r;
    }
};

/// Parses the arguments after the program name.
///
/// Global options may come before or after the command name. `--` ends the options (what follows is
/// positional, even when it starts with a dash); a lone `-` is positional. For a command that runs
/// another program, a `--` after the command's required arguments starts that program's command line
/// instead, which must not be empty. `--help` stops the parse at once, so `dynalock put --help` works
/// without a key. Anything the command line gets wrong (unknown command or option, a missing or invalid
/// value, too few or too many arguments) is an error whose message names the culprit. `env` supplies
/// DYNALOCK_TABLE (empty: the process environment).
parse_result<invocation> parse_command_line(std::span<const std::string_view> args,
                                            std::span<const command_spec> commands,
                                            const environment_reader& env = {});

/// A duration: one or more `<number><unit>` terms, units `ms`, `s`, `m`, `h`, a number being decimal
/// digits with an optional fraction ("1.5s", "1m30s", "250ms"); or "0". Whole milliseconds only:
/// "0.5ms" is refused rather than rounded. nullopt when malformed or beyond the range of int64 ms.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept;

/// A decimal integer in [min, max]: digits only (no sign, no spaces). nullopt otherwise.
std::optional<std::int64_t> parse_integer(std::string_view text, std::int64_t min, std::int64_t max) noexcept;

} // namespace dynalock::cli

#endif
