// SPDX-License-Identifier: BSL-1.0
// GetItem, PutItem, UpdateItem, DeleteItem.
#include "operations_common.hpp"

#include <array>

namespace dynalock::core {

using namespace detail;

namespace detail {

error_code validate_write(std::string_view table_name, const attribute_map* item, const attribute_map* key,
                          std::span<const expression_ref> expressions, const expression_names& names,
                          const attribute_map& values,
                          const std::optional<return_value>& on_condition_failure, std::string& message) {
    if (error_code ec = validate_table_name(table_name, "TableName", message))
        return ec;
    if (item != nullptr) {
        if (error_code ec = validate_item(*item, "Item", message))
            return ec;
    } else if (error_code ec = validate_key(*key, "Key", message)) {
        return ec;
    }
    if (error_code ec = validate_expressions(expressions, names, values, {}, message))
        return ec;
    return check_none_or_all_old(on_condition_failure, "ReturnValuesOnConditionCheckFailure", message);
}

} // namespace detail

namespace {

// PutItem and DeleteItem: an optional condition, and ReturnValues NONE or ALL_OLD.
template <class Request>
error_code validate_put_or_delete(const Request& req, std::string& message) {
    const std::array expressions{optional_condition(req)};
    if (error_code ec = validate_item_action(req, expressions, message))
        return ec;
    return check_none_or_all_old(req.return_values, "ReturnValues", message);
}

} // namespace

// ---- GetItem ------------------------------------------------------------------------------------

void serialize(const get_item_request& req, std::string& body) {
    reserve_body(body, 128 + req.table_name.size());
    body.push_back('{');
    write_string(body, "TableName", req.table_name);
    write_item(body, "Key", req.key);
    write_bool(body, "ConsistentRead", req.consistent_read);
    write_string(body, "ProjectionExpression", req.projection_expression);
    write_names(body, req.expression_attribute_names);
    body.push_back('}');
}

error_code parse(std::string_view body, get_item_response& out, std::string& message) {
    out = {};
    return parse_item_reply(body, "Item", out.item, message);
}

error_code validate(const get_item_request& req, std::string& message) {
    if (error_code ec = validate_table_name(req.table_name, "TableName", message))
        return ec;
    if (error_code ec = validate_key(req.key, "Key", message))
        return ec;
    const std::array expressions{
        expression_ref{"ProjectionExpression", if_present(req.projection_expression)}};
    return validate_expressions(expressions, req.expression_attribute_names, {}, {}, message);
}

bool is_idempotent(const get_item_request&) noexcept {
    return true;
}

// ---- PutItem ------------------------------------------------------------------------------------

void serialize(const put_item_request& req, std::string& body) {
    reserve_body(body, 256 + req.table_name.size());
    body.push_back('{');
    write_item_action(body, req);
    body.push_back('}');
}

error_code parse(std::string_view body, put_item_response& out, std::string& message) {
    out = {};
    return parse_item_reply(body, "Attributes", out.attributes, message);
}

error_code validate(const put_item_request& req, std::string& message) {
    return validate_put_or_delete(req, message);
}

bool is_idempotent(const put_item_request& req) noexcept {
    return !req.condition_expression.has_value();
}

// ---- UpdateItem ---------------------------------------------------------------------------------

void serialize(const update_item_request& req, std::string& body) {
    reserve_body(body, 256 + req.table_name.size());
    body.push_back('{');
    write_item_action(body, req);
    body.push_back('}');
}

error_code parse(std::string_view body, update_item_response& out, std::string& message) {
    out = {};
    return parse_item_reply(body, "Attributes", out.attributes, message);
}

// Any ReturnValues is allowed here.
error_code validate(const update_item_request& req, std::string& message) {
    const std::array expressions{expression_ref{"UpdateExpression", if_present(req.update_expression)},
                                 optional_condition(req)};
    return validate_item_action(req, expressions, message);
}

// ADD and SET x = x + :n change the item again on every resend.
bool is_idempotent(const update_item_request&) noexcept {
    return false;
}

// ---- DeleteItem ---------------------------------------------------------------------------------

void serialize(const delete_item_request& req, std::string& body) {
    reserve_body(body, 192 + req.table_name.size());
    body.push_back('{');
    write_item_action(body, req);
    body.push_back('}');
}

error_code parse(std::string_view body, delete_item_response& out, std::string& message) {
    out = {};
    return parse_item_reply(body, "Attributes", out.attributes, message);
}

error_code validate(const delete_item_request& req, std::string& message) {
    return validate_put_or_delete(req, message);
}

bool is_idempotent(const delete_item_request& req) noexcept {
    return !req.condition_expression.has_value();
}

} // namespace dynalock::core
