// SPDX-License-Identifier: BSL-1.0
#include "console.hpp"

#include "output.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace dynalock::cli {

std::optional<std::string> read_stdin(std::size_t limit, std::string& error) {
    std::string data;
    char buffer[64 * 1024];
    // read(2), not stdio: no text-mode translation, no locale, no buffering surprises.
    while (data.size() <= limit) {
        const std::size_t want = std::min(sizeof buffer, limit + 1 - data.size());
        const ssize_t n = ::read(STDIN_FILENO, buffer, want);
        if (n == 0)
            break;
        if (n < 0) {
            if (errno == EINTR)
                continue;
            error = std::string("cannot read standard input: ") + std::strerror(errno);
            return std::nullopt;
        }
        data.append(buffer, static_cast<std::size_t>(n));
    }
    return data;
}

bool write_stdout(std::string_view bytes, std::string& error) {
    if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size()) {
        error = std::string("cannot write standard output: ") + std::strerror(errno);
        return false;
    }
    if (std::fflush(stdout) != 0) {
        error = std::string("cannot write standard output: ") + std::strerror(errno);
        return false;
    }
    return true;
}

void print_error(std::string_view context, std::string_view message) {
    std::string line = "dynalock: ";
    if (!context.empty()) {
        line += one_line(context);
        line += ": ";
    }
    line += one_line(message);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
}

} // namespace dynalock::cli
