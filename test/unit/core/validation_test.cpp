// SPDX-License-Identifier: BSL-1.0
// Local validation: UTF-8, numbers, sizes, names, values, keys, expressions and whole requests.
#include <dynalock/error.hpp>
#include <dynalock/operations.hpp>

#include "core/operations.hpp"
#include "core/validation.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace dynalock;
using namespace dynalock::core;

attribute_value S(std::string s) {
    return attribute_value::string(std::move(s));
}
attribute_value N(const char* n) {
    return attribute_value::number(n);
}

// A value nested `levels` deep in lists (levels = 0 gives the leaf).
attribute_value nested_lists(int levels) {
    attribute_value v = S("leaf");
    for (int i = 0; i < levels; ++i) {
        attribute_value::list_type outer; // not list({v}): an initializer_list would copy the whole subtree
        outer.push_back(std::move(v));
        v = attribute_value::list(std::move(outer));
    }
    return v;
}

bool has(const std::string& message, std::string_view part) {
    return message.find(part) != std::string::npos;
}

// ---- UTF-8 --------------------------------------------------------------------------------------

TEST(validation, well_formed_utf8_is_accepted) {
    EXPECT_TRUE(is_valid_utf8(""));
    EXPECT_TRUE(is_valid_utf8("plain ascii text that is longer than eight bytes"));
    EXPECT_TRUE(is_valid_utf8("\xc3\xa9"));             // é
    EXPECT_TRUE(is_valid_utf8("\xe2\x82\xac"));         // €
    EXPECT_TRUE(is_valid_utf8("\xf0\x9f\x98\x80"));     // 😀
    EXPECT_TRUE(is_valid_utf8("\xf4\x8f\xbf\xbf"));     // U+10FFFF
    EXPECT_TRUE(is_valid_utf8("\xed\x9f\xbf"));         // U+D7FF, just below the surrogates
    EXPECT_TRUE(is_valid_utf8(std::string("a\0b", 3))); // NUL is a character
}

TEST(validation, malformed_utf8_is_rejected) {
    for (std::string_view s : {"\x80", "a\xbf", "\xc0\x80", "\xc1\xbf", "\xe0\x80\x80", "\xed\xa0\x80",
                               "\xf0\x80\x80\x80", "\xf4\x90\x80\x80", "\xf5\x80\x80\x80", "\xff", "\xc3",
                               "\xe2\x82", "\xe2\x28\xa1", "12345678\xc3"}) {
        EXPECT_FALSE(is_valid_utf8(s)) << testing::PrintToString(std::string(s));
    }
}

// ---- numbers ------------------------------------------------------------------------------------

TEST(validation, dynamodb_numbers_are_accepted) {
    for (std::string_view n : {"0",
                               "-0",
                               "0.000",
                               "+1",
                               "1",
                               "-42",
                               "12.5",
                               ".5",
                               "5.",
                               "1e5",
                               "1E+5",
                               "1e-5",
                               "1E-130",
                               "-1E-130",
                               "0.1E-129",
                               "9.9999999999999999999999999999999999999E+125",
                               "-9.9999999999999999999999999999999999999E+125",
                               "12345678901234567890123456789012345678",
                               "100000000000000000000000000000000000000000000",
                               "0.00000000000000000000000000001",
                               "0E999999999999",
                               "1234567890123456789012345678901234567800000"}) {
        EXPECT_TRUE(check_number(n).problem.empty()) << n << ": " << check_number(n).problem;
    }
}

TEST(validation, invalid_numbers_are_rejected) {
    for (std::string_view n : {"",
                               "-",
                               "+",
                               ".",
                               "-.",
                               "e5",
                               "1e",
                               "1e+",
                               "1.2.3",
                               "abc",
                               " 1",
                               "1 ",
                               "0x10",
                               "NaN",
                               "Infinity",
                               "1,5",
                               "--1",
                               "1e5.5",
                               "123456789012345678901234567890123456789",
                               "1.23456789012345678901234567890123456789",
                               "1E-131",
                               "0.01E-129",
                               "1E126",
                               "10E125",
                               "1e99999999999999999999"}) {
        EXPECT_FALSE(check_number(n).problem.empty()) << n;
    }
}

TEST(validation, significant_digits_ignore_leading_and_trailing_zeros) {
    EXPECT_EQ(check_number("000123000").significant_digits, 3u);
    EXPECT_EQ(check_number("0.00120").significant_digits, 2u);
    EXPECT_EQ(check_number("0").significant_digits, 1u);
    EXPECT_EQ(check_number("10203").significant_digits, 5u);
}

TEST(validation, canonical_number_equates_equal_values) {
    EXPECT_EQ(canonical_number("1.50"), canonical_number("15E-1"));
    EXPECT_EQ(canonical_number("100"), canonical_number("1e2"));
    EXPECT_EQ(canonical_number("-0.0"), canonical_number("0"));
    EXPECT_EQ(canonical_number("+7"), canonical_number("7"));
    EXPECT_NE(canonical_number("1"), canonical_number("-1"));
    EXPECT_NE(canonical_number("1"), canonical_number("10"));
}

