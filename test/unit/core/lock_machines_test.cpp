// SPDX-License-Identifier: BSL-1.0
// The locker's state machines driven by hand: the test plays the server (it decides what each write and
// read returns) and the clock (a steady time point it advances itself), so every decision about
// waiting, taking over, renewing and losing a lease is checked to the millisecond.
#include "core/lock_machines.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace dynalock;
using namespace dynalock::core;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using acq = acquire_machine::action_kind;
using hold = lease_machine::action_kind;

const error_code condition_failed = service_errc::conditional_check_failed;
const error_code throttled = service_errc::provisioned_throughput_exceeded;
const error_code server_error = service_errc::internal_server_error;

// An arbitrary steady time: nothing may depend on the clock's epoch.
const lock_time t0 = lock_time{} + 100h;

const std::string our_lease = "lease-ours";
const std::string our_process = "proc-me";

milliseconds ms(lock_clock::duration d) {
    return std::chrono::duration_cast<milliseconds>(d);
}

lock_row held(std::string lease_id, std::int64_t version, milliseconds lease = 1s, std::string waiter = "") {
    lock_row r;
    r.owner = "owner-of-" + lease_id;
    r.lease_id = std::move(lease_id);
    r.version = version;
    r.lease = lease;
    r.fence = 9 * version;
    r.waiter = std::move(waiter);
    return r;
}
lock_row released(std::string lease_id, std::int64_t version, std::string waiter = "") {
    lock_row r = held(std::move(lease_id), version, 1s, std::move(waiter));
    r.released = true;
    return r;
}
// What our winning write leaves in the row.
lock_row ours(std::int64_t version) {
    lock_row r = held(our_lease, version, 1s);
    r.owner = "me";
    return r;
}

acquire_machine::config acquire_config() {
    acquire_machine::config c;
    c.poll_min = 10ms;
    c.poll_max = 500ms;
    c.lease_id = our_lease;
    c.waiter_id = our_process;
    c.mark_waiter = false;
    return c;
}

// One poll of a waiting machine: its timer fires at until(), it reads and gets `row` back `latency` later.
acq poll_at(acquire_machine& m, lock_time fire, const row_view& row, milliseconds latency = 0ms) {
    auto a = m.on_timer(fire);
    if (a != acq::read)
        return a;
    return m.on_read(fire + latency, {}, row);
}
acq poll(acquire_machine& m, const row_view& row, milliseconds latency = 0ms) {
    return poll_at(m, m.until(), row, latency);
}

// ---- acquire: the free lock ---------------------------------------------------------------------

TEST(acquire_machine, free_row_is_acquired_with_one_write) {
    acquire_machine m(acquire_config(), std::nullopt, 1);
    ASSERT_EQ(m.start(t0), acq::write);
    EXPECT_EQ(m.takeover(), nullptr);
    EXPECT_EQ(m.on_write(t0 + 7ms, t0, {}, row_view::of(ours(1))), acq::acquired);
    EXPECT_EQ(m.row().lease_id, our_lease);
    EXPECT_EQ(m.row().version, 1);
    EXPECT_EQ(m.row().fence, 9);
    EXPECT_EQ(m.sent_at(), t0) << "the lease starts when the write was sent, not when it returned";
    EXPECT_EQ(m.writes(), 1u);
    EXPECT_EQ(m.reads(), 0u);
    EXPECT_FALSE(m.marked_waiter());
}

TEST(acquire_machine, failed_write_without_row_reads_it) {
    acquire_machine m(acquire_config(), std::nullopt, 1);
    m.start(t0);
    EXPECT_EQ(m.on_write(t0 + 5ms, t0, condition_failed, row_view::none()), acq::read);
    EXPECT_EQ(m.reads(), 1u);
}

TEST(acquire_machine, read_showing_no_row_writes_at_once) {
    acquire_machine m(acquire_config(), std::nullopt, 1);
    m.start(t0);
    m.on_write(t0 + 5ms, t0, condition_failed, row_view::none());
    ASSERT_EQ(m.on_read(t0 + 10ms, {}, row_view::absent()), acq::write);
    EXPECT_EQ(m.takeover(), nullptr);
    EXPECT_EQ(m.writes(), 2u);
    EXPECT_EQ(m.on_write(t0 + 15ms, t0 + 10ms, {}, row_view::of(ours(1))), acq::acquired);
    EXPECT_EQ(m.sent_at(), t0 + 10ms);
}

TEST(acquire_machine, read_showing_released_row_writes_at_once) {
    acquire_machine m(acquire_config(), std::nullopt, 1);
    m.start(t0);
    m.on_write(t0 + 5ms, t0, condition_failed, row_view::none());
    EXPECT_EQ(m.on_read(t0 + 10ms, {}, row_view::of(released("lease-B", 4))), acq::write);
    EXPECT_EQ(m.takeover(), nullptr);
}

TEST(acquire_machine, released_row_reserved_for_us_is_written) {
    acquire_machine m(acquire_config(), std::nullopt, 1);
    m.start(t0);
    EXPECT_EQ(m.on_write(t0 + 5ms, t0, condition_failed, row_view::of(released("lease-B", 4, our_process))),
              acq::write);
    EXPECT_EQ(m.takeover(), nullptr);
}

TEST(acquire_machine, released_row_reserved_for_another_waiter_waits) {
    auto cfg = acquire_config();
    cfg.mark_waiter = true;
    acquire_machine m(cfg, std::nullopt, 1);
    m.start(t0);
    EXPECT_EQ(m.on_write(t0 + 5ms, t0, condition_failed, row_view::of(released("lease-B", 4, "proc-other"))),
              acq::wait);
    EXPECT_GT(m.until(), t0 + 5ms);
    EXPECT_EQ(m.writes(), 1u) << "no waiter mark: somebody is already next in line";
}

// ---- acquire: waiting ---------------------------------------------------------------------------

