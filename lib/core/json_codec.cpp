// SPDX-License-Identifier: BSL-1.0
// AttributeValue JSON encoding and decoding (protocol sheet section 2).
#include "json_codec.hpp"

#include "validation.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/parse_options.hpp>

#include <array>
#include <charconv>
#include <cstdint>

namespace dynalock::core {

namespace json = boost::json;

// ---- writing ------------------------------------------------------------------------------------

namespace {

constexpr char hex_digits[] = "0123456789ABCDEF";

constexpr bool needs_escape(unsigned char c) noexcept {
    return c < 0x20 || c == '"' || c == '\\';
}

// The letter of the two-character escape of a byte ('n' for a line feed), or 0 where JSON has none
// and \u00XX is written instead.
constexpr std::array<char, 256> make_short_escapes() {
    std::array<char, 256> t{};
    t['"'] = '"';
    t['\\'] = '\\';
    t['\n'] = 'n';
    t['\r'] = 'r';
    t['\t'] = 't';
    t['\b'] = 'b';
    t['\f'] = 'f';
    return t;
}
constexpr std::array<char, 256> short_escapes = make_short_escapes();

} // namespace

void append_json_string(std::string& out, std::string_view s) {
    out.push_back('"');
    const char* p = s.data();
    const char* const end = p + s.size();
    while (p != end) {
        // Copy the longest run that needs no escaping in one go.
        const char* run = p;
        while (p != end && !needs_escape(static_cast<unsigned char>(*p)))
            ++p;
        out.append(run, p);
        if (p == end)
            break;
        const auto c = static_cast<unsigned char>(*p++);
        if (const char letter = short_escapes[c]) {
            const char esc[2] = {'\\', letter};
            out.append(esc, sizeof esc);
        } else {
            const char esc[6] = {'\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 0xF]};
            out.append(esc, sizeof esc);
        }
    }
    out.push_back('"');
}

void append_json_integer(std::string& out, std::int64_t value) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, value);
    out.append(buf, r.ptr);
}

namespace {

constexpr char base64_alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// 0-63 for alphabet characters, 0xFF for anything else (including '=').
constexpr std::array<std::uint8_t, 256> make_base64_table() {
    std::array<std::uint8_t, 256> t{};
    for (auto& v : t)
        v = 0xFF;
    for (std::uint8_t i = 0; i < 64; ++i)
        t[static_cast<unsigned char>(base64_alphabet[i])] = i;
    return t;
}
constexpr std::array<std::uint8_t, 256> base64_table = make_base64_table();

} // namespace

void base64_encode(std::string_view bytes, std::string& out) {
    const std::size_t start = out.size();
    out.resize(start + (bytes.size() + 2) / 3 * 4);
    char* w = out.data() + start;
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
    std::size_t n = bytes.size();
    for (; n >= 3; n -= 3, p += 3) {
        const std::uint32_t v = (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8) | p[2];
        *w++ = base64_alphabet[(v >> 18) & 63];
        *w++ = base64_alphabet[(v >> 12) & 63];
        *w++ = base64_alphabet[(v >> 6) & 63];
        *w++ = base64_alphabet[v & 63];
    }
    if (n == 1) {
        const std::uint32_t v = std::uint32_t{p[0]} << 16;
        *w++ = base64_alphabet[(v >> 18) & 63];
        *w++ = base64_alphabet[(v >> 12) & 63];
        *w++ = '=';
        *w++ = '=';
    } else if (n == 2) {
        const std::uint32_t v = (std::uint32_t{p[0]} << 16) | (std::uint32_t{p[1]} << 8);
        *w++ = base64_alphabet[(v >> 18) & 63];
        *w++ = base64_alphabet[(v >> 12) & 63];
        *w++ = base64_alphabet[(v >> 6) & 63];
        *w++ = '=';
    }
}

bool base64_decode(std::string_view text, std::string& out) {
    if (text.size() % 4 != 0)
        return false;
    if (text.empty())
        return true;
    std::size_t padding = 0;
    if (text.back() == '=')
        padding = text[text.size() - 2] == '=' ? 2 : 1;
    const std::size_t start = out.size();
    out.resize(start + text.size() / 4 * 3 - padding);
    char* w = out.data() + start;
    const auto* p = reinterpret_cast<const unsigned char*>(text.data());
    const std::size_t full_groups = text.size() / 4 - (padding != 0 ? 1 : 0);
    for (std::size_t g = 0; g < full_groups; ++g, p += 4) {
        const std::uint32_t a = base64_table[p[0]], b = base64_table[p[1]], c = base64_table[p[2]],
                            d = base64_table[p[3]];
        if ((a | b | c | d) & 0xC0) // 0xFF marks a character outside the alphabet
            return false;
        const std::uint32_t v = (a << 18) | (b << 12) | (c << 6) | d;
        *w++ = static_cast<char>(v >> 16);
        *w++ = static_cast<char>((v >> 8) & 0xFF);
        *w++ = static_cast<char>(v & 0xFF);
    }
    if (padding == 0)
        return true;
    const std::uint32_t a = base64_table[p[0]], b = base64_table[p[1]];
    if ((a | b) & 0xC0)
        return false;
    if (padding == 2) {
        if ((b & 0x0F) != 0) // bits beyond the one byte must be zero (canonical form)
            return false;
        *w++ = static_cast<char>((a << 2) | (b >> 4));
        return true;
    }
    const std::uint32_t c = base64_table[p[2]];
    if ((c & 0xC0) || (c & 0x03) != 0)
        return false;
    const std::uint32_t v = (a << 18) | (b << 12) | (c << 6);
    *w++ = static_cast<char>(v >> 16);
    *w++ = static_cast<char>((v >> 8) & 0xFF);
    return true;
}

