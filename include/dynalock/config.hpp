// SPDX-License-Identifier: BSL-1.0
// Version and the default completion token.
#ifndef DYNALOCK_CONFIG_HPP
#define DYNALOCK_CONFIG_HPP

#include <boost/asio/deferred.hpp>
#include <boost/version.hpp>

#if BOOST_VERSION < 108100
#error "dynalock needs Boost 1.81 or newer"
#endif

#define DYNALOCK_VERSION_MAJOR 0
#define DYNALOCK_VERSION_MINOR 1
#define DYNALOCK_VERSION_PATCH 0

namespace dynalock {

/// The token used when none is given: `co_await client.async_get_item(req)` works in any coroutine,
/// and a deferred operation can join a parallel_group. (Boost 1.81 I/O objects have no default token.)
using default_completion_token_t = boost::asio::deferred_t;

} // namespace dynalock

#endif
