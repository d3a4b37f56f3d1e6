// SPDX-License-Identifier: BSL-1.0
// The Locker under faults, against the real local servers (dynalite and DynamoDB Local): a holder
// process killed with SIGKILL, a server that stops answering, a foreign write to the row, a holder and
// a waiter whose wall clocks are an hour off (faketime), replies lost on the way back (the fault proxy),
// and a holder cut off from the server while a waiter still reaches it.
//
// What every case checks is the lease's promise: a holder learns of the end of its lease (lease_expired,
// lease_stolen) no later than the moment another process may take the lock over, and never loses a
// lease it still holds. Times are measured by the test on the steady clock; nothing sleeps to let a
// race settle.
#include <dynalock/dynalock.hpp>

#include "support/child_process.hpp"
#include "support/fault_proxy.hpp"
#include "support/integration_helpers.hpp"
#include "support/lock_test_helpers.hpp"
#include "support/test_servers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#ifndef DYNALOCK_CLI_PATH
// Built without the tool (DYNALOCK_BUILD_CLI=OFF): the tests that run it fail, saying so.
#define DYNALOCK_CLI_PATH ""
#endif

namespace asio = boost::asio;
using namespace dynalock;
using namespace std::chrono_literals;
using dynalock::test::local_client_options;
using dynalock::test::require;
using dynalock::test::run_coroutine;
using dynalock::test::unique_table;

namespace {

using namespace dynalock::test::locks;
constexpr const char* cli_path = DYNALOCK_CLI_PATH;

// SIGSTOP for the lifetime of the object: the server accepts connections but answers nothing. The
// shared server of the run is paused (tests run one at a time), so it is always resumed, also when the
// test fails.
class paused_server {
public:
    explicit paused_server(pid_t pid) : pid_(pid) {
        require(::kill(pid_, SIGSTOP) == 0, "SIGSTOP the server");
    }
    paused_server(const paused_server&) = delete;
    paused_server& operator=(const paused_server&) = delete;
    ~paused_server() { ::kill(pid_, SIGCONT); }

private:
    pid_t pid_;
};

// The `faketime` program, searched on PATH as `command -v` does; empty when missing.
std::string find_faketime() {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        const auto candidate = std::filesystem::path(dir.empty() ? "." : dir) / "faketime";
        if (::access(candidate.c_str(), X_OK) == 0)
            return candidate.string();
    }
    return {};
}

// The global options that point the tool at the test's table and partition.
std::vector<std::string> cli_global_args(const std::string& endpoint, const store& kv) {
    return {"--endpoint", endpoint, "--table", kv.table(), "--partition", kv.partition()};
}

// `... lock KEY extra...`
std::vector<std::string> cli_lock_args(const std::string& endpoint, const store& kv, const std::string& key,
                                       std::vector<std::string> extra) {
    auto args = cli_global_args(endpoint, kv);
    args.push_back("lock");
    args.push_back(key);
    args.insert(args.end(), extra.begin(), extra.end());
    return args;
}

// Proves that faketime moves the tool's wall clock (a tool immune to it would make the clock tests
// pass for nothing): a pair it writes with a 2 h TTL expires about 3 h from now.
asio::awaitable<void> expect_tool_clock_an_hour_ahead(const std::string& faketime,
                                                      const std::string& endpoint, store& kv) {
    std::vector<std::string> args{"-f", "+1h", cli_path};
    for (auto& a : cli_global_args(endpoint, kv))
        args.push_back(std::move(a));
    for (const char* a : {"put", "clock-probe", "x", "--ttl", "2h"})
        args.emplace_back(a);
    auto r = dynalock::test::run_program(faketime.c_str(), args, "",
                                         dynalock::test::throwaway_aws_env("lock-cli-home"));
    require(r.status == 0, "put under faketime: exit " + std::to_string(r.status) + ": " + r.err);
    auto [ec, pair] = co_await kv.async_get("clock-probe", tuple);
    require(!ec, "get clock-probe: " + ec.message());
    require(pair.expires.has_value(), "clock-probe has an expiry");
    const auto now =
        std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
            .count();
    EXPECT_GE(*pair.expires, now + 3 * 3600 - 120) << "faketime did not move the tool's clock";
    EXPECT_LE(*pair.expires, now + 3 * 3600 + 120);
}