// ---- sizes --------------------------------------------------------------------------------------

TEST(validation, sizes_follow_documented_rule) {
    EXPECT_EQ(attribute_value_size(S("abc")), 3u);
    EXPECT_EQ(attribute_value_size(S("\xc3\xa9")), 2u);
    EXPECT_EQ(attribute_value_size(N("123")), 3u);     // ceil(3 / 2) + 1
    EXPECT_EQ(attribute_value_size(N("1234")), 3u);    // 4 / 2 + 1
    EXPECT_EQ(attribute_value_size(N("0.00100")), 2u); // 1 significant digit
    EXPECT_EQ(attribute_value_size(attribute_value::binary("\x01\x02")), 2u);
    EXPECT_EQ(attribute_value_size(attribute_value::boolean(true)), 1u);
    EXPECT_EQ(attribute_value_size(attribute_value::null()), 1u);
    EXPECT_EQ(attribute_value_size(attribute_value::list({})), 3u);
    EXPECT_EQ(attribute_value_size(attribute_value::list({S("ab"), attribute_value::null()})),
              3u + (1 + 2) + (1 + 1));
    EXPECT_EQ(attribute_value_size(attribute_value::map({{"key", S("ab")}})), 3u + 1 + 3 + 2);
    EXPECT_EQ(attribute_value_size(attribute_value::string_set({"a", "bc"})), 3u);
    EXPECT_EQ(attribute_value_size(attribute_value::number_set({"1", "22"})), 2u + 2);
    EXPECT_EQ(attribute_value_size(attribute_value::binary_set({"abc"})), 3u);
    EXPECT_EQ(item_size({{"pk", S("lock#1")}, {"n", N("7")}}), (2u + 6) + (1 + 2));
}

// ---- table names --------------------------------------------------------------------------------

TEST(validation, valid_table_names_are_accepted) {
    std::string message;
    for (std::string name :
         {std::string("abc"), std::string("locks"), std::string("My_Table.v2-prod"), std::string(255, 'a'),
          std::string("arn:aws:dynamodb:us-east-1:123456789012:table/locks")})
        EXPECT_FALSE(validate_table_name(name, "TableName", message)) << name;
}

TEST(validation, invalid_table_names_are_rejected) {
    for (std::string name :
         {std::string(""), std::string("ab"), std::string(256, 'a'), std::string("has space"),
          std::string("t\xc3\xa9st"), std::string("tab/le"), std::string("arn:") + std::string(1021, 'x'),
          std::string("arn:aws:dynamodb:us-east-1:1:table/a b")}) {
        std::string message;
        EXPECT_EQ(validate_table_name(name, "TableName", message), errc::invalid_table_name) << name;
        EXPECT_TRUE(message.starts_with("TableName: ")) << message;
    }
}

TEST(validation, table_name_message_quotes_name_safely) {
    std::string message;
    validate_table_name("a\nb", "TableName", message);
    EXPECT_TRUE(has(message, "(got \"a?b\")")) << message;
}

// ---- values -------------------------------------------------------------------------------------

TEST(validation, every_kind_of_valid_value_is_accepted) {
    std::string message;
    const attribute_value v = attribute_value::map({
        {"s", S("")},
        {"n", N("-1E-130")},
        {"b", attribute_value::binary("")},
        {"t", attribute_value::boolean(true)},
        {"nil", attribute_value::null()},
        {"l", attribute_value::list({})},
        {"m", attribute_value::map({})},
        {"ss", attribute_value::string_set({"a", "b"})},
        {"ns", attribute_value::number_set({"1", "2"})},
        {"bs", attribute_value::binary_set({"a", "b"})},
    });
    EXPECT_FALSE(validate_attribute_value(v, "Item.doc", message)) << message;
}

TEST(validation, invalid_utf8_string_is_rejected_with_path) {
    std::string message;
    const attribute_value v =
        attribute_value::map({{"inner", attribute_value::list({S("ok"), S("bad\xff")})}});
    EXPECT_EQ(validate_attribute_value(v, "Item.doc", message), errc::invalid_utf8);
    EXPECT_EQ(message, "Item.doc.inner[1]: string is not valid UTF-8");
}

TEST(validation, invalid_utf8_in_sets_and_names_is_rejected) {
    std::string message;
    EXPECT_EQ(validate_attribute_value(attribute_value::string_set({"a", "\xc0\x80"}), "V", message),
              errc::invalid_utf8);
    EXPECT_EQ(message, "V[1]: string is not valid UTF-8");
    EXPECT_EQ(validate_attribute_value(attribute_value::map({{"\xff", S("x")}}), "V", message),
              errc::invalid_utf8);
    EXPECT_TRUE(has(message, "attribute name is not valid UTF-8")) << message;
    EXPECT_EQ(validate_item({{"bad\xfe", S("x")}}, "Item", message), errc::invalid_utf8);
}

TEST(validation, binary_values_need_not_be_utf8) {
    std::string message;
    EXPECT_FALSE(validate_attribute_value(attribute_value::binary("\xff\xfe"), "V", message));
    EXPECT_FALSE(validate_attribute_value(attribute_value::binary_set({"\xff", "\xfe"}), "V", message));
}

