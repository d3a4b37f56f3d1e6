// The local server a bench starts when it is given no --endpoint: dynalite (the default) or Amazon
// DynamoDB Local, on a free loopback port, through the test suite's fixture (test/support/local_servers).
#ifndef DYNALOCK_BENCH_BENCH_SERVER_HPP
#define DYNALOCK_BENCH_BENCH_SERVER_HPP

#include "support/local_servers.hpp"

#include <optional>
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

} // namespace dynalock::bench

#endif