namespace {

void encode_set(std::string_view tag, const attribute_value::set_type& elements, bool binary,
                std::string& out) {
    out.append("{\"");
    out.append(tag);
    out.append("\":[");
    for (const auto& e : elements) {
        append_json_separator(out);
        if (binary) {
            out.push_back('"');
            base64_encode(e, out);
            out.push_back('"');
        } else {
            append_json_string(out, e);
        }
    }
    out.append("]}");
}

} // namespace

void encode_attribute_value(const attribute_value& v, std::string& out) {
    switch (v.type()) {
    case attribute_type::string:
        out.append("{\"S\":");
        append_json_string(out, v.as_string());
        out.push_back('}');
        return;
    case attribute_type::number:
        out.append("{\"N\":");
        append_json_string(out, v.as_number()); // escaped anyway: unvalidated text must not break the JSON
        out.push_back('}');
        return;
    case attribute_type::binary:
        out.append("{\"B\":\"");
        base64_encode(v.as_binary(), out);
        out.append("\"}");
        return;
    case attribute_type::boolean:
        out.append(v.as_bool() ? "{\"BOOL\":true}" : "{\"BOOL\":false}");
        return;
    case attribute_type::null:
        out.append("{\"NULL\":true}");
        return;
    case attribute_type::list: {
        out.append("{\"L\":[");
        for (const auto& e : v.as_list()) {
            append_json_separator(out);
            encode_attribute_value(e, out);
        }
        out.append("]}");
        return;
    }
    case attribute_type::map:
        out.append("{\"M\":");
        encode_item(v.as_map(), out);
        out.push_back('}');
        return;
    case attribute_type::string_set:
        encode_set("SS", v.as_string_set(), false, out);
        return;
    case attribute_type::number_set:
        encode_set("NS", v.as_number_set(), false, out);
        return;
    case attribute_type::binary_set:
        encode_set("BS", v.as_binary_set(), true, out);
        return;
    }
}

void encode_item(const attribute_map& item, std::string& out) {
    out.push_back('{');
    for (const auto& [name, value] : item) {
        append_json_key(out, name);
        encode_attribute_value(value, out);
    }
    out.push_back('}');
}

// ---- reading ------------------------------------------------------------------------------------

