// SPDX-License-Identifier: BSL-1.0
// The store against the real local servers (dynalite and DynamoDB Local): every Go dynalock Store test
// and dynastore's paging and index tests, a regression test for each Go bug the store fixes, expiry,
// byte compatibility with the Go item layout, concurrent compare-and-swap, validation that sends
// nothing, table management, completion tokens and cancellation.
//
// dynalite deletes nothing by TTL and DynamoDB Local only eventually: expiry is tested through the
// `expires` attribute itself (written in the past, or read by a store whose clock runs ahead), which the
// store evaluates on every server.
#include <dynalock/dynalock.hpp>

#include "support/integration_helpers.hpp"
#include "support/test_servers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <exception>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace asio = boost::asio;
using namespace dynalock;
using namespace std::chrono_literals;
using dynalock::test::local_client_options;
using dynalock::test::require;
using dynalock::test::run_coroutine;
using dynalock::test::server_kind;
using dynalock::test::unique_table;

namespace {

constexpr auto tuple = asio::as_tuple(asio::deferred);

std::int64_t now_seconds() {
    return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string base64(std::string_view bytes) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < bytes.size(); i += 3) {
        const auto n = (std::uint32_t(std::uint8_t(bytes[i])) << 16) |
                       (std::uint32_t(std::uint8_t(bytes[i + 1])) << 8) | std::uint8_t(bytes[i + 2]);
        for (int shift : {18, 12, 6, 0})
            out.push_back(alphabet[(n >> shift) & 63]);
    }
    if (i < bytes.size()) {
        std::uint32_t n = std::uint32_t(std::uint8_t(bytes[i])) << 16;
        if (i + 1 < bytes.size())
            n |= std::uint32_t(std::uint8_t(bytes[i + 1])) << 8;
        out.push_back(alphabet[(n >> 18) & 63]);
        out.push_back(alphabet[(n >> 12) & 63]);
        out.push_back(i + 1 < bytes.size() ? alphabet[(n >> 6) & 63] : '=');
        out.push_back('=');
    }
    return out;
}

std::vector<std::string> keys_of(const std::vector<kv_pair>& pairs) {
    std::vector<std::string> keys;
    for (const auto& p : pairs)
        keys.push_back(p.key);
    return keys;
}

// Requests and items are built by functions or named before co_await: g++ 12 miscompiles a braced
// aggregate temporary inside a co_await expression.
asio::awaitable<void> raw_put(client& db, const std::string& table, attribute_map item) {
    put_item_request req;
    req.table_name = table;
    req.item = std::move(item);
    co_await db.async_put_item(std::move(req));
}

asio::awaitable<std::optional<attribute_map>> raw_get(client& db, const std::string& table,
                                                      std::string partition, std::string key) {
    get_item_request req;
    req.table_name = table;
    req.key.append("id", attribute_value::string(std::move(partition)));
    req.key.append("name", attribute_value::string(std::move(key)));
    req.consistent_read = true;
    auto res = co_await db.async_get_item(std::move(req));
    co_return std::move(res.item);
}

asio::awaitable<void> drop_table(client& db, const std::string& table) {
    delete_table_request req{table};
    co_await db.async_delete_table(std::move(req));
}

// A Go-layout item, as the Go dynalock's Put writes it.
attribute_map go_item(std::string partition, std::string key, std::int64_t version,
                      std::optional<std::int64_t> expires, std::optional<attribute_value> payload) {
    attribute_map item;
    item.append("id", attribute_value::string(std::move(partition)));
    item.append("name", attribute_value::string(std::move(key)));
    item.append("version", attribute_value::number(version));
    if (expires)
        item.append("expires", attribute_value::number(*expires));
    if (payload)
        item.append("payload", std::move(*payload));
    return item;
}

// A table with the Go layout, made by the store itself; its store on partition "agent".
asio::awaitable<store> make_store(client& db, std::string_view base, table_options options = {}) {
    store kv(db, unique_table(base), "agent");
    co_await kv.async_create_table(std::move(options));
    co_return kv;
}

class store_test : public dynalock::test::server_test {};

} // namespace

// ---- table management ---------------------------------------------------------------------------

TEST_P(store_test, create_table_uses_the_go_layout_and_enables_ttl_where_supported) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        store kv(db, unique_table("create"), "agent");
        auto info = co_await kv.async_create_table();
        EXPECT_TRUE(info.created);
        EXPECT_EQ(info.table.table_name, kv.table());
        EXPECT_EQ(info.table.table_status, table_status::active);
        require(info.table.key_schema.size() == 2, "two key attributes");
        EXPECT_EQ(info.table.key_schema[0].attribute_name, "id");
        EXPECT_EQ(info.table.key_schema[0].key_type, key_type::hash);
        EXPECT_EQ(info.table.key_schema[1].attribute_name, "name");
        EXPECT_EQ(info.table.key_schema[1].key_type, key_type::range);
        for (const auto& d : info.table.attribute_definitions)
            EXPECT_EQ(d.attribute_type, scalar_attribute_type::string) << d.attribute_name;
        if (info.table.billing_mode) {
            EXPECT_EQ(*info.table.billing_mode, billing_mode::pay_per_request);
        }
        if (server().features.time_to_live) {
            EXPECT_EQ(info.time_to_live, time_to_live_status::enabled);
            EXPECT_EQ(info.time_to_live_attribute.value_or(""), "expires");
        } else {
            // dynalite has no TTL: the table is created all the same.
            EXPECT_EQ(info.time_to_live, time_to_live_status::disabled);
        }

        auto described = co_await kv.async_describe_table();
        EXPECT_EQ(described.table.table_status, table_status::active);
        EXPECT_EQ(described.time_to_live, info.time_to_live);
        EXPECT_FALSE(described.created);

        // Again: the table exists.
        diagnostics diag;
        auto [ec, again] = co_await kv.async_create_table(table_options(), diag, tuple);
        EXPECT_EQ(ec, service_errc::resource_in_use) << ec.message();
        auto existing = co_await kv.async_create_table(table_options().with_if_not_exists());
        EXPECT_FALSE(existing.created);
        EXPECT_EQ(existing.table.table_status, table_status::active);
        EXPECT_EQ(existing.time_to_live, info.time_to_live);
        co_await drop_table(db, kv.table());
    });
}