TEST(validation, empty_sets_are_rejected) {
    std::string message;
    EXPECT_EQ(validate_attribute_value(attribute_value::string_set({}), "V", message),
              errc::invalid_attribute_value);
    EXPECT_EQ(message, "V: a set must not be empty");
    EXPECT_EQ(validate_attribute_value(attribute_value::number_set({}), "V", message),
              errc::invalid_attribute_value);
    EXPECT_EQ(validate_attribute_value(attribute_value::binary_set({}), "V", message),
              errc::invalid_attribute_value);
}

TEST(validation, duplicate_set_elements_are_rejected) {
    std::string message;
    EXPECT_EQ(validate_attribute_value(attribute_value::string_set({"a", "b", "a"}), "V", message),
              errc::invalid_attribute_value);
    EXPECT_EQ(message, "V[2]: duplicate set element");
    EXPECT_EQ(validate_attribute_value(attribute_value::binary_set({"x", "x"}), "V", message),
              errc::invalid_attribute_value);
    // Numbers are compared by value, as DynamoDB does.
    EXPECT_EQ(validate_attribute_value(attribute_value::number_set({"1.0", "1"}), "V", message),
              errc::invalid_attribute_value);
    EXPECT_FALSE(validate_attribute_value(attribute_value::number_set({"1", "10"}), "V", message));
}

TEST(validation, duplicates_in_large_sets_are_found) {
    attribute_value::set_type elements;
    for (int i = 0; i < 200; ++i)
        elements.push_back("e" + std::to_string(i));
    std::string message;
    EXPECT_FALSE(validate_attribute_value(attribute_value::string_set(elements), "V", message)) << message;
    elements.push_back("e17");
    EXPECT_EQ(validate_attribute_value(attribute_value::string_set(elements), "V", message),
              errc::invalid_attribute_value);
    EXPECT_EQ(message, "V[200]: duplicate set element");
}

TEST(validation, invalid_numbers_in_values_are_rejected) {
    std::string message;
    EXPECT_EQ(validate_attribute_value(N("12abc"), "Item.n", message), errc::invalid_attribute_value);
    EXPECT_TRUE(message.starts_with("Item.n: number")) << message;
    EXPECT_TRUE(has(message, "\"12abc\"")) << message;
    EXPECT_EQ(validate_attribute_value(attribute_value::number_set({"1", "1E200"}), "V", message),
              errc::invalid_attribute_value);
    EXPECT_TRUE(message.starts_with("V[1]: ")) << message;
    EXPECT_EQ(validate_attribute_value(N("123456789012345678901234567890123456789"), "V", message),
              errc::invalid_attribute_value);
    EXPECT_TRUE(has(message, "38 significant digits")) << message;
}

TEST(validation, nesting_of_32_levels_is_accepted) {
    std::string message;
    EXPECT_FALSE(validate_attribute_value(nested_lists(32), "V", message)) << message;
    EXPECT_FALSE(validate_item({{"deep", nested_lists(32)}}, "Item", message)) << message;
}

TEST(validation, nesting_of_33_levels_is_rejected) {
    std::string message;
    EXPECT_EQ(validate_attribute_value(nested_lists(33), "V", message), errc::nesting_too_deep);
    EXPECT_EQ(validate_item({{"deep", nested_lists(33)}}, "Item", message), errc::nesting_too_deep);
    EXPECT_TRUE(message.starts_with("Item.deep[0][0]")) << message;
    // Maps count as levels too.
    attribute_value m = S("leaf");
    for (int i = 0; i < 33; ++i)
        m = attribute_value::map({{"m", std::move(m)}});
    EXPECT_EQ(validate_attribute_value(m, "V", message), errc::nesting_too_deep);
}

TEST(validation, very_deep_nesting_is_rejected_without_deep_recursion) {
    attribute_value v = nested_lists(5000);
    std::string message;
    EXPECT_EQ(validate_attribute_value(v, "V", message), errc::nesting_too_deep);
    // Take the value apart iteratively so the test itself does not recurse 5000 levels in the destructor.
    while (v.type() == attribute_type::list && !v.as_list().empty()) {
        attribute_value inner = std::move(v.as_list().front());
        v = std::move(inner);
    }
}

// ---- items --------------------------------------------------------------------------------------

TEST(validation, item_at_size_limit_is_accepted) {
    // Name "d" (1 byte) + a string of 409599 bytes = 409600 bytes, DynamoDB's 400 KB.
    std::string message;
    EXPECT_FALSE(validate_item({{"d", S(std::string(400 * 1024 - 1, 'x'))}}, "Item", message)) << message;
}

TEST(validation, oversized_item_is_rejected) {
    std::string message;
    EXPECT_EQ(validate_item({{"d", S(std::string(400 * 1024, 'x'))}}, "Item", message), errc::item_too_large);
    EXPECT_TRUE(message.starts_with("Item: item size is 409601 bytes")) << message;
    // Many moderate attributes add up too, names included.
    attribute_map item;
    for (int i = 0; i < 100; ++i)
        item.insert_or_assign("attribute_" + std::to_string(i), S(std::string(4090, 'y')));
    EXPECT_EQ(validate_item(item, "Item", message), errc::item_too_large);
}

