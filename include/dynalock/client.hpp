// SPDX-License-Identifier: BSL-1.0
// The DynamoDB client: signs, sends and retries every operation over a pool of keep-alive
// connections, on the executor it was given.
#ifndef DYNALOCK_CLIENT_HPP
#define DYNALOCK_CLIENT_HPP

#include <dynalock/client_options.hpp>
#include <dynalock/config.hpp>
#include <dynalock/diagnostics.hpp>
#include <dynalock/error.hpp>
#include <dynalock/operations.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/execution_context.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>

namespace dynalock {

/// Counters of a client since it was created.
struct client_stats {
    std::uint64_t tcp_connects = 0;   ///< TCP connections opened
    std::uint64_t tls_handshakes = 0; ///< TLS handshakes completed
    std::uint64_t requests = 0;       ///< HTTP requests sent (attempts)
    std::uint64_t reused = 0;         ///< requests that went over an already open connection
    std::uint64_t retries = 0;        ///< attempts after the first
    // The lockers' DynamoDB requests (each also counted above) and their outcome.
    std::uint64_t lock_acquisitions = 0;    ///< leases granted to lockers (by a write or a local handover)
    std::uint64_t lock_local_handovers = 0; ///< of which passed on locally without a DynamoDB request
    std::uint64_t lock_acquire_writes = 0;  ///< acquiring writes, whether they won or not
    std::uint64_t lock_reads = 0;           ///< consistent reads of lock rows (polling, resolving)
    std::uint64_t lock_waiter_marks = 0;    ///< writes of the waiter mark (setting and clearing it)
    std::uint64_t lock_heartbeats = 0;      ///< renewals
    std::uint64_t lock_releases = 0;        ///< release writes
};

namespace detail {

class client_impl;
struct client_access;

template <class Request>
struct response_of;
template <>
struct response_of<get_item_request> {
    using type = get_item_response;
};
template <>
struct response_of<put_item_request> {
    using type = put_item_response;
};
template <>
struct response_of<update_item_request> {
    using type = update_item_response;
};
template <>
struct response_of<delete_item_request> {
    using type = delete_item_response;
};
template <>
struct response_of<query_request> {
    using type = query_response;
};
template <>
struct response_of<scan_request> {
    using type = scan_response;
};
template <>
struct response_of<batch_get_item_request> {
    using type = batch_get_item_response;
};
template <>
struct response_of<batch_write_item_request> {
    using type = batch_write_item_response;
};
template <>
struct response_of<transact_write_items_request> {
    using type = transact_write_items_response;
};
template <>
struct response_of<create_table_request> {
    using type = create_table_response;
};
template <>
struct response_of<describe_table_request> {
    using type = describe_table_response;
};
template <>
struct response_of<delete_table_request> {
    using type = delete_table_response;
};
template <>
struct response_of<update_time_to_live_request> {
    using type = update_time_to_live_response;
};
template <>
struct response_of<describe_time_to_live_request> {
    using type = describe_time_to_live_response;
};

template <class Request>
using response_t = typename response_of<Request>::type;

// Compiled once in lib/client.cpp for every request type above.
template <class Request>
void async_execute_erased(std::shared_ptr<client_impl> impl, Request req, diagnostics* diag,
                          boost::asio::any_completion_handler<void(error_code, response_t<Request>)> handler);

struct initiate_execute {
    template <class Handler, class Request>
    void operator()(Handler&& handler, std::shared_ptr<client_impl> impl, Request req,
                    diagnostics* diag) const {
        async_execute_erased<Request>(std::move(impl), std::move(req), diag, std::forward<Handler>(handler));
    }
};

} // namespace detail

/// An asynchronous DynamoDB client.
///
/// Construction never does I/O and never throws for bad configuration: a bad endpoint, a missing
/// region or unusable TLS settings make every operation fail with the matching error code (see
/// configuration_error()). Credentials are fetched on first use.
///
/// @par Operations
/// Every operation is an asynchronous function `async_<operation>(request[, diagnostics&], token)`
/// whose handler signature is `void(error_code, <operation>_response)`. Any Asio completion token
/// works: `co_await` (the default token is `deferred`), `use_awaitable`, callbacks, `use_future`,
/// `as_tuple(...)`. Errors are reported as `error_code`s (dynalock::errc, dynalock::service_errc,
/// or operation_aborted after cancellation); exceptions only arise where the token makes them.
///
/// @par Retries
/// Throttling and transient failures are retried (retry_options). A write that is not idempotent
/// (a conditional write, any UpdateItem) is never resent after a failure that may have reached the
/// server (a timeout or broken connection after sending, a 5xx): it fails with errc::outcome_unknown.
///
/// @par Per-operation cancellation
/// All operations support terminal, partial and total cancellation. Cancelling before the request is
/// sent has no side effect. Cancelling after it was sent abandons the reply (the connection is
/// closed): a read has no side effect, but a write may or may not have been applied.
///
/// @par Executor
/// Internal work runs on a strand of the client's executor. The handler runs on its associated
/// executor (default: the client's), never inside the initiating function.
///
/// @par Object lifetimes
/// Requests are taken by value. A `diagnostics&` must stay valid until the operation completes.
/// The client may be destroyed while operations run: they keep its state alive and complete.
///
/// @par Thread safety
/// Distinct objects: safe. Shared objects: all member functions may be called concurrently.
class client {
public:
    using executor_type = boost::asio::any_io_executor;