TEST(acquire_machine, row_held_by_another_waits_and_remembers_it) {
    acquire_machine m(acquire_config(), std::nullopt, 1);
    m.start(t0);
    ASSERT_EQ(m.on_write(t0 + 5ms, t0, condition_failed, row_view::of(held("lease-B", 5, 2s))), acq::wait);
    EXPECT_GT(m.until(), t0 + 5ms);
    EXPECT_LE(m.until(), t0 + 5ms + 500ms);
    ASSERT_TRUE(m.observation().has_value());
    EXPECT_EQ(m.observation()->version, 5);
    EXPECT_EQ(m.observation()->lease_id, "lease-B");
    EXPECT_EQ(m.observation()->lease, 2s);
    EXPECT_EQ(m.observation()->seen_at, t0 + 5ms) << "seen when the reply arrived, not when the write left";
    EXPECT_EQ(m.reads(), 0u) << "the returned row saves a read";
    EXPECT_EQ(poll(m, row_view::of(held("lease-B", 5, 2s))), acq::wait);
    EXPECT_EQ(m.reads(), 1u);
}

// The delays of `n` consecutive waits behind one holder, for one seed.
std::vector<milliseconds> waits_behind_one_holder(std::uint64_t seed, std::size_t n,
                                                  acquire_machine::config cfg) {
    acquire_machine m(std::move(cfg), std::nullopt, seed);
    m.start(t0);
    std::vector<milliseconds> delays;
    lock_time now = t0 + 1ms;
    const auto row = row_view::of(held("lease-B", 5, 1h));
    auto a = m.on_write(now, t0, condition_failed, row);
    for (std::size_t i = 0; i < n && a == acq::wait; ++i) {
        delays.push_back(ms(m.until() - now));
        now = m.until();
        a = poll_at(m, now, row);
    }
    return delays;
}

TEST(acquire_machine, backoff_stays_within_poll_bounds) {
    // lock_options: "polls with jittered exponential backoff from poll_min to poll_max".
    constexpr std::size_t waits = 12;
    std::vector<milliseconds> shortest(waits, milliseconds::max());
    std::vector<milliseconds> longest(waits, milliseconds::min());
    for (std::uint64_t seed = 1; seed <= 200; ++seed) {
        auto delays = waits_behind_one_holder(seed, waits, acquire_config());
        ASSERT_EQ(delays.size(), waits);
        for (std::size_t i = 0; i < waits; ++i) {
            shortest[i] = std::min(shortest[i], delays[i]);
            longest[i] = std::max(longest[i], delays[i]);
        }
    }
    for (std::size_t i = 0; i < waits; ++i) {
        EXPECT_GE(shortest[i], 10ms) << "wait " << i << " polls faster than poll_min";
        EXPECT_LE(longest[i], 500ms) << "wait " << i << " polls slower than poll_max";
    }
}

TEST(acquire_machine, backoff_grows_with_jitter_up_to_poll_max) {
    constexpr std::size_t waits = 10;
    constexpr int seeds = 200;
    std::vector<double> mean(waits, 0.0);
    std::vector<std::set<milliseconds::rep>> seen(waits);
    milliseconds longest_last{};
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
        auto delays = waits_behind_one_holder(seed, waits, acquire_config());
        ASSERT_EQ(delays.size(), waits);
        for (std::size_t i = 0; i < waits; ++i) {
            mean[i] += static_cast<double>(delays[i].count()) / seeds;
            seen[i].insert(delays[i].count());
        }
        longest_last = std::max(longest_last, delays.back());
    }
    // 10 ms doubling reaches 500 ms after 6 steps; the first polls stay near poll_min.
    EXPECT_LE(mean[0], 20.0);
    for (std::size_t i = 0; i + 1 < 6; ++i)
        EXPECT_GT(mean[i + 1], 1.5 * mean[i]) << "step " << i;
    EXPECT_GT(mean[waits - 1], 250.0);
    EXPECT_GT(longest_last, 450ms) << "the backoff reaches poll_max";
    for (std::size_t i = 1; i < waits; ++i)
        EXPECT_GT(seen[i].size(), 5u) << "step " << i << " is not jittered";
}

TEST(acquire_machine, same_seed_gives_same_delays) {
    EXPECT_EQ(waits_behind_one_holder(42, 8, acquire_config()),
              waits_behind_one_holder(42, 8, acquire_config()));
    EXPECT_NE(waits_behind_one_holder(42, 8, acquire_config()),
              waits_behind_one_holder(43, 8, acquire_config()));
}

TEST(acquire_machine, backoff_restarts_when_the_lock_changes_hands) {
    double before = 0, after_renewal = 0, after_new_holder = 0;
    constexpr int seeds = 200;
    for (std::uint64_t seed = 1; seed <= seeds; ++seed) {
        acquire_machine m(acquire_config(), std::nullopt, seed);
        m.start(t0);
        lock_time now = t0 + 1ms;
        ASSERT_EQ(m.on_write(now, t0, condition_failed, row_view::of(held("lease-B", 5, 1h))), acq::wait);
        for (int i = 0; i < 8; ++i) {
            now = m.until();
            ASSERT_EQ(poll_at(m, now, row_view::of(held("lease-B", 5, 1h))), acq::wait);
        }
        before += static_cast<double>(ms(m.until() - now).count()) / seeds;
        // A renewal by the same holder is not a change of hands: the backoff keeps growing.
        now = m.until();
        ASSERT_EQ(poll_at(m, now, row_view::of(held("lease-B", 6, 1h))), acq::wait);
        after_renewal += static_cast<double>(ms(m.until() - now).count()) / seeds;
        // A new lease id is: back to poll_min.
        now = m.until();
        ASSERT_EQ(poll_at(m, now, row_view::of(held("lease-C", 7, 1h))), acq::wait);
        after_new_holder += static_cast<double>(ms(m.until() - now).count()) / seeds;
        EXPECT_LE(m.until() - now, 20ms) << "seed " << seed;
    }
    EXPECT_GT(before, 250.0);
    EXPECT_GT(after_renewal, 250.0);
    EXPECT_LE(after_new_holder, 20.0);
}

// ---- acquire: taking over a dead lease ----------------------------------------------------------

