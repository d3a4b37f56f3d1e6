// SPDX-License-Identifier: BSL-1.0
// Competing consumers: workers take turns on a few shared jobs, each guarded by a lock.
//
// The Go dynalock's examples/competing-consumers, made to finish. Each worker does --rounds rounds:
// lock a job (`jobs/<n>` in the "Lock" partition), work a few milliseconds while holding it, note the
// job's fencing token, update the worker's agent record (`orchestra/<worker>` in the "Agent"
// partition, as in the Go example) and unlock. Workers of one process queue for a job in memory and
// pass the lease on without DynamoDB writes; run several processes on one table (each with its own
// --name) and they also compete through DynamoDB, taking turns.
//
//   example_competing_consumers --endpoint http://127.0.0.1:8000 [--table NAME] [--name NAME]
//                               [--workers N] [--rounds N] [--jobs N]
//
// Prints "acquired <job> token <n> by <worker>" per acquisition, then a summary. Exit status: 0 when
// every round was done, no two workers held a job at once and each job's tokens increased strictly;
// 1 otherwise; 64 for bad arguments.
#include <dynalock/dynalock.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <functional>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace asio = boost::asio;
using namespace dynalock;
using namespace std::chrono_literals;

namespace {

// What this process saw. Every coroutine runs on one single-threaded io_context: no mutex needed.
struct tally {
    std::map<std::string, std::vector<std::int64_t>> tokens; // per job, in the order acquired
    std::map<std::string, int> done;                         // rounds done per worker
    std::set<std::string> busy;                              // jobs a worker of ours holds right now
    bool overlap = false;                                    // two of our workers held one job at once
    bool failed = false;
};

struct settings {
    std::string name = "consumer"; // prefix of the worker names: give each process its own
    int workers = 4, rounds = 5, jobs = 2;
};

// The completion handler of every coroutine: an exception is a failure of the run.
struct on_done {
    tally& t;
    void operator()(std::exception_ptr ep) const {
        try {
            if (ep)
                std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "failed: %s\n", e.what());
            t.failed = true;
        }
    }
};

asio::awaitable<void> worker(store locks, store agents, std::string name, int first_job, const settings& s,
                             tally& t) {
    // One options object for every lock: workers whose options are equal can pass the lease to each
    // other in memory. A short lease lets other processes take over within seconds if this one dies;
    // max_wait turns a lock that never comes into an error instead of a hang.
    const auto options = lock_options().with_lease(3s).with_max_wait(60s).with_poll(10ms, 200ms);
    std::mt19937 rng(std::random_device{}());
    std::uniform_int_distribution<int> work_ms(5, 30);
    asio::steady_timer timer(co_await asio::this_coro::executor);

    for (int round = 0; round < s.rounds; ++round) {
        const std::string job = "jobs/" + std::to_string((first_job + round) % s.jobs);
        auto lk = locks.new_lock(job, options);
        co_await lk.async_lock();
        const std::int64_t token = lk.fencing_token();
        std::printf("acquired %s token %lld by %s\n", job.c_str(), static_cast<long long>(token),
                    name.c_str());
        t.overlap |= !t.busy.insert(job).second;
        t.tokens[job].push_back(token);

        // The work: far shorter than the lease. Work that may outlast its lease must stop when the
        // lease is lost: see lease_guarded_work.cpp.
        timer.expires_after(std::chrono::milliseconds(work_ms(rng)));
        co_await timer.async_wait(asio::deferred);
        const auto record = job + " token " + std::to_string(token);
        co_await agents.async_put("orchestra/" + name, write_options().with_bytes(record).with_ttl(5min));

        t.busy.erase(job);
        ++t.done[name];
        co_await lk.async_unlock();
    }
}

asio::awaitable<void> run(store locks, store agents, const settings& s, tally& t) {
    co_await locks.async_create_table(table_options().with_if_not_exists());
    for (int w = 0; w < s.workers; ++w)
        asio::co_spawn(co_await asio::this_coro::executor,
                       worker(locks, agents, s.name + "/w" + std::to_string(w + 1), w, s, t), on_done{t});
}

// Prints the summary; true when every promise held.
bool summarize(const tally& t, const settings& s) {
    bool ok = !t.failed && !t.overlap && static_cast<int>(t.done.size()) == s.workers;
    std::printf("summary:\n");
    for (const auto& [name, done] : t.done) {
        std::printf("  %s did %d jobs\n", name.c_str(), done);
        ok = ok && done == s.rounds;
    }
    for (const auto& [job, tokens] : t.tokens) {
        const bool increasing =
            std::adjacent_find(tokens.begin(), tokens.end(), std::greater_equal<>()) == tokens.end();
        std::printf("  %s tokens:", job.c_str());
        for (auto token : tokens)
            std::printf(" %lld", static_cast<long long>(token));
        std::printf(" (%s)\n", increasing ? "strictly increasing" : "NOT INCREASING");
        ok = ok && increasing;
    }
    std::printf("%s\n", t.overlap ? "two workers held one job at once" : "one holder per job at a time");
    return ok;
}

} // namespace

int main(int argc, char** argv) {
    client_options options;
    std::string table = "dynalock-examples";
    settings s;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--endpoint") && i + 1 < argc)
            options.endpoint = argv[++i];
        else if (!std::strcmp(argv[i], "--table") && i + 1 < argc)
            table = argv[++i];
        else if (!std::strcmp(argv[i], "--name") && i + 1 < argc)
            s.name = argv[++i];
        else if (!std::strcmp(argv[i], "--workers") && i + 1 < argc)
            s.workers = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--rounds") && i + 1 < argc)
            s.rounds = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--jobs") && i + 1 < argc)
            s.jobs = std::atoi(argv[++i]);
        else
            s.workers = 0;
    }
    if (s.workers < 1 || s.rounds < 1 || s.jobs < 1) {
        std::fprintf(
            stderr,
            "usage: %s [--endpoint URL] [--table NAME] [--name NAME] [--workers N] [--rounds N] [--jobs N]\n",
            argv[0]);
        return 64;
    }
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // a reader of a pipe sees each acquisition as it happens

    asio::io_context ioc;
    client db(ioc, options);
    std::string why;
    if (auto ec = db.configuration_error(&why)) {
        std::fprintf(stderr, "cannot use the endpoint: %s: %s\n", ec.message().c_str(), why.c_str());
        return 1;
    }
    // Two stores on one table, as in the Go example: locks and agent records never mix.
    store locks(db, table, "Lock");
    store agents(db, table, "Agent");
    tally t;
    asio::co_spawn(ioc, run(locks, agents, s, t), on_done{t});
    ioc.run();
    const bool ok = summarize(t, s);
    std::printf(ok ? "competing consumers done\n" : "competing consumers FAILED\n");
    return ok ? 0 : 1;
}
