// SPDX-License-Identifier: BSL-1.0
// Quick start: the key/value store from a coroutine.
//
// Creates a table with the Go dynalock layout, writes pairs (one with a TTL), reads them back, creates a
// key only if it is absent, bumps it with compare-and-swap, lists a prefix page by page, deletes with a
// version check, and drops the table. Run it against a local server:
//
//   example_store_quickstart --endpoint http://127.0.0.1:8000 [--table NAME]
//
// Exit status: 0 when every step behaved as expected, 1 otherwise, 64 for bad arguments.
#include <dynalock/dynalock.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>

namespace asio = boost::asio;
using namespace dynalock;
using namespace std::chrono_literals;

namespace {

// With as_tuple, failures come back as error codes; with the default token (`co_await kv.async_get(k)`)
// they are thrown as boost::system::system_error.
constexpr auto tuple = asio::as_tuple(asio::deferred);

void expect(bool ok, const char* what) {
    std::printf("  %-58s %s\n", what, ok ? "ok" : "UNEXPECTED");
    if (!ok)
        throw std::runtime_error(what);
}

asio::awaitable<void> run(client& db, std::string table) {
    // A store is a view of one table and one partition value; several share one client.
    store kv(db, table, "quickstart");

    // The table: partition key `id`, sort key `name` (the Go dynalock layout), on-demand capacity, TTL on
    // `expires` where the server has TTL. Options are built first, then awaited (see docs/store.md).
    auto info = co_await kv.async_create_table(table_options().with_if_not_exists());
    std::printf("table %s is active (TTL %s)\n", info.table.table_name.c_str(),
                info.time_to_live == time_to_live_status::enabled ? "enabled" : "not available");

    // Plain writes: no TTL unless asked for.
    auto config = co_await kv.async_put("config/colour", write_options().with_bytes("blue"));
    auto session = co_await kv.async_put("sessions/42", write_options().with_bytes("alice").with_ttl(30min));
    std::printf("put config/colour (version %lld) and sessions/42 (expires at %lld)\n",
                static_cast<long long>(config.version), static_cast<long long>(session.expires.value_or(0)));

    auto read = co_await kv.async_get("config/colour");
    expect(read.bytes() == "blue", "get returns the bytes");
    expect(co_await kv.async_exists("sessions/42"), "exists sees the session");
    auto [missing, none] = co_await kv.async_get("config/size", tuple);
    expect(missing == errc::key_not_found, "get of a missing key is key_not_found");

    // Create-if-absent, then compare-and-swap on the version.
    auto [created_ec, job] =
        co_await kv.async_atomic_put("jobs/nightly", write_options().with_bytes("queued"), tuple);
    expect(!created_ec && job.version == 1, "atomic_put creates an absent key");
    auto [again, ignored] =
        co_await kv.async_atomic_put("jobs/nightly", write_options().with_bytes("queued"), tuple);
    expect(again == errc::key_exists, "a second create is key_exists");
    auto running =
        co_await kv.async_atomic_put("jobs/nightly", write_options().with_bytes("running").if_version(job));
    expect(running.version == 2, "compare-and-swap with the right version");
    auto [stale, lost] = co_await kv.async_atomic_put(
        "jobs/nightly", write_options().with_bytes("done").if_version(job), tuple);
    expect(stale == errc::version_mismatch, "compare-and-swap with a stale version fails");

    // A prefix, two pairs per page; the opaque token continues the listing.
    for (int i = 0; i < 5; ++i)
        co_await kv.async_put("jobs/batch-" + std::to_string(i), write_options().with_bytes("pending"));
    int pages = 0;
    std::size_t pairs = 0;
    std::string token;
    do {
        auto page = co_await kv.async_list_page(
            list_options().with_prefix("jobs/").with_limit(2).with_page_token(token));
        ++pages;
        pairs += page.items.size();
        token = std::move(page.next_page_token);
    } while (!token.empty());
    std::printf("listed %zu pairs under jobs/ in %d pages\n", pairs, pages);
    expect(pairs == 6, "the listing sees every job");

    // Delete only if nobody changed it since we read it.
    auto [wrong] = co_await kv.async_atomic_delete("jobs/nightly", job.version, tuple);
    expect(wrong == errc::version_mismatch, "atomic_delete with a stale version fails");
    co_await kv.async_atomic_delete("jobs/nightly", running.version);
    expect(!(co_await kv.async_exists("jobs/nightly")), "atomic_delete with the right version deletes");

    delete_table_request drop{table};
    co_await db.async_delete_table(std::move(drop));
    std::printf("deleted table %s; %llu requests\n", table.c_str(),
                static_cast<unsigned long long>(db.stats().requests));
}

} // namespace

int main(int argc, char** argv) {
    client_options options;
    std::string table = "dynalock-store-quickstart";
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

    asio::io_context ioc;
    client db(ioc, options);
    std::string why;
    if (auto ec = db.configuration_error(&why)) {
        std::fprintf(stderr, "cannot use the endpoint: %s: %s\n", ec.message().c_str(), why.c_str());
        return 1;
    }
    std::printf("endpoint %s, region %s\n", db.endpoint_url().c_str(), db.region().c_str());

    int status = 0;
    asio::co_spawn(ioc, run(db, table), [&](std::exception_ptr ep) {
        if (!ep)
            return;
        status = 1;
        try {
            std::rethrow_exception(ep);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "failed: %s\n", e.what());
        }
    });
    ioc.run();
    std::printf(status ? "store quickstart FAILED\n" : "store quickstart done\n");
    return status;
}
