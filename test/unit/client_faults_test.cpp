// SPDX-License-Identifier: BSL-1.0
// The client against a scripted loopback peer: timeouts, broken and garbled replies, retries,
// ambiguity of writes, clock-skew correction, redirects, cancellation, connection reuse, logging.
#include <dynalock/dynalock.hpp>

#include "fault_peer.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/use_future.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <future>
#include <thread>

namespace asio = boost::asio;
using namespace dynalock;
using namespace std::chrono_literals;
using dynalock::test::close_connection;
using dynalock::test::fault_peer;
using dynalock::test::http_reply;
using dynalock::test::never_answer;
using dynalock::test::reply_raw;

namespace {

const std::string secret = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
const std::string session_token = "SESSIONTOKEN-1234567890-abcdefghij";

client_options options_for(const fault_peer& peer) {
    client_options o;
    o.endpoint = peer.endpoint();
    o.region = "us-east-1";
    o.credentials = make_static_credentials_provider({"AKIDEXAMPLE", secret, session_token, {}});
    o.attempt_timeout = 2s;
    o.operation_timeout = 10s;
    o.retry.transient_base = 1ms;
    o.retry.throttling_base = 5ms;
    return o;
}

get_item_request sample_get() {
    get_item_request r;
    r.table_name = "locks";
    r.key = {{"id", attribute_value::string("job-1")}};
    r.consistent_read = true;
    return r;
}

put_item_request conditional_put() {
    put_item_request r;
    r.table_name = "locks";
    r.item = {{"id", attribute_value::string("job-1")}, {"owner", attribute_value::string("me")}};
    r.condition_expression = "attribute_not_exists(#id)";
    r.expression_attribute_names = {{"#id", "id"}};
    return r;
}

const std::string item_body = R"({"Item":{"id":{"S":"job-1"},"owner":{"S":"w1"}}})";

template <class Request>
std::pair<error_code, detail::response_t<Request>> run_op(client_options o, Request req,
                                                          diagnostics* diag = nullptr) {
    asio::io_context ioc;
    client db(ioc, std::move(o));
    std::pair<error_code, detail::response_t<Request>> result;
    bool done = false;
    auto handler = [&](error_code ec, detail::response_t<Request> r) {
        result = {ec, std::move(r)};
        done = true;
    };
    if (diag)
        db.async_execute(std::move(req), *diag, handler);
    else
        db.async_execute(std::move(req), handler);
    ioc.run();
    EXPECT_TRUE(done);
    return result;
}

std::string error_body(std::string_view type, std::string_view message) {
    return std::string(R"({"__type":"com.amazonaws.dynamodb.v20120810#)") + std::string(type) +
           R"(","message":")" + std::string(message) + R"("})";
}

// Runs `n` GetItems one after the other; returns the owner read by each one that succeeded.
std::vector<std::string> sequential_gets(asio::io_context& ioc, client& db, int n) {
    std::vector<std::string> owners;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            for (int i = 0; i < n; ++i) {
                auto [ec, r] = co_await db.async_get_item(sample_get(), asio::as_tuple(asio::deferred));
                EXPECT_FALSE(ec) << ec.message();
                if (!ec && r.item)
                    owners.emplace_back(r.item->get("owner")->as_string());
            }
        },
        asio::detached);
    ioc.run();
    return owners;
}

std::string http_date(std::chrono::system_clock::time_point tp) {
    std::time_t t = std::chrono::system_clock::to_time_t(tp);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    return buf;
}

} // namespace

TEST(client_faults, unanswered_request_times_out_within_the_deadline) {
    fault_peer peer([](auto&, auto) { return never_answer(); });
    auto o = options_for(peer);
    o.attempt_timeout = 150ms;
    o.operation_timeout = 600ms;
    auto start = std::chrono::steady_clock::now();
    auto [ec, res] = run_op(o, sample_get());
    auto elapsed = std::chrono::steady_clock::now() - start;
    EXPECT_TRUE(ec == errc::attempt_timeout || ec == errc::operation_timeout) << ec.message();
    EXPECT_LT(elapsed, 600ms + 400ms);
    EXPECT_GE(peer.requests().size(), 1u);
    EXPECT_EQ(peer.connections(), peer.requests().size()); // a timed-out connection is never reused
}

