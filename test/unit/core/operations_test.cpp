// SPDX-License-Identifier: BSL-1.0
// Request builders (compared with JSON written by hand from the protocol sheet), response parsers fed
// realistic bodies, operation traits, idempotency and request tokens.
#include <dynalock/error.hpp>
#include <dynalock/operations.hpp>

#include "core/operations.hpp"

#include <gtest/gtest.h>

#include <array>
#include <random>
#include <string>

namespace {

using namespace dynalock;
using dynalock::core::is_idempotent;
using dynalock::core::operation_traits;
using dynalock::core::parse;
using dynalock::core::serialize;

template <class Request>
std::string body_of(const Request& req) {
    std::string body;
    serialize(req, body);
    return body;
}

attribute_value S(const char* s) {
    return attribute_value::string(s);
}
attribute_value N(const char* n) {
    return attribute_value::number(n);
}

// ---- traits -------------------------------------------------------------------------------------

static_assert(std::is_same_v<operation_traits<get_item_request>::response_type, get_item_response>);
static_assert(std::is_same_v<operation_traits<transact_write_items_request>::response_type,
                             transact_write_items_response>);
static_assert(core::operation_request<scan_request>);
static_assert(!core::operation_request<get_item_response>);

TEST(operations, traits_name_every_operation) {
    EXPECT_EQ(operation_traits<get_item_request>::name, "GetItem");
    EXPECT_EQ(operation_traits<get_item_request>::target, "DynamoDB_20120810.GetItem");
    EXPECT_EQ(operation_traits<put_item_request>::target, "DynamoDB_20120810.PutItem");
    EXPECT_EQ(operation_traits<update_item_request>::target, "DynamoDB_20120810.UpdateItem");
    EXPECT_EQ(operation_traits<delete_item_request>::target, "DynamoDB_20120810.DeleteItem");
    EXPECT_EQ(operation_traits<query_request>::target, "DynamoDB_20120810.Query");
    EXPECT_EQ(operation_traits<scan_request>::target, "DynamoDB_20120810.Scan");
    EXPECT_EQ(operation_traits<batch_get_item_request>::target, "DynamoDB_20120810.BatchGetItem");
    EXPECT_EQ(operation_traits<batch_write_item_request>::target, "DynamoDB_20120810.BatchWriteItem");
    EXPECT_EQ(operation_traits<transact_write_items_request>::target, "DynamoDB_20120810.TransactWriteItems");
    EXPECT_EQ(operation_traits<create_table_request>::target, "DynamoDB_20120810.CreateTable");
    EXPECT_EQ(operation_traits<describe_table_request>::target, "DynamoDB_20120810.DescribeTable");
    EXPECT_EQ(operation_traits<delete_table_request>::target, "DynamoDB_20120810.DeleteTable");
    EXPECT_EQ(operation_traits<update_time_to_live_request>::target, "DynamoDB_20120810.UpdateTimeToLive");
    EXPECT_EQ(operation_traits<describe_time_to_live_request>::target,
              "DynamoDB_20120810.DescribeTimeToLive");
    EXPECT_EQ(core::json_content_type, "application/x-amz-json-1.0");
}

// ---- builders -----------------------------------------------------------------------------------

TEST(operations, get_item_minimal_sends_table_and_key) {
    get_item_request req{.table_name = "locks", .key = {{"pk", S("lock#1")}}};
    EXPECT_EQ(body_of(req), R"j({"TableName":"locks","Key":{"pk":{"S":"lock#1"}}})j");
}

TEST(operations, get_item_full_sends_every_member) {
    get_item_request req{.table_name = "locks",
                         .key = {{"pk", S("lock#1")}},
                         .consistent_read = true,
                         .projection_expression = "#o, #e",
                         .expression_attribute_names = {{"#o", "owner"}, {"#e", "expires"}}};
    EXPECT_EQ(
        body_of(req),
        R"j({"TableName":"locks","Key":{"pk":{"S":"lock#1"}},"ConsistentRead":true,)j"
        R"j("ProjectionExpression":"#o, #e","ExpressionAttributeNames":{"#o":"owner","#e":"expires"}})j");
}

TEST(operations, serialize_appends_to_existing_text) {
    std::string body = "prefix:";
    serialize(describe_table_request{.table_name = "kv"}, body);
    EXPECT_EQ(body, R"j(prefix:{"TableName":"kv"})j");
}

TEST(operations, put_item_create_only_sends_condition_and_placeholders) {
    put_item_request req{.table_name = "locks",
                         .item = {{"pk", S("lock#1")}, {"owner", S("host-a")}, {"expires", N("1700000000")}},
                         .condition_expression = "attribute_not_exists(#pk) OR #exp < :now",
                         .expression_attribute_names = {{"#pk", "pk"}, {"#exp", "expires"}},
                         .expression_attribute_values = {{":now", N("1699999999")}},
                         .return_values = return_value::all_old,
                         .return_values_on_condition_check_failure = return_value::all_old};
    EXPECT_EQ(
        body_of(req),
        R"j({"TableName":"locks","Item":{"pk":{"S":"lock#1"},"owner":{"S":"host-a"},"expires":{"N":"1700000000"}},)j"
        R"j("ConditionExpression":"attribute_not_exists(#pk) OR #exp < :now",)j"
        R"j("ExpressionAttributeNames":{"#pk":"pk","#exp":"expires"},)j"
        R"j("ExpressionAttributeValues":{":now":{"N":"1699999999"}},)j"
        R"j("ReturnValues":"ALL_OLD","ReturnValuesOnConditionCheckFailure":"ALL_OLD"})j");
}

TEST(operations, put_item_without_placeholders_omits_empty_maps) {
    put_item_request req{.table_name = "kv",
                         .item = {{"pk", S("a")}, {"v", attribute_value::binary("\x01\x02")}}};
    EXPECT_EQ(body_of(req), R"j({"TableName":"kv","Item":{"pk":{"S":"a"},"v":{"B":"AQI="}}})j");
}

TEST(operations, update_item_sends_update_and_condition) {
    update_item_request req{.table_name = "counters",
                            .key = {{"pk", S("c")}},
                            .update_expression = "SET #v = #v + :one",
                            .condition_expression = "attribute_exists(#v)",
                            .expression_attribute_names = {{"#v", "ver"}},
                            .expression_attribute_values = {{":one", N("1")}},
                            .return_values = return_value::updated_new};
    EXPECT_EQ(body_of(req),
              R"j({"TableName":"counters","Key":{"pk":{"S":"c"}},"UpdateExpression":"SET #v = #v + :one",)j"
              R"j("ConditionExpression":"attribute_exists(#v)","ExpressionAttributeNames":{"#v":"ver"},)j"
              R"j("ExpressionAttributeValues":{":one":{"N":"1"}},"ReturnValues":"UPDATED_NEW"})j");
}

TEST(operations, update_item_return_values_have_wire_names) {
    update_item_request req{.table_name = "t01", .key = {{"pk", S("c")}}};
    const std::array<std::pair<return_value, const char*>, 5> cases{
        {{return_value::none, "NONE"},
         {return_value::all_old, "ALL_OLD"},
         {return_value::updated_old, "UPDATED_OLD"},
         {return_value::all_new, "ALL_NEW"},
         {return_value::updated_new, "UPDATED_NEW"}}};
    for (const auto& [value, text] : cases) {
        req.return_values = value;
        EXPECT_EQ(body_of(req),
                  std::string(R"j({"TableName":"t01","Key":{"pk":{"S":"c"}},"ReturnValues":")j") + text +
                      R"j("})j");
    }
}

TEST(operations, delete_item_sends_condition_and_return_values) {
    delete_item_request req{.table_name = "locks",
                            .key = {{"pk", S("lock#1")}, {"sk", N("0")}},
                            .condition_expression = "#o = :me",
                            .expression_attribute_names = {{"#o", "owner"}},
                            .expression_attribute_values = {{":me", S("host-a")}},
                            .return_values = return_value::all_old,
                            .return_values_on_condition_check_failure = return_value::none};
    EXPECT_EQ(body_of(req),
              R"j({"TableName":"locks","Key":{"pk":{"S":"lock#1"},"sk":{"N":"0"}},)j"
              R"j("ConditionExpression":"#o = :me","ExpressionAttributeNames":{"#o":"owner"},)j"
              R"j("ExpressionAttributeValues":{":me":{"S":"host-a"}},"ReturnValues":"ALL_OLD",)j"
              R"j("ReturnValuesOnConditionCheckFailure":"NONE"})j");
}

TEST(operations, query_full_sends_every_member) {
    query_request req{.table_name = "kv",
                      .index_name = "by_owner",
                      .key_condition_expression = "#p = :p AND begins_with(#s, :pre)",
                      .filter_expression = "#x > :n",
                      .projection_expression = "#p, #s",
                      .expression_attribute_names = {{"#p", "pk"}, {"#s", "sk"}, {"#x", "exp"}},
                      .expression_attribute_values = {{":p", S("part")}, {":pre", S("k/")}, {":n", N("5")}},
                      .consistent_read = false,
                      .limit = 10,
                      .exclusive_start_key = attribute_map{{"pk", S("part")}, {"sk", S("k/3")}},
                      .scan_index_forward = false,
                      .select = select_mode::specific_attributes};
    EXPECT_EQ(
        body_of(req),
        R"j({"TableName":"kv","IndexName":"by_owner","KeyConditionExpression":"#p = :p AND begins_with(#s, :pre)",)j"
        R"j("FilterExpression":"#x > :n","ProjectionExpression":"#p, #s",)j"
        R"j("ExpressionAttributeNames":{"#p":"pk","#s":"sk","#x":"exp"},)j"
        R"j("ExpressionAttributeValues":{":p":{"S":"part"},":pre":{"S":"k/"},":n":{"N":"5"}},)j"
        R"j("ConsistentRead":false,"Limit":10,"ExclusiveStartKey":{"pk":{"S":"part"},"sk":{"S":"k/3"}},)j"
        R"j("ScanIndexForward":false,"Select":"SPECIFIC_ATTRIBUTES"})j");
}

TEST(operations, query_minimal_sends_key_condition_only) {
    query_request req{.table_name = "kv",
                      .key_condition_expression = "#p = :p",
                      .expression_attribute_names = {{"#p", "pk"}},
                      .expression_attribute_values = {{":p", S("x")}}};
    EXPECT_EQ(body_of(req),
              R"j({"TableName":"kv","KeyConditionExpression":"#p = :p",)j"
              R"j("ExpressionAttributeNames":{"#p":"pk"},"ExpressionAttributeValues":{":p":{"S":"x"}}})j");
}

TEST(operations, scan_minimal_sends_table_only) {
    EXPECT_EQ(body_of(scan_request{.table_name = "kv"}), R"j({"TableName":"kv"})j");
}

TEST(operations, scan_parallel_sends_segments) {
    scan_request req{.table_name = "kv",
                     .filter_expression = "attribute_exists(#e)",
                     .expression_attribute_names = {{"#e", "exp"}},
                     .consistent_read = true,
                     .limit = 100,
                     .select = select_mode::count,
                     .segment = 1,
                     .total_segments = 4};
    EXPECT_EQ(body_of(req), R"j({"TableName":"kv","FilterExpression":"attribute_exists(#e)",)j"
                            R"j("ExpressionAttributeNames":{"#e":"exp"},"ConsistentRead":true,"Limit":100,)j"
                            R"j("Select":"COUNT","Segment":1,"TotalSegments":4})j");
}

TEST(operations, select_modes_have_wire_names) {
    scan_request req{.table_name = "kv", .select = select_mode::all_attributes};
    EXPECT_EQ(body_of(req), R"j({"TableName":"kv","Select":"ALL_ATTRIBUTES"})j");
    req.select = select_mode::all_projected_attributes;
    EXPECT_EQ(body_of(req), R"j({"TableName":"kv","Select":"ALL_PROJECTED_ATTRIBUTES"})j");
}

TEST(operations, batch_get_item_groups_keys_by_table) {
    batch_get_item_request req{
        .request_items = {table_keys{.table_name = "kv",
                                     .keys = {{{"pk", S("a")}}, {{"pk", S("b")}}},
                                     .consistent_read = true,
                                     .projection_expression = "#v",
                                     .expression_attribute_names = {{"#v", "value"}}},
                          table_keys{.table_name = "other", .keys = {{{"id", N("1")}}}}}};
    EXPECT_EQ(body_of(req),
              R"j({"RequestItems":{"kv":{"Keys":[{"pk":{"S":"a"}},{"pk":{"S":"b"}}],"ConsistentRead":true,)j"
              R"j("ProjectionExpression":"#v","ExpressionAttributeNames":{"#v":"value"}},)j"
              R"j("other":{"Keys":[{"id":{"N":"1"}}]}}})j");
}

TEST(operations, batch_write_item_sends_puts_and_deletes) {
    batch_write_item_request req{
        .request_items = {table_write_requests{
            .table_name = "kv",
            .requests = {put_request{{{"pk", S("a")}, {"v", attribute_value::binary("\x01\x02")}}},
                         delete_request{{{"pk", S("b")}}}}}}};
    EXPECT_EQ(body_of(req),
              R"j({"RequestItems":{"kv":[{"PutRequest":{"Item":{"pk":{"S":"a"},"v":{"B":"AQI="}}}},)j"
              R"j({"DeleteRequest":{"Key":{"pk":{"S":"b"}}}}]}})j");
}

TEST(operations, transact_write_items_sends_every_action_kind) {
    transact_write_items_request req{
        .transact_items = {transact_condition_check{.table_name = "locks",
                                                    .key = {{"pk", S("l")}},
                                                    .condition_expression = "#o = :me",
                                                    .expression_attribute_names = {{"#o", "owner"}},
                                                    .expression_attribute_values = {{":me", S("a")}},
                                                    .return_values_on_condition_check_failure =
                                                        return_value::all_old},
                           transact_put{.table_name = "kv",
                                        .item = {{"pk", S("k")}, {"v", S("1")}},
                                        .condition_expression = "attribute_not_exists(pk)"},
                           transact_delete{.table_name = "kv", .key = {{"pk", S("old")}}},
                           transact_update{.table_name = "kv",
                                           .key = {{"pk", S("n")}},
                                           .update_expression = "ADD #c :one",
                                           .expression_attribute_names = {{"#c", "count"}},
                                           .expression_attribute_values = {{":one", N("1")}}}},
        .client_request_token = "3f2b8c1e-0000-4000-8000-000000000001"};
    EXPECT_EQ(
        body_of(req),
        R"j({"TransactItems":[)j"
        R"j({"ConditionCheck":{"TableName":"locks","Key":{"pk":{"S":"l"}},"ConditionExpression":"#o = :me",)j"
        R"j("ExpressionAttributeNames":{"#o":"owner"},"ExpressionAttributeValues":{":me":{"S":"a"}},)j"
        R"j("ReturnValuesOnConditionCheckFailure":"ALL_OLD"}},)j"
        R"j({"Put":{"TableName":"kv","Item":{"pk":{"S":"k"},"v":{"S":"1"}},)j"
        R"j("ConditionExpression":"attribute_not_exists(pk)"}},)j"
        R"j({"Delete":{"TableName":"kv","Key":{"pk":{"S":"old"}}}},)j"
        R"j({"Update":{"TableName":"kv","Key":{"pk":{"S":"n"}},"UpdateExpression":"ADD #c :one",)j"
        R"j("ExpressionAttributeNames":{"#c":"count"},"ExpressionAttributeValues":{":one":{"N":"1"}}}}],)j"
        R"j("ClientRequestToken":"3f2b8c1e-0000-4000-8000-000000000001"})j");
}

TEST(operations, transact_write_items_without_token_omits_it) {
    transact_write_items_request req{
        .transact_items = {transact_delete{.table_name = "kv", .key = {{"pk", S("x")}}}}};
    EXPECT_EQ(body_of(req), R"j({"TransactItems":[{"Delete":{"TableName":"kv","Key":{"pk":{"S":"x"}}}}]})j");
}

TEST(operations, create_table_provisioned_with_indexes_sends_everything) {
    create_table_request req{
        .table_name = "locks",
        .attribute_definitions = {{"pk", scalar_attribute_type::string},
                                  {"sk", scalar_attribute_type::number},
                                  {"owner", scalar_attribute_type::binary}},
        .key_schema = {{"pk", key_type::hash}, {"sk", key_type::range}},
        .billing_mode = billing_mode::provisioned,
        .provisioned_throughput = provisioned_throughput{5, 2},
        .local_secondary_indexes = {{.index_name = "lsi_owner",
                                     .key_schema = {{"pk", key_type::hash}, {"owner", key_type::range}},
                                     .projection = {projection_type::keys_only, {}}}},
        .global_secondary_indexes = {{.index_name = "gsi_owner",
                                      .key_schema = {{"owner", key_type::hash}},
                                      .projection = {projection_type::include, {"exp", "ver"}},
                                      .provisioned_throughput = provisioned_throughput{1, 1}}},
        .tags = {{"team", "infra"}},
        .deletion_protection_enabled = false};
    EXPECT_EQ(
        body_of(req),
        R"j({"TableName":"locks","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},)j"
        R"j({"AttributeName":"sk","AttributeType":"N"},{"AttributeName":"owner","AttributeType":"B"}],)j"
        R"j("KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],)j"
        R"j("BillingMode":"PROVISIONED","ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":2},)j"
        R"j("LocalSecondaryIndexes":[{"IndexName":"lsi_owner","KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},)j"
        R"j({"AttributeName":"owner","KeyType":"RANGE"}],"Projection":{"ProjectionType":"KEYS_ONLY"}}],)j"
        R"j("GlobalSecondaryIndexes":[{"IndexName":"gsi_owner","KeySchema":[{"AttributeName":"owner","KeyType":"HASH"}],)j"
        R"j("Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["exp","ver"]},)j"
        R"j("ProvisionedThroughput":{"ReadCapacityUnits":1,"WriteCapacityUnits":1}}],)j"
        R"j("Tags":[{"Key":"team","Value":"infra"}],"DeletionProtectionEnabled":false})j");
}