TEST(acquire_machine, row_unchanged_for_a_whole_lease_is_taken_over) {
    acquire_machine m(acquire_config(), std::nullopt, 7);
    m.start(t0);
    ASSERT_EQ(m.on_write(t0 + 5ms, t0, condition_failed, row_view::none()), acq::read);
    const lock_time first_seen = t0 + 12ms; // the read's reply
    const auto row = row_view::of(held("lease-B", 5, 1s));
    ASSERT_EQ(m.on_read(first_seen, {}, row), acq::wait);
    // Polls up to the end of the lease (measured from the first sighting) never take over.
    while (m.until() < first_seen + 1s) {
        ASSERT_EQ(poll(m, row), acq::wait);
    }
    EXPECT_EQ(m.writes(), 1u);
    EXPECT_EQ(poll_at(m, first_seen + 999ms, row), acq::wait);
    EXPECT_EQ(m.takeover(), nullptr);
    ASSERT_EQ(poll_at(m, first_seen + 1s, row), acq::write);
    ASSERT_NE(m.takeover(), nullptr);
    EXPECT_EQ(m.takeover()->version, 5);
    EXPECT_EQ(m.takeover()->lease_id, "lease-B");
    EXPECT_EQ(m.writes(), 2u);
    EXPECT_EQ(m.on_write(first_seen + 1010ms, first_seen + 1s, {}, row_view::of(ours(6))), acq::acquired);
    EXPECT_EQ(m.sent_at(), first_seen + 1s);
}

TEST(acquire_machine, wait_for_a_dead_lease_counts_from_the_failed_write_reply) {
    acquire_machine m(acquire_config(), std::nullopt, 7);
    m.start(t0);
    const auto row = row_view::of(held("lease-B", 5, 1s));
    ASSERT_EQ(m.on_write(t0 + 30ms, t0, condition_failed, row), acq::wait);
    EXPECT_EQ(poll_at(m, t0 + 1029ms, row), acq::wait);
    ASSERT_EQ(poll_at(m, t0 + 1030ms, row), acq::write);
    ASSERT_NE(m.takeover(), nullptr);
}

TEST(acquire_machine, wait_never_sleeps_past_the_takeover_time) {
    auto cfg = acquire_config();
    cfg.poll_min = 400ms;
    cfg.poll_max = 400ms;
    acquire_machine m(cfg, std::nullopt, 7);
    m.start(t0);
    const auto row = row_view::of(held("lease-B", 5, 1s));
    ASSERT_EQ(m.on_write(t0, t0, condition_failed, row), acq::wait);
    while (m.until() < t0 + 1s)
        ASSERT_EQ(poll(m, row), acq::wait);
    EXPECT_LE(m.until(), t0 + 1s);
}

TEST(acquire_machine, renewal_before_the_lease_ends_restarts_the_wait) {
    acquire_machine m(acquire_config(), std::nullopt, 7);
    m.start(t0);
    ASSERT_EQ(m.on_write(t0, t0, condition_failed, row_view::of(held("lease-B", 5, 1s))), acq::wait);
    // The holder renews (same lease id, new version) 600 ms later.
    ASSERT_EQ(poll_at(m, t0 + 600ms, row_view::of(held("lease-B", 6, 1s))), acq::wait);
    EXPECT_EQ(m.observation()->version, 6);
    EXPECT_EQ(m.observation()->seen_at, t0 + 600ms);
    EXPECT_EQ(poll_at(m, t0 + 1s, row_view::of(held("lease-B", 6, 1s))), acq::wait);
    EXPECT_EQ(poll_at(m, t0 + 1599ms, row_view::of(held("lease-B", 6, 1s))), acq::wait);
    EXPECT_EQ(m.takeover(), nullptr);
    ASSERT_EQ(poll_at(m, t0 + 1600ms, row_view::of(held("lease-B", 6, 1s))), acq::write);
    ASSERT_NE(m.takeover(), nullptr);
    EXPECT_EQ(m.takeover()->version, 6);
    EXPECT_EQ(m.takeover()->lease_id, "lease-B");
}

TEST(acquire_machine, new_holder_restarts_the_wait_with_its_own_lease) {
    acquire_machine m(acquire_config(), std::nullopt, 7);
    m.start(t0);
    ASSERT_EQ(m.on_write(t0, t0, condition_failed, row_view::of(held("lease-B", 5, 1s))), acq::wait);
    ASSERT_EQ(poll_at(m, t0 + 600ms, row_view::of(held("lease-C", 6, 2s))), acq::wait);
    EXPECT_EQ(poll_at(m, t0 + 1s, row_view::of(held("lease-C", 6, 2s))), acq::wait);
    EXPECT_EQ(poll_at(m, t0 + 2599ms, row_view::of(held("lease-C", 6, 2s))), acq::wait);
    ASSERT_EQ(poll_at(m, t0 + 2600ms, row_view::of(held("lease-C", 6, 2s))), acq::write);
    ASSERT_NE(m.takeover(), nullptr);
    EXPECT_EQ(m.takeover()->version, 6);
    EXPECT_EQ(m.takeover()->lease_id, "lease-C");
}

TEST(acquire_machine, takeover_that_loses_the_race_waits_for_the_winner) {
    acquire_machine m(acquire_config(), std::nullopt, 7);
    m.start(t0);
    ASSERT_EQ(m.on_write(t0, t0, condition_failed, row_view::of(held("lease-B", 5, 1s))), acq::wait);
    ASSERT_EQ(poll_at(m, t0 + 1s, row_view::of(held("lease-B", 5, 1s))), acq::write);
    ASSERT_NE(m.takeover(), nullptr);
    // Another waiter took it over first.
    EXPECT_EQ(m.on_write(t0 + 1005ms, t0 + 1s, condition_failed, row_view::of(held("lease-D", 6, 1s))),
              acq::wait);
    EXPECT_EQ(m.observation()->lease_id, "lease-D");
    EXPECT_EQ(m.observation()->seen_at, t0 + 1005ms);
    // The winner's lease is counted from when we saw it, and the next takeover names the winner's lease.
    EXPECT_EQ(poll_at(m, t0 + 2004ms, row_view::of(held("lease-D", 6, 1s))), acq::wait);
    ASSERT_EQ(poll_at(m, t0 + 2005ms, row_view::of(held("lease-D", 6, 1s))), acq::write);
    ASSERT_NE(m.takeover(), nullptr);
    EXPECT_EQ(m.takeover()->version, 6);
    EXPECT_EQ(m.takeover()->lease_id, "lease-D");
}

TEST(acquire_machine, prior_observation_aged_a_lease_takes_over_in_the_first_write) {
    lock_observation prior{.version = 5, .lease_id = "lease-B", .lease = 1s, .seen_at = t0};
    acquire_machine m(acquire_config(), prior, 1);
    ASSERT_EQ(m.start(t0 + 1s), acq::write);
    ASSERT_NE(m.takeover(), nullptr);
    EXPECT_EQ(m.takeover()->version, 5);
    EXPECT_EQ(m.takeover()->lease_id, "lease-B");
}

