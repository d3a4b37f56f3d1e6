// SPDX-License-Identifier: BSL-1.0
// Lock contention: many contenders, in one or several processes, take turns holding the same locks.
//
//   lock_contention [--contenders N] [--processes N] [--keys N] [--duration DUR | --count N]
//                   [--hold DUR | --hold uniform:DUR-DUR | --hold exp:DUR] [--lease DUR] [--heartbeat DUR]
//                   [--poll-min DUR] [--poll-max DUR] [--handover-limit N]
//                   [--endpoint URL | --server dynalite|dynamodb-local] [--json]
//   lock_contention --sweep DIR [--duration DUR] [...]
//
// Without --endpoint it starts dynalite (or, with --server dynamodb-local, Amazon DynamoDB Local) on a
// free loopback port (test/support/local_servers) and stops it at the end. The parent creates the
// table, then forks --processes copies of itself; each runs --contenders coroutines on one client, each
// looping lock → hold → unlock on a random key. Every acquisition is logged with its steady-clock times
// (CLOCK_MONOTONIC is shared by the processes of a machine) and its fencing token; the parent then checks
// mutual exclusion three ways (no overlapping holds, tokens increasing in acquisition order, and an
// unprotected counter in shared memory that every holder increments with a pause in between) and reports
// throughput, handover latency (one holder's unlock to the next holder's acquisition), wait time, fairness
// (Jain's index) and the DynamoDB requests the locks cost. --json adds one JSON object on the last line of
// stdout.
//
// --sweep runs contenders 1, 2, 4, ... 64 with 1, 2 and 4 processes, writes DIR/sweep.json and draws
// DIR/throughput, DIR/handover_p99 and DIR/handover_cdf (.png and .svg) with gnuplot.
#include <dynalock/dynalock.hpp>

#include "bench_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
using namespace dynalock;
using namespace std::chrono_literals;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::steady_clock;

namespace {

constexpr int exit_usage = 64;
constexpr auto tuple = asio::as_tuple(asio::deferred);

struct hold_time {
    enum class kind { fixed, uniform, exponential } shape = kind::fixed;
    nanoseconds a = 1ms; // fixed value, uniform low end, or exponential mean
    nanoseconds b = 1ms; // uniform high end
    std::string text = "1ms";

