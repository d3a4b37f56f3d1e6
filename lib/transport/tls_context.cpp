// SPDX-License-Identifier: BSL-1.0
#include "transport/tls_context.hpp"

#include <dynalock/error.hpp>

#include <openssl/ssl.h>

namespace dynalock::transport {

namespace ssl = boost::asio::ssl;

std::unique_ptr<ssl::context> make_tls_context(const std::string& ca_file, boost::system::error_code& ec,
                                               std::string& message) {
    auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
    // Debian's openssl.cnf sets no floor: enforce the TLS 1.2 minimum AWS requires ourselves.
    if (SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION) != 1) {
        ec = errc::invalid_argument;
        message = "cannot set the minimum TLS version to 1.2";
        return nullptr;
    }
    ctx->set_options(ssl::context::default_workarounds | ssl::context::no_compression);
    ctx->set_verify_mode(ssl::verify_peer, ec);
    if (!ec)
        ctx->set_default_verify_paths(ec);
    if (ec) {
        message = "cannot load the system trust store: " + ec.message();
        return nullptr;
    }
    if (!ca_file.empty()) {
        ctx->load_verify_file(ca_file, ec);
        if (ec) {
            message = "cannot load the CA file '" + ca_file + "': " + ec.message();
            ec = errc::invalid_argument;
            return nullptr;
        }
    }
    return ctx;
}

} // namespace dynalock::transport
