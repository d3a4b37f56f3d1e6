// SPDX-License-Identifier: BSL-1.0
#include "core/credentials/refresh_policy.hpp"

#include <algorithm>

namespace dynalock::core {

namespace {

using duration = std::chrono::system_clock::duration;

// `fraction` of the lifetime the credentials were fetched with; never negative.
duration part_of_lifetime(const cached_credentials_state& s, double fraction) noexcept {
    auto d = *s.expiration - s.fetched_at;
    if (d.count() <= 0 || !(fraction > 0))
        return duration::zero();
    return duration(static_cast<duration::rep>(static_cast<double>(d.count()) * std::min(fraction, 1.0)));
}

} // namespace

std::optional<system_time> usable_until(const cached_credentials_state& s,
                                        const refresh_windows& w) noexcept {
    if (!s.present || s.invalidated)
        return system_time::min();
    if (!s.expiration)
        return std::nullopt;
    auto margin = std::min<duration>(w.unusable, part_of_lifetime(s, w.unusable_fraction));
    return *s.expiration - margin;
}

std::optional<system_time> refresh_due_at(const cached_credentials_state& s,
                                          const refresh_windows& w) noexcept {
    if (!s.present || s.invalidated)
        return system_time::min();
    if (!s.expiration)
        return std::nullopt;
    auto ahead = std::min<duration>(w.advisory, part_of_lifetime(s, w.advisory_fraction));
    return *s.expiration - ahead;
}

credentials_use decide_credentials_use(const cached_credentials_state& s, system_time now,
                                       const refresh_windows& w) noexcept {
    auto until = usable_until(s, w);
    if (until && now >= *until)
        return credentials_use::wait_for_refresh;
    auto due = refresh_due_at(s, w);
    if (!due || now < *due || s.refresh_running)
        return credentials_use::use;
    if (s.next_refresh_allowed && now < *s.next_refresh_allowed)
        return credentials_use::use;
    return credentials_use::use_and_refresh;
}

std::chrono::milliseconds refresh_backoff(std::uint32_t failures, double jitter,
                                          const refresh_windows& w) noexcept {
    if (!(jitter >= 0.5)) // also NaN
        jitter = 0.5;
    jitter = std::min(jitter, 1.0);
    auto d = w.first_backoff;
    for (std::uint32_t i = 1; i < failures && d < w.max_backoff; ++i)
        d *= 2;
    d = std::min(d, w.max_backoff);
    return std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(d.count()) * jitter));
}

} // namespace dynalock::core
