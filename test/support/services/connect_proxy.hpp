// SPDX-License-Identifier: BSL-1.0
// An HTTP proxy on a loopback port, for the client's proxy tests: it opens CONNECT tunnels (and then just
// copies bytes both ways, so TLS runs end to end between the client and the target) and forwards
// absolute-form plain requests (`GET http://host:port/path`) in origin form. When told to, it demands a
// Proxy-Authorization value and answers 407 to anything else. It counts what it did and keeps what it saw.
// It runs on its own thread and io_context.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace dynalock::test {

class connect_proxy {
public:
    /// Listens on a free port of 127.0.0.1. A non-empty `required_authorization` ("Basic ...") is the only
    /// Proxy-Authorization accepted.
    explicit connect_proxy(std::string required_authorization = {});
    ~connect_proxy();
    connect_proxy(const connect_proxy&) = delete;
    connect_proxy& operator=(const connect_proxy&) = delete;

    std::uint16_t port() const noexcept;
    /// "127.0.0.1:PORT", to put in a proxy URL after the scheme and credentials.
    std::string authority() const;

    std::size_t tunnels() const;   ///< CONNECT tunnels opened (200 sent)
    std::size_t forwarded() const; ///< absolute-form requests forwarded
    std::size_t refused() const;   ///< requests answered with 407

    /// Every request head the proxy received, in order: "CONNECT localhost:443", "POST http://h:p/".
    std::vector<std::string> request_lines() const;
    /// The Proxy-Authorization value of each request ("" when absent), in the same order.
    std::vector<std::string> authorizations() const;
    /// The Host header of each request, in the same order.
    std::vector<std::string> hosts() const;

private:
    struct state;
    std::shared_ptr<state> state_;
};

} // namespace dynalock::test
