// SPDX-License-Identifier: BSL-1.0
// STS AssumeRoleWithWebIdentity (unsigned, the token file read afresh at each call) and AssumeRole (signed
// with SigV4 by the source credentials). What goes in the request and what the reply means lives in the
// sans-io core (core/credentials/sts); this file finds the endpoint and TLS settings, sends, and retries
// the answers that may pass.
#include <dynalock/credentials.hpp>

#include "core/aws_config.hpp"
#include "core/credentials/sts.hpp"
#include "core/sigv4.hpp"
#include "credentials/async_provider.hpp"
#include "credentials/http_fetch.hpp"
#include "credentials/providers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <functional>
#include <mutex>
#include <span>
#include <utility>

namespace dynalock {

namespace {

using detail::or_process_environment;
using detail::to_public;
using detail::transient_transport_error;

namespace asio = boost::asio;
using detail::credentials_failure;
using detail::credentials_outcome;

// An STS reply is a few KiB; anything much larger is not one.
constexpr std::size_t sts_body_limit = 256 * 1024;
// Between attempts: short, as the whole call is bounded by the client's credentials deadline anyway.
constexpr std::chrono::milliseconds retry_delay{200};

// Transport failures that another attempt on a new connection may not meet.
// Where and how STS is asked, for one call: the config file is read at each call, as the other sources are.
struct sts_target {
    core::endpoint ep;
    std::string ca_file;
};

struct sts_settings {
    std::string region;
    std::string sts_endpoint;
    std::string profile;
    std::string ca_file;
};

error_code resolve_target(const sts_settings& s, const core::env_lookup& env, sts_target& out,
                          std::string& message) {
    auto config = core::load_shared_config(env, s.profile, message);
    if (!config)
        return config.error();
    // No region at all is allowed (the global endpoint); a region that is set must be valid.
    std::string region;
    const core::ini_section* profile = config->profile();
    const std::string* profile_region = profile != nullptr ? profile->find("region") : nullptr;
    if (!s.region.empty() || core::get_env(env, "AWS_REGION") || core::get_env(env, "AWS_DEFAULT_REGION") ||
        (profile_region != nullptr && !profile_region->empty())) {
        auto resolved = core::resolve_region(s.region, env, *config, message);
        if (!resolved) {
            message = "STS region: " + message;
            return resolved.error();
        }
        region = std::move(*resolved);
    }
    auto ep = core::sts::resolve_sts_endpoint(s.sts_endpoint, region, env, *config, message);
    if (!ep)
        return ep.error();
    out.ep = std::move(*ep);
    if (!s.ca_file.empty()) {
        out.ca_file = s.ca_file;
    } else if (auto bundle = core::get_env(env, "AWS_CA_BUNDLE")) {
        out.ca_file = std::move(*bundle);
    } else if (const std::string* ca = profile != nullptr ? profile->find("ca_bundle") : nullptr;
               ca && !ca->empty()) {
        out.ca_file = core::expand_home(*ca, env);
    }
    return {};
}

// g++ 12 reports a false -Wmismatched-new-delete in call() when it inlines the frame allocation of the
// awaitables it awaits (Asio's awaitable frames pair their own operator new and delete).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

// The common part of both providers: the TLS context (kept while the CA file stays the same), the
// attempts and the reading of the replies.
class sts_provider_base : public detail::async_credentials_provider {
protected:
    sts_provider_base(sts_settings settings, credentials_http_options http, core::env_lookup env)
        : settings_(std::move(settings)), http_(http), env_(std::move(env)) {}

    // Prepares one attempt's request (already holding method, target, Host, Content-Type and body) for the
    // resolved endpoint: adds what the call needs (a signature). Called again for every attempt.
    using prepare_fn =
        std::function<error_code(core::http_request&, const core::endpoint&, std::string& message)>;