    explicit client(executor_type ex, client_options options = {});

    template <class ExecutionContext>
    requires std::is_convertible_v<ExecutionContext&, boost::asio::execution_context&>
    explicit client(ExecutionContext& ctx, client_options options = {})
        : client(executor_type(ctx.get_executor()), std::move(options)) {}

    client(client&&) noexcept;
    client& operator=(client&&) noexcept;
    /// Closes idle connections; operations still running complete normally.
    ~client();

    executor_type get_executor() const noexcept;

    /// Why operations cannot run (bad endpoint, no region, bad CA file); empty when they can.
    error_code configuration_error(std::string* message = nullptr) const;
    /// The endpoint and region operations are sent to and signed for (after resolution). When nothing names
    /// a region, the first operation asks the instance metadata service for it: until that operation has
    /// completed both are empty, and they must not be read while it runs.
    std::string endpoint_url() const;
    std::string region() const;

    client_stats stats() const noexcept;

    /// Fails new operations with errc::client_stopped and closes idle connections. Every lease held
    /// through this client is released first, in the background (its lockers report
    /// errc::lease_released); run the executor until those releases are done.
    void shutdown();

    /// Runs any operation: the request type selects it.
    template <class Request, BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, detail::response_t<Request>))
                                 CompletionToken = default_completion_token_t>
    auto async_execute(Request req, CompletionToken&& token = {}) {
        return initiate(std::move(req), nullptr, std::forward<CompletionToken>(token));
    }
    template <class Request, BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, detail::response_t<Request>))
                                 CompletionToken = default_completion_token_t>
    auto async_execute(Request req, diagnostics& diag, CompletionToken&& token = {}) {
        return initiate(std::move(req), &diag, std::forward<CompletionToken>(token));
    }

    /// GetItem. An absent item is not an error: the response's `item` is empty.
    template <class CompletionToken = default_completion_token_t>
    auto async_get_item(get_item_request req, CompletionToken&& token = {}) {
        return async_execute(std::move(req), std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_completion_token_t>
    auto async_get_item(get_item_request req, diagnostics& diag, CompletionToken&& token = {}) {
        return async_execute(std::move(req), diag, std::forward<CompletionToken>(token));
    }
    /// PutItem. A failed condition is service_errc::conditional_check_failed.
    template <class CompletionToken = default_completion_token_t>
    auto async_put_item(put_item_request req, CompletionToken&& token = {}) {
        return async_execute(std::move(req), std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_completion_token_t>
    auto async_put_item(put_item_request req, diagnostics& diag, CompletionToken&& token = {}) {
        return async_execute(std::move(req), diag, std::forward<CompletionToken>(token));
    }
    /// UpdateItem (an upsert unless a condition stops it). Never resent after an ambiguous failure.
    template <class CompletionToken = default_completion_token_t>
    auto async_update_item(update_item_request req, CompletionToken&& token = {}) {
        return async_execute(std::move(req), std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_completion_token_t>
    auto async_update_item(update_item_request req, diagnostics& diag, CompletionToken&& token = {}) {
        return async_execute(std::move(req), diag, std::forward<CompletionToken>(token));
    }
    /// DeleteItem. Deleting a missing item without a condition succeeds.
    template <class CompletionToken = default_completion_token_t>
    auto async_delete_item(delete_item_request req, CompletionToken&& token = {}) {
        return async_execute(std::move(req), std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_completion_token_t>
    auto async_delete_item(delete_item_request req, diagnostics& diag, CompletionToken&& token = {}) {
        return async_execute(std::move(req), diag, std::forward<CompletionToken>(token));
    }
    /// Query: one page; continue from `last_evaluated_key` while it is set.
    template <class CompletionToken = default_completion_token_t>
    auto async_query(query_request req, CompletionToken&& token = {}) {
        return async_execute(std::move(req), std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_completion_token_t>
    auto async_query(query_request req, diagnostics& diag, CompletionToken&& token = {}) {
        return async_execute(std::move(req), diag, std::forward<CompletionToken>(token));
    }
    /// Scan: one page; continue from `last_evaluated_key` while it is set.
    template <class CompletionToken = default_completion_token_t>
    auto async_scan(scan_request req, CompletionToken&& token = {}) {
        return async_execute(std::move(req), std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_completion_token_t>
    auto async_scan(scan_request req, diagnostics& diag, CompletionToken&& token = {}) {
        return async_execute(std::move(req), diag, std::forward<CompletionToken>(token));
    }
    /// BatchGetItem: one round; resend `unprocessed_keys` (with backoff) until empty.
    template <class CompletionToken = default_completion_token_t>
    auto async_batch_get_item(batch_get_item_request req, CompletionToken&& token = {}) {
        return async_execute(std::move(req), std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_completion_token_t>
    auto async_batch_get_item(batch_get_item_request req, diagnostics& diag, CompletionToken&& token = {}) {
        return async_execute(std::move(req), diag, std::forward<CompletionToken>(token));
    }
    /// BatchWriteItem: one round; resend `unprocessed_items` (with backoff) until empty.
    template <class CompletionToken = default_completion_token_t>
    auto async_batch_write_item(batch_write_item_request req, CompletionToken&& token = {}) {
        return async_execute(std::move(req), std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_completion_token_t>
    auto async_batch_write_item(batch_write_item_request req, diagnostics& diag,
                                CompletionToken&& token = {}) {
        return async_execute(std::move(req), diag, std::forward<CompletionToken>(token));
    }
    /// TransactWriteItems. Retries reuse one ClientRequestToken, so they are safe. A cancelled
    /// transaction is service_errc::transaction_canceled with the reasons in the diagnostics.
    template <class CompletionToken = default_completion_token_t>
    auto async_transact_write_items(transact_write_items_request req, CompletionToken&& token = {}) {
        return async_execute(std::move(req), std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_completion_token_t>
    auto async_transact_write_items(transact_write_items_request req, diagnostics& diag,
                                    CompletionToken&& token = {}) {
        return async_execute(std::move(req), diag, std::forward<CompletionToken>(token));
    }
    /// CreateTable. The table starts in CREATING: poll async_describe_table until ACTIVE.
    template <class CompletionToken = default_completion_token_t>
    auto async_create_table(create_table_request req, CompletionToken&& token = {}) {
        return async_execute(std::move(req), std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_completion_token_t>
    auto async_create_table(create_table_request req, diagnostics& diag, CompletionToken&& token = {}) {
        return async_execute(std::move(req), diag, std::forward<CompletionToken>(token));
    }
    /// DescribeTable. A missing table is service_errc::resource_not_found.
    template <class CompletionToken = default_completion_token_t>
    auto async_describe_table(describe_table_request req, CompletionToken&& token = {}) {
        return async_execute(std::move(req), std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_completion_token_t>
    auto async_describe_table(describe_table_request req, diagnostics& diag, CompletionToken&& token = {}) {
        return async_execute(std::move(req), diag, std::forward<CompletionToken>(token));
    }
    /// DeleteTable.
    template <class CompletionToken = default_completion_token_t>
    auto async_delete_table(delete_table_request req, CompletionToken&& token = {}) {
        return async_execute(std::move(req), std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_completion_token_t>
    auto async_delete_table(delete_table_request req, diagnostics& diag, CompletionToken&& token = {}) {
        return async_execute(std::move(req), diag, std::forward<CompletionToken>(token));
    }
    /// UpdateTimeToLive (dynalite does not implement it: UnknownOperationException).
    template <class CompletionToken = default_completion_token_t>
    auto async_update_time_to_live(update_time_to_live_request req, CompletionToken&& token = {}) {
        return async_execute(std::move(req), std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_completion_token_t>
    auto async_update_time_to_live(update_time_to_live_request req, diagnostics& diag,
                                   CompletionToken&& token = {}) {
        return async_execute(std::move(req), diag, std::forward<CompletionToken>(token));
    }
    /// DescribeTimeToLive.
    template <class CompletionToken = default_completion_token_t>
    auto async_describe_time_to_live(describe_time_to_live_request req, CompletionToken&& token = {}) {
        return async_execute(std::move(req), std::forward<CompletionToken>(token));
    }
    template <class CompletionToken = default_completion_token_t>
    auto async_describe_time_to_live(describe_time_to_live_request req, diagnostics& diag,
                                     CompletionToken&& token = {}) {
        return async_execute(std::move(req), diag, std::forward<CompletionToken>(token));
    }

private:
    template <class Request, class CompletionToken>
    auto initiate(Request req, diagnostics* diag, CompletionToken&& token) {
        return boost::asio::async_initiate<CompletionToken, void(error_code, detail::response_t<Request>)>(
            detail::initiate_execute{}, token, impl_, std::move(req), diag);
    }

    friend struct detail::client_access;
    std::shared_ptr<detail::client_impl> impl_;
};

} // namespace dynalock

#endif
