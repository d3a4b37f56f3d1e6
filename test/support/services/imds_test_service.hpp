// SPDX-License-Identifier: BSL-1.0
// An EC2 instance metadata service (IMDSv2) on a loopback port, as documented: PUT /latest/api/token with
// a TTL header gives a session token; every GET without a valid token is refused with 401; the role list,
// the role's credentials and the region are served. Tests can expire tokens, rotate the credentials, make
// the service hang, answer garbage or fail with 5xx, and count what it was asked.
#pragma once

#include "support/services/http_test_server.hpp"

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <set>
#include <string>

namespace dynalock::test {

class imds_test_service {
public:
    /// What the service does instead of answering normally.
    enum class fault {
        none,
        hang_token,       ///< the token PUT never gets an answer
        hang_credentials, ///< tokens work; the credentials GET never gets an answer
        garbage,          ///< the credentials GET answers 200 with text that is not JSON
        code_failure,     ///< the credentials GET answers Code "AssumeRoleUnauthorizedAccess" without keys
        server_error,     ///< every request answers 503
        no_role,          ///< the role list answers 404 (no instance profile)
        v1_only,          ///< the token PUT answers 403 (no IMDSv2); GETs without a token are served
        token_bad_request ///< the token PUT answers 400
    };

    explicit imds_test_service(const std::string& address = "127.0.0.1");

    /// "http://127.0.0.1:PORT": what AWS_EC2_METADATA_SERVICE_ENDPOINT takes.
    std::string url() const { return server_.url(); }
    std::uint16_t port() const { return server_.port(); }

    void set_fault(fault f);
    /// The next `n` requests (of any kind) answer 503, then the service behaves again.
    void fail_next(int n);
    /// Every token issued so far stops being valid (the next GET with one gets 401).
    void expire_tokens();
    /// Serves new credentials (a new key id, secret and session token) from now on.
    void rotate_credentials();
    /// How long the served credentials are valid from the moment they are served.
    void set_lifetime(std::chrono::seconds lifetime);
    void set_role(std::string role);
    void set_region(std::string region);

    /// The current credentials' values (the generation counts rotations, from 1).
    std::string access_key_id() const;
    std::string secret_access_key() const;
    std::string session_token() const;
    /// Every token the service has issued (to check none reaches a message).
    std::set<std::string> issued_tokens() const;

    std::size_t token_requests() const;
    std::size_t credentials_requests() const; ///< GETs of the role's credentials that were served or refused
    std::size_t unauthorized() const;         ///< requests refused with 401
    std::size_t request_count() const { return server_.request_count(); }

private:
    http_answer handle(const http_exchange& x);

    mutable std::mutex mutex_;
    fault fault_ = fault::none;
    int fail_next_ = 0;
    int generation_ = 1;
    int token_serial_ = 0;
    std::chrono::seconds lifetime_{std::chrono::hours(6)};
    std::string role_ = "dynalock-test-role";
    std::string region_ = "eu-west-3";
    std::set<std::string> valid_tokens_;
    std::set<std::string> issued_tokens_;
    std::size_t token_requests_ = 0;
    std::size_t credentials_requests_ = 0;
    std::size_t unauthorized_ = 0;
    http_test_server server_; // last: its thread calls handle() until it is destroyed
};

} // namespace dynalock::test
