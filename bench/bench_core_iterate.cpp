// SPDX-License-Identifier: BSL-1.0
// bench_core_iterate: runs one core workload a fixed number of times and nothing else, so that an
// instruction count (valgrind --tool=callgrind, see callgrind.sh) divides into a cost per operation.
//
//   bench_core_iterate --op NAME --iterations K
//   bench_core_iterate --list
#include "core_workloads.hpp"

#include <charconv>
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <string_view>

namespace {

int usage(const char* program) {
    std::fprintf(stderr, "usage: %s --op NAME --iterations K (K from 0 to 100000000)\n       %s --list\n",
                 program, program);
    return 64;
}

} // namespace

int main(int argc, char** argv) {
    const dynalock::bench::workload_info* info = nullptr;
    long long iterations = -1;
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--list") {
            for (const auto& w : dynalock::bench::workloads())
                std::printf("%-28.*s %.*s\n", static_cast<int>(w.name.size()), w.name.data(),
                            static_cast<int>(w.description.size()), w.description.data());
            return 0;
        }
        if (i + 1 >= argc)
            return usage(argv[0]);
        const std::string_view value = argv[++i];
        if (arg == "--op") {
            info = dynalock::bench::find_workload(value);
            if (info == nullptr) {
                std::fprintf(stderr, "%s: unknown workload '%s' (--list shows them)\n", argv[0], argv[i]);
                return 64;
            }
        } else if (arg == "--iterations") {
            const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), iterations);
            if (ec != std::errc{} || end != value.data() + value.size() || iterations < 0 ||
                iterations > 100'000'000)
                return usage(argv[0]);
        } else {
            return usage(argv[0]);
        }
    }
    if (info == nullptr || iterations < 0)
        return usage(argv[0]);

    std::unique_ptr<dynalock::bench::workload> w;
    try {
        w = info->make();
    } catch (const std::exception& e) {
        std::fprintf(stderr, "%s: %s\n", argv[0], e.what());
        return 1;
    }
    // The sum is printed so the loop cannot be optimized away.
    std::size_t sum = 0;
    for (long long n = 0; n < iterations; ++n) {
        const std::size_t r = w->run();
        if (r == 0) {
            std::fprintf(stderr, "%s: the operation failed at iteration %lld\n", argv[0], n);
            return 1;
        }
        sum += r;
    }
    std::printf("%.*s: %lld iterations, checksum %zu\n", static_cast<int>(info->name.size()),
                info->name.data(), iterations, sum);
    return 0;
}