TEST(operations, create_table_on_demand_sends_billing_mode) {
    create_table_request req{.table_name = "kv",
                             .attribute_definitions = {{"pk", scalar_attribute_type::string}},
                             .key_schema = {{"pk", key_type::hash}},
                             .billing_mode = billing_mode::pay_per_request};
    EXPECT_EQ(body_of(req),
              R"j({"TableName":"kv","AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"}],)j"
              R"j("KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"BillingMode":"PAY_PER_REQUEST"})j");
}

TEST(operations, table_requests_send_table_name) {
    EXPECT_EQ(body_of(describe_table_request{"kv"}), R"j({"TableName":"kv"})j");
    EXPECT_EQ(body_of(delete_table_request{"kv"}), R"j({"TableName":"kv"})j");
    EXPECT_EQ(body_of(describe_time_to_live_request{"kv"}), R"j({"TableName":"kv"})j");
}

TEST(operations, update_time_to_live_sends_specification) {
    EXPECT_EQ(body_of(update_time_to_live_request{"kv", {true, "expires"}}),
              R"j({"TableName":"kv","TimeToLiveSpecification":{"Enabled":true,"AttributeName":"expires"}})j");
    EXPECT_EQ(
        body_of(update_time_to_live_request{"kv", {false, "expires"}}),
        R"j({"TableName":"kv","TimeToLiveSpecification":{"Enabled":false,"AttributeName":"expires"}})j");
}

