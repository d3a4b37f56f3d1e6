// SPDX-License-Identifier: BSL-1.0
// The locker's requests and row handling, built without a server: the exact expressions of every write
// (read back with their placeholders substituted, so a name or value bound to the wrong placeholder
// shows), option checks and defaults, row decoding, fencing token ranges and release verdicts. Every
// built request must also pass the client's own validation of DynamoDB's rules.
#include <dynalock/operations.hpp>

#include "core/lock_requests.hpp"
#include "core/operations.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <string>
#include <string_view>
#include <vector>

namespace {

using namespace dynalock;
using namespace dynalock::core;
using namespace std::chrono_literals;

attribute_value S(std::string s) {
    return attribute_value::string(std::move(s));
}
attribute_value N(std::int64_t n) {
    return attribute_value::number(n);
}
attribute_value B(bool b) {
    return attribute_value::boolean(b);
}

bool has(const std::string& message, std::string_view part) {
    return message.find(part) != std::string::npos;
}

// How a value reads inside a resolved expression: strings quoted, numbers and booleans bare.
std::string render(const attribute_value& v) {
    if (const auto* s = v.if_string())
        return "'" + *s + "'";
    if (const auto* n = v.if_number())
        return *n;
    if (const auto* b = v.if_bool())
        return *b ? "true" : "false";
    return "<" + std::string(type_descriptor(v.type())) + ">";
}

// The expression with every "#name" and ":value" placeholder replaced by what it stands for. A
// placeholder that is not defined stays visible as "?#x" / "?:x".
std::string resolve(const std::optional<std::string>& expr, const expression_names& names,
                    const expression_values& values) {
    if (!expr)
        return "<none>";
    std::string out;
    const std::string& e = *expr;
    for (std::size_t i = 0; i < e.size();) {
        if (e[i] != '#' && e[i] != ':') {
            out += e[i++];
            continue;
        }
        std::size_t j = i + 1;
        while (j < e.size() && (std::isalnum(static_cast<unsigned char>(e[j])) != 0 || e[j] == '_'))
            ++j;
        std::string placeholder = e.substr(i, j - i);
        i = j;
        if (placeholder[0] == '#') {
            auto it = std::find_if(names.begin(), names.end(),
                                   [&](const auto& n) { return n.first == placeholder; });
            out += it != names.end() ? it->second : "?" + placeholder;
        } else {
            const auto* v = values.get(placeholder);
            out += v != nullptr ? render(*v) : "?" + placeholder;
        }
    }
    return out;
}

template <class Request>
std::string update_of(const Request& req) {
    return resolve(req.update_expression, req.expression_attribute_names, req.expression_attribute_values);
}
template <class Request>
std::string condition_of(const Request& req) {
    return resolve(req.condition_expression, req.expression_attribute_names, req.expression_attribute_values);
}

// The condition that lets a write acquire a free lock for waiter 'proc-1'.
const std::string free_condition =
    "attribute_not_exists(id) OR (released = true AND (attribute_not_exists(waiter) OR waiter = 'proc-1'))";

class lock_requests : public ::testing::Test {
protected:
    std::string table = "locks";
    std::string partition = "agent";
    store_schema schema;
    lock_schema names;
    lock_target target() const { return {table, partition, schema, names}; }

    lease_terms terms(const lock_options& options, std::string_view default_owner = "host:1:abc") {
        lease_terms t;
        std::string message;
        auto ec = resolve_lock_options(target(), "jobs/nightly", options, default_owner, t, message);
        EXPECT_FALSE(ec) << ec.message() << ": " << message;
        return t;
    }
    error_code terms_error(const lock_options& options, std::string_view key = "jobs/nightly",
                           std::string* message_out = nullptr) {
        lease_terms t;
        std::string message;
        auto ec = resolve_lock_options(target(), key, options, "host:1:abc", t, message);
        EXPECT_TRUE(ec);
        EXPECT_FALSE(message.empty());
        if (message_out != nullptr)
            *message_out = message;
        return ec;
    }
    update_item_request acquire(const lock_options& options, const takeover_condition* takeover = nullptr) {
        update_item_request req;
        build_acquire(target(), "jobs/nightly", terms(options), "lease-A", "proc-1", takeover, req);
        std::string why;
        EXPECT_FALSE(validate(req, why)) << why;
        return req;
    }
    attribute_map key() const { return {{"id", S("agent")}, {"name", S("jobs/nightly")}}; }

