// SPDX-License-Identifier: BSL-1.0
// The examples are programs users copy from: each one runs against every plain server and must
// finish with status 0. The lock examples' output is checked here too, independently of the checks
// the examples make themselves: fencing tokens, turns, and how a lost lease ends the work.
#include <dynalock/dynalock.hpp>

#include "support/child_process.hpp"
#include "support/integration_helpers.hpp"
#include "support/test_servers.hpp"

#include <boost/asio/io_context.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <filesystem>
#include <initializer_list>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

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

#ifdef DYNALOCK_EXAMPLE_COMPETING_CONSUMERS_PATH
constexpr const char* competing_consumers_path = DYNALOCK_EXAMPLE_COMPETING_CONSUMERS_PATH;
#else
constexpr const char* competing_consumers_path = "";
#endif
#ifdef DYNALOCK_EXAMPLE_LEADER_ELECTION_PATH
constexpr const char* leader_election_path = DYNALOCK_EXAMPLE_LEADER_ELECTION_PATH;
#else
constexpr const char* leader_election_path = "";
#endif
#ifdef DYNALOCK_EXAMPLE_LEASE_GUARDED_WORK_PATH
constexpr const char* lease_guarded_work_path = DYNALOCK_EXAMPLE_LEASE_GUARDED_WORK_PATH;
#else
constexpr const char* lease_guarded_work_path = "";
#endif

using namespace std::chrono_literals;
using dynalock::test::read_line;

class examples_test : public dynalock::test::server_test {
protected:
    dynalock::test::env_map env() const { return dynalock::test::throwaway_aws_env("examples-home"); }
};

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

// "<word> <name> token <n> ..." lines: competing_consumers prints "acquired <job> token <n> by <worker>",
// leader_election "leader <candidate> token <n>".
struct token_line {
    std::string name;
    std::int64_t token = 0;
    std::string by;
};

std::optional<token_line> parse_token_line(const std::string& line, std::string_view word) {
    std::istringstream in(line);
    std::string first, token_word, by_word;
    token_line t;
    if (!(in >> first >> t.name >> token_word >> t.token) || first != word || token_word != "token")
        return std::nullopt;
    if (in >> by_word >> t.by && by_word != "by")
        return std::nullopt;
    return t;
}

std::vector<token_line> token_lines(const std::string& out, std::string_view word) {
    std::vector<token_line> found;
    for (const auto& line : lines_of(out))
        if (auto t = parse_token_line(line, word))
            found.push_back(*t);
    return found;
}

bool strictly_increasing(const std::vector<std::int64_t>& tokens) {
    for (std::size_t i = 1; i < tokens.size(); ++i)
        if (tokens[i - 1] >= tokens[i])
            return false;
    return true;
}

// The tokens of each job, in the order the acquisitions were printed.
std::map<std::string, std::vector<std::int64_t>> tokens_per_job(const std::vector<token_line>& acquisitions) {
    std::map<std::string, std::vector<std::int64_t>> per_job;
    for (const auto& a : acquisitions)
        per_job[a.name].push_back(a.token);
    return per_job;
}

// Creates the examples' table before several processes start on it: two processes that create a fresh
// table at the same moment can both try to enable its TTL, and DynamoDB Local refuses the second
// (reported to the store's owner; not what these tests are about).
void create_table(const std::string& endpoint, const std::string& table) {
    dynalock::test::run_coroutine([&](boost::asio::io_context& ioc) -> boost::asio::awaitable<void> {
        dynalock::client db(ioc, dynalock::test::local_client_options(endpoint));
        dynalock::store kv(db, table, "Lock");
        co_await kv.async_create_table(dynalock::table_options().with_if_not_exists());
    });
}

// A spawned example that is killed and reaped however the test ends (it may be left stopped).
struct child {
    explicit child(dynalock::test::spawned_program spawned) : p(spawned) {}
    child(const child&) = delete;
    child& operator=(const child&) = delete;

    dynalock::test::spawned_program p;
    bool reaped = false;

