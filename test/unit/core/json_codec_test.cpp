// SPDX-License-Identifier: BSL-1.0
// AttributeValue <-> JSON: encoding against hand-written JSON, base64, round trips, malformed input.
#include <dynalock/attribute_value.hpp>
#include <dynalock/error.hpp>

#include "core/json_codec.hpp"

#include <boost/json/parse.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

using dynalock::attribute_map;
using dynalock::attribute_value;
using dynalock::errc;
using namespace dynalock::core;

std::string encode(const attribute_value& v) {
    std::string out;
    encode_attribute_value(v, out);
    return out;
}

std::string json_string(std::string_view s) {
    std::string out;
    append_json_string(out, s);
    return out;
}

std::string b64(std::string_view bytes) {
    std::string out;
    base64_encode(bytes, out);
    return out;
}

// ---- writing ------------------------------------------------------------------------------------

TEST(json_codec, plain_string_is_quoted) {
    EXPECT_EQ(json_string("lock#1"), R"("lock#1")");
}

TEST(json_codec, quotes_and_backslashes_are_escaped) {
    EXPECT_EQ(json_string(R"(a"b\c)"), R"("a\"b\\c")");
}

TEST(json_codec, control_characters_are_escaped) {
    EXPECT_EQ(json_string("\n\r\t\b\f"), R"("\n\r\t\b\f")");
    EXPECT_EQ(json_string(std::string("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001F")");
}

TEST(json_codec, utf8_and_delete_pass_through) {
    EXPECT_EQ(json_string("é€😀\x7f/"), "\"é€😀\x7f/\"");
}

TEST(json_codec, separator_follows_open_brackets) {
    std::string out = "{";
    append_json_key(out, "a");
    out += "1";
    append_json_key(out, "b");
    out += "[";
    append_json_separator(out);
    out += "2";
    append_json_separator(out);
    out += "3]}";
    EXPECT_EQ(out, R"({"a":1,"b":[2,3]})");
}

TEST(json_codec, integers_are_decimal) {
    std::string out;
    append_json_integer(out, -9223372036854775807LL - 1);
    out += ' ';
    append_json_integer(out, 25);
    EXPECT_EQ(out, "-9223372036854775808 25");
}

TEST(json_codec, base64_matches_rfc4648_vectors) {
    EXPECT_EQ(b64(""), "");
    EXPECT_EQ(b64("f"), "Zg==");
    EXPECT_EQ(b64("fo"), "Zm8=");
    EXPECT_EQ(b64("foo"), "Zm9v");
    EXPECT_EQ(b64("foob"), "Zm9vYg==");
    EXPECT_EQ(b64("fooba"), "Zm9vYmE=");
    EXPECT_EQ(b64("foobar"), "Zm9vYmFy");
    EXPECT_EQ(b64(std::string("\x00\xff\xfe", 3)), "AP/+");
}

TEST(json_codec, base64_decode_inverts_vectors) {
    for (std::string_view text : {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy", "AP/+"}) {
        std::string bytes;
        ASSERT_TRUE(base64_decode(text, bytes)) << text;
        EXPECT_EQ(b64(bytes), text);
    }
    std::string bytes;
    ASSERT_TRUE(base64_decode("AP/+", bytes));
    EXPECT_EQ(bytes, std::string("\x00\xff\xfe", 3));
}

TEST(json_codec, base64_decode_of_malformed_text_fails) {
    for (std::string_view text : {"Zg=", "Zg", "Zg==Zg==", "Z===", "====", "Zh==", "Zm9=", "Zm9-", "Zm 9",
                                  "Zm9v\n", "Zm9v====", "=Zm9"}) {
        std::string bytes;
        EXPECT_FALSE(base64_decode(text, bytes)) << text;
    }
}

TEST(json_codec, scalars_encode_as_documented) {
    EXPECT_EQ(encode(attribute_value::string("owner-1")), R"({"S":"owner-1"})");
    EXPECT_EQ(encode(attribute_value::string("")), R"({"S":""})");
    EXPECT_EQ(encode(attribute_value::number("-1E-130")), R"({"N":"-1E-130"})");
    EXPECT_EQ(encode(attribute_value::number(42)), R"({"N":"42"})");
    EXPECT_EQ(encode(attribute_value::binary("foo")), R"({"B":"Zm9v"})");
    EXPECT_EQ(encode(attribute_value::binary("")), R"({"B":""})");
    EXPECT_EQ(encode(attribute_value::boolean(true)), R"({"BOOL":true})");
    EXPECT_EQ(encode(attribute_value::boolean(false)), R"({"BOOL":false})");
    EXPECT_EQ(encode(attribute_value::null()), R"({"NULL":true})");
}

TEST(json_codec, containers_encode_as_documented) {
    EXPECT_EQ(encode(attribute_value::list({})), R"({"L":[]})");
    EXPECT_EQ(encode(attribute_value::map({})), R"({"M":{}})");
    EXPECT_EQ(encode(attribute_value::list({attribute_value::string("a"), attribute_value::number(1)})),
              R"({"L":[{"S":"a"},{"N":"1"}]})");
    EXPECT_EQ(
        encode(attribute_value::map({{"k", attribute_value::boolean(true)}, {"n", attribute_value::null()}})),
        R"({"M":{"k":{"BOOL":true},"n":{"NULL":true}}})");
    EXPECT_EQ(encode(attribute_value::string_set({"a", "b"})), R"({"SS":["a","b"]})");
    EXPECT_EQ(encode(attribute_value::number_set({"1", "2.5"})), R"({"NS":["1","2.5"]})");
    EXPECT_EQ(encode(attribute_value::binary_set({"f", "fo"})), R"({"BS":["Zg==","Zm8="]})");
}

TEST(json_codec, names_and_values_are_escaped_inside_items) {
    std::string out;
    encode_item({{"we\"ird\n", attribute_value::string("tab\there")}}, out);
    EXPECT_EQ(out, R"({"we\"ird\n":{"S":"tab\there"}})");
}

TEST(json_codec, unvalidated_number_text_cannot_break_json) {
    EXPECT_EQ(encode(attribute_value::number("1\"}")), R"({"N":"1\"}"})");
}

// ---- round trips --------------------------------------------------------------------------------

attribute_map every_kind() {
    return attribute_map{
        {"s", attribute_value::string("héllo \"world\"\n\x01")},
        {"empty", attribute_value::string("")},
        {"n", attribute_value::number("-1E-130")},
        {"z", attribute_value::number("0.000")},
        {"big", attribute_value::number("12345678901234567890123456789012345678")},
        {"b", attribute_value::binary(std::string("\x00\x01\xfe\xff", 4))},
        {"t", attribute_value::boolean(true)},
        {"f", attribute_value::boolean(false)},
        {"nil", attribute_value::null()},
        {"l", attribute_value::list({attribute_value::number(1), attribute_value::list({}),
                                     attribute_value::map({{"deep", attribute_value::string_set({"x"})}})})},
        {"m", attribute_value::map({{"inner", attribute_value::map({{"l", attribute_value::list({})}})},
                                    {"bs", attribute_value::binary_set({"a", "bc"})}})},
        {"ss", attribute_value::string_set({"b", "a", "é"})},
        {"ns", attribute_value::number_set({"1", "-2.5", "3E+10"})},
        {"bs", attribute_value::binary_set({std::string("\0", 1), "xyz"})},
    };
}

TEST(json_codec, decode_of_encode_gives_every_kind_back) {
    const attribute_map item = every_kind();
    std::string text;
    encode_item(item, text);
    attribute_map back;
    std::string message;
    ASSERT_FALSE(parse_item(text, back, message)) << message;
    EXPECT_EQ(back, item);
    // Order is kept too.
    auto it = back.begin();
    for (const auto& [name, value] : item)
        EXPECT_EQ((it++)->first, name);
}

TEST(json_codec, single_values_round_trip) {
    for (const auto& [name, value] : every_kind()) {
        attribute_value back;
        std::string message;
        ASSERT_FALSE(parse_attribute_value(encode(value), back, message)) << name << ": " << message;
        EXPECT_EQ(back, value) << name;
    }
}

TEST(json_codec, service_text_round_trips_byte_for_byte) {
    const std::string text =
        R"({"pk":{"S":"lock#1"},"owner":{"S":"host-a"},"expires":{"N":"1700000000"},"n":{"N":"-1E-130"},)"
        R"("z":{"N":"0.000"},"big":{"N":"12345678901234567890123456789012345678"},"b":{"B":"AP/+"},)"
        R"("ok":{"BOOL":true},"no":{"BOOL":false},"nil":{"NULL":true},"l":{"L":[{"S":"a"},{"N":"1"},{"L":[]}]},)"
        R"("m":{"M":{"inner":{"SS":["x","y"]},"e":{"M":{}}}},"ns":{"NS":["1","2.5"]},"bs":{"BS":["AQ==","Ag=="]},)"
        R"("esc":{"S":"line\nbreak \"q\" \\ \u0001 é 😀"},"uni\u001Fname":{"S":""}})";
    attribute_map item;
    std::string message;
    ASSERT_FALSE(parse_item(text, item, message)) << message;
    std::string again;
    encode_item(item, again);
    EXPECT_EQ(again, text);
}

