// SPDX-License-Identifier: BSL-1.0
#include "core/proxy_config.hpp"

#include <dynalock/error.hpp>

#include "core/json_codec.hpp"
#include "core/validation.hpp"

#include <boost/url/ipv4_address.hpp>
#include <boost/url/ipv6_address.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/scheme.hpp>
#include <boost/url/url_view.hpp>

#include <algorithm>
#include <cctype>
#include <cstring>

namespace dynalock::core {

namespace {

using boost::system::result;
namespace urls = boost::urls;

std::string to_lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::optional<std::uint16_t> parse_port(std::string_view p) {
    if (p.empty() || p.size() > 5)
        return std::nullopt;
    std::uint32_t port = 0;
    for (char c : p) {
        if (c < '0' || c > '9')
            return std::nullopt;
        port = port * 10 + static_cast<std::uint32_t>(c - '0');
    }
    if (port == 0 || port > 65535)
        return std::nullopt;
    return static_cast<std::uint16_t>(port);
}

bool is_host_name(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_';
    });
}

// The bytes of an IP literal (4 or 16 of them), or 0 when `s` is not one.
std::size_t ip_bytes(std::string_view s, unsigned char (&out)[16]) {
    if (auto v4 = urls::parse_ipv4_address(urls::string_view(s.data(), s.size()))) {
        auto b = v4->to_bytes();
        std::memcpy(out, b.data(), b.size());
        return b.size();
    }
    if (auto v6 = urls::parse_ipv6_address(urls::string_view(s.data(), s.size()))) {
        auto b = v6->to_bytes();
        std::memcpy(out, b.data(), b.size());
        return b.size();
    }
    return 0;
}

std::string display_host(const std::string& host) {
    return host.find(':') != std::string::npos ? "[" + host + "]" : host;
}

// The first of the variables that is set (and not empty).
std::optional<std::pair<std::string, std::string_view>>
first_set(const env_lookup& env, std::initializer_list<std::string_view> names) {
    for (auto name : names)
        if (auto v = get_env(env, name))
            return std::pair{std::move(*v), name};
    return std::nullopt;
}

} // namespace

result<proxy_server> parse_proxy_url(std::string_view url, std::string_view source, std::string& message) {
    const std::string subject(source);
    auto invalid = [&](std::string_view why) {
        return detail::fail(
            errc::invalid_argument, message,
            subject + " is not a usable proxy URL (http://[user:password@]host[:port]): " + std::string(why));
    };
    std::string text(url);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t'))
        text.pop_back();
    text.erase(0, std::min(text.find_first_not_of(" \t"), text.size()));
    if (text.find("://") == std::string::npos)
        text.insert(0, "http://");
    auto parsed = urls::parse_uri(urls::string_view(text.data(), text.size()));
    if (!parsed)
        return invalid("it is not a valid URL");
    urls::url_view u = *parsed;
    if (u.scheme_id() != urls::scheme::http) {
        const auto scheme = u.scheme();
        return detail::fail(errc::unsupported_configuration, message,
                            subject + " names a " + to_lower(std::string_view(scheme.data(), scheme.size())) +
                                ":// proxy, which is not supported: the proxy must be reached with plain "
                                "http:// (https targets are still tunnelled with TLS end to end)");
    }
    if (u.has_query() || u.has_fragment())
        return invalid("it has a query or a fragment");
    if (auto path = u.encoded_path(); !path.empty() && path != "/")
        return invalid("it has a path");

    proxy_server p;
    switch (u.host_type()) {
    case urls::host_type::ipv4:
        p.host = u.host_ipv4_address().to_string();
        break;
    case urls::host_type::ipv6:
        p.host = u.host_ipv6_address().to_string();
        break;
    case urls::host_type::name: {
        auto h = u.encoded_host();
        std::string_view name(h.data(), h.size());
        if (!is_host_name(name))
            return invalid("its host is not a DNS name or an IP address");
        p.host = to_lower(name);
        break;
    }
    default:
        return invalid("it has no host");
    }
    if (u.has_port() && !u.port().empty()) {
        auto port = parse_port(std::string_view(u.port().data(), u.port().size()));
        if (!port)
            return invalid("its port is not 1-65535");
        p.port = *port;
    }
    if (u.has_userinfo()) {
        std::string credentials = u.user();
        credentials.append(":");
        if (u.has_password())
            credentials.append(u.password());
        p.authorization = "Basic ";
        base64_encode(credentials, p.authorization);
    }
    p.display = "http://" + display_host(p.host) + ":" + std::to_string(p.port);
    return p;
}

