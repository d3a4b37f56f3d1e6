// SPDX-License-Identifier: BSL-1.0
#include "http_message.hpp"

#include <algorithm>
#include <charconv>

namespace dynalock::core {

namespace {

// ASCII only, whatever the locale (header names are ASCII tokens); inlined, unlike std::tolower.
constexpr char ascii_lower(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

} // namespace

bool iequals(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return ascii_lower(x) == ascii_lower(y);
           });
}

std::string_view find_header(const std::vector<http_header>& headers, std::string_view name) noexcept {
    for (const auto& h : headers)
        if (iequals(h.name, name))
            return h.value;
    return {};
}

void write_request_head(const http_request& req, std::string& out) {
    constexpr std::string_view version = " HTTP/1.1\r\n";
    constexpr std::string_view content_length = "Content-Length: ";
    char length[24];
    const auto length_end = std::to_chars(length, length + sizeof length, req.body.size()).ptr;

    std::size_t size = req.method.size() + 1 + req.target.size() + version.size() + content_length.size() +
                       static_cast<std::size_t>(length_end - length) + 4;
    for (const auto& h : req.headers)
        size += h.name.size() + 2 + h.value.size() + 2;
    out.reserve(out.size() + size);

    out.append(req.method).append(1, ' ').append(req.target).append(version);
    for (const auto& h : req.headers)
        out.append(h.name).append(": ").append(h.value).append("\r\n");
    out.append(content_length).append(length, length_end).append("\r\n\r\n");
}

} // namespace dynalock::core
