// SPDX-License-Identifier: BSL-1.0
#include "core/credentials/process_command.hpp"

#include <dynalock/error.hpp>

#include "core/validation.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <csignal>

namespace dynalock::core::process {

namespace {

using boost::system::result;
using core::detail::fail;

bool is_word_separator(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n';
}

// The name of a signal a credential process commonly dies of, or "" for the others.
std::string_view signal_name(int sig) noexcept {
    switch (sig) {
    case SIGHUP:
        return "SIGHUP";
    case SIGINT:
        return "SIGINT";
    case SIGQUIT:
        return "SIGQUIT";
    case SIGILL:
        return "SIGILL";
    case SIGABRT:
        return "SIGABRT";
    case SIGBUS:
        return "SIGBUS";
    case SIGFPE:
        return "SIGFPE";
    case SIGKILL:
        return "SIGKILL";
    case SIGSEGV:
        return "SIGSEGV";
    case SIGPIPE:
        return "SIGPIPE";
    case SIGALRM:
        return "SIGALRM";
    case SIGTERM:
        return "SIGTERM";
    default:
        return {};
    }
}

} // namespace

result<std::vector<std::string>> split_command_line(std::string_view line, std::string& message) {
    std::vector<std::string> words;
    std::string word;
    bool in_word = false; // a word has started, even if it is still empty ("" or '')
    std::size_t i = 0;
    const std::size_t n = line.size();
    while (i < n) {
        const char c = line[i];
        if (is_word_separator(c)) {
            if (in_word) {
                words.push_back(std::move(word));
                word.clear();
                in_word = false;
            }
            ++i;
        } else if (c == '\'') {
            const auto close = line.find('\'', i + 1);
            if (close == std::string_view::npos)
                return fail(errc::invalid_argument, message,
                            "credential_process: the command line has an unbalanced single quote");
            word.append(line.substr(i + 1, close - i - 1));
            in_word = true;
            i = close + 1;
        } else if (c == '"') {
            in_word = true;
            ++i;
            bool closed = false;
            while (i < n) {
                const char d = line[i];
                if (d == '"') {
                    closed = true;
                    ++i;
                    break;
                }
                if (d == '\\' && i + 1 < n) {
                    const char e = line[i + 1];
                    if (e == '\n') { // a line continuation
                        i += 2;
                        continue;
                    }
                    if (e == '\\' || e == '"' || e == '$' || e == '`') {
                        word.push_back(e);
                        i += 2;
                        continue;
                    }
                }
                word.push_back(d); // a backslash before any other character stays
                ++i;
            }
            if (!closed)
                return fail(errc::invalid_argument, message,
                            "credential_process: the command line has an unbalanced double quote");
        } else if (c == '\\') {
            if (i + 1 >= n)
                return fail(errc::invalid_argument, message,
                            "credential_process: the command line ends with a backslash");
            if (line[i + 1] != '\n') {
                word.push_back(line[i + 1]);
                in_word = true;
            }
            i += 2;
        } else {
            word.push_back(c);
            in_word = true;
            ++i;
        }
    }
    if (in_word)
        words.push_back(std::move(word));
    if (words.empty())
        return fail(errc::invalid_argument, message, "credential_process: the command line is empty");
    return words;
}

result<credential_values> parse_output(std::string_view output, std::string& message) {
    auto bad = [&](std::string_view why) {
        return fail(errc::credentials_process_failed, message,
                    std::string("credential_process printed ") + std::string(why));
    };
    boost::system::error_code ec;
    boost::json::value doc = boost::json::parse(output, ec);
    if (ec)
        return bad("something that is not JSON (expected an object with Version 1, AccessKeyId and "
                   "SecretAccessKey)");
    const boost::json::object* obj = doc.if_object();
    if (obj == nullptr)
        return bad("JSON that is not an object");

    const boost::json::value* version = obj->if_contains("Version");
    if (version == nullptr)
        return bad("JSON without Version (expected Version 1)");
    const bool is_one = (version->is_int64() && version->get_int64() == 1) ||
                        (version->is_uint64() && version->get_uint64() == 1);
    if (!is_one) {
        if (version->is_int64())
            return bad("Version " + std::to_string(version->get_int64()) +
                       ", which is not supported (only Version 1 is)");
        return bad("a Version that is not the number 1");
    }

    // The values are never echoed: they are the secret.
    auto string_member = [&](std::string_view key, bool required, std::string& out) -> error_code {
        const boost::json::value* v = obj->if_contains(key);
        if (v == nullptr || v->is_null()) {
            if (required)
                return bad("JSON without " + std::string(key));
            return {};
        }
        const boost::json::string* s = v->if_string();
        if (s == nullptr)
            return bad("a " + std::string(key) + " that is not a string");
        if (required && s->empty())
            return bad("an empty " + std::string(key));
        out.assign(s->data(), s->size());
        return {};
    };

    credential_values values;
    if (auto e = string_member("AccessKeyId", true, values.access_key_id))
        return e;
    if (auto e = string_member("SecretAccessKey", true, values.secret_access_key))
        return e;
    if (auto e = string_member("SessionToken", false, values.session_token))
        return e;
    std::string expiration;
    if (auto e = string_member("Expiration", false, expiration))
        return e;
    if (!expiration.empty()) {
        auto when = parse_iso8601_timestamp(expiration);
        if (!when)
            return bad("an Expiration that is not an ISO 8601 timestamp such as 2024-05-01T12:00:00Z");
        values.expiration = *when;
    }
    message.clear();
    return values;
}

std::string printable_stderr(std::string_view text, std::size_t max_bytes) {
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    while (!text.empty() && blank(text.front()))
        text.remove_prefix(1);
    while (!text.empty() && blank(text.back()))
        text.remove_suffix(1);
    std::string spaced(text.substr(0, max_bytes + 4)); // enough for append_printable to see the cut
    for (char& c : spaced) {
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
    }
    std::string out;
    append_printable(out, spaced, max_bytes);
    return out;
}

std::string failure_message(const exit_info& exit, std::string_view stderr_text) {
    std::string out;
    if (exit.signaled) {
        out = "credential_process was killed by signal " + std::to_string(exit.code);
        if (auto name = signal_name(exit.code); !name.empty())
            out.append(" (").append(name).append(")");
    } else {
        out = "credential_process exited with status " + std::to_string(exit.code);
    }
    auto err = printable_stderr(stderr_text);
    if (!err.empty())
        out.append(": ").append(err);
    return out;
}

} // namespace dynalock::core::process
