// SPDX-License-Identifier: BSL-1.0
// Leader election: candidates campaign for one lock; its holder leads until it steps down or loses it.
//
// Each candidate (--candidates coroutines per process; start more processes, each with its own --name)
// waits for the lock `leader/reports`, leads for --terms periods, then steps down so that a follower
// takes over, until it has led --leaderships times. Its work races locker::async_wait_lost: a lost
// lease cancels it at once. Each term records the leader with a write *conditioned on the fencing
// token*, so a leader paused for longer than its lease, that does not know yet that it was deposed,
// cannot overwrite what its successor wrote.
//
//   example_leader_election --endpoint http://127.0.0.1:8000 [--table NAME] [--name NAME]
//                           [--candidates N] [--leaderships N] [--terms N] [--lease MS]
//
// Prints "leader <candidate> token <n>" when a candidate takes office, how each leadership ends, and
// the sequence of leaders. Exit status: 0 when every candidate led --leaderships times with strictly
// increasing tokens, 1 otherwise, 64 for bad arguments.
#include <dynalock/dynalock.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using asio::experimental::make_parallel_group;
using asio::experimental::wait_for_one;
using namespace dynalock;
using namespace std::chrono_literals;

namespace {

struct election {
    std::string name = "node"; // prefix of the candidate names: give each process its own
    int candidates = 3, leaderships = 1, terms = 3;
    std::chrono::milliseconds lease = 2s, term_length = 100ms;
    std::vector<std::pair<std::string, std::int64_t>> leaders{}; // who took office here, in order
    bool failed = false;
};

// The completion handler of every coroutine: an exception is a failure of the run.
struct on_done {
    election& e;
    void operator()(std::exception_ptr ep) const {
        try {
            if (ep)
                std::rethrow_exception(ep);
        } catch (const std::exception& x) {
            std::fprintf(stderr, "failed: %s\n", x.what());
            e.failed = true;
        }
    }
};

// The leader's record, `leader/reports` in the "State" partition, written only if no later leader has
// written it: DynamoDB compares the tokens, so a deposed leader that wakes up late is refused.
asio::awaitable<bool> record_term(store state, std::string candidate, std::int64_t token, int term) {
    update_item_request req;
    req.table_name = state.table();
    req.key = {{state.options().schema.partition_key, attribute_value::string(state.partition())},
               {state.options().schema.sort_key, attribute_value::string("leader/reports")}};
    req.update_expression = "SET #leader = :leader, #term = :term, #token = :token";
    req.condition_expression = "attribute_not_exists(#token) OR #token <= :token";
    req.expression_attribute_names = {{"#leader", "leader"}, {"#term", "term"}, {"#token", "token"}};
    req.expression_attribute_values = {{":leader", attribute_value::string(candidate)},
                                       {":term", attribute_value::number(term)},
                                       {":token", attribute_value::number(token)}};
    auto [ec, written] =
        co_await state.get_client().async_update_item(std::move(req), asio::as_tuple(asio::deferred));
    if (ec && ec != service_errc::conditional_check_failed)
        throw boost::system::system_error(ec, "recording the term");
    co_return !ec;
}

// The leader's work: one term every term_length, until the last term or a refused write.
asio::awaitable<void> lead(store state, std::string candidate, std::int64_t token, const election& e) {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (int term = 1; term <= e.terms; ++term) {
        timer.expires_after(e.term_length);
        co_await timer.async_wait(asio::deferred);
        if (!co_await record_term(state, candidate, token, term)) {
            std::printf("%s fenced out: a later leader's token is recorded\n", candidate.c_str());
            co_return;
        }
        std::printf("  term %d by %s\n", term, candidate.c_str());
    }
    std::printf("%s steps down after %d terms\n", candidate.c_str(), e.terms);
}

asio::awaitable<void> campaign(store locks, store state, std::string candidate, election& e) {
    auto ex = co_await asio::this_coro::executor;
    // max_wait: an election that never ends is reported as an error instead of hanging.
    const auto options = lock_options().with_lease(e.lease).with_max_wait(60s).with_poll(10ms, 200ms);
    for (int led = 0; led < e.leaderships; ++led) {
        auto lk = locks.new_lock("leader/reports", options);
        co_await lk.async_lock();
        std::printf("leader %s token %lld\n", candidate.c_str(), static_cast<long long>(lk.fencing_token()));
        e.leaders.emplace_back(candidate, lk.fencing_token());

        // The work and the loss race: wait_for_one() cancels whichever has not finished. Not
        // awaitable_operators' operator||, which on Boost 1.81 swallows an exception of the work and
        // keeps waiting for the lease to end.
        auto group = make_parallel_group(
            asio::co_spawn(ex, lead(state, candidate, lk.fencing_token(), e), asio::deferred),
            lk.async_wait_lost(asio::deferred));
        auto [order, work_error, lost] = co_await group.async_wait(wait_for_one(), asio::deferred);
        if (order[0] == 1)
            std::printf("%s lost leadership: %s\n", candidate.c_str(), lost.message().c_str());
        else if (work_error)
            std::rethrow_exception(work_error);
        // Steps down. After a reported loss there is nothing to release and this completes at once; if
        // the release itself finds a successor's lease (errc::lease_stolen), we had been deposed already.
        auto [unlocked] = co_await lk.async_unlock(asio::as_tuple(asio::deferred));
        if (unlocked && unlocked != errc::lease_stolen)
            throw boost::system::system_error(unlocked, "stepping down");
    }
}

asio::awaitable<void> run(client& db, std::string table, election& e) {
    store locks(db, table, "Lock"), state(db, table, "State");
    co_await locks.async_create_table(table_options().with_if_not_exists());
    for (int c = 1; c <= e.candidates; ++c)
        asio::co_spawn(co_await asio::this_coro::executor,
                       campaign(locks, state, e.name + "/c" + std::to_string(c), e), on_done{e});
}

} // namespace

