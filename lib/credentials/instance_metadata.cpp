// SPDX-License-Identifier: BSL-1.0
#include "credentials/instance_metadata.hpp"

#include "credentials/http_fetch.hpp"

#include <boost/asio/this_coro.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>

namespace dynalock::detail {

namespace asio = boost::asio;
namespace md = core::metadata;
using clock = std::chrono::steady_clock;

namespace {

// Replies of the metadata service are small; anything bigger is not what we asked for.
constexpr std::size_t body_limit = 64 * 1024;
// A token is renewed this long before the service said it ends (or at 3/4 of a shorter lifetime).
constexpr std::chrono::seconds renew_margin{60};

bool is_transport_failure(const error_code& ec) noexcept {
    return ec && ec != asio::error::operation_aborted;
}

bool is_cancelled(const error_code& ec) noexcept {
    return ec == asio::error::operation_aborted;
}

credentials_http_options effective_http(const md::imds_settings& s, credentials_http_options http) {
    if (s.timeout) {
        http.connect_timeout = *s.timeout;
        http.attempt_timeout = *s.timeout;
    }
    if (s.attempts)
        http.max_attempts = *s.attempts;
    http.max_attempts = std::max(1u, http.max_attempts);
    return http;
}

} // namespace

// g++ 12 reports a false -Wmismatched-new-delete when it inlines the frames of awaited awaitables (Asio's
// awaitable frames pair their own operator new and delete).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

imds_client::imds_client(md::imds_settings settings, credentials_http_options http, bool allow_v1)
    : settings_(std::move(settings)), http_(effective_http(settings_, http)),
      allow_v1_(allow_v1 && !settings_.v1_disabled) {}

void imds_client::drop_token(const std::string& token) {
    std::lock_guard lock(mutex_);
    if (token_ == token)
        token_.clear();
}

asio::awaitable<imds_client::token_result> imds_client::current_token() {
    {
        std::lock_guard lock(mutex_);
        if (v1_only_)
            co_return token_result{};
        if (!token_.empty() && clock::now() < token_renew_at_)
            co_return token_result{{}, {}, token_};
    }
    co_return co_await fetch_token();
}

asio::awaitable<imds_client::token_result> imds_client::fetch_token() {
    token_result out;
    const std::string who = "EC2 instance metadata " + settings_.base_url;
    bool answered = false; // did any attempt get an HTTP reply?
    for (unsigned attempt = 1; attempt <= http_.max_attempts; ++attempt) {
        const auto sent_at = clock::now();
        auto r = co_await http_fetch(settings_.ep, md::imds_token_request(settings_), http_, nullptr, no_env_,
                                     false, body_limit);
        if (is_cancelled(r.ec))
            co_return token_result{r.ec, who + ": cancelled", {}};
        if (r.ec) {
            out.ec = r.ec;
            out.message = r.message;
            continue;
        }
        answered = true;
        auto t = md::interpret_token_reply(settings_, r.reply.status, r.reply.header(md::token_ttl_header),
                                           r.reply.body);
        switch (t.what) {
        case md::token_outcome::kind::token: {
            const auto lifetime = std::chrono::duration_cast<clock::duration>(t.ttl);
            const auto margin = std::min<clock::duration>(renew_margin, lifetime / 4);
            std::lock_guard lock(mutex_);
            token_ = t.token;
            token_renew_at_ = sent_at + lifetime - margin;
            co_return token_result{{}, {}, std::move(t.token)};
        }
        case md::token_outcome::kind::retry:
            out.ec = t.ec;
            out.message = std::move(t.message);
            continue;
        case md::token_outcome::kind::v1_only:
            if (allow_v1_) {
                std::lock_guard lock(mutex_);
                v1_only_ = true;
                co_return token_result{};
            }
            co_return token_result{make_error_code(errc::credentials_rejected),
                                   t.message + "; falling back to IMDSv1 is not allowed (" +
                                       (settings_.v1_disabled ? std::string("AWS_EC2_METADATA_V1_DISABLED")
                                                              : std::string("instance_metadata_options::"
                                                                            "allow_imds_v1 is false")) +
                                       ")",
                                   {}};
        case md::token_outcome::kind::error:
            co_return token_result{t.ec, std::move(t.message), {}};
        }
    }
    if (!answered && is_transport_failure(out.ec)) {
        // Not on EC2 (or IMDS is off for this instance): the chain moves on to what comes next.
        out.message =
            "EC2 instance metadata: no answer from " + settings_.base_url + " (" + out.message + ")";
        out.ec = make_error_code(errc::no_credentials);
    } else if (http_.max_attempts > 1) {
        out.message += " (after " + std::to_string(http_.max_attempts) + " attempts)";
    }
    co_return out;
}

asio::awaitable<imds_client::reply> imds_client::get(std::string_view path, std::string_view what,
                                                     bool is_role_list) {
    const std::string who = "EC2 instance metadata " + settings_.base_url;
    auto token = co_await current_token();
    if (token.ec)
        co_return reply{token.ec, std::move(token.message), {}, {}};
    reply out;
    bool renewed = false;
    unsigned attempt = 1;
    while (attempt <= http_.max_attempts) {
        out.token = token.token;
        auto r = co_await http_fetch(settings_.ep, md::imds_get_request(settings_, path, token.token), http_,
                                     nullptr, no_env_, false, body_limit);
        if (is_cancelled(r.ec))
            co_return reply{r.ec, who + ": cancelled", {}, {}};
        if (r.ec) {
            out.ec = r.ec;
            out.message = who + ": " + std::string(what) + ": " + r.message;
            ++attempt;
            continue;
        }
        auto o = md::interpret_get_reply(settings_, what, r.reply.status, is_role_list);
        if (!o.ec) {
            out.ec = {};
            out.message.clear();
            out.body = std::move(r.reply.body);
            co_return out;
        }
        if (r.reply.status == 401 && !token.token.empty() && !renewed) {
            // The token expired early or the service restarted: one more try with a fresh one.
            renewed = true;
            drop_token(token.token);
            token = co_await fetch_token();
            if (token.ec)
                co_return reply{token.ec, std::move(token.message), {}, {}};
            continue;
        }
        out.ec = o.ec;
        out.message = std::move(o.message);
        if (!o.retryable)
            co_return out;
        ++attempt;
    }
    if (http_.max_attempts > 1)
        out.message += " (after " + std::to_string(http_.max_attempts) + " attempts)";
    co_return out;
}

asio::awaitable<std::pair<error_code, std::string>>
fetch_region_from_instance_metadata(const core::env_lookup& env, const core::shared_config& config,
                                    std::string& message) {
    using result_type = std::pair<error_code, std::string>;
    std::string settings_message;
    auto settings = md::resolve_imds_settings(env, config, settings_message);
    if (!settings) {
        message = std::move(settings_message);
        co_return result_type{settings.error(), {}};
    }
    if (settings->disabled) {
        message =
            "EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED, so it cannot give the region";
        co_return result_type{make_error_code(errc::invalid_region), {}};
    }
    try {
        imds_client client(std::move(*settings), credentials_http_options{}, true);
        auto r = co_await client.get(md::region_path, "the region", false);
        if (r.ec) {
            message = std::move(r.message);
            co_return result_type{is_cancelled(r.ec) ? r.ec : make_error_code(errc::invalid_region), {}};
        }
        std::string parse_message;
        auto region = md::parse_region(client.settings(), r.body, parse_message);
        if (!region) {
            message = std::move(parse_message);
            co_return result_type{make_error_code(errc::invalid_region), {}};
        }
        message.clear();
        co_return result_type{{}, std::move(*region)};
    } catch (const boost::system::system_error& e) {
        // Cancelled between two steps: the coroutine machinery reports it by throwing.
        message = "EC2 instance metadata: " + std::string(e.what());
        co_return result_type{e.code(), {}};
    }
}

#pragma GCC diagnostic pop

} // namespace dynalock::detail
