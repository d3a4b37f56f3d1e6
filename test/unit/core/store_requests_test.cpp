// SPDX-License-Identifier: BSL-1.0
// The requests the store sends, built without a server: expressions, conditions, keys, validation
// (nothing is built from bad input), listings with page tokens, and table creation. Every built request
// must also pass the client's own validation of DynamoDB's rules.
#include <dynalock/operations.hpp>

#include "core/operations.hpp"
#include "core/store_page_token.hpp"
#include "core/store_requests.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <string>

namespace {

using namespace dynalock;
using namespace dynalock::core;
using namespace std::chrono_literals;
using std::chrono::system_clock;

attribute_value S(std::string s) {
    return attribute_value::string(std::move(s));
}
attribute_value N(const char* n) {
    return attribute_value::number(n);
}

bool has(const std::string& message, std::string_view part) {
    return message.find(part) != std::string::npos;
}

// 2023-11-14T22:13:20.250Z
const system_clock::time_point now_tp{std::chrono::milliseconds(1'700'000'000'250)};
constexpr std::int64_t now_s = 1'700'000'000;

class store_requests : public ::testing::Test {
protected:
    std::string table = "locks";
    std::string partition = "agent";
    store_options options;
    store_target target() const { return {table, partition, options}; }

    update_item_request write(std::string key, write_options o, write_kind kind = write_kind::put) {
        update_item_request req;
        std::string message;
        auto ec = build_write(target(), std::move(key), std::move(o), kind, now_tp, req, message);
        EXPECT_FALSE(ec) << ec.message() << ": " << message;
        std::string why;
        EXPECT_FALSE(validate(req, why)) << why;
        return req;
    }
    error_code write_error(std::string key, write_options o, write_kind kind = write_kind::put,
                           std::string* message_out = nullptr) {
        update_item_request req;
        std::string message;
        auto ec = build_write(target(), std::move(key), std::move(o), kind, now_tp, req, message);
        EXPECT_TRUE(ec);
        EXPECT_FALSE(message.empty());
        EXPECT_TRUE(req.table_name.empty()) << "nothing is built from bad input";
        if (message_out != nullptr)
            *message_out = message;
        return ec;
    }
    listing list(list_options o) {
        listing l;
        std::string message;
        auto ec = build_listing(target(), o, now_s, l, message);
        EXPECT_FALSE(ec) << message;
        std::string why;
        EXPECT_FALSE(validate(l.query, why)) << why;
        return l;
    }
};

expression_names names(std::initializer_list<std::pair<std::string, std::string>> n) {
    return expression_names(n);
}

// ---- put ----------------------------------------------------------------------------------------

TEST_F(store_requests, put_with_bytes_and_ttl_sets_payload_and_expiry) {
    // The Go library's Test_buildUpdateItemInput, with our rounding: 250 ms + 2 s -> second 1700000003.
    auto req = write("jobs/1", write_options().with_bytes("hello").with_ttl(2s));
    EXPECT_EQ(req.table_name, "locks");
    EXPECT_EQ(req.key, (attribute_map{{"id", S("agent")}, {"name", S("jobs/1")}}));
    EXPECT_EQ(req.update_expression, "SET #p = :p, #e = :e ADD #v :one");
    EXPECT_EQ(req.expression_attribute_names,
              names({{"#v", "version"}, {"#p", "payload"}, {"#e", "expires"}}));
    EXPECT_EQ(req.expression_attribute_values,
              (attribute_map{{":one", N("1")}, {":p", S("aGVsbG8=")}, {":e", N("1700000003")}}));
    EXPECT_FALSE(req.condition_expression.has_value());
    EXPECT_EQ(req.return_values, return_value::all_new);
}

TEST_F(store_requests, put_without_value_or_ttl_removes_both) {
    // The Go library kept a stale payload and expiry here (and defaulted to a 20 s TTL).
    auto req = write("k", write_options());
    EXPECT_EQ(req.update_expression, "REMOVE #p, #e ADD #v :one");
    EXPECT_EQ(req.expression_attribute_names,
              names({{"#v", "version"}, {"#p", "payload"}, {"#e", "expires"}}));
    EXPECT_EQ(req.expression_attribute_values, (attribute_map{{":one", N("1")}}));
}

TEST_F(store_requests, put_keeping_expiry_leaves_it_alone) {
    auto req = write("k", write_options().with_value(N("5")).with_keep_expiry());
    EXPECT_EQ(req.update_expression, "SET #p = :p ADD #v :one");
    EXPECT_EQ(req.expression_attribute_names, names({{"#v", "version"}, {"#p", "payload"}}));
}

TEST_F(store_requests, ttl_rounds_up_to_whole_seconds) {
    // 250 ms past the second: +500 ms ends at .750 -> next second; +1750 ms ends exactly on a second.
    auto a = write("k", write_options().with_ttl(500ms));
    EXPECT_EQ(*a.expression_attribute_values.get(":e"), N("1700000001"));
    auto b = write("k", write_options().with_ttl(1750ms));
    EXPECT_EQ(*b.expression_attribute_values.get(":e"), N("1700000002"));
    auto c = write("k", write_options().with_ttl(std::chrono::hours(24)));
    EXPECT_EQ(*c.expression_attribute_values.get(":e"), N("1700086401"));
}

TEST_F(store_requests, value_can_be_any_attribute_value) {
    auto m = attribute_value::map({{"owner", S("w1")}, {"n", N("3")}});
    auto req = write("k", write_options().with_value(m));
    EXPECT_EQ(*req.expression_attribute_values.get(":p"), m);
}

TEST_F(store_requests, binary_encoding_stores_bytes_as_b) {
    options.bytes_encoding = bytes_encoding::binary;
    auto req = write("k", write_options().with_bytes(std::string("\x00\x01", 2)));
    EXPECT_EQ(*req.expression_attribute_values.get(":p"),
              attribute_value::binary(std::string("\x00\x01", 2)));
}

TEST_F(store_requests, extra_attributes_are_set_with_their_own_placeholders) {
    auto req = write("k", write_options()
                              .with_bytes("x")
                              .with_attribute("created", S("20200103T1100Z"))
                              .with_attribute("score", N("12"))
                              .with_attribute("tags", attribute_value::string_set({"a", "b"})));
    EXPECT_EQ(req.update_expression, "SET #p = :p, #x0 = :x0, #x1 = :x1, #x2 = :x2 REMOVE #e ADD #v :one");
    EXPECT_EQ(req.expression_attribute_names, names({{"#v", "version"},
                                                     {"#p", "payload"},
                                                     {"#x0", "created"},
                                                     {"#x1", "score"},
                                                     {"#x2", "tags"},
                                                     {"#e", "expires"}}));
    EXPECT_EQ(*req.expression_attribute_values.get(":x1"), N("12"));
}

TEST_F(store_requests, custom_schema_names_are_used) {
    options.schema = {"pk", "sk", "rev", "ttl", "data"};
    auto req = write("k", write_options().with_bytes("x").with_ttl(1s));
    EXPECT_EQ(req.key, (attribute_map{{"pk", S("agent")}, {"sk", S("k")}}));
    EXPECT_EQ(req.expression_attribute_names, names({{"#v", "rev"}, {"#p", "data"}, {"#e", "ttl"}}));
}

// ---- atomic put ---------------------------------------------------------------------------------

TEST_F(store_requests, atomic_put_without_previous_creates_if_absent_or_expired) {
    auto req = write("k", write_options().with_bytes("x"), write_kind::atomic_put);
    // The Go dynastore condition could never take over an expired row; dynalock's had a dead second.
    EXPECT_EQ(req.condition_expression, "attribute_not_exists(#k) OR #e <= :now");
    EXPECT_EQ(*req.expression_attribute_values.get(":now"), N("1700000000"));
    EXPECT_EQ(req.expression_attribute_names,
              names({{"#v", "version"}, {"#p", "payload"}, {"#e", "expires"}, {"#k", "id"}}));
    EXPECT_EQ(req.return_values, return_value::all_new);
}

TEST_F(store_requests, atomic_put_with_previous_swaps_a_live_version) {
    auto req = write("k", write_options().with_bytes("x").if_version(41), write_kind::atomic_put);
    EXPECT_EQ(req.condition_expression, "#v = :v AND (attribute_not_exists(#e) OR NOT (#e <= :now))");
    EXPECT_EQ(*req.expression_attribute_values.get(":v"), N("41"));
    EXPECT_EQ(*req.expression_attribute_values.get(":now"), N("1700000000"));
}

TEST_F(store_requests, atomic_put_keeping_expiry_still_names_it_for_the_condition) {
    kv_pair previous;
    previous.version = 3;
    auto req = write("k", write_options().if_version(previous).with_keep_expiry(), write_kind::atomic_put);
    EXPECT_EQ(req.update_expression, "REMOVE #p ADD #v :one");
    EXPECT_EQ(*req.expression_attribute_values.get(":v"), N("3"));
    EXPECT_EQ(req.expression_attribute_names,
              names({{"#v", "version"}, {"#p", "payload"}, {"#e", "expires"}}));
}

// ---- write validation ---------------------------------------------------------------------------

TEST_F(store_requests, bad_keys_are_rejected) {
    EXPECT_EQ(write_error("", write_options()), errc::empty_key);
    EXPECT_EQ(write_error(std::string(1025, 'k'), write_options()), errc::key_too_large);
    EXPECT_EQ(write_error("bad\xff", write_options()), errc::invalid_utf8);
    write(std::string(1024, 'k'), write_options()); // the limit itself is fine
}

TEST_F(store_requests, bytes_and_value_together_are_rejected) {
    EXPECT_EQ(write_error("k", write_options().with_bytes("a").with_value(S("b"))), errc::invalid_argument);
}

TEST_F(store_requests, non_positive_ttl_is_rejected) {
    std::string message;
    EXPECT_EQ(write_error("k", write_options().with_ttl(-1s), write_kind::put, &message),
              errc::invalid_argument);
    EXPECT_TRUE(has(message, "ttl")) << message;
    EXPECT_EQ(write_error("k", write_options().with_ttl(0ms)), errc::invalid_argument);
    EXPECT_EQ(write_error("k", write_options().with_ttl(std::chrono::milliseconds::max())),
              errc::invalid_argument);
}

TEST_F(store_requests, previous_version_on_put_or_below_one_is_rejected) {
    std::string message;
    EXPECT_EQ(write_error("k", write_options().if_version(3), write_kind::put, &message),
              errc::invalid_argument);
    EXPECT_TRUE(has(message, "atomic_put")) << message;
    EXPECT_EQ(write_error("k", write_options().if_version(0), write_kind::atomic_put),
              errc::invalid_argument);
    EXPECT_EQ(write_error("k", write_options().if_version(-4), write_kind::atomic_put),
              errc::invalid_argument);
}

TEST_F(store_requests, extra_attribute_named_like_the_schema_is_rejected) {
    for (const char* reserved : {"id", "name", "version", "expires", "payload"}) {
        std::string message;
        EXPECT_EQ(
            write_error("k", write_options().with_attribute(reserved, S("x")), write_kind::put, &message),
            errc::invalid_argument)
            << reserved;
        EXPECT_TRUE(has(message, reserved)) << message;
    }
}

TEST_F(store_requests, invalid_values_are_rejected) {
    EXPECT_EQ(write_error("k", write_options().with_value(attribute_value::string_set({}))),
              errc::invalid_attribute_value);
    EXPECT_EQ(write_error("k", write_options().with_value(S("bad\xc3"))), errc::invalid_utf8);
    std::string message;
    EXPECT_EQ(write_error("k", write_options().with_attribute("n", N("1.2.3")), write_kind::put, &message),
              errc::invalid_attribute_value);
    EXPECT_TRUE(has(message, "attributes.n")) << message;
    EXPECT_EQ(write_error("k", write_options().with_attribute("", S("x"))), errc::invalid_argument);
}

TEST_F(store_requests, item_over_400_kb_is_rejected) {
    // 300 KiB of bytes become 400 KiB of base64 text: over the limit with the key and version.
    std::string message;
    EXPECT_EQ(
        write_error("k", write_options().with_bytes(std::string(300 * 1024, 'x')), write_kind::put, &message),
        errc::item_too_large);
    EXPECT_TRUE(has(message, "409600")) << message;
    // The same bytes stored raw fit.
    options.bytes_encoding = bytes_encoding::binary;
    write("k", write_options().with_bytes(std::string(300 * 1024, 'x')));
    // Extra attributes count too.
    EXPECT_EQ(write_error("k", write_options().with_attribute("big", S(std::string(410 * 1024, 'x')))),
              errc::item_too_large);
}

// ---- get, remove, atomic delete -----------------------------------------------------------------

TEST_F(store_requests, get_reads_the_key_consistently_by_default) {
    get_item_request req;
    std::string message;
    ASSERT_FALSE(build_get(target(), "k", true, get_projection::whole_item, req, message));
    EXPECT_EQ(req.key, (attribute_map{{"id", S("agent")}, {"name", S("k")}}));
    EXPECT_EQ(req.consistent_read, true);
    EXPECT_FALSE(req.projection_expression.has_value());
    EXPECT_TRUE(req.expression_attribute_names.empty());
    EXPECT_EQ(build_get(target(), "", true, get_projection::whole_item, req, message), errc::empty_key);
}

TEST_F(store_requests, exists_reads_only_keys_version_and_expiry) {
    get_item_request req;
    std::string message;
    ASSERT_FALSE(build_get(target(), "k", false, get_projection::keys_version_expiry, req, message));
    EXPECT_EQ(req.consistent_read, false);
    EXPECT_EQ(req.projection_expression, "#k, #s, #v, #e");
    EXPECT_EQ(req.expression_attribute_names,
              names({{"#k", "id"}, {"#s", "name"}, {"#v", "version"}, {"#e", "expires"}}));
    std::string why;
    EXPECT_FALSE(validate(req, why)) << why;
}

TEST_F(store_requests, remove_is_an_unconditional_delete) {
    delete_item_request req;
    std::string message;
    ASSERT_FALSE(build_remove(target(), "k", req, message));
    EXPECT_EQ(req.key, (attribute_map{{"id", S("agent")}, {"name", S("k")}}));
    EXPECT_FALSE(req.condition_expression.has_value());
    EXPECT_EQ(build_remove(target(), std::string(2000, 'k'), req, message), errc::key_too_large);
}

TEST_F(store_requests, atomic_delete_is_one_conditional_delete) {
    delete_item_request req;
    std::string message;
    ASSERT_FALSE(build_atomic_delete(target(), "k", 5, now_s, req, message));
    EXPECT_EQ(req.condition_expression, "#v = :v AND (attribute_not_exists(#e) OR NOT (#e <= :now))");
    EXPECT_EQ(req.expression_attribute_values, (attribute_map{{":v", N("5")}, {":now", N("1700000000")}}));
    std::string why;
    EXPECT_FALSE(validate(req, why)) << why;
}

TEST_F(store_requests, atomic_delete_without_previous_version_is_an_error_not_a_crash) {
    // The Go AtomicDelete(key, nil) dereferenced the nil pair.
    delete_item_request req;
    std::string message;
    EXPECT_EQ(build_atomic_delete(target(), "k", std::nullopt, now_s, req, message), errc::invalid_argument);
    EXPECT_TRUE(has(message, "previous version")) << message;
    EXPECT_EQ(build_atomic_delete(target(), "k", 0, now_s, req, message), errc::invalid_argument);
    EXPECT_TRUE(req.table_name.empty());
}

TEST_F(store_requests, failed_version_condition_is_explained) {
    std::string message;
    EXPECT_EQ(classify_version_failure(std::nullopt, options.schema, now_s, 3, message), errc::key_not_found);
    attribute_map expired{
        {"id", S("agent")}, {"name", S("k")}, {"version", N("3")}, {"expires", N("1700000000")}};
    EXPECT_EQ(classify_version_failure(expired, options.schema, now_s, 3, message), errc::key_not_found);
    attribute_map live{
        {"id", S("agent")}, {"name", S("k")}, {"version", N("7")}, {"expires", N("1700000001")}};
    EXPECT_EQ(classify_version_failure(live, options.schema, now_s, 3, message), errc::version_mismatch);
    EXPECT_TRUE(has(message, "version 7")) << message;
    EXPECT_TRUE(has(message, "not version 3")) << message;
}

// ---- listings -----------------------------------------------------------------------------------

TEST_F(store_requests, listing_queries_the_partition_and_filters_expired_items) {
    auto l = list(list_options().with_prefix("jobs/"));
    const auto& q = l.query;
    EXPECT_EQ(q.table_name, "locks");
    EXPECT_FALSE(q.index_name.has_value());
    EXPECT_EQ(q.key_condition_expression, "#k = :k AND begins_with(#s, :prefix)");
    EXPECT_EQ(q.filter_expression, "attribute_not_exists(#e) OR NOT (#e <= :now)");
    EXPECT_EQ(q.expression_attribute_names, names({{"#k", "id"}, {"#s", "name"}, {"#e", "expires"}}));
    EXPECT_EQ(q.expression_attribute_values,
              (attribute_map{{":k", S("agent")}, {":prefix", S("jobs/")}, {":now", N("1700000000")}}));
    EXPECT_EQ(q.consistent_read, true);
    EXPECT_EQ(q.scan_index_forward, true);
    EXPECT_FALSE(q.limit.has_value());
    EXPECT_FALSE(q.exclusive_start_key.has_value());
}

TEST_F(store_requests, listing_without_prefix_reads_the_whole_partition) {
    auto l = list(list_options().with_descending().with_consistent_read(false));
    EXPECT_EQ(l.query.key_condition_expression, "#k = :k");
    EXPECT_EQ(l.query.expression_attribute_names, names({{"#k", "id"}, {"#e", "expires"}}));
    EXPECT_EQ(l.query.scan_index_forward, false);
    EXPECT_EQ(l.query.consistent_read, false);
}

TEST_F(store_requests, local_index_listing_applies_the_prefix_to_its_sort_key) {
    auto l =
        list(list_options().with_prefix("2020").with_index(secondary_index::local("idx_created", "created")));
    EXPECT_EQ(l.query.index_name, "idx_created");
    EXPECT_EQ(l.query.expression_attribute_names,
              names({{"#k", "id"}, {"#s", "created"}, {"#e", "expires"}}));
    EXPECT_EQ(l.query.consistent_read, true);
}

TEST_F(store_requests, global_index_listing_reads_its_partition_eventually) {
    auto l = list(list_options().with_prefix("2020").with_index(
        secondary_index::global("idx_global_1", "pk1", "sk1", "wolfeidau")));
    EXPECT_EQ(l.query.index_name, "idx_global_1");
    EXPECT_EQ(l.query.expression_attribute_names, names({{"#k", "pk1"}, {"#s", "sk1"}, {"#e", "expires"}}));
    EXPECT_EQ(*l.query.expression_attribute_values.get(":k"), S("wolfeidau"));
    EXPECT_EQ(l.query.consistent_read, false); // DynamoDB refuses consistent reads of a GSI
    // Without a partition value: the store's.
    auto own = list(list_options().with_index(secondary_index::global("gsi", "pk1", "")));
    EXPECT_EQ(*own.query.expression_attribute_values.get(":k"), S("agent"));
}

TEST_F(store_requests, page_token_round_trips_into_the_start_key) {
    auto first = list(list_options().with_prefix("jobs/"));
    attribute_map last{{"id", S("agent")}, {"name", S("jobs/17")}};
    auto token = encode_page_token(last, first.binding);
    auto next = list(list_options().with_prefix("jobs/").with_page_token(token).with_limit(3));
    ASSERT_TRUE(next.query.exclusive_start_key.has_value());
    EXPECT_EQ(*next.query.exclusive_start_key, last);
}

TEST_F(store_requests, page_token_of_another_listing_is_rejected) {
    auto first = list(list_options().with_prefix("jobs/"));
    auto token = encode_page_token(attribute_map{{"id", S("agent")}, {"name", S("jobs/17")}}, first.binding);
    for (auto other :
         {list_options().with_prefix("jobs/x"), list_options().with_prefix("jobs/").with_descending(),
          list_options().with_prefix("jobs/").with_index(secondary_index::local("idx", "created"))}) {
        listing l;
        std::string message;
        EXPECT_EQ(build_listing(target(), other.with_page_token(token), now_s, l, message),
                  errc::invalid_argument);
        EXPECT_TRUE(has(message, "page_token")) << message;
    }
    // Another partition of the same table.
    std::string other_partition = "other";
    listing l;
    std::string message;
    EXPECT_EQ(build_listing({table, other_partition, options},
                            list_options().with_prefix("jobs/").with_page_token(token), now_s, l, message),
              errc::invalid_argument);
}

TEST_F(store_requests, page_token_outside_the_partition_is_rejected) {
    // A token minted with the right binding but a start key in another partition.
    auto first = list(list_options());
    auto token = encode_page_token(attribute_map{{"id", S("someone-else")}, {"name", S("k")}}, first.binding);
    listing l;
    std::string message;
    EXPECT_EQ(build_listing(target(), list_options().with_page_token(token), now_s, l, message),
              errc::invalid_argument);
    EXPECT_TRUE(has(message, "outside the partition")) << message;
}

TEST_F(store_requests, bad_listing_input_is_rejected) {
    listing l;
    std::string message;
    EXPECT_EQ(build_listing(target(), list_options().with_prefix("bad\xff"), now_s, l, message),
              errc::invalid_utf8);
    EXPECT_EQ(build_listing(target(), list_options().with_prefix(std::string(1025, 'p')), now_s, l, message),
              errc::key_too_large);
    EXPECT_EQ(build_listing(target(), list_options().with_page_token("not a token"), now_s, l, message),
              errc::invalid_argument);
    EXPECT_EQ(build_listing(target(), list_options().with_index(secondary_index::local("", "created")), now_s,
                            l, message),
              errc::invalid_argument);
    EXPECT_EQ(build_listing(target(), list_options().with_index(secondary_index::local("ix", "created")),
                            now_s, l, message),
              errc::invalid_argument);
    EXPECT_TRUE(has(message, "list_options.index.name")) << message;
    auto local_with_value = secondary_index::local("idx", "created");
    local_with_value.partition_value = "x";
    EXPECT_EQ(build_listing(target(), list_options().with_index(local_with_value), now_s, l, message),
              errc::invalid_argument);
}

// ---- configuration and tables -------------------------------------------------------------------

TEST_F(store_requests, store_configuration_is_validated) {
    std::string message;
    EXPECT_FALSE(validate_store_config("agent", store_schema{}, message));
    EXPECT_EQ(validate_store_config("", store_schema{}, message), errc::empty_key);
    EXPECT_EQ(validate_store_config(std::string(2049, 'p'), store_schema{}, message), errc::key_too_large);
    EXPECT_FALSE(validate_store_config(std::string(2048, 'p'), store_schema{}, message));
    EXPECT_EQ(validate_store_config("\xc3", store_schema{}, message), errc::invalid_utf8);
    store_schema same{"id", "id", "version", "expires", "payload"};
    EXPECT_EQ(validate_store_config("p", same, message), errc::invalid_argument);
    EXPECT_TRUE(has(message, "schema.sort_key")) << message;
    store_schema empty{"id", "name", "", "expires", "payload"};
    EXPECT_EQ(validate_store_config("p", empty, message), errc::invalid_argument);
}

TEST_F(store_requests, default_table_is_on_demand_with_string_keys) {
    create_table_request req;
    std::string message;
    ASSERT_FALSE(build_create_table(target(), table_options(), req, message)) << message;
    EXPECT_EQ(req.table_name, "locks");
    ASSERT_EQ(req.key_schema.size(), 2u);
    EXPECT_EQ(req.key_schema[0].attribute_name, "id");
    EXPECT_EQ(req.key_schema[0].key_type, key_type::hash);
    EXPECT_EQ(req.key_schema[1].attribute_name, "name");
    EXPECT_EQ(req.key_schema[1].key_type, key_type::range);
    ASSERT_EQ(req.attribute_definitions.size(), 2u);
    EXPECT_EQ(req.attribute_definitions[1].attribute_type, scalar_attribute_type::string);
    EXPECT_EQ(req.billing_mode, billing_mode::pay_per_request);
    EXPECT_FALSE(req.provisioned_throughput.has_value());
    std::string why;
    EXPECT_FALSE(validate(req, why)) << why;
}

TEST_F(store_requests, provisioned_table_with_indexes_defines_their_keys) {
    auto o = table_options()
                 .with_provisioned_throughput(3, 2)
                 .with_local_index("idx_created", "created")
                 .with_global_index("idx_global_1", "pk1", "sk1");
    o.attribute_definitions = {{"sk1", scalar_attribute_type::number}};
    create_table_request req;
    std::string message;
    ASSERT_FALSE(build_create_table(target(), o, req, message)) << message;
    EXPECT_EQ(req.billing_mode, billing_mode::provisioned);
    ASSERT_TRUE(req.provisioned_throughput.has_value());
    EXPECT_EQ(req.provisioned_throughput->read_capacity_units, 3);
    ASSERT_EQ(req.local_secondary_indexes.size(), 1u);
    EXPECT_EQ(req.local_secondary_indexes[0].key_schema[0].attribute_name, "id");
    ASSERT_EQ(req.global_secondary_indexes.size(), 1u);
    ASSERT_TRUE(req.global_secondary_indexes[0].provisioned_throughput.has_value());
    EXPECT_EQ(req.global_secondary_indexes[0].provisioned_throughput->write_capacity_units, 2);
    ASSERT_EQ(req.attribute_definitions.size(), 5u);
    EXPECT_EQ(req.attribute_definitions[2].attribute_name, "created");
    EXPECT_EQ(req.attribute_definitions[2].attribute_type, scalar_attribute_type::string);
    EXPECT_EQ(req.attribute_definitions[4].attribute_name, "sk1");
    EXPECT_EQ(req.attribute_definitions[4].attribute_type, scalar_attribute_type::number);
    std::string why;
    EXPECT_FALSE(validate(req, why)) << why;
}

TEST_F(store_requests, zero_capacity_is_rejected) {
    create_table_request req;
    std::string message;
    EXPECT_EQ(build_create_table(target(), table_options().with_provisioned_throughput(0, 1), req, message),
              errc::invalid_argument);
}

TEST_F(store_requests, existing_table_key_schema_is_checked) {
    table_description t;
    t.table_name = "locks";
    t.key_schema = {{"id", key_type::hash}, {"name", key_type::range}};
    std::string message;
    EXPECT_FALSE(check_key_schema(t, options.schema, message));
    t.key_schema = {{"pk", key_type::hash}};
    EXPECT_EQ(check_key_schema(t, options.schema, message), errc::invalid_argument);
    EXPECT_TRUE(has(message, "(pk HASH)")) << message;
    EXPECT_TRUE(has(message, "(id HASH, name RANGE)")) << message;
}

} // namespace