    nanoseconds draw(std::mt19937_64& rng) const {
        switch (shape) {
        case kind::fixed:
            return a;
        case kind::uniform:
            return nanoseconds(std::uniform_int_distribution<std::int64_t>(a.count(), b.count())(rng));
        case kind::exponential:
            return nanoseconds(static_cast<std::int64_t>(
                std::exponential_distribution<double>(1.0 / static_cast<double>(a.count()))(rng)));
        }
        return a;
    }
};

struct settings {
    int contenders = 4;
    int processes = 2;
    int keys = 1;
    milliseconds duration = 5s;
    std::int64_t count = 0; // total acquisitions; 0: run for `duration`
    hold_time hold;
    milliseconds lease = 5s;
    std::optional<milliseconds> heartbeat;
    milliseconds poll_min = 10ms;
    milliseconds poll_max = 500ms;
    unsigned handover_limit = 8;
    std::string endpoint;
    bench::server_kind server = bench::server_kind::dynalite;
    std::string table = "lock_contention";
    bool json = false;
    std::string sweep_dir;
};

std::optional<nanoseconds> parse_duration(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.'))
        ++i;
    if (i == 0)
        return std::nullopt;
    double v = 0;
    try {
        v = std::stod(std::string(s.substr(0, i)));
    } catch (...) {
        return std::nullopt;
    }
    const auto unit = s.substr(i);
    double scale = 0;
    if (unit == "ns")
        scale = 1;
    else if (unit == "us")
        scale = 1e3;
    else if (unit == "ms")
        scale = 1e6;
    else if (unit == "s")
        scale = 1e9;
    else if (unit == "m" || unit == "min")
        scale = 60e9;
    else
        return std::nullopt;
    return nanoseconds(static_cast<std::int64_t>(v * scale));
}

std::optional<hold_time> parse_hold(std::string_view s) {
    hold_time h;
    h.text = std::string(s);
    if (s.starts_with("uniform:")) {
        auto range = s.substr(8);
        auto dash = range.find('-');
        if (dash == std::string_view::npos)
            return std::nullopt;
        auto lo = parse_duration(range.substr(0, dash));
        auto hi = parse_duration(range.substr(dash + 1));
        if (!lo || !hi || *hi < *lo)
            return std::nullopt;
        h.shape = hold_time::kind::uniform;
        h.a = *lo;
        h.b = *hi;
        return h;
    }
    if (s.starts_with("exp:")) {
        auto mean = parse_duration(s.substr(4));
        if (!mean || mean->count() <= 0)
            return std::nullopt;
        h.shape = hold_time::kind::exponential;
        h.a = *mean;
        return h;
    }
    auto d = parse_duration(s);
    if (!d)
        return std::nullopt;
    h.a = h.b = *d;
    return h;
}

int usage(const char* why) {
    if (why)
        std::fprintf(stderr, "lock_contention: %s\n", why);
    std::fprintf(
        stderr,
        "usage: lock_contention [--contenders N] [--processes N] [--keys N] [--duration DUR | --count N]\n"
        "         [--hold DUR | --hold uniform:DUR-DUR | --hold exp:DUR] [--lease DUR] [--heartbeat DUR]\n"
        "         [--poll-min DUR] [--poll-max DUR] [--handover-limit N]\n"
        "         [--endpoint URL | --server dynalite|dynamodb-local] [--table NAME] [--json] [--sweep DIR]\n"
        "DUR: 500us, 20ms, 2s, 1m\n");
    return exit_usage;
}

std::optional<int> parse_arguments(int argc, char** argv, settings& s) {
    auto ms = [](nanoseconds d) { return std::chrono::duration_cast<milliseconds>(d); };
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        auto value = [&]() -> std::optional<std::string_view> {
            if (i + 1 >= argc)
                return std::nullopt;
            return std::string_view(argv[++i]);
        };
        auto number = [&](auto& out, long long min, long long max) -> bool {
            auto v = value();
            if (!v)
                return false;
            char* end = nullptr;
            const std::string text(*v);
            const long long n = std::strtoll(text.c_str(), &end, 10);
            if (end == text.c_str() || *end != '\0' || n < min || n > max)
                return false;
            out = static_cast<std::remove_reference_t<decltype(out)>>(n);
            return true;
        };
        auto duration = [&](auto& out) -> bool {
            auto v = value();
            if (!v)
                return false;
            auto d = parse_duration(*v);
            if (!d)
                return false;
            out = ms(*d);
            return true;
        };
        bool ok = true;
        if (arg == "--contenders")
            ok = number(s.contenders, 1, 1024);
        else if (arg == "--processes")
            ok = number(s.processes, 1, 64);
        else if (arg == "--keys")
            ok = number(s.keys, 1, 100000);
        else if (arg == "--count")
            ok = number(s.count, 1, 100'000'000);
        else if (arg == "--handover-limit")
            ok = number(s.handover_limit, 0, 1'000'000);
        else if (arg == "--duration")
            ok = duration(s.duration) && s.duration.count() > 0;
        else if (arg == "--lease")
            ok = duration(s.lease);
        else if (arg == "--heartbeat") {
            milliseconds h{};
            ok = duration(h);
            s.heartbeat = h;
        } else if (arg == "--poll-min")
            ok = duration(s.poll_min);
        else if (arg == "--poll-max")
            ok = duration(s.poll_max);
        else if (arg == "--hold") {
            auto v = value();
            auto h = v ? parse_hold(*v) : std::nullopt;
            ok = h.has_value();
            if (h)
                s.hold = *h;
        } else if (arg == "--endpoint") {
            auto v = value();
            ok = v && !v->empty();
            if (v)
                s.endpoint = std::string(*v);
        } else if (arg == "--server") {
            auto v = value();
            auto kind = v ? bench::parse_server_kind(*v) : std::nullopt;
            ok = kind.has_value();
            if (kind)
                s.server = *kind;
        } else if (arg == "--table") {
            auto v = value();
            ok = v && !v->empty();
            if (v)
                s.table = std::string(*v);
        } else if (arg == "--sweep") {
            auto v = value();
            ok = v && !v->empty();
            if (v)
                s.sweep_dir = std::string(*v);
        } else if (arg == "--json")
            s.json = true;
        else if (arg == "--help" || arg == "-h") {
            usage(nullptr);
            return 0;
        } else
            return usage(("unknown argument " + std::string(arg)).c_str());
        if (!ok)
            return usage(("bad value for " + std::string(arg)).c_str());
    }
    return std::nullopt;
}