TEST(client_faults, garbage_reply_is_a_malformed_response_and_is_retried_for_reads) {
    fault_peer peer([](auto&, auto) { return reply_raw("THIS IS NOT HTTP\r\n\r\n", true); });
    auto [ec, res] = run_op(options_for(peer), sample_get());
    EXPECT_EQ(ec, errc::malformed_response) << ec.message();
    EXPECT_EQ(peer.requests().size(), 4u); // DynamoDB's default: 4 attempts
    EXPECT_EQ(peer.connections(), 4u);     // a connection that carried garbage is never reused
}

TEST(client_faults, truncated_reply_is_connection_closed) {
    fault_peer peer([](auto&, auto) {
        return reply_raw("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{\"Item\":", true);
    });
    auto o = options_for(peer);
    o.retry.max_attempts = 2;
    auto [ec, res] = run_op(o, sample_get());
    EXPECT_EQ(ec, errc::connection_closed) << ec.message();
    EXPECT_EQ(peer.requests().size(), 2u);
}

TEST(client_faults, reply_over_the_size_cap_is_refused_and_not_retried) {
    std::string big = R"({"Item":{"id":{"S":")" + std::string(4096, 'x') + R"("}}})";
    fault_peer peer([&](auto&, auto) { return reply_raw(http_reply(200, big)); });
    auto o = options_for(peer);
    o.max_response_bytes = 1024;
    auto [ec, res] = run_op(o, sample_get());
    EXPECT_EQ(ec, errc::response_too_large) << ec.message();
    EXPECT_EQ(peer.requests().size(), 1u);
}

TEST(client_faults, conditional_write_is_not_resent_after_a_lost_reply) {
    fault_peer peer([](auto&, auto) { return close_connection(); });
    diagnostics diag;
    auto [ec, res] = run_op(options_for(peer), conditional_put(), &diag);
    EXPECT_EQ(ec, errc::outcome_unknown) << ec.message();
    EXPECT_EQ(peer.requests().size(), 1u);
    EXPECT_FALSE(diag.client_message.empty());
}

TEST(client_faults, server_error_on_update_is_outcome_unknown_but_reads_are_retried) {
    fault_peer peer(
        [](auto&, auto) { return reply_raw(http_reply(500, error_body("InternalServerError", "boom"))); });
    update_item_request upd;
    upd.table_name = "locks";
    upd.key = {{"id", attribute_value::string("job-1")}};
    upd.update_expression = "SET #n = #n + :one";
    upd.expression_attribute_names = {{"#n", "n"}};
    upd.expression_attribute_values = {{":one", attribute_value::number(1)}};
    auto [uec, ures] = run_op(options_for(peer), upd);
    EXPECT_EQ(uec, errc::outcome_unknown) << uec.message();
    EXPECT_EQ(peer.requests().size(), 1u);

    auto [gec, gres] = run_op(options_for(peer), sample_get());
    EXPECT_EQ(gec, service_errc::internal_server_error) << gec.message();
    EXPECT_EQ(peer.requests().size(), 1u + 4u);
}

TEST(client_faults, throttling_is_retried_until_success) {
    fault_peer peer([](auto&, std::size_t i) {
        if (i < 2)
            return reply_raw(
                http_reply(400, error_body("ProvisionedThroughputExceededException", "slow down")));
        return reply_raw(http_reply(200, item_body));
    });
    asio::io_context ioc;
    client db(ioc, options_for(peer));
    error_code ec;
    get_item_response res;
    db.async_get_item(sample_get(), [&](error_code e, get_item_response r) {
        ec = e;
        res = std::move(r);
    });
    ioc.run();
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_TRUE(res.item);
    EXPECT_EQ(res.item->get("owner")->as_string(), "w1");
    EXPECT_EQ(db.stats().retries, 2u);
    EXPECT_EQ(peer.requests().size(), 3u);
}

TEST(client_faults, failed_condition_hands_back_the_current_item) {
    fault_peer peer([](auto&, auto) {
        return reply_raw(http_reply(
            400,
            R"({"__type":"com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",)"
            R"("message":"The conditional request failed","Item":{"id":{"S":"job-1"},"owner":{"S":"w2"}}})"));
    });
    auto put = conditional_put();
    put.return_values_on_condition_check_failure = return_value::all_old;
    diagnostics diag;
    auto [ec, res] = run_op(options_for(peer), put, &diag);
    EXPECT_EQ(ec, service_errc::conditional_check_failed) << ec.message();
    ASSERT_TRUE(diag.condition_failure_item.has_value());
    EXPECT_EQ(diag.condition_failure_item->get("owner")->as_string(), "w2");
    EXPECT_EQ(peer.requests().size(), 1u);
}

