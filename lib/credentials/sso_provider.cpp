// SPDX-License-Identifier: BSL-1.0
// IAM Identity Center (SSO): the token `aws sso login` cached, exchanged for role credentials with the
// portal's GetRoleCredentials. The config file and the token cache are read at every call (a new login
// takes effect at once). What the settings, the cache and the replies mean lives in the sans-io core
// (core/credentials/sso); this file reads the files, sends, and retries the answers that may pass.
#include "credentials/sso_provider.hpp"

#include "core/aws_config.hpp"
#include "core/credentials/sso.hpp"
#include "core/crypto.hpp"
#include "credentials/async_provider.hpp"
#include "credentials/http_fetch.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <mutex>
#include <utility>

namespace dynalock {

namespace {

using detail::to_public;
using detail::transient_transport_error;

namespace asio = boost::asio;
using detail::credentials_failure;
using detail::credentials_outcome;

// A GetRoleCredentials reply is well under a KiB.
constexpr std::size_t portal_body_limit = 64 * 1024;
constexpr std::chrono::milliseconds retry_delay{200};

// g++ 12 reports a false -Wmismatched-new-delete when it inlines the frames of awaited awaitables.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

class sso_provider final : public detail::async_credentials_provider {
public:
    sso_provider(std::string profile, core::env_lookup env, credentials_http_options http)
        : profile_(std::move(profile)), env_(std::move(env)), http_(http) {}

protected:
    asio::awaitable<credentials_outcome> fetch() override {
        std::string message;
        auto config = core::load_shared_config(env_, profile_, message);
        if (!config)
            co_return credentials_failure(config.error(), "SSO: " + message);
        auto found = core::sso::settings_from_config(*config, message);
        if (!found)
            co_return credentials_failure(found.error(), "SSO: " + message);
        if (!*found)
            co_return credentials_failure(make_error_code(errc::no_credentials), "SSO: " + message);
        const core::sso::settings& settings = **found;

        const std::string cache_path = core::sso::token_cache_path(settings, env_);
        detail::wiped_secret cache; // the token and, for sso-session logins, a refresh token
        {
            std::string read_message;
            auto text = core::read_aws_shared_file(cache_path, read_message);
            if (!text)
                co_return credentials_failure(make_error_code(errc::sso_token_expired),
                                              "SSO profile '" + settings.profile_name +
                                                  "': the token cache " + read_message + ": run `" +
                                                  core::sso::login_command(settings) + "`");
            cache.value = std::move(*text);
        }
        auto token = core::sso::parse_token_cache(cache.value, cache_path, settings,
                                                  std::chrono::system_clock::now(), message);
        if (!token)
            co_return credentials_failure(token.error(), std::move(message));

        auto ep = core::sso::resolve_portal_endpoint(settings, env_, *config, message);
        if (!ep)
            co_return credentials_failure(ep.error(), std::move(message));
        std::shared_ptr<asio::ssl::context> tls;
        if (ep->is_https()) {
            error_code ec;
            tls = tls_context(ca_file(*config), ec, message);
            if (!tls)
                co_return credentials_failure(ec, "SSO profile '" + settings.profile_name + "': " + message);
        }

        const std::string prefix = "SSO profile '" + settings.profile_name + "': GetRoleCredentials: ";
        const unsigned attempts = std::max(1u, http_.max_attempts);
        credentials_outcome last;
        for (unsigned attempt = 1; attempt <= attempts; ++attempt) {
            if (attempt > 1) {
                asio::steady_timer delay(co_await asio::this_coro::executor, retry_delay * (attempt - 1));
                auto [wait_ec] = co_await delay.async_wait(asio::as_tuple(asio::use_awaitable));
                if (wait_ec)
                    co_return credentials_failure(asio::error::operation_aborted, prefix + "cancelled");
            }
            auto req = core::sso::get_role_credentials_request(settings, *ep, token->access_token);
            auto reply = co_await detail::http_fetch(*ep, std::move(req), http_, tls.get(), env_, true,
                                                     portal_body_limit);
            if (reply.ec) {
                if (reply.ec == asio::error::operation_aborted)
                    co_return credentials_failure(reply.ec, prefix + "cancelled");
                last = credentials_failure(reply.ec, prefix + reply.message);
                if (!transient_transport_error(reply.ec))
                    co_return last;
                continue;
            }
            auto outcome = core::sso::interpret_reply(settings, reply.reply.status,
                                                      reply.reply.header("x-amzn-ErrorType"),
                                                      reply.reply.body, token->access_token);
            if (!outcome.ec)
                co_return credentials_outcome{{}, to_public(std::move(outcome.creds)), {}};
            last = credentials_failure(outcome.ec, std::move(outcome.message));
            if (!outcome.retryable)
                co_return last;
        }
        if (attempts > 1)
            last.message += " (gave up after " + std::to_string(attempts) + " attempts)";
        co_return last;
    }

private:
    // AWS_CA_BUNDLE, else the profile's ca_bundle; "" for none.
    std::string ca_file(const core::shared_config& config) const {
        if (auto bundle = core::get_env(env_, "AWS_CA_BUNDLE"))
            return core::expand_home(*bundle, env_);
        const core::ini_section* profile = config.profile();
        const std::string* ca = profile != nullptr ? profile->find("ca_bundle") : nullptr;
        return ca != nullptr && !ca->empty() ? core::expand_home(*ca, env_) : std::string();
    }

    // Kept while the CA file stays the same: loading the system store costs milliseconds.
    std::shared_ptr<asio::ssl::context> tls_context(const std::string& file, error_code& ec,
                                                    std::string& message) {
        std::lock_guard lock(tls_mutex_);
        if (!tls_ || tls_ca_file_ != file) {
            tls_ = detail::make_provider_tls_context(file, ec, message);
            tls_ca_file_ = file;
        }
        return tls_;
    }

    const std::string profile_;
    const core::env_lookup env_;
    const credentials_http_options http_;
    std::mutex tls_mutex_;
    std::shared_ptr<asio::ssl::context> tls_;
    std::string tls_ca_file_;
};

#pragma GCC diagnostic pop

} // namespace

namespace detail {

std::shared_ptr<credentials_provider> make_sso_provider(std::string profile, environment_lookup env,
                                                        credentials_http_options http) {
    core::env_lookup lookup = env ? std::move(env) : core::process_environment();
    return std::make_shared<sso_provider>(std::move(profile), std::move(lookup), http);
}

} // namespace detail

std::shared_ptr<credentials_provider> make_sso_credentials_provider(std::string profile,
                                                                    environment_lookup env) {
    return detail::make_sso_provider(std::move(profile), std::move(env), detail::default_sso_http);
}

} // namespace dynalock
