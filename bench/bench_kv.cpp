// SPDX-License-Identifier: BSL-1.0
// bench_kv: end-to-end key/value throughput, latency and client CPU through dynalock::client.
//
//   bench_kv --op put|get|atomic_put|list [--contended] [--concurrency N] [--count N] [--endpoint URL]
//            [--json] ...
//
// Without --endpoint it starts dynalite (or, with --server dynamodb-local, Amazon DynamoDB Local) on a
// free loopback port (the test fixture of test/support/local_servers) and stops it at the end.
// Everything runs on one io_context and one thread, the client's executor: N coroutines each take the
// next operation number until `count` are done. The timed phase is preceded by untimed warm-up operations
// (they open the connections) and, for `get` and `list`, by loading the keys. put/get/atomic_put go through
// the client's raw operations; list and the contended compare-and-swap go through a dynalock::store (its own
// table, one partition per run). See bench/README.md for what each figure means.
#include <dynalock/dynalock.hpp>

#include "bench_server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <iterator>
#include <map>
#include <new>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace asio = boost::asio;
using namespace dynalock;
using steady = std::chrono::steady_clock;

namespace {

constexpr int exit_usage = 64; // EX_USAGE
constexpr auto tuple = asio::as_tuple(asio::deferred);

// store_put is internal: it loads the pairs that `list` reads.
enum class op_kind { put, get, atomic_put, list, store_put };

std::string_view to_string(op_kind op) noexcept {
    switch (op) {
    case op_kind::put:
        return "put";
    case op_kind::get:
        return "get";
    case op_kind::atomic_put:
        return "atomic_put";
    case op_kind::list:
        return "list";
    case op_kind::store_put:
        return "store_put";
    }
    return "?";
}

// ---- arguments ----------------------------------------------------------------------------------------

struct settings {
    op_kind op = op_kind::put;
    std::size_t concurrency = 1;
    std::size_t count = 1000;
    std::optional<std::size_t> warmup; // default: 2 x concurrency
    std::optional<std::size_t> keys;   // default: 1000 for get, 100 for list
    std::size_t page_size = 25;
    bool contended = false;
    std::size_t value_bytes = 200;
    std::string endpoint;
    bench::server_kind server = bench::server_kind::dynalite;
    std::string region = "us-east-1";
    std::string table = "dynalock-bench-kv";
    bool json = false;
};

void print_usage(std::FILE* to, const char* program) {
    std::fprintf(
        to,
        "usage: %s --op put|get|atomic_put|list [options]\n"
        "  --op OP           put: PutItem of new distinct keys\n"
        "                    get: GetItem (ConsistentRead) of keys loaded before the run\n"
        "                    atomic_put: PutItem of new distinct keys with the condition\n"
        "                      attribute_not_exists(pk), i.e. create-if-absent (a lock acquisition)\n"
        "                    list: store::async_list_page of --page-size pairs under one prefix of\n"
        "                      --keys pairs loaded before the run (each coroutine walks the pages)\n"
        "  --contended       atomic_put only: every coroutine does compare-and-swap on one key (read,\n"
        "                      store::async_atomic_put if_version, retry on version_mismatch); one\n"
        "                      operation = one successful swap\n"
        "  --concurrency N   operations in flight, one coroutine each (1-4096, default 1)\n"
        "  --count N         timed operations (1-10000000, default 1000)\n"
        "  --warmup N        untimed operations before, to open connections (default 2 x concurrency)\n"
        "  --keys N          get: distinct keys loaded, then read in turn (1-1000000, default 1000);\n"
        "                    list: pairs loaded under the prefix (default 100)\n"
        "  --page-size N     list: pairs per page (1-1000, default 25)\n"
        "  --value-bytes N   size of the string attribute of each item (1-300000, default 200)\n"
        "  --endpoint URL    DynamoDB endpoint (default: start --server on a free loopback port)\n"
        "  --server NAME     the server started without --endpoint: dynalite (default) or\n"
        "                      dynamodb-local\n"
        "  --region NAME     signing region (default us-east-1)\n"
        "  --table NAME      table with a string hash key pk, created if missing\n"
        "                    (default dynalock-bench-kv); list and --contended use the store table\n"
        "                    NAME-store (keys id and name), created if missing\n"
        "  --json            also print the results as one JSON object on the last line\n",
        program);
}

bool parse_count(std::string_view text, std::size_t min, std::size_t max, std::size_t& out) {
    std::size_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < min || value > max)
        return false;
    out = value;
    return true;
}

