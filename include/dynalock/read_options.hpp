// SPDX-License-Identifier: BSL-1.0
// Options of the store's reads: get/exists (read_options) and listings (list_options, secondary_index).
#ifndef DYNALOCK_READ_OPTIONS_HPP
#define DYNALOCK_READ_OPTIONS_HPP

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

namespace dynalock {

// These are classes, not aggregates, on purpose: g++ 12 miscompiles a braced aggregate temporary inside a
// co_await expression, and a class cannot be written that way by mistake. Chain the `with_` setters:
//     co_await kv.async_list_page(list_options().with_prefix("jobs/").with_limit(50));

/// Options of store::async_get and store::async_exists.
class read_options {
public:
    read_options() noexcept = default;

    /// Strongly consistent read (the default, like the Go dynalock): sees every write that succeeded
    /// before it. False: eventually consistent, half the read cost, may miss recent writes.
    bool consistent_read = true;

    read_options& with_consistent_read(bool consistent) & {
        consistent_read = consistent;
        return *this;
    }
    read_options&& with_consistent_read(bool consistent) && {
        return std::move(with_consistent_read(consistent));
    }
};

/// A secondary index to list through (dynastore's ReadWithLocalIndex / ReadWithGlobalIndex).
class secondary_index {
public:
    secondary_index() noexcept = default;

    /// A local secondary index: same partition as the table, sorted by `sort_key`; the listing's prefix
    /// applies to that attribute.
    static secondary_index local(std::string name, std::string sort_key) {
        secondary_index i;
        i.name = std::move(name);
        i.sort_key = std::move(sort_key);
        return i;
    }
    /// A global secondary index keyed by `partition_key` (and `sort_key`, to which the prefix applies;
    /// empty: the store's sort key). The listing reads the index partition whose key is
    /// `partition_value` (empty: the store's partition value).
    static secondary_index global(std::string name, std::string partition_key, std::string sort_key,
                                  std::string partition_value = {}) {
        secondary_index i;
        i.name = std::move(name);
        i.partition_key = std::move(partition_key);
        i.sort_key = std::move(sort_key);
        i.partition_value = std::move(partition_value);
        return i;
    }

    std::string name{};            ///< the index name
    std::string partition_key{};   ///< global index: its partition key attribute; empty for a local one
    std::string sort_key{};        ///< its sort key attribute; empty: the store's sort key
    std::string partition_value{}; ///< global index: the S value to read; empty: the store's partition

    bool is_global() const noexcept { return !partition_key.empty(); }
};

/// Options of store::async_list and store::async_list_page.
class list_options {
public:
    list_options() noexcept = default;

    /// Page size of async_list_page when `limit` is 0.
    static constexpr std::size_t default_page_size = 100;

    /// Only keys that start with this (byte-wise); empty: every key of the partition.
    std::string prefix{};
    /// async_list: at most this many pairs in all (0: no limit). async_list_page: at most this many pairs
    /// in the page (0: default_page_size). Expired pairs are never counted.
    std::size_t limit = 0;
    /// Start after the position this token marks: a kv_page::next_page_token of the same listing (same
    /// table, partition, index, prefix and direction). Empty: start at the beginning.
    std::string page_token{};
    /// Keys in descending order.
    bool descending = false;
    /// Strongly consistent read (the default). Global secondary indexes only offer eventually consistent
    /// reads: for them this is ignored.
    bool consistent_read = true;
    /// Read through a secondary index instead of the table.
    std::optional<secondary_index> index{};

    list_options& with_prefix(std::string p) & {
        prefix = std::move(p);
        return *this;
    }
    list_options&& with_prefix(std::string p) && { return std::move(with_prefix(std::move(p))); }
    list_options& with_limit(std::size_t n) & {
        limit = n;
        return *this;
    }
    list_options&& with_limit(std::size_t n) && { return std::move(with_limit(n)); }
    list_options& with_page_token(std::string token) & {
        page_token = std::move(token);
        return *this;
    }
    list_options&& with_page_token(std::string token) && {
        return std::move(with_page_token(std::move(token)));
    }
    list_options& with_descending(bool d = true) & {
        descending = d;
        return *this;
    }
    list_options&& with_descending(bool d = true) && { return std::move(with_descending(d)); }
    list_options& with_consistent_read(bool consistent) & {
        consistent_read = consistent;
        return *this;
    }
    list_options&& with_consistent_read(bool consistent) && {
        return std::move(with_consistent_read(consistent));
    }
    list_options& with_index(secondary_index i) & {
        index = std::move(i);
        return *this;
    }
    list_options&& with_index(secondary_index i) && { return std::move(with_index(std::move(i))); }
};

} // namespace dynalock

#endif