TEST_P(store_test, existing_table_with_another_key_schema_is_refused) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        store other(db, unique_table("foreign"), "p",
                    store_options{.schema = {.partition_key = "pk", .sort_key = "sk"}});
        co_await other.async_create_table();
        store kv(db, other.table(), "agent");
        diagnostics diag;
        auto [ec, info] = co_await kv.async_create_table(table_options().with_if_not_exists(), diag, tuple);
        EXPECT_EQ(ec, errc::invalid_argument) << ec.message();
        EXPECT_NE(diag.client_message.find("(pk HASH, sk RANGE)"), std::string::npos) << diag.client_message;
        co_await drop_table(db, kv.table());
    });
}

TEST_P(store_test, missing_table_is_reported_by_describe) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        store kv(db, "no-such-table", "agent");
        diagnostics diag;
        auto [ec, info] = co_await kv.async_describe_table(diag, tuple);
        EXPECT_EQ(ec, service_errc::resource_not_found) << ec.message();
        EXPECT_EQ(diag.service_error_type, "ResourceNotFoundException");
    });
}

// ---- the Go dynalock Store tests ----------------------------------------------------------------

TEST_P(store_test, put_get_delete_exists) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_store(db, "putget");

        auto [missing, none] = co_await kv.async_get("testPutGetDelete_not_exist_key", tuple);
        EXPECT_EQ(missing, errc::key_not_found) << missing.message();

        for (std::string key :
             {"testPutGetDeleteExists", "testPutGetDeleteExists/", "testPutGetDeleteExists/testbar/",
              "testPutGetDeleteExists/testbar/testfoobar"}) {
            SCOPED_TRACE(key);
            const std::string value = "value of " + key;
            const auto before = now_seconds();
            auto written = co_await kv.async_put(key, write_options().with_bytes(value).with_ttl(2s));
            EXPECT_EQ(written.key, key);
            EXPECT_EQ(written.version, 1);

            auto pair = co_await kv.async_get(key);
            EXPECT_EQ(pair.partition, "agent");
            EXPECT_EQ(pair.key, key);
            EXPECT_EQ(pair.bytes(), value);
            EXPECT_GE(pair.version, 1);
            require(pair.expires.has_value(), "a pair written with a TTL expires");
            EXPECT_GE(*pair.expires, before + 2);
            EXPECT_LE(*pair.expires, now_seconds() + 3);

            EXPECT_TRUE(co_await kv.async_exists(key));
            co_await kv.async_remove(key);
            auto [gone, nothing] = co_await kv.async_get(key, tuple);
            EXPECT_EQ(gone, errc::key_not_found);
            EXPECT_FALSE(co_await kv.async_exists(key));
        }

        // Without a TTL the pair never expires.
        co_await kv.async_put("something/withoutExpires", write_options().with_bytes("v"));
        auto pair = co_await kv.async_get("something/withoutExpires");
        EXPECT_FALSE(pair.expires.has_value());
        co_await drop_table(db, kv.table());
    });
}

TEST_P(store_test, list_returns_exactly_the_prefix) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_store(db, "list");
        co_await kv.async_put("testList/child", write_options().with_bytes("first"));
        co_await kv.async_put("testList/subfolder", write_options().with_bytes("second"));
        for (int i = 1; i <= 3; ++i)
            co_await kv.async_put("testList/subfolder/key" + std::to_string(i),
                                  write_options().with_bytes("value"));

        auto pairs = co_await kv.async_list(list_options().with_prefix("testList/subfolder/key"));
        EXPECT_EQ(keys_of(pairs),
                  (std::vector<std::string>{"testList/subfolder/key1", "testList/subfolder/key2",
                                            "testList/subfolder/key3"}));
        for (const auto& p : pairs)
            EXPECT_EQ(p.bytes(), "value");

        auto all = co_await kv.async_list(list_options());
        EXPECT_EQ(all.size(), 5u);
        auto limited = co_await kv.async_list(list_options().with_prefix("testList/").with_limit(2));
        EXPECT_EQ(keys_of(limited), (std::vector<std::string>{"testList/child", "testList/subfolder"}));
        auto descending =
            co_await kv.async_list(list_options().with_prefix("testList/sub").with_descending());
        EXPECT_EQ(descending.front().key, "testList/subfolder/key3");

        // Nothing under a prefix is an empty list, not an error (the Go List said ErrKeyNotFound).
        auto [ec, empty] = co_await kv.async_list(list_options().with_prefix("nothing/"), tuple);
        EXPECT_FALSE(ec) << ec.message();
        EXPECT_TRUE(empty.empty());
        co_await drop_table(db, kv.table());
    });
}

