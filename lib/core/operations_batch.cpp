// SPDX-License-Identifier: BSL-1.0
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
    for (const auto& key : t.keys) {
        append_json_separator(out);
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

// Reads a {table name: entry} object into `out`, one element a table, `read(value, element)` filling an
// element from its value; a failure inside gets "<field>.<table>" in front.
template <class Entry, class Read>
bool read_per_table(std::string_view field, const json::object& tables, std::vector<Entry>& out, Read&& read,
                    std::string& message) {
    out.reserve(tables.size());
    for (const auto& t : tables) {
        Entry& entry = out.emplace_back();
        entry.table_name.assign(t.key().data(), t.key().size());
        if (!read(t.value(), entry)) {
            prepend_path(table_field(field, t.key()), message);
            return false;
        }
    }
    return true;
}

bool read_table_keys(std::string_view field, const json::object& tables, std::vector<table_keys>& out,
                     std::string& message) {
    return read_per_table(
        field, tables, out,
        [&](const json::value& v, table_keys& entry) {
            const json::object* ka = v.if_object();
            if (ka == nullptr)
                return wrong_type(message, "", "an object (KeysAndAttributes)");
            const json::value* keys = ka->if_contains("Keys");
            return (keys == nullptr || keys->is_null() || read_items(*keys, "Keys", entry.keys, message)) &&
                   read_bool(*ka, "ConsistentRead", entry.consistent_read, message) &&
                   read_string(*ka, "ProjectionExpression", entry.projection_expression, message) &&
                   read_names(*ka, entry.expression_attribute_names, message);
        },
        message);
}

// One PutRequest or DeleteRequest of an UnprocessedItems entry.
bool read_write_request(const json::value& v, std::vector<write_request>& out, std::string& message) {
    const json::object* r = v.if_object();
    const json::object* put = nullptr;
    const json::object* del = nullptr;
    if (r == nullptr)
        return wrong_type(message, "", "a write request object");
    if (!read_object(*r, "PutRequest", put, message) || !read_object(*r, "DeleteRequest", del, message))
        return false;
    if ((put == nullptr) == (del == nullptr))
        return wrong_type(message, "", "exactly one of PutRequest and DeleteRequest");
    std::optional<attribute_map> map;
    if (put != nullptr) {
        if (!read_item(*put, "Item", map, message))
            return nested("PutRequest", message);
        out.emplace_back(put_request{map ? std::move(*map) : attribute_map()});
    } else {
        if (!read_item(*del, "Key", map, message))
            return nested("DeleteRequest", message);
        out.emplace_back(delete_request{map ? std::move(*map) : attribute_map()});
    }
    return true;
}

bool read_table_writes(std::string_view field, const json::object& tables,
                       std::vector<table_write_requests>& out, std::string& message) {
    return read_per_table(
        field, tables, out,
        [&](const json::value& v, table_write_requests& entry) {
            const json::array* requests = v.if_array();
            if (requests == nullptr)
                return wrong_type(message, "", "an array of write requests");
            for (std::size_t i = 0; i < requests->size(); ++i) {
                if (!read_write_request((*requests)[i], entry.requests, message)) {
                    with_prefix(make_error_code(errc::malformed_response), "", i,
                                !message.empty() && message.front() == ':' ? "" : ".", message);
                    return false;
                }
            }
            return true;
        },
        message);
}

// The checks BatchGetItem and BatchWriteItem make of their RequestItems: at least one table, each
// named once, at most `max_entries` entries (Entries, a member of Table) in all; `check_entries(table)`
// checks one table's own entries. Errors about a table get "RequestItems.<table>" in front.
template <class Table, class Entries, class CheckEntries>
error_code validate_request_items(const std::vector<Table>& tables, Entries Table::*entries,
                                  std::size_t max_entries, std::string_view too_many,
                                  CheckEntries&& check_entries, std::string& message) {
    if (tables.empty())
        return invalid(errc::invalid_argument, "RequestItems", "must not be empty", message);
    std::size_t total = 0;
    for (std::size_t t = 0; t < tables.size(); ++t) {
        const Table& table = tables[t];
        auto in_table = [&](error_code ec) {
            return prepend_path(ec, table_field("RequestItems", table.table_name), message);
        };
        if (error_code ec = validate_table_name(table.table_name, "RequestItems", message))
            return ec;
        for (std::size_t u = 0; u < t; ++u)
            if (tables[u].table_name == table.table_name)
                return in_table(invalid(errc::invalid_argument, "", "the table is listed twice", message));
        total += (table.*entries).size();
        if (total > max_entries)
            return invalid(errc::too_many_items, "RequestItems", too_many, message);
        if (error_code ec = check_entries(table))
            return in_table(ec);
    }
    return {};
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
        const auto read_table_items = [&](const json::value& v, table_items& entry) {
            return read_items(v, "", entry.items, message);
        };
        if (responses != nullptr &&
            !read_per_table("Responses", *responses, out.responses, read_table_items, message))
            return false;
        return unprocessed == nullptr ||
               read_table_keys("UnprocessedKeys", *unprocessed, out.unprocessed_keys, message);
    });
}