// A `dynalock lock KEY` process: without a command it prints the fencing token on stdout and holds the
// lock until SIGINT/SIGTERM. Its stdout is read through the io_context, so that lockers of the test keep
// renewing meanwhile. Optionally run under a wrapper (faketime), which forks the tool and waits for it:
// signals then go to the tool itself, found through /proc.
class cli_lock_process {
public:
    cli_lock_process(asio::io_context& ioc, std::vector<std::string> wrapper, std::vector<std::string> args)
        : out_(ioc), wrapped_(!wrapper.empty()) {
        std::string program = cli_path;
        std::vector<std::string> argv = std::move(args);
        if (wrapped_) {
            program = wrapper.front();
            wrapper.erase(wrapper.begin());
            wrapper.push_back(cli_path);
            argv.insert(argv.begin(), wrapper.begin(), wrapper.end());
        }
        auto child = dynalock::test::spawn_program(program.c_str(), argv,
                                                   dynalock::test::throwaway_aws_env("lock-cli-home"));
        pid_ = child.pid;
        if (child.out_fd >= 0)
            out_.assign(child.out_fd);
    }
    cli_lock_process(const cli_lock_process&) = delete;
    cli_lock_process& operator=(const cli_lock_process&) = delete;
    ~cli_lock_process() {
        if (pid_ > 0 && !exit_status_) {
            const pid_t tool = tool_pid();
            if (tool > 0 && tool != pid_)
                ::kill(tool, SIGKILL);
            ::kill(pid_, SIGKILL);
            int status = 0;
            while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
            }
        }
    }

    bool started() const noexcept { return pid_ > 0; }
    pid_t pid() const noexcept { return pid_; }
    // The tool's own process: the wrapper's child, or -1 while the wrapper has not started it.
    pid_t tool_pid() const {
        if (!wrapped_)
            return pid_;
        const auto pid = std::to_string(pid_);
        std::ifstream children("/proc/" + pid + "/task/" + pid + "/children");
        pid_t child = -1;
        children >> child;
        return child > 0 ? child : -1;
    }
    void signal_tool(int signal) {
        const pid_t tool = tool_pid();
        require(tool > 0, "the tool's process exists");
        ::kill(tool, signal);
    }

    // The next line of stdout without its newline; nullopt at end of file or when `timeout` passes
    // first (what was read of a line by then is kept for the next call).
    asio::awaitable<std::optional<std::string>> read_line(clock_type::duration timeout) {
        auto newline = buffer_.find('\n');
        if (newline == std::string::npos && !eof_ && out_.is_open()) {
            asio::steady_timer timer(out_.get_executor(), timeout);
            auto [order, read_ec, n, timer_ec] =
                co_await asio::experimental::make_parallel_group(
                    asio::async_read_until(out_, asio::dynamic_buffer(buffer_), '\n', asio::deferred),
                    timer.async_wait(asio::deferred))
                    .async_wait(asio::experimental::wait_for_one(), asio::deferred);
            if (order[0] == 0 && read_ec)
                eof_ = true;
            newline = buffer_.find('\n');
        }
        if (newline == std::string::npos)
            co_return std::nullopt;
        auto line = buffer_.substr(0, newline);
        buffer_.erase(0, newline + 1);
        co_return line;
    }
    bool at_eof() const noexcept { return eof_; }

    // The exit status (or 128 + signal), waiting at most `timeout` without blocking the io_context.
    asio::awaitable<std::optional<int>> wait_exit(clock_type::duration timeout) {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        const auto deadline = clock_type::now() + timeout;
        while (!exit_status_ && pid_ > 0) {
            int status = 0;
            if (::waitpid(pid_, &status, WNOHANG) == pid_) {
                exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
                break;
            }
            if (clock_type::now() >= deadline)
                break;
            timer.expires_after(10ms);
            co_await timer.async_wait(tuple);
        }
        co_return exit_status_;
    }

