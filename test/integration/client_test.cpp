// SPDX-License-Identifier: BSL-1.0
// The DynamoDB client against the real local servers: every operation round trip, conditional
// failures, pagination, batches, transactions, TTL, every value type, connection reuse, concurrency,
// completion tokens, and TLS verification (trusted, untrusted, wrong host name).
#include <dynalock/dynalock.hpp>

#include "support/integration_helpers.hpp"
#include "support/test_servers.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <exception>
#include <set>
#include <stdexcept>
#include <thread>

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

attribute_map key_of(std::string pk, std::string sk) {
    return {{"pk", attribute_value::string(std::move(pk))}, {"sk", attribute_value::string(std::move(sk))}};
}

// Requests are built by functions or named before co_await: g++ 12 miscompiles a braced aggregate
// temporary inside a co_await expression (docs/client.md, "Known compiler issues").
describe_table_request describe(std::string table) {
    return {std::move(table)};
}
delete_table_request drop(std::string table) {
    return {std::move(table)};
}
get_item_request get(std::string table, attribute_map key) {
    get_item_request r;
    r.table_name = std::move(table);
    r.key = std::move(key);
    r.consistent_read = true;
    return r;
}
put_item_request put(std::string table, attribute_map item) {
    put_item_request r;
    r.table_name = std::move(table);
    r.item = std::move(item);
    return r;
}

asio::awaitable<void> create_table(client& db, const std::string& name) {
    create_table_request req;
    req.table_name = name;
    req.attribute_definitions = {{"pk", scalar_attribute_type::string},
                                 {"sk", scalar_attribute_type::string}};
    req.key_schema = {{"pk", key_type::hash}, {"sk", key_type::range}};
    req.billing_mode = billing_mode::pay_per_request;
    co_await db.async_create_table(req);
    for (int i = 0; i < 200; ++i) {
        auto res = co_await db.async_describe_table(describe(name));
        if (res.table.table_status == table_status::active)
            co_return;
        asio::steady_timer t(co_await asio::this_coro::executor, 50ms);
        co_await t.async_wait(asio::deferred);
    }
    throw std::runtime_error("table " + name + " did not become active");
}

class client_test : public dynalock::test::server_test {};

} // namespace

TEST_P(client_test, item_operations_round_trip) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto table = unique_table("items");
        co_await create_table(db, table);

        put_item_request put;
        put.table_name = table;
        put.item = key_of("p", "a");
        put.item.insert_or_assign("payload", attribute_value::string("hello"));
        co_await db.async_put_item(put);

        auto got = co_await db.async_get_item(get(table, key_of("p", "a")));
        require(got.item.has_value(), "the item is found");
        EXPECT_EQ(got.item->get("payload")->as_string(), "hello");

        update_item_request upd;
        upd.table_name = table;
        upd.key = key_of("p", "a");
        upd.update_expression = "ADD #c :one SET #p = :p";
        upd.expression_attribute_names = {{"#c", "counter"}, {"#p", "payload"}};
        upd.expression_attribute_values = {{":one", attribute_value::number(1)},
                                           {":p", attribute_value::string("world")}};
        upd.return_values = return_value::all_new;
        auto updated = co_await db.async_update_item(upd);
        require(updated.attributes.has_value(), "ALL_NEW returns the item");
        EXPECT_EQ(updated.attributes->get("counter")->as_number(), "1");
        EXPECT_EQ(updated.attributes->get("payload")->as_string(), "world");

        delete_item_request del;
        del.table_name = table;
        del.key = key_of("p", "a");
        del.return_values = return_value::all_old;
        auto deleted = co_await db.async_delete_item(del);
        require(deleted.attributes.has_value(), "ALL_OLD returns the deleted item");
        EXPECT_EQ(deleted.attributes->get("payload")->as_string(), "world");

        auto gone = co_await db.async_get_item(get(table, key_of("p", "a")));
        EXPECT_FALSE(gone.item.has_value());
        co_await db.async_delete_table(drop(table));
    });
}

