// SPDX-License-Identifier: BSL-1.0
#include "credentials/http_fetch.hpp"

#include "core/proxy_config.hpp"
#include "transport/connection.hpp"
#include "transport/tls_context.hpp"

#include <boost/asio/this_coro.hpp>

namespace dynalock::detail {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

asio::awaitable<http_fetch_result> http_fetch(const core::endpoint& ep, core::http_request req,
                                              const credentials_http_options& http, asio::ssl::context* tls,
                                              const core::env_lookup& env, bool allow_proxy,
                                              std::size_t body_limit) {
    http_fetch_result out;
    if (ep.is_https() && !tls) {
        out.ec = make_error_code(errc::invalid_endpoint);
        out.message = "https endpoint without a TLS context";
        co_return out;
    }
    transport::target t{ep.host, std::to_string(ep.port), ep.is_https(), !ep.is_ip_literal, std::nullopt};
    if (allow_proxy) {
        std::string message;
        auto proxies = core::load_proxy_config(env, std::nullopt, message);
        if (!proxies) {
            out.ec = proxies.error();
            out.message = std::move(message);
            co_return out;
        }
        if (const auto* p = proxies->select(ep.is_https(), ep.host, ep.port))
            t.proxy = *p;
    }
    transport::transport_counters counters;
    transport::connection conn(co_await asio::this_coro::executor, t, tls, counters);

    const auto start = clock::now();
    // The attempt's own bound: the caller's loop decides whether another attempt fits.
    const transport::deadlines exchange_deadlines{start + http.attempt_timeout, clock::time_point::max()};
    const transport::deadlines connect_deadlines{start + http.connect_timeout, exchange_deadlines.attempt};
    auto r = co_await conn.connect(connect_deadlines);
    if (!r.ec) {
        bool has_host = false;
        for (const auto& h : req.headers)
            has_host = has_host || core::iequals(h.name, "Host");
        if (!has_host)
            req.headers.insert(req.headers.begin(), {"Host", ep.host_header});
        r = co_await conn.exchange(req, out.reply, exchange_deadlines, body_limit);
    }
    conn.close();
    if (r.ec) {
        out.ec = r.ec;
        out.message = ep.scheme + "://" + ep.host_header + ": " + r.ec.message();
        if (!r.detail.empty())
            out.message += " (" + r.detail + ")";
    }
    co_return out;
}

std::shared_ptr<asio::ssl::context> make_provider_tls_context(const std::string& ca_file, error_code& ec,
                                                              std::string& message) {
    auto ctx = transport::make_tls_context(ca_file, ec, message);
    return ctx ? std::shared_ptr<asio::ssl::context>(std::move(ctx)) : nullptr;
}

} // namespace dynalock::detail