TEST(client_faults, checksum_mismatch_is_retried_for_reads) {
    fault_peer peer([](auto&, std::size_t i) {
        if (i == 0)
            return reply_raw(http_reply(200, item_body, {"x-amz-crc32: 12345"}, false));
        return reply_raw(http_reply(200, item_body));
    });
    auto [ec, res] = run_op(options_for(peer), sample_get());
    EXPECT_FALSE(ec) << ec.message();
    EXPECT_EQ(peer.requests().size(), 2u);
}

TEST(client_faults, checksum_mismatch_on_a_conditional_write_is_outcome_unknown) {
    fault_peer peer([](auto&, auto) { return reply_raw(http_reply(200, "{}", {"x-amz-crc32: 1"}, false)); });
    auto [ec, res] = run_op(options_for(peer), conditional_put());
    EXPECT_EQ(ec, errc::outcome_unknown) << ec.message();
    EXPECT_EQ(peer.requests().size(), 1u);
}

TEST(client_faults, clock_skew_is_corrected_from_the_date_header_and_resent) {
    auto server_now = std::chrono::system_clock::now() + 1h;
    fault_peer peer([&](auto&, std::size_t i) {
        if (i == 0)
            return reply_raw(http_reply(
                400,
                R"json({"__type":"com.amazon.coral.service#InvalidSignatureException","message":"Signature expired: 20240805T055512Z is now earlier than 20240805T061917Z (20240805T063417Z - 15 min.)"})json",
                {"Date: " + http_date(server_now)}));
        return reply_raw(http_reply(200, item_body));
    });
    auto [ec, res] = run_op(options_for(peer), sample_get());
    ASSERT_FALSE(ec) << ec.message();
    auto reqs = peer.requests();
    ASSERT_EQ(reqs.size(), 2u);
    // X-Amz-Date is YYYYMMDDTHHMMSSZ; the resent one must be about an hour later.
    auto hhmm = [](const std::string& d) {
        return std::stoi(d.substr(9, 2)) * 60 + std::stoi(d.substr(11, 2));
    };
    int diff = (hhmm(reqs[1].amz_date) - hhmm(reqs[0].amz_date) + 24 * 60) % (24 * 60);
    EXPECT_NEAR(diff, 60, 2) << reqs[0].amz_date << " -> " << reqs[1].amz_date;
}

// A provider counting its calls, handing out a new session token each time.
class counting_provider : public sync_credentials_provider {
public:
    int calls = 0;

protected:
    boost::system::result<credentials> load(std::string&) override {
        ++calls;
        return credentials{"AKIDEXAMPLE", secret, "TOKEN-" + std::to_string(calls), std::nullopt};
    }
};

TEST(client_faults, credentials_are_fetched_once_and_again_when_the_service_says_they_expired) {
    // Requests 0-2 succeed; request 3 is refused with ExpiredTokenException, then succeeds when resent.
    fault_peer peer([](auto&, std::size_t index) {
        if (index == 3)
            return reply_raw(
                http_reply(400, error_body("ExpiredTokenException", "The security token expired")));
        return reply_raw(http_reply(200, item_body));
    });
    auto provider = std::make_shared<counting_provider>();
    auto o = options_for(peer);
    o.credentials = provider;
    asio::io_context ioc;
    client db(ioc, o);
    EXPECT_EQ(sequential_gets(ioc, db, 3), std::vector<std::string>(3, "w1"));
    EXPECT_EQ(provider->calls, 1); // cached between requests
    ioc.restart();
    EXPECT_EQ(sequential_gets(ioc, db, 1), std::vector<std::string>(1, "w1"));
    EXPECT_EQ(provider->calls, 2); // fetched again after the rejection
    EXPECT_EQ(peer.requests().size(), 5u);
}

TEST(client_faults, redirects_are_not_followed) {
    fault_peer peer([](auto&, auto) {
        return reply_raw("HTTP/1.1 301 Moved\r\nLocation: http://127.0.0.1:1/\r\nContent-Length: 0\r\n\r\n");
    });
    auto [ec, res] = run_op(options_for(peer), sample_get());
    EXPECT_EQ(ec, errc::unexpected_redirect) << ec.message();
    EXPECT_EQ(peer.requests().size(), 1u);
}

class client_cancellation : public ::testing::TestWithParam<asio::cancellation_type> {};

