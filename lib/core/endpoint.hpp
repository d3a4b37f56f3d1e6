// SPDX-License-Identifier: BSL-1.0
// Where requests go: parsing a user-supplied endpoint URL safely, and resolving the DynamoDB endpoint from
// the options, the environment and the shared config file (explicit > AWS_ENDPOINT_URL_DYNAMODB >
// AWS_ENDPOINT_URL > config `[services]` > config `endpoint_url` > the regional host of the region's
// partition).
#ifndef DYNALOCK_CORE_ENDPOINT_HPP
#define DYNALOCK_CORE_ENDPOINT_HPP

#include "core/aws_config.hpp"

#include <boost/system/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dynalock::core {

/// A parsed, policy-checked endpoint.
struct endpoint {
    std::string scheme;       ///< "http" or "https"
    std::string host;         ///< lower case, IPv6 without brackets
    std::uint16_t port = 0;   ///< explicit port or the scheme's default
    std::string host_header;  ///< host[:port], the port only when not the scheme's default; IPv6 in brackets
    std::string target = "/"; ///< the URL's path, "/" when it has none
    bool is_loopback = false; ///< 127.0.0.0/8, ::1 (also IPv4-mapped) or "localhost"
    std::string signing_region;
    bool is_ip_literal = false; ///< an IPv4 or IPv6 address: TLS sends no SNI for it

    bool is_https() const noexcept { return scheme == "https"; }
};

/// Parses an endpoint URL: http or https, a host, an optional port and path; no user information, query or
/// fragment. Plain http is refused (errc::insecure_endpoint) unless the host is loopback or
/// `allow_insecure_http`. Bad syntax gives errc::invalid_endpoint. The message never repeats user
/// information. signing_region is left empty.
boost::system::result<endpoint> parse_endpoint(std::string_view url, bool allow_insecure_http,
                                               std::string& message);

/// A partition of AWS (from partitions.json): the DNS suffixes of its regional hosts.
struct partition_info {
    std::string_view name;
    std::string_view dns_suffix;
    std::string_view dual_stack_dns_suffix;
    bool supports_fips;
    bool supports_dual_stack;
};

/// The partition a region belongs to; unknown regions fall back to `aws`.
const partition_info& partition_of(std::string_view region) noexcept;

struct endpoint_settings {
    std::string_view explicit_url;    ///< the endpoint option of the client; "" = none
    std::string_view region;          ///< the resolved region (see resolve_region); "" = none
    bool allow_insecure_http = false; ///< allow plain http to a non-loopback host
    std::optional<bool> use_fips;     ///< nullopt: AWS_USE_FIPS_ENDPOINT, then `use_fips_endpoint`
    std::optional<bool>
        use_dual_stack; ///< nullopt: AWS_USE_DUALSTACK_ENDPOINT, then `use_dualstack_endpoint`
    /// The service, as its configured-endpoint settings name it: `AWS_ENDPOINT_URL_<KEY upper-cased>` and
    /// the `<key> = endpoint_url = ...` block of the `[services]` section ("dynamodb", "sts", "sso").
    std::string_view service_key = "dynamodb";
    /// The first labels of the service's regional host, before `.<region>.<suffix>`: "dynamodb", "sts",
    /// "portal.sso". FIPS hosts insert "-fips" after the first label.
    std::string_view host_prefix = "dynamodb";
};

/// Resolves the endpoint of a service (DynamoDB by default; STS and the SSO portal for credentials). AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true (or the profile's
/// `ignore_configured_endpoint_urls = true`) skips the environment and config-file URLs, never the explicit
/// one. Region `local` means DynamoDB Local: http://localhost:8000, signed for us-east-1. A configured URL
/// combined with FIPS or dual-stack is errc::invalid_endpoint, as in the official rule set. The signing
/// region is `settings.region`; it may be empty only when a URL is configured (the caller then chooses one).
/// An invalid region, or none without a configured URL, is errc::invalid_region.
boost::system::result<endpoint> resolve_endpoint(const endpoint_settings& settings, const env_lookup& env,
                                                 const shared_config& config, std::string& message);

} // namespace dynalock::core

#endif
