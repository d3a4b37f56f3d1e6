// SPDX-License-Identifier: BSL-1.0
// Requests and responses of the DynamoDB operations dynalock uses, as plain value types.
//
// The members mirror DynamoDB's JSON members (TableName -> table_name) and keep only what a key/value
// and lock library needs. Conventions:
//  - a std::optional member is sent only when it holds a value; a container member only when it is
//    not empty (DynamoDB rejects empty ExpressionAttributeNames/Values);
//  - a plain (non-optional) member is required;
//  - enumerations mirror DynamoDB's enum values (return_value::all_old is "ALL_OLD");
//  - every member has a default member initializer, so designated initializers may leave any member
//    out without -Wmissing-field-initializers warnings:
//        get_item_request req{.table_name = "locks", .key = {{"pk", attribute_value::string("a")}},
//                             .consistent_read = true};
#ifndef DYNALOCK_OPERATIONS_HPP
#define DYNALOCK_OPERATIONS_HPP

#include <dynalock/attribute_value.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace dynalock {

/// ExpressionAttributeNames: placeholder ("#owner") -> attribute name ("owner"), sent in this order.
using expression_names = std::vector<std::pair<std::string, std::string>>;

/// ExpressionAttributeValues: placeholder (":me") -> value.
using expression_values = attribute_map;

/// ReturnValues and ReturnValuesOnConditionCheckFailure. PutItem and DeleteItem accept only none and
/// all_old; ReturnValuesOnConditionCheckFailure accepts only none and all_old.
enum class return_value { none, all_old, updated_old, all_new, updated_new };

/// Select of Query and Scan.
enum class select_mode { all_attributes, all_projected_attributes, specific_attributes, count };

/// AttributeType of a key attribute: S, N or B.
enum class scalar_attribute_type { string, number, binary };

/// KeyType: HASH (partition key) or RANGE (sort key).
enum class key_type { hash, range };

/// BillingMode.
enum class billing_mode { provisioned, pay_per_request };

/// ProjectionType of a secondary index.
enum class projection_type { all, keys_only, include };

/// TableStatus; `unknown` stands for a value this version does not know.
enum class table_status {
    unknown,
    creating,
    updating,
    deleting,
    active,
    inaccessible_encryption_credentials,
    archiving,
    archived,
    replication_not_authorized,
};

/// TimeToLiveStatus; `unknown` stands for a value this version does not know.
enum class time_to_live_status { unknown, enabling, disabling, enabled, disabled };

// ---------------------------------------------------------------------------------------------------
// Single-item operations

struct get_item_request {
    std::string table_name{};
    attribute_map key{};
    std::optional<bool> consistent_read{}; ///< a lock library should set true
    std::optional<std::string> projection_expression{};
    expression_names expression_attribute_names{};
};

struct get_item_response {
    std::optional<attribute_map> item{}; ///< absent when no item has the key
};

struct put_item_request {
    std::string table_name{};
    attribute_map item{};
    std::optional<std::string> condition_expression{};
    expression_names expression_attribute_names{};
    expression_values expression_attribute_values{};
    std::optional<return_value> return_values{}; ///< none or all_old
    std::optional<return_value> return_values_on_condition_check_failure{};
};

struct put_item_response {
    std::optional<attribute_map> attributes{}; ///< the old item (ReturnValues=ALL_OLD, if there was one)
};

struct update_item_request {
    std::string table_name{};
    attribute_map key{};
    std::optional<std::string> update_expression{};
    std::optional<std::string> condition_expression{};
    expression_names expression_attribute_names{};
    expression_values expression_attribute_values{};
    std::optional<return_value> return_values{};
    std::optional<return_value> return_values_on_condition_check_failure{};
};

struct update_item_response {
    std::optional<attribute_map> attributes{};
};

struct delete_item_request {
    std::string table_name{};
    attribute_map key{};
    std::optional<std::string> condition_expression{};
    expression_names expression_attribute_names{};
    expression_values expression_attribute_values{};
    std::optional<return_value> return_values{}; ///< none or all_old
    std::optional<return_value> return_values_on_condition_check_failure{};
};

struct delete_item_response {
    std::optional<attribute_map> attributes{};
};

// ---------------------------------------------------------------------------------------------------
// Query and Scan

