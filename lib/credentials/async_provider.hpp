// SPDX-License-Identifier: BSL-1.0
// The base of the providers that do I/O: one coroutine per call, on the caller's executor, cancelled
// through the handler's cancellation slot, its message kept for last_error_message().
#ifndef DYNALOCK_CREDENTIALS_ASYNC_PROVIDER_HPP
#define DYNALOCK_CREDENTIALS_ASYNC_PROVIDER_HPP

#include <dynalock/credentials.hpp>

#include "core/aws_config.hpp"
#include "core/crypto.hpp"

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace dynalock::detail {

/// What one fetch found. `message` says what was tried and why it failed (never a secret).
struct credentials_outcome {
    error_code ec;
    credentials creds;
    std::string message;
};

inline credentials_outcome credentials_failure(error_code ec, std::string message) {
    return {ec, {}, std::move(message)};
}

/// The core's credential values as the public type.
inline credentials to_public(core::credential_values&& values) {
    return credentials{std::move(values.access_key_id), std::move(values.secret_access_key),
                       std::move(values.session_token), values.expiration};
}

/// `env`, or the process environment when it is empty.
inline core::env_lookup or_process_environment(environment_lookup env) {
    return env ? std::move(env) : core::process_environment();
}

/// Transport failures that another attempt may cure (within a provider's own attempts).
inline bool transient_transport_error(const error_code& ec) {
    return ec == errc::connect_failed || ec == errc::attempt_timeout || ec == errc::connection_closed;
}

/// A secret (a token, a token cache file) wiped from memory when the call that read it ends.
struct wiped_secret {
    std::optional<std::string> value;
    wiped_secret() = default;
    wiped_secret(const wiped_secret&) = delete;
    wiped_secret& operator=(const wiped_secret&) = delete;
    ~wiped_secret() {
        if (value)
            core::crypto::cleanse(value->data(), value->size());
    }
};

class async_credentials_provider : public credentials_provider,
                                   public std::enable_shared_from_this<async_credentials_provider> {
public:
    void
    async_get_credentials(boost::asio::any_io_executor ex,
                          boost::asio::any_completion_handler<void(error_code, credentials)> handler) final;
    std::string last_error_message() const final;

protected:
    /// Runs on the executor given to async_get_credentials, with terminal cancellation enabled. An
    /// exception it lets escape is reported as an error (never propagated to the caller).
    virtual boost::asio::awaitable<credentials_outcome> fetch() = 0;

private:
    mutable std::mutex mutex_;
    std::string last_error_message_;
};

} // namespace dynalock::detail

#endif