TEST(acquire_machine, prior_observation_keeps_counting_from_when_it_was_made) {
    lock_observation prior{.version = 5, .lease_id = "lease-B", .lease = 1s, .seen_at = t0};
    acquire_machine m(acquire_config(), prior, 1);
    ASSERT_EQ(m.start(t0 + 500ms), acq::write);
    EXPECT_EQ(m.takeover(), nullptr) << "not dead yet";
    ASSERT_EQ(m.on_write(t0 + 510ms, t0 + 500ms, condition_failed, row_view::of(held("lease-B", 5, 1s))),
              acq::wait);
    EXPECT_EQ(m.observation()->seen_at, t0);
    ASSERT_EQ(poll_at(m, t0 + 1s, row_view::of(held("lease-B", 5, 1s))), acq::write);
    ASSERT_NE(m.takeover(), nullptr);
}

// ---- acquire: the waiter mark -------------------------------------------------------------------

TEST(acquire_machine, waiter_marks_itself_once_per_holder) {
    auto cfg = acquire_config();
    cfg.mark_waiter = true;
    acquire_machine m(cfg, std::nullopt, 3);
    m.start(t0);
    ASSERT_EQ(m.on_write(t0 + 5ms, t0, condition_failed, row_view::of(held("lease-B", 5, 1h))),
              acq::mark_waiter);
    EXPECT_FALSE(m.marked_waiter());
    ASSERT_EQ(m.on_mark_waiter(t0 + 9ms, {}), acq::wait);
    EXPECT_TRUE(m.marked_waiter());
    EXPECT_GT(m.until(), t0 + 9ms);
    // Our mark is in the row now.
    EXPECT_EQ(poll(m, row_view::of(held("lease-B", 5, 1h, our_process))), acq::wait);
    // The same holder renewed and the mark is gone (say it was cleared): not marked again for this holder.
    EXPECT_EQ(poll(m, row_view::of(held("lease-B", 6, 1h))), acq::wait);
    // A new holder: mark again.
    EXPECT_EQ(poll(m, row_view::of(held("lease-C", 7, 1h))), acq::mark_waiter);
    EXPECT_EQ(m.on_mark_waiter(m.until() + 3ms, condition_failed), acq::wait);
}

TEST(acquire_machine, no_waiter_mark_when_somebody_is_next_in_line) {
    auto cfg = acquire_config();
    cfg.mark_waiter = true;
    acquire_machine m(cfg, std::nullopt, 3);
    m.start(t0);
    EXPECT_EQ(m.on_write(t0 + 5ms, t0, condition_failed, row_view::of(held("lease-B", 5, 1h, "proc-other"))),
              acq::wait);
    EXPECT_FALSE(m.marked_waiter());
}

TEST(acquire_machine, failed_waiter_mark_is_not_counted_as_marked) {
    auto cfg = acquire_config();
    cfg.mark_waiter = true;
    acquire_machine m(cfg, std::nullopt, 3);
    m.start(t0);
    ASSERT_EQ(m.on_write(t0 + 5ms, t0, condition_failed, row_view::of(held("lease-B", 5, 1h))),
              acq::mark_waiter);
    EXPECT_EQ(m.on_mark_waiter(t0 + 9ms, condition_failed), acq::wait);
    EXPECT_FALSE(m.marked_waiter());
}

TEST(acquire_machine, mark_waiter_off_never_marks) {
    acquire_machine m(acquire_config(), std::nullopt, 3);
    m.start(t0);
    EXPECT_EQ(m.on_write(t0 + 5ms, t0, condition_failed, row_view::of(held("lease-B", 5, 1h))), acq::wait);
}

// ---- acquire: errors ----------------------------------------------------------------------------

TEST(acquire_machine, transient_write_errors_wait_and_retry) {
    for (const error_code& ec : {throttled, server_error, error_code(service_errc::service_unavailable),
                                 error_code(errc::attempt_timeout)}) {
        acquire_machine m(acquire_config(), std::nullopt, 5);
        m.start(t0);
        ASSERT_EQ(m.on_write(t0 + 50ms, t0, ec, row_view::none()), acq::wait) << ec.message();
        EXPECT_GE(m.until(), t0 + 50ms + 5ms) << ec.message();
        EXPECT_LE(m.until(), t0 + 50ms + 500ms) << ec.message();
        auto next = m.on_timer(m.until());
        EXPECT_TRUE(next == acq::read || next == acq::write) << ec.message();
        if (next == acq::read) {
            EXPECT_EQ(m.on_read(m.until() + 2ms, {}, row_view::absent()), acq::write) << ec.message();
        }
    }
}

TEST(acquire_machine, server_never_reached_fails_at_once) {
    // A wrong endpoint or no network at all is not a passing fault: waiting would hang forever.
    for (const error_code& ec : {error_code(errc::connect_failed), error_code(errc::tls_handshake_failed)}) {
        acquire_machine m(acquire_config(), std::nullopt, 5);
        m.start(t0);
        ASSERT_EQ(m.on_write(t0 + 5ms, t0, ec, row_view::none()), acq::failed) << ec.message();
        EXPECT_EQ(m.error(), ec);
    }
}

TEST(acquire_machine, connection_lost_after_the_server_answered_waits_and_retries) {
    acquire_machine m(acquire_config(), std::nullopt, 5);
    m.start(t0);
    ASSERT_EQ(m.on_write(t0 + 5ms, t0, condition_failed, row_view::none()), acq::read);
    ASSERT_EQ(m.on_read(t0 + 10ms, error_code(errc::connect_failed), row_view::none()), acq::wait);
    ASSERT_EQ(m.on_timer(m.until()), acq::read);
    EXPECT_EQ(m.on_read(m.until() + 1ms, {}, row_view::absent()), acq::write);
}

TEST(acquire_machine, transient_read_errors_wait_and_retry) {
    for (const error_code& ec :
         {throttled, server_error, error_code(errc::attempt_timeout), error_code(errc::connection_closed)}) {
        acquire_machine m(acquire_config(), std::nullopt, 5);
        m.start(t0);
        ASSERT_EQ(m.on_write(t0 + 5ms, t0, condition_failed, row_view::none()), acq::read);
        ASSERT_EQ(m.on_read(t0 + 10ms, ec, row_view::none()), acq::wait) << ec.message();
        EXPECT_GT(m.until(), t0 + 10ms);
        ASSERT_EQ(m.on_timer(m.until()), acq::read) << ec.message();
        EXPECT_EQ(m.on_read(m.until() + 1ms, {}, row_view::of(released("lease-B", 3))), acq::write);
    }
}

