// SPDX-License-Identifier: BSL-1.0
// A container credentials endpoint (the ECS agent, the EKS Pod Identity agent) on a loopback port: GET on
// its path with `Authorization: <token>` answers the credentials JSON; a missing token is refused with 401,
// a wrong one with 403. Tests can rotate the credentials, make it hang, answer garbage or fail with 5xx,
// and count what it was asked.
#pragma once

#include "support/services/http_test_server.hpp"

#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace dynalock::test {

class container_test_service {
public:
    enum class fault {
        none,
        hang,         ///< never answer
        garbage,      ///< 200 with text that is not JSON
        server_error, ///< every request answers 500
        error_body,   ///< 200 with a JSON error body ({"code","message"}) and no keys
    };

    /// `expected_token` empty: no Authorization header is required (a plain ECS agent).
    explicit container_test_service(std::string expected_token = "", std::string path = "/v1/credentials",
                                    const std::string& address = "127.0.0.1");

    /// The full URI: what AWS_CONTAINER_CREDENTIALS_FULL_URI takes.
    std::string url() const { return server_.url() + path_; }
    const std::string& path() const noexcept { return path_; }

    void set_fault(fault f);
    /// The next `n` requests answer 500, then the service behaves again.
    void fail_next(int n);
    void set_expected_token(std::string token);
    void rotate_credentials();
    void set_lifetime(std::chrono::seconds lifetime);

    std::string access_key_id() const;
    std::string secret_access_key() const;
    std::string session_token() const;
    /// The Authorization value of the latest request ("" when it had none).
    std::string last_authorization() const;

    std::size_t request_count() const { return server_.request_count(); }
    std::size_t refused() const; ///< requests refused with 401 or 403

private:
    http_answer handle(const http_exchange& x);

    mutable std::mutex mutex_;
    std::string expected_token_;
    std::string path_;
    fault fault_ = fault::none;
    int fail_next_ = 0;
    int generation_ = 1;
    std::string secret_;
    std::string session_;
    std::chrono::seconds lifetime_{std::chrono::hours(1)};
    std::string last_authorization_;
    std::size_t refused_ = 0;
    http_test_server server_; // last: its thread calls handle() until it is destroyed
};

} // namespace dynalock::test