// Returns the exit status to use when the program must stop (usage error or --help).
std::optional<int> parse_arguments(int argc, char** argv, settings& s) {
    const char* program = argv[0];
    auto bad = [&](const std::string& why) {
        std::fprintf(stderr, "%s: %s\n", program, why.c_str());
        print_usage(stderr, program);
        return std::optional<int>(exit_usage);
    };
    bool have_op = false;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            print_usage(stdout, program);
            return 0;
        }
        if (arg == "--json") {
            s.json = true;
            continue;
        }
        if (arg == "--contended") {
            s.contended = true;
            continue;
        }
        if (i + 1 >= argc)
            return bad(std::string(arg.starts_with("--") ? "missing value for " : "unknown argument ") +
                       std::string(arg));
        const std::string_view value = argv[++i];
        auto number = [&](std::size_t min, std::size_t max, std::size_t& out) {
            if (parse_count(value, min, max, out))
                return true;
            bad(std::string(arg) + " needs a whole number from " + std::to_string(min) + " to " +
                std::to_string(max) + ", not '" + std::string(value) + "'");
            return false;
        };
        if (arg == "--op") {
            if (value == "put")
                s.op = op_kind::put;
            else if (value == "get")
                s.op = op_kind::get;
            else if (value == "atomic_put")
                s.op = op_kind::atomic_put;
            else if (value == "list")
                s.op = op_kind::list;
            else
                return bad("--op must be put, get, atomic_put or list, not '" + std::string(value) + "'");
            have_op = true;
        } else if (arg == "--concurrency") {
            if (!number(1, 4096, s.concurrency))
                return exit_usage;
        } else if (arg == "--count") {
            if (!number(1, 10'000'000, s.count))
                return exit_usage;
        } else if (arg == "--warmup") {
            std::size_t n = 0;
            if (!number(0, 10'000'000, n))
                return exit_usage;
            s.warmup = n;
        } else if (arg == "--keys") {
            std::size_t n = 0;
            if (!number(1, 1'000'000, n))
                return exit_usage;
            s.keys = n;
        } else if (arg == "--page-size") {
            if (!number(1, 1000, s.page_size))
                return exit_usage;
        } else if (arg == "--value-bytes") {
            if (!number(1, 300'000, s.value_bytes))
                return exit_usage;
        } else if (arg == "--endpoint") {
            if (value.empty())
                return bad("--endpoint needs a URL");
            s.endpoint = value;
        } else if (arg == "--server") {
            const auto kind = bench::parse_server_kind(value);
            if (!kind)
                return bad("--server takes dynalite or dynamodb-local");
            s.server = *kind;
        } else if (arg == "--region") {
            if (value.empty())
                return bad("--region needs a name");
            s.region = value;
        } else if (arg == "--table") {
            if (value.empty())
                return bad("--table needs a name");
            s.table = value;
        } else {
            return bad("unknown argument " + std::string(arg));
        }
    }
    if (!have_op)
        return bad("--op is required");
    if (s.contended && s.op != op_kind::atomic_put)
        return bad("--contended applies to --op atomic_put only");
    return std::nullopt;
}

// ---- measurements -------------------------------------------------------------------------------------

// Every C++ heap allocation of the process (the client's, Boost.JSON's and the bench's own) goes
// through these replacements, so a run can report allocations per operation. OpenSSL's malloc calls are
// not counted. Relaxed atomics: the count is read only after the run.
std::atomic<std::uint64_t> heap_allocations{0};

void* counted_allocation(std::size_t size) {
    heap_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size == 0 ? 1 : size))
        return p;
    throw std::bad_alloc();
}

// CPU time of this process (all its threads; never the server, a separate process).
struct cpu_time {
    std::chrono::microseconds user{};
    std::chrono::microseconds system{};

    std::chrono::microseconds total() const noexcept { return user + system; }
    friend cpu_time operator-(const cpu_time& a, const cpu_time& b) noexcept {
        return {a.user - b.user, a.system - b.system};
    }
};