TEST(acquire_machine, read_running_out_of_its_operation_deadline_waits_and_retries) {
    // A read that timed out has no side effect, and max_wait (not the client's operation timeout) decides
    // how long a lock is waited for.
    acquire_machine m(acquire_config(), std::nullopt, 5);
    m.start(t0);
    ASSERT_EQ(m.on_write(t0 + 5ms, t0, condition_failed, row_view::none()), acq::read);
    EXPECT_EQ(m.on_read(t0 + 30s, errc::operation_timeout, row_view::none()), acq::wait) << m.message();
}

TEST(acquire_machine, non_retryable_write_error_fails) {
    acquire_machine m(acquire_config(), std::nullopt, 5);
    m.start(t0);
    ASSERT_EQ(m.on_write(t0 + 5ms, t0, service_errc::validation, row_view::none()), acq::failed);
    EXPECT_EQ(m.error(), service_errc::validation);
    EXPECT_FALSE(m.message().empty());
}

TEST(acquire_machine, non_retryable_read_error_fails) {
    acquire_machine m(acquire_config(), std::nullopt, 5);
    m.start(t0);
    m.on_write(t0 + 5ms, t0, condition_failed, row_view::none());
    ASSERT_EQ(m.on_read(t0 + 10ms, service_errc::access_denied, row_view::none()), acq::failed);
    EXPECT_EQ(m.error(), service_errc::access_denied);
    EXPECT_FALSE(m.message().empty());
}

TEST(acquire_machine, item_that_is_not_a_lock_row_fails) {
    // The caller decodes the row; an item without the lock attributes is reported as invalid_argument.
    acquire_machine a(acquire_config(), std::nullopt, 5);
    a.start(t0);
    EXPECT_EQ(a.on_write(t0 + 5ms, t0, errc::invalid_argument, row_view::none()), acq::failed);
    EXPECT_EQ(a.error(), errc::invalid_argument);

    acquire_machine b(acquire_config(), std::nullopt, 5);
    b.start(t0);
    b.on_write(t0 + 5ms, t0, condition_failed, row_view::none());
    EXPECT_EQ(b.on_read(t0 + 10ms, errc::invalid_argument, row_view::none()), acq::failed);
    EXPECT_EQ(b.error(), errc::invalid_argument);
}

TEST(acquire_machine, successful_write_without_row_is_malformed) {
    acquire_machine m(acquire_config(), std::nullopt, 5);
    m.start(t0);
    EXPECT_EQ(m.on_write(t0 + 5ms, t0, {}, row_view::none()), acq::failed);
    EXPECT_EQ(m.error(), errc::malformed_response);
}

// ---- acquire: unknown outcome -------------------------------------------------------------------

TEST(acquire_machine, unknown_write_outcome_with_our_lease_in_the_row_is_acquired) {
    acquire_machine m(acquire_config(), std::nullopt, 5);
    m.start(t0);
    ASSERT_EQ(m.on_write(t0 + 2s, t0, errc::outcome_unknown, row_view::none()), acq::read);
    ASSERT_EQ(m.on_read(t0 + 2100ms, {}, row_view::of(ours(1))), acq::acquired);
    EXPECT_EQ(m.sent_at(), t0) << "the lease began when the ambiguous write was sent";
    EXPECT_EQ(m.row().lease_id, our_lease);
    EXPECT_EQ(m.row().version, 1);
}

TEST(acquire_machine, unknown_write_outcome_survives_a_failed_read) {
    acquire_machine m(acquire_config(), std::nullopt, 5);
    m.start(t0);
    ASSERT_EQ(m.on_write(t0 + 2s, t0, errc::outcome_unknown, row_view::none()), acq::read);
    ASSERT_EQ(m.on_read(t0 + 2100ms, throttled, row_view::none()), acq::wait);
    ASSERT_EQ(m.on_timer(m.until()), acq::read);
    ASSERT_EQ(m.on_read(m.until() + 5ms, {}, row_view::of(ours(1))), acq::acquired);
    EXPECT_EQ(m.sent_at(), t0);
}

TEST(acquire_machine, unknown_write_outcome_with_another_lease_waits) {
    acquire_machine m(acquire_config(), std::nullopt, 5);
    m.start(t0);
    ASSERT_EQ(m.on_write(t0 + 2s, t0, errc::outcome_unknown, row_view::none()), acq::read);
    ASSERT_EQ(m.on_read(t0 + 2100ms, {}, row_view::of(held("lease-B", 5, 1s))), acq::wait);
    EXPECT_EQ(m.observation()->lease_id, "lease-B");
    EXPECT_EQ(m.observation()->seen_at, t0 + 2100ms);
}

TEST(acquire_machine, unknown_write_outcome_with_free_row_writes_again) {
    acquire_machine m(acquire_config(), std::nullopt, 5);
    m.start(t0);
    ASSERT_EQ(m.on_write(t0 + 2s, t0, errc::outcome_unknown, row_view::none()), acq::read);
    ASSERT_EQ(m.on_read(t0 + 2100ms, {}, row_view::absent()), acq::write);
    EXPECT_EQ(m.on_write(t0 + 2200ms, t0 + 2100ms, {}, row_view::of(ours(1))), acq::acquired);
    EXPECT_EQ(m.sent_at(), t0 + 2100ms);
}

TEST(acquire_machine, unknown_outcome_of_a_later_write_uses_that_write_send_time) {
    acquire_machine m(acquire_config(), std::nullopt, 5);
    m.start(t0);
    ASSERT_EQ(m.on_write(t0 + 5ms, t0, condition_failed, row_view::of(held("lease-B", 5, 1s))), acq::wait);
    const lock_time sent = m.until() + 1ms;
    ASSERT_EQ(poll_at(m, m.until(), row_view::of(released("lease-B", 6))), acq::write);
    ASSERT_EQ(m.on_write(sent + 3s, sent, errc::outcome_unknown, row_view::none()), acq::read);
    ASSERT_EQ(m.on_read(sent + 3100ms, {}, row_view::of(ours(7))), acq::acquired);
    EXPECT_EQ(m.sent_at(), sent);
}

// ---- acquire: deadline --------------------------------------------------------------------------

