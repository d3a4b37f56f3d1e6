// SPDX-License-Identifier: BSL-1.0
// Error replies shaped like the ones DynamoDB, DynamoDB Local, dynalite and proxies send.
#include "core/error_reply.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using dynalock::errc;
using dynalock::error_code;
using dynalock::service_errc;
using dynalock::core::error_reply;
using dynalock::core::http_response;
using dynalock::core::parse_error_reply;
using namespace std::chrono_literals;

http_response reply(unsigned status, std::string body,
                    std::vector<dynalock::core::http_header> headers = {}) {
    http_response r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    r.headers.push_back({"Content-Type", "application/x-amz-json-1.0"});
    return r;
}

TEST(parse_error_reply, dynalite_resource_not_found_is_sanitised) {
    auto r = parse_error_reply(
        reply(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",)"
                   R"("message":"Requested resource not found: Table: tablename not found"})"));
    EXPECT_EQ(r.code, error_code(service_errc::resource_not_found));
    EXPECT_EQ(r.type, "ResourceNotFoundException");
    EXPECT_EQ(r.message, "Requested resource not found: Table: tablename not found");
    EXPECT_FALSE(r.item);
    EXPECT_TRUE(r.cancellation_reasons.empty());
    EXPECT_FALSE(r.retry_after);
}

TEST(parse_error_reply, coral_validation_namespace_is_sanitised) {
    auto r = parse_error_reply(reply(400, R"({"__type":"com.amazon.coral.validate#ValidationException",)"
                                          R"("message":"One or more parameter values were invalid"})"));
    EXPECT_EQ(r.code, error_code(service_errc::validation));
    EXPECT_EQ(r.type, "ValidationException");
    EXPECT_EQ(r.message, "One or more parameter values were invalid");
}

TEST(parse_error_reply, coral_service_auth_errors_map) {
    auto r = parse_error_reply(
        reply(400, R"({"__type":"com.amazon.coral.service#UnrecognizedClientException",)"
                   R"("message":"The security token included in the request is invalid."})"));
    EXPECT_EQ(r.code, error_code(service_errc::unrecognized_client));
    auto e = parse_error_reply(
        reply(400, R"({"__type":"com.amazon.coral.service#ExpiredTokenException",)"
                   R"("message":"The security token included in the request is expired"})"));
    EXPECT_EQ(e.code, error_code(service_errc::expired_token));
}

TEST(parse_error_reply, capitalised_message_member_is_read) {
    auto r = parse_error_reply(
        reply(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#IdempotentParameterMismatchException",)"
                   R"("Message":"Request has a different payload"})"));
    EXPECT_EQ(r.code, error_code(service_errc::idempotent_parameter_mismatch));
    EXPECT_EQ(r.message, "Request has a different payload");
}

TEST(parse_error_reply, lowercase_message_wins_over_capitalised) {
    auto r = parse_error_reply(
        reply(400, R"({"__type":"ValidationException","Message":"upper","message":"lower"})"));
    EXPECT_EQ(r.message, "lower");
}

TEST(parse_error_reply, non_string_members_are_ignored) {
    auto r = parse_error_reply(reply(400, R"({"__type":42,"message":{"x":1},"Message":"text"})"));
    EXPECT_EQ(r.code, error_code(errc::unexpected_status));
    EXPECT_TRUE(r.type.empty());
    EXPECT_EQ(r.message, "text");
}

TEST(parse_error_reply, transaction_canceled_keeps_reasons_in_order) {
    auto r = parse_error_reply(reply(
        400, R"({"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",)"
             R"("Message":"Transaction cancelled, please refer cancellation reasons for specific reasons )"
             R"([None, ConditionalCheckFailed, TransactionConflict]",)"
             R"("CancellationReasons":[{"Code":"None"},)"
             R"({"Code":"ConditionalCheckFailed","Message":"The conditional request failed"},)"
             R"({"Code":"TransactionConflict","Message":"Transaction is ongoing for the item"}]})"));
    EXPECT_EQ(r.code, error_code(service_errc::transaction_canceled));
    EXPECT_EQ(r.type, "TransactionCanceledException");
    EXPECT_EQ(r.message.rfind("Transaction cancelled", 0), 0u);
    ASSERT_EQ(r.cancellation_reasons.size(), 3u);
    EXPECT_EQ(r.cancellation_reasons[0].code, "None");
    EXPECT_EQ(r.cancellation_reasons[0].message, "");
    EXPECT_EQ(r.cancellation_reasons[1].code, "ConditionalCheckFailed");
    EXPECT_EQ(r.cancellation_reasons[1].message, "The conditional request failed");
    EXPECT_EQ(r.cancellation_reasons[2].code, "TransactionConflict");
    EXPECT_EQ(r.cancellation_reasons[2].message, "Transaction is ongoing for the item");
}

