// SPDX-License-Identifier: BSL-1.0
// Out-of-line parts of the AttributeValue model: descriptors and equality.
#include <dynalock/attribute_value.hpp>

#include <algorithm>

namespace dynalock {

std::string_view type_descriptor(attribute_type t) noexcept {
    switch (t) {
    case attribute_type::string:
        return "S";
    case attribute_type::number:
        return "N";
    case attribute_type::binary:
        return "B";
    case attribute_type::boolean:
        return "BOOL";
    case attribute_type::null:
        return "NULL";
    case attribute_type::list:
        return "L";
    case attribute_type::map:
        return "M";
    case attribute_type::string_set:
        return "SS";
    case attribute_type::number_set:
        return "NS";
    case attribute_type::binary_set:
        return "BS";
    }
    return "";
}

namespace {

// Sets are unordered. The common case (same order, e.g. a value compared with its own round trip) is a
// plain element-wise compare; otherwise compare sorted views, O(n log n) instead of is_permutation's n^2.
bool same_set(const attribute_value::set_type& a, const attribute_value::set_type& b) {
    if (a.size() != b.size())
        return false;
    if (std::equal(a.begin(), a.end(), b.begin()))
        return true;
    std::vector<std::string_view> sa(a.begin(), a.end());
    std::vector<std::string_view> sb(b.begin(), b.end());
    std::sort(sa.begin(), sa.end());
    std::sort(sb.begin(), sb.end());
    return sa == sb;
}

} // namespace

bool operator==(const attribute_map& a, const attribute_map& b) {
    if (a.size() != b.size())
        return false;
    // Fast path: same names in the same order.
    bool same_order = true;
    for (auto ia = a.begin(), ib = b.begin(); ia != a.end(); ++ia, ++ib) {
        if (ia->first != ib->first) {
            same_order = false;
            break;
        }
        if (!(ia->second == ib->second))
            return false;
    }
    if (same_order)
        return true;
    for (const auto& [name, value] : a) {
        const attribute_value* other = b.get(name);
        if (other == nullptr || !(value == *other))
            return false;
    }
    return true;
}

bool operator==(const attribute_value& a, const attribute_value& b) {
    if (a.type() != b.type())
        return false;
    switch (a.type()) {
    case attribute_type::string:
        return a.as_string() == b.as_string();
    case attribute_type::number:
        return a.as_number() == b.as_number();
    case attribute_type::binary:
        return a.as_binary() == b.as_binary();
    case attribute_type::boolean:
        return a.as_bool() == b.as_bool();
    case attribute_type::null:
        return true;
    case attribute_type::list:
        return a.as_list() == b.as_list();
    case attribute_type::map:
        return a.as_map() == b.as_map();
    case attribute_type::string_set:
        return same_set(a.as_string_set(), b.as_string_set());
    case attribute_type::number_set:
        return same_set(a.as_number_set(), b.as_number_set());
    case attribute_type::binary_set:
        return same_set(a.as_binary_set(), b.as_binary_set());
    }
    return false;
}

} // namespace dynalock
