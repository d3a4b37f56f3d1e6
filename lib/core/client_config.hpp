// SPDX-License-Identifier: BSL-1.0
// The client settings the AWS SDKs read from the environment and the shared config file: the retry mode,
// the number of attempts, a CA bundle and an application id for the User-Agent; and the Lambda trace id
// each request carries. Each resolves as: the explicit option > the environment variable > the selected
// profile's property > the default. A value that is set but unusable is errc::unsupported_configuration
// with a message naming where it came from and what it was.
#ifndef DYNALOCK_CORE_CLIENT_CONFIG_HPP
#define DYNALOCK_CORE_CLIENT_CONFIG_HPP

#include <dynalock/error.hpp>

#include "core/aws_config.hpp"

#include <boost/system/result.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace dynalock::core {

enum class retry_mode {
    standard, ///< backoff with jitter and a retry quota
    adaptive, ///< standard, plus the client-side rate limiter (client_rate_limiter.hpp)
};

std::string_view to_string(retry_mode mode) noexcept;

/// What the client's options say; an empty or zero field is "not set".
struct client_config_options {
    std::optional<retry_mode> mode;
    std::uint32_t max_attempts = 0;
    std::string_view ca_file;
    std::string_view app_id;
};

struct client_config {
    retry_mode mode = retry_mode::standard;
    std::uint32_t max_attempts = 4; ///< DynamoDB's default in the SDKs' standard mode
    std::string ca_file;            ///< "" = none; `~` expanded
    std::string ca_file_source;     ///< where ca_file came from ("AWS_CA_BUNDLE", ...), for messages
    std::string app_id;             ///< "" = none
};

/// Resolves every setting of client_config:
///  - retry mode: options, AWS_RETRY_MODE, profile `retry_mode`; default standard;
///  - max attempts: options, AWS_MAX_ATTEMPTS, profile `max_attempts`; default 4;
///  - CA bundle: options (ca_file), AWS_CA_BUNDLE, profile `ca_bundle`; default none;
///  - application id: options, AWS_SDK_UA_APP_ID, profile `sdk_ua_app_id`; default none.
/// Errors: errc::unsupported_configuration, the message saying which setting, where, and why.
boost::system::result<client_config> resolve_client_config(const client_config_options& options,
                                                           const env_lookup& env, const shared_config& config,
                                                           std::string& message);

/// Parses a retry mode ("standard" or "adaptive", any case, blanks around allowed). `source` names where it
/// came from in the message ("AWS_RETRY_MODE"). `legacy` (botocore's and the Java SDK's older mode) is
/// refused rather than mapped: it retries differently, and a silent substitute would hide that.
boost::system::result<retry_mode> parse_retry_mode(std::string_view value, std::string_view source,
                                                   std::string& message);

/// Checks an application id: 1 to 50 characters of letters, digits and !#$%&'*+-.^_`|~ (an HTTP token, so
/// the User-Agent stays one well-formed header).
error_code validate_app_id(std::string_view id, std::string_view source, std::string& message);

/// The User-Agent: "dynalock/<version> cfg/retry-mode#<mode>", then " app/<id>" when there is one.
std::string make_user_agent(std::string_view version, retry_mode mode, std::string_view app_id);

/// The X-Amzn-Trace-Id to send now, as the SDKs do: `_X_AMZN_TRACE_ID` when AWS_LAMBDA_FUNCTION_NAME is set
/// (inside Lambda, which changes the trace id at each invocation, so call it per request). nullopt outside
/// Lambda, when it is not set, or when it holds anything but printable ASCII (it goes into a header as is).
std::optional<std::string> lambda_trace_id(const env_lookup& env);

} // namespace dynalock::core

#endif