int main(int argc, char** argv) {
    client_options options;
    std::string table = "dynalock-examples";
    election e;
    for (int i = 1; i < argc; ++i) {
        auto is = [&](const char* option) { return !std::strcmp(argv[i], option) && i + 1 < argc; };
        if (is("--endpoint"))
            options.endpoint = argv[++i];
        else if (is("--table"))
            table = argv[++i];
        else if (is("--name"))
            e.name = argv[++i];
        else if (is("--candidates"))
            e.candidates = std::atoi(argv[++i]);
        else if (is("--leaderships"))
            e.leaderships = std::atoi(argv[++i]);
        else if (is("--terms"))
            e.terms = std::atoi(argv[++i]);
        else if (is("--lease"))
            e.lease = std::chrono::milliseconds(std::atoi(argv[++i]));
        else
            e.candidates = 0;
    }
    if (e.candidates < 1 || e.leaderships < 1 || e.terms < 1 || e.lease <= 0ms) {
        std::fprintf(stderr,
                     "usage: %s [--endpoint URL] [--table NAME] [--name NAME] [--candidates N] "
                     "[--leaderships N] [--terms N] [--lease MS]\n",
                     argv[0]);
        return 64;
    }
    std::setvbuf(stdout, nullptr, _IOLBF, 0); // a reader of a pipe sees each event as it happens

    asio::io_context ioc;
    client db(ioc, options);
    std::string why;
    if (auto ec = db.configuration_error(&why)) {
        std::fprintf(stderr, "cannot use the endpoint: %s: %s\n", ec.message().c_str(), why.c_str());
        return 1;
    }
    asio::co_spawn(ioc, run(db, table, e), on_done{e});
    ioc.run();

    bool ok = !e.failed && e.leaders.size() == static_cast<std::size_t>(e.candidates * e.leaderships);
    std::printf("sequence of leaders:");
    for (std::size_t i = 0; i < e.leaders.size(); ++i) {
        std::printf(" %s (token %lld)", e.leaders[i].first.c_str(),
                    static_cast<long long>(e.leaders[i].second));
        ok = ok && (i == 0 || e.leaders[i - 1].second < e.leaders[i].second);
    }
    std::printf("\n%s\n", ok ? "leader election done" : "leader election FAILED");
    return ok ? 0 : 1;
}
