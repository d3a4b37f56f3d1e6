// SPDX-License-Identifier: BSL-1.0
// The AttributeValue model: construction, accessors, equality, attribute_map.
#include <dynalock/attribute_value.hpp>

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <iterator>
#include <limits>
#include <span>
#include <string>
#include <variant>

namespace {

using dynalock::attribute_map;
using dynalock::attribute_type;
using dynalock::attribute_value;

TEST(attribute_value, default_constructed_is_null) {
    attribute_value v;
    EXPECT_EQ(v.type(), attribute_type::null);
    EXPECT_TRUE(v.is_null());
    EXPECT_EQ(v, attribute_value::null());
}

TEST(attribute_value, factories_set_the_type) {
    EXPECT_EQ(attribute_value::string("x").type(), attribute_type::string);
    EXPECT_EQ(attribute_value::number("12.5").type(), attribute_type::number);
    EXPECT_EQ(attribute_value::number(7).type(), attribute_type::number);
    EXPECT_EQ(attribute_value::binary("ab").type(), attribute_type::binary);
    EXPECT_EQ(attribute_value::boolean(false).type(), attribute_type::boolean);
    EXPECT_EQ(attribute_value::null().type(), attribute_type::null);
    EXPECT_EQ(attribute_value::list({}).type(), attribute_type::list);
    EXPECT_EQ(attribute_value::map({}).type(), attribute_type::map);
    EXPECT_EQ(attribute_value::string_set({"a"}).type(), attribute_type::string_set);
    EXPECT_EQ(attribute_value::number_set({"1"}).type(), attribute_type::number_set);
    EXPECT_EQ(attribute_value::binary_set({"a"}).type(), attribute_type::binary_set);
}

TEST(attribute_value, type_descriptor_gives_wire_tags) {
    EXPECT_EQ(dynalock::type_descriptor(attribute_type::string), "S");
    EXPECT_EQ(dynalock::type_descriptor(attribute_type::number), "N");
    EXPECT_EQ(dynalock::type_descriptor(attribute_type::binary), "B");
    EXPECT_EQ(dynalock::type_descriptor(attribute_type::boolean), "BOOL");
    EXPECT_EQ(dynalock::type_descriptor(attribute_type::null), "NULL");
    EXPECT_EQ(dynalock::type_descriptor(attribute_type::list), "L");
    EXPECT_EQ(dynalock::type_descriptor(attribute_type::map), "M");
    EXPECT_EQ(dynalock::type_descriptor(attribute_type::string_set), "SS");
    EXPECT_EQ(dynalock::type_descriptor(attribute_type::number_set), "NS");
    EXPECT_EQ(dynalock::type_descriptor(attribute_type::binary_set), "BS");
}

TEST(attribute_value, string_overloads_keep_content) {
    std::string s = "héllo";
    std::string_view sv = "view";
    EXPECT_EQ(attribute_value::string(s).as_string(), "héllo");
    EXPECT_EQ(attribute_value::string(sv).as_string(), "view");
    EXPECT_EQ(attribute_value::string(std::string("moved")).as_string(), "moved");
    EXPECT_EQ(attribute_value::string("").as_string(), "");
}

TEST(attribute_value, number_text_is_kept_exactly) {
    EXPECT_EQ(attribute_value::number("-1E-130").as_number(), "-1E-130");
    EXPECT_EQ(attribute_value::number("0.000").as_number(), "0.000");
    EXPECT_EQ(attribute_value::number("12345678901234567890123456789012345678").as_number(),
              "12345678901234567890123456789012345678");
}

TEST(attribute_value, number_from_integral_types_is_decimal_text) {
    EXPECT_EQ(attribute_value::number(0).as_number(), "0");
    EXPECT_EQ(attribute_value::number(std::int8_t{-8}).as_number(), "-8");
    EXPECT_EQ(attribute_value::number(std::numeric_limits<std::int64_t>::min()).as_number(),
              "-9223372036854775808");
    EXPECT_EQ(attribute_value::number(std::numeric_limits<std::uint64_t>::max()).as_number(),
              "18446744073709551615");
}

TEST(attribute_value, binary_from_bytes_keeps_raw_bytes) {
    const std::array<std::byte, 3> bytes{std::byte{0x00}, std::byte{0xFF}, std::byte{0x10}};
    const attribute_value v = attribute_value::binary(std::span<const std::byte>(bytes));
    ASSERT_EQ(v.as_binary().size(), 3u);
    EXPECT_EQ(v.as_binary()[0], '\0');
    EXPECT_EQ(static_cast<unsigned char>(v.as_binary()[1]), 0xFF);
    EXPECT_EQ(v.as_binary()[2], '\x10');
}

TEST(attribute_value, checked_accessor_on_wrong_type_throws) {
    const attribute_value v = attribute_value::string("x");
    EXPECT_THROW((void)v.as_number(), std::bad_variant_access);
    EXPECT_THROW((void)v.as_bool(), std::bad_variant_access);
    EXPECT_THROW((void)v.as_map(), std::bad_variant_access);
    EXPECT_NO_THROW((void)v.as_string());
}

TEST(attribute_value, pointer_accessor_on_wrong_type_is_null) {
    attribute_value v = attribute_value::number("5");
    EXPECT_EQ(v.if_string(), nullptr);
    EXPECT_EQ(v.if_binary(), nullptr);
    EXPECT_EQ(v.if_list(), nullptr);
    EXPECT_EQ(v.if_string_set(), nullptr);
    ASSERT_NE(v.if_number(), nullptr);
    EXPECT_EQ(*v.if_number(), "5");
    *v.if_number() = "6";
    EXPECT_EQ(v.as_number(), "6");
}

TEST(attribute_value, mutable_accessors_change_nested_values) {
    attribute_value v = attribute_value::map({{"l", attribute_value::list({attribute_value::number(1)})}});
    v.as_map()["l"].as_list().push_back(attribute_value::number(2));
    ASSERT_EQ(v.as_map().get("l")->as_list().size(), 2u);
    EXPECT_EQ(v.as_map().get("l")->as_list()[1].as_number(), "2");
}

TEST(attribute_value, to_integer_on_plain_integers_succeeds) {
    EXPECT_EQ(attribute_value::number("42").to_integer<int>(), 42);
    EXPECT_EQ(attribute_value::number("-7").to_integer<std::int64_t>(), -7);
    EXPECT_EQ(attribute_value::number("18446744073709551615").to_integer<std::uint64_t>(),
              std::numeric_limits<std::uint64_t>::max());
}

TEST(attribute_value, to_integer_on_other_text_fails) {
    EXPECT_FALSE(attribute_value::number("1.5").to_integer<int>());
    EXPECT_FALSE(attribute_value::number("1E3").to_integer<int>());
    EXPECT_FALSE(attribute_value::number("300").to_integer<std::int8_t>());
    EXPECT_FALSE(attribute_value::number("").to_integer<int>());
    EXPECT_FALSE(attribute_value::number("-1").to_integer<unsigned>());
    EXPECT_FALSE(attribute_value::string("42").to_integer<int>());
}

TEST(attribute_value, values_of_different_types_differ) {
    EXPECT_NE(attribute_value::string("1"), attribute_value::number("1"));
    EXPECT_NE(attribute_value::string("a"), attribute_value::binary("a"));
    EXPECT_NE(attribute_value::string_set({"a"}), attribute_value::binary_set({"a"}));
    EXPECT_NE(attribute_value::boolean(false), attribute_value::null());
}

TEST(attribute_value, numbers_compare_as_text) {
    EXPECT_EQ(attribute_value::number("1.5"), attribute_value::number("1.5"));
    EXPECT_NE(attribute_value::number("1.0"), attribute_value::number("1"));
}

TEST(attribute_value, sets_compare_without_order) {
    EXPECT_EQ(attribute_value::string_set({"a", "b", "c"}), attribute_value::string_set({"c", "a", "b"}));
    EXPECT_NE(attribute_value::string_set({"a", "b"}), attribute_value::string_set({"a", "c"}));
    EXPECT_NE(attribute_value::string_set({"a", "b"}), attribute_value::string_set({"a", "b", "c"}));
    EXPECT_EQ(attribute_value::number_set({"1", "2"}), attribute_value::number_set({"2", "1"}));
    EXPECT_EQ(attribute_value::binary_set({"x", "y"}), attribute_value::binary_set({"y", "x"}));
}

TEST(attribute_value, lists_compare_with_order) {
    const auto a = attribute_value::list({attribute_value::number(1), attribute_value::number(2)});
    const auto b = attribute_value::list({attribute_value::number(2), attribute_value::number(1)});
    EXPECT_NE(a, b);
    EXPECT_EQ(a, attribute_value::list({attribute_value::number(1), attribute_value::number(2)}));
}

TEST(attribute_value, maps_compare_without_order) {
    const auto a =
        attribute_value::map({{"x", attribute_value::number(1)}, {"y", attribute_value::string("s")}});
    const auto b =
        attribute_value::map({{"y", attribute_value::string("s")}, {"x", attribute_value::number(1)}});
    const auto c =
        attribute_value::map({{"y", attribute_value::string("t")}, {"x", attribute_value::number(1)}});
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    EXPECT_NE(a, attribute_value::map({{"x", attribute_value::number(1)}}));
}

TEST(attribute_value, nested_values_compare_deeply) {
    auto make = [](const char* leaf) {
        return attribute_value::map({{"l", attribute_value::list({attribute_value::map(
                                               {{"s", attribute_value::string_set({leaf, "z"})}})})}});
    };
    EXPECT_EQ(make("a"), make("a"));
    EXPECT_NE(make("a"), make("b"));
}

TEST(attribute_map, insert_or_assign_replaces_in_place) {
    attribute_map m;
    m.insert_or_assign("a", attribute_value::number(1));
    m.insert_or_assign("b", attribute_value::number(2));
    m.insert_or_assign("a", attribute_value::number(3));
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m.begin()->first, "a");
    EXPECT_EQ(m.begin()->second.as_number(), "3");
}

