// AWS credentials and the providers that find them.
//
// A provider is asked for credentials by the client when it has none cached or when the cached ones are
// within 5 minutes of their expiration. The built-in providers read the environment and the shared
// `~/.aws/credentials` and `~/.aws/config` files; web-identity, container and EC2 instance-metadata
// providers implement the same interface.
#ifndef DYNALOCK_CREDENTIALS_HPP
#define DYNALOCK_CREDENTIALS_HPP

#include <dynalock/error.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/system/result.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace dynalock {

/// One consistent set of AWS credentials.
///
/// Deliberately not printable (no operator<<): the secret key and the session token must never reach a log.
struct credentials {
    std::string access_key_id;
    std::string secret_access_key;
    std::string session_token;                                       ///< empty for long-term credentials
    std::optional<std::chrono::system_clock::time_point> expiration; ///< nullopt: they do not expire
};

/// Where providers read environment variables from: returns the value of a variable, or nullopt when it
/// is not set. An empty function means the process environment. Tests and embedders inject their own.
using environment_lookup = std::function<std::optional<std::string>(std::string_view name)>;

/// A source of credentials.
class credentials_provider {
public:
    virtual ~credentials_provider();

    /// Gets credentials and completes with `(error_code, credentials)`.
    ///
    /// The handler is never invoked from inside this call: it is posted to its associated executor
    /// (by default `ex`). Errors: errc::no_credentials when this provider has nothing to offer (a chain
    /// then tries the next provider); any other error (errc::invalid_credentials_file,
    /// errc::invalid_argument, a network error) is final. Per-operation cancellation is not supported.
    virtual void
    async_get_credentials(boost::asio::any_io_executor ex,
                          boost::asio::any_completion_handler<void(error_code, credentials)> handler) = 0;

    /// A human-readable explanation of the latest failure (what was tried, which file and line was
    /// malformed), for diagnostics::client_message; empty when unknown. It never contains a secret key
    /// or a session token.
    virtual std::string last_error_message() const;
};

/// A provider whose work is a quick synchronous load (environment, small files): async_get_credentials
/// calls load() and posts the result.
class sync_credentials_provider : public credentials_provider {
public:
    void async_get_credentials(
        boost::asio::any_io_executor ex,
        boost::asio::any_completion_handler<void(error_code, credentials)> handler) override;
    std::string last_error_message() const override;

protected:
    /// Loads the credentials. On failure, `message` says why (never quoting a secret).
    virtual boost::system::result<credentials> load(std::string& message) = 0;

private:
    mutable std::mutex mutex_;
    std::string last_error_message_;
};

/// Always the same credentials. Empty key id or secret: errc::no_credentials.
std::shared_ptr<credentials_provider> make_static_credentials_provider(credentials creds);

/// AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (both required), AWS_SESSION_TOKEN (or the legacy
/// AWS_SECURITY_TOKEN) and AWS_CREDENTIAL_EXPIRATION (ISO 8601), read at every call.
/// Neither key set: errc::no_credentials; only one of them, or a malformed expiration:
/// errc::invalid_argument.
std::shared_ptr<credentials_provider> make_environment_credentials_provider(environment_lookup env = {});

/// `aws_access_key_id`, `aws_secret_access_key` and `aws_session_token` of a profile, from the shared
/// credentials file (AWS_SHARED_CREDENTIALS_FILE, default ~/.aws/credentials) or else the shared config
/// file (AWS_CONFIG_FILE, default ~/.aws/config); the files are read at every call. An empty `profile`
/// means AWS_PROFILE, then AWS_DEFAULT_PROFILE, then "default".
/// Errors: errc::no_credentials when neither file has keys for the profile; errc::invalid_credentials_file
/// when a file is malformed (the message names the file and the line) or a profile has only one of the keys.
std::shared_ptr<credentials_provider> make_profile_credentials_provider(std::string profile = "",
                                                                        environment_lookup env = {});

/// Asks each provider in turn; the first that yields credentials wins. A provider failing with
/// errc::no_credentials passes to the next one; any other error ends the search. When all are exhausted:
/// errc::no_credentials, and last_error_message() lists what each provider tried.
std::shared_ptr<credentials_provider>
make_chain_credentials_provider(std::vector<std::shared_ptr<credentials_provider>> providers);

/// The default chain: the environment, then the profile from the shared credentials file, then from the
/// shared config file. When `profile` is given explicitly the environment is skipped (as botocore does:
/// an explicit profile is a request for that profile's credentials).
std::shared_ptr<credentials_provider> make_default_credentials_provider(std::string profile = "",
                                                                        environment_lookup env = {});

} // namespace dynalock

#endif