TEST_P(store_test, atomic_put_creates_then_swaps_versions) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_store(db, "atomicput");
        const std::string key = "testAtomicPut";
        co_await kv.async_put(key, write_options().with_bytes("world"));
        auto pair = co_await kv.async_get(key);
        EXPECT_EQ(pair.bytes(), "world");
        EXPECT_NE(pair.version, 0);

        // Create-if-absent fails: the key exists.
        diagnostics diag;
        auto [exists, r1] =
            co_await kv.async_atomic_put(key, write_options().with_bytes("WORLD"), diag, tuple);
        EXPECT_EQ(exists, errc::key_exists) << exists.message();
        EXPECT_EQ(diag.service_error_type, "ConditionalCheckFailedException");

        // The right previous version succeeds.
        auto swapped =
            co_await kv.async_atomic_put(key, write_options().with_bytes("WORLD").if_version(pair));
        EXPECT_EQ(swapped.version, pair.version + 1);
        EXPECT_EQ(swapped.bytes(), "WORLD");

        // A wrong version fails, and says which version the item has.
        auto [mismatch, r2] = co_await kv.async_atomic_put(
            key, write_options().with_bytes("WORLDWORLD").if_version(6744), diag, tuple);
        EXPECT_EQ(mismatch, errc::version_mismatch) << mismatch.message();
        EXPECT_NE(diag.client_message.find("version " + std::to_string(swapped.version)), std::string::npos)
            << diag.client_message;
        EXPECT_EQ((co_await kv.async_get(key)).bytes(), "WORLD");

        // Create-if-absent of a new key.
        auto created = co_await kv.async_atomic_put("fresh", write_options().with_bytes("new"));
        EXPECT_EQ(created.version, 1);
        co_await drop_table(db, kv.table());
    });
}

TEST_P(store_test, atomic_delete_checks_the_version) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_store(db, "atomicdelete");
        const std::string key = "testAtomicDelete";
        co_await kv.async_put(key, write_options().with_bytes("world"));
        auto pair = co_await kv.async_get(key);

        // A wrong version: a version mismatch (the Go library said "not found").
        auto [wrong] = co_await kv.async_atomic_delete(key, 6744, tuple);
        EXPECT_EQ(wrong, errc::version_mismatch) << wrong.message();
        EXPECT_TRUE(co_await kv.async_exists(key));

        // The right version deletes, in one request (the Go library read the item first).
        const auto before = db.stats().requests;
        co_await kv.async_atomic_delete(key, pair.version);
        EXPECT_EQ(db.stats().requests - before, 1u);
        EXPECT_FALSE(co_await kv.async_exists(key));

        // Again: the key is gone.
        auto [gone] = co_await kv.async_atomic_delete(key, pair.version, tuple);
        EXPECT_EQ(gone, errc::key_not_found) << gone.message();
        co_await drop_table(db, kv.table());
    });
}

// ---- dynastore's paging and index tests ---------------------------------------------------------

TEST_P(store_test, list_page_follows_tokens_in_both_directions) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_store(db, "listpage");
        co_await kv.async_put("other", write_options().with_bytes("x"));
        co_await kv.async_put("testList/child", write_options().with_bytes("first"));
        co_await kv.async_put("testList/subfolder", write_options().with_bytes("second"));
        for (int i = 1; i <= 3; ++i)
            co_await kv.async_put("testList/subfolder/key" + std::to_string(i),
                                  write_options().with_bytes("value"));

        auto page = co_await kv.async_list_page(list_options().with_prefix("testList/subfolder/key"));
        EXPECT_EQ(page.items.size(), 3u);
        EXPECT_TRUE(page.next_page_token.empty());

        page = co_await kv.async_list_page(list_options());
        EXPECT_EQ(page.items.size(), 6u);

        // dynastore's ListPage(limit 5, descending), then the rest from its token.
        page = co_await kv.async_list_page(list_options().with_limit(5).with_descending());
        require(page.items.size() == 5, "a full first page");
        EXPECT_EQ(page.items[0].key, "testList/subfolder/key3");
        EXPECT_EQ(page.items[4].key, "testList/child");
        require(!page.next_page_token.empty(), "a token for the rest");
        page = co_await kv.async_list_page(
            list_options().with_descending().with_page_token(page.next_page_token));
        EXPECT_EQ(keys_of(page.items), std::vector<std::string>{"other"});
        EXPECT_TRUE(page.next_page_token.empty());
        co_await drop_table(db, kv.table());
    });
}

TEST_P(store_test, pages_cover_every_key_once_in_order) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_store(db, "paging");
        std::vector<std::string> expected;
        for (int i = 0; i < 25; ++i) {
            char key[16];
            std::snprintf(key, sizeof key, "k%02d", i);
            expected.push_back(key);
            co_await kv.async_put(key, write_options().with_value(attribute_value::number(i)));
        }
        for (bool descending : {false, true}) {
            std::vector<std::string> seen;
            std::string token;
            int pages = 0;
            do {
                auto page = co_await kv.async_list_page(list_options()
                                                            .with_prefix("k")
                                                            .with_limit(7)
                                                            .with_descending(descending)
                                                            .with_page_token(token));
                ++pages;
                EXPECT_LE(page.items.size(), 7u);
                for (auto& p : page.items)
                    seen.push_back(p.key);
                token = std::move(page.next_page_token);
                require(pages < 20, "the listing ends");
            } while (!token.empty());
            auto want = expected;
            if (descending)
                std::reverse(want.begin(), want.end());
            EXPECT_EQ(seen, want) << (descending ? "descending" : "ascending");
            EXPECT_GE(pages, 4);
            EXPECT_LE(pages, 5);
        }
        co_await drop_table(db, kv.table());
    });
}