no_proxy_list::no_proxy_list(std::string_view value) {
    auto separator = [](char c) { return c == ',' || c == ' ' || c == '\t'; };
    while (!value.empty()) {
        while (!value.empty() && separator(value.front()))
            value.remove_prefix(1);
        std::size_t end = 0;
        while (end < value.size() && !separator(value[end]))
            ++end;
        std::string_view item = value.substr(0, end);
        value.remove_prefix(end);
        if (item.empty())
            continue;
        if (item == "*") {
            all_ = true;
            continue;
        }
        entry e;
        std::string_view host = item;
        std::string_view port;
        if (host.front() == '[') { // [v6] or [v6]:port
            auto close = host.find(']');
            if (close == std::string_view::npos)
                continue;
            port = host.substr(close + 1);
            host = host.substr(1, close - 1);
            if (!port.empty()) {
                if (port.front() != ':')
                    continue;
                port.remove_prefix(1);
            }
        } else if (std::count(host.begin(), host.end(), ':') == 1) { // name:port or v4:port
            auto colon = host.find(':');
            port = host.substr(colon + 1);
            host = host.substr(0, colon);
        }
        if (!port.empty()) {
            e.port = parse_port(port);
            if (!e.port)
                continue;
        }
        std::string_view address = host;
        std::optional<unsigned> bits;
        if (auto slash = host.find('/'); slash != std::string_view::npos) {
            address = host.substr(0, slash);
            auto b = parse_port(host.substr(slash + 1)); // 1-65535 digits; checked against 32/128 below
            if (!b && host.substr(slash + 1) != "0")
                continue;
            bits = b ? *b : 0u;
        }
        if (auto n = ip_bytes(address, e.address)) {
            e.ip = true;
            e.v6 = n == 16;
            e.prefix_bits = bits.value_or(static_cast<unsigned>(n * 8));
            if (e.prefix_bits > n * 8)
                continue;
        } else {
            if (bits)
                continue;
            if (host.substr(0, 2) == "*.")
                host.remove_prefix(2);
            while (!host.empty() && host.front() == '.')
                host.remove_prefix(1);
            while (!host.empty() && host.back() == '.')
                host.remove_suffix(1);
            if (!is_host_name(host))
                continue;
            e.host = to_lower(host);
        }
        entries_.push_back(std::move(e));
    }
}

bool no_proxy_list::bypasses(std::string_view host, std::uint16_t port) const {
    if (all_)
        return true;
    std::string name = to_lower(host);
    if (name.size() > 2 && name.front() == '[' && name.back() == ']')
        name = name.substr(1, name.size() - 2);
    while (!name.empty() && name.back() == '.')
        name.pop_back();
    unsigned char address[16];
    const std::size_t address_size = ip_bytes(name, address);
    for (const auto& e : entries_) {
        if (e.port && *e.port != port)
            continue;
        if (e.ip) {
            if (address_size != (e.v6 ? 16u : 4u))
                continue;
            const unsigned full = e.prefix_bits / 8;
            const unsigned rest = e.prefix_bits % 8;
            if (std::memcmp(address, e.address, full) != 0)
                continue;
            if (rest != 0) {
                const auto mask = static_cast<unsigned char>(0xff << (8 - rest));
                if ((address[full] & mask) != (e.address[full] & mask))
                    continue;
            }
            return true;
        }
        if (address_size != 0)
            continue;
        if (name == e.host)
            return true;
        if (name.size() > e.host.size() &&
            name.compare(name.size() - e.host.size(), e.host.size(), e.host) == 0 &&
            name[name.size() - e.host.size() - 1] == '.')
            return true;
    }
    return false;
}

const proxy_server* proxy_config::select(bool https_target, std::string_view host, std::uint16_t port) const {
    const auto& proxy = https_target ? https : http;
    if (!proxy || no_proxy.bypasses(host, port))
        return nullptr;
    return &*proxy;
}

result<proxy_config> load_proxy_config(const env_lookup& env, std::optional<std::string_view> override_url,
                                       std::string& message) {
    proxy_config out;
    if (auto no = first_set(env, {"NO_PROXY", "no_proxy"}))
        out.no_proxy = no_proxy_list(no->first);
    if (override_url) {
        if (override_url->empty())
            return out;
        auto p = parse_proxy_url(*override_url, "client_options::proxy", message);
        if (!p)
            return p.error();
        out.https = *p;
        out.http = std::move(*p);
        return out;
    }
    if (auto v = first_set(env, {"HTTPS_PROXY", "https_proxy"})) {
        auto p = parse_proxy_url(v->first, v->second, message);
        if (!p)
            return p.error();
        out.https = std::move(*p);
    }
    // In a CGI program HTTP_PROXY can be set by a client's "Proxy:" request header: trust only the
    // lower-case form there.
    const bool cgi = get_env(env, "REQUEST_METHOD").has_value();
    auto v = cgi ? first_set(env, {"http_proxy"}) : first_set(env, {"HTTP_PROXY", "http_proxy"});
    if (v) {
        auto p = parse_proxy_url(v->first, v->second, message);
        if (!p)
            return p.error();
        out.http = std::move(*p);
    }
    return out;
}

} // namespace dynalock::core
