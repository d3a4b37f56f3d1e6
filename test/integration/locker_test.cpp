// SPDX-License-Identifier: BSL-1.0
// The Locker against the real local servers (dynalite and DynamoDB Local): the Go dynalock lock tests
// (lock/unlock/lock, takeover of a lock whose holder stopped renewing, cancelling a waiter, a lease
// without renewal, a single attempt on a held lock), mutual exclusion of 32 contending lockers on two
// clients, fencing tokens across every way a lock changes hands, reading and listing lock rows, and
// client shutdown.
//
// Leases are short (0.6-2 s) so that the suite stays fast. Nothing here sleeps to let a race settle:
// every wait is for an event (an operation's completion, a row's content) with a deadline, and timing
// assertions compare times the test measured itself on the steady clock.
#include <dynalock/dynalock.hpp>

#include "support/fault_proxy.hpp"
#include "support/integration_helpers.hpp"
#include "support/lock_test_helpers.hpp"
#include "support/test_servers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using namespace dynalock;
using namespace std::chrono_literals;
using dynalock::test::local_client_options;
using dynalock::test::require;
using dynalock::test::run_coroutine;
using dynalock::test::unique_table;

namespace {

using namespace dynalock::test::locks;

bool has_waiter(const lock_info& row) {
    return row.waiter.has_value();
}

class locker_test : public dynalock::test::server_test {};

} // namespace

// ---- the Go dynalock lock tests ------------------------------------------------------------------

// Go's testLockUnlock: lock, see the data in the row through the store, unlock, lock again.
TEST_P(locker_test, lock_unlock_then_lock_again_succeeds) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_lock_store(db, "lock-unlock");
        const auto data = attribute_value::string("first holder");
        locker lk(kv, "testLockUnlock", quick(2s).with_data(data));

        EXPECT_FALSE(lk.is_held());
        EXPECT_EQ(lk.fencing_token(), 0);
        require(!(co_await lock(lk)), "first lock");
        EXPECT_TRUE(lk.is_held());
        EXPECT_GT(lk.valid_until(), clock_type::now());
        EXPECT_FALSE(lk.lost_reason());
        const auto first_token = lk.fencing_token();
        EXPECT_GE(first_token, 1);
        require(lk.data().has_value(), "data() after lock");
        EXPECT_EQ(*lk.data(), data);

        // The lock row is an item of the store: its value is the lock data.
        auto [get_ec, pair] = co_await kv.async_get("testLockUnlock", tuple);
        require(!get_ec, "get: " + get_ec.message());
        require(pair.value.has_value(), "the row has a value");
        EXPECT_EQ(*pair.value, data);
        EXPECT_GE(pair.version, 1);
        const auto first_version = pair.version;

        EXPECT_FALSE(co_await unlock(lk));
        EXPECT_FALSE(lk.is_held());
        EXPECT_EQ(lk.lost_reason(), make_error_code(errc::lease_released));
        auto released = co_await read_row(kv, "testLockUnlock");
        EXPECT_TRUE(released.released);

        require(!(co_await lock(lk)), "second lock");
        EXPECT_TRUE(lk.is_held());
        EXPECT_GT(lk.fencing_token(), first_token);
        auto again = co_await read_row(kv, "testLockUnlock");
        EXPECT_FALSE(again.released);
        EXPECT_GT(again.version, first_version);
        EXPECT_FALSE(co_await unlock(lk));
    });
}

