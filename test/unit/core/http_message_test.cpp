// SPDX-License-Identifier: BSL-1.0
// The core's HTTP messages: the request head the transport sends as is, and header lookup. The head is
// checked byte for byte and also read back by Beast's parser, an implementation that shares nothing with it.
#include "core/http_message.hpp"

#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include <gtest/gtest.h>

#include <string>

namespace {

using dynalock::core::find_header;
using dynalock::core::http_header;
using dynalock::core::http_request;
using dynalock::core::iequals;
using dynalock::core::write_request_head;

http_request sample_request() {
    http_request r;
    r.target = "/";
    r.headers = {{"Host", "dynamodb.us-east-1.amazonaws.com"},
                 {"Content-Type", "application/x-amz-json-1.0"},
                 {"X-Amz-Target", "DynamoDB_20120810.GetItem"}};
    r.body = R"({"TableName":"locks"})";
    return r;
}

TEST(http_message, request_head_is_the_request_line_the_headers_and_the_length) {
    std::string head;
    write_request_head(sample_request(), head);
    EXPECT_EQ(head, "POST / HTTP/1.1\r\n"
                    "Host: dynamodb.us-east-1.amazonaws.com\r\n"
                    "Content-Type: application/x-amz-json-1.0\r\n"
                    "X-Amz-Target: DynamoDB_20120810.GetItem\r\n"
                    "Content-Length: 21\r\n"
                    "\r\n");
}

TEST(http_message, request_head_is_appended_to_what_the_buffer_holds) {
    std::string out = "kept";
    http_request r;
    r.method = "GET";
    r.target = "/health?x=1";
    write_request_head(r, out);
    EXPECT_EQ(out, "keptGET /health?x=1 HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
}

TEST(http_message, request_head_and_body_read_back_by_an_independent_parser) {
    auto req = sample_request();
    req.body.assign(400 * 1024, 'x'); // a length with several digits
    std::string wire;
    write_request_head(req, wire);
    wire += req.body;

    boost::beast::http::request_parser<boost::beast::http::string_body> parser;
    parser.body_limit(wire.size());
    parser.eager(true); // the body in the same call as the header
    boost::beast::error_code ec;
    const auto used = parser.put(boost::asio::buffer(wire), ec);
    ASSERT_FALSE(ec) << ec.message();
    EXPECT_EQ(used, wire.size());
    ASSERT_TRUE(parser.is_done());
    const auto& msg = parser.get();
    EXPECT_EQ(msg.method_string(), "POST");
    EXPECT_EQ(msg.target(), "/");
    EXPECT_EQ(msg.version(), 11);
    EXPECT_TRUE(msg.keep_alive());
    EXPECT_EQ(msg["Host"], "dynamodb.us-east-1.amazonaws.com");
    EXPECT_EQ(msg["X-Amz-Target"], "DynamoDB_20120810.GetItem");
    EXPECT_EQ(msg.body(), req.body);
}

TEST(http_message, header_names_compare_without_regard_to_ascii_case) {
    EXPECT_TRUE(iequals("x-amzn-RequestId", "X-AMZN-REQUESTID"));
    EXPECT_TRUE(iequals("", ""));
    EXPECT_FALSE(iequals("Date", "Dates"));
    EXPECT_FALSE(iequals("Date", "Dane"));
    // Only ASCII letters fold: '[' is not a capital '{', and bytes above 0x7F are compared as they are.
    EXPECT_FALSE(iequals("[", "{"));
    EXPECT_FALSE(iequals("\xC9", "\xE9"));
}

TEST(http_message, find_header_returns_the_first_match_or_nothing) {
    const std::vector<http_header> headers = {{"Date", "first"}, {"x-amz-crc32", "123"}, {"date", "second"}};
    EXPECT_EQ(find_header(headers, "DATE"), "first");
    EXPECT_EQ(find_header(headers, "X-Amz-Crc32"), "123");
    EXPECT_EQ(find_header(headers, "Content-Length"), "");
}

} // namespace
