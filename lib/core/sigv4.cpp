// SPDX-License-Identifier: BSL-1.0
#include "sigv4.hpp"

#include <boost/container/small_vector.hpp>
#include <boost/system/errc.hpp>

#include <algorithm>
#include <cstring>
#include <iterator>

namespace dynalock::core::sigv4 {

namespace {

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";
constexpr std::string_view scope_terminator = "aws4_request";

// ---- characters ----

constexpr char to_lower(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

constexpr bool is_alnum(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// RFC 3986 unreserved: the only bytes SigV4 leaves unencoded.
constexpr bool is_unreserved(char c) noexcept {
    return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

// RFC 9110 token characters (header names, methods).
constexpr bool is_token_char(char c) noexcept {
    return is_alnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

constexpr bool is_token(std::string_view s) noexcept {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_token_char(c); });
}

constexpr bool is_space(char c) noexcept {
    return c == ' ' || c == '\t';
}

// A control character in a signed value would make the canonical request ambiguous (or smuggle a line
// into it); horizontal tab is ordinary whitespace.
constexpr bool is_forbidden_in_value(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return (u < 0x20 && c != '\t') || u == 0x7F;
}

constexpr bool is_clean_value(std::string_view s) noexcept {
    // A lambda, not the function's address: the predicate is then inlined into the loop.
    return std::none_of(s.begin(), s.end(), [](char c) { return is_forbidden_in_value(c); });
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [](char x, char y) { return to_lower(x) == to_lower(y); });
}

// Byte order of the lower-cased names, which is the order SigV4 sorts headers in.
int compare_lower(std::string_view a, std::string_view b) noexcept {
    const auto n = std::min(a.size(), b.size());
    for (std::size_t i = 0; i < n; ++i) {
        const auto x = static_cast<unsigned char>(to_lower(a[i]));
        const auto y = static_cast<unsigned char>(to_lower(b[i]));
        if (x != y)
            return x < y ? -1 : 1;
    }
    return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// ---- writing canonical text ----
// The writers are templates over the output so the same code fills a std::string (tests, details) or
// streams straight into SHA-256 (the hot path, which never builds the canonical request in memory).

template <class Out>
void append_encoded_byte(Out& out, char c) {
    static constexpr char digits[] = "0123456789ABCDEF";
    if (is_unreserved(c)) {
        out.push_back(c);
        return;
    }
    const auto u = static_cast<unsigned char>(c);
    out.push_back('%');
    out.push_back(digits[u >> 4]);
    out.push_back(digits[u & 0x0F]);
}

// Encodes every byte but the unreserved ones (and '/' when keep_slash). A '%' already in a path is encoded
// again: SigV4 signs the path as sent, encoded once more, for every service but S3.
template <class Out>
void append_encoded(Out& out, std::string_view s, bool keep_slash) {
    for (char c : s) {
        if (keep_slash && c == '/')
            out.push_back(c);
        else
            append_encoded_byte(out, c);
    }
}

// Decodes %XX escapes and encodes the result the SigV4 way, in one pass. A '%' not followed by two hex
// digits is taken literally; '+' is a literal plus (this is not form decoding).
template <class Out>
void append_reencoded(Out& out, std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '%' && i + 2 < s.size()) {
            const int hi = hex_value(s[i + 1]);
            const int lo = hex_value(s[i + 2]);
            if (hi >= 0 && lo >= 0) {
                c = static_cast<char>(hi * 16 + lo);
                i += 2;
            }
        }
        append_encoded_byte(out, c);
    }
}

template <class Out>
void write_canonical_uri(Out& out, std::string_view path, bool normalize) {
    if (!normalize) {
        if (path.empty() || path.front() != '/')
            out.push_back('/');
        append_encoded(out, path, true);
        return;
    }
    // Drop empty and "." segments and let ".." remove its parent, as in RFC 3986 dot-segment removal;
    // a trailing slash is kept.
    boost::container::small_vector<std::string_view, 16> segments;
    std::size_t pos = 0;
    while (pos <= path.size()) {
        auto end = path.find('/', pos);
        if (end == std::string_view::npos)
            end = path.size();
        const auto segment = path.substr(pos, end - pos);
        if (segment == "..") {
            if (!segments.empty())
                segments.pop_back();
        } else if (!segment.empty() && segment != ".") {
            segments.push_back(segment);
        }
        pos = end + 1;
    }
    out.push_back('/');
    for (std::size_t i = 0; i < segments.size(); ++i) {
        if (i != 0)
            out.push_back('/');
        append_encoded(out, segments[i], false);
    }
    if (!segments.empty() && path.back() == '/')
        out.push_back('/');
}

template <class Out>
void write_canonical_value(Out& out, std::string_view value) {
    bool pending_space = false;
    bool written = false;
    for (char c : value) {
        if (is_space(c)) {
            pending_space = written;
            continue;
        }
        if (pending_space)
            out.push_back(' ');
        pending_space = false;
        written = true;
        out.push_back(c);
    }
}

template <class Out>
void write_lower(Out& out, std::string_view s) {
    for (char c : s)
        out.push_back(to_lower(c));
}

// Feeds the canonical request to SHA-256 through a small buffer, and copies it to a string when the
// caller asked for the details. Same interface as std::string for the writers above.
class canonical_sink {
public:
    canonical_sink(crypto::sha256_hasher& hasher, std::string* copy) noexcept
        : hasher_(hasher), copy_(copy) {}