TEST(attribute_map, subscript_adds_null_for_missing_name) {
    attribute_map m;
    EXPECT_TRUE(m["new"].is_null());
    EXPECT_EQ(m.size(), 1u);
    m["new"] = attribute_value::string("v");
    EXPECT_EQ(m.size(), 1u);
    EXPECT_EQ(m.get("new")->as_string(), "v");
}

TEST(attribute_map, lookup_finds_present_and_misses_absent) {
    const attribute_map m{{"pk", attribute_value::string("k")}, {"n", attribute_value::number(1)}};
    EXPECT_TRUE(m.contains("pk"));
    EXPECT_FALSE(m.contains("PK"));
    EXPECT_EQ(m.get("missing"), nullptr);
    ASSERT_NE(m.find("n"), m.end());
    EXPECT_EQ(m.find("n")->second.as_number(), "1");
    EXPECT_EQ(m.find("x"), m.end());
}

TEST(attribute_map, initializer_list_with_repeated_name_keeps_last) {
    const attribute_map m{{"a", attribute_value::number(1)}, {"a", attribute_value::number(2)}};
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m.get("a")->as_number(), "2");
}

TEST(attribute_map, erase_keeps_order_of_others) {
    attribute_map m{
        {"a", attribute_value::null()}, {"b", attribute_value::null()}, {"c", attribute_value::null()}};
    EXPECT_TRUE(m.erase("b"));
    EXPECT_FALSE(m.erase("b"));
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m.begin()->first, "a");
    EXPECT_EQ(std::next(m.begin())->first, "c");
}

