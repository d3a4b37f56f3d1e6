// SPDX-License-Identifier: BSL-1.0
// Local checks of DynamoDB's input rules (protocol sheet sections 2, 4 and 7).
#include "validation.hpp"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

namespace dynalock::core {

// ---- text ---------------------------------------------------------------------------------------

bool is_valid_utf8(std::string_view s) noexcept {
    const auto* p = reinterpret_cast<const unsigned char*>(s.data());
    const auto* const end = p + s.size();
    while (p != end) {
        // Mostly ASCII: skip 8 bytes at a time while no high bit is set.
        if (end - p >= 8) {
            std::uint64_t word;
            std::memcpy(&word, p, sizeof word);
            if ((word & 0x8080808080808080ULL) == 0) {
                p += 8;
                continue;
            }
        }
        const unsigned char c = *p;
        if (c < 0x80) {
            ++p;
            continue;
        }
        int trailing;
        std::uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            trailing = 1;
            cp = c & 0x1Fu;
        } else if (c >= 0xE0 && c <= 0xEF) {
            trailing = 2;
            cp = c & 0x0Fu;
        } else if (c >= 0xF0 && c <= 0xF4) {
            trailing = 3;
            cp = c & 0x07u;
        } else {
            return false; // a continuation byte, an overlong lead (C0, C1) or beyond U+10FFFF (F5-FF)
        }
        if (end - p <= trailing)
            return false;
        for (int i = 1; i <= trailing; ++i) {
            const unsigned char b = p[i];
            if ((b & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (b & 0x3Fu);
        }
        if (trailing == 2 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF)))
            return false;
        if (trailing == 3 && (cp < 0x10000 || cp > 0x10FFFF))
            return false;
        p += trailing + 1;
    }
    return true;
}

void append_printable(std::string& out, std::string_view text, std::size_t max_size) {
    const bool truncated = text.size() > max_size;
    if (truncated) {
        std::size_t cut = max_size;
        // Do not split a UTF-8 sequence.
        while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
            --cut;
        text = text.substr(0, cut);
    }
    const bool utf8 = is_valid_utf8(text);
    for (char ch : text) {
        const auto c = static_cast<unsigned char>(ch);
        out.push_back(c < 0x20 || c == 0x7F || (c >= 0x80 && !utf8) ? '?' : ch);
    }
    if (truncated)
        out.append("...");
}

// ---- numbers ------------------------------------------------------------------------------------

namespace {

constexpr bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

// The digits of a number text (integer part then fraction) seen as one sequence.
struct number_parts {
    bool negative = false;
    std::string_view integer;
    std::string_view fraction;
    long long exponent = 0;