    asio::awaitable<credentials_outcome> call(std::string_view action, std::string_view context,
                                              std::string body, const prepare_fn& prepare,
                                              std::span<const std::string_view> secrets) {
        auto prefix = std::string(context) + ": ";
        std::string message;
        sts_target target;
        if (auto ec = resolve_target(settings_, env_, target, message))
            co_return credentials_failure(ec, prefix + message);
        std::shared_ptr<asio::ssl::context> tls;
        if (target.ep.is_https()) {
            error_code ec;
            tls = tls_context(target.ca_file, ec, message);
            if (!tls)
                co_return credentials_failure(ec, prefix + message);
        }

        const unsigned attempts = std::max(1u, http_.max_attempts);
        credentials_outcome last;
        for (unsigned attempt = 1; attempt <= attempts; ++attempt) {
            if (attempt > 1) {
                asio::steady_timer delay(co_await asio::this_coro::executor, retry_delay * (attempt - 1));
                auto [wait_ec] = co_await delay.async_wait(asio::as_tuple(asio::use_awaitable));
                if (wait_ec)
                    co_return credentials_failure(asio::error::operation_aborted, prefix + "cancelled");
            }
            core::http_request req;
            req.method = "POST";
            req.target = target.ep.target;
            req.headers.push_back({"Host", target.ep.host_header});
            req.headers.push_back({"Content-Type", std::string(core::sts::content_type)});
            req.body = body;
            if (auto ec = prepare(req, target.ep, message))
                co_return credentials_failure(ec, prefix + message);

            auto reply = co_await detail::http_fetch(target.ep, std::move(req), http_, tls.get(), env_, true,
                                                     sts_body_limit);
            if (reply.ec) {
                if (reply.ec == asio::error::operation_aborted)
                    co_return credentials_failure(reply.ec, prefix + "cancelled");
                last = credentials_failure(reply.ec,
                                           prefix + "STS " + std::string(action) + ": " + reply.message);
                if (!transient_transport_error(reply.ec))
                    co_return last;
                continue;
            }
            auto outcome = core::sts::interpret_reply(action, reply.reply.status, reply.reply.body, secrets);
            if (!outcome.ec)
                co_return credentials_outcome{{}, to_public(std::move(outcome.creds)), {}};
            last = credentials_failure(outcome.ec, prefix + outcome.message);
            if (!outcome.retryable)
                co_return last;
        }
        if (attempts > 1)
            last.message += " (gave up after " + std::to_string(attempts) + " attempts)";
        co_return last;
    }

    const sts_settings settings_;
    const credentials_http_options http_;
    const core::env_lookup env_;

private:
    std::shared_ptr<asio::ssl::context> tls_context(const std::string& ca_file, error_code& ec,
                                                    std::string& message) {
        std::lock_guard lock(tls_mutex_);
        if (!tls_ || tls_ca_file_ != ca_file) {
            tls_ = detail::make_provider_tls_context(ca_file, ec, message);
            tls_ca_file_ = ca_file;
        }
        return tls_;
    }

