// SPDX-License-Identifier: BSL-1.0
// What the built-in providers share inside the library: awaiting another provider from a coroutine (the
// default chain and assume role ask their sources this way), and the web identity provider with the name
// of the setting its token file came from, for messages.
#ifndef DYNALOCK_CREDENTIALS_PROVIDERS_HPP
#define DYNALOCK_CREDENTIALS_PROVIDERS_HPP

#include <dynalock/credentials.hpp>

#include "credentials/async_provider.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <string>

namespace dynalock::detail {

/// Asks `provider` on the current executor; its outcome with last_error_message() on failure. Terminal
/// cancellation of the awaiting coroutine reaches the provider through the handler's cancellation slot.
inline boost::asio::awaitable<credentials_outcome>
await_credentials(std::shared_ptr<credentials_provider> provider) {
    namespace asio = boost::asio;
    auto ex = co_await asio::this_coro::executor;
    constexpr auto token = asio::as_tuple(asio::use_awaitable);
    // The provider travels as an argument, not a lambda capture of a coroutine parameter: g++ 12 releases
    // such a capture once too often. The frame's `provider` keeps it alive until the completion.
    auto [ec, creds] = co_await asio::async_initiate<decltype(token), void(error_code, credentials)>(
        [](auto handler, credentials_provider* target, asio::any_io_executor on) {
            target->async_get_credentials(std::move(on), std::move(handler));
        },
        token, provider.get(), ex);
    credentials_outcome out{ec, std::move(creds), {}};
    if (ec)
        out.message = provider->last_error_message();
    co_return out;
}

/// make_web_identity_credentials_provider, with `token_origin` naming where the token file was set
/// ("AWS_WEB_IDENTITY_TOKEN_FILE", "profile 'x' in ~/.aws/config") in its messages; empty: derived from
/// the options and the environment.
std::shared_ptr<credentials_provider>
make_web_identity_provider(web_identity_options options, environment_lookup env, std::string token_origin);

} // namespace dynalock::detail

#endif