TEST(acquire_machine, deadline_ends_the_wait) {
    auto cfg = acquire_config();
    cfg.deadline = t0 + 100ms;
    acquire_machine m(cfg, std::nullopt, 5);
    m.start(t0);
    ASSERT_EQ(m.on_write(t0 + 5ms, t0, condition_failed, row_view::of(held("lease-B", 5, 1h))), acq::wait);
    int polls = 0;
    acq a = acq::wait;
    while (a == acq::wait && polls < 1000) {
        EXPECT_LE(m.until(), t0 + 100ms) << "never sleeps past the deadline";
        a = poll(m, row_view::of(held("lease-B", 5, 1h)));
        ++polls;
    }
    EXPECT_EQ(a, acq::timed_out);
    EXPECT_EQ(m.error(), errc::lock_wait_timeout);
    EXPECT_GT(polls, 1);
}

TEST(acquire_machine, deadline_is_checked_after_errors) {
    auto cfg = acquire_config();
    cfg.deadline = t0 + 100ms;
    acquire_machine m(cfg, std::nullopt, 5);
    m.start(t0);
    ASSERT_EQ(m.on_write(t0 + 5ms, t0, condition_failed, row_view::none()), acq::read);
    EXPECT_EQ(m.on_read(t0 + 100ms, throttled, row_view::none()), acq::timed_out);
    EXPECT_EQ(m.error(), errc::lock_wait_timeout);

    acquire_machine w(cfg, std::nullopt, 5);
    w.start(t0);
    EXPECT_EQ(w.on_write(t0 + 150ms, t0, server_error, row_view::none()), acq::timed_out);
    EXPECT_EQ(w.error(), errc::lock_wait_timeout);
}

// ---- acquire: single attempt (try_lock) ---------------------------------------------------------

TEST(acquire_machine, single_attempt_gives_up_after_one_write) {
    auto cfg = acquire_config();
    cfg.single_attempt = true;
    acquire_machine m(cfg, std::nullopt, 5);
    ASSERT_EQ(m.start(t0), acq::write);
    EXPECT_EQ(m.on_write(t0 + 5ms, t0, condition_failed, row_view::of(held("lease-B", 5, 1s))),
              acq::not_acquired);
    EXPECT_EQ(m.error(), errc::lock_not_acquired);
    EXPECT_EQ(m.writes(), 1u);
    EXPECT_EQ(m.reads(), 0u);
    ASSERT_TRUE(m.observation().has_value()) << "kept for the next attempt";
    EXPECT_EQ(m.observation()->lease_id, "lease-B");
    EXPECT_EQ(m.observation()->version, 5);
    EXPECT_EQ(m.observation()->seen_at, t0 + 5ms);
}

TEST(acquire_machine, single_attempt_reads_to_explain_a_failure) {
    auto cfg = acquire_config();
    cfg.single_attempt = true;
    acquire_machine m(cfg, std::nullopt, 5);
    m.start(t0);
    ASSERT_EQ(m.on_write(t0 + 5ms, t0, condition_failed, row_view::none()), acq::read);
    EXPECT_EQ(m.on_read(t0 + 9ms, {}, row_view::of(held("lease-B", 5, 1s))), acq::not_acquired);
    EXPECT_EQ(m.error(), errc::lock_not_acquired);
    EXPECT_EQ(m.writes(), 1u);
    EXPECT_EQ(m.reads(), 1u);
    ASSERT_TRUE(m.observation().has_value());
    EXPECT_EQ(m.observation()->seen_at, t0 + 9ms);
}

TEST(acquire_machine, single_attempt_whose_row_was_released_meanwhile_is_not_acquired) {
    auto cfg = acquire_config();
    cfg.single_attempt = true;
    acquire_machine m(cfg, std::nullopt, 5);
    m.start(t0);
    ASSERT_EQ(m.on_write(t0 + 5ms, t0, condition_failed, row_view::none()), acq::read);
    EXPECT_EQ(m.on_read(t0 + 9ms, {}, row_view::of(released("lease-B", 6))), acq::not_acquired);
    EXPECT_EQ(m.error(), errc::lock_not_acquired);
    EXPECT_EQ(m.writes(), 1u) << "one write only";
}

TEST(acquire_machine, single_attempt_whose_row_vanished_is_not_acquired) {
    // The write failed its condition, then the row was deleted before the read: still one attempt.
    auto cfg = acquire_config();
    cfg.single_attempt = true;
    acquire_machine m(cfg, std::nullopt, 5);
    m.start(t0);
    ASSERT_EQ(m.on_write(t0 + 5ms, t0, condition_failed, row_view::none()), acq::read);
    EXPECT_EQ(m.on_read(t0 + 9ms, {}, row_view::absent()), acq::not_acquired);
    EXPECT_EQ(m.error(), errc::lock_not_acquired);
    EXPECT_EQ(m.writes(), 1u);
}

TEST(acquire_machine, single_attempt_does_not_take_over_without_a_prior_observation) {
    auto cfg = acquire_config();
    cfg.single_attempt = true;
    acquire_machine m(cfg, std::nullopt, 5);
    m.start(t0);
    EXPECT_EQ(m.on_write(t0 + 5s, t0, condition_failed, row_view::of(held("lease-B", 5, 1s))),
              acq::not_acquired);
    EXPECT_EQ(m.writes(), 1u);
}

TEST(acquire_machine, single_attempt_with_aged_observation_takes_over) {
    auto cfg = acquire_config();
    cfg.single_attempt = true;
    lock_observation prior{.version = 5, .lease_id = "lease-B", .lease = 1s, .seen_at = t0};
    acquire_machine m(cfg, prior, 5);
    ASSERT_EQ(m.start(t0 + 3s), acq::write);
    ASSERT_NE(m.takeover(), nullptr);
    EXPECT_EQ(m.on_write(t0 + 3005ms, t0 + 3s, {}, row_view::of(ours(6))), acq::acquired);
}

// ---- lease_machine ------------------------------------------------------------------------------

lease_machine::config lease_config() {
    lease_machine::config c;
    c.lease = 3s;
    c.heartbeat = 1s;
    c.safety_margin = 300ms;
    c.lease_id = our_lease;
    return c;
}
lock_row our_row(std::int64_t version, std::string waiter = "") {
    lock_row r = ours(version);
    r.lease = 3s;
    r.waiter = std::move(waiter);
    return r;
}

