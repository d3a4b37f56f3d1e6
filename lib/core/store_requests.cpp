// SPDX-License-Identifier: BSL-1.0
#include "store_requests.hpp"

#include "store_item.hpp"
#include "validation.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <utility>

namespace dynalock::core {

namespace {

// The expiry rule of store_item.hpp in DynamoDB's words, for conditions and filters.
constexpr std::string_view live_condition = "attribute_not_exists(#e) OR NOT (#e <= :now)";
constexpr std::string_view create_condition = "attribute_not_exists(#k) OR #e <= :now";
constexpr std::string_view swap_condition = "#v = :v AND (attribute_not_exists(#e) OR NOT (#e <= :now))";

// What an N of up to 19 digits (any int64 version) counts for in DynamoDB's item size.
constexpr std::size_t max_int64_number_size = 11;

using detail::fail;

attribute_map key_of(const store_target& t, std::string key) {
    attribute_map k;
    k.reserve(2);
    k.append(t.options.schema.partition_key, attribute_value::string(t.partition));
    k.append(t.options.schema.sort_key, attribute_value::string(std::move(key)));
    return k;
}

error_code validate_attribute_name(std::string_view name, std::string_view field, std::size_t max_size,
                                   std::string& message) {
    if (name.empty())
        return fail(errc::invalid_argument, message, std::string(field) + ": empty attribute name");
    if (name.size() > max_size)
        return fail(errc::invalid_argument, message,
                    std::string(field) + ": attribute name over " + std::to_string(max_size) + " bytes");
    if (!is_valid_utf8(name))
        return fail(errc::invalid_utf8, message, std::string(field) + ": attribute name is not valid UTF-8");
    return {};
}

error_code validate_partition_value(std::string_view value, std::string_view field, std::string& message) {
    if (value.empty())
        return fail(errc::empty_key, message, std::string(field) + ": the partition value is empty");
    if (value.size() > max_partition_key_size)
        return fail(errc::key_too_large, message,
                    std::string(field) + ": the partition value is " + std::to_string(value.size()) +
                        " bytes; DynamoDB allows at most 2048");
    if (!is_valid_utf8(value))
        return fail(errc::invalid_utf8, message,
                    std::string(field) + ": the partition value is not valid UTF-8");
    return {};
}

// Which schema role a name plays, if any ("version", ...), for messages.
const char* schema_role(const store_schema& s, std::string_view name) noexcept {
    if (name == s.partition_key)
        return "partition key";
    if (name == s.sort_key)
        return "sort key";
    if (name == s.version)
        return "version";
    if (name == s.expires)
        return "expiry";
    if (name == s.value)
        return "value";
    return nullptr;
}

std::int64_t ceil_div_1000(std::int64_t ms) noexcept {
    return ms / 1000 + (ms % 1000 > 0 ? 1 : 0);
}

// Comma-joined clause members: "SET a, b".
void append_clause(std::string& expr, std::string_view keyword, std::string_view member, bool& open) {
    if (!open) {
        if (!expr.empty())
            expr.push_back(' ');
        expr.append(keyword).push_back(' ');
        open = true;
    } else {
        expr.append(", ");
    }
    expr.append(member);
}

} // namespace

error_code validate_store_config(std::string_view partition, const store_schema& schema,
                                 std::string& message) {
    if (auto ec = validate_partition_value(partition, "partition", message))
        return ec;
    const std::array<std::pair<std::string_view, const std::string*>, 5> names{{
        {"schema.partition_key", &schema.partition_key},
        {"schema.sort_key", &schema.sort_key},
        {"schema.version", &schema.version},
        {"schema.expires", &schema.expires},
        {"schema.value", &schema.value},
    }};
    for (std::size_t i = 0; i < names.size(); ++i) {
        if (auto ec = validate_attribute_name(*names[i].second, names[i].first, max_key_attribute_name_size,
                                              message))
            return ec;
        for (std::size_t j = 0; j < i; ++j)
            if (*names[i].second == *names[j].second)
                return fail(errc::invalid_argument, message,
                            std::string(names[i].first) + ": same attribute name as " +
                                std::string(names[j].first) + " ('" + *names[i].second + "')");
    }
    return {};
}

error_code validate_store_key(std::string_view key, std::string_view field, std::string& message) {
    if (key.empty())
        return fail(errc::empty_key, message, std::string(field) + ": the key is empty");
    if (key.size() > max_sort_key_size)
        return fail(errc::key_too_large, message,
                    std::string(field) + ": the key is " + std::to_string(key.size()) +
                        " bytes; DynamoDB allows at most 1024 in a sort key");
    if (!is_valid_utf8(key)) {
        message = std::string(field) + ": the key is not valid UTF-8: ";
        append_printable(message, key);
        return errc::invalid_utf8;
    }
    return {};
}

error_code build_get(const store_target& target, std::string key, bool consistent, get_projection projection,
                     get_item_request& out, std::string& message) {
    if (auto ec = validate_store_key(key, "key", message))
        return ec;
    const auto& s = target.options.schema;
    out.table_name = target.table;
    out.key = key_of(target, std::move(key));
    out.consistent_read = consistent;
    if (projection == get_projection::keys_version_expiry) {
        out.projection_expression = "#k, #s, #v, #e";
        out.expression_attribute_names = {
            {"#k", s.partition_key}, {"#s", s.sort_key}, {"#v", s.version}, {"#e", s.expires}};
    }
    return {};
}

error_code build_write(const store_target& target, std::string key, write_options&& options, write_kind kind,
                       std::chrono::system_clock::time_point now, update_item_request& out,
                       std::string& message) {
    const auto& s = target.options.schema;
    if (auto ec = validate_store_key(key, "key", message))
        return ec;
    if (options.bytes && options.value)
        return fail(errc::invalid_argument, message, "write_options: set bytes or value, not both");
    if (options.ttl && options.ttl->count() <= 0)
        return fail(errc::invalid_argument, message,
                    "write_options.ttl: must be positive (got " + std::to_string(options.ttl->count()) +
                        " ms); leave it unset for a pair that never expires");
    if (kind == write_kind::put && options.previous_version)
        return fail(errc::invalid_argument, message,
                    "write_options.previous_version: put is unconditional; use atomic_put for a "
                    "compare-and-swap");
    if (options.previous_version && *options.previous_version <= 0)
        return fail(errc::invalid_argument, message,
                    "write_options.previous_version: versions start at 1 (got " +
                        std::to_string(*options.previous_version) + ")");

    std::optional<attribute_value> payload;
    if (options.bytes)
        payload = encode_bytes(*options.bytes, target.options.bytes_encoding);
    else if (options.value)
        payload = std::move(*options.value);
    if (payload)
        if (auto ec = validate_attribute_value(*payload, "write_options.value", message))
            return ec;

    std::size_t size = s.partition_key.size() + target.partition.size() + s.sort_key.size() + key.size() +
                       s.version.size() + max_int64_number_size;
    if (payload)
        size += s.value.size() + attribute_value_size(*payload);
    constexpr std::string_view attributes_field = "write_options.attributes";
    std::string field; // "write_options.attributes.<name>", reusing its buffer
    for (const auto& [name, value] : options.attributes) {
        if (auto ec = validate_attribute_name(name, attributes_field, max_attribute_name_size, message))
            return ec;
        if (const char* role = schema_role(s, name))
            return fail(errc::invalid_argument, message,
                        std::string(attributes_field) + ": '" + name + "' is the store's " + role +
                            " attribute");
        field.assign(attributes_field).append(".").append(name);
        if (auto ec = validate_attribute_value(value, field, message))
            return ec;
        size += name.size() + attribute_value_size(value);
    }

    std::optional<std::int64_t> expires;
    if (options.ttl) {
        const std::int64_t now_ms =
            std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
        const std::int64_t ttl_ms = options.ttl->count();
        if (now_ms > 0 && ttl_ms > std::numeric_limits<std::int64_t>::max() - now_ms)
            return fail(errc::invalid_argument, message, "write_options.ttl: too large");
        expires = ceil_div_1000(now_ms + ttl_ms);
        size += s.expires.size() + max_int64_number_size;
    }
    if (size > max_item_size)
        return fail(errc::item_too_large, message,
                    "the item would be " + std::to_string(size) +
                        " bytes; DynamoDB allows at most 409600 (400 KB)");

    out.table_name = target.table;
    out.key = key_of(target, std::move(key));
    auto& names = out.expression_attribute_names;
    auto& values = out.expression_attribute_values;
    names.reserve(4 + options.attributes.size());
    values.reserve(4 + options.attributes.size());
    names.emplace_back("#v", s.version);
    values.append(":one", attribute_value::number(1));
    bool names_expires = false;
    auto use_expires = [&] {
        if (!names_expires)
            names.emplace_back("#e", s.expires);
        names_expires = true;
    };

    std::string expr;
    bool set_open = false;
    if (payload) {
        names.emplace_back("#p", s.value);
        values.append(":p", std::move(*payload));
        append_clause(expr, "SET", "#p = :p", set_open);
    }
    if (expires) {
        use_expires();
        values.append(":e", attribute_value::number(*expires));
        append_clause(expr, "SET", "#e = :e", set_open);
    }
    std::size_t i = 0;
    for (auto& [name, value] : options.attributes) {
        const std::string n = std::to_string(i++);
        names.emplace_back("#x" + n, std::move(name));
        values.append(":x" + n, std::move(value));
        append_clause(expr, "SET", "#x" + n + " = :x" + n, set_open);
    }
    bool remove_open = false;
    if (!payload) {
        names.emplace_back("#p", s.value);
        append_clause(expr, "REMOVE", "#p", remove_open);
    }
    if (!expires && !options.keep_expiry) {
        use_expires();
        append_clause(expr, "REMOVE", "#e", remove_open);
    }
    expr.append(expr.empty() ? "" : " ").append("ADD #v :one");
    out.update_expression = std::move(expr);

    if (kind == write_kind::atomic_put) {
        use_expires();
        values.append(":now", attribute_value::number(epoch_seconds(now)));
        if (options.previous_version) {
            values.append(":v", attribute_value::number(*options.previous_version));
            out.condition_expression = std::string(swap_condition);
        } else {
            names.emplace_back("#k", s.partition_key);
            out.condition_expression = std::string(create_condition);
        }
    }
    out.return_values = return_value::all_new;
    return {};
}

error_code build_remove(const store_target& target, std::string key, delete_item_request& out,
                        std::string& message) {
    if (auto ec = validate_store_key(key, "key", message))
        return ec;
    out.table_name = target.table;
    out.key = key_of(target, std::move(key));
    return {};
}

error_code build_atomic_delete(const store_target& target, std::string key,
                               std::optional<std::int64_t> previous_version, std::int64_t now,
                               delete_item_request& out, std::string& message) {
    if (auto ec = validate_store_key(key, "key", message))
        return ec;
    if (!previous_version)
        return fail(errc::invalid_argument, message,
                    "atomic_delete: no previous version given; pass the version of the pair as read before "
                    "(or use remove to delete unconditionally)");
    if (*previous_version <= 0)
        return fail(errc::invalid_argument, message,
                    "atomic_delete: versions start at 1 (got " + std::to_string(*previous_version) + ")");
    const auto& s = target.options.schema;
    out.table_name = target.table;
    out.key = key_of(target, std::move(key));
    out.condition_expression = std::string(swap_condition);
    out.expression_attribute_names = {{"#v", s.version}, {"#e", s.expires}};
    out.expression_attribute_values = {{":v", attribute_value::number(*previous_version)},
                                       {":now", attribute_value::number(now)}};
    return {};
}

error_code classify_version_failure(const std::optional<attribute_map>& item, const store_schema& schema,
                                    std::int64_t now, std::int64_t previous_version, std::string& message) {
    if (!item || is_expired(*item, schema, now))
        return fail(errc::key_not_found, message, "the key does not exist or has expired");
    const attribute_value* v = item->get(schema.version);
    std::string found = v == nullptr     ? "no version"
                        : v->if_number() ? "version " + *v->if_number()
                                         : "a version";
    return fail(errc::version_mismatch, message,
                "the item has " + found + ", not version " + std::to_string(previous_version));
}

error_code build_listing(const store_target& target, const list_options& options, std::int64_t now,
                         listing& out, std::string& message) {
    const auto& s = target.options.schema;
    if (!options.prefix.empty()) {
        if (options.prefix.size() > max_sort_key_size)
            return fail(errc::key_too_large, message,
                        "list_options.prefix: " + std::to_string(options.prefix.size()) +
                            " bytes; a key has at most 1024");
        if (!is_valid_utf8(options.prefix))
            return fail(errc::invalid_utf8, message, "list_options.prefix: not valid UTF-8");
    }
    const secondary_index* index = options.index ? &*options.index : nullptr;
    const bool global = index != nullptr && index->is_global();
    if (index != nullptr) {
        if (auto ec = validate_index_name(index->name, "list_options.index.name", message))
            return ec;
        if (global) {
            if (auto ec = validate_attribute_name(index->partition_key, "list_options.index.partition_key",
                                                  max_key_attribute_name_size, message))
                return ec;
            if (!index->partition_value.empty())
                if (auto ec = validate_partition_value(index->partition_value,
                                                       "list_options.index.partition_value", message))
                    return ec;
        } else if (!index->partition_value.empty()) {
            return fail(errc::invalid_argument, message,
                        "list_options.index.partition_value: only a global index has its own partition key");
        }
        if (!index->sort_key.empty())
            if (auto ec = validate_attribute_name(index->sort_key, "list_options.index.sort_key",
                                                  max_key_attribute_name_size, message))
                return ec;
    }
    const std::string& k_attr = global ? index->partition_key : s.partition_key;
    const std::string& k_value =
        global && !index->partition_value.empty() ? index->partition_value : target.partition;
    const std::string& s_attr = index != nullptr && !index->sort_key.empty() ? index->sort_key : s.sort_key;

    out.binding = page_token_binding{};
    out.binding.add(target.table)
        .add(index != nullptr ? std::string_view(index->name) : std::string_view())
        .add(k_attr)
        .add(k_value)
        .add(s_attr)
        .add(options.prefix)
        .add(options.descending ? "descending" : "ascending");

    auto& q = out.query;
    q = query_request{};
    q.table_name = target.table;
    if (index != nullptr)
        q.index_name = index->name;
    q.expression_attribute_names.reserve(3);
    q.expression_attribute_names.emplace_back("#k", k_attr);
    q.expression_attribute_values.append(":k", attribute_value::string(k_value));
    if (options.prefix.empty()) {
        q.key_condition_expression = "#k = :k";
    } else {
        q.key_condition_expression = "#k = :k AND begins_with(#s, :prefix)";
        q.expression_attribute_names.emplace_back("#s", s_attr);
        q.expression_attribute_values.append(":prefix", attribute_value::string(options.prefix));
    }
    q.filter_expression = std::string(live_condition);
    q.expression_attribute_names.emplace_back("#e", s.expires);
    q.expression_attribute_values.append(":now", attribute_value::number(now));
    q.consistent_read = options.consistent_read && !global;
    q.scan_index_forward = !options.descending;

    if (!options.page_token.empty()) {
        attribute_map start;
        if (auto ec = decode_page_token(options.page_token, out.binding, start, message))
            return ec;
        const attribute_value* pk = start.get(k_attr);
        if (pk == nullptr || pk->if_string() == nullptr || *pk->if_string() != k_value)
            return fail(errc::invalid_argument, message,
                        "page_token: the token starts outside the partition this listing reads");
        q.exclusive_start_key = std::move(start);
    }
    return {};
}

error_code build_create_table(const store_target& target, const table_options& options,
                              create_table_request& out, std::string& message) {
    const auto& s = target.options.schema;
    out = create_table_request{};
    out.table_name = target.table;
    out.attribute_definitions = {{s.partition_key, scalar_attribute_type::string},
                                 {s.sort_key, scalar_attribute_type::string}};
    out.key_schema = {{s.partition_key, key_type::hash}, {s.sort_key, key_type::range}};
    out.billing_mode = options.billing_mode;
    const bool provisioned = options.billing_mode == billing_mode::provisioned;
    if (provisioned) {
        const auto& t = options.provisioned_throughput;
        if (t.read_capacity_units < 1 || t.write_capacity_units < 1)
            return fail(errc::invalid_argument, message,
                        "table_options.provisioned_throughput: capacity units must be at least 1");
        out.provisioned_throughput = t;
    }

    auto define = [&](const std::string& name) {
        for (const auto& d : out.attribute_definitions)
            if (d.attribute_name == name)
                return;
        auto type = scalar_attribute_type::string;
        for (const auto& d : options.attribute_definitions)
            if (d.attribute_name == name)
                type = d.attribute_type;
        out.attribute_definitions.push_back({name, type});
    };
    out.local_secondary_indexes = options.local_secondary_indexes;
    for (auto& index : out.local_secondary_indexes) {
        for (auto& k : index.key_schema) {
            if (k.attribute_name.empty() && k.key_type == key_type::hash)
                k.attribute_name = s.partition_key;
            if (k.attribute_name.empty())
                return fail(errc::invalid_argument, message,
                            "table_options.local_secondary_indexes: index '" + index.index_name +
                                "' has a sort key without a name");
            define(k.attribute_name);
        }
    }
    out.global_secondary_indexes = options.global_secondary_indexes;
    for (auto& index : out.global_secondary_indexes) {
        for (const auto& k : index.key_schema) {
            if (k.attribute_name.empty())
                return fail(errc::invalid_argument, message,
                            "table_options.global_secondary_indexes: index '" + index.index_name +
                                "' has a key attribute without a name");
            define(k.attribute_name);
        }
        if (provisioned && !index.provisioned_throughput)
            index.provisioned_throughput = options.provisioned_throughput;
    }
    return {};
}

error_code check_key_schema(const table_description& table, const store_schema& schema,
                            std::string& message) {
    std::string_view hash, range;
    for (const auto& k : table.key_schema)
        (k.key_type == key_type::hash ? hash : range) = k.attribute_name;
    if (hash == schema.partition_key && range == schema.sort_key)
        return {};
    message = "table " + table.table_name + " has the key schema (" + std::string(hash) + " HASH";
    if (!range.empty())
        message.append(", ").append(range).append(" RANGE");
    message.append("), the store needs (" + schema.partition_key + " HASH, " + schema.sort_key + " RANGE)");
    return errc::invalid_argument;
}

} // namespace dynalock::core