TEST(validation, empty_item_and_names_are_rejected) {
    std::string message;
    EXPECT_EQ(validate_item({}, "Item", message), errc::invalid_argument);
    EXPECT_EQ(message, "Item: must not be empty");
    EXPECT_FALSE(validate_item({}, "ExclusiveStartKey", message, true));
    EXPECT_EQ(validate_item({{"", S("x")}}, "Item", message), errc::invalid_argument);
}

TEST(validation, repeated_names_are_rejected) {
    attribute_map item;
    item.append("a", S("1"));
    item.append("a", S("2"));
    std::string message;
    EXPECT_EQ(validate_item(item, "Item", message), errc::invalid_argument);
    attribute_map inner;
    inner.append("x", S("1"));
    inner.append("x", S("2"));
    EXPECT_EQ(validate_attribute_value(attribute_value::map(inner), "V", message),
              errc::invalid_attribute_value);
}

// ---- keys ---------------------------------------------------------------------------------------

TEST(validation, valid_keys_are_accepted) {
    std::string message;
    EXPECT_FALSE(validate_key({{"pk", S("a")}}, "Key", message)) << message;
    EXPECT_FALSE(validate_key({{"pk", N("1")}, {"sk", attribute_value::binary("\x00\x01")}}, "Key", message))
        << message;
    EXPECT_FALSE(
        validate_key({{"pk", S(std::string(2048, 'p'))}, {"sk", S(std::string(1024, 's'))}}, "Key", message))
        << message;
}

TEST(validation, empty_key_values_are_rejected) {
    std::string message;
    EXPECT_EQ(validate_key({{"pk", S("")}}, "Key", message), errc::empty_key);
    EXPECT_EQ(message, "Key.pk: a key attribute value must not be empty");
    EXPECT_EQ(validate_key({{"pk", S("a")}, {"sk", attribute_value::binary("")}}, "Key", message),
              errc::empty_key);
    EXPECT_TRUE(message.starts_with("Key.sk: ")) << message;
}

TEST(validation, malformed_keys_are_rejected) {
    std::string message;
    EXPECT_EQ(validate_key({}, "Key", message), errc::invalid_argument);
    EXPECT_EQ(validate_key({{"a", S("1")}, {"b", S("2")}, {"c", S("3")}}, "Key", message),
              errc::invalid_argument);
    EXPECT_EQ(validate_key({{"pk", attribute_value::boolean(true)}}, "Key", message),
              errc::invalid_attribute_value);
    EXPECT_EQ(validate_key({{"pk", attribute_value::string_set({"a"})}}, "Key", message),
              errc::invalid_attribute_value);
    EXPECT_EQ(validate_key({{"pk", N("x")}}, "Key", message), errc::invalid_attribute_value);
    EXPECT_EQ(validate_key({{"pk", S("\xff")}}, "Key", message), errc::invalid_utf8);
}

TEST(validation, oversized_keys_are_rejected) {
    std::string message;
    EXPECT_EQ(validate_key({{"pk", S(std::string(2049, 'p'))}}, "Key", message), errc::key_too_large);
    EXPECT_EQ(
        validate_key({{"pk", S(std::string(1025, 'p'))}, {"sk", S(std::string(1025, 's'))}}, "Key", message),
        errc::key_too_large);
}

// ---- expressions --------------------------------------------------------------------------------

error_code check_expressions(const std::string* condition, const expression_names& names,
                             const attribute_map& values, std::string& message) {
    const expression_ref refs[] = {{"ConditionExpression", condition, false}};
    return validate_expressions(refs, names, values, {}, message);
}

TEST(validation, matching_placeholders_are_accepted) {
    const std::string condition = "attribute_not_exists(#pk) OR #exp < :now";
    std::string message;
    EXPECT_FALSE(
        check_expressions(&condition, {{"#pk", "pk"}, {"#exp", "expires"}}, {{":now", N("5")}}, message))
        << message;
    EXPECT_FALSE(check_expressions(nullptr, {}, {}, message)) << message;
}

TEST(validation, unused_placeholders_are_rejected) {
    const std::string condition = "#a = :v";
    std::string message;
    EXPECT_EQ(check_expressions(&condition, {{"#a", "a"}, {"#x", "x"}}, {{":v", N("1")}}, message),
              errc::invalid_argument);
    EXPECT_EQ(message, "ExpressionAttributeNames.#x: is not used in any expression");
    EXPECT_EQ(check_expressions(&condition, {{"#a", "a"}}, {{":v", N("1")}, {":w", N("2")}}, message),
              errc::invalid_argument);
    EXPECT_EQ(message, "ExpressionAttributeValues.:w: is not used in any expression");
    // A prefix of a longer placeholder is not a use.
    const std::string longer = "#ab = :v";
    EXPECT_EQ(check_expressions(&longer, {{"#a", "a"}, {"#ab", "ab"}}, {{":v", N("1")}}, message),
              errc::invalid_argument);
    EXPECT_EQ(check_expressions(nullptr, {{"#a", "a"}}, {}, message), errc::invalid_argument);
}

