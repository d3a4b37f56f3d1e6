// SPDX-License-Identifier: BSL-1.0
// HTTP proxies as the environment configures them: HTTPS_PROXY for https targets (an HTTP CONNECT tunnel),
// HTTP_PROXY for plain http targets (absolute-form requests), NO_PROXY for the hosts reached directly.
// Each variable is read upper-case first, then lower-case (https_proxy, http_proxy, no_proxy), as the Go
// and Rust SDKs do. Credentials in the proxy URL become a `Proxy-Authorization: Basic` header; they are a
// secret and never appear in a message.
//
// Which targets must never be proxied (the instance metadata and container credential hosts) is the
// caller's decision, not this file's.
#ifndef DYNALOCK_CORE_PROXY_CONFIG_HPP
#define DYNALOCK_CORE_PROXY_CONFIG_HPP

#include "core/aws_config.hpp"

#include <boost/system/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dynalock::core {

/// A proxy to go through.
struct proxy_server {
    std::string host;          ///< lower case, IPv6 without brackets
    std::uint16_t port = 80;   ///< the URL's port, else 80
    std::string authorization; ///< "Basic <base64 user:password>", or "" (a secret: never log it)
    std::string display;       ///< "http://host:port", without the credentials: for messages
};

/// Parses a proxy URL: `http://[user[:password]@]host[:port][/]`, the scheme optional (`host:port`).
/// User and password are percent-decoded. https:// (TLS to the proxy) and socks proxies are
/// errc::unsupported_configuration, anything else malformed errc::invalid_argument; the message names
/// `source` (the variable) and never repeats the URL, which may hold a password.
boost::system::result<proxy_server> parse_proxy_url(std::string_view url, std::string_view source,
                                                    std::string& message);

/// The NO_PROXY list: comma- (or blank-) separated entries, matched case-insensitively against the target:
///  - `*` alone: every host;
///  - a name, `.name` or `*.name`: that host and every host under it (`example.com` matches
///    `example.com` and `api.example.com`, not `badexample.com`);
///  - an IP address (IPv6 with or without brackets): that address; with `/bits`, that network (CIDR);
///  - any of these with `:port`: only that port.
/// Entries that are none of these are ignored, as other tools ignore them.
class no_proxy_list {
public:
    no_proxy_list() = default;
    explicit no_proxy_list(std::string_view value);

    /// True when `host` (as in the endpoint: lower case, IPv6 without brackets) on `port` is reached
    /// directly.
    bool bypasses(std::string_view host, std::uint16_t port) const;
    bool empty() const noexcept { return !all_ && entries_.empty(); }

private:
    struct entry {
        std::string host; ///< a name: lower case, without a leading dot or a trailing one
        std::optional<std::uint16_t> port;
        bool ip = false;
        bool v6 = false;
        unsigned char address[16] = {}; ///< an IP: its bytes (4 for IPv4)
        unsigned prefix_bits = 0;       ///< an IP: the bits that must match
    };
    bool all_ = false;
    std::vector<entry> entries_;
};

/// The proxies of one client or provider.
struct proxy_config {
    std::optional<proxy_server> https; ///< for https targets
    std::optional<proxy_server> http;  ///< for plain http targets
    no_proxy_list no_proxy;

    /// The proxy for a target, or nullptr to connect directly.
    const proxy_server* select(bool https_target, std::string_view host, std::uint16_t port) const;
};

/// Reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY (and their lower-case forms) from `env`. An `override_url`
/// (the client's proxy option) replaces both proxy variables; an empty one means no proxy at all. NO_PROXY
/// applies in both cases. HTTP_PROXY is ignored when REQUEST_METHOD is set: in a CGI program it may come
/// from a request's `Proxy:` header ("httpoxy"). Errors as parse_proxy_url.
boost::system::result<proxy_config>
load_proxy_config(const env_lookup& env, std::optional<std::string_view> override_url, std::string& message);

} // namespace dynalock::core

#endif