// Go's testLockWithNoRenew/NoTryPolling: one attempt on a held lock fails at once, from another
// process and from another locker of the holder's own process.
TEST_P(locker_test, try_lock_on_held_lock_fails_at_once) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        client other(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_lock_store(db, "try-lock");
        auto kv2 = same_store(other, kv);
        locker holder(kv, "held", quick(20s));
        require(!(co_await lock(holder)), "holder lock");

        locker remote(kv2, "held", quick(20s));
        auto start = clock_type::now();
        EXPECT_EQ(co_await try_lock(remote), make_error_code(errc::lock_not_acquired));
        // "At once": a request or two, nowhere near the 20 s lease it would have to wait for.
        EXPECT_LT(clock_type::now() - start, 2s) << ms(clock_type::now() - start) << " ms";
        EXPECT_FALSE(remote.is_held());
        EXPECT_EQ(remote.fencing_token(), 0);

        locker local(kv, "held", quick(20s));
        start = clock_type::now();
        EXPECT_EQ(co_await try_lock(local), make_error_code(errc::lock_not_acquired));
        EXPECT_LT(clock_type::now() - start, 2s);
        EXPECT_FALSE(local.is_held());
        EXPECT_TRUE(holder.is_held());

        // Once released, one attempt is enough.
        EXPECT_FALSE(co_await unlock(holder));
        EXPECT_FALSE(co_await try_lock(remote));
        EXPECT_TRUE(remote.is_held());
        EXPECT_GT(remote.fencing_token(), holder.fencing_token());
        EXPECT_FALSE(co_await unlock(remote));
    });
}

// A lease without renewal ends when its validity runs out, and says so (Go's NoRenew lease just
// silently stops being one).
TEST_P(locker_test, lease_without_renewal_reports_expiry_at_valid_until) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_lock_store(db, "no-renew");
        const auto lease = 600ms;
        const auto margin = lease / 10; // the documented default safety margin
        locker lk(kv, "no-renew", quick(lease).without_renewal());

        const auto before = clock_type::now();
        require(!(co_await lock(lk)), "lock");
        const auto after = clock_type::now();
        const auto valid_until = lk.valid_until();
        // The lease starts when the winning write was sent: between `before` and `after`.
        EXPECT_GE(valid_until, before + lease - margin);
        EXPECT_LE(valid_until, after + lease - margin);

        auto lost = std::make_shared<completion>();
        lk.async_wait_lost(record(lost));
        // Work bound to the lost slot is cancelled when the lease ends.
        asio::steady_timer work(ioc, 30s);
        auto work_done = std::make_shared<completion>();
        work.async_wait(asio::bind_cancellation_slot(lk.lost_slot(), record(work_done)));

        require(co_await eventually([&] { return lost->done && work_done->done; }, 5s),
                "the lease was reported lost");
        EXPECT_EQ(lost->ec, make_error_code(errc::lease_expired)) << lost->ec.message();
        EXPECT_GE(lost->at, valid_until) << "reported " << ms(valid_until - lost->at) << " ms early";
        EXPECT_LE(lost->at, valid_until + 300ms) << "reported " << ms(lost->at - valid_until) << " ms late";
        EXPECT_EQ(work_done->ec, asio::error::operation_aborted);
        EXPECT_LE(work_done->at, valid_until + 300ms);
        EXPECT_FALSE(lk.is_held());
        EXPECT_EQ(lk.lost_reason(), make_error_code(errc::lease_expired));
        // Nobody else wrote: the row still shows the expired lease (the holder did not release it).
        auto row = co_await read_row(kv, "no-renew");
        EXPECT_FALSE(row.released);
        EXPECT_EQ(row.owner, lk.owner());
    });
}