TEST(operations, strings_in_requests_are_escaped) {
    get_item_request req{.table_name = "kv", .key = {{"pk", S("a\"b\\c\n")}}};
    EXPECT_EQ(body_of(req), R"j({"TableName":"kv","Key":{"pk":{"S":"a\"b\\c\n"}}})j");
}

// ---- parsers ------------------------------------------------------------------------------------

TEST(operations, get_item_empty_reply_has_no_item) {
    get_item_response out;
    std::string message;
    ASSERT_FALSE(parse("{}", out, message)) << message;
    EXPECT_FALSE(out.item);
}

TEST(operations, get_item_reply_gives_item_and_ignores_unknown_members) {
    get_item_response out;
    std::string message;
    ASSERT_FALSE(parse(R"j({"ConsumedCapacity":{"CapacityUnits":0.5,"TableName":"locks"},)j"
                       R"j("Item":{"pk":{"S":"lock#1"},"expires":{"N":"1700000000"},"rvn":{"S":"9a1f"}}})j",
                       out, message))
        << message;
    ASSERT_TRUE(out.item);
    EXPECT_EQ(*out.item,
              (attribute_map{{"pk", S("lock#1")}, {"expires", N("1700000000")}, {"rvn", S("9a1f")}}));
}

TEST(operations, parse_clears_previous_response) {
    get_item_response out{.item = attribute_map{{"old", S("x")}}};
    std::string message;
    ASSERT_FALSE(parse("{}", out, message));
    EXPECT_FALSE(out.item);
}

