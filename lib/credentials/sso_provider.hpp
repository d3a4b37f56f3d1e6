// SPDX-License-Identifier: BSL-1.0
// The SSO provider with its HTTP time limits chosen by the caller (the public factory uses the defaults):
// the tests of a hung portal bound it tightly.
#ifndef DYNALOCK_CREDENTIALS_SSO_PROVIDER_HPP
#define DYNALOCK_CREDENTIALS_SSO_PROVIDER_HPP

#include <dynalock/credentials.hpp>

#include <memory>
#include <string>

namespace dynalock::detail {

/// Connecting to the portal: 3 s; one request: 5 s; 3 attempts for 5xx, 429 and transport faults.
inline constexpr credentials_http_options default_sso_http{std::chrono::milliseconds(3000),
                                                           std::chrono::milliseconds(5000), 3};

/// make_sso_credentials_provider with `http` as its time limits.
std::shared_ptr<credentials_provider> make_sso_provider(std::string profile, environment_lookup env,
                                                        credentials_http_options http);

} // namespace dynalock::detail

#endif
