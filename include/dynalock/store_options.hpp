// SPDX-License-Identifier: BSL-1.0
// Configuration of a store: the item layout (attribute names), how bytes are stored, and the clock that
// decides expiry.
#ifndef DYNALOCK_STORE_OPTIONS_HPP
#define DYNALOCK_STORE_OPTIONS_HPP

#include <chrono>
#include <functional>
#include <string>

namespace dynalock {

/// The attribute names of a store's items. The defaults are those of the Go dynalock and dynastore
/// tables, so a Go service and a C++ service can share one table.
struct store_schema {
    std::string partition_key = "id"; ///< partition (hash) key, type S: the store's partition value
    std::string sort_key = "name";    ///< sort (range) key, type S: the key
    std::string version = "version";  ///< N, incremented by every write
    std::string expires = "expires";  ///< N, Unix epoch seconds; the table's TTL attribute
    std::string value = "payload";    ///< the value, any type
};

/// The attribute names lock rows use besides the store_schema ones (a lock row is an item of the store:
/// its key is the sort key, its data the value attribute, and its version the version attribute, which
/// every lock write increments).
struct lock_schema {
    std::string owner = "owner";       ///< S, who holds (or last held) the lease
    std::string lease = "lease_ms";    ///< N, the lease length in milliseconds
    std::string lease_id = "lease_id"; ///< S, random id of the current acquisition
    std::string fence = "fence";       ///< N, the highest fencing token handed out
    std::string released = "released"; ///< BOOL, true once the holder released the lease
    std::string waiter = "waiter";     ///< S, the process next in line (fairness across processes)
};

/// How a write stores a value given as bytes (write_options::bytes).
enum class bytes_encoding {
    /// An S holding the standard base64 of the bytes: what the Go dynalock's `WriteWithBytes` writes,
    /// and what both Go modules can read back.
    base64_string,
    /// A B holding the bytes: a quarter smaller. The Go dynalock v1 reads it back, its v2 module does not.
    binary,
};

/// Options of a store, fixed when it is constructed.
struct store_options {
    store_schema schema{};
    /// Attribute names of the lock rows of this store (store::new_lock).
    dynalock::lock_schema locks{};
    dynalock::bytes_encoding bytes_encoding = dynalock::bytes_encoding::base64_string;
    /// The wall clock that writes expiry times and decides whether an item has expired. Empty:
    /// std::chrono::system_clock::now. Expiry compares clocks across machines: keep them in sync (NTP).
    std::function<std::chrono::system_clock::time_point()> clock{};
};

} // namespace dynalock

#endif