    std::size_t size() const noexcept { return integer.size() + fraction.size(); }
    char operator[](std::size_t i) const noexcept {
        return i < integer.size() ? integer[i] : fraction[i - integer.size()];
    }
};

// Syntax only; returns a problem or "".
std::string_view split_number(std::string_view t, number_parts& parts) noexcept {
    if (t.empty())
        return "number is empty";
    std::size_t i = 0;
    const std::size_t n = t.size();
    if (t[i] == '+' || t[i] == '-') {
        parts.negative = t[i] == '-';
        ++i;
    }
    std::size_t begin = i;
    while (i < n && is_digit(t[i]))
        ++i;
    parts.integer = t.substr(begin, i - begin);
    if (i < n && t[i] == '.') {
        begin = ++i;
        while (i < n && is_digit(t[i]))
            ++i;
        parts.fraction = t.substr(begin, i - begin);
    }
    if (parts.size() == 0)
        return "number has no digits";
    if (i < n && (t[i] == 'e' || t[i] == 'E')) {
        ++i;
        bool negative = false;
        if (i < n && (t[i] == '+' || t[i] == '-')) {
            negative = t[i] == '-';
            ++i;
        }
        begin = i;
        long long e = 0;
        for (; i < n && is_digit(t[i]); ++i)
            if (e < 1'000'000'000) // saturate: anything this large is out of range anyway
                e = e * 10 + (t[i] - '0');
        if (i == begin)
            return "number has an empty exponent";
        parts.exponent = negative ? -e : e;
    }
    if (i != n)
        return "number contains a character that is not part of a decimal number";
    return {};
}

// Index of the first and last non-zero digit; false for zero.
bool significant_range(const number_parts& parts, std::size_t& first, std::size_t& last) noexcept {
    const std::size_t n = parts.size();
    first = 0;
    while (first < n && parts[first] == '0')
        ++first;
    if (first == n)
        return false;
    last = n - 1;
    while (parts[last] == '0')
        --last;
    return true;
}

// The exponent of the first significant digit in scientific notation (d.ddd x 10^e).
long long scientific_exponent(const number_parts& parts, std::size_t first) noexcept {
    return static_cast<long long>(parts.integer.size()) - 1 - static_cast<long long>(first) + parts.exponent;
}

} // namespace

number_check check_number(std::string_view text) noexcept {
    number_parts parts;
    if (std::string_view problem = split_number(text, parts); !problem.empty())
        return {problem, 0};
    std::size_t first, last;
    if (!significant_range(parts, first, last))
        return {{}, 1}; // zero, whatever its exponent
    const std::size_t digits = last - first + 1;
    if (digits > max_number_digits)
        return {"number has more than 38 significant digits", digits};
    const long long e = scientific_exponent(parts, first);
    if (e > 125)
        return {"number magnitude is larger than 9.9999999999999999999999999999999999999E+125", digits};
    if (e < -130)
        return {"number magnitude is smaller than 1E-130", digits};
    return {{}, digits};
}

std::string canonical_number(std::string_view text) {
    number_parts parts;
    split_number(text, parts);
    std::size_t first, last;
    if (!significant_range(parts, first, last))
        return "0";
    std::string out;
    out.reserve(last - first + 8);
    if (parts.negative)
        out.push_back('-');
    for (std::size_t i = first; i <= last; ++i)
        out.push_back(parts[i]);
    out.push_back('e');
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, scientific_exponent(parts, first));
    out.append(buf, r.ptr);
    return out;
}

// ---- sizes --------------------------------------------------------------------------------------

namespace {

std::size_t number_size(std::string_view text) noexcept {
    const number_check c = check_number(text);
    if (!c.problem.empty())
        return text.size(); // not a number DynamoDB accepts; validation reports it, size is a guess
    return (c.significant_digits + 1) / 2 + 1;
}

} // namespace

std::size_t attribute_value_size(const attribute_value& v) noexcept {
    switch (v.type()) {
    case attribute_type::string:
        return v.as_string().size();
    case attribute_type::number:
        return number_size(v.as_number());
    case attribute_type::binary:
        return v.as_binary().size();
    case attribute_type::boolean:
    case attribute_type::null:
        return 1;
    case attribute_type::list: {
        std::size_t size = 3;
        for (const auto& e : v.as_list())
            size += 1 + attribute_value_size(e);
        return size;
    }
    case attribute_type::map: {
        std::size_t size = 3;
        for (const auto& [name, e] : v.as_map())
            size += 1 + name.size() + attribute_value_size(e);
        return size;
    }
    case attribute_type::string_set:
    case attribute_type::binary_set: {
        const auto& set = v.type() == attribute_type::string_set ? v.as_string_set() : v.as_binary_set();
        std::size_t size = 0;
        for (const auto& e : set)
            size += e.size();
        return size;
    }
    case attribute_type::number_set: {
        std::size_t size = 0;
        for (const auto& e : v.as_number_set())
            size += number_size(e);
        return size;
    }
    }
    return 0;
}

std::size_t item_size(const attribute_map& item) noexcept {
    std::size_t size = 0;
    for (const auto& [name, value] : item)
        size += name.size() + attribute_value_size(value);
    return size;
}

// ---- names --------------------------------------------------------------------------------------