TEST_P(store_test, pages_skip_expired_pairs_and_stay_full) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_store(db, "pageexpiry");
        // Every other pair expired ten seconds ago (written the way the Go library writes them).
        for (int i = 0; i < 12; ++i) {
            const bool expired = i % 2 == 1;
            auto item = go_item("agent", "k" + std::to_string(10 + i), 1,
                                expired ? std::optional<std::int64_t>(now_seconds() - 10) : std::nullopt,
                                attribute_value::string(base64("v")));
            co_await raw_put(db, kv.table(), std::move(item));
        }
        std::vector<std::string> seen;
        std::string token;
        std::vector<std::size_t> sizes;
        do {
            auto page = co_await kv.async_list_page(list_options().with_limit(4).with_page_token(token));
            sizes.push_back(page.items.size());
            for (auto& p : page.items) {
                seen.push_back(p.key);
                EXPECT_FALSE(p.expires.has_value()) << p.key;
            }
            token = std::move(page.next_page_token);
            require(sizes.size() < 10, "the listing ends");
        } while (!token.empty());
        // dynastore's ListPage returned expired items; here they are gone and pages stay full.
        EXPECT_EQ(seen, (std::vector<std::string>{"k10", "k12", "k14", "k16", "k18", "k20"}));
        EXPECT_EQ(sizes.front(), 4u);
        auto all = co_await kv.async_list(list_options());
        EXPECT_EQ(all.size(), 6u);
        co_await drop_table(db, kv.table());
    });
}

TEST_P(store_test, page_token_of_another_listing_is_refused_without_a_request) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_store(db, "tokens");
        for (int i = 0; i < 4; ++i)
            co_await kv.async_put("k" + std::to_string(i), write_options());
        auto page = co_await kv.async_list_page(list_options().with_limit(2));
        require(!page.next_page_token.empty(), "a token");

        const auto before = db.stats().requests;
        diagnostics diag;
        auto [descending, p1] = co_await kv.async_list_page(
            list_options().with_limit(2).with_descending().with_page_token(page.next_page_token), diag,
            tuple);
        EXPECT_EQ(descending, errc::invalid_argument);
        EXPECT_NE(diag.client_message.find("page_token"), std::string::npos) << diag.client_message;
        store other_partition(db, kv.table(), "other");
        auto [partition, p2] = co_await other_partition.async_list_page(
            list_options().with_limit(2).with_page_token(page.next_page_token), tuple);
        EXPECT_EQ(partition, errc::invalid_argument);
        auto [garbage, p3] =
            co_await kv.async_list_page(list_options().with_page_token("H4sIAAAAAAAA"), tuple);
        EXPECT_EQ(garbage, errc::invalid_argument);
        EXPECT_EQ(db.stats().requests, before) << "nothing is sent";
        co_await drop_table(db, kv.table());
    });
}

TEST_P(store_test, local_and_global_index_listings) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        // dynastore's test table: provisioned, LSI idx_created(id, created), GSI idx_global_1(pk1, sk1).
        auto kv = co_await make_store(db, "indexes",
                                      table_options()
                                          .with_provisioned_throughput(1, 1)
                                          .with_local_index("idx_created", "created")
                                          .with_global_index("idx_global_1", "pk1", "sk1"));
        const std::string stamp = "20200103T1100Z";
        co_await kv.async_put("testAtomicPutLocalIndex", write_options().with_bytes("world").with_attribute(
                                                             "created", attribute_value::string(stamp)));
        co_await kv.async_put("unindexed", write_options().with_bytes("world"));
        auto local = co_await kv.async_list_page(
            list_options().with_prefix(stamp).with_index(secondary_index::local("idx_created", "created")));
        require(local.items.size() == 1, "one pair in the local index");
        EXPECT_EQ(local.items[0].key, "testAtomicPutLocalIndex");
        EXPECT_EQ(*local.items[0].attributes.get("created"), attribute_value::string(stamp));

        co_await kv.async_put("testAtomicPutGlobalIndex",
                              write_options()
                                  .with_bytes("world")
                                  .with_attribute("pk1", attribute_value::string("wolfeidau"))
                                  .with_attribute("sk1", attribute_value::string(stamp)));
        auto global = co_await kv.async_list(list_options().with_prefix(stamp).with_index(
            secondary_index::global("idx_global_1", "pk1", "sk1", "wolfeidau")));
        require(global.size() == 1, "one pair in the global index");
        EXPECT_EQ(global[0].partition, "agent");
        EXPECT_EQ(global[0].key, "testAtomicPutGlobalIndex");
        EXPECT_EQ(global[0].bytes(), "world");
        EXPECT_EQ(*global[0].attributes.get("pk1"), attribute_value::string("wolfeidau"));
        EXPECT_EQ(*global[0].attributes.get("sk1"), attribute_value::string(stamp));

        // Pages of an index listing carry tokens too.
        for (int i = 0; i < 3; ++i)
            co_await kv.async_put("more" + std::to_string(i),
                                  write_options().with_attribute(
                                      "created", attribute_value::string(stamp + "-" + std::to_string(i))));
        auto first = co_await kv.async_list_page(list_options().with_prefix(stamp).with_limit(2).with_index(
            secondary_index::local("idx_created", "created")));
        require(first.items.size() == 2 && !first.next_page_token.empty(), "a first index page");
        auto rest =
            co_await kv.async_list_page(list_options()
                                            .with_prefix(stamp)
                                            .with_limit(10)
                                            .with_page_token(first.next_page_token)
                                            .with_index(secondary_index::local("idx_created", "created")));
        EXPECT_EQ(rest.items.size(), 2u);
        co_await drop_table(db, kv.table());
    });
}

// ---- expiry -------------------------------------------------------------------------------------

