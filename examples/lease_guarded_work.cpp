// SPDX-License-Identifier: BSL-1.0
// Work guarded by a lease: cancelled as soon as the lease is lost.
//
// A lease can end while its holder is still working: another process may have taken the lock over
// (this one was paused, or cut off from DynamoDB), or renewals kept failing until the lease ran out.
// Work done under a lock must therefore stop when the lock's lease ends. This example holds a lock,
// starts a long job under it, then *steals the lock from itself* from a second client, with a write
// that puts another lease id in the row (what another owner's takeover would write). The
// next heartbeat finds the foreign lease, the locker reports errc::lease_stolen, and the job is
// cancelled. Two ways of tying work to a lease are shown:
//   1. a parallel group of the work and locker::async_wait_lost: whichever ends first cancels the other;
//   2. the work bound to locker::lost_slot() with bind_cancellation_slot.
//
//   example_lease_guarded_work --endpoint http://127.0.0.1:8000 [--table NAME]
//
// Exit status: 0 when both jobs were cancelled by the stolen lease, 1 otherwise, 64 for bad arguments.
#include <dynalock/dynalock.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

namespace asio = boost::asio;
using asio::experimental::make_parallel_group;
using asio::experimental::wait_for_one;
using namespace dynalock;
using namespace std::chrono_literals;

namespace {

const char* reason_name(error_code ec) {
    if (ec == errc::lease_stolen)
        return "lease_stolen";
    if (ec == errc::lease_expired)
        return "lease_expired";
    return ec == errc::lease_released ? "lease_released" : "unexpected";
}

// The protected job: 100 chunks of 50 ms, much longer than the steal takes to be noticed. A real job
// would pass `token` with every write to the system it changes (see docs/locker.md, fencing tokens).
asio::awaitable<void> job(std::int64_t token, int& chunks_done) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (int chunk = 0; chunk < 100; ++chunk) {
        timer.expires_after(50ms);
        co_await timer.async_wait(asio::deferred); // where cancellation lands: throws operation_aborted
        ++chunks_done;
    }
    std::printf("   job with token %lld finished all its chunks\n", static_cast<long long>(token));
}

// Another owner's write, 300 ms into the job, from a second client (its own connections and owner
// name): a put through a store of that client that replaces the lease id and the owner in the lock row,
// as a process that took the lock over would.
asio::awaitable<void> steal(store thief, std::string key) {
    asio::steady_timer timer(co_await asio::this_coro::executor, 300ms);
    co_await timer.async_wait(asio::deferred);
    const lock_schema& names = thief.options().locks;
    co_await thief.async_put(key, write_options()
                                      .with_attribute(names.lease_id, attribute_value::string("stolen-lease"))
                                      .with_attribute(names.owner, attribute_value::string("intruder")));
    std::printf("   another client overwrote the lease of %s\n", key.c_str());
}

void print_failure(std::exception_ptr ep) {
    try {
        if (ep)
            std::rethrow_exception(ep);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "failed: %s\n", e.what());
    }
}

// Prints how a job ended; true when it was cancelled because its lease was stolen.
bool report(bool cancelled, int chunks, error_code reason) {
    std::printf("   job %s after %d chunks; lease ended: %s (%s)\n",
                cancelled ? "cancelled" : "NOT cancelled", chunks, reason_name(reason),
                reason.message().c_str());
    return cancelled && reason == errc::lease_stolen;
}

// A short lease: a steal is noticed by the next heartbeat, every lease / 3 (here 500 ms).
const auto short_lease = lock_options().with_lease(1500ms);

// Variant 1: the job and the loss wait race in a parallel group. wait_for_one() completes as soon as
// either finishes and cancels the other: a lost lease cancels the job, and a job that ends (or throws)
// stops the wait. Do NOT write `co_await (job() || lk.async_wait_lost())` with awaitable_operators on
// Boost 1.81: operator|| waits for the first *successful* branch, so a job that throws is swallowed and
// the wait goes on until the lease ends.
asio::awaitable<bool> race_with_loss(store thief, store locks) {
    auto ex = co_await asio::this_coro::executor;
    auto lk = locks.new_lock("reports/daily", short_lease);
    co_await lk.async_lock();
    std::printf("1. parallel group: holding reports/daily, fencing token %lld\n",
                static_cast<long long>(lk.fencing_token()));
    asio::co_spawn(ex, steal(thief, "reports/daily"), print_failure);

    int chunks = 0;
    auto group = make_parallel_group(asio::co_spawn(ex, job(lk.fencing_token(), chunks), asio::deferred),
                                     lk.async_wait_lost(asio::deferred));
    auto [order, job_error, lost] = co_await group.async_wait(wait_for_one(), asio::deferred);
    const bool ok = report(order[0] == 1 && job_error, chunks, lost);

    auto row = co_await locks.async_read_lock("reports/daily");
    std::printf("   the row now names %s as the holder\n", row.owner.c_str());
    // Unlocking a lost lease succeeds at once: the loss has been reported, there is nothing to release.
    co_await lk.async_unlock();
    co_return ok;
}

// Variant 2: the job is bound to the lease's cancellation slot, which gets a terminal cancellation when
// the lease ends. The slot belongs to the current lease, so it is taken after async_lock; it holds one
// handler, so bind one operation to it. (use_awaitable: on Boost 1.81 the binder does not work around
// deferred.)
asio::awaitable<bool> bind_to_lost_slot(store thief, store locks) {
    auto ex = co_await asio::this_coro::executor;
    auto lk = locks.new_lock("reports/weekly", short_lease);
    co_await lk.async_lock();
    std::printf("2. lost_slot: holding reports/weekly, fencing token %lld\n",
                static_cast<long long>(lk.fencing_token()));
    asio::co_spawn(ex, steal(thief, "reports/weekly"), print_failure);

    int chunks = 0;
    auto [job_error] = co_await asio::co_spawn(
        ex, job(lk.fencing_token(), chunks),
        asio::bind_cancellation_slot(lk.lost_slot(), asio::as_tuple(asio::use_awaitable)));
    const bool ok = report(job_error != nullptr, chunks, lk.lost_reason());
    co_await lk.async_unlock();
    co_return ok;
}

asio::awaitable<void> run(client& db, client& thief, std::string table, bool& ok) {
    store locks(db, table, "Lock");
    co_await locks.async_create_table(table_options().with_if_not_exists());
    store stolen_by(thief, table, "Lock"); // the same rows, through the other client
    const bool first = co_await race_with_loss(stolen_by, locks);
    const bool second = co_await bind_to_lost_slot(stolen_by, locks);
    ok = first && second;
}

} // namespace

int main(int argc, char** argv) {
    client_options options;
    std::string table = "dynalock-examples";
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--endpoint") && i + 1 < argc)
            options.endpoint = argv[++i];
        else if (!std::strcmp(argv[i], "--table") && i + 1 < argc)
            table = argv[++i];
        else {
            std::fprintf(stderr, "usage: %s [--endpoint URL] [--table NAME]\n", argv[0]);
            return 64;
        }
    }
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // a reader of a pipe sees each step as it happens

    asio::io_context ioc;
    client db(ioc, options);
    client thief(ioc, options); // stands for another process
    std::string why;
    if (auto ec = db.configuration_error(&why)) {
        std::fprintf(stderr, "cannot use the endpoint: %s: %s\n", ec.message().c_str(), why.c_str());
        return 1;
    }

    bool ok = false;
    asio::co_spawn(ioc, run(db, thief, table, ok), print_failure);
    ioc.run();
    std::printf(ok ? "lease guarded work done\n" : "lease guarded work FAILED\n");
    return ok ? 0 : 1;
}