namespace detail {

error_code fail(errc code, std::string& message, std::string text) {
    message = std::move(text);
    return make_error_code(code);
}

error_code invalid(errc code, std::string_view field, std::string_view reason, std::string& message) {
    message.assign(field);
    message.append(": ");
    message.append(reason);
    return make_error_code(code);
}

void prepend_member(std::string& path, std::string_view name) {
    std::string segment;
    append_printable(segment, name);
    if (!path.empty() && path.front() != '[')
        segment.push_back('.');
    path.insert(0, segment);
}

void prepend_index(std::string& path, std::size_t i) {
    char buf[24];
    buf[0] = '[';
    auto r = std::to_chars(buf + 1, buf + sizeof buf - 1, i);
    *r.ptr++ = ']';
    if (!path.empty() && path.front() != '[')
        path.insert(0, 1, '.');
    path.insert(0, buf, static_cast<std::size_t>(r.ptr - buf));
}

} // namespace detail

using detail::invalid;
using detail::prepend_index;
using detail::prepend_member;

namespace {

bool is_name_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_' || c == '-' ||
           c == '.';
}

bool is_plain_name(std::string_view name) noexcept {
    return name.size() >= 3 && name.size() <= 255 && std::all_of(name.begin(), name.end(), is_name_char);
}

} // namespace

error_code validate_table_name(std::string_view name, std::string_view field, std::string& message) {
    if (name.starts_with("arn:")) {
        const bool printable =
            std::all_of(name.begin(), name.end(), [](char c) { return c > 0x20 && c < 0x7F; });
        if (name.size() <= 1024 && printable)
            return {};
        std::string reason = "a table ARN must be at most 1024 printable ASCII characters";
        return invalid(errc::invalid_table_name, field, reason, message);
    }
    if (is_plain_name(name))
        return {};
    std::string reason = "a table name must be 3 to 255 characters of a-z, A-Z, 0-9, '_', '-', '.' (got \"";
    append_printable(reason, name);
    reason.append("\")");
    return invalid(errc::invalid_table_name, field, reason, message);
}

error_code validate_index_name(std::string_view name, std::string_view field, std::string& message) {
    if (is_plain_name(name))
        return {};
    std::string reason = "an index name must be 3 to 255 characters of a-z, A-Z, 0-9, '_', '-', '.' (got \"";
    append_printable(reason, name);
    reason.append("\")");
    return invalid(errc::invalid_argument, field, reason, message);
}

// ---- values -------------------------------------------------------------------------------------