TEST_P(store_test, expired_pair_is_invisible_and_can_be_created_again) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_store(db, "expired");
        auto item = go_item("agent", "lease", 4, now_seconds() - 10, attribute_value::string(base64("old")));
        co_await raw_put(db, kv.table(), std::move(item));

        auto [ec, pair] = co_await kv.async_get("lease", tuple);
        EXPECT_EQ(ec, errc::key_not_found);
        EXPECT_FALSE(co_await kv.async_exists("lease"));
        EXPECT_TRUE((co_await kv.async_list(list_options())).empty());

        // Compare-and-swap and -delete on the expired version: the key is gone.
        auto [cas, r1] = co_await kv.async_atomic_put("lease", write_options().if_version(4), tuple);
        EXPECT_EQ(cas, errc::key_not_found) << cas.message();
        auto [del] = co_await kv.async_atomic_delete("lease", 4, tuple);
        EXPECT_EQ(del, errc::key_not_found) << del.message();

        // Create-if-absent takes it over (dynastore's condition never could); the version goes on.
        auto created =
            co_await kv.async_atomic_put("lease", write_options().with_bytes("new").with_ttl(1min));
        EXPECT_EQ(created.version, 5);
        EXPECT_EQ((co_await kv.async_get("lease")).bytes(), "new");
        co_await drop_table(db, kv.table());
    });
}

TEST_P(store_test, expiry_second_itself_is_expired_for_readers_and_creators) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_store(db, "boundary");
        // A store whose clock stands still on a whole second, and an item expiring exactly then: the Go
        // library's readers called it expired while its creators still refused to take it over.
        const std::int64_t t = now_seconds() + 100;
        store_options o;
        o.clock = [t] { return std::chrono::system_clock::time_point(std::chrono::seconds(t)); };
        store at_t(db, kv.table(), "agent", o);
        auto item = go_item("agent", "edge", 1, t, std::nullopt);
        co_await raw_put(db, kv.table(), std::move(item));

        auto [ec, pair] = co_await at_t.async_get("edge", tuple);
        EXPECT_EQ(ec, errc::key_not_found);
        auto created = co_await at_t.async_atomic_put("edge", write_options().with_bytes("mine"));
        EXPECT_EQ(created.version, 2);
        // One second earlier it was live.
        auto raw = go_item("agent", "edge2", 1, t + 1, std::nullopt);
        co_await raw_put(db, kv.table(), std::move(raw));
        EXPECT_TRUE(co_await at_t.async_exists("edge2"));
        auto [exists, r] = co_await at_t.async_atomic_put("edge2", write_options(), tuple);
        EXPECT_EQ(exists, errc::key_exists);
        co_await drop_table(db, kv.table());
    });
}

TEST_P(store_test, ttl_expires_pairs_for_a_later_clock) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_store(db, "ttl");
        auto held = co_await kv.async_put("lock", write_options().with_bytes("w1").with_ttl(10s));
        co_await kv.async_put("keep", write_options().with_bytes("forever"));

        store_options later;
        later.clock = [] { return std::chrono::system_clock::now() + 12s; };
        store future(db, kv.table(), "agent", later);
        auto [ec, pair] = co_await future.async_get("lock", tuple);
        EXPECT_EQ(ec, errc::key_not_found);
        EXPECT_FALSE(co_await future.async_exists("lock"));
        auto live = co_await future.async_list(list_options());
        EXPECT_EQ(keys_of(live), std::vector<std::string>{"keep"});

        // The later clock takes the expired pair over; the old holder's swap then fails.
        auto taken = co_await future.async_atomic_put("lock", write_options().with_bytes("w2").with_ttl(10s));
        EXPECT_EQ(taken.version, held.version + 1);
        auto [stale, r] =
            co_await kv.async_atomic_put("lock", write_options().with_bytes("w1").if_version(held), tuple);
        EXPECT_EQ(stale, errc::version_mismatch) << stale.message();
        co_await drop_table(db, kv.table());
    });
}

TEST_P(store_test, non_numeric_expiry_never_expires) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_store(db, "oddexpiry");
        auto item = go_item("agent", "odd", 1, std::nullopt, std::nullopt);
        item.append("expires", attribute_value::string("0"));
        co_await raw_put(db, kv.table(), std::move(item));
        // Readers, listings and creators agree: the item is live.
        auto pair = co_await kv.async_get("odd");
        EXPECT_FALSE(pair.expires.has_value());
        auto listed = co_await kv.async_list(list_options());
        EXPECT_EQ(keys_of(listed), std::vector<std::string>{"odd"});
        auto [ec, r] = co_await kv.async_atomic_put("odd", write_options(), tuple);
        EXPECT_EQ(ec, errc::key_exists);
        co_await drop_table(db, kv.table());
    });
}

// ---- regressions of the Go libraries' bugs ------------------------------------------------------

TEST_P(store_test, put_without_ttl_never_expires) {
    // dynalock gave every Put a hidden 20 s TTL.
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_store(db, "nottl");
        auto written = co_await kv.async_put("config", write_options().with_bytes("v"));
        EXPECT_FALSE(written.expires.has_value());
        auto raw = co_await raw_get(db, kv.table(), "agent", "config");
        require(raw.has_value(), "the item is stored");
        EXPECT_FALSE(raw->contains("expires"));
        co_await drop_table(db, kv.table());
    });
}

TEST_P(store_test, put_removes_a_stale_value_and_expiry) {
    // dynalock's Put never removed payload or expires.
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_store(db, "stale");
        co_await kv.async_put("k", write_options().with_bytes("v").with_ttl(1h));
        auto second = co_await kv.async_put("k", write_options());
        EXPECT_EQ(second.version, 2);
        EXPECT_FALSE(second.value.has_value());
        EXPECT_FALSE(second.expires.has_value());
        auto raw = co_await raw_get(db, kv.table(), "agent", "k");
        require(raw.has_value(), "the item is stored");
        EXPECT_FALSE(raw->contains("payload"));
        EXPECT_FALSE(raw->contains("expires"));

        // Unless asked to keep the expiry (what Go did with a previous pair).
        auto third = co_await kv.async_put("k", write_options().with_ttl(1h));
        auto fourth = co_await kv.async_atomic_put(
            "k", write_options().with_bytes("x").if_version(third).with_keep_expiry());
        EXPECT_EQ(fourth.expires, third.expires);
        co_await drop_table(db, kv.table());
    });
}

