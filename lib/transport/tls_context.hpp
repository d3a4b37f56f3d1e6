// SPDX-License-Identifier: BSL-1.0
// The TLS client context: peer verification on, TLS 1.2 at least, the system trust store plus an
// optional extra CA bundle. Host-name verification and SNI are per connection (connection.cpp).
#ifndef DYNALOCK_TRANSPORT_TLS_CONTEXT_HPP
#define DYNALOCK_TRANSPORT_TLS_CONTEXT_HPP

#include <boost/asio/ssl/context.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <string>

namespace dynalock::transport {

/// Creates the client context. `ca_file` (PEM, may be empty) is trusted in addition to the system
/// store. On failure returns null and sets `ec` and `message`.
std::unique_ptr<boost::asio::ssl::context>
make_tls_context(const std::string& ca_file, boost::system::error_code& ec, std::string& message);

} // namespace dynalock::transport

#endif
