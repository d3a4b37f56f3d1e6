// SPDX-License-Identifier: BSL-1.0
// credential_process: runs the configured command without a shell (posix_spawnp, stdin from /dev/null, no
// descriptor of ours inherited), reads its stdout and stderr through pipes without blocking the io thread,
// kills it (SIGKILL) at the timeout or on cancellation, and always reaps it. What the words and the output
// mean lives in the sans-io core (core/credentials/process_command).
#include <dynalock/credentials.hpp>

#include "core/credentials/process_command.hpp"
#include "core/crypto.hpp"
#include "core/validation.hpp"
#include "credentials/async_provider.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

namespace dynalock {

namespace {

using detail::to_public;

namespace asio = boost::asio;
using clock = std::chrono::steady_clock;

// Bounds of the waits after the command ends or is killed. A grandchild that inherited the pipes may keep
// them open after the command exits: its output is complete by then, so stop waiting after a moment.
constexpr std::chrono::milliseconds pipe_grace{500};
// SIGKILL takes effect at once unless the process is stuck in the kernel; past this, it is reaped in the
// background (or by the destructor) and the call completes anyway.
constexpr std::chrono::milliseconds reap_grace{5000};
// Polling waitpid where there is no pidfd (Linux before 5.3).
constexpr std::chrono::milliseconds poll_interval{10};
// What is kept of stderr for the message (1 KiB, a few bytes more to see that it was cut).
constexpr std::size_t stderr_keep = 1024 + 8;

class unique_fd {
public:
    unique_fd() = default;
    explicit unique_fd(int fd) noexcept : fd_(fd) {}
    unique_fd(unique_fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    unique_fd& operator=(unique_fd&& other) noexcept {
        reset(std::exchange(other.fd_, -1));
        return *this;
    }
    ~unique_fd() { reset(); }
    int get() const noexcept { return fd_; }
    int release() noexcept { return std::exchange(fd_, -1); }
    void reset(int fd = -1) noexcept {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = fd;
    }

private:
    int fd_ = -1;
};

std::string errno_text(int err) {
    return std::strerror(err);
}

// A pipe whose ends are close-on-exec and not 0, 1 or 2 (so that dup2 onto the child's 1 and 2 cannot
// clobber one end with the other when the parent runs with its standard descriptors closed).
bool make_pipe(unique_fd& read_end, unique_fd& write_end, int& err) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) {
        err = errno;
        return false;
    }
    for (int i = 0; i < 2; ++i) {
        if (fds[i] < 3) {
            int moved = ::fcntl(fds[i], F_DUPFD_CLOEXEC, 3);
            int saved = errno;
            ::close(fds[i]);
            if (moved < 0) {
                err = saved;
                ::close(fds[1 - i]);
                return false;
            }
            fds[i] = moved;
        }
    }
    read_end.reset(fds[0]);
    write_end.reset(fds[1]);
    return true;
}

struct spawned {
    pid_t pid = -1;
    unique_fd out;
    unique_fd err;
};

// Starts argv[0] (searched in PATH) with stdin from /dev/null, stdout and stderr into pipes, every other
// descriptor closed, the default disposition of SIGPIPE and SIGXFSZ and no blocked signals (an application
// that ignores SIGPIPE or blocks signals must not pass that on). Returns the error number on failure.
int spawn(const std::vector<std::string>& args, spawned& out) {
    unique_fd out_read, out_write, err_read, err_write;
    int err = 0;
    if (!make_pipe(out_read, out_write, err) || !make_pipe(err_read, err_write, err))
        return err;

    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);

    posix_spawn_file_actions_t actions;
    if ((err = posix_spawn_file_actions_init(&actions)) != 0)
        return err;
    posix_spawnattr_t attr;
    if ((err = posix_spawnattr_init(&attr)) != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return err;
    }
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    sigaddset(&defaults, SIGXFSZ);
    err = posix_spawnattr_setflags(&attr, static_cast<short>(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF));
    if (err == 0)
        err = posix_spawnattr_setsigmask(&attr, &none);
    if (err == 0)
        err = posix_spawnattr_setsigdefault(&attr, &defaults);
    if (err == 0)
        err = posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    if (err == 0)
        err = posix_spawn_file_actions_adddup2(&actions, out_write.get(), 1);
    if (err == 0)
        err = posix_spawn_file_actions_adddup2(&actions, err_write.get(), 2);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 34))
    // Descriptors the application opened without O_CLOEXEC must not leak into the command either.
    if (err == 0)
        err = posix_spawn_file_actions_addclosefrom_np(&actions, 3);
#endif
    pid_t pid = -1;
    if (err == 0)
        err = posix_spawnp(&pid, argv[0], &actions, &attr, argv.data(), environ);
    posix_spawnattr_destroy(&attr);
    posix_spawn_file_actions_destroy(&actions);
    if (err != 0)
        return err;
    out.pid = pid;
    out.out = std::move(out_read);
    out.err = std::move(err_read);
    return 0; // the write ends close here: the child holds the only copies
}

