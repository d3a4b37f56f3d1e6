// SPDX-License-Identifier: BSL-1.0
// Logging through a sink the application supplies.
#ifndef DYNALOCK_LOGGER_HPP
#define DYNALOCK_LOGGER_HPP

#include <functional>
#include <string_view>

namespace dynalock {

enum class log_level { trace, debug, info, warning, error, off };

/// Where the client's log lines go. Nothing is logged unless a sink is set.
///
/// Lines never contain a secret key, a session token or a request signature: the Authorization
/// header is logged with its signature replaced by `***`, and X-Amz-Security-Token as `***`.
/// At `trace` level request and reply bodies are logged, which hold your data.
/// The sink is called on the client's executor; it must not block for long.
struct logger {
    log_level level = log_level::warning;
    std::function<void(log_level, std::string_view)> sink;

    bool enabled(log_level l) const noexcept { return sink && level != log_level::off && l >= level; }
};

/// "trace", "debug", ...
std::string_view to_string(log_level l) noexcept;

} // namespace dynalock

#endif