TEST_P(client_test, failed_condition_is_reported_with_diagnostics) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto table = unique_table("condition");
        co_await create_table(db, table);

        put_item_request put;
        put.table_name = table;
        put.item = key_of("lock", "job");
        put.condition_expression = "attribute_not_exists(#pk)";
        put.expression_attribute_names = {{"#pk", "pk"}};
        put.return_values_on_condition_check_failure = return_value::all_old;
        diagnostics diag;
        auto [first, r1] = co_await db.async_put_item(put, diag, tuple);
        EXPECT_FALSE(first) << first.message();
        auto [second, r2] = co_await db.async_put_item(put, diag, tuple);
        EXPECT_EQ(second, service_errc::conditional_check_failed) << second.message();
        EXPECT_TRUE(is_condition_failure(second));
        EXPECT_FALSE(is_retryable(second));
        EXPECT_EQ(diag.http_status, 400u);
        EXPECT_EQ(diag.service_error_type, "ConditionalCheckFailedException");
        EXPECT_FALSE(diag.request_id.empty());
        EXPECT_EQ(diag.attempts, 1u);
        if (server().features.item_on_condition_failure) {
            require(diag.condition_failure_item.has_value(), "the current item comes back with the failure");
            EXPECT_EQ(diag.condition_failure_item->get("sk")->as_string(), "job");
        } else {
            EXPECT_FALSE(diag.condition_failure_item.has_value()); // dynalite ignores the option
        }
        co_await db.async_delete_table(drop(table));
    });
}

TEST_P(client_test, every_value_type_round_trips) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto table = unique_table("types");
        co_await create_table(db, table);

        attribute_map item = key_of("types", "all");
        item.insert_or_assign("s", attribute_value::string("naïve ✓ \"quoted\" \\ \n tab\t"));
        item.insert_or_assign("n", attribute_value::number("-1234567890.0987654321"));
        item.insert_or_assign("b", attribute_value::binary(std::string("\x00\x01\xfe\xff", 4)));
        item.insert_or_assign("t", attribute_value::boolean(true));
        item.insert_or_assign("z", attribute_value::null());
        item.insert_or_assign(
            "l", attribute_value::list({attribute_value::number(1), attribute_value::string("x")}));
        item.insert_or_assign("m", attribute_value::map({{"inner", attribute_value::boolean(false)}}));
        item.insert_or_assign("ss", attribute_value::string_set({"a", "b"}));
        item.insert_or_assign("ns", attribute_value::number_set({"1", "2.5"}));
        item.insert_or_assign("bs",
                              attribute_value::binary_set({std::string("\x01", 1), std::string("\x02", 1)}));
        co_await db.async_put_item(put(table, item));

        auto got = co_await db.async_get_item(get(table, key_of("types", "all")));
        require(got.item.has_value(), "the item is found");
        for (const auto& [name, value] : item) {
            const auto* back = got.item->get(name);
            require(back != nullptr, "attribute " + name + " comes back");
            if (value.type() == attribute_type::string_set || value.type() == attribute_type::number_set ||
                value.type() == attribute_type::binary_set) {
                // Sets keep no order.
                const auto& a = value.type() == attribute_type::string_set   ? value.as_string_set()
                                : value.type() == attribute_type::number_set ? value.as_number_set()
                                                                             : value.as_binary_set();
                const auto& b = back->type() == attribute_type::string_set   ? back->as_string_set()
                                : back->type() == attribute_type::number_set ? back->as_number_set()
                                                                             : back->as_binary_set();
                EXPECT_EQ(std::multiset<std::string>(a.begin(), a.end()),
                          std::multiset<std::string>(b.begin(), b.end()))
                    << name;
            } else {
                EXPECT_EQ(*back, value) << name;
            }
        }
        co_await db.async_delete_table(drop(table));
    });
}