TEST(lease_machine, valid_until_is_send_time_plus_lease_minus_margin) {
    lease_machine m(lease_config(), 4, t0);
    EXPECT_EQ(m.valid_until(), t0 + 2700ms);
    EXPECT_EQ(m.version(), 4);
    EXPECT_FALSE(m.lost());
}

TEST(lease_machine, heartbeats_every_period_from_the_last_send) {
    lease_machine m(lease_config(), 4, t0);
    ASSERT_EQ(m.next(t0 + 1ms), hold::wait);
    EXPECT_EQ(m.until(), t0 + 1s);
    EXPECT_EQ(m.next(t0 + 999ms), hold::wait);
    ASSERT_EQ(m.next(t0 + 1s), hold::heartbeat);
    EXPECT_EQ(m.heartbeats(), 1u);
    // Sent at t0 + 1 s, answered 80 ms later.
    m.on_heartbeat(t0 + 1080ms, t0 + 1s, {}, row_view::of(our_row(5)));
    EXPECT_EQ(m.version(), 5);
    EXPECT_EQ(m.valid_until(), t0 + 1s + 2700ms);
    ASSERT_EQ(m.next(t0 + 1080ms), hold::wait);
    EXPECT_EQ(m.until(), t0 + 2s) << "the period counts from the send time";
    ASSERT_EQ(m.next(t0 + 2s), hold::heartbeat);
    m.on_heartbeat(t0 + 2010ms, t0 + 2s, {}, row_view::of(our_row(6)));
    EXPECT_EQ(m.valid_until(), t0 + 4700ms);
    EXPECT_EQ(m.heartbeats(), 2u);
}

TEST(lease_machine, transient_failures_are_retried_while_valid_then_expire) {
    for (const error_code& ec : {throttled, server_error, error_code(errc::attempt_timeout)}) {
        lease_machine m(lease_config(), 4, t0);
        lock_time now = t0 + 1s;
        ASSERT_EQ(m.next(now), hold::heartbeat);
        int attempts = 0;
        hold a = hold::heartbeat;
        while (a != hold::lost && attempts < 10'000) {
            if (a == hold::heartbeat) {
                EXPECT_LT(now, t0 + 2700ms) << "no renewal once the validity is over";
                ++attempts;
                m.on_heartbeat(now + 5ms, now, ec, row_view::none());
                now += 5ms;
            } else {
                ASSERT_EQ(a, hold::wait) << ec.message();
                ASSERT_GT(m.until(), now);
                ASSERT_LE(m.until(), m.valid_until());
                now = m.until();
            }
            a = m.next(now);
        }
        EXPECT_GT(attempts, 2) << ec.message();
        EXPECT_EQ(m.reason(), errc::lease_expired) << ec.message();
        EXPECT_EQ(now, t0 + 2700ms) << "lost exactly when the validity ends";
        EXPECT_LT(now, t0 + 3s) << "before anybody may take it over";
        EXPECT_EQ(m.next(now + 1s), hold::lost);
    }
}

TEST(lease_machine, retry_that_succeeds_renews) {
    lease_machine m(lease_config(), 4, t0);
    ASSERT_EQ(m.next(t0 + 1s), hold::heartbeat);
    m.on_heartbeat(t0 + 1010ms, t0 + 1s, throttled, row_view::none());
    ASSERT_EQ(m.next(t0 + 1010ms), hold::wait);
    const lock_time retry = m.until();
    EXPECT_GT(retry, t0 + 1010ms);
    EXPECT_LT(retry, t0 + 2s) << "a failed renewal is retried before the next period";
    ASSERT_EQ(m.next(retry), hold::heartbeat);
    m.on_heartbeat(retry + 10ms, retry, {}, row_view::of(our_row(5)));
    EXPECT_FALSE(m.lost());
    EXPECT_EQ(m.valid_until(), retry + 2700ms);
}

TEST(lease_machine, without_renewal_expires_at_valid_until) {
    auto cfg = lease_config();
    cfg.heartbeat = 0ms;
    lease_machine m(cfg, 4, t0);
    ASSERT_EQ(m.next(t0), hold::wait);
    EXPECT_EQ(m.until(), t0 + 2700ms);
    EXPECT_EQ(m.next(t0 + 2699ms), hold::wait);
    EXPECT_EQ(m.next(t0 + 2700ms), hold::lost);
    EXPECT_EQ(m.reason(), errc::lease_expired);
    EXPECT_EQ(m.heartbeats(), 0u);
}

TEST(lease_machine, condition_failure_with_another_lease_is_stolen) {
    lease_machine m(lease_config(), 4, t0);
    ASSERT_EQ(m.next(t0 + 1s), hold::heartbeat);
    m.on_heartbeat(t0 + 1010ms, t0 + 1s, condition_failed, row_view::of(held("lease-B", 9, 1s)));
    EXPECT_TRUE(m.lost());
    EXPECT_EQ(m.reason(), errc::lease_stolen);
    EXPECT_EQ(m.next(t0 + 1010ms), hold::lost);
}

TEST(lease_machine, condition_failure_with_no_row_is_stolen) {
    lease_machine m(lease_config(), 4, t0);
    ASSERT_EQ(m.next(t0 + 1s), hold::heartbeat);
    m.on_heartbeat(t0 + 1010ms, t0 + 1s, condition_failed, row_view::absent());
    EXPECT_EQ(m.reason(), errc::lease_stolen);
    EXPECT_EQ(m.next(t0 + 1010ms), hold::lost);
}

TEST(lease_machine, condition_failure_without_the_row_reads_it) {
    lease_machine m(lease_config(), 4, t0);
    ASSERT_EQ(m.next(t0 + 1s), hold::heartbeat);
    m.on_heartbeat(t0 + 1010ms, t0 + 1s, condition_failed, row_view::none());
    EXPECT_FALSE(m.lost());
    ASSERT_EQ(m.next(t0 + 1010ms), hold::read);
    EXPECT_EQ(m.reads(), 1u);
    m.on_read(t0 + 1020ms, {}, row_view::of(held("lease-B", 9, 1s)));
    EXPECT_EQ(m.reason(), errc::lease_stolen);
}

