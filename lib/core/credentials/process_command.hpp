// SPDX-License-Identifier: BSL-1.0
// `credential_process`, sans-io: splitting the configured command line into the argv that is executed
// (never by a shell), reading the JSON the command prints, and the wording of its failures.
#ifndef DYNALOCK_CORE_CREDENTIALS_PROCESS_COMMAND_HPP
#define DYNALOCK_CORE_CREDENTIALS_PROCESS_COMMAND_HPP

#include "core/aws_config.hpp"

#include <boost/system/result.hpp>

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace dynalock::core::process {

/// Splits `line` into words as a POSIX shell does, and nothing more: blanks (space, tab, newline) separate
/// words; 'single quotes' keep everything literally; in "double quotes" a backslash escapes only
/// \ " $ ` and a newline (which is then removed), and stays as it is before any other character; outside
/// quotes a backslash keeps the next character literally (backslash-newline is removed). Nothing is
/// expanded: `$HOME`, `~`, `*`, `;`, `|` and `>` reach the program as written. An empty quoted string is an
/// empty word. Errors (errc::invalid_argument): no word at all, an unbalanced quote, a trailing backslash;
/// the message never quotes the line (its arguments may hold something private).
boost::system::result<std::vector<std::string>> split_command_line(std::string_view line,
                                                                   std::string& message);

/// Reads what the command printed: a JSON object with `Version` 1, non-empty `AccessKeyId` and
/// `SecretAccessKey`, optional `SessionToken` and `Expiration` (ISO 8601). Anything else is
/// errc::credentials_process_failed, and the message says what was wrong without quoting the output.
boost::system::result<credential_values> parse_output(std::string_view output, std::string& message);

/// The command's stderr as it may appear in a message: blanks trimmed at both ends, at most `max_bytes`
/// bytes (not splitting a UTF-8 sequence, "..." when cut), newlines and tabs as spaces, other control bytes
/// and invalid UTF-8 as '?'.
std::string printable_stderr(std::string_view text, std::size_t max_bytes = 1024);

/// How the command ended, as waitpid reported it.
struct exit_info {
    bool signaled = false; ///< killed by a signal (`code` is the signal number), else exited (`code` is
                           ///< the exit status)
    int code = 0;
};

/// "credential_process exited with status N" or "credential_process was killed by signal N (SIGNAME)",
/// then ": <printable stderr>" when it wrote something on stderr.
std::string failure_message(const exit_info& exit, std::string_view stderr_text);

} // namespace dynalock::core::process

#endif
