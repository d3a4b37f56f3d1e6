// SPDX-License-Identifier: BSL-1.0
// bench_core: CPU cost of the sans-io core's hot paths (SigV4, JSON encode/decode, a whole GetItem
// minus the I/O), with Google Benchmark. Each case reports items/s: operations per second of one core.
//
//   bench_core [--benchmark_filter=REGEX] [--benchmark_repetitions=N] [--benchmark_format=json] ...
//
// What each case does: core_workloads.cpp, or `bench_core_iterate --list`.
#include "core_workloads.hpp"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <exception>
#include <string>

namespace {

bool failed = false;

void run_workload(benchmark::State& state, const dynalock::bench::workload_info& info) {
    std::unique_ptr<dynalock::bench::workload> w;
    try {
        w = info.make();
    } catch (const std::exception& e) {
        failed = true;
        state.SkipWithError((std::string(info.name) + ": " + e.what()).c_str());
        return;
    }
    for (auto _ : state) {
        std::size_t result = w->run();
        benchmark::DoNotOptimize(result);
        if (result == 0) {
            failed = true;
            state.SkipWithError("the operation failed");
            break;
        }
    }
    state.SetItemsProcessed(state.iterations());
}

} // namespace

int main(int argc, char** argv) {
    for (const auto& info : dynalock::bench::workloads())
        benchmark::RegisterBenchmark(std::string(info.name).c_str(), run_workload, info);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv))
        return 64;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    if (failed)
        std::fprintf(stderr, "bench_core: a workload failed (see the error above)\n");
    return failed ? 1 : 0;
}