TEST_P(store_test, atomic_delete_without_previous_version_is_an_error_not_a_crash) {
    // dynalock's AtomicDelete(key, nil) dereferenced the nil pair.
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_store(db, "nilprevious");
        co_await kv.async_put("live", write_options());
        const auto before = db.stats().requests;
        diagnostics diag;
        for (const char* key : {"live", "missing"}) {
            auto [ec] = co_await kv.async_atomic_delete(key, std::nullopt, diag, tuple);
            EXPECT_EQ(ec, errc::invalid_argument) << key;
            EXPECT_NE(diag.client_message.find("previous version"), std::string::npos) << diag.client_message;
        }
        EXPECT_EQ(db.stats().requests, before);
        // A missing key with a version: not found.
        auto [missing] = co_await kv.async_atomic_delete("missing", 1, tuple);
        EXPECT_EQ(missing, errc::key_not_found);
        EXPECT_TRUE(co_await kv.async_exists("live"));
        co_await drop_table(db, kv.table());
    });
}

TEST_P(store_test, extra_attributes_can_be_any_type) {
    // dynastore's WriteWithFields took strings only.
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_store(db, "fields");
        auto meta = attribute_value::map(
            {{"owner", attribute_value::string("w1")}, {"n", attribute_value::number(3)}});
        auto tags = attribute_value::string_set({"a"});
        co_await kv.async_put("k", write_options()
                                       .with_value(attribute_value::string("plain text"))
                                       .with_attribute("score", attribute_value::number(12))
                                       .with_attribute("tags", tags)
                                       .with_attribute("meta", meta));
        auto pair = co_await kv.async_get("k");
        EXPECT_EQ(*pair.value, attribute_value::string("plain text"));
        EXPECT_FALSE(pair.bytes().has_value()); // not base64
        EXPECT_EQ(pair.attributes.size(), 3u);
        EXPECT_EQ(*pair.attributes.get("score"), attribute_value::number(12));
        EXPECT_EQ(*pair.attributes.get("tags"), tags);
        EXPECT_EQ(*pair.attributes.get("meta"), meta);
        co_await drop_table(db, kv.table());
    });
}

// ---- compatibility with the Go item layout ------------------------------------------------------

TEST_P(store_test, items_written_by_go_are_read) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_store(db, "fromgo");
        const std::string bytes("\x00\x01binary\xff", 9);
        const auto expires = now_seconds() + 3600;
        // WriteWithBytes: payload is an S of base64.
        co_await raw_put(
            db, kv.table(),
            go_item("agent", "orchestra/w1", 3, expires, attribute_value::string(base64(bytes))));
        // WriteWithAttributeValue(MarshalStruct(...)): payload is an M.
        auto structured = attribute_value::map(
            {{"Name", attribute_value::string("w2")}, {"Port", attribute_value::number(8080)}});
        co_await raw_put(db, kv.table(), go_item("agent", "orchestra/w2", 1, std::nullopt, structured));

        auto w1 = co_await kv.async_get("orchestra/w1");
        EXPECT_EQ(w1.partition, "agent");
        EXPECT_EQ(w1.version, 3);
        EXPECT_EQ(w1.expires, expires);
        EXPECT_EQ(w1.bytes(), bytes);
        EXPECT_TRUE(w1.attributes.empty());
        auto w2 = co_await kv.async_get("orchestra/w2");
        EXPECT_EQ(w2.value, structured);
        auto listed = co_await kv.async_list(list_options().with_prefix("orchestra/"));
        EXPECT_EQ(keys_of(listed), (std::vector<std::string>{"orchestra/w1", "orchestra/w2"}));
        // A compare-and-swap continues Go's version.
        auto next =
            co_await kv.async_atomic_put("orchestra/w1", write_options().with_bytes("c++").if_version(w1));
        EXPECT_EQ(next.version, 4);
        co_await drop_table(db, kv.table());
    });
}

TEST_P(store_test, items_written_by_the_store_have_the_go_layout) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_store(db, "togo");
        const std::string bytes("\x00\x01binary\xff", 9);
        auto written = co_await kv.async_put("orchestra/w1", write_options().with_bytes(bytes).with_ttl(30s));
        auto raw = co_await raw_get(db, kv.table(), "agent", "orchestra/w1");
        require(raw.has_value(), "the item is stored");
        // Exactly the Go attributes, with the Go types.
        EXPECT_EQ(raw->size(), 5u);
        EXPECT_EQ(*raw->get("id"), attribute_value::string("agent"));
        EXPECT_EQ(*raw->get("name"), attribute_value::string("orchestra/w1"));
        EXPECT_EQ(*raw->get("version"), attribute_value::number("1"));
        EXPECT_EQ(*raw->get("payload"), attribute_value::string(base64(bytes)));
        require(raw->get("expires") != nullptr, "expires is stored");
        EXPECT_EQ(raw->get("expires")->to_integer<std::int64_t>(), written.expires);

        auto structured = attribute_value::map({{"Name", attribute_value::string("w2")}});
        co_await kv.async_put("orchestra/w2", write_options().with_value(structured));
        auto raw2 = co_await raw_get(db, kv.table(), "agent", "orchestra/w2");
        require(raw2.has_value(), "the item is stored");
        EXPECT_EQ(*raw2->get("payload"), structured);
        EXPECT_FALSE(raw2->contains("expires"));
        co_await drop_table(db, kv.table());
    });
}

