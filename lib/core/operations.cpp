// SPDX-License-Identifier: BSL-1.0
// Shared parts of the operations: enum names, request tokens, JSON readers, table descriptions.
#include "operations.hpp"

#include "operations_common.hpp"

#include <boost/json/array.hpp>

#include <charconv>
#include <limits>

namespace dynalock::core {

// The wire-name tables are indexed by value: each must end where its enumeration ends.
static_assert(detail::wire_name(return_value::updated_new) == "UPDATED_NEW");
static_assert(detail::wire_name(select_mode::count) == "COUNT");
static_assert(detail::wire_name(scalar_attribute_type::binary) == "B");
static_assert(detail::wire_name(key_type::range) == "RANGE");
static_assert(detail::wire_name(billing_mode::pay_per_request) == "PAY_PER_REQUEST");
static_assert(detail::wire_name(projection_type::include) == "INCLUDE");
static_assert(detail::wire_name(table_status::replication_not_authorized) == "REPLICATION_NOT_AUTHORIZED");
static_assert(detail::wire_name(time_to_live_status::disabled) == "DISABLED");

std::string_view to_string(return_value v) noexcept {
    return detail::wire_name(v);
}

std::string_view to_string(select_mode v) noexcept {
    return detail::wire_name(v);
}

std::string_view to_string(scalar_attribute_type v) noexcept {
    return detail::wire_name(v);
}

std::string_view to_string(key_type v) noexcept {
    return detail::wire_name(v);
}

std::string_view to_string(billing_mode v) noexcept {
    return detail::wire_name(v);
}

std::string_view to_string(projection_type v) noexcept {
    return detail::wire_name(v);
}

std::string_view to_string(table_status v) noexcept {
    return detail::wire_name(v);
}

std::string_view to_string(time_to_live_status v) noexcept {
    return detail::wire_name(v);
}

std::string make_client_request_token(std::span<const std::uint8_t, 16> random_bytes) {
    std::array<std::uint8_t, 16> b{};
    std::copy(random_bytes.begin(), random_bytes.end(), b.begin());
    b[6] = static_cast<std::uint8_t>((b[6] & 0x0F) | 0x40); // version 4
    b[8] = static_cast<std::uint8_t>((b[8] & 0x3F) | 0x80); // variant 10xx (RFC 4122)
    constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(36);
    for (std::size_t i = 0; i < b.size(); ++i) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out.push_back('-');
        out.push_back(hex[b[i] >> 4]);
        out.push_back(hex[b[i] & 0x0F]);
    }
    return out;
}