namespace {

// As in the decoder, the path is built only on failure, innermost segment first.
struct value_failure {
    errc code = errc::invalid_attribute_value;
    std::string where;
    std::string reason;
};

bool failed(value_failure& f, errc code, std::string_view reason) {
    f.code = code;
    f.reason.assign(reason);
    return false;
}

// Index of the second element of some duplicate pair, or npos. Small inputs are compared pairwise
// (no allocation); larger ones sorted.
template <class Key>
std::size_t find_duplicate(const std::vector<Key>& keys) {
    const std::size_t n = keys.size();
    if (n <= 16) {
        for (std::size_t i = 1; i < n; ++i)
            for (std::size_t j = 0; j < i; ++j)
                if (keys[i] == keys[j])
                    return i;
        return std::string_view::npos;
    }
    std::vector<std::pair<std::string_view, std::size_t>> sorted;
    sorted.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
        sorted.emplace_back(keys[i], i);
    std::sort(sorted.begin(), sorted.end());
    for (std::size_t i = 1; i < n; ++i)
        if (sorted[i].first == sorted[i - 1].first)
            return std::max(sorted[i].second, sorted[i - 1].second);
    return std::string_view::npos;
}

std::size_t find_duplicate_name(const attribute_map& map) {
    std::vector<std::string_view> names;
    names.reserve(map.size());
    for (const auto& entry : map)
        names.emplace_back(entry.first);
    return find_duplicate(names);
}

bool check_value(const attribute_value& v, int depth, std::size_t& size, value_failure& f);

bool check_set(const attribute_value& v, value_failure& f, std::size_t& size) {
    const attribute_type t = v.type();
    const auto& set = t == attribute_type::string_set   ? v.as_string_set()
                      : t == attribute_type::number_set ? v.as_number_set()
                                                        : v.as_binary_set();
    if (set.empty())
        return failed(f, errc::invalid_attribute_value, "a set must not be empty");
    std::size_t dup;
    if (t == attribute_type::number_set) {
        std::vector<std::string> canonical;
        canonical.reserve(set.size());
        for (std::size_t i = 0; i < set.size(); ++i) {
            const number_check c = check_number(set[i]);
            if (!c.problem.empty()) {
                failed(f, errc::invalid_attribute_value, c.problem);
                prepend_index(f.where, i);
                return false;
            }
            size += (c.significant_digits + 1) / 2 + 1;
            canonical.push_back(canonical_number(set[i]));
        }
        dup = find_duplicate(canonical);
    } else {
        for (std::size_t i = 0; i < set.size(); ++i) {
            if (t == attribute_type::string_set && !is_valid_utf8(set[i])) {
                failed(f, errc::invalid_utf8, "string is not valid UTF-8");
                prepend_index(f.where, i);
                return false;
            }
            size += set[i].size();
        }
        dup = find_duplicate(set);
    }
    if (dup != std::string_view::npos) {
        failed(f, errc::invalid_attribute_value, "duplicate set element");
        prepend_index(f.where, dup);
        return false;
    }
    return true;
}

bool check_value(const attribute_value& v, int depth, std::size_t& size, value_failure& f) {
    switch (v.type()) {
    case attribute_type::string:
        if (!is_valid_utf8(v.as_string()))
            return failed(f, errc::invalid_utf8, "string is not valid UTF-8");
        size += v.as_string().size();
        return true;
    case attribute_type::number: {
        const number_check c = check_number(v.as_number());
        if (!c.problem.empty()) {
            std::string reason(c.problem);
            reason.append(" (\"");
            append_printable(reason, v.as_number());
            reason.append("\")");
            return failed(f, errc::invalid_attribute_value, reason);
        }
        size += (c.significant_digits + 1) / 2 + 1;
        return true;
    }
    case attribute_type::binary:
        size += v.as_binary().size();
        return true;
    case attribute_type::boolean:
    case attribute_type::null:
        size += 1;
        return true;
    case attribute_type::list: {
        if (depth >= max_nesting_depth)
            return failed(f, errc::nesting_too_deep, "lists and maps are nested more than 32 levels deep");
        size += 3;
        const auto& list = v.as_list();
        for (std::size_t i = 0; i < list.size(); ++i) {
            size += 1;
            if (!check_value(list[i], depth + 1, size, f)) {
                prepend_index(f.where, i);
                return false;
            }
        }
        return true;
    }
    case attribute_type::map: {
        if (depth >= max_nesting_depth)
            return failed(f, errc::nesting_too_deep, "lists and maps are nested more than 32 levels deep");
        size += 3;
        for (const auto& [name, member] : v.as_map()) {
            size += 1 + name.size();
            if (!is_valid_utf8(name)) {
                failed(f, errc::invalid_utf8, "attribute name is not valid UTF-8");
                prepend_member(f.where, name);
                return false;
            }
            if (!check_value(member, depth + 1, size, f)) {
                prepend_member(f.where, name);
                return false;
            }
        }
        if (std::size_t dup = find_duplicate_name(v.as_map()); dup != std::string_view::npos)
            return failed(f, errc::invalid_attribute_value, "a map holds the same name twice");
        return true;
    }
    case attribute_type::string_set:
    case attribute_type::number_set:
    case attribute_type::binary_set:
        return check_set(v, f, size);
    }
    return true;
}

error_code report(value_failure& f, std::string_view field, std::string& message) {
    message.assign(field);
    if (!f.where.empty()) {
        if (f.where.front() != '[')
            message.push_back('.');
        message.append(f.where);
    }
    message.append(": ");
    message.append(f.reason);
    return make_error_code(f.code);
}

} // namespace