TEST(json_codec, decoded_values_have_expected_content) {
    attribute_map item;
    std::string message;
    ASSERT_FALSE(parse_item(R"({"b":{"B":"AP/+"},"s":{"S":"a\u00e9\n"},"ns":{"NS":["7"]}})", item, message));
    EXPECT_EQ(item.get("b")->as_binary(), std::string("\x00\xff\xfe", 3));
    EXPECT_EQ(item.get("s")->as_string(), "a\xc3\xa9\n");
    EXPECT_EQ(item.get("ns")->as_number_set(), attribute_value::set_type{"7"});
}

TEST(json_codec, decode_item_accepts_dom_values) {
    boost::json::value v = boost::json::parse(R"({"pk":{"S":"k"},"v":{"N":"3"}})");
    attribute_map item;
    std::string message;
    ASSERT_FALSE(decode_item(v, item, message)) << message;
    EXPECT_EQ(item,
              (attribute_map{{"pk", attribute_value::string("k")}, {"v", attribute_value::number("3")}}));
    attribute_map again;
    ASSERT_FALSE(decode_item(v.as_object(), again, message));
    EXPECT_EQ(again, item);
}

TEST(json_codec, decode_item_replaces_previous_content) {
    attribute_map item{{"old", attribute_value::null()}};
    std::string message;
    ASSERT_FALSE(parse_item(R"({"new":{"NULL":true}})", item, message));
    EXPECT_FALSE(item.contains("old"));
    EXPECT_TRUE(item.contains("new"));
}

