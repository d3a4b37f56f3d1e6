// SPDX-License-Identifier: BSL-1.0
// The x-amz-crc32 check on replies.
#include "core/response_checks.hpp"

#include <gtest/gtest.h>

namespace {

using dynalock::errc;
using dynalock::error_code;
using dynalock::core::check_crc32;
using dynalock::core::http_response;

http_response with_crc(std::string body, std::string header) {
    http_response r;
    r.status = 200;
    r.body = std::move(body);
    r.headers.push_back({"x-amz-crc32", std::move(header)});
    return r;
}

// Reference values of the standard CRC-32 (zlib): "123456789" is the usual check value, and 2745614147
// is what DynamoDB sends with an empty `{}` reply.
TEST(check_crc32, matching_header_passes) {
    EXPECT_FALSE(check_crc32(with_crc("123456789", "3421780262")));
    EXPECT_FALSE(check_crc32(with_crc("{}", "2745614147")));
    EXPECT_FALSE(check_crc32(with_crc("", "0")));
    EXPECT_FALSE(check_crc32(with_crc("{}", " 2745614147 ")));
}

TEST(check_crc32, header_name_is_case_insensitive) {
    http_response r;
    r.body = "{}";
    r.headers.push_back({"X-Amz-Crc32", "1"});
    EXPECT_EQ(check_crc32(r), error_code(errc::checksum_mismatch));
}

TEST(check_crc32, mismatch_is_checksum_mismatch) {
    EXPECT_EQ(check_crc32(with_crc("{} ", "2745614147")), error_code(errc::checksum_mismatch));
    EXPECT_EQ(check_crc32(with_crc("{}", "2745614146")), error_code(errc::checksum_mismatch));
    EXPECT_EQ(check_crc32(with_crc("123456789", "0")), error_code(errc::checksum_mismatch));
    EXPECT_TRUE(dynalock::is_retryable(check_crc32(with_crc("{}", "1"))));
}

TEST(check_crc32, missing_header_skips_check) {
    http_response r;
    r.body = "anything";
    EXPECT_FALSE(check_crc32(r));
}

TEST(check_crc32, unparsable_header_skips_check) {
    for (const char* h :
         {"", " ", "abc", "-1", "+5", "0x1F", "12 34", "4294967296", "99999999999999999999", "3421780262x"}) {
        SCOPED_TRACE(h);
        EXPECT_FALSE(check_crc32(with_crc("body that matches none of these", h)));
    }
}

} // namespace