// Go's testLockTTL: a second process takes over once the holder stopped renewing, after about a lease
// and never before a whole lease has passed since the holder's last write.
TEST_P(locker_test, waiter_takes_over_a_lock_only_after_a_lease_without_renewal) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        client other(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_lock_store(db, "takeover");
        auto kv2 = same_store(other, kv);
        const auto lease = 600ms;
        const auto poll_max = 100ms;
        locker holder(kv, "takeover", quick(lease).without_renewal().with_owner("holder"));
        locker waiter(kv2, "takeover",
                      quick(lease)
                          .with_poll(10ms, poll_max)
                          .with_owner("waiter")
                          .with_data(attribute_value::string("waiter's data")));

        // The holder's only write is sent after `before` and completes before `acquired`.
        const auto before = clock_type::now();
        require(!(co_await lock(holder)), "holder lock");
        const auto acquired = clock_type::now();
        const auto holder_row = co_await read_row(kv, "takeover");
        auto holder_lost = std::make_shared<completion>();
        holder.async_wait_lost(record(holder_lost));

        require(!(co_await lock(waiter)), "waiter lock");
        const auto taken = clock_type::now();
        EXPECT_GE(taken - before, lease)
            << "taken over " << ms(taken - before) << " ms after the holder's write";
        EXPECT_LE(taken - acquired, lease + poll_max + 700ms)
            << "taken over only " << ms(taken - acquired) << " ms after the holder acquired";
        // The holder knew before the waiter could act.
        require(holder_lost->done, "the holder reported its loss before the takeover");
        EXPECT_EQ(holder_lost->ec, make_error_code(errc::lease_expired));
        EXPECT_LT(holder_lost->at, taken);

        EXPECT_GT(waiter.fencing_token(), holder.fencing_token());
        auto row = co_await read_row(kv, "takeover");
        EXPECT_EQ(row.owner, "waiter");
        EXPECT_NE(row.lease_id, holder_row.lease_id);
        EXPECT_FALSE(row.released);
        require(row.data.has_value(), "the new holder's data");
        EXPECT_EQ(*row.data, attribute_value::string("waiter's data"));
        EXPECT_FALSE(co_await unlock(waiter));
    });
}

// Destroying a holding locker releases the lease in the background: a waiter does not wait out the lease.
TEST_P(locker_test, destroyed_holder_is_released_in_the_background) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        client other(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_lock_store(db, "destroyed");
        auto kv2 = same_store(other, kv);
        std::optional<locker> holder(std::in_place, kv, "destroyed", quick(20s));
        require(!(co_await lock(*holder)), "holder lock");
        auto lost = std::make_shared<completion>();
        holder->async_wait_lost(record(lost));

        locker waiter(kv2, "destroyed", quick(20s));
        auto waited = std::make_shared<completion>();
        waiter.async_lock(record(waited));
        // The waiter is really waiting: it marked itself in the row.
        auto marked = co_await read_until(kv, "destroyed", has_waiter, 5s);
        require(has_waiter(marked), "the waiter marked itself");
        EXPECT_FALSE(waited->done);

        const auto destroyed = clock_type::now();
        holder.reset();
        require(co_await eventually([&] { return waited->done; }, 5s), "the waiter got the lock");
        EXPECT_FALSE(waited->ec) << waited->ec.message();
        EXPECT_LT(waited->at - destroyed, 3s) << "the 20 s lease was waited out";
        EXPECT_TRUE(lost->done);
        EXPECT_EQ(lost->ec, make_error_code(errc::lease_released));
        EXPECT_FALSE(co_await unlock(waiter));
    });
}