TEST_P(client_test, query_and_scan_paginate_in_both_directions) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto table = unique_table("paging");
        co_await create_table(db, table);
        for (int i = 0; i < 25; ++i) {
            char sk[16];
            std::snprintf(sk, sizeof sk, "k%02d", i);
            co_await db.async_put_item(put(table, key_of("part", sk)));
        }
        co_await db.async_put_item(put(table, key_of("other", "k00")));

        for (bool forward : {true, false}) {
            query_request q;
            q.table_name = table;
            q.key_condition_expression = "#pk = :pk AND begins_with(#sk, :p)";
            q.expression_attribute_names = {{"#pk", "pk"}, {"#sk", "sk"}};
            q.expression_attribute_values = {{":pk", attribute_value::string("part")},
                                             {":p", attribute_value::string("k")}};
            q.limit = 7;
            q.consistent_read = true;
            q.scan_index_forward = forward;
            std::vector<std::string> keys;
            int pages = 0;
            do {
                auto page = co_await db.async_query(q);
                ++pages;
                for (auto& it : page.items)
                    keys.push_back(it.get("sk")->as_string());
                q.exclusive_start_key = std::move(page.last_evaluated_key);
            } while (q.exclusive_start_key);
            EXPECT_EQ(keys.size(), 25u);
            EXPECT_GE(pages, 4);
            EXPECT_TRUE(std::is_sorted(keys.begin(), keys.end(),
                                       [&](auto& a, auto& b) { return forward ? a < b : a > b; }));
        }

        scan_request s;
        s.table_name = table;
        s.limit = 10;
        s.consistent_read = true;
        std::size_t scanned = 0;
        do {
            auto page = co_await db.async_scan(s);
            scanned += page.items.size();
            s.exclusive_start_key = std::move(page.last_evaluated_key);
        } while (s.exclusive_start_key);
        EXPECT_EQ(scanned, 26u);
        co_await db.async_delete_table(drop(table));
    });
}

TEST_P(client_test, batch_write_and_batch_get_with_unprocessed_entries) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto table = unique_table("batch");
        co_await create_table(db, table);

        batch_write_item_request w;
        table_write_requests writes{table, {}};
        for (int i = 0; i < 25; ++i)
            writes.requests.push_back(put_request{key_of("b", "i" + std::to_string(i))});
        w.request_items.push_back(std::move(writes));
        for (int round = 0; round < 10 && !w.request_items.empty(); ++round) {
            auto res = co_await db.async_batch_write_item(w);
            w.request_items = std::move(res.unprocessed_items);
        }
        EXPECT_TRUE(w.request_items.empty());

        batch_get_item_request g;
        table_keys keys;
        keys.table_name = table;
        keys.consistent_read = true;
        for (int i = 0; i < 30; ++i) // five of these do not exist
            keys.keys.push_back(key_of("b", "i" + std::to_string(i)));
        g.request_items.push_back(std::move(keys));
        std::size_t found = 0;
        for (int round = 0; round < 10 && !g.request_items.empty(); ++round) {
            auto res = co_await db.async_batch_get_item(g);
            for (auto& t : res.responses)
                found += t.items.size();
            g.request_items = std::move(res.unprocessed_keys);
        }
        EXPECT_EQ(found, 25u);
        co_await db.async_delete_table(drop(table));
    });
}

TEST_P(client_test, transaction_commits_or_reports_its_cancellation_reasons) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto table = unique_table("tx");
        co_await create_table(db, table);
        if (!server().features.transactions) {
            // dynalite has no transactions: the client must report that plainly.
            transact_write_items_request tx;
            tx.transact_items = {transact_put{table, key_of("tx", "a"), {}, {}, {}, {}}};
            auto [ec, res] = co_await db.async_transact_write_items(tx, tuple);
            EXPECT_EQ(ec, service_errc::unknown_operation) << ec.message();
            co_await db.async_delete_table(drop(table));
            co_return;
        }

        transact_write_items_request tx;
        transact_put p1{table, key_of("tx", "a"), {}, {}, {}, {}};
        transact_put p2{table, key_of("tx", "b"), "attribute_not_exists(#pk)", {{"#pk", "pk"}}, {}, {}};
        tx.transact_items = {p1, p2};
        co_await db.async_transact_write_items(tx);

        // The second put's condition now fails: nothing is written, and the reasons say which.
        transact_write_items_request again;
        again.transact_items = {transact_put{table, key_of("tx", "c"), {}, {}, {}, {}}, p2};
        diagnostics diag;
        auto [ec, res] = co_await db.async_transact_write_items(again, diag, tuple);
        EXPECT_EQ(ec, service_errc::transaction_canceled) << ec.message();
        require(diag.cancellation_reasons.size() == 2, "two cancellation reasons");
        EXPECT_EQ(diag.cancellation_reasons[0].code, "None");
        EXPECT_EQ(diag.cancellation_reasons[1].code, "ConditionalCheckFailed");
        auto c = co_await db.async_get_item(get(table, key_of("tx", "c")));
        EXPECT_FALSE(c.item.has_value());
        co_await db.async_delete_table(drop(table));
    });
}

