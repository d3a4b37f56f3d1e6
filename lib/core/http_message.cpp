#include "http_message.hpp"

#include <algorithm>
#include <cctype>

namespace dynalock::core {

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view find_header(const std::vector<http_header>& headers, std::string_view name) noexcept {
    for (const auto& h : headers)
        if (iequals(h.name, name))
            return h.value;
    return {};
}

} // namespace dynalock::core