error_code validate_attribute_value(const attribute_value& v, std::string_view field, std::string& message) {
    value_failure f;
    std::size_t size = 0;
    if (!check_value(v, 0, size, f))
        return report(f, field, message);
    return {};
}

error_code validate_item(const attribute_map& item, std::string_view field, std::string& message,
                         bool allow_empty) {
    if (item.empty() && !allow_empty)
        return invalid(errc::invalid_argument, field, "must not be empty", message);
    std::size_t size = 0;
    for (const auto& [name, value] : item) {
        value_failure f;
        if (name.empty() || name.size() > max_attribute_name_size)
            failed(f, errc::invalid_argument, "an attribute name must be 1 to 65535 bytes");
        else if (!is_valid_utf8(name))
            failed(f, errc::invalid_utf8, "attribute name is not valid UTF-8");
        else if (check_value(value, 0, size, f))
            size += name.size();
        if (!f.reason.empty()) {
            prepend_member(f.where, name);
            return report(f, field, message);
        }
    }
    if (find_duplicate_name(item) != std::string_view::npos)
        return invalid(errc::invalid_argument, field, "holds the same attribute name twice", message);
    if (size > max_item_size) {
        std::string reason = "item size is ";
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, size);
        reason.append(buf, r.ptr);
        reason.append(" bytes, more than DynamoDB's limit of 409600 (400 KB)");
        return invalid(errc::item_too_large, field, reason, message);
    }
    return {};
}

error_code validate_key(const attribute_map& key, std::string_view field, std::string& message) {
    if (key.empty())
        return invalid(errc::invalid_argument, field, "must hold the key attributes", message);
    if (key.size() > 2)
        return invalid(errc::invalid_argument, field,
                       "a key has at most 2 attributes (partition and sort key)", message);
    std::size_t over_sort_limit = 0;
    for (const auto& [name, value] : key) {
        value_failure f;
        std::size_t size = 0;
        const attribute_type t = value.type();
        if (name.empty() || name.size() > max_key_attribute_name_size)
            failed(f, errc::invalid_argument, "a key attribute name must be 1 to 255 bytes");
        else if (!is_valid_utf8(name))
            failed(f, errc::invalid_utf8, "attribute name is not valid UTF-8");
        else if (t != attribute_type::string && t != attribute_type::number && t != attribute_type::binary)
            failed(f, errc::invalid_attribute_value, "a key attribute must be of type S, N or B");
        else if ((t == attribute_type::string && value.as_string().empty()) ||
                 (t == attribute_type::binary && value.as_binary().empty()))
            failed(f, errc::empty_key, "a key attribute value must not be empty");
        else if (check_value(value, 0, size, f) && size > max_partition_key_size)
            failed(f, errc::key_too_large, "a key attribute value must be at most 2048 bytes");
        if (!f.reason.empty()) {
            f.where.clear();
            prepend_member(f.where, name);
            return report(f, field, message);
        }
        if (size > max_sort_key_size)
            ++over_sort_limit;
    }
    if (over_sort_limit > 1)
        return invalid(errc::key_too_large, field, "a sort key value must be at most 1024 bytes", message);
    return {};
}

// ---- expressions --------------------------------------------------------------------------------

namespace {

bool is_placeholder_char(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}

// "#" or ":" followed by at least one placeholder character, at most 255 bytes.
bool is_placeholder(std::string_view p, char prefix) noexcept {
    return p.size() >= 2 && p.size() <= max_placeholder_size && p.front() == prefix &&
           std::all_of(p.begin() + 1, p.end(), is_placeholder_char);
}

struct placeholder_use {
    std::string_view token; // "#n" or ":v"
    std::string_view field; // the expression it appears in
};

std::string field_name(std::string_view prefix, std::string_view field) {
    std::string s(prefix);
    s.append(field);
    return s;
}

} // namespace