TEST_P(client_test, time_to_live_is_enabled_and_described) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto table = unique_table("ttl");
        co_await create_table(db, table);
        update_time_to_live_request u{table, {true, "expires"}};
        auto [uec, ures] = co_await db.async_update_time_to_live(u, tuple);
        describe_time_to_live_request d{table};
        auto described = co_await db.async_describe_time_to_live(d);
        require(described.time_to_live_description.has_value(), "a TTL description comes back");
        if (server().features.time_to_live) {
            EXPECT_FALSE(uec) << uec.message();
            EXPECT_EQ(described.time_to_live_description->time_to_live_status, time_to_live_status::enabled);
            EXPECT_EQ(described.time_to_live_description->attribute_name.value_or(""), "expires");
        } else {
            // dynalite has no UpdateTimeToLive and always says DISABLED.
            EXPECT_EQ(uec, service_errc::unknown_operation) << uec.message();
            EXPECT_EQ(described.time_to_live_description->time_to_live_status, time_to_live_status::disabled);
        }
        co_await db.async_delete_table(drop(table));
    });
}

TEST_P(client_test, missing_table_is_resource_not_found) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        diagnostics diag;
        auto [ec, res] = co_await db.async_describe_table(describe("no-such-table"), diag, tuple);
        EXPECT_EQ(ec, service_errc::resource_not_found) << ec.message();
        EXPECT_EQ(diag.service_error_type, "ResourceNotFoundException");
        EXPECT_FALSE(diag.service_message.empty());
    });
}

TEST_P(client_test, sequential_operations_reuse_one_connection) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        client db(ioc, local_client_options(server().endpoint));
        auto table = unique_table("reuse");
        co_await create_table(db, table);
        auto before = db.stats();
        for (int i = 0; i < 20; ++i)
            co_await db.async_get_item(get(table, key_of("r", "x")));
        auto after = db.stats();
        EXPECT_EQ(after.requests - before.requests, 20u);
        EXPECT_EQ(after.tcp_connects - before.tcp_connects, 0u);
        EXPECT_EQ(after.tcp_connects, 1u);
        co_await db.async_delete_table(drop(table));
    });
}

TEST_P(client_test, concurrent_operations_share_a_bounded_pool) {
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        auto o = local_client_options(server().endpoint);
        o.max_connections = 8;
        client db(ioc, o);
        auto table = unique_table("concurrent");
        co_await create_table(db, table);
        std::atomic<int> ok{0};
        std::atomic<int> done{0};
        auto ex = co_await asio::this_coro::executor;
        for (int i = 0; i < 64; ++i)
            db.async_put_item(put(table, key_of("c", std::to_string(i))),
                              [&](error_code ec, put_item_response) {
                                  ok += !ec;
                                  ++done;
                              });
        while (done < 64) {
            asio::steady_timer t(ex, 5ms);
            co_await t.async_wait(asio::deferred);
        }
        EXPECT_EQ(ok.load(), 64);
        EXPECT_LE(db.stats().tcp_connects, 8u);
        co_await db.async_delete_table(drop(table));
    });
}

TEST_P(client_test, callbacks_and_futures_complete) {
    asio::io_context ioc;
    client db(ioc, local_client_options(server().endpoint));
    error_code cb_ec = errc::invalid_argument;
    db.async_describe_table(describe("no-such-table"),
                            [&](error_code ec, describe_table_response) { cb_ec = ec; });
    ioc.run();
    EXPECT_EQ(cb_ec, service_errc::resource_not_found);

    ioc.restart();
    auto fut = db.async_describe_table(describe("no-such-table"), asio::use_future);
    std::thread runner([&] { ioc.run(); });
    try {
        fut.get();
        ADD_FAILURE() << "a missing table must fail";
    } catch (const boost::system::system_error& e) {
        EXPECT_EQ(e.code(), service_errc::resource_not_found);
    }
    runner.join();
}