TEST(operations, get_item_malformed_replies_fail) {
    const std::array<std::pair<const char*, const char*>, 8> cases{{
        {"", "invalid JSON"},
        {R"j({"Item":{"pk":{"S":"a"}})j", "invalid JSON"},
        {"[]", "not a JSON object"},
        {"null", "not a JSON object"},
        {R"j({"Item":[]})j", "Item: expected"},
        {R"j({"Item":{"pk":{"Q":"a"}}})j", "Item.pk: unknown AttributeValue type"},
        {R"j({"Item":{"pk":{"S":"a","N":"1"}}})j", "Item.pk: AttributeValue has more than one type member"},
        {R"j({"Item":{"n":{"N":1}}})j", "Item.n: a number must be a JSON string"},
    }};
    for (const auto& [body, part] : cases) {
        get_item_response out;
        std::string message;
        EXPECT_EQ(parse(body, out, message), errc::malformed_response) << body;
        EXPECT_NE(message.find(part), std::string::npos) << body << " -> " << message;
    }
}

TEST(operations, write_replies_give_old_attributes) {
    std::string message;
    put_item_response put;
    ASSERT_FALSE(parse(R"j({"Attributes":{"pk":{"S":"a"},"v":{"N":"1"}}})j", put, message));
    ASSERT_TRUE(put.attributes);
    EXPECT_EQ(*put.attributes, (attribute_map{{"pk", S("a")}, {"v", N("1")}}));
    update_item_response update;
    ASSERT_FALSE(parse(R"j({"Attributes":{"ver":{"N":"8"}}})j", update, message));
    ASSERT_TRUE(update.attributes);
    EXPECT_EQ(update.attributes->get("ver")->as_number(), "8");
    delete_item_response del;
    ASSERT_FALSE(parse("{}", del, message));
    EXPECT_FALSE(del.attributes);
    EXPECT_EQ(parse(R"j({"Attributes":"x"})j", del, message), errc::malformed_response);
}

