// SPDX-License-Identifier: BSL-1.0
// Local checks of DynamoDB's input rules, run before a request is sent so that a mistake costs no
// round trip and gets a precise message. Every check returns an errc with a message that names the
// field ("Item.tags.SS[1]: duplicate set element").
#ifndef DYNALOCK_CORE_VALIDATION_HPP
#define DYNALOCK_CORE_VALIDATION_HPP

#include <dynalock/attribute_value.hpp>
#include <dynalock/error.hpp>
#include <dynalock/operations.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace dynalock::core {

inline constexpr std::size_t max_item_size = 400 * 1024;        ///< bytes, as sized by item_size()
inline constexpr int max_nesting_depth = 32;                    ///< levels of L/M
inline constexpr std::size_t max_partition_key_size = 2048;     ///< bytes
inline constexpr std::size_t max_sort_key_size = 1024;          ///< bytes
inline constexpr std::size_t max_expression_size = 4096;        ///< bytes per expression string
inline constexpr std::size_t max_placeholder_size = 255;        ///< bytes per "#name" / ":value"
inline constexpr std::size_t max_attribute_name_size = 65535;   ///< bytes
inline constexpr std::size_t max_key_attribute_name_size = 255; ///< bytes (key schema, TTL attribute)
inline constexpr std::size_t max_number_digits = 38;            ///< significant digits of an N

/// True for well-formed UTF-8 (RFC 3629: shortest form, no surrogates, at most U+10FFFF).
bool is_valid_utf8(std::string_view s) noexcept;

/// What check_number found.
struct number_check {
    /// Empty when the text is a number DynamoDB accepts, else why not (a static string).
    std::string_view problem;
    /// Significant digits once leading and trailing zeros are trimmed (1 for zero).
    std::size_t significant_digits = 0;
};

/// Checks a number text: `[+-]? digits [. digits] [(e|E) [+-]? digits]` (either side of the point may be
/// empty, not both), at most 38 significant digits, and zero or a magnitude within
/// 1E-130 ... 9.99...9E+125.
number_check check_number(std::string_view text) noexcept;

/// The same number written one way ("-1.50" and "-15E-1" both give "-15e-1"); for finding duplicates
/// in a number set. Precondition: check_number(text) accepted it.
std::string canonical_number(std::string_view text);

/// DynamoDB's size of a value (its documented sizing rule, which is what the 400 KB limit counts):
/// S: UTF-8 bytes; B: raw bytes; N: 1 byte per 2 significant digits, rounded up, + 1;
/// BOOL, NULL: 1; L, M: 3 + for each element 1 + its size (+ its name's bytes for M);
/// SS, BS: sum of the element bytes; NS: sum of the element number sizes.
std::size_t attribute_value_size(const attribute_value& v) noexcept;

/// Size of an item: for each attribute, its name's bytes + its value's size.
std::size_t item_size(const attribute_map& item) noexcept;

/// 3-255 characters of [a-zA-Z0-9_.-], or a table ARN ("arn:..." up to 1024 printable ASCII characters).
/// Error: errc::invalid_table_name.
error_code validate_table_name(std::string_view name, std::string_view field, std::string& message);

/// 3-255 characters of [a-zA-Z0-9_.-]. Error: errc::invalid_argument.
error_code validate_index_name(std::string_view name, std::string_view field, std::string& message);

/// One value and everything nested in it: UTF-8 of S, SS and member names; numbers; sets non-empty
/// and without duplicates; nesting depth.
/// Errors: invalid_utf8, invalid_attribute_value, nesting_too_deep.
error_code validate_attribute_value(const attribute_value& v, std::string_view field, std::string& message);

/// An item: every attribute as validate_attribute_value, names 1-65535 bytes of UTF-8, no repeated
/// names, and item_size() at most 400 KB (errc::item_too_large). `allow_empty` is false for Item
/// members, which must hold at least the key (errc::invalid_argument).
error_code validate_item(const attribute_map& item, std::string_view field, std::string& message,
                         bool allow_empty = false);

/// A primary key: 1 or 2 attributes of type S, N or B; S and B not empty (errc::empty_key); each value
/// at most 2048 bytes and, for a two-part key, one of them at most 1024 (errc::key_too_large). Without
/// the table's schema, which part is the sort key is unknown, so that is the tightest safe rule.
error_code validate_key(const attribute_map& key, std::string_view field, std::string& message);

/// One expression of a request, for validate_expressions.
struct expression_ref {
    std::string_view field;            ///< member name for messages ("ConditionExpression")
    const std::string* text = nullptr; ///< nullptr when the request leaves it out
    bool required = false;
};

/// The expressions of a request together with its ExpressionAttributeNames/Values:
///  - each expression: present when required, and when present non-empty, at most 4 KB, valid UTF-8;
///  - names: "#" + [A-Za-z0-9_]+ (at most 255 bytes) -> a non-empty UTF-8 attribute name;
///  - values: ":" + [A-Za-z0-9_]+ (at most 255 bytes) -> a valid value (validate_attribute_value);
///  - DynamoDB rejects a placeholder that is defined but unused, and one used but not defined, so both
///    are checked here.
/// `prefix` is put in front of field names ("TransactItems[2].Update."). Errors: invalid_argument,
/// invalid_utf8, or a value's own error.
error_code validate_expressions(std::span<const expression_ref> expressions, const expression_names& names,
                                const attribute_map& values, std::string_view prefix, std::string& message);

/// Appends a printable, length-capped rendering of `text` (control bytes and invalid UTF-8 become '?').
/// For echoing user data in messages.
void append_printable(std::string& out, std::string_view text, std::size_t max_size = 64);

namespace detail {

/// Sets `message` to `field: reason` and returns `code`.
error_code invalid(errc code, std::string_view field, std::string_view reason, std::string& message);

/// Sets `message` to `text` and returns `code`: the one line of every check that fails with a message.
error_code fail(errc code, std::string& message, std::string text);

// Paths in messages ("Item.tags.SS[1]") are built only on failure, innermost segment first. These put
// one segment in front of `path`, with a '.' between it and a member name that follows.

/// A member name, rendered with append_printable.
void prepend_member(std::string& path, std::string_view name);
/// An index: "[i]".
void prepend_index(std::string& path, std::size_t i);

} // namespace detail

} // namespace dynalock::core

#endif
