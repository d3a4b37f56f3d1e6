// SPDX-License-Identifier: BSL-1.0
#include "output.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include <cstdint>

namespace dynalock::cli {

namespace json = boost::json;

namespace {

// Length of the UTF-8 sequence starting at text[i] if it is well formed, else 0.
std::size_t utf8_sequence_length(std::string_view text, std::size_t i) noexcept {
    const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(text[k]); };
    const unsigned char lead = byte(i);
    if (lead < 0x80)
        return 1;
    std::size_t n = 0;
    unsigned char min_second = 0x80, max_second = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) {
        n = 2;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
        n = 3;
        if (lead == 0xE0)
            min_second = 0xA0; // overlong
        else if (lead == 0xED)
            max_second = 0x9F; // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
        n = 4;
        if (lead == 0xF0)
            min_second = 0x90; // overlong
        else if (lead == 0xF4)
            max_second = 0x8F; // above U+10FFFF
    } else {
        return 0; // a continuation byte, C0/C1, or F5..FF
    }
    if (text.size() - i < n)
        return 0;
    if (byte(i + 1) < min_second || byte(i + 1) > max_second)
        return 0;
    for (std::size_t k = 2; k < n; ++k)
        if ((byte(i + k) & 0xC0) != 0x80)
            return 0;
    return n;
}

json::value attribute_to_json(const attribute_value& v) {
    json::object o;
    const auto strings = [](const attribute_value::set_type& set, bool binary) {
        json::array a;
        a.reserve(set.size());
        for (const auto& s : set)
            a.emplace_back(binary ? json::string(base64_encode(s)) : json::string(s));
        return a;
    };
    switch (v.type()) {
    case attribute_type::string:
        o.emplace("S", v.as_string());
        break;
    case attribute_type::number:
        o.emplace("N", v.as_number());
        break;
    case attribute_type::binary:
        o.emplace("B", base64_encode(v.as_binary()));
        break;
    case attribute_type::boolean:
        o.emplace("BOOL", v.as_bool());
        break;
    case attribute_type::null:
        o.emplace("NULL", true);
        break;
    case attribute_type::list: {
        json::array a;
        a.reserve(v.as_list().size());
        for (const auto& e : v.as_list())
            a.push_back(attribute_to_json(e));
        o.emplace("L", std::move(a));
        break;
    }
    case attribute_type::map: {
        json::object m;
        for (const auto& [name, member] : v.as_map())
            m.emplace(name, attribute_to_json(member));
        o.emplace("M", std::move(m));
        break;
    }
    case attribute_type::string_set:
        o.emplace("SS", strings(v.as_string_set(), false));
        break;
    case attribute_type::number_set:
        o.emplace("NS", strings(v.as_number_set(), false));
        break;
    case attribute_type::binary_set:
        o.emplace("BS", strings(v.as_binary_set(), true));
        break;
    }
    return o;
}

} // namespace

bool is_valid_utf8(std::string_view text) noexcept {
    for (std::size_t i = 0; i < text.size();) {
        const std::size_t n = utf8_sequence_length(text, i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

std::string base64_encode(std::string_view bytes) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    const auto byte = [&](std::size_t k) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[k]));
    };
    for (; i + 3 <= bytes.size(); i += 3) {
        const std::uint32_t group = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        out += alphabet[group >> 18 & 63];
        out += alphabet[group >> 12 & 63];
        out += alphabet[group >> 6 & 63];
        out += alphabet[group & 63];
    }
    const std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        const std::uint32_t group = byte(i) << 16 | (rest == 2 ? byte(i + 1) << 8 : 0u);
        out += alphabet[group >> 18 & 63];
        out += alphabet[group >> 12 & 63];
        out += rest == 2 ? alphabet[group >> 6 & 63] : '=';
        out += '=';
    }
    return out;
}

std::string one_line(std::string_view text) {
    static constexpr char hex[] = "0123456789abcdef";
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size();) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (c >= 0x80) {
            const std::size_t n = utf8_sequence_length(text, i);
            if (n > 0) {
                out.append(text.substr(i, n));
                i += n;
                continue;
            }
        }
        ++i;
        if (c >= 0x20 && c < 0x7F) {
            out += static_cast<char>(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (c == '\t') {
            out += "\\t";
        } else {
            out += "\\x";
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

std::string attribute_json(const attribute_value& value) {
    return json::serialize(attribute_to_json(value));
}

std::string pair_json(const kv_pair& pair, pair_fields fields) {
    json::object o;
    o.emplace("key", pair.key);
    if (fields == pair_fields::with_value) {
        if (!pair.value) {
            o.emplace("value", nullptr);
        } else if (auto bytes = pair.bytes()) {
            if (is_valid_utf8(*bytes)) {
                o.emplace("value", std::move(*bytes));
                o.emplace("encoding", "text");
            } else {
                o.emplace("value", base64_encode(*bytes));
                o.emplace("encoding", "base64");
            }
        } else {
            o.emplace("value", attribute_to_json(*pair.value));
            o.emplace("encoding", "dynamodb");
        }
    }
    o.emplace("version", pair.version);
    if (pair.expires)
        o.emplace("expires", *pair.expires);
    else
        o.emplace("expires", nullptr);
    return json::serialize(o);
}

} // namespace dynalock::cli
