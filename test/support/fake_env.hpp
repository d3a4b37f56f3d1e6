// SPDX-License-Identifier: BSL-1.0
// An injected environment for the code that reads variables through a lookup function (core::env_lookup,
// dynalock::environment_lookup): only the variables a test sets exist.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace dynalock::test {

struct fake_env {
    std::map<std::string, std::string, std::less<>> vars;

    /// Reads `vars` as they are at each call (the fake_env must outlive the lookup).
    std::function<std::optional<std::string>(std::string_view)> lookup() const {
        return [this](std::string_view name) { return find(vars, name); };
    }
    /// Reads a copy of `vars` as they are now.
    std::function<std::optional<std::string>(std::string_view)> snapshot() const {
        return [copy = vars](std::string_view name) { return find(copy, name); };
    }

private:
    static std::optional<std::string> find(const std::map<std::string, std::string, std::less<>>& m,
                                           std::string_view name) {
        auto it = m.find(name);
        if (it == m.end())
            return std::nullopt;
        return it->second;
    }
};

} // namespace dynalock::test
