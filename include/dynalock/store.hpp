// SPDX-License-Identifier: BSL-1.0
// The key/value store: one table and one partition value of it, over a shared client. The Go dynalock
// `Store` (and dynastore's `Partition`), made awaitable.
#ifndef DYNALOCK_STORE_HPP
#define DYNALOCK_STORE_HPP

#include <dynalock/client.hpp>
#include <dynalock/config.hpp>
#include <dynalock/diagnostics.hpp>
#include <dynalock/error.hpp>
#include <dynalock/kv_pair.hpp>
#include <dynalock/lock_info.hpp>
#include <dynalock/locker.hpp>
#include <dynalock/read_options.hpp>
#include <dynalock/store_options.hpp>
#include <dynalock/table_options.hpp>
#include <dynalock/write_options.hpp>

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace dynalock {

namespace detail {

struct store_state;
using store_state_ptr = std::shared_ptr<const store_state>;

template <class... Values>
using store_handler = boost::asio::any_completion_handler<void(error_code, Values...)>;

// Compiled in lib/store.cpp.
void async_store_put(store_state_ptr st, std::string key, write_options options, bool atomic,
                     diagnostics* diag, store_handler<kv_pair> handler);
void async_store_get(store_state_ptr st, std::string key, read_options options, diagnostics* diag,
                     store_handler<kv_pair> handler);
void async_store_exists(store_state_ptr st, std::string key, read_options options, diagnostics* diag,
                        store_handler<bool> handler);
void async_store_list(store_state_ptr st, list_options options, diagnostics* diag,
                      store_handler<std::vector<kv_pair>> handler);
void async_store_list_page(store_state_ptr st, list_options options, diagnostics* diag,
                           store_handler<kv_page> handler);
void async_store_remove(store_state_ptr st, std::string key, diagnostics* diag, store_handler<> handler);
void async_store_atomic_delete(store_state_ptr st, std::string key,
                               std::optional<std::int64_t> previous_version, diagnostics* diag,
                               store_handler<> handler);
void async_store_create_table(store_state_ptr st, table_options options, diagnostics* diag,
                              store_handler<table_info> handler);
void async_store_read_lock(store_state_ptr st, std::string key, diagnostics* diag,
                           store_handler<lock_info> handler);
void async_store_list_locks(store_state_ptr st, std::string prefix, diagnostics* diag,
                            store_handler<std::vector<lock_info>> handler);
void async_store_describe_table(store_state_ptr st, diagnostics* diag, store_handler<table_info> handler);

// Calls one of the functions above with the completion handler last.
struct initiate_store_op {
    template <class Handler, class Function, class... Args>
    void operator()(Handler&& handler, Function function, Args&&... args) const {
        function(std::forward<Args>(args)..., std::forward<Handler>(handler));
    }
};

} // namespace detail

/// A key/value store: the items of one table whose partition key is one value.
///
/// A store is a cheap view (a shared pointer to its fixed configuration) over a `client&`; any number
/// of stores, on any tables and partitions, share one client and its connections. Keys are the sort key
/// values inside the partition. The default item layout is the Go dynalock's (`id`, `name`, `version`,
/// `expires`, `payload`): see store_schema and docs/store.md.
///
/// Construction never does I/O and never throws for bad configuration: a partition value or schema
/// that cannot work makes every operation fail with the matching error (see configuration_error()).
///
/// @par Operations
/// Every operation is an asynchronous function whose last argument is any Asio completion token
/// (default: `deferred`, so `co_await kv.async_get("k")` works in any coroutine). An optional
/// `diagnostics&` before the token receives the details of a failure (the client's, or what the store
/// itself found wrong in `client_message`); it must stay valid until the operation completes.
///
/// @par Errors
///  - errc::key_not_found: the key does not exist, or it has expired.
///  - errc::key_exists: atomic_put without a previous version found a live item.
///  - errc::version_mismatch: a compare-and-swap found a live item with another version.
///  - Invalid input is reported before anything is sent: errc::empty_key, key_too_large (a key over
///    1024 bytes, a partition value over 2048), invalid_utf8, item_too_large (over 400 KB),
///    invalid_argument (a non-positive TTL, a foreign page token, ...), with a message in
///    diagnostics::client_message.
///  - Anything the client reports (service_errc::..., transport errors, errc::outcome_unknown when a
///    write may or may not have been applied).
///
/// @par Expiry
/// A pair whose `expires` (epoch seconds) is at or before the store clock's current second is invisible
/// to get, exists and the listings, and atomic_put can create it anew. DynamoDB's TTL deletion is only
/// garbage collection: correctness never depends on it.
///
/// @par Per-operation cancellation
/// Through the completion handler's cancellation slot. Reads (get, exists, list, list_page, describe)
/// support terminal, partial and total cancellation: they have no side effects. Writes (put,
/// atomic_put, remove, atomic_delete, create_table) support terminal and partial cancellation: a write
/// cancelled after its request was sent may or may not have been applied (each DynamoDB write is atomic,
/// so the item is in its old or its new state). A cancelled operation completes with
/// boost::asio::error::operation_aborted.
///
/// @par Executor
/// Operations run on the client's executor; the handler runs on its associated executor (default: the
/// client's), never inside the initiating function.
///
/// @par Object lifetimes
/// Arguments are taken by value. The client must outlive every operation started through the store; the
/// store itself may be destroyed while its operations run.
///
/// @par Thread safety
/// Distinct objects: safe. Shared objects: all member functions may be called concurrently.
class store {
public:
    using executor_type = client::executor_type;

    /// A view of the items of `table` whose partition key is `partition`.
    store(client& db, std::string table, std::string partition, store_options options = {});

    const std::string& table() const noexcept;
    const std::string& partition() const noexcept;
    const store_options& options() const noexcept;
    client& get_client() const noexcept;
    executor_type get_executor() const noexcept;

    /// Why operations cannot run (an empty or oversized partition value, bad schema names), with a
    /// message; empty when they can.
    error_code configuration_error(std::string* message = nullptr) const;

    /// Writes a pair unconditionally (an upsert, dynalock's Put): sets the value and the expiry as
    /// `options` say (removing those it does not give), sets the extra attributes, and increments the
    /// version. Completes with the pair as written. `options.previous_version` must be empty: use
    /// async_atomic_put for a conditional write.
    /// Signature: `void(error_code, kv_pair)`. Cancellation: terminal, partial.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, kv_pair))
                  CompletionToken = default_completion_token_t>
    auto async_put(std::string key, write_options options, CompletionToken&& token = {}) {
        return initiate<void(error_code, kv_pair)>(token, &detail::async_store_put, state_, std::move(key),
                                                   std::move(options), false, nullptr);
    }
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, kv_pair))
                  CompletionToken = default_completion_token_t>
    auto async_put(std::string key, write_options options, diagnostics& diag, CompletionToken&& token = {}) {
        return initiate<void(error_code, kv_pair)>(token, &detail::async_store_put, state_, std::move(key),
                                                   std::move(options), false, &diag);
    }

    /// Reads a pair. A missing or expired key is errc::key_not_found.
    /// Signature: `void(error_code, kv_pair)`. Cancellation: terminal, partial, total.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, kv_pair))
                  CompletionToken = default_completion_token_t>
    auto async_get(std::string key, CompletionToken&& token = {}) {
        return initiate<void(error_code, kv_pair)>(token, &detail::async_store_get, state_, std::move(key),
                                                   read_options(), nullptr);
    }
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, kv_pair))
                  CompletionToken = default_completion_token_t>
    auto async_get(std::string key, read_options options, CompletionToken&& token = {}) {
        return initiate<void(error_code, kv_pair)>(token, &detail::async_store_get, state_, std::move(key),
                                                   std::move(options), nullptr);
    }
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, kv_pair))
                  CompletionToken = default_completion_token_t>
    auto async_get(std::string key, read_options options, diagnostics& diag, CompletionToken&& token = {}) {
        return initiate<void(error_code, kv_pair)>(token, &detail::async_store_get, state_, std::move(key),
                                                   std::move(options), &diag);
    }

    /// Whether a live pair has this key (false for a missing or expired one). Reads only the keys, the
    /// version and the expiry, not the value.
    /// Signature: `void(error_code, bool)`. Cancellation: terminal, partial, total.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, bool))
                  CompletionToken = default_completion_token_t>
    auto async_exists(std::string key, CompletionToken&& token = {}) {
        return initiate<void(error_code, bool)>(token, &detail::async_store_exists, state_, std::move(key),
                                                read_options(), nullptr);
    }
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, bool))
                  CompletionToken = default_completion_token_t>
    auto async_exists(std::string key, read_options options, CompletionToken&& token = {}) {
        return initiate<void(error_code, bool)>(token, &detail::async_store_exists, state_, std::move(key),
                                                std::move(options), nullptr);
    }
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, bool))
                  CompletionToken = default_completion_token_t>
    auto async_exists(std::string key, read_options options, diagnostics& diag,
                      CompletionToken&& token = {}) {
        return initiate<void(error_code, bool)>(token, &detail::async_store_exists, state_, std::move(key),
                                                std::move(options), &diag);
    }

    /// Lists the live pairs whose key starts with `options.prefix`, reading every page (at most
    /// `options.limit` pairs when it is set). No pair is not an error: the vector is empty.
    /// Signature: `void(error_code, std::vector<kv_pair>)`. Cancellation: terminal, partial, total.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, std::vector<kv_pair>))
                  CompletionToken = default_completion_token_t>
    auto async_list(list_options options, CompletionToken&& token = {}) {
        return initiate<void(error_code, std::vector<kv_pair>)>(token, &detail::async_store_list, state_,
                                                                std::move(options), nullptr);
    }
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, std::vector<kv_pair>))
                  CompletionToken = default_completion_token_t>
    auto async_list(list_options options, diagnostics& diag, CompletionToken&& token = {}) {
        return initiate<void(error_code, std::vector<kv_pair>)>(token, &detail::async_store_list, state_,
                                                                std::move(options), &diag);
    }

    /// Lists one page: at most `options.limit` live pairs (default_page_size when 0) from
    /// `options.page_token` on, and the token of the next page (empty at the end). The token is opaque,
    /// checked on use: a token of another listing, or a damaged one, is errc::invalid_argument.
    /// Signature: `void(error_code, kv_page)`. Cancellation: terminal, partial, total.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, kv_page))
                  CompletionToken = default_completion_token_t>
    auto async_list_page(list_options options, CompletionToken&& token = {}) {
        return initiate<void(error_code, kv_page)>(token, &detail::async_store_list_page, state_,
                                                   std::move(options), nullptr);
    }
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, kv_page))
                  CompletionToken = default_completion_token_t>
    auto async_list_page(list_options options, diagnostics& diag, CompletionToken&& token = {}) {
        return initiate<void(error_code, kv_page)>(token, &detail::async_store_list_page, state_,
                                                   std::move(options), &diag);
    }

    /// Deletes a pair unconditionally (dynalock's Delete). Deleting a missing key succeeds.
    /// Signature: `void(error_code)`. Cancellation: terminal, partial.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code)) CompletionToken = default_completion_token_t>
    auto async_remove(std::string key, CompletionToken&& token = {}) {
        return initiate<void(error_code)>(token, &detail::async_store_remove, state_, std::move(key),
                                          nullptr);
    }
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code)) CompletionToken = default_completion_token_t>
    auto async_remove(std::string key, diagnostics& diag, CompletionToken&& token = {}) {
        return initiate<void(error_code)>(token, &detail::async_store_remove, state_, std::move(key), &diag);
    }

    /// Writes a pair only if
    ///  - without `options.previous_version`: the key is absent or expired (create), else
    ///    errc::key_exists;
    ///  - with it: the live pair has that version (compare-and-swap), else errc::version_mismatch, or
    ///    errc::key_not_found when the key is absent or expired (one extra consistent read tells which).
    /// Otherwise as async_put. Completes with the pair as written.
    /// Signature: `void(error_code, kv_pair)`. Cancellation: terminal, partial.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, kv_pair))
                  CompletionToken = default_completion_token_t>
    auto async_atomic_put(std::string key, write_options options, CompletionToken&& token = {}) {
        return initiate<void(error_code, kv_pair)>(token, &detail::async_store_put, state_, std::move(key),
                                                   std::move(options), true, nullptr);
    }
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, kv_pair))
                  CompletionToken = default_completion_token_t>
    auto async_atomic_put(std::string key, write_options options, diagnostics& diag,
                          CompletionToken&& token = {}) {
        return initiate<void(error_code, kv_pair)>(token, &detail::async_store_put, state_, std::move(key),
                                                   std::move(options), true, &diag);
    }

    /// Deletes a pair only if it is live and has version `previous_version` (compare-and-delete, one
    /// request). Errors: errc::version_mismatch, errc::key_not_found (absent or expired; one extra
    /// consistent read tells which), errc::invalid_argument when `previous_version` is empty or not
    /// positive (nothing is sent).
    /// Signature: `void(error_code)`. Cancellation: terminal, partial.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code)) CompletionToken = default_completion_token_t>
    auto async_atomic_delete(std::string key, std::optional<std::int64_t> previous_version,
                             CompletionToken&& token = {}) {
        return initiate<void(error_code)>(token, &detail::async_store_atomic_delete, state_, std::move(key),
                                          previous_version, nullptr);
    }
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code)) CompletionToken = default_completion_token_t>
    auto async_atomic_delete(std::string key, std::optional<std::int64_t> previous_version, diagnostics& diag,
                             CompletionToken&& token = {}) {
        return initiate<void(error_code)>(token, &detail::async_store_atomic_delete, state_, std::move(key),
                                          previous_version, &diag);
    }

    /// Creates the store's table: key schema from store_schema (both keys S), billing and indexes from
    /// `options`, then (by default) waits until it is ACTIVE and enables TTL on the expiry attribute
    /// where the server supports it. An existing table is service_errc::resource_in_use unless
    /// `options.if_not_exists`.
    /// Signature: `void(error_code, table_info)`. Cancellation: terminal, partial.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, table_info))
                  CompletionToken = default_completion_token_t>
    auto async_create_table(CompletionToken&& token = {}) {
        return initiate<void(error_code, table_info)>(token, &detail::async_store_create_table, state_,
                                                      table_options(), nullptr);
    }
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, table_info))
                  CompletionToken = default_completion_token_t>
    auto async_create_table(table_options options, CompletionToken&& token = {}) {
        return initiate<void(error_code, table_info)>(token, &detail::async_store_create_table, state_,
                                                      std::move(options), nullptr);
    }
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, table_info))
                  CompletionToken = default_completion_token_t>
    auto async_create_table(table_options options, diagnostics& diag, CompletionToken&& token = {}) {
        return initiate<void(error_code, table_info)>(token, &detail::async_store_create_table, state_,
                                                      std::move(options), &diag);
    }

    /// Describes the store's table and its TTL. A missing table is service_errc::resource_not_found.
    /// Signature: `void(error_code, table_info)`. Cancellation: terminal, partial, total.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, table_info))
                  CompletionToken = default_completion_token_t>
    auto async_describe_table(CompletionToken&& token = {}) {
        return initiate<void(error_code, table_info)>(token, &detail::async_store_describe_table, state_,
                                                      nullptr);
    }
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, table_info))
                  CompletionToken = default_completion_token_t>
    auto async_describe_table(diagnostics& diag, CompletionToken&& token = {}) {
        return initiate<void(error_code, table_info)>(token, &detail::async_store_describe_table, state_,
                                                      &diag);
    }

    /// A lock on `key` of this store (Go's `NewLock`). Lock rows are items of the store (see lock_schema);
    /// keep locks and key/value data apart by using two partitions, as the Go example does.
    locker new_lock(std::string key, lock_options options = {}) const;

    /// Reads a lock's row (strongly consistent) without acquiring it. A key without a row is
    /// errc::key_not_found. Signature: `void(error_code, lock_info)`. Cancellation: terminal, partial,
    /// total.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, lock_info))
                  CompletionToken = default_completion_token_t>
    auto async_read_lock(std::string key, CompletionToken&& token = {}) {
        return initiate<void(error_code, lock_info)>(token, &detail::async_store_read_lock, state_,
                                                     std::move(key), nullptr);
    }
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, lock_info))
                  CompletionToken = default_completion_token_t>
    auto async_read_lock(std::string key, diagnostics& diag, CompletionToken&& token = {}) {
        return initiate<void(error_code, lock_info)>(token, &detail::async_store_read_lock, state_,
                                                     std::move(key), &diag);
    }

    /// Lists the locks whose key starts with `prefix` (a strongly consistent Query of the partition,
    /// every page; never a Scan). Items that are not lock rows are skipped.
    /// Signature: `void(error_code, std::vector<lock_info>)`. Cancellation: terminal, partial, total.
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, std::vector<lock_info>))
                  CompletionToken = default_completion_token_t>
    auto async_list_locks(std::string prefix, CompletionToken&& token = {}) {
        return initiate<void(error_code, std::vector<lock_info>)>(token, &detail::async_store_list_locks,
                                                                  state_, std::move(prefix), nullptr);
    }
    template <BOOST_ASIO_COMPLETION_TOKEN_FOR(void(error_code, std::vector<lock_info>))
                  CompletionToken = default_completion_token_t>
    auto async_list_locks(std::string prefix, diagnostics& diag, CompletionToken&& token = {}) {
        return initiate<void(error_code, std::vector<lock_info>)>(token, &detail::async_store_list_locks,
                                                                  state_, std::move(prefix), &diag);
    }

private:
    template <class Signature, class CompletionToken, class... Args>
    static auto initiate(CompletionToken& token, Args&&... args) {
        return boost::asio::async_initiate<CompletionToken, Signature>(detail::initiate_store_op{}, token,
                                                                       std::forward<Args>(args)...);
    }

    friend class locker;
    detail::store_state_ptr state_;
};

} // namespace dynalock

#endif
