// SPDX-License-Identifier: BSL-1.0
// A lock row and the DynamoDB requests of the locker, built without I/O. The algorithm is described in
// docs/locker.md; the conditions here are its safety rules:
//   - an acquisition writes a fresh random lease id and takes a block of fencing tokens (ADD);
//   - it succeeds on a missing row, on a released row that no other process reserved, or on a row whose
//     (version, lease id) the caller saw unchanged for a whole lease on its own steady clock;
//   - renewals and releases are conditioned on our owner and lease id, so they never touch another
//     acquisition, and a renewal never revives a released row.
#ifndef DYNALOCK_CORE_LOCK_REQUESTS_HPP
#define DYNALOCK_CORE_LOCK_REQUESTS_HPP

#include <dynalock/error.hpp>
#include <dynalock/lock_info.hpp>
#include <dynalock/lock_options.hpp>
#include <dynalock/operations.hpp>
#include <dynalock/store_options.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dynalock::core {

/// The table, partition and attribute names a lock lives in.
struct lock_target {
    const std::string& table;
    const std::string& partition;
    const store_schema& schema;
    const lock_schema& names;
};

/// A lock row as read or written.
struct lock_row {
    std::string owner;
    std::int64_t version = 0;
    std::string lease_id;
    std::chrono::milliseconds lease{};
    bool released = false;
    std::int64_t fence = 0;
    std::string waiter; ///< empty: nobody marked itself
    std::optional<attribute_value> data;
    attribute_map attributes; ///< everything else, keys excluded
};

/// What a reply said about the row: nothing (not returned), that it is absent, or the row.
struct row_view {
    bool returned = false;
    std::optional<lock_row> row; ///< empty with `returned`: the row does not exist
    static row_view none() { return {}; }
    static row_view absent() { return {true, std::nullopt}; }
    static row_view of(lock_row r) { return {true, std::move(r)}; }
};

/// Decodes an item. An item without the lock attributes (e.g. a key/value pair at that key) is
/// errc::invalid_argument ("not a lock row"); mistyped lock attributes are errc::malformed_response.
error_code decode_lock_row(attribute_map&& item, const lock_target& target, lock_row& out,
                           std::string& message);

lock_info to_lock_info(std::string key, lock_row&& row);

/// lock_options with every default applied and checked.
struct lease_terms {
    std::string owner;
    std::chrono::milliseconds lease{};
    std::chrono::milliseconds heartbeat{}; ///< 0: no renewal
    std::chrono::milliseconds safety_margin{};
    std::optional<std::chrono::milliseconds> expiring_warning;
    std::chrono::milliseconds poll_min{};
    std::chrono::milliseconds poll_max{};
    std::optional<std::chrono::milliseconds> max_wait;
    std::optional<attribute_value> data;
    bool keep_data = false;
    attribute_map attributes;
    bool delete_on_release = false;
    std::int64_t fence_block = 1; ///< local_handover_limit + 1 tokens per acquisition

    /// Whether a lease acquired with `a` may be handed to a waiter that asked for `b` without a write.
    friend bool same_lease(const lease_terms& a, const lease_terms& b);
};

/// Validates a key and lock_options against the target, applies the defaults (heartbeat lease/3, safety
/// margin lease/10, owner `default_owner`). errc::invalid_argument (and friends) with a message.
error_code resolve_lock_options(const lock_target& target, std::string_view key, const lock_options& options,
                                std::string_view default_owner, lease_terms& out, std::string& message);

/// The acquiring UpdateItem (ReturnValues ALL_NEW, ALL_OLD on condition failure). `takeover`: also accept a
/// row still showing this version and lease id.
struct takeover_condition {
    std::int64_t version = 0;
    std::string lease_id;
};
void build_acquire(const lock_target& target, std::string_view key, const lease_terms& terms,
                   std::string_view lease_id, std::string_view waiter_id, const takeover_condition* takeover,
                   update_item_request& out);

/// Consistent GetItem of the row.
void build_read_lock(const lock_target& target, std::string_view key, get_item_request& out);

/// Marks `waiter_id` as the process next in line, if nobody is (no version change).
void build_mark_waiter(const lock_target& target, std::string_view key, std::string_view waiter_id,
                       update_item_request& out);
/// Removes our waiter mark, if it is still ours.
void build_clear_waiter(const lock_target& target, std::string_view key, std::string_view waiter_id,
                        update_item_request& out);

/// Renewal: new lease length, version + 1, if the row is still our unreleased lease (ALL_NEW; ALL_OLD on
/// condition failure).
void build_heartbeat(const lock_target& target, std::string_view key, std::string_view owner,
                     std::string_view lease_id, std::chrono::milliseconds lease, update_item_request& out);

/// Release keeping the row (released = true, optional data, version + 1), if it is still our lease.
void build_release(const lock_target& target, std::string_view key, std::string_view owner,
                   std::string_view lease_id, std::optional<attribute_value> data, update_item_request& out);
/// Release deleting the row, if it is still our lease.
void build_release_delete(const lock_target& target, std::string_view key, std::string_view owner,
                          std::string_view lease_id, delete_item_request& out);

/// Strongly consistent Query of the locks of the partition whose key starts with `prefix` (all when
/// empty). The caller pages with exclusive_start_key.
void build_list_locks(const lock_target& target, std::string_view prefix, query_request& out);

/// The fencing tokens an acquisition that left `fence` in the row may hand out: [first, last].
struct token_range {
    std::int64_t first = 0;
    std::int64_t last = 0;
};
token_range tokens_of(std::int64_t fence, std::int64_t block) noexcept;

/// What a row read after a release attempt says about it.
enum class release_verdict {
    released, ///< released (or deleted) with our lease id: our release landed
    ours,     ///< still our unreleased lease: the release did not land
    stolen,   ///< another lease (or no row, when we did not delete): not ours any more
};
release_verdict judge_release(const row_view& row, std::string_view lease_id, bool deleting) noexcept;

} // namespace dynalock::core

#endif
