// SPDX-License-Identifier: BSL-1.0
#include "store_page_token.hpp"

#include "crypto.hpp"
#include "json_codec.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>

namespace dynalock::core {

namespace {

constexpr unsigned char token_version = 1;
constexpr std::size_t check_size = 8;

bool compute_check(const page_token_binding& binding, std::string_view key_json,
                   std::array<unsigned char, check_size>& out) {
    crypto::sha256_hasher h;
    h.update(binding.text());
    h.update(key_json);
    crypto::sha256_digest d;
    if (!h.finish(d))
        return false;
    std::copy_n(d.begin(), check_size, out.begin());
    return true;
}

} // namespace

page_token_binding& page_token_binding::add(std::string_view part) {
    text_.append(std::to_string(part.size())).push_back(':');
    text_.append(part);
    return *this;
}

void base64url_encode(std::string_view bytes, std::string& out) {
    const std::size_t start = out.size();
    base64_encode(bytes, out);
    while (out.size() > start && out.back() == '=')
        out.pop_back();
    std::replace(out.begin() + static_cast<std::ptrdiff_t>(start), out.end(), '+', '-');
    std::replace(out.begin() + static_cast<std::ptrdiff_t>(start), out.end(), '/', '_');
}

bool base64url_decode(std::string_view text, std::string& out) {
    if (text.size() % 4 == 1)
        return false;
    std::string standard;
    standard.reserve(text.size() + 2);
    for (char c : text) {
        if (c == '+' || c == '/' || c == '=')
            return false;
        standard.push_back(c == '-' ? '+' : c == '_' ? '/' : c);
    }
    standard.append((4 - standard.size() % 4) % 4, '=');
    // The strict standard decoder rejects every other character and set padding bits.
    return base64_decode(standard, out);
}

std::string encode_page_token(const attribute_map& last_evaluated_key, const page_token_binding& binding) {
    std::string json;
    encode_item(last_evaluated_key, json);
    std::array<unsigned char, check_size> check{};
    compute_check(binding, json, check); // a failing libcrypto leaves zeros: the token will not decode
    std::string raw;
    raw.reserve(1 + check_size + json.size());
    raw.push_back(static_cast<char>(token_version));
    raw.append(reinterpret_cast<const char*>(check.data()), check.size());
    raw.append(json);
    std::string token;
    token.reserve((raw.size() + 2) / 3 * 4);
    base64url_encode(raw, token);
    return token;
}

error_code decode_page_token(std::string_view token, const page_token_binding& binding, attribute_map& key,
                             std::string& message) {
    auto fail = [&](std::string_view why) {
        message = "page_token: ";
        message.append(why);
        return make_error_code(errc::invalid_argument);
    };
    if (token.size() > max_page_token_size)
        return fail("too long to be a page token");
    std::string raw;
    raw.reserve(token.size() / 4 * 3 + 2);
    if (!base64url_decode(token, raw))
        return fail("not a page token (not base64url text)");
    if (raw.size() < 1 + check_size || static_cast<unsigned char>(raw[0]) != token_version)
        return fail("not a page token of this version of dynalock");
    std::string_view json = std::string_view(raw).substr(1 + check_size);
    std::array<unsigned char, check_size> check{};
    if (!compute_check(binding, json, check))
        return fail("cannot check the token (SHA-256 unavailable)");
    if (std::memcmp(check.data(), raw.data() + 1, check_size) != 0)
        return fail("the token belongs to another listing (table, index, partition, prefix or order) or "
                    "was damaged");
    std::string why;
    if (parse_item(json, key, why))
        return fail("the token does not hold a key: " + why);
    if (key.empty() || key.size() > 4)
        return fail("the token does not hold a key");
    for (const auto& [name, value] : key) {
        auto t = value.type();
        if (t != attribute_type::string && t != attribute_type::number && t != attribute_type::binary)
            return fail("the token does not hold a key");
    }
    return {};
}

} // namespace dynalock::core