// One run of the command: the pipes, the wait for its exit, and the notification of the coroutine that
// drives it. Everything runs on one strand. The object outlives the coroutine while a handler still
// refers to it; its destructor kills and reaps a child that is still there.
class process_run : public std::enable_shared_from_this<process_run> {
public:
    process_run(const asio::any_io_executor& ex, pid_t pid, std::size_t max_output)
        : wake(ex), pid_(pid), max_output_(max_output), out_(ex), err_(ex), pidfd_(ex), poll_(ex) {}

    ~process_run() {
        if (!reaped_) {
            ::kill(pid_, SIGKILL);
            int st = 0;
            while (::waitpid(pid_, &st, 0) < 0 && errno == EINTR) {
            }
        }
        core::crypto::cleanse(stdout_text.data(), stdout_text.size());
        core::crypto::cleanse(out_buffer_.data(), out_buffer_.size());
    }

    process_run(const process_run&) = delete;
    process_run& operator=(const process_run&) = delete;

    void start(unique_fd out_fd, unique_fd err_fd) {
        error_code ec;
        out_.assign(out_fd.get(), ec);
        if (!ec)
            out_fd.release();
        else
            stdout_done = true;
        err_.assign(err_fd.get(), ec);
        if (!ec)
            err_fd.release();
        else
            stderr_done = true;
#if defined(SYS_pidfd_open)
        int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid_, 0));
        if (pidfd >= 0) {
            pidfd_.assign(pidfd, ec);
            if (ec)
                ::close(pidfd);
        }
#endif
        if (!stdout_done)
            read_stdout();
        if (!stderr_done)
            read_stderr();
        wait_exit();
    }

    void kill() {
        if (!reaped_ && !killed) {
            ::kill(pid_, SIGKILL);
            killed = true;
        }
    }

    void close_pipes() {
        error_code ignored;
        out_.close(ignored);
        err_.close(ignored);
    }

    // What the coroutine reads (on the strand).
    bool stdout_done = false;
    bool stderr_done = false;
    bool exited = false;
    bool overflow = false;
    bool killed = false;
    bool status_known = false;
    int status = 0;
    std::string stdout_text;
    std::string stderr_text;
    asio::steady_timer wake; ///< the coroutine waits on it; cancel() wakes it

private:
    void notify() {
        wake.cancel();
    }

    void read_stdout() {
        out_.async_read_some(asio::buffer(out_buffer_),
                             [self = shared_from_this()](error_code ec, std::size_t n) {
                                 if (n > 0) {
                                     if (self->stdout_text.size() + n > self->max_output_) {
                                         self->overflow = true;
                                         self->stdout_done = true;
                                         self->kill();
                                         self->notify();
                                         return;
                                     }
                                     self->stdout_text.append(self->out_buffer_.data(), n);
                                 }
                                 if (ec) {
                                     self->stdout_done = true;
                                     self->notify();
                                     return;
                                 }
                                 self->read_stdout();
                             });
    }

    void read_stderr() {
        err_.async_read_some(
            asio::buffer(err_buffer_), [self = shared_from_this()](error_code ec, std::size_t n) {
                // Keep the start for the message and drain the rest, so the command never blocks on a full
                // pipe.
                if (self->stderr_text.size() < stderr_keep)
                    self->stderr_text.append(self->err_buffer_.data(),
                                             std::min(n, stderr_keep - self->stderr_text.size()));
                if (ec) {
                    self->stderr_done = true;
                    self->notify();
                    return;
                }
                self->read_stderr();
            });
    }

    bool try_reap() {
        if (reaped_)
            return true;
        int st = 0;
        pid_t r = ::waitpid(pid_, &st, WNOHANG);
        if (r == pid_) {
            status = st;
            status_known = true;
            reaped_ = true;
        } else if (r < 0 && errno == ECHILD) {
            reaped_ = true; // reaped by someone else (SIGCHLD ignored, or a waitpid(-1)): status unknown
        }
        return reaped_;
    }

    void on_exit_event() {
        if (try_reap()) {
            exited = true;
            error_code ignored;
            pidfd_.close(ignored);
            notify();
            return;
        }
        wait_exit();
    }

    void wait_exit() {
        if (pidfd_.is_open()) {
            pidfd_.async_wait(asio::posix::stream_descriptor::wait_read,
                              [self = shared_from_this()](error_code ec) {
                                  if (ec) { // not pollable after all: poll waitpid instead
                                      error_code ignored;
                                      self->pidfd_.close(ignored);
                                  }
                                  self->on_exit_event();
                              });
            return;
        }
        poll_.expires_after(poll_interval);
        poll_.async_wait([self = shared_from_this()](error_code) { self->on_exit_event(); });
    }

    pid_t pid_;
    bool reaped_ = false;
    std::size_t max_output_;
    asio::posix::stream_descriptor out_;
    asio::posix::stream_descriptor err_;
    asio::posix::stream_descriptor pidfd_;
    asio::steady_timer poll_;
    std::array<char, 4096> out_buffer_{};
    std::array<char, 4096> err_buffer_{};
};

