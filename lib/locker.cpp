// SPDX-License-Identifier: BSL-1.0
// The locker: per key, one session coroutine on the registry's strand acquires the lease for the lockers
// of this client that wait for it, renews it while one of them holds it, passes it on locally or releases
// it. The decisions are the sans-io machines' (lib/core/lock_machines.hpp); this file performs the I/O,
// keeps the lockers' state and completes their operations.
#include <dynalock/store.hpp>

#include "lock_registry.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <limits.h>
#include <unistd.h>

#include <array>
#include <cstdio>

namespace dynalock {

namespace asio = boost::asio;

namespace detail {

namespace {

using clock = std::chrono::steady_clock;
using action = core::acquire_machine::action_kind;
using lease_action = core::lease_machine::action_kind;
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

std::string hex(std::uint64_t v, int digits) {
    std::array<char, 17> buf{};
    std::snprintf(buf.data(), buf.size(), "%0*llx", digits, static_cast<unsigned long long>(v));
    return std::string(buf.data(), static_cast<std::size_t>(digits));
}

std::string host_name() {
    std::array<char, HOST_NAME_MAX + 1> buf{};
    if (::gethostname(buf.data(), buf.size() - 1) != 0 || buf[0] == '\0')
        return "localhost";
    return buf.data();
}

// A request sent for the locker (it still runs after client::shutdown, which releases leases).
template <class Request, class CompletionToken>
auto execute(const std::shared_ptr<client_impl>& impl, Request req, diagnostics& diag,
             CompletionToken&& token) {
    return asio::async_initiate<CompletionToken, void(error_code, response_t<Request>)>(
        [](auto handler, std::shared_ptr<client_impl> i, Request r, diagnostics* d) {
            async_execute_internal<Request>(std::move(i), std::move(r), d, std::move(handler));
        },
        token, impl, std::move(req), &diag);
}

pending_handler keep(locker_handler h, const asio::any_io_executor& fallback,
                     const asio::any_io_executor& strand, std::uint64_t id = 0) {
    auto ex = asio::get_associated_executor(h, fallback);
    return {std::move(h), asio::prefer(ex, asio::execution::outstanding_work.tracked), strand, id};
}

// Completes a kept handler on its executor, never inside the caller's frame.
void complete(pending_handler p, error_code ec) {
    auto slot = asio::get_associated_cancellation_slot(p.handler);
    if (slot.is_connected())
        slot.clear();
    auto strand = std::move(p.strand);
    asio::post(strand, [h = std::move(p.handler), work = std::move(p.work), ec]() mutable {
        asio::dispatch(work, [h = std::move(h), ec]() mutable { std::move(h)(ec); });
    });
}

void complete_now(locker_handler h, const asio::any_io_executor& fallback,
                  const asio::any_io_executor& strand, error_code ec) {
    complete(keep(std::move(h), fallback, strand), ec);
}

// A lock row in a reply: decoded, or none/absent.
error_code view_of(const core::lock_target& t, std::optional<attribute_map>&& item, bool missing_means_absent,
                   core::row_view& out, std::string& message) {
    if (!item) {
        out = missing_means_absent ? core::row_view::absent() : core::row_view::none();
        return {};
    }
    core::lock_row row;
    if (auto ec = core::decode_lock_row(std::move(*item), t, row, message))
        return ec;
    out = core::row_view::of(std::move(row));
    return {};
}

} // namespace

// ---- the state of a session --------------------------------------------------------------------------

struct key_session : std::enable_shared_from_this<key_session> {
    key_session(std::shared_ptr<lock_registry> r, std::string session_id, const locker_state& first)
        : registry(std::move(r)), id(std::move(session_id)), store(first.store), key(first.key),
          timer(registry->strand), io_timer(registry->strand), warn_timer(registry->strand) {}

    std::shared_ptr<lock_registry> registry;
    std::string id;
    store_state_ptr store;
    std::string key;
    std::deque<std::shared_ptr<locker_state>> waiters; ///< FIFO: local fairness
    std::shared_ptr<locker_state> holder;
    bool running = false;

    // The DynamoDB lease this client holds for the key, if any.
    bool leased = false;
    core::lease_terms terms;
    std::string lease_id;
    core::token_range tokens;
    std::int64_t next_token = 0;
    std::optional<attribute_value> data;
    std::optional<core::lease_machine> lease;