    std::optional<int> wait(std::chrono::milliseconds timeout) {
        reaped = true;
        return dynalock::test::wait_for_exit(p.pid, timeout);
    }
    // Reads lines (kept in `log`) until one contains one of `needles`: that line, or nullopt at end of
    // file or when `timeout` passes.
    std::optional<std::string> read_until(std::initializer_list<std::string_view> needles,
                                          std::chrono::milliseconds timeout) {
        const auto deadline = std::chrono::steady_clock::now() + timeout;
        for (;;) {
            const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                deadline - std::chrono::steady_clock::now());
            auto line = left.count() > 0 ? read_line(p.out_fd, left) : std::nullopt;
            if (!line)
                return std::nullopt;
            log += *line + "\n";
            for (auto needle : needles)
                if (line->find(needle) != std::string::npos)
                    return line;
        }
    }
    // Reads (into `log`) to the end of the output, or until `timeout` passes.
    void drain(std::chrono::milliseconds timeout) { read_until({}, timeout); }
    std::string log;

    ~child() {
        if (p.pid >= 0 && !reaped) {
            ::kill(p.pid, SIGKILL);
            dynalock::test::wait_for_exit(p.pid, 10s);
        }
        if (p.out_fd >= 0)
            ::close(p.out_fd);
    }
};

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

TEST_P(examples_test, competing_consumers_one_process_tokens_increase_per_job) {
    auto r = dynalock::test::run_program(competing_consumers_path,
                                         {"--endpoint", server().endpoint, "--table",
                                          dynalock::test::unique_table("consumers"), "--workers", "4",
                                          "--rounds", "5", "--jobs", "2"},
                                         {}, env());
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    const auto acquisitions = token_lines(r.out, "acquired");
    EXPECT_EQ(acquisitions.size(), 20u) << r.out;
    std::map<std::string, int> per_worker;
    for (const auto& a : acquisitions)
        ++per_worker[a.by];
    EXPECT_EQ(per_worker.size(), 4u) << r.out;
    for (const auto& [worker, count] : per_worker)
        EXPECT_EQ(count, 5) << worker << "\n" << r.out;
    const auto per_job = tokens_per_job(acquisitions);
    EXPECT_EQ(per_job.size(), 2u) << r.out;
    for (const auto& [job, tokens] : per_job)
        EXPECT_TRUE(strictly_increasing(tokens)) << job << "\n" << r.out;
}

TEST_P(examples_test, competing_consumers_two_processes_never_share_a_token) {
    const auto table = dynalock::test::unique_table("consumers-2p");
    create_table(server().endpoint, table);
    auto start = [&](const char* name) {
        return child{
            dynalock::test::spawn_program(competing_consumers_path,
                                          {"--endpoint", server().endpoint, "--table", table, "--name", name,
                                           "--workers", "3", "--rounds", "4", "--jobs", "2"},
                                          env())};
    };
    child a = start("a"), b = start("b");
    ASSERT_GE(a.p.pid, 0);
    ASSERT_GE(b.p.pid, 0);
    // Each reads to the end of its output; the other keeps running meanwhile (its output fits a pipe).
    a.drain(120s);
    b.drain(120s);
    EXPECT_EQ(a.wait(30s), 0) << a.log;
    EXPECT_EQ(b.wait(30s), 0) << b.log;

    // Each process saw its own tokens of a job increase, and no token was handed out twice.
    const auto from_a = token_lines(a.log, "acquired"), from_b = token_lines(b.log, "acquired");
    EXPECT_EQ(from_a.size(), 12u) << a.log;
    EXPECT_EQ(from_b.size(), 12u) << b.log;
    for (const auto* log : {&from_a, &from_b})
        for (const auto& [job, tokens] : tokens_per_job(*log))
            EXPECT_TRUE(strictly_increasing(tokens)) << job << "\n" << a.log << b.log;
    std::map<std::string, std::set<std::int64_t>> all;
    for (const auto* log : {&from_a, &from_b})
        for (const auto& acquired : *log)
            EXPECT_TRUE(all[acquired.name].insert(acquired.token).second)
                << acquired.name << " token " << acquired.token << " twice\n"
                << a.log << b.log;
}