private:
    asio::posix::stream_descriptor out_;
    bool wrapped_ = false;
    pid_t pid_ = -1;
    std::string buffer_;
    bool eof_ = false;
    std::optional<int> exit_status_;
};

// The fencing token the tool printed: the line itself, or its last word that is a number (the spec says
// the tool prints the token; a label around it is tolerated). 0 when there is none.
std::int64_t token_in(const std::string& line) {
    std::istringstream words(line);
    std::string word;
    std::int64_t token = 0;
    while (words >> word) {
        if (!word.empty() && word.size() < 19 &&
            std::all_of(word.begin(), word.end(), [](unsigned char c) { return std::isdigit(c) != 0; }))
            token = std::stoll(word);
    }
    return token;
}

class locker_fault_test : public dynalock::test::server_test {};

} // namespace

// ---- a holder process that dies -----------------------------------------------------------------

// `dynalock lock KEY --lease 1s` killed with SIGKILL: nothing is released, and a waiter that starts
// looking after the kill takes over after the holder's lease (the row's, not its own) and at most a
// poll interval more.
TEST_P(locker_fault_test, killed_holder_process_is_taken_over_after_its_lease) {
    ASSERT_NE(*cli_path, '\0') << "integration_tests was built without the dynalock program";
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_lock_store(db, "cli-killed");
        cli_lock_process holder(ioc, {}, cli_lock_args(server().endpoint, kv, "killed", {"--lease", "1s"}));
        require(holder.started(), "the tool started");
        auto line = co_await holder.read_line(20s);
        if (!line) {
            auto status = co_await holder.wait_exit(1s);
            require(false, "the tool printed no token (exit status " +
                               (status ? std::to_string(*status) : std::string("none: still running")) + ")");
        }
        const auto token = token_in(*line);
        EXPECT_GE(token, 1) << "printed: '" << *line << "'";
        auto row = co_await read_row(kv, "killed");
        EXPECT_FALSE(row.released);
        EXPECT_EQ(row.lease, 1s);
        EXPECT_GE(row.fencing_token, token);

        ::kill(holder.pid(), SIGKILL);
        const auto killed = clock_type::now();
        EXPECT_EQ(co_await holder.wait_exit(5s), std::optional<int>(128 + SIGKILL));

        const auto poll_max = 200ms;
        locker taker(kv, "killed", lock_options().with_lease(3s).with_poll(10ms, poll_max));
        require(!(co_await lock(taker)), "takeover");
        const auto taken = clock_type::now();
        // Its first look came after the kill: it must have waited a whole lease since.
        EXPECT_GE(taken - killed, 1s) << ms(taken - killed) << " ms";
        EXPECT_LE(taken - killed, 1s + poll_max + 800ms) << ms(taken - killed) << " ms";
        EXPECT_GT(taker.fencing_token(), token);
        auto after = co_await read_row(kv, "killed");
        EXPECT_EQ(after.owner, taker.owner());
        EXPECT_NE(after.lease_id, row.lease_id);
        EXPECT_FALSE(co_await unlock(taker));
    });
}

// ---- a server that stops answering --------------------------------------------------------------

