// SPDX-License-Identifier: BSL-1.0
// The credentials cache in front of a client's provider: every operation signs with what it holds; one
// refresh at a time serves all of them; it starts in the background before the credentials run out, so
// no request waits while they are still usable; a failed refresh keeps the usable ones and is tried again
// after a backoff; every provider call is bounded by a deadline and cancelled when it passes.
//
// All members run on the client's strand.
#ifndef DYNALOCK_CREDENTIALS_CREDENTIALS_CACHE_HPP
#define DYNALOCK_CREDENTIALS_CREDENTIALS_CACHE_HPP

#include <dynalock/credentials.hpp>
#include <dynalock/logger.hpp>

#include "core/credentials/refresh_policy.hpp"
#include "core/sigv4.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <list>
#include <memory>
#include <random>
#include <string>
#include <utility>

namespace dynalock::detail {

class credentials_cache : public std::enable_shared_from_this<credentials_cache> {
public:
    using credentials_ptr = std::shared_ptr<const core::sigv4::credentials>;

    struct settings {
        /// Bounds one provider call; it is cancelled (terminal) when this passes.
        std::chrono::milliseconds timeout{10000};
        /// Sign with placeholder credentials when the provider finds none (a loopback endpoint: local
        /// servers check only the shape of the signature).
        bool placeholder_when_none = false;
        core::refresh_windows windows{};
        logger log{};
    };

    credentials_cache(boost::asio::any_io_executor strand, std::shared_ptr<credentials_provider> provider,
                      settings s);

    /// Credentials to sign with now, starting a background refresh when one is due; null when there are
    /// none usable and the caller must wait().
    credentials_ptr try_get();

    /// Waits for a refresh (starting one unless one runs or the last failure is too recent) until
    /// credentials are usable, the refresh fails, `deadline` passes (errc::credentials_timeout) or the
    /// awaiting operation is cancelled (operation_aborted). On failure `message` says why.
    boost::asio::awaitable<std::pair<error_code, credentials_ptr>>
    wait(std::chrono::steady_clock::time_point deadline, std::string& message);

    /// The service refused `seen` as expired: unless they were replaced meanwhile, the next request waits
    /// for new ones.
    void invalidate(const credentials_ptr& seen) noexcept;

    /// How many times the provider was asked (for tests and statistics).
    std::uint64_t provider_calls() const noexcept { return provider_calls_.load(std::memory_order_relaxed); }

private:
    struct waiter {
        boost::asio::steady_timer timer;
        bool notified = false;
    };

    void start_refresh();
    void finish_refresh(error_code ec, credentials creds, std::string message);
    void log(log_level level, const std::string& text) const;

    boost::asio::any_io_executor strand_;
    std::shared_ptr<credentials_provider> provider_;
    settings settings_;
    credentials_ptr current_;
    core::cached_credentials_state state_;
    std::uint32_t failures_ = 0;
    std::uint64_t completed_ = 0; ///< refreshes finished, successful or not
    error_code last_error_;
    std::string last_message_;
    std::list<waiter*> waiters_;
    std::minstd_rand random_;
    std::atomic<std::uint64_t> provider_calls_{0};
};

} // namespace dynalock::detail

#endif
