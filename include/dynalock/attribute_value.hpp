// SPDX-License-Identifier: BSL-1.0
// The DynamoDB AttributeValue model: one typed value (S, N, B, BOOL, NULL, L, M, SS, NS, BS) and the
// attribute map that makes up an item or a key.
#ifndef DYNALOCK_ATTRIBUTE_VALUE_HPP
#define DYNALOCK_ATTRIBUTE_VALUE_HPP

#include <charconv>
#include <concepts>
#include <cstddef>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace dynalock {

/// The type of an attribute value; the comment gives its DynamoDB data type descriptor.
enum class attribute_type {
    string,     ///< S
    number,     ///< N
    binary,     ///< B
    boolean,    ///< BOOL
    null,       ///< NULL
    list,       ///< L
    map,        ///< M
    string_set, ///< SS
    number_set, ///< NS
    binary_set, ///< BS
};

/// The data type descriptor of a type as it appears on the wire ("S", "N", "BOOL", ...).
std::string_view type_descriptor(attribute_type t) noexcept;

class attribute_value;

/// Attribute name -> value: an item, a key, `ExpressionAttributeValues`.
///
/// A flat vector of pairs kept in insertion order, so an item read from DynamoDB is written back with its
/// members in the same order. Lookup is linear: items rarely hold more than a few dozen attributes, and a
/// vector beats a node-based map on allocation count and locality at that size. Names are unique as long
/// as entries are added with `insert_or_assign`/`operator[]`; `append` skips that check for bulk loads
/// whose names are already known to be unique.
class attribute_map {
public:
    using value_type = std::pair<std::string, attribute_value>;
    using container_type = std::vector<value_type>;
    using iterator = container_type::iterator;
    using const_iterator = container_type::const_iterator;
    using size_type = container_type::size_type;

    attribute_map() = default;
    /// Later entries with a name already seen replace the earlier value.
    attribute_map(std::initializer_list<value_type> init);

    iterator find(std::string_view name) noexcept;
    const_iterator find(std::string_view name) const noexcept;
    bool contains(std::string_view name) const noexcept;
    /// The value of `name`, or nullptr when there is no such attribute.
    attribute_value* get(std::string_view name) noexcept;
    const attribute_value* get(std::string_view name) const noexcept;

    /// Sets `name` to `value`, adding the attribute at the end if it is new.
    attribute_value& insert_or_assign(std::string name, attribute_value value);
    /// The value of `name`, added as NULL at the end if it is missing.
    attribute_value& operator[](std::string_view name);
    /// Adds an entry at the end without looking for an existing one (the caller guarantees uniqueness).
    attribute_value& append(std::string name, attribute_value value);
    /// Removes `name`; returns whether it was present. Keeps the order of the others.
    bool erase(std::string_view name);

    size_type size() const noexcept { return entries_.size(); }
    bool empty() const noexcept { return entries_.empty(); }
    void reserve(size_type n) { entries_.reserve(n); }
    void clear() noexcept { entries_.clear(); }

    iterator begin() noexcept { return entries_.begin(); }
    iterator end() noexcept { return entries_.end(); }
    const_iterator begin() const noexcept { return entries_.begin(); }
    const_iterator end() const noexcept { return entries_.end(); }

    /// Maps are unordered: equal when they hold the same names with equal values, in any order.
    friend bool operator==(const attribute_map& a, const attribute_map& b);

private:
    container_type entries_;
};

/// One DynamoDB AttributeValue.
///
/// Representation choices:
/// - N is kept as its decimal text, exactly as given or received ("-1E-130", "0.000"); it never goes
///   through a double. `to_integer()` converts plain integer text.
/// - B is a `std::string` holding raw bytes (not base64); base64 exists only on the wire.
/// - SS, NS and BS are vectors in the order given. DynamoDB does not keep the order.
/// - A default-constructed value is NULL.
///
/// Accessors: `as_*()` throw `std::bad_variant_access` when the type does not match (a programming
/// error); `if_*()` return nullptr instead and never throw.
class attribute_value {
public:
    using list_type = std::vector<attribute_value>;
    using set_type = std::vector<std::string>;

    attribute_value() noexcept : storage_(std::in_place_index<4>) {}

