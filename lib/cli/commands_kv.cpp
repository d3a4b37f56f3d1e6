// SPDX-License-Identifier: BSL-1.0
// The key/value commands of the `dynalock` tool: create-table, put, get, exists, ls, rm.
#include "command.hpp"
#include "console.hpp"
#include "exit_status.hpp"
#include "output.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>

#include <algorithm>
#include <array>
#include <limits>
#include <optional>
#include <string>
#include <string_view>

namespace dynalock::cli {

namespace {

namespace asio = boost::asio;
namespace json = boost::json;

constexpr auto tuple = asio::as_tuple(asio::deferred);

// DynamoDB's item size limit. A value read from stdin larger than this can never be stored, so reading
// stops there instead of buffering an endless stream; the store checks the exact item size.
constexpr std::size_t max_value_bytes = 400 * 1024;

// Keys per request while listing: pages are printed as they arrive, so `ls | head` answers at once.
constexpr std::size_t list_page_size = 1000;

constexpr std::int64_t max_int64 = std::numeric_limits<std::int64_t>::max();

constexpr option_spec eventual_option{
    "eventual", 0, {}, "eventually consistent read: cheaper, may miss recent writes"};

constexpr std::array create_table_options{
    option_spec{"if-not-exists", 0, {}, "succeed if the table already exists with the same key schema"},
    option_spec{"no-ttl", 0, {}, "do not enable DynamoDB TTL on the expiry attribute"},
};
constexpr std::array put_options{
    option_spec{"ttl", 0, "DUR", "the pair expires after this long (default: never)"},
    option_spec{"if-absent", 0, {}, "write only if the key is absent or expired, else exit 1"},
    option_spec{"if-version", 0, "N", "write only if the pair is at version N, else exit 1"},
};
constexpr std::array get_options{eventual_option};
constexpr std::array exists_options{eventual_option};
constexpr std::array ls_options{
    option_spec{"limit", 0, "N", "list at most N keys"},
    eventual_option,
};
constexpr std::array rm_options{
    option_spec{"if-version", 0, "N", "delete only if the pair is at version N, else exit 1"},
};

// Prints what went wrong and returns the exit status for it. `expected_version` is the version a
// compare-and-swap asked for, to say which version did not match.
int report_failure(const command_context& ctx, std::string_view key, const error_code& ec,
                   const diagnostics& diag, std::optional<std::int64_t> expected_version = std::nullopt) {
    const std::string_view command = ctx.args.command->name;
    std::string message;
    if (ec == errc::key_not_found) {
        message = "key " + single_quoted(key) + " not found";
    } else if (ec == errc::key_exists) {
        message = "key " + single_quoted(key) + " already exists";
    } else if (ec == errc::version_mismatch) {
        message = "key " + single_quoted(key) + " is not at version " +
                  (expected_version ? std::to_string(*expected_version) : std::string("expected"));
    } else if (ec == service_errc::resource_not_found) {
        message = "table " + single_quoted(ctx.kv.table()) + " does not exist or is not active (create it with " +
                  "'dynalock create-table')";
    } else {
        message = describe_failure(ec, diag);
        // Say where the tool went, unless the client already did (a refused connection names it).
        if (exit_status_for(ec) == exit_status::unavailable && diag.client_message.empty())
            message += " [endpoint " + ctx.db.endpoint_url() + "]";
    }
    print_error(command, message);
    return exit_status_for(ec);
}

// --if-version N: a version the store can have (versions start at 1).
parse_result<std::int64_t> version_option(const command_context& ctx) {
    const std::string* text = ctx.args.options.value("if-version");
    if (text == nullptr)
        return {};
    auto n = parse_integer(*text, 1, max_int64);
    if (!n)
        return parse_result<std::int64_t>::failure("invalid --if-version " + single_quoted(*text) +
                                                   ": expected a version number (1 or more)");
    return {n, {}};
}

std::string_view status_name(table_status s) noexcept {
    switch (s) {
    case table_status::creating:
        return "CREATING";
    case table_status::updating:
        return "UPDATING";
    case table_status::deleting:
        return "DELETING";
    case table_status::active:
        return "ACTIVE";
    case table_status::inaccessible_encryption_credentials:
        return "INACCESSIBLE_ENCRYPTION_CREDENTIALS";
    case table_status::archiving:
        return "ARCHIVING";
    case table_status::archived:
        return "ARCHIVED";
    case table_status::replication_not_authorized:
        return "REPLICATION_NOT_AUTHORIZED";
    case table_status::unknown:
        break;
    }
    return "UNKNOWN";
}

std::string_view ttl_name(time_to_live_status s) noexcept {
    switch (s) {
    case time_to_live_status::enabling:
        return "ENABLING";
    case time_to_live_status::disabling:
        return "DISABLING";
    case time_to_live_status::enabled:
        return "ENABLED";
    case time_to_live_status::disabled:
        return "DISABLED";
    case time_to_live_status::unknown:
        break;
    }
    return "UNKNOWN";
}

// What create-table prints about the table it created (or found).
int print_table_info(const command_context& ctx, const table_info& info) {
    const bool ttl_on = info.time_to_live == time_to_live_status::enabled ||
                        info.time_to_live == time_to_live_status::enabling;
    if (json_output(ctx)) {
        json::object o;
        o.emplace("table", ctx.kv.table());
        o.emplace("created", info.created);
        o.emplace("status", status_name(info.table.table_status));
        o.emplace("ttl", ttl_name(info.time_to_live));
        if (info.time_to_live_attribute)
            o.emplace("ttl_attribute", *info.time_to_live_attribute);
        else
            o.emplace("ttl_attribute", nullptr);
        return print(ctx, json::serialize(o) + "\n");
    }
    std::string line =
        "table " + single_quoted(ctx.kv.table()) + (info.created ? " created, " : " already exists, ");
    line += status_name(info.table.table_status);
    if (ttl_on)
        line += "; TTL on " + single_quoted(info.time_to_live_attribute.value_or(ctx.kv.options().schema.expires));
    else if (!ctx.args.options.has("no-ttl"))
        line += "; TTL not enabled (not supported by this server)";
    return print(ctx, one_line(line) + "\n");
}

asio::awaitable<int> run_create_table(command_context& ctx) {
    table_options options;
    options.if_not_exists = ctx.args.options.has("if-not-exists");
    options.enable_time_to_live = !ctx.args.options.has("no-ttl");
    if (ctx.args.globals.timeout)
        options.wait_timeout = *ctx.args.globals.timeout;
    diagnostics diag;
    auto [ec, info] = co_await ctx.kv.async_create_table(std::move(options), diag, tuple);
    if (ec == service_errc::resource_in_use) {
        print_error(ctx.args.command->name,
                    "table " + single_quoted(ctx.kv.table()) + " already exists (use --if-not-exists to accept it)");
        co_return exit_status::no;
    }
    if (ec)
        co_return report_failure(ctx, {}, ec, diag);

    co_return print_table_info(ctx, info);
}

asio::awaitable<int> run_put(command_context& ctx) {
    const std::string_view command = ctx.args.command->name;
    const std::string& key = ctx.args.arguments[0];
    write_options options;

    // Every option is checked before stdin is read, so a mistake never waits for input.
    if (const std::string* ttl = ctx.args.options.value("ttl")) {
        auto d = parse_duration(*ttl);
        if (!d || d->count() <= 0)
            co_return usage_error(command, "invalid --ttl " + single_quoted(*ttl) +
                                               ": expected a positive duration such as 500ms, 10s, 5m or 1h");
        options.ttl = *d;
    }
    const bool if_absent = ctx.args.options.has("if-absent");
    auto version = version_option(ctx);
    if (!version.error.empty())
        co_return usage_error(command, version.error);
    if (if_absent && version)
        co_return usage_error(command, "--if-absent and --if-version cannot be used together");
    options.previous_version = version.value;

    const bool from_stdin = ctx.args.arguments.size() < 2 || ctx.args.arguments[1] == "-";
    if (from_stdin) {
        std::string error;
        auto data = read_stdin(max_value_bytes, error);
        if (!data) {
            print_error(command, error);
            co_return exit_status::io_error;
        }
        if (data->size() > max_value_bytes) {
            print_error(command, "the value on standard input is larger than DynamoDB's 400 KB item limit");
            co_return exit_status::usage;
        }
        options.bytes = std::move(*data);
    } else {
        options.bytes = ctx.args.arguments[1];
    }

    diagnostics diag;
    error_code ec;
    kv_pair written;
    if (if_absent || version) {
        std::tie(ec, written) = co_await ctx.kv.async_atomic_put(key, std::move(options), diag, tuple);
    } else {
        std::tie(ec, written) = co_await ctx.kv.async_put(key, std::move(options), diag, tuple);
    }
    if (ec)
        co_return report_failure(ctx, key, ec, diag, version.value);
    if (json_output(ctx))
        co_return print(ctx, pair_json(written, pair_fields::metadata) + "\n");
    co_return exit_status::success;
}

asio::awaitable<int> run_get(command_context& ctx) {
    const std::string& key = ctx.args.arguments[0];
    read_options options;
    options.consistent_read = !ctx.args.options.has("eventual");
    diagnostics diag;
    auto [ec, pair] = co_await ctx.kv.async_get(key, std::move(options), diag, tuple);
    if (ec)
        co_return report_failure(ctx, key, ec, diag);
    if (json_output(ctx))
        co_return print(ctx, pair_json(pair, pair_fields::with_value) + "\n");
    if (!pair.value)
        co_return exit_status::success;
    if (auto bytes = pair.bytes())
        co_return print(ctx, *bytes);
    // Not bytes (a map, a number, ... written by another program): show it as DynamoDB JSON.
    co_return print(ctx, attribute_json(*pair.value) + "\n");
}

asio::awaitable<int> run_exists(command_context& ctx) {
    const std::string& key = ctx.args.arguments[0];
    read_options options;
    options.consistent_read = !ctx.args.options.has("eventual");
    diagnostics diag;
    auto [ec, found] = co_await ctx.kv.async_exists(key, std::move(options), diag, tuple);
    if (ec)
        co_return report_failure(ctx, key, ec, diag);
    if (json_output(ctx)) {
        json::object o;
        o.emplace("key", key);
        o.emplace("exists", found);
        const int status = print(ctx, json::serialize(o) + "\n");
        if (status != exit_status::success)
            co_return status;
    }
    co_return found ? exit_status::success : exit_status::no;
}

asio::awaitable<int> run_ls(command_context& ctx) {
    std::size_t limit = 0; // 0: all
    if (const std::string* text = ctx.args.options.value("limit")) {
        auto n = parse_integer(*text, 1, max_int64);
        if (!n)
            co_return usage_error(ctx.args.command->name,
                                  "invalid --limit " + single_quoted(*text) + ": expected a number (1 or more)");
        limit = static_cast<std::size_t>(*n);
    }
    list_options options;
    if (!ctx.args.arguments.empty())
        options.prefix = ctx.args.arguments[0];
    options.consistent_read = !ctx.args.options.has("eventual");

    const bool json = json_output(ctx);
    std::size_t listed = 0;
    std::string out;
    do {
        options.limit = limit == 0 ? list_page_size : std::min(list_page_size, limit - listed);
        diagnostics diag;
        auto [ec, page] = co_await ctx.kv.async_list_page(options, diag, tuple);
        if (ec)
            co_return report_failure(ctx, options.prefix, ec, diag);
        out.clear();
        for (const auto& pair : page.items) {
            if (json)
                out += pair_json(pair, pair_fields::metadata);
            else
                out += pair.key;
            out += '\n';
        }
        listed += page.items.size();
        if (int status = print(ctx, out); status != exit_status::success)
            co_return status;
        options.page_token = std::move(page.next_page_token);
    } while (!options.page_token.empty() && (limit == 0 || listed < limit));
    co_return exit_status::success;
}

asio::awaitable<int> run_rm(command_context& ctx) {
    const std::string& key = ctx.args.arguments[0];
    auto version = version_option(ctx);
    if (!version.error.empty())
        co_return usage_error(ctx.args.command->name, version.error);
    diagnostics diag;
    error_code ec;
    if (version) {
        std::tie(ec) = co_await ctx.kv.async_atomic_delete(key, version.value, diag, tuple);
    } else {
        std::tie(ec) = co_await ctx.kv.async_remove(key, diag, tuple);
    }
    if (ec)
        co_return report_failure(ctx, key, ec, diag, version.value);
    if (json_output(ctx)) {
        json::object o;
        o.emplace("key", key);
        o.emplace("deleted", true);
        co_return print(ctx, json::serialize(o) + "\n");
    }
    co_return exit_status::success;
}

const std::array commands{
    command{{.name = "create-table",
             .arguments = "",
             .summary = "create the table (TTL enabled where supported) and wait until it is active",
             .details =
                 "The key schema is the Go dynalock's: partition key 'id', sort key 'name' (both strings),\n"
                 "on-demand billing. An existing table is exit status 1 unless --if-not-exists.",
             .options = create_table_options,
             .min_arguments = 0,
             .max_arguments = 0},
            &run_create_table},
    command{{.name = "put",
             .arguments = "KEY [VALUE | -]",
             .summary = "write a value (from stdin when VALUE is '-' or missing)",
             .details =
                 "Prints nothing (with --output json: key, version, expires). Without --ttl the pair\n"
                 "never expires. With --if-absent or --if-version, exit status 1 when the condition is\n"
                 "false.",
             .options = put_options,
             .min_arguments = 1,
             .max_arguments = 2},
            &run_put},
    command{{.name = "get",
             .arguments = "KEY",
             .summary = "print the value's bytes to stdout (exit 1 if not found)",
             .details =
                 "The bytes are written as they are, without a newline. With --output json: key, value\n"
                 "(text, or base64 when not UTF-8, see 'encoding'), version, expires.",
             .options = get_options,
             .min_arguments = 1,
             .max_arguments = 1},
            &run_get},
    command{{.name = "exists",
             .arguments = "KEY",
             .summary = "exit 0 if the key is present, 1 if not",
             .details = "Prints nothing (with --output json: key, exists). An expired pair is absent.",
             .options = exists_options,
             .min_arguments = 1,
             .max_arguments = 1},
            &run_exists},
    command{{.name = "ls",
             .arguments = "[PREFIX]",
             .summary = "list the keys (that start with PREFIX), one per line",
             .details = "In key order. With --output json: one object per key with key, version, expires.",
             .options = ls_options,
             .min_arguments = 0,
             .max_arguments = 1},
            &run_ls},
    command{{.name = "rm",
             .arguments = "KEY",
             .summary = "delete a key (a missing key is not an error, unless --if-version)",
             .details = "With --if-version N, exit status 1 when the key is missing or at another version.",
             .options = rm_options,
             .min_arguments = 1,
             .max_arguments = 1},
            &run_rm},
};

} // namespace

std::span<const command> kv_commands() noexcept {
    return commands;
}

} // namespace dynalock::cli
