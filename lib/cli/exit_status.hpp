// SPDX-License-Identifier: BSL-1.0
// Exit statuses of the `dynalock` tool and how an error code maps to one. The values follow sysexits.h,
// so scripts can tell "the answer is no" (1) from bad usage, an unreachable service or a refused
// credential.
#ifndef DYNALOCK_CLI_EXIT_STATUS_HPP
#define DYNALOCK_CLI_EXIT_STATUS_HPP

#include <dynalock/diagnostics.hpp>
#include <dynalock/error.hpp>

#include <string>

namespace dynalock::cli {

namespace exit_status {
inline constexpr int success = 0;
inline constexpr int no = 1;             ///< the answer is no: not found, exists, version mismatch
inline constexpr int usage = 64;         ///< EX_USAGE: bad command line or invalid input
inline constexpr int unavailable = 69;   ///< EX_UNAVAILABLE: the service is unreachable or failing
inline constexpr int software = 70;      ///< EX_SOFTWARE: an internal error of the tool
inline constexpr int io_error = 74;      ///< EX_IOERR: reading stdin or writing stdout failed
inline constexpr int temp_failure = 75;  ///< EX_TEMPFAIL: a write may or may not have been applied
inline constexpr int no_permission = 77; ///< EX_NOPERM: access denied, credentials refused
inline constexpr int config = 78;        ///< EX_CONFIG: no region/credentials, bad endpoint, no such table
} // namespace exit_status

/// The exit status for a failed operation.
int exit_status_for(const error_code& ec) noexcept;

/// What went wrong, on one line: the error's message, then what the client found wrong and what the
/// service said (untrusted text, flattened to one printable line). Never a credential: diagnostics hold
/// none.
std::string describe_failure(const error_code& ec, const diagnostics& diag);

} // namespace dynalock::cli

#endif
