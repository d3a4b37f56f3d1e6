// SPDX-License-Identifier: BSL-1.0
#include "error_reply.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <charconv>
#include <cstdint>
#include <limits>
#include <utility>

namespace dynalock::core {

namespace {

// More than DynamoDB's 32 levels of lists and maps, each of which costs two JSON levels ({"M":{...}}),
// plus the envelope. Boost.JSON's parser is not recursive, so this only bounds the work.
constexpr std::size_t max_json_depth = 160;

// TransactWriteItems takes at most 100 actions; more reasons than that is not a real reply.
constexpr std::size_t max_cancellation_reasons = 100;

constexpr std::string_view truncation_mark = "...";

std::string_view trim_blanks(std::string_view s) noexcept {
    auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    while (!s.empty() && blank(s.front()))
        s.remove_prefix(1);
    while (!s.empty() && blank(s.back()))
        s.remove_suffix(1);
    return s;
}

// Length of the well-formed UTF-8 sequence at the start of `s`, or 0 when it is not one.
std::size_t utf8_sequence_length(std::string_view s) noexcept {
    auto byte = [&](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    unsigned char b0 = byte(0);
    std::size_t n;
    char32_t cp;
    if (b0 < 0x80)
        return 1;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        n = 2;
        cp = b0 & 0x1Fu;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        n = 3;
        cp = b0 & 0x0Fu;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        n = 4;
        cp = b0 & 0x07u;
    } else {
        return 0;
    }
    if (s.size() < n)
        return 0;
    for (std::size_t i = 1; i < n; ++i) {
        if ((byte(i) & 0xC0u) != 0x80u)
            return 0;
        cp = (cp << 6) | (byte(i) & 0x3Fu);
    }
    // Reject overlong forms, surrogates and values past U+10FFFF.
    if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

// Copies untrusted text for logs: at most `cap` bytes (a cut is marked with "..."), never splits a
// UTF-8 sequence, control characters become spaces and invalid bytes '?', so the text cannot forge
// log lines or break a UTF-8 consumer.
std::string sanitize_untrusted_text(std::string_view in, std::size_t cap) {
    std::string out;
    const bool cut = in.size() > cap;
    const std::size_t budget = cut ? cap - truncation_mark.size() : cap;
    out.reserve(cut ? cap : in.size());
    while (!in.empty()) {
        std::size_t n = utf8_sequence_length(in);
        if (out.size() + (n == 0 ? 1 : n) > budget)
            break;
        if (n == 0) {
            out.push_back('?');
            n = 1;
        } else if (n == 1) {
            auto c = static_cast<unsigned char>(in.front());
            out.push_back(c < 0x20 || c == 0x7F ? ' ' : in.front());
        } else {
            out.append(in.data(), n);
        }
        in.remove_prefix(n);
    }
    if (!in.empty())
        out.append(truncation_mark);
    return out;
}

// The string member `key`, or nullptr.
const boost::json::string* string_member(const boost::json::object& obj, std::string_view key) noexcept {
    auto* v = obj.if_contains(key);
    return v ? v->if_string() : nullptr;
}

std::string_view message_member(const boost::json::object& obj) noexcept {
    if (auto* s = string_member(obj, "message"))
        return *s;
    if (auto* s = string_member(obj, "Message"))
        return *s;
    return {};
}

void read_cancellation_reasons(const boost::json::object& body, std::vector<cancellation_reason>& out) {
    auto* v = body.if_contains("CancellationReasons");
    auto* reasons = v ? v->if_array() : nullptr;
    if (!reasons)
        return;
    out.reserve(std::min(reasons->size(), max_cancellation_reasons));
    for (const auto& r : *reasons) {
        if (out.size() == max_cancellation_reasons)
            break;
        cancellation_reason reason;
        if (auto* obj = r.if_object()) {
            if (auto* code = string_member(*obj, "Code"))
                reason.code = sanitize_untrusted_text(*code, max_error_type_size);
            reason.message = sanitize_untrusted_text(message_member(*obj), max_error_message_size);
        }
        // Keep a placeholder for a malformed entry so indexes still match the request's actions.
        out.push_back(std::move(reason));
    }
}

// The code for a reply whose type is absent or unknown (see the header for the rules).
error_code code_without_known_type(unsigned status, bool has_type) noexcept {
    if (status >= 500 && status <= 599)
        return status == 500 ? service_errc::internal_server_error : service_errc::service_unavailable;
    if (status == 429)
        return service_errc::throttling;
    if (has_type && status >= 400)
        return service_errc::unknown;
    return errc::unexpected_status;
}

} // namespace

std::string_view sanitize_error_type(std::string_view type) noexcept {
    if (auto colon = type.find(':'); colon != std::string_view::npos)
        type = type.substr(0, colon);
    if (auto hash = type.rfind('#'); hash != std::string_view::npos)
        type = type.substr(hash + 1);
    return trim_blanks(type);
}

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value) noexcept {
    value = trim_blanks(value);
    if (value.empty() || value.front() < '0' || value.front() > '9')
        return std::nullopt; // also rejects '-' and '+'
    std::uint64_t ms = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), ms);
    if (end != value.data() + value.size())
        return std::nullopt;
    if (ec == std::errc::result_out_of_range)
        ms = std::numeric_limits<std::uint32_t>::max(); // far beyond any cap the retry logic applies
    else if (ec != std::errc{})
        return std::nullopt;
    ms = std::min<std::uint64_t>(ms, std::numeric_limits<std::uint32_t>::max());
    return std::chrono::milliseconds{static_cast<std::chrono::milliseconds::rep>(ms)};
}

