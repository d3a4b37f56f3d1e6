// SPDX-License-Identifier: BSL-1.0
// The store's item layout: expiry rule, item -> kv_pair, and value bytes in the Go layout.
#include <dynalock/kv_pair.hpp>

#include "core/store_item.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <limits>
#include <string>

namespace {

using namespace dynalock;
using namespace dynalock::core;
using std::chrono::system_clock;

attribute_value S(std::string s) {
    return attribute_value::string(std::move(s));
}
attribute_value N(const char* n) {
    return attribute_value::number(n);
}

// ---- time and expiry ----------------------------------------------------------------------------

TEST(store_item, epoch_seconds_round_down) {
    EXPECT_EQ(epoch_seconds(system_clock::time_point(std::chrono::milliseconds(1'700'000'000'999))),
              1'700'000'000);
    EXPECT_EQ(epoch_seconds(system_clock::time_point(std::chrono::milliseconds(1'700'000'000'000))),
              1'700'000'000);
    EXPECT_EQ(epoch_seconds(system_clock::time_point(std::chrono::milliseconds(-1'500))), -2);
}

TEST(store_item, integer_expiry_is_taken_as_is) {
    EXPECT_EQ(expiry_seconds(N("1700000000")), 1'700'000'000);
    EXPECT_EQ(expiry_seconds(N("-5")), -5);
    EXPECT_EQ(expiry_seconds(N("0")), 0);
}

TEST(store_item, fractional_expiry_rounds_up) {
    // DynamoDB compares 10.5 <= now exactly: that holds from second 11 on.
    EXPECT_EQ(expiry_seconds(N("10.5")), 11);
    EXPECT_EQ(expiry_seconds(N("-10.5")), -10);
    EXPECT_EQ(expiry_seconds(N("1E3")), 1000);
    EXPECT_EQ(expiry_seconds(N("1.0")), 1);
}

TEST(store_item, out_of_range_expiry_saturates) {
    EXPECT_EQ(expiry_seconds(N("1E+100")), std::numeric_limits<std::int64_t>::max());
    EXPECT_EQ(expiry_seconds(N("-1E+100")), std::numeric_limits<std::int64_t>::min());
    EXPECT_EQ(expiry_seconds(N("99999999999999999999")), std::numeric_limits<std::int64_t>::max());
}

TEST(store_item, non_number_expiry_means_never) {
    EXPECT_FALSE(expiry_seconds(S("1700000000")).has_value());
    EXPECT_FALSE(expiry_seconds(attribute_value::null()).has_value());
}

TEST(store_item, item_expires_at_its_second_not_after) {
    store_schema schema;
    attribute_map item{{"id", S("p")}, {"name", S("k")}, {"expires", N("100")}};
    EXPECT_FALSE(is_expired(item, schema, 99));
    // The Go library had a dead second here: readers said expired, creators said still live.
    EXPECT_TRUE(is_expired(item, schema, 100));
    EXPECT_TRUE(is_expired(item, schema, 101));
}

TEST(store_item, item_without_numeric_expiry_never_expires) {
    store_schema schema;
    EXPECT_FALSE(is_expired(attribute_map{{"id", S("p")}}, schema, 1'700'000'000));
    EXPECT_FALSE(is_expired(attribute_map{{"expires", S("0")}}, schema, 1'700'000'000));
}

TEST(store_item, expiry_uses_the_schema_name) {
    store_schema schema;
    schema.expires = "ttl";
    EXPECT_TRUE(is_expired(attribute_map{{"ttl", N("5")}}, schema, 10));
    EXPECT_FALSE(is_expired(attribute_map{{"expires", N("5")}}, schema, 10));
}

// ---- item -> pair -------------------------------------------------------------------------------

TEST(store_item, go_layout_item_decodes) {
    attribute_map item{
        {"id", S("agent")},         {"name", S("jobs/1")},  {"version", N("7")}, {"expires", N("1700000000")},
        {"payload", S("aGVsbG8=")}, {"created", S("2020")}, {"pk1", S("user")}};
    kv_pair pair;
    std::string message;
    ASSERT_FALSE(decode_pair(std::move(item), store_schema{}, pair, message)) << message;
    EXPECT_EQ(pair.partition, "agent");
    EXPECT_EQ(pair.key, "jobs/1");
    EXPECT_EQ(pair.version, 7);
    EXPECT_EQ(pair.expires, 1'700'000'000);
    ASSERT_TRUE(pair.value.has_value());
    EXPECT_EQ(*pair.value, S("aGVsbG8="));
    EXPECT_EQ(pair.bytes(), "hello");
    ASSERT_EQ(pair.attributes.size(), 2u);
    EXPECT_EQ(pair.attributes.begin()->first, "created"); // DynamoDB's order is kept
    EXPECT_EQ(*pair.attributes.get("pk1"), S("user"));
}

TEST(store_item, minimal_item_decodes_with_defaults) {
    kv_pair pair;
    std::string message;
    ASSERT_FALSE(decode_pair(attribute_map{{"id", S("p")}, {"name", S("k")}}, store_schema{}, pair, message));
    EXPECT_EQ(pair.version, 0);
    EXPECT_FALSE(pair.expires.has_value());
    EXPECT_FALSE(pair.value.has_value());
    EXPECT_FALSE(pair.bytes().has_value());
    EXPECT_TRUE(pair.attributes.empty());
}

TEST(store_item, custom_schema_names_decode) {
    store_schema schema{"pk", "sk", "rev", "ttl", "data"};
    attribute_map item{{"pk", S("p")},  {"sk", S("k")},    {"rev", N("3")},
                       {"ttl", N("9")}, {"data", N("42")}, {"id", S("not the key")}};
    kv_pair pair;
    std::string message;
    ASSERT_FALSE(decode_pair(std::move(item), schema, pair, message)) << message;
    EXPECT_EQ(pair.key, "k");
    EXPECT_EQ(pair.version, 3);
    EXPECT_EQ(pair.expires, 9);
    EXPECT_EQ(*pair.value, N("42"));
    ASSERT_EQ(pair.attributes.size(), 1u);
    EXPECT_EQ(*pair.attributes.get("id"), S("not the key"));
}

TEST(store_item, non_integer_version_decodes_as_zero) {
    kv_pair pair;
    std::string message;
    ASSERT_FALSE(decode_pair(attribute_map{{"id", S("p")}, {"name", S("k")}, {"version", S("7")}},
                             store_schema{}, pair, message));
    EXPECT_EQ(pair.version, 0);
}

TEST(store_item, non_number_expiry_is_kept_as_an_attribute) {
    kv_pair pair;
    std::string message;
    ASSERT_FALSE(decode_pair(attribute_map{{"id", S("p")}, {"name", S("k")}, {"expires", S("soon")}},
                             store_schema{}, pair, message));
    EXPECT_FALSE(pair.expires.has_value());
    ASSERT_NE(pair.attributes.get("expires"), nullptr);
    EXPECT_EQ(*pair.attributes.get("expires"), S("soon"));
}

TEST(store_item, item_without_string_keys_is_malformed) {
    kv_pair pair;
    std::string message;
    EXPECT_EQ(decode_pair(attribute_map{{"id", S("p")}}, store_schema{}, pair, message),
              errc::malformed_response);
    EXPECT_NE(message.find("'name'"), std::string::npos) << message;
    EXPECT_EQ(decode_pair(attribute_map{{"id", N("1")}, {"name", S("k")}}, store_schema{}, pair, message),
              errc::malformed_response);
    EXPECT_NE(message.find("'id'"), std::string::npos) << message;
}

// ---- bytes --------------------------------------------------------------------------------------

TEST(store_item, bytes_encode_as_go_base64_string) {
    // RFC 4648 section 10 test vectors.
    EXPECT_EQ(encode_bytes("foobar", bytes_encoding::base64_string), S("Zm9vYmFy"));
    EXPECT_EQ(encode_bytes("fo", bytes_encoding::base64_string), S("Zm8="));
    EXPECT_EQ(encode_bytes("", bytes_encoding::base64_string), S(""));
    EXPECT_EQ(encode_bytes(std::string("\xff\x00", 2), bytes_encoding::base64_string), S("/wA="));
}

TEST(store_item, bytes_encode_as_binary_on_request) {
    EXPECT_EQ(encode_bytes(std::string("\x00\x01", 2), bytes_encoding::binary),
              attribute_value::binary(std::string("\x00\x01", 2)));
}

TEST(store_item, bytes_decode_from_string_or_binary) {
    EXPECT_EQ(decode_bytes(S("Zm9vYmFy")), "foobar");
    EXPECT_EQ(decode_bytes(S("/wA=")), std::string("\xff\x00", 2));
    EXPECT_EQ(decode_bytes(attribute_value::binary("raw")), "raw");
}

TEST(store_item, other_values_are_not_bytes) {
    EXPECT_FALSE(decode_bytes(S("not base64!")).has_value());
    EXPECT_FALSE(decode_bytes(S("Zm9vYmFy\n")).has_value());
    EXPECT_FALSE(decode_bytes(N("1")).has_value());
    EXPECT_FALSE(decode_bytes(attribute_value::map({})).has_value());
}

} // namespace