// Go's testLockTTLWithContext: a waiter is cancelled; it completes with operation_aborted at once and
// leaves no trace in the row, so the next release is not reserved for a process that left.
TEST_P(locker_test, cancelled_remote_waiter_leaves_no_trace) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        client waiting_client(ioc, local_client_options(server().endpoint));
        client third(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_lock_store(db, "cancel-remote");
        auto kv2 = same_store(waiting_client, kv);
        auto kv3 = same_store(third, kv);
        locker holder(kv, "cancel", quick(1500ms).with_owner("holder"));
        require(!(co_await lock(holder)), "holder lock");
        const auto held_row = co_await read_row(kv, "cancel");
        EXPECT_FALSE(held_row.waiter.has_value());

        locker waiter(kv2, "cancel", quick(1500ms));
        asio::cancellation_signal cancel;
        auto waited = std::make_shared<completion>();
        waiter.async_lock(asio::bind_cancellation_slot(cancel.slot(), record(waited)));
        auto marked = co_await read_until(kv, "cancel", has_waiter, 5s);
        require(has_waiter(marked), "the waiter marked itself in the row");

        const auto cancelled = clock_type::now();
        cancel.emit(asio::cancellation_type::terminal);
        require(co_await eventually([&] { return waited->done; }, 2s), "the cancelled waiter completed");
        EXPECT_EQ(waited->ec, asio::error::operation_aborted) << waited->ec.message();
        EXPECT_LT(waited->at - cancelled, 300ms) << ms(waited->at - cancelled) << " ms";
        EXPECT_FALSE(waiter.is_held());

        // The mark is withdrawn (in the background, hence the deadline); the holder's lease is untouched.
        auto row = co_await read_until(
            kv, "cancel", [](const lock_info& r) { return !has_waiter(r); }, 3s);
        EXPECT_FALSE(row.waiter.has_value()) << "waiter mark left: " << row.waiter.value_or("");
        EXPECT_EQ(row.lease_id, held_row.lease_id);
        EXPECT_EQ(row.owner, "holder");
        EXPECT_FALSE(row.released);
        EXPECT_TRUE(holder.is_held());
        EXPECT_FALSE(holder.lost_reason());

        // No reservation for the process that left: a third process gets the released lock at once.
        EXPECT_FALSE(co_await unlock(holder));
        locker next(kv3, "cancel", quick(1500ms));
        EXPECT_FALSE(co_await try_lock(next));
        EXPECT_TRUE(next.is_held());
        EXPECT_FALSE(co_await unlock(next));
    });
}

// A single attempt cannot prove a holder dead, but a later one can use what the same client saw before:
// once the row has not changed for a whole lease since that first look, try_lock takes the lock over.
// A client that never looked cannot, at the same moment.
TEST_P(locker_test, later_try_lock_takes_over_using_an_earlier_observation) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        client watcher_client(ioc, local_client_options(server().endpoint));
        client newcomer_client(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_lock_store(db, "observed");
        auto watched = same_store(watcher_client, kv);
        auto fresh = same_store(newcomer_client, kv);
        const auto lease = 800ms;
        locker holder(kv, "silent", quick(lease).without_renewal());
        require(!(co_await lock(holder)), "holder lock");

        locker watcher(watched, "silent", quick(lease));
        EXPECT_EQ(co_await try_lock(watcher), make_error_code(errc::lock_not_acquired));
        const auto looked = clock_type::now();
        // The holder's lease runs out (it never renews) and nobody releases the row.
        auto lost = std::make_shared<completion>();
        holder.async_wait_lost(record(lost));
        require(co_await eventually([&] { return lost->done; }, 5s), "the holder's lease ended");
        co_await watch_for(looked + lease + 100ms - clock_type::now());

        locker newcomer(fresh, "silent", quick(lease));
        EXPECT_EQ(co_await try_lock(newcomer), make_error_code(errc::lock_not_acquired));
        EXPECT_FALSE(co_await try_lock(watcher));
        EXPECT_TRUE(watcher.is_held());
        EXPECT_GT(watcher.fencing_token(), holder.fencing_token());
        auto row = co_await read_row(kv, "silent");
        EXPECT_EQ(row.owner, watcher.owner());
        EXPECT_FALSE(co_await unlock(watcher));
    });
}

// Data given to the release is written with it, and the row stays, marked released.
TEST_P(locker_test, release_with_data_writes_it) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_lock_store(db, "release-data");
        locker lk(kv, "job", quick(2s).with_data(attribute_value::string("running")));
        require(!(co_await lock(lk)), "lock");
        EXPECT_EQ((co_await read_row(kv, "job")).data, attribute_value::string("running"));
        auto done = release_options().with_data(attribute_value::string("finished"));
        auto [ec] = co_await lk.async_unlock(std::move(done), tuple);
        EXPECT_FALSE(ec) << ec.message();
        auto row = co_await read_row(kv, "job");
        EXPECT_TRUE(row.released);
        EXPECT_EQ(row.data, attribute_value::string("finished"));
        EXPECT_EQ(lk.lost_reason(), make_error_code(errc::lease_released));
    });
}

