// SPDX-License-Identifier: BSL-1.0
#include "support/test_servers.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string_view>
#include <utility>

namespace dynalock::test {
namespace {

std::vector<server_info>& registry() {
    static std::vector<server_info> servers;
    return servers;
}

std::filesystem::path& run_dir() {
    static std::filesystem::path dir;
    return dir;
}

} // namespace

server_features features_of(server_kind kind) noexcept {
    switch (kind) {
    case server_kind::dynalite:
    case server_kind::dynalite_tls:
        // dynalite answers UnknownOperationException to transactions and TTL updates, and ignores
        // ReturnValuesOnConditionCheckFailure.
        return {};
    case server_kind::dynamodb_local:
        return {.transactions = true, .time_to_live = true, .item_on_condition_failure = true};
    }
    return {};
}

const std::vector<server_info>& test_servers() noexcept {
    return registry();
}

const server_info* find_test_server(server_kind kind) noexcept {
    const auto& servers = registry();
    const auto found =
        std::find_if(servers.begin(), servers.end(), [&](const auto& s) { return s.kind == kind; });
    return found == servers.end() ? nullptr : &*found;
}

const server_info& test_server(server_kind kind) {
    if (const server_info* info = find_test_server(kind))
        return *info;
    throw std::runtime_error("the " + std::string(to_string(kind)) +
                             " test server is not running (servers start in test/integration/main.cpp)");
}

void register_test_server(server_info info) {
    registry().push_back(std::move(info));
}

void clear_test_servers() noexcept {
    registry().clear();
}

const std::filesystem::path& test_run_dir() {
    if (run_dir().empty())
        throw std::runtime_error("no test run directory (set in test/integration/main.cpp)");
    return run_dir();
}

void set_test_run_dir(std::filesystem::path dir) {
    run_dir() = std::move(dir);
}

bool is_selected(server_kind kind) {
    const char* env = std::getenv("DYNALOCK_TEST_SERVERS");
    if (env == nullptr || *env == '\0')
        return true;
    std::string_view list = env;
    for (;;) {
        const auto comma = list.find(',');
        if (list.substr(0, comma) == to_string(kind))
            return true;
        if (comma == std::string_view::npos)
            return false;
        list.remove_prefix(comma + 1);
    }
}

std::vector<server_kind> plain_server_kinds() {
    return {server_kind::dynalite, server_kind::dynamodb_local};
}

std::string server_param_name(const ::testing::TestParamInfo<server_kind>& info) {
    return std::string(to_string(info.param));
}

void server_test::SetUp() {
    if (find_test_server(GetParam()) != nullptr)
        return;
    if (!is_selected(GetParam()))
        GTEST_SKIP() << to_string(GetParam()) << " left out by DYNALOCK_TEST_SERVERS";
    FAIL() << "the " << to_string(GetParam()) << " test server is not running";
}

} // namespace dynalock::test