// The holder cannot renew: it reports lease_expired when its validity runs out, which is before its
// lease ends (every successful write was sent before the pause), and not earlier than the validity it
// had when the server stopped. Nobody else holds the lock meanwhile.
TEST_P(locker_fault_test, stopped_server_makes_holder_report_expiry_before_its_lease_ends) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        client other(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_lock_store(db, "paused");
        auto kv2 = same_store(other, kv);
        const auto lease = 1s;
        locker lk(kv, "paused", quick(lease));
        require(!(co_await lock(lk)), "lock");
        const auto held = co_await read_row(kv, "paused");
        auto lost = std::make_shared<completion>();
        lk.async_wait_lost(record(lost));

        {
            paused_server pause(server().pid);
            const auto paused = clock_type::now();
            const auto valid_at_pause = lk.valid_until();
            require(co_await eventually([&] { return lost->done; }, 3s), "the loss was reported");
            EXPECT_EQ(lost->ec, make_error_code(errc::lease_expired)) << lost->ec.message();
            EXPECT_LT(lost->at, paused + lease)
                << "reported " << ms(lost->at - paused) << " ms after the pause";
            EXPECT_GE(lost->at, valid_at_pause)
                << "reported " << ms(valid_at_pause - lost->at) << " ms early";
            EXPECT_FALSE(lk.is_held());
            EXPECT_EQ(lk.lost_reason(), make_error_code(errc::lease_expired));
        }

        // Nobody else wrote the row, and nobody else can take it yet.
        auto row = co_await read_row(kv2, "paused");
        EXPECT_EQ(row.lease_id, held.lease_id);
        EXPECT_EQ(row.owner, lk.owner());
        locker other_locker(kv2, "paused", quick(lease));
        EXPECT_EQ(co_await try_lock(other_locker), make_error_code(errc::lock_not_acquired));
    });
}

// async_wait_expiring warns when only expiring_warning of validity is left without a renewal: never
// while renewals succeed, and before lease_expired when the server stops answering.
TEST_P(locker_fault_test, stopped_server_triggers_the_expiring_warning_before_expiry) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_lock_store(db, "expiring");
        const auto lease = 1200ms;
        const auto warning = 400ms;
        locker lk(kv, "expiring", quick(lease).with_expiring_warning(warning));
        require(!(co_await lock(lk)), "lock");
        auto expiring = std::make_shared<completion>();
        auto lost = std::make_shared<completion>();
        lk.async_wait_expiring(record(expiring));
        lk.async_wait_lost(record(lost));

        // More than a lease of renewals: no warning.
        co_await watch_for(lease + 300ms);
        EXPECT_FALSE(expiring->done) << "warned while renewing: " << expiring->ec.message();
        EXPECT_TRUE(lk.is_held());

        {
            paused_server pause(server().pid);
            require(co_await eventually([&] { return lost->done; }, 3s), "the loss was reported");
        }
        EXPECT_EQ(lost->ec, make_error_code(errc::lease_expired)) << lost->ec.message();
        require(expiring->done, "the warning came");
        EXPECT_FALSE(expiring->ec) << expiring->ec.message();
        EXPECT_LT(expiring->at, lost->at);
        EXPECT_GE(lost->at - expiring->at, warning - 20ms) << ms(lost->at - expiring->at) << " ms";
        EXPECT_LE(lost->at - expiring->at, warning + 100ms) << ms(lost->at - expiring->at) << " ms";
    });
}

// ---- a foreign write ----------------------------------------------------------------------------

