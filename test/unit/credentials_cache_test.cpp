// SPDX-License-Identifier: BSL-1.0
// The client's credentials cache: one provider call for many waiting operations, refreshes in the
// background that hold nobody up, failures that keep usable credentials, deadlines, cancellation; and the
// same through a client against a loopback server.
#include <dynalock/client.hpp>

#include "credentials/credentials_cache.hpp"
#include "support/services/http_test_server.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace dynalock;
using namespace std::chrono_literals;
using detail::credentials_cache;

credentials make_credentials(int n, std::optional<std::chrono::system_clock::duration> lifetime = std::nullopt) {
    credentials c{"AKIDTEST" + std::to_string(n), "secret-" + std::to_string(n), "token-" + std::to_string(n),
                  std::nullopt};
    if (lifetime)
        c.expiration = std::chrono::system_clock::now() + *lifetime;
    return c;
}

// A provider whose calls stay pending until the test settles them; it records cancellations.
class gated_provider final : public credentials_provider {
public:
    struct call {
        asio::any_io_executor ex;
        asio::any_completion_handler<void(error_code, credentials)> handler;
        bool settled = false;
    };

    void async_get_credentials(asio::any_io_executor ex,
                               asio::any_completion_handler<void(error_code, credentials)> handler) override {
        auto slot = asio::get_associated_cancellation_slot(handler);
        auto index = calls.size();
        calls.push_back(std::make_shared<call>(call{ex, std::move(handler)}));
        if (slot.is_connected()) {
            slot.assign([this, index](asio::cancellation_type) {
                ++cancellations;
                settle(index, asio::error::operation_aborted, {});
            });
        }
    }

    void settle(std::size_t index, error_code ec, credentials creds) {
        auto& c = *calls.at(index);
        if (c.settled)
            return;
        c.settled = true;
        asio::post(c.ex, asio::append(std::move(c.handler), ec, std::move(creds)));
    }

    std::string last_error_message() const override { return "gated provider: no luck"; }

    std::vector<std::shared_ptr<call>> calls;
    int cancellations = 0;
};

struct cache_fixture : testing::Test {
    asio::io_context ioc;
    asio::any_io_executor strand = asio::make_strand(ioc);
    std::shared_ptr<gated_provider> provider = std::make_shared<gated_provider>();

    std::shared_ptr<credentials_cache> make_cache(credentials_cache::settings s = {}) {
        return std::make_shared<credentials_cache>(strand, provider, std::move(s));
    }

    // Runs the io_context until `done` holds (or 20 s pass: then the test fails).
    template <class Pred>
    void run_until(Pred done) {
        auto until = std::chrono::steady_clock::now() + 20s;
        while (!done() && std::chrono::steady_clock::now() < until) {
            ioc.restart();
            ioc.run_for(10ms);
        }
        ASSERT_TRUE(done()) << "timed out";
    }
};

struct wait_result {
    bool done = false;
    error_code ec;
    credentials_cache::credentials_ptr creds;
    std::string message;
};

void spawn_wait(asio::any_io_executor strand, std::shared_ptr<credentials_cache> cache, wait_result& out,
                std::chrono::steady_clock::duration within = 30s, asio::cancellation_slot slot = {}) {
    asio::co_spawn(
        strand,
        [cache, &out, within]() -> asio::awaitable<void> {
            auto [ec, c] = co_await cache->wait(std::chrono::steady_clock::now() + within, out.message);
            out.ec = ec;
            out.creds = std::move(c);
            out.done = true;
        },
        asio::bind_cancellation_slot(slot, [](std::exception_ptr ep) {
            if (ep)
                std::rethrow_exception(ep);
        }));
}

TEST_F(cache_fixture, sixty_four_waiters_share_one_provider_call) {
    auto cache = make_cache();
    std::vector<wait_result> results(64);
    for (auto& r : results)
        spawn_wait(strand, cache, r);
    run_until([&] { return provider->calls.size() == 1; });
    ioc.restart();
    ioc.poll();
    EXPECT_EQ(provider->calls.size(), 1u);
    provider->settle(0, {}, make_credentials(1));
    run_until([&] {
        for (auto& r : results)
            if (!r.done)
                return false;
        return true;
    });
    for (auto& r : results) {
        ASSERT_FALSE(r.ec) << r.message;
        EXPECT_EQ(r.creds, results[0].creds);
        EXPECT_EQ(r.creds->access_key_id, "AKIDTEST1");
    }
    EXPECT_EQ(cache->provider_calls(), 1u);
}

