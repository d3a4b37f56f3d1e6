// SPDX-License-Identifier: BSL-1.0
// Helpers shared by the operation builders, parsers and validators (operations_*.cpp). Internal.
#ifndef DYNALOCK_CORE_OPERATIONS_COMMON_HPP
#define DYNALOCK_CORE_OPERATIONS_COMMON_HPP

#include <dynalock/attribute_value.hpp>
#include <dynalock/error.hpp>
#include <dynalock/operations.hpp>

#include "json_codec.hpp"
#include "operations.hpp"
#include "validation.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dynalock::core::detail {

namespace json = boost::json;

// ---- enumerations -------------------------------------------------------------------------------

/// The wire names of an enumeration: `names[i]` is the name of the value i (the enumerations of
/// <dynalock/operations.hpp> count from 0 without gaps). The one table both directions use.
template <class Enum>
struct wire_names;

template <>
struct wire_names<return_value> {
    static constexpr std::string_view names[] = {"NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"};
};
template <>
struct wire_names<select_mode> {
    static constexpr std::string_view names[] = {"ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES",
                                                 "SPECIFIC_ATTRIBUTES", "COUNT"};
};
template <>
struct wire_names<scalar_attribute_type> {
    static constexpr std::string_view names[] = {"S", "N", "B"};
};
template <>
struct wire_names<key_type> {
    static constexpr std::string_view names[] = {"HASH", "RANGE"};
};
template <>
struct wire_names<billing_mode> {
    static constexpr std::string_view names[] = {"PROVISIONED", "PAY_PER_REQUEST"};
};
template <>
struct wire_names<projection_type> {
    static constexpr std::string_view names[] = {"ALL", "KEYS_ONLY", "INCLUDE"};
};
template <>
struct wire_names<table_status> {
    static constexpr std::string_view names[] = {
        "UNKNOWN",   "CREATING", "UPDATING",
        "DELETING",  "ACTIVE",   "INACCESSIBLE_ENCRYPTION_CREDENTIALS",
        "ARCHIVING", "ARCHIVED", "REPLICATION_NOT_AUTHORIZED"};
};
template <>
struct wire_names<time_to_live_status> {
    static constexpr std::string_view names[] = {"UNKNOWN", "ENABLING", "DISABLING", "ENABLED", "DISABLED"};
};

/// The wire name of `v`; a value outside the enumeration gets the name of its first value.
template <class Enum>
constexpr std::string_view wire_name(Enum v) noexcept {
    const auto& names = wire_names<Enum>::names;
    const auto i = static_cast<std::size_t>(v);
    return i < std::size(names) ? names[i] : names[0];
}

/// The value named `name`, or nullopt for a name this version does not know.
template <class Enum>
constexpr std::optional<Enum> from_wire_name(std::string_view name) noexcept {
    const auto& names = wire_names<Enum>::names;
    for (std::size_t i = 0; i < std::size(names); ++i)
        if (names[i] == name)
            return static_cast<Enum>(i);
    return std::nullopt;
}

// ---- writing ------------------------------------------------------------------------------------

inline void write_string(std::string& out, std::string_view key, std::string_view value) {
    append_json_key(out, key);
    append_json_string(out, value);
}

inline void write_string(std::string& out, std::string_view key, const std::string& value) {
    write_string(out, key, std::string_view(value));
}

inline void write_string(std::string& out, std::string_view key, const std::optional<std::string>& value) {
    if (value)
        write_string(out, key, *value);
}

inline void write_bool(std::string& out, std::string_view key, bool value) {
    append_json_key(out, key);
    out.append(value ? "true" : "false");
}

inline void write_bool(std::string& out, std::string_view key, const std::optional<bool>& value) {
    if (value)
        write_bool(out, key, *value);
}

inline void write_integer(std::string& out, std::string_view key, std::int64_t value) {
    append_json_key(out, key);
    append_json_integer(out, value);
}

inline void write_integer(std::string& out, std::string_view key, const std::optional<std::int32_t>& value) {
    if (value)
        write_integer(out, key, *value);
}

template <class Enum>
void write_enum(std::string& out, std::string_view key, const std::optional<Enum>& value) {
    if (value)
        write_string(out, key, wire_name(*value));
}

inline void write_item(std::string& out, std::string_view key, const attribute_map& item) {
    append_json_key(out, key);
    encode_item(item, out);
}

inline void write_item(std::string& out, std::string_view key, const std::optional<attribute_map>& item) {
    if (item)
        write_item(out, key, *item);
}

