// SPDX-License-Identifier: BSL-1.0
// One HTTP request on a fresh connection, for the credential providers (metadata, container, STS, SSO):
// they ask rarely, so nothing is pooled, and every step is bounded by the caller's timeouts.
#ifndef DYNALOCK_CREDENTIALS_HTTP_FETCH_HPP
#define DYNALOCK_CREDENTIALS_HTTP_FETCH_HPP

#include <dynalock/credentials.hpp>

#include "core/endpoint.hpp"
#include "core/http_message.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include <chrono>
#include <memory>
#include <string>

namespace dynalock::detail {

struct http_fetch_result {
    error_code ec;       ///< transport errors (connect_failed, attempt_timeout, ...), operation_aborted
    std::string message; ///< what went wrong, for a provider's message; never holds a header value
    core::http_response reply;
};

/// Sends `req` (method, target, headers, body; Host is added from `ep`) to `ep` on a new connection and
/// reads the reply, whatever its status. Connecting is bounded by `http.connect_timeout`, the whole
/// exchange by `http.attempt_timeout`. `tls` is required for https endpoints. Terminal cancellation of the
/// awaiting coroutine aborts it (operation_aborted). A reply body over `body_limit` is
/// errc::response_too_large. With `allow_proxy`, HTTPS_PROXY / HTTP_PROXY / NO_PROXY as `env` gives them
/// apply (STS, SSO); without it (instance metadata, container credentials) the request never goes through
/// a proxy.
boost::asio::awaitable<http_fetch_result> http_fetch(const core::endpoint& ep, core::http_request req,
                                                     const credentials_http_options& http,
                                                     boost::asio::ssl::context* tls,
                                                     const core::env_lookup& env, bool allow_proxy,
                                                     std::size_t body_limit = 1024 * 1024);

/// A TLS client context for a provider (peer and host-name verification on), trusting `ca_file` (PEM)
/// besides the system store. Null with `ec` and `message` set when the file cannot be used.
std::shared_ptr<boost::asio::ssl::context> make_provider_tls_context(const std::string& ca_file,
                                                                     error_code& ec, std::string& message);

} // namespace dynalock::detail

#endif