    void push_back(char c) {
        if (used_ == buffer_.size())
            flush();
        buffer_[used_++] = c;
    }

    void append(std::string_view s) {
        if (s.size() > buffer_.size() - used_) {
            flush();
            if (s.size() >= buffer_.size()) {
                write(s);
                return;
            }
        }
        std::memcpy(buffer_.data() + used_, s.data(), s.size());
        used_ += s.size();
    }

    bool finish(crypto::sha256_digest& out) {
        flush();
        return hasher_.finish(out);
    }

private:
    void flush() {
        write({buffer_.data(), used_});
        used_ = 0;
    }

    void write(std::string_view s) {
        hasher_.update(s);
        if (copy_ != nullptr)
            copy_->append(s);
    }

    crypto::sha256_hasher& hasher_;
    std::string* copy_;
    std::array<char, 512> buffer_{};
    std::size_t used_ = 0;
};

// ---- request headers ----

// Sets the first header called `name` to `value` and removes any others, so signing twice never
// duplicates a header. Updating in place reuses the string's storage on a retry.
void upsert_header(std::vector<http_header>& headers, std::string_view name, std::string_view value) {
    auto it = std::find_if(headers.begin(), headers.end(),
                           [&](const http_header& h) { return iequals(h.name, name); });
    if (it == headers.end()) {
        headers.push_back({std::string(name), std::string(value)});
        return;
    }
    it->value.assign(value);
    headers.erase(std::remove_if(std::next(it), headers.end(),
                                 [&](const http_header& h) { return iequals(h.name, name); }),
                  headers.end());
}

void remove_header(std::vector<http_header>& headers, std::string_view name) {
    std::erase_if(headers, [&](const http_header& h) { return iequals(h.name, name); });
}

constexpr std::string_view never_signed_by_botocore[] = {
    "connection", "expect",  "keep-alive",        "proxy-authenticate", "proxy-authorization", "te",
    "trailer",    "upgrade", "transfer-encoding", "user-agent",         "x-amzn-trace-id",
};

// Whether a header is signed. `lower` is its name in lower case.
bool is_signed(std::string_view lower, const signing_options& opts) noexcept {
    if (lower == "authorization")
        return false;
    if (lower == "host" || lower == "x-amz-date" || lower == "x-amz-security-token")
        return true;
    if (opts.add_content_sha256 && lower == "x-amz-content-sha256")
        return true;
    return opts.sign_header == nullptr || opts.sign_header(lower);
}

bool is_signed_name(std::string_view name, const signing_options& opts) {
    // Header names are short; the string is only a fallback for an unusually long one.
    std::array<char, 64> small;
    if (name.size() <= small.size()) {
        std::transform(name.begin(), name.end(), small.begin(), to_lower);
        return is_signed({small.data(), name.size()}, opts);
    }
    std::string lower(name);
    std::transform(lower.begin(), lower.end(), lower.begin(), to_lower);
    return is_signed(lower, opts);
}

// ---- validation ----

bool is_valid_region(std::string_view r) noexcept {
    return !r.empty() && std::all_of(r.begin(), r.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
    });
}

bool is_valid_service(std::string_view s) noexcept {
    return !s.empty() && std::all_of(s.begin(), s.end(),
                                     [](char c) { return is_alnum(c) || c == '-' || c == '_' || c == '.'; });
}

// The key id lands in the Credential field, so it must not contain its separators or whitespace.
bool is_valid_access_key_id(std::string_view id) noexcept {
    return std::all_of(id.begin(), id.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u > 0x20 && u < 0x7F && c != '/' && c != ',' && c != '=';
    });
}

