// SPDX-License-Identifier: BSL-1.0
// A credential_process for the tests of make_process_credentials_provider. What it does is chosen by its
// arguments:
//   print TEXT                 prints TEXT on stdout, exits 0
//   print-exit CODE TEXT       prints TEXT on stdout, exits CODE
//   fail CODE TEXT             prints TEXT on stderr, exits CODE
//   signal SIG                 dies of signal SIG
//   sleep PIDFILE              writes its pid to PIDFILE and sleeps forever
//   ignore-term PIDFILE        the same, ignoring SIGTERM
//   flood BYTES                prints BYTES bytes on stdout, exits 0
//   stderr-flood BYTES CODE    prints BYTES bytes on stderr, exits CODE
//   argv ARGS...               prints credentials whose SecretAccessKey is the JSON array of ARGS
//   inspect                    prints credentials whose SecretAccessKey is a JSON object describing how it
//                              was started: parent pid, open descriptors above 2, stdin, SIGPIPE, signal mask
//   daemon-child PIDFILE TEXT  leaves a grandchild holding stdout open (its pid in PIDFILE), prints TEXT,
//                              exits 0
#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <string_view>

namespace {

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += ch;
        } else if (c < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", c);
            out += buf;
        } else {
            out += ch;
        }
    }
    return out + "\"";
}

void write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n <= 0)
            std::exit(99);
        data.remove_prefix(static_cast<std::size_t>(n));
    }
}

// Written whole, then renamed, so the test never reads half a pid.
void write_pid_file(const char* path, pid_t pid) {
    std::string tmp = std::string(path) + ".tmp";
    FILE* f = std::fopen(tmp.c_str(), "w");
    if (f == nullptr)
        std::exit(98);
    std::fprintf(f, "%ld\n", static_cast<long>(pid));
    std::fclose(f);
    if (std::rename(tmp.c_str(), path) != 0)
        std::exit(98);
}

[[noreturn]] void sleep_forever() {
    for (;;)
        ::pause();
}

void print_credentials(std::string_view secret) {
    write_all(1, "{\"Version\": 1, \"AccessKeyId\": \"AKIDFAKEPROCESS\", \"SecretAccessKey\": " +
                     json_string(secret) + "}\n");
}

std::string inspect() {
    std::string fds;
    if (DIR* d = ::opendir("/proc/self/fd")) {
        while (dirent* e = ::readdir(d)) {
            if (e->d_name[0] == '.')
                continue;
            int fd = std::atoi(e->d_name);
            if (fd > 2 && fd != ::dirfd(d))
                fds += (fds.empty() ? "" : ",") + std::to_string(fd);
        }
        ::closedir(d);
    }
    struct stat in {
    }, null{};
    bool stdin_is_null = ::fstat(0, &in) == 0 && ::stat("/dev/null", &null) == 0 && S_ISCHR(in.st_mode) &&
                         in.st_rdev == null.st_rdev;
    struct sigaction sa {};
    ::sigaction(SIGPIPE, nullptr, &sa);
    sigset_t mask;
    sigemptyset(&mask);
    ::sigprocmask(SIG_BLOCK, nullptr, &mask);
    bool mask_empty = true;
    for (int sig = 1; sig < 32; ++sig)
        mask_empty = mask_empty && !sigismember(&mask, sig);
    return "{\"ppid\":" + std::to_string(::getppid()) + ",\"fds\":[" + fds +
           "],\"stdin_is_dev_null\":" + (stdin_is_null ? "true" : "false") +
           ",\"sigpipe_default\":" + (sa.sa_handler == SIG_DFL ? "true" : "false") +
           ",\"sigmask_empty\":" + (mask_empty ? "true" : "false") + "}";
}

} // namespace

int main(int argc, char** argv) {
    if (argc < 2)
        return 97;
    std::string_view mode = argv[1];
    if (mode == "print" && argc == 3) {
        write_all(1, argv[2]);
        return 0;
    }
    if (mode == "print-exit" && argc == 4) {
        write_all(1, argv[3]);
        return std::atoi(argv[2]);
    }
    if (mode == "fail" && argc == 4) {
        write_all(2, argv[3]);
        return std::atoi(argv[2]);
    }
    if (mode == "signal" && argc == 3) {
        int sig = std::atoi(argv[2]);
        ::signal(sig, SIG_DFL);
        ::raise(sig);
        return 96;
    }
    if ((mode == "sleep" || mode == "ignore-term") && argc == 3) {
        if (mode == "ignore-term")
            ::signal(SIGTERM, SIG_IGN);
        write_pid_file(argv[2], ::getpid());
        sleep_forever();
    }
    if (mode == "flood" && argc == 3) {
        std::string chunk(65536, 'x');
        for (long left = std::atol(argv[2]); left > 0; left -= static_cast<long>(chunk.size()))
            write_all(1, std::string_view(chunk).substr(0, static_cast<std::size_t>(std::min<long>(
                                                               left, static_cast<long>(chunk.size())))));
        return 0;
    }
    if (mode == "stderr-flood" && argc == 4) {
        std::string chunk(65536, 'e');
        for (long left = std::atol(argv[2]); left > 0; left -= static_cast<long>(chunk.size()))
            write_all(2, std::string_view(chunk).substr(0, static_cast<std::size_t>(std::min<long>(
                                                               left, static_cast<long>(chunk.size())))));
        return std::atoi(argv[3]);
    }
    if (mode == "argv") {
        std::string array = "[";
        for (int i = 2; i < argc; ++i)
            array += (i > 2 ? "," : "") + json_string(argv[i]);
        print_credentials(array + "]");
        return 0;
    }
    if (mode == "inspect" && argc == 2) {
        print_credentials(inspect());
        return 0;
    }
    if (mode == "daemon-child" && argc == 4) {
        pid_t child = ::fork();
        if (child < 0)
            return 95;
        if (child == 0) {
            ::sleep(60); // holds stdout and stderr open well past the test
            _exit(0);
        }
        write_pid_file(argv[2], child);
        write_all(1, argv[3]);
        return 0;
    }
    return 97;
}
