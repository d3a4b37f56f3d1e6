// SPDX-License-Identifier: BSL-1.0
// When a client's cached credentials are used, refreshed in the background, or waited for: the decisions
// of the credentials cache, sans-io (the caller passes the time), so each is tested on its own.
//
// Lifetimes vary (15 min to 12 h for STS, 6 h for IMDS, none for static keys), so the windows scale
// with the lifetime the credentials were fetched with: a refresh starts 15 minutes before the expiration
// or half-way through a shorter lifetime; credentials stop being used a minute before they expire (or a
// tenth of a shorter lifetime), so no request goes out signed with credentials that die on the way.
#ifndef DYNALOCK_CORE_CREDENTIALS_REFRESH_POLICY_HPP
#define DYNALOCK_CORE_CREDENTIALS_REFRESH_POLICY_HPP

#include <chrono>
#include <cstdint>
#include <optional>

namespace dynalock::core {

using system_time = std::chrono::system_clock::time_point;

struct refresh_windows {
    std::chrono::seconds advisory{15 * 60}; ///< start a background refresh this long before expiry
    std::chrono::seconds unusable{60};      ///< stop using credentials this long before expiry
    double advisory_fraction = 0.5;  ///< ... or this fraction of a shorter lifetime
    double unusable_fraction = 0.1;  ///< ... or this fraction of a shorter lifetime
    std::chrono::milliseconds first_backoff{1000}; ///< wait after a failed refresh, doubled each time
    std::chrono::milliseconds max_backoff{60000};
};

/// What the cache should do with what it holds.
enum class credentials_use {
    use,              ///< sign with them; nothing else to do
    use_and_refresh,  ///< sign with them, and start a background refresh (none is running)
    wait_for_refresh, ///< nothing usable: wait for a refresh (starting one if none is running)
};

/// The state of one cache slot, as the policy needs to see it.
struct cached_credentials_state {
    bool present = false;                  ///< credentials are cached
    bool invalidated = false;              ///< the service said they expired (ExpiredTokenException)
    std::optional<system_time> expiration; ///< nullopt: they never expire
    system_time fetched_at{};              ///< when they were obtained
    bool refresh_running = false;
    std::optional<system_time> next_refresh_allowed; ///< set after a failed refresh (backoff)
};

/// The decision for a request at `now`.
credentials_use decide_credentials_use(const cached_credentials_state& s, system_time now,
                                       const refresh_windows& w = {}) noexcept;

/// When the cached credentials stop being usable (nullopt: never).
std::optional<system_time> usable_until(const cached_credentials_state& s, const refresh_windows& w = {}) noexcept;

/// When a background refresh becomes due (nullopt: never).
std::optional<system_time> refresh_due_at(const cached_credentials_state& s,
                                          const refresh_windows& w = {}) noexcept;

/// The pause after `failures` consecutive failed refreshes (1 for the first): first_backoff doubled each
/// time, at most max_backoff, scaled by `jitter` in [0.5, 1] (clamped) so many clients do not refresh in step.
std::chrono::milliseconds refresh_backoff(std::uint32_t failures, double jitter,
                                          const refresh_windows& w = {}) noexcept;

} // namespace dynalock::core

#endif
