// SPDX-License-Identifier: BSL-1.0
// CRC-32 against independently known values (the standard check value and vectors computed with Python's
// zlib.crc32 when this file was written) and against a bit-at-a-time reference.
#include "core/crc32.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <string_view>

namespace {

using dynalock::core::crc32;
using dynalock::core::crc32_update;

// The textbook definition, one bit at a time: slow, but shares nothing with the table-driven code.
std::uint32_t bitwise_crc32(std::string_view data) {
    std::uint32_t c = 0xFFFFFFFFu;
    for (unsigned char byte : data) {
        c ^= byte;
        for (int bit = 0; bit < 8; ++bit)
            c = (c & 1u) != 0 ? (c >> 1) ^ 0xEDB88320u : c >> 1;
    }
    return ~c;
}

// Bytes that are not all alike, so a wrong table entry or lane order shows.
std::string pseudo_random_bytes(std::size_t n) {
    std::string s(n, '\0');
    std::uint32_t x = 0x12345678u;
    for (auto& ch : s) {
        x = x * 1664525u + 1013904223u;
        ch = static_cast<char>(x >> 24);
    }
    return s;
}

TEST(crc32, check_value_123456789_matches_standard) {
    EXPECT_EQ(crc32("123456789"), 0xCBF43926u);
}

TEST(crc32, empty_input_is_zero) {
    EXPECT_EQ(crc32(""), 0u);
}

struct known_vector {
    std::string data;
    std::uint32_t expected;
};

TEST(crc32, zlib_vectors_match) {
    const known_vector vectors[] = {
        {"a", 0xE8B7BE43u},
        {"abc", 0x352441C2u},
        {"The quick brown fox jumps over the lazy dog", 0x414FA339u},
        {"{}", 0xA3A6BF43u},
        {R"({"TableNames":[]})", 0x4E6F6EF9u},
        {std::string(32, '\0'), 0x190A55ADu},
        {std::string(32, '\xFF'), 0xFF6CAB0Bu},
        {std::string(1000, 'a'), 0x9A38DA03u},
    };
    for (const auto& v : vectors)
        EXPECT_EQ(crc32(v.data), v.expected) << "input of " << v.data.size() << " bytes";
}

TEST(crc32, all_byte_values_match_zlib) {
    std::string all(256, '\0');
    for (std::size_t i = 0; i < all.size(); ++i)
        all[i] = static_cast<char>(i);
    EXPECT_EQ(crc32(all), 0x29058C73u);
}

TEST(crc32, every_length_and_offset_matches_bitwise_reference) {
    // Lengths around the 8-byte stride and offsets 0..7 exercise the fast loop, the tail and misalignment.
    const auto bytes = pseudo_random_bytes(300);
    for (std::size_t offset = 0; offset < 8; ++offset)
        for (std::size_t len = 0; len + offset <= 80; ++len) {
            std::string_view piece(bytes.data() + offset, len);
            ASSERT_EQ(crc32(piece), bitwise_crc32(piece)) << "offset " << offset << " length " << len;
        }
    EXPECT_EQ(crc32(bytes), bitwise_crc32(bytes));
}

TEST(crc32, incremental_equals_one_shot) {
    const auto bytes = pseudo_random_bytes(1000);
    const auto whole = crc32(bytes);
    for (std::size_t split : {0u, 1u, 7u, 8u, 9u, 500u, 999u, 1000u}) {
        std::string_view v(bytes);
        EXPECT_EQ(crc32_update(crc32(v.substr(0, split)), v.substr(split)), whole) << "split at " << split;
    }
    // Many small pieces, as a body arrives from the socket.
    std::uint32_t running = 0;
    for (std::size_t pos = 0; pos < bytes.size(); pos += 13)
        running = crc32_update(running, std::string_view(bytes).substr(pos, 13));
    EXPECT_EQ(running, whole);
}

TEST(crc32, update_with_empty_piece_is_identity) {
    const auto c = crc32("abc");
    EXPECT_EQ(crc32_update(c, ""), c);
    EXPECT_EQ(crc32_update(0, "abc"), c);
}

} // namespace
