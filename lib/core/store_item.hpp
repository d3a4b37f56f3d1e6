// SPDX-License-Identifier: BSL-1.0
// The store's item layout (the Go dynalock's by default): items <-> kv_pair, value bytes, and the expiry
// rule every store operation shares.
#ifndef DYNALOCK_CORE_STORE_ITEM_HPP
#define DYNALOCK_CORE_STORE_ITEM_HPP

#include <dynalock/attribute_value.hpp>
#include <dynalock/error.hpp>
#include <dynalock/kv_pair.hpp>
#include <dynalock/store_options.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dynalock::core {

/// Whole seconds since the Unix epoch, rounded down.
std::int64_t epoch_seconds(std::chrono::system_clock::time_point t) noexcept;

/// The second from which an `expires` value counts as expired: an integer N as is, another N rounded up
/// (so `expires <= now` gives the same answer as DynamoDB comparing the number itself), clamped to the
/// int64 range. nullopt for anything but an N: such an item never expires.
std::optional<std::int64_t> expiry_seconds(const attribute_value& expires) noexcept;

/// The one expiry rule: an item has expired when its expiry (as above) is at or before `now` (epoch
/// seconds). The store's condition and filter expressions say the same thing to DynamoDB
/// (`#e <= :now` and its negation), so a reader, a creator and an updater never disagree on a boundary.
bool is_expired(const attribute_map& item, const store_schema& schema, std::int64_t now) noexcept;

/// Turns an item into a pair, moving the value and the extra attributes out of it. The partition and sort
/// keys must be strings (errc::malformed_response otherwise, with a message); a missing or non-integer
/// version gives 0.
error_code decode_pair(attribute_map&& item, const store_schema& schema, kv_pair& out, std::string& message);

/// The payload attribute for a value given as bytes: S of standard base64 (the Go layout) or B.
attribute_value encode_bytes(std::string_view bytes, bytes_encoding encoding);

/// The bytes of a payload: B as is, S decoded from strict standard base64; nullopt otherwise.
std::optional<std::string> decode_bytes(const attribute_value& value);

} // namespace dynalock::core

#endif
