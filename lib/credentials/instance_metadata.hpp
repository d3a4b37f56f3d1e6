// SPDX-License-Identifier: BSL-1.0
// The EC2 instance metadata service (IMDSv2) from the Asio side: a client that keeps the session token and
// sends GETs with it (used by the credentials provider), and the region lookup the client falls back to
// when nothing else names a region. What the settings, requests and replies mean lives in the sans-io core
// (core/credentials/metadata_credentials).
#ifndef DYNALOCK_CREDENTIALS_INSTANCE_METADATA_HPP
#define DYNALOCK_CREDENTIALS_INSTANCE_METADATA_HPP

#include <dynalock/credentials.hpp>

#include "core/aws_config.hpp"
#include "core/credentials/metadata_credentials.hpp"

#include <boost/asio/awaitable.hpp>

#include <chrono>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

namespace dynalock::detail {

/// One IMDS service as `settings` names it. The token is fetched on first use and reused until shortly
/// before its TTL ends; a GET refused with 401 drops it and is retried once with a new one. Safe to use
/// from several coroutines at once (they may each fetch a token; the last one is kept).
class imds_client {
public:
    /// `http` is used as given, except that the settings' timeout (both timeouts) and attempts win.
    imds_client(core::metadata::imds_settings settings, credentials_http_options http, bool allow_v1);

    struct reply {
        error_code ec;       ///< no_credentials when no service answered the token request at all
        std::string message; ///< on error: what was tried; never a token
        std::string body;    ///< on success
        std::string token;   ///< the token the GET carried ("" for IMDSv1), to keep it out of messages
    };

    /// GET <base><path>, `what` naming it in messages ("the role list"). Transport failures, 5xx and 429 are
    /// retried within the attempts. Terminal cancellation of the awaiting coroutine: operation_aborted.
    boost::asio::awaitable<reply> get(std::string_view path, std::string_view what, bool is_role_list);

    const core::metadata::imds_settings& settings() const noexcept { return settings_; }
    const credentials_http_options& http() const noexcept { return http_; }

private:
    struct token_result {
        error_code ec;
        std::string message;
        std::string token; ///< "" with no error: IMDSv1
    };
    boost::asio::awaitable<token_result> fetch_token();
    boost::asio::awaitable<token_result> current_token();
    void drop_token(const std::string& token);

    core::metadata::imds_settings settings_;
    credentials_http_options http_;
    bool allow_v1_;
    core::env_lookup no_env_; ///< http_fetch reads the proxy settings from it, which we never use

    std::mutex mutex_;
    std::string token_;
    std::chrono::steady_clock::time_point token_renew_at_{};
    bool v1_only_ = false;
};

/// The region from IMDS (GET /latest/meta-data/placement/region, IMDSv2, with IMDSv1 when the service
/// refuses tokens and AWS_EC2_METADATA_V1_DISABLED is not true: a region is no secret), for a client that
/// found no region anywhere else. Bounded by the IMDS timeouts (AWS_METADATA_SERVICE_TIMEOUT, default 1 s,
/// and AWS_METADATA_SERVICE_NUM_ATTEMPTS, default 1). Returns the region, or an error with `message`
/// saying what was tried: errc::invalid_region when IMDS is disabled, does not answer or answers something
/// that is not a region; errc::unsupported_configuration for bad IMDS settings; operation_aborted on
/// terminal cancellation. `env`, `config` and `message` must outlive the awaiting.
boost::asio::awaitable<std::pair<error_code, std::string>>
fetch_region_from_instance_metadata(const core::env_lookup& env, const core::shared_config& config,
                                    std::string& message);

} // namespace dynalock::detail

#endif
