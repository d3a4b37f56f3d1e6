// SPDX-License-Identifier: BSL-1.0
#include "lock_machines.hpp"

#include <algorithm>

namespace dynalock::core {

using std::chrono::milliseconds;

// ---- acquire_machine ---------------------------------------------------------------------------------

acquire_machine::acquire_machine(config cfg, std::optional<lock_observation> prior, std::uint64_t seed)
    : cfg_(std::move(cfg)), observation_(std::move(prior)), random_(seed) {}

bool acquire_machine::never_reached(error_code ec) noexcept {
    // A server that could not be reached even once is a configuration problem (wrong endpoint, no
    // network), not a passing fault: say so at once instead of waiting forever.
    return !reached_ && (ec == errc::connect_failed || ec == errc::tls_handshake_failed);
}

acquire_machine::action_kind acquire_machine::start(lock_time now) {
    // An observation made earlier (by an earlier attempt of this process) may already prove the holder dead.
    return write_now(now, observation_ && now >= observation_->takeover_at());
}

acquire_machine::action_kind acquire_machine::write_now(lock_time, bool with_takeover) {
    if (with_takeover && observation_)
        takeover_ = takeover_condition{observation_->version, observation_->lease_id};
    else
        takeover_.reset();
    wrote_once_ = true;
    ++writes_;
    return action_kind::write;
}

acquire_machine::action_kind acquire_machine::fail(error_code ec, std::string text) {
    error_ = ec;
    message_ = std::move(text);
    return action_kind::failed;
}

acquire_machine::action_kind acquire_machine::on_write(lock_time now, lock_time sent_at, error_code ec,
                                                       row_view row) {
    if (!ec || ec.category() == service_category())
        reached_ = true;
    if (!ec) {
        if (!row.row)
            return fail(errc::malformed_response, "the acquiring write returned no item");
        row_ = std::move(*row.row);
        sent_at_ = sent_at;
        return action_kind::acquired;
    }
    if (ec == service_errc::conditional_check_failed) {
        if (row.returned && row.row)
            return observe(now, std::move(*row.row));
        ++reads_;
        return action_kind::read; // dynalite does not return the row: read it
    }
    if (ec == errc::outcome_unknown || ec == errc::operation_timeout) {
        // The write may have landed: only the row can tell (our lease id in it means it did).
        resolving_ = true;
        pending_sent_at_ = sent_at;
        ++reads_;
        return action_kind::read;
    }
    if (is_retryable(ec) && !cfg_.single_attempt && !never_reached(ec))
        return wait_or_give_up(now, false);
    return fail(ec, "the acquiring write failed");
}

acquire_machine::action_kind acquire_machine::on_read(lock_time now, error_code ec, row_view row) {
    if (!ec || ec.category() == service_category())
        reached_ = true;
    if (ec) {
        // A read has no side effect: while waiting, any fault that may pass (including a whole operation
        // timing out while the server is unreachable) is waited out; max_wait bounds the wait.
        const bool passing = is_retryable(ec) || ec == errc::operation_timeout;
        if (passing && !cfg_.single_attempt && !never_reached(ec))
            return wait_or_give_up(now, false);
        return fail(ec, "reading the lock row failed");
    }
    if (resolving_) {
        resolving_ = false;
        if (row.row && row.row->lease_id == cfg_.lease_id) {
            row_ = std::move(*row.row);
            sent_at_ = pending_sent_at_;
            return action_kind::acquired;
        }
    }
    if (!row.row) {
        if (cfg_.single_attempt) {
            error_ = errc::lock_not_acquired;
            message_ = "the lock was held when the attempt was made";
            return action_kind::not_acquired;
        }
        return write_now(now, false);
    }
    return observe(now, std::move(*row.row));
}

acquire_machine::action_kind acquire_machine::observe(lock_time now, lock_row&& row) {
    const bool free = row.released && (row.waiter.empty() || row.waiter == cfg_.waiter_id);
    if (!free) {
        const bool same =
            observation_ && observation_->version == row.version && observation_->lease_id == row.lease_id;
        if (!same) {
            // Any change (a renewal, a new holder) restarts the lease-long wait, measured from now: after the
            // read that showed it, so our wait ends later than the holder's lease, whatever the clocks say.
            const bool new_holder = !observation_ || observation_->lease_id != row.lease_id;
            observation_ = lock_observation{row.version, row.lease_id, row.lease, now};
            if (new_holder)
                backoff_step_ = 0;
        } else if (now >= observation_->takeover_at() && !cfg_.single_attempt) {
            return write_now(now, true);
        }
    }
    if (cfg_.single_attempt) {
        error_ = errc::lock_not_acquired;
        message_ =
            free ? "the lock was released while the attempt was made" : "the lock is held by " + row.owner;
        return action_kind::not_acquired;
    }
    if (free)
        return write_now(now, false);
    if (cfg_.mark_waiter && row.waiter.empty() && marked_for_ != row.lease_id) {
        marked_for_ = row.lease_id;
        ++writes_;
        return action_kind::mark_waiter;
    }
    // Next in line (the release is reserved for us and comes soon: the holder's process passes the lease on
    // locally a bounded number of times), or a released row reserved for another process (it is about to
    // change hands, and we want to mark ourselves next): keep polling at the minimum instead of backing off.
    return wait_or_give_up(now, row.waiter == cfg_.waiter_id || row.released);
}

acquire_machine::action_kind acquire_machine::on_mark_waiter(lock_time now, error_code ec) {
    // A condition failure means another process is already next in line: we wait our turn behind it.
    if (!ec)
        marked_ = true;
    return wait_or_give_up(now, !ec);
}

acquire_machine::action_kind acquire_machine::on_timer(lock_time now) {
    if (past_deadline(now)) {
        error_ = errc::lock_wait_timeout;
        message_ = "the maximum wait ran out";
        return action_kind::timed_out;
    }
    ++reads_;
    return action_kind::read;
}

acquire_machine::action_kind acquire_machine::wait_or_give_up(lock_time now, bool next_in_line) {
    if (past_deadline(now)) {
        error_ = errc::lock_wait_timeout;
        message_ = "the maximum wait ran out";
        return action_kind::timed_out;
    }
    if (next_in_line)
        backoff_step_ = 0;
    until_ = now + next_backoff();
    if (observation_ && observation_->takeover_at() > now)
        until_ = std::min(until_, observation_->takeover_at());
    if (cfg_.deadline)
        until_ = std::min(until_, *cfg_.deadline);
    return action_kind::wait;
}

milliseconds acquire_machine::next_backoff() {
    // Exponential from poll_min to poll_max with "equal jitter" (half of the step plus a random part), so
    // that waiters of several processes spread out; never below poll_min.
    const auto max = cfg_.poll_max.count();
    std::int64_t d = cfg_.poll_min.count();
    for (std::uint32_t i = 0; i < backoff_step_ && d < max; ++i)
        d *= 2;
    d = std::min(d, max);
    if (backoff_step_ < 62)
        ++backoff_step_;
    const std::int64_t half = d / 2;
    std::uniform_int_distribution<std::int64_t> jitter(0, d - half);
    return milliseconds(std::clamp<std::int64_t>(half + jitter(random_), cfg_.poll_min.count(), max));
}

// ---- lease_machine -----------------------------------------------------------------------------------

lease_machine::lease_machine(config cfg, std::int64_t version, lock_time sent_at) : cfg_(std::move(cfg)) {
    renewed(sent_at, version);
}

void lease_machine::renewed(lock_time sent_at, std::int64_t version) {
    version_ = version;
    last_ok_ = sent_at;
    // The lease runs from the moment the write was sent: the earliest it can have started in the row.
    valid_until_ = sent_at + cfg_.lease - cfg_.safety_margin;
    next_heartbeat_ = sent_at + cfg_.heartbeat;
    next_is_read_ = false;
    pending_sent_at_.reset();
    warned_ = false;
}

milliseconds lease_machine::retry_delay() const noexcept {
    return std::clamp(cfg_.heartbeat / 5, milliseconds(10), milliseconds(1000));
}

lease_machine::action_kind lease_machine::next(lock_time now) {
    if (reason_)
        return action_kind::lost;
    if (now >= valid_until_) {
        reason_ = errc::lease_expired;
        return action_kind::lost;
    }
    if (cfg_.expiring_warning && !warned_ && now >= valid_until_ - *cfg_.expiring_warning) {
        warned_ = true;
        return action_kind::expiring;
    }
    const bool renewing = cfg_.heartbeat.count() > 0;
    if (renewing && now >= next_heartbeat_) {
        if (next_is_read_) {
            ++reads_;
            return action_kind::read;
        }
        ++heartbeats_;
        return action_kind::heartbeat;
    }
    until_ = valid_until_;
    if (renewing)
        until_ = std::min(until_, next_heartbeat_);
    if (cfg_.expiring_warning && !warned_)
        until_ = std::min(until_, valid_until_ - *cfg_.expiring_warning);
    return action_kind::wait;
}

void lease_machine::on_heartbeat(lock_time now, lock_time sent_at, error_code ec, row_view row) {
    if (!ec) {
        if (row.row) {
            waiter_ = std::move(row.row->waiter);
            renewed(sent_at, row.row->version);
        } else {
            renewed(sent_at, version_ + 1);
        }
        return;
    }
    if (ec == service_errc::conditional_check_failed) {
        if (row.returned) {
            judge(now, std::move(row));
        } else {
            next_is_read_ = true;
            next_heartbeat_ = now;
        }
        return;
    }
    if (ec == errc::outcome_unknown) {
        // The renewal may have landed; a consistent read tells, instead of declaring the lease lost.
        pending_sent_at_ = sent_at;
        next_is_read_ = true;
        next_heartbeat_ = now;
        return;
    }
    // Throttling, timeouts, 5xx, even an error that looks permanent: keep trying while the lease is valid;
    // next() reports lease_expired when it is not.
    next_heartbeat_ = now + retry_delay();
}

void lease_machine::on_read(lock_time now, error_code ec, row_view row) {
    if (ec) {
        next_is_read_ = true;
        next_heartbeat_ = now + retry_delay();
        return;
    }
    judge(now, std::move(row));
}

void lease_machine::judge(lock_time now, row_view&& row) {
    if (!row.row || row.row->lease_id != cfg_.lease_id || row.row->released) {
        // Another acquisition's id (or no row) is someone else's definitive write.
        reason_ = errc::lease_stolen;
        return;
    }
    if (pending_sent_at_ && row.row->version > version_) {
        waiter_ = std::move(row.row->waiter);
        renewed(*pending_sent_at_, row.row->version);
        return;
    }
    // Still ours and the renewal did not land: renew again at once.
    waiter_ = std::move(row.row->waiter);
    next_is_read_ = false;
    next_heartbeat_ = now;
}

} // namespace dynalock::core
