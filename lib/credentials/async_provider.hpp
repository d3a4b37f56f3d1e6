// The base of the providers that do I/O: one coroutine per call, on the caller's executor, cancelled
// through the handler's cancellation slot, its message kept for last_error_message().
#ifndef DYNALOCK_CREDENTIALS_ASYNC_PROVIDER_HPP
#define DYNALOCK_CREDENTIALS_ASYNC_PROVIDER_HPP

#include <dynalock/credentials.hpp>

#include <boost/asio/awaitable.hpp>

#include <memory>
#include <mutex>
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

class async_credentials_provider : public credentials_provider,
                                   public std::enable_shared_from_this<async_credentials_provider> {
public:
    void async_get_credentials(
        boost::asio::any_io_executor ex,
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