cpu_time process_cpu_time() {
    rusage usage{};
    ::getrusage(RUSAGE_SELF, &usage);
    auto us = [](const timeval& t) {
        return std::chrono::microseconds(std::int64_t{t.tv_sec} * 1'000'000 + t.tv_usec);
    };
    return {us(usage.ru_utime), us(usage.ru_stime)};
}

// User + system CPU time of another process, from /proc (clock-tick resolution, 10 ms).
std::optional<std::chrono::microseconds> other_process_cpu_time(pid_t pid) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto paren = stat.rfind(')');
    if (paren == std::string::npos)
        return std::nullopt;
    // After "pid (comm) ": state is field 3, utime field 14, stime field 15.
    std::vector<std::string_view> fields;
    std::string_view rest = std::string_view(stat).substr(paren + 1);
    while (!rest.empty()) {
        const auto start = rest.find_first_not_of(' ');
        if (start == std::string_view::npos)
            break;
        rest.remove_prefix(start);
        const auto end = std::min(rest.find(' '), rest.size());
        fields.push_back(rest.substr(0, end));
        rest.remove_prefix(end);
    }
    std::size_t utime = 0, stime = 0;
    if (fields.size() < 13 || !parse_count(fields[11], 0, SIZE_MAX, utime) ||
        !parse_count(fields[12], 0, SIZE_MAX, stime))
        return std::nullopt;
    const long ticks = ::sysconf(_SC_CLK_TCK);
    if (ticks <= 0)
        return std::nullopt;
    return std::chrono::microseconds(static_cast<std::int64_t>((utime + stime) * 1'000'000 / ticks));
}

// ---- the operations -----------------------------------------------------------------------------------

// One batch of operations run by `concurrency` coroutines: operation i uses key `key_prefix + i`
// (or, for reads, one of the `read_keys` loaded keys in turn; for list, the pairs under `key_prefix`;
// for the contended swap, the one key `key_prefix`).
struct phase {
    client& db;
    store* kv = nullptr; // list, store_put and the contended swap
    const settings& cfg;
    op_kind op;
    std::string key_prefix;
    std::size_t count = 0;
    std::size_t read_keys = 0;
    const std::string* value = nullptr;
    bool measure = false;

    std::size_t next = 0;
    std::vector<std::int64_t> latency_ns; // per operation, when measured
    std::size_t errors = 0;
    std::map<std::string, std::size_t> error_messages;
    std::size_t items = 0;     // list: pairs returned in all
    std::size_t conflicts = 0; // contended swap: version_mismatch failures in all

    void record_error(std::string message) {
        ++errors;
        ++error_messages[std::move(message)];
    }

    put_item_request make_put(std::size_t i) const {
        put_item_request req;
        req.table_name = cfg.table;
        req.item.reserve(3);
        req.item.append("pk", attribute_value::string(key_prefix + std::to_string(i)));
        req.item.append("v", attribute_value::string(*value));
        req.item.append("n", attribute_value::number(i));
        if (op == op_kind::atomic_put)
            req.condition_expression = "attribute_not_exists(pk)";
        return req;
    }

    get_item_request make_get(std::size_t i) const {
        get_item_request req;
        req.table_name = cfg.table;
        req.key.append("pk", attribute_value::string(key_prefix + std::to_string(i % read_keys)));
        req.consistent_read = true;
        return req;
    }
};

// Compare-and-swap of the key `p.key_prefix` until one succeeds: a consistent read, then a write
// conditional on the version read. Each version_mismatch (another coroutine swapped in between) is a
// conflict and starts over.
asio::awaitable<error_code> contended_swap(phase& p) {
    for (;;) {
        auto [gec, current] = co_await p.kv->async_get(p.key_prefix, tuple);
        if (gec)
            co_return gec;
        write_options write;
        write.value = attribute_value::string(*p.value);
        write.if_version(current);
        auto [wec, written] = co_await p.kv->async_atomic_put(p.key_prefix, std::move(write), tuple);
        if (wec != errc::version_mismatch)
            co_return wec;
        ++p.conflicts;
    }
}

