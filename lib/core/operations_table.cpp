// SPDX-License-Identifier: BSL-1.0
// CreateTable, DescribeTable, DeleteTable, UpdateTimeToLive, DescribeTimeToLive.
#include "operations_common.hpp"

#include <algorithm>
#include <type_traits>

namespace dynalock::core {

using namespace detail;

namespace {

void write_key_schema(std::string& out, const std::vector<key_schema_element>& schema) {
    write_object_array(out, "KeySchema", schema, [&](const key_schema_element& k) {
        write_string(out, "AttributeName", k.attribute_name);
        write_string(out, "KeyType", wire_name(k.key_type));
    });
}

void write_throughput(std::string& out, const std::optional<provisioned_throughput>& t) {
    if (!t)
        return;
    write_object(out, "ProvisionedThroughput", [&] {
        write_integer(out, "ReadCapacityUnits", t->read_capacity_units);
        write_integer(out, "WriteCapacityUnits", t->write_capacity_units);
    });
}

void write_projection(std::string& out, const projection& p) {
    write_object(out, "Projection", [&] {
        write_string(out, "ProjectionType", wire_name(p.projection_type));
        if (p.non_key_attributes.empty())
            return;
        append_json_key(out, "NonKeyAttributes");
        out.push_back('[');
        for (const std::string& a : p.non_key_attributes) {
            append_json_separator(out);
            append_json_string(out, a);
        }
        out.push_back(']');
    });
}

template <class Index>
void write_indexes(std::string& out, std::string_view key, const std::vector<Index>& indexes) {
    if (indexes.empty())
        return;
    write_object_array(out, key, indexes, [&](const Index& index) {
        write_string(out, "IndexName", index.index_name);
        write_key_schema(out, index.key_schema);
        write_projection(out, index.projection);
        if constexpr (std::is_same_v<Index, global_secondary_index>)
            write_throughput(out, index.provisioned_throughput);
    });
}

// The body of the operations that name only their table.
void write_table_name_only(std::string& body, const std::string& table_name) {
    reserve_body(body, table_name.size());
    body.push_back('{');
    write_string(body, "TableName", table_name);
    body.push_back('}');
}

error_code check_key_attribute_name(std::string_view name, std::string_view field, std::string& message) {
    if (name.empty() || name.size() > max_key_attribute_name_size)
        return invalid(errc::invalid_argument, field, "must be 1 to 255 bytes", message);
    if (!is_valid_utf8(name))
        return invalid(errc::invalid_utf8, field, "is not valid UTF-8", message);
    return {};
}

// HASH, then optionally RANGE, each defined in AttributeDefinitions.
error_code check_key_schema(const std::vector<key_schema_element>& schema,
                            const std::vector<attribute_definition>& definitions, std::string& message) {
    if (schema.empty() || schema.size() > 2)
        return invalid(errc::invalid_argument, "KeySchema", "must hold a HASH key and optionally a RANGE key",
                       message);
    if (schema[0].key_type != key_type::hash || (schema.size() == 2 && schema[1].key_type != key_type::range))
        return invalid(errc::invalid_argument, "KeySchema", "the HASH key comes first, then the RANGE key",
                       message);
    if (schema.size() == 2 && schema[0].attribute_name == schema[1].attribute_name)
        return invalid(errc::invalid_argument, "KeySchema", "the HASH and RANGE keys are the same attribute",
                       message);
    for (const key_schema_element& k : schema) {
        if (error_code ec = check_key_attribute_name(k.attribute_name, "KeySchema[].AttributeName", message))
            return ec;
        const bool defined =
            std::any_of(definitions.begin(), definitions.end(),
                        [&](const attribute_definition& d) { return d.attribute_name == k.attribute_name; });
        if (!defined) {
            std::string reason = "attribute \"";
            append_printable(reason, k.attribute_name);
            reason.append("\" is not in AttributeDefinitions");
            return invalid(errc::invalid_argument, "KeySchema", reason, message);
        }
    }
    return {};
}

error_code check_throughput(const provisioned_throughput& t, std::string& message) {
    if (t.read_capacity_units < 1 || t.write_capacity_units < 1)
        return invalid(errc::invalid_argument, "ProvisionedThroughput", "capacity units must be at least 1",
                       message);
    return {};
}

error_code check_projection(const projection& p, std::string& message) {
    if ((p.projection_type == projection_type::include) == p.non_key_attributes.empty())
        return invalid(errc::invalid_argument, "Projection",
                       "NonKeyAttributes must be set with INCLUDE, and only with INCLUDE", message);
    return {};
}

template <class Index>
error_code check_indexes(const create_table_request& req, const std::vector<Index>& indexes,
                         std::string_view member, bool provisioned, std::string& message) {
    for (std::size_t i = 0; i < indexes.size(); ++i) {
        const Index& index = indexes[i];
        error_code ec = validate_index_name(index.index_name, "IndexName", message);
        if (!ec)
            ec = check_key_schema(index.key_schema, req.attribute_definitions, message);
        if (!ec)
            ec = check_projection(index.projection, message);
        if constexpr (std::is_same_v<Index, local_secondary_index>) {
            // A local index shares the table's partition key and needs its own sort key.
            if (!ec && (index.key_schema.size() != 2 || req.key_schema.empty() ||
                        index.key_schema[0].attribute_name != req.key_schema[0].attribute_name))
                ec = invalid(errc::invalid_argument, "KeySchema",
                             "a local index has the table's HASH key and a RANGE key", message);
        } else {
            if (!ec && provisioned && !index.provisioned_throughput)
                ec = invalid(errc::invalid_argument, "ProvisionedThroughput",
                             "is required for PROVISIONED billing", message);
            if (!ec && !provisioned && index.provisioned_throughput)
                ec = invalid(errc::invalid_argument, "ProvisionedThroughput",
                             "must not be set for PAY_PER_REQUEST billing", message);
            if (!ec && index.provisioned_throughput)
                ec = check_throughput(*index.provisioned_throughput, message);
        }
        if (ec)
            return with_prefix(ec, member, i, ".", message);
        for (std::size_t j = 0; j < i; ++j)
            if (indexes[j].index_name == index.index_name)
                return with_prefix(
                    invalid(errc::invalid_argument, "IndexName", "two indexes have the same name", message),
                    member, i, ".", message);
    }
    return {};
}

// Every definition must be a key of the table or of an index: DynamoDB rejects the others.
bool is_key_attribute(const create_table_request& req, std::string_view name) {
    auto in = [&](const std::vector<key_schema_element>& schema) {
        return std::any_of(schema.begin(), schema.end(),
                           [&](const key_schema_element& k) { return k.attribute_name == name; });
    };
    return in(req.key_schema) ||
           std::any_of(req.local_secondary_indexes.begin(), req.local_secondary_indexes.end(),
                       [&](const local_secondary_index& i) { return in(i.key_schema); }) ||
           std::any_of(req.global_secondary_indexes.begin(), req.global_secondary_indexes.end(),
                       [&](const global_secondary_index& i) { return in(i.key_schema); });
}

} // namespace

// ---- CreateTable --------------------------------------------------------------------------------

void serialize(const create_table_request& req, std::string& body) {
    reserve_body(body, 256 + req.table_name.size());
    body.push_back('{');
    write_string(body, "TableName", req.table_name);
    write_object_array(body, "AttributeDefinitions", req.attribute_definitions,
                       [&](const attribute_definition& d) {
                           write_string(body, "AttributeName", d.attribute_name);
                           write_string(body, "AttributeType", wire_name(d.attribute_type));
                       });
    write_key_schema(body, req.key_schema);
    write_enum(body, "BillingMode", req.billing_mode);
    write_throughput(body, req.provisioned_throughput);
    write_indexes(body, "LocalSecondaryIndexes", req.local_secondary_indexes);
    write_indexes(body, "GlobalSecondaryIndexes", req.global_secondary_indexes);
    if (!req.tags.empty())
        write_object_array(body, "Tags", req.tags, [&](const tag& t) {
            write_string(body, "Key", t.key);
            write_string(body, "Value", t.value);
        });
    write_bool(body, "DeletionProtectionEnabled", req.deletion_protection_enabled);
    body.push_back('}');
}

error_code parse(std::string_view body, create_table_response& out, std::string& message) {
    out = {};
    return parse_object_reply(body, "TableDescription", message, [&](const json::object& d) {
        return read_table_description(d, out.table_description, message);
    });
}

error_code validate(const create_table_request& req, std::string& message) {
    if (error_code ec = validate_table_name(req.table_name, "TableName", message))
        return ec;
    if (req.attribute_definitions.empty())
        return invalid(errc::invalid_argument, "AttributeDefinitions", "must define the key attributes",
                       message);
    for (std::size_t i = 0; i < req.attribute_definitions.size(); ++i) {
        const attribute_definition& d = req.attribute_definitions[i];
        if (error_code ec = check_key_attribute_name(d.attribute_name, "AttributeName", message))
            return with_prefix(ec, "AttributeDefinitions", i, ".", message);
        for (std::size_t j = 0; j < i; ++j)
            if (req.attribute_definitions[j].attribute_name == d.attribute_name)
                return with_prefix(
                    invalid(errc::invalid_argument, "AttributeName", "is defined twice", message),
                    "AttributeDefinitions", i, ".", message);
        if (!is_key_attribute(req, d.attribute_name))
            return with_prefix(invalid(errc::invalid_argument, "AttributeName",
                                       "is not a key of the table or of an index", message),
                               "AttributeDefinitions", i, ".", message);
    }
    if (error_code ec = check_key_schema(req.key_schema, req.attribute_definitions, message))
        return ec;
    const bool provisioned =
        req.billing_mode.value_or(billing_mode::provisioned) == billing_mode::provisioned;
    if (provisioned && !req.provisioned_throughput)
        return invalid(errc::invalid_argument, "ProvisionedThroughput", "is required for PROVISIONED billing",
                       message);
    if (!provisioned && req.provisioned_throughput)
        return invalid(errc::invalid_argument, "ProvisionedThroughput",
                       "must not be set for PAY_PER_REQUEST billing", message);
    if (req.provisioned_throughput)
        if (error_code ec = check_throughput(*req.provisioned_throughput, message))
            return ec;
    if (error_code ec =
            check_indexes(req, req.local_secondary_indexes, "LocalSecondaryIndexes", provisioned, message))
        return ec;
    if (error_code ec =
            check_indexes(req, req.global_secondary_indexes, "GlobalSecondaryIndexes", provisioned, message))
        return ec;
    for (std::size_t i = 0; i < req.tags.size(); ++i)
        if (req.tags[i].key.empty())
            return with_prefix(invalid(errc::invalid_argument, "Key", "must not be empty", message), "Tags",
                               i, ".", message);
    return {};
}

bool is_idempotent(const create_table_request&) noexcept {
    return false;
}

// ---- DescribeTable ------------------------------------------------------------------------------

void serialize(const describe_table_request& req, std::string& body) {
    write_table_name_only(body, req.table_name);
}

error_code parse(std::string_view body, describe_table_response& out, std::string& message) {
    out = {};
    return parse_object_reply(body, "Table", message, [&](const json::object& d) {
        return read_table_description(d, out.table, message);
    });
}

error_code validate(const describe_table_request& req, std::string& message) {
    return validate_table_name(req.table_name, "TableName", message);
}

bool is_idempotent(const describe_table_request&) noexcept {
    return true;
}

// ---- DeleteTable --------------------------------------------------------------------------------

void serialize(const delete_table_request& req, std::string& body) {
    write_table_name_only(body, req.table_name);
}

error_code parse(std::string_view body, delete_table_response& out, std::string& message) {
    out = {};
    return parse_object_reply(body, "TableDescription", message, [&](const json::object& d) {
        return read_table_description(d, out.table_description, message);
    });
}

error_code validate(const delete_table_request& req, std::string& message) {
    return validate_table_name(req.table_name, "TableName", message);
}

// A resent DeleteTable can hit the table it already removed (ResourceNotFoundException), and the caller
// could not tell its own success from a missing table.
bool is_idempotent(const delete_table_request&) noexcept {
    return false;
}

// ---- UpdateTimeToLive ---------------------------------------------------------------------------

void serialize(const update_time_to_live_request& req, std::string& body) {
    reserve_body(body, 96 + req.table_name.size() + req.time_to_live_specification.attribute_name.size());
    body.push_back('{');
    write_string(body, "TableName", req.table_name);
    write_object(body, "TimeToLiveSpecification", [&] {
        write_bool(body, "Enabled", req.time_to_live_specification.enabled);
        write_string(body, "AttributeName", req.time_to_live_specification.attribute_name);
    });
    body.push_back('}');
}

error_code parse(std::string_view body, update_time_to_live_response& out, std::string& message) {
    out = {};
    return parse_object_reply(body, "TimeToLiveSpecification", message, [&](const json::object& s) {
        time_to_live_specification& spec = out.time_to_live_specification.emplace();
        std::optional<bool> enabled;
        if (!read_bool(s, "Enabled", enabled, message) ||
            !read_string(s, "AttributeName", spec.attribute_name, message))
            return false;
        spec.enabled = enabled.value_or(false);
        return true;
    });
}

error_code validate(const update_time_to_live_request& req, std::string& message) {
    if (error_code ec = validate_table_name(req.table_name, "TableName", message))
        return ec;
    return check_key_attribute_name(req.time_to_live_specification.attribute_name,
                                    "TimeToLiveSpecification.AttributeName", message);
}

// Setting the same specification again leaves the same state.
bool is_idempotent(const update_time_to_live_request&) noexcept {
    return true;
}

// ---- DescribeTimeToLive -------------------------------------------------------------------------

void serialize(const describe_time_to_live_request& req, std::string& body) {
    write_table_name_only(body, req.table_name);
}

error_code parse(std::string_view body, describe_time_to_live_response& out, std::string& message) {
    out = {};
    return parse_object_reply(body, "TimeToLiveDescription", message, [&](const json::object& d) {
        time_to_live_description& desc = out.time_to_live_description.emplace();
        std::string status;
        if (!read_string(d, "TimeToLiveStatus", status, message) ||
            !read_string(d, "AttributeName", desc.attribute_name, message))
            return false;
        desc.time_to_live_status =
            from_wire_name<time_to_live_status>(status).value_or(time_to_live_status::unknown);
        return true;
    });
}

error_code validate(const describe_time_to_live_request& req, std::string& message) {
    return validate_table_name(req.table_name, "TableName", message);
}

bool is_idempotent(const describe_time_to_live_request&) noexcept {
    return true;
}

} // namespace dynalock::core
