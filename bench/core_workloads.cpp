// SPDX-License-Identifier: BSL-1.0
#include "core_workloads.hpp"

#include <dynalock/attribute_value.hpp>
#include <dynalock/operations.hpp>

#include "core/clock_skew.hpp"
#include "core/crc32.hpp"
#include "core/http_message.hpp"
#include "core/json_codec.hpp"
#include "core/operations.hpp"
#include "core/response_checks.hpp"
#include "core/sigv4.hpp"

#include <chrono>
#include <stdexcept>
#include <string>
#include <utility>

namespace dynalock::bench {
namespace {

namespace sigv4 = core::sigv4;

// ---- the data of a lock table -------------------------------------------------------------------------

constexpr std::string_view table_name = "locks";
constexpr std::string_view lock_key = "lock#orders/eu-west-1/shard-0042";
constexpr std::string_view host = "dynamodb.us-east-1.amazonaws.com";
constexpr std::size_t payload_size = 200;

std::string payload_bytes() {
    std::string bytes(payload_size, '\0');
    for (std::size_t i = 0; i < bytes.size(); ++i)
        bytes[i] = static_cast<char>((i * 37 + 11) & 0xff);
    return bytes;
}

// 2026-01-15T10:00:00Z, a Thursday. Fixed, so the caching signer derives its key once.
sigv4::time_point signing_time() {
    using namespace std::chrono;
    return sys_days{year{2026} / 1 / 15} + hours{10};
}

sigv4::credentials example_credentials() {
    // The example key pair of the AWS documentation; long-term credentials (no session token).
    return {"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", {}};
}

sigv4::signing_options client_signing_options() {
    // What the client configures (lib/client.cpp).
    sigv4::signing_options opts;
    opts.region = "us-east-1";
    opts.service = "dynamodb";
    opts.sign_header = sigv4::dynamodb_signs_header;
    return opts;
}

// The conditional UpdateItem of a lock acquisition or renewal, returning the whole new item.
update_item_request make_update_item_request() {
    update_item_request req;
    req.table_name = table_name;
    req.key = {{"pk", attribute_value::string(lock_key)}};
    req.update_expression = "SET #owner = :owner, #lease = :lease, #rvn = :rvn, #hb = :hb, #data = :data, "
                            "#ts = :ts ADD #ver :one";
    req.condition_expression = "attribute_not_exists(#pk) OR #rvn = :expected";
    req.expression_attribute_names = {{"#pk", "pk"},          {"#owner", "owner"},  {"#lease", "lease_ms"},
                                      {"#rvn", "rvn"},        {"#hb", "heartbeat"}, {"#data", "data"},
                                      {"#ts", "acquired_at"}, {"#ver", "version"}};
    req.expression_attribute_values = {
        {":owner", attribute_value::string("worker-7f3a@host-12")},
        {":lease", attribute_value::number(20000)},
        {":rvn", attribute_value::string("0b6f3c9e-52d1-4c8a-9e1f-3a7d2b5c8e41")},
        {":hb", attribute_value::number(1768471200123)},
        {":data", attribute_value::binary(payload_bytes())},
        {":ts", attribute_value::string("2026-01-15T10:00:00.123Z")},
        {":one", attribute_value::number(1)},
        {":expected", attribute_value::string("5d2e8a71-0c4b-4f93-8b6a-1e9c7f2d4a06")},
    };
    req.return_values = return_value::all_new;
    return req;
}

get_item_request make_get_item_request() {
    get_item_request req;
    req.table_name = table_name;
    req.key = {{"pk", attribute_value::string(lock_key)}};
    req.consistent_read = true;
    return req;
}

// The lock item as DynamoDB JSON, written out by hand rather than by the encoder under test.
std::string lock_item_json() {
    std::string payload;
    core::base64_encode(payload_bytes(), payload);
    std::string json = "{";
    json += R"("pk":{"S":")" + std::string(lock_key) + R"("},)";
    json += R"("owner":{"S":"worker-7f3a@host-12"},)";
    json += R"("lease_ms":{"N":"20000"},)";
    json += R"("rvn":{"S":"0b6f3c9e-52d1-4c8a-9e1f-3a7d2b5c8e41"},)";
    json += R"("heartbeat":{"N":"1768471200123"},)";
    json += R"("data":{"B":")" + payload + R"("},)";
    json += R"("acquired_at":{"S":"2026-01-15T10:00:00.123Z"},)";
    json += R"("version":{"N":"42"})";
    json += "}";
    return json;
}
constexpr std::size_t lock_item_attributes = 8;

// The reply to a GetItem as the transport hands it to the core.
core::http_response get_item_reply() {
    core::http_response res;
    res.status = 200;
    res.body = R"({"Item":)" + lock_item_json() + "}";
    res.headers = {{"Server", "Server"},
                   {"Date", "Thu, 15 Jan 2026 10:00:00 GMT"},
                   {"Content-Type", "application/x-amz-json-1.0"},
                   {"Content-Length", std::to_string(res.body.size())},
                   {"Connection", "keep-alive"},
                   {"x-amzn-RequestId", "8GPJ3N2V1R0T5QK7MUE4HVB6JJVV4KQNSO5AEMVJF66Q9ASUAAJG"},
                   {"x-amz-crc32", std::to_string(core::crc32(res.body))}};
    return res;
}

// The headers the client signs, set again before every attempt (lib/client.cpp).
void set_dynamodb_headers(core::http_request& req, std::string_view target) {
    req.headers.clear();
    req.headers.push_back({"Host", std::string(host)});
    req.headers.push_back({"Content-Type", "application/x-amz-json-1.0"});
    req.headers.push_back({"X-Amz-Target", std::string(target)});
}

void require(bool ok, std::string_view what) {
    if (!ok)
        throw std::runtime_error(std::string(what));
}

// Runs the first iteration in the factory, so a broken workload fails before any timing.
template <class Workload>
std::unique_ptr<workload> make_checked() {
    auto w = std::make_unique<Workload>();
    require(w->run() != 0, "the workload failed its first run");
    return w;
}

// ---- the workloads ------------------------------------------------------------------------------------

// Signs the UpdateItem request: headers set, body hashed, canonical request, string to sign, HMAC.
class sign_update_item : public workload {
public:
    explicit sign_update_item(bool cached) : cached_(cached) {
        core::serialize(make_update_item_request(), request_.body);
    }