TEST(attribute_map, append_adds_at_end_without_lookup) {
    attribute_map m;
    m.append("z", attribute_value::number(1));
    m.append("a", attribute_value::number(2));
    ASSERT_EQ(m.size(), 2u);
    EXPECT_EQ(m.begin()->first, "z");
    EXPECT_EQ(std::next(m.begin())->first, "a");
}

TEST(attribute_map, equality_ignores_member_order) {
    const attribute_map a{{"x", attribute_value::number(1)}, {"y", attribute_value::number(2)}};
    const attribute_map b{{"y", attribute_value::number(2)}, {"x", attribute_value::number(1)}};
    const attribute_map c{{"y", attribute_value::number(2)}, {"z", attribute_value::number(1)}};
    EXPECT_EQ(a, b);
    EXPECT_NE(a, c);
    EXPECT_NE(a, attribute_map{});
}

TEST(attribute_value, large_sets_in_different_orders_are_equal) {
    attribute_value::set_type forward, backward;
    for (int i = 0; i < 100; ++i) {
        forward.push_back(std::to_string(i));
        backward.insert(backward.begin(), std::to_string(i));
    }
    EXPECT_EQ(attribute_value::number_set(forward), attribute_value::number_set(backward));
    backward[0] = "1000";
    EXPECT_NE(attribute_value::number_set(forward), attribute_value::number_set(backward));
}

} // namespace