error_code validate_expressions(std::span<const expression_ref> expressions, const expression_names& names,
                                const attribute_map& values, std::string_view prefix, std::string& message) {
    std::vector<placeholder_use> uses;
    for (const expression_ref& e : expressions) {
        if (e.text == nullptr) {
            if (e.required)
                return invalid(errc::invalid_argument, field_name(prefix, e.field), "is required", message);
            continue;
        }
        const std::string_view text = *e.text;
        if (text.empty())
            return invalid(errc::invalid_argument, field_name(prefix, e.field), "must not be empty", message);
        if (text.size() > max_expression_size)
            return invalid(errc::invalid_argument, field_name(prefix, e.field), "must be at most 4 KB",
                           message);
        if (!is_valid_utf8(text))
            return invalid(errc::invalid_utf8, field_name(prefix, e.field), "is not valid UTF-8", message);
        for (std::size_t i = 0; i < text.size(); ++i) {
            if (text[i] != '#' && text[i] != ':')
                continue;
            std::size_t j = i + 1;
            while (j < text.size() && is_placeholder_char(text[j]))
                ++j;
            if (j == i + 1)
                return invalid(errc::invalid_argument, field_name(prefix, e.field),
                               "'#' and ':' must start a placeholder such as #name or :value", message);
            uses.push_back({text.substr(i, j - i), e.field});
            i = j - 1;
        }
    }

    auto used = [&](std::string_view placeholder) {
        return std::any_of(uses.begin(), uses.end(),
                           [&](const placeholder_use& u) { return u.token == placeholder; });
    };

    const std::string names_field = field_name(prefix, "ExpressionAttributeNames");
    for (const auto& [placeholder, name] : names) {
        std::string where = names_field + ".";
        append_printable(where, placeholder);
        if (!is_placeholder(placeholder, '#'))
            return invalid(errc::invalid_argument, where,
                           "a name placeholder must be '#' followed by 1 to 254 of [A-Za-z0-9_]", message);
        if (name.empty() || name.size() > max_attribute_name_size)
            return invalid(errc::invalid_argument, where, "an attribute name must be 1 to 65535 bytes",
                           message);
        if (!is_valid_utf8(name))
            return invalid(errc::invalid_utf8, where, "attribute name is not valid UTF-8", message);
        if (!used(placeholder))
            return invalid(errc::invalid_argument, where, "is not used in any expression", message);
    }
    {
        std::vector<std::string_view> keys;
        keys.reserve(names.size());
        for (const auto& entry : names)
            keys.emplace_back(entry.first);
        if (std::size_t dup = find_duplicate(keys); dup != std::string_view::npos)
            return invalid(errc::invalid_argument, names_field, "defines the same placeholder twice",
                           message);
    }

    const std::string values_field = field_name(prefix, "ExpressionAttributeValues");
    for (const auto& [placeholder, value] : values) {
        std::string where = values_field + ".";
        append_printable(where, placeholder);
        if (!is_placeholder(placeholder, ':'))
            return invalid(errc::invalid_argument, where,
                           "a value placeholder must be ':' followed by 1 to 254 of [A-Za-z0-9_]", message);
        if (error_code ec = validate_attribute_value(value, where, message))
            return ec;
        if (!used(placeholder))
            return invalid(errc::invalid_argument, where, "is not used in any expression", message);
    }
    if (find_duplicate_name(values) != std::string_view::npos)
        return invalid(errc::invalid_argument, values_field, "defines the same placeholder twice", message);

    for (const placeholder_use& u : uses) {
        const bool defined = u.token.front() == '#'
                                 ? std::any_of(names.begin(), names.end(),
                                               [&](const auto& entry) { return entry.first == u.token; })
                                 : values.contains(u.token);
        if (!defined) {
            std::string reason;
            append_printable(reason, u.token);
            reason.append(u.token.front() == '#' ? " is not defined in ExpressionAttributeNames"
                                                 : " is not defined in ExpressionAttributeValues");
            return invalid(errc::invalid_argument, field_name(prefix, u.field), reason, message);
        }
    }
    return {};
}

} // namespace dynalock::core
