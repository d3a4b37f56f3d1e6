// SPDX-License-Identifier: BSL-1.0
// The operations of the sans-io core that the CPU benchmarks measure, shared by bench_core (Google
// Benchmark, wall-clock time) and bench_core_iterate (a fixed number of runs, for callgrind), so both
// time exactly the same work.
//
// The data is that of a lock table: an item of 8 attributes (key, owner, lease duration, record version,
// heartbeat, version, timestamp and a 200-byte binary payload), updated with a conditional UpdateItem
// returning ALL_NEW and read with a consistent GetItem.
#ifndef DYNALOCK_BENCH_CORE_WORKLOADS_HPP
#define DYNALOCK_BENCH_CORE_WORKLOADS_HPP

#include <cstddef>
#include <memory>
#include <span>
#include <string_view>

namespace dynalock::bench {

/// One operation of the core, with its inputs prepared once.
class workload {
public:
    virtual ~workload() = default;

    /// Performs the operation once and returns a number derived from its output, so the compiler cannot
    /// drop the work; 0 means the operation failed (the constructor already ran it once successfully).
    virtual std::size_t run() = 0;
};

struct workload_info {
    std::string_view name;
    std::string_view description;
    /// Builds the inputs and runs the operation once; throws std::runtime_error when it fails.
    std::unique_ptr<workload> (*make)();
};

/// Every workload, in a fixed order.
std::span<const workload_info> workloads() noexcept;

/// The workload with this name, or nullptr.
const workload_info* find_workload(std::string_view name) noexcept;

} // namespace dynalock::bench

#endif