TEST_P(client_cancellation, aborts_a_pending_operation_at_once) {
    fault_peer peer([](auto&, auto) { return never_answer(); });
    asio::io_context ioc;
    client db(ioc, options_for(peer));
    asio::cancellation_signal cancel;
    error_code ec;
    auto start = std::chrono::steady_clock::now();
    db.async_get_item(sample_get(),
                      asio::bind_cancellation_slot(cancel.slot(), [&](error_code e, auto) { ec = e; }));
    asio::steady_timer timer(ioc, 100ms);
    timer.async_wait([&](error_code) { cancel.emit(GetParam()); });
    ioc.run();
    EXPECT_EQ(ec, asio::error::operation_aborted) << ec.message();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
}

INSTANTIATE_TEST_SUITE_P(every_type, client_cancellation,
                         ::testing::Values(asio::cancellation_type::terminal,
                                           asio::cancellation_type::partial, asio::cancellation_type::total));

TEST(client_faults, cancellation_during_backoff_is_reported_as_aborted) {
    // Throttled, so the client sleeps before retrying: cancel during that sleep.
    fault_peer peer([](auto&, auto) {
        return reply_raw(http_reply(400, error_body("ThrottlingException", "slow down")));
    });
    auto o = options_for(peer);
    o.retry.throttling_base = 10s;
    asio::io_context ioc;
    client db(ioc, o);
    asio::cancellation_signal cancel;
    error_code ec;
    db.async_get_item(sample_get(),
                      asio::bind_cancellation_slot(cancel.slot(), [&](error_code e, auto) { ec = e; }));
    asio::steady_timer timer(ioc, 100ms);
    timer.async_wait([&](error_code) { cancel.emit(asio::cancellation_type::partial); });
    auto start = std::chrono::steady_clock::now();
    ioc.run();
    EXPECT_EQ(ec, asio::error::operation_aborted) << ec.message();
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(client_faults, sequential_requests_reuse_one_connection) {
    fault_peer peer([](auto&, auto) { return reply_raw(http_reply(200, item_body)); });
    asio::io_context ioc;
    client db(ioc, options_for(peer));
    EXPECT_EQ(sequential_gets(ioc, db, 10), std::vector<std::string>(10, "w1"));
    EXPECT_EQ(peer.connections(), 1u);
    EXPECT_EQ(db.stats().tcp_connects, 1u);
    EXPECT_EQ(db.stats().reused, 9u);
}

TEST(client_faults, one_client_serves_many_threads_on_every_kind_of_executor) {
    // The client keeps its state on a strand of the executor it is given: of the io_context's own
    // executor when it is one (the first case), of the type-erased executor otherwise (a thread pool, a
    // caller's strand). Many operations in flight on two threads at once: without the strand the pool's
    // bookkeeping would race (and the counts below would drift, or the process crash).
    fault_peer peer([](auto&, auto) { return reply_raw(http_reply(200, item_body)); });
    constexpr int operations = 1000;
    auto concurrent_gets = [&](asio::any_io_executor ex) {
        client db(ex, options_for(peer));
        std::vector<std::future<get_item_response>> results;
        for (int i = 0; i < operations; ++i)
            results.push_back(db.async_get_item(sample_get(), asio::use_future));
        int found = 0;
        for (auto& f : results)
            found += f.get().item.has_value();
        const auto stats = db.stats();
        EXPECT_EQ(stats.requests, static_cast<std::uint64_t>(operations));
        EXPECT_EQ(stats.reused + stats.tcp_connects, static_cast<std::uint64_t>(operations));
        return found;
    };
    auto on_two_threads = [&](auto make_executor) {
        asio::io_context ioc;
        auto guard = asio::make_work_guard(ioc);
        std::thread a([&] { ioc.run(); });
        std::thread b([&] { ioc.run(); });
        EXPECT_EQ(concurrent_gets(make_executor(ioc)), operations);
        guard.reset();
        a.join();
        b.join();
    };
    on_two_threads([](asio::io_context& ioc) { return asio::any_io_executor(ioc.get_executor()); });
    on_two_threads([](asio::io_context& ioc) { return asio::any_io_executor(asio::make_strand(ioc)); });
    asio::thread_pool threads(2);
    EXPECT_EQ(concurrent_gets(threads.get_executor()), operations);
    threads.join();
}

TEST(client_faults, chunked_reply_is_read_whole_and_the_connection_kept) {
    // DynamoDB sends Content-Length, but a proxy in between may re-frame the body in chunks.
    const std::string body = item_body;
    const auto half = body.size() / 2;
    auto hex = [](std::size_t n) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%zx", n);
        return std::string(buf);
    };
    const std::string reply = "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\n"
                              "Transfer-Encoding: chunked\r\nx-amz-crc32: " +
                              std::to_string(core::crc32(body)) + "\r\n\r\n" + hex(half) + "\r\n" +
                              body.substr(0, half) + "\r\n" + hex(body.size() - half) + "\r\n" +
                              body.substr(half) + "\r\n0\r\n\r\n";
    fault_peer peer([&](auto&, auto) { return reply_raw(reply); });
    asio::io_context ioc;
    client db(ioc, options_for(peer));
    EXPECT_EQ(sequential_gets(ioc, db, 2), std::vector<std::string>(2, "w1"));
    EXPECT_EQ(peer.connections(), 1u);
    EXPECT_EQ(db.stats().reused, 1u);
}

