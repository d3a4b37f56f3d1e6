// SPDX-License-Identifier: BSL-1.0
// Opaque page tokens of store listings: a DynamoDB LastEvaluatedKey, wrapped so that a token can be
// recognised as ours and as belonging to the listing it is used with.
//
// Format: base64url (no padding) of
//     version byte (1) | first 8 bytes of SHA-256(binding | key JSON) | key JSON (DynamoDB JSON)
// The binding names the listing (table, index, partition, prefix, direction) and is not stored: a token
// used with another listing fails the check exactly like a damaged one. The check is an integrity check,
// not a signature: anybody can mint a token, but it can only move a listing's start point within the
// partition it already reads (DynamoDB rejects a start key outside the key condition, and decoding
// checks the partition key too).
#ifndef DYNALOCK_CORE_STORE_PAGE_TOKEN_HPP
#define DYNALOCK_CORE_STORE_PAGE_TOKEN_HPP

#include <dynalock/attribute_value.hpp>
#include <dynalock/error.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace dynalock::core {

/// Longest token accepted (characters). A key is at most 2 x (2048 + 1024) bytes of values (table and
/// index keys), which base64 and JSON grow by less than 2x.
inline constexpr std::size_t max_page_token_size = 16 * 1024;

/// The binding of a listing: its parts, each length-prefixed so that no two listings give the same text.
class page_token_binding {
public:
    page_token_binding& add(std::string_view part);
    const std::string& text() const noexcept { return text_; }

private:
    std::string text_;
};

/// The token for a LastEvaluatedKey.
std::string encode_page_token(const attribute_map& last_evaluated_key, const page_token_binding& binding);

/// The key a token holds, if it is one of ours for this binding: errc::invalid_argument otherwise, with a
/// message saying what is wrong (not base64url, unknown version, issued for another listing or damaged,
/// not a key). The key must hold 1 to 4 attributes of type S, N or B.
error_code decode_page_token(std::string_view token, const page_token_binding& binding, attribute_map& key,
                             std::string& message);

/// Base64url (RFC 4648 section 5) without padding.
void base64url_encode(std::string_view bytes, std::string& out);
/// Strict: only the url-safe alphabet, no padding, no bits set past the last byte.
bool base64url_decode(std::string_view text, std::string& out);

} // namespace dynalock::core

#endif
