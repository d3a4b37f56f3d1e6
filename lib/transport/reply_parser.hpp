// SPDX-License-Identifier: BSL-1.0
// Parses an HTTP/1.1 reply straight into the core's http_response. Beast's response_parser would first
// build a message with its own field container (one allocation per header) that we would then copy
// from; this parser hands each header and each piece of the body to the core's structure directly.
#ifndef DYNALOCK_TRANSPORT_REPLY_PARSER_HPP
#define DYNALOCK_TRANSPORT_REPLY_PARSER_HPP

#include "core/http_message.hpp"

#include <boost/beast/http/basic_parser.hpp>

#include <algorithm>
#include <cstdint>

namespace dynalock::transport {

class reply_parser final : public boost::beast::http::basic_parser<false> {
public:
    /// Fills `out` (cleared first), which must outlive the parser.
    explicit reply_parser(core::http_response& out) : out_(out) {
        out_.status = 0;
        out_.headers.clear();
        out_.body.clear();
    }

private:
    using string_view = boost::beast::string_view;
    using field = boost::beast::http::field;
    using verb = boost::beast::http::verb;
    using error_code = boost::beast::error_code;

    // DynamoDB's replies carry about eight headers: one allocation for all of them.
    static constexpr std::size_t usual_header_count = 12;

    void on_request_impl(verb, string_view, string_view, int, error_code&) override {}

    void on_response_impl(int code, string_view, int, error_code&) override {
        out_.status = static_cast<unsigned>(code);
        out_.headers.reserve(usual_header_count);
    }

    void on_field_impl(field, string_view name, string_view value, error_code&) override {
        out_.headers.push_back({std::string(name), std::string(value)});
    }

    void on_header_impl(error_code&) override {}

    void on_body_init_impl(const boost::optional<std::uint64_t>& length, error_code&) override {
        // basic_parser has already refused a Content-Length over its body limit.
        if (length)
            out_.body.reserve(static_cast<std::size_t>(*length));
    }

    std::size_t on_body_impl(string_view body, error_code&) override {
        out_.body.append(body.data(), body.size());
        return body.size();
    }

    void on_chunk_header_impl(std::uint64_t, string_view, error_code&) override {}

    std::size_t on_chunk_body_impl(std::uint64_t, string_view body, error_code&) override {
        out_.body.append(body.data(), body.size());
        return body.size();
    }

    void on_finish_impl(error_code&) override {}

    core::http_response& out_;
};

} // namespace dynalock::transport

#endif
