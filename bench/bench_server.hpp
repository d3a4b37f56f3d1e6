// SPDX-License-Identifier: BSL-1.0
// The local server a bench starts when it is given no --endpoint: dynalite (the default) or Amazon
// DynamoDB Local, on a free loopback port, through the test suite's fixture (test/support/local_servers).
#ifndef DYNALOCK_BENCH_BENCH_SERVER_HPP
#define DYNALOCK_BENCH_BENCH_SERVER_HPP

#include "support/local_servers.hpp"

#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <string_view>

namespace dynalock::bench {

enum class server_kind { dynalite, dynamodb_local };

/// `dynalite` or `dynamodb-local` (the --server values); nothing for anything else.
inline std::optional<server_kind> parse_server_kind(std::string_view s) {
    if (s == "dynalite")
        return server_kind::dynalite;
    if (s == "dynamodb-local")
        return server_kind::dynamodb_local;
    return std::nullopt;
}

/// Starts the server and waits until it answers; throws with the reason when it cannot.
inline test::local_server start_server(server_kind kind) {
    return kind == server_kind::dynalite ? test::local_server::start_dynalite()
                                         : test::local_server::start_dynamodb_local();
}

/// Starts the server into `server` unless `endpoint` already names one. False when it cannot start, the
/// reason printed to stderr after `program`'s name.
inline bool start_unless_given(std::optional<test::local_server>& server, const std::string& endpoint,
                               server_kind kind, const char* program) {
    if (!endpoint.empty())
        return true;
    try {
        server.emplace(start_server(kind));
        return true;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: cannot start the server: %s\n", program, e.what());
        return false;
    }
}

} // namespace dynalock::bench

#endif