TEST(client_faults, interim_replies_before_the_final_one_are_skipped) {
    // 100 Continue and 103 Early Hints may precede the answer. Were one taken for the answer, a write the
    // server applied would be reported as failed, and the real reply would be left for the next request.
    const std::string interim = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n";
    fault_peer peer([&](auto&, auto) { return reply_raw(interim + http_reply(200, item_body)); });
    asio::io_context ioc;
    client db(ioc, options_for(peer));
    EXPECT_EQ(sequential_gets(ioc, db, 3), std::vector<std::string>(3, "w1"));
    EXPECT_EQ(peer.connections(), 1u);
    auto [ec, res] = run_op(options_for(peer), conditional_put());
    EXPECT_FALSE(ec) << ec.message();
}

TEST(client_faults, endless_interim_replies_are_a_malformed_response) {
    std::string interim;
    for (int i = 0; i < 20; ++i)
        interim += "HTTP/1.1 100 Continue\r\n\r\n";
    fault_peer peer([&](auto&, auto) { return reply_raw(interim + http_reply(200, item_body)); });
    auto o = options_for(peer);
    o.retry.max_attempts = 2;
    auto [ec, res] = run_op(o, sample_get());
    EXPECT_EQ(ec, errc::malformed_response) << ec.message();
    EXPECT_EQ(peer.requests().size(), 2u);
}

TEST(client_faults, reply_saying_connection_close_is_not_reused) {
    // The peer leaves the socket open after "Connection: close": only the header tells the client not to
    // send on it again.
    fault_peer peer([](auto&, auto) { return reply_raw(http_reply(200, item_body, {"Connection: close"})); });
    asio::io_context ioc;
    client db(ioc, options_for(peer));
    EXPECT_EQ(sequential_gets(ioc, db, 3), std::vector<std::string>(3, "w1"));
    EXPECT_EQ(peer.connections(), 3u);
    EXPECT_EQ(db.stats().reused, 0u);
    EXPECT_EQ(db.stats().tcp_connects, 3u);
}

TEST(client_faults, idle_connection_closed_by_the_server_is_replaced) {
    // The peer closes each connection after answering, without saying so (no Connection: close),
    // as servers do with idle keep-alive connections.
    fault_peer peer([](auto&, auto) { return reply_raw(http_reply(200, item_body), true); });
    asio::io_context ioc;
    client db(ioc, options_for(peer));
    int ok = 0;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            for (int i = 0; i < 3; ++i) {
                auto [ec, r] = co_await db.async_put_item(conditional_put(), asio::as_tuple(asio::deferred));
                EXPECT_FALSE(ec) << ec.message();
                ok += !ec;
                // The precondition of this test: the peer has closed the idle connection before the
                // next request. Wait for that (bounded), not for a fixed time.
                for (int spin = 0; spin < 1000 && peer.closed_by_peer() < std::size_t(i + 1); ++spin) {
                    asio::steady_timer t(co_await asio::this_coro::executor, 1ms);
                    co_await t.async_wait(asio::deferred);
                }
            }
        },
        asio::detached);
    ioc.run();
    EXPECT_EQ(ok, 3);
    EXPECT_EQ(peer.requests().size(), 3u);
    EXPECT_EQ(db.stats().tcp_connects, 3u);
}