TEST_P(examples_test, leader_election_one_process_one_leader_at_a_time) {
    auto r = dynalock::test::run_program(leader_election_path,
                                         {"--endpoint", server().endpoint, "--table",
                                          dynalock::test::unique_table("leaders"), "--candidates", "3",
                                          "--leaderships", "2", "--terms", "2"},
                                         {}, env());
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    // Replays the output: a leader takes office only when the previous one has stepped down.
    std::string leader;
    std::vector<std::int64_t> tokens;
    std::map<std::string, int> leaderships;
    for (const auto& line : lines_of(r.out)) {
        if (auto t = parse_token_line(line, "leader")) {
            EXPECT_EQ(leader, "") << t->name << " took office while " << leader << " led\n" << r.out;
            leader = t->name;
            tokens.push_back(t->token);
            ++leaderships[t->name];
        } else if (line.find(" steps down ") != std::string::npos) {
            EXPECT_EQ(line.substr(0, line.find(' ')), leader) << r.out;
            leader.clear();
        }
    }
    EXPECT_EQ(tokens.size(), 6u) << r.out;
    EXPECT_TRUE(strictly_increasing(tokens)) << r.out;
    EXPECT_EQ(leaderships.size(), 3u) << r.out;
    for (const auto& [name, count] : leaderships)
        EXPECT_EQ(count, 2) << name << "\n" << r.out;
}

// The process pause the fencing token exists for: the leader is stopped (SIGSTOP) for longer than its
// lease, a candidate of another process takes over with a greater token and records a term; when the
// old leader resumes, it learns that it lost its lease, or its next term write is refused by the token
// condition, and it steps down.
TEST_P(examples_test, leader_election_paused_leader_is_deposed_with_a_greater_token) {
    const auto table = dynalock::test::unique_table("leaders-pause");
    auto start = [&](const char* name, const char* terms) {
        return child{
            dynalock::test::spawn_program(leader_election_path,
                                          {"--endpoint", server().endpoint, "--table", table, "--name", name,
                                           "--candidates", "1", "--terms", terms, "--lease", "1000"},
                                          env())};
    };
    child a = start("a", "1000");
    ASSERT_GE(a.p.pid, 0);
    const auto a_leads = a.read_until({"leader a/c1 token"}, 60s);
    ASSERT_TRUE(a_leads) << a.log;
    const auto a_token = parse_token_line(*a_leads, "leader");
    ASSERT_TRUE(a_token) << *a_leads;

    child b = start("b", "2");
    ASSERT_GE(b.p.pid, 0);
    ASSERT_EQ(::kill(a.p.pid, SIGSTOP), 0);
    const auto b_leads = b.read_until({"leader b/c1 token"}, 60s);
    ASSERT_TRUE(b_leads) << b.log;
    const auto b_token = parse_token_line(*b_leads, "leader");
    ASSERT_TRUE(b_token) << *b_leads;
    EXPECT_GT(b_token->token, a_token->token);
    ASSERT_TRUE(b.read_until({"term 1 by b/c1"}, 30s)) << b.log;

    ASSERT_EQ(::kill(a.p.pid, SIGCONT), 0);
    EXPECT_TRUE(a.read_until({"a/c1 lost leadership", "a/c1 fenced out"}, 30s))
        << "the resumed leader went on leading:\n"
        << a.log;
    a.drain(30s);
    b.drain(30s);
    EXPECT_EQ(a.wait(30s), 0) << a.log;
    EXPECT_EQ(b.wait(30s), 0) << b.log;
}

TEST_P(examples_test, lease_guarded_work_stolen_lease_cancels_the_work) {
    auto r = dynalock::test::run_program(
        lease_guarded_work_path,
        {"--endpoint", server().endpoint, "--table", dynalock::test::unique_table("guarded")}, {}, env());
    EXPECT_EQ(r.status, 0) << r.out << r.err;
    // Both variants (parallel group, lost_slot): the job was cancelled, and the reason was the steal.
    int cancelled_by_steal = 0;
    for (const auto& line : lines_of(r.out))
        if (line.find("job cancelled after") != std::string::npos &&
            line.find("lease ended: lease_stolen") != std::string::npos)
            ++cancelled_by_steal;
    EXPECT_EQ(cancelled_by_steal, 2) << r.out;
    EXPECT_NE(r.out.find("the row now names intruder as the holder"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("finished all its chunks"), std::string::npos) << r.out;
}

DYNALOCK_INSTANTIATE_OVER_PLAIN_SERVERS(examples_test);
