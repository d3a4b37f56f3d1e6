// SPDX-License-Identifier: BSL-1.0
#include "crc32.hpp"

#include <array>
#include <cstddef>

namespace dynalock::core {

namespace {

constexpr std::uint32_t reflected_polynomial = 0xEDB88320u;

// Slicing-by-8: table[0] is the classic byte-at-a-time table; table[k][b] is the CRC of byte b followed
// by k zero bytes, which lets the loop fold eight input bytes per step instead of one.
using crc_tables = std::array<std::array<std::uint32_t, 256>, 8>;

constexpr crc_tables make_tables() noexcept {
    crc_tables t{};
    for (std::uint32_t b = 0; b < 256; ++b) {
        std::uint32_t c = b;
        for (int bit = 0; bit < 8; ++bit)
            c = (c & 1u) != 0 ? (c >> 1) ^ reflected_polynomial : c >> 1;
        t[0][b] = c;
    }
    for (std::size_t k = 1; k < t.size(); ++k)
        for (std::size_t b = 0; b < 256; ++b)
            t[k][b] = (t[k - 1][b] >> 8) ^ t[0][t[k - 1][b] & 0xFFu];
    return t;
}

constexpr crc_tables tables = make_tables();

// Assembling the word byte by byte keeps the code independent of host endianness and alignment; compilers
// turn it into one load on little-endian targets.
inline std::uint32_t load_le32(const unsigned char* p) noexcept {
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
           static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

} // namespace

std::uint32_t crc32_update(std::uint32_t crc, std::string_view data) noexcept {
    auto c = ~crc;
    const auto* p = reinterpret_cast<const unsigned char*>(data.data());
    auto n = data.size();
    while (n >= 8) {
        const auto lo = load_le32(p) ^ c;
        const auto hi = load_le32(p + 4);
        c = tables[7][lo & 0xFFu] ^ tables[6][(lo >> 8) & 0xFFu] ^ tables[5][(lo >> 16) & 0xFFu] ^
            tables[4][lo >> 24] ^ tables[3][hi & 0xFFu] ^ tables[2][(hi >> 8) & 0xFFu] ^
            tables[1][(hi >> 16) & 0xFFu] ^ tables[0][hi >> 24];
        p += 8;
        n -= 8;
    }
    for (; n != 0; --n, ++p)
        c = (c >> 8) ^ tables[0][(c ^ *p) & 0xFFu];
    return ~c;
}

std::uint32_t crc32(std::string_view data) noexcept {
    return crc32_update(0, data);
}

} // namespace dynalock::core
