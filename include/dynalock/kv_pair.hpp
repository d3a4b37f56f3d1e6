// SPDX-License-Identifier: BSL-1.0
// What a store hands back: one key with its value, version, expiry and extra attributes, and a page of
// them.
#ifndef DYNALOCK_KV_PAIR_HPP
#define DYNALOCK_KV_PAIR_HPP

#include <dynalock/attribute_value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace dynalock {

/// One key of a store, as read (or as written: the write operations return the item they left).
///
/// Mirrors the Go dynalock `KVPair` (Partition, Key, Version, Expires and the payload), plus the other
/// top-level attributes of the item (dynastore's "fields").
struct kv_pair {
    /// The partition value (the `id` attribute by default). The store's own partition, except for pairs
    /// read through a global secondary index.
    std::string partition{};
    /// The key (the `name` attribute by default).
    std::string key{};
    /// The payload attribute as stored; absent when the item has none.
    std::optional<attribute_value> value{};
    /// Incremented by every write, 1 after the first one. 0 when the item has no (integer) version, e.g. a
    /// pair read through an index that does not project it.
    std::int64_t version = 0;
    /// When the pair stops being visible, in Unix epoch seconds; absent when it never expires.
    std::optional<std::int64_t> expires{};
    /// Every other top-level attribute of the item, in the order DynamoDB returned them.
    attribute_map attributes{};

    /// The value as bytes: a binary (B) value as is, or a string (S) value decoded from the base64 text
    /// that the Go dynalock writes. nullopt when there is no value, when it has another type, or when the
    /// string is not strict standard base64.
    std::optional<std::string> bytes() const;
};

/// One page of a listing (store::async_list_page).
struct kv_page {
    /// The live pairs of this page, in key order (descending if asked). Never more than the limit.
    std::vector<kv_pair> items{};
    /// Pass it back in list_options::page_token to get the next page; empty when the listing is done.
    /// A non-empty token may lead to an empty last page (DynamoDB cannot tell in advance).
    std::string next_page_token{};
};

} // namespace dynalock

#endif