    static attribute_value string(std::string utf8) { return {std::in_place_index<0>, std::move(utf8)}; }
    static attribute_value string(std::string_view utf8) { return string(std::string(utf8)); }
    static attribute_value string(const char* utf8) { return string(std::string(utf8)); }

    /// The text is kept as given; `validate` checks that it is a number DynamoDB accepts.
    static attribute_value number(std::string text) { return {std::in_place_index<1>, std::move(text)}; }
    static attribute_value number(std::string_view text) { return number(std::string(text)); }
    static attribute_value number(const char* text) { return number(std::string(text)); }
    template <std::integral I>
    requires(!std::same_as<I, bool>) static attribute_value number(I value) {
        char buf[24];
        auto r = std::to_chars(buf, buf + sizeof buf, value);
        return number(std::string(buf, r.ptr));
    }

    /// Raw bytes (not base64).
    static attribute_value binary(std::string bytes) { return {std::in_place_index<2>, std::move(bytes)}; }
    static attribute_value binary(std::string_view bytes) { return binary(std::string(bytes)); }
    /// A string literal gives all its bytes, embedded NULs included, without the terminating NUL:
    /// `binary("\x00\x01")` holds 2 bytes. (A bare `const char*` is deliberately not accepted: its length
    /// would stop at the first NUL.)
    template <std::size_t Size>
    static attribute_value binary(const char (&literal)[Size]) {
        return binary(std::string(literal, Size - 1));
    }
    static attribute_value binary(std::span<const std::byte> bytes) {
        return binary(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
    }

    static attribute_value boolean(bool b) noexcept { return {std::in_place_index<3>, b}; }
    static attribute_value null() noexcept { return {}; }
    static attribute_value list(list_type elements) { return {std::in_place_index<5>, std::move(elements)}; }
    static attribute_value map(attribute_map members) { return {std::in_place_index<6>, std::move(members)}; }
    static attribute_value string_set(set_type elements) {
        return {std::in_place_index<7>, std::move(elements)};
    }
    /// Elements are number texts.
    static attribute_value number_set(set_type elements) {
        return {std::in_place_index<8>, std::move(elements)};
    }
    /// Elements are raw bytes.
    static attribute_value binary_set(set_type elements) {
        return {std::in_place_index<9>, std::move(elements)};
    }

    attribute_type type() const noexcept { return static_cast<attribute_type>(storage_.index()); }
    bool is_null() const noexcept { return type() == attribute_type::null; }

    // Checked accessors: throw std::bad_variant_access on a type mismatch.
    const std::string& as_string() const { return std::get<0>(storage_); }
    std::string& as_string() { return std::get<0>(storage_); }
    const std::string& as_number() const { return std::get<1>(storage_); }
    std::string& as_number() { return std::get<1>(storage_); }
    const std::string& as_binary() const { return std::get<2>(storage_); }
    std::string& as_binary() { return std::get<2>(storage_); }
    bool as_bool() const { return std::get<3>(storage_); }
    const list_type& as_list() const { return std::get<5>(storage_); }
    list_type& as_list() { return std::get<5>(storage_); }
    const attribute_map& as_map() const { return std::get<6>(storage_); }
    attribute_map& as_map() { return std::get<6>(storage_); }
    const set_type& as_string_set() const { return std::get<7>(storage_); }
    set_type& as_string_set() { return std::get<7>(storage_); }
    const set_type& as_number_set() const { return std::get<8>(storage_); }
    set_type& as_number_set() { return std::get<8>(storage_); }
    const set_type& as_binary_set() const { return std::get<9>(storage_); }
    set_type& as_binary_set() { return std::get<9>(storage_); }

    // Non-throwing accessors: nullptr on a type mismatch.
    const std::string* if_string() const noexcept { return std::get_if<0>(&storage_); }
    std::string* if_string() noexcept { return std::get_if<0>(&storage_); }
    const std::string* if_number() const noexcept { return std::get_if<1>(&storage_); }
    std::string* if_number() noexcept { return std::get_if<1>(&storage_); }
    const std::string* if_binary() const noexcept { return std::get_if<2>(&storage_); }
    std::string* if_binary() noexcept { return std::get_if<2>(&storage_); }
    const bool* if_bool() const noexcept { return std::get_if<3>(&storage_); }
    bool* if_bool() noexcept { return std::get_if<3>(&storage_); }
    const list_type* if_list() const noexcept { return std::get_if<5>(&storage_); }
    list_type* if_list() noexcept { return std::get_if<5>(&storage_); }
    const attribute_map* if_map() const noexcept { return std::get_if<6>(&storage_); }
    attribute_map* if_map() noexcept { return std::get_if<6>(&storage_); }
    const set_type* if_string_set() const noexcept { return std::get_if<7>(&storage_); }
    set_type* if_string_set() noexcept { return std::get_if<7>(&storage_); }
    const set_type* if_number_set() const noexcept { return std::get_if<8>(&storage_); }
    set_type* if_number_set() noexcept { return std::get_if<8>(&storage_); }
    const set_type* if_binary_set() const noexcept { return std::get_if<9>(&storage_); }
    set_type* if_binary_set() noexcept { return std::get_if<9>(&storage_); }

    /// The value of an N holding a plain integer ("-42"; no fraction, no exponent) that fits in T;
    /// nullopt for any other type or text.
    template <std::integral T>
    requires(!std::same_as<T, bool>) std::optional<T> to_integer()
    const noexcept {
        const std::string* text = if_number();
        if (text == nullptr || text->empty())
            return std::nullopt;
        T value{};
        const char* first = text->data();
        const char* last = first + text->size();
        auto r = std::from_chars(first, last, value);
        if (r.ec != std::errc{} || r.ptr != last)
            return std::nullopt;
        return value;
    }

    /// Same type and same content. N compares as text ("1.0" != "1"), so compare numbers read back
    /// from DynamoDB (which trims zeros) with care. Sets compare as sets (order ignored), maps ignore
    /// the order of their members, lists keep order.
    friend bool operator==(const attribute_value& a, const attribute_value& b);

private:
    // The alternatives are in attribute_type order, so index() is the type.
    using storage_type = std::variant<std::string, std::string, std::string, bool, std::monostate, list_type,
                                      attribute_map, set_type, set_type, set_type>;

    template <std::size_t I, class... Args>
    attribute_value(std::in_place_index_t<I> tag, Args&&... args)
        : storage_(tag, std::forward<Args>(args)...) {}

    storage_type storage_;
};

// attribute_map members that need attribute_value complete.

inline attribute_map::attribute_map(std::initializer_list<value_type> init) {
    entries_.reserve(init.size());
    for (const auto& e : init)
        insert_or_assign(e.first, e.second);
}

inline attribute_map::iterator attribute_map::find(std::string_view name) noexcept {
    auto it = entries_.begin();
    for (; it != entries_.end(); ++it)
        if (it->first == name)
            break;
    return it;
}

inline attribute_map::const_iterator attribute_map::find(std::string_view name) const noexcept {
    auto it = entries_.begin();
    for (; it != entries_.end(); ++it)
        if (it->first == name)
            break;
    return it;
}

inline bool attribute_map::contains(std::string_view name) const noexcept {
    return find(name) != end();
}

inline attribute_value* attribute_map::get(std::string_view name) noexcept {
    auto it = find(name);
    return it == end() ? nullptr : &it->second;
}

inline const attribute_value* attribute_map::get(std::string_view name) const noexcept {
    auto it = find(name);
    return it == end() ? nullptr : &it->second;
}

inline attribute_value& attribute_map::insert_or_assign(std::string name, attribute_value value) {
    if (auto it = find(name); it != end()) {
        it->second = std::move(value);
        return it->second;
    }
    return entries_.emplace_back(std::move(name), std::move(value)).second;
}

inline attribute_value& attribute_map::operator[](std::string_view name) {
    if (auto it = find(name); it != end())
        return it->second;
    return entries_.emplace_back(std::string(name), attribute_value()).second;
}

inline attribute_value& attribute_map::append(std::string name, attribute_value value) {
    return entries_.emplace_back(std::move(name), std::move(value)).second;
}

inline bool attribute_map::erase(std::string_view name) {
    auto it = find(name);
    if (it == end())
        return false;
    entries_.erase(it);
    return true;
}

} // namespace dynalock

#endif
