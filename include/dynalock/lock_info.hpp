// SPDX-License-Identifier: BSL-1.0
// What a lock row says, read without acquiring the lock (store::async_read_lock, async_list_locks).
#ifndef DYNALOCK_LOCK_INFO_HPP
#define DYNALOCK_LOCK_INFO_HPP

#include <dynalock/attribute_value.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace dynalock {

/// The state of one lock as stored. Whether a row that is not released is really held cannot be told
/// from one read (no wall clocks are compared): its holder is alive if `version` keeps changing at least
/// once per `lease`.
struct lock_info {
    std::string key{};
    /// Who holds the lease, or held it last when `released`.
    std::string owner{};
    /// The fencing counter: every token handed out for this key so far is at most this, and the next
    /// acquisition gets a greater one (0 if none yet). An acquisition reserves local_handover_limit + 1
    /// tokens for its process, so the holder's own token may be lower than this.
    std::int64_t fencing_token = 0;
    /// The row's version: every acquisition, renewal and release increments it.
    std::int64_t version = 0;
    bool released = false;
    /// The holder's lease length.
    std::chrono::milliseconds lease{};
    /// Random id of the acquisition (unchanged by renewals and by handovers inside one process).
    std::string lease_id{};
    /// A process waiting for its turn, if any.
    std::optional<std::string> waiter{};
    /// The lock's data.
    std::optional<attribute_value> data{};
    /// The row's other attributes (lock_options::attributes).
    attribute_map attributes{};
};

} // namespace dynalock

#endif
