// SPDX-License-Identifier: BSL-1.0
// The `dynalock` tool's --help and --version texts, built from the command and option specifications so
// they cannot drift from what the parser accepts.
#ifndef DYNALOCK_CLI_HELP_HPP
#define DYNALOCK_CLI_HELP_HPP

#include "args.hpp"

#include <span>
#include <string>

namespace dynalock::cli {

/// `dynalock --help`: usage, every command with its summary, the global options, the exit statuses.
std::string general_help(std::span<const command_spec> commands);

/// `dynalock COMMAND --help`: its usage line, description and options.
std::string command_help(const command_spec& command);

/// `dynalock --version`: "dynalock X.Y.Z".
std::string version_text();

} // namespace dynalock::cli

#endif
