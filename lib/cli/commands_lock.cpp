// SPDX-License-Identifier: BSL-1.0
// The lock commands of the `dynalock` tool: lock (hold a lock while a command runs, or until a signal),
// locks and lock-info (read the lock rows).
#include "command.hpp"
#include "console.hpp"
#include "exit_status.hpp"
#include "output.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/error.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

extern char** environ;

namespace dynalock::cli {

namespace {

namespace asio = boost::asio;
namespace json = boost::json;
using std::chrono::milliseconds;

constexpr auto tuple = asio::as_tuple(asio::deferred);

// What CMD finds in its environment.
constexpr std::string_view key_variable = "DYNALOCK_KEY";
constexpr std::string_view token_variable = "DYNALOCK_TOKEN";
constexpr std::string_view owner_variable = "DYNALOCK_OWNER";

// The shell's statuses for a command that cannot be run: not found, found but not executable.
constexpr int not_found_status = 127;
constexpr int cannot_execute_status = 126;

constexpr milliseconds default_kill_grace = std::chrono::seconds(10);

constexpr std::array lock_option_specs{
    option_spec{"lease", 0, "DUR", "how long the lease lasts without renewal (default: 20s)"},
    option_spec{"heartbeat", 0, "DUR",
                "renew the lease this often (default: a third of the lease; 0: never)"},
    option_spec{"nonblock", 'n', {}, "do not wait: exit 1 (or the -E status) if the lock is held"},
    option_spec{"wait", 'w', "DUR", "wait at most this long, then exit 1 (or the -E status)"},
    option_spec{"conflict-exit-code", 'E', "N", "exit status when the lock is not acquired (default: 1)"},
    option_spec{"kill-grace", 0, "DUR",
                "after a lost lease, SIGKILL CMD this long after SIGTERM (default: 10s)"},
    option_spec{"data", 0, "VALUE", "data stored with the lock (shown by lock-info, read by get)"},
};

// Whether `message` names the endpoint's host and port ("cannot connect to 127.0.0.1:8000: ...").
bool mentions_endpoint(std::string_view message, std::string_view url) {
    if (auto scheme = url.find("://"); scheme != std::string_view::npos)
        url.remove_prefix(scheme + 3);
    url = url.substr(0, url.find('/'));
    return !url.empty() && message.find(url) != std::string_view::npos;
}

// Prints what went wrong and returns the exit status for it.
int report_failure(const command_context& ctx, std::string_view key, const error_code& ec,
                   const diagnostics& diag) {
    std::string message;
    if (ec == errc::key_not_found) {
        message = "lock " + single_quoted(key) + " not found";
    } else if (ec == service_errc::resource_not_found) {
        message = "table " + single_quoted(ctx.kv.table()) +
                  " does not exist or is not active (create it with " + "'dynalock create-table')";
    } else {
        message = describe_failure(ec, diag);
        // Say where the tool went, unless the message already does (a refused connection names it).
        if (exit_status_for(ec) == exit_status::unavailable &&
            !mentions_endpoint(message, ctx.db.endpoint_url()))
            message += " [endpoint " + ctx.db.endpoint_url() + "]";
    }
    print_error(ctx.args.command->name, message);
    return exit_status_for(ec);
}

// A lease as a duration the tool itself accepts: "20s", "1500ms".
std::string duration_text(milliseconds d) {
    if (d.count() % 1000 == 0)
        return std::to_string(d.count() / 1000) + "s";
    return std::to_string(d.count()) + "ms";
}

// ------------------------------------------------------------------------------------------------
// Lock rows as text and JSON

// The lock's data the way `get` shows a value: its bytes when it holds bytes (text, or base64 when they
// are not UTF-8), else DynamoDB JSON.
struct data_view {
    std::string text;
    std::string_view encoding; // "text", "base64", "dynamodb"
};

data_view view_data(const attribute_value& data) {
    kv_pair pair;
    pair.value = data;
    if (auto bytes = pair.bytes()) {
        if (is_valid_utf8(*bytes))
            return {std::move(*bytes), "text"};
        return {base64_encode(*bytes), "base64"};
    }
    return {attribute_json(data), "dynamodb"};
}

json::object lock_json(const lock_info& info) {
    json::object o;
    o.emplace("key", info.key);
    o.emplace("owner", info.owner);
    o.emplace("token", info.fencing_token);
    o.emplace("version", info.version);
    o.emplace("released", info.released);
    o.emplace("lease_ms", info.lease.count());
    o.emplace("lease_id", info.lease_id);
    if (info.waiter)
        o.emplace("waiter", *info.waiter);
    else
        o.emplace("waiter", nullptr);
    if (info.data) {
        auto view = view_data(*info.data);
        if (view.encoding == "dynamodb")
            o.emplace("data", json::parse(view.text));
        else
            o.emplace("data", std::move(view.text));
        o.emplace("encoding", view.encoding);
    } else {
        o.emplace("data", nullptr);
    }
    json::object attributes;
    for (const auto& [name, value] : info.attributes)
        attributes.emplace(name, json::parse(attribute_json(value)));
    o.emplace("attributes", std::move(attributes));
    return o;
}

// `lock-info` in text: one "name: value" line per field; absent fields are left out.
std::string lock_text(const lock_info& info) {
    std::string out;
    const auto line = [&](std::string_view name, std::string_view value) {
        out += name;
        out += ": ";
        out += one_line(value);
        out += '\n';
    };
    line("key", info.key);
    line("owner", info.owner);
    line("token", std::to_string(info.fencing_token));
    line("released", info.released ? "yes" : "no");
    line("lease", duration_text(info.lease));
    line("version", std::to_string(info.version));
    line("lease_id", info.lease_id);
    if (info.waiter)
        line("waiter", *info.waiter);
    if (info.data) {
        auto view = view_data(*info.data);
        line(view.encoding == "text" ? "data" : "data (" + std::string(view.encoding) + ")", view.text);
    }
    for (const auto& [name, value] : info.attributes)
        line(name, attribute_json(value));
    return out;
}

// `locks` in text: a table with a header, its columns padded to the widest cell.
std::string locks_table(const std::vector<lock_info>& locks) {
    constexpr std::size_t columns = 5;
    std::vector<std::array<std::string, columns>> rows;
    rows.push_back({"KEY", "OWNER", "TOKEN", "RELEASED", "LEASE"});
    for (const auto& l : locks)
        rows.push_back({one_line(l.key), one_line(l.owner), std::to_string(l.fencing_token),
                        l.released ? "yes" : "no", duration_text(l.lease)});
    std::array<std::size_t, columns> width{};
    for (const auto& row : rows)
        for (std::size_t c = 0; c < columns; ++c)
            width[c] = std::max(width[c], row[c].size());
    std::string out;
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t c = 0; c < columns; ++c) {
            line += row[c];
            if (c + 1 < columns)
                line.append(width[c] - row[c].size() + 2, ' ');
        }
        out += line;
        out += '\n';
    }
    return out;
}

