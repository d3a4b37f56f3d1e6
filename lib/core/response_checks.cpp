// SPDX-License-Identifier: BSL-1.0
#include "response_checks.hpp"

#include "crc32.hpp"

#include <charconv>
#include <cstdint>
#include <string_view>

namespace dynalock::core {

error_code check_crc32(const http_response& response) noexcept {
    std::string_view value = response.header("x-amz-crc32");
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
        value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t'))
        value.remove_suffix(1);
    // from_chars takes no sign or blanks and fails on values over 32 bits: all of those are "unparsable".
    std::uint32_t expected = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), expected);
    if (value.empty() || ec != std::errc{} || end != value.data() + value.size())
        return {};
    if (crc32(response.body) != expected)
        return errc::checksum_mismatch;
    return {};
}

} // namespace dynalock::core
