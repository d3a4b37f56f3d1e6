// SPDX-License-Identifier: BSL-1.0
// The servers of the current integration run, as test files see them.
//
// test/integration/main.cpp starts dynalite (plain and TLS) and DynamoDB Local once, registers them
// here, and runs the tests. A suite that should run against every plain-HTTP server derives from
// server_test and instantiates itself with DYNALOCK_INSTANTIATE_OVER_PLAIN_SERVERS:
//
//     class put_item_test : public dynalock::test::server_test {};
//     TEST_P(put_item_test, new_item_is_stored) { connect_to(server().endpoint); ... }
//     DYNALOCK_INSTANTIATE_OVER_PLAIN_SERVERS(put_item_test);
//
// which yields servers/put_item_test.new_item_is_stored/dynalite and .../dynamodb_local. TLS tests use
// test_server(server_kind::dynalite_tls) and its ca_file.
#pragma once

#include "support/local_servers.hpp"

#include <gtest/gtest.h>
#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace dynalock::test {

// What a server implements beyond the operations both have; a test of such a feature checks it and
// skips (saying why) on a server without it.
struct server_features {
    bool transactions = false;              // TransactWriteItems, TransactGetItems
    bool time_to_live = false;              // UpdateTimeToLive, and expired items really go away
    bool item_on_condition_failure = false; // ReturnValuesOnConditionCheckFailure returns the item
};

server_features features_of(server_kind kind) noexcept;

struct server_info {
    server_kind kind;
    std::string name;     // "dynalite 4.0.0", "DynamoDB Local 3.3.0"
    std::string endpoint; // "http://127.0.0.1:PORT", "https://localhost:PORT"
    std::string host;     // "127.0.0.1" or "localhost"
    std::uint16_t port = 0;
    pid_t pid = -1;
    std::filesystem::path ca_file;       // TLS only: the CA that signed the server's certificate
    std::filesystem::path other_ca_file; // TLS only: a CA that did not
    server_features features;
};

// Everything registered, in start order.
const std::vector<server_info>& test_servers() noexcept;
// Null when that server is not running.
const server_info* find_test_server(server_kind kind) noexcept;
// Throws std::runtime_error when that server is not running.
const server_info& test_server(server_kind kind);

void register_test_server(server_info info);
void clear_test_servers() noexcept;

// A scratch directory for the whole run (certificates, data dirs), removed at the end.
const std::filesystem::path& test_run_dir();
void set_test_run_dir(std::filesystem::path dir);

// DYNALOCK_TEST_SERVERS=dynalite,dynalite_tls,dynamodb_local (the default: all) lets a developer leave
// out a server, e.g. the JVM, for a quicker run; tests over a left-out server are then skipped. Unset
// on CI, where every server must start.
bool is_selected(server_kind kind);

// The plain-HTTP servers: dynalite and DynamoDB Local.
std::vector<server_kind> plain_server_kinds();
std::string server_param_name(const ::testing::TestParamInfo<server_kind>& info);

// Base fixture for suites parameterized over servers. A fixture that overrides SetUp() must call
// server_test::SetUp() first and return if IsSkipped().
class server_test : public ::testing::TestWithParam<server_kind> {
protected:
    void SetUp() override;
    const server_info& server() const { return test_server(GetParam()); }
};

} // namespace dynalock::test

#define DYNALOCK_INSTANTIATE_OVER_PLAIN_SERVERS(suite)                                                       \
    INSTANTIATE_TEST_SUITE_P(servers, suite, ::testing::ValuesIn(::dynalock::test::plain_server_kinds()),    \
                             ::dynalock::test::server_param_name)