error_code crypto_failure() noexcept {
    return make_error_code(boost::system::errc::not_enough_memory);
}

// ---- the algorithm ----

// Per-thread OpenSSL contexts: signing allocates no context once a thread has signed before.
crypto::sha256_hasher& canonical_hasher() noexcept {
    thread_local crypto::sha256_hasher hasher;
    return hasher;
}

crypto::hmac_sha256& signature_mac() noexcept {
    thread_local crypto::hmac_sha256 mac;
    return mac;
}

// Signs `req`; `get_key(date, out)` supplies the signing key for the yyyymmdd date.
template <class KeySource>
error_code sign_request(http_request& req, const credentials& creds, time_point now,
                        const signing_options& opts, signing_details* details, KeySource&& get_key) {
    if (creds.access_key_id.empty() || creds.secret_access_key.empty())
        return make_error_code(errc::no_credentials);
    if (!is_valid_access_key_id(creds.access_key_id) || !is_clean_value(creds.session_token))
        return make_error_code(errc::invalid_argument);
    if (!is_valid_region(opts.region))
        return make_error_code(errc::invalid_region);
    if (!is_valid_service(opts.service) || !is_token(req.method))
        return make_error_code(errc::invalid_argument);

    std::array<char, 16> amz_date_buffer;
    if (!format_amz_date(now, amz_date_buffer))
        return make_error_code(errc::invalid_argument);
    const std::string_view amz_date(amz_date_buffer.data(), amz_date_buffer.size());
    const auto date = amz_date.substr(0, 8);

    // Bring the headers the signer owns up to date; what was there from an earlier attempt is replaced.
    auto& headers = req.headers;
    // A retry reuses the old Authorization value's storage for the new one.
    std::string authorization;
    if (auto it = std::find_if(headers.begin(), headers.end(),
                               [](const http_header& h) { return iequals(h.name, "Authorization"); });
        it != headers.end())
        authorization = std::move(it->value);
    authorization.clear();
    remove_header(headers, "Authorization");
    upsert_header(headers, "X-Amz-Date", amz_date);
    const bool token_signed = opts.session_token == token_placement::signed_header;
    if (!creds.session_token.empty() && token_signed)
        upsert_header(headers, "X-Amz-Security-Token", creds.session_token);
    else
        remove_header(headers, "X-Amz-Security-Token");

    crypto::sha256_digest digest;
    if (!crypto::sha256(req.body, digest))
        return crypto_failure();
    std::array<char, 64> payload_hash_buffer;
    crypto::to_hex(digest, payload_hash_buffer.data());
    const std::string_view payload_hash(payload_hash_buffer.data(), payload_hash_buffer.size());
    if (opts.add_content_sha256)
        upsert_header(headers, "x-amz-content-sha256", payload_hash);

    // The signed headers, sorted by lower-case name; equal names keep their arrival order, which is the
    // order their values are joined in.
    boost::container::small_vector<std::uint32_t, 16> order;
    std::size_t signed_names_length = 0;
    bool has_host = false;
    for (std::size_t i = 0; i < headers.size(); ++i) {
        const auto& h = headers[i];
        if (!is_signed_name(h.name, opts))
            continue;
        if (!is_token(h.name) || !is_clean_value(h.value))
            return make_error_code(errc::invalid_argument);
        has_host = has_host || iequals(h.name, "host");
        order.push_back(static_cast<std::uint32_t>(i));
        signed_names_length += h.name.size() + 1;
    }
    if (!has_host)
        return make_error_code(errc::invalid_argument);
    std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        const int c = compare_lower(headers[a].name, headers[b].name);
        return c < 0 || (c == 0 && a < b);
    });
    const auto same_name = [&](std::size_t k) {
        return k != 0 && compare_lower(headers[order[k]].name, headers[order[k - 1]].name) == 0;
    };

    // The Authorization value is built first up to SignedHeaders: the credential scope and the
    // signed-header list are then read back from it instead of being built twice.
    const auto& region = opts.region;
    const auto& service = opts.service;
    authorization.reserve(algorithm.size() + 12 + creds.access_key_id.size() + 1 + date.size() +
                          region.size() + service.size() + scope_terminator.size() + 3 + 16 +
                          signed_names_length + 12 + 64);
    authorization.append(algorithm).append(" Credential=").append(creds.access_key_id).push_back('/');
    const auto scope_begin = authorization.size();
    authorization.append(date).append("/").append(region).append("/").append(service).append("/");
    authorization.append(scope_terminator);
    const auto scope_end = authorization.size();
    authorization.append(", SignedHeaders=");
    const auto signed_begin = authorization.size();
    for (std::size_t k = 0; k < order.size(); ++k) {
        if (same_name(k))
            continue;
        if (k != 0)
            authorization.push_back(';');
        write_lower(authorization, headers[order[k]].name);
    }
    const auto signed_end = authorization.size();

    // Canonical request, streamed into SHA-256.
    std::string* creq_copy = nullptr;
    if (details != nullptr) {
        details->canonical_request.clear();
        creq_copy = &details->canonical_request;
    }
    canonical_sink creq(canonical_hasher(), creq_copy);
    const std::string_view target = req.target;
    const auto question = target.find('?');
    const auto path = target.substr(0, question);
    const auto query = question == std::string_view::npos ? std::string_view{} : target.substr(question + 1);
    creq.append(req.method);
    creq.push_back('\n');
    write_canonical_uri(creq, path, opts.normalize_path);
    creq.push_back('\n');
    if (!query.empty())
        creq.append(canonical_query(query));
    creq.push_back('\n');
    for (std::size_t k = 0; k < order.size(); ++k) {
        const auto& h = headers[order[k]];
        if (same_name(k)) {
            creq.push_back(',');
        } else {
            if (k != 0)
                creq.push_back('\n');
            write_lower(creq, h.name);
            creq.push_back(':');
        }
        write_canonical_value(creq, h.value);
    }
    creq.append("\n\n");
    const std::string_view authorization_view(authorization);
    const auto signed_headers = authorization_view.substr(signed_begin, signed_end - signed_begin);
    const auto scope = authorization_view.substr(scope_begin, scope_end - scope_begin);
    creq.append(signed_headers);
    creq.push_back('\n');
    creq.append(payload_hash);
    if (!creq.finish(digest))
        return crypto_failure();
    std::array<char, 64> creq_hash;
    crypto::to_hex(digest, creq_hash.data());
    const std::string_view creq_hash_view(creq_hash.data(), creq_hash.size());

    // String to sign, fed straight into the MAC.
    crypto::sha256_digest key;
    if (!get_key(date, key))
        return crypto_failure();
    auto& mac = signature_mac();
    mac.init(key);
    crypto::cleanse(key.data(), key.size());
    const std::string_view parts[] = {algorithm, "\n", amz_date, "\n", scope, "\n", creq_hash_view};
    for (auto part : parts)
        mac.update(part);
    if (!mac.finish(digest))
        return crypto_failure();

    authorization.append(", Signature=");
    const auto signature_begin = authorization.size();
    authorization.resize(signature_begin + 64);
    crypto::to_hex(digest, authorization.data() + signature_begin);

    if (details != nullptr) {
        details->string_to_sign.clear();
        for (auto part : parts)
            details->string_to_sign.append(part);
        details->signature.assign(authorization, signature_begin, 64);
    }

    headers.push_back({"Authorization", std::move(authorization)});
    if (!creds.session_token.empty() && !token_signed)
        headers.push_back({"X-Amz-Security-Token", creds.session_token});
    return {};
}

} // namespace