TEST(operations, query_page_gives_items_counts_and_last_key) {
    query_response out;
    std::string message;
    ASSERT_FALSE(
        parse(R"j({"Count":2,"Items":[{"pk":{"S":"p"},"sk":{"S":"k/1"}},{"pk":{"S":"p"},"sk":{"S":"k/2"}}],)j"
              R"j("LastEvaluatedKey":{"pk":{"S":"p"},"sk":{"S":"k/2"}},"ScannedCount":5})j",
              out, message))
        << message;
    ASSERT_EQ(out.items.size(), 2u);
    EXPECT_EQ(out.items[1].get("sk")->as_string(), "k/2");
    EXPECT_EQ(out.count, 2);
    EXPECT_EQ(out.scanned_count, 5);
    ASSERT_TRUE(out.last_evaluated_key);
    EXPECT_EQ(*out.last_evaluated_key, (attribute_map{{"pk", S("p")}, {"sk", S("k/2")}}));
}

TEST(operations, query_empty_page_can_carry_last_key) {
    query_response out;
    std::string message;
    ASSERT_FALSE(parse(R"j({"Count":0,"Items":[],"LastEvaluatedKey":{"pk":{"S":"x"}},"ScannedCount":3})j",
                       out, message));
    EXPECT_TRUE(out.items.empty());
    EXPECT_EQ(out.scanned_count, 3);
    EXPECT_TRUE(out.last_evaluated_key);
}

TEST(operations, query_last_page_has_no_last_key) {
    query_response out;
    std::string message;
    ASSERT_FALSE(parse(R"j({"Count":1,"Items":[{"pk":{"S":"x"}}],"ScannedCount":1})j", out, message));
    EXPECT_FALSE(out.last_evaluated_key);
    ASSERT_FALSE(parse("{}", out, message));
    EXPECT_EQ(out.count, 0);
    EXPECT_TRUE(out.items.empty());
}

TEST(operations, query_malformed_pages_fail) {
    const std::array<std::pair<const char*, const char*>, 5> cases{{
        {R"j({"Count":"2"})j", "Count: expected an integer"},
        {R"j({"Count":1.5})j", "Count: expected an integer"},
        {R"j({"Items":{}})j", "Items: expected"},
        {R"j({"Items":[{"pk":{"S":"a"}},{"pk":{"B":"@"}}]})j",
         "Items[1].pk: binary value is not valid base64"},
        {R"j({"LastEvaluatedKey":[]})j", "LastEvaluatedKey: expected"},
    }};
    for (const auto& [body, part] : cases) {
        query_response out;
        std::string message;
        EXPECT_EQ(parse(body, out, message), errc::malformed_response) << body;
        EXPECT_NE(message.find(part), std::string::npos) << body << " -> " << message;
    }
}

TEST(operations, scan_page_gives_items_and_counts) {
    scan_response out;
    std::string message;
    ASSERT_FALSE(parse(
        R"j({"Items":[{"pk":{"S":"a"}}],"Count":1,"ScannedCount":10,"LastEvaluatedKey":{"pk":{"S":"a"}}})j",
        out, message));
    ASSERT_EQ(out.items.size(), 1u);
    EXPECT_EQ(out.count, 1);
    EXPECT_EQ(out.scanned_count, 10);
    EXPECT_TRUE(out.last_evaluated_key);
    EXPECT_EQ(parse(R"j({"ScannedCount":-})j", out, message), errc::malformed_response);
}

TEST(operations, batch_get_reply_gives_responses_and_unprocessed_keys) {
    batch_get_item_response out;
    std::string message;
    ASSERT_FALSE(parse(R"j({"Responses":{"kv":[{"pk":{"S":"a"},"v":{"S":"1"}}],"other":[]},)j"
                       R"j("UnprocessedKeys":{"kv":{"Keys":[{"pk":{"S":"b"}}],"ConsistentRead":true,)j"
                       R"j("ProjectionExpression":"#v","ExpressionAttributeNames":{"#v":"value"}}}})j",
                       out, message))
        << message;
    ASSERT_EQ(out.responses.size(), 2u);
    EXPECT_EQ(out.responses[0].table_name, "kv");
    ASSERT_EQ(out.responses[0].items.size(), 1u);
    EXPECT_EQ(out.responses[0].items[0].get("v")->as_string(), "1");
    EXPECT_EQ(out.responses[1].table_name, "other");
    EXPECT_TRUE(out.responses[1].items.empty());
    ASSERT_EQ(out.unprocessed_keys.size(), 1u);
    const table_keys& u = out.unprocessed_keys[0];
    EXPECT_EQ(u.table_name, "kv");
    ASSERT_EQ(u.keys.size(), 1u);
    EXPECT_EQ(u.keys[0], (attribute_map{{"pk", S("b")}}));
    EXPECT_EQ(u.consistent_read, true);
    EXPECT_EQ(u.projection_expression, "#v");
    EXPECT_EQ(u.expression_attribute_names, (expression_names{{"#v", "value"}}));
}

TEST(operations, batch_get_unprocessed_keys_resend_as_request) {
    batch_get_item_response out;
    std::string message;
    ASSERT_FALSE(
        parse(R"j({"Responses":{},"UnprocessedKeys":{"kv":{"Keys":[{"pk":{"S":"b"}}]}}})j", out, message));
    batch_get_item_request again{.request_items = std::move(out.unprocessed_keys)};
    EXPECT_EQ(body_of(again), R"j({"RequestItems":{"kv":{"Keys":[{"pk":{"S":"b"}}]}}})j");
}

TEST(operations, batch_get_complete_reply_has_nothing_unprocessed) {
    batch_get_item_response out;
    std::string message;
    ASSERT_FALSE(parse(R"j({"Responses":{"kv":[]},"UnprocessedKeys":{}})j", out, message));
    EXPECT_TRUE(out.unprocessed_keys.empty());
    ASSERT_FALSE(parse("{}", out, message));
    EXPECT_TRUE(out.responses.empty());
}