TEST(parse_error_reply, malformed_cancellation_reason_keeps_its_slot) {
    auto r = parse_error_reply(
        reply(400, R"({"__type":"TransactionCanceledException","CancellationReasons":[7,{"Code":"None"}]})"));
    ASSERT_EQ(r.cancellation_reasons.size(), 2u);
    EXPECT_EQ(r.cancellation_reasons[0].code, "");
    EXPECT_EQ(r.cancellation_reasons[1].code, "None");
}

TEST(parse_error_reply, conditional_check_failed_keeps_item) {
    auto r = parse_error_reply(
        reply(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
                   R"("message":"The conditional request failed",)"
                   R"("Item":{"pk":{"S":"lock#orders"},"owner":{"S":"node-a"},"version":{"N":"7"}}})"));
    EXPECT_EQ(r.code, error_code(service_errc::conditional_check_failed));
    EXPECT_EQ(r.message, "The conditional request failed");
    ASSERT_TRUE(r.item);
    EXPECT_EQ(r.item->size(), 3u);
    EXPECT_EQ(r.item->at("owner").at("S").as_string(), "node-a");
    EXPECT_EQ(r.item->at("version").at("N").as_string(), "7");
}

TEST(parse_error_reply, deeply_nested_item_is_kept) {
    // 32 levels of maps (DynamoDB's limit) take 64 JSON levels plus the envelope.
    std::string item = R"({"S":"leaf"})";
    for (int i = 0; i < 32; ++i)
        item = R"({"M":{"k":)" + item + "}}";
    auto r = parse_error_reply(
        reply(400, R"({"__type":"ConditionalCheckFailedException","Item":{"a":)" + item + "}}"));
    EXPECT_EQ(r.code, error_code(service_errc::conditional_check_failed));
    EXPECT_TRUE(r.item);
}

TEST(parse_error_reply, error_type_header_wins_over_body) {
    auto r = parse_error_reply(
        reply(400, R"({"__type":"com.amazon.coral.validate#ValidationException","message":"m"})",
              {{"x-amzn-ErrorType", "ConditionalCheckFailedException:http://internal.amazon.com/coral/"
                                    "com.amazonaws.dynamodb.v20120810/"}}));
    EXPECT_EQ(r.code, error_code(service_errc::conditional_check_failed));
    EXPECT_EQ(r.type, "ConditionalCheckFailedException");
    EXPECT_EQ(r.message, "m");
}

TEST(parse_error_reply, error_type_header_alone_is_enough) {
    auto r = parse_error_reply(reply(400, "", {{"X-Amzn-ErrorType", "ThrottlingException"}}));
    EXPECT_EQ(r.code, error_code(service_errc::throttling));
    EXPECT_EQ(r.type, "ThrottlingException");
}

TEST(parse_error_reply, blank_error_type_header_falls_back_to_body) {
    auto r = parse_error_reply(
        reply(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#ResourceInUseException"})",
              {{"x-amzn-ErrorType", " "}}));
    EXPECT_EQ(r.code, error_code(service_errc::resource_in_use));
}

TEST(parse_error_reply, status_500_with_html_body_is_internal_server_error) {
    auto r = parse_error_reply(reply(500, "<html><body><h1>500 Internal Server Error</h1></body></html>\n"));
    EXPECT_EQ(r.code, error_code(service_errc::internal_server_error));
    EXPECT_TRUE(r.type.empty());
    EXPECT_EQ(r.message, "<html><body><h1>500 Internal Server Error</h1></body></html>");
}

TEST(parse_error_reply, status_500_with_modelled_type_uses_it) {
    auto r =
        parse_error_reply(reply(500, R"({"__type":"com.amazonaws.dynamodb.v20120810#InternalServerError",)"
                                     R"("message":"Internal server error"})"));
    EXPECT_EQ(r.code, error_code(service_errc::internal_server_error));
    EXPECT_EQ(r.type, "InternalServerError");
    EXPECT_EQ(r.message, "Internal server error");
}

TEST(parse_error_reply, status_503_with_empty_body_is_service_unavailable) {
    auto r = parse_error_reply(reply(503, ""));
    EXPECT_EQ(r.code, error_code(service_errc::service_unavailable));
    EXPECT_TRUE(r.message.empty());
    EXPECT_TRUE(dynalock::is_retryable(r.code));
}

TEST(parse_error_reply, other_5xx_without_type_are_transient) {
    for (unsigned status : {501u, 502u, 504u, 509u, 599u}) {
        SCOPED_TRACE(status);
        auto r = parse_error_reply(reply(status, "Bad Gateway"));
        EXPECT_EQ(r.code, error_code(service_errc::service_unavailable));
        EXPECT_EQ(dynalock::classify(r.code), dynalock::error_class::transient);
    }
}

TEST(parse_error_reply, status_5xx_with_unknown_type_is_transient_and_keeps_type) {
    auto r = parse_error_reply(reply(500, R"({"__type":"com.amazonaws.dynamodb.v20120810#SomethingNew"})"));
    EXPECT_EQ(r.code, error_code(service_errc::internal_server_error));
    EXPECT_EQ(r.type, "SomethingNew");
}

TEST(parse_error_reply, redirect_is_unexpected_redirect) {
    for (unsigned status : {301u, 302u, 307u, 308u}) {
        SCOPED_TRACE(status);
        auto r = parse_error_reply(reply(status, "", {{"Location", "https://elsewhere.example/"}}));
        EXPECT_EQ(r.code, error_code(errc::unexpected_redirect));
    }
}

TEST(parse_error_reply, redirect_with_error_body_is_still_a_redirect) {
    auto r = parse_error_reply(reply(302, R"({"__type":"ThrottlingException"})"));
    EXPECT_EQ(r.code, error_code(errc::unexpected_redirect));
}

TEST(parse_error_reply, garbage_4xx_body_is_unexpected_status_with_text) {
    auto r = parse_error_reply(reply(400, "not json {{{"));
    EXPECT_EQ(r.code, error_code(errc::unexpected_status));
    EXPECT_TRUE(r.type.empty());
    EXPECT_EQ(r.message, "not json {{{");
}

TEST(parse_error_reply, json_that_is_not_an_object_is_unexpected_status) {
    for (const char* body : {"[]", "\"ValidationException\"", "null", "42"}) {
        SCOPED_TRACE(body);
        EXPECT_EQ(parse_error_reply(reply(400, body)).code, error_code(errc::unexpected_status));
    }
}

TEST(parse_error_reply, status_403_without_body_is_unexpected_status) {
    EXPECT_EQ(parse_error_reply(reply(403, "")).code, error_code(errc::unexpected_status));
}

TEST(parse_error_reply, success_status_is_unexpected_status) {
    EXPECT_EQ(parse_error_reply(reply(200, "{}")).code, error_code(errc::unexpected_status));
    EXPECT_EQ(parse_error_reply(reply(100, "")).code, error_code(errc::unexpected_status));
}

TEST(parse_error_reply, unknown_4xx_type_is_unknown_with_raw_type) {
    auto r =
        parse_error_reply(reply(400, R"({"__type":"com.amazonaws.dynamodb.v20120810#DuplicateItemException",)"
                                     R"("message":"dup"})"));
    EXPECT_EQ(r.code, error_code(service_errc::unknown));
    EXPECT_EQ(r.type, "DuplicateItemException");
    EXPECT_FALSE(dynalock::is_retryable(r.code));
}

TEST(parse_error_reply, status_429_without_known_type_is_throttling) {
    EXPECT_EQ(parse_error_reply(reply(429, "")).code, error_code(service_errc::throttling));
    EXPECT_EQ(parse_error_reply(reply(429, R"({"__type":"Whatever"})")).code,
              error_code(service_errc::throttling));
}

TEST(parse_error_reply, replicated_write_conflict_on_409) {
    auto r = parse_error_reply(
        reply(409, R"({"__type":"com.amazonaws.dynamodb.v20120810#ReplicatedWriteConflictException"})"));
    EXPECT_EQ(r.code, error_code(service_errc::replicated_write_conflict));
    EXPECT_TRUE(dynalock::is_retryable(r.code));
}

TEST(parse_error_reply, oversized_message_is_capped_and_marked) {
    std::string big(5000, 'x');
    auto r = parse_error_reply(reply(400, R"({"__type":"ValidationException","message":")" + big + "\"}"));
    EXPECT_EQ(r.code, error_code(service_errc::validation));
    EXPECT_LE(r.message.size(), dynalock::core::max_error_message_size);
    EXPECT_GE(r.message.size(), dynalock::core::max_error_message_size - 8);
    EXPECT_EQ(r.message.substr(r.message.size() - 3), "...");
    EXPECT_EQ(r.message.find_first_not_of('x'), r.message.size() - 3);
}

TEST(parse_error_reply, oversized_non_json_body_is_capped) {
    auto r = parse_error_reply(reply(502, std::string(100000, '<')));
    EXPECT_LE(r.message.size(), dynalock::core::max_error_message_size);
}

TEST(parse_error_reply, message_cap_never_splits_utf8) {
    std::string text;
    for (int i = 0; i < 600; ++i)
        text += "\xC3\xA9"; // é
    auto r = parse_error_reply(reply(400, R"({"__type":"ValidationException","message":")" + text + "\"}"));
    ASSERT_GE(r.message.size(), 3u);
    std::string body = r.message.substr(0, r.message.size() - 3);
    EXPECT_EQ(body.size() % 2, 0u);
    for (std::size_t i = 0; i < body.size(); i += 2)
        EXPECT_EQ(body.substr(i, 2), "\xC3\xA9") << i;
}

TEST(parse_error_reply, control_characters_and_invalid_utf8_are_neutralised) {
    auto r = parse_error_reply(reply(400, "bad\r\nX-Forged: 1\x01\xFF end"));
    EXPECT_EQ(r.message, "bad  X-Forged: 1 ? end");
    auto j = parse_error_reply(reply(400, R"({"__type":"ValidationException","message":"a\nb\u0000c"})"));
    EXPECT_EQ(j.message, "a b c");
}

TEST(parse_error_reply, retry_after_header_is_read) {
    auto r =
        parse_error_reply(reply(400, R"({"__type":"ThrottlingException"})", {{"x-amz-retry-after", "1500"}}));
    ASSERT_TRUE(r.retry_after);
    EXPECT_EQ(*r.retry_after, 1500ms);
}

TEST(parse_retry_after, valid_values) {
    using dynalock::core::parse_retry_after;
    EXPECT_EQ(parse_retry_after("0"), 0ms);
    EXPECT_EQ(parse_retry_after("10000"), 10000ms);
    EXPECT_EQ(parse_retry_after(" 20 "), 20ms);
}

TEST(parse_retry_after, invalid_or_negative_values_are_ignored) {
    using dynalock::core::parse_retry_after;
    for (const char* v : {"", " ", "-1", "-0", "+5", "1.5", "1e3", "abc", "12abc", "0x10"}) {
        SCOPED_TRACE(v);
        EXPECT_FALSE(parse_retry_after(v));
    }
}

TEST(parse_retry_after, huge_value_saturates) {
    auto v = dynalock::core::parse_retry_after("99999999999999999999999");
    ASSERT_TRUE(v);
    EXPECT_GT(*v, std::chrono::hours(24));
}

TEST(sanitize_error_type, cuts_at_colon_and_keeps_after_last_hash) {
    using dynalock::core::sanitize_error_type;
    EXPECT_EQ(sanitize_error_type("com.amazonaws.dynamodb.v20120810#ResourceNotFoundException"),
              "ResourceNotFoundException");
    EXPECT_EQ(sanitize_error_type("ValidationException:http://internal.amazon.com/coral/x#y/"),
              "ValidationException");
    EXPECT_EQ(sanitize_error_type("a#b#SlowDown"), "SlowDown");
    EXPECT_EQ(sanitize_error_type("Plain"), "Plain");
    EXPECT_EQ(sanitize_error_type(""), "");
    EXPECT_EQ(sanitize_error_type("prefix#"), "");
}

TEST(fill_diagnostics, copies_reply_details) {
    auto response = reply(400,
                          R"({"__type":"com.amazonaws.dynamodb.v20120810#TransactionCanceledException",)"
                          R"("Message":"Transaction cancelled","CancellationReasons":[{"Code":"None"},)"
                          R"({"Code":"ConditionalCheckFailed","Message":"The conditional request failed"}]})",
                          {{"x-amzn-RequestId", "LDM6CJP8RMQ1FHKSC1RBVJFPNVV4KQNSO5AEMF66Q9ASUAAJG"}});
    auto r = parse_error_reply(response);
    dynalock::diagnostics d;
    d.attempts = 3;
    d.client_message = "kept";
    dynalock::core::fill_diagnostics(response, r, d);
    EXPECT_EQ(d.http_status, 400u);
    EXPECT_EQ(d.request_id, "LDM6CJP8RMQ1FHKSC1RBVJFPNVV4KQNSO5AEMF66Q9ASUAAJG");
    EXPECT_EQ(d.service_error_type, "TransactionCanceledException");
    EXPECT_EQ(d.service_message, "Transaction cancelled");
    ASSERT_EQ(d.cancellation_reasons.size(), 2u);
    EXPECT_EQ(d.cancellation_reasons[1].code, "ConditionalCheckFailed");
    EXPECT_EQ(d.cancellation_reasons[1].message, "The conditional request failed");
    EXPECT_EQ(d.attempts, 3u);
    EXPECT_EQ(d.client_message, "kept");
}

TEST(fill_diagnostics, missing_request_id_leaves_it_empty) {
    auto response = reply(503, "");
    dynalock::diagnostics d;
    d.request_id = "stale";
    dynalock::core::fill_diagnostics(response, parse_error_reply(response), d);
    EXPECT_EQ(d.http_status, 503u);
    EXPECT_EQ(d.request_id, "");
    EXPECT_EQ(d.service_error_type, "");
}

} // namespace
