// SPDX-License-Identifier: BSL-1.0
// The client: one C++20 coroutine per operation, on the client's strand, drives the sans-io core
// (validate, serialize, sign, check, parse, classify, decide to retry) over the pooled transport.
#include "client_impl.hpp"
#include "core/aws_config.hpp"
#include "core/client_config.hpp"
#include "core/error_reply.hpp"
#include "core/json_codec.hpp"
#include "core/operations.hpp"
#include "core/response_checks.hpp"
#include "credentials/instance_metadata.hpp"
#include "lock_registry.hpp"
#include "transport/tls_context.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstdlib>
#include <exception>
#include <new>
#include <tuple>

namespace dynalock {

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

namespace detail {

namespace {

constexpr std::string_view version = "0.1.0";
// Host, Content-Type, X-Amz-Target, X-Amz-Date, X-Amz-Security-Token, Authorization, User-Agent,
// Accept-Encoding, X-Amzn-Trace-Id (in Lambda): reserved at once rather than grown.
constexpr std::size_t request_header_count = 9;

// run() reports failures as error codes; what still escapes it keeps its own code.
error_code error_from(std::exception_ptr ep) noexcept {
    try {
        std::rethrow_exception(ep);
    } catch (const boost::system::system_error& e) {
        return e.code();
    } catch (const std::bad_alloc&) {
        return make_error_code(boost::system::errc::not_enough_memory);
    } catch (...) {
        return make_error_code(boost::system::errc::state_not_recoverable);
    }
}

template <class Request>
void ensure_client_request_token(Request& req, std::mt19937_64& random) {
    if constexpr (requires { req.client_request_token; }) {
        // One token per logical call, reused by every retry: that makes the transaction idempotent.
        if (!req.client_request_token || req.client_request_token->empty())
            req.client_request_token = core::make_client_request_token(random);
    }
}

} // namespace

asio::any_io_executor make_strand_executor(const asio::any_io_executor& ex) {
    if (const auto* native = ex.target<asio::io_context::executor_type>())
        return asio::make_strand(*native);
    return asio::make_strand(ex);
}

client_impl::client_impl(asio::any_io_executor ex, client_options options)
    : executor_(ex), strand_(make_strand_executor(ex)), options_(std::move(options)),
      retry_quota_(options_.retry.quota_capacity), random_(std::random_device{}()) {
    configure();
    // Nothing names a region: as the SDKs do, the first operation asks the instance metadata service.
    region_pending_ = missing_region_;
}

void client_impl::configure() {
    config_error_ = {};
    config_message_.clear();
    missing_region_ = false;
    const auto env = core::process_environment();

    // Region and endpoint, resolved once with the SDKs' precedence. A failure is kept and reported by
    // every operation, so constructing a client never throws.
    auto config = core::load_shared_config(env, options_.profile, config_message_);
    if (!config) {
        config_error_ = config.error();
        return;
    }
    std::string region_message;
    auto region = core::resolve_region(options_.region, env, *config, region_message);
    core::endpoint_settings settings;
    settings.explicit_url = options_.endpoint;
    settings.region = region ? std::string_view(*region) : std::string_view();
    settings.allow_insecure_http = options_.allow_insecure_http;
    settings.use_fips = options_.use_fips_endpoint;
    settings.use_dual_stack = options_.use_dual_stack_endpoint;
    auto ep = core::resolve_endpoint(settings, env, *config, config_message_);
    if (!ep) {
        config_error_ = ep.error();
        if (!region && options_.endpoint.empty()) {
            config_message_ = region_message;
            missing_region_ = ep.error() == errc::invalid_region;
        }
        return;
    }
    endpoint_ = std::move(*ep);
    if (!endpoint_.signing_region.empty()) {
        region_ = endpoint_.signing_region;
    } else if (region) {
        region_ = *region;
    } else if (endpoint_.is_loopback) {
        // Local servers accept any region: spare laptop users from configuring one.
        region_ = "us-east-1";
    } else {
        config_error_ = region.error();
        config_message_ = region_message;
        missing_region_ = true;
        return;
    }
    config_message_.clear();

    // Retry mode, attempts, CA bundle, app id and proxies: explicit option > environment > profile.
    core::client_config_options wanted;
    if (options_.retry.mode != retry_mode::from_config)
        wanted.mode = options_.retry.mode == retry_mode::adaptive ? core::retry_mode::adaptive
                                                                  : core::retry_mode::standard;
    wanted.max_attempts = options_.retry.max_attempts;
    wanted.ca_file = options_.ca_file;
    wanted.app_id = options_.app_id;
    auto resolved = core::resolve_client_config(wanted, env, *config, config_message_);
    if (!resolved) {
        config_error_ = resolved.error();
        return;
    }
    auto proxies = core::load_proxy_config(
        env, options_.proxy ? std::optional<std::string_view>(*options_.proxy) : std::nullopt,
        config_message_);
    if (!proxies) {
        config_error_ = proxies.error();
        return;
    }
    env_ = env;
    user_agent_ = core::make_user_agent(version, resolved->mode, resolved->app_id);
    if (resolved->mode == core::retry_mode::adaptive)
        rate_limiter_.emplace(clock::now());

    if (endpoint_.is_https()) {
        tls_ = transport::make_tls_context(resolved->ca_file, config_error_, config_message_);
        if (!tls_) {
            if (!resolved->ca_file.empty())
                config_message_ = resolved->ca_file_source + ": " + config_message_;
            return;
        }
    }

    credentials_provider_ =
        options_.credentials ? options_.credentials : make_default_credentials_provider(options_.profile);
    credentials_cache::settings cache_settings;
    cache_settings.timeout = options_.credentials_timeout;
    cache_settings.placeholder_when_none = endpoint_.is_loopback;
    cache_settings.log = options_.log;
    credentials_ =
        std::make_shared<credentials_cache>(strand_, credentials_provider_, std::move(cache_settings));
    core::sigv4::signing_options signing;
    signing.region = region_;
    signing.service = "dynamodb";
    signing.sign_header = core::sigv4::dynamodb_signs_header;
    signer_.emplace(std::move(signing));

    retry_config_.max_attempts = resolved->max_attempts;
    retry_config_.transient_base = options_.retry.transient_base;
    retry_config_.throttling_base = options_.retry.throttling_base;
    retry_config_.max_backoff = options_.retry.max_backoff;
    retry_config_.quota_capacity = options_.retry.quota_capacity;

    transport::target t{endpoint_.host, std::to_string(endpoint_.port), endpoint_.is_https(),
                        !endpoint_.is_ip_literal, std::nullopt};
    if (const auto* proxy = proxies->select(endpoint_.is_https(), endpoint_.host, endpoint_.port))
        t.proxy = *proxy;
    transport::pool_config cfg{options_.max_connections, options_.idle_timeout};
    pool_ = std::make_unique<transport::connection_pool>(strand_, std::move(t), tls_.get(), cfg);
}

void client_impl::log(log_level level, std::string_view text) const {
    if (log_enabled(level))
        options_.log.sink(level, text);
}

void client_impl::log_request(const core::http_request& req, std::string_view operation,
                              std::uint32_t attempt) const {
    std::string line;
    line.append(operation).append(" attempt ").append(std::to_string(attempt)).append(": POST ");
    line.append(endpoint_.host_header).append(req.target);
    for (const auto& h : req.headers) {
        line.append("\n  ").append(h.name).append(": ");
        if (core::iequals(h.name, "Authorization"))
            line.append(core::sigv4::redact_authorization(h.value));
        else if (core::iequals(h.name, "X-Amz-Security-Token"))
            line.append("***");
        else
            line.append(h.value);
    }
    line.append("\n  ").append(req.body);
    log(log_level::trace, line);
}

void client_impl::log_response(const core::http_response& res, std::string_view operation,
                               std::uint32_t attempt, clock::duration elapsed) const {
    std::string line;
    line.append(operation).append(" attempt ").append(std::to_string(attempt)).append(": HTTP ");
    line.append(std::to_string(res.status)).append(" in ");
    line.append(std::to_string(std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()));
    line.append(" us, request id ").append(res.header("x-amzn-RequestId"));
    if (log_enabled(log_level::trace))
        line.append("\n  ").append(res.body);
    log(log_level::debug, line);
}

asio::awaitable<client_impl::attempt_result>
client_impl::send_attempt(core::http_request& hr, const core::sigv4::credentials& creds,
                          std::string_view target, std::string_view name, std::uint32_t attempt,
                          clock::time_point op_deadline) {
    attempt_result a;
    auto conn = pool_->try_acquire();
    if (!conn) {
        auto [aec, waited] = co_await pool_->acquire({op_deadline, op_deadline});
        if (aec) {
            a.io.ec = aec;
            co_return a;
        }
        conn = std::move(waited);
    }
    a.reused = conn->is_connected();
    const transport::deadlines d{clock::now() + options_.attempt_timeout, op_deadline};
    if (!a.reused)
        a.io = co_await conn->connect(d);
    a.started = clock::now();
    if (!a.io.ec) {
        // Only the headers DynamoDB needs are signed; transport headers are added after.
        hr.headers.clear();
        hr.headers.reserve(request_header_count);
        hr.headers.push_back({"Host", endpoint_.host_header});
        hr.headers.push_back({"Content-Type", "application/x-amz-json-1.0"});
        hr.headers.push_back({"X-Amz-Target", std::string(target)});
        a.io.ec = signer_->sign(hr, creds, clock_offset_.adjust(std::chrono::system_clock::now()));
        if (a.io.ec) {
            a.io.detail = "cannot sign the request";
        } else {
            if (log_enabled(log_level::trace))
                log_request(hr, name, attempt);
            hr.headers.push_back({"User-Agent", user_agent_});
            // Unsigned, like the User-Agent; Lambda changes it at every invocation, so it is read now.
            if (auto trace = core::lambda_trace_id(env_))
                hr.headers.push_back({"X-Amzn-Trace-Id", std::move(*trace)});
            hr.headers.push_back({"Accept-Encoding", "identity"});
            a.io = co_await conn->exchange(hr, a.reply, d, options_.max_response_bytes);
        }
    }
    pool_->release(std::move(conn));
    co_return a;
}

asio::awaitable<error_code> client_impl::wait_for_region(std::shared_ptr<client_impl> self,
                                                         clock::time_point deadline) {
    if (!self->region_fetching_) {
        self->region_fetching_ = true;
        asio::co_spawn(self->strand_, fetch_region(self), asio::detached);
    }
    if (!self->region_pending_)
        co_return error_code{};
    asio::steady_timer timer(self->strand_, deadline);
    self->region_waiters_.push_back(&timer);
    auto [ec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
    std::erase(self->region_waiters_, &timer);
    if (!self->region_pending_)
        co_return error_code{}; // settled: configure() ran again, or config_error_ says why not
    co_return ec ? ec : error_code(errc::operation_timeout);
}

asio::awaitable<void> client_impl::fetch_region(std::shared_ptr<client_impl> self) {
    const auto env = core::process_environment();
    std::string message;
    auto config = core::load_shared_config(env, self->options_.profile, message);
    error_code ec = config ? error_code{} : config.error();
    std::string region;
    if (config)
        std::tie(ec, region) = co_await fetch_region_from_instance_metadata(env, *config, message);
    if (!ec) {
        self->options_.region = std::move(region);
        self->configure();
    } else {
        self->config_message_ += "; and the instance metadata service gave none: " + message;
    }
    self->region_pending_ = false;
    for (auto* waiter : self->region_waiters_)
        waiter->cancel();
}

template <class Request>
asio::awaitable<std::pair<error_code, response_t<Request>>>
client_impl::run(std::shared_ptr<client_impl> self, Request req, diagnostics* user_diag, bool internal) {
    using traits = core::operation_traits<Request>;
    using response_type = response_t<Request>;

    diagnostics local_diag;
    diagnostics& diag = user_diag ? *user_diag : local_diag;
    diag.clear();
    response_type out{};
    auto fail = [&](error_code ec) { return std::pair<error_code, response_type>{ec, std::move(out)}; };

    // Nothing here has side effects until a request is sent, and what happens after is handled
    // explicitly, so every cancellation type is accepted. Beast's composed operations act on terminal
    // cancellation only, so whatever arrives is passed on to them as terminal. Cancellation is
    // reported through error codes, never as an exception between two awaits.
    co_await asio::this_coro::reset_cancellation_state(
        asio::enable_total_cancellation(), [](asio::cancellation_type t) {
            return t == asio::cancellation_type::none ? t : asio::cancellation_type::terminal;
        });
    co_await asio::this_coro::throw_if_cancelled(false);

    if (self->region_pending_) {
        auto rec = co_await wait_for_region(self, clock::now() + self->options_.operation_timeout);
        if (rec) {
            diag.client_message = rec == errc::operation_timeout
                                      ? "no region yet: the instance metadata service has not answered"
                                      : std::string();
            co_return fail(rec);
        }
    }
    if (self->config_error_) {
        diag.client_message = self->config_message_;
        co_return fail(self->config_error_);
    }
    if (self->stopped_ && !internal)
        co_return fail(errc::client_stopped);
    ensure_client_request_token(req, self->random_);
    if (auto ec = core::validate(req, diag.client_message))
        co_return fail(ec);

    core::http_request hr;
    hr.target = self->endpoint_.target;
    core::serialize(req, hr.body);
    const bool idempotent = core::is_idempotent(req);
    const auto op_deadline = clock::now() + self->options_.operation_timeout;

    core::retry_state retry(self->retry_config_, self->retry_quota_);
    bool resent_on_stale = false;
    for (std::uint32_t attempt = 1;; ++attempt) {
        diag.attempts = attempt;
        // The usual case (cached credentials) pays for no coroutine frame; a refresh in the background
        // never holds a request up while the credentials it has are usable.
        auto creds = self->credentials_->try_get();
        if (!creds) {
            auto [cec, waited] = co_await self->credentials_->wait(op_deadline, diag.client_message);
            if (cec) {
                diag.client_message = "cannot get credentials: " + diag.client_message;
                co_return fail(cec);
            }
            creds = std::move(waited);
        }

        if (self->rate_limiter_) {
            // Adaptive mode: every attempt waits for a token of the client's rate limiter.
            auto wait = self->rate_limiter_->acquire(clock::now(), op_deadline - clock::now());
            if (!wait) {
                diag.client_message =
                    "the adaptive retry mode's client-side rate limit (the service has been "
                    "throttling) leaves no time for an attempt before the operation deadline";
                co_return fail(errc::operation_timeout);
            }
            if (wait->count() > 0) {
                asio::steady_timer timer(self->strand_, *wait);
                auto [wec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
                if (wec)
                    co_return fail(wec);
            }
        }

        auto sent =
            co_await self->send_attempt(hr, *creds, traits::target, traits::name, attempt, op_deadline);
        auto& r = sent.io;
        auto& res = sent.reply;
        const bool reused = sent.reused;
        const auto started = sent.started;
        if (r.ec == asio::error::operation_aborted) {
            diag.client_message = r.request_sent ? "cancelled after the request was sent" : "cancelled";
            co_return fail(r.ec);
        }
        error_code ec;
        bool ambiguous = false;
        bool corrected = false;
        std::optional<std::chrono::milliseconds> retry_after;
        if (r.ec) {
            // A keep-alive connection the server closed just before we used it: nothing was
            // processed, so resend once on a fresh connection without counting an attempt.
            if (reused && !r.reply_started && r.ec == errc::connection_closed && idempotent &&
                !resent_on_stale) {
                resent_on_stale = true;
                --attempt;
                continue;
            }
            ec = r.ec;
            ambiguous = r.request_sent;
            diag.client_message = std::move(r.detail);
        } else {
            diag.http_status = res.status;
            diag.request_id = std::string(res.header("x-amzn-RequestId"));
            if (self->log_enabled(log_level::debug))
                self->log_response(res, traits::name, attempt, clock::now() - started);
            auto date = core::parse_http_date(res.header("Date"));
            if (date)
                self->clock_offset_.observe(*date, std::chrono::system_clock::now());
            if (auto cec = core::check_crc32(res)) {
                ec = cec;
                ambiguous = true;
                diag.client_message = "the x-amz-crc32 header does not match the reply body";
            } else if (res.status == 200) {
                if (core::parse(res.body, out, diag.client_message))
                    co_return fail(errc::malformed_response);
                if (self->rate_limiter_)
                    self->rate_limiter_->on_response(clock::now(), false);
                retry.on_success();
                co_return std::pair<error_code, response_type>{error_code{}, std::move(out)};
            } else {
                auto reply = core::parse_error_reply(res);
                core::fill_diagnostics(res, reply, diag);
                if (reply.item) {
                    std::string ignored;
                    if (core::decode_item(*reply.item, diag.condition_failure_item.emplace(), ignored))
                        diag.condition_failure_item.reset(); // an unreadable item is no worse than none
                }
                ec = reply.code;
                retry_after = reply.retry_after;
                ambiguous = res.status >= 500;
                if (core::is_clock_skew_error(reply) && date) {
                    // Our clock is off by more than DynamoDB tolerates: take the server's time and
                    // resend at once (the request was rejected, so resending is always safe).
                    // (observe() above may already have applied the same correction.)
                    self->clock_offset_.correct(*date, std::chrono::system_clock::now());
                    corrected = true;
                } else if (ec == service_errc::expired_token) {
                    self->credentials_->invalidate(creds);
                    corrected = true;
                }
            }
        }

        if (self->rate_limiter_)
            self->rate_limiter_->on_response(clock::now(), is_throttling(ec));
        if (ambiguous && !idempotent && is_retryable(ec)) {
            diag.client_message = "the request may have been applied (" + ec.message() +
                                  (diag.client_message.empty() ? "" : ": " + diag.client_message) +
                                  "); not resent because it is not idempotent";
            co_return fail(errc::outcome_unknown);
        }
        const double u = std::uniform_real_distribution<double>(0.0, 1.0)(self->random_);
        auto decision = corrected ? retry.on_corrected_failure()
                                  : retry.on_failure(ec, retry_after, u, clock::now(), op_deadline);
        if (!decision.retry) {
            if (decision.reason == core::retry_stop_reason::deadline_reached)
                diag.client_message = "no time left to retry before the operation deadline";
            co_return fail(ec);
        }
        self->retries_.fetch_add(1, std::memory_order_relaxed);
        if (self->log_enabled(log_level::info))
            self->log(log_level::info, std::string(traits::name) + " attempt " + std::to_string(attempt) +
                                           " failed (" + ec.message() + "); retrying in " +
                                           std::to_string(decision.delay.count()) + " ms");
        if (decision.delay.count() > 0) {
            asio::steady_timer timer(self->strand_, decision.delay);
            auto [wec] = co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));
            if (wec)
                co_return fail(wec);
        }
    }
}

namespace {

template <class Request>
void execute(std::shared_ptr<client_impl> impl, Request req, diagnostics* diag, bool internal,
             asio::any_completion_handler<void(error_code, response_t<Request>)> handler) {
    using result_type = std::pair<error_code, response_t<Request>>;
    auto slot = asio::get_associated_cancellation_slot(handler);
    auto work = asio::prefer(asio::get_associated_executor(handler, impl->executor_),
                             asio::execution::outstanding_work.tracked);
    auto strand = impl->strand_;
    asio::co_spawn(strand, client_impl::run(std::move(impl), std::move(req), diag, internal),
                   asio::bind_cancellation_slot(slot, [handler = std::move(handler), work = std::move(work)](
                                                          std::exception_ptr ep, result_type result) mutable {
                       if (ep)
                           result.first = error_from(ep);
                       asio::dispatch(work,
                                      [handler = std::move(handler), result = std::move(result)]() mutable {
                                          std::move(handler)(result.first, std::move(result.second));
                                      });
                   }));
}

} // namespace

template <class Request>
void async_execute_erased(std::shared_ptr<client_impl> impl, Request req, diagnostics* diag,
                          asio::any_completion_handler<void(error_code, response_t<Request>)> handler) {
    execute(std::move(impl), std::move(req), diag, false, std::move(handler));
}

template <class Request>
void async_execute_internal(std::shared_ptr<client_impl> impl, Request req, diagnostics* diag,
                            asio::any_completion_handler<void(error_code, response_t<Request>)> handler) {
    execute(std::move(impl), std::move(req), diag, true, std::move(handler));
}

#define DYNALOCK_INSTANTIATE(Request)                                                                        \
    template void async_execute_erased<Request>(                                                             \
        std::shared_ptr<client_impl>, Request, diagnostics*,                                                 \
        asio::any_completion_handler<void(error_code, response_t<Request>)>);                                \
    template void async_execute_internal<Request>(                                                           \
        std::shared_ptr<client_impl>, Request, diagnostics*,                                                 \
        asio::any_completion_handler<void(error_code, response_t<Request>)>);
DYNALOCK_INSTANTIATE(get_item_request)
DYNALOCK_INSTANTIATE(put_item_request)
DYNALOCK_INSTANTIATE(update_item_request)
DYNALOCK_INSTANTIATE(delete_item_request)
DYNALOCK_INSTANTIATE(query_request)
DYNALOCK_INSTANTIATE(scan_request)
DYNALOCK_INSTANTIATE(batch_get_item_request)
DYNALOCK_INSTANTIATE(batch_write_item_request)
DYNALOCK_INSTANTIATE(transact_write_items_request)
DYNALOCK_INSTANTIATE(create_table_request)
DYNALOCK_INSTANTIATE(describe_table_request)
DYNALOCK_INSTANTIATE(delete_table_request)
DYNALOCK_INSTANTIATE(update_time_to_live_request)
DYNALOCK_INSTANTIATE(describe_time_to_live_request)
#undef DYNALOCK_INSTANTIATE

} // namespace detail

client::client(executor_type ex, client_options options)
    : impl_(std::make_shared<detail::client_impl>(std::move(ex), std::move(options))) {}
client::client(client&&) noexcept = default;
client& client::operator=(client&&) noexcept = default;
client::~client() = default;

client::executor_type client::get_executor() const noexcept {
    return impl_->executor_;
}

error_code client::configuration_error(std::string* message) const {
    if (message)
        *message = impl_->config_message_;
    return impl_->config_error_;
}

std::string client::endpoint_url() const {
    const auto& ep = impl_->endpoint_;
    if (ep.host.empty())
        return {};
    return ep.scheme + "://" + ep.host_header + (ep.target == "/" ? "" : ep.target);
}

std::string client::region() const {
    return impl_->region_;
}

client_stats client::stats() const noexcept {
    client_stats s;
    if (impl_->pool_) {
        auto& c = impl_->pool_->counters();
        s.tcp_connects = c.tcp_connects.load(std::memory_order_relaxed);
        s.tls_handshakes = c.tls_handshakes.load(std::memory_order_relaxed);
        s.requests = c.exchanges.load(std::memory_order_relaxed);
        s.reused = c.reused.load(std::memory_order_relaxed);
    }
    s.retries = impl_->retries_.load(std::memory_order_relaxed);
    std::shared_ptr<detail::lock_registry> locks;
    {
        std::lock_guard lock(impl_->locks_mutex_);
        locks = impl_->locks_;
    }
    if (locks) {
        auto& c = locks->count;
        constexpr auto relaxed = std::memory_order_relaxed;
        s.lock_acquisitions = c.acquisitions.load(relaxed);
        s.lock_local_handovers = c.local_handovers.load(relaxed);
        s.lock_acquire_writes = c.acquire_writes.load(relaxed);
        s.lock_reads = c.reads.load(relaxed);
        s.lock_waiter_marks = c.waiter_marks.load(relaxed);
        s.lock_heartbeats = c.heartbeats.load(relaxed);
        s.lock_releases = c.releases.load(relaxed);
    }
    return s;
}

void client::shutdown() {
    impl_->stopped_ = true;
    auto close = [impl = impl_] {
        asio::post(impl->strand_, [impl] {
            if (impl->pool_)
                impl->pool_->close();
        });
    };
    std::shared_ptr<detail::lock_registry> locks;
    {
        std::lock_guard lock(impl_->locks_mutex_);
        locks = impl_->locks_;
    }
    // Leases are released first: their requests still run after stopped_ is set.
    if (locks)
        locks->shutdown(std::move(close));
    else
        close();
}

std::string_view to_string(log_level l) noexcept {
    switch (l) {
    case log_level::trace:
        return "trace";
    case log_level::debug:
        return "debug";
    case log_level::info:
        return "info";
    case log_level::warning:
        return "warning";
    case log_level::error:
        return "error";
    case log_level::off:
        return "off";
    }
    return "unknown";
}

} // namespace dynalock
