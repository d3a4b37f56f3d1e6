// SPDX-License-Identifier: BSL-1.0
#include "support/services/sso_test_service.hpp"

#include <boost/json.hpp>

#include <map>
#include <mutex>
#include <utility>

namespace dynalock::test {

namespace {

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

std::string percent_decode(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%' && i + 2 < s.size() && hex_value(s[i + 1]) >= 0 && hex_value(s[i + 2]) >= 0) {
            out.push_back(static_cast<char>(hex_value(s[i + 1]) * 16 + hex_value(s[i + 2])));
            i += 2;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::map<std::string, std::string> parse_query(std::string_view query) {
    std::map<std::string, std::string> out;
    while (!query.empty()) {
        auto amp = query.find('&');
        auto pair = query.substr(0, amp);
        auto eq = pair.find('=');
        out[percent_decode(pair.substr(0, eq))] =
            eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
        query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
    }
    return out;
}

http_answer error(unsigned status, std::string type, std::string message) {
    auto a = answer(status, boost::json::serialize(boost::json::object{{"message", std::move(message)}}));
    a.headers.emplace_back("x-amzn-ErrorType",
                           type + ":http://internal.amazon.com/coral/com.amazonaws.switchboard.portal/");
    return a;
}

} // namespace

struct sso_test_service::state {
    std::mutex mutex;
    std::string access_token;
    std::map<std::pair<std::string, std::string>, sso_role_credentials> roles;
    behaviour mode = behaviour::normal;
    unsigned failures_left = 0;

    http_answer handle(const http_exchange& x) {
        std::lock_guard lock(mutex);
        if (failures_left > 0) {
            --failures_left;
            return error(500, "InternalServerException", "try again");
        }
        switch (mode) {
        case behaviour::hang: {
            http_answer a;
            a.hang = true;
            return a;
        }
        case behaviour::garbage:
            return answer(200, "<html>this is not the portal</html>", "text/html");
        case behaviour::server_error:
            return error(500, "InternalServerException", "internal failure");
        case behaviour::normal:
            break;
        }
        std::string_view target = x.target;
        auto question = target.find('?');
        if (x.method != "GET" || target.substr(0, question) != "/federation/credentials")
            return error(404, "UnknownOperationException", "no such operation");
        // The portal authenticates before it validates.
        if (!x.has_header("x-amz-sso_bearer_token") || x.header("x-amz-sso_bearer_token") != access_token)
            return error(401, "UnauthorizedException", "Session token not found or invalid");
        auto query = parse_query(question == std::string_view::npos ? std::string_view{}
                                                                    : target.substr(question + 1));
        if (query["account_id"].empty() || query["role_name"].empty())
            return error(400, "InvalidRequestException", "account_id and role_name are required");
        auto it = roles.find({query["account_id"], query["role_name"]});
        if (it == roles.end())
            return error(403, "ForbiddenException", "No access");
        const auto& c = it->second;
        boost::json::object role{{"accessKeyId", c.access_key_id},
                                 {"secretAccessKey", c.secret_access_key},
                                 {"sessionToken", c.session_token},
                                 {"expiration", c.expiration_ms}};
        return answer(200, boost::json::serialize(boost::json::object{{"roleCredentials", std::move(role)}}));
    }
};

sso_test_service::sso_test_service(std::string access_token) : state_(std::make_shared<state>()) {
    state_->access_token = std::move(access_token);
    server_ =
        std::make_unique<http_test_server>([s = state_](const http_exchange& x) { return s->handle(x); });
}

sso_test_service::~sso_test_service() = default;

void sso_test_service::add_role(std::string account_id, std::string role_name, sso_role_credentials creds) {
    std::lock_guard lock(state_->mutex);
    state_->roles[{std::move(account_id), std::move(role_name)}] = std::move(creds);
}

void sso_test_service::set_behaviour(behaviour b) {
    std::lock_guard lock(state_->mutex);
    state_->mode = b;
}

void sso_test_service::fail_next(unsigned n) {
    std::lock_guard lock(state_->mutex);
    state_->failures_left = n;
}

std::string sso_test_service::url() const {
    return server_->url();
}

std::size_t sso_test_service::request_count() const {
    return server_->request_count();
}

std::vector<http_exchange> sso_test_service::requests() const {
    return server_->requests();
}

} // namespace dynalock::test