TEST(lease_machine, unknown_outcome_resolved_by_read_that_shows_it_landed) {
    lease_machine m(lease_config(), 4, t0);
    ASSERT_EQ(m.next(t0 + 1s), hold::heartbeat);
    m.on_heartbeat(t0 + 1500ms, t0 + 1s, errc::outcome_unknown, row_view::none());
    EXPECT_FALSE(m.lost());
    ASSERT_EQ(m.next(t0 + 1500ms), hold::read);
    m.on_read(t0 + 1520ms, {}, row_view::of(our_row(5, "proc-2")));
    EXPECT_FALSE(m.lost());
    EXPECT_EQ(m.version(), 5);
    EXPECT_EQ(m.valid_until(), t0 + 1s + 2700ms) << "from the ambiguous write's send time";
    EXPECT_EQ(m.waiter(), "proc-2");
    ASSERT_EQ(m.next(t0 + 1520ms), hold::wait);
    EXPECT_EQ(m.until(), t0 + 2s);
}

TEST(lease_machine, unknown_outcome_resolved_by_read_that_shows_it_did_not_land) {
    lease_machine m(lease_config(), 4, t0);
    ASSERT_EQ(m.next(t0 + 1s), hold::heartbeat);
    m.on_heartbeat(t0 + 1500ms, t0 + 1s, errc::outcome_unknown, row_view::none());
    ASSERT_EQ(m.next(t0 + 1500ms), hold::read);
    m.on_read(t0 + 1520ms, {}, row_view::of(our_row(4)));
    EXPECT_FALSE(m.lost());
    EXPECT_EQ(m.version(), 4);
    EXPECT_EQ(m.valid_until(), t0 + 2700ms) << "nothing was renewed";
    ASSERT_EQ(m.next(t0 + 1520ms), hold::heartbeat) << "renews again at once";
    m.on_heartbeat(t0 + 1530ms, t0 + 1520ms, {}, row_view::of(our_row(5)));
    EXPECT_EQ(m.valid_until(), t0 + 1520ms + 2700ms);
}

TEST(lease_machine, unknown_outcome_with_row_of_another_lease_is_stolen) {
    lease_machine m(lease_config(), 4, t0);
    ASSERT_EQ(m.next(t0 + 1s), hold::heartbeat);
    m.on_heartbeat(t0 + 1500ms, t0 + 1s, errc::outcome_unknown, row_view::none());
    ASSERT_EQ(m.next(t0 + 1500ms), hold::read);
    m.on_read(t0 + 1520ms, {}, row_view::absent());
    EXPECT_EQ(m.reason(), errc::lease_stolen);
}

TEST(lease_machine, failed_resolving_read_is_retried) {
    lease_machine m(lease_config(), 4, t0);
    ASSERT_EQ(m.next(t0 + 1s), hold::heartbeat);
    m.on_heartbeat(t0 + 1500ms, t0 + 1s, errc::outcome_unknown, row_view::none());
    ASSERT_EQ(m.next(t0 + 1500ms), hold::read);
    m.on_read(t0 + 1510ms, throttled, row_view::none());
    EXPECT_FALSE(m.lost());
    ASSERT_EQ(m.next(t0 + 1510ms), hold::wait);
    EXPECT_GT(m.until(), t0 + 1510ms);
    EXPECT_LE(m.until(), m.valid_until());
    ASSERT_EQ(m.next(m.until()), hold::read) << "the outcome is still to be resolved";
    EXPECT_EQ(m.reads(), 2u);
    m.on_read(m.until() + 5ms, {}, row_view::of(our_row(5)));
    EXPECT_EQ(m.valid_until(), t0 + 1s + 2700ms);
}

TEST(lease_machine, expiring_warning_is_reported_once_per_validity) {
    auto cfg = lease_config();
    cfg.expiring_warning = 500ms;
    lease_machine m(cfg, 4, t0);
    // Renewals keep failing: the warning comes at valid_until - 500 ms = t0 + 2.2 s.
    lock_time now = t0 + 1s;
    int warnings = 0;
    lock_time warned_at{};
    for (hold a = m.next(now); a != hold::lost; a = m.next(now)) {
        if (a == hold::expiring) {
            ++warnings;
            warned_at = now;
        } else if (a == hold::heartbeat) {
            m.on_heartbeat(now + 1ms, now, server_error, row_view::none());
            now += 1ms;
        } else {
            ASSERT_EQ(a, hold::wait);
            if (warnings == 0) {
                ASSERT_LE(m.until(), t0 + 2200ms) << "wakes up for the warning";
            }
            now = m.until();
        }
    }
    EXPECT_EQ(warnings, 1);
    EXPECT_GE(warned_at, t0 + 2200ms);
    EXPECT_LT(warned_at, t0 + 2700ms);
}

TEST(lease_machine, expiring_warning_is_reported_again_after_a_renewal) {
    auto cfg = lease_config();
    cfg.heartbeat = 0ms; // renewals are fed by hand below
    cfg.expiring_warning = 500ms;
    lease_machine m(cfg, 4, t0);
    ASSERT_EQ(m.next(t0), hold::wait);
    EXPECT_EQ(m.until(), t0 + 2200ms);
    EXPECT_EQ(m.next(t0 + 2200ms), hold::expiring);
    EXPECT_EQ(m.next(t0 + 2200ms), hold::wait);
    EXPECT_EQ(m.until(), t0 + 2700ms);
    // A renewal sent at t0 + 2.3 s moves the validity and re-arms the warning.
    m.on_heartbeat(t0 + 2310ms, t0 + 2300ms, {}, row_view::of(our_row(5)));
    ASSERT_EQ(m.next(t0 + 2310ms), hold::wait);
    EXPECT_EQ(m.until(), t0 + 4500ms);
    EXPECT_EQ(m.next(t0 + 4500ms), hold::expiring);
    EXPECT_EQ(m.next(t0 + 4501ms), hold::wait);
}

TEST(lease_machine, waiter_is_read_from_the_renewed_row) {
    lease_machine m(lease_config(), 4, t0);
    EXPECT_EQ(m.waiter(), "");
    ASSERT_EQ(m.next(t0 + 1s), hold::heartbeat);
    m.on_heartbeat(t0 + 1010ms, t0 + 1s, {}, row_view::of(our_row(5, "proc-2")));
    EXPECT_EQ(m.waiter(), "proc-2");
    ASSERT_EQ(m.next(t0 + 2s), hold::heartbeat);
    m.on_heartbeat(t0 + 2010ms, t0 + 2s, {}, row_view::of(our_row(6)));
    EXPECT_EQ(m.waiter(), "") << "the waiter went away";
}

} // namespace
