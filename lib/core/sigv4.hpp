// SPDX-License-Identifier: BSL-1.0
// AWS Signature Version 4 (header form) over core::http_request.
//
// `sign` is the general signer: any method, path, query and header set, with the options the official
// test suites need. `signer` is the same algorithm with the derived signing key cached, for the client's
// hot path. Neither reads the clock: the caller passes the time (already corrected for clock skew).
//
// Secrets: the secret key and the signing key never enter a string this file returns. The Authorization
// value holds the signature, so log it only through redact_authorization().
#ifndef DYNALOCK_CORE_SIGV4_HPP
#define DYNALOCK_CORE_SIGV4_HPP

#include <dynalock/error.hpp>

#include "crypto.hpp"
#include "http_message.hpp"

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>

namespace dynalock::core::sigv4 {

/// One consistent set of credentials. Take the copy from the provider in one step, so a refresh running
/// at the same time cannot pair one set's key id with another set's secret.
struct credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token; ///< empty for long-term credentials
};

/// Where the session token goes.
enum class token_placement {
    signed_header,   ///< X-Amz-Security-Token is added before signing and signed (what the SDKs do)
    unsigned_header, ///< added after signing and left out of the signature (suite case post-sts-header-after)
};

/// Chooses the headers to sign; it receives the name in lower case. Host and the headers the signer adds
/// itself are signed whatever it says, and Authorization never is.
using header_predicate = bool (*)(std::string_view lower_case_name) noexcept;

/// botocore's rule: every header except connection, expect, keep-alive, proxy-authenticate,
/// proxy-authorization, te, trailer, transfer-encoding, upgrade, user-agent and x-amzn-trace-id.
bool botocore_signs_header(std::string_view lower_case_name) noexcept;

/// The DynamoDB client's rule: host, content-type and the x-amz-* headers. Transport headers (User-Agent,
/// Content-Length, Accept-Encoding, ...) stay unsigned even when a retry signs a request that already has
/// them, so every attempt signs the same set:
/// `content-type;host;x-amz-date[;x-amz-security-token];x-amz-target`.
bool dynamodb_signs_header(std::string_view lower_case_name) noexcept;

struct signing_options {
    std::string region;  ///< signing region, e.g. "us-east-1"
    std::string service; ///< signing name, e.g. "dynamodb"
    /// Remove `.`/`..` segments and empty segments from the path before encoding (every service but S3).
    bool normalize_path = true;
    /// Add `x-amz-content-sha256: <payload hash>` and sign it (an S3 convention; DynamoDB does not need it).
    bool add_content_sha256 = false;
    token_placement session_token = token_placement::signed_header;
    header_predicate sign_header = nullptr; ///< nullptr: sign every header present
};

/// The intermediate results of one signature, for tests and debugging. No secret is in here.
struct signing_details {
    std::string canonical_request;
    std::string string_to_sign;
    std::string signature; ///< lower-case hex
};

using time_point = std::chrono::system_clock::time_point;

/// Signs `req` in place. Sets X-Amz-Date from `now` (replacing any value present), sets or removes
/// X-Amz-Security-Token to match `creds`, optionally x-amz-content-sha256, and sets Authorization. Any
/// earlier values of these headers are replaced, never duplicated, so a retry simply signs again.
/// The request target is the path and query exactly as sent; its path is URI-encoded once more, as SigV4
/// asks for every service but S3. Requires a Host header.
///
/// Errors: errc::no_credentials (empty key id or secret), errc::invalid_region, errc::invalid_argument
/// (no Host header, a control character in a signed header, a malformed key id, service or token, a time
/// outside years 0000-9999), boost::system::errc::not_enough_memory (libcrypto failed). On error the
/// request may have been partly updated and must not be sent.
error_code sign(http_request& req, const credentials& creds, time_point now, const signing_options& opts,
                signing_details* details = nullptr);

/// The signer of a client: fixed options, and the signing key cached per (day, secret key), derived again
/// when the day or the secret changes. sign() may be called from several threads at once.
class signer {
public:
    explicit signer(signing_options opts);
    ~signer();
    signer(const signer&) = delete;
    signer& operator=(const signer&) = delete;

    /// As the free function sign(), with the cached key.
    error_code sign(http_request& req, const credentials& creds, time_point now,
                    signing_details* details = nullptr);

    const signing_options& options() const noexcept { return opts_; }

    /// How many times a signing key was derived: lets tests and metrics see the cache at work.
    std::uint64_t key_derivations() const noexcept { return derivations_.load(std::memory_order_relaxed); }

private:
    bool signing_key(std::string_view date, std::string_view secret, crypto::sha256_digest& out);

    signing_options opts_;
    std::mutex mutex_; // guards the cache below
    std::array<char, 8> cached_date_{};
    std::string cached_secret_;
    crypto::sha256_digest cached_key_{};
    bool cached_ = false;
    std::atomic<std::uint64_t> derivations_{0};
};

/// The Authorization value with the signature replaced by `***`; algorithm, Credential (key id and scope)
/// and SignedHeaders stay readable. A value that is not SigV4 is replaced entirely.
std::string redact_authorization(std::string_view authorization_value);

// Building blocks, exposed so tests can check each step on its own.

/// Derives the signing key: HMAC chain "AWS4"+secret -> date (yyyymmdd) -> region -> service ->
/// "aws4_request".
bool derive_signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service, crypto::sha256_digest& out) noexcept;

/// Canonical URI of a raw path (the part of the target before `?`).
std::string canonical_uri(std::string_view path, bool normalize);

/// Canonical query string of a raw query (the part of the target after `?`): each name and value is
/// percent-decoded and encoded again the SigV4 way, then the pairs are sorted by name and value.
std::string canonical_query(std::string_view query);

/// A header value as it appears in the canonical request: trimmed, inner whitespace runs made one space.
std::string canonical_header_value(std::string_view value);

/// `yyyymmddThhmmssZ` of `now` (UTC). False outside years 0000-9999.
bool format_amz_date(time_point now, std::array<char, 16>& out) noexcept;

} // namespace dynalock::core::sigv4

#endif
