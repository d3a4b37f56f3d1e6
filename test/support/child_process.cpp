// SPDX-License-Identifier: BSL-1.0
#include "support/child_process.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <optional>
#include <tuple>

namespace dynalock::test {

namespace {

// argv (the program's file name first) and envp as posix_spawn wants them: null-terminated arrays of
// pointers into strings this object owns.
struct program_command {
    program_command(const char* program, const std::vector<std::string>& args, const env_map& env) {
        storage.push_back(std::filesystem::path(program).filename().string());
        storage.insert(storage.end(), args.begin(), args.end());
        const auto arg_count = storage.size();
        for (const auto& [name, value] : env)
            storage.push_back(name + "=" + value);
        for (std::size_t i = 0; i < storage.size(); ++i)
            (i < arg_count ? argv : envp).push_back(storage[i].data());
        argv.push_back(nullptr);
        envp.push_back(nullptr);
    }
    std::vector<std::string> storage; // never resized after the pointers are taken
    std::vector<char*> argv;
    std::vector<char*> envp;
};

// The test process ignores SIGPIPE; a child must start with the default action, as a shell starts it.
void reset_sigpipe(posix_spawnattr_t& attr) {
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);
}

} // namespace

process_result run_program(const char* program, const std::vector<std::string>& args, std::string_view input,
                           const env_map& env, const char* stdout_file) {
    process_result result;
    if (*program == '\0' || ::access(program, X_OK) != 0) {
        ADD_FAILURE() << "the program is missing (" << (*program ? program : "not built") << ")";
        return result;
    }
    int in[2], out[2], err[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
        ADD_FAILURE() << "pipe2: " << std::strerror(errno);
        return result;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    if (stdout_file != nullptr)
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, stdout_file, O_WRONLY, 0);
    else
        posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2(&actions, err[1], STDERR_FILENO);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    reset_sigpipe(attr);

    program_command command(program, args, env);
    pid_t pid = -1;
    const int spawned =
        ::posix_spawn(&pid, program, &actions, &attr, command.argv.data(), command.envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    ::close(in[0]);
    ::close(out[1]);
    ::close(err[1]);
    if (spawned != 0) {
        ADD_FAILURE() << "posix_spawn " << program << ": " << std::strerror(spawned);
        ::close(in[1]);
        ::close(out[0]);
        ::close(err[0]);
        return result;
    }

    // Feed stdin and drain stdout and stderr together, so no pipe fills up and blocks the child.
    ::fcntl(in[1], F_SETFL, O_NONBLOCK);
    int in_fd = in[1], out_fd = out[0], err_fd = err[0];
    std::size_t written = 0;
    if (input.empty()) {
        ::close(in_fd);
        in_fd = -1;
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (in_fd >= 0 || out_fd >= 0 || err_fd >= 0) {
        pollfd fds[3] = {{in_fd, POLLOUT, 0}, {out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
        const int ready = ::poll(fds, 3, 1000);
        if (ready < 0 && errno != EINTR)
            break;
        if (std::chrono::steady_clock::now() > deadline) {
            ADD_FAILURE() << program << " did not finish within 120 s; killing it";
            ::kill(pid, SIGKILL);
            break;
        }
        if (in_fd >= 0 && fds[0].revents != 0) {
            const ssize_t n = ::write(in_fd, input.data() + written, input.size() - written);
            if (n > 0)
                written += static_cast<std::size_t>(n);
            if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) {
                ::close(in_fd); // done, or the child closed its end: it has read what it wanted
                in_fd = -1;
            }
        }
        for (auto [index, fd, sink] :
             {std::tuple{1, &out_fd, &result.out}, std::tuple{2, &err_fd, &result.err}}) {
            if (*fd < 0 || fds[index].revents == 0)
                continue;
            char buffer[65536];
            const ssize_t n = ::read(*fd, buffer, sizeof buffer);
            if (n > 0) {
                sink->append(buffer, static_cast<std::size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                ::close(*fd);
                *fd = -1;
            }
        }
    }
    for (int fd : {in_fd, out_fd, err_fd})
        if (fd >= 0)
            ::close(fd);
    int wstatus = 0;
    while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
    }
    result.status = WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
    return result;
}

spawned_program spawn_program(const char* program, const std::vector<std::string>& args, const env_map& env) {
    spawned_program child;
    if (*program == '\0' || ::access(program, X_OK) != 0) {
        ADD_FAILURE() << "the program is missing (" << (*program ? program : "not built") << ")";
        return child;
    }
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
        ADD_FAILURE() << "pipe2: " << std::strerror(errno);
        return child;
    }
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, in[0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    reset_sigpipe(attr);
    program_command command(program, args, env);
    const int spawned =
        ::posix_spawn(&child.pid, program, &actions, &attr, command.argv.data(), command.envp.data());
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
    // Its stdin is empty and closed: the child never waits for input.
    ::close(in[0]);
    ::close(in[1]);
    ::close(out[1]);
    if (spawned != 0) {
        ADD_FAILURE() << "posix_spawn " << program << ": " << std::strerror(spawned);
        ::close(out[0]);
        child.pid = -1;
        return child;
    }
    child.out_fd = out[0];
    return child;
}

std::optional<std::string> read_line(int fd, std::chrono::milliseconds timeout) {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0)
            return std::nullopt;
        pollfd pfd{fd, POLLIN, 0};
        const int ready = ::poll(&pfd, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            return std::nullopt;
        // One byte at a time: whatever follows the line stays in the pipe for the caller.
        char c = 0;
        const ssize_t n = ::read(fd, &c, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return std::nullopt;
        if (c == '\n')
            return line;
        line.push_back(c);
    }
}

std::optional<int> wait_for_exit(pid_t pid, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    int wstatus = 0;
    for (;;) {
        const pid_t done = ::waitpid(pid, &wstatus, WNOHANG);
        if (done == pid)
            return WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : 128 + WTERMSIG(wstatus);
        if (done < 0 && errno != EINTR)
            return std::nullopt;
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid, SIGKILL);
            while (::waitpid(pid, &wstatus, 0) < 0 && errno == EINTR) {
            }
            return std::nullopt;
        }
        // No child-exit notification to wait on portably without a signal handler: poll every 20 ms.
        ::poll(nullptr, 0, 20);
    }
}

} // namespace dynalock::test