// ---- shared memory between the processes of one run --------------------------------------------------

struct shared_memory {
    void* base = nullptr;
    std::size_t size = 0;
    int keys = 0;
    std::atomic<std::int64_t>* inside = nullptr;
    std::atomic<std::int64_t>* counter = nullptr; // per key: the unprotected counter
    std::atomic<std::int64_t>* left = nullptr;

    explicit shared_memory(int k) : keys(k) {
        size = sizeof(std::atomic<std::int64_t>) * (2 * static_cast<std::size_t>(k) + 1);
        base = ::mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (base == MAP_FAILED)
            throw std::runtime_error("mmap failed");
        auto* a = static_cast<std::atomic<std::int64_t>*>(base);
        for (std::size_t i = 0; i < 2 * static_cast<std::size_t>(k) + 1; ++i)
            new (a + i) std::atomic<std::int64_t>(0);
        left = a;
        inside = a + 1;
        counter = a + 1 + k;
    }
    ~shared_memory() { ::munmap(base, size); }
};

// ---- one process: its contenders ------------------------------------------------------------------------

struct event {
    int key = 0;
    int contender = 0; // global id
    std::int64_t token = 0;
    std::int64_t requested = 0, acquired = 0, released = 0; // steady-clock ns
};

std::int64_t now_ns() {
    return std::chrono::duration_cast<nanoseconds>(steady_clock::now().time_since_epoch()).count();
}

struct process_result {
    std::vector<event> events;
    client_stats stats{};
    std::int64_t violations = 0;
    std::int64_t errors = 0;
};

asio::awaitable<void> contend(store& kv, const settings& cfg, shared_memory& shm, int id,
                              steady_clock::time_point end, process_result& out, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<locker> lockers;
    lock_options lo;
    lo.with_lease(cfg.lease)
        .with_poll(cfg.poll_min, cfg.poll_max)
        .with_local_handover_limit(cfg.handover_limit);
    if (cfg.heartbeat)
        lo.with_heartbeat(*cfg.heartbeat);
    for (int k = 0; k < cfg.keys; ++k)
        lockers.push_back(kv.new_lock("key-" + std::to_string(k), lo));
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer timer(ex);
    std::uniform_int_distribution<int> pick(0, cfg.keys - 1);
    for (;;) {
        if (cfg.count > 0) {
            if (shm.left->fetch_sub(1) <= 0)
                break;
        } else if (steady_clock::now() >= end) {
            break;
        }
        const int k = pick(rng);
        auto& lk = lockers[static_cast<std::size_t>(k)];
        event e;
        e.key = k;
        e.contender = id;
        e.requested = now_ns();
        diagnostics diag;
        auto [ec] = co_await lk.async_lock(diag, tuple);
        if (ec) {
            std::fprintf(stderr, "lock_contention: lock: %s %s\n", ec.message().c_str(),
                         diag.client_message.c_str());
            ++out.errors;
            continue;
        }
        e.acquired = now_ns();
        e.token = lk.fencing_token();
        if (shm.inside[k].fetch_add(1) != 0)
            ++out.violations;
        // The unprotected read-pause-write: a second holder at the same time would lose an increment.
        const auto c = shm.counter[k].load(std::memory_order_relaxed);
        timer.expires_after(cfg.hold.draw(rng));
        co_await timer.async_wait(tuple);
        shm.counter[k].store(c + 1, std::memory_order_relaxed);
        shm.inside[k].fetch_sub(1);
        e.released = now_ns();
        auto [uec] = co_await lk.async_unlock(tuple);
        if (uec) {
            std::fprintf(stderr, "lock_contention: unlock: %s\n", uec.message().c_str());
            ++out.errors;
        }
        out.events.push_back(e);
    }
}