// Somebody overwrites the lease id: the next renewal finds it and the holder reports lease_stolen;
// its release then leaves the foreign lease alone.
TEST_P(locker_fault_test, foreign_write_is_reported_as_lease_stolen) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        client intruder(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_lock_store(db, "stolen");
        const auto heartbeat = 300ms;
        locker lk(kv, "stolen", quick(900ms).with_heartbeat(heartbeat));
        require(!(co_await lock(lk)), "lock");
        auto lost = std::make_shared<completion>();
        lk.async_wait_lost(record(lost));
        asio::steady_timer work(ioc, 30s);
        auto work_done = std::make_shared<completion>();
        work.async_wait(asio::bind_cancellation_slot(lk.lost_slot(), record(work_done)));

        const auto& schema = kv.options().schema;
        const auto& names = kv.options().locks;
        update_item_request overwrite;
        overwrite.table_name = kv.table();
        overwrite.key.append(schema.partition_key, attribute_value::string(kv.partition()));
        overwrite.key.append(schema.sort_key, attribute_value::string("stolen"));
        overwrite.update_expression = "SET #lid = :lid, #owner = :owner";
        overwrite.expression_attribute_names = {{"#lid", names.lease_id}, {"#owner", names.owner}};
        overwrite.expression_attribute_values.append(":lid", attribute_value::string("foreign-lease"));
        overwrite.expression_attribute_values.append(":owner", attribute_value::string("intruder"));
        auto [write_ec, write_res] = co_await intruder.async_update_item(std::move(overwrite), tuple);
        require(!write_ec, "foreign write: " + write_ec.message());
        const auto stolen = clock_type::now();

        require(co_await eventually([&] { return lost->done && work_done->done; }, 3s),
                "the loss was reported");
        EXPECT_EQ(lost->ec, make_error_code(errc::lease_stolen)) << lost->ec.message();
        EXPECT_LE(lost->at - stolen, heartbeat + 500ms) << ms(lost->at - stolen) << " ms";
        EXPECT_EQ(work_done->ec, asio::error::operation_aborted);
        EXPECT_FALSE(lk.is_held());
        EXPECT_EQ(lk.lost_reason(), make_error_code(errc::lease_stolen));

        // The loss was reported already: unlock succeeds, and writes nothing over the foreign lease.
        EXPECT_FALSE(co_await unlock(lk));
        auto row = co_await read_row(kv, "stolen");
        EXPECT_EQ(row.lease_id, "foreign-lease");
        EXPECT_EQ(row.owner, "intruder");
        EXPECT_FALSE(row.released);
    });
}

// ---- clocks an hour apart -----------------------------------------------------------------------

// A waiting process whose wall clock runs an hour ahead (faketime) does not take over a lock that a
// normal-clock holder keeps renewing; it gets it as soon as the holder releases (so it did work).
TEST_P(locker_fault_test, waiter_an_hour_ahead_does_not_steal_a_renewed_lock) {
    ASSERT_NE(*cli_path, '\0') << "integration_tests was built without the dynalock program";
    const auto faketime = find_faketime();
    ASSERT_FALSE(faketime.empty()) << "faketime is not installed: run scripts/install-deps.sh";
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_lock_store(db, "skewed-waiter");
        co_await expect_tool_clock_an_hour_ahead(faketime, server().endpoint, kv);
        locker holder(kv, "skewed", quick(1s));
        require(!(co_await lock(holder)), "holder lock");
        const auto held = co_await read_row(kv, "skewed");
        auto lost = std::make_shared<completion>();
        holder.async_wait_lost(record(lost));

        cli_lock_process waiter(ioc, {faketime, "-f", "+1h"},
                                cli_lock_args(server().endpoint, kv, "skewed", {"--lease", "1s"}));
        require(waiter.started(), "the tool started under faketime");
        // Two and a half leases: a waiter that trusted its wall clock would have taken over by then.
        auto early = co_await waiter.read_line(2500ms);
        EXPECT_FALSE(early.has_value())
            << "the skewed waiter acquired a renewed lock: '" << early.value_or("") << "'";
        if (waiter.at_eof()) {
            const auto status = co_await waiter.wait_exit(1s);
            ADD_FAILURE() << "the tool exited while waiting, status " << status.value_or(-1);
        }
        EXPECT_TRUE(holder.is_held());
        EXPECT_FALSE(lost->done) << lost->ec.message();
        auto row = co_await read_row(kv, "skewed");
        EXPECT_EQ(row.lease_id, held.lease_id);

        EXPECT_FALSE(co_await unlock(holder));
        auto line = co_await waiter.read_line(5s);
        require(line.has_value(), "the skewed waiter got the released lock");
        EXPECT_GT(token_in(*line), holder.fencing_token()) << "printed: '" << *line << "'";

        waiter.signal_tool(SIGTERM);
        EXPECT_EQ(co_await waiter.wait_exit(10s), std::optional<int>(0))
            << "the tool did not stop on SIGTERM";
        auto released = co_await read_row(kv, "skewed");
        EXPECT_TRUE(released.released) << "the tool did not release on SIGTERM";
    });
}

