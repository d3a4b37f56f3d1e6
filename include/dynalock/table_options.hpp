// SPDX-License-Identifier: BSL-1.0
// Creating and describing a store's table: options (billing, indexes, TTL, waiting) and the result.
#ifndef DYNALOCK_TABLE_OPTIONS_HPP
#define DYNALOCK_TABLE_OPTIONS_HPP

#include <dynalock/operations.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dynalock {

/// Options of store::async_create_table. The key schema and the TTL attribute come from the store's
/// store_schema. (A class, not an aggregate: see read_options.hpp.)
class table_options {
public:
    table_options() noexcept = default;

    /// On-demand (the default) or provisioned capacity.
    dynalock::billing_mode billing_mode = dynalock::billing_mode::pay_per_request;
    /// Capacity of a provisioned table, and of its global indexes that do not set their own.
    dynalock::provisioned_throughput provisioned_throughput{5, 5};
    /// Enable DynamoDB's TTL on the expiry attribute, so expired pairs are deleted (eventually, often
    /// within days: the store never relies on it). Servers without TTL (dynalite) are left as they are.
    /// Needs an ACTIVE table: done only when `wait_until_active`.
    bool enable_time_to_live = true;
    /// A table of that name that already exists is not an error if its key schema matches the store's:
    /// it is waited for and its TTL enabled like a new one.
    bool if_not_exists = false;
    /// Indexes to create with the table. A hash key element with an empty attribute name stands for the
    /// store's partition key (with_local_index writes it that way).
    std::vector<local_secondary_index> local_secondary_indexes{};
    std::vector<global_secondary_index> global_secondary_indexes{};
    /// Types of the index key attributes that are not strings (an index key attribute not listed here is
    /// declared as S).
    std::vector<attribute_definition> attribute_definitions{};
    /// Wait until the table and its indexes are ACTIVE (and TTL is enabled) before completing.
    bool wait_until_active = true;
    /// How long to wait for that; then the operation fails with errc::operation_timeout (the table stays).
    std::chrono::milliseconds wait_timeout{std::chrono::minutes(10)};

    /// Provisioned capacity instead of on-demand.
    table_options& with_provisioned_throughput(std::int64_t read_units, std::int64_t write_units) & {
        billing_mode = dynalock::billing_mode::provisioned;
        provisioned_throughput = {read_units, write_units};
        return *this;
    }
    table_options&& with_provisioned_throughput(std::int64_t read_units, std::int64_t write_units) && {
        return std::move(with_provisioned_throughput(read_units, write_units));
    }
    table_options& with_time_to_live(bool enable) & {
        enable_time_to_live = enable;
        return *this;
    }
    table_options&& with_time_to_live(bool enable) && { return std::move(with_time_to_live(enable)); }
    table_options& with_if_not_exists(bool b = true) & {
        if_not_exists = b;
        return *this;
    }
    table_options&& with_if_not_exists(bool b = true) && { return std::move(with_if_not_exists(b)); }
    /// A local index on `sort_key` (partition key: the store's), projecting every attribute.
    table_options& with_local_index(std::string name, std::string sort_key) & {
        local_secondary_index i;
        i.index_name = std::move(name);
        i.key_schema = {{{}, key_type::hash}, {std::move(sort_key), key_type::range}};
        local_secondary_indexes.push_back(std::move(i));
        return *this;
    }
    table_options&& with_local_index(std::string name, std::string sort_key) && {
        return std::move(with_local_index(std::move(name), std::move(sort_key)));
    }
    /// A global index on `partition_key` (and `sort_key`, unless empty), projecting every attribute.
    table_options& with_global_index(std::string name, std::string partition_key, std::string sort_key) & {
        global_secondary_index i;
        i.index_name = std::move(name);
        i.key_schema.push_back({std::move(partition_key), key_type::hash});
        if (!sort_key.empty())
            i.key_schema.push_back({std::move(sort_key), key_type::range});
        global_secondary_indexes.push_back(std::move(i));
        return *this;
    }
    table_options&& with_global_index(std::string name, std::string partition_key, std::string sort_key) && {
        return std::move(with_global_index(std::move(name), std::move(partition_key), std::move(sort_key)));
    }
    table_options& with_wait_until_active(bool wait) & {
        wait_until_active = wait;
        return *this;
    }
    table_options&& with_wait_until_active(bool wait) && { return std::move(with_wait_until_active(wait)); }
    table_options& with_wait_timeout(std::chrono::milliseconds t) & {
        wait_timeout = t;
        return *this;
    }
    table_options&& with_wait_timeout(std::chrono::milliseconds t) && {
        return std::move(with_wait_timeout(t));
    }
};

/// A store's table as store::async_create_table and store::async_describe_table report it.
struct table_info {
    /// DescribeTable's answer (after the wait, if any).
    table_description table{};
    /// TTL as DescribeTimeToLive reports it; unknown when the server does not say.
    time_to_live_status time_to_live = time_to_live_status::unknown;
    /// The TTL attribute, when TTL is enabled (or being enabled).
    std::optional<std::string> time_to_live_attribute{};
    /// async_create_table: whether this call created the table (false when if_not_exists found it).
    bool created = false;
};

} // namespace dynalock

#endif
