// SPDX-License-Identifier: BSL-1.0
#include "store_item.hpp"

#include "json_codec.hpp"

#include <charconv>
#include <cmath>
#include <limits>
#include <system_error>

namespace dynalock {

std::optional<std::string> kv_pair::bytes() const {
    if (!value)
        return std::nullopt;
    return core::decode_bytes(*value);
}

namespace core {

std::int64_t epoch_seconds(std::chrono::system_clock::time_point t) noexcept {
    return std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
}

std::optional<std::int64_t> expiry_seconds(const attribute_value& expires) noexcept {
    const std::string* text = expires.if_number();
    if (text == nullptr)
        return std::nullopt;
    if (auto whole = expires.to_integer<std::int64_t>())
        return whole;
    // A fraction, an exponent or an integer beyond int64: compare through a double, rounding up so that
    // "expired at second s" matches DynamoDB's exact `expires <= s`.
    double d = 0;
    const char* first = text->data();
    const char* last = first + text->size();
    if (first != last && *first == '+')
        ++first;
    auto r = std::from_chars(first, last, d);
    if (r.ec == std::errc::result_out_of_range) {
        // Beyond double's range: the text's sign says which end.
        return !text->empty() && text->front() == '-' ? std::numeric_limits<std::int64_t>::min()
                                                      : std::numeric_limits<std::int64_t>::max();
    }
    if (r.ec != std::errc{} || r.ptr != last || !std::isfinite(d))
        return std::nullopt; // validated N never gets here
    d = std::ceil(d);
    // 2^63 is exactly representable; anything at or beyond it saturates.
    constexpr double limit = 9223372036854775808.0;
    if (d >= limit)
        return std::numeric_limits<std::int64_t>::max();
    if (d < -limit)
        return std::numeric_limits<std::int64_t>::min();
    return static_cast<std::int64_t>(d);
}

bool is_expired(const attribute_map& item, const store_schema& schema, std::int64_t now) noexcept {
    const attribute_value* e = item.get(schema.expires);
    if (e == nullptr)
        return false;
    auto at = expiry_seconds(*e);
    return at && *at <= now;
}

error_code decode_pair(attribute_map&& item, const store_schema& schema, kv_pair& out, std::string& message) {
    out = kv_pair{};
    out.attributes.reserve(item.size() > 4 ? item.size() - 4 : 0);
    bool have_partition = false;
    bool have_key = false;
    for (auto& [name, value] : item) {
        if (name == schema.partition_key) {
            if (auto* s = value.if_string()) {
                out.partition = std::move(*s);
                have_partition = true;
            }
        } else if (name == schema.sort_key) {
            if (auto* s = value.if_string()) {
                out.key = std::move(*s);
                have_key = true;
            }
        } else if (name == schema.version) {
            out.version = value.to_integer<std::int64_t>().value_or(0);
        } else if (name == schema.expires) {
            out.expires = expiry_seconds(value);
            if (!out.expires) // not a number: kept as an ordinary attribute, the item never expires
                out.attributes.append(std::move(name), std::move(value));
        } else if (name == schema.value) {
            out.value = std::move(value);
        } else {
            out.attributes.append(std::move(name), std::move(value));
        }
    }
    if (!have_partition || !have_key) {
        message = "an item has no string '";
        message.append(have_partition ? schema.sort_key : schema.partition_key);
        message.append("' attribute: the table does not use the store's key schema");
        return errc::malformed_response;
    }
    return {};
}

attribute_value encode_bytes(std::string_view bytes, bytes_encoding encoding) {
    if (encoding == bytes_encoding::binary)
        return attribute_value::binary(bytes);
    std::string text;
    text.reserve((bytes.size() + 2) / 3 * 4);
    base64_encode(bytes, text);
    return attribute_value::string(std::move(text));
}

std::optional<std::string> decode_bytes(const attribute_value& value) {
    if (const std::string* b = value.if_binary())
        return *b;
    const std::string* s = value.if_string();
    if (s == nullptr)
        return std::nullopt;
    std::string out;
    out.reserve(s->size() / 4 * 3);
    if (!base64_decode(*s, out))
        return std::nullopt;
    return out;
}

} // namespace core
} // namespace dynalock