// One operation of each kind, each in a coroutine of its own: what it took (the request is built outside
// the latency, which is in the CPU time, except for the contended swap, whose latency spans every
// attempt). One coroutine awaiting all of them trips a g++ 12 -Wmismatched-new-delete false positive.
struct outcome {
    error_code ec;
    steady::duration took{};
    bool missing = false;
};

asio::awaitable<outcome> list_once(phase& p, std::string& page_token) {
    list_options options = list_options().with_prefix(p.key_prefix).with_limit(p.cfg.page_size);
    options.page_token = std::move(page_token);
    const auto start = steady::now();
    auto [ec, page] = co_await p.kv->async_list_page(std::move(options), tuple);
    outcome o{ec, steady::now() - start};
    p.items += page.items.size();
    // At the end of the listing, start again from the first page.
    page_token = std::move(page.next_page_token);
    co_return o;
}

asio::awaitable<outcome> store_put_once(phase& p, std::size_t i) {
    write_options write;
    write.value = attribute_value::string(*p.value);
    auto [ec, written] = co_await p.kv->async_put(p.key_prefix + std::to_string(i), std::move(write), tuple);
    co_return outcome{ec};
}

asio::awaitable<outcome> swap_once(phase& p) {
    const auto start = steady::now();
    auto ec = co_await contended_swap(p);
    co_return outcome{ec, steady::now() - start};
}

asio::awaitable<outcome> get_once(phase& p, std::size_t i) {
    get_item_request req = p.make_get(i);
    const auto start = steady::now();
    auto [ec, res] = co_await p.db.async_get_item(std::move(req), tuple);
    co_return outcome{ec, steady::now() - start, !ec && !res.item};
}

asio::awaitable<outcome> put_once(phase& p, std::size_t i) {
    put_item_request req = p.make_put(i);
    const auto start = steady::now();
    auto [ec, res] = co_await p.db.async_put_item(std::move(req), tuple);
    co_return outcome{ec, steady::now() - start};
}

asio::awaitable<void> worker(phase& p) {
    std::string page_token; // list: where this coroutine's next page starts (empty: the first page)
    for (;;) {
        const std::size_t i = p.next++;
        if (i >= p.count)
            co_return;
        outcome o;
        if (p.op == op_kind::list)
            o = co_await list_once(p, page_token);
        else if (p.op == op_kind::store_put)
            o = co_await store_put_once(p, i);
        else if (p.op == op_kind::atomic_put && p.cfg.contended)
            o = co_await swap_once(p);
        else if (p.op == op_kind::get)
            o = co_await get_once(p, i);
        else
            o = co_await put_once(p, i);
        if (p.measure)
            p.latency_ns[i] = std::chrono::duration_cast<std::chrono::nanoseconds>(o.took).count();
        if (o.ec)
            p.record_error(o.ec.message());
        else if (o.missing)
            p.record_error("GetItem found no item");
    }
}

// Runs the phase to completion with min(concurrency, count) coroutines.
asio::awaitable<void> run_phase(phase& p, std::size_t concurrency) {
    if (p.measure)
        p.latency_ns.assign(p.count, 0);
    auto ex = co_await asio::this_coro::executor;
    asio::steady_timer all_done(ex, asio::steady_timer::time_point::max());
    std::size_t running = std::min(concurrency, p.count);
    const std::size_t workers = running;
    for (std::size_t w = 0; w < workers; ++w)
        asio::co_spawn(ex, worker(p), [&](std::exception_ptr e) {
            if (e) {
                try {
                    std::rethrow_exception(e);
                } catch (const std::exception& x) {
                    p.record_error(std::string("exception: ") + x.what());
                } catch (...) {
                    p.record_error("unknown exception");
                }
            }
            if (--running == 0)
                all_done.cancel();
        });
    if (running > 0)
        co_await all_done.async_wait(tuple);
}

void print_errors(const phase& p, const char* what) {
    for (const auto& [message, n] : p.error_messages)
        std::fprintf(stderr, "bench_kv: %s: %zu x %s\n", what, n, message.c_str());
}

// ---- the table ----------------------------------------------------------------------------------------

