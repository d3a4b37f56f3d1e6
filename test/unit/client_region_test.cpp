// SPDX-License-Identifier: BSL-1.0
// A client for which nothing names a region asks the instance metadata service at its first operation, as
// the SDKs do (here the IMDSv2 test service on loopback). Operations then go to that region's endpoint:
// through a proxy on a loopback port nothing listens on, so nothing leaves the machine and the connection
// fails at once, after the region and the endpoint are settled. The process environment is the client's
// input; each ctest case runs in a process of its own.
#include <dynalock/dynalock.hpp>

#include "support/services/imds_test_service.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
using namespace dynalock;

// A loopback port nothing listens on once this returns.
unsigned short closed_port() {
    asio::io_context ioc;
    asio::ip::tcp::acceptor a(ioc, {asio::ip::address_v4::loopback(), 0});
    return a.local_endpoint().port();
}

class client_region : public testing::Test {
protected:
    void SetUp() override {
        for (const char* name :
             {"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL",
              "AWS_ENDPOINT_URL_DYNAMODB", "HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy",
              "NO_PROXY", "no_proxy", "AWS_EC2_METADATA_DISABLED"})
            ::unsetenv(name);
        const std::string none = testing::TempDir() + "/dynalock-no-such-file";
        ::setenv("AWS_CONFIG_FILE", none.c_str(), 1);
        ::setenv("AWS_SHARED_CREDENTIALS_FILE", none.c_str(), 1);
        ::setenv("AWS_ACCESS_KEY_ID", "AKIDREGIONTEST", 1);
        ::setenv("AWS_SECRET_ACCESS_KEY", "region-test-secret", 1);
        ::setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", imds.url().c_str(), 1);
    }

    client_options options() const {
        client_options o;
        o.proxy = "http://127.0.0.1:" + std::to_string(proxy_port);
        o.operation_timeout = std::chrono::seconds(20);
        return o;
    }

    struct result {
        error_code ec;
        std::string message;
    };

    // `n` operations started together; their errors.
    std::vector<result> run_gets(client& db, asio::io_context& ioc, int n) {
        std::vector<result> out(static_cast<std::size_t>(n));
        std::vector<diagnostics> diags(out.size());
        for (std::size_t i = 0; i < out.size(); ++i) {
            get_item_request r;
            r.table_name = "locks";
            r.key = {{"id", attribute_value::string("job-1")}};
            db.async_get_item(std::move(r), diags[i], [&out, &diags, i](error_code ec, get_item_response) {
                out[i] = {ec, diags[i].client_message};
            });
        }
        ioc.run_for(std::chrono::seconds(60));
        return out;
    }

    test::imds_test_service imds;
    unsigned short proxy_port = closed_port();
};

TEST_F(client_region, the_first_operations_share_one_region_lookup) {
    imds.set_region("eu-west-3");
    asio::io_context ioc;
    client db(ioc, options());
    auto results = run_gets(db, ioc, 8);
    for (const auto& r : results) {
        EXPECT_NE(r.ec, errc::invalid_region) << r.message;
        EXPECT_EQ(r.ec, errc::connect_failed) << r.ec.message() << ": " << r.message; // the closed proxy port
    }
    EXPECT_EQ(db.region(), "eu-west-3");
    EXPECT_NE(db.endpoint_url().find("dynamodb.eu-west-3.amazonaws.com"), std::string::npos)
        << db.endpoint_url();
    EXPECT_EQ(imds.token_requests(), 1u);
    EXPECT_FALSE(db.configuration_error());

    // Later operations use what was found: no second lookup.
    const auto asked = imds.request_count();
    run_gets(db, ioc, 1);
    EXPECT_EQ(imds.request_count(), asked);
}

TEST_F(client_region, without_a_metadata_service_operations_fail_with_invalid_region_saying_why) {
    ::setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
    asio::io_context ioc;
    client db(ioc, options());
    auto results = run_gets(db, ioc, 2);
    for (const auto& r : results) {
        EXPECT_EQ(r.ec, errc::invalid_region) << r.ec.message();
        EXPECT_NE(r.message.find("AWS_REGION"), std::string::npos) << r.message;
        EXPECT_NE(r.message.find("instance metadata"), std::string::npos) << r.message;
    }
    EXPECT_EQ(imds.request_count(), 0u);
    std::string message;
    EXPECT_EQ(db.configuration_error(&message), errc::invalid_region);
}

TEST_F(client_region, a_hung_metadata_service_fails_the_operations_within_their_timeout) {
    imds.set_fault(test::imds_test_service::fault::hang_token);
    asio::io_context ioc;
    auto o = options();
    o.operation_timeout = std::chrono::seconds(30);
    client db(ioc, o);
    const auto start = std::chrono::steady_clock::now();
    auto results = run_gets(db, ioc, 2);
    // The IMDS timeout (1 s per attempt) ends the lookup long before the operations' own.
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(25));
    for (const auto& r : results)
        EXPECT_EQ(r.ec, errc::invalid_region) << r.ec.message() << ": " << r.message;
}

TEST_F(client_region, an_explicit_region_never_asks_the_metadata_service) {
    ::setenv("AWS_REGION", "ap-south-1", 1);
    asio::io_context ioc;
    client db(ioc, options());
    run_gets(db, ioc, 1);
    EXPECT_EQ(db.region(), "ap-south-1");
    EXPECT_EQ(imds.request_count(), 0u);
}

} // namespace
