// SPDX-License-Identifier: BSL-1.0
// The `dynalock` tool's standard streams: values in and out as raw bytes, errors out as one line each.
#ifndef DYNALOCK_CLI_CONSOLE_HPP
#define DYNALOCK_CLI_CONSOLE_HPP

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace dynalock::cli {

/// Reads standard input to its end, as bytes. Reads at most `limit` + 1 bytes, so that an endless stream
/// cannot exhaust memory: a result longer than `limit` means the input was too long. nullopt on a read
/// error, with `error` saying why.
std::optional<std::string> read_stdin(std::size_t limit, std::string& error);

/// Writes bytes to standard output and flushes. False on a write error, with `error` saying why.
bool write_stdout(std::string_view bytes, std::string& error);

/// Prints "dynalock: <context>: <message>" to standard error as one line (see one_line).
void print_error(std::string_view context, std::string_view message);

} // namespace dynalock::cli

#endif