    std::mutex tls_mutex_;
    std::shared_ptr<asio::ssl::context> tls_;
    std::string tls_ca_file_;
};

#pragma GCC diagnostic pop

std::string session_name_or_default(const std::string& name) {
    return name.empty() ? core::sts::default_session_name(std::chrono::system_clock::now()) : name;
}

class web_identity_provider final : public sts_provider_base {
public:
    web_identity_provider(web_identity_options options, core::env_lookup env, std::string token_origin)
        : sts_provider_base({options.region, options.sts_endpoint, options.profile, options.ca_file},
                            options.http, std::move(env)),
          options_(std::move(options)), token_origin_(std::move(token_origin)) {}

protected:
    asio::awaitable<credentials_outcome> fetch() override {
        std::string role_arn = options_.role_arn;
        if (role_arn.empty())
            role_arn = core::get_env(env_, "AWS_ROLE_ARN").value_or("");
        std::string token_file = options_.token_file;
        std::string origin = token_origin_;
        if (token_file.empty()) {
            token_file = core::get_env(env_, "AWS_WEB_IDENTITY_TOKEN_FILE").value_or("");
            if (origin.empty())
                origin = "AWS_WEB_IDENTITY_TOKEN_FILE";
        } else if (origin.empty()) {
            origin = "the token_file option";
        }
        if (token_file.empty() && role_arn.empty())
            co_return credentials_failure(
                make_error_code(errc::no_credentials),
                "web identity: AWS_WEB_IDENTITY_TOKEN_FILE and AWS_ROLE_ARN are not set");
        if (token_file.empty())
            co_return credentials_failure(make_error_code(errc::invalid_argument),
                                          "web identity: a role ARN is set but no token file "
                                          "(AWS_WEB_IDENTITY_TOKEN_FILE)");
        if (role_arn.empty())
            co_return credentials_failure(make_error_code(errc::invalid_argument),
                                          "web identity: " + origin +
                                              " is set but no role ARN (AWS_ROLE_ARN)");
        std::string session = options_.role_session_name;
        if (session.empty())
            session = core::get_env(env_, "AWS_ROLE_SESSION_NAME").value_or("");
        session = session_name_or_default(session);
        const std::string context = "web identity " + role_arn;

        // Read afresh at each call: the platform rotates the token in place (EKS does every hour).
        std::string read_message;
        auto text = core::read_aws_shared_file(token_file, read_message);
        if (!text || !*text)
            co_return credentials_failure(make_error_code(errc::invalid_credentials_file),
                                          context + ": " + origin + " is set but the file is unreadable: " +
                                              (text ? token_file + ": does not exist" : read_message));
        std::string token = std::move(**text);
        // A JWT holds no whitespace; a trailing newline comes from an editor or `echo`.
        while (!token.empty() &&
               (token.back() == '\n' || token.back() == '\r' || token.back() == ' ' || token.back() == '\t'))
            token.pop_back();
        if (token.empty())
            co_return credentials_failure(make_error_code(errc::invalid_credentials_file),
                                          context + ": " + origin + " names an empty file: " + token_file);

        std::string message;
        auto body = core::sts::web_identity_body({role_arn, session, token, options_.duration}, message);
        if (!body)
            co_return credentials_failure(body.error(), context + ": " + message);
        std::string_view secrets[] = {token};
        // Unsigned: the token is the proof (the model says auth: noAuth).
        auto unsigned_request = [](core::http_request&, const core::endpoint&, std::string&) {
            return error_code{};
        };
        co_return co_await call("AssumeRoleWithWebIdentity", context, std::move(*body), unsigned_request,
                                secrets);
    }

private:
    const web_identity_options options_;
    const std::string token_origin_;
};

class assume_role_provider final : public sts_provider_base {
public:
    assume_role_provider(assume_role_options options, std::shared_ptr<credentials_provider> source,
                         core::env_lookup env)
        : sts_provider_base({options.region, options.sts_endpoint, options.profile, options.ca_file},
                            options.http, std::move(env)),
          options_(std::move(options)), source_(std::move(source)) {}

protected:
    asio::awaitable<credentials_outcome> fetch() override {
        const std::string context = "assume role " + options_.role_arn;
        if (options_.role_arn.empty())
            co_return credentials_failure(make_error_code(errc::invalid_argument),
                                          "assume role: role_arn is empty");
        if (!source_)
            co_return credentials_failure(make_error_code(errc::invalid_argument),
                                          context + ": no source credentials provider");
        std::string message;
        auto body = core::sts::assume_role_body({options_.role_arn,
                                                 session_name_or_default(options_.role_session_name),
                                                 options_.external_id, options_.duration},
                                                message);
        if (!body)
            co_return credentials_failure(body.error(), context + ": " + message);

        auto source = co_await detail::await_credentials(source_);
        if (source.ec)
            co_return credentials_failure(source.ec, context + ": source credentials: " + source.message);
        core::sigv4::credentials signing{std::move(source.creds.access_key_id),
                                         std::move(source.creds.secret_access_key),
                                         std::move(source.creds.session_token)};
        auto sign = [&signing](core::http_request& req, const core::endpoint& ep, std::string& why) {
            core::sigv4::signing_options opts;
            opts.region = ep.signing_region;
            opts.service = "sts";
            opts.sign_header = core::sigv4::botocore_signs_header;
            auto ec = core::sigv4::sign(req, signing, std::chrono::system_clock::now(), opts);
            if (ec)
                why = "cannot sign the request: " + ec.message();
            return ec;
        };
        std::string_view secrets[] = {signing.secret_access_key, signing.session_token};
        co_return co_await call("AssumeRole", context, std::move(*body), sign, secrets);
    }

private:
    const assume_role_options options_;
    const std::shared_ptr<credentials_provider> source_;
};

} // namespace

namespace detail {

std::shared_ptr<credentials_provider>
make_web_identity_provider(web_identity_options options, environment_lookup env, std::string token_origin) {
    return std::make_shared<web_identity_provider>(std::move(options), or_process_environment(std::move(env)),
                                                   std::move(token_origin));
}

} // namespace detail

std::shared_ptr<credentials_provider> make_web_identity_credentials_provider(web_identity_options options,
                                                                             environment_lookup env) {
    return detail::make_web_identity_provider(std::move(options), std::move(env), {});
}

std::shared_ptr<credentials_provider>
make_assume_role_credentials_provider(assume_role_options options,
                                      std::shared_ptr<credentials_provider> source, environment_lookup env) {
    return std::make_shared<assume_role_provider>(std::move(options), std::move(source),
                                                  or_process_environment(std::move(env)));
}

} // namespace dynalock