TEST_F(cache_fixture, a_background_refresh_holds_no_request_up) {
    credentials_cache::settings s;
    s.windows.advisory_fraction = 1.0; // due as soon as fetched
    s.windows.advisory = std::chrono::hours(2);
    auto cache = make_cache(s);
    wait_result first;
    spawn_wait(strand, cache, first);
    run_until([&] { return provider->calls.size() == 1; });
    provider->settle(0, {}, make_credentials(1, std::chrono::hours(1)));
    run_until([&] { return first.done; });
    ASSERT_FALSE(first.ec);

    // 64 requests while the background refresh is pending: every one signs at once with what is held.
    int served = 0;
    asio::post(strand, [&] {
        for (int i = 0; i < 64; ++i)
            if (auto c = cache->try_get(); c && c->access_key_id == "AKIDTEST1")
                ++served;
    });
    run_until([&] { return served == 64; });
    EXPECT_EQ(provider->calls.size(), 2u) << "one background refresh, not one per request";

    provider->settle(1, {}, make_credentials(2, std::chrono::hours(1)));
    std::string key;
    run_until([&] {
        asio::post(strand, [&] {
            if (auto c = cache->try_get())
                key = c->access_key_id;
        });
        return key == "AKIDTEST2";
    });
}

TEST_F(cache_fixture, a_failed_background_refresh_keeps_the_usable_credentials_and_backs_off) {
    credentials_cache::settings s;
    s.windows.advisory_fraction = 1.0;
    s.windows.advisory = std::chrono::hours(2);
    s.windows.first_backoff = 60s;
    auto cache = make_cache(s);
    wait_result first;
    spawn_wait(strand, cache, first);
    run_until([&] { return provider->calls.size() == 1; });
    provider->settle(0, {}, make_credentials(1, std::chrono::hours(1)));
    run_until([&] { return first.done; });

    bool got = false;
    asio::post(strand, [&] { got = cache->try_get() != nullptr; });
    run_until([&] { return got && provider->calls.size() == 2; });
    provider->settle(1, make_error_code(errc::credentials_rejected), {});
    int served = 0;
    run_until([&] {
        asio::post(strand, [&] {
            if (auto c = cache->try_get(); c && c->access_key_id == "AKIDTEST1")
                ++served;
        });
        return served >= 20;
    });
    EXPECT_EQ(provider->calls.size(), 2u) << "a failed refresh is not retried before its backoff";
}

TEST_F(cache_fixture, a_hung_provider_is_cancelled_at_its_deadline) {
    credentials_cache::settings s;
    s.timeout = 200ms;
    auto cache = make_cache(s);
    wait_result r;
    auto start = std::chrono::steady_clock::now();
    spawn_wait(strand, cache, r);
    run_until([&] { return r.done; });
    auto took = std::chrono::steady_clock::now() - start;
    EXPECT_EQ(r.ec, errc::credentials_timeout);
    EXPECT_NE(r.message.find("did not answer within 200 ms"), std::string::npos) << r.message;
    EXPECT_EQ(provider->cancellations, 1) << "the provider call was cancelled";
    EXPECT_LT(took, 5s);
}

TEST_F(cache_fixture, an_operation_deadline_shorter_than_the_provider_timeout_wins) {
    auto cache = make_cache();
    wait_result r;
    spawn_wait(strand, cache, r, 100ms);
    run_until([&] { return r.done; });
    EXPECT_EQ(r.ec, errc::credentials_timeout);
    EXPECT_NE(r.message.find("operation deadline"), std::string::npos) << r.message;
    // The refresh itself goes on for later operations.
    wait_result later;
    spawn_wait(strand, cache, later);
    run_until([&] { return provider->calls.size() >= 1; });
    provider->settle(0, {}, make_credentials(1));
    run_until([&] { return later.done; });
    EXPECT_FALSE(later.ec);
    EXPECT_EQ(provider->calls.size(), 1u);
}

TEST_F(cache_fixture, a_cancelled_waiter_leaves_the_refresh_to_the_others) {
    auto cache = make_cache();
    asio::cancellation_signal cancel;
    wait_result cancelled, other;
    spawn_wait(strand, cache, cancelled, 30s, cancel.slot());
    spawn_wait(strand, cache, other);
    run_until([&] { return provider->calls.size() == 1; });
    asio::post(strand, [&] { cancel.emit(asio::cancellation_type::terminal); });
    run_until([&] { return cancelled.done; });
    EXPECT_EQ(cancelled.ec, asio::error::operation_aborted);
    EXPECT_FALSE(other.done);
    provider->settle(0, {}, make_credentials(1));
    run_until([&] { return other.done; });
    EXPECT_FALSE(other.ec);
    EXPECT_EQ(provider->cancellations, 0);
}