// ------------------------------------------------------------------------------------------------
// lock: options

struct lock_settings {
    lock_options options{};
    bool nonblock = false;
    int conflict_status = exit_status::no;
    milliseconds kill_grace = default_kill_grace;
};

// A duration option: nullopt when not given; an error message when malformed or below `min`.
parse_result<milliseconds> duration_option(const command_context& ctx, std::string_view name,
                                           bool allow_zero) {
    using result = parse_result<milliseconds>;
    const std::string* text = ctx.args.options.value(name);
    if (text == nullptr)
        return {};
    auto d = parse_duration(*text);
    if (!d || (d->count() == 0 && !allow_zero))
        return result::failure("invalid --" + std::string(name) + " " + single_quoted(*text) +
                               ": expected a " + (allow_zero ? "duration" : "positive duration") +
                               " such as 500ms, 10s or 5m");
    return {d, {}};
}

// The lock's data, stored the way `put` stores a value, so that `get KEY` prints it back.
attribute_value data_attribute(const store& kv, const std::string& bytes) {
    if (kv.options().bytes_encoding == bytes_encoding::binary)
        return attribute_value::binary(bytes);
    return attribute_value::string(base64_encode(bytes));
}

parse_result<lock_settings> lock_settings_from(const command_context& ctx) {
    using result = parse_result<lock_settings>;
    lock_settings s;
    const auto& given = ctx.args.options;

    auto lease = duration_option(ctx, "lease", false);
    auto heartbeat = duration_option(ctx, "heartbeat", true);
    auto wait = duration_option(ctx, "wait", false);
    auto grace = duration_option(ctx, "kill-grace", true);
    for (const auto* d : {&lease, &heartbeat, &wait, &grace})
        if (!d->error.empty())
            return result::failure(d->error);
    if (lease)
        s.options.lease = *lease.value;
    s.options.heartbeat = heartbeat.value;
    s.options.max_wait = wait.value;
    if (grace)
        s.kill_grace = *grace.value;

    s.nonblock = given.has("nonblock");
    if (s.nonblock && wait)
        return result::failure("--nonblock and --wait cannot be used together");
    if (const std::string* text = given.value("conflict-exit-code")) {
        auto n = parse_integer(*text, 0, 255);
        if (!n)
            return result::failure("invalid --conflict-exit-code " + single_quoted(*text) +
                                   ": expected an exit status from 0 to 255");
        s.conflict_status = static_cast<int>(*n);
    }
    if (const std::string* data = given.value("data"))
        s.options.data = data_attribute(ctx.kv, *data);
    return {std::move(s), {}};
}