namespace {

// DynamoDB never sends more than 32 levels; this only bounds recursion on hostile input.
constexpr int max_decode_depth = 64;

// Failures are reported bottom-up: the innermost level sets `reason`, and every level on the way out
// prepends its path segment to `where`, so the happy path never builds a path.
struct decode_failure {
    std::string where;
    std::string_view reason;
};

bool decode_value(const json::value& v, attribute_value& out, int depth, decode_failure& f);
bool decode_map(const json::object& o, attribute_map& out, int depth, decode_failure& f);

bool fail(decode_failure& f, std::string_view reason) {
    f.reason = reason;
    return false;
}

bool decode_number_text(const json::value& v, std::string& out, decode_failure& f) {
    const json::string* s = v.if_string();
    if (s == nullptr)
        return fail(f, "a number must be a JSON string");
    if (const number_check c = check_number(*s); !c.problem.empty())
        return fail(f, c.problem);
    out.assign(s->data(), s->size());
    return true;
}

bool decode_binary_text(const json::value& v, std::string& out, decode_failure& f) {
    const json::string* s = v.if_string();
    if (s == nullptr)
        return fail(f, "a binary value must be a JSON string");
    if (!base64_decode(*s, out))
        return fail(f, "binary value is not valid base64");
    return true;
}

enum class set_kind { string, number, binary };

bool decode_set(const json::value& v, attribute_value::set_type& out, set_kind kind, decode_failure& f) {
    const json::array* a = v.if_array();
    if (a == nullptr)
        return fail(f, "a set must be a JSON array");
    out.clear();
    out.reserve(a->size());
    for (std::size_t i = 0; i < a->size(); ++i) {
        const json::value& e = (*a)[i];
        bool ok = true;
        std::string& text = out.emplace_back();
        switch (kind) {
        case set_kind::string:
            if (const json::string* s = e.if_string())
                text.assign(s->data(), s->size());
            else
                ok = fail(f, "a string set element must be a JSON string");
            break;
        case set_kind::number:
            ok = decode_number_text(e, text, f);
            break;
        case set_kind::binary:
            ok = decode_binary_text(e, text, f);
            break;
        }
        if (!ok) {
            detail::prepend_index(f.where, i);
            return false;
        }
    }
    return true;
}

bool decode_value(const json::value& v, attribute_value& out, int depth, decode_failure& f) {
    const json::object* o = v.if_object();
    if (o == nullptr)
        return fail(f, "an AttributeValue must be a JSON object");
    if (o->size() != 1)
        return fail(f, o->empty() ? "AttributeValue has no type member"
                                  : "AttributeValue has more than one type member");
    const auto& member = *o->begin();
    const std::string_view tag = member.key();
    const json::value& body = member.value();

    if (tag == "S") {
        const json::string* s = body.if_string();
        if (s == nullptr)
            return fail(f, "S must be a JSON string");
        out = attribute_value::string(std::string_view(*s));
        return true;
    }
    if (tag == "N") {
        out = attribute_value::number(std::string());
        return decode_number_text(body, out.as_number(), f);
    }
    if (tag == "B") {
        out = attribute_value::binary(std::string());
        return decode_binary_text(body, out.as_binary(), f);
    }
    if (tag == "BOOL") {
        const bool* b = body.if_bool();
        if (b == nullptr)
            return fail(f, "BOOL must be a JSON boolean");
        out = attribute_value::boolean(*b);
        return true;
    }
    if (tag == "NULL") {
        const bool* b = body.if_bool();
        if (b == nullptr || !*b)
            return fail(f, "NULL must be true");
        out = attribute_value::null();
        return true;
    }
    if (tag == "L") {
        const json::array* a = body.if_array();
        if (a == nullptr)
            return fail(f, "L must be a JSON array");
        if (depth >= max_decode_depth)
            return fail(f, "lists and maps are nested too deeply");
        out = attribute_value::list({});
        auto& list = out.as_list();
        list.resize(a->size());
        for (std::size_t i = 0; i < a->size(); ++i) {
            if (!decode_value((*a)[i], list[i], depth + 1, f)) {
                detail::prepend_index(f.where, i);
                return false;
            }
        }
        return true;
    }
    if (tag == "M") {
        const json::object* m = body.if_object();
        if (m == nullptr)
            return fail(f, "M must be a JSON object");
        if (depth >= max_decode_depth)
            return fail(f, "lists and maps are nested too deeply");
        out = attribute_value::map({});
        return decode_map(*m, out.as_map(), depth + 1, f);
    }
    if (tag == "SS") {
        out = attribute_value::string_set({});
        return decode_set(body, out.as_string_set(), set_kind::string, f);
    }
    if (tag == "NS") {
        out = attribute_value::number_set({});
        return decode_set(body, out.as_number_set(), set_kind::number, f);
    }
    if (tag == "BS") {
        out = attribute_value::binary_set({});
        return decode_set(body, out.as_binary_set(), set_kind::binary, f);
    }
    return fail(f, "unknown AttributeValue type descriptor");
}

bool decode_map(const json::object& o, attribute_map& out, int depth, decode_failure& f) {
    out.clear();
    out.reserve(o.size());
    for (const auto& member : o) {
        // A JSON object's keys are unique once parsed, so no lookup is needed.
        attribute_value& value = out.append(std::string(member.key()), attribute_value());
        if (!decode_value(member.value(), value, depth, f)) {
            detail::prepend_member(f.where, member.key());
            return false;
        }
    }
    return true;
}

error_code report(decode_failure& f, std::string& message) {
    message = std::move(f.where);
    if (!message.empty())
        message.append(": ");
    message.append(f.reason);
    return make_error_code(errc::malformed_response);
}

} // namespace

error_code decode_attribute_value(const json::value& v, attribute_value& out, std::string& message) {
    decode_failure f;
    if (!decode_value(v, out, 0, f))
        return report(f, message);
    return {};
}

error_code decode_item(const json::object& v, attribute_map& out, std::string& message) {
    decode_failure f;
    if (!decode_map(v, out, 0, f))
        return report(f, message);
    return {};
}

error_code decode_item(const json::value& v, attribute_map& out, std::string& message) {
    const json::object* o = v.if_object();
    if (o == nullptr) {
        message = "an item must be a JSON object";
        return make_error_code(errc::malformed_response);
    }
    return decode_item(*o, out, message);
}

json::value parse_json(std::string_view text, json::storage_ptr storage, error_code& ec,
                       std::string& message) {
    json::parse_options options;
    options.max_depth = max_json_depth;
    json::value v = json::parse(text, ec, std::move(storage), options);
    if (ec) {
        message = "invalid JSON: ";
        message.append(ec.message());
        ec = make_error_code(errc::malformed_response);
    }
    return v;
}

error_code parse_attribute_value(std::string_view text, attribute_value& out, std::string& message) {
    return with_parsed_json<2048>(
        text, message, [&](const json::value& v) { return decode_attribute_value(v, out, message); });
}

error_code parse_item(std::string_view text, attribute_map& out, std::string& message) {
    return with_parsed_json<2048>(text, message,
                                  [&](const json::value& v) { return decode_item(v, out, message); });
}

} // namespace dynalock::core
