// SPDX-License-Identifier: BSL-1.0
// SHA-256, HMAC-SHA256 and lower-case hex for the SigV4 signer, over OpenSSL 3 libcrypto.
//
// The one-shot functions reuse per-thread OpenSSL contexts, so hashing on the request path allocates
// nothing once a thread has warmed up. Nothing here throws: failures of libcrypto (out of memory, no
// provider offering SHA-256) come back as `false`.
#ifndef DYNALOCK_CORE_CRYPTO_HPP
#define DYNALOCK_CORE_CRYPTO_HPP

#include <openssl/types.h>

#include <array>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>

namespace dynalock::core::crypto {

inline constexpr std::size_t sha256_size = 32;
using sha256_digest = std::array<unsigned char, sha256_size>;

/// Incremental SHA-256. After finish() the object is ready for the next message.
class sha256_hasher {
public:
    sha256_hasher() noexcept;
    ~sha256_hasher();
    sha256_hasher(const sha256_hasher&) = delete;
    sha256_hasher& operator=(const sha256_hasher&) = delete;

    void update(std::string_view data) noexcept;
    /// Writes the digest and starts a new message. False if any step of this message failed.
    bool finish(sha256_digest& out) noexcept;

private:
    void restart() noexcept;

    EVP_MD_CTX* ctx_ = nullptr;
    bool ok_ = false;
};

/// Incremental HMAC-SHA256. init() starts a message with a key (and may be called again to re-key).
class hmac_sha256 {
public:
    hmac_sha256() noexcept;
    ~hmac_sha256();
    hmac_sha256(const hmac_sha256&) = delete;
    hmac_sha256& operator=(const hmac_sha256&) = delete;

    void init(std::span<const unsigned char> key) noexcept;
    void update(std::string_view data) noexcept;
    /// Writes the MAC. False if any step since init() failed (or init() was never called).
    bool finish(sha256_digest& out) noexcept;

private:
    EVP_MAC_CTX* ctx_ = nullptr;
    bool ok_ = false;
    // The key the context holds, when it is short enough to remember: the same key again (the client's
    // cached signing key, on every request) reuses the keyed state instead of deriving the pads anew.
    std::array<unsigned char, 64> key_{};
    std::size_t key_size_ = 0;
    bool keyed_ = false;
};

/// SHA-256 of `data`.
bool sha256(std::string_view data, sha256_digest& out) noexcept;

/// HMAC-SHA256 of `data` under `key`.
bool hmac_sha256_of(std::span<const unsigned char> key, std::string_view data, sha256_digest& out) noexcept;

inline std::span<const unsigned char> as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const unsigned char*>(s.data()), s.size()};
}

/// Writes 2 * bytes.size() lower-case hex digits to `out` (no terminator).
void to_hex(std::span<const unsigned char> bytes, char* out) noexcept;

/// Lower-case hex of `bytes`.
std::string to_hex(std::span<const unsigned char> bytes);

/// Overwrites memory that held secret material, in a way the optimiser may not drop.
void cleanse(void* data, std::size_t size) noexcept;

} // namespace dynalock::core::crypto

#endif
