// SPDX-License-Identifier: BSL-1.0
#include "support/services/imds_test_service.hpp"

#include <chrono>
#include <cstdio>
#include <map>
#include <random>

namespace dynalock::test {

namespace {

constexpr std::string_view token_path = "/latest/api/token";
constexpr std::string_view roles_path = "/latest/meta-data/iam/security-credentials/";
constexpr std::string_view region_path = "/latest/meta-data/placement/region";

std::string random_hex(std::size_t n) {
    static thread_local std::mt19937_64 rng{std::random_device{}()};
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(digits[rng() % 16]);
    return out;
}

std::string iso8601(std::chrono::system_clock::time_point when) {
    using namespace std::chrono;
    const auto secs = floor<seconds>(when);
    const auto days = floor<std::chrono::days>(secs);
    const year_month_day ymd{days};
    const hh_mm_ss hms{secs - days};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(ymd.year()),
                  static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()),
                  static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                  static_cast<int>(hms.seconds().count()));
    return buf;
}

http_answer text(unsigned status, std::string body) {
    return answer(status, std::move(body), "text/plain");
}

// One secret per generation, stable within it, unguessable across test runs.
struct secrets {
    std::string secret;
    std::string session;
};

secrets& secrets_of(int generation) {
    static std::mutex mutex;
    static std::map<int, secrets> all;
    std::lock_guard lock(mutex);
    auto& s = all[generation];
    if (s.secret.empty()) {
        s.secret = "imds-secret-" + std::to_string(generation) + "-" + random_hex(24);
        s.session = "imds-session-" + std::to_string(generation) + "-" + random_hex(32);
    }
    return s;
}

} // namespace

imds_test_service::imds_test_service(const std::string& address)
    : server_([this](const http_exchange& x) { return handle(x); }, address) {}

void imds_test_service::set_fault(fault f) {
    std::lock_guard lock(mutex_);
    fault_ = f;
}

void imds_test_service::fail_next(int n) {
    std::lock_guard lock(mutex_);
    fail_next_ = n;
}

void imds_test_service::expire_tokens() {
    std::lock_guard lock(mutex_);
    valid_tokens_.clear();
}

void imds_test_service::rotate_credentials() {
    std::lock_guard lock(mutex_);
    ++generation_;
}

void imds_test_service::set_lifetime(std::chrono::seconds lifetime) {
    std::lock_guard lock(mutex_);
    lifetime_ = lifetime;
}

void imds_test_service::set_role(std::string role) {
    std::lock_guard lock(mutex_);
    role_ = std::move(role);
}

void imds_test_service::set_region(std::string region) {
    std::lock_guard lock(mutex_);
    region_ = std::move(region);
}

std::string imds_test_service::access_key_id() const {
    std::lock_guard lock(mutex_);
    return "ASIAIMDSTEST" + std::to_string(generation_);
}

std::string imds_test_service::secret_access_key() const {
    std::lock_guard lock(mutex_);
    return secrets_of(generation_).secret;
}

std::string imds_test_service::session_token() const {
    std::lock_guard lock(mutex_);
    return secrets_of(generation_).session;
}

std::set<std::string> imds_test_service::issued_tokens() const {
    std::lock_guard lock(mutex_);
    return issued_tokens_;
}

std::size_t imds_test_service::token_requests() const {
    std::lock_guard lock(mutex_);
    return token_requests_;
}

std::size_t imds_test_service::credentials_requests() const {
    std::lock_guard lock(mutex_);
    return credentials_requests_;
}

std::size_t imds_test_service::unauthorized() const {
    std::lock_guard lock(mutex_);
    return unauthorized_;
}

http_answer imds_test_service::handle(const http_exchange& x) {
    std::lock_guard lock(mutex_);
    const bool is_token = x.target == token_path;
    const bool is_credentials = x.target.size() > roles_path.size() && x.target.starts_with(roles_path);
    if (is_token)
        ++token_requests_;
    if (is_credentials)
        ++credentials_requests_;

    if (fault_ == fault::server_error)
        return text(503, "Service Unavailable");
    if (fail_next_ > 0) {
        --fail_next_;
        return text(503, "Service Unavailable");
    }

    if (is_token) {
        if (x.method != "PUT")
            return text(405, "");
        if (fault_ == fault::hang_token) {
            http_answer a;
            a.hang = true;
            return a;
        }
        if (fault_ == fault::v1_only)
            return text(403, "Forbidden");
        if (fault_ == fault::token_bad_request)
            return text(400, "Bad Request");
        // IMDS refuses a PUT without the TTL header, and one a proxy forwarded (SSRF protection).
        const std::string ttl = x.header("x-aws-ec2-metadata-token-ttl-seconds");
        if (ttl.empty() || x.has_header("x-forwarded-for"))
            return text(400, "Bad Request");
        std::string token = "AQAEA-imds-token-" + std::to_string(++token_serial_) + "-" + random_hex(32);
        valid_tokens_.insert(token);
        issued_tokens_.insert(token);
        auto a = text(200, token);
        a.headers.emplace_back("x-aws-ec2-metadata-token-ttl-seconds", ttl);
        return a;
    }

    if (x.method != "GET")
        return text(405, "");
    const std::string token = x.header("x-aws-ec2-metadata-token");
    const bool authorized = fault_ == fault::v1_only ? token.empty() || valid_tokens_.count(token) != 0
                                                     : valid_tokens_.count(token) != 0;
    if (!authorized) {
        ++unauthorized_;
        return text(401, "Unauthorized");
    }

    if (x.target == region_path)
        return text(200, region_);
    if (x.target == roles_path) {
        if (fault_ == fault::no_role)
            return text(404, "Not Found");
        return text(200, role_);
    }
    if (is_credentials) {
        if (x.target.substr(roles_path.size()) != role_)
            return text(404, "Not Found");
        if (fault_ == fault::hang_credentials) {
            http_answer a;
            a.hang = true;
            return a;
        }
        if (fault_ == fault::garbage)
            return text(200, "<html><body>oops {\"AccessKeyId\": </body></html>");
        const auto now = std::chrono::system_clock::now();
        if (fault_ == fault::code_failure)
            return answer(200,
                          R"({"Code":"AssumeRoleUnauthorizedAccess","Message":"EC2 cannot assume the role )" +
                              role_ + R"(","LastUpdated":")" + iso8601(now) + "\"}");
        const auto& s = secrets_of(generation_);
        return answer(200, R"({"Code":"Success","LastUpdated":")" + iso8601(now) +
                               R"(","Type":"AWS-HMAC","AccessKeyId":"ASIAIMDSTEST)" +
                               std::to_string(generation_) + R"(","SecretAccessKey":")" + s.secret +
                               R"(","Token":")" + s.session + R"(","Expiration":")" +
                               iso8601(now + lifetime_) + "\"}");
    }
    return text(404, "Not Found");
}

} // namespace dynalock::test
