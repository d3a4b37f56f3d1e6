// SPDX-License-Identifier: BSL-1.0
#include "credentials/async_provider.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/post.hpp>

#include <exception>
#include <new>

namespace dynalock::detail {

namespace asio = boost::asio;

namespace {

credentials_outcome outcome_of(std::exception_ptr ep) {
    try {
        std::rethrow_exception(ep);
    } catch (const boost::system::system_error& e) {
        return credentials_failure(e.code(), e.what());
    } catch (const std::bad_alloc&) {
        return credentials_failure(make_error_code(boost::system::errc::not_enough_memory), "out of memory");
    } catch (const std::exception& e) {
        return credentials_failure(make_error_code(boost::system::errc::state_not_recoverable), e.what());
    } catch (...) {
        return credentials_failure(make_error_code(boost::system::errc::state_not_recoverable),
                                   "unknown exception");
    }
}

} // namespace

void async_credentials_provider::async_get_credentials(
    asio::any_io_executor ex, asio::any_completion_handler<void(error_code, credentials)> handler) {
    auto slot = asio::get_associated_cancellation_slot(handler);
    auto self = shared_from_this();
    asio::co_spawn(
        ex, [self]() -> asio::awaitable<credentials_outcome> { co_return co_await self->fetch(); },
        asio::bind_cancellation_slot(slot, [self, ex, handler = std::move(handler)](
                                               std::exception_ptr ep, credentials_outcome outcome) mutable {
            if (ep)
                outcome = outcome_of(ep);
            {
                std::lock_guard lock(self->mutex_);
                self->last_error_message_ = outcome.ec ? std::move(outcome.message) : std::string();
            }
            // post() also runs the handler on its associated executor, and keeps work on it.
            asio::post(ex, asio::append(std::move(handler), outcome.ec, std::move(outcome.creds)));
        }));
}

std::string async_credentials_provider::last_error_message() const {
    std::lock_guard lock(mutex_);
    return last_error_message_;
}

} // namespace dynalock::detail