    std::size_t run() override {
        set_dynamodb_headers(request_, core::operation_traits<update_item_request>::target);
        const error_code ec = cached_ ? signer_.sign(request_, credentials_, now_)
                                      : sigv4::sign(request_, credentials_, now_, options_);
        if (ec)
            return 0;
        return request_.headers.size() + request_.headers.back().value.size();
    }

private:
    bool cached_;
    sigv4::signing_options options_ = client_signing_options();
    sigv4::signer signer_{client_signing_options()};
    sigv4::credentials credentials_ = example_credentials();
    sigv4::time_point now_ = signing_time();
    core::http_request request_;
};

struct sign_cached final : sign_update_item {
    sign_cached() : sign_update_item(true) {}
};
struct sign_cold final : sign_update_item {
    sign_cold() : sign_update_item(false) {}
};

// Local validation of the UpdateItem request (the client runs it before every operation).
class validate_update_item final : public workload {
public:
    std::size_t run() override {
        message_.clear();
        return core::validate(request_, message_) ? 0 : 1 + message_.size();
    }

private:
    update_item_request request_ = make_update_item_request();
    std::string message_;
};

// The UpdateItem request body, into a new string as the client does for every operation.
class serialize_update_item final : public workload {
public:
    std::size_t run() override {
        std::string body;
        core::serialize(request_, body);
        return body.size();
    }

private:
    update_item_request request_ = make_update_item_request();
};

// The UpdateItem reply with ALL_NEW: JSON parse and decoding of the 8 attributes.
class parse_update_item_response final : public workload {
public:
    std::size_t run() override {
        update_item_response out;
        if (core::parse(body_, out, message_) || !out.attributes ||
            out.attributes->size() != lock_item_attributes)
            return 0;
        return out.attributes->size() + out.attributes->get("data")->as_binary().size();
    }

private:
    std::string body_ = R"({"Attributes":)" + lock_item_json() + "}";
    std::string message_;
};

// All the core does for one GetItem: validate, serialize, sign, then check the reply's CRC, read its
// Date (clock skew) and decode the item. What is left out is I/O and the HTTP framing (Beast).
class get_item_round_trip final : public workload {
public:
    std::size_t run() override {
        message_.clear();
        if (core::validate(request_, message_))
            return 0;
        core::http_request hr;
        core::serialize(request_, hr.body);
        set_dynamodb_headers(hr, core::operation_traits<get_item_request>::target);
        if (signer_.sign(hr, credentials_, now_))
            return 0;
        if (core::check_crc32(reply_))
            return 0;
        const auto date = core::parse_http_date(reply_.header("Date"));
        if (!date)
            return 0;
        get_item_response out;
        if (core::parse(reply_.body, out, message_) || !out.item || out.item->size() != lock_item_attributes)
            return 0;
        return hr.body.size() + hr.headers.size() + out.item->size() +
               static_cast<std::size_t>(date->time_since_epoch().count() & 1);
    }

private:
    get_item_request request_ = make_get_item_request();
    sigv4::signer signer_{client_signing_options()};
    sigv4::credentials credentials_ = example_credentials();
    sigv4::time_point now_ = signing_time();
    core::http_response reply_ = get_item_reply();
    std::string message_;
};

constexpr workload_info all_workloads[] = {
    {"sigv4_sign_cached",
     "SigV4 signature of an UpdateItem request with the client's signer (signing key cached)",
     make_checked<sign_cached>},
    {"sigv4_sign_cold", "SigV4 signature of the same request deriving the signing key (4 more HMACs)",
     make_checked<sign_cold>},
    {"validate_update_item", "local validation of the UpdateItem request",
     make_checked<validate_update_item>},
    {"serialize_update_item", "JSON body of the UpdateItem request (8 names, 8 values, 200-byte B)",
     make_checked<serialize_update_item>},
    {"parse_update_item_response", "JSON parse and decoding of an ALL_NEW reply (8 attributes)",
     make_checked<parse_update_item_response>},
    {"get_item_round_trip", "GetItem: validate, serialize, sign, check CRC and Date, parse the item",
     make_checked<get_item_round_trip>},
};

} // namespace

std::span<const workload_info> workloads() noexcept {
    return all_workloads;
}

const workload_info* find_workload(std::string_view name) noexcept {
    for (const auto& w : all_workloads)
        if (w.name == name)
            return &w;
    return nullptr;
}

} // namespace dynalock::bench