process_result run_process(const settings& cfg, const std::string& endpoint, bool local, shared_memory& shm,
                           int process_index, steady_clock::time_point end) {
    process_result out;
    asio::io_context ioc(1);
    client_options options;
    options.endpoint = endpoint;
    options.max_connections = static_cast<std::size_t>(std::max(cfg.contenders, 2));
    if (local)
        options.credentials = make_static_credentials_provider({"bench", "bench", {}, std::nullopt});
    client db(ioc, std::move(options));
    store kv(db, cfg.table, "locks");
    int running = cfg.contenders;
    for (int c = 0; c < cfg.contenders; ++c) {
        const int id = process_index * cfg.contenders + c;
        asio::co_spawn(
            ioc,
            contend(kv, cfg, shm, id, end, out, 0x9e3779b97f4a7c15ULL * static_cast<std::uint64_t>(id + 1)),
            [&](std::exception_ptr ep) {
                if (ep)
                    ++out.errors;
                if (--running == 0)
                    db.shutdown();
            });
    }
    ioc.run();
    out.stats = db.stats();
    return out;
}

// Child → parent: the events and counters, as text lines on a pipe.
void write_result(int fd, const process_result& r) {
    std::string text;
    for (const auto& e : r.events)
        text += "E " + std::to_string(e.key) + " " + std::to_string(e.contender) + " " +
                std::to_string(e.token) + " " + std::to_string(e.requested) + " " +
                std::to_string(e.acquired) + " " + std::to_string(e.released) + "\n";
    const auto& s = r.stats;
    text += "S " + std::to_string(s.requests) + " " + std::to_string(s.lock_acquire_writes) + " " +
            std::to_string(s.lock_reads) + " " + std::to_string(s.lock_waiter_marks) + " " +
            std::to_string(s.lock_heartbeats) + " " + std::to_string(s.lock_releases) + " " +
            std::to_string(s.lock_local_handovers) + " " + std::to_string(r.violations) + " " +
            std::to_string(r.errors) + "\n";
    std::size_t done = 0;
    while (done < text.size()) {
        auto n = ::write(fd, text.data() + done, text.size() - done);
        if (n <= 0)
            break;
        done += static_cast<std::size_t>(n);
    }
}

bool read_result(int fd, process_result& r) {
    std::string text;
    char buf[65536];
    for (;;) {
        auto n = ::read(fd, buf, sizeof buf);
        if (n <= 0)
            break;
        text.append(buf, static_cast<std::size_t>(n));
    }
    bool got_stats = false;
    std::size_t pos = 0;
    while (pos < text.size()) {
        auto nl = text.find('\n', pos);
        if (nl == std::string::npos)
            break;
        const std::string line = text.substr(pos, nl - pos);
        pos = nl + 1;
        if (line.starts_with("E ")) {
            event e;
            long long tok = 0, rq = 0, aq = 0, rl = 0;
            if (std::sscanf(line.c_str(), "E %d %d %lld %lld %lld %lld", &e.key, &e.contender, &tok, &rq, &aq,
                            &rl) == 6) {
                e.token = tok;
                e.requested = rq;
                e.acquired = aq;
                e.released = rl;
                r.events.push_back(e);
            }
        } else if (line.starts_with("S ")) {
            unsigned long long v[9] = {};
            if (std::sscanf(line.c_str(), "S %llu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
                            &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8]) == 9) {
                r.stats.requests = v[0];
                r.stats.lock_acquire_writes = v[1];
                r.stats.lock_reads = v[2];
                r.stats.lock_waiter_marks = v[3];
                r.stats.lock_heartbeats = v[4];
                r.stats.lock_releases = v[5];
                r.stats.lock_local_handovers = v[6];
                r.violations = static_cast<std::int64_t>(v[7]);
                r.errors = static_cast<std::int64_t>(v[8]);
                got_stats = true;
            }
        }
    }
    return got_stats;
}

