// SPDX-License-Identifier: BSL-1.0
// Transport-neutral HTTP messages: what the sans-io core builds and parses.
#ifndef DYNALOCK_CORE_HTTP_MESSAGE_HPP
#define DYNALOCK_CORE_HTTP_MESSAGE_HPP

#include <string>
#include <string_view>
#include <vector>

namespace dynalock::core {

struct http_header {
    std::string name;
    std::string value;
};

/// ASCII case-insensitive equality (header names).
bool iequals(std::string_view a, std::string_view b) noexcept;

/// Returns the value of the first header whose name matches case-insensitively, or "".
std::string_view find_header(const std::vector<http_header>& headers, std::string_view name) noexcept;

struct http_request {
    std::string method = "POST";
    std::string target = "/"; ///< path and query, exactly as sent
    std::vector<http_header> headers;
    std::string body;
};

/// Appends the request line and header block of `req` to `out`: `METHOD target HTTP/1.1`, each header,
/// then `Content-Length` and the empty line; the body is sent right after it. Names and values go out as
/// they are: the signer has already refused control characters in every value it signs, and the
/// transport's own headers are constants.
void write_request_head(const http_request& req, std::string& out);

struct http_response {
    unsigned status = 0;
    std::vector<http_header> headers;
    std::string body;

    std::string_view header(std::string_view name) const noexcept { return find_header(headers, name); }
};

} // namespace dynalock::core

#endif
