// The examples are programs users copy from: each one runs against every plain server and must
// finish with status 0.
#include "support/child_process.hpp"
#include "support/integration_helpers.hpp"
#include "support/test_servers.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <string>

namespace {

#ifdef DYNALOCK_EXAMPLE_QUICKSTART_PATH
constexpr const char* quickstart_path = DYNALOCK_EXAMPLE_QUICKSTART_PATH;
#else
constexpr const char* quickstart_path = ""; // examples not built: the tests fail, they do not skip
#endif
#ifdef DYNALOCK_EXAMPLE_STORE_QUICKSTART_PATH
constexpr const char* store_quickstart_path = DYNALOCK_EXAMPLE_STORE_QUICKSTART_PATH;
#else
constexpr const char* store_quickstart_path = "";
#endif

class examples_test : public dynalock::test::server_test {};

} // namespace

TEST_P(examples_test, quickstart_runs_to_completion) {
    auto r = dynalock::test::run_program(
        quickstart_path,
        {"--endpoint", server().endpoint, "--table", dynalock::test::unique_table("quickstart")}, {},
        dynalock::test::throwaway_aws_env("examples-home"));
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("quickstart done"), std::string::npos) << r.out;
}

TEST_P(examples_test, store_quickstart_runs_to_completion) {
    auto r = dynalock::test::run_program(
        store_quickstart_path,
        {"--endpoint", server().endpoint, "--table", dynalock::test::unique_table("store-qs")}, {},
        dynalock::test::throwaway_aws_env("examples-home"));
    EXPECT_EQ(r.status, 0) << r.out << r.err;
}

DYNALOCK_INSTANTIATE_OVER_PLAIN_SERVERS(examples_test);