TEST_F(cache_fixture, a_failed_refresh_fails_its_waiters_and_then_fails_fast_during_the_backoff) {
    credentials_cache::settings s;
    s.windows.first_backoff = 60s;
    auto cache = make_cache(s);
    wait_result a, b;
    spawn_wait(strand, cache, a);
    spawn_wait(strand, cache, b);
    run_until([&] { return provider->calls.size() == 1; });
    provider->settle(0, make_error_code(errc::credentials_rejected), {});
    run_until([&] { return a.done && b.done; });
    EXPECT_EQ(a.ec, errc::credentials_rejected);
    EXPECT_EQ(b.ec, errc::credentials_rejected);
    EXPECT_NE(a.message.find("gated provider: no luck"), std::string::npos) << a.message;
    wait_result c;
    spawn_wait(strand, cache, c);
    run_until([&] { return c.done; });
    EXPECT_EQ(c.ec, errc::credentials_rejected);
    EXPECT_NE(c.message.find("asked again in"), std::string::npos) << c.message;
    EXPECT_EQ(provider->calls.size(), 1u);
}

TEST_F(cache_fixture, invalidated_credentials_are_replaced_before_the_next_request) {
    auto cache = make_cache();
    wait_result first;
    spawn_wait(strand, cache, first);
    run_until([&] { return provider->calls.size() == 1; });
    provider->settle(0, {}, make_credentials(1));
    run_until([&] { return first.done; });
    bool invalid_seen = false;
    asio::post(strand, [&] {
        cache->invalidate(first.creds);
        invalid_seen = cache->try_get() == nullptr;
    });
    run_until([&] { return invalid_seen; });
    wait_result second;
    spawn_wait(strand, cache, second);
    run_until([&] { return provider->calls.size() == 2; });
    provider->settle(1, {}, make_credentials(2));
    run_until([&] { return second.done; });
    ASSERT_FALSE(second.ec);
    EXPECT_EQ(second.creds->access_key_id, "AKIDTEST2");
    // Invalidating a set that was already replaced changes nothing.
    bool still = false;
    asio::post(strand, [&] {
        cache->invalidate(first.creds);
        still = cache->try_get() == second.creds;
    });
    run_until([&] { return still; });
}

TEST_F(cache_fixture, placeholders_when_none_are_found_for_a_loopback_endpoint) {
    credentials_cache::settings s;
    s.placeholder_when_none = true;
    auto cache = make_cache(s);
    wait_result r;
    spawn_wait(strand, cache, r);
    run_until([&] { return provider->calls.size() == 1; });
    provider->settle(0, make_error_code(errc::no_credentials), {});
    run_until([&] { return r.done; });
    ASSERT_FALSE(r.ec);
    EXPECT_EQ(r.creds->access_key_id, "local");
}

TEST_F(cache_fixture, empty_keys_from_a_provider_are_an_error) {
    auto cache = make_cache();
    wait_result r;
    spawn_wait(strand, cache, r);
    run_until([&] { return provider->calls.size() == 1; });
    provider->settle(0, {}, credentials{});
    run_until([&] { return r.done; });
    EXPECT_EQ(r.ec, errc::no_credentials);
}

// A provider that answers after a short pause and counts its calls (thread-safe).
class counting_provider final : public credentials_provider {
public:
    void async_get_credentials(asio::any_io_executor ex,
                               asio::any_completion_handler<void(error_code, credentials)> handler) override {
        ++calls;
        auto timer = std::make_shared<asio::steady_timer>(ex, 50ms);
        timer->async_wait([timer, h = std::move(handler), ex](error_code) mutable {
            asio::post(ex, asio::append(std::move(h), error_code{}, make_credentials(1, std::chrono::hours(1))));
        });
    }
    std::atomic<int> calls{0};
};

TEST(client_credentials, sixty_four_operations_at_start_up_make_one_provider_call) {
    test::http_test_server server([](const test::http_exchange&) {
        return test::answer(200, "{}", "application/x-amz-json-1.0");
    });
    asio::io_context ioc;
    auto provider = std::make_shared<counting_provider>();
    client_options options;
    options.endpoint = server.url();
    options.region = "us-east-1";
    options.credentials = provider;
    client db(ioc.get_executor(), options);
    int ok = 0, failed = 0;
    for (int i = 0; i < 64; ++i) {
        get_item_request req;
        req.table_name = "table";
        req.key = {{"pk", attribute_value::string("k" + std::to_string(i))}};
        db.async_get_item(req, [&](error_code ec, get_item_response) { ec ? ++failed : ++ok; });
    }
    ioc.run_for(20s);
    EXPECT_EQ(ok, 64);
    EXPECT_EQ(failed, 0);
    EXPECT_EQ(provider->calls, 1);
    // Every request was signed with the provider's credentials and token.
    auto requests = server.requests();
    ASSERT_EQ(requests.size(), 64u);
    for (auto& r : requests) {
        EXPECT_NE(r.header("authorization").find("Credential=AKIDTEST1/"), std::string::npos);
        EXPECT_EQ(r.header("x-amz-security-token"), "token-1");
    }
}

} // namespace
