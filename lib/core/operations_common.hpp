// Helpers shared by the operation builders, parsers and validators (operations_*.cpp). Internal.
#ifndef DYNALOCK_CORE_OPERATIONS_COMMON_HPP
#define DYNALOCK_CORE_OPERATIONS_COMMON_HPP

#include <dynalock/attribute_value.hpp>
#include <dynalock/error.hpp>
#include <dynalock/operations.hpp>

#include "json_codec.hpp"
#include "operations.hpp"
#include "validation.hpp"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace dynalock::core::detail {

namespace json = boost::json;

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
        write_string(out, key, to_string(*value));
}

inline void write_item(std::string& out, std::string_view key, const attribute_map& item) {
    append_json_key(out, key);
    encode_item(item, out);
}

/// ExpressionAttributeNames, only when not empty.
void write_names(std::string& out, const expression_names& names);

/// ExpressionAttributeValues, only when not empty.
inline void write_values(std::string& out, const attribute_map& values) {
    if (!values.empty())
        write_item(out, "ExpressionAttributeValues", values);
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
    unsigned char buffer[4096];
    json::monotonic_resource resource(buffer, sizeof buffer);
    error_code ec;
    json::value v = parse_json(body, &resource, ec, message);
    if (ec)
        return ec;
    const json::object* o = v.if_object();
    if (o == nullptr) {
        message = "the reply body is not a JSON object";
        return make_error_code(errc::malformed_response);
    }
    if (!read(*o))
        return make_error_code(errc::malformed_response);
    return {};
}

bool wrong_type(std::string& message, std::string_view field, std::string_view expected);

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

/// Table descriptions and their parts (shared by CreateTable, DescribeTable, DeleteTable).
bool read_table_description(const json::object& o, std::string_view field, table_description& out,
                            std::string& message);

// ---- validation ---------------------------------------------------------------------------------

/// The error for a field: `field: reason`.
error_code invalid(errc code, std::string_view field, std::string_view reason, std::string& message);

/// ReturnValues of PutItem/DeleteItem and every ReturnValuesOnConditionCheckFailure: NONE or ALL_OLD.
error_code check_none_or_all_old(const std::optional<return_value>& v, std::string_view field,
                                 std::string& message);

inline const std::string* if_present(const std::optional<std::string>& s) noexcept {
    return s ? &*s : nullptr;
}

/// The checks every single-item write shares (PutItem, UpdateItem, DeleteItem and the TransactWriteItems
/// entries): table name, the item (when `item` is set) or the key, the expressions with their
/// placeholders, and ReturnValuesOnConditionCheckFailure.
error_code validate_write(std::string_view table_name, const attribute_map* item, const attribute_map* key,
                          std::span<const expression_ref> expressions, const expression_names& names,
                          const attribute_map& values,
                          const std::optional<return_value>& on_condition_failure, std::string& message);

/// On error, puts `path` in front of `message`, with a '.' when the message starts with a member name.
error_code prepend_path(error_code ec, std::string_view path, std::string& message);

/// Puts `prefix` in front of a message produced for a nested part ("TransactItems[2].Put.").
error_code with_prefix(error_code ec, std::string_view prefix, std::size_t index, std::string_view suffix,
                       std::string& message);

} // namespace dynalock::core::detail

#endif
