// SPDX-License-Identifier: BSL-1.0
// Entry point of the integration tests: isolates the process in a private network namespace, starts the
// real servers once for the whole run, and runs every test against them.
#include "support/local_servers.hpp"
#include "support/test_servers.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <optional>
#include <string>
#include <vector>

namespace {

using dynalock::test::local_server;
using dynalock::test::server_kind;

std::string seconds(std::chrono::steady_clock::duration d) {
    char text[32];
    std::snprintf(text, sizeof text, "%.2f s", std::chrono::duration<double>(d).count());
    return text;
}

void announce(const local_server& server) {
    std::printf("[servers] started %s at %s (pid %d) in %s\n", server.name().c_str(),
                server.endpoint().c_str(), static_cast<int>(server.pid()),
                seconds(server.startup_time()).c_str());
    std::fflush(stdout);
}

dynalock::test::server_info describe(const local_server& server, const dynalock::test::tls_material* tls) {
    dynalock::test::server_info info{.kind = server.kind(),
                                     .name = server.name(),
                                     .endpoint = server.endpoint(),
                                     .host = tls != nullptr ? "localhost" : "127.0.0.1",
                                     .port = server.port(),
                                     .pid = server.pid(),
                                     .ca_file = {},
                                     .other_ca_file = {},
                                     .features = dynalock::test::features_of(server.kind())};
    if (tls != nullptr) {
        info.ca_file = tls->ca_file;
        info.other_ca_file = tls->other_ca_file;
    }
    return info;
}

// DynamoDB Local's JVM takes seconds to answer, so it is launched first and warms up while dynalite
// starts; every server is registered in the same order whatever the timing.
std::vector<local_server> start_servers(const std::filesystem::path& run_dir) {
    using dynalock::test::is_selected;
    std::vector<local_server> servers;
    std::optional<local_server> dynamodb_local;
    if (is_selected(server_kind::dynamodb_local))
        dynamodb_local.emplace(local_server::launch_dynamodb_local());

    if (is_selected(server_kind::dynalite)) {
        servers.push_back(local_server::start_dynalite());
        announce(servers.back());
        dynalock::test::register_test_server(describe(servers.back(), nullptr));
    }
    if (is_selected(server_kind::dynalite_tls)) {
        const auto tls = dynalock::test::generate_tls_material(run_dir / "tls");
        servers.push_back(local_server::start_dynalite_tls(tls));
        announce(servers.back());
        dynalock::test::register_test_server(describe(servers.back(), &tls));
    }
    if (dynamodb_local) {
        dynamodb_local->wait_until_ready();
        servers.push_back(std::move(*dynamodb_local));
        announce(servers.back());
        dynalock::test::register_test_server(describe(servers.back(), nullptr));
    }
    return servers;
}

bool env_flag(const char* name) {
    const char* value = std::getenv(name);
    return value != nullptr && *value != '\0' && std::string(value) != "0";
}

} // namespace

int main(int argc, char** argv) {
    // First, while the process has a single thread (see enter_private_network_namespace).
    if (env_flag("DYNALOCK_TEST_NO_NETNS")) {
        std::printf("[servers] DYNALOCK_TEST_NO_NETNS set: using the host's network, where DynamoDB Local "
                    "listens on every interface\n");
    } else {
        try {
            dynalock::test::enter_private_network_namespace();
        } catch (const std::exception& e) {
            std::fprintf(stderr, "[servers] %s\n", e.what());
            return 1;
        }
    }
    // A peer that hangs up must surface as an EPIPE error in the test, not kill the whole run.
    std::signal(SIGPIPE, SIG_IGN);

    ::testing::InitGoogleTest(&argc, argv);
    if (GTEST_FLAG_GET(list_tests))
        return RUN_ALL_TESTS();

    int result = 1;
    try {
        dynalock::test::temp_dir run_dir("dynalock-integration");
        dynalock::test::set_test_run_dir(run_dir.path());
        std::vector<local_server> servers = start_servers(run_dir.path());
        result = RUN_ALL_TESTS();
        dynalock::test::clear_test_servers();
        servers.clear(); // stops them, before their certificates go with run_dir
    } catch (const std::exception& e) {
        // A server that cannot start fails the run: silently testing against fewer servers would hide
        // exactly the differences these tests exist to catch.
        std::fprintf(stderr, "[servers] cannot start the test servers: %s\n", e.what());
        dynalock::test::clear_test_servers();
        return 1;
    }
    return result;
}
