// SPDX-License-Identifier: BSL-1.0
// The fixed configuration behind a dynalock::store, shared by the store's copies and its operations.
#ifndef DYNALOCK_STORE_IMPL_HPP
#define DYNALOCK_STORE_IMPL_HPP

#include <dynalock/store.hpp>

#include "core/lock_requests.hpp"
#include "core/store_item.hpp"
#include "core/store_requests.hpp"

#include <chrono>
#include <string>

namespace dynalock::detail {

struct store_state {
    client* db = nullptr;
    std::string table;
    std::string partition;
    store_options options;
    error_code config_error; ///< why operations cannot run (checked once, at construction)
    std::string config_message;

    core::store_target target() const noexcept { return {table, partition, options}; }
    std::chrono::system_clock::time_point now() const {
        return options.clock ? options.clock() : std::chrono::system_clock::now();
    }
    std::int64_t now_seconds() const { return core::epoch_seconds(now()); }
};

} // namespace dynalock::detail

#endif
