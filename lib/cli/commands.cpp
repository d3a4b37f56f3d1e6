// The command table: every group of commands, in the order help lists them.
#include "command.hpp"

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

} // namespace dynalock::cli
