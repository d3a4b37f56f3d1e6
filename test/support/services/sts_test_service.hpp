// SPDX-License-Identifier: BSL-1.0
// A test STS on a loopback port, speaking the awsQuery wire format (form-encoded POST, XML replies):
// AssumeRoleWithWebIdentity must be unsigned and carry the expected token; AssumeRole must carry a SigV4
// signature that the service recomputes from the secret of the credentials it trusts (and the session
// token that goes with them), else it answers the documented XML error with 403. Every success issues new
// temporary credentials, which it then trusts too (so a chain of roles can sign with them). It can fail
// with a chosen error, hang, or answer garbage.
#pragma once

#include "support/services/http_test_server.hpp"

#include <chrono>
#include <cstddef>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace dynalock::test {

class sts_test_service {
public:
    struct issued_credentials {
        std::string access_key_id;
        std::string secret_access_key;
        std::string session_token;
        std::chrono::system_clock::time_point expiration;
    };

    /// One request as the service understood it.
    struct call {
        std::string action;
        std::string role_arn;
        std::string role_session_name;
        std::string external_id;
        std::string web_identity_token;
        std::optional<long> duration_seconds;
        std::string signed_by;      ///< AssumeRole: the access key id of the verified signature
        std::string signing_region; ///< AssumeRole: the region of the credential scope
        bool was_signed = false;    ///< an Authorization header was present
        std::string error_code;     ///< the STS error answered, "" on success
        std::optional<issued_credentials> issued;
    };

    sts_test_service();
    ~sts_test_service();
    sts_test_service(const sts_test_service&) = delete;
    sts_test_service& operator=(const sts_test_service&) = delete;

    /// "http://127.0.0.1:PORT": give it as AWS_ENDPOINT_URL_STS.
    std::string url() const;
    http_test_server& server() noexcept { return *server_; }

    /// Accepts AssumeRole requests signed by these long-term or temporary credentials.
    void trust(const std::string& access_key_id, const std::string& secret_access_key,
               const std::string& session_token = "");
    /// The only web identity token accepted; until set, any non-empty token is.
    void expect_web_identity_token(const std::string& token);
    /// How long issued credentials last (default 1 h). Issued credentials past it are refused as signers.
    void set_lifetime(std::chrono::seconds lifetime);
    /// The next `times` requests fail with this STS error.
    void fail_next(unsigned status, const std::string& code, const std::string& message, unsigned times = 1);
    /// The next `times` requests get this raw answer instead (garbage, a truncated reply, ...).
    void answer_raw_next(unsigned status, const std::string& body, unsigned times = 1);
    /// While on, requests are never answered.
    void set_hang(bool hang);

    std::vector<call> calls() const;
    std::size_t request_count() const;
    /// Successful calls so far.
    std::size_t issued_count() const;

private:
    struct trusted {
        std::string secret_access_key;
        std::string session_token;
        std::optional<std::chrono::system_clock::time_point> expiration;
    };
    struct scripted {
        unsigned status;
        std::string code;
        std::string message;
        bool raw;
    };

    http_answer handle(const http_exchange& x);
    /// nullopt when the signature is right; else the refusal.
    std::optional<http_answer> verify_signature(const http_exchange& x, call& c);
    http_answer issue(call& c);
    http_answer refuse(call& c, unsigned status, const std::string& code, const std::string& message);

    mutable std::mutex mutex_;
    std::map<std::string, trusted> trusted_;
    std::optional<std::string> expected_token_;
    std::chrono::seconds lifetime_{3600};
    std::vector<scripted> script_;
    bool hang_ = false;
    std::vector<call> calls_;
    std::size_t counter_ = 0;
    std::unique_ptr<http_test_server> server_; // last: stopped first, while the state above still exists
};

} // namespace dynalock::test
