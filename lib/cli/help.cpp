// SPDX-License-Identifier: BSL-1.0
#include "help.hpp"

#include <dynalock/config.hpp>

#include <algorithm>
#include <string_view>
#include <vector>

namespace dynalock::cli {

namespace {

// What a command that runs another program takes after its own options.
constexpr std::string_view child_command_usage = " [-- CMD [ARGS...]]";

std::string option_label(const option_spec& o) {
    std::string label = o.short_name != 0 ? std::string("-") + o.short_name + ", " : std::string("    ");
    label += "--";
    label += o.name;
    if (o.takes_value()) {
        label += ' ';
        label += o.value_name;
    }
    return label;
}

// Two columns: the labels padded to the widest one.
void append_table(std::string& out, std::span<const std::string> labels,
                  std::span<const std::string_view> texts) {
    std::size_t width = 0;
    for (const auto& l : labels)
        width = std::max(width, l.size());
    for (std::size_t i = 0; i < labels.size(); ++i) {
        out += "  ";
        out += labels[i];
        out.append(width - labels[i].size() + 2, ' ');
        out += texts[i];
        out += '\n';
    }
}

void append_options(std::string& out, std::span<const option_spec> options) {
    std::vector<std::string> labels;
    std::vector<std::string_view> texts;
    for (const auto& o : options) {
        labels.push_back(option_label(o));
        texts.push_back(o.description);
    }
    append_table(out, labels, texts);
}

std::string usage_line(const command_spec& c) {
    std::string line = "dynalock [OPTIONS] ";
    line += c.name;
    if (!c.arguments.empty()) {
        line += ' ';
        line += c.arguments;
    }
    for (const auto& o : c.options) {
        line += " [--";
        line += o.name;
        if (o.takes_value()) {
            line += ' ';
            line += o.value_name;
        }
        line += ']';
    }
    if (c.runs_command)
        line += child_command_usage;
    return line;
}

} // namespace

std::string general_help(std::span<const command_spec> commands) {
    std::string out = "dynalock: a key/value store (and locks) on Amazon DynamoDB\n\n"
                      "Usage: dynalock [OPTIONS] COMMAND [ARGUMENTS] [COMMAND OPTIONS]\n\nCommands:\n";
    std::vector<std::string> labels;
    std::vector<std::string_view> texts;
    for (const auto& c : commands) {
        std::string label(c.name);
        if (!c.arguments.empty()) {
            label += ' ';
            label += c.arguments;
        }
        if (c.runs_command)
            label += child_command_usage;
        labels.push_back(std::move(label));
        texts.push_back(c.summary);
    }
    append_table(out, labels, texts);
    out += "\nOptions (before or after the command):\n";
    append_options(out, global_option_specs());
    out +=
        "\nDurations: 500ms, 10s, 5m, 1h, 1m30s. Write '--' before an argument that starts with '-'.\n"
        "Exit status: 0 success; 1 the answer is no (not found, exists, version mismatch, lock not\n"
        "acquired); 64 bad usage or invalid input; 69 DynamoDB unreachable or failing; 74 stdin/stdout\n"
        "error; 75 a write may or may not have been applied, or a lock's lease was lost; 77 access denied;\n"
        "78 configuration error (region, credentials, no table). 'lock KEY -- CMD' exits with CMD's status.\n"
        "Run 'dynalock COMMAND --help' for the options of a command.\n";
    return out;
}

std::string command_help(const command_spec& command) {
    std::string out = "Usage: " + usage_line(command) + "\n\n";
    out += command.summary;
    out += '\n';
    if (!command.details.empty()) {
        out += '\n';
        out += command.details;
        if (command.details.back() != '\n')
            out += '\n';
    }
    if (!command.options.empty()) {
        out += "\nOptions:\n";
        append_options(out, command.options);
    }
    out += "\nGlobal options (--endpoint, --region, --table, --partition, --output, ...): see 'dynalock "
           "--help'.\n";
    return out;
}

std::string version_text() {
    return "dynalock " + std::to_string(DYNALOCK_VERSION_MAJOR) + "." +
           std::to_string(DYNALOCK_VERSION_MINOR) + "." + std::to_string(DYNALOCK_VERSION_PATCH) + "\n";
}

} // namespace dynalock::cli