// A cancelled waiter of the holder's own process leaves the in-memory queue: the release goes to
// DynamoDB instead of being handed to it.
TEST_P(locker_test, cancelled_local_waiter_is_not_handed_the_lease) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_lock_store(db, "cancel-local");
        locker holder(kv, "cancel", quick(2s));
        require(!(co_await lock(holder)), "holder lock");
        locker waiter(kv, "cancel", quick(2s));
        asio::cancellation_signal cancel;
        auto waited = std::make_shared<completion>();
        waiter.async_lock(asio::bind_cancellation_slot(cancel.slot(), record(waited)));
        co_await watch_for(50ms);
        EXPECT_FALSE(waited->done);

        const auto cancelled = clock_type::now();
        cancel.emit(asio::cancellation_type::terminal);
        require(co_await eventually([&] { return waited->done; }, 2s), "the cancelled waiter completed");
        EXPECT_EQ(waited->ec, asio::error::operation_aborted) << waited->ec.message();
        EXPECT_LT(waited->at - cancelled, 300ms) << ms(waited->at - cancelled) << " ms";

        EXPECT_FALSE(co_await unlock(holder));
        EXPECT_FALSE(waiter.is_held());
        auto row = co_await read_row(kv, "cancel");
        EXPECT_TRUE(row.released) << "the lease went to a cancelled waiter";
        EXPECT_EQ(waiter.fencing_token(), 0);
    });
}

// ---- mutual exclusion under contention -----------------------------------------------------------

// 32 lockers of one key, 24 on one client (handed over in memory) and 8 on another (real handovers
// through DynamoDB), each doing a read / yield / write increment of an unprotected counter. Lost
// updates, two holders at once or a token out of order would all show.
TEST_P(locker_test, contending_lockers_serialize_an_unprotected_counter) {
    constexpr int local_lockers = 24;
    constexpr int remote_lockers = 8;
    constexpr int rounds = 4;
    constexpr int total = (local_lockers + remote_lockers) * rounds;

    // Everything the contenders touch outlives the io_context, whatever happens to them.
    std::atomic<int> counter{0};
    std::atomic<bool> inside{false};
    std::atomic<int> overlaps{0};
    std::atomic<int> finished{0};
    std::mutex mutex;
    std::vector<std::int64_t> tokens; // in acquisition order
    std::vector<int> holder_clients;  // 0 or 1, in acquisition order
    std::vector<std::string> failures;
    auto fail = [&](std::string what) {
        std::lock_guard guard(mutex);
        failures.push_back(std::move(what));
    };
    bool all_done = false;

    asio::io_context ioc(2);
    client db(ioc, local_client_options(server().endpoint));
    client other(ioc, local_client_options(server().endpoint));
    std::optional<store> kv;
    std::optional<store> kv2;

    // Counter and flag are atomics only so that a broken lock shows as a wrong count, not as undefined
    // behaviour: the read / yield / write below is not atomic.
    auto contender = [&](store& s, int id, int client_id) -> asio::awaitable<void> {
        locker lk(s, "counter", lock_options().with_lease(2s).with_poll(5ms, 50ms));
        asio::steady_timer pause(co_await asio::this_coro::executor);
        for (int round = 0; round < rounds; ++round) {
            auto [ec] = co_await lk.async_lock(tuple);
            if (ec) {
                fail("locker " + std::to_string(id) + " lock: " + ec.message());
                co_return;
            }
            if (inside.exchange(true))
                ++overlaps;
            if (!lk.is_held())
                fail("locker " + std::to_string(id) + " acquired but is_held() is false");
            {
                std::lock_guard guard(mutex);
                tokens.push_back(lk.fencing_token());
                holder_clients.push_back(client_id);
            }
            const int seen = counter.load();
            pause.expires_after(1ms);
            co_await pause.async_wait(tuple);
            counter.store(seen + 1);
            inside.store(false);
            auto [unlock_ec] = co_await lk.async_unlock(tuple);
            if (unlock_ec)
                fail("locker " + std::to_string(id) + " unlock: " + unlock_ec.message());
        }
    };
    auto on_done = [&](int id) {
        return [&, id](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& ex) {
                    fail("locker " + std::to_string(id) + " threw: " + ex.what());
                }
            }
            ++finished;
        };
    };
    auto supervisor = [&]() -> asio::awaitable<void> {
        kv.emplace(co_await make_lock_store(db, "contention"));
        kv2.emplace(same_store(other, *kv));
        for (int i = 0; i < local_lockers + remote_lockers; ++i)
            asio::co_spawn(ioc, contender(i < local_lockers ? *kv : *kv2, i, i < local_lockers ? 0 : 1),
                           on_done(i));
        all_done =
            co_await eventually([&] { return finished.load() == local_lockers + remote_lockers; }, 60s);
        // Idle connections of the clients may keep the io_context busy: stop it either way.
        ioc.stop();
    };
    std::exception_ptr setup_failure;
    asio::co_spawn(ioc, supervisor(), [&](std::exception_ptr e) {
        setup_failure = e;
        if (e)
            ioc.stop();
    });
    std::thread second_thread([&] { ioc.run(); });
    ioc.run();
    second_thread.join();
    if (setup_failure)
        std::rethrow_exception(setup_failure);

    ASSERT_TRUE(all_done) << "only " << finished.load() << " of 32 lockers finished within 60 s";
    for (const auto& f : failures)
        ADD_FAILURE() << f;
    EXPECT_EQ(overlaps.load(), 0) << "two holders at once";
    EXPECT_EQ(counter.load(), total) << "lost updates";
    ASSERT_EQ(tokens.size(), static_cast<std::size_t>(total));
    for (std::size_t i = 1; i < tokens.size(); ++i)
        EXPECT_LT(tokens[i - 1], tokens[i]) << "acquisition " << i;
    // The lock really went back and forth between the clients through DynamoDB (the second client's
    // waiters mark themselves, and the first client's lockers pass it on locally only a bounded number
    // of times), so the run tested handovers through the row, not only in memory.
    int switches = 0;
    for (std::size_t i = 1; i < holder_clients.size(); ++i)
        switches += holder_clients[i] != holder_clients[i - 1] ? 1 : 0;
    EXPECT_GE(switches, 4) << "the lock changed clients only " << switches << " times";
}