// Creates the table if missing and waits until it is ACTIVE. Sets `created` when this call created it.
asio::awaitable<error_code> ensure_table(client& db, const std::string& table, bool& created) {
    create_table_request create;
    create.table_name = table;
    create.attribute_definitions = {{"pk", scalar_attribute_type::string}};
    create.key_schema = {{"pk", key_type::hash}};
    create.billing_mode = billing_mode::pay_per_request;
    diagnostics diag;
    auto [cec, cres] = co_await db.async_create_table(std::move(create), diag, tuple);
    if (cec && cec != service_errc::resource_in_use) {
        std::fprintf(stderr, "bench_kv: CreateTable %s: %s %s\n", table.c_str(), cec.message().c_str(),
                     diag.service_message.c_str());
        co_return cec;
    }
    created = !cec;
    const auto give_up = steady::now() + std::chrono::seconds(120);
    for (;;) {
        describe_table_request describe;
        describe.table_name = table;
        auto [dec, dres] = co_await db.async_describe_table(std::move(describe), diag, tuple);
        if (dec) {
            std::fprintf(stderr, "bench_kv: DescribeTable %s: %s\n", table.c_str(), dec.message().c_str());
            co_return dec;
        }
        if (dres.table.table_status == table_status::active)
            co_return error_code{};
        if (steady::now() > give_up) {
            std::fprintf(stderr, "bench_kv: table %s is not ACTIVE after 120 s\n", table.c_str());
            co_return errc::operation_timeout;
        }
        asio::steady_timer pause(co_await asio::this_coro::executor, std::chrono::milliseconds(200));
        co_await pause.async_wait(tuple);
    }
}

// Creates the store's table (keys `id` and `name`) if missing; waits until it is ACTIVE.
asio::awaitable<error_code> ensure_store_table(store& kv, bool& created) {
    diagnostics diag;
    auto [ec, info] = co_await kv.async_create_table(
        table_options().with_if_not_exists().with_time_to_live(false), diag, tuple);
    if (ec)
        std::fprintf(stderr, "bench_kv: creating the store table %s: %s %s %s\n", kv.table().c_str(),
                     ec.message().c_str(), diag.client_message.c_str(), diag.service_message.c_str());
    created = info.created;
    co_return ec;
}

// ---- the run ------------------------------------------------------------------------------------------

struct results {
    std::size_t count = 0;
    double seconds = 0;
    std::vector<std::int64_t> latency_ns;
    cpu_time client_cpu{};
    std::uint64_t allocations = 0;
    std::optional<std::chrono::microseconds> server_cpu;
    client_stats before{};
    client_stats after{};
    std::size_t errors = 0;
    std::size_t items = 0;
    std::size_t conflicts = 0;
};

client_stats difference(const client_stats& a, const client_stats& b) {
    return {b.tcp_connects - a.tcp_connects, b.tls_handshakes - a.tls_handshakes, b.requests - a.requests,
            b.reused - a.reused, b.retries - a.retries};
}