bool botocore_signs_header(std::string_view lower_case_name) noexcept {
    return std::find(std::begin(never_signed_by_botocore), std::end(never_signed_by_botocore),
                     lower_case_name) == std::end(never_signed_by_botocore);
}

bool dynamodb_signs_header(std::string_view lower_case_name) noexcept {
    return lower_case_name == "host" || lower_case_name == "content-type" ||
           lower_case_name.starts_with("x-amz-");
}

bool format_amz_date(time_point now, std::array<char, 16>& out) noexcept {
    using namespace std::chrono;
    const auto secs = floor<seconds>(now);
    const auto day = floor<days>(secs);
    const year_month_day ymd{day};
    const hh_mm_ss<seconds> hms{secs - day};
    const int year = static_cast<int>(ymd.year());
    if (year < 0 || year > 9999)
        return false;
    const auto put = [&](std::size_t pos, unsigned value, std::size_t width) {
        for (std::size_t i = width; i-- > 0; value /= 10)
            out[pos + i] = static_cast<char>('0' + value % 10);
    };
    put(0, static_cast<unsigned>(year), 4);
    put(4, static_cast<unsigned>(ymd.month()), 2);
    put(6, static_cast<unsigned>(ymd.day()), 2);
    out[8] = 'T';
    put(9, static_cast<unsigned>(hms.hours().count()), 2);
    put(11, static_cast<unsigned>(hms.minutes().count()), 2);
    put(13, static_cast<unsigned>(hms.seconds().count()), 2);
    out[15] = 'Z';
    return true;
}

