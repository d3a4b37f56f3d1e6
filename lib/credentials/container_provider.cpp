// SPDX-License-Identifier: BSL-1.0
// Container credentials (ECS task roles, EKS Pod Identity): the endpoint and the authorization token are
// resolved at every call (the token file is rotated by the platform), then one GET, retried within the
// attempts on failures that may pass, with a short cancellable pause between attempts as botocore does.
#include <dynalock/credentials.hpp>

#include "core/aws_config.hpp"
#include "core/credentials/metadata_credentials.hpp"
#include "core/crypto.hpp"
#include "credentials/async_provider.hpp"
#include "credentials/http_fetch.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <memory>
#include <string>

namespace dynalock {

namespace {

using detail::to_public;

namespace asio = boost::asio;
namespace md = core::metadata;

constexpr std::size_t body_limit = 64 * 1024;
// botocore sleeps 1 s between attempts; never longer than half an attempt, so the pause is not what a
// caller's deadline is spent on.
constexpr std::chrono::milliseconds max_pause{1000};

// g++ 12 reports a false -Wmismatched-new-delete when it inlines the frames of awaited awaitables.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

class container_provider final : public detail::async_credentials_provider {
public:
    container_provider(credentials_http_options http, core::env_lookup env)
        : http_(http), env_(std::move(env)) {
        http_.max_attempts = std::max(1u, http_.max_attempts);
    }

protected:
    asio::awaitable<detail::credentials_outcome> fetch() override {
        std::string message;
        auto ep = md::resolve_container_endpoint(env_, message);
        if (!ep)
            co_return detail::credentials_failure(ep.error(), std::move(message));
        if (!*ep)
            co_return detail::credentials_failure(make_error_code(errc::no_credentials), std::move(message));
        const md::container_endpoint& where = **ep;

        detail::wiped_secret token; // wiped when the call ends, whichever way
        auto read = md::container_authorization_token(env_, &core::read_aws_shared_file, message);
        if (!read)
            co_return detail::credentials_failure(read.error(), std::move(message));
        token.value = std::move(*read);

        std::shared_ptr<asio::ssl::context> tls;
        if (where.ep.is_https()) {
            error_code ec;
            tls = detail::make_provider_tls_context(core::get_env(env_, "AWS_CA_BUNDLE").value_or(""), ec,
                                                    message);
            if (!tls)
                co_return detail::credentials_failure(ec, where.source + ": " + message);
        }

        const auto pause = std::min<std::chrono::milliseconds>(max_pause, http_.attempt_timeout / 2);
        detail::credentials_outcome last;
        for (unsigned attempt = 1; attempt <= http_.max_attempts; ++attempt) {
            if (attempt > 1) {
                asio::steady_timer timer(co_await asio::this_coro::executor, pause);
                auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
                if (ec == asio::error::operation_aborted)
                    co_return detail::credentials_failure(ec, where.source + ": cancelled");
            }
            auto r = co_await detail::http_fetch(where.ep, md::container_request(where, token.value), http_,
                                                 tls.get(), env_, false, body_limit);
            if (r.ec == asio::error::operation_aborted)
                co_return detail::credentials_failure(r.ec, where.source + ": cancelled");
            if (r.ec) {
                last = detail::credentials_failure(r.ec, where.source + ": " + r.message);
                continue;
            }
            auto o = md::interpret_container_reply(where, r.reply.status, r.reply.body,
                                                   token.value ? std::string_view(*token.value)
                                                               : std::string_view());
            if (!o.ec)
                co_return detail::credentials_outcome{{}, to_public(std::move(o.doc.creds)), {}};
            last = detail::credentials_failure(o.ec, std::move(o.message));
            if (!o.retryable)
                co_return last;
        }
        if (http_.max_attempts > 1)
            last.message += " (after " + std::to_string(http_.max_attempts) + " attempts)";
        co_return last;
    }

private:
    credentials_http_options http_;
    core::env_lookup env_;
};

#pragma GCC diagnostic pop

} // namespace

std::shared_ptr<credentials_provider> make_container_credentials_provider(credentials_http_options http,
                                                                          environment_lookup env) {
    return std::make_shared<container_provider>(http, env ? std::move(env) : core::process_environment());
}

} // namespace dynalock