struct query_request {
    std::string table_name{};
    std::optional<std::string> index_name{};
    std::string key_condition_expression{};
    std::optional<std::string> filter_expression{};
    std::optional<std::string> projection_expression{};
    expression_names expression_attribute_names{};
    expression_values expression_attribute_values{};
    std::optional<bool> consistent_read{};
    std::optional<std::int32_t> limit{}; ///< items evaluated (before the filter), at least 1
    std::optional<attribute_map> exclusive_start_key{};
    std::optional<bool> scan_index_forward{};
    std::optional<select_mode> select{};
};

struct query_response {
    std::vector<attribute_map> items{};
    std::int64_t count = 0;         ///< items returned (after the filter)
    std::int64_t scanned_count = 0; ///< items evaluated (before the filter)
    /// Present when there may be more: send it back as exclusive_start_key. A page may be empty and
    /// still carry it; only its absence means the end.
    std::optional<attribute_map> last_evaluated_key{};
};

struct scan_request {
    std::string table_name{};
    std::optional<std::string> index_name{};
    std::optional<std::string> filter_expression{};
    std::optional<std::string> projection_expression{};
    expression_names expression_attribute_names{};
    expression_values expression_attribute_values{};
    std::optional<bool> consistent_read{};
    std::optional<std::int32_t> limit{};
    std::optional<attribute_map> exclusive_start_key{};
    std::optional<select_mode> select{};
    std::optional<std::int32_t> segment{};        ///< 0 ... total_segments - 1
    std::optional<std::int32_t> total_segments{}; ///< 1 ... 1000000
};

struct scan_response {
    std::vector<attribute_map> items{};
    std::int64_t count = 0;
    std::int64_t scanned_count = 0;
    std::optional<attribute_map> last_evaluated_key{};
};

// ---------------------------------------------------------------------------------------------------
// Batches and transactions

/// The keys to read from one table (RequestItems/UnprocessedKeys entry: table -> KeysAndAttributes).
struct table_keys {
    std::string table_name{};
    std::vector<attribute_map> keys{};
    std::optional<bool> consistent_read{};
    std::optional<std::string> projection_expression{};
    expression_names expression_attribute_names{};
};

/// The items read from one table (Responses entry).
struct table_items {
    std::string table_name{};
    std::vector<attribute_map> items{};
};

struct batch_get_item_request {
    std::vector<table_keys> request_items{}; ///< at most 100 keys in total
};

struct batch_get_item_response {
    std::vector<table_items> responses{};       ///< in no particular order; missing items are absent
    std::vector<table_keys> unprocessed_keys{}; ///< resend these (with backoff)
};

/// PutRequest of BatchWriteItem.
struct put_request {
    attribute_map item{};
};

/// DeleteRequest of BatchWriteItem.
struct delete_request {
    attribute_map key{};
};

using write_request = std::variant<put_request, delete_request>;

/// The writes to one table (RequestItems/UnprocessedItems entry).
struct table_write_requests {
    std::string table_name{};
    std::vector<write_request> requests{};
};

struct batch_write_item_request {
    std::vector<table_write_requests> request_items{}; ///< at most 25 requests in total
};

struct batch_write_item_response {
    std::vector<table_write_requests> unprocessed_items{}; ///< resend these (with backoff)
};

/// ConditionCheck entry of TransactWriteItems.
struct transact_condition_check {
    std::string table_name{};
    attribute_map key{};
    std::string condition_expression{};
    expression_names expression_attribute_names{};
    expression_values expression_attribute_values{};
    std::optional<return_value> return_values_on_condition_check_failure{};
};

/// Put entry of TransactWriteItems.
struct transact_put {
    std::string table_name{};
    attribute_map item{};
    std::optional<std::string> condition_expression{};
    expression_names expression_attribute_names{};
    expression_values expression_attribute_values{};
    std::optional<return_value> return_values_on_condition_check_failure{};
};

/// Delete entry of TransactWriteItems.
struct transact_delete {
    std::string table_name{};
    attribute_map key{};
    std::optional<std::string> condition_expression{};
    expression_names expression_attribute_names{};
    expression_values expression_attribute_values{};
    std::optional<return_value> return_values_on_condition_check_failure{};
};

/// Update entry of TransactWriteItems.
struct transact_update {
    std::string table_name{};
    attribute_map key{};
    std::string update_expression{};
    std::optional<std::string> condition_expression{};
    expression_names expression_attribute_names{};
    expression_values expression_attribute_values{};
    std::optional<return_value> return_values_on_condition_check_failure{};
};

using transact_write_item =
    std::variant<transact_condition_check, transact_put, transact_delete, transact_update>;