error_code validate(const batch_get_item_request& req, std::string& message) {
    return validate_request_items(
        req.request_items, &table_keys::keys, max_batch_get_keys, "BatchGetItem reads at most 100 keys",
        [&](const table_keys& entry) -> error_code {
            if (entry.keys.empty())
                return invalid(errc::invalid_argument, "Keys", "must not be empty", message);
            for (std::size_t i = 0; i < entry.keys.size(); ++i) {
                if (error_code ec = validate_key(entry.keys[i], "", message))
                    return with_prefix(ec, "Keys", i, "", message);
                for (std::size_t j = 0; j < i; ++j)
                    if (entry.keys[i] == entry.keys[j])
                        return with_prefix(
                            invalid(errc::invalid_argument, "", "the key is listed twice", message), "Keys",
                            i, "", message);
            }
            const std::array expressions{
                expression_ref{"ProjectionExpression", if_present(entry.projection_expression)}};
            return validate_expressions(expressions, entry.expression_attribute_names, {}, {}, message);
        },
        message);
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
    return validate_request_items(
        req.request_items, &table_write_requests::requests, max_batch_write_requests,
        "BatchWriteItem takes at most 25 requests",
        [&](const table_write_requests& entry) -> error_code {
            if (entry.requests.empty())
                return invalid(errc::invalid_argument, "", "must hold at least one write request", message);
            for (std::size_t i = 0; i < entry.requests.size(); ++i) {
                const write_request& r = entry.requests[i];
                if (const put_request* put = std::get_if<put_request>(&r)) {
                    if (error_code ec = validate_item(put->item, "PutRequest.Item", message))
                        return with_prefix(ec, "", i, ".", message);
                    continue;
                }
                const attribute_map& key = std::get<delete_request>(r).key;
                if (error_code ec = validate_key(key, "DeleteRequest.Key", message))
                    return with_prefix(ec, "", i, ".", message);
                for (std::size_t j = 0; j < i; ++j)
                    if (const delete_request* other = std::get_if<delete_request>(&entry.requests[j]);
                        other != nullptr && other->key == key)
                        return with_prefix(invalid(errc::invalid_argument, "DeleteRequest.Key",
                                                   "the key is listed twice", message),
                                           "", i, ".", message);
            }
            return {};
        },
        message);
}

// Plain puts and deletes: applying one twice leaves the same state.
bool is_idempotent(const batch_write_item_request&) noexcept {
    return true;
}

// ---- TransactWriteItems -------------------------------------------------------------------------

namespace {

// The member name of each action, in the order of transact_write_item's alternatives.
constexpr std::array<std::string_view, 4> action_names{"ConditionCheck", "Put", "Delete", "Update"};
static_assert(std::variant_size_v<transact_write_item> == action_names.size());

// {"Put":{...}} and the like.
void write_transact_item(std::string& out, const transact_write_item& item) {
    std::visit(
        [&](const auto& action) {
            out.append("{\"").append(action_names[item.index()]).append("\":{");
            write_item_action(out, action);
            out.append("}}");
        },
        item);
}

// The expressions of each action: a ConditionCheck needs its condition, an Update its update.
std::array<expression_ref, 1> action_expressions(const transact_condition_check& a) {
    return {expression_ref{"ConditionExpression", &a.condition_expression, true}};
}
std::array<expression_ref, 1> action_expressions(const transact_put& a) {
    return {optional_condition(a)};
}
std::array<expression_ref, 1> action_expressions(const transact_delete& a) {
    return {optional_condition(a)};
}
std::array<expression_ref, 2> action_expressions(const transact_update& a) {
    return {expression_ref{"UpdateExpression", a.update_expression.empty() ? nullptr : &a.update_expression,
                           true},
            optional_condition(a)};
}

error_code validate_action(const transact_write_item& item, std::string& message) {
    return std::visit([&](const auto& a) { return validate_item_action(a, action_expressions(a), message); },
                      item);
}

// Puts "TransactItems[i].<action>." in front of a message about the action at `i`.
error_code in_action(error_code ec, std::size_t i, const transact_write_item& item, std::string& message) {
    nested(action_names[item.index()], message);
    return with_prefix(ec, "TransactItems", i, ".", message);
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
            return in_action(ec, i, item, message);
        const auto [table, key] = target_key(item);
        if (table == nullptr)
            continue;
        for (std::size_t j = 0; j < i; ++j) {
            const auto [other_table, other_key] = target_key(req.transact_items[j]);
            if (other_table != nullptr && *other_table == *table && *other_key == *key)
                return in_action(invalid(errc::invalid_argument, "Key",
                                         "two actions of one transaction target the same item", message),
                                 i, item, message);
        }
    }
    return {};
}

bool is_idempotent(const transact_write_items_request& req) noexcept {
    return req.client_request_token.has_value();
}

} // namespace dynalock::core