// ---- the report
// ----------------------------------------------------------------------------------------------

struct report {
    settings cfg;
    double seconds = 0;
    std::int64_t acquisitions = 0;
    double acquisitions_per_s = 0;
    double handover_p50 = 0, handover_p90 = 0, handover_p99 = 0, handover_max = 0; // ms
    double wait_p50 = 0, wait_p99 = 0;                                             // ms
    double jain = 0;
    std::int64_t min_per_contender = 0, max_per_contender = 0;
    std::int64_t violations = 0, errors = 0;
    client_stats requests{};
    double requests_per_acquisition = 0, requests_per_s = 0;
    std::vector<double> handovers; // ms, sorted (for the CDF)
};

double percentile(const std::vector<double>& sorted, double p) {
    if (sorted.empty())
        return 0;
    const auto i = static_cast<std::size_t>(std::ceil(p / 100.0 * static_cast<double>(sorted.size())));
    return sorted[std::min(sorted.size() - 1, i == 0 ? 0 : i - 1)];
}

report analyse(const settings& cfg, std::vector<process_result>& parts, const shared_memory& shm,
               double seconds) {
    report r;
    r.cfg = cfg;
    r.seconds = seconds;
    std::vector<event> all;
    for (auto& p : parts) {
        all.insert(all.end(), p.events.begin(), p.events.end());
        r.violations += p.violations;
        r.errors += p.errors;
        auto& t = r.requests;
        t.requests += p.stats.requests;
        t.lock_acquire_writes += p.stats.lock_acquire_writes;
        t.lock_reads += p.stats.lock_reads;
        t.lock_waiter_marks += p.stats.lock_waiter_marks;
        t.lock_heartbeats += p.stats.lock_heartbeats;
        t.lock_releases += p.stats.lock_releases;
        t.lock_local_handovers += p.stats.lock_local_handovers;
    }
    r.acquisitions = static_cast<std::int64_t>(all.size());
    r.acquisitions_per_s = seconds > 0 ? static_cast<double>(all.size()) / seconds : 0;
    std::map<int, std::vector<const event*>> by_key;
    std::vector<double> waits;
    std::map<int, std::int64_t> per_contender;
    for (int c = 0; c < cfg.contenders * cfg.processes; ++c)
        per_contender[c] = 0;
    for (const auto& e : all) {
        by_key[e.key].push_back(&e);
        waits.push_back(static_cast<double>(e.acquired - e.requested) / 1e6);
        ++per_contender[e.contender];
    }
    for (auto& [key, evs] : by_key) {
        std::sort(evs.begin(), evs.end(), [](auto* a, auto* b) { return a->acquired < b->acquired; });
        for (std::size_t i = 1; i < evs.size(); ++i) {
            // Mutual exclusion: the next hold starts after the previous one ended, with a greater token.
            if (evs[i]->acquired < evs[i - 1]->released)
                ++r.violations;
            if (evs[i]->token <= evs[i - 1]->token)
                ++r.violations;
            r.handovers.push_back(static_cast<double>(evs[i]->acquired - evs[i - 1]->released) / 1e6);
        }
        if (shm.counter[key].load() != static_cast<std::int64_t>(evs.size()))
            ++r.violations;
    }
    std::sort(r.handovers.begin(), r.handovers.end());
    std::sort(waits.begin(), waits.end());
    r.handover_p50 = percentile(r.handovers, 50);
    r.handover_p90 = percentile(r.handovers, 90);
    r.handover_p99 = percentile(r.handovers, 99);
    r.handover_max = r.handovers.empty() ? 0 : r.handovers.back();
    r.wait_p50 = percentile(waits, 50);
    r.wait_p99 = percentile(waits, 99);
    double sum = 0, squares = 0;
    r.min_per_contender = per_contender.empty() ? 0 : per_contender.begin()->second;
    for (auto& [c, n] : per_contender) {
        sum += static_cast<double>(n);
        squares += static_cast<double>(n) * static_cast<double>(n);
        r.min_per_contender = std::min(r.min_per_contender, n);
        r.max_per_contender = std::max(r.max_per_contender, n);
    }
    r.jain = squares > 0 ? sum * sum / (static_cast<double>(per_contender.size()) * squares) : 0;
    const auto lock_requests = r.requests.lock_acquire_writes + r.requests.lock_reads +
                               r.requests.lock_waiter_marks + r.requests.lock_heartbeats +
                               r.requests.lock_releases;
    r.requests_per_acquisition =
        r.acquisitions > 0 ? static_cast<double>(lock_requests) / static_cast<double>(r.acquisitions) : 0;
    r.requests_per_s = seconds > 0 ? static_cast<double>(lock_requests) / seconds : 0;
    return r;
}