TEST(json_codec, nesting_deeper_than_boost_default_parses) {
    // 32 levels of L take 64 JSON levels: more than Boost.JSON's default limit of 32.
    std::string text;
    for (int i = 0; i < 32; ++i)
        text += R"({"L":[)";
    text += R"({"S":"leaf"})";
    for (int i = 0; i < 32; ++i)
        text += "]}";
    attribute_value v;
    std::string message;
    ASSERT_FALSE(parse_attribute_value(text, v, message)) << message;
    int depth = 0;
    const attribute_value* p = &v;
    while (p->type() == dynalock::attribute_type::list) {
        ++depth;
        p = &p->as_list().front();
    }
    EXPECT_EQ(depth, 32);
    EXPECT_EQ(p->as_string(), "leaf");
}

// ---- malformed input ----------------------------------------------------------------------------

struct malformed_case {
    const char* json;
    const char* message_part;
};

class json_codec_malformed_value : public ::testing::TestWithParam<malformed_case> {};

TEST_P(json_codec_malformed_value, decoding_fails_with_message) {
    attribute_value v;
    std::string message;
    const dynalock::error_code ec = parse_attribute_value(GetParam().json, v, message);
    EXPECT_EQ(ec, errc::malformed_response) << GetParam().json;
    EXPECT_NE(message.find(GetParam().message_part), std::string::npos) << message;
}