/// `"key":{...}`, the members written by `write_members()`.
template <class WriteMembers>
void write_object(std::string& out, std::string_view key, WriteMembers&& write_members) {
    append_json_key(out, key);
    out.push_back('{');
    write_members();
    out.push_back('}');
}

/// `"key":[{...},...]`, the members of each element written by `write_members(element)`.
template <class Range, class WriteMembers>
void write_object_array(std::string& out, std::string_view key, const Range& elements,
                        WriteMembers&& write_members) {
    append_json_key(out, key);
    out.push_back('[');
    for (const auto& e : elements) {
        append_json_separator(out);
        out.push_back('{');
        write_members(e);
        out.push_back('}');
    }
    out.push_back(']');
}

/// ExpressionAttributeNames, only when not empty.
void write_names(std::string& out, const expression_names& names);

/// ExpressionAttributeValues, only when not empty.
inline void write_values(std::string& out, const attribute_map& values) {
    if (!values.empty())
        write_item(out, "ExpressionAttributeValues", values);
}

/// The members of a single-item write, as PutItem, UpdateItem, DeleteItem and the TransactWriteItems
/// actions (ConditionCheck, Put, Delete, Update) share them, in this order: TableName, Item or Key,
/// UpdateExpression, ConditionExpression, the placeholders, ReturnValues,
/// ReturnValuesOnConditionCheckFailure. A member the type does not have is skipped.
template <class Write>
void write_item_action(std::string& out, const Write& w) {
    write_string(out, "TableName", w.table_name);
    if constexpr (requires { w.item; })
        write_item(out, "Item", w.item);
    else
        write_item(out, "Key", w.key);
    if constexpr (requires { w.update_expression; })
        write_string(out, "UpdateExpression", w.update_expression);
    write_string(out, "ConditionExpression", w.condition_expression);
    write_names(out, w.expression_attribute_names);
    write_values(out, w.expression_attribute_values);
    if constexpr (requires { w.return_values; })
        write_enum(out, "ReturnValues", w.return_values);
    write_enum(out, "ReturnValuesOnConditionCheckFailure", w.return_values_on_condition_check_failure);
}

/// A first guess of a body's size, so the common case appends without reallocating.
inline void reserve_body(std::string& body, std::size_t estimate) {
    body.reserve(body.size() + estimate + 64);
}

// ---- reading ------------------------------------------------------------------------------------

/// Parses a reply body, checks that it is a JSON object and hands it to `read`, which returns false after
/// setting `message` when a known member has the wrong shape. Small replies are parsed without touching
/// the heap for the DOM.
template <class Read>
error_code parse_body(std::string_view body, std::string& message, Read&& read) {
    return with_parsed_json<4096>(body, message, [&](const json::value& v) -> error_code {
        const json::object* o = v.if_object();
        if (o == nullptr) {
            message = "the reply body is not a JSON object";
            return make_error_code(errc::malformed_response);
        }
        if (!read(*o))
            return make_error_code(errc::malformed_response);
        return {};
    });
}

bool wrong_type(std::string& message, std::string_view field, std::string_view expected);

/// Puts `field.` in front of a message about a member of `field`; returns false.
bool nested(std::string_view field, std::string& message);

// Each reader leaves `out` alone when the member is absent and fails (setting `message`) when it has
// the wrong JSON type. A JSON null counts as absent.
bool read_string(const json::object& o, std::string_view key, std::string& out, std::string& message);
bool read_string(const json::object& o, std::string_view key, std::optional<std::string>& out,
                 std::string& message);
bool read_bool(const json::object& o, std::string_view key, std::optional<bool>& out, std::string& message);
bool read_int64(const json::object& o, std::string_view key, std::int64_t& out, std::string& message);
bool read_int64(const json::object& o, std::string_view key, std::optional<std::int64_t>& out,
                std::string& message);
bool read_double(const json::object& o, std::string_view key, std::optional<double>& out,
                 std::string& message);
bool read_item(const json::object& o, std::string_view key, std::optional<attribute_map>& out,
               std::string& message);
/// A JSON array of items.
bool read_items(const json::value& v, std::string_view field, std::vector<attribute_map>& out,
                std::string& message);
/// An object member, or nullptr (absent or null); false when present with another type.
bool read_object(const json::object& o, std::string_view key, const json::object*& out, std::string& message);
bool read_array(const json::object& o, std::string_view key, const json::array*& out, std::string& message);

