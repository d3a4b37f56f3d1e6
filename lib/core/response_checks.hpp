// SPDX-License-Identifier: BSL-1.0
// Integrity checks on a reply before its body is trusted.
#ifndef DYNALOCK_CORE_RESPONSE_CHECKS_HPP
#define DYNALOCK_CORE_RESPONSE_CHECKS_HPP

#include <dynalock/error.hpp>

#include "http_message.hpp"

namespace dynalock::core {

/// Checks the body against DynamoDB's `x-amz-crc32` header (CRC-32 of the body bytes as received).
/// A missing or unparsable header skips the check (as the SDKs do) and gives no error; a mismatch gives
/// errc::checksum_mismatch, which is transient: the reply was damaged on the way.
error_code check_crc32(const http_response& response) noexcept;

} // namespace dynalock::core

#endif