bool derive_signing_key(std::string_view secret, std::string_view date, std::string_view region,
                        std::string_view service, crypto::sha256_digest& out) noexcept {
    // The first key is "AWS4" + secret. HMAC replaces a key longer than the SHA-256 block (64 bytes) by
    // its hash, so such a key is hashed here directly: no copy of the secret on the heap, no size limit.
    constexpr std::string_view prefix = "AWS4";
    constexpr std::size_t block_size = 64;
    std::array<unsigned char, block_size> first_key;
    std::size_t first_size = prefix.size() + secret.size();
    bool ok = true;
    if (first_size <= block_size) {
        std::memcpy(first_key.data(), prefix.data(), prefix.size());
        std::memcpy(first_key.data() + prefix.size(), secret.data(), secret.size());
    } else {
        crypto::sha256_hasher hasher;
        crypto::sha256_digest hashed;
        hasher.update(prefix);
        hasher.update(secret);
        ok = hasher.finish(hashed);
        std::copy(hashed.begin(), hashed.end(), first_key.begin());
        crypto::cleanse(hashed.data(), hashed.size());
        first_size = hashed.size();
    }

    crypto::sha256_digest k_date, k_region, k_service;
    ok = ok && crypto::hmac_sha256_of({first_key.data(), first_size}, date, k_date);
    ok = ok && crypto::hmac_sha256_of(k_date, region, k_region);
    ok = ok && crypto::hmac_sha256_of(k_region, service, k_service);
    ok = ok && crypto::hmac_sha256_of(k_service, scope_terminator, out);
    for (auto* intermediate : {&k_date, &k_region, &k_service})
        crypto::cleanse(intermediate->data(), intermediate->size());
    crypto::cleanse(first_key.data(), first_key.size());
    return ok;
}