// ------------------------------------------------------------------------------------------------
// lock: signals and the child process

bool is_ignored(int signo) noexcept {
    struct sigaction current {};
    return ::sigaction(signo, nullptr, &current) == 0 && (current.sa_flags & SA_SIGINFO) == 0 &&
           current.sa_handler == SIG_IGN;
}

// The signals that end a hold (and are passed on to CMD): INT, TERM and HUP, except those the tool was
// started with ignored (nohup, a background job of a script), which stay ignored here and in CMD.
void add_stop_signals(asio::signal_set& set) {
    for (int signo : {SIGINT, SIGTERM, SIGHUP})
        if (!is_ignored(signo))
            set.add(signo);
}

// A closed stdout must not kill the tool while it holds a lease: the write then fails with EPIPE and the
// lease is released. Returns whether SIGPIPE was ignored already (then CMD inherits that).
bool ignore_sigpipe() noexcept {
    const bool was_ignored = is_ignored(SIGPIPE);
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    ::sigemptyset(&ignore.sa_mask);
    ::sigaction(SIGPIPE, &ignore, nullptr);
    return was_ignored;
}

std::string signal_name(int signo) {
    const char* abbrev = ::sigabbrev_np(signo);
    return abbrev != nullptr ? std::string("SIG") + abbrev : "signal " + std::to_string(signo);
}

// The environment of CMD: ours, with the lock's variables set (replacing any inherited ones).
std::vector<std::string> child_environment(const std::string& key, const locker& lk) {
    std::vector<std::string> env;
    const auto is_ours = [](std::string_view entry) {
        for (auto name : {key_variable, token_variable, owner_variable})
            if (entry.size() > name.size() && entry.starts_with(name) && entry[name.size()] == '=')
                return true;
        return false;
    };
    for (char** e = environ; e != nullptr && *e != nullptr; ++e)
        if (!is_ours(*e))
            env.emplace_back(*e);
    env.push_back(std::string(key_variable) + "=" + key);
    env.push_back(std::string(token_variable) + "=" + std::to_string(lk.fencing_token()));
    env.push_back(std::string(owner_variable) + "=" + lk.owner());
    return env;
}