// ---- fencing tokens -----------------------------------------------------------------------------

// Tokens grow with every acquisition of the key: after a release, a local handover, another client,
// and a takeover. Deleting the row starts them again: the next acquisition gets token 1 (documented
// for lock_options::delete_on_release), so a resource that checks tokens must not see the key deleted.
TEST_P(locker_test, fencing_tokens_increase_across_every_handover_and_restart_after_delete) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        client other(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_lock_store(db, "fencing");
        auto kv2 = same_store(other, kv);
        std::vector<std::int64_t> tokens;

        locker a(kv, "fenced", quick(2s));
        require(!(co_await lock(a)), "a lock");
        tokens.push_back(a.fencing_token());
        EXPECT_FALSE(co_await unlock(a));
        require(!(co_await lock(a)), "a lock again after release");
        tokens.push_back(a.fencing_token());
        EXPECT_FALSE(co_await unlock(a));

        locker b(kv2, "fenced", quick(2s));
        require(!(co_await lock(b)), "lock from another client");
        tokens.push_back(b.fencing_token());
        EXPECT_FALSE(co_await unlock(b));

        // A local handover: no DynamoDB write, still a new, greater token.
        locker first(kv, "fenced", quick(2s));
        locker second(kv, "fenced", quick(2s));
        require(!(co_await lock(first)), "first lock");
        tokens.push_back(first.fencing_token());
        auto handed = std::make_shared<completion>();
        second.async_lock(record(handed));
        EXPECT_FALSE(co_await unlock(first));
        require(co_await eventually([&] { return handed->done; }, 5s), "handover to the local waiter");
        require(!handed->ec, "handover: " + handed->ec.message());
        tokens.push_back(second.fencing_token());
        EXPECT_FALSE(co_await unlock(second));

        // A takeover of a holder that stopped renewing.
        locker dead(kv2, "fenced", quick(600ms).without_renewal());
        require(!(co_await lock(dead)), "no-renew lock");
        tokens.push_back(dead.fencing_token());
        locker taker(kv, "fenced", quick(600ms));
        require(!(co_await lock(taker)), "takeover");
        tokens.push_back(taker.fencing_token());
        EXPECT_FALSE(co_await unlock(taker));

        for (std::size_t i = 1; i < tokens.size(); ++i)
            EXPECT_LT(tokens[i - 1], tokens[i]) << "step " << i;
        auto row = co_await read_row(kv, "fenced");
        EXPECT_GE(row.fencing_token, tokens.back());

        // Deleting the row (store remove) forgets the tokens: the next acquisition starts at 1 again.
        auto [rm_ec] = co_await kv.async_remove("fenced", tuple);
        require(!rm_ec, "remove: " + rm_ec.message());
        require(!(co_await lock(a)), "lock after delete");
        EXPECT_EQ(a.fencing_token(), 1);
        // delete_on_release does the same.
        auto deleting = release_options().with_delete_row();
        auto [del_ec] = co_await a.async_unlock(deleting, tuple);
        EXPECT_FALSE(del_ec) << del_ec.message();
        auto [read_ec, gone] = co_await kv.async_read_lock("fenced", tuple);
        EXPECT_EQ(read_ec, make_error_code(errc::key_not_found));
        require(!(co_await lock(b)), "lock after delete_on_release");
        EXPECT_EQ(b.fencing_token(), 1);
        EXPECT_FALSE(co_await unlock(b));
    });
}

