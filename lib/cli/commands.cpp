// SPDX-License-Identifier: BSL-1.0
// The command table: every group of commands, in the order help lists them, and the helpers the groups
// share.
#include "command.hpp"
#include "console.hpp"
#include "exit_status.hpp"

#include <vector>

namespace dynalock::cli {

std::span<const command> all_commands() {
    static const std::vector<command> commands = [] {
        std::vector<command> all;
        for (auto group : {kv_commands(), lock_commands()})
            all.insert(all.end(), group.begin(), group.end());
        return all;
    }();
    return commands;
}

std::string single_quoted(std::string_view s) {
    std::string out = "'";
    out += s;
    out += '\'';
    return out;
}

int usage_error(std::string_view command, std::string message) {
    print_error(command, message + " (see 'dynalock " + std::string(command) + " --help')");
    return exit_status::usage;
}

int print(const command_context& ctx, std::string_view text) {
    std::string error;
    if (write_stdout(text, error))
        return exit_status::success;
    print_error(ctx.args.command->name, error);
    return exit_status::io_error;
}

bool json_output(const command_context& ctx) noexcept {
    return ctx.args.globals.output == output_format::json;
}

} // namespace dynalock::cli