std::string to_json(const report& r) {
    char buf[2048];
    const auto per = [&](std::uint64_t n) {
        return r.acquisitions > 0 ? static_cast<double>(n) / static_cast<double>(r.acquisitions) : 0.0;
    };
    std::snprintf(buf, sizeof buf,
                  "{\"contenders\":%d,\"processes\":%d,\"keys\":%d,\"hold\":\"%s\",\"lease_ms\":%lld,"
                  "\"seconds\":%.3f,\"acquisitions\":%lld,\"acquisitions_per_s\":%.1f,"
                  "\"handover_p50_ms\":%.3f,\"handover_p90_ms\":%.3f,\"handover_p99_ms\":%.3f,"
                  "\"handover_max_ms\":%.3f,\"wait_p50_ms\":%.3f,\"wait_p99_ms\":%.3f,\"jain\":%.4f,"
                  "\"min_per_contender\":%lld,\"max_per_contender\":%lld,\"violations\":%lld,\"errors\":%lld,"
                  "\"requests_per_acquisition\":%.3f,\"requests_per_s\":%.1f,"
                  "\"acquire_writes_per_acquisition\":%.3f,\"reads_per_acquisition\":%.3f,"
                  "\"waiter_marks_per_acquisition\":%.3f,\"heartbeats_per_acquisition\":%.3f,"
                  "\"releases_per_acquisition\":%.3f,\"local_handovers\":%llu}",
                  r.cfg.contenders, r.cfg.processes, r.cfg.keys, r.cfg.hold.text.c_str(),
                  static_cast<long long>(r.cfg.lease.count()), r.seconds,
                  static_cast<long long>(r.acquisitions), r.acquisitions_per_s, r.handover_p50,
                  r.handover_p90, r.handover_p99, r.handover_max, r.wait_p50, r.wait_p99, r.jain,
                  static_cast<long long>(r.min_per_contender), static_cast<long long>(r.max_per_contender),
                  static_cast<long long>(r.violations), static_cast<long long>(r.errors),
                  r.requests_per_acquisition, r.requests_per_s, per(r.requests.lock_acquire_writes),
                  per(r.requests.lock_reads), per(r.requests.lock_waiter_marks),
                  per(r.requests.lock_heartbeats), per(r.requests.lock_releases),
                  static_cast<unsigned long long>(r.requests.lock_local_handovers));
    return buf;
}

