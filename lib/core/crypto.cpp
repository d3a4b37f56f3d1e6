// SPDX-License-Identifier: BSL-1.0
#include "crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>

namespace dynalock::core::crypto {

namespace {

// Fetching an algorithm walks the provider tables; doing it once instead of on every init is the
// OpenSSL 3 advice for hot paths. Kept for the life of the process on purpose (never freed: other static
// destructors may still hash during shutdown).
const EVP_MD* sha256_md() noexcept {
    static EVP_MD* const md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md;
}

EVP_MAC* hmac_mac() noexcept {
    static EVP_MAC* const mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
    return mac;
}

} // namespace

// ---- sha256_hasher ----

sha256_hasher::sha256_hasher() noexcept : ctx_(EVP_MD_CTX_new()) {
    restart();
}

sha256_hasher::~sha256_hasher() {
    EVP_MD_CTX_free(ctx_);
}

void sha256_hasher::restart() noexcept {
    const auto* md = sha256_md();
    ok_ = ctx_ != nullptr && md != nullptr && EVP_DigestInit_ex2(ctx_, md, nullptr) == 1;
}

void sha256_hasher::update(std::string_view data) noexcept {
    if (ok_ && !data.empty())
        ok_ = EVP_DigestUpdate(ctx_, data.data(), data.size()) == 1;
}

bool sha256_hasher::finish(sha256_digest& out) noexcept {
    unsigned int len = 0;
    const bool done = ok_ && EVP_DigestFinal_ex(ctx_, out.data(), &len) == 1 && len == out.size();
    restart();
    return done;
}

// ---- hmac_sha256 ----

hmac_sha256::hmac_sha256() noexcept {
    auto* mac = hmac_mac();
    if (mac == nullptr)
        return;
    ctx_ = EVP_MAC_CTX_new(mac);
    if (ctx_ == nullptr)
        return;
    // The digest is set once here; init() then only passes the key, which avoids a digest fetch per MAC.
    char digest_name[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest_name, 0),
        OSSL_PARAM_construct_end(),
    };
    if (EVP_MAC_CTX_set_params(ctx_, params) != 1) {
        EVP_MAC_CTX_free(ctx_);
        ctx_ = nullptr;
    }
}

hmac_sha256::~hmac_sha256() {
    EVP_MAC_CTX_free(ctx_);
}

void hmac_sha256::init(std::span<const unsigned char> key) noexcept {
    if (ctx_ == nullptr) {
        ok_ = false;
        return;
    }
    const bool same = keyed_ && key.size() == key_size_ && std::equal(key.begin(), key.end(), key_.begin());
    if (same) {
        // A null key tells OpenSSL to restart with the key it already holds.
        ok_ = EVP_MAC_init(ctx_, nullptr, 0, nullptr) == 1;
        return;
    }
    // An empty key must still be a key (null would mean "the previous one").
    static const unsigned char no_key = 0;
    ok_ = EVP_MAC_init(ctx_, key.empty() ? &no_key : key.data(), key.size(), nullptr) == 1;
    keyed_ = ok_ && key.size() <= key_.size();
    if (keyed_) {
        std::copy(key.begin(), key.end(), key_.begin());
        key_size_ = key.size();
    }
}

void hmac_sha256::update(std::string_view data) noexcept {
    if (ok_ && !data.empty())
        ok_ = EVP_MAC_update(ctx_, reinterpret_cast<const unsigned char*>(data.data()), data.size()) == 1;
}

bool hmac_sha256::finish(sha256_digest& out) noexcept {
    std::size_t len = 0;
    const bool done = ok_ && EVP_MAC_final(ctx_, out.data(), &len, out.size()) == 1 && len == out.size();
    ok_ = false;
    return done;
}

// ---- one-shot helpers ----

bool sha256(std::string_view data, sha256_digest& out) noexcept {
    thread_local sha256_hasher hasher;
    hasher.update(data);
    return hasher.finish(out);
}

bool hmac_sha256_of(std::span<const unsigned char> key, std::string_view data, sha256_digest& out) noexcept {
    thread_local hmac_sha256 mac;
    mac.init(key);
    mac.update(data);
    return mac.finish(out);
}

void to_hex(std::span<const unsigned char> bytes, char* out) noexcept {
    static constexpr char digits[] = "0123456789abcdef";
    for (unsigned char b : bytes) {
        *out++ = digits[b >> 4];
        *out++ = digits[b & 0x0F];
    }
}

std::string to_hex(std::span<const unsigned char> bytes) {
    std::string s(bytes.size() * 2, '\0');
    to_hex(bytes, s.data());
    return s;
}

void cleanse(void* data, std::size_t size) noexcept {
    if (data != nullptr && size != 0)
        OPENSSL_cleanse(data, size);
}

} // namespace dynalock::core::crypto
