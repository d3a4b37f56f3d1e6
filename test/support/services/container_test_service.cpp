// SPDX-License-Identifier: BSL-1.0
#include "support/services/container_test_service.hpp"

#include <chrono>
#include <cstdio>
#include <random>

namespace dynalock::test {

namespace {

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

} // namespace

container_test_service::container_test_service(std::string expected_token, std::string path,
                                               const std::string& address)
    : expected_token_(std::move(expected_token)), path_(std::move(path)),
      secret_("container-secret-1-" + random_hex(24)), session_("container-session-1-" + random_hex(32)),
      server_([this](const http_exchange& x) { return handle(x); }, address) {}

void container_test_service::set_fault(fault f) {
    std::lock_guard lock(mutex_);
    fault_ = f;
}

void container_test_service::fail_next(int n) {
    std::lock_guard lock(mutex_);
    fail_next_ = n;
}

void container_test_service::set_expected_token(std::string token) {
    std::lock_guard lock(mutex_);
    expected_token_ = std::move(token);
}

void container_test_service::rotate_credentials() {
    std::lock_guard lock(mutex_);
    ++generation_;
    secret_ = "container-secret-" + std::to_string(generation_) + "-" + random_hex(24);
    session_ = "container-session-" + std::to_string(generation_) + "-" + random_hex(32);
}

void container_test_service::set_lifetime(std::chrono::seconds lifetime) {
    std::lock_guard lock(mutex_);
    lifetime_ = lifetime;
}

std::string container_test_service::access_key_id() const {
    std::lock_guard lock(mutex_);
    return "ASIACONTAINER" + std::to_string(generation_);
}

std::string container_test_service::secret_access_key() const {
    std::lock_guard lock(mutex_);
    return secret_;
}

std::string container_test_service::session_token() const {
    std::lock_guard lock(mutex_);
    return session_;
}

std::string container_test_service::last_authorization() const {
    std::lock_guard lock(mutex_);
    return last_authorization_;
}

std::size_t container_test_service::refused() const {
    std::lock_guard lock(mutex_);
    return refused_;
}

http_answer container_test_service::handle(const http_exchange& x) {
    std::lock_guard lock(mutex_);
    last_authorization_ = x.header("authorization");
    if (x.method != "GET")
        return answer(405, R"({"code":"MethodNotAllowed","message":"GET only"})");
    if (x.target != path_)
        return answer(404, R"({"code":"NotFound","message":"no such path"})");
    if (!expected_token_.empty()) {
        if (!x.has_header("authorization")) {
            ++refused_;
            return answer(401, R"({"code":"MissingToken","message":"Authorization header required"})");
        }
        if (last_authorization_ != expected_token_) {
            ++refused_;
            // Echo the token as a careless agent might: the client must keep it out of its messages.
            return answer(403, R"({"code":"AccessDenied","message":"token )" + last_authorization_ +
                                   R"( is not valid"})");
        }
    }
    if (fault_ == fault::server_error)
        return answer(500, R"({"code":"InternalError","message":"agent failure"})");
    if (fail_next_ > 0) {
        --fail_next_;
        return answer(500, R"({"code":"InternalError","message":"agent failure"})");
    }
    switch (fault_) {
    case fault::hang: {
        http_answer a;
        a.hang = true;
        return a;
    }
    case fault::garbage:
        return answer(200, "Internal error: {\"AccessKeyId", "text/plain");
    case fault::error_body:
        return answer(200,
                      R"({"code":"ServiceAccountTokenExpired","message":"the pod's token has expired"})");
    default:
        break;
    }
    const auto now = std::chrono::system_clock::now();
    return answer(200, R"({"AccessKeyId":"ASIACONTAINER)" + std::to_string(generation_) +
                           R"(","SecretAccessKey":")" + secret_ + R"(","Token":")" + session_ +
                           R"(","AccountId":"123456789012","Expiration":")" + iso8601(now + lifetime_) +
                           "\"}");
}

} // namespace dynalock::test