INSTANTIATE_TEST_SUITE_P(
    json_codec, json_codec_malformed_value,
    ::testing::Values(
        malformed_case{R"({"S":"trunc)", "invalid JSON"}, malformed_case{R"({"S":"x")", "invalid JSON"},
        malformed_case{R"({"S":"x"} trailing)", "invalid JSON"}, malformed_case{"", "invalid JSON"},
        malformed_case{R"("S")", "must be a JSON object"}, malformed_case{R"({})", "no type member"},
        malformed_case{R"({"S":"a","N":"1"})", "more than one type member"},
        malformed_case{R"({"X":"a"})", "unknown AttributeValue type"},
        malformed_case{R"({"s":"a"})", "unknown AttributeValue type"},
        malformed_case{R"({"S":1})", "S must be a JSON string"},
        malformed_case{R"({"N":12})", "number must be a JSON string"},
        malformed_case{R"({"N":"abc"})", "number"}, malformed_case{R"({"N":""})", "number is empty"},
        malformed_case{R"({"N":"1e200"})", "larger than"},
        malformed_case{R"({"N":"123456789012345678901234567890123456789"})", "38 significant digits"},
        malformed_case{R"({"B":"!!!!"})", "base64"}, malformed_case{R"({"B":"Zg="})", "base64"},
        malformed_case{R"({"B":5})", "binary value must be a JSON string"},
        malformed_case{R"({"BOOL":"true"})", "BOOL must be a JSON boolean"},
        malformed_case{R"({"NULL":false})", "NULL must be true"},
        malformed_case{R"({"NULL":null})", "NULL must be true"},
        malformed_case{R"({"L":{}})", "L must be a JSON array"},
        malformed_case{R"({"M":[]})", "M must be a JSON object"},
        malformed_case{R"({"SS":"a"})", "set must be a JSON array"},
        malformed_case{R"({"SS":[1]})", "[0]: a string set element"},
        malformed_case{R"({"NS":["1","x"]})", "[1]: number"},
        malformed_case{R"({"BS":["AQ==","@@@@"]})", "[1]: binary value is not valid base64"},
        malformed_case{"{\"S\":\"\xff\"}", "invalid JSON"}));

TEST(json_codec, nested_error_names_the_path) {
    attribute_map item;
    std::string message;
    const auto ec = parse_item(
        R"({"ok":{"S":"x"},"m":{"M":{"inner":{"L":[{"N":"1"},{"S":"a","B":"AA=="}]}}}})", item, message);
    EXPECT_EQ(ec, errc::malformed_response);
    EXPECT_EQ(message, "m.inner[1]: AttributeValue has more than one type member");
}

TEST(json_codec, item_that_is_not_an_object_fails) {
    attribute_map item;
    std::string message;
    EXPECT_EQ(parse_item("[]", item, message), errc::malformed_response);
    EXPECT_EQ(parse_item(R"({"a":"plain"})", item, message), errc::malformed_response);
    EXPECT_EQ(message, "a: an AttributeValue must be a JSON object");
}

TEST(json_codec, hostile_nesting_fails_without_crashing) {
    std::string text;
    for (int i = 0; i < 100000; ++i)
        text += R"({"L":[)";
    attribute_value v;
    std::string message;
    EXPECT_EQ(parse_attribute_value(text, v, message), errc::malformed_response);
}

TEST(json_codec, dom_nesting_beyond_guard_fails) {
    // A DOM built by someone else (not depth-limited by our parser): the decoder's own guard stops it.
    boost::json::value v = boost::json::object{{"S", "leaf"}};
    for (int i = 0; i < 70; ++i)
        v = boost::json::object{{"L", boost::json::array{v}}};
    attribute_value out;
    std::string message;
    EXPECT_EQ(decode_attribute_value(v, out, message), errc::malformed_response);
    EXPECT_NE(message.find("nested too deeply"), std::string::npos) << message;
}

} // namespace