TEST(operations, batch_get_malformed_replies_fail) {
    const std::array<std::pair<const char*, const char*>, 4> cases{{
        {R"j({"Responses":{"kv":{}}})j", "Responses.kv: expected"},
        {R"j({"Responses":[]})j", "Responses: expected"},
        {R"j({"UnprocessedKeys":{"kv":[]}})j", "UnprocessedKeys.kv: expected"},
        {R"j({"UnprocessedKeys":{"kv":{"Keys":[{"pk":{"N":"x"}}]}}})j",
         "UnprocessedKeys.kv.Keys[0].pk: number"},
    }};
    for (const auto& [body, part] : cases) {
        batch_get_item_response out;
        std::string message;
        EXPECT_EQ(parse(body, out, message), errc::malformed_response) << body;
        EXPECT_NE(message.find(part), std::string::npos) << body << " -> " << message;
    }
}

TEST(operations, batch_write_reply_gives_unprocessed_items) {
    batch_write_item_response out;
    std::string message;
    ASSERT_FALSE(
        parse(R"j({"UnprocessedItems":{"kv":[{"PutRequest":{"Item":{"pk":{"S":"a"},"v":{"N":"1"}}}},)j"
              R"j({"DeleteRequest":{"Key":{"pk":{"S":"b"}}}}]}})j",
              out, message))
        << message;
    ASSERT_EQ(out.unprocessed_items.size(), 1u);
    EXPECT_EQ(out.unprocessed_items[0].table_name, "kv");
    const auto& requests = out.unprocessed_items[0].requests;
    ASSERT_EQ(requests.size(), 2u);
    ASSERT_TRUE(std::holds_alternative<put_request>(requests[0]));
    EXPECT_EQ(std::get<put_request>(requests[0]).item, (attribute_map{{"pk", S("a")}, {"v", N("1")}}));
    ASSERT_TRUE(std::holds_alternative<delete_request>(requests[1]));
    EXPECT_EQ(std::get<delete_request>(requests[1]).key, (attribute_map{{"pk", S("b")}}));
}

TEST(operations, batch_write_complete_reply_has_nothing_unprocessed) {
    batch_write_item_response out;
    std::string message;
    ASSERT_FALSE(parse(R"j({"UnprocessedItems":{}})j", out, message));
    EXPECT_TRUE(out.unprocessed_items.empty());
    ASSERT_FALSE(parse("{}", out, message));
    EXPECT_TRUE(out.unprocessed_items.empty());
}

TEST(operations, batch_write_malformed_replies_fail) {
    const std::array<std::pair<const char*, const char*>, 5> cases{{
        {R"j({"UnprocessedItems":{"kv":{}}})j", "UnprocessedItems.kv: expected"},
        {R"j({"UnprocessedItems":{"kv":[{}]}})j", "UnprocessedItems.kv[0]: expected exactly one"},
        {R"j({"UnprocessedItems":{"kv":[{"PutRequest":{"Item":{"pk":{"S":"a"}}},"DeleteRequest":{"Key":{}}}]}})j",
         "exactly one"},
        {R"j({"UnprocessedItems":{"kv":[{"DeleteRequest":{"Key":{"pk":{"S":1}}}}]}})j",
         "UnprocessedItems.kv[0].DeleteRequest.Key.pk: S must be a JSON string"},
        {R"j({"UnprocessedItems":{"kv":[7]}})j", "UnprocessedItems.kv[0]: expected a write request object"},
    }};
    for (const auto& [body, part] : cases) {
        batch_write_item_response out;
        std::string message;
        EXPECT_EQ(parse(body, out, message), errc::malformed_response) << body;
        EXPECT_NE(message.find(part), std::string::npos) << body << " -> " << message;
    }
}

TEST(operations, transact_reply_is_an_object) {
    transact_write_items_response out;
    std::string message;
    EXPECT_FALSE(parse("{}", out, message));
    EXPECT_FALSE(parse(R"j({"ConsumedCapacity":[{"TableName":"kv","CapacityUnits":4.0}]})j", out, message));
    EXPECT_EQ(parse("[]", out, message), errc::malformed_response);
}

constexpr const char* describe_table_body =
    R"j({"Table":{"AttributeDefinitions":[{"AttributeName":"pk","AttributeType":"S"},)j"
    R"j({"AttributeName":"owner","AttributeType":"B"}],"TableName":"locks",)j"
    R"j("KeySchema":[{"AttributeName":"pk","KeyType":"HASH"}],"TableStatus":"ACTIVE",)j"
    R"j("CreationDateTime":1.699999999123E9,)j"
    R"j("ProvisionedThroughput":{"NumberOfDecreasesToday":0,"ReadCapacityUnits":0,"WriteCapacityUnits":0},)j"
    R"j("TableSizeBytes":123,"ItemCount":4,"TableArn":"arn:aws:dynamodb:us-east-1:123456789012:table/locks",)j"
    R"j("TableId":"e1b4b3c2-7d1f-4c2a-9a57-1b2c3d4e5f60",)j"
    R"j("BillingModeSummary":{"BillingMode":"PAY_PER_REQUEST","LastUpdateToPayPerRequestDateTime":1.7E9},)j"
    R"j("DeletionProtectionEnabled":false,)j"
    R"j("GlobalSecondaryIndexes":[{"IndexName":"by_owner","KeySchema":[{"AttributeName":"owner","KeyType":"HASH"}],)j"
    R"j("Projection":{"ProjectionType":"INCLUDE","NonKeyAttributes":["exp"]},"IndexStatus":"ACTIVE",)j"
    R"j("ItemCount":0,"IndexSizeBytes":0}]}})j";

