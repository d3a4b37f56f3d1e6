// SPDX-License-Identifier: BSL-1.0
// The IAM Identity Center portal as GetRoleCredentials speaks it: GET /federation/credentials?account_id=
// ..&role_name=.. with the token in `x-amz-sso_bearer_token`; the documented JSON reply for a known token,
// account and role; 401 UnauthorizedException for a missing or wrong token; 403 ForbiddenException for a
// role it does not know. It can also hang, answer garbage or fail with 5xx.
#pragma once

#include "support/services/http_test_server.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dynalock::test {

struct sso_role_credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;
    std::int64_t expiration_ms = 0; ///< milliseconds since the epoch
};

class sso_test_service {
public:
    enum class behaviour {
        normal,
        hang,         ///< accept the request and never answer
        garbage,      ///< 200 with a body that is not JSON
        server_error, ///< 500 InternalServerException
    };

    /// Accepts `access_token` as the only valid bearer token.
    explicit sso_test_service(std::string access_token);
    ~sso_test_service();
    sso_test_service(const sso_test_service&) = delete;
    sso_test_service& operator=(const sso_test_service&) = delete;

    void add_role(std::string account_id, std::string role_name, sso_role_credentials creds);
    void set_behaviour(behaviour b);
    /// The next `n` requests get a 500 whatever the behaviour, then it applies again.
    void fail_next(unsigned n);

    /// "http://127.0.0.1:PORT".
    std::string url() const;
    std::size_t request_count() const;
    std::vector<http_exchange> requests() const;

private:
    struct state;
    std::shared_ptr<state> state_;
    std::unique_ptr<http_test_server> server_;
};

} // namespace dynalock::test
