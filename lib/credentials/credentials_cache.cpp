// SPDX-License-Identifier: BSL-1.0
#include "credentials/credentials_cache.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <exception>

namespace dynalock::detail {

namespace asio = boost::asio;
using system_clock = std::chrono::system_clock;

namespace {

// One provider call and its deadline: whichever ends first settles it; the other is then ignored.
struct refresh_call {
    explicit refresh_call(const asio::any_io_executor& ex) : timer(ex) {}
    asio::steady_timer timer;
    asio::cancellation_signal cancel;
    bool done = false;
};

std::string ms_text(std::chrono::milliseconds d) {
    return std::to_string(d.count()) + " ms";
}

} // namespace

credentials_cache::credentials_cache(asio::any_io_executor strand,
                                     std::shared_ptr<credentials_provider> provider, settings s)
    : strand_(std::move(strand)), provider_(std::move(provider)), settings_(std::move(s)),
      random_(static_cast<std::minstd_rand::result_type>(std::random_device{}())) {}

void credentials_cache::log(log_level level, const std::string& text) const {
    if (settings_.log.enabled(level))
        settings_.log.sink(level, text);
}

credentials_cache::credentials_ptr credentials_cache::try_get() {
    switch (core::decide_credentials_use(state_, system_clock::now(), settings_.windows)) {
    case core::credentials_use::use:
        return current_;
    case core::credentials_use::use_and_refresh:
        start_refresh();
        return current_;
    case core::credentials_use::wait_for_refresh:
        break;
    }
    return nullptr;
}

asio::awaitable<std::pair<error_code, credentials_cache::credentials_ptr>>
credentials_cache::wait(std::chrono::steady_clock::time_point deadline, std::string& message) {
    // The awaiting frame keeps the cache alive: a client destroyed meanwhile must not free it under us.
    auto self = shared_from_this();
    for (;;) {
        if (auto c = try_get())
            co_return std::pair{error_code{}, std::move(c)};
        if (!state_.refresh_running) {
            auto now = system_clock::now();
            if (last_error_ && state_.next_refresh_allowed && now < *state_.next_refresh_allowed) {
                // Failing fast while the provider is backed off keeps a broken source from being asked
                // once per operation.
                auto left =
                    std::chrono::duration_cast<std::chrono::milliseconds>(*state_.next_refresh_allowed - now);
                message = last_message_ + " (asked again in " + ms_text(left) + ")";
                co_return std::pair{last_error_, credentials_ptr{}};
            }
            start_refresh();
            if (!state_.refresh_running)
                continue; // settled at once (a provider that threw)
        }
        const auto seen = completed_;
        waiter w{asio::steady_timer(strand_, deadline)};
        waiters_.push_back(&w);
        auto [ec] = co_await w.timer.async_wait(asio::as_tuple(asio::use_awaitable));
        waiters_.remove(&w);
        if (!w.notified) {
            if (ec == asio::error::operation_aborted) {
                message = "cancelled while waiting for credentials";
                co_return std::pair{ec, credentials_ptr{}};
            }
            message = "no credentials before the operation deadline (the provider is still being asked)";
            co_return std::pair{make_error_code(errc::credentials_timeout), credentials_ptr{}};
        }
        if (completed_ != seen && last_error_ && !try_get()) {
            message = last_message_;
            co_return std::pair{last_error_, credentials_ptr{}};
        }
    }
}

void credentials_cache::invalidate(const credentials_ptr& seen) noexcept {
    if (seen && seen == current_)
        state_.invalidated = true;
}

void credentials_cache::start_refresh() {
    state_.refresh_running = true;
    provider_calls_.fetch_add(1, std::memory_order_relaxed);
    auto call = std::make_shared<refresh_call>(strand_);
    auto self = shared_from_this();
    call->timer.expires_after(settings_.timeout);
    call->timer.async_wait([self, call](error_code) {
        if (call->done)
            return;
        call->done = true;
        call->cancel.emit(asio::cancellation_type::terminal);
        self->finish_refresh(make_error_code(errc::credentials_timeout), {},
                             "the credentials provider did not answer within " +
                                 ms_text(self->settings_.timeout));
    });
    auto on_done = [self, call](error_code ec, credentials creds) {
        if (call->done)
            return;
        call->done = true;
        call->timer.cancel();
        self->finish_refresh(ec, std::move(creds),
                             ec ? self->provider_->last_error_message() : std::string());
    };
    try {
        provider_->async_get_credentials(
            strand_, asio::bind_cancellation_slot(call->cancel.slot(),
                                                  asio::bind_executor(strand_, std::move(on_done))));
    } catch (const std::exception& e) {
        call->done = true;
        call->timer.cancel();
        finish_refresh(make_error_code(boost::system::errc::state_not_recoverable), {},
                       std::string("the credentials provider threw: ") + e.what());
    }
}

void credentials_cache::finish_refresh(error_code ec, credentials creds, std::string message) {
    state_.refresh_running = false;
    ++completed_;
    const auto now = system_clock::now();
    if (!ec && (creds.access_key_id.empty() || creds.secret_access_key.empty())) {
        ec = make_error_code(errc::no_credentials);
        message = "the credentials provider returned an empty access key id or secret";
    }
    if (!ec) {
        current_ = std::make_shared<const core::sigv4::credentials>(
            core::sigv4::credentials{std::move(creds.access_key_id), std::move(creds.secret_access_key),
                                     std::move(creds.session_token)});
        state_ = core::cached_credentials_state{true, false, creds.expiration, now, false, std::nullopt};
        failures_ = 0;
        last_error_ = {};
        last_message_.clear();
    } else if (ec == errc::no_credentials && settings_.placeholder_when_none) {
        current_ =
            std::make_shared<const core::sigv4::credentials>(core::sigv4::credentials{"local", "local", {}});
        state_ = core::cached_credentials_state{true, false, std::nullopt, now, false, std::nullopt};
        failures_ = 0;
        last_error_ = {};
        last_message_.clear();
        log(log_level::debug,
            "no credentials found; signing with placeholder credentials for a loopback endpoint");
    } else {
        ++failures_;
        const double jitter = std::uniform_real_distribution<double>(0.5, 1.0)(random_);
        state_.next_refresh_allowed = now + core::refresh_backoff(failures_, jitter, settings_.windows);
        last_error_ = ec;
        last_message_ = message.empty() ? ec.message() : std::move(message);
        log(current_ && !state_.invalidated ? log_level::warning : log_level::error,
            "credentials refresh failed (" + last_message_ + ")" +
                (current_ && !state_.invalidated ? "; still using the current credentials until they expire"
                                                 : ""));
    }
    for (auto* w : waiters_) {
        w->notified = true;
        w->timer.cancel();
    }
}

} // namespace dynalock::detail