asio::awaitable<int> run_bench(client& db, const settings& cfg, std::optional<pid_t> server_pid,
                               results& out) {
    // Distinct keys (and store partitions) per run, so create-if-absent never meets an item of an
    // earlier run and a listing sees only this run's pairs.
    const std::string run_id = std::to_string(::getpid()) + "-" +
                               std::to_string(std::chrono::system_clock::now().time_since_epoch().count());
    const bool uses_store = cfg.op == op_kind::list || cfg.contended;
    const std::string table = uses_store ? cfg.table + "-store" : cfg.table;
    bool created = false;
    std::optional<store> kv;
    if (uses_store) {
        kv.emplace(db, table, "bench-" + run_id);
        if (co_await ensure_store_table(*kv, created))
            co_return 1;
    } else if (co_await ensure_table(db, table, created)) {
        co_return 1;
    }

    const std::string value(cfg.value_bytes, 'x');
    // The keys of the warm-up and timed phases: fresh ones for the writes, the loaded ones for get and
    // list, the one swapped key for the contended swap.
    auto prefix_of = [&](const char* fresh) -> std::string {
        if (cfg.op == op_kind::list)
            return "list/";
        if (cfg.contended)
            return "cas";
        return (cfg.op == op_kind::get ? std::string("k-") : std::string(fresh)) + run_id + "-";
    };
    auto make_phase = [&](op_kind op, std::string prefix, std::size_t count) {
        phase p{.db = db,
                .kv = kv ? &*kv : nullptr,
                .cfg = cfg,
                .op = op,
                .key_prefix = std::move(prefix),
                .count = count,
                .read_keys = cfg.keys.value_or(1000),
                .value = &value,
                .measure = false,
                .next = 0,
                .latency_ns = {},
                .errors = 0,
                .error_messages = {},
                .items = 0,
                .conflicts = 0};
        return p;
    };

    if (cfg.op == op_kind::get || cfg.op == op_kind::list) {
        phase load = cfg.op == op_kind::get
                         ? make_phase(op_kind::put, prefix_of(""), cfg.keys.value_or(1000))
                         : make_phase(op_kind::store_put, prefix_of(""), cfg.keys.value_or(100));
        co_await run_phase(load, cfg.concurrency);
        if (load.errors) {
            print_errors(load, "loading the keys");
            co_return 1;
        }
    } else if (cfg.contended) {
        // The swapped key starts at version 1.
        write_options first;
        first.value = attribute_value::string(value);
        auto [pec, pair] = co_await kv->async_put(prefix_of(""), std::move(first), tuple);
        if (pec) {
            std::fprintf(stderr, "bench_kv: writing the swapped key: %s\n", pec.message().c_str());
            co_return 1;
        }
    }
    const std::size_t warmup_count = cfg.warmup.value_or(2 * cfg.concurrency);
    if (warmup_count > 0) {
        phase warmup = make_phase(cfg.op, prefix_of("w-"), warmup_count);
        co_await run_phase(warmup, cfg.concurrency);
        if (warmup.errors) {
            print_errors(warmup, "warm-up");
            co_return 1;
        }
    }

    phase timed = make_phase(cfg.op, prefix_of("t-"), cfg.count);
    timed.measure = true;
    out.before = db.stats();
    const auto server_cpu_before = server_pid ? other_process_cpu_time(*server_pid) : std::nullopt;
    const auto cpu_before = process_cpu_time();
    const auto allocations_before = heap_allocations.load(std::memory_order_relaxed);
    const auto start = steady::now();
    co_await run_phase(timed, cfg.concurrency);
    const auto elapsed = steady::now() - start;
    out.allocations = heap_allocations.load(std::memory_order_relaxed) - allocations_before;
    out.client_cpu = process_cpu_time() - cpu_before;
    const auto server_cpu_after = server_pid ? other_process_cpu_time(*server_pid) : std::nullopt;
    out.after = db.stats();

    out.count = cfg.count;
    out.seconds = std::chrono::duration<double>(elapsed).count();
    out.latency_ns = std::move(timed.latency_ns);
    out.errors = timed.errors;
    out.items = timed.items;
    out.conflicts = timed.conflicts;
    if (server_cpu_before && server_cpu_after)
        out.server_cpu = *server_cpu_after - *server_cpu_before;
    print_errors(timed, "timed run");

    if (cfg.contended) {
        // Every successful swap, and nothing else, incremented the version: a lost update would show.
        auto [gec, pair] = co_await kv->async_get(prefix_of(""), tuple);
        const auto expected = static_cast<std::int64_t>(1 + warmup_count + cfg.count);
        if (gec) {
            std::fprintf(stderr, "bench_kv: reading the swapped key: %s\n", gec.message().c_str());
            ++out.errors;
        } else if (pair.version != expected) {
            std::fprintf(stderr, "bench_kv: the swapped key has version %lld after %lld writes\n",
                         static_cast<long long>(pair.version), static_cast<long long>(expected));
            ++out.errors;
        }
    }

    if (created && !server_pid) {
        // Leave a table we created on somebody else's endpoint as we found it: absent.
        delete_table_request drop;
        drop.table_name = table;
        auto [dec, dres] = co_await db.async_delete_table(std::move(drop), tuple);
        if (dec)
            std::fprintf(stderr, "bench_kv: DeleteTable %s: %s\n", table.c_str(), dec.message().c_str());
    }
    co_return 0;
}

// ---- the report ---------------------------------------------------------------------------------------

// Nearest-rank percentile of sorted values, in milliseconds.
double percentile_ms(const std::vector<std::int64_t>& sorted, double p) {
    if (sorted.empty())
        return 0;
    const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
    const std::size_t index = std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1);
    return static_cast<double>(sorted[index]) / 1e6;
}

