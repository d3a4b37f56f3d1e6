// SPDX-License-Identifier: BSL-1.0
// What the `dynalock` tool prints: pairs as JSON objects (for --output json), values that are not bytes
// as DynamoDB JSON, and untrusted text made safe for a one-line message on a terminal.
#ifndef DYNALOCK_CLI_OUTPUT_HPP
#define DYNALOCK_CLI_OUTPUT_HPP

#include <dynalock/attribute_value.hpp>
#include <dynalock/kv_pair.hpp>

#include <string>
#include <string_view>

namespace dynalock::cli {

/// Strict UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
bool is_valid_utf8(std::string_view text) noexcept;

/// Standard base64 with padding (RFC 4648 §4).
std::string base64_encode(std::string_view bytes);

/// `text` as one printable line: control characters, DEL and bytes that are not UTF-8 become escapes
/// (\n, \t, \xNN, ...), so a message with a key or a server's text in it stays one line and cannot drive
/// the terminal.
std::string one_line(std::string_view text);

/// A value that is not bytes (a map, a number, a string the Go layout did not write...) as DynamoDB JSON:
/// {"M":{"n":{"N":"1"}}}.
std::string attribute_json(const attribute_value& value);

/// What a pair is shown with in JSON.
enum class pair_fields {
    metadata,   ///< key, version, expires
    with_value, ///< key, value, encoding, version, expires
};

/// One pair as a JSON object (no newline):
///   {"key":"k","value":"hello","encoding":"text","version":3,"expires":1700000000}
/// `value` is the bytes as a string when they are valid UTF-8 ("encoding":"text"), their base64 otherwise
/// ("encoding":"base64"); a value that is not bytes is its DynamoDB JSON ("encoding":"dynamodb"); a pair
/// without a value has "value":null and no encoding. `expires` is Unix epoch seconds, or null.
std::string pair_json(const kv_pair& pair, pair_fields fields);

} // namespace dynalock::cli

#endif
