// SPDX-License-Identifier: BSL-1.0
#include "core/endpoint.hpp"

#include <dynalock/error.hpp>

#include "core/validation.hpp"

#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/scheme.hpp>
#include <boost/url/url_view.hpp>

#include <array>
#include <utility>

namespace dynalock::core {

namespace {

using boost::system::result;

// Longer than any sane endpoint; bounds the work done on hostile input.
constexpr std::size_t max_url_size = 2048;
constexpr std::size_t max_host_size = 253;

using detail::fail;

char to_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out)
        c = to_lower(c);
    return out;
}

bool is_digit(char c) noexcept {
    return c >= '0' && c <= '9';
}

bool all_digits(std::string_view s) noexcept {
    if (s.empty())
        return false;
    for (char c : s) {
        if (!is_digit(c))
            return false;
    }
    return true;
}

// Checks a DNS name: labels of letters, digits, '-' and '_' separated by single dots.
bool is_valid_host_name(std::string_view host) noexcept {
    if (host.empty() || host.size() > max_host_size)
        return false;
    std::size_t label = 0;
    for (char c : host) {
        if (c == '.') {
            if (label == 0)
                return false;
            label = 0;
            continue;
        }
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '-' || c == '_';
        if (!ok || ++label > 63)
            return false;
    }
    return label != 0;
}

std::uint16_t default_port(std::string_view scheme) noexcept {
    return scheme == "https" ? 443 : 80;
}

void fill_host_header(endpoint& ep, bool ipv6) {
    ep.host_header.clear();
    if (ipv6)
        ep.host_header += '[';
    ep.host_header += ep.host;
    if (ipv6)
        ep.host_header += ']';
    if (ep.port != default_port(ep.scheme)) {
        ep.host_header += ':';
        ep.host_header += std::to_string(ep.port);
    }
}

// "true" in any case is true, anything else false (as botocore's ensure_boolean); nullopt when unset.
std::optional<bool> as_bool(const std::string* value) noexcept {
    if (value == nullptr || value->empty())
        return std::nullopt;
    return to_lower(*value) == "true";
}

std::optional<bool> env_bool(const env_lookup& env, std::string_view name) {
    auto value = get_env(env, name);
    return value ? as_bool(&*value) : std::nullopt;
}

std::optional<bool> config_bool(const shared_config& config, std::string_view key) {
    const ini_section* profile = config.profile();
    return profile == nullptr ? std::nullopt : as_bool(profile->find(key));
}

bool resolve_flag(std::optional<bool> explicit_value, const env_lookup& env, std::string_view env_name,
                  const shared_config& config, std::string_view config_key) {
    if (explicit_value)
        return *explicit_value;
    if (auto e = env_bool(env, env_name))
        return *e;
    return config_bool(config, config_key).value_or(false);
}

struct configured_url {
    std::string url;
    std::string source; // where it came from, for messages
};

// Steps 1-5 of the configured-endpoint precedence; nullopt means "use the region's host".
std::optional<configured_url> find_configured_url(const endpoint_settings& settings, const env_lookup& env,
                                                  const shared_config& config) {
    if (!settings.explicit_url.empty())
        return configured_url{std::string(settings.explicit_url), "the endpoint option"};

    bool ignore = false;
    if (auto e = env_bool(env, "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"))
        ignore = *e;
    else
        ignore = config_bool(config, "ignore_configured_endpoint_urls").value_or(false);
    if (ignore)
        return std::nullopt;

    std::string env_name = "AWS_ENDPOINT_URL_";
    for (char c : settings.service_key)
        env_name += c == '-' || c == ' ' ? '_' : (c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c);
    if (auto url = get_env(env, env_name))
        return configured_url{std::move(*url), env_name};
    if (auto url = get_env(env, "AWS_ENDPOINT_URL"))
        return configured_url{std::move(*url), "AWS_ENDPOINT_URL"};
    if (const ini_section* services = config.services()) {
        if (const std::string* url = services->find(settings.service_key, "endpoint_url"); url && !url->empty())
            return configured_url{*url, "the " + std::string(settings.service_key) +
                                            " endpoint_url of the services section of profile '" +
                                            config.profile_name + "' in " + config.path};
    }
    if (const ini_section* profile = config.profile()) {
        if (const std::string* url = profile->find("endpoint_url"); url && !url->empty())
            return configured_url{*url,
                                  "endpoint_url of profile '" + config.profile_name + "' in " + config.path};
    }
    return std::nullopt;
}

// One row of the partition table: a region matches when its dash-separated labels are `prefix...`, then one
// word, then a number (partitions.json's `^prefix\-\w+\-\d+$`).
struct partition_rule {
    std::array<std::string_view, 2> prefix; // "" = unused
    partition_info info;
};

constexpr partition_info aws_partition{"aws", "amazonaws.com", "api.aws", true, true};