    // A row as DynamoDB returns it, keys included.
    attribute_map stored_row() const {
        return {{"id", S("agent")},         {"name", S("jobs/nightly")},
                {"version", N(7)},          {"payload", S("blob")},
                {"owner", S("host:9:xyz")}, {"lease_ms", N(20000)},
                {"lease_id", S("lease-B")}, {"fence", N(27)},
                {"released", B(false)},     {"waiter", S("proc-2")},
                {"team", S("ops")}};
    }
    error_code decode(attribute_map item, lock_row& out, std::string& message) {
        return decode_lock_row(std::move(item), target(), out, message);
    }
};

// ---- acquire ------------------------------------------------------------------------------------

TEST_F(lock_requests, acquire_of_free_lock_writes_lease_and_takes_a_token_block) {
    auto req = acquire(lock_options().with_lease(20s).with_owner("me").with_data(S("blob")));
    EXPECT_EQ(req.table_name, "locks");
    EXPECT_EQ(req.key, key());
    EXPECT_EQ(update_of(req), "SET owner = 'me', lease_id = 'lease-A', lease_ms = 20000, released = false, "
                              "payload = 'blob' REMOVE waiter ADD version 1, fence 9");
    EXPECT_EQ(condition_of(req), free_condition);
    EXPECT_EQ(req.return_values, return_value::all_new);
    EXPECT_EQ(req.return_values_on_condition_check_failure, return_value::all_old);
}

TEST_F(lock_requests, acquire_names_and_values_are_exactly_the_ones_used) {
    auto req = acquire(lock_options().with_lease(20s).with_owner("me").with_data(S("blob")));
    // Every attribute name goes through a placeholder (`name` is a reserved word), each bound once.
    std::vector<std::string> bound;
    for (const auto& [placeholder, name] : req.expression_attribute_names)
        bound.push_back(name);
    std::sort(bound.begin(), bound.end());
    EXPECT_EQ(bound, (std::vector<std::string>{"fence", "id", "lease_id", "lease_ms", "owner", "payload",
                                               "released", "version", "waiter"}));
    std::vector<std::string> values;
    for (const auto& [placeholder, value] : req.expression_attribute_values)
        values.push_back(render(value));
    std::sort(values.begin(), values.end());
    // 1 (version), 9 (fence block), true/false for `released` may share a placeholder with nothing else.
    auto expected = std::vector<std::string>{"'blob'", "'lease-A'", "'me'",  "'proc-1'", "1",
                                             "20000",  "9",         "false", "true"};
    std::sort(expected.begin(), expected.end());
    EXPECT_EQ(values, expected);
}

TEST_F(lock_requests, acquire_with_takeover_also_accepts_the_stale_lease) {
    takeover_condition stale{.version = 41, .lease_id = "lease-old"};
    auto req = acquire(lock_options().with_owner("me").with_data(S("blob")), &stale);
    EXPECT_EQ(condition_of(req), free_condition + " OR (version = 41 AND lease_id = 'lease-old')");
    EXPECT_EQ(req.return_values, return_value::all_new);
    EXPECT_EQ(req.return_values_on_condition_check_failure, return_value::all_old);
}

TEST_F(lock_requests, acquire_keeping_data_writes_it_only_when_absent) {
    auto req = acquire(lock_options().with_owner("me").with_data(S("blob")).with_keep_data());
    EXPECT_EQ(update_of(req),
              "SET owner = 'me', lease_id = 'lease-A', lease_ms = 20000, released = false, "
              "payload = if_not_exists(payload, 'blob') REMOVE waiter ADD version 1, fence 9");
}

TEST_F(lock_requests, acquire_without_data_removes_old_data) {
    auto req = acquire(lock_options().with_owner("me"));
    EXPECT_EQ(update_of(req), "SET owner = 'me', lease_id = 'lease-A', lease_ms = 20000, released = false "
                              "REMOVE waiter, payload ADD version 1, fence 9");
}

TEST_F(lock_requests, acquire_without_data_keeping_data_leaves_it_alone) {
    auto req = acquire(lock_options().with_owner("me").with_keep_data());
    EXPECT_EQ(update_of(req), "SET owner = 'me', lease_id = 'lease-A', lease_ms = 20000, released = false "
                              "REMOVE waiter ADD version 1, fence 9");
}

TEST_F(lock_requests, acquire_writes_extra_attributes) {
    auto req = acquire(lock_options().with_owner("me").with_keep_data().with_attribute("team", S("ops")));
    EXPECT_EQ(update_of(req), "SET owner = 'me', lease_id = 'lease-A', lease_ms = 20000, released = false, "
                              "team = 'ops' REMOVE waiter ADD version 1, fence 9");
}

TEST_F(lock_requests, acquire_fence_block_follows_local_handover_limit) {
    auto none = acquire(lock_options().with_owner("me").with_keep_data().with_local_handover_limit(0));
    EXPECT_TRUE(has(update_of(none), "ADD version 1, fence 1")) << update_of(none);
    auto three = acquire(lock_options().with_owner("me").with_keep_data().with_local_handover_limit(3));
    EXPECT_TRUE(has(update_of(three), "ADD version 1, fence 4")) << update_of(three);
}

TEST_F(lock_requests, acquire_uses_configured_attribute_names) {
    schema.partition_key = "pk";
    schema.sort_key = "sk";
    schema.version = "ver";
    schema.value = "data";
    names = lock_schema{
        .owner = "o", .lease = "l", .lease_id = "li", .fence = "f", .released = "r", .waiter = "w"};
    takeover_condition stale{.version = 3, .lease_id = "lease-old"};
    auto req = acquire(lock_options().with_owner("me").with_lease(1s).with_data(S("x")), &stale);
    EXPECT_EQ(req.key, (attribute_map{{"pk", S("agent")}, {"sk", S("jobs/nightly")}}));
    EXPECT_EQ(update_of(req), "SET o = 'me', li = 'lease-A', l = 1000, r = false, data = 'x' REMOVE w "
                              "ADD ver 1, f 9");
    EXPECT_EQ(condition_of(req), "attribute_not_exists(pk) OR (r = true AND (attribute_not_exists(w) OR "
                                 "w = 'proc-1')) OR (ver = 3 AND li = 'lease-old')");
}

// ---- renewal, release, waiter -------------------------------------------------------------------

TEST_F(lock_requests, heartbeat_bumps_version_only_on_our_unreleased_lease) {
    update_item_request req;
    build_heartbeat(target(), "jobs/nightly", "me", "lease-A", 15s, req);
    std::string why;
    EXPECT_FALSE(validate(req, why)) << why;
    EXPECT_EQ(req.table_name, "locks");
    EXPECT_EQ(req.key, key());
    EXPECT_EQ(update_of(req), "SET lease_ms = 15000 ADD version 1");
    EXPECT_EQ(condition_of(req), "owner = 'me' AND lease_id = 'lease-A' AND released = false");
    EXPECT_EQ(req.return_values, return_value::all_new);
    EXPECT_EQ(req.return_values_on_condition_check_failure, return_value::all_old);
}

TEST_F(lock_requests, release_marks_released_on_our_lease) {
    update_item_request req;
    build_release(target(), "jobs/nightly", "me", "lease-A", std::nullopt, req);
    std::string why;
    EXPECT_FALSE(validate(req, why)) << why;
    EXPECT_EQ(req.key, key());
    EXPECT_EQ(update_of(req), "SET released = true ADD version 1");
    EXPECT_EQ(condition_of(req), "owner = 'me' AND lease_id = 'lease-A' AND released = false");
    // A failed condition returns the row, which tells a stolen lease from an already released one.
    EXPECT_EQ(req.return_values_on_condition_check_failure, return_value::all_old);
}

TEST_F(lock_requests, release_with_data_writes_it) {
    update_item_request req;
    build_release(target(), "jobs/nightly", "me", "lease-A", S("done"), req);
    std::string why;
    EXPECT_FALSE(validate(req, why)) << why;
    EXPECT_EQ(update_of(req), "SET released = true, payload = 'done' ADD version 1");
    EXPECT_EQ(condition_of(req), "owner = 'me' AND lease_id = 'lease-A' AND released = false");
}

TEST_F(lock_requests, release_delete_removes_only_our_lease) {
    delete_item_request req;
    build_release_delete(target(), "jobs/nightly", "me", "lease-A", req);
    std::string why;
    EXPECT_FALSE(validate(req, why)) << why;
    EXPECT_EQ(req.table_name, "locks");
    EXPECT_EQ(req.key, key());
    EXPECT_EQ(condition_of(req), "owner = 'me' AND lease_id = 'lease-A'");
    EXPECT_EQ(req.return_values_on_condition_check_failure, return_value::all_old);
}

TEST_F(lock_requests, waiter_mark_is_set_only_on_an_existing_row_without_one) {
    update_item_request req;
    build_mark_waiter(target(), "jobs/nightly", "proc-1", req);
    std::string why;
    EXPECT_FALSE(validate(req, why)) << why;
    EXPECT_EQ(req.key, key());
    EXPECT_EQ(update_of(req), "SET waiter = 'proc-1'");
    EXPECT_EQ(condition_of(req), "attribute_exists(id) AND attribute_not_exists(waiter)");
    EXPECT_FALSE(has(update_of(req), "version")) << "a waiter mark is not a change of the lease";
}

TEST_F(lock_requests, waiter_clear_removes_only_our_mark) {
    update_item_request req;
    build_clear_waiter(target(), "jobs/nightly", "proc-1", req);
    std::string why;
    EXPECT_FALSE(validate(req, why)) << why;
    EXPECT_EQ(req.key, key());
    EXPECT_EQ(update_of(req), "REMOVE waiter");
    EXPECT_EQ(condition_of(req), "waiter = 'proc-1'");
}

// ---- reads --------------------------------------------------------------------------------------

TEST_F(lock_requests, read_is_consistent) {
    get_item_request req;
    build_read_lock(target(), "jobs/nightly", req);
    std::string why;
    EXPECT_FALSE(validate(req, why)) << why;
    EXPECT_EQ(req.table_name, "locks");
    EXPECT_EQ(req.key, key());
    EXPECT_EQ(req.consistent_read, true);
    EXPECT_FALSE(req.projection_expression.has_value());
}

TEST_F(lock_requests, list_queries_the_partition_by_prefix_consistently) {
    query_request req;
    build_list_locks(target(), "jobs/", req);
    std::string why;
    EXPECT_FALSE(validate(req, why)) << why;
    EXPECT_EQ(req.table_name, "locks");
    EXPECT_EQ(resolve(req.key_condition_expression, req.expression_attribute_names,
                      req.expression_attribute_values),
              "id = 'agent' AND begins_with(name, 'jobs/')");
    // Key/value pairs of the same partition are not locks: the server leaves them out.
    EXPECT_EQ(resolve(req.filter_expression, req.expression_attribute_names, req.expression_attribute_values),
              "attribute_exists(lease_id)");
    EXPECT_EQ(req.consistent_read, true);
    EXPECT_FALSE(req.exclusive_start_key.has_value());
}

TEST_F(lock_requests, list_without_prefix_reads_the_whole_partition) {
    query_request req;
    build_list_locks(target(), "", req);
    std::string why;
    EXPECT_FALSE(validate(req, why)) << why;
    EXPECT_EQ(resolve(req.key_condition_expression, req.expression_attribute_names,
                      req.expression_attribute_values),
              "id = 'agent'");
    EXPECT_EQ(req.consistent_read, true);
}

// ---- options ------------------------------------------------------------------------------------

TEST_F(lock_requests, defaults_derive_from_the_lease) {
    auto t = terms(lock_options().with_lease(30s), "host:1:abc");
    EXPECT_EQ(t.owner, "host:1:abc");
    EXPECT_EQ(t.lease, 30s);
    EXPECT_EQ(t.heartbeat, 10s);
    EXPECT_EQ(t.safety_margin, 3s);
    EXPECT_FALSE(t.expiring_warning.has_value());
    EXPECT_EQ(t.poll_min, 10ms);
    EXPECT_EQ(t.poll_max, 500ms);
    EXPECT_FALSE(t.max_wait.has_value());
    EXPECT_FALSE(t.data.has_value());
    EXPECT_FALSE(t.keep_data);
    EXPECT_TRUE(t.attributes.empty());
    EXPECT_FALSE(t.delete_on_release);
    EXPECT_EQ(t.fence_block, 9);
}

TEST_F(lock_requests, explicit_options_are_kept) {
    auto t = terms(lock_options()
                       .with_lease(10s)
                       .with_heartbeat(2s)
                       .with_safety_margin(500ms)
                       .with_expiring_warning(3s)
                       .with_poll(20ms, 40ms)
                       .with_max_wait(1min)
                       .with_data(S("d"))
                       .with_keep_data()
                       .with_owner("worker-7")
                       .with_attribute("team", S("ops"))
                       .with_delete_on_release()
                       .with_local_handover_limit(2),
                   "host:1:abc");
    EXPECT_EQ(t.owner, "worker-7");
    EXPECT_EQ(t.lease, 10s);
    EXPECT_EQ(t.heartbeat, 2s);
    EXPECT_EQ(t.safety_margin, 500ms);
    EXPECT_EQ(t.expiring_warning, 3s);
    EXPECT_EQ(t.poll_min, 20ms);
    EXPECT_EQ(t.poll_max, 40ms);
    EXPECT_EQ(t.max_wait, 1min);
    EXPECT_EQ(t.data, S("d"));
    EXPECT_TRUE(t.keep_data);
    EXPECT_EQ(t.attributes, (attribute_map{{"team", S("ops")}}));
    EXPECT_TRUE(t.delete_on_release);
    EXPECT_EQ(t.fence_block, 3);
}

TEST_F(lock_requests, no_renewal_is_heartbeat_zero) {
    auto t = terms(lock_options().without_renewal());
    EXPECT_EQ(t.heartbeat, 0ms);
}

TEST_F(lock_requests, lease_shorter_than_100ms_is_rejected) {
    std::string message;
    EXPECT_EQ(terms_error(lock_options().with_lease(99ms), "jobs/nightly", &message), errc::invalid_argument);
    EXPECT_TRUE(has(message, "lease")) << message;
    EXPECT_EQ(terms(lock_options().with_lease(100ms)).lease, 100ms);
}

TEST_F(lock_requests, heartbeat_longer_than_half_the_validity_is_rejected) {
    // lease 20 s, margin 2 s: a renewal must fit twice in the 18 s of validity.
    std::string message;
    EXPECT_EQ(terms_error(lock_options().with_lease(20s).with_heartbeat(9001ms), "jobs/nightly", &message),
              errc::invalid_argument);
    EXPECT_TRUE(has(message, "heartbeat")) << message;
    EXPECT_EQ(terms(lock_options().with_lease(20s).with_heartbeat(9s)).heartbeat, 9s);
    EXPECT_EQ(terms_error(lock_options().with_heartbeat(-1ms)), errc::invalid_argument);
}

TEST_F(lock_requests, bad_poll_bounds_are_rejected) {
    std::string message;
    EXPECT_EQ(terms_error(lock_options().with_poll(0ms, 100ms), "jobs/nightly", &message),
              errc::invalid_argument);
    EXPECT_TRUE(has(message, "poll")) << message;
    EXPECT_EQ(terms_error(lock_options().with_poll(-5ms, 100ms)), errc::invalid_argument);
    EXPECT_EQ(terms_error(lock_options().with_poll(100ms, 99ms), "jobs/nightly", &message),
              errc::invalid_argument);
    EXPECT_TRUE(has(message, "poll")) << message;
    EXPECT_EQ(terms(lock_options().with_poll(100ms, 100ms)).poll_max, 100ms);
}

TEST_F(lock_requests, expiring_warning_past_the_validity_is_rejected) {
    // lease 10 s - margin 1 s = 9 s of validity.
    std::string message;
    EXPECT_EQ(terms_error(lock_options().with_lease(10s).with_expiring_warning(9s), "jobs/nightly", &message),
              errc::invalid_argument);
    EXPECT_TRUE(has(message, "expiring_warning")) << message;
    EXPECT_EQ(terms(lock_options().with_lease(10s).with_expiring_warning(8999ms)).expiring_warning, 8999ms);
}

TEST_F(lock_requests, attribute_clashing_with_a_schema_name_is_rejected) {
    for (const char* name : {"id", "name", "version", "expires", "payload", "owner", "lease_ms", "lease_id",
                             "fence", "released", "waiter"}) {
        std::string message;
        EXPECT_EQ(terms_error(lock_options().with_attribute(name, S("x")), "jobs/nightly", &message),
                  errc::invalid_argument)
            << name;
        EXPECT_TRUE(has(message, name)) << message;
    }
}

TEST_F(lock_requests, attribute_clashing_with_a_configured_name_is_rejected) {
    names.owner = "holder";
    EXPECT_EQ(terms_error(lock_options().with_attribute("holder", S("x"))), errc::invalid_argument);
    // "owner" is no longer a lock attribute here, so it is free for extra data.
    EXPECT_EQ(terms(lock_options().with_attribute("owner", S("x"))).attributes.size(), 1u);
}

TEST_F(lock_requests, bad_keys_are_rejected) {
    EXPECT_EQ(terms_error(lock_options(), ""), errc::empty_key);
    EXPECT_EQ(terms_error(lock_options(), std::string(1025, 'k')), errc::key_too_large);
    EXPECT_EQ(terms_error(lock_options(), "bad\xff"), errc::invalid_utf8);
    lease_terms t;
    std::string message;
    EXPECT_FALSE(resolve_lock_options(target(), std::string(1024, 'k'), lock_options(), "o", t, message))
        << message;
}

TEST_F(lock_requests, owner_that_is_not_utf8_is_rejected) {
    std::string message;
    EXPECT_EQ(terms_error(lock_options().with_owner("bad\xc3"), "jobs/nightly", &message),
              errc::invalid_utf8);
    EXPECT_TRUE(has(message, "owner")) << message;
}

TEST_F(lock_requests, negative_or_whole_lease_safety_margin_is_rejected) {
    std::string message;
    EXPECT_EQ(terms_error(lock_options().with_safety_margin(-1ms), "jobs/nightly", &message),
              errc::invalid_argument);
    EXPECT_TRUE(has(message, "safety_margin")) << message;
    EXPECT_EQ(terms_error(lock_options().with_lease(10s).with_safety_margin(10s).without_renewal()),
              errc::invalid_argument);
}

TEST_F(lock_requests, bad_data_and_attribute_values_are_rejected) {
    EXPECT_EQ(terms_error(lock_options().with_data(S("bad\xc3"))), errc::invalid_utf8);
    EXPECT_EQ(terms_error(lock_options().with_attribute("tags", attribute_value::string_set({}))),
              errc::invalid_attribute_value);
    EXPECT_EQ(terms_error(lock_options().with_data(S(std::string(410 * 1024, 'x')))), errc::item_too_large);
}

// ---- same_lease ---------------------------------------------------------------------------------

TEST_F(lock_requests, same_lease_compares_what_the_row_holds) {
    auto base = lock_options().with_owner("me").with_data(S("d")).with_attribute("team", S("ops"));
    auto a = terms(base);
    EXPECT_TRUE(same_lease(a, terms(base)));
    // How long one waits does not change the lease.
    EXPECT_TRUE(same_lease(a, terms(lock_options(base).with_poll(50ms, 60ms).with_max_wait(1s))));

    EXPECT_FALSE(same_lease(a, terms(lock_options(base).with_lease(30s))));
    EXPECT_FALSE(same_lease(a, terms(lock_options(base).with_owner("you"))));
    EXPECT_FALSE(same_lease(a, terms(lock_options(base).with_data(S("e")))));
    EXPECT_FALSE(same_lease(a, terms(lock_options(base).with_attribute("team", S("dev")))));
    EXPECT_FALSE(same_lease(a, terms(lock_options(base).with_attribute("site", S("x")))));
    EXPECT_FALSE(same_lease(a, terms(lock_options(base).with_heartbeat(1s))));
    EXPECT_FALSE(same_lease(a, terms(lock_options(base).with_safety_margin(1s))));
    auto no_data = base;
    no_data.data.reset();
    EXPECT_FALSE(same_lease(a, terms(no_data)));
}

// ---- decoding -----------------------------------------------------------------------------------

TEST_F(lock_requests, decodes_a_lock_row) {
    lock_row row;
    std::string message;
    ASSERT_FALSE(decode(stored_row(), row, message)) << message;
    EXPECT_EQ(row.owner, "host:9:xyz");
    EXPECT_EQ(row.version, 7);
    EXPECT_EQ(row.lease_id, "lease-B");
    EXPECT_EQ(row.lease, 20s);
    EXPECT_FALSE(row.released);
    EXPECT_EQ(row.fence, 27);
    EXPECT_EQ(row.waiter, "proc-2");
    EXPECT_EQ(row.data, S("blob"));
    EXPECT_EQ(row.attributes, (attribute_map{{"team", S("ops")}}));
}

TEST_F(lock_requests, decodes_a_released_row_without_waiter_or_data) {
    auto item = stored_row();
    item.erase("waiter");
    item.erase("payload");
    item.erase("team");
    item.insert_or_assign("released", B(true));
    lock_row row;
    std::string message;
    ASSERT_FALSE(decode(std::move(item), row, message)) << message;
    EXPECT_TRUE(row.released);
    EXPECT_EQ(row.waiter, "");
    EXPECT_FALSE(row.data.has_value());
    EXPECT_TRUE(row.attributes.empty());
}

TEST_F(lock_requests, key_value_pair_is_not_a_lock_row) {
    attribute_map item{
        {"id", S("agent")}, {"name", S("jobs/nightly")}, {"version", N(3)}, {"payload", S("v")}};
    lock_row row;
    std::string message;
    EXPECT_EQ(decode(std::move(item), row, message), errc::invalid_argument);
    EXPECT_TRUE(has(message, "not a lock")) << message;
}

TEST_F(lock_requests, mistyped_lock_attributes_are_malformed) {
    struct bad {
        const char* name;
        attribute_value value;
    };
    for (const auto& [name, value] :
         {bad{"owner", N(1)}, bad{"version", S("7")}, bad{"lease_ms", S("20000")},
          bad{"lease_ms", attribute_value::number("1.5")}, bad{"lease_id", N(5)}, bad{"fence", S("x")},
          bad{"released", S("true")}, bad{"waiter", B(true)}}) {
        auto item = stored_row();
        item.insert_or_assign(name, value);
        lock_row row;
        std::string message;
        EXPECT_EQ(decode(std::move(item), row, message), errc::malformed_response) << name;
        EXPECT_TRUE(has(message, name)) << message;
    }
}

TEST_F(lock_requests, lock_info_carries_the_row) {
    lock_row row;
    std::string message;
    ASSERT_FALSE(decode(stored_row(), row, message)) << message;
    auto info = to_lock_info("jobs/nightly", std::move(row));
    EXPECT_EQ(info.key, "jobs/nightly");
    EXPECT_EQ(info.owner, "host:9:xyz");
    EXPECT_EQ(info.fencing_token, 27);
    EXPECT_EQ(info.version, 7);
    EXPECT_FALSE(info.released);
    EXPECT_EQ(info.lease, 20s);
    EXPECT_EQ(info.lease_id, "lease-B");
    EXPECT_EQ(info.waiter, "proc-2");
    EXPECT_EQ(info.data, S("blob"));
    EXPECT_EQ(info.attributes, (attribute_map{{"team", S("ops")}}));

    lock_row no_waiter;
    EXPECT_FALSE(to_lock_info("k", std::move(no_waiter)).waiter.has_value());
}

// ---- tokens and release verdicts -----------------------------------------------------------------

TEST(lock_tokens, block_ends_at_the_fence) {
    auto first = tokens_of(9, 9);
    EXPECT_EQ(first.first, 1);
    EXPECT_EQ(first.last, 9);
    auto next = tokens_of(18, 9);
    EXPECT_EQ(next.first, 10);
    EXPECT_EQ(next.last, 18);
    auto single = tokens_of(5, 1);
    EXPECT_EQ(single.first, 5);
    EXPECT_EQ(single.last, 5);
}

lock_row row_with(std::string lease_id, bool released) {
    lock_row r;
    r.owner = "me";
    r.lease_id = std::move(lease_id);
    r.released = released;
    r.version = 4;
    return r;
}

TEST(lock_release_verdict, released_row_with_our_lease_means_it_landed) {
    EXPECT_EQ(judge_release(row_view::of(row_with("lease-A", true)), "lease-A", false),
              release_verdict::released);
}

TEST(lock_release_verdict, unreleased_row_with_our_lease_is_still_ours) {
    EXPECT_EQ(judge_release(row_view::of(row_with("lease-A", false)), "lease-A", false),
              release_verdict::ours);
    EXPECT_EQ(judge_release(row_view::of(row_with("lease-A", false)), "lease-A", true),
              release_verdict::ours);
}

TEST(lock_release_verdict, another_lease_is_stolen) {
    EXPECT_EQ(judge_release(row_view::of(row_with("lease-B", false)), "lease-A", false),
              release_verdict::stolen);
    EXPECT_EQ(judge_release(row_view::of(row_with("lease-B", true)), "lease-A", false),
              release_verdict::stolen);
    EXPECT_EQ(judge_release(row_view::of(row_with("lease-B", false)), "lease-A", true),
              release_verdict::stolen);
    EXPECT_EQ(judge_release(row_view::of(row_with("lease-B", true)), "lease-A", true),
              release_verdict::stolen);
}

TEST(lock_release_verdict, absent_row_depends_on_whether_we_deleted) {
    EXPECT_EQ(judge_release(row_view::absent(), "lease-A", true), release_verdict::released);
    EXPECT_EQ(judge_release(row_view::absent(), "lease-A", false), release_verdict::stolen);
}

} // namespace