error_code sign(http_request& req, const credentials& creds, time_point now, const signing_options& opts,
                signing_details* details) {
    return sign_request(
        req, creds, now, opts, details, [&](std::string_view date, crypto::sha256_digest& key) {
            return derive_signing_key(creds.secret_access_key, date, opts.region, opts.service, key);
        });
}

// ---- signer ----

signer::signer(signing_options opts) : opts_(std::move(opts)) {}

signer::~signer() {
    crypto::cleanse(cached_secret_.data(), cached_secret_.size());
    crypto::cleanse(cached_key_.data(), cached_key_.size());
}

bool signer::signing_key(std::string_view date, std::string_view secret, crypto::sha256_digest& out) {
    {
        std::lock_guard lock(mutex_);
        if (cached_ && std::string_view(cached_date_.data(), cached_date_.size()) == date &&
            cached_secret_ == secret) {
            out = cached_key_;
            return true;
        }
    }
    // Derive outside the lock; two threads crossing midnight together may both derive, which is harmless.
    if (!derive_signing_key(secret, date, opts_.region, opts_.service, out))
        return false;
    derivations_.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lock(mutex_);
    // Wipe the old secret before its storage can be released.
    crypto::cleanse(cached_secret_.data(), cached_secret_.size());
    cached_secret_.clear();
    cached_secret_.reserve(secret.size());
    cached_secret_.assign(secret);
    std::copy(date.begin(), date.end(), cached_date_.begin());
    cached_key_ = out;
    cached_ = true;
    return true;
}

error_code signer::sign(http_request& req, const credentials& creds, time_point now,
                        signing_details* details) {
    return sign_request(req, creds, now, opts_, details,
                        [&](std::string_view date, crypto::sha256_digest& key) {
                            return signing_key(date, creds.secret_access_key, key);
                        });
}

// ---- helpers ----

std::string redact_authorization(std::string_view value) {
    constexpr std::string_view marker = "Signature=";
    if (!value.starts_with(algorithm) || value.size() == algorithm.size() || value[algorithm.size()] != ' ')
        return "***";
    std::string out;
    out.reserve(value.size());
    for (auto pos = value.find(marker); pos != std::string_view::npos; pos = value.find(marker)) {
        out.append(value.substr(0, pos + marker.size())).append("***");
        const auto end = value.find_first_of(", ", pos + marker.size());
        value = end == std::string_view::npos ? std::string_view{} : value.substr(end);
    }
    out.append(value);
    return out;
}

std::string canonical_uri(std::string_view path, bool normalize) {
    std::string out;
    out.reserve(path.size() + 1);
    write_canonical_uri(out, path, normalize);
    return out;
}

std::string canonical_query(std::string_view query) {
    boost::container::small_vector<std::pair<std::string, std::string>, 8> pairs;
    std::size_t pos = 0;
    while (pos <= query.size()) {
        auto end = query.find('&', pos);
        if (end == std::string_view::npos)
            end = query.size();
        const auto pair = query.substr(pos, end - pos);
        pos = end + 1;
        if (pair.empty())
            continue;
        const auto equals = pair.find('=');
        auto& [name, value] = pairs.emplace_back();
        append_reencoded(name, pair.substr(0, equals));
        if (equals != std::string_view::npos)
            append_reencoded(value, pair.substr(equals + 1));
    }
    std::sort(pairs.begin(), pairs.end());
    std::string out;
    for (const auto& [name, value] : pairs) {
        if (!out.empty())
            out.push_back('&');
        out.append(name).append("=").append(value);
    }
    return out;
}

std::string canonical_header_value(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    write_canonical_value(out, value);
    return out;
}

} // namespace dynalock::core::sigv4
