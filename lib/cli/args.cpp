// SPDX-License-Identifier: BSL-1.0
#include "args.hpp"

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdlib>
#include <limits>

namespace dynalock::cli {

namespace {

constexpr std::array global_specs{
    option_spec{"endpoint", 0, "URL",
                "DynamoDB endpoint (default: AWS_ENDPOINT_URL_DYNAMODB, the profile, "
                "or the region's)"},
    option_spec{"region", 0, "REGION", "AWS region (default: AWS_REGION, AWS_DEFAULT_REGION, the profile)"},
    option_spec{"profile", 0, "NAME",
                "shared config/credentials profile (default: AWS_PROFILE, \"default\")"},
    option_spec{"table", 0, "TABLE", "table name (default: DYNALOCK_TABLE, else \"dynalock\")"},
    option_spec{"partition", 0, "P", "partition value the keys live in (default: \"default\")"},
    option_spec{"output", 'o', "FORMAT", "text (default) or json: one JSON object per result"},
    option_spec{"timeout", 0, "DUR", "give up on each operation after this long (default: 30s)"},
    option_spec{"ca-file", 0, "FILE", "PEM file of CA certificates to trust besides the system's"},
    option_spec{"allow-insecure-http", 0, {}, "allow plain http to a host that is not loopback"},
    option_spec{"help", 'h', {}, "show help (of the command, when one is given) and exit"},
    option_spec{"version", 0, {}, "show the version and exit"},
};

const option_spec* find_long(std::span<const option_spec> specs, std::string_view name) noexcept {
    auto it = std::find_if(specs.begin(), specs.end(), [&](const option_spec& s) { return s.name == name; });
    return it == specs.end() ? nullptr : &*it;
}

const option_spec* find_short(std::span<const option_spec> specs, char c) noexcept {
    auto it =
        std::find_if(specs.begin(), specs.end(), [&](const option_spec& s) { return s.short_name == c; });
    return it == specs.end() ? nullptr : &*it;
}

const command_spec* find_command(std::span<const command_spec> commands, std::string_view name) noexcept {
    auto it =
        std::find_if(commands.begin(), commands.end(), [&](const command_spec& c) { return c.name == name; });
    return it == commands.end() ? nullptr : &*it;
}

std::string quoted(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 2);
    out += '\'';
    out += s;
    out += '\'';
    return out;
}

std::string help_hint(const command_spec* command) {
    if (command == nullptr)
        return " (see 'dynalock --help')";
    std::string hint = " (see 'dynalock ";
    hint += command->name;
    hint += " --help')";
    return hint;
}

bool looks_like_number(std::string_view token) noexcept {
    return token.size() > 1 && token[0] == '-' && ((token[1] >= '0' && token[1] <= '9') || token[1] == '.');
}

// The global options as written, before defaults.
struct raw_globals {
    std::optional<std::string> endpoint, region, profile, ca_file, table, partition, output, timeout;
    bool allow_insecure_http = false;

    std::optional<std::string>* slot(std::string_view name) noexcept {
        if (name == "endpoint")
            return &endpoint;
        if (name == "region")
            return &region;
        if (name == "profile")
            return &profile;
        if (name == "ca-file")
            return &ca_file;
        if (name == "table")
            return &table;
        if (name == "partition")
            return &partition;
        if (name == "output")
            return &output;
        if (name == "timeout")
            return &timeout;
        return nullptr;
    }
};

std::optional<std::string> process_environment(std::string_view name) {
    const std::string key(name);
    const char* value = std::getenv(key.c_str());
    if (value == nullptr)
        return std::nullopt;
    return std::string(value);
}

// Applies the defaults; an error message when a value is invalid.
std::string resolve_globals(raw_globals raw, const environment_reader& env, global_options& out) {
    out.endpoint = raw.endpoint.value_or(std::string());
    out.region = raw.region.value_or(std::string());
    out.profile = raw.profile.value_or(std::string());
    out.ca_file = raw.ca_file.value_or(std::string());
    out.allow_insecure_http = raw.allow_insecure_http;
    if (raw.table) {
        out.table = std::move(*raw.table);
    } else {
        auto from_env = env ? env("DYNALOCK_TABLE") : process_environment("DYNALOCK_TABLE");
        out.table = from_env && !from_env->empty() ? std::move(*from_env) : std::string("dynalock");
    }
    out.partition = raw.partition.value_or(std::string("default"));
    if (raw.output) {
        if (*raw.output == "text")
            out.output = output_format::text;
        else if (*raw.output == "json")
            out.output = output_format::json;
        else
            return "invalid --output " + quoted(*raw.output) + ": expected text or json";
    }
    if (raw.timeout) {
        auto d = parse_duration(*raw.timeout);
        if (!d || d->count() <= 0)
            return "invalid --timeout " + quoted(*raw.timeout) +
                   ": expected a positive duration such as 500ms, "
                   "10s or 5m";
        out.timeout = *d;
    }
    return {};
}

constexpr std::int64_t max_ms = std::numeric_limits<std::int64_t>::max();

// a * b + c within [0, max_ms], or nullopt.
std::optional<std::int64_t> checked_mul_add(std::int64_t a, std::int64_t b, std::int64_t c) noexcept {
    if (b != 0 && a > (max_ms - c) / b)
        return std::nullopt;
    return a * b + c;
}

} // namespace