std::string with_stderr(std::string text, std::string_view stderr_text) {
    auto err = core::process::printable_stderr(stderr_text);
    if (!err.empty())
        text.append(": ").append(err);
    return text;
}

// Runs on a strand of the caller's executor: every handler of the run is serialised with it.
asio::awaitable<detail::credentials_outcome> run_process(std::vector<std::string> argv,
                                                         process_options options) {
    // After a cancellation the child still has to be killed and reaped: keep awaiting.
    co_await asio::this_coro::throw_if_cancelled(false);
    auto ex = co_await asio::this_coro::executor;
    auto failed = [](std::string text) {
        return detail::credentials_failure(make_error_code(errc::credentials_process_failed),
                                           std::move(text));
    };

    spawned child;
    if (int err = spawn(argv, child); err != 0) {
        std::string text = "credential_process: cannot run '";
        core::append_printable(text, argv.front(), 256);
        co_return failed(text + "': " + errno_text(err));
    }
    auto run = std::make_shared<process_run>(ex, child.pid, options.max_output_bytes);
    run->start(std::move(child.out), std::move(child.err));

    enum class stop { none, timed_out, cancelled, overflow } why = stop::none;
    const auto deadline = clock::now() + options.timeout;
    clock::time_point give_up = clock::time_point::max(); // after the kill: when to stop waiting for the exit
    clock::time_point grace = clock::time_point::max();   // after the exit: when to stop waiting for EOF
    for (;;) {
        if (run->exited && run->stdout_done && run->stderr_done)
            break;
        const auto now = clock::now();
        if (!run->killed && !run->exited) {
            auto cs = co_await asio::this_coro::cancellation_state;
            if (cs.cancelled() != asio::cancellation_type::none)
                why = stop::cancelled;
            else if (now >= deadline)
                why = stop::timed_out;
            if (why != stop::none)
                run->kill();
        }
        if (run->overflow && why == stop::none)
            why = stop::overflow;
        if (run->killed) {
            if (run->exited || now >= give_up)
                break;
            if (give_up == clock::time_point::max())
                give_up = now + reap_grace;
        } else if (run->exited) {
            if (grace == clock::time_point::max())
                grace = std::min(deadline, now + pipe_grace);
            if (now >= grace)
                break;
        }
        run->wake.expires_at(run->killed ? give_up : std::min(deadline, grace));
        co_await run->wake.async_wait(asio::as_tuple(asio::use_awaitable));
    }
    run->close_pipes();

    switch (why) {
    case stop::cancelled:
        co_return detail::credentials_failure(asio::error::operation_aborted,
                                              "credential_process: cancelled");
    case stop::timed_out:
        co_return failed(with_stderr("credential_process did not finish within " +
                                         std::to_string(options.timeout.count()) + " ms and was killed",
                                     run->stderr_text));
    case stop::overflow:
        co_return failed("credential_process printed more than " + std::to_string(options.max_output_bytes) +
                         " bytes on stdout and was killed");
    case stop::none:
        break;
    }
    if (run->status_known) {
        core::process::exit_info exit;
        if (WIFSIGNALED(run->status))
            exit = {true, WTERMSIG(run->status)};
        else if (WIFEXITED(run->status))
            exit = {false, WEXITSTATUS(run->status)};
        if (exit.signaled || exit.code != 0)
            co_return failed(core::process::failure_message(exit, run->stderr_text));
    }
    std::string message;
    auto parsed = core::process::parse_output(run->stdout_text, message);
    if (!parsed)
        co_return detail::credentials_failure(parsed.error(), std::move(message));
    co_return detail::credentials_outcome{{}, to_public(std::move(*parsed)), {}};
}

class process_provider final : public detail::async_credentials_provider {
public:
    process_provider(std::string command_line, process_options options)
        : command_line_(std::move(command_line)), options_(options) {}

protected:
    asio::awaitable<detail::credentials_outcome> fetch() override {
        std::string message;
        if (options_.timeout.count() <= 0 || options_.max_output_bytes == 0)
            co_return detail::credentials_failure(
                make_error_code(errc::invalid_argument),
                "credential_process: process_options.timeout and max_output_bytes must be positive");
        auto argv = core::process::split_command_line(command_line_, message);
        if (!argv)
            co_return detail::credentials_failure(argv.error(), std::move(message));
        auto strand = asio::make_strand(co_await asio::this_coro::executor);
        co_return co_await asio::co_spawn(strand, run_process(std::move(*argv), options_),
                                          asio::use_awaitable);
    }

private:
    std::string command_line_;
    process_options options_;
};

} // namespace

std::shared_ptr<credentials_provider> make_process_credentials_provider(std::string command_line,
                                                                        process_options options) {
    return std::make_shared<process_provider>(std::move(command_line), options);
}

} // namespace dynalock
