// SPDX-License-Identifier: BSL-1.0
// Helpers the integration test files share: client options for a local server, running a test body
// written as a coroutine, and unique table names.
#pragma once

#include <dynalock/client_options.hpp>
#include <dynalock/credentials.hpp>

#include "support/child_process.hpp"
#include "support/test_servers.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <atomic>
#include <exception>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <string_view>

namespace dynalock::test {

/// Options for a client of a local server, with throwaway static credentials.
inline client_options local_client_options(const std::string& endpoint) {
    client_options o;
    o.endpoint = endpoint;
    o.region = "us-east-1";
    o.credentials = make_static_credentials_provider({"AKIDLOCALTEST", "local-secret", {}, {}});
    return o;
}

/// Runs a test body written as a coroutine taking the io_context; rethrows what escapes it.
template <class Body>
void run_coroutine(Body body) {
    boost::asio::io_context ioc;
    std::exception_ptr failure;
    boost::asio::co_spawn(ioc, body(ioc), [&](std::exception_ptr ep) { failure = ep; });
    ioc.run();
    if (failure)
        std::rethrow_exception(failure);
}

/// ASSERT_* cannot be used in a coroutine (it returns); this throws, which run_coroutine reports.
inline void require(bool condition, const std::string& what) {
    if (!condition)
        throw std::runtime_error("requirement failed: " + what);
}

/// The environment for a program of ours run as a child (an example, the CLI): throwaway credentials
/// and a home without ~/.aws, so a developer's own setup is never read or used.
inline env_map throwaway_aws_env(std::string_view home_name) {
    const auto home = test_run_dir() / home_name;
    std::filesystem::create_directories(home);
    return {{"HOME", home.string()},
            {"AWS_ACCESS_KEY_ID", "AKIDEXAMPLETEST"},
            {"AWS_SECRET_ACCESS_KEY", "example-test-secret"},
            {"AWS_REGION", "us-east-1"},
            {"AWS_CONFIG_FILE", (home / "no-config").string()},
            {"AWS_SHARED_CREDENTIALS_FILE", (home / "no-credentials").string()},
            {"AWS_EC2_METADATA_DISABLED", "true"}};
}

/// A table name no other test of this run uses.
inline std::string unique_table(std::string_view base) {
    static std::atomic<int> counter{0};
    return "t" + std::to_string(++counter) + "-" + std::string(base.substr(0, 40));
}

} // namespace dynalock::test
