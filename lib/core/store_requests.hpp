// SPDX-License-Identifier: BSL-1.0
// The DynamoDB requests of the store's operations, built and validated without I/O: what each operation
// sends is decided here (and unit-tested), the Asio layer only sends it.
//
// Every builder validates its input first and returns an errc with a message naming what is wrong;
// then nothing may be sent. Expressions use placeholders for every attribute name (`name` is a DynamoDB
// reserved word). The expiry rule is the one of store_item.hpp: expired means `expires <= now`.
#ifndef DYNALOCK_CORE_STORE_REQUESTS_HPP
#define DYNALOCK_CORE_STORE_REQUESTS_HPP

#include <dynalock/error.hpp>
#include <dynalock/operations.hpp>
#include <dynalock/read_options.hpp>
#include <dynalock/store_options.hpp>
#include <dynalock/table_options.hpp>
#include <dynalock/write_options.hpp>

#include "store_page_token.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dynalock::core {

/// The store an operation works on.
struct store_target {
    const std::string& table;
    const std::string& partition;
    const store_options& options;
};

/// A store's fixed configuration: the partition value (a valid key value: not empty, at most 2048 bytes,
/// UTF-8) and the schema's attribute names (1-255 bytes of UTF-8, all different).
error_code validate_store_config(std::string_view partition, const store_schema& schema,
                                 std::string& message);

/// A key (sort key value): not empty (errc::empty_key), at most 1024 bytes (errc::key_too_large), UTF-8
/// (errc::invalid_utf8).
error_code validate_store_key(std::string_view key, std::string_view field, std::string& message);

/// What a GetItem reads.
enum class get_projection {
    whole_item,
    keys_version_expiry, ///< enough to tell whether a live item exists and which version it has
};

error_code build_get(const store_target& target, std::string key, bool consistent, get_projection projection,
                     get_item_request& out, std::string& message);

enum class write_kind {
    put,        ///< unconditional
    atomic_put, ///< create if absent or expired, or compare-and-swap on options.previous_version
};

/// The UpdateItem of put / atomic_put:
///     SET #p = :p, #e = :e, #x0 = :x0 ...  REMOVE #p, #e  ADD #v :one
/// (SET or REMOVE of the value and the expiry as the options say), ReturnValues ALL_NEW, and for
/// atomic_put the condition
///     create:  attribute_not_exists(#k) OR #e <= :now
///     swap:    #v = :v AND (attribute_not_exists(#e) OR NOT (#e <= :now))
/// `now` is the store clock's time: it computes the expiry (rounded up to a second) and `:now`.
error_code build_write(const store_target& target, std::string key, write_options&& options, write_kind kind,
                       std::chrono::system_clock::time_point now, update_item_request& out,
                       std::string& message);

/// The unconditional DeleteItem of remove.
error_code build_remove(const store_target& target, std::string key, delete_item_request& out,
                        std::string& message);

/// The DeleteItem of atomic_delete, conditioned on the version of a live item:
///     #v = :v AND (attribute_not_exists(#e) OR NOT (#e <= :now))
/// A missing or non-positive previous version is errc::invalid_argument.
error_code build_atomic_delete(const store_target& target, std::string key,
                               std::optional<std::int64_t> previous_version, std::int64_t now,
                               delete_item_request& out, std::string& message);

/// Why a compare-and-swap (or compare-and-delete) against `previous_version` failed its condition,
/// given the item as a consistent read found it afterwards: errc::key_not_found when it is absent or
/// expired, else errc::version_mismatch (the message says the version found).
error_code classify_version_failure(const std::optional<attribute_map>& item, const store_schema& schema,
                                    std::int64_t now, std::int64_t previous_version, std::string& message);

/// A listing: its Query (without Limit; ExclusiveStartKey from the page token, if any) and the binding of
/// its page tokens.
struct listing {
    query_request query;
    page_token_binding binding;
};

/// The listing of `options`:
///     KeyConditionExpression  #k = :k [AND begins_with(#s, :prefix)]
///     FilterExpression        attribute_not_exists(#e) OR NOT (#e <= :now)
/// on the table or the index, consistent unless asked otherwise or reading a global index. A page
/// token is decoded and must start within the partition read.
error_code build_listing(const store_target& target, const list_options& options, std::int64_t now,
                         listing& out, std::string& message);

/// The CreateTable of the store's table: both keys S, the index key attributes (S unless typed in the
/// options), the billing mode and the indexes.
error_code build_create_table(const store_target& target, const table_options& options,
                              create_table_request& out, std::string& message);

/// Whether an existing table's key schema is the store's: partition key and sort key by name.
error_code check_key_schema(const table_description& table, const store_schema& schema, std::string& message);

} // namespace dynalock::core

#endif
