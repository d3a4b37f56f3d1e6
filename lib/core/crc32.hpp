// SPDX-License-Identifier: BSL-1.0
// CRC-32 (IEEE 802.3, the zlib one): what DynamoDB puts in `x-amz-crc32`.
#ifndef DYNALOCK_CORE_CRC32_HPP
#define DYNALOCK_CORE_CRC32_HPP

#include <cstdint>
#include <string_view>

namespace dynalock::core {

/// CRC-32 of `data`: reflected polynomial 0xEDB88320, initial value and final xor 0xFFFFFFFF.
std::uint32_t crc32(std::string_view data) noexcept;

/// Continues a CRC over more bytes, so a body received in pieces needs no copy. `crc` is the result so
/// far (0 before the first piece): crc32_update(crc32(a), b) == crc32(a + b), like zlib's crc32().
std::uint32_t crc32_update(std::uint32_t crc, std::string_view data) noexcept;

} // namespace dynalock::core

#endif