// A holder whose wall clock runs an hour ahead keeps its lease: a normal-clock waiter does not take
// over while it renews, and gets the lock once it releases.
TEST_P(locker_fault_test, holder_an_hour_ahead_keeps_its_lease) {
    ASSERT_NE(*cli_path, '\0') << "integration_tests was built without the dynalock program";
    const auto faketime = find_faketime();
    ASSERT_FALSE(faketime.empty()) << "faketime is not installed: run scripts/install-deps.sh";
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_lock_store(db, "skewed-holder");
        co_await expect_tool_clock_an_hour_ahead(faketime, server().endpoint, kv);
        cli_lock_process holder(ioc, {faketime, "-f", "+1h"},
                                cli_lock_args(server().endpoint, kv, "skewed", {"--lease", "1s"}));
        require(holder.started(), "the tool started under faketime");
        auto line = co_await holder.read_line(20s);
        require(line.has_value(), "the tool under faketime printed its token");
        const auto token = token_in(*line);
        const auto held = co_await read_row(kv, "skewed");
        EXPECT_FALSE(held.released);

        locker waiter(kv, "skewed", quick(1s).with_max_wait(2500ms));
        EXPECT_EQ(co_await lock(waiter), make_error_code(errc::lock_wait_timeout));
        EXPECT_FALSE(waiter.is_held());
        auto row = co_await read_row(kv, "skewed");
        EXPECT_EQ(row.lease_id, held.lease_id) << "the holder lost its lease";
        EXPECT_GT(row.version, held.version) << "the holder did not renew";

        holder.signal_tool(SIGTERM);
        EXPECT_EQ(co_await holder.wait_exit(10s), std::optional<int>(0))
            << "the tool did not stop on SIGTERM";
        EXPECT_FALSE(co_await try_lock(waiter)) << "the tool did not release on SIGTERM";
        EXPECT_GT(waiter.fencing_token(), token);
        EXPECT_FALSE(co_await unlock(waiter));
    });
}

// ---- replies lost on the way back ---------------------------------------------------------------

// A renewal reaches the server but its reply is lost (the connection closes): the holder finds out
// that it landed, keeps its lease, and renews again; a second process still cannot get in.
TEST_P(locker_fault_test, lost_heartbeat_reply_is_neither_a_loss_nor_a_second_holder) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        dynalock::test::fault_proxy proxy(server().host, server().port);
        client via_proxy(ioc, local_client_options(proxy.endpoint()));
        client direct(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_lock_store(direct, "lost-heartbeat");
        auto proxied = same_store(via_proxy, kv);
        const auto lease = 1200ms;
        const auto margin = lease / 10;
        locker lk(proxied, "renewed", quick(lease).with_heartbeat(300ms));
        require(!(co_await lock(lk)), "lock");
        auto lost = std::make_shared<completion>();
        lk.async_wait_lost(record(lost));
        const auto held = co_await read_row(kv, "renewed");

        // Only renewals (and the release, which the test does not start yet) carry the lease id.
        proxy.drop_reply_of_next({"UpdateItem", held.lease_id});
        require(co_await eventually([&] { return proxy.dropped() == 1; }, 3s), "a renewal reply was dropped");
        const auto dropped = clock_type::now();
        // A renewal sent after the loss succeeded.
        const bool renewed =
            co_await eventually([&] { return lk.valid_until() > dropped + lease - margin; }, 2s);
        EXPECT_TRUE(renewed) << "valid_until did not advance after the dropped reply";
        EXPECT_TRUE(lk.is_held());
        EXPECT_FALSE(lost->done) << "spurious loss: " << lost->ec.message();

        locker second(kv, "renewed", quick(lease));
        EXPECT_EQ(co_await try_lock(second), make_error_code(errc::lock_not_acquired));
        auto row = co_await read_row(kv, "renewed");
        EXPECT_EQ(row.lease_id, held.lease_id);
        EXPECT_FALSE(row.released);
        EXPECT_GT(row.version, held.version);

        EXPECT_FALSE(co_await unlock(lk));
        EXPECT_TRUE((co_await read_row(kv, "renewed")).released);
    });
}