void append_json_string(std::string& out, std::string_view s) {
    out.push_back('"');
    for (const char c : s) {
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(c);
        } else if (static_cast<unsigned char>(c) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
            out += buf;
        } else {
            out.push_back(c);
        }
    }
    out.push_back('"');
}

void report(const settings& cfg, const std::string& endpoint, const std::string& server_name, results& r) {
    std::sort(r.latency_ns.begin(), r.latency_ns.end());
    const double n = static_cast<double>(r.count);
    const double ops_per_s = r.seconds > 0 ? n / r.seconds : 0;
    const double p50 = percentile_ms(r.latency_ns, 0.50), p90 = percentile_ms(r.latency_ns, 0.90),
                 p99 = percentile_ms(r.latency_ns, 0.99), max = percentile_ms(r.latency_ns, 1.0);
    const double cpu_us = static_cast<double>(r.client_cpu.total().count()) / n;
    const double user_us = static_cast<double>(r.client_cpu.user.count()) / n;
    const double sys_us = static_cast<double>(r.client_cpu.system.count()) / n;
    const double allocations = static_cast<double>(r.allocations) / n;
    // A plain double and a flag: g++ 12 warns (maybe-uninitialized) on an optional<double> here.
    const bool have_server_cpu = r.server_cpu.has_value();
    const double server_cpu_us = have_server_cpu ? static_cast<double>(r.server_cpu->count()) / n : 0.0;
    const client_stats timed = difference(r.before, r.after);

    const bool list = cfg.op == op_kind::list;
    const double items_per_op = static_cast<double>(r.items) / n;
    const double conflicts_per_op = static_cast<double>(r.conflicts) / n;

    std::printf("bench_kv: %s%s x %zu, concurrency %zu, %zu-byte values, endpoint %s (%s)\n",
                std::string(to_string(cfg.op)).c_str(), cfg.contended ? " --contended" : "", r.count,
                cfg.concurrency, cfg.value_bytes, endpoint.c_str(), server_name.c_str());
    if (list)
        std::printf("  listing      %.1f pairs/op (pages of %zu, %zu pairs under the prefix)\n", items_per_op,
                    cfg.page_size, cfg.keys.value_or(100));
    if (cfg.contended)
        std::printf("  conflicts    %zu, %.2f per successful swap (version_mismatch, then a new read)\n",
                    r.conflicts, conflicts_per_op);
    std::printf("  throughput   %.0f ops/s (%.3f s)\n", ops_per_s, r.seconds);
    std::printf("  latency      p50 %.3f ms, p90 %.3f ms, p99 %.3f ms, max %.3f ms\n", p50, p90, p99, max);
    std::printf("  client CPU   %.1f us/op: %.1f user + %.1f system (%.3f s in all)\n", cpu_us, user_us,
                sys_us, static_cast<double>(r.client_cpu.total().count()) / 1e6);
    std::printf("  heap         %.1f allocations/op (operator new, bench's own requests included)\n",
                allocations);
    if (have_server_cpu)
        std::printf("  server CPU   %.1f us/op (%s, 10 ms resolution)\n", server_cpu_us,
                    cfg.server == bench::server_kind::dynalite ? "dynalite" : "DynamoDB Local");
    std::printf("  connections  %llu TCP connects, %llu requests (%llu on reused connections), %llu retries "
                "during the run; %llu connects in all\n",
                static_cast<unsigned long long>(timed.tcp_connects),
                static_cast<unsigned long long>(timed.requests),
                static_cast<unsigned long long>(timed.reused), static_cast<unsigned long long>(timed.retries),
                static_cast<unsigned long long>(r.after.tcp_connects));
    std::printf("  errors       %zu\n", r.errors);

    if (!cfg.json)
        return;
    std::string json = "{\"op\":";
    append_json_string(json, to_string(cfg.op));
    char buf[512];
    std::snprintf(
        buf, sizeof buf,
        ",\"concurrency\":%zu,\"count\":%zu,\"value_bytes\":%zu,\"seconds\":%.6f,\"ops_per_s\":%.1f,"
        "\"p50_ms\":%.4f,\"p90_ms\":%.4f,\"p99_ms\":%.4f,\"max_ms\":%.4f,\"client_cpu_us_per_op\":%.2f,"
        "\"client_user_us_per_op\":%.2f,\"client_sys_us_per_op\":%.2f,\"allocations_per_op\":%.1f,",
        cfg.concurrency, r.count, cfg.value_bytes, r.seconds, ops_per_s, p50, p90, p99, max, cpu_us, user_us,
        sys_us, allocations);
    json += buf;
    if (have_server_cpu)
        std::snprintf(buf, sizeof buf, "\"server_cpu_us_per_op\":%.1f,", server_cpu_us);
    else
        std::snprintf(buf, sizeof buf, "\"server_cpu_us_per_op\":null,");
    json += buf;
    std::snprintf(buf, sizeof buf,
                  "\"tcp_connects\":%llu,\"tcp_connects_total\":%llu,\"requests\":%llu,\"reused\":%llu,"
                  "\"retries\":%llu,\"errors\":%zu,\"endpoint\":",
                  static_cast<unsigned long long>(timed.tcp_connects),
                  static_cast<unsigned long long>(r.after.tcp_connects),
                  static_cast<unsigned long long>(timed.requests),
                  static_cast<unsigned long long>(timed.reused),
                  static_cast<unsigned long long>(timed.retries), r.errors);
    json += buf;
    append_json_string(json, endpoint);
    json += ",\"server\":";
    append_json_string(json, server_name);
    json += cfg.contended ? ",\"contended\":true" : ",\"contended\":false";
    if (list)
        std::snprintf(buf, sizeof buf, ",\"page_size\":%zu,\"items_per_op\":%.2f", cfg.page_size,
                      items_per_op);
    else
        std::snprintf(buf, sizeof buf, ",\"page_size\":null,\"items_per_op\":null");
    json += buf;
    if (cfg.contended)
        std::snprintf(buf, sizeof buf, ",\"conflicts\":%zu,\"conflicts_per_op\":%.3f", r.conflicts,
                      conflicts_per_op);
    else
        std::snprintf(buf, sizeof buf, ",\"conflicts\":null,\"conflicts_per_op\":null");
    json += buf;
    json += "}";
    std::printf("%s\n", json.c_str());
}

} // namespace

