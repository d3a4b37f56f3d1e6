// SPDX-License-Identifier: BSL-1.0
#include "lock_requests.hpp"

#include "store_requests.hpp"
#include "validation.hpp"

#include <array>
#include <charconv>
#include <utility>

namespace dynalock::core {

namespace {

using std::chrono::milliseconds;

constexpr milliseconds min_lease{100};
constexpr std::size_t max_owner_size = 1024;

using detail::fail;

attribute_map key_of(const lock_target& t, std::string_view key) {
    attribute_map k;
    k.reserve(2);
    k.append(t.schema.partition_key, attribute_value::string(t.partition));
    k.append(t.schema.sort_key, attribute_value::string(key));
    return k;
}

std::optional<std::int64_t> to_int64(const attribute_value& v) noexcept {
    const std::string* n = v.if_number();
    if (n == nullptr)
        return std::nullopt;
    std::int64_t out = 0;
    auto [end, ec] = std::from_chars(n->data(), n->data() + n->size(), out);
    if (ec != std::errc() || end != n->data() + n->size())
        return std::nullopt;
    return out;
}

// The placeholders of the lock attributes that conditions on our own lease use.
void name_ownership(const lock_target& t, expression_names& names) {
    names.emplace_back("#o", t.names.owner);
    names.emplace_back("#l", t.names.lease_id);
}

std::string ms_text(milliseconds d) {
    return std::to_string(d.count()) + " ms";
}

} // namespace

bool same_lease(const lease_terms& a, const lease_terms& b) {
    return a.owner == b.owner && a.lease == b.lease && a.heartbeat == b.heartbeat &&
           a.safety_margin == b.safety_margin && a.expiring_warning == b.expiring_warning &&
           a.data == b.data && a.keep_data == b.keep_data && a.attributes == b.attributes &&
           a.delete_on_release == b.delete_on_release && a.fence_block == b.fence_block;
}

error_code decode_lock_row(attribute_map&& item, const lock_target& target, lock_row& out,
                           std::string& message) {
    const auto& n = target.names;
    const auto& s = target.schema;
    out = lock_row{};
    const attribute_value* lease_id = item.get(n.lease_id);
    const attribute_value* owner = item.get(n.owner);
    if (lease_id == nullptr || owner == nullptr)
        return fail(errc::invalid_argument, message,
                    "the key holds an item that is not a lock row (no '" + n.lease_id + "' or '" + n.owner +
                        "' attribute)");
    if (lease_id->if_string() == nullptr || owner->if_string() == nullptr)
        return fail(errc::malformed_response, message,
                    "lock row: '" + n.lease_id + "' and '" + n.owner + "' must be strings");
    auto number = [&](const std::string& name, std::int64_t& to, bool required) -> error_code {
        const attribute_value* v = item.get(name);
        if (v == nullptr) {
            if (required)
                return fail(errc::malformed_response, message, "lock row: no '" + name + "' attribute");
            return {};
        }
        auto i = to_int64(*v);
        if (!i || *i < 0)
            return fail(errc::malformed_response, message,
                        "lock row: '" + name + "' is not a non-negative integer N");
        to = *i;
        return {};
    };
    std::int64_t lease_ms = 0;
    if (auto ec = number(s.version, out.version, true))
        return ec;
    if (auto ec = number(n.lease, lease_ms, true))
        return ec;
    if (auto ec = number(n.fence, out.fence, false))
        return ec;
    out.lease = milliseconds(lease_ms);
    if (const attribute_value* r = item.get(n.released)) {
        if (r->if_bool() == nullptr)
            return fail(errc::malformed_response, message, "lock row: '" + n.released + "' is not a BOOL");
        out.released = r->as_bool();
    }
    if (const attribute_value* w = item.get(n.waiter)) {
        if (w->if_string() == nullptr)
            return fail(errc::malformed_response, message, "lock row: '" + n.waiter + "' is not a string");
        out.waiter = w->as_string();
    }
    out.owner = owner->as_string();
    out.lease_id = lease_id->as_string();
    for (auto& [name, value] : item) {
        if (name == s.partition_key || name == s.sort_key || name == s.version || name == n.owner ||
            name == n.lease || name == n.lease_id || name == n.fence || name == n.released ||
            name == n.waiter)
            continue;
        if (name == s.value)
            out.data = std::move(value);
        else
            out.attributes.append(name, std::move(value));
    }
    return {};
}

lock_info to_lock_info(std::string key, lock_row&& row) {
    lock_info info;
    info.key = std::move(key);
    info.owner = std::move(row.owner);
    info.fencing_token = row.fence;
    info.version = row.version;
    info.released = row.released;
    info.lease = row.lease;
    info.lease_id = std::move(row.lease_id);
    if (!row.waiter.empty())
        info.waiter = std::move(row.waiter);
    info.data = std::move(row.data);
    info.attributes = std::move(row.attributes);
    return info;
}

error_code resolve_lock_options(const lock_target& target, std::string_view key, const lock_options& o,
                                std::string_view default_owner, lease_terms& out, std::string& message) {
    if (auto ec = validate_store_key(key, "key", message))
        return ec;
    if (o.lease < min_lease)
        return fail(errc::invalid_argument, message,
                    "lock_options.lease: at least 100 ms (got " + ms_text(o.lease) + ")");
    if (o.lease > std::chrono::hours(24 * 365))
        return fail(errc::invalid_argument, message, "lock_options.lease: at most a year");
    const milliseconds margin = o.safety_margin.value_or(o.lease / 10);
    if (margin.count() < 0 || margin >= o.lease / 2)
        return fail(errc::invalid_argument, message,
                    "lock_options.safety_margin: must be at least 0 and less than half the lease (got " +
                        ms_text(margin) + ")");
    const milliseconds heartbeat = o.heartbeat.value_or(o.lease / 3);
    if (heartbeat.count() < 0 || heartbeat > (o.lease - margin) / 2)
        return fail(
            errc::invalid_argument, message,
            "lock_options.heartbeat: must be 0 (no renewal) or at most (lease - safety margin) / 2 = " +
                ms_text((o.lease - margin) / 2) + " (got " + ms_text(heartbeat) + ")");
    if (o.expiring_warning && (o.expiring_warning->count() <= 0 || *o.expiring_warning >= o.lease - margin))
        return fail(errc::invalid_argument, message,
                    "lock_options.expiring_warning: must be positive and shorter than lease - safety margin");
    if (o.poll_min.count() <= 0)
        return fail(errc::invalid_argument, message, "lock_options.poll_min: must be positive");
    if (o.poll_max < o.poll_min)
        return fail(errc::invalid_argument, message, "lock_options.poll_max: must be at least poll_min");
    if (o.max_wait && o.max_wait->count() < 0)
        return fail(errc::invalid_argument, message, "lock_options.max_wait: must not be negative");
    if (o.local_handover_limit > 1'000'000)
        return fail(errc::invalid_argument, message, "lock_options.local_handover_limit: at most 1000000");
    const std::string& owner = o.owner.empty() ? std::string(default_owner) : o.owner;
    if (owner.empty() || owner.size() > max_owner_size)
        return fail(errc::invalid_argument, message, "lock_options.owner: 1 to 1024 bytes");
    if (!is_valid_utf8(owner))
        return fail(errc::invalid_utf8, message, "lock_options.owner: not valid UTF-8");
    if (o.data)
        if (auto ec = validate_attribute_value(*o.data, "lock_options.data", message))
            return ec;
    const auto& s = target.schema;
    const auto& n = target.names;
    const std::array<const std::string*, 11> reserved{&s.partition_key, &s.sort_key, &s.version, &s.expires,
                                                      &s.value,         &n.owner,    &n.lease,   &n.lease_id,
                                                      &n.fence,         &n.released, &n.waiter};
    for (std::size_t i = 0; i < reserved.size(); ++i) {
        if (reserved[i]->empty() || reserved[i]->size() > max_key_attribute_name_size)
            return fail(errc::invalid_argument, message, "lock_schema: attribute names are 1 to 255 bytes");
        for (std::size_t j = 0; j < i; ++j)
            if (*reserved[i] == *reserved[j])
                return fail(errc::invalid_argument, message,
                            "lock_schema: '" + *reserved[i] +
                                "' is used twice in the store and lock schemas");
    }
    std::size_t size = 0;
    std::string field;
    for (const auto& [name, value] : o.attributes) {
        for (const std::string* r : reserved)
            if (name == *r)
                return fail(errc::invalid_argument, message,
                            "lock_options.attributes: '" + name + "' is a store or lock schema attribute");
        if (name.empty() || name.size() > max_attribute_name_size || !is_valid_utf8(name))
            return fail(errc::invalid_argument, message,
                        "lock_options.attributes: names are 1 to 65535 bytes of UTF-8");
        field.assign("lock_options.attributes.").append(name);
        if (auto ec = validate_attribute_value(value, field, message))
            return ec;
        size += name.size() + attribute_value_size(value);
    }
    if (o.data)
        size += s.value.size() + attribute_value_size(*o.data);
    size += owner.size() + key.size() + target.partition.size() + 256;
    if (size > max_item_size)
        return fail(errc::item_too_large, message,
                    "the lock row would be about " + std::to_string(size) +
                        " bytes; DynamoDB allows at most 409600 (400 KB)");

    out.owner = owner;
    out.lease = o.lease;
    out.heartbeat = heartbeat;
    out.safety_margin = margin;
    out.expiring_warning = o.expiring_warning;
    out.poll_min = o.poll_min;
    out.poll_max = o.poll_max;
    out.max_wait = o.max_wait;
    out.data = o.data;
    out.keep_data = o.keep_data;
    out.attributes = o.attributes;
    out.delete_on_release = o.delete_on_release;
    out.fence_block = static_cast<std::int64_t>(o.local_handover_limit) + 1;
    return {};
}

void build_acquire(const lock_target& t, std::string_view key, const lease_terms& terms,
                   std::string_view lease_id, std::string_view waiter_id, const takeover_condition* takeover,
                   update_item_request& out) {
    out = update_item_request{};
    out.table_name = t.table;
    out.key = key_of(t, key);
    auto& names = out.expression_attribute_names;
    auto& values = out.expression_attribute_values;
    names.reserve(10 + terms.attributes.size());
    values.reserve(10 + terms.attributes.size());
    names.emplace_back("#k", t.schema.partition_key);
    names.emplace_back("#v", t.schema.version);
    name_ownership(t, names);
    names.emplace_back("#d", t.names.lease);
    names.emplace_back("#r", t.names.released);
    names.emplace_back("#w", t.names.waiter);
    names.emplace_back("#f", t.names.fence);
    values.append(":o", attribute_value::string(terms.owner));
    values.append(":l", attribute_value::string(lease_id));
    values.append(":d", attribute_value::number(terms.lease.count()));
    values.append(":false", attribute_value::boolean(false));
    values.append(":true", attribute_value::boolean(true));
    values.append(":me", attribute_value::string(waiter_id));
    values.append(":one", attribute_value::number(1));
    values.append(":block", attribute_value::number(terms.fence_block));

    std::string expr = "SET #o = :o, #l = :l, #d = :d, #r = :false";
    bool remove_payload = false;
    if (terms.data) {
        names.emplace_back("#p", t.schema.value);
        values.append(":p", *terms.data);
        expr.append(terms.keep_data ? ", #p = if_not_exists(#p, :p)" : ", #p = :p");
    } else if (!terms.keep_data) {
        names.emplace_back("#p", t.schema.value);
        remove_payload = true;
    }
    std::size_t i = 0;
    for (const auto& [name, value] : terms.attributes) {
        const std::string p = std::to_string(i++);
        names.emplace_back("#x" + p, name);
        values.append(":x" + p, value);
        expr.append(", #x").append(p).append(" = :x").append(p);
    }
    expr.append(remove_payload ? " REMOVE #w, #p" : " REMOVE #w");
    expr.append(" ADD #v :one, #f :block");
    out.update_expression = std::move(expr);

    std::string cond = "attribute_not_exists(#k) OR (#r = :true AND (attribute_not_exists(#w) OR #w = :me))";
    if (takeover) {
        values.append(":tv", attribute_value::number(takeover->version));
        values.append(":tl", attribute_value::string(takeover->lease_id));
        cond.append(" OR (#v = :tv AND #l = :tl)");
    }
    out.condition_expression = std::move(cond);
    out.return_values = return_value::all_new;
    out.return_values_on_condition_check_failure = return_value::all_old;
}

void build_read_lock(const lock_target& t, std::string_view key, get_item_request& out) {
    out = get_item_request{};
    out.table_name = t.table;
    out.key = key_of(t, key);
    out.consistent_read = true;
}

void build_mark_waiter(const lock_target& t, std::string_view key, std::string_view waiter_id,
                       update_item_request& out) {
    out = update_item_request{};
    out.table_name = t.table;
    out.key = key_of(t, key);
    out.expression_attribute_names.emplace_back("#k", t.schema.partition_key);
    out.expression_attribute_names.emplace_back("#w", t.names.waiter);
    out.expression_attribute_values.append(":me", attribute_value::string(waiter_id));
    out.update_expression = "SET #w = :me";
    out.condition_expression = "attribute_exists(#k) AND attribute_not_exists(#w)";
}

void build_clear_waiter(const lock_target& t, std::string_view key, std::string_view waiter_id,
                        update_item_request& out) {
    out = update_item_request{};
    out.table_name = t.table;
    out.key = key_of(t, key);
    out.expression_attribute_names.emplace_back("#w", t.names.waiter);
    out.expression_attribute_values.append(":me", attribute_value::string(waiter_id));
    out.update_expression = "REMOVE #w";
    out.condition_expression = "#w = :me";
}

namespace {

// What a renewal and a release share: they touch the row only while it holds our own unreleased lease
// (owner and lease id), bump its version, and return the row when that condition fails.
void on_our_unreleased_lease(const lock_target& t, std::string_view key, std::string_view owner,
                             std::string_view lease_id, update_item_request& out) {
    out = update_item_request{};
    out.table_name = t.table;
    out.key = key_of(t, key);
    auto& names = out.expression_attribute_names;
    auto& values = out.expression_attribute_values;
    names.emplace_back("#v", t.schema.version);
    name_ownership(t, names);
    names.emplace_back("#r", t.names.released);
    values.append(":o", attribute_value::string(owner));
    values.append(":l", attribute_value::string(lease_id));
    values.append(":false", attribute_value::boolean(false));
    values.append(":one", attribute_value::number(1));
    out.condition_expression = "#o = :o AND #l = :l AND #r = :false";
    out.return_values_on_condition_check_failure = return_value::all_old;
}

} // namespace

void build_heartbeat(const lock_target& t, std::string_view key, std::string_view owner,
                     std::string_view lease_id, milliseconds lease, update_item_request& out) {
    on_our_unreleased_lease(t, key, owner, lease_id, out);
    out.expression_attribute_names.emplace_back("#d", t.names.lease);
    out.expression_attribute_values.append(":d", attribute_value::number(lease.count()));
    out.update_expression = "SET #d = :d ADD #v :one";
    out.return_values = return_value::all_new;
}

void build_release(const lock_target& t, std::string_view key, std::string_view owner,
                   std::string_view lease_id, std::optional<attribute_value> data, update_item_request& out) {
    on_our_unreleased_lease(t, key, owner, lease_id, out);
    out.expression_attribute_values.append(":true", attribute_value::boolean(true));
    std::string expr = "SET #r = :true";
    if (data) {
        out.expression_attribute_names.emplace_back("#p", t.schema.value);
        out.expression_attribute_values.append(":p", std::move(*data));
        expr.append(", #p = :p");
    }
    expr.append(" ADD #v :one");
    out.update_expression = std::move(expr);
}

void build_release_delete(const lock_target& t, std::string_view key, std::string_view owner,
                          std::string_view lease_id, delete_item_request& out) {
    out = delete_item_request{};
    out.table_name = t.table;
    out.key = key_of(t, key);
    name_ownership(t, out.expression_attribute_names);
    out.expression_attribute_values.append(":o", attribute_value::string(owner));
    out.expression_attribute_values.append(":l", attribute_value::string(lease_id));
    out.condition_expression = "#o = :o AND #l = :l";
    out.return_values_on_condition_check_failure = return_value::all_old;
}

void build_list_locks(const lock_target& t, std::string_view prefix, query_request& out) {
    out = query_request{};
    out.table_name = t.table;
    out.expression_attribute_names.emplace_back("#k", t.schema.partition_key);
    out.expression_attribute_values.append(":k", attribute_value::string(t.partition));
    out.key_condition_expression = "#k = :k";
    if (!prefix.empty()) {
        out.expression_attribute_names.emplace_back("#s", t.schema.sort_key);
        out.expression_attribute_values.append(":prefix", attribute_value::string(prefix));
        out.key_condition_expression.append(" AND begins_with(#s, :prefix)");
    }
    // Only lock rows: key/value pairs sharing the partition are filtered out by the server.
    out.expression_attribute_names.emplace_back("#l", t.names.lease_id);
    out.filter_expression = "attribute_exists(#l)";
    out.consistent_read = true;
}

token_range tokens_of(std::int64_t fence, std::int64_t block) noexcept {
    if (block < 1)
        block = 1;
    return {fence - block + 1, fence};
}

release_verdict judge_release(const row_view& row, std::string_view lease_id, bool deleting) noexcept {
    if (!row.row)
        return deleting ? release_verdict::released : release_verdict::stolen;
    if (row.row->lease_id != lease_id)
        return release_verdict::stolen;
    return row.row->released ? release_verdict::released : release_verdict::ours;
}

} // namespace dynalock::core