std::span<const option_spec> global_option_specs() noexcept {
    return global_specs;
}

bool option_values::has(std::string_view name) const noexcept {
    return std::any_of(given_.begin(), given_.end(), [&](const auto& g) { return g.first == name; });
}

const std::string* option_values::value(std::string_view name) const noexcept {
    for (auto it = given_.rbegin(); it != given_.rend(); ++it)
        if (it->first == name)
            return &it->second;
    return nullptr;
}

void option_values::add(std::string_view name, std::string value) {
    given_.emplace_back(name, std::move(value));
}

parse_result<invocation> parse_command_line(std::span<const std::string_view> args,
                                            std::span<const command_spec> commands,
                                            const environment_reader& env) {
    using result = parse_result<invocation>;
    invocation inv;
    raw_globals raw;
    bool options_done = false;
    bool help_command = false; // `dynalock help [COMMAND]`

    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string_view arg = args[i];
        // `lock KEY -- CMD ARGS...`: the rest belongs to CMD, options and `--` included. Before KEY, a `--`
        // still only ends the options, so `lock -- -key -- CMD` works as well.
        if (arg == "--" && !help_command && inv.command != nullptr && inv.command->runs_command &&
            inv.arguments.size() >= inv.command->min_arguments) {
            if (i + 1 == args.size())
                return result::failure("missing command after '--'" + help_hint(inv.command));
            inv.child_command.assign(args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
            break;
        }
        if (!options_done && arg == "--") {
            options_done = true;
            continue;
        }
        if (!options_done && arg.size() > 1 && arg.front() == '-') {
            std::string_view name;
            std::optional<std::string_view> inline_value;
            const option_spec* spec = nullptr;
            const std::span<const option_spec> own =
                inv.command != nullptr ? inv.command->options : std::span<const option_spec>();
            bool is_global = false;
            if (arg[1] == '-') {
                std::string_view body = arg.substr(2);
                const auto eq = body.find('=');
                name = body.substr(0, eq);
                if (eq != std::string_view::npos)
                    inline_value = body.substr(eq + 1);
                spec = find_long(own, name);
                if (spec == nullptr) {
                    spec = find_long(global_specs, name);
                    is_global = spec != nullptr;
                }
            } else if (arg.size() == 2) {
                spec = find_short(own, arg[1]);
                if (spec == nullptr) {
                    spec = find_short(global_specs, arg[1]);
                    is_global = spec != nullptr;
                }
            }
            if (spec == nullptr) {
                std::string message = "unknown option " + quoted(arg);
                if (inv.command != nullptr)
                    message += std::string(" for ") + quoted(inv.command->name);
                if (looks_like_number(arg))
                    message += " (write '--' before an argument that starts with '-')";
                else
                    message += help_hint(inv.command);
                return result::failure(std::move(message));
            }
            if (is_global && spec->name == "help") {
                inv.help = true;
                return result{std::move(inv), {}};
            }
            if (is_global && spec->name == "version") {
                inv.version = true;
                return result{std::move(inv), {}};
            }
            std::string value;
            if (spec->takes_value()) {
                if (inline_value) {
                    value = std::string(*inline_value);
                } else if (i + 1 < args.size()) {
                    value = std::string(args[++i]);
                } else {
                    return result::failure("option --" + std::string(spec->name) + " needs a value (" +
                                           std::string(spec->value_name) + ")");
                }
            } else if (inline_value) {
                return result::failure("option --" + std::string(spec->name) + " takes no value");
            }
            if (!is_global) {
                inv.options.add(spec->name, std::move(value));
            } else if (spec->name == "allow-insecure-http") {
                raw.allow_insecure_http = true;
            } else if (auto* slot = raw.slot(spec->name)) {
                *slot = std::move(value);
            }
            continue;
        }

        // A positional argument: the command name first, then the command's arguments.
        if (help_command) {
            const command_spec* c = find_command(commands, arg);
            if (c == nullptr)
                return result::failure("unknown command " + quoted(arg) + help_hint(nullptr));
            inv.command = c;
            return result{std::move(inv), {}};
        }
        if (inv.command == nullptr) {
            if (arg == "help") {
                help_command = true;
                inv.help = true;
                continue;
            }
            inv.command = find_command(commands, arg);
            if (inv.command == nullptr)
                return result::failure("unknown command " + quoted(arg) + help_hint(nullptr));
            continue;
        }
        inv.arguments.emplace_back(arg);
    }

    if (help_command)
        return result{std::move(inv), {}};
    if (inv.command == nullptr)
        return result::failure("no command given" + help_hint(nullptr));
    const command_spec& c = *inv.command;
    if (inv.arguments.size() < c.min_arguments || inv.arguments.size() > c.max_arguments) {
        std::string message =
            inv.arguments.size() < c.min_arguments ? "missing argument" : "too many arguments";
        message += " (usage: dynalock ";
        message += c.name;
        if (!c.arguments.empty()) {
            message += ' ';
            message += c.arguments;
        }
        message += ')';
        return result::failure(std::move(message));
    }
    if (auto error = resolve_globals(std::move(raw), env, inv.globals); !error.empty())
        return result::failure(std::move(error));
    return result{std::move(inv), {}};
}

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) noexcept {
    if (text == "0")
        return std::chrono::milliseconds(0);
    if (text.empty())
        return std::nullopt;
    std::int64_t total = 0;
    std::size_t pos = 0;
    const auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    while (pos < text.size()) {
        // <digits>[.<digits>]: at least one digit in all.
        std::int64_t whole = 0;
        std::size_t digits = 0;
        for (; pos < text.size() && is_digit(text[pos]); ++pos, ++digits) {
            auto next = checked_mul_add(whole, 10, text[pos] - '0');
            if (!next)
                return std::nullopt;
            whole = *next;
        }
        std::int64_t fraction = 0;
        std::int64_t scale = 1; // 10^(fraction digits)
        if (pos < text.size() && text[pos] == '.') {
            ++pos;
            for (; pos < text.size() && is_digit(text[pos]); ++pos, ++digits) {
                if (scale == 1'000'000'000) // more precision than any unit can use
                    return std::nullopt;
                fraction = fraction * 10 + (text[pos] - '0');
                scale *= 10;
            }
        }
        if (digits == 0)
            return std::nullopt;

        std::int64_t unit = 0;
        const std::string_view rest = text.substr(pos);
        if (rest.starts_with("ms")) {
            unit = 1;
            pos += 2;
        } else if (rest.starts_with("s")) {
            unit = 1000;
            pos += 1;
        } else if (rest.starts_with("m")) {
            unit = 60'000;
            pos += 1;
        } else if (rest.starts_with("h")) {
            unit = 3'600'000;
            pos += 1;
        } else {
            return std::nullopt; // no unit, or one we do not know
        }
        // fraction < 10^9 and unit <= 3.6e6: the product fits in int64.
        const std::int64_t fraction_units = fraction * unit;
        if (fraction_units % scale != 0)
            return std::nullopt; // finer than a millisecond
        auto term = checked_mul_add(whole, unit, fraction_units / scale);
        if (!term || *term > max_ms - total)
            return std::nullopt;
        total += *term;
    }
    return std::chrono::milliseconds(total);
}

std::optional<std::int64_t> parse_integer(std::string_view text, std::int64_t min,
                                          std::int64_t max) noexcept {
    if (text.empty())
        return std::nullopt;
    std::int64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9')
            return std::nullopt;
        auto next = checked_mul_add(value, 10, c - '0');
        if (!next)
            return std::nullopt;
        value = *next;
    }
    if (value < min || value > max)
        return std::nullopt;
    return value;
}

} // namespace dynalock::cli