constexpr std::array<partition_rule, 7> partition_rules{{
    {{"cn", ""}, {"aws-cn", "amazonaws.com.cn", "api.amazonwebservices.com.cn", true, true}},
    {{"us", "gov"}, {"aws-us-gov", "amazonaws.com", "api.aws", true, true}},
    {{"us", "iso"}, {"aws-iso", "c2s.ic.gov", "c2s.ic.gov", true, false}},
    {{"us", "isob"}, {"aws-iso-b", "sc2s.sgov.gov", "sc2s.sgov.gov", true, false}},
    {{"eu", "isoe"}, {"aws-iso-e", "cloud.adc-e.uk", "cloud.adc-e.uk", true, false}},
    {{"us", "isof"}, {"aws-iso-f", "csp.hci.ic.gov", "csp.hci.ic.gov", true, false}},
    {{"eusc", "de"}, {"aws-eusc", "amazonaws.eu", "amazonaws.eu", true, false}},
}};

// The global pseudo-regions partitions.json lists by name.
constexpr std::array<std::pair<std::string_view, std::size_t>, 5> global_regions{{
    {"aws-cn-global", 0},
    {"aws-us-gov-global", 1},
    {"aws-iso-global", 2},
    {"aws-iso-b-global", 3},
    {"aws-iso-f-global", 5},
}};

bool is_word(std::string_view s) noexcept {
    if (s.empty())
        return false;
    for (char c : s) {
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_'))
            return false;
    }
    return true;
}

// Splits on '-' into at most 5 labels; false when there are more.
bool split_labels(std::string_view region, std::array<std::string_view, 5>& labels,
                  std::size_t& count) noexcept {
    count = 0;
    for (;;) {
        if (count == labels.size())
            return false;
        auto dash = region.find('-');
        labels[count++] = region.substr(0, dash);
        if (dash == std::string_view::npos)
            return true;
        region.remove_prefix(dash + 1);
    }
}

} // namespace

result<endpoint> parse_endpoint(std::string_view url, bool allow_insecure_http, std::string& message) {
    namespace urls = boost::urls;
    if (url.empty())
        return fail(errc::invalid_endpoint, message, "the endpoint URL is empty");
    if (url.size() > max_url_size)
        return fail(errc::invalid_endpoint, message, "the endpoint URL is longer than 2048 characters");

    auto parsed = urls::parse_uri(urls::string_view(url.data(), url.size()));
    if (!parsed)
        return fail(errc::invalid_endpoint, message,
                    "the endpoint URL is not a valid absolute URL such as https://host[:port][/path]");
    urls::url_view u = *parsed;

    endpoint ep;
    switch (u.scheme_id()) {
    case urls::scheme::https:
        ep.scheme = "https";
        break;
    case urls::scheme::http:
        ep.scheme = "http";
        break;
    default:
        return fail(errc::invalid_endpoint, message, "the endpoint URL's scheme must be http or https");
    }
    // Credentials in a URL would be sent to, and logged by, whatever sits at that host.
    if (u.has_userinfo())
        return fail(errc::invalid_endpoint, message, "the endpoint URL must not contain user information");
    if (u.has_query() || u.has_fragment())
        return fail(errc::invalid_endpoint, message, "the endpoint URL must not have a query or a fragment");

    bool ipv6 = false;
    switch (u.host_type()) {
    case urls::host_type::ipv4: {
        auto v4 = u.host_ipv4_address();
        ep.host = v4.to_string();
        ep.is_ip_literal = true;
        ep.is_loopback = (v4.to_uint() >> 24) == 127;
        break;
    }
    case urls::host_type::ipv6: {
        auto v6 = u.host_ipv6_address();
        ep.host = v6.to_string();
        ep.is_ip_literal = true;
        ipv6 = true;
        auto bytes = v6.to_bytes();
        ep.is_loopback = v6.is_loopback() || (v6.is_v4_mapped() && bytes[12] == 127);
        break;
    }
    case urls::host_type::name: {
        auto encoded = u.encoded_host();
        std::string_view name(encoded.data(), encoded.size());
        if (!is_valid_host_name(name))
            return fail(errc::invalid_endpoint, message,
                        "the endpoint URL's host is not a valid DNS name or IP address");
        // A name whose last label is a number ("127.1", "0x7f.1") is an IPv4 shorthand to the resolver:
        // refuse the ambiguity instead of guessing what it resolves to.
        auto last_dot = name.rfind('.');
        auto last_label = last_dot == std::string_view::npos ? name : name.substr(last_dot + 1);
        if (all_digits(last_label) ||
            (last_label.size() > 2 && last_label[0] == '0' && (last_label[1] == 'x' || last_label[1] == 'X')))
            return fail(errc::invalid_endpoint, message,
                        "the endpoint URL's host looks like an IP address but is not a dotted quad");
        ep.host = to_lower(name);
        ep.is_loopback = ep.host == "localhost";
        break;
    }
    default:
        return fail(errc::invalid_endpoint, message, "the endpoint URL has no usable host");
    }

    ep.port = default_port(ep.scheme);
    if (u.has_port() && !u.port().empty()) {
        auto p = u.port();
        std::uint32_t port = 0;
        bool ok = true;
        for (char c : p) {
            ok = ok && is_digit(c) && port <= 65535;
            if (ok)
                port = port * 10 + static_cast<std::uint32_t>(c - '0');
        }
        if (!ok || port == 0 || port > 65535)
            return fail(errc::invalid_endpoint, message, "the endpoint URL's port is not 1-65535");
        ep.port = static_cast<std::uint16_t>(port);
    }

    auto path = u.encoded_path();
    ep.target = path.empty() ? std::string("/") : std::string(path.data(), path.size());

    if (ep.scheme == "http" && !ep.is_loopback && !allow_insecure_http)
        return fail(errc::insecure_endpoint, message,
                    "plain http to the non-loopback host '" + ep.host +
                        "' would expose requests; use https, or allow insecure http explicitly");
    fill_host_header(ep, ipv6);
    return ep;
}