// Null-terminated pointers into `strings`, as exec wants them.
std::vector<char*> pointers_to(std::vector<std::string>& strings) {
    std::vector<char*> out;
    out.reserve(strings.size() + 1);
    for (auto& s : strings)
        out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

// What the tool itself was started with, taken before it opens anything, so that CMD gets the same.
struct process_baseline {
    bool sigpipe_was_ignored = false;
    std::vector<int> descriptors{}; // open descriptors, in increasing order
};

// The open file descriptors (Linux: /proc/self/fd); empty where that cannot be listed.
std::vector<int> open_descriptors() {
    std::vector<int> fds;
    std::error_code ec;
    for (std::filesystem::directory_iterator it("/proc/self/fd", ec), end; !ec && it != end;
         it.increment(ec)) {
        const auto name = it->path().filename().string();
        int fd = -1;
        if (std::from_chars(name.data(), name.data() + name.size(), fd).ec == std::errc())
            fds.push_back(fd);
    }
    std::sort(fds.begin(), fds.end());
    return fds;
}

process_baseline take_baseline() {
    process_baseline b;
    b.descriptors = open_descriptors();
    b.sigpipe_was_ignored = ignore_sigpipe();
    return b;
}

// Asio opens its sockets without close-on-exec: every descriptor the tool opened since it started (the
// connections to DynamoDB) is marked so that CMD does not inherit it. Inherited ones stay, as a shell
// would pass them on.
void close_own_descriptors_on_exec(const process_baseline& baseline) {
    for (int fd : open_descriptors())
        if (fd > STDERR_FILENO &&
            !std::binary_search(baseline.descriptors.begin(), baseline.descriptors.end(), fd))
            ::fcntl(fd, F_SETFD, ::fcntl(fd, F_GETFD) | FD_CLOEXEC); // a closed fd: EBADF, nothing to do
}

// Starts CMD (searched in PATH, no shell) in a process group of its own, so that a lost lease can stop
// it together with everything it started. Its signal mask is empty, SIGPIPE has the default action
// (unless the tool was started with it ignored) and it inherits the descriptors the tool inherited, not
// the tool's own. The pid, or the errno of the failure.
std::pair<pid_t, int> spawn_child(std::vector<std::string> argv, std::vector<std::string> env,
                                  const process_baseline& baseline) {
    close_own_descriptors_on_exec(baseline);
    posix_spawnattr_t attr;
    ::posix_spawnattr_init(&attr);
    short flags = POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK;
    ::posix_spawnattr_setpgroup(&attr, 0);
    sigset_t signals;
    ::sigemptyset(&signals);
    ::posix_spawnattr_setsigmask(&attr, &signals);
    if (!baseline.sigpipe_was_ignored) {
        ::sigaddset(&signals, SIGPIPE);
        ::posix_spawnattr_setsigdefault(&attr, &signals);
        flags |= POSIX_SPAWN_SETSIGDEF;
    }
    ::posix_spawnattr_setflags(&attr, flags);
    auto argv_ptrs = pointers_to(argv);
    auto env_ptrs = pointers_to(env);
    pid_t pid = -1;
    const int error = ::posix_spawnp(&pid, argv_ptrs[0], nullptr, &attr, argv_ptrs.data(), env_ptrs.data());
    ::posix_spawnattr_destroy(&attr);
    return {error == 0 ? pid : -1, error};
}

// CMD's exit status (128 + signal when a signal ended it) once it has ended; nullopt while it runs.
std::optional<int> try_reap(pid_t pid) {
    int wstatus = 0;
    pid_t done = -1;
    do {
        done = ::waitpid(pid, &wstatus, WNOHANG);
    } while (done < 0 && errno == EINTR);
    if (done == 0)
        return std::nullopt;
    if (done < 0) // nothing to wait for any more: nothing we could report either
        return exit_status::software;
    if (WIFSIGNALED(wstatus))
        return 128 + WTERMSIG(wstatus);
    return WEXITSTATUS(wstatus);
}

void signal_group(pid_t group, int signo) noexcept {
    ::kill(-group, signo); // ESRCH: everything in the group has ended already
}

// ------------------------------------------------------------------------------------------------
// lock: acquire, hold, release

struct acquired {
    error_code ec;  // of the acquisition
    int signal = 0; // a stop signal that arrived meanwhile
};

// Acquires the lease, unless a stop signal comes first (the attempt is then cancelled: a wait leaves
// nothing behind, a write in flight is resolved and released by the locker in the background). A wait
// rides out faults once the service has answered; a service never reached fails it at once (exit 69).
asio::awaitable<acquired> acquire(locker& lk, bool nonblock, asio::signal_set& stop, diagnostics& diag) {
    const auto race = [&](auto lock_operation) {
        return asio::experimental::make_parallel_group(std::move(lock_operation),
                                                       stop.async_wait(asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::deferred);
    };
    acquired result;
    error_code signal_ec;
    std::array<std::size_t, 2> order{};
    if (nonblock)
        std::tie(order, result.ec, signal_ec, result.signal) =
            co_await race(lk.async_try_lock(diag, asio::deferred));
    else
        std::tie(order, result.ec, signal_ec, result.signal) =
            co_await race(lk.async_lock(diag, asio::deferred));
    if (signal_ec)
        result.signal = 0;
    co_return result;
}

// Releases the lease. A failure is printed; lease_stolen means the lease was lost while we thought it
// ours (between two renewals), which the caller reports as a lost lease.
asio::awaitable<error_code> release(locker& lk, const command_context& ctx, const std::string& key) {
    release_options options;
    diagnostics diag;
    auto [ec] = co_await lk.async_unlock(std::move(options), diag, tuple);
    if (ec == errc::lease_stolen) {
        print_error(ctx.args.command->name, "lease of lock " + single_quoted(key) + " lost: " + ec.message());
    } else if (ec) {
        print_error(ctx.args.command->name, "could not release lock " + single_quoted(key) +
                                                " (its lease runs out by " +
                                                "itself): " + describe_failure(ec, diag));
    }
    co_return ec;
}

void report_lost(const command_context& ctx, const std::string& key, const error_code& reason,
                 std::string_view consequence) {
    print_error(ctx.args.command->name, "lease of lock " + single_quoted(key) + " lost: " + reason.message() +
                                            std::string(consequence));
}

// No CMD: prints the fencing token, then holds the lease until a stop signal (exit 0) or its loss (75).
asio::awaitable<int> hold(const command_context& ctx, const std::string& key, locker& lk,
                          asio::signal_set& stop) {
    std::string line;
    if (json_output(ctx)) {
        json::object o;
        o.emplace("key", key);
        o.emplace("token", lk.fencing_token());
        o.emplace("owner", lk.owner());
        line = json::serialize(o);
    } else {
        line = std::to_string(lk.fencing_token());
    }
    line += '\n';
    if (int status = print(ctx, line); status != exit_status::success) {
        co_await release(lk, ctx, key);
        co_return status;
    }

    auto [order, signal_ec, signo, lost] =
        co_await asio::experimental::make_parallel_group(stop.async_wait(asio::deferred),
                                                         lk.async_wait_lost(asio::deferred))
            .async_wait(asio::experimental::wait_for_one(), asio::deferred);
    (void)signo;
    const auto released = co_await release(lk, ctx, key);
    if (lost != asio::error::operation_aborted) {
        report_lost(ctx, key, lost, "");
        co_return exit_status::temp_failure;
    }
    if (released == errc::lease_stolen)
        co_return exit_status::temp_failure;
    co_return released ? exit_status_for(released) : exit_status::success;
}

// What happened while CMD ran, in one round of waiting.
struct child_events {
    bool child_signalled = false; // SIGCHLD: CMD may have ended
    int stop_signal = 0;          // a signal to pass on to CMD
    bool other_done = false;      // the third operation completed
    error_code other_ec;
};

template <class Operation>
asio::awaitable<child_events> next_child_events(asio::signal_set& sigchld, asio::signal_set& stop,
                                                Operation other) {
    // Every operation that completed is looked at, not only the first: none of the events is lost.
    auto [order, child_ec, child_signo, stop_ec, stop_signo, other_ec] =
        co_await asio::experimental::make_parallel_group(sigchld.async_wait(asio::deferred),
                                                         stop.async_wait(asio::deferred), std::move(other))
            .async_wait(asio::experimental::wait_for_one(), asio::deferred);
    (void)order;
    (void)child_signo;
    child_events e;
    e.child_signalled = !child_ec;
    e.stop_signal = stop_ec ? 0 : stop_signo;
    e.other_done = other_ec != asio::error::operation_aborted;
    e.other_ec = other_ec;
    co_return e;
}

struct child_outcome {
    int status = 0;
    std::optional<error_code> lost{}; // the lease was lost while CMD ran
};

// Waits for CMD to end, passing stop signals on to its process group. When the lease is lost, CMD's group
// gets SIGTERM, then SIGKILL after the grace period.
asio::awaitable<child_outcome> supervise(const command_context& ctx, const std::string& key, locker& lk,
                                         pid_t pid, asio::signal_set& sigchld, asio::signal_set& stop,
                                         milliseconds kill_grace) {
    child_outcome outcome;
    asio::steady_timer grace(co_await asio::this_coro::executor,
                             std::chrono::steady_clock::time_point::max());
    for (;;) {
        const child_events e =
            outcome.lost ? co_await next_child_events(sigchld, stop, grace.async_wait(asio::deferred))
                         : co_await next_child_events(sigchld, stop, lk.async_wait_lost(asio::deferred));
        if (e.stop_signal != 0)
            signal_group(pid, e.stop_signal);
        if (e.other_done && !outcome.lost) {
            outcome.lost = e.other_ec;
            report_lost(ctx, key, e.other_ec, "; stopping the command");
            signal_group(pid, SIGTERM);
            grace.expires_after(kill_grace);
        } else if (e.other_done && !e.other_ec) {
            signal_group(pid, SIGKILL); // the grace period is over
            grace.expires_at(std::chrono::steady_clock::time_point::max());
        }
        // Reaped last: until then the group id cannot be reused, so the signals above reach CMD's group.
        if (e.child_signalled)
            if (auto status = try_reap(pid)) {
                outcome.status = *status;
                co_return outcome;
            }
    }
}

// With CMD: runs it while holding the lease; its status, or 75 when the lease was lost meanwhile.
asio::awaitable<int> run_child(const command_context& ctx, const std::string& key, locker& lk,
                               asio::signal_set& stop, const lock_settings& settings,
                               const process_baseline& baseline) {
    const std::string& program = ctx.args.child_command.front();
    // Registered before CMD starts, so that its end cannot go unnoticed.
    asio::signal_set sigchld(co_await asio::this_coro::executor, SIGCHLD);
    auto [pid, spawn_error] = spawn_child(ctx.args.child_command, child_environment(key, lk), baseline);
    if (pid < 0) {
        print_error(ctx.args.command->name,
                    "cannot run " + single_quoted(program) + ": " + std::strerror(spawn_error));
        co_await release(lk, ctx, key);
        co_return spawn_error == ENOENT ? not_found_status : cannot_execute_status;
    }

    auto outcome = co_await supervise(ctx, key, lk, pid, sigchld, stop, settings.kill_grace);
    if (!outcome.lost) {
        // A loss the heartbeat had not reported yet: the end of CMD may have run unprotected.
        if (auto reason = lk.lost_reason(); reason && reason != errc::lease_released) {
            outcome.lost = reason;
            report_lost(ctx, key, reason, "");
        }
    }
    const auto released = co_await release(lk, ctx, key);
    if (outcome.lost || released == errc::lease_stolen)
        co_return exit_status::temp_failure;
    // Any other release failure was printed; the lease runs out by itself, and CMD's status is the answer.
    co_return outcome.status;
}

// g++ 12 reports a false -Wmismatched-new-delete here when it inlines the frame allocation of the
// coroutines called below (Asio's awaitable frames pair their own operator new and delete).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
asio::awaitable<int> run_lock(command_context& ctx) {
    const std::string_view command = ctx.args.command->name;
    const std::string& key = ctx.args.arguments[0];
    auto settings = lock_settings_from(ctx);
    if (!settings)
        co_return usage_error(command, settings.error);

    const process_baseline baseline = take_baseline();
    // Installed before the wait, so that Ctrl-C while waiting leaves the queue cleanly.
    asio::signal_set stop(co_await asio::this_coro::executor);
    add_stop_signals(stop);

    locker lk = ctx.kv.new_lock(key, settings.value->options);
    std::string message;
    if (auto ec = lk.configuration_error(&message)) {
        diagnostics diag;
        diag.client_message = std::move(message);
        co_return report_failure(ctx, key, ec, diag);
    }

    diagnostics diag;
    const acquired got = co_await acquire(lk, settings.value->nonblock, stop, diag);
    if (got.signal != 0) {
        if (!got.ec)
            co_await release(lk, ctx, key);
        else
            print_error(command, "interrupted by " + signal_name(got.signal) + " while waiting for lock " +
                                     single_quoted(key));
        co_return 128 + got.signal;
    }
    if (got.ec == errc::lock_not_acquired || got.ec == errc::lock_wait_timeout) {
        print_error(command, "lock " + single_quoted(key) + " not acquired: " + got.ec.message());
        co_return settings.value->conflict_status;
    }
    if (got.ec)
        co_return report_failure(ctx, key, got.ec, diag);

    if (ctx.args.child_command.empty())
        co_return co_await hold(ctx, key, lk, stop);
    co_return co_await run_child(ctx, key, lk, stop, *settings.value, baseline);
}
#pragma GCC diagnostic pop

// ------------------------------------------------------------------------------------------------
// locks, lock-info

asio::awaitable<int> run_locks(command_context& ctx) {
    std::string prefix = ctx.args.arguments.empty() ? std::string() : ctx.args.arguments[0];
    diagnostics diag;
    auto [ec, locks] = co_await ctx.kv.async_list_locks(prefix, diag, tuple);
    if (ec)
        co_return report_failure(ctx, prefix, ec, diag);
    std::string out;
    if (json_output(ctx)) {
        for (const auto& l : locks)
            out += json::serialize(lock_json(l)) + "\n";
    } else if (!locks.empty()) {
        out = locks_table(locks);
    }
    co_return print(ctx, out);
}

asio::awaitable<int> run_lock_info(command_context& ctx) {
    const std::string& key = ctx.args.arguments[0];
    diagnostics diag;
    auto [ec, info] = co_await ctx.kv.async_read_lock(key, diag, tuple);
    if (ec)
        co_return report_failure(ctx, key, ec, diag);
    if (json_output(ctx))
        co_return print(ctx, json::serialize(lock_json(info)) + "\n");
    co_return print(ctx, lock_text(info));
}

const std::array commands{
    command{{.name = "lock",
             .arguments = "KEY",
             .summary = "hold a lock while CMD runs (or, without CMD, until SIGINT/SIGTERM)",
             .details =
                 "With CMD: runs it (no shell) with DYNALOCK_KEY, DYNALOCK_TOKEN (the fencing token) and\n"
                 "DYNALOCK_OWNER in its environment, in a process group of its own; passes SIGINT, SIGTERM\n"
                 "and SIGHUP on to it; releases the lock when it ends and exits with its status (128 +\n"
                 "signal when a signal ended it). If the lease is lost meanwhile, CMD's process group gets\n"
                 "SIGTERM, then SIGKILL after --kill-grace, and the exit status is 75.\n"
                 "Without CMD: prints the fencing token, holds the lock until SIGINT, SIGTERM or SIGHUP,\n"
                 "releases it and exits 0; exit 75 if the lease is lost meanwhile.\n"
                 "Not acquired (--nonblock, or --wait ran out): exit 1, or the --conflict-exit-code status.",
             .options = lock_option_specs,
             .min_arguments = 1,
             .max_arguments = 1,
             .runs_command = true},
            &run_lock},
    command{{.name = "locks",
             .arguments = "[PREFIX]",
             .summary = "list the locks (whose key starts with PREFIX) with owner, token, lease",
             .details = "In key order. A lock that is not released may still belong to a holder that\n"
                        "died: it is taken over once its lease has passed. With --output json: one object\n"
                        "per lock with key, owner, token, version, released, lease_ms, lease_id, waiter,\n"
                        "data, encoding, attributes.",
             .min_arguments = 0,
             .max_arguments = 1},
            &run_locks},
    command{{.name = "lock-info",
             .arguments = "KEY",
             .summary = "show one lock's row (exit 1 if there is none)",
             .details = "One 'name: value' line per field (JSON: the object 'locks' prints).",
             .min_arguments = 1,
             .max_arguments = 1},
            &run_lock_info},
};

} // namespace

std::span<const command> lock_commands() noexcept {
    return commands;
}

} // namespace dynalock::cli