DYNALOCK_INSTANTIATE_OVER_PLAIN_SERVERS(client_test);

// ---- TLS against dynalite with a certificate made at test time ----

namespace {

error_code try_tls(const std::string& endpoint, const std::string& ca_file, diagnostics& diag) {
    asio::io_context ioc;
    auto o = local_client_options(endpoint);
    o.ca_file = ca_file;
    client db(ioc, o);
    error_code result = errc::invalid_argument;
    db.async_describe_table(describe("no-such-table"), diag,
                            [&](error_code ec, describe_table_response) { result = ec; });
    ioc.run();
    return result;
}

} // namespace

TEST(client_tls, default_trust_store_rejects_the_test_certificate) {
    const auto& s = dynalock::test::test_server(server_kind::dynalite_tls);
    diagnostics diag;
    auto ec = try_tls(s.endpoint, "", diag);
    EXPECT_EQ(ec, errc::tls_handshake_failed) << ec.message();
    EXPECT_NE(diag.client_message.find("certificate"), std::string::npos) << diag.client_message;
}

TEST(client_tls, generated_ca_is_trusted) {
    const auto& s = dynalock::test::test_server(server_kind::dynalite_tls);
    diagnostics diag;
    auto ec = try_tls(s.endpoint, s.ca_file.string(), diag);
    // The TLS session works: the service itself answers that the table does not exist.
    EXPECT_EQ(ec, service_errc::resource_not_found) << ec.message() << " " << diag.client_message;
}

TEST(client_tls, large_and_small_items_round_trip_over_one_connection) {
    // Over TLS the request goes out as one buffer (head and body): items of several sizes, the large ones
    // past the buffer the connection keeps between requests, must all arrive whole, in turn, on one
    // kept-alive connection.
    const auto& s = dynalock::test::test_server(server_kind::dynalite_tls);
    run_coroutine([&](asio::io_context& ioc) -> asio::awaitable<void> {
        auto o = local_client_options(s.endpoint);
        o.ca_file = s.ca_file.string();
        client db(ioc, o);
        auto table = unique_table("tls-items");
        co_await create_table(db, table);
        const auto before = db.stats();
        for (const std::size_t size : {10u, 150'000u, 300u, 390'000u, 20u}) {
            put_item_request put;
            put.table_name = table;
            put.item = key_of("p", std::to_string(size));
            std::string payload(size, 'a');
            for (std::size_t i = 0; i < size; i += 97)
                payload[i] = static_cast<char>('a' + i % 26);
            put.item.insert_or_assign("payload", attribute_value::string(payload));
            co_await db.async_put_item(put);
            auto got = co_await db.async_get_item(get(table, key_of("p", std::to_string(size))));
            require(got.item.has_value(), "the item is found");
            EXPECT_EQ(got.item->get("payload")->as_string(), payload) << size;
        }
        EXPECT_EQ(db.stats().tcp_connects - before.tcp_connects, 0u);
        EXPECT_EQ(db.stats().tls_handshakes - before.tls_handshakes, 0u);
        co_await db.async_delete_table(drop(table));
    });
}

TEST(client_tls, unrelated_ca_is_rejected) {
    const auto& s = dynalock::test::test_server(server_kind::dynalite_tls);
    diagnostics diag;
    auto ec = try_tls(s.endpoint, s.other_ca_file.string(), diag);
    EXPECT_EQ(ec, errc::tls_handshake_failed) << ec.message();
}

TEST(client_tls, host_name_mismatch_is_rejected) {
    // A certificate signed by a trusted CA but naming another host.
    dynalock::test::temp_dir dir("dynalock-tls-mismatch");
    auto material = dynalock::test::generate_tls_material(dir.path(), {{"DNS:wrong.example"}, false});
    auto server = dynalock::test::local_server::start_dynalite_tls(material);
    diagnostics diag;
    auto ec = try_tls("https://localhost:" + std::to_string(server.port()), material.ca_file.string(), diag);
    EXPECT_EQ(ec, errc::tls_handshake_failed) << ec.message();
    EXPECT_NE(diag.client_message.find("localhost"), std::string::npos) << diag.client_message;
}