TEST(validation, undefined_placeholders_are_rejected) {
    const std::string condition = "#a = :v";
    std::string message;
    EXPECT_EQ(check_expressions(&condition, {{"#a", "a"}}, {}, message), errc::invalid_argument);
    EXPECT_EQ(message, "ConditionExpression: :v is not defined in ExpressionAttributeValues");
    EXPECT_EQ(check_expressions(&condition, {}, {{":v", N("1")}}, message), errc::invalid_argument);
    EXPECT_EQ(message, "ConditionExpression: #a is not defined in ExpressionAttributeNames");
}

TEST(validation, malformed_placeholders_and_expressions_are_rejected) {
    std::string message;
    const std::string lone = "# = :v";
    EXPECT_EQ(check_expressions(&lone, {}, {{":v", N("1")}}, message), errc::invalid_argument);
    const std::string ok = "#a = :v";
    EXPECT_EQ(check_expressions(&ok, {{"a", "a"}}, {{":v", N("1")}}, message), errc::invalid_argument);
    EXPECT_EQ(check_expressions(&ok, {{"#a", ""}}, {{":v", N("1")}}, message), errc::invalid_argument);
    EXPECT_EQ(check_expressions(&ok, {{"#a", "\xff"}}, {{":v", N("1")}}, message), errc::invalid_utf8);
    EXPECT_EQ(check_expressions(&ok, {{"#a", "a"}}, {{"v", N("1")}}, message), errc::invalid_argument);
    EXPECT_EQ(check_expressions(&ok, {{"#a", "a"}}, {{":v", attribute_value::string_set({})}}, message),
              errc::invalid_attribute_value);
    EXPECT_TRUE(message.starts_with("ExpressionAttributeValues.:v: ")) << message;
    const std::string empty;
    EXPECT_EQ(check_expressions(&empty, {}, {}, message), errc::invalid_argument);
    EXPECT_EQ(message, "ConditionExpression: must not be empty");
    const std::string huge = "attribute_exists(#a)" + std::string(4096, ' ');
    EXPECT_EQ(check_expressions(&huge, {{"#a", "a"}}, {}, message), errc::invalid_argument);
    const std::string bad_utf8 = "#a = :v \xff";
    EXPECT_EQ(check_expressions(&bad_utf8, {{"#a", "a"}}, {{":v", N("1")}}, message), errc::invalid_utf8);
}

TEST(validation, required_expression_must_be_present) {
    const expression_ref refs[] = {{"KeyConditionExpression", nullptr, true}};
    std::string message;
    EXPECT_EQ(validate_expressions(refs, {}, {}, "X.", message), errc::invalid_argument);
    EXPECT_EQ(message, "X.KeyConditionExpression: is required");
}

// ---- requests -----------------------------------------------------------------------------------

put_item_request lock_put() {
    return put_item_request{
        .table_name = "locks",
        .item = {{"pk", S("lock#1")}, {"owner", S("host-a")}, {"expires", N("1700000000")}},
        .condition_expression = "attribute_not_exists(#pk) OR #exp < :now",
        .expression_attribute_names = {{"#pk", "pk"}, {"#exp", "expires"}},
        .expression_attribute_values = {{":now", N("1699999999")}},
        .return_values_on_condition_check_failure = return_value::all_old};
}

TEST(validation, valid_single_item_requests_pass) {
    std::string message;
    EXPECT_FALSE(validate(lock_put(), message)) << message;
    EXPECT_FALSE(validate(
        get_item_request{.table_name = "locks", .key = {{"pk", S("a")}}, .consistent_read = true}, message))
        << message;
    EXPECT_FALSE(validate(update_item_request{.table_name = "locks",
                                              .key = {{"pk", S("a")}},
                                              .update_expression = "ADD #v :one",
                                              .expression_attribute_names = {{"#v", "ver"}},
                                              .expression_attribute_values = {{":one", N("1")}},
                                              .return_values = return_value::updated_new},
                          message))
        << message;
    EXPECT_FALSE(validate(delete_item_request{.table_name = "locks", .key = {{"pk", S("a")}}}, message))
        << message;
}

TEST(validation, missing_table_name_is_rejected) {
    std::string message;
    EXPECT_EQ(validate(get_item_request{.key = {{"pk", S("a")}}}, message), errc::invalid_table_name);
    EXPECT_TRUE(message.starts_with("TableName: ")) << message;
    EXPECT_EQ(validate(describe_table_request{}, message), errc::invalid_table_name);
    EXPECT_EQ(validate(delete_table_request{"x"}, message), errc::invalid_table_name);
    EXPECT_EQ(validate(describe_time_to_live_request{"bad name"}, message), errc::invalid_table_name);
}

TEST(validation, missing_key_or_item_is_rejected) {
    std::string message;
    EXPECT_EQ(validate(get_item_request{.table_name = "locks"}, message), errc::invalid_argument);
    EXPECT_EQ(message, "Key: must hold the key attributes");
    EXPECT_EQ(validate(put_item_request{.table_name = "locks"}, message), errc::invalid_argument);
    EXPECT_EQ(message, "Item: must not be empty");
}