// The acquiring write lands but its reply is lost: the locker finds out (a consistent read shows its
// lease id) and holds the one lease it wrote, quickly; or, if it gives up, nobody is left holding it.
TEST_P(locker_fault_test, lost_acquire_reply_leaves_at_most_one_holder) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        dynalock::test::fault_proxy proxy(server().host, server().port);
        client via_proxy(ioc, local_client_options(proxy.endpoint()));
        client direct(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_lock_store(direct, "lost-acquire");
        auto proxied = same_store(via_proxy, kv);
        const auto lease = 1s;
        locker lk(proxied, "acquired-once", quick(lease).with_max_wait(5s));

        proxy.drop_reply_of_next({"UpdateItem", "acquired-once"});
        const auto start = clock_type::now();
        const auto ec = co_await lock(lk);
        const auto took = clock_type::now() - start;
        EXPECT_EQ(proxy.dropped(), 1u);
        locker second(kv, "acquired-once", quick(lease));
        if (!ec) {
            // Resolved by a read, not by waiting out its own lease.
            EXPECT_LT(took, lease) << ms(took) << " ms";
            EXPECT_TRUE(lk.is_held());
            auto row = co_await read_row(kv, "acquired-once");
            EXPECT_EQ(row.owner, lk.owner());
            EXPECT_FALSE(row.released);
            EXPECT_EQ(co_await try_lock(second), make_error_code(errc::lock_not_acquired));
            EXPECT_FALSE(co_await unlock(lk));
            EXPECT_TRUE((co_await read_row(kv, "acquired-once")).released);
        } else {
            ADD_FAILURE() << "the lock was not acquired: " << ec.message()
                          << " (allowed only if nobody holds it; the design resolves it with a read)";
            EXPECT_FALSE(lk.is_held());
            auto row = co_await read_until(
                kv, "acquired-once", [](const lock_info& r) { return r.released; }, 3s);
            EXPECT_TRUE(row.released) << "an acquired lease was left behind";
        }
        // Exactly one lease was written: a new process now gets the lock at once.
        EXPECT_FALSE(co_await try_lock(second));
        EXPECT_FALSE(co_await unlock(second));
    });
}