// Replacements of the global allocation functions (see heap_allocations). libstdc++'s nothrow forms
// call these; the over-aligned forms are left alone (and uncounted).
void* operator new(std::size_t size) {
    return counted_allocation(size);
}
void* operator new[](std::size_t size) {
    return counted_allocation(size);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}

int main(int argc, char** argv) {
    settings cfg;
    if (auto status = parse_arguments(argc, argv, cfg))
        return *status;

    // Started before the io_context and stopped after it (declared first, destroyed last).
    std::optional<test::local_server> server;
    if (!bench::start_unless_given(server, cfg.endpoint, cfg.server, "bench_kv"))
        return 1;
    const std::string endpoint = server ? server->endpoint() : cfg.endpoint;
    const std::string server_name = server ? server->name() + ", started by bench_kv" : "external";

    asio::io_context ioc(1);
    client_options options;
    options.endpoint = endpoint;
    options.region = cfg.region;
    options.max_connections = std::max<std::size_t>(cfg.concurrency, 1); // one connection per coroutine
    if (server)
        options.credentials = make_static_credentials_provider({"bench", "bench", {}, std::nullopt});
    client db(ioc, std::move(options));
    std::string why;
    if (auto ec = db.configuration_error(&why)) {
        std::fprintf(stderr, "bench_kv: cannot use %s: %s: %s\n", endpoint.c_str(), ec.message().c_str(),
                     why.c_str());
        return exit_usage;
    }

    results r;
    int status = 1;
    const std::optional<pid_t> server_pid = server ? std::optional<pid_t>(server->pid()) : std::nullopt;
    asio::co_spawn(ioc, run_bench(db, cfg, server_pid, r), [&](std::exception_ptr e, int rc) {
        if (e) {
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& x) {
                std::fprintf(stderr, "bench_kv: %s\n", x.what());
            }
        } else {
            status = rc;
        }
        ioc.stop(); // idle connections and their timers would keep run() going
    });
    ioc.run();
    if (status != 0)
        return status;
    report(cfg, endpoint, server_name, r);
    return r.errors == 0 ? 0 : 1;
}
