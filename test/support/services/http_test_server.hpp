// SPDX-License-Identifier: BSL-1.0
// An HTTP/1.1 server on a loopback port whose answers a test writes as a function: it plays the services
// that are not DynamoDB (instance metadata, container credentials, STS, the SSO portal, a proxy's
// target) with their documented wire formats. It runs on its own thread; the handler runs there too.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace dynalock::test {

/// A request as the server received it. Header names are lower-cased.
struct http_exchange {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;
    std::string body;

    /// The value of `name` (lower case), or "" when absent.
    std::string header(const std::string& name) const;
    /// True when the header is present.
    bool has_header(const std::string& name) const { return headers.count(name) != 0; }
};

/// What to answer.
struct http_answer {
    unsigned status = 200;
    std::vector<std::pair<std::string, std::string>> headers; ///< besides Content-Length
    std::string body;
    bool hang = false;                  ///< never answer (the connection stays open until the server stops)
    bool close = false;                 ///< close the connection without answering
    std::chrono::milliseconds delay{0}; ///< wait this long before answering
};

inline http_answer answer(unsigned status, std::string body, std::string content_type = "application/json") {
    http_answer a;
    a.status = status;
    a.body = std::move(body);
    a.headers.emplace_back("Content-Type", std::move(content_type));
    return a;
}

class http_test_server {
public:
    using handler = std::function<http_answer(const http_exchange&)>;

    /// Listens on `address` (an IPv4 or IPv6 literal) on a free port.
    explicit http_test_server(handler h, const std::string& address = "127.0.0.1");
    ~http_test_server();
    http_test_server(const http_test_server&) = delete;
    http_test_server& operator=(const http_test_server&) = delete;

    std::uint16_t port() const noexcept;
    /// "http://127.0.0.1:PORT" (IPv6 in brackets).
    std::string url() const;
    /// Every request received so far, in order.
    std::vector<http_exchange> requests() const;
    std::size_t request_count() const;
    /// Replaces the handler (takes effect for the next request).
    void set_handler(handler h);

private:
    struct state;
    std::shared_ptr<state> state_;
};

} // namespace dynalock::test
