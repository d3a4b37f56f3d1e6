// SPDX-License-Identifier: BSL-1.0
// The state behind a dynalock::client, shared by its operations (which keep it alive).
#ifndef DYNALOCK_CLIENT_IMPL_HPP
#define DYNALOCK_CLIENT_IMPL_HPP

#include <dynalock/client.hpp>

#include "core/client_rate_limiter.hpp"
#include "core/clock_skew.hpp"
#include "core/endpoint.hpp"
#include "core/retry_strategy.hpp"
#include "core/sigv4.hpp"
#include "credentials/credentials_cache.hpp"
#include "transport/connection_pool.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace dynalock::detail {

class lock_registry;

class client_impl {
public:
    client_impl(boost::asio::any_io_executor ex, client_options options);

    template <class Request>
    static boost::asio::awaitable<std::pair<error_code, response_t<Request>>>
    run(std::shared_ptr<client_impl> self, Request req, diagnostics* user_diag, bool internal = false);

    boost::asio::any_io_executor executor_;
    boost::asio::any_io_executor strand_; ///< a strand of executor_ (see make_strand_executor)
    client_options options_;

    error_code config_error_;
    std::string config_message_;
    core::endpoint endpoint_;
    std::string region_;

    std::unique_ptr<boost::asio::ssl::context> tls_;
    std::unique_ptr<transport::connection_pool> pool_;

    std::shared_ptr<credentials_provider> credentials_provider_;
    /// What every attempt signs with: one refresh shared by all operations (created with the endpoint).
    std::shared_ptr<credentials_cache> credentials_;
    std::optional<core::sigv4::signer> signer_;

    core::retry_config retry_config_;
    core::retry_quota retry_quota_;
    core::clock_offset clock_offset_;
    std::mt19937_64 random_;

    // What the configuration decided beyond the endpoint and the credentials.
    core::env_lookup env_;   ///< the process environment, read per request (the Lambda trace id)
    std::string user_agent_; ///< "dynalock/<version> cfg/retry-mode#<mode>[ app/<id>]"
    std::optional<core::client_rate_limiter> rate_limiter_; ///< the adaptive retry mode's, on strand_

    /// No region anywhere: operations wait for the instance metadata service's (fetched once, on strand_).
    bool missing_region_ = false;
    bool region_pending_ = false;
    bool region_fetching_ = false;
    std::vector<boost::asio::steady_timer*> region_waiters_;

    std::atomic<std::uint64_t> retries_{0};
    std::atomic<bool> stopped_{false};
    /// The leases held through this client and the lockers waiting for them (created on first use).
    std::shared_ptr<lock_registry> locks_;
    std::mutex locks_mutex_;

private:
    /// Region, endpoint, TLS, credentials, retries, proxy and pool from the options, the environment and
    /// the profile; a failure is left in config_error_ and config_message_.
    void configure();
    /// Until the region is settled, `deadline` passes (operation_timeout) or the caller cancels.
    static boost::asio::awaitable<error_code> wait_for_region(std::shared_ptr<client_impl> self,
                                                              std::chrono::steady_clock::time_point deadline);
    static boost::asio::awaitable<void> fetch_region(std::shared_ptr<client_impl> self);

    /// One attempt: a pooled connection (connected if new), sign, send, read the reply.
    struct attempt_result {
        transport::exchange_result io; ///< what went wrong, if anything, and how far it got
        core::http_response reply;
        bool reused = false; ///< went over a connection that had carried requests before
        std::chrono::steady_clock::time_point started{};
    };
    boost::asio::awaitable<attempt_result> send_attempt(core::http_request& hr,
                                                        const core::sigv4::credentials& creds,
                                                        std::string_view target, std::string_view name,
                                                        std::uint32_t attempt,
                                                        std::chrono::steady_clock::time_point op_deadline);

    void log(log_level level, std::string_view text) const;
    bool log_enabled(log_level level) const noexcept { return options_.log.enabled(level); }
    void log_request(const core::http_request& req, std::string_view operation, std::uint32_t attempt) const;
    void log_response(const core::http_response& res, std::string_view operation, std::uint32_t attempt,
                      std::chrono::steady_clock::duration elapsed) const;
};

/// A strand of `ex`, type-erased. When `ex` is an io_context's executor the strand is made on that executor
/// itself rather than on the any_io_executor wrapping it: the result then fits in any_io_executor's small
/// buffer, so neither it nor the work-tracking copies every asynchronous operation makes of it allocate.
boost::asio::any_io_executor make_strand_executor(const boost::asio::any_io_executor& ex);

/// Lets the library's other parts reach a client's state.
struct client_access {
    static const std::shared_ptr<client_impl>& impl(const client& c) noexcept { return c.impl_; }
};

/// Runs a request for the library itself (the locker): like the public operations, but it still runs after
/// client::shutdown(), which must be able to release the leases.
template <class Request>
void async_execute_internal(
    std::shared_ptr<client_impl> impl, Request req, diagnostics* diag,
    boost::asio::any_completion_handler<void(error_code, response_t<Request>)> handler);

} // namespace dynalock::detail

#endif