error_reply parse_error_reply(const http_response& response) {
    error_reply reply;
    reply.retry_after = parse_retry_after(response.header("x-amz-retry-after"));

    boost::json::parse_options options;
    options.max_depth = max_json_depth;
    boost::system::error_code json_ec;
    boost::json::value body;
    if (!response.body.empty())
        body = boost::json::parse(response.body, json_ec, {}, options);
    boost::json::object* obj = json_ec ? nullptr : body.if_object();

    std::string_view type = sanitize_error_type(response.header("x-amzn-ErrorType"));
    if (type.empty() && obj) {
        if (auto* t = string_member(*obj, "__type"))
            type = sanitize_error_type(*t);
    }
    reply.type = sanitize_untrusted_text(type, max_error_type_size);

    if (obj) {
        reply.message = sanitize_untrusted_text(message_member(*obj), max_error_message_size);
        if (auto* item = obj->if_contains("Item"); item && item->is_object())
            reply.item = std::move(item->get_object());
        read_cancellation_reasons(*obj, reply.cancellation_reasons);
    } else {
        // An HTML page from a proxy or a plain-text error: the body is the only explanation we have.
        reply.message = sanitize_untrusted_text(trim_blanks(response.body), max_error_message_size);
    }

    const unsigned status = response.status;
    if (status >= 300 && status <= 399) {
        reply.code = errc::unexpected_redirect;
        return reply;
    }
    if (status < 200 || status > 299) {
        if (service_errc known = service_errc_from_type(type); known != service_errc::unknown) {
            reply.code = known;
            return reply;
        }
    }
    reply.code = code_without_known_type(status, !type.empty());
    return reply;
}

void fill_diagnostics(const http_response& response, const error_reply& reply, diagnostics& out) {
    out.http_status = response.status;
    std::string_view request_id = response.header("x-amzn-RequestId");
    if (request_id.empty())
        request_id = response.header("x-amz-request-id");
    out.request_id = sanitize_untrusted_text(trim_blanks(request_id), max_error_type_size);
    out.service_error_type = reply.type;
    out.service_message = reply.message;
    out.cancellation_reasons = reply.cancellation_reasons;
}

} // namespace dynalock::core