    // The holder's request to release.
    bool release_requested = false;
    release_options release_opts;
    std::optional<pending_handler> unlock_op;
    diagnostics* unlock_diag = nullptr;

    asio::steady_timer timer;      ///< the coroutine's sleeps; cancelled to wake it early
    asio::steady_timer io_timer;   ///< the deadline of a renewal
    asio::steady_timer warn_timer; ///< the "about to expire" point, even while a renewal hangs
    bool wake_pending = false;

    core::lock_target target() const noexcept {
        return {store->table, store->partition, store->options.schema, store->options.locks};
    }
    void wake() {
        wake_pending = true;
        timer.cancel();
    }
};

void locker_state::publish(bool is_held, clock::time_point until, std::int64_t tok, error_code reason) {
    std::lock_guard lock(mutex);
    held = is_held;
    valid_until = until;
    if (tok != 0)
        token = tok;
    lost_reason = reason;
}

// ---- registry ----------------------------------------------------------------------------------------

lock_registry::lock_registry(asio::any_io_executor ex, std::weak_ptr<client_impl> c)
    : strand(make_strand_executor(ex)), client(std::move(c)), random(std::random_device{}()) {
    process_id = host_name() + ":" + std::to_string(::getpid()) + ":" + hex(random(), 8);
}

std::string lock_registry::session_id(const locker_state& l) {
    std::string id;
    id.reserve(l.store->table.size() + l.store->partition.size() + l.key.size() + 2);
    id.append(l.store->table).push_back('\0');
    id.append(l.store->partition).push_back('\0');
    id.append(l.key);
    return id;
}

std::string lock_registry::new_lease_id() {
    return hex(random(), 16) + hex(random(), 16);
}

void lock_registry::remember(const std::string& id, const std::optional<core::lock_observation>& o) {
    if (!o)
        return;
    if (observations.size() >= 10'000 && !observations.contains(id))
        observations.erase(observations.begin());
    observations.insert_or_assign(id, *o);
}

void lock_registry::session_ended(const std::string& id) {
    sessions.erase(id);
    if (stopping && sessions.empty())
        for (auto& f : std::exchange(on_stopped, {}))
            f();
}

std::shared_ptr<lock_registry> registry_of(const std::shared_ptr<client_impl>& impl) {
    std::lock_guard lock(impl->locks_mutex_);
    if (!impl->locks_)
        impl->locks_ = std::make_shared<lock_registry>(impl->executor_, impl);
    return impl->locks_;
}

namespace {

// ---- the lockers' side of a session ------------------------------------------------------------------

// The current holder's lease ends (any reason): tell it, its waiters and the work bound to it.
void end_holder(key_session& s, error_code reason) {
    auto h = std::exchange(s.holder, nullptr);
    if (!h)
        return;
    h->publish(false, {}, 0, reason);
    if (h->stage != locker_state::phase::unlocking)
        h->stage = locker_state::phase::idle;
    for (auto& w : std::exchange(h->lost_waiters, {}))
        complete(std::move(w), reason);
    for (auto& w : std::exchange(h->expiring_waiters, {}))
        complete(std::move(w), reason);
    if (h->lost_signal)
        h->lost_signal->emit(asio::cancellation_type::terminal);
}

// Gives the lease to the first waiter, if it may take it without a write (same terms, a token left).
bool grant_next(key_session& s) {
    if (s.waiters.empty() || !s.lease || s.lease->lost())
        return false;
    auto w = s.waiters.front();
    if (!same_lease(s.terms, w->terms) || s.next_token > s.tokens.last)
        return false;
    s.waiters.pop_front();
    s.holder = w;
    w->stage = locker_state::phase::held;
    if (w->max_wait_timer)
        w->max_wait_timer->cancel();
    w->lost_signal = std::make_unique<asio::cancellation_signal>();
    {
        std::lock_guard lock(w->mutex);
        w->data = s.data;
    }
    w->publish(true, s.lease->valid_until(), s.next_token++, {});
    lock_registry::bump(s.registry->count.acquisitions);
    if (w->lock_op)
        complete(*std::exchange(w->lock_op, std::nullopt), {});
    return true;
}

// A waiting locker leaves the queue (cancelled, timed out, stopped).
void leave(locker_state& st, error_code ec, const char* why) {
    if (st.stage != locker_state::phase::waiting)
        return;
    auto s = st.session;
    st.stage = locker_state::phase::idle;
    if (st.max_wait_timer)
        st.max_wait_timer->cancel();
    if (s) {
        const bool was_head = !s->waiters.empty() && s->waiters.front().get() == &st;
        std::erase_if(s->waiters, [&](const auto& w) { return w.get() == &st; });
        if (was_head)
            s->wake();
    }
    if (st.lock_diag && why)
        st.lock_diag->client_message = why;
    if (st.lock_op)
        complete(*std::exchange(st.lock_op, std::nullopt), ec);
}

// Arms the expiring warning of the current validity. It has its own timer because the session coroutine
// may be stuck in a renewal that the server never answers exactly when the warning is due.
void arm_warning(const std::shared_ptr<key_session>& s) {
    if (!s->lease || !s->terms.expiring_warning)
        return;
    s->warn_timer.expires_at(s->lease->valid_until() - *s->terms.expiring_warning);
    s->warn_timer.async_wait([weak = std::weak_ptr<key_session>(s)](error_code ec) {
        auto ss = weak.lock();
        if (ec || !ss || !ss->holder || !ss->lease || ss->lease->lost())
            return;
        for (auto& w : std::exchange(ss->holder->expiring_waiters, {}))
            complete(std::move(w), {});
    });
}

asio::awaitable<void> sleep_until(key_session& s, clock::time_point t) {
    if (std::exchange(s.wake_pending, false))
        co_return;
    s.timer.expires_at(t);
    co_await s.timer.async_wait(use_tuple);
    s.wake_pending = false;
}

// A request that must finish by `deadline` (a renewal cannot outlive the lease it renews).
template <class Request>
asio::awaitable<std::pair<error_code, response_t<Request>>>
execute_until(key_session& s, const std::shared_ptr<client_impl>& db, Request req, diagnostics& diag,
              clock::time_point deadline) {
    s.io_timer.expires_at(deadline);
    auto [order, ec, res, timer_ec] =
        co_await asio::experimental::make_parallel_group(execute(db, std::move(req), diag, asio::deferred),
                                                         s.io_timer.async_wait(asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
    (void)timer_ec;
    if (order[0] == 1 && !ec)
        ec = asio::error::operation_aborted;
    co_return std::pair<error_code, response_t<Request>>{ec, std::move(res)};
}

// ---- acquiring -----------------------------------------------------------------------------------------

enum class acquire_result { acquired, gave_up };

asio::awaitable<acquire_result> acquire(std::shared_ptr<key_session> s, std::shared_ptr<client_impl> db) {
    auto& reg = *s->registry;
    const auto head = s->waiters.front();
    core::acquire_machine::config cfg;
    cfg.poll_min = head->terms.poll_min;
    cfg.poll_max = head->terms.poll_max;
    cfg.single_attempt = head->single_attempt;
    cfg.mark_waiter = !head->single_attempt;
    cfg.lease_id = reg.new_lease_id();
    cfg.waiter_id = reg.process_id;
    std::optional<core::lock_observation> prior;
    if (auto it = reg.observations.find(s->id); it != reg.observations.end())
        prior = it->second;
    core::acquire_machine m(cfg, std::move(prior), reg.random());
    const auto t = s->target();
    diagnostics diag;
    std::string message;

    auto head_left = [&] { return s->waiters.empty() || s->waiters.front() != head || reg.stopping; };
    auto give_up = [&]() -> asio::awaitable<acquire_result> {
        reg.remember(s->id, m.observation());
        if (m.marked_waiter()) {
            update_item_request req;
            core::build_clear_waiter(t, s->key, cfg.waiter_id, req);
            lock_registry::bump(reg.count.waiter_marks);
            diagnostics ignored;
            co_await execute(db, std::move(req), ignored, use_tuple);
        }
        co_return acquire_result::gave_up;
    };
    auto fail_head = [&](error_code ec, std::string text) -> asio::awaitable<acquire_result> {
        if (!head_left()) {
            if (head->lock_diag) {
                *head->lock_diag = diag;
                // Keep what the client said (the endpoint, the reason) after what failed.
                if (!diag.client_message.empty() && diag.client_message != text)
                    text += ": " + diag.client_message;
                head->lock_diag->client_message = std::move(text);
            }
            head->lock_diag = nullptr;
            leave(*head, ec, nullptr);
        }
        co_return co_await give_up();
    };

    auto next = m.start(clock::now());
    for (;;) {
        // A waiter that left (cancelled, timed out) leaves nothing behind: stop before any write; reads
        // are harmless and may be resolving a write whose outcome is unknown.
        if (head_left() && (next == action::write || next == action::mark_waiter || next == action::wait))
            co_return co_await give_up();
        switch (next) {
        case action::write: {
            update_item_request req;
            core::build_acquire(t, s->key, head->terms, cfg.lease_id, cfg.waiter_id, m.takeover(), req);
            lock_registry::bump(reg.count.acquire_writes);
            const auto sent = clock::now();
            auto [ec, res] = co_await execute(db, std::move(req), diag, use_tuple);
            core::row_view row;
            error_code dec;
            if (!ec)
                dec = view_of(t, std::move(res.attributes), false, row, message);
            else if (ec == service_errc::conditional_check_failed)
                dec = view_of(t, std::move(diag.condition_failure_item), false, row, message);
            if (dec)
                co_return co_await fail_head(dec, message);
            next = m.on_write(clock::now(), sent, ec, std::move(row));
            break;
        }
        case action::read: {
            get_item_request req;
            core::build_read_lock(t, s->key, req);
            lock_registry::bump(reg.count.reads);
            auto [ec, res] = co_await execute(db, std::move(req), diag, use_tuple);
            core::row_view row;
            if (!ec)
                if (auto dec = view_of(t, std::move(res.item), true, row, message))
                    co_return co_await fail_head(dec, message);
            next = m.on_read(clock::now(), ec, std::move(row));
            break;
        }
        case action::mark_waiter: {
            update_item_request req;
            core::build_mark_waiter(t, s->key, cfg.waiter_id, req);
            lock_registry::bump(reg.count.waiter_marks);
            diagnostics mark_diag;
            auto [ec, res] = co_await execute(db, std::move(req), mark_diag, use_tuple);
            next = m.on_mark_waiter(clock::now(), ec);
            break;
        }
        case action::wait:
            co_await sleep_until(*s, m.until());
            if (head_left())
                co_return co_await give_up();
            next = m.on_timer(clock::now());
            break;
        case action::acquired: {
            auto row = m.take_row();
            reg.observations.erase(s->id);
            s->leased = true;
            s->terms = head->terms;
            s->lease_id = cfg.lease_id;
            s->tokens = core::tokens_of(row.fence, s->terms.fence_block);
            s->next_token = s->tokens.first;
            s->data = std::move(row.data);
            core::lease_machine::config lc;
            lc.lease = s->terms.lease;
            lc.heartbeat = s->terms.heartbeat;
            lc.safety_margin = s->terms.safety_margin;
            lc.expiring_warning = s->terms.expiring_warning;
            lc.lease_id = cfg.lease_id;
            s->lease.emplace(std::move(lc), row.version, m.sent_at());
            s->lease->set_waiter(std::move(row.waiter));
            co_return acquire_result::acquired;
        }
        case action::not_acquired:
        case action::timed_out:
        case action::failed:
            co_return co_await fail_head(m.error(), m.message());
        }
    }
}

// ---- holding -------------------------------------------------------------------------------------------

// Writes the release (or deletes the row) and tells what happened.
asio::awaitable<error_code> write_release(std::shared_ptr<key_session> s, std::shared_ptr<client_impl> db,
                                          release_options opts, diagnostics& diag) {
    const auto t = s->target();
    const bool del = opts.delete_row.value_or(s->terms.delete_on_release);
    std::string message;
    for (int attempt = 0; attempt < 3; ++attempt) {
        error_code ec;
        core::row_view row;
        lock_registry::bump(s->registry->count.releases);
        if (del) {
            delete_item_request req;
            core::build_release_delete(t, s->key, s->terms.owner, s->lease_id, req);
            auto [e, res] = co_await execute(db, std::move(req), diag, use_tuple);
            ec = e;
        } else {
            update_item_request req;
            core::build_release(t, s->key, s->terms.owner, s->lease_id, opts.data, req);
            auto [e, res] = co_await execute(db, std::move(req), diag, use_tuple);
            ec = e;
        }
        if (!ec)
            co_return error_code{};
        if (ec != service_errc::conditional_check_failed && ec != errc::outcome_unknown)
            co_return opts.best_effort ? error_code{} : ec;
        if (ec == service_errc::conditional_check_failed)
            if (auto dec = view_of(t, std::move(diag.condition_failure_item), false, row, message))
                co_return dec;
        if (!row.returned) {
            // The condition failed (dynalite does not send the row) or the outcome is unknown: read it.
            get_item_request req;
            core::build_read_lock(t, s->key, req);
            lock_registry::bump(s->registry->count.reads);
            diagnostics read_diag;
            auto [rec, res] = co_await execute(db, std::move(req), read_diag, use_tuple);
            if (rec)
                co_return opts.best_effort ? error_code{} : ec;
            if (auto dec = view_of(t, std::move(res.item), true, row, message))
                co_return dec;
        }
        switch (core::judge_release(row, s->lease_id, del)) {
        case core::release_verdict::released:
            co_return error_code{};
        case core::release_verdict::stolen:
            diag.client_message = "the row holds another lease: the lock had been taken over";
            co_return make_error_code(errc::lease_stolen);
        case core::release_verdict::ours:
            break; // the release did not land: write it again
        }
    }
    co_return make_error_code(errc::outcome_unknown);
}

// Completes the holder's unlock, if it is still waiting.
void finish_unlock(key_session& s, error_code ec) {
    if (s.unlock_op) {
        if (s.unlock_diag && ec && s.unlock_diag->client_message.empty())
            s.unlock_diag->client_message = "the release failed";
        complete(*std::exchange(s.unlock_op, std::nullopt), ec);
    }
    s.unlock_diag = nullptr;
}

void unlock_done(const std::shared_ptr<locker_state>& l) {
    if (l && l->stage == locker_state::phase::unlocking)
        l->stage = locker_state::phase::idle;
}

// g++ 12 reports a false -Wmismatched-new-delete here when it inlines write_release's frame allocation
// (Asio's awaitable frames pair their own operator new and delete).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
asio::awaitable<void> hold(std::shared_ptr<key_session> s, std::shared_ptr<client_impl> db) {
    auto& reg = *s->registry;
    const auto t = s->target();
    grant_next(*s);
    arm_warning(s);
    for (;;) {
        // The holder asked to release (or went away): pass the lease on locally, or release it for real.
        if (!s->holder || s->release_requested) {
            auto old = s->holder;
            const bool asked = std::exchange(s->release_requested, false);
            auto opts = asked ? std::exchange(s->release_opts, {}) : release_options();
            end_holder(*s, errc::lease_released);
            const bool must_write =
                reg.stopping || opts.data || opts.delete_row.value_or(s->terms.delete_on_release);
            if (!must_write && grant_next(*s)) {
                lock_registry::bump(reg.count.local_handovers);
                finish_unlock(*s, {});
                unlock_done(old);
                continue;
            }
            diagnostics local;
            diagnostics& diag = s->unlock_diag ? *s->unlock_diag : local;
            s->warn_timer.cancel();
            auto ec = co_await write_release(s, db, std::move(opts), diag);
            s->leased = false;
            s->lease.reset();
            finish_unlock(*s, ec);
            unlock_done(old);
            co_return;
        }
        auto& lease = *s->lease;
        switch (lease.next(clock::now())) {
        case lease_action::lost: {
            s->warn_timer.cancel();
            auto old = s->holder;
            end_holder(*s, lease.reason());
            // An unlock that raced with the loss learns the reason.
            finish_unlock(*s, lease.reason() == errc::lease_stolen ? make_error_code(errc::lease_stolen)
                                                                   : error_code{});
            unlock_done(old);
            s->release_requested = false;
            s->leased = false;
            s->lease.reset();
            co_return;
        }
        case lease_action::expiring:
            if (s->holder)
                for (auto& w : std::exchange(s->holder->expiring_waiters, {}))
                    complete(std::move(w), {});
            break;
        case lease_action::heartbeat: {
            update_item_request req;
            core::build_heartbeat(t, s->key, s->terms.owner, s->lease_id, s->terms.lease, req);
            lock_registry::bump(reg.count.heartbeats);
            diagnostics diag;
            const auto sent = clock::now();
            auto [ec, res] = co_await execute_until(*s, db, std::move(req), diag, lease.valid_until());
            core::row_view row;
            std::string message;
            if (!ec)
                view_of(t, std::move(res.attributes), false, row, message);
            else if (ec == service_errc::conditional_check_failed)
                view_of(t, std::move(diag.condition_failure_item), false, row, message);
            const auto before = lease.valid_until();
            lease.on_heartbeat(clock::now(), sent, ec, std::move(row));
            if (s->holder && !lease.lost())
                s->holder->publish(true, lease.valid_until(), 0, {});
            if (lease.valid_until() != before)
                arm_warning(s);
            break;
        }
        case lease_action::read: {
            get_item_request req;
            core::build_read_lock(t, s->key, req);
            lock_registry::bump(reg.count.reads);
            diagnostics diag;
            auto [ec, res] = co_await execute_until(*s, db, std::move(req), diag, lease.valid_until());
            core::row_view row;
            std::string message;
            if (!ec)
                if (view_of(t, std::move(res.item), true, row, message))
                    ec = errc::malformed_response;
            const auto before = lease.valid_until();
            lease.on_read(clock::now(), ec, std::move(row));
            if (s->holder && !lease.lost())
                s->holder->publish(true, lease.valid_until(), 0, {});
            if (lease.valid_until() != before)
                arm_warning(s);
            break;
        }
        case lease_action::wait:
            co_await sleep_until(*s, lease.until());
            break;
        }
    }
}

#pragma GCC diagnostic pop

asio::awaitable<void> run_session(std::shared_ptr<key_session> s) {
    for (;;) {
        auto db = s->registry->client.lock();
        if (!db) {
            for (auto& w : std::deque(s->waiters))
                leave(*w, errc::client_stopped, "the client was destroyed");
            break;
        }
        if (!s->leased) {
            if (s->waiters.empty())
                break;
            if (co_await acquire(s, db) != acquire_result::acquired)
                continue;
        }
        co_await hold(s, db);
    }
    s->running = false;
    s->registry->session_ended(s->id);
}

void start_session(const std::shared_ptr<key_session>& s) {
    if (s->running)
        return;
    s->running = true;
    asio::co_spawn(s->registry->strand, run_session(s), [s](std::exception_ptr ep) {
        // Only running out of memory can throw here; the session's lockers are failed so nobody hangs.
        if (!ep)
            return;
        s->running = false;
        end_holder(*s, errc::lease_expired);
        for (auto& w : std::deque(s->waiters))
            leave(*w, make_error_code(boost::system::errc::not_enough_memory), nullptr);
        s->registry->session_ended(s->id);
    });
}

// ---- the operations --------------------------------------------------------------------------------------

void start_lock(const std::shared_ptr<locker_state>& st, bool single, diagnostics* diag,
                locker_handler handler) {
    auto& reg = *st->registry;
    const auto fallback = st->store->db->get_executor();
    if (diag)
        diag->clear();
    auto fail = [&](error_code ec, std::string text) {
        if (diag)
            diag->client_message = std::move(text);
        complete_now(std::move(handler), fallback, reg.strand, ec);
    };
    if (st->config_error)
        return fail(st->config_error, st->config_message);
    auto db = reg.client.lock();
    if (reg.stopping || !db || db->stopped_)
        return fail(errc::client_stopped, "the client was shut down");
    if (st->stage != locker_state::phase::idle)
        return fail(errc::operation_in_progress, "this locker is already locking, holding or unlocking");
    auto id = lock_registry::session_id(*st);
    auto& s = reg.sessions[id];
    if (!s)
        s = std::make_shared<key_session>(st->registry, id, *st);
    if (single && (s->holder || s->leased || !s->waiters.empty()))
        return fail(errc::lock_not_acquired, "another locker of this client holds or waits for the lock");

    auto slot = asio::get_associated_cancellation_slot(handler);
    st->stage = locker_state::phase::waiting;
    st->single_attempt = single;
    st->lock_diag = diag;
    st->session = s;
    st->lock_op = keep(std::move(handler), fallback, reg.strand);
    if (slot.is_connected()) {
        std::weak_ptr<locker_state> weak = st;
        auto strand = reg.strand;
        slot.assign([weak, strand](asio::cancellation_type) {
            asio::post(strand, [weak] {
                if (auto l = weak.lock())
                    leave(*l, asio::error::operation_aborted, "cancelled");
            });
        });
    }
    if (st->terms.max_wait && !single) {
        st->max_wait_timer.emplace(reg.strand, clock::now() + *st->terms.max_wait);
        std::weak_ptr<locker_state> weak = st;
        st->max_wait_timer->async_wait([weak](error_code ec) {
            if (ec)
                return;
            if (auto l = weak.lock())
                leave(*l, errc::lock_wait_timeout, "the maximum wait ran out");
        });
    }
    s->waiters.push_back(st);
    start_session(s);
}

void start_unlock(const std::shared_ptr<locker_state>& st, release_options opts, diagnostics* diag,
                  locker_handler handler) {
    const auto fallback = st->store->db->get_executor();
    if (diag)
        diag->clear();
    if (st->stage == locker_state::phase::waiting || st->stage == locker_state::phase::unlocking) {
        if (diag)
            diag->client_message = "this locker is locking or unlocking";
        return complete_now(std::move(handler), fallback, st->registry->strand, errc::operation_in_progress);
    }
    auto s = st->session;
    if (st->stage != locker_state::phase::held || !s || s->holder != st)
        return complete_now(std::move(handler), fallback, st->registry->strand,
                            {}); // lost (reported) or never held
    auto slot = asio::get_associated_cancellation_slot(handler);
    st->stage = locker_state::phase::unlocking;
    s->release_requested = true;
    s->release_opts = std::move(opts);
    s->unlock_diag = diag;
    s->unlock_op = keep(std::move(handler), fallback, st->registry->strand);
    if (slot.is_connected()) {
        // Cancelling an unlock abandons waiting for it: the release goes on in the background.
        std::weak_ptr<key_session> weak = s;
        auto strand = st->registry->strand;
        slot.assign([weak, strand](asio::cancellation_type) {
            asio::post(strand, [weak] {
                if (auto ss = weak.lock()) {
                    ss->unlock_diag = nullptr;
                    if (ss->unlock_op)
                        complete(*std::exchange(ss->unlock_op, std::nullopt), asio::error::operation_aborted);
                }
            });
        });
    }
    s->wake();
}

// Waits of the lost / expiring kind: kept in `list` until the lease ends, cancellable.
void start_wait(const std::shared_ptr<locker_state>& st, std::list<pending_handler> locker_state::*list,
                locker_handler handler) {
    auto& reg = *st->registry;
    const auto fallback = st->store->db->get_executor();
    if (st->stage != locker_state::phase::held) {
        error_code reason;
        {
            std::lock_guard lock(st->mutex);
            reason = st->lost_reason;
        }
        return complete_now(std::move(handler), fallback, reg.strand,
                            reason ? reason : make_error_code(errc::lease_released));
    }
    auto slot = asio::get_associated_cancellation_slot(handler);
    const auto id = reg.next_handler_id++;
    (st.get()->*list).push_back(keep(std::move(handler), fallback, reg.strand, id));
    if (slot.is_connected()) {
        std::weak_ptr<locker_state> weak = st;
        auto strand = reg.strand;
        slot.assign([weak, strand, list, id](asio::cancellation_type) {
            asio::post(strand, [weak, list, id] {
                auto l = weak.lock();
                if (!l)
                    return;
                auto& waiters = l.get()->*list;
                for (auto it = waiters.begin(); it != waiters.end(); ++it)
                    if (it->id == id) {
                        auto p = std::move(*it);
                        waiters.erase(it);
                        complete(std::move(p), asio::error::operation_aborted);
                        return;
                    }
            });
        });
    }
}

} // namespace

void lock_registry::shutdown(std::function<void()> done) {
    asio::post(strand, [self = shared_from_this(), done = std::move(done)]() mutable {
        self->stopping = true;
        self->on_stopped.push_back(std::move(done));
        for (auto& [id, s] : std::unordered_map(self->sessions)) {
            for (auto& w : std::deque(s->waiters))
                leave(*w, errc::client_stopped, "the client was shut down");
            if (s->holder && !s->release_requested) {
                s->release_requested = true;
                s->release_opts = {};
            }
            s->wake();
        }
        if (self->sessions.empty())
            self->session_ended({});
    });
}

// ---- entry points (declared in locker.hpp) ---------------------------------------------------------------

void async_locker_lock(std::shared_ptr<locker_state> st, bool single_attempt, diagnostics* diag,
                       locker_handler handler) {
    auto strand = st->registry->strand;
    asio::post(strand, [st = std::move(st), single_attempt, diag, h = std::move(handler)]() mutable {
        start_lock(st, single_attempt, diag, std::move(h));
    });
}

void async_locker_unlock(std::shared_ptr<locker_state> st, release_options options, diagnostics* diag,
                         locker_handler handler) {
    auto strand = st->registry->strand;
    asio::post(strand, [st = std::move(st), o = std::move(options), diag, h = std::move(handler)]() mutable {
        start_unlock(st, std::move(o), diag, std::move(h));
    });
}

void async_locker_wait_lost(std::shared_ptr<locker_state> st, locker_handler handler) {
    auto strand = st->registry->strand;
    asio::post(strand, [st = std::move(st), h = std::move(handler)]() mutable {
        start_wait(st, &locker_state::lost_waiters, std::move(h));
    });
}

void async_locker_wait_expiring(std::shared_ptr<locker_state> st, locker_handler handler) {
    auto strand = st->registry->strand;
    if (!st->terms.expiring_warning) {
        const auto fallback = st->store->db->get_executor();
        return complete_now(std::move(handler), fallback, strand, errc::invalid_argument);
    }
    asio::post(strand, [st = std::move(st), h = std::move(handler)]() mutable {
        start_wait(st, &locker_state::expiring_waiters, std::move(h));
    });
}

} // namespace detail

// ---- locker ----------------------------------------------------------------------------------------------

locker::locker(const store& kv, std::string key, lock_options options)
    : state_(std::make_shared<detail::locker_state>()) {
    auto& st = *state_;
    st.store = kv.state_;
    st.key = std::move(key);
    st.options = std::move(options);
    st.registry = detail::registry_of(detail::client_access::impl(*st.store->db));
    if (st.store->config_error) {
        st.config_error = st.store->config_error;
        st.config_message = st.store->config_message;
        return;
    }
    st.config_error = core::resolve_lock_options(st.target(), st.key, st.options, st.registry->process_id,
                                                 st.terms, st.config_message);
}

locker::locker(locker&&) noexcept = default;
locker& locker::operator=(locker&& other) noexcept {
    if (this != &other) {
        locker old(std::move(*this));
        state_ = std::move(other.state_);
    }
    return *this;
}

locker::~locker() {
    if (!state_)
        return;
    // Nobody can call this locker any more: a waiting lock gives up, a held lease is released.
    auto strand = state_->registry->strand;
    asio::post(strand, [st = std::move(state_)] {
        using phase = detail::locker_state::phase;
        if (st->stage == phase::waiting) {
            st->lock_diag = nullptr;
            detail::leave(*st, asio::error::operation_aborted, nullptr);
        } else if (st->stage == phase::held && st->session && st->session->holder == st &&
                   !st->session->release_requested) {
            st->session->release_requested = true;
            st->session->release_opts = {};
            st->session->wake();
        }
    });
}

const std::string& locker::key() const noexcept {
    return state_->key;
}
const lock_options& locker::options() const noexcept {
    return state_->options;
}
locker::executor_type locker::get_executor() const noexcept {
    return state_->store->db->get_executor();
}
error_code locker::configuration_error(std::string* message) const {
    if (message)
        *message = state_->config_message;
    return state_->config_error;
}
const std::string& locker::owner() const noexcept {
    return state_->terms.owner.empty() ? state_->options.owner : state_->terms.owner;
}
bool locker::is_held() const noexcept {
    std::lock_guard lock(state_->mutex);
    return state_->held && std::chrono::steady_clock::now() < state_->valid_until;
}
std::chrono::steady_clock::time_point locker::valid_until() const noexcept {
    std::lock_guard lock(state_->mutex);
    return state_->held ? state_->valid_until : std::chrono::steady_clock::time_point{};
}
std::int64_t locker::fencing_token() const noexcept {
    std::lock_guard lock(state_->mutex);
    return state_->token;
}
error_code locker::lost_reason() const noexcept {
    std::lock_guard lock(state_->mutex);
    return state_->held ? error_code{} : state_->lost_reason;
}
std::optional<attribute_value> locker::data() const {
    std::lock_guard lock(state_->mutex);
    return state_->data;
}
boost::asio::cancellation_slot locker::lost_slot() {
    if (!state_->lost_signal)
        state_->lost_signal = std::make_unique<boost::asio::cancellation_signal>();
    return state_->lost_signal->slot();
}

locker store::new_lock(std::string key, lock_options options) const {
    return locker(*this, std::move(key), std::move(options));
}

} // namespace dynalock