/// An object member, handed to `read(object)` when present; a failure inside gets `key.` in front.
template <class Read>
bool read_nested_object(const json::object& o, std::string_view key, Read&& read, std::string& message) {
    const json::object* member = nullptr;
    if (!read_object(o, key, member, message))
        return false;
    return member == nullptr || read(*member) || nested(key, message);
}

/// An array of objects, replacing `out` when present: `read_element(object, element)` fills one element;
/// a failure inside gets `key[].` in front.
template <class T, class ReadElement>
bool read_object_array(const json::object& o, std::string_view key, std::vector<T>& out,
                       ReadElement&& read_element, std::string& message) {
    const json::array* a = nullptr;
    if (!read_array(o, key, a, message))
        return false;
    if (a == nullptr)
        return true;
    out.clear();
    out.reserve(a->size());
    for (const json::value& e : *a) {
        const json::object* eo = e.if_object();
        if (eo == nullptr) {
            std::string field(key);
            field.append("[]");
            return wrong_type(message, field, "an object");
        }
        if (!read_element(*eo, out.emplace_back())) {
            message.insert(0, "[].");
            message.insert(0, key);
            return false;
        }
    }
    return true;
}

/// A required string member holding a wire name of Enum; when it is absent or unknown, false with
/// `key: expected <expected>`.
template <class Enum>
bool read_enum(const json::object& o, std::string_view key, Enum& out, std::string_view expected,
               std::string& message) {
    std::string name;
    if (!read_string(o, key, name, message))
        return false;
    if (const std::optional<Enum> v = from_wire_name<Enum>(name)) {
        out = *v;
        return true;
    }
    return wrong_type(message, key, expected);
}

/// A TableDescription (CreateTable, DescribeTable, DeleteTable).
bool read_table_description(const json::object& o, table_description& out, std::string& message);

/// A reply whose content is one object member `key` (CreateTable's TableDescription, ...), handed to
/// `read(object)` when present.
template <class Read>
error_code parse_object_reply(std::string_view body, std::string_view key, std::string& message,
                              Read&& read) {
    return parse_body(body, message,
                      [&](const json::object& o) { return read_nested_object(o, key, read, message); });
}

/// A reply whose content is one item member (GetItem's Item, the writes' Attributes).
error_code parse_item_reply(std::string_view body, std::string_view key, std::optional<attribute_map>& out,
                            std::string& message);

// ---- validation ---------------------------------------------------------------------------------

/// ReturnValues of PutItem/DeleteItem and every ReturnValuesOnConditionCheckFailure: NONE or ALL_OLD.
error_code check_none_or_all_old(const std::optional<return_value>& v, std::string_view field,
                                 std::string& message);

inline const std::string* if_present(const std::optional<std::string>& s) noexcept {
    return s ? &*s : nullptr;
}

/// The ConditionExpression of a write that may leave it out.
template <class Write>
expression_ref optional_condition(const Write& w) noexcept {
    return {"ConditionExpression", if_present(w.condition_expression)};
}

/// The checks every single-item write shares (PutItem, UpdateItem, DeleteItem and the TransactWriteItems
/// entries): table name, the item (when `item` is set) or the key, the expressions with their
/// placeholders, and ReturnValuesOnConditionCheckFailure.
error_code validate_write(std::string_view table_name, const attribute_map* item, const attribute_map* key,
                          std::span<const expression_ref> expressions, const expression_names& names,
                          const attribute_map& values,
                          const std::optional<return_value>& on_condition_failure, std::string& message);

/// validate_write for a request or transaction action, with its Item or Key (see write_item_action).
template <class Write>
error_code validate_item_action(const Write& w, std::span<const expression_ref> expressions,
                                std::string& message) {
    const attribute_map* item = nullptr;
    const attribute_map* key = nullptr;
    if constexpr (requires { w.item; })
        item = &w.item;
    else
        key = &w.key;
    return validate_write(w.table_name, item, key, expressions, w.expression_attribute_names,
                          w.expression_attribute_values, w.return_values_on_condition_check_failure, message);
}

/// Puts `path` in front of `message`, with a '.' when the message starts with a member name.
void prepend_path(std::string_view path, std::string& message);
/// The same on error; returns `ec`.
error_code prepend_path(error_code ec, std::string_view path, std::string& message);

/// Puts `prefix` in front of a message produced for a nested part ("TransactItems[2].Put.").
error_code with_prefix(error_code ec, std::string_view prefix, std::size_t index, std::string_view suffix,
                       std::string& message);

} // namespace dynalock::core::detail

#endif
