// Shared parts of the operations: enum names, request tokens, JSON readers, table descriptions.
#include "operations.hpp"

#include "operations_common.hpp"

#include <boost/json/array.hpp>

#include <charconv>
#include <limits>

namespace dynalock::core {

std::string_view to_string(return_value v) noexcept {
    switch (v) {
    case return_value::none:
        return "NONE";
    case return_value::all_old:
        return "ALL_OLD";
    case return_value::updated_old:
        return "UPDATED_OLD";
    case return_value::all_new:
        return "ALL_NEW";
    case return_value::updated_new:
        return "UPDATED_NEW";
    }
    return "NONE";
}

std::string_view to_string(select_mode v) noexcept {
    switch (v) {
    case select_mode::all_attributes:
        return "ALL_ATTRIBUTES";
    case select_mode::all_projected_attributes:
        return "ALL_PROJECTED_ATTRIBUTES";
    case select_mode::specific_attributes:
        return "SPECIFIC_ATTRIBUTES";
    case select_mode::count:
        return "COUNT";
    }
    return "ALL_ATTRIBUTES";
}

std::string_view to_string(scalar_attribute_type v) noexcept {
    switch (v) {
    case scalar_attribute_type::string:
        return "S";
    case scalar_attribute_type::number:
        return "N";
    case scalar_attribute_type::binary:
        return "B";
    }
    return "S";
}

std::string_view to_string(key_type v) noexcept {
    return v == key_type::range ? "RANGE" : "HASH";
}

std::string_view to_string(billing_mode v) noexcept {
    return v == billing_mode::pay_per_request ? "PAY_PER_REQUEST" : "PROVISIONED";
}

std::string_view to_string(projection_type v) noexcept {
    switch (v) {
    case projection_type::all:
        return "ALL";
    case projection_type::keys_only:
        return "KEYS_ONLY";
    case projection_type::include:
        return "INCLUDE";
    }
    return "ALL";
}

std::string_view to_string(table_status v) noexcept {
    switch (v) {
    case table_status::unknown:
        return "UNKNOWN";
    case table_status::creating:
        return "CREATING";
    case table_status::updating:
        return "UPDATING";
    case table_status::deleting:
        return "DELETING";
    case table_status::active:
        return "ACTIVE";
    case table_status::inaccessible_encryption_credentials:
        return "INACCESSIBLE_ENCRYPTION_CREDENTIALS";
    case table_status::archiving:
        return "ARCHIVING";
    case table_status::archived:
        return "ARCHIVED";
    case table_status::replication_not_authorized:
        return "REPLICATION_NOT_AUTHORIZED";
    }
    return "UNKNOWN";
}

std::string_view to_string(time_to_live_status v) noexcept {
    switch (v) {
    case time_to_live_status::unknown:
        return "UNKNOWN";
    case time_to_live_status::enabling:
        return "ENABLING";
    case time_to_live_status::disabling:
        return "DISABLING";
    case time_to_live_status::enabled:
        return "ENABLED";
    case time_to_live_status::disabled:
        return "DISABLED";
    }
    return "UNKNOWN";
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

namespace {

// A member that is present and not null.
const json::value* present(const json::object& o, std::string_view key) noexcept {
    const json::value* v = o.if_contains(key);
    return v == nullptr || v->is_null() ? nullptr : v;
}

} // namespace

bool read_string(const json::object& o, std::string_view key, std::string& out, std::string& message) {
    const json::value* v = present(o, key);
    if (v == nullptr)
        return true;
    const json::string* s = v->if_string();
    if (s == nullptr)
        return wrong_type(message, key, "a string");
    out.assign(s->data(), s->size());
    return true;
}

bool read_string(const json::object& o, std::string_view key, std::optional<std::string>& out,
                 std::string& message) {
    const json::value* v = present(o, key);
    if (v == nullptr)
        return true;
    const json::string* s = v->if_string();
    if (s == nullptr)
        return wrong_type(message, key, "a string");
    out.emplace(s->data(), s->size());
    return true;
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
    if (v == nullptr)
        return true;
    if (const std::int64_t* i = v->if_int64()) {
        out = *i;
        return true;
    }
    if (const std::uint64_t* u = v->if_uint64(); u != nullptr && *u <= std::uint64_t(INT64_MAX)) {
        out = static_cast<std::int64_t>(*u);
        return true;
    }
    return wrong_type(message, key, "an integer");
}

bool read_int64(const json::object& o, std::string_view key, std::optional<std::int64_t>& out,
                std::string& message) {
    if (present(o, key) == nullptr)
        return true;
    std::int64_t value = 0;
    if (!read_int64(o, key, value, message))
        return false;
    out = value;
    return true;
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
    if (decode_item(*item, out.emplace(), message)) {
        message.insert(0, ".");
        message.insert(0, key);
        return false;
    }
    return true;
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
            char buf[24];
            auto r = std::to_chars(buf, buf + sizeof buf, i);
            std::string where(field);
            where.push_back('[');
            where.append(buf, r.ptr);
            where.append("]");
            if (!message.empty() && message.front() != '[')
                where.push_back('.');
            message.insert(0, where);
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

bool nested(std::string_view field, std::string& message) {
    message.insert(0, ".");
    message.insert(0, field);
    return false;
}

table_status parse_table_status(std::string_view s) noexcept {
    for (auto v : {table_status::creating, table_status::updating, table_status::deleting,
                   table_status::active, table_status::inaccessible_encryption_credentials,
                   table_status::archiving, table_status::archived, table_status::replication_not_authorized})
        if (s == to_string(v))
            return v;
    return table_status::unknown;
}

bool read_key_schema(const json::object& o, std::vector<key_schema_element>& out, std::string& message) {
    const json::array* a = nullptr;
    if (!read_array(o, "KeySchema", a, message))
        return false;
    if (a == nullptr)
        return true;
    out.clear();
    for (const json::value& e : *a) {
        const json::object* eo = e.if_object();
        if (eo == nullptr)
            return wrong_type(message, "KeySchema[]", "an object");
        key_schema_element& k = out.emplace_back();
        std::string type;
        if (!read_string(*eo, "AttributeName", k.attribute_name, message) ||
            !read_string(*eo, "KeyType", type, message))
            return nested("KeySchema[]", message);
        if (type == "HASH")
            k.key_type = key_type::hash;
        else if (type == "RANGE")
            k.key_type = key_type::range;
        else
            return wrong_type(message, "KeySchema[].KeyType", "HASH or RANGE");
    }
    return true;
}

bool read_attribute_definitions(const json::object& o, std::vector<attribute_definition>& out,
                                std::string& message) {
    const json::array* a = nullptr;
    if (!read_array(o, "AttributeDefinitions", a, message))
        return false;
    if (a == nullptr)
        return true;
    out.clear();
    for (const json::value& e : *a) {
        const json::object* eo = e.if_object();
        if (eo == nullptr)
            return wrong_type(message, "AttributeDefinitions[]", "an object");
        attribute_definition& d = out.emplace_back();
        std::string type;
        if (!read_string(*eo, "AttributeName", d.attribute_name, message) ||
            !read_string(*eo, "AttributeType", type, message))
            return nested("AttributeDefinitions[]", message);
        if (type == "S")
            d.attribute_type = scalar_attribute_type::string;
        else if (type == "N")
            d.attribute_type = scalar_attribute_type::number;
        else if (type == "B")
            d.attribute_type = scalar_attribute_type::binary;
        else
            return wrong_type(message, "AttributeDefinitions[].AttributeType", "S, N or B");
    }
    return true;
}

bool read_throughput(const json::object& o, std::optional<provisioned_throughput>& out,
                     std::string& message) {
    const json::object* t = nullptr;
    if (!read_object(o, "ProvisionedThroughput", t, message))
        return false;
    if (t == nullptr)
        return true;
    provisioned_throughput& p = out.emplace();
    if (!read_int64(*t, "ReadCapacityUnits", p.read_capacity_units, message) ||
        !read_int64(*t, "WriteCapacityUnits", p.write_capacity_units, message))
        return nested("ProvisionedThroughput", message);
    return true;
}

bool read_projection(const json::object& o, std::optional<projection>& out, std::string& message) {
    const json::object* p = nullptr;
    if (!read_object(o, "Projection", p, message))
        return false;
    if (p == nullptr)
        return true;
    projection& proj = out.emplace();
    std::string type;
    if (!read_string(*p, "ProjectionType", type, message))
        return nested("Projection", message);
    if (type == "KEYS_ONLY")
        proj.projection_type = projection_type::keys_only;
    else if (type == "INCLUDE")
        proj.projection_type = projection_type::include;
    else
        proj.projection_type = projection_type::all;
    const json::array* attrs = nullptr;
    if (!read_array(*p, "NonKeyAttributes", attrs, message))
        return nested("Projection", message);
    if (attrs != nullptr) {
        for (const json::value& a : *attrs) {
            const json::string* s = a.if_string();
            if (s == nullptr)
                return wrong_type(message, "Projection.NonKeyAttributes[]", "a string");
            proj.non_key_attributes.emplace_back(s->data(), s->size());
        }
    }
    return true;
}

bool read_indexes(const json::object& o, std::string_view key, std::vector<index_description>& out,
                  std::string& message) {
    const json::array* a = nullptr;
    if (!read_array(o, key, a, message))
        return false;
    if (a == nullptr)
        return true;
    out.clear();
    for (const json::value& e : *a) {
        const json::object* eo = e.if_object();
        if (eo == nullptr)
            return wrong_type(message, key, "an array of objects");
        index_description& d = out.emplace_back();
        if (!read_string(*eo, "IndexName", d.index_name, message) ||
            !read_key_schema(*eo, d.key_schema, message) || !read_projection(*eo, d.projection, message) ||
            !read_string(*eo, "IndexStatus", d.index_status, message)) {
            message.insert(0, "[].");
            return nested(key, message);
        }
    }
    return true;
}

} // namespace

bool read_table_description(const json::object& o, std::string_view field, table_description& out,
                            std::string& message) {
    std::string status;
    std::optional<bool> deletion_protection;
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
        return nested(field, message);
    out.table_status = parse_table_status(status);
    if (billing != nullptr) {
        std::optional<std::string> mode;
        if (!read_string(*billing, "BillingMode", mode, message)) {
            message.insert(0, "BillingModeSummary.");
            return nested(field, message);
        }
        if (mode == "PAY_PER_REQUEST")
            out.billing_mode = billing_mode::pay_per_request;
        else if (mode == "PROVISIONED")
            out.billing_mode = billing_mode::provisioned;
    }
    return true;
}

error_code invalid(errc code, std::string_view field, std::string_view reason, std::string& message) {
    message.assign(field);
    message.append(": ");
    message.append(reason);
    return make_error_code(code);
}

error_code check_none_or_all_old(const std::optional<return_value>& v, std::string_view field,
                                 std::string& message) {
    if (!v || *v == return_value::none || *v == return_value::all_old)
        return {};
    return invalid(errc::invalid_argument, field, "must be NONE or ALL_OLD", message);
}

error_code prepend_path(error_code ec, std::string_view path, std::string& message) {
    if (!ec)
        return ec;
    if (!message.empty() && message.front() != ':' && message.front() != '.' && message.front() != '[')
        message.insert(0, 1, '.');
    message.insert(0, path);
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
