// SPDX-License-Identifier: BSL-1.0
// Real DynamoDB-compatible servers for the integration tests: dynalite (plain HTTP and TLS) and Amazon
// DynamoDB Local, each a child process on a loopback port, plus the private network namespace they run
// in. Both come from npm (scripts/install-deps.sh puts them in .deps/); neither checks signatures.
#pragma once

#include "support/tls_material.hpp"

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace dynalock::test {

// Moves the calling process into a new network namespace holding only `lo`, brought up. As root it
// unshares the network namespace alone (falling back to a user namespace when that is refused); as
// anyone else it unshares a user namespace with it, mapping the caller's own uid and gid. Call it first
// in main, before any thread exists: the kernel refuses a new user namespace to a multithreaded process,
// and threads created earlier would stay in the old network namespace. Throws std::runtime_error.
void enter_private_network_namespace();

// A TCP port on 127.0.0.1 that was free when asked (the kernel's choice for a bind to port 0).
std::uint16_t pick_free_loopback_port();

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on destruction.
class temp_dir {
public:
    explicit temp_dir(std::string_view prefix = "dynalock-test");
    temp_dir(temp_dir&& other) noexcept;
    temp_dir& operator=(temp_dir&& other) noexcept;
    ~temp_dir();

    const std::filesystem::path& path() const noexcept { return path_; }

private:
    void remove() noexcept;

    std::filesystem::path path_;
};

enum class server_kind { dynalite, dynalite_tls, dynamodb_local };

// "dynalite", "dynalite_tls", "dynamodb_local": usable in test names.
std::string_view to_string(server_kind kind) noexcept;

struct dynalite_options {
    // 0: pick a free loopback port. A fixed port lets a test restart a server where clients expect it.
    std::uint16_t port = 0;
    // Empty: data in memory. Otherwise LevelDB files there, so data survives a restart.
    std::filesystem::path data_dir;
};

// Owns one server process. Starting throws std::runtime_error (with the tail of the server's log) when
// the server cannot start or does not answer in time: the integration run must fail, never skip. The
// destructor stops the server. Start and stop servers from the same thread (the main test thread): the
// children die with the thread that spawned them, so that a crashed test run leaves no servers behind.
class local_server {
public:
    static constexpr std::chrono::seconds default_ready_timeout{60}; // generous for a loaded 2-core box

    // Start and wait until the server answers HTTP.
    static local_server start_dynalite(const dynalite_options& options = {});
    static local_server start_dynalite_tls(const tls_material& tls, const dynalite_options& options = {});
    static local_server start_dynamodb_local();

    // Spawn only; call wait_until_ready() before use. Lets a slow server (the JVM) warm up while others
    // start.
    static local_server launch_dynalite(const dynalite_options& options = {});
    static local_server launch_dynalite_tls(const tls_material& tls, const dynalite_options& options = {});
    static local_server launch_dynamodb_local();

    // Polls (connect, then one HTTP request) with short waits until the server answers. Throws if the
    // process exits or the timeout passes.
    void wait_until_ready(std::chrono::milliseconds timeout = default_ready_timeout);

    local_server(local_server&& other) noexcept;
    local_server& operator=(local_server&& other) noexcept;
    ~local_server();

    server_kind kind() const noexcept { return kind_; }
    // "dynalite 4.0.0", "DynamoDB Local 3.3.0".
    const std::string& name() const noexcept { return name_; }
    // "http://127.0.0.1:PORT", or "https://localhost:PORT" for TLS (the certificate names localhost).
    const std::string& endpoint() const noexcept { return endpoint_; }
    std::uint16_t port() const noexcept { return port_; }
    // -1 once stopped.
    pid_t pid() const noexcept { return pid_; }
    // From spawn until the first HTTP answer.
    std::chrono::steady_clock::duration startup_time() const noexcept { return startup_time_; }
    // The server's stdout and stderr.
    const std::filesystem::path& log_file() const noexcept { return log_file_; }
    std::string log_tail(std::size_t max_bytes = 4000) const;

    // Freeze and thaw the process (SIGSTOP/SIGCONT): a server that accepts connections but never answers.
    void pause();
    void resume();
    // SIGTERM, a bounded wait, then SIGKILL; reaps the process. Idempotent.
    void stop() noexcept;

private:
    local_server(server_kind kind, std::string name, std::string endpoint, std::uint16_t port, bool tls);

    static local_server launch_dynalite_server(const tls_material* tls, const dynalite_options& options);
    void spawn(const std::filesystem::path& program, const std::vector<std::string>& args);
    // Throws if the process has exited (reaping it).
    void check_running();
    [[noreturn]] void fail(const std::string& what);

    server_kind kind_;
    std::string name_;
    std::string endpoint_;
    std::uint16_t port_ = 0;
    bool tls_ = false;
    pid_t pid_ = -1;
    temp_dir dir_;
    std::filesystem::path log_file_;
    std::chrono::steady_clock::time_point launched_at_{};
    std::chrono::steady_clock::duration startup_time_{};
};

} // namespace dynalock::test