namespace detail {

void write_names(std::string& out, const expression_names& names) {
    if (names.empty())
        return;
    append_json_key(out, "ExpressionAttributeNames");
    out.push_back('{');
    for (const auto& [placeholder, name] : names) {
        append_json_key(out, placeholder);
        append_json_string(out, name);
    }
    out.push_back('}');
}

bool wrong_type(std::string& message, std::string_view field, std::string_view expected) {
    message.assign(field);
    message.append(": expected ");
    message.append(expected);
    return false;
}

bool nested(std::string_view field, std::string& message) {
    message.insert(0, 1, '.');
    message.insert(0, field);
    return false;
}

namespace {

// A member that is present and not null.
const json::value* present(const json::object& o, std::string_view key) noexcept {
    const json::value* v = o.if_contains(key);
    return v == nullptr || v->is_null() ? nullptr : v;
}

// A present member's value as a string, or as an integer; false (with a message naming `key`) for
// another type.
bool string_value(const json::value& v, std::string_view key, std::string& out, std::string& message) {
    const json::string* s = v.if_string();
    if (s == nullptr)
        return wrong_type(message, key, "a string");
    out.assign(s->data(), s->size());
    return true;
}

bool int64_value(const json::value& v, std::string_view key, std::int64_t& out, std::string& message) {
    if (const std::int64_t* i = v.if_int64()) {
        out = *i;
        return true;
    }
    if (const std::uint64_t* u = v.if_uint64(); u != nullptr && *u <= std::uint64_t(INT64_MAX)) {
        out = static_cast<std::int64_t>(*u);
        return true;
    }
    return wrong_type(message, key, "an integer");
}

} // namespace

bool read_string(const json::object& o, std::string_view key, std::string& out, std::string& message) {
    const json::value* v = present(o, key);
    return v == nullptr || string_value(*v, key, out, message);
}

bool read_string(const json::object& o, std::string_view key, std::optional<std::string>& out,
                 std::string& message) {
    const json::value* v = present(o, key);
    return v == nullptr || string_value(*v, key, out.emplace(), message);
}

bool read_bool(const json::object& o, std::string_view key, std::optional<bool>& out, std::string& message) {
    const json::value* v = present(o, key);
    if (v == nullptr)
        return true;
    const bool* b = v->if_bool();
    if (b == nullptr)
        return wrong_type(message, key, "a boolean");
    out = *b;
    return true;
}

bool read_int64(const json::object& o, std::string_view key, std::int64_t& out, std::string& message) {
    const json::value* v = present(o, key);
    return v == nullptr || int64_value(*v, key, out, message);
}

bool read_int64(const json::object& o, std::string_view key, std::optional<std::int64_t>& out,
                std::string& message) {
    const json::value* v = present(o, key);
    return v == nullptr || int64_value(*v, key, out.emplace(), message);
}

bool read_double(const json::object& o, std::string_view key, std::optional<double>& out,
                 std::string& message) {
    const json::value* v = present(o, key);
    if (v == nullptr)
        return true;
    if (const double* d = v->if_double())
        out = *d;
    else if (const std::int64_t* i = v->if_int64())
        out = static_cast<double>(*i);
    else if (const std::uint64_t* u = v->if_uint64())
        out = static_cast<double>(*u);
    else
        return wrong_type(message, key, "a number");
    return true;
}

bool read_item(const json::object& o, std::string_view key, std::optional<attribute_map>& out,
               std::string& message) {
    const json::value* v = present(o, key);
    if (v == nullptr)
        return true;
    const json::object* item = v->if_object();
    if (item == nullptr)
        return wrong_type(message, key, "an object of attribute values");
    return !decode_item(*item, out.emplace(), message) || nested(key, message);
}

bool read_items(const json::value& v, std::string_view field, std::vector<attribute_map>& out,
                std::string& message) {
    const json::array* a = v.if_array();
    if (a == nullptr)
        return wrong_type(message, field, "an array of items");
    out.clear();
    out.resize(a->size());
    for (std::size_t i = 0; i < a->size(); ++i) {
        if (decode_item((*a)[i], out[i], message)) {
            prepend_index(message, i);
            message.insert(0, field);
            return false;
        }
    }
    return true;
}

bool read_object(const json::object& o, std::string_view key, const json::object*& out,
                 std::string& message) {
    out = nullptr;
    const json::value* v = present(o, key);
    if (v == nullptr)
        return true;
    out = v->if_object();
    return out != nullptr || wrong_type(message, key, "an object");
}

bool read_array(const json::object& o, std::string_view key, const json::array*& out, std::string& message) {
    out = nullptr;
    const json::value* v = present(o, key);
    if (v == nullptr)
        return true;
    out = v->if_array();
    return out != nullptr || wrong_type(message, key, "an array");
}

namespace {

bool read_key_schema(const json::object& o, std::vector<key_schema_element>& out, std::string& message) {
    return read_object_array(
        o, "KeySchema", out,
        [&](const json::object& e, key_schema_element& k) {
            return read_string(e, "AttributeName", k.attribute_name, message) &&
                   read_enum(e, "KeyType", k.key_type, "HASH or RANGE", message);
        },
        message);
}

bool read_attribute_definitions(const json::object& o, std::vector<attribute_definition>& out,
                                std::string& message) {
    return read_object_array(
        o, "AttributeDefinitions", out,
        [&](const json::object& e, attribute_definition& d) {
            return read_string(e, "AttributeName", d.attribute_name, message) &&
                   read_enum(e, "AttributeType", d.attribute_type, "S, N or B", message);
        },
        message);
}

bool read_throughput(const json::object& o, std::optional<provisioned_throughput>& out,
                     std::string& message) {
    return read_nested_object(
        o, "ProvisionedThroughput",
        [&](const json::object& t) {
            provisioned_throughput& p = out.emplace();
            return read_int64(t, "ReadCapacityUnits", p.read_capacity_units, message) &&
                   read_int64(t, "WriteCapacityUnits", p.write_capacity_units, message);
        },
        message);
}

// An unknown ProjectionType reads as ALL, the type that hides nothing.
bool read_projection(const json::object& o, std::optional<projection>& out, std::string& message) {
    return read_nested_object(
        o, "Projection",
        [&](const json::object& p) {
            projection& proj = out.emplace();
            std::string type;
            const json::array* attrs = nullptr;
            if (!read_string(p, "ProjectionType", type, message) ||
                !read_array(p, "NonKeyAttributes", attrs, message))
                return false;
            proj.projection_type = from_wire_name<projection_type>(type).value_or(projection_type::all);
            if (attrs == nullptr)
                return true;
            for (const json::value& a : *attrs) {
                const json::string* s = a.if_string();
                if (s == nullptr)
                    return wrong_type(message, "NonKeyAttributes[]", "a string");
                proj.non_key_attributes.emplace_back(s->data(), s->size());
            }
            return true;
        },
        message);
}

bool read_indexes(const json::object& o, std::string_view key, std::vector<index_description>& out,
                  std::string& message) {
    return read_object_array(
        o, key, out,
        [&](const json::object& e, index_description& d) {
            return read_string(e, "IndexName", d.index_name, message) &&
                   read_key_schema(e, d.key_schema, message) && read_projection(e, d.projection, message) &&
                   read_string(e, "IndexStatus", d.index_status, message);
        },
        message);
}

} // namespace

bool read_table_description(const json::object& o, table_description& out, std::string& message) {
    std::string status;
    const json::object* billing = nullptr;
    const bool ok = read_string(o, "TableName", out.table_name, message) &&
                    read_string(o, "TableStatus", status, message) &&
                    read_key_schema(o, out.key_schema, message) &&
                    read_attribute_definitions(o, out.attribute_definitions, message) &&
                    read_string(o, "TableArn", out.table_arn, message) &&
                    read_string(o, "TableId", out.table_id, message) &&
                    read_int64(o, "ItemCount", out.item_count, message) &&
                    read_int64(o, "TableSizeBytes", out.table_size_bytes, message) &&
                    read_double(o, "CreationDateTime", out.creation_date_time, message) &&
                    read_object(o, "BillingModeSummary", billing, message) &&
                    read_throughput(o, out.provisioned_throughput, message) &&
                    read_bool(o, "DeletionProtectionEnabled", out.deletion_protection_enabled, message) &&
                    read_indexes(o, "LocalSecondaryIndexes", out.local_secondary_indexes, message) &&
                    read_indexes(o, "GlobalSecondaryIndexes", out.global_secondary_indexes, message);
    if (!ok)
        return false;
    out.table_status = from_wire_name<table_status>(status).value_or(table_status::unknown);
    if (billing != nullptr) {
        // A mode this version does not know leaves billing_mode empty.
        std::string mode;
        if (!read_string(*billing, "BillingMode", mode, message))
            return nested("BillingModeSummary", message);
        if (const std::optional<billing_mode> m = from_wire_name<billing_mode>(mode))
            out.billing_mode = *m;
    }
    return true;
}

error_code parse_item_reply(std::string_view body, std::string_view key, std::optional<attribute_map>& out,
                            std::string& message) {
    return parse_body(body, message, [&](const json::object& o) { return read_item(o, key, out, message); });
}

error_code check_none_or_all_old(const std::optional<return_value>& v, std::string_view field,
                                 std::string& message) {
    if (!v || *v == return_value::none || *v == return_value::all_old)
        return {};
    return invalid(errc::invalid_argument, field, "must be NONE or ALL_OLD", message);
}

void prepend_path(std::string_view path, std::string& message) {
    if (!message.empty() && message.front() != ':' && message.front() != '.' && message.front() != '[')
        message.insert(0, 1, '.');
    message.insert(0, path);
}

error_code prepend_path(error_code ec, std::string_view path, std::string& message) {
    if (ec)
        prepend_path(path, message);
    return ec;
}

error_code with_prefix(error_code ec, std::string_view prefix, std::size_t index, std::string_view suffix,
                       std::string& message) {
    if (!ec)
        return ec;
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, index);
    std::string head(prefix);
    head.push_back('[');
    head.append(buf, r.ptr);
    head.push_back(']');
    head.append(suffix);
    message.insert(0, head);
    return ec;
}

} // namespace detail

} // namespace dynalock::core