struct transact_write_items_request {
    std::vector<transact_write_item> transact_items{}; ///< 1 ... 100, no two on the same item
    /// 1-36 characters. With a token DynamoDB applies a resent call only once (for 10 minutes), which
    /// makes the call safe to retry. The client fills a UUIDv4 in when it is absent.
    std::optional<std::string> client_request_token{};
};

struct transact_write_items_response {}; ///< no item data comes back

// ---------------------------------------------------------------------------------------------------
// Tables and TTL

struct attribute_definition {
    std::string attribute_name{};
    scalar_attribute_type attribute_type = scalar_attribute_type::string;
};

struct key_schema_element {
    std::string attribute_name{};
    dynalock::key_type key_type = dynalock::key_type::hash;
};

struct provisioned_throughput {
    std::int64_t read_capacity_units = 1;
    std::int64_t write_capacity_units = 1;
};

struct projection {
    dynalock::projection_type projection_type = dynalock::projection_type::all;
    std::vector<std::string> non_key_attributes{}; ///< only with projection_type::include
};

struct local_secondary_index {
    std::string index_name{};
    std::vector<key_schema_element> key_schema{};
    dynalock::projection projection{};
};

struct global_secondary_index {
    std::string index_name{};
    std::vector<key_schema_element> key_schema{};
    dynalock::projection projection{};
    std::optional<dynalock::provisioned_throughput> provisioned_throughput{}; ///< PROVISIONED tables only
};

struct tag {
    std::string key{};
    std::string value{};
};

struct create_table_request {
    std::string table_name{};
    std::vector<attribute_definition> attribute_definitions{}; ///< the key attributes (table and indexes)
    std::vector<key_schema_element> key_schema{};              ///< HASH, then optionally RANGE
    std::optional<dynalock::billing_mode> billing_mode{};
    std::optional<dynalock::provisioned_throughput> provisioned_throughput{}; ///< required for PROVISIONED
    std::vector<local_secondary_index> local_secondary_indexes{};
    std::vector<global_secondary_index> global_secondary_indexes{};
    std::vector<tag> tags{};
    std::optional<bool> deletion_protection_enabled{};
};

/// A secondary index as DescribeTable reports it.
struct index_description {
    std::string index_name{};
    std::vector<key_schema_element> key_schema{};
    std::optional<dynalock::projection> projection{};
    std::string index_status{}; ///< GSIs only: CREATING, UPDATING, DELETING, ACTIVE
};

/// TableDescription (the members a client needs; others are ignored).
struct table_description {
    std::string table_name{};
    dynalock::table_status table_status = dynalock::table_status::unknown;
    std::vector<key_schema_element> key_schema{};
    std::vector<attribute_definition> attribute_definitions{};
    std::string table_arn{};
    std::string table_id{};
    std::optional<std::int64_t> item_count{};
    std::optional<std::int64_t> table_size_bytes{};
    std::optional<double> creation_date_time{};           ///< epoch seconds
    std::optional<dynalock::billing_mode> billing_mode{}; ///< from BillingModeSummary
    std::optional<dynalock::provisioned_throughput> provisioned_throughput{};
    std::optional<bool> deletion_protection_enabled{};
    std::vector<index_description> local_secondary_indexes{};
    std::vector<index_description> global_secondary_indexes{};
};

struct create_table_response {
    dynalock::table_description table_description{}; ///< TableStatus is CREATING
};

struct describe_table_request {
    std::string table_name{};
};

struct describe_table_response {
    table_description table{};
};

struct delete_table_request {
    std::string table_name{};
};

struct delete_table_response {
    dynalock::table_description table_description{}; ///< TableStatus is DELETING
};

struct time_to_live_specification {
    bool enabled = true;
    std::string attribute_name{}; ///< 1-255 characters; the attribute must hold an N of epoch seconds
};

struct update_time_to_live_request {
    std::string table_name{};
    dynalock::time_to_live_specification time_to_live_specification{};
};

struct update_time_to_live_response {
    std::optional<dynalock::time_to_live_specification> time_to_live_specification{};
};

struct time_to_live_description {
    dynalock::time_to_live_status time_to_live_status = dynalock::time_to_live_status::unknown;
    std::optional<std::string> attribute_name{};
};

struct describe_time_to_live_request {
    std::string table_name{};
};

struct describe_time_to_live_response {
    std::optional<dynalock::time_to_live_description> time_to_live_description{};
};

} // namespace dynalock

#endif
