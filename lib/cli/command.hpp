// SPDX-License-Identifier: BSL-1.0
// The `dynalock` tool's command table. A command is its specification (name, arguments, options, help)
// and a coroutine that runs it and returns the exit status. Each group of commands lives in its own file
// (commands_kv.cpp, commands_lock.cpp) and commands.cpp lists the groups.
#ifndef DYNALOCK_CLI_COMMAND_HPP
#define DYNALOCK_CLI_COMMAND_HPP

#include <dynalock/client.hpp>
#include <dynalock/store.hpp>

#include "args.hpp"

#include <boost/asio/awaitable.hpp>

#include <span>
#include <string>
#include <string_view>

namespace dynalock::cli {

/// What a command runs with: its parsed command line, and a client and a store already configured from
/// the global options (table, partition, endpoint, region, ...).
struct command_context {
    const invocation& args;
    client& db;
    store& kv;
};

/// Runs a command; completes with the process exit status (see exit_status.hpp). Errors are printed
/// by the command itself, to stderr, as one line.
using command_handler = boost::asio::awaitable<int> (*)(command_context& ctx);

struct command {
    command_spec spec;
    command_handler run;
};

// Helpers every command group uses (commands.cpp).

/// `s` between single quotes, for messages.
std::string single_quoted(std::string_view s);
/// A usage error found after parsing (a bad option value): printed with a pointer to the command's
/// help; returns exit status 64.
int usage_error(std::string_view command, std::string message);
/// Prints to stdout; exit status 0, or 74 when stdout cannot be written.
int print(const command_context& ctx, std::string_view text);
/// Whether --output json was asked for.
bool json_output(const command_context& ctx) noexcept;

/// The key/value commands: create-table, put, get, exists, ls, rm (commands_kv.cpp).
std::span<const command> kv_commands() noexcept;

/// The lock commands: lock, locks, lock-info (commands_lock.cpp).
std::span<const command> lock_commands() noexcept;

/// Every command of the tool, in the order help lists them (commands.cpp).
std::span<const command> all_commands();

} // namespace dynalock::cli

#endif
