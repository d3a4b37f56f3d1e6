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
#include <tuple>

namespace dynalock::test {

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
    // The test process ignores SIGPIPE; the tool must start as a shell would start it.
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t defaults;
    sigemptyset(&defaults);
    sigaddset(&defaults, SIGPIPE);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGDEF);

    std::vector<std::string> argv_storage{std::filesystem::path(program).filename().string()};
    argv_storage.insert(argv_storage.end(), args.begin(), args.end());
    std::vector<char*> argv;
    for (auto& a : argv_storage)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    std::vector<std::string> env_storage;
    for (const auto& [name, value] : env)
        env_storage.push_back(name + "=" + value);
    std::vector<char*> envp;
    for (auto& e : env_storage)
        envp.push_back(e.data());
    envp.push_back(nullptr);

    pid_t pid = -1;
    const int spawned = ::posix_spawn(&pid, program, &actions, &attr, argv.data(), envp.data());
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

} // namespace dynalock::test
