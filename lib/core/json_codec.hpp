// SPDX-License-Identifier: BSL-1.0
// AttributeValue <-> DynamoDB JSON, and the small JSON writing kit the request builders share.
//
// Encoding appends compact JSON straight into a std::string: no DOM, no streams. Decoding walks a
// Boost.JSON value and never throws on bad input; every problem is an errc::malformed_response with a
// message that says where ("Item.tags.SS[2]: ...").
#ifndef DYNALOCK_CORE_JSON_CODEC_HPP
#define DYNALOCK_CORE_JSON_CODEC_HPP

#include <dynalock/attribute_value.hpp>
#include <dynalock/error.hpp>

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace dynalock::core {

// ---- writing ------------------------------------------------------------------------------------

/// Appends `s` as a JSON string: quotes, backslashes and control characters escaped (\n, \t, \r, \b,
/// \f, else \u00XX), every other byte, UTF-8 included, copied as is.
void append_json_string(std::string& out, std::string_view s);

/// Appends `,` unless `out` ends with `{` or `[`: the separator before a member or an element. The
/// writers rely on this instead of keeping state, so a body must be built front to back.
inline void append_json_separator(std::string& out) {
    if (!out.empty() && out.back() != '{' && out.back() != '[')
        out.push_back(',');
}

/// Appends a separator if needed, then `"key":`.
inline void append_json_key(std::string& out, std::string_view key) {
    append_json_separator(out);
    append_json_string(out, key);
    out.push_back(':');
}

/// Appends `value` as a JSON integer.
void append_json_integer(std::string& out, std::int64_t value);

/// Appends the standard base64 (RFC 4648 section 4, padded) of `bytes`.
void base64_encode(std::string_view bytes, std::string& out);

/// Appends the bytes of strict standard base64 text: padded to a multiple of 4, no whitespace, no
/// non-zero bits in the padding. Returns false (with `out` unspecified) on anything else.
bool base64_decode(std::string_view text, std::string& out);

/// Appends `{"S":"..."}` and friends. N is written as given, B and BS as base64. Does not validate:
/// run validate_attribute_value first (invalid UTF-8, for instance, is copied through).
void encode_attribute_value(const attribute_value& v, std::string& out);

/// Appends `{"name":AttributeValue,...}` with the members in map order.
void encode_item(const attribute_map& item, std::string& out);

// ---- reading ------------------------------------------------------------------------------------

/// Decodes one AttributeValue object: exactly one type member, of the right JSON type; N (and NS
/// elements) must be valid DynamoDB numbers, B (and BS elements) valid base64, NULL must be true.
/// On error returns errc::malformed_response, leaves `out` unspecified and says why in `message`.
error_code decode_attribute_value(const boost::json::value& v, attribute_value& out, std::string& message);

/// Decodes `{name: AttributeValue, ...}` into `out` (replacing its content), keeping member order.
error_code decode_item(const boost::json::value& v, attribute_map& out, std::string& message);
error_code decode_item(const boost::json::object& v, attribute_map& out, std::string& message);

/// Parses JSON text and decodes it with decode_attribute_value / decode_item. Invalid JSON, including
/// truncated text, gives errc::malformed_response.
error_code parse_attribute_value(std::string_view json, attribute_value& out, std::string& message);
error_code parse_item(std::string_view json, attribute_map& out, std::string& message);

/// Deepest JSON nesting accepted when parsing a body. 32 levels of L/M take 64 JSON levels, plus the
/// envelope (Responses -> table -> item); Boost.JSON's default of 32 would reject legal items.
inline constexpr std::size_t max_json_depth = 128;

/// Parses JSON text (strict RFC 8259, UTF-8 checked, at most max_json_depth levels) into a value whose
/// memory comes from `storage`. On failure sets `ec` to errc::malformed_response and says why in
/// `message`. Never throws, std::bad_alloc aside.
boost::json::value parse_json(std::string_view text, boost::json::storage_ptr storage, error_code& ec,
                              std::string& message);

/// Parses `text` with parse_json, taking memory from a stack buffer of `buffer_size` bytes before the
/// heap (small bodies need no allocation for the DOM), and returns `use(value)`, an error_code, or the
/// parse error.
template <std::size_t buffer_size, class Use>
error_code with_parsed_json(std::string_view text, std::string& message, Use&& use) {
    unsigned char buffer[buffer_size];
    boost::json::monotonic_resource resource(buffer, sizeof buffer);
    error_code ec;
    const boost::json::value v = parse_json(text, &resource, ec, message);
    if (ec)
        return ec;
    return use(v);
}

} // namespace dynalock::core

#endif
