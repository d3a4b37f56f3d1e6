// SPDX-License-Identifier: BSL-1.0
// SHA-256 and HMAC-SHA256 against the FIPS 180-2 and RFC 4231 vectors, and the hex encoder.
#include "core/crypto.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <thread>

namespace {

namespace crypto = dynalock::core::crypto;

std::string sha256_hex(std::string_view data) {
    crypto::sha256_digest d{};
    EXPECT_TRUE(crypto::sha256(data, d));
    return crypto::to_hex(d);
}

std::string hmac_hex(std::string_view key, std::string_view data) {
    crypto::sha256_digest d{};
    EXPECT_TRUE(crypto::hmac_sha256_of(crypto::as_bytes(key), data, d));
    return crypto::to_hex(d);
}

TEST(crypto, sha256_fips_vectors_match) {
    EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(sha256_hex(std::string(1000000, 'a')),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(crypto, sha256_incremental_equals_one_shot) {
    const std::string message = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    crypto::sha256_hasher hasher;
    for (std::size_t pos = 0; pos < message.size(); pos += 5)
        hasher.update(std::string_view(message).substr(pos, 5));
    crypto::sha256_digest d{};
    ASSERT_TRUE(hasher.finish(d));
    EXPECT_EQ(crypto::to_hex(d), sha256_hex(message));
}

TEST(crypto, sha256_hasher_reused_after_finish_starts_fresh) {
    crypto::sha256_hasher hasher;
    crypto::sha256_digest d{};
    hasher.update("something else");
    ASSERT_TRUE(hasher.finish(d));
    hasher.update("abc");
    ASSERT_TRUE(hasher.finish(d));
    EXPECT_EQ(crypto::to_hex(d), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(crypto, hmac_rfc4231_vectors_match) {
    EXPECT_EQ(hmac_hex(std::string(20, '\x0b'), "Hi There"),
              "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    EXPECT_EQ(hmac_hex("Jefe", "what do ya want for nothing?"),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    // A key longer than the block size is hashed first.
    EXPECT_EQ(hmac_hex(std::string(131, '\xaa'), "Test Using Larger Than Block-Size Key - Hash Key First"),
              "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

TEST(crypto, hmac_empty_key_and_message_match_python_hmac) {
    EXPECT_EQ(hmac_hex("", ""), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(crypto, hmac_rekeyed_object_uses_new_key) {
    crypto::hmac_sha256 mac;
    crypto::sha256_digest d{};
    mac.init(crypto::as_bytes("first key"));
    mac.update("ignored");
    ASSERT_TRUE(mac.finish(d));
    mac.init(crypto::as_bytes("Jefe"));
    mac.update("what do ya want ");
    mac.update("for nothing?");
    ASSERT_TRUE(mac.finish(d));
    EXPECT_EQ(crypto::to_hex(d), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(crypto, hmac_same_key_again_reuses_it_correctly) {
    // The object keeps a key it saw last and restarts from it: the same key twice in a row, then another
    // key, then the first again (including an empty key and one longer than the block) must all give
    // the RFC 4231 / reference values.
    const std::string jefe = "Jefe";
    const std::string jefe_mac = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
    const std::string long_key(131, '\xaa');
    const std::string long_mac = "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54";
    const std::string long_data = "Test Using Larger Than Block-Size Key - Hash Key First";
    for (int round = 0; round < 2; ++round) {
        EXPECT_EQ(hmac_hex(jefe, "what do ya want for nothing?"), jefe_mac);
        EXPECT_EQ(hmac_hex(jefe, "what do ya want for nothing?"), jefe_mac);
        EXPECT_EQ(hmac_hex("", ""), "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
        EXPECT_EQ(hmac_hex(long_key, long_data), long_mac);
        EXPECT_EQ(hmac_hex(long_key, long_data), long_mac);
        EXPECT_EQ(hmac_hex(std::string(20, '\x0b'), "Hi There"),
                  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    }
}

TEST(crypto, hmac_finish_without_init_fails) {
    crypto::hmac_sha256 mac;
    crypto::sha256_digest d{};
    EXPECT_FALSE(mac.finish(d));
}

TEST(crypto, one_shot_functions_work_on_other_threads) {
    // The one-shot helpers keep per-thread contexts; a fresh thread must get working ones.
    std::string sha, mac;
    std::thread t([&] {
        sha = sha256_hex("abc");
        mac = hmac_hex("Jefe", "what do ya want for nothing?");
    });
    t.join();
    EXPECT_EQ(sha, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(mac, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(crypto, to_hex_is_lower_case_two_digits_per_byte) {
    const unsigned char bytes[] = {0x00, 0x0f, 0xa5, 0xff};
    EXPECT_EQ(crypto::to_hex(bytes), "000fa5ff");
    EXPECT_EQ(crypto::to_hex(std::span<const unsigned char>{}), "");
}

TEST(crypto, cleanse_zeroes_memory) {
    char secret[] = "wJalrXUtnFEMI";
    crypto::cleanse(secret, sizeof secret);
    for (char c : secret)
        EXPECT_EQ(c, '\0');
}

} // namespace