TEST(operations, describe_table_reply_gives_description) {
    describe_table_response out;
    std::string message;
    ASSERT_FALSE(parse(describe_table_body, out, message)) << message;
    const table_description& t = out.table;
    EXPECT_EQ(t.table_name, "locks");
    EXPECT_EQ(t.table_status, table_status::active);
    ASSERT_EQ(t.key_schema.size(), 1u);
    EXPECT_EQ(t.key_schema[0].attribute_name, "pk");
    EXPECT_EQ(t.key_schema[0].key_type, key_type::hash);
    ASSERT_EQ(t.attribute_definitions.size(), 2u);
    EXPECT_EQ(t.attribute_definitions[1].attribute_name, "owner");
    EXPECT_EQ(t.attribute_definitions[1].attribute_type, scalar_attribute_type::binary);
    EXPECT_EQ(t.table_arn, "arn:aws:dynamodb:us-east-1:123456789012:table/locks");
    EXPECT_EQ(t.table_id, "e1b4b3c2-7d1f-4c2a-9a57-1b2c3d4e5f60");
    EXPECT_EQ(t.item_count, 4);
    EXPECT_EQ(t.table_size_bytes, 123);
    ASSERT_TRUE(t.creation_date_time);
    EXPECT_DOUBLE_EQ(*t.creation_date_time, 1699999999.123);
    EXPECT_EQ(t.billing_mode, billing_mode::pay_per_request);
    ASSERT_TRUE(t.provisioned_throughput);
    EXPECT_EQ(t.provisioned_throughput->read_capacity_units, 0);
    EXPECT_EQ(t.deletion_protection_enabled, false);
    ASSERT_EQ(t.global_secondary_indexes.size(), 1u);
    const index_description& gsi = t.global_secondary_indexes[0];
    EXPECT_EQ(gsi.index_name, "by_owner");
    EXPECT_EQ(gsi.index_status, "ACTIVE");
    ASSERT_TRUE(gsi.projection);
    EXPECT_EQ(gsi.projection->projection_type, projection_type::include);
    EXPECT_EQ(gsi.projection->non_key_attributes, std::vector<std::string>{"exp"});
    EXPECT_TRUE(t.local_secondary_indexes.empty());
}

TEST(operations, describe_table_integer_timestamp_and_unknown_status_are_accepted) {
    describe_table_response out;
    std::string message;
    ASSERT_FALSE(
        parse(R"j({"Table":{"TableName":"kv","TableStatus":"SOMETHING_NEW","CreationDateTime":1700000000}})j",
              out, message));
    EXPECT_EQ(out.table.table_status, table_status::unknown);
    EXPECT_EQ(out.table.creation_date_time, 1700000000.0);
    EXPECT_FALSE(out.table.billing_mode);
}

TEST(operations, describe_table_malformed_replies_fail) {
    const std::array<std::pair<const char*, const char*>, 4> cases{{
        {R"j({"Table":[]})j", "Table: expected"},
        {R"j({"Table":{"TableName":5}})j", "Table.TableName: expected a string"},
        {R"j({"Table":{"KeySchema":[{"AttributeName":"pk","KeyType":"SIDEWAYS"}]}})j",
         "Table.KeySchema[].KeyType"},
        {R"j({"Table":{"CreationDateTime":"yesterday"}})j", "Table.CreationDateTime: expected a number"},
    }};
    for (const auto& [body, part] : cases) {
        describe_table_response out;
        std::string message;
        EXPECT_EQ(parse(body, out, message), errc::malformed_response) << body;
        EXPECT_NE(message.find(part), std::string::npos) << body << " -> " << message;
    }
}

TEST(operations, create_and_delete_table_replies_give_description) {
    std::string message;
    create_table_response created;
    ASSERT_FALSE(parse(
        R"j({"TableDescription":{"TableName":"kv","TableStatus":"CREATING",)j"
        R"j("KeySchema":[{"AttributeName":"pk","KeyType":"HASH"},{"AttributeName":"sk","KeyType":"RANGE"}],)j"
        R"j("BillingModeSummary":{"BillingMode":"PROVISIONED"},)j"
        R"j("ProvisionedThroughput":{"ReadCapacityUnits":5,"WriteCapacityUnits":2}}})j",
        created, message))
        << message;
    EXPECT_EQ(created.table_description.table_status, table_status::creating);
    ASSERT_EQ(created.table_description.key_schema.size(), 2u);
    EXPECT_EQ(created.table_description.key_schema[1].key_type, key_type::range);
    EXPECT_EQ(created.table_description.billing_mode, billing_mode::provisioned);
    EXPECT_EQ(created.table_description.provisioned_throughput->write_capacity_units, 2);

    delete_table_response deleted;
    ASSERT_FALSE(parse(R"j({"TableDescription":{"TableName":"kv","TableStatus":"DELETING","ItemCount":0}})j",
                       deleted, message));
    EXPECT_EQ(deleted.table_description.table_status, table_status::deleting);
    EXPECT_EQ(deleted.table_description.item_count, 0);
}

TEST(operations, time_to_live_replies_give_specification_and_status) {
    std::string message;
    update_time_to_live_response updated;
    ASSERT_FALSE(parse(R"j({"TimeToLiveSpecification":{"AttributeName":"expires","Enabled":true}})j", updated,
                       message));
    ASSERT_TRUE(updated.time_to_live_specification);
    EXPECT_TRUE(updated.time_to_live_specification->enabled);
    EXPECT_EQ(updated.time_to_live_specification->attribute_name, "expires");

    describe_time_to_live_response described;
    ASSERT_FALSE(
        parse(R"j({"TimeToLiveDescription":{"AttributeName":"expires","TimeToLiveStatus":"ENABLED"}})j",
              described, message));
    ASSERT_TRUE(described.time_to_live_description);
    EXPECT_EQ(described.time_to_live_description->time_to_live_status, time_to_live_status::enabled);
    EXPECT_EQ(described.time_to_live_description->attribute_name, "expires");

    ASSERT_FALSE(parse(R"j({"TimeToLiveDescription":{"TimeToLiveStatus":"DISABLED"}})j", described, message));
    EXPECT_EQ(described.time_to_live_description->time_to_live_status, time_to_live_status::disabled);
    EXPECT_FALSE(described.time_to_live_description->attribute_name);

    EXPECT_EQ(parse(R"j({"TimeToLiveSpecification":{"Enabled":"yes"}})j", updated, message),
              errc::malformed_response);
    EXPECT_EQ(parse(R"j({"TimeToLiveDescription":{"TimeToLiveStatus":3}})j", described, message),
              errc::malformed_response);
}