// ---- reading and listing locks ------------------------------------------------------------------

// read_lock shows what the holder wrote; list_locks returns exactly the lock rows under a prefix,
// through consistent Queries (never a Scan), as the requests seen by a proxy in front of the server show.
TEST_P(locker_test, read_lock_shows_the_row_and_list_locks_queries_only_lock_rows) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        client other(ioc, local_client_options(server().endpoint));
        dynalock::test::fault_proxy proxy(server().host, server().port);
        client watched(ioc, local_client_options(proxy.endpoint()));
        auto kv = co_await make_lock_store(db, "list");
        auto kv2 = same_store(other, kv);
        store listing(watched, kv.table(), kv.partition());

        const auto data = attribute_value::string("job data");
        locker a(kv, "jobs/a",
                 quick(1500ms).with_owner("owner-a").with_data(data).with_attribute(
                     "host", attribute_value::string("h1")));
        locker b(kv, "jobs/b", quick(1500ms));
        locker c(kv2, "jobs/c", quick(1500ms));
        locker x(kv, "other/x", quick(1500ms));
        require(!(co_await lock(a)), "lock a");
        require(!(co_await lock(b)), "lock b");
        EXPECT_FALSE(co_await unlock(b));
        require(!(co_await lock(c)), "lock c");
        require(!(co_await lock(x)), "lock x");
        // A key/value pair under the same prefix is not a lock row.
        auto plain = write_options().with_value(attribute_value::string("not a lock"));
        auto [put_ec, put_pair] = co_await kv.async_put("jobs/plain", plain, tuple);
        require(!put_ec, "put: " + put_ec.message());

        auto info = co_await read_row(listing, "jobs/a");
        EXPECT_EQ(info.key, "jobs/a");
        EXPECT_EQ(info.owner, "owner-a");
        EXPECT_FALSE(info.released);
        EXPECT_EQ(info.lease, 1500ms);
        EXPECT_FALSE(info.lease_id.empty());
        EXPECT_GE(info.fencing_token, a.fencing_token());
        EXPECT_GE(info.version, 1);
        EXPECT_FALSE(info.waiter.has_value());
        require(info.data.has_value(), "data");
        EXPECT_EQ(*info.data, data);
        const auto* host = info.attributes.get("host");
        require(host != nullptr, "the extra attribute");
        EXPECT_EQ(*host, attribute_value::string("h1"));

        auto released = co_await read_row(listing, "jobs/b");
        EXPECT_TRUE(released.released);
        EXPECT_EQ(released.owner, b.owner());

        auto [missing_ec, missing] = co_await listing.async_read_lock("jobs/none", tuple);
        EXPECT_EQ(missing_ec, make_error_code(errc::key_not_found));

        const auto before_listing = proxy.requests().size();
        auto [list_ec, locks] = co_await listing.async_list_locks("jobs/", tuple);
        require(!list_ec, "list_locks: " + list_ec.message());
        std::vector<std::string> keys;
        for (const auto& l : locks)
            keys.push_back(l.key);
        std::sort(keys.begin(), keys.end());
        EXPECT_EQ(keys, (std::vector<std::string>{"jobs/a", "jobs/b", "jobs/c"}));
        for (const auto& l : locks) {
            if (l.key == "jobs/a") {
                EXPECT_EQ(l.lease_id, info.lease_id);
            } else if (l.key == "jobs/b") {
                EXPECT_TRUE(l.released);
            } else if (l.key == "jobs/c") {
                EXPECT_EQ(l.owner, c.owner());
            }
        }
        const auto seen = proxy.requests();
        require(seen.size() > before_listing, "the listing went through the proxy");
        for (auto i = before_listing; i < seen.size(); ++i) {
            EXPECT_EQ(seen[i].target, "DynamoDB_20120810.Query");
            EXPECT_NE(seen[i].body.find("\"ConsistentRead\":true"), std::string::npos) << seen[i].body;
        }

        auto [all_ec, all] = co_await listing.async_list_locks("", tuple);
        require(!all_ec, "list_locks(\"\"): " + all_ec.message());
        EXPECT_EQ(all.size(), 4u);

        EXPECT_FALSE(co_await unlock(a));
        EXPECT_FALSE(co_await unlock(c));
        EXPECT_FALSE(co_await unlock(x));
    });
}