void print_table(const report& r, const std::string& server) {
    const auto per = [&](std::uint64_t n) {
        return r.acquisitions > 0 ? static_cast<double>(n) / static_cast<double>(r.acquisitions) : 0.0;
    };
    std::printf(
        "lock contention: %d process(es) x %d contender(s), %d key(s), hold %s, lease %lld ms, server %s\n",
        r.cfg.processes, r.cfg.contenders, r.cfg.keys, r.cfg.hold.text.c_str(),
        static_cast<long long>(r.cfg.lease.count()), server.c_str());
    std::printf("  acquisitions        %lld in %.2f s = %.1f /s\n", static_cast<long long>(r.acquisitions),
                r.seconds, r.acquisitions_per_s);
    std::printf("  handover (ms)       p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", r.handover_p50,
                r.handover_p90, r.handover_p99, r.handover_max);
    std::printf("  wait (ms)           p50 %.2f  p99 %.2f\n", r.wait_p50, r.wait_p99);
    std::printf("  fairness            Jain %.3f  (min %lld, max %lld per contender)\n", r.jain,
                static_cast<long long>(r.min_per_contender), static_cast<long long>(r.max_per_contender));
    std::printf(
        "  DynamoDB requests   %.2f per acquisition, %.1f /s: acquire writes %.2f, reads %.2f, waiter marks "
        "%.2f, heartbeats %.2f, releases %.2f; %llu local handovers\n",
        r.requests_per_acquisition, r.requests_per_s, per(r.requests.lock_acquire_writes),
        per(r.requests.lock_reads), per(r.requests.lock_waiter_marks), per(r.requests.lock_heartbeats),
        per(r.requests.lock_releases), static_cast<unsigned long long>(r.requests.lock_local_handovers));
    std::printf("  mutual exclusion    %lld violation(s), %lld error(s)\n",
                static_cast<long long>(r.violations), static_cast<long long>(r.errors));
}

bool create_table(const settings& cfg, const std::string& endpoint, bool local) {
    asio::io_context ioc(1);
    client_options options;
    options.endpoint = endpoint;
    if (local)
        options.credentials = make_static_credentials_provider({"bench", "bench", {}, std::nullopt});
    client db(ioc, std::move(options));
    store kv(db, cfg.table, "locks");
    bool ok = false;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            table_options to;
            to.if_not_exists = true;
            diagnostics diag;
            auto [ec, info] = co_await kv.async_create_table(to, diag, tuple);
            if (ec)
                std::fprintf(stderr, "lock_contention: create table: %s %s\n", ec.message().c_str(),
                             diag.client_message.c_str());
            ok = !ec;
            db.shutdown();
        },
        [](std::exception_ptr) {});
    ioc.run();
    return ok;
}

// One measured run: fork the processes, collect, analyse.
std::optional<report> run_once(const settings& cfg, const std::string& endpoint, bool local) {
    shared_memory shm(cfg.keys);
    shm.left->store(cfg.count);
    const auto start = steady_clock::now();
    const auto end = start + cfg.duration;
    std::vector<std::pair<pid_t, int>> children;
    std::fflush(nullptr);
    for (int p = 0; p < cfg.processes; ++p) {
        int fds[2];
        if (::pipe(fds) != 0)
            return std::nullopt;
        const pid_t pid = ::fork();
        if (pid < 0)
            return std::nullopt;
        if (pid == 0) {
            ::close(fds[0]);
            auto r = run_process(cfg, endpoint, local, shm, p, end);
            write_result(fds[1], r);
            ::close(fds[1]);
            std::fflush(nullptr);
            ::_exit(0); // never run the parent's destructors (the server it started) in a child
        }
        ::close(fds[1]);
        children.emplace_back(pid, fds[0]);
    }
    std::vector<process_result> parts(children.size());
    bool complete = true;
    for (std::size_t i = 0; i < children.size(); ++i) {
        complete = read_result(children[i].second, parts[i]) && complete;
        ::close(children[i].second);
        int status = 0;
        ::waitpid(children[i].first, &status, 0);
        complete = complete && WIFEXITED(status) && WEXITSTATUS(status) == 0;
    }
    const double seconds = std::chrono::duration<double>(steady_clock::now() - start).count();
    if (!complete) {
        std::fprintf(stderr, "lock_contention: a contender process failed\n");
        return std::nullopt;
    }
    return analyse(cfg, parts, shm, seconds);
}