// Every proper prefix of a reply is incomplete JSON; every single-byte corruption either still parses
// or is reported. None may crash (the sanitizer build runs these too).
template <class Response>
void check_damaged_bodies(std::string_view body) {
    for (std::size_t n = 0; n < body.size(); ++n) {
        Response out;
        std::string message;
        EXPECT_EQ(parse(body.substr(0, n), out, message), errc::malformed_response) << n;
    }
    for (std::size_t i = 0; i < body.size(); ++i) {
        for (char c : {'"', '{', '}', '[', ']', ',', ':', '1', 'x', '\\', '\0', '\xff'}) {
            std::string damaged(body);
            damaged[i] = c;
            Response out;
            std::string message;
            const error_code ec = parse(damaged, out, message);
            EXPECT_TRUE(!ec || ec == errc::malformed_response) << damaged;
            EXPECT_EQ(!ec, message.empty()) << damaged;
        }
    }
}

TEST(operations, damaged_replies_are_reported_not_crashed_on) {
    check_damaged_bodies<describe_table_response>(describe_table_body);
    check_damaged_bodies<batch_get_item_response>(
        R"j({"Responses":{"kv":[{"pk":{"S":"a"},"v":{"NS":["1","2"]},"b":{"BS":["AQ=="]}}]},)j"
        R"j("UnprocessedKeys":{"kv":{"Keys":[{"pk":{"B":"AP/+"}}],"ExpressionAttributeNames":{"#v":"v"}}}})j");
    check_damaged_bodies<batch_write_item_response>(
        R"j({"UnprocessedItems":{"kv":[{"PutRequest":{"Item":{"l":{"L":[{"M":{"x":{"NULL":true}}}]}}}},)j"
        R"j({"DeleteRequest":{"Key":{"pk":{"N":"-1E-130"}}}}]}})j");
    check_damaged_bodies<query_response>(
        R"j({"Count":1,"Items":[{"pk":{"S":"p"},"ok":{"BOOL":false}}],"LastEvaluatedKey":{"pk":{"S":"p"}},"ScannedCount":2})j");
    check_damaged_bodies<describe_time_to_live_response>(
        R"j({"TimeToLiveDescription":{"AttributeName":"expires","TimeToLiveStatus":"ENABLED"}})j");
}

// ---- idempotency --------------------------------------------------------------------------------

TEST(operations, reads_are_idempotent) {
    EXPECT_TRUE(is_idempotent(get_item_request{}));
    EXPECT_TRUE(is_idempotent(query_request{}));
    EXPECT_TRUE(is_idempotent(scan_request{}));
    EXPECT_TRUE(is_idempotent(batch_get_item_request{}));
    EXPECT_TRUE(is_idempotent(describe_table_request{}));
    EXPECT_TRUE(is_idempotent(describe_time_to_live_request{}));
}

TEST(operations, conditional_writes_are_not_idempotent) {
    EXPECT_TRUE(is_idempotent(put_item_request{}));
    EXPECT_FALSE(is_idempotent(put_item_request{.condition_expression = "attribute_not_exists(pk)"}));
    EXPECT_TRUE(is_idempotent(delete_item_request{}));
    EXPECT_FALSE(is_idempotent(delete_item_request{.condition_expression = "#o = :me"}));
}

TEST(operations, updates_and_table_changes_are_not_idempotent) {
    EXPECT_FALSE(is_idempotent(update_item_request{}));
    EXPECT_FALSE(is_idempotent(update_item_request{.update_expression = "SET a = :v"}));
    EXPECT_FALSE(is_idempotent(create_table_request{}));
    EXPECT_FALSE(is_idempotent(delete_table_request{}));
    EXPECT_TRUE(is_idempotent(update_time_to_live_request{}));
    EXPECT_TRUE(is_idempotent(batch_write_item_request{}));
}

TEST(operations, transactions_are_idempotent_only_with_token) {
    EXPECT_FALSE(is_idempotent(transact_write_items_request{}));
    EXPECT_TRUE(is_idempotent(transact_write_items_request{.client_request_token = "t"}));
}

// ---- tokens -------------------------------------------------------------------------------------

TEST(operations, token_from_bytes_is_uuid_v4) {
    std::array<std::uint8_t, 16> zeros{};
    EXPECT_EQ(core::make_client_request_token(std::span<const std::uint8_t, 16>(zeros)),
              "00000000-0000-4000-8000-000000000000");
    std::array<std::uint8_t, 16> ones;
    ones.fill(0xFF);
    EXPECT_EQ(core::make_client_request_token(std::span<const std::uint8_t, 16>(ones)),
              "ffffffff-ffff-4fff-bfff-ffffffffffff");
    const std::array<std::uint8_t, 16> counting{0x00, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
                                                0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff};
    EXPECT_EQ(core::make_client_request_token(std::span<const std::uint8_t, 16>(counting)),
              "00112233-4455-4677-8899-aabbccddeeff");
}

TEST(operations, tokens_from_generator_differ_and_fit_the_limit) {
    std::mt19937_64 generator(12345);
    const std::string a = core::make_client_request_token(generator);
    const std::string b = core::make_client_request_token(generator);
    EXPECT_NE(a, b);
    ASSERT_EQ(a.size(), 36u);
    EXPECT_EQ(a[14], '4');
    EXPECT_NE(std::string_view("89ab").find(a[19]), std::string_view::npos) << a;
    transact_write_items_request req{
        .transact_items = {transact_delete{.table_name = "locks", .key = {{"pk", S("x")}}}},
        .client_request_token = a};
    std::string message;
    EXPECT_FALSE(core::validate(req, message)) << message;
}

} // namespace