// ---- concurrency --------------------------------------------------------------------------------

TEST_P(store_test, concurrent_compare_and_swap_loses_no_update) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        auto o = local_client_options(server().endpoint);
        o.max_connections = 32;
        client db(ioc, o);
        auto kv = co_await make_store(db, "counter");
        co_await kv.async_put("counter", write_options().with_value(attribute_value::number(0)));

        constexpr int workers = 32;
        constexpr int increments = 2;
        std::atomic<int> done{0}, successes{0}, conflicts{0}, failures{0};
        auto worker = [&]() -> asio::awaitable<void> {
            for (int n = 0; n < increments;) {
                auto [gec, current] = co_await kv.async_get("counter", tuple);
                if (gec) {
                    ++failures;
                    break;
                }
                const auto value =
                    current.value ? current.value->to_integer<std::int64_t>().value_or(-1) : -1;
                auto [ec, written] = co_await kv.async_atomic_put(
                    "counter",
                    write_options().with_value(attribute_value::number(value + 1)).if_version(current),
                    tuple);
                if (!ec) {
                    ++successes;
                    ++n;
                } else if (ec == errc::version_mismatch) {
                    ++conflicts;
                } else {
                    ADD_FAILURE() << "unexpected error " << ec.message();
                    ++failures;
                    break;
                }
            }
            ++done;
        };
        auto ex = co_await asio::this_coro::executor;
        for (int i = 0; i < workers; ++i)
            asio::co_spawn(ex, worker(), asio::detached);
        asio::steady_timer poll(ex);
        while (done < workers) {
            poll.expires_after(10ms);
            co_await poll.async_wait(asio::deferred);
        }
        EXPECT_EQ(failures.load(), 0);
        EXPECT_EQ(successes.load(), workers * increments);
        auto final = co_await kv.async_get("counter");
        EXPECT_EQ(final.version, 1 + successes.load()) << conflicts.load() << " conflicts";
        EXPECT_EQ(final.value->to_integer<std::int64_t>(), successes.load());
        co_await drop_table(db, kv.table());
    });
}

TEST_P(store_test, stores_on_several_partitions_share_one_client) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto agents = co_await make_store(db, "partitions");
        store locks(db, agents.table(), "Lock");
        co_await agents.async_put("orchestra/w1", write_options().with_bytes("agent"));
        co_await locks.async_put("orchestra/w1", write_options().with_bytes("lock"));
        EXPECT_EQ((co_await agents.async_get("orchestra/w1")).bytes(), "agent");
        EXPECT_EQ((co_await locks.async_get("orchestra/w1")).bytes(), "lock");
        co_await locks.async_remove("orchestra/w1");
        EXPECT_TRUE(co_await agents.async_exists("orchestra/w1"));
        EXPECT_EQ((co_await locks.async_list(list_options())).size(), 0u);
        EXPECT_EQ(db.stats().tcp_connects, 1u);
        co_await drop_table(db, agents.table());
    });
}

// ---- validation: nothing is sent ----------------------------------------------------------------

TEST_P(store_test, invalid_input_is_refused_without_a_request) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto kv = co_await make_store(db, "validation");
        const auto before = db.stats().requests;
        diagnostics diag;
        auto expect = [&](error_code ec, error_code want, std::string_view what) {
            EXPECT_EQ(ec, want) << what << ": " << ec.message();
            EXPECT_FALSE(diag.client_message.empty()) << what;
            diag.client_message.clear();
        };
        {
            auto [ec, r] = co_await kv.async_get("", read_options(), diag, tuple);
            expect(ec, errc::empty_key, "get of an empty key");
        }
        {
            auto [ec, r] = co_await kv.async_exists(std::string(1025, 'k'), read_options(), diag, tuple);
            expect(ec, errc::key_too_large, "exists of a 1025-byte key");
        }
        {
            auto [ec, r] = co_await kv.async_put("bad\xc3\x28", write_options(), diag, tuple);
            expect(ec, errc::invalid_utf8, "put of an invalid UTF-8 key");
        }
        {
            auto [ec, r] = co_await kv.async_put(
                "k", write_options().with_bytes(std::string(400 * 1024, 'x')), diag, tuple);
            expect(ec, errc::item_too_large, "put over 400 KB");
        }
        {
            auto [ec, r] = co_await kv.async_put("k", write_options().with_ttl(-5s), diag, tuple);
            expect(ec, errc::invalid_argument, "negative TTL");
        }
        {
            auto [ec, r] = co_await kv.async_atomic_put(
                "k", write_options().with_bytes("a").with_value(attribute_value::null()), diag, tuple);
            expect(ec, errc::invalid_argument, "bytes and value");
        }
        {
            auto [ec, r] = co_await kv.async_put("k", write_options().if_version(1), diag, tuple);
            expect(ec, errc::invalid_argument, "put with a previous version");
        }
        {
            auto [ec, r] = co_await kv.async_put(
                "k", write_options().with_attribute("version", attribute_value::number(9)), diag, tuple);
            expect(ec, errc::invalid_argument, "a reserved attribute");
        }
        {
            auto [ec] = co_await kv.async_remove("", diag, tuple);
            expect(ec, errc::empty_key, "remove of an empty key");
        }
        {
            auto [ec, r] = co_await kv.async_list(list_options().with_page_token("bm90IG91cnM"), diag, tuple);
            expect(ec, errc::invalid_argument, "a foreign page token");
        }
        {
            store huge(db, kv.table(), std::string(2049, 'p'));
            EXPECT_EQ(huge.configuration_error(), errc::key_too_large);
            auto [ec, r] = co_await huge.async_get("k", read_options(), diag, tuple);
            expect(ec, errc::key_too_large, "a 2049-byte partition");
        }
        {
            store empty(db, kv.table(), "");
            auto [ec, r] = co_await empty.async_put("k", write_options(), diag, tuple);
            expect(ec, errc::empty_key, "an empty partition");
        }
        {
            store badly_named(db, "no", "agent");
            auto [ec, r] = co_await badly_named.async_get("k", read_options(), diag, tuple);
            expect(ec, errc::invalid_table_name, "a table name of two characters");
        }
        EXPECT_EQ(db.stats().requests, before) << "nothing is sent";
        co_await drop_table(db, kv.table());
    });
}