TEST(validation, put_and_delete_accept_only_none_or_all_old) {
    std::string message;
    put_item_request put = lock_put();
    put.return_values = return_value::all_new;
    EXPECT_EQ(validate(put, message), errc::invalid_argument);
    EXPECT_EQ(message, "ReturnValues: must be NONE or ALL_OLD");
    put.return_values = return_value::all_old;
    EXPECT_FALSE(validate(put, message));
    put.return_values_on_condition_check_failure = return_value::updated_old;
    EXPECT_EQ(validate(put, message), errc::invalid_argument);
    delete_item_request del{
        .table_name = "locks", .key = {{"pk", S("a")}}, .return_values = return_value::updated_new};
    EXPECT_EQ(validate(del, message), errc::invalid_argument);
}

TEST(validation, oversized_put_is_rejected) {
    put_item_request put = lock_put();
    put.item.insert_or_assign("payload", attribute_value::binary(std::string(400 * 1024, '\0')));
    std::string message;
    EXPECT_EQ(validate(put, message), errc::item_too_large);
}

TEST(validation, deep_put_is_rejected) {
    put_item_request put = lock_put();
    put.item.insert_or_assign("doc", nested_lists(40));
    std::string message;
    EXPECT_EQ(validate(put, message), errc::nesting_too_deep);
    EXPECT_TRUE(message.starts_with("Item.doc")) << message;
}

TEST(validation, query_needs_key_condition_and_sane_limits) {
    query_request q{.table_name = "items",
                    .key_condition_expression = "#p = :p",
                    .expression_attribute_names = {{"#p", "pk"}},
                    .expression_attribute_values = {{":p", S("x")}},
                    .limit = 10};
    std::string message;
    EXPECT_FALSE(validate(q, message)) << message;
    query_request no_condition = q;
    no_condition.key_condition_expression.clear();
    EXPECT_EQ(validate(no_condition, message), errc::invalid_argument);
    EXPECT_EQ(message, "KeyConditionExpression: is required");
    query_request zero = q;
    zero.limit = 0;
    EXPECT_EQ(validate(zero, message), errc::invalid_argument);
    query_request bad_index = q;
    bad_index.index_name = "x";
    EXPECT_EQ(validate(bad_index, message), errc::invalid_argument);
    query_request bad_start = q;
    bad_start.exclusive_start_key = attribute_map{{"pk", attribute_value::string_set({})}};
    EXPECT_EQ(validate(bad_start, message), errc::invalid_attribute_value);
}

TEST(validation, scan_segments_must_be_consistent) {
    std::string message;
    EXPECT_FALSE(validate(scan_request{.table_name = "items", .segment = 3, .total_segments = 4}, message))
        << message;
    EXPECT_EQ(validate(scan_request{.table_name = "items", .segment = 0}, message), errc::invalid_argument);
    EXPECT_EQ(validate(scan_request{.table_name = "items", .segment = 4, .total_segments = 4}, message),
              errc::invalid_argument);
    EXPECT_EQ(validate(scan_request{.table_name = "items", .segment = -1, .total_segments = 4}, message),
              errc::invalid_argument);
    EXPECT_EQ(validate(scan_request{.table_name = "items", .segment = 0, .total_segments = 1000001}, message),
              errc::invalid_argument);
}

TEST(validation, batch_get_limits_keys_to_100) {
    batch_get_item_request req{.request_items = {table_keys{.table_name = "items"}}};
    for (int i = 0; i < 100; ++i)
        req.request_items[0].keys.push_back({{"pk", N(std::to_string(i).c_str())}});
    std::string message;
    EXPECT_FALSE(validate(req, message)) << message;
    req.request_items.push_back(table_keys{.table_name = "other", .keys = {{{"pk", S("x")}}}});
    EXPECT_EQ(validate(req, message), errc::too_many_items);
}

TEST(validation, batch_get_rejects_bad_entries_with_location) {
    std::string message;
    EXPECT_EQ(validate(batch_get_item_request{}, message), errc::invalid_argument);
    batch_get_item_request req{
        .request_items = {table_keys{.table_name = "items", .keys = {{{"pk", S("a")}}, {{"pk", S("")}}}}}};
    EXPECT_EQ(validate(req, message), errc::empty_key);
    EXPECT_EQ(message, "RequestItems.items.Keys[1].pk: a key attribute value must not be empty");
    req.request_items[0].keys[1] = {{"pk", S("a")}};
    EXPECT_EQ(validate(req, message), errc::invalid_argument);
    EXPECT_TRUE(has(message, "listed twice")) << message;
    req.request_items[0].keys.pop_back();
    req.request_items.push_back(req.request_items[0]);
    EXPECT_EQ(validate(req, message), errc::invalid_argument);
    EXPECT_EQ(message, "RequestItems.items: the table is listed twice");
    req.request_items.pop_back();
    req.request_items[0].projection_expression = "#v";
    EXPECT_EQ(validate(req, message), errc::invalid_argument);
    req.request_items[0].expression_attribute_names = {{"#v", "value"}};
    EXPECT_FALSE(validate(req, message)) << message;
}