// ---- client shutdown ----------------------------------------------------------------------------

// shutdown() releases every lease held through the client (the rows say released, the lockers
// lease_released) and fails the client's waiters with client_stopped.
TEST_P(locker_test, client_shutdown_releases_every_held_lease) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        client observer(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_lock_store(db, "shutdown");
        auto seen = same_store(observer, kv);
        locker one(kv, "one", quick(20s));
        locker two(kv, "two", quick(20s));
        require(!(co_await lock(one)), "lock one");
        require(!(co_await lock(two)), "lock two");
        auto lost_one = std::make_shared<completion>();
        auto lost_two = std::make_shared<completion>();
        one.async_wait_lost(record(lost_one));
        two.async_wait_lost(record(lost_two));
        locker queued(kv, "one", quick(20s));
        auto waited = std::make_shared<completion>();
        queued.async_lock(record(waited));

        db.shutdown();
        require(co_await eventually([&] { return lost_one->done && lost_two->done && waited->done; }, 5s),
                "every locker heard of the shutdown");
        EXPECT_EQ(lost_one->ec, make_error_code(errc::lease_released)) << lost_one->ec.message();
        EXPECT_EQ(lost_two->ec, make_error_code(errc::lease_released)) << lost_two->ec.message();
        EXPECT_EQ(waited->ec, make_error_code(errc::client_stopped)) << waited->ec.message();
        EXPECT_FALSE(one.is_held());
        EXPECT_FALSE(two.is_held());
        EXPECT_FALSE(queued.is_held());

        // The releases are written in the background.
        auto is_released = [](const lock_info& r) { return r.released; };
        EXPECT_TRUE((co_await read_until(seen, "one", is_released, 5s)).released);
        EXPECT_TRUE((co_await read_until(seen, "two", is_released, 5s)).released);

        locker late(kv, "three", quick(20s));
        EXPECT_EQ(co_await lock(late), make_error_code(errc::client_stopped));
    });
}

DYNALOCK_INSTANTIATE_OVER_PLAIN_SERVERS(locker_test);
