// SPDX-License-Identifier: BSL-1.0
// Links against an installed dynalock and checks that a client can be configured.
#include <dynalock/dynalock.hpp>

#include <boost/asio/io_context.hpp>

#include <cstdio>
#include <string>

int main() {
    boost::asio::io_context ioc;
    dynalock::client_options options;
    options.endpoint = "http://127.0.0.1:8000";
    dynalock::client db(ioc, options);
    std::string why;
    if (auto ec = db.configuration_error(&why)) {
        std::fprintf(stderr, "consumer: %s: %s\n", ec.message().c_str(), why.c_str());
        return 1;
    }
    std::printf("consumer: client for %s\n", db.endpoint_url().c_str());
    return 0;
}