TEST(validation, batch_write_limits_requests_to_25) {
    batch_write_item_request req{.request_items = {table_write_requests{.table_name = "items"}}};
    for (int i = 0; i < 25; ++i)
        req.request_items[0].requests.push_back(put_request{{{"pk", N(std::to_string(i).c_str())}}});
    std::string message;
    EXPECT_FALSE(validate(req, message)) << message;
    req.request_items[0].requests.push_back(delete_request{{{"pk", S("x")}}});
    EXPECT_EQ(validate(req, message), errc::too_many_items);
}

TEST(validation, batch_write_rejects_bad_entries_with_location) {
    std::string message;
    EXPECT_EQ(validate(batch_write_item_request{}, message), errc::invalid_argument);
    batch_write_item_request req{
        .request_items = {table_write_requests{
            .table_name = "items",
            .requests = {put_request{{{"pk", S("a")}}}, delete_request{{{"pk", S("")}}}}}}};
    EXPECT_EQ(validate(req, message), errc::empty_key);
    EXPECT_EQ(message, "RequestItems.items[1].DeleteRequest.Key.pk: a key attribute value must not be empty");
    req.request_items[0].requests[1] = put_request{{{"pk", attribute_value::number_set({})}}};
    EXPECT_EQ(validate(req, message), errc::invalid_attribute_value);
    EXPECT_TRUE(message.starts_with("RequestItems.items[1].PutRequest.Item.pk")) << message;
    req.request_items[0].requests = {delete_request{{{"pk", S("a")}}}, delete_request{{{"pk", S("a")}}}};
    EXPECT_EQ(validate(req, message), errc::invalid_argument);
    req.request_items[0].requests.clear();
    EXPECT_EQ(validate(req, message), errc::invalid_argument);
}

transact_write_items_request lock_transaction() {
    return transact_write_items_request{
        .transact_items = {transact_condition_check{.table_name = "locks",
                                                    .key = {{"pk", S("lock#1")}},
                                                    .condition_expression = "#o = :me",
                                                    .expression_attribute_names = {{"#o", "owner"}},
                                                    .expression_attribute_values = {{":me", S("host-a")}}},
                           transact_put{.table_name = "items", .item = {{"pk", S("k")}, {"v", S("1")}}},
                           transact_update{.table_name = "items",
                                           .key = {{"pk", S("counter")}},
                                           .update_expression = "ADD #c :one",
                                           .expression_attribute_names = {{"#c", "count"}},
                                           .expression_attribute_values = {{":one", N("1")}}},
                           transact_delete{.table_name = "items", .key = {{"pk", S("old")}}}},
        .client_request_token = "0f8fad5b-d9cb-469f-a165-70867728950e"};
}

TEST(validation, valid_transaction_passes) {
    std::string message;
    EXPECT_FALSE(validate(lock_transaction(), message)) << message;
}

TEST(validation, transaction_size_is_limited) {
    std::string message;
    EXPECT_EQ(validate(transact_write_items_request{}, message), errc::invalid_argument);
    transact_write_items_request big;
    for (int i = 0; i < 100; ++i)
        big.transact_items.push_back(
            transact_delete{.table_name = "items", .key = {{"pk", N(std::to_string(i).c_str())}}});
    EXPECT_FALSE(validate(big, message)) << message;
    big.transact_items.push_back(transact_delete{.table_name = "items", .key = {{"pk", S("x")}}});
    EXPECT_EQ(validate(big, message), errc::too_many_items);
}

TEST(validation, transaction_token_length_is_checked) {
    std::string message;
    auto req = lock_transaction();
    req.client_request_token = std::string(37, 'a');
    EXPECT_EQ(validate(req, message), errc::invalid_argument);
    EXPECT_EQ(message, "ClientRequestToken: must be 1 to 36 characters");
    req.client_request_token = "";
    EXPECT_EQ(validate(req, message), errc::invalid_argument);
    req.client_request_token.reset();
    EXPECT_FALSE(validate(req, message)) << message;
}

TEST(validation, transaction_errors_name_the_action) {
    std::string message;
    auto req = lock_transaction();
    std::get<transact_put>(req.transact_items[1]).item.insert_or_assign("bad", S("\xff"));
    EXPECT_EQ(validate(req, message), errc::invalid_utf8);
    EXPECT_EQ(message, "TransactItems[1].Put.Item.bad: string is not valid UTF-8");

    req = lock_transaction();
    std::get<transact_condition_check>(req.transact_items[0]).condition_expression.clear();
    EXPECT_EQ(validate(req, message), errc::invalid_argument);
    EXPECT_TRUE(message.starts_with("TransactItems[0].ConditionCheck.ConditionExpression")) << message;

    req = lock_transaction();
    std::get<transact_update>(req.transact_items[2]).update_expression.clear();
    EXPECT_EQ(validate(req, message), errc::invalid_argument);
    EXPECT_TRUE(message.starts_with("TransactItems[2].Update.")) << message;

    req = lock_transaction();
    std::get<transact_delete>(req.transact_items[3]).table_name = "x";
    EXPECT_EQ(validate(req, message), errc::invalid_table_name);
    EXPECT_TRUE(message.starts_with("TransactItems[3].Delete.TableName: ")) << message;

    req = lock_transaction();
    std::get<transact_delete>(req.transact_items[3]).return_values_on_condition_check_failure =
        return_value::all_new;
    EXPECT_EQ(validate(req, message), errc::invalid_argument);
}