// Cancelling a lock whose acquiring write is in flight (held by the proxy) completes at once; the write
// then lands, and the lease it won, with nobody left to take it, is released in the background.
TEST_P(locker_fault_test, cancelled_lock_with_a_write_in_flight_releases_what_it_won) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        dynalock::test::fault_proxy proxy(server().host, server().port);
        client via_proxy(ioc, local_client_options(proxy.endpoint()));
        client direct(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_lock_store(direct, "cancel-in-flight");
        auto proxied = same_store(via_proxy, kv);
        locker lk(proxied, "in-flight", quick(2s));

        proxy.set_stalled(true);
        asio::cancellation_signal cancel;
        auto locked = std::make_shared<completion>();
        lk.async_lock(asio::bind_cancellation_slot(cancel.slot(), record(locked)));
        require(co_await eventually([&] { return proxy.held() >= 1; }, 5s),
                "the acquiring write is in flight");
        const auto cancelled = clock_type::now();
        cancel.emit(asio::cancellation_type::terminal);
        require(co_await eventually([&] { return locked->done; }, 2s), "the cancelled lock completed");
        EXPECT_EQ(locked->ec, asio::error::operation_aborted) << locked->ec.message();
        EXPECT_LT(locked->at - cancelled, 300ms) << ms(locked->at - cancelled) << " ms";
        EXPECT_FALSE(lk.is_held());

        proxy.set_stalled(false);
        // The write landed (the row exists, written by this client) and is then released. Until the
        // held write reaches the server there is no row at all.
        lock_info row;
        asio::steady_timer pause(ioc);
        for (const auto deadline = clock_type::now() + 5s; clock_type::now() < deadline;) {
            auto [ec, info] = co_await kv.async_read_lock("in-flight", tuple);
            require(!ec || ec == errc::key_not_found, "read_lock: " + ec.message());
            row = std::move(info);
            if (!ec && row.released)
                break;
            pause.expires_after(10ms);
            co_await pause.async_wait(tuple);
        }
        EXPECT_TRUE(row.released) << "the lease won by the cancelled lock was left behind";
        EXPECT_EQ(row.owner, lk.owner());
        locker next(kv, "in-flight", quick(2s));
        EXPECT_FALSE(co_await try_lock(next));
        EXPECT_FALSE(co_await unlock(next));
    });
}

// ---- a holder cut off from the server -----------------------------------------------------------

// The proxy holds every request of the holder's client while the waiter's client still reaches the
// server: the holder reports lease_expired, and only then, a safety margin later at least, does the
// waiter take over. Its delayed renewal, let through afterwards, cannot revive its lease.
TEST_P(locker_fault_test, cut_off_holder_reports_expiry_before_waiter_takes_over) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        dynalock::test::fault_proxy proxy(server().host, server().port);
        client via_proxy(ioc, local_client_options(proxy.endpoint()));
        client direct(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_lock_store(direct, "cut-off");
        auto proxied = same_store(via_proxy, kv);
        const auto lease = 1s;
        const auto margin = 200ms;
        locker holder(proxied, "cut", quick(lease).with_safety_margin(margin));
        locker waiter(kv, "cut", quick(lease).with_poll(10ms, 50ms));
        require(!(co_await lock(holder)), "holder lock");
        const auto held = co_await read_row(kv, "cut");
        auto lost = std::make_shared<completion>();
        holder.async_wait_lost(record(lost));
        auto taken = std::make_shared<completion>();
        waiter.async_lock(record(taken));
        auto marked = co_await read_until(
            kv, "cut", [](const lock_info& r) { return r.waiter.has_value(); }, 5s);
        require(marked.waiter.has_value(), "the waiter marked itself");

        proxy.set_stalled(true);
        require(co_await eventually([&] { return taken->done; }, 5s), "the waiter took over");
        EXPECT_FALSE(taken->ec) << taken->ec.message();
        require(lost->done, "the holder reported its loss before the takeover");
        EXPECT_EQ(lost->ec, make_error_code(errc::lease_expired)) << lost->ec.message();
        EXPECT_GE(taken->at - lost->at, margin / 2)
            << "the waiter took over " << ms(taken->at - lost->at) << " ms after the holder's report";
        EXPECT_FALSE(holder.is_held());

        proxy.set_stalled(false);
        require(co_await eventually([&] { return proxy.held() == 0; }, 2s), "the held requests went on");
        auto row = co_await read_row(kv, "cut");
        EXPECT_NE(row.lease_id, held.lease_id);
        EXPECT_EQ(row.owner, waiter.owner());
        EXPECT_GT(waiter.fencing_token(), holder.fencing_token());
        EXPECT_FALSE(co_await unlock(waiter));
    });
}

DYNALOCK_INSTANTIATE_OVER_PLAIN_SERVERS(locker_fault_test);
