// SPDX-License-Identifier: BSL-1.0
// The `dynalock` command-line tool: parses the command line, configures a client and a store from the
// global options, and runs the command on an io_context. See docs/cli.md.
#include "command.hpp"
#include "console.hpp"
#include "exit_status.hpp"
#include "help.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <algorithm>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace dynalock;
using namespace dynalock::cli;

client_options client_options_for(const global_options& g) {
    client_options o;
    o.endpoint = g.endpoint;
    o.region = g.region;
    o.profile = g.profile;
    o.ca_file = g.ca_file;
    o.allow_insecure_http = g.allow_insecure_http;
    if (g.timeout) {
        o.operation_timeout = *g.timeout;
        o.attempt_timeout = std::min(o.attempt_timeout, *g.timeout);
    }
    return o;
}

int run(int argc, char** argv) {
    const std::vector<std::string_view> args(argv + 1, argv + argc);
    const auto commands = all_commands();
    std::vector<command_spec> specs;
    specs.reserve(commands.size());
    for (const auto& c : commands)
        specs.push_back(c.spec);

    auto parsed = parse_command_line(args, specs);
    if (!parsed) {
        print_error({}, parsed.error);
        return exit_status::usage;
    }
    const invocation& inv = *parsed.value;
    std::string error;
    if (inv.version || inv.help) {
        const std::string text = inv.version   ? version_text()
                                 : inv.command ? command_help(*inv.command)
                                               : general_help(specs);
        if (write_stdout(text, error))
            return exit_status::success;
        print_error({}, error);
        return exit_status::io_error;
    }
    const command& cmd = commands[static_cast<std::size_t>(inv.command - specs.data())];

    asio::io_context ioc;
    client db(ioc, client_options_for(inv.globals));
    if (auto ec = db.configuration_error(&error)) {
        diagnostics diag;
        diag.client_message = std::move(error);
        print_error(cmd.spec.name, describe_failure(ec, diag));
        return exit_status_for(ec);
    }
    store kv(db, inv.globals.table, inv.globals.partition);
    if (auto ec = kv.configuration_error(&error)) {
        diagnostics diag;
        diag.client_message = std::move(error);
        print_error(cmd.spec.name, describe_failure(ec, diag));
        return exit_status_for(ec);
    }

    command_context ctx{inv, db, kv};
    int status = exit_status::software;
    asio::co_spawn(ioc, cmd.run(ctx), [&](std::exception_ptr ep, int result) {
        // Idle keep-alive connections would otherwise keep the io_context running.
        db.shutdown();
        if (!ep) {
            status = result;
            return;
        }
        try {
            std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            print_error(cmd.spec.name, std::string("internal error: ") + e.what());
        } catch (...) {
            print_error(cmd.spec.name, "internal error");
        }
    });
    ioc.run();
    return status;
}

} // namespace

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        print_error({}, std::string("internal error: ") + e.what());
        return exit_status::software;
    } catch (...) {
        print_error({}, "internal error");
        return exit_status::software;
    }
}
