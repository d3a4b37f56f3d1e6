// SPDX-License-Identifier: BSL-1.0
// The store: one C++20 coroutine per operation, on the client's executor. Each builds its requests with
// the sans-io core (lib/core/store_requests.hpp), sends them through the client, and turns the answers
// into pairs and the store's error codes.
#include "store_impl.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/cancellation_type.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/errc.hpp>
#include <boost/system/system_error.hpp>

#include <algorithm>
#include <exception>
#include <limits>
#include <new>

namespace dynalock {

namespace asio = boost::asio;

namespace detail {

namespace {

constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

template <class T>
using result = std::pair<error_code, T>;

// The value of an operation whose handler takes only an error code.
struct no_value {};

template <class T>
result<T> failure(error_code ec) {
    return {ec, T{}};
}

// What an operation's coroutine does first: accept the cancellation types it supports, and report
// cancellation as error codes instead of exceptions. An accepted request reaches the client's operation
// as terminal cancellation: the transport's composed operations (Beast's among them) honour only that
// type, and abandoning one request is what every accepted type means here.
asio::awaitable<void> prepare(asio::cancellation_type_t supported) {
    co_await asio::this_coro::reset_cancellation_state(
        [supported](asio::cancellation_type_t requested) { return requested & supported; },
        [](asio::cancellation_type_t accepted) {
            return accepted != asio::cancellation_type::none ? asio::cancellation_type::terminal
                                                             : asio::cancellation_type::none;
        });
    co_await asio::this_coro::throw_if_cancelled(false);
}

constexpr auto reads =
    asio::cancellation_type::terminal | asio::cancellation_type::partial | asio::cancellation_type::total;
constexpr auto writes = asio::cancellation_type::terminal | asio::cancellation_type::partial;

asio::awaitable<bool> cancelled() {
    auto state = co_await asio::this_coro::cancellation_state;
    co_return state.cancelled() != asio::cancellation_type::none;
}

// Runs an operation's coroutine on the client's executor and completes the handler with its result on
// the handler's executor (co_spawn never completes inside the initiating function).
template <class T, class... Values>
void launch(const store_state& st, asio::awaitable<result<T>> op, store_handler<Values...> handler) {
    auto slot = asio::get_associated_cancellation_slot(handler);
    auto ex = st.db->get_executor();
    auto work =
        asio::prefer(asio::get_associated_executor(handler, ex), asio::execution::outstanding_work.tracked);
    asio::co_spawn(ex, std::move(op),
                   asio::bind_cancellation_slot(slot, [handler = std::move(handler), work = std::move(work)](
                                                          std::exception_ptr ep, result<T> r) mutable {
                       if (ep) {
                           // Cancellation before the coroutine started is thrown by co_spawn's entry point;
                           // running out of memory is the only other way here. Anything else is a bug:
                           // rethrown.
                           try {
                               std::rethrow_exception(ep);
                           } catch (const boost::system::system_error& e) {
                               r.first = e.code();
                           } catch (const std::bad_alloc&) {
                               r.first = make_error_code(boost::system::errc::not_enough_memory);
                           }
                       }
                       asio::dispatch(work, [handler = std::move(handler), r = std::move(r)]() mutable {
                           if constexpr (sizeof...(Values) == 0)
                               std::move(handler)(r.first);
                           else
                               std::move(handler)(r.first, std::move(r.second));
                       });
                   }));
}

diagnostics& use_diagnostics(diagnostics* user, diagnostics& local) {
    diagnostics& d = user != nullptr ? *user : local;
    d.clear();
    return d;
}

// Why no operation of this store can run (a bad schema or table name), said in `diag`; empty when fine.
error_code configuration_error(const store_state& st, diagnostics& diag) {
    if (st.config_error)
        diag.client_message = st.config_message;
    return st.config_error;
}

// After a compare-and-swap/delete failed its condition: a consistent read of the item tells whether the
// key was missing (or expired) or had another version. The user's diagnostics keep the write's reply.
asio::awaitable<error_code> explain_version_failure(const store_state& st, const std::string& key,
                                                    std::int64_t previous_version, diagnostics& diag) {
    get_item_request get;
    std::string ignored;
    core::build_get(st.target(), key, true, core::get_projection::keys_version_expiry, get, ignored);
    diagnostics read_diag;
    auto [ec, res] = co_await st.db->async_get_item(std::move(get), read_diag, use_tuple);
    if (ec) {
        diag.client_message =
            "the version condition failed; reading the item to tell why failed too (" + ec.message() + ")";
        co_return errc::version_mismatch;
    }
    co_return core::classify_version_failure(res.item, st.options.schema, st.now_seconds(), previous_version,
                                             diag.client_message);
}

asio::awaitable<result<kv_pair>> run_put(store_state_ptr st, std::string key, write_options options,
                                         bool atomic, diagnostics* user_diag) {
    co_await prepare(writes);
    diagnostics local;
    diagnostics& diag = use_diagnostics(user_diag, local);
    if (auto ec = configuration_error(*st, diag))
        co_return failure<kv_pair>(ec);
    const auto previous_version = options.previous_version;
    // Kept to explain a failed compare-and-swap.
    std::string key_copy = atomic && previous_version ? key : std::string();
    update_item_request req;
    if (auto ec = core::build_write(st->target(), std::move(key), std::move(options),
                                    atomic ? core::write_kind::atomic_put : core::write_kind::put, st->now(),
                                    req, diag.client_message))
        co_return failure<kv_pair>(ec);

    auto [ec, res] = co_await st->db->async_update_item(std::move(req), diag, use_tuple);
    if (atomic && ec == service_errc::conditional_check_failed) {
        if (!previous_version) {
            diag.client_message = "the key exists and has not expired";
            co_return failure<kv_pair>(errc::key_exists);
        }
        co_return failure<kv_pair>(co_await explain_version_failure(*st, key_copy, *previous_version, diag));
    }
    if (ec)
        co_return failure<kv_pair>(ec);
    if (!res.attributes) {
        diag.client_message = "UpdateItem with ReturnValues=ALL_NEW returned no attributes";
        co_return failure<kv_pair>(errc::malformed_response);
    }
    kv_pair pair;
    if (auto dec =
            core::decode_pair(std::move(*res.attributes), st->options.schema, pair, diag.client_message))
        co_return failure<kv_pair>(dec);
    co_return result<kv_pair>{error_code{}, std::move(pair)};
}

// GetItem of a key; an absent or expired item is errc::key_not_found.
asio::awaitable<result<attribute_map>> read_item(const store_state& st, std::string key, bool consistent,
                                                 core::get_projection projection, diagnostics& diag) {
    get_item_request req;
    if (auto ec =
            core::build_get(st.target(), std::move(key), consistent, projection, req, diag.client_message))
        co_return failure<attribute_map>(ec);
    auto [ec, res] = co_await st.db->async_get_item(std::move(req), diag, use_tuple);
    if (ec)
        co_return failure<attribute_map>(ec);
    if (!res.item || core::is_expired(*res.item, st.options.schema, st.now_seconds())) {
        diag.client_message = "the key does not exist or has expired";
        co_return failure<attribute_map>(errc::key_not_found);
    }
    co_return result<attribute_map>{error_code{}, std::move(*res.item)};
}

asio::awaitable<result<kv_pair>> run_get(store_state_ptr st, std::string key, read_options options,
                                         diagnostics* user_diag) {
    co_await prepare(reads);
    diagnostics local;
    diagnostics& diag = use_diagnostics(user_diag, local);
    if (auto ec = configuration_error(*st, diag))
        co_return failure<kv_pair>(ec);
    auto [ec, item] = co_await read_item(*st, std::move(key), options.consistent_read,
                                         core::get_projection::whole_item, diag);
    if (ec)
        co_return failure<kv_pair>(ec);
    kv_pair pair;
    if (auto dec = core::decode_pair(std::move(item), st->options.schema, pair, diag.client_message))
        co_return failure<kv_pair>(dec);
    co_return result<kv_pair>{error_code{}, std::move(pair)};
}

asio::awaitable<result<bool>> run_exists(store_state_ptr st, std::string key, read_options options,
                                         diagnostics* user_diag) {
    co_await prepare(reads);
    diagnostics local;
    diagnostics& diag = use_diagnostics(user_diag, local);
    if (auto ec = configuration_error(*st, diag))
        co_return failure<bool>(ec);
    auto [ec, item] = co_await read_item(*st, std::move(key), options.consistent_read,
                                         core::get_projection::keys_version_expiry, diag);
    if (ec == errc::key_not_found) {
        diag.client_message.clear();
        co_return result<bool>{error_code{}, false};
    }
    co_return result<bool>{ec, !ec};
}

// Reads pages until `limit` live pairs (0: no limit) or the end. With `want_token`, a listing stopped by
// the limit returns the token of where it stopped.
asio::awaitable<result<kv_page>> read_pages(const store_state& st, const list_options& options,
                                            std::size_t limit, bool want_token, diagnostics& diag) {
    core::listing listing;
    if (auto ec = core::build_listing(st.target(), options, st.now_seconds(), listing, diag.client_message))
        co_return failure<kv_page>(ec);
    kv_page page;
    for (;;) {
        if (co_await cancelled())
            co_return failure<kv_page>(asio::error::operation_aborted);
        if (limit != 0) {
            // Limit counts items evaluated before the filter: never more than the pairs still wanted, so
            // a full page ends exactly at its last pair and LastEvaluatedKey is where the next one starts.
            const std::size_t remaining = limit - page.items.size();
            listing.query.limit = static_cast<std::int32_t>(
                std::min<std::size_t>(remaining, std::numeric_limits<std::int32_t>::max()));
        }
        query_request query = listing.query;
        auto [ec, res] = co_await st.db->async_query(std::move(query), diag, use_tuple);
        if (ec)
            co_return failure<kv_page>(ec);
        page.items.reserve(page.items.size() + res.items.size());
        for (auto& item : res.items) {
            kv_pair pair;
            if (auto dec = core::decode_pair(std::move(item), st.options.schema, pair, diag.client_message))
                co_return failure<kv_page>(dec);
            page.items.push_back(std::move(pair));
        }
        if (!res.last_evaluated_key)
            break;
        if (limit != 0 && page.items.size() >= limit) {
            if (want_token)
                page.next_page_token = core::encode_page_token(*res.last_evaluated_key, listing.binding);
            break;
        }
        listing.query.exclusive_start_key = std::move(res.last_evaluated_key);
    }
    co_return result<kv_page>{error_code{}, std::move(page)};
}

asio::awaitable<result<std::vector<kv_pair>>> run_list(store_state_ptr st, list_options options,
                                                       diagnostics* user_diag) {
    co_await prepare(reads);
    diagnostics local;
    diagnostics& diag = use_diagnostics(user_diag, local);
    if (auto ec = configuration_error(*st, diag))
        co_return failure<std::vector<kv_pair>>(ec);
    auto [ec, page] = co_await read_pages(*st, options, options.limit, false, diag);
    co_return result<std::vector<kv_pair>>{ec, std::move(page.items)};
}

asio::awaitable<result<kv_page>> run_list_page(store_state_ptr st, list_options options,
                                               diagnostics* user_diag) {
    co_await prepare(reads);
    diagnostics local;
    diagnostics& diag = use_diagnostics(user_diag, local);
    if (auto ec = configuration_error(*st, diag))
        co_return failure<kv_page>(ec);
    const std::size_t limit = options.limit != 0 ? options.limit : list_options::default_page_size;
    co_return co_await read_pages(*st, options, limit, true, diag);
}

core::lock_target lock_target_of(const store_state& st) {
    return {st.table, st.partition, st.options.schema, st.options.locks};
}

asio::awaitable<result<lock_info>> run_read_lock(store_state_ptr st, std::string key,
                                                 diagnostics* user_diag) {
    co_await prepare(reads);
    diagnostics local;
    diagnostics& diag = use_diagnostics(user_diag, local);
    if (auto ec = configuration_error(*st, diag))
        co_return failure<lock_info>(ec);
    if (auto ec = core::validate_store_key(key, "key", diag.client_message))
        co_return failure<lock_info>(ec);
    const auto t = lock_target_of(*st);
    get_item_request req;
    core::build_read_lock(t, key, req);
    auto [ec, res] = co_await st->db->async_get_item(std::move(req), diag, use_tuple);
    if (ec)
        co_return failure<lock_info>(ec);
    if (!res.item) {
        diag.client_message = "no lock row has this key";
        co_return failure<lock_info>(errc::key_not_found);
    }
    core::lock_row row;
    if (auto dec = core::decode_lock_row(std::move(*res.item), t, row, diag.client_message))
        co_return failure<lock_info>(dec);
    co_return result<lock_info>{error_code{}, core::to_lock_info(std::move(key), std::move(row))};
}

asio::awaitable<result<std::vector<lock_info>>> run_list_locks(store_state_ptr st, std::string prefix,
                                                               diagnostics* user_diag) {
    co_await prepare(reads);
    diagnostics local;
    diagnostics& diag = use_diagnostics(user_diag, local);
    if (auto ec = configuration_error(*st, diag))
        co_return failure<std::vector<lock_info>>(ec);
    if (!prefix.empty())
        if (auto ec = core::validate_store_key(prefix, "prefix", diag.client_message))
            co_return failure<std::vector<lock_info>>(ec);
    const auto t = lock_target_of(*st);
    std::vector<lock_info> out;
    std::optional<attribute_map> start;
    do {
        query_request req;
        core::build_list_locks(t, prefix, req);
        req.exclusive_start_key = std::move(start);
        auto [ec, page] = co_await st->db->async_query(std::move(req), diag, use_tuple);
        if (ec)
            co_return failure<std::vector<lock_info>>(ec);
        for (auto& item : page.items) {
            const attribute_value* k = item.get(st->options.schema.sort_key);
            std::string key = k && k->if_string() ? k->as_string() : std::string();
            core::lock_row row;
            std::string ignored;
            // Rows that are not lock rows are skipped (the filter already keeps them out).
            if (core::decode_lock_row(std::move(item), t, row, ignored))
                continue;
            out.push_back(core::to_lock_info(std::move(key), std::move(row)));
        }
        start = std::move(page.last_evaluated_key);
    } while (start);
    co_return result<std::vector<lock_info>>{error_code{}, std::move(out)};
}

asio::awaitable<result<no_value>> run_remove(store_state_ptr st, std::string key, diagnostics* user_diag) {
    co_await prepare(writes);
    diagnostics local;
    diagnostics& diag = use_diagnostics(user_diag, local);
    if (auto ec = configuration_error(*st, diag))
        co_return failure<no_value>(ec);
    delete_item_request req;
    if (auto ec = core::build_remove(st->target(), std::move(key), req, diag.client_message))
        co_return failure<no_value>(ec);
    auto [ec, res] = co_await st->db->async_delete_item(std::move(req), diag, use_tuple);
    co_return failure<no_value>(ec);
}

asio::awaitable<result<no_value>> run_atomic_delete(store_state_ptr st, std::string key,
                                                    std::optional<std::int64_t> previous_version,
                                                    diagnostics* user_diag) {
    co_await prepare(writes);
    diagnostics local;
    diagnostics& diag = use_diagnostics(user_diag, local);
    if (auto ec = configuration_error(*st, diag))
        co_return failure<no_value>(ec);
    delete_item_request req;
    if (auto ec = core::build_atomic_delete(st->target(), key, previous_version, st->now_seconds(), req,
                                            diag.client_message))
        co_return failure<no_value>(ec);
    auto [ec, res] = co_await st->db->async_delete_item(std::move(req), diag, use_tuple);
    if (ec == service_errc::conditional_check_failed)
        co_return failure<no_value>(co_await explain_version_failure(*st, key, *previous_version, diag));
    co_return failure<no_value>(ec);
}

// DescribeTimeToLive into `info`; a server without TTL leaves it unknown.
asio::awaitable<error_code> describe_ttl(const store_state& st, table_info& info, diagnostics& diag) {
    describe_time_to_live_request req;
    req.table_name = st.table;
    auto [ec, res] = co_await st.db->async_describe_time_to_live(std::move(req), diag, use_tuple);
    if (ec == service_errc::unknown_operation)
        co_return error_code{};
    if (ec)
        co_return ec;
    if (res.time_to_live_description) {
        info.time_to_live = res.time_to_live_description->time_to_live_status;
        info.time_to_live_attribute = std::move(res.time_to_live_description->attribute_name);
    }
    co_return error_code{};
}

asio::awaitable<error_code> describe(const store_state& st, table_info& info, diagnostics& diag) {
    describe_table_request req;
    req.table_name = st.table;
    auto [ec, res] = co_await st.db->async_describe_table(std::move(req), diag, use_tuple);
    if (ec)
        co_return ec;
    info.table = std::move(res.table);
    co_return error_code{};
}

bool is_active(const table_description& t) {
    if (t.table_status != table_status::active)
        return false;
    return std::all_of(t.global_secondary_indexes.begin(), t.global_secondary_indexes.end(),
                       [](const index_description& i) { return i.index_status == "ACTIVE"; });
}

asio::awaitable<result<table_info>> run_create_table(store_state_ptr st, table_options options,
                                                     diagnostics* user_diag) {
    co_await prepare(writes);
    diagnostics local;
    diagnostics& diag = use_diagnostics(user_diag, local);
    if (auto ec = configuration_error(*st, diag))
        co_return failure<table_info>(ec);
    create_table_request req;
    if (auto ec = core::build_create_table(st->target(), options, req, diag.client_message))
        co_return failure<table_info>(ec);

    table_info info;
    auto [ec, res] = co_await st->db->async_create_table(std::move(req), diag, use_tuple);
    if (ec == service_errc::resource_in_use && options.if_not_exists) {
        if (auto dec = co_await describe(*st, info, diag))
            co_return failure<table_info>(dec);
        if (auto kec = core::check_key_schema(info.table, st->options.schema, diag.client_message))
            co_return failure<table_info>(kec);
    } else if (ec) {
        co_return failure<table_info>(ec);
    } else {
        info.created = true;
        info.table = std::move(res.table_description);
    }

    if (options.wait_until_active) {
        const auto deadline = std::chrono::steady_clock::now() + options.wait_timeout;
        std::chrono::milliseconds delay{50};
        while (!is_active(info.table)) {
            if (std::chrono::steady_clock::now() + delay > deadline) {
                diag.client_message = "table " + st->table + " did not become ACTIVE within the wait timeout";
                co_return failure<table_info>(errc::operation_timeout);
            }
            asio::steady_timer timer(co_await asio::this_coro::executor, delay);
            auto [wec] = co_await timer.async_wait(use_tuple);
            if (wec)
                co_return failure<table_info>(wec);
            delay = std::min<std::chrono::milliseconds>(delay * 2, std::chrono::seconds(1));
            if (auto dec = co_await describe(*st, info, diag))
                co_return failure<table_info>(dec);
        }
    }

    if (options.enable_time_to_live && options.wait_until_active) {
        if (auto tec = co_await describe_ttl(*st, info, diag))
            co_return failure<table_info>(tec);
        const bool on = info.time_to_live == time_to_live_status::enabled ||
                        info.time_to_live == time_to_live_status::enabling;
        if (!on && info.time_to_live != time_to_live_status::unknown) {
            update_time_to_live_request ttl;
            ttl.table_name = st->table;
            ttl.time_to_live_specification = {true, st->options.schema.expires};
            auto [uec, ures] = co_await st->db->async_update_time_to_live(std::move(ttl), diag, use_tuple);
            // dynalite has no UpdateTimeToLive: such a server keeps expired items, which the store
            // hides anyway.
            if (uec && uec != service_errc::unknown_operation && uec != service_errc::validation)
                co_return failure<table_info>(uec);
            if (co_await cancelled())
                co_return failure<table_info>(asio::error::operation_aborted);
            if (auto tec = co_await describe_ttl(*st, info, diag))
                co_return failure<table_info>(tec);
            // Two creators racing: the other one's UpdateTimeToLive won, and ours was rejected as a
            // validation error ("TimeToLive is already enabled"). Fine if TTL is now on.
            if (uec == service_errc::validation && info.time_to_live != time_to_live_status::enabled &&
                info.time_to_live != time_to_live_status::enabling)
                co_return failure<table_info>(uec);
        }
    }
    co_return result<table_info>{error_code{}, std::move(info)};
}

asio::awaitable<result<table_info>> run_describe_table(store_state_ptr st, diagnostics* user_diag) {
    co_await prepare(reads);
    diagnostics local;
    diagnostics& diag = use_diagnostics(user_diag, local);
    table_info info;
    if (auto ec = co_await describe(*st, info, diag))
        co_return failure<table_info>(ec);
    if (co_await cancelled())
        co_return failure<table_info>(asio::error::operation_aborted);
    if (auto ec = co_await describe_ttl(*st, info, diag))
        co_return failure<table_info>(ec);
    co_return result<table_info>{error_code{}, std::move(info)};
}

} // namespace

void async_store_put(store_state_ptr st, std::string key, write_options options, bool atomic,
                     diagnostics* diag, store_handler<kv_pair> handler) {
    const auto& s = *st;
    launch(s, run_put(std::move(st), std::move(key), std::move(options), atomic, diag), std::move(handler));
}

void async_store_get(store_state_ptr st, std::string key, read_options options, diagnostics* diag,
                     store_handler<kv_pair> handler) {
    const auto& s = *st;
    launch(s, run_get(std::move(st), std::move(key), std::move(options), diag), std::move(handler));
}

void async_store_exists(store_state_ptr st, std::string key, read_options options, diagnostics* diag,
                        store_handler<bool> handler) {
    const auto& s = *st;
    launch(s, run_exists(std::move(st), std::move(key), std::move(options), diag), std::move(handler));
}

void async_store_list(store_state_ptr st, list_options options, diagnostics* diag,
                      store_handler<std::vector<kv_pair>> handler) {
    const auto& s = *st;
    launch(s, run_list(std::move(st), std::move(options), diag), std::move(handler));
}

void async_store_list_page(store_state_ptr st, list_options options, diagnostics* diag,
                           store_handler<kv_page> handler) {
    const auto& s = *st;
    launch(s, run_list_page(std::move(st), std::move(options), diag), std::move(handler));
}

void async_store_remove(store_state_ptr st, std::string key, diagnostics* diag, store_handler<> handler) {
    const auto& s = *st;
    launch(s, run_remove(std::move(st), std::move(key), diag), std::move(handler));
}

void async_store_atomic_delete(store_state_ptr st, std::string key,
                               std::optional<std::int64_t> previous_version, diagnostics* diag,
                               store_handler<> handler) {
    const auto& s = *st;
    launch(s, run_atomic_delete(std::move(st), std::move(key), previous_version, diag), std::move(handler));
}

void async_store_create_table(store_state_ptr st, table_options options, diagnostics* diag,
                              store_handler<table_info> handler) {
    const auto& s = *st;
    launch(s, run_create_table(std::move(st), std::move(options), diag), std::move(handler));
}

void async_store_read_lock(store_state_ptr st, std::string key, diagnostics* diag,
                           store_handler<lock_info> handler) {
    const auto& s = *st;
    launch(s, run_read_lock(std::move(st), std::move(key), diag), std::move(handler));
}

void async_store_list_locks(store_state_ptr st, std::string prefix, diagnostics* diag,
                            store_handler<std::vector<lock_info>> handler) {
    const auto& s = *st;
    launch(s, run_list_locks(std::move(st), std::move(prefix), diag), std::move(handler));
}

void async_store_describe_table(store_state_ptr st, diagnostics* diag, store_handler<table_info> handler) {
    const auto& s = *st;
    launch(s, run_describe_table(std::move(st), diag), std::move(handler));
}

} // namespace detail

store::store(client& db, std::string table, std::string partition, store_options options) {
    auto st = std::make_shared<detail::store_state>();
    st->db = &db;
    st->table = std::move(table);
    st->partition = std::move(partition);
    st->options = std::move(options);
    st->config_error = core::validate_store_config(st->partition, st->options.schema, st->config_message);
    state_ = std::move(st);
}

const std::string& store::table() const noexcept {
    return state_->table;
}

const std::string& store::partition() const noexcept {
    return state_->partition;
}

const store_options& store::options() const noexcept {
    return state_->options;
}

client& store::get_client() const noexcept {
    return *state_->db;
}

store::executor_type store::get_executor() const noexcept {
    return state_->db->get_executor();
}

error_code store::configuration_error(std::string* message) const {
    if (message != nullptr)
        *message = state_->config_message;
    return state_->config_error;
}

} // namespace dynalock
