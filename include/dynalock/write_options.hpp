// SPDX-License-Identifier: BSL-1.0
// Options of the store's writes (put and atomic_put): the value, its time to live, the version a
// compare-and-swap expects, and extra attributes.
#ifndef DYNALOCK_WRITE_OPTIONS_HPP
#define DYNALOCK_WRITE_OPTIONS_HPP

#include <dynalock/attribute_value.hpp>
#include <dynalock/kv_pair.hpp>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

namespace dynalock {

/// What store::async_put and store::async_atomic_put write, besides the key.
///
/// A write sets the whole visible state of the pair: the value (or none), the expiry (or none) and the
/// version (always + 1). Unlike the Go dynalock, a write without a TTL leaves no expiry behind, and a
/// write without a value leaves no value behind. Extra attributes are set; attributes the write does not
/// name are kept.
///
/// Set the members directly or chain the `with_` setters:
///
///     co_await kv.async_put("jobs/1", write_options().with_bytes(data).with_ttl(30s));
///
/// This is a class, not an aggregate, on purpose: g++ 12 miscompiles a braced aggregate temporary inside
/// a co_await expression (a double free), and a class cannot be written that way by mistake.
class write_options {
public:
    write_options() noexcept = default;

    /// The value as bytes, stored as store_options::bytes_encoding says (by default the Go layout: an S
    /// holding base64). Exclusive with `value`.
    std::optional<std::string> bytes{};
    /// The value as any AttributeValue (a map for structured data, a string, ...). Exclusive with `bytes`.
    std::optional<attribute_value> value{};
    /// Time to live. None (the default): the pair never expires. Must be positive. The expiry is stored
    /// in whole epoch seconds, rounded up, so the pair stays visible at least this long.
    std::optional<std::chrono::milliseconds> ttl{};
    /// Without a ttl: keep the expiry the item already has instead of removing it (what the Go library
    /// does when a previous pair is given).
    bool keep_expiry = false;
    /// atomic_put only: succeed only if the live item has this version (compare-and-swap). None: succeed
    /// only if the key is absent or expired (create). Versions start at 1.
    std::optional<std::int64_t> previous_version{};
    /// Extra top-level attributes to set, e.g. the keys of a secondary index. Their names must differ
    /// from the store's schema names.
    attribute_map attributes{};

    write_options& with_bytes(std::string b) & {
        bytes = std::move(b);
        return *this;
    }
    write_options&& with_bytes(std::string b) && { return std::move(with_bytes(std::move(b))); }
    write_options& with_value(attribute_value v) & {
        value = std::move(v);
        return *this;
    }
    write_options&& with_value(attribute_value v) && { return std::move(with_value(std::move(v))); }
    write_options& with_ttl(std::chrono::milliseconds t) & {
        ttl = t;
        return *this;
    }
    write_options&& with_ttl(std::chrono::milliseconds t) && { return std::move(with_ttl(t)); }
    write_options& with_keep_expiry(bool keep = true) & {
        keep_expiry = keep;
        return *this;
    }
    write_options&& with_keep_expiry(bool keep = true) && { return std::move(with_keep_expiry(keep)); }
    /// Compare-and-swap against this version.
    write_options& if_version(std::int64_t version) & {
        previous_version = version;
        return *this;
    }
    write_options&& if_version(std::int64_t version) && { return std::move(if_version(version)); }
    /// Compare-and-swap against the version of a pair read (or written) before.
    write_options& if_version(const kv_pair& previous) & { return if_version(previous.version); }
    write_options&& if_version(const kv_pair& previous) && { return std::move(if_version(previous.version)); }
    write_options& with_attribute(std::string name, attribute_value v) & {
        attributes.insert_or_assign(std::move(name), std::move(v));
        return *this;
    }
    write_options&& with_attribute(std::string name, attribute_value v) && {
        return std::move(with_attribute(std::move(name), std::move(v)));
    }
};

} // namespace dynalock

#endif