TEST(validation, transaction_with_two_actions_on_one_item_is_rejected) {
    std::string message;
    auto req = lock_transaction();
    req.transact_items.push_back(transact_delete{.table_name = "items", .key = {{"pk", S("counter")}}});
    EXPECT_EQ(validate(req, message), errc::invalid_argument);
    EXPECT_TRUE(message.starts_with("TransactItems[4].Delete.Key")) << message;
}

create_table_request lock_table() {
    return create_table_request{.table_name = "locks",
                                .attribute_definitions = {{"pk", scalar_attribute_type::string}},
                                .key_schema = {{"pk", key_type::hash}},
                                .billing_mode = billing_mode::pay_per_request};
}

TEST(validation, valid_table_definitions_pass) {
    std::string message;
    EXPECT_FALSE(validate(lock_table(), message)) << message;
    create_table_request full{
        .table_name = "locks",
        .attribute_definitions = {{"pk", scalar_attribute_type::string},
                                  {"sk", scalar_attribute_type::number},
                                  {"owner", scalar_attribute_type::binary}},
        .key_schema = {{"pk", key_type::hash}, {"sk", key_type::range}},
        .provisioned_throughput = provisioned_throughput{5, 5},
        .local_secondary_indexes = {{.index_name = "lsi_owner",
                                     .key_schema = {{"pk", key_type::hash}, {"owner", key_type::range}},
                                     .projection = {projection_type::keys_only, {}}}},
        .global_secondary_indexes = {{.index_name = "gsi_owner",
                                      .key_schema = {{"owner", key_type::hash}},
                                      .projection = {projection_type::include, {"exp"}},
                                      .provisioned_throughput = provisioned_throughput{1, 1}}}};
    EXPECT_FALSE(validate(full, message)) << message;
}

TEST(validation, invalid_table_definitions_are_rejected) {
    std::string message;
    auto t = lock_table();
    t.key_schema = {{"pk", key_type::range}};
    EXPECT_EQ(validate(t, message), errc::invalid_argument);

    t = lock_table();
    t.key_schema = {{"missing", key_type::hash}};
    EXPECT_EQ(validate(t, message), errc::invalid_argument);

    t = lock_table();
    t.attribute_definitions.push_back({"unused", scalar_attribute_type::string});
    EXPECT_EQ(validate(t, message), errc::invalid_argument);
    EXPECT_TRUE(message.starts_with("AttributeDefinitions[1].AttributeName")) << message;

    t = lock_table();
    t.billing_mode.reset(); // PROVISIONED by default, so capacity is required
    EXPECT_EQ(validate(t, message), errc::invalid_argument);
    EXPECT_TRUE(message.starts_with("ProvisionedThroughput")) << message;

    t = lock_table();
    t.provisioned_throughput = provisioned_throughput{1, 1};
    EXPECT_EQ(validate(t, message), errc::invalid_argument);

    t = lock_table();
    t.billing_mode = billing_mode::provisioned;
    t.provisioned_throughput = provisioned_throughput{0, 1};
    EXPECT_EQ(validate(t, message), errc::invalid_argument);

    t = lock_table();
    t.attribute_definitions.push_back({"owner", scalar_attribute_type::string});
    t.global_secondary_indexes.push_back({.index_name = "g",
                                          .key_schema = {{"owner", key_type::hash}},
                                          .projection = {projection_type::all, {}}});
    EXPECT_EQ(validate(t, message), errc::invalid_argument);
    EXPECT_TRUE(message.starts_with("GlobalSecondaryIndexes[0].IndexName")) << message;
    t.global_secondary_indexes[0].index_name = "gsi";
    t.global_secondary_indexes[0].projection.non_key_attributes = {"x"};
    EXPECT_EQ(validate(t, message), errc::invalid_argument);
    EXPECT_TRUE(message.starts_with("GlobalSecondaryIndexes[0].Projection")) << message;
    t.global_secondary_indexes[0].projection.non_key_attributes.clear();
    EXPECT_FALSE(validate(t, message)) << message;

    t = lock_table();
    t.table_name = "no";
    EXPECT_EQ(validate(t, message), errc::invalid_table_name);
}

TEST(validation, time_to_live_needs_attribute_name) {
    std::string message;
    EXPECT_FALSE(validate(update_time_to_live_request{"locks", {true, "expires"}}, message)) << message;
    EXPECT_EQ(validate(update_time_to_live_request{"locks", {true, ""}}, message), errc::invalid_argument);
    EXPECT_EQ(message, "TimeToLiveSpecification.AttributeName: must be 1 to 255 bytes");
    EXPECT_EQ(validate(update_time_to_live_request{"locks", {true, std::string(256, 'a')}}, message),
              errc::invalid_argument);
}

} // namespace