// ---- completion tokens and lifetimes ------------------------------------------------------------

TEST_P(store_test, callbacks_and_futures_complete) {
    asio::io_context ioc;
    client db(ioc, local_client_options(server().endpoint));
    std::optional<store> kv;
    asio::co_spawn(
        ioc, [&]() -> asio::awaitable<void> { kv.emplace(co_await make_store(db, "tokens")); },
        asio::detached);
    ioc.run();
    ASSERT_TRUE(kv.has_value());

    error_code put_ec = errc::invalid_argument;
    std::int64_t version = 0;
    kv->async_put("k", write_options().with_bytes("v"), [&](error_code ec, kv_pair p) {
        put_ec = ec;
        version = p.version;
    });
    ioc.restart();
    ioc.run();
    EXPECT_FALSE(put_ec) << put_ec.message();
    EXPECT_EQ(version, 1);

    // The store may go away while its operation runs.
    error_code get_ec = errc::invalid_argument;
    {
        store temporary(db, kv->table(), "agent");
        temporary.async_get("k", [&](error_code ec, kv_pair) { get_ec = ec; });
    }
    ioc.restart();
    ioc.run();
    EXPECT_FALSE(get_ec) << get_ec.message();

    ioc.restart();
    auto fut = kv->async_get("missing", asio::use_future);
    std::thread runner([&] { ioc.run(); });
    try {
        fut.get();
        ADD_FAILURE() << "a missing key must fail";
    } catch (const boost::system::system_error& e) {
        EXPECT_EQ(e.code(), errc::key_not_found);
    }
    runner.join();

    ioc.restart();
    delete_table_request drop{kv->table()};
    db.async_delete_table(drop, [](error_code, delete_table_response) {});
    ioc.run();
}

DYNALOCK_INSTANTIATE_OVER_PLAIN_SERVERS(store_test);

// ---- cancellation, against a private dynalite that can be frozen ---------------------------------

namespace {

// Starts `op(token)` with a cancellation slot, emits `type` 50 ms later, and returns the error the
// operation completed with.
template <class Start>
error_code cancel_while_frozen(asio::io_context& ioc, asio::cancellation_type type, Start start) {
    asio::cancellation_signal signal;
    error_code result = errc::invalid_argument;
    bool done = false;
    start(asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, auto&&...) {
        result = ec;
        done = true;
    }));
    asio::steady_timer timer(ioc, 50ms);
    timer.async_wait([&](error_code) { signal.emit(type); });
    ioc.restart();
    ioc.run();
    EXPECT_TRUE(done);
    return result;
}

} // namespace

TEST(store_cancellation, operations_on_a_frozen_server_are_cancelled) {
    auto server = dynalock::test::local_server::start_dynalite();
    asio::io_context ioc;
    auto o = local_client_options(server.endpoint());
    o.attempt_timeout = 2s;
    o.operation_timeout = 2s;
    o.retry.max_attempts = 1;
    client db(ioc, o);
    std::optional<store> kv;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            kv.emplace(co_await make_store(db, "cancel"));
            co_await kv->async_put("k", write_options().with_bytes("v"));
        },
        asio::detached);
    ioc.run();
    ASSERT_TRUE(kv.has_value());

    server.pause();
    const auto started = std::chrono::steady_clock::now();
    // Reads accept every cancellation type.
    EXPECT_EQ(cancel_while_frozen(ioc, asio::cancellation_type::total,
                                  [&](auto token) { kv->async_get("k", std::move(token)); }),
              asio::error::operation_aborted);
    EXPECT_EQ(cancel_while_frozen(ioc, asio::cancellation_type::terminal,
                                  [&](auto token) { kv->async_list(list_options(), std::move(token)); }),
              asio::error::operation_aborted);
    // Writes accept terminal cancellation...
    EXPECT_EQ(cancel_while_frozen(ioc, asio::cancellation_type::terminal,
                                  [&](auto token) { kv->async_put("k", write_options(), std::move(token)); }),
              asio::error::operation_aborted);
    // ...and partial cancellation (the item is left in its old or its new state).
    EXPECT_EQ(cancel_while_frozen(ioc, asio::cancellation_type::partial,
                                  [&](auto token) {
                                      kv->async_atomic_put("k", write_options().if_version(1),
                                                           std::move(token));
                                  }),
              asio::error::operation_aborted);
    EXPECT_LT(std::chrono::steady_clock::now() - started, 1500ms) << "cancellation did not wait for timeouts";
    // ...but not total cancellation, which promises no side effect: the write runs into its timeout.
    auto ec = cancel_while_frozen(ioc, asio::cancellation_type::total,
                                  [&](auto token) { kv->async_remove("k", std::move(token)); });
    EXPECT_NE(ec, asio::error::operation_aborted);
    EXPECT_TRUE(ec) << "a frozen server cannot answer";
    server.resume();
}
