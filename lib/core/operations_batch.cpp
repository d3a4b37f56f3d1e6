// BatchGetItem, BatchWriteItem, TransactWriteItems.
#include "operations_common.hpp"

#include <boost/json/array.hpp>

#include <array>
#include <type_traits>

namespace dynalock::core {

using namespace detail;

namespace {

constexpr std::size_t max_batch_get_keys = 100;
constexpr std::size_t max_batch_write_requests = 25;
constexpr std::size_t max_transact_items = 100;
constexpr std::size_t max_client_request_token_size = 36;

void write_keys_and_attributes(std::string& out, const table_keys& t) {
    append_json_key(out, t.table_name);
    out.append("{\"Keys\":[");
    bool first = true;
    for (const auto& key : t.keys) {
        if (!first)
            out.push_back(',');
        first = false;
        encode_item(key, out);
    }
    out.push_back(']');
    write_bool(out, "ConsistentRead", t.consistent_read);
    write_string(out, "ProjectionExpression", t.projection_expression);
    write_names(out, t.expression_attribute_names);
    out.push_back('}');
}

void write_table_writes(std::string& out, const table_write_requests& t) {
    append_json_key(out, t.table_name);
    out.push_back('[');
    for (const write_request& r : t.requests) {
        append_json_separator(out);
        if (const put_request* put = std::get_if<put_request>(&r)) {
            out.append("{\"PutRequest\":{\"Item\":");
            encode_item(put->item, out);
        } else {
            out.append("{\"DeleteRequest\":{\"Key\":");
            encode_item(std::get<delete_request>(r).key, out);
        }
        out.append("}}");
    }
    out.push_back(']');
}

// "RequestItems.<table>" for messages; built only on failure.
std::string table_field(std::string_view member, std::string_view table) {
    std::string s(member);
    s.push_back('.');
    append_printable(s, table);
    return s;
}

bool read_names(const json::object& o, expression_names& out, std::string& message) {
    const json::object* names = nullptr;
    if (!read_object(o, "ExpressionAttributeNames", names, message))
        return false;
    if (names == nullptr)
        return true;
    for (const auto& m : *names) {
        const json::string* s = m.value().if_string();
        if (s == nullptr)
            return wrong_type(message, "ExpressionAttributeNames", "an object of strings");
        out.emplace_back(std::string(m.key()), std::string(s->data(), s->size()));
    }
    return true;
}

bool read_table_keys(std::string_view field, const json::object& tables, std::vector<table_keys>& out,
                     std::string& message) {
    out.reserve(tables.size());
    for (const auto& t : tables) {
        const json::object* ka = t.value().if_object();
        table_keys& entry = out.emplace_back();
        entry.table_name.assign(t.key().data(), t.key().size());
        bool ok = ka != nullptr || wrong_type(message, "", "an object (KeysAndAttributes)");
        if (ok) {
            const json::value* keys = ka->if_contains("Keys");
            ok = keys == nullptr || keys->is_null() || read_items(*keys, "Keys", entry.keys, message);
        }
        ok = ok && read_bool(*ka, "ConsistentRead", entry.consistent_read, message) &&
             read_string(*ka, "ProjectionExpression", entry.projection_expression, message) &&
             read_names(*ka, entry.expression_attribute_names, message);
        if (!ok) {
            std::string where = table_field(field, t.key());
            if (!message.empty() && message.front() != ':')
                where.push_back('.');
            message.insert(0, where);
            return false;
        }
    }
    return true;
}

bool read_table_writes(std::string_view field, const json::object& tables,
                       std::vector<table_write_requests>& out, std::string& message) {
    out.reserve(tables.size());
    for (const auto& t : tables) {
        table_write_requests& entry = out.emplace_back();
        entry.table_name.assign(t.key().data(), t.key().size());
        const json::array* requests = t.value().if_array();
        bool ok = requests != nullptr || wrong_type(message, "", "an array of write requests");
        for (std::size_t i = 0; ok && i < requests->size(); ++i) {
            const json::object* r = (*requests)[i].if_object();
            const json::object* put = nullptr;
            const json::object* del = nullptr;
            ok = (r != nullptr || wrong_type(message, "", "a write request object")) &&
                 read_object(*r, "PutRequest", put, message) &&
                 read_object(*r, "DeleteRequest", del, message);
            if (ok && (put == nullptr) == (del == nullptr))
                ok = wrong_type(message, "", "exactly one of PutRequest and DeleteRequest");
            std::optional<attribute_map> map;
            if (ok && put != nullptr) {
                ok = read_item(*put, "Item", map, message);
                if (ok)
                    entry.requests.emplace_back(put_request{map ? std::move(*map) : attribute_map()});
                else
                    message.insert(0, "PutRequest.");
            } else if (ok) {
                ok = read_item(*del, "Key", map, message);
                if (ok)
                    entry.requests.emplace_back(delete_request{map ? std::move(*map) : attribute_map()});
                else
                    message.insert(0, "DeleteRequest.");
            }
            if (!ok)
                with_prefix(make_error_code(errc::malformed_response), "", i,
                            !message.empty() && message.front() == ':' ? "" : ".", message);
        }
        if (!ok) {
            message.insert(0, table_field(field, t.key()));
            return false;
        }
    }
    return true;
}

} // namespace

// ---- BatchGetItem -------------------------------------------------------------------------------

void serialize(const batch_get_item_request& req, std::string& body) {
    reserve_body(body, 64 + 96 * req.request_items.size());
    body.append("{\"RequestItems\":{");
    for (const table_keys& t : req.request_items)
        write_keys_and_attributes(body, t);
    body.append("}}");
}

error_code parse(std::string_view body, batch_get_item_response& out, std::string& message) {
    out = {};
    return parse_body(body, message, [&](const json::object& o) {
        const json::object* responses = nullptr;
        const json::object* unprocessed = nullptr;
        if (!read_object(o, "Responses", responses, message) ||
            !read_object(o, "UnprocessedKeys", unprocessed, message))
            return false;
        if (responses != nullptr) {
            out.responses.reserve(responses->size());
            for (const auto& t : *responses) {
                table_items& entry = out.responses.emplace_back();
                entry.table_name.assign(t.key().data(), t.key().size());
                if (!read_items(t.value(), table_field("Responses", t.key()), entry.items, message))
                    return false;
            }
        }
        return unprocessed == nullptr ||
               read_table_keys("UnprocessedKeys", *unprocessed, out.unprocessed_keys, message);
    });
}

error_code validate(const batch_get_item_request& req, std::string& message) {
    if (req.request_items.empty())
        return invalid(errc::invalid_argument, "RequestItems", "must not be empty", message);
    std::size_t total = 0;
    for (std::size_t t = 0; t < req.request_items.size(); ++t) {
        const table_keys& entry = req.request_items[t];
        auto prefixed = [&](error_code ec) {
            return prepend_path(ec, table_field("RequestItems", entry.table_name), message);
        };
        if (error_code ec = validate_table_name(entry.table_name, "RequestItems", message))
            return ec;
        for (std::size_t u = 0; u < t; ++u)
            if (req.request_items[u].table_name == entry.table_name)
                return prefixed(invalid(errc::invalid_argument, "", "the table is listed twice", message));
        if (entry.keys.empty())
            return prefixed(invalid(errc::invalid_argument, "Keys", "must not be empty", message));
        total += entry.keys.size();
        if (total > max_batch_get_keys)
            return invalid(errc::too_many_items, "RequestItems", "BatchGetItem reads at most 100 keys",
                           message);
        for (std::size_t i = 0; i < entry.keys.size(); ++i) {
            if (error_code ec = validate_key(entry.keys[i], "", message))
                return prefixed(with_prefix(ec, "Keys", i, "", message));
            for (std::size_t j = 0; j < i; ++j)
                if (entry.keys[i] == entry.keys[j])
                    return prefixed(
                        with_prefix(invalid(errc::invalid_argument, "", "the key is listed twice", message),
                                    "Keys", i, "", message));
        }
        const std::array expressions{
            expression_ref{"ProjectionExpression", if_present(entry.projection_expression)}};
        if (error_code ec =
                validate_expressions(expressions, entry.expression_attribute_names, {}, {}, message))
            return prefixed(ec);
    }
    return {};
}

bool is_idempotent(const batch_get_item_request&) noexcept {
    return true;
}

// ---- BatchWriteItem -----------------------------------------------------------------------------

void serialize(const batch_write_item_request& req, std::string& body) {
    reserve_body(body, 64 + 256 * req.request_items.size());
    body.append("{\"RequestItems\":{");
    for (const table_write_requests& t : req.request_items)
        write_table_writes(body, t);
    body.append("}}");
}

error_code parse(std::string_view body, batch_write_item_response& out, std::string& message) {
    out = {};
    return parse_body(body, message, [&](const json::object& o) {
        const json::object* unprocessed = nullptr;
        if (!read_object(o, "UnprocessedItems", unprocessed, message))
            return false;
        return unprocessed == nullptr ||
               read_table_writes("UnprocessedItems", *unprocessed, out.unprocessed_items, message);
    });
}

error_code validate(const batch_write_item_request& req, std::string& message) {
    if (req.request_items.empty())
        return invalid(errc::invalid_argument, "RequestItems", "must not be empty", message);
    std::size_t total = 0;
    for (std::size_t t = 0; t < req.request_items.size(); ++t) {
        const table_write_requests& entry = req.request_items[t];
        auto prefixed = [&](error_code ec) {
            return prepend_path(ec, table_field("RequestItems", entry.table_name), message);
        };
        if (error_code ec = validate_table_name(entry.table_name, "RequestItems", message))
            return ec;
        for (std::size_t u = 0; u < t; ++u)
            if (req.request_items[u].table_name == entry.table_name)
                return prefixed(invalid(errc::invalid_argument, "", "the table is listed twice", message));
        if (entry.requests.empty())
            return prefixed(
                invalid(errc::invalid_argument, "", "must hold at least one write request", message));
        total += entry.requests.size();
        if (total > max_batch_write_requests)
            return invalid(errc::too_many_items, "RequestItems", "BatchWriteItem takes at most 25 requests",
                           message);
        for (std::size_t i = 0; i < entry.requests.size(); ++i) {
            const write_request& r = entry.requests[i];
            if (const put_request* put = std::get_if<put_request>(&r)) {
                if (error_code ec = validate_item(put->item, "PutRequest.Item", message))
                    return prefixed(with_prefix(ec, "", i, ".", message));
                continue;
            }
            const attribute_map& key = std::get<delete_request>(r).key;
            if (error_code ec = validate_key(key, "DeleteRequest.Key", message))
                return prefixed(with_prefix(ec, "", i, ".", message));
            for (std::size_t j = 0; j < i; ++j)
                if (const delete_request* other = std::get_if<delete_request>(&entry.requests[j]);
                    other != nullptr && other->key == key)
                    return prefixed(with_prefix(invalid(errc::invalid_argument, "DeleteRequest.Key",
                                                        "the key is listed twice", message),
                                                "", i, ".", message));
        }
    }
    return {};
}

// Plain puts and deletes: applying one twice leaves the same state.
bool is_idempotent(const batch_write_item_request&) noexcept {
    return true;
}

// ---- TransactWriteItems -------------------------------------------------------------------------

namespace {

void write_transact_common(std::string& out, const std::optional<std::string>& condition,
                           const expression_names& names, const attribute_map& values,
                           const std::optional<return_value>& on_failure) {
    write_string(out, "ConditionExpression", condition);
    write_names(out, names);
    write_values(out, values);
    write_enum(out, "ReturnValuesOnConditionCheckFailure", on_failure);
}

void write_transact_item(std::string& out, const transact_write_item& item) {
    out.push_back('{');
    std::visit(
        [&](const auto& a) {
            using action = std::decay_t<decltype(a)>;
            if constexpr (std::is_same_v<action, transact_condition_check>) {
                out.append("\"ConditionCheck\":{");
                write_string(out, "TableName", a.table_name);
                write_item(out, "Key", a.key);
                write_string(out, "ConditionExpression", a.condition_expression);
                write_names(out, a.expression_attribute_names);
                write_values(out, a.expression_attribute_values);
                write_enum(out, "ReturnValuesOnConditionCheckFailure",
                           a.return_values_on_condition_check_failure);
            } else if constexpr (std::is_same_v<action, transact_put>) {
                out.append("\"Put\":{");
                write_string(out, "TableName", a.table_name);
                write_item(out, "Item", a.item);
                write_transact_common(out, a.condition_expression, a.expression_attribute_names,
                                      a.expression_attribute_values,
                                      a.return_values_on_condition_check_failure);
            } else if constexpr (std::is_same_v<action, transact_delete>) {
                out.append("\"Delete\":{");
                write_string(out, "TableName", a.table_name);
                write_item(out, "Key", a.key);
                write_transact_common(out, a.condition_expression, a.expression_attribute_names,
                                      a.expression_attribute_values,
                                      a.return_values_on_condition_check_failure);
            } else {
                out.append("\"Update\":{");
                write_string(out, "TableName", a.table_name);
                write_item(out, "Key", a.key);
                write_string(out, "UpdateExpression", a.update_expression);
                write_transact_common(out, a.condition_expression, a.expression_attribute_names,
                                      a.expression_attribute_values,
                                      a.return_values_on_condition_check_failure);
            }
        },
        item);
    out.append("}}");
}

// Member name in TransactItems, for messages.
std::string_view action_name(const transact_write_item& item) noexcept {
    constexpr std::array<std::string_view, 4> names{".ConditionCheck.", ".Put.", ".Delete.", ".Update."};
    return names[item.index()];
}

error_code validate_action(const transact_write_item& item, std::string& message) {
    return std::visit(
        [&](const auto& a) -> error_code {
            using action = std::decay_t<decltype(a)>;
            if constexpr (std::is_same_v<action, transact_condition_check>) {
                const std::array expressions{
                    expression_ref{"ConditionExpression", &a.condition_expression, true}};
                return validate_write(a.table_name, nullptr, &a.key, expressions,
                                      a.expression_attribute_names, a.expression_attribute_values,
                                      a.return_values_on_condition_check_failure, message);
            } else if constexpr (std::is_same_v<action, transact_put>) {
                const std::array expressions{
                    expression_ref{"ConditionExpression", if_present(a.condition_expression)}};
                return validate_write(a.table_name, &a.item, nullptr, expressions,
                                      a.expression_attribute_names, a.expression_attribute_values,
                                      a.return_values_on_condition_check_failure, message);
            } else if constexpr (std::is_same_v<action, transact_delete>) {
                const std::array expressions{
                    expression_ref{"ConditionExpression", if_present(a.condition_expression)}};
                return validate_write(a.table_name, nullptr, &a.key, expressions,
                                      a.expression_attribute_names, a.expression_attribute_values,
                                      a.return_values_on_condition_check_failure, message);
            } else {
                const std::array expressions{
                    expression_ref{"UpdateExpression",
                                   a.update_expression.empty() ? nullptr : &a.update_expression, true},
                    expression_ref{"ConditionExpression", if_present(a.condition_expression)}};
                return validate_write(a.table_name, nullptr, &a.key, expressions,
                                      a.expression_attribute_names, a.expression_attribute_values,
                                      a.return_values_on_condition_check_failure, message);
            }
        },
        item);
}

// Table and key of an action that names its key (all but Put, whose key is inside the item).
std::pair<const std::string*, const attribute_map*> target_key(const transact_write_item& item) noexcept {
    return std::visit(
        [](const auto& a) -> std::pair<const std::string*, const attribute_map*> {
            if constexpr (std::is_same_v<std::decay_t<decltype(a)>, transact_put>)
                return {nullptr, nullptr};
            else
                return {&a.table_name, &a.key};
        },
        item);
}

} // namespace

void serialize(const transact_write_items_request& req, std::string& body) {
    reserve_body(body, 64 + 256 * req.transact_items.size());
    body.append("{\"TransactItems\":[");
    for (const transact_write_item& item : req.transact_items) {
        append_json_separator(body);
        write_transact_item(body, item);
    }
    body.push_back(']');
    write_string(body, "ClientRequestToken", req.client_request_token);
    body.push_back('}');
}

error_code parse(std::string_view body, transact_write_items_response& out, std::string& message) {
    out = {};
    return parse_body(body, message, [](const json::object&) { return true; });
}

error_code validate(const transact_write_items_request& req, std::string& message) {
    if (req.transact_items.empty())
        return invalid(errc::invalid_argument, "TransactItems", "must hold at least one action", message);
    if (req.transact_items.size() > max_transact_items)
        return invalid(errc::too_many_items, "TransactItems", "a transaction holds at most 100 actions",
                       message);
    if (req.client_request_token && (req.client_request_token->empty() ||
                                     req.client_request_token->size() > max_client_request_token_size))
        return invalid(errc::invalid_argument, "ClientRequestToken", "must be 1 to 36 characters", message);
    for (std::size_t i = 0; i < req.transact_items.size(); ++i) {
        const transact_write_item& item = req.transact_items[i];
        if (error_code ec = validate_action(item, message))
            return with_prefix(ec, "TransactItems", i, action_name(item), message);
        const auto [table, key] = target_key(item);
        if (table == nullptr)
            continue;
        for (std::size_t j = 0; j < i; ++j) {
            const auto [other_table, other_key] = target_key(req.transact_items[j]);
            if (other_table != nullptr && *other_table == *table && *other_key == *key)
                return with_prefix(invalid(errc::invalid_argument, "Key",
                                           "two actions of one transaction target the same item", message),
                                   "TransactItems", i, action_name(item), message);
        }
    }
    return {};
}

bool is_idempotent(const transact_write_items_request& req) noexcept {
    return req.client_request_token.has_value();
}

} // namespace dynalock::core
