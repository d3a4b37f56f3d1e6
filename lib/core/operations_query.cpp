// SPDX-License-Identifier: BSL-1.0
// Query and Scan.
#include "operations_common.hpp"

#include <array>

namespace dynalock::core {

using namespace detail;

namespace {

// Query and Scan send the same members in the same order, but for the few only one of them has.
template <class Request>
void write_page_request(std::string& body, const Request& req) {
    body.push_back('{');
    write_string(body, "TableName", req.table_name);
    write_string(body, "IndexName", req.index_name);
    if constexpr (requires { req.key_condition_expression; })
        write_string(body, "KeyConditionExpression", req.key_condition_expression);
    write_string(body, "FilterExpression", req.filter_expression);
    write_string(body, "ProjectionExpression", req.projection_expression);
    write_names(body, req.expression_attribute_names);
    write_values(body, req.expression_attribute_values);
    write_bool(body, "ConsistentRead", req.consistent_read);
    write_integer(body, "Limit", req.limit);
    write_item(body, "ExclusiveStartKey", req.exclusive_start_key);
    if constexpr (requires { req.scan_index_forward; })
        write_bool(body, "ScanIndexForward", req.scan_index_forward);
    write_enum(body, "Select", req.select);
    if constexpr (requires { req.segment; }) {
        write_integer(body, "Segment", req.segment);
        write_integer(body, "TotalSegments", req.total_segments);
    }
    body.push_back('}');
}

// Query and Scan return the same page shape.
template <class Page>
error_code parse_page(std::string_view body, Page& out, std::string& message) {
    out = {};
    return parse_body(body, message, [&](const json::object& o) {
        if (const json::value* items = o.if_contains("Items"); items != nullptr && !items->is_null())
            if (!read_items(*items, "Items", out.items, message))
                return false;
        return read_int64(o, "Count", out.count, message) &&
               read_int64(o, "ScannedCount", out.scanned_count, message) &&
               read_item(o, "LastEvaluatedKey", out.last_evaluated_key, message);
    });
}

// The checks Query and Scan start with: the table and the expressions with their placeholders.
template <class Request>
error_code validate_table_and_expressions(const Request& req, std::span<const expression_ref> expressions,
                                          std::string& message) {
    if (error_code ec = validate_table_name(req.table_name, "TableName", message))
        return ec;
    return validate_expressions(expressions, req.expression_attribute_names, req.expression_attribute_values,
                                {}, message);
}

// The members Query and Scan share, after their own.
template <class Request>
error_code validate_read_options(const Request& req, std::string& message) {
    if (req.index_name)
        if (error_code ec = validate_index_name(*req.index_name, "IndexName", message))
            return ec;
    if (req.limit && *req.limit < 1)
        return invalid(errc::invalid_argument, "Limit", "must be at least 1", message);
    if (req.exclusive_start_key)
        // A start key of an index holds the index key and the table key, so up to four attributes.
        return validate_item(*req.exclusive_start_key, "ExclusiveStartKey", message);
    return {};
}

} // namespace

// ---- Query --------------------------------------------------------------------------------------

void serialize(const query_request& req, std::string& body) {
    reserve_body(body, 256 + req.table_name.size() + req.key_condition_expression.size());
    write_page_request(body, req);
}

error_code parse(std::string_view body, query_response& out, std::string& message) {
    return parse_page(body, out, message);
}

error_code validate(const query_request& req, std::string& message) {
    const std::array expressions{
        expression_ref{"KeyConditionExpression",
                       req.key_condition_expression.empty() ? nullptr : &req.key_condition_expression, true},
        expression_ref{"FilterExpression", if_present(req.filter_expression)},
        expression_ref{"ProjectionExpression", if_present(req.projection_expression)}};
    if (error_code ec = validate_table_and_expressions(req, expressions, message))
        return ec;
    return validate_read_options(req, message);
}

bool is_idempotent(const query_request&) noexcept {
    return true;
}

// ---- Scan ---------------------------------------------------------------------------------------

void serialize(const scan_request& req, std::string& body) {
    reserve_body(body, 192 + req.table_name.size());
    write_page_request(body, req);
}

error_code parse(std::string_view body, scan_response& out, std::string& message) {
    return parse_page(body, out, message);
}

error_code validate(const scan_request& req, std::string& message) {
    const std::array expressions{
        expression_ref{"FilterExpression", if_present(req.filter_expression)},
        expression_ref{"ProjectionExpression", if_present(req.projection_expression)}};
    if (error_code ec = validate_table_and_expressions(req, expressions, message))
        return ec;
    if (req.segment.has_value() != req.total_segments.has_value())
        return invalid(errc::invalid_argument, "Segment", "Segment and TotalSegments go together", message);
    if (req.total_segments && (*req.total_segments < 1 || *req.total_segments > 1000000))
        return invalid(errc::invalid_argument, "TotalSegments", "must be 1 to 1000000", message);
    if (req.segment && (*req.segment < 0 || *req.segment >= *req.total_segments))
        return invalid(errc::invalid_argument, "Segment", "must be 0 to TotalSegments - 1", message);
    return validate_read_options(req, message);
}

bool is_idempotent(const scan_request&) noexcept {
    return true;
}

} // namespace dynalock::core
