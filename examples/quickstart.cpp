// SPDX-License-Identifier: BSL-1.0
// Quick start: the DynamoDB client from a coroutine.
//
// Creates a table, writes an item only if it does not exist yet (the building block of a lock),
// reads it back consistently, bumps a counter with a conditional update, pages through a Query, and
// deletes the table. Run it against a local server:
//
//   example_quickstart --endpoint http://127.0.0.1:8000 [--table NAME]
//
// scripts/run-demo.sh starts dynalite on a free port and runs this for you.
#include <dynalock/dynalock.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>

namespace asio = boost::asio;
using namespace dynalock;
using namespace std::chrono_literals;

namespace {

// Every call below uses as_tuple, so failures come back as error codes; with the plain default
// token (`co_await db.async_get_item(req)`) they would be thrown as boost::system::system_error.
constexpr auto tuple = asio::as_tuple(asio::deferred);

void check(error_code ec, const diagnostics& diag, const char* what) {
    if (!ec)
        return;
    std::fprintf(stderr, "%s failed: %s", what, ec.message().c_str());
    if (!diag.service_message.empty())
        std::fprintf(stderr, " (%s)", diag.service_message.c_str());
    if (!diag.client_message.empty())
        std::fprintf(stderr, " [%s]", diag.client_message.c_str());
    std::fprintf(stderr, "\n");
    throw boost::system::system_error(ec);
}

asio::awaitable<void> wait_until_active(client& db, const std::string& table) {
    diagnostics diag;
    describe_table_request describe{table};
    for (;;) {
        auto [ec, res] = co_await db.async_describe_table(describe, diag, tuple);
        check(ec, diag, "DescribeTable");
        if (res.table.table_status == table_status::active)
            co_return;
        asio::steady_timer t(co_await asio::this_coro::executor, 100ms);
        co_await t.async_wait(asio::deferred);
    }
}

asio::awaitable<void> run(client& db, std::string table) {
    diagnostics diag;

    create_table_request create;
    create.table_name = table;
    create.attribute_definitions = {{"pk", scalar_attribute_type::string},
                                    {"sk", scalar_attribute_type::string}};
    create.key_schema = {{"pk", key_type::hash}, {"sk", key_type::range}};
    create.billing_mode = billing_mode::pay_per_request;
    auto [cec, created] = co_await db.async_create_table(create, diag, tuple);
    check(cec, diag, "CreateTable");
    co_await wait_until_active(db, table);
    std::printf("created table %s\n", created.table_description.table_name.c_str());

    // Create-if-absent: the second attempt must fail with conditional_check_failed.
    put_item_request put;
    put.table_name = table;
    put.item = {{"pk", attribute_value::string("jobs")},
                {"sk", attribute_value::string("nightly-report")},
                {"owner", attribute_value::string("worker-1")},
                {"version", attribute_value::number(1)}};
    put.condition_expression = "attribute_not_exists(#pk)";
    put.expression_attribute_names = {{"#pk", "pk"}};
    auto [p1, r1] = co_await db.async_put_item(put, diag, tuple);
    check(p1, diag, "PutItem");
    auto [p2, r2] = co_await db.async_put_item(put, diag, tuple);
    std::printf("create-if-absent: first %s, second %s\n", p1 ? p1.message().c_str() : "ok",
                p2 == service_errc::conditional_check_failed ? "refused (conditional check failed)"
                                                             : "UNEXPECTED");
    if (p2 != service_errc::conditional_check_failed)
        throw std::runtime_error("the second create-if-absent should have failed");

    // Compare-and-swap on the version: the building block of a lease renewal.
    update_item_request bump;
    bump.table_name = table;
    bump.key = {{"pk", attribute_value::string("jobs")}, {"sk", attribute_value::string("nightly-report")}};
    bump.update_expression = "SET #v = #v + :one";
    bump.condition_expression = "#v = :expected";
    bump.expression_attribute_names = {{"#v", "version"}};
    bump.expression_attribute_values = {{":one", attribute_value::number(1)},
                                        {":expected", attribute_value::number(1)}};
    bump.return_values = return_value::all_new;
    auto [uec, updated] = co_await db.async_update_item(bump, diag, tuple);
    check(uec, diag, "UpdateItem");
    std::printf("version after compare-and-swap: %s\n",
                updated.attributes->get("version")->as_number().c_str());

    get_item_request get;
    get.table_name = table;
    get.key = bump.key;
    get.consistent_read = true;
    auto [gec, got] = co_await db.async_get_item(get, diag, tuple);
    check(gec, diag, "GetItem");
    std::printf("read back: owner=%s\n", got.item->get("owner")->as_string().c_str());

    // Ten more items, then a Query of the partition two items per page.
    for (int i = 0; i < 10; ++i) {
        put_item_request p;
        p.table_name = table;
        p.item = {{"pk", attribute_value::string("jobs")},
                  {"sk", attribute_value::string("job-" + std::to_string(i))}};
        auto [ec, r] = co_await db.async_put_item(p, diag, tuple);
        check(ec, diag, "PutItem");
    }
    query_request q;
    q.table_name = table;
    q.key_condition_expression = "#pk = :pk AND begins_with(#sk, :prefix)";
    q.expression_attribute_names = {{"#pk", "pk"}, {"#sk", "sk"}};
    q.expression_attribute_values = {{":pk", attribute_value::string("jobs")},
                                     {":prefix", attribute_value::string("job-")}};
    q.limit = 2;
    q.consistent_read = true;
    int pages = 0, items = 0;
    do {
        auto [qec, page] = co_await db.async_query(q, diag, tuple);
        check(qec, diag, "Query");
        ++pages;
        items += static_cast<int>(page.items.size());
        q.exclusive_start_key = std::move(page.last_evaluated_key);
    } while (q.exclusive_start_key);
    std::printf("query: %d items in %d pages\n", items, pages);

    delete_table_request drop{table};
    auto [dec, deleted] = co_await db.async_delete_table(drop, diag, tuple);
    check(dec, diag, "DeleteTable");
    auto stats = db.stats();
    std::printf("deleted table %s; %llu requests over %llu TCP connection(s)\n", table.c_str(),
                static_cast<unsigned long long>(stats.requests),
                static_cast<unsigned long long>(stats.tcp_connects));
}

} // namespace

int main(int argc, char** argv) {
    client_options options;
    std::string table = "dynalock-quickstart";
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
        return 78;
    }
    std::printf("endpoint %s, region %s\n", db.endpoint_url().c_str(), db.region().c_str());

    int status = 0;
    asio::co_spawn(ioc, run(db, table), [&](std::exception_ptr ep) {
        if (ep)
            status = 1;
    });
    ioc.run();
    std::printf(status ? "quickstart FAILED\n" : "quickstart done\n");
    return status;
}