TEST(client_faults, invalid_input_is_refused_before_any_request) {
    fault_peer peer([](auto&, auto) { return reply_raw(http_reply(200, "{}")); });
    auto req = sample_get();
    req.table_name = "x"; // too short
    diagnostics diag;
    auto [ec, res] = run_op(options_for(peer), req, &diag);
    EXPECT_EQ(ec, errc::invalid_table_name);
    EXPECT_FALSE(diag.client_message.empty());

    auto bad_utf8 = conditional_put();
    bad_utf8.item.insert_or_assign("owner", attribute_value::string(std::string("\xC3\x28", 2)));
    auto [ec2, res2] = run_op(options_for(peer), bad_utf8);
    EXPECT_EQ(ec2, errc::invalid_utf8);
    EXPECT_EQ(peer.requests().size(), 0u);
}

TEST(client_faults, plain_http_to_a_remote_host_is_refused_unless_allowed) {
    asio::io_context ioc;
    client_options o;
    o.endpoint = "http://dynamodb.example.com";
    o.region = "us-east-1";
    client db(ioc, o);
    std::string why;
    EXPECT_EQ(db.configuration_error(&why), errc::insecure_endpoint);
    EXPECT_FALSE(why.empty());
    auto [ec, res] = [&] {
        std::pair<error_code, get_item_response> r;
        db.async_get_item(sample_get(), [&](error_code e, get_item_response x) { r = {e, std::move(x)}; });
        ioc.run();
        return r;
    }();
    EXPECT_EQ(ec, errc::insecure_endpoint);

    o.allow_insecure_http = true;
    client allowed(ioc, o);
    EXPECT_FALSE(allowed.configuration_error());
}

TEST(client_faults, trace_logs_never_contain_secrets) {
    fault_peer peer([](auto&, auto) { return reply_raw(http_reply(200, item_body)); });
    auto o = options_for(peer);
    std::vector<std::string> lines;
    o.log.level = log_level::trace;
    o.log.sink = [&](log_level, std::string_view line) { lines.emplace_back(line); };
    auto [ec, res] = run_op(o, sample_get());
    ASSERT_FALSE(ec) << ec.message();
    ASSERT_FALSE(lines.empty());
    auto reqs = peer.requests();
    ASSERT_EQ(reqs.size(), 1u);
    auto sig_pos = reqs[0].authorization.find("Signature=");
    ASSERT_NE(sig_pos, std::string::npos);
    auto signature = reqs[0].authorization.substr(sig_pos + 10);
    ASSERT_EQ(signature.size(), 64u);
    bool saw_authorization = false;
    for (const auto& line : lines) {
        EXPECT_EQ(line.find(secret), std::string::npos) << line;
        EXPECT_EQ(line.find(session_token), std::string::npos) << line;
        EXPECT_EQ(line.find(signature), std::string::npos) << line;
        saw_authorization |= line.find("Authorization") != std::string::npos;
    }
    EXPECT_TRUE(saw_authorization); // the header is logged, redacted
}

TEST(client_faults, every_completion_token_style_works) {
    fault_peer peer([](auto&, auto) { return reply_raw(http_reply(200, item_body)); });
    asio::io_context ioc;
    client db(ioc, options_for(peer));
    int completions = 0;

    // callback
    db.async_get_item(sample_get(),
                      [&](error_code ec, get_item_response r) { completions += !ec && r.item; });
    // deferred (the default) and use_awaitable, inside a coroutine; as_tuple
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            auto r1 = co_await db.async_get_item(sample_get());
            completions += r1.item.has_value();
            auto r2 = co_await db.async_get_item(sample_get(), asio::use_awaitable);
            completions += r2.item.has_value();
            auto [ec, r3] = co_await db.async_get_item(sample_get(), asio::as_tuple(asio::use_awaitable));
            completions += !ec && r3.item;
            // deferred: nothing runs until it is awaited
            auto op = db.async_get_item(sample_get(), asio::deferred);
            auto r4 = co_await std::move(op);
            completions += r4.item.has_value();
        },
        asio::detached);
    ioc.run();
    ioc.restart();

    // use_future, with the io_context on another thread
    auto fut = db.async_get_item(sample_get(), asio::use_future);
    std::thread runner([&] { ioc.run(); });
    auto r5 = fut.get();
    runner.join();
    completions += r5.item.has_value();
    EXPECT_EQ(completions, 6);

    // errors surface as exceptions only where the token makes them
    ioc.restart();
    auto bad = sample_get();
    bad.table_name = "";
    bool threw = false;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            try {
                co_await db.async_get_item(bad);
            } catch (const boost::system::system_error& e) {
                threw = e.code() == errc::invalid_table_name || e.code() == errc::invalid_argument;
            }
        },
        asio::detached);
    ioc.run();
    EXPECT_TRUE(threw);
}