int sweep(settings cfg, const std::string& endpoint, bool local, const std::string& server) {
    const std::string dir = cfg.sweep_dir;
    std::ofstream json(dir + "/sweep.json");
    std::ofstream cdf(dir + "/handover_cdf.dat");
    if (!json || !cdf) {
        std::fprintf(stderr, "lock_contention: cannot write into %s\n", dir.c_str());
        return 1;
    }
    json << "[\n";
    bool first = true;
    std::map<int, std::ofstream> series;
    int status = 0;
    for (int processes : {1, 2, 4}) {
        std::ofstream dat(dir + "/series_p" + std::to_string(processes) + ".dat");
        for (int contenders : {1, 2, 4, 8, 16, 32, 64}) {
            cfg.processes = processes;
            cfg.contenders = contenders;
            auto r = run_once(cfg, endpoint, local);
            if (!r)
                return 1;
            print_table(*r, server);
            if (r->violations != 0 || r->errors != 0)
                status = 1;
            json << (first ? "" : ",\n") << to_json(*r);
            first = false;
            dat << contenders << " " << r->acquisitions_per_s << " " << r->handover_p99 << " " << r->jain
                << "\n";
            if (contenders == 8) {
                cdf << "# processes " << processes << "\n";
                for (std::size_t i = 0; i < r->handovers.size(); ++i)
                    cdf << r->handovers[i] << " "
                        << static_cast<double>(i + 1) / static_cast<double>(r->handovers.size()) << "\n";
                cdf << "\n\n";
            }
        }
    }
    json << "\n]\n";
    json.close();
    cdf.close();
    const std::string script = dir + "/plots.gp";
    std::ofstream gp(script);
    for (const char* term : {"pngcairo size 800,500", "svg size 800,500"}) {
        const std::string ext = std::string(term).starts_with("png") ? "png" : "svg";
        gp << "set terminal " << term << "\n"
           << "set key top left\nset grid\nset logscale x 2\n"
           << "set xlabel 'contenders per process'\n"
           << "set output '" << dir << "/throughput." << ext << "'\n"
           << "set ylabel 'acquisitions / s'\nset title 'dynalock: lock throughput (" << server << ", hold "
           << cfg.hold.text << ")'\n"
           << "plot for [p in '1 2 4'] '" << dir
           << "/series_p'.p.'.dat' using 1:2 with linespoints title p.' process(es)'\n"
           << "set output '" << dir << "/handover_p99." << ext << "'\n"
           << "set ylabel 'handover p99 (ms)'\nset title 'dynalock: handover latency p99'\n"
           << "plot for [p in '1 2 4'] '" << dir
           << "/series_p'.p.'.dat' using 1:3 with linespoints title p.' process(es)'\n"
           << "unset logscale x\nset logscale x 10\nset xlabel 'handover latency (ms)'\nset ylabel "
              "'fraction'\n"
           << "set key bottom right\n"
           << "set output '" << dir << "/handover_cdf." << ext << "'\n"
           << "set title 'dynalock: handover latency CDF, 8 contenders per process'\n"
           << "plot '" << dir << "/handover_cdf.dat' index 0 using 1:2 with lines title '1 process', "
           << "'' index 1 using 1:2 with lines title '2 processes', '' index 2 using 1:2 with lines title '4 "
              "processes'\n";
    }
    gp.close();
    const std::string command = "gnuplot '" + script + "'";
    if (std::system(command.c_str()) != 0) {
        std::fprintf(stderr, "lock_contention: gnuplot failed (scripts/install-deps.sh installs it)\n");
        return 1;
    }
    std::printf("sweep: wrote %s/sweep.json and the plots\n", dir.c_str());
    return status;
}

} // namespace

int main(int argc, char** argv) {
    settings cfg;
    if (auto status = parse_arguments(argc, argv, cfg))
        return *status;
    std::optional<test::local_server> server;
    if (!bench::start_unless_given(server, cfg.endpoint, cfg.server, "lock_contention"))
        return 1;
    const std::string endpoint = server ? server->endpoint() : cfg.endpoint;
    const std::string name = server ? server->name() : cfg.endpoint;
    const bool local = server.has_value();
    if (!create_table(cfg, endpoint, local))
        return 69;
    if (!cfg.sweep_dir.empty())
        return sweep(cfg, endpoint, local, name);
    auto r = run_once(cfg, endpoint, local);
    if (!r)
        return 1;
    print_table(*r, name);
    if (cfg.json)
        std::printf("%s\n", to_json(*r).c_str());
    return r->violations == 0 && r->errors == 0 ? 0 : 1;
}
