// SPDX-License-Identifier: BSL-1.0
// One call of a credentials provider to completion, for the providers' tests: bounded (a broken provider
// fails the test instead of hanging it), optionally cancelled (terminal) through the handler's
// cancellation slot, and checked never to complete inside async_get_credentials.
#pragma once

#include <dynalock/credentials.hpp>

#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

namespace dynalock::test {

struct provider_outcome {
    bool called = false;
    error_code ec;
    credentials creds;
    std::string message; ///< last_error_message() after the call
    std::chrono::steady_clock::duration elapsed{};
};

inline provider_outcome call_provider(credentials_provider& provider,
                                      std::optional<std::chrono::milliseconds> cancel_after = {}) {
    namespace asio = boost::asio;
    asio::io_context ioc;
    asio::cancellation_signal signal;
    asio::steady_timer timer(ioc);
    provider_outcome out;
    const auto start = std::chrono::steady_clock::now();
    provider.async_get_credentials(
        ioc.get_executor(), asio::bind_cancellation_slot(signal.slot(), [&](error_code ec, credentials c) {
            out.called = true;
            out.ec = ec;
            out.creds = std::move(c);
            out.elapsed = std::chrono::steady_clock::now() - start;
            timer.cancel();
        }));
    EXPECT_FALSE(out.called) << "the handler ran inside async_get_credentials";
    if (cancel_after) {
        timer.expires_after(*cancel_after);
        timer.async_wait([&](error_code ec) {
            if (!ec)
                signal.emit(asio::cancellation_type::terminal);
        });
    }
    ioc.run_for(std::chrono::seconds(30));
    EXPECT_TRUE(out.called) << "the provider never completed";
    out.message = provider.last_error_message();
    return out;
}

} // namespace dynalock::test