const partition_info& partition_of(std::string_view region) noexcept {
    for (const auto& [name, index] : global_regions) {
        if (region == name)
            return partition_rules[index].info;
    }
    std::array<std::string_view, 5> labels{};
    std::size_t count = 0;
    if (!split_labels(region, labels, count) || count < 3 || !all_digits(labels[count - 1]) ||
        !is_word(labels[count - 2]))
        return aws_partition;
    for (const auto& rule : partition_rules) {
        std::size_t prefix = rule.prefix[1].empty() ? 1 : 2;
        if (count != prefix + 2)
            continue;
        if (labels[0] == rule.prefix[0] && (prefix == 1 || labels[1] == rule.prefix[1]))
            return rule.info;
    }
    return aws_partition;
}

result<endpoint> resolve_endpoint(const endpoint_settings& settings, const env_lookup& env,
                                  const shared_config& config, std::string& message) {
    // A configured URL needs no region to be found (the caller may pick a signing region for a local
    // server); the regional host does. A region that is set must be valid either way.
    if (!settings.region.empty() && !is_valid_region(settings.region))
        return fail(errc::invalid_region, message,
                    "the region is not valid: it must be 1-63 characters of a-z, 0-9 and '-'");
    bool fips = resolve_flag(settings.use_fips, env, "AWS_USE_FIPS_ENDPOINT", config, "use_fips_endpoint");
    bool dual_stack = resolve_flag(settings.use_dual_stack, env, "AWS_USE_DUALSTACK_ENDPOINT", config,
                                   "use_dualstack_endpoint");

    if (auto configured = find_configured_url(settings, env, config)) {
        if (fips)
            return fail(errc::invalid_endpoint, message,
                        "invalid configuration: FIPS and a custom endpoint (from " + configured->source +
                            ") are not supported together");
        if (dual_stack)
            return fail(errc::invalid_endpoint, message,
                        "invalid configuration: dual-stack and a custom endpoint (from " +
                            configured->source + ") are not supported together");
        auto ep = parse_endpoint(configured->url, settings.allow_insecure_http, message);
        if (!ep) {
            message = "endpoint from " + configured->source + ": " + message;
            return ep.error();
        }
        ep->signing_region = settings.region;
        return ep;
    }

    if (settings.region == "local" && settings.service_key == "dynamodb") {
        if (fips || dual_stack)
            return fail(errc::invalid_endpoint, message,
                        std::string("invalid configuration: ") + (fips ? "FIPS" : "dual-stack") +
                            " and the local endpoint (region 'local') are not supported together");
        endpoint ep;
        ep.scheme = "http";
        ep.host = "localhost";
        ep.port = 8000;
        ep.is_loopback = true;
        ep.signing_region = "us-east-1";
        fill_host_header(ep, false);
        return ep;
    }

    if (settings.region.empty())
        return fail(errc::invalid_region, message,
                    "no AWS region configured: set the region option, AWS_REGION, AWS_DEFAULT_REGION or the "
                    "profile's 'region' (or an endpoint URL)");
    const partition_info& partition = partition_of(settings.region);
    if (fips && !partition.supports_fips)
        return fail(errc::invalid_endpoint, message,
                    "FIPS is enabled but partition " + std::string(partition.name) + " does not support it");
    if (dual_stack && !partition.supports_dual_stack)
        return fail(errc::invalid_endpoint, message,
                    "dual-stack is enabled but partition " + std::string(partition.name) +
                        " does not support it");

    endpoint ep;
    ep.scheme = "https";
    ep.port = 443;
    ep.signing_region = settings.region;
    // In aws-us-gov the plain regional host is already the FIPS one (except with dual-stack).
    bool fips_host = fips && (dual_stack || partition.name != "aws-us-gov");
    auto first_dot = settings.host_prefix.find('.');
    auto first_label = settings.host_prefix.substr(0, first_dot);
    ep.host = std::string(first_label);
    if (fips_host)
        ep.host += "-fips";
    if (first_dot != std::string_view::npos)
        ep.host += settings.host_prefix.substr(first_dot);
    ep.host += '.';
    ep.host += settings.region;
    ep.host += '.';
    ep.host += dual_stack ? partition.dual_stack_dns_suffix : partition.dns_suffix;
    fill_host_header(ep, false);
    return ep;
}

} // namespace dynalock::core
