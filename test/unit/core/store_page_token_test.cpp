// SPDX-License-Identifier: BSL-1.0
// Page tokens of store listings: round trip, and every way a token can fail to be ours.
#include "core/store_page_token.hpp"

#include <gtest/gtest.h>

#include <string>

namespace {

using namespace dynalock;
using namespace dynalock::core;

page_token_binding listing(std::string_view prefix = "jobs/") {
    page_token_binding b;
    b.add("table").add("").add("id").add("agent").add("name").add(prefix).add("ascending");
    return b;
}

attribute_map sample_key() {
    return {{"id", attribute_value::string("agent")}, {"name", attribute_value::string("jobs/0042")}};
}

TEST(store_page_token, token_round_trips_its_key) {
    attribute_map key{{"id", attribute_value::string("agent")},
                      {"name", attribute_value::string("naïve/ключ")},
                      {"created", attribute_value::number("20200103")},
                      {"blob", attribute_value::binary(std::string("\x00\xff", 2))}};
    auto token = encode_page_token(key, listing());
    attribute_map back;
    std::string message;
    ASSERT_FALSE(decode_page_token(token, listing(), back, message)) << message;
    EXPECT_EQ(back, key);
}

TEST(store_page_token, token_is_url_safe_text) {
    auto token = encode_page_token(sample_key(), listing());
    EXPECT_FALSE(token.empty());
    EXPECT_EQ(token.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
              std::string::npos)
        << token;
}

TEST(store_page_token, token_of_another_listing_is_rejected) {
    auto token = encode_page_token(sample_key(), listing("jobs/"));
    attribute_map back;
    std::string message;
    EXPECT_EQ(decode_page_token(token, listing("jobs/x"), back, message), errc::invalid_argument);
    EXPECT_NE(message.find("another listing"), std::string::npos) << message;
}

TEST(store_page_token, damaged_token_is_rejected) {
    auto token = encode_page_token(sample_key(), listing());
    attribute_map back;
    std::string message;
    // Flip one character of the key part (well past the version and check bytes).
    std::string damaged = token;
    char& c = damaged[damaged.size() / 2 + 8];
    c = c == 'A' ? 'B' : 'A';
    EXPECT_EQ(decode_page_token(damaged, listing(), back, message), errc::invalid_argument);
    // Cut short.
    EXPECT_EQ(decode_page_token(token.substr(0, token.size() - 4), listing(), back, message),
              errc::invalid_argument);
}

TEST(store_page_token, foreign_text_is_rejected) {
    attribute_map back;
    std::string message;
    for (std::string_view foreign : {"hello world", "eyJpZCI6eyJTIjoiYWdlbnQifX0=", "3mJr7AoUXx2Wqd", "a",
                                     "_", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}) {
        EXPECT_EQ(decode_page_token(foreign, listing(), back, message), errc::invalid_argument) << foreign;
        EXPECT_EQ(message.rfind("page_token: ", 0), 0u) << message;
    }
}

TEST(store_page_token, token_of_another_version_is_rejected) {
    auto token = encode_page_token(sample_key(), listing());
    std::string raw;
    ASSERT_TRUE(base64url_decode(token, raw));
    raw[0] = 2;
    std::string other;
    base64url_encode(raw, other);
    attribute_map back;
    std::string message;
    EXPECT_EQ(decode_page_token(other, listing(), back, message), errc::invalid_argument);
    EXPECT_NE(message.find("version"), std::string::npos) << message;
}

TEST(store_page_token, oversized_token_is_rejected_before_decoding) {
    attribute_map back;
    std::string message;
    EXPECT_EQ(decode_page_token(std::string(max_page_token_size + 1, 'A'), listing(), back, message),
              errc::invalid_argument);
    EXPECT_NE(message.find("too long"), std::string::npos) << message;
}

TEST(store_page_token, token_holding_no_key_is_rejected) {
    attribute_map back;
    std::string message;
    // Well-formed and correctly checked, but what it holds cannot be a key.
    attribute_map not_a_key{{"id", attribute_value::map({{"x", attribute_value::string("y")}})}};
    EXPECT_EQ(decode_page_token(encode_page_token(not_a_key, listing()), listing(), back, message),
              errc::invalid_argument);
    EXPECT_EQ(decode_page_token(encode_page_token(attribute_map{}, listing()), listing(), back, message),
              errc::invalid_argument);
    attribute_map too_many;
    for (const char* n : {"a", "b", "c", "d", "e"})
        too_many.insert_or_assign(n, attribute_value::string("v"));
    EXPECT_EQ(decode_page_token(encode_page_token(too_many, listing()), listing(), back, message),
              errc::invalid_argument);
}

TEST(store_page_token, binding_parts_do_not_run_together) {
    page_token_binding a, b;
    a.add("ab").add("c");
    b.add("a").add("bc");
    EXPECT_NE(a.text(), b.text());
    auto token = encode_page_token(sample_key(), a);
    attribute_map back;
    std::string message;
    EXPECT_EQ(decode_page_token(token, b, back, message), errc::invalid_argument);
}

TEST(store_page_token, base64url_uses_the_url_alphabet_without_padding) {
    std::string out;
    base64url_encode(std::string("\xfb\xff", 2), out); // standard base64: "+/8="
    EXPECT_EQ(out, "-_8");
    out.clear();
    base64url_encode("foobar", out);
    EXPECT_EQ(out, "Zm9vYmFy");
    std::string bytes;
    ASSERT_TRUE(base64url_decode("-_8", bytes));
    EXPECT_EQ(bytes, std::string("\xfb\xff", 2));
}

TEST(store_page_token, base64url_decoding_is_strict) {
    std::string bytes;
    EXPECT_FALSE(base64url_decode("+/8", bytes));   // standard alphabet
    EXPECT_FALSE(base64url_decode("Zm8=", bytes));  // padding
    EXPECT_FALSE(base64url_decode("Zm9vY", bytes)); // 1 character past a group
    EXPECT_FALSE(base64url_decode("Zm9", bytes));   // bits set past the last byte
    EXPECT_FALSE(base64url_decode("Zm9 ", bytes));  // blank
    bytes.clear();
    ASSERT_TRUE(base64url_decode("Zm8", bytes));
    EXPECT_EQ(bytes, "fo");
}

} // namespace
