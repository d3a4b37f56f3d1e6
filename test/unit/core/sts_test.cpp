// SPDX-License-Identifier: BSL-1.0
// STS, sans-io: the form bodies, the field checks, the endpoint, the XML reader and the reading of replies
// (success, every missing field, error replies and which of them may pass on a retry, hostile input).
#include <dynalock/error.hpp>

#include "core/credentials/sts.hpp"
#include "core/credentials/sts_xml.hpp"
#include "support/fake_env.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <random>
#include <string>

namespace {

using namespace dynalock;
using namespace dynalock::core;

using dynalock::test::fake_env;

constexpr std::string_view role = "arn:aws:iam::123456789012:role/demo";

std::string success_xml(std::string_view action, std::string_view credentials_inner) {
    return "<" + std::string(action) + "Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">\n  <" +
           std::string(action) + "Result>\n    <AssumedRoleUser><Arn>" + std::string(role) +
           "/s</Arn></AssumedRoleUser>\n    <Credentials>" + std::string(credentials_inner) +
           "</Credentials>\n  </" + std::string(action) +
           "Result>\n  <ResponseMetadata><RequestId>r</RequestId>" + "</ResponseMetadata>\n</" +
           std::string(action) + "Response>\n";
}

constexpr std::string_view full_credentials =
    "<AccessKeyId>ASIAEXAMPLE</AccessKeyId><SecretAccessKey>s3cr3t/+=</SecretAccessKey>"
    "<SessionToken>T0KEN&amp;more</SessionToken><Expiration>2030-01-02T03:04:05Z</Expiration>";

std::string error_xml(std::string_view code, std::string_view message) {
    return "<ErrorResponse "
           "xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error><Type>Sender</Type><Code>" +
           std::string(code) + "</Code><Message>" + std::string(message) +
           "</Message></Error><RequestId>r</RequestId></ErrorResponse>";
}

// ---- form bodies ----

TEST(sts_form, encodes_like_pythons_urlencode) {
    EXPECT_EQ(sts::form_encode("aZ09-_.~"), "aZ09-_.~");
    EXPECT_EQ(sts::form_encode("a b"), "a+b");
    EXPECT_EQ(sts::form_encode("arn:aws:iam::1:role/x+y=z,w@v"),
              "arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fx%2By%3Dz%2Cw%40v");
    EXPECT_EQ(sts::form_encode("\xC3\xA9&%"), "%C3%A9%26%25");
}

TEST(sts_form, web_identity_body_has_every_field_in_order) {
    std::string message;
    auto body = sts::web_identity_body(
        {std::string(role), "my-session", "eyJ.a+b/c=", std::chrono::seconds(3600)}, message);
    ASSERT_TRUE(body) << message;
    EXPECT_EQ(*body,
              "Action=AssumeRoleWithWebIdentity&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012"
              "%3Arole%2Fdemo&RoleSessionName=my-session&WebIdentityToken=eyJ.a%2Bb%2Fc%3D&"
              "DurationSeconds=3600");
}

TEST(sts_form, assume_role_body_with_and_without_optional_fields) {
    std::string message;
    auto minimal = sts::assume_role_body({std::string(role), "s1", "", std::nullopt}, message);
    ASSERT_TRUE(minimal) << message;
    EXPECT_EQ(*minimal,
              "Action=AssumeRole&Version=2011-06-15&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2F"
              "demo&RoleSessionName=s1");
    auto full =
        sts::assume_role_body({std::string(role), "s1", "ext:id/1", std::chrono::seconds(900)}, message);
    ASSERT_TRUE(full) << message;
    EXPECT_NE(full->find("&ExternalId=ext%3Aid%2F1&DurationSeconds=900"), std::string::npos) << *full;
}

TEST(sts_form, refuses_bad_fields_with_clear_messages) {
    std::string message;
    auto bad_arn = sts::assume_role_body({"role/demo", "s1", "", std::nullopt}, message);
    EXPECT_EQ(bad_arn.error(), errc::invalid_argument);
    EXPECT_NE(message.find("'role/demo' is not an ARN"), std::string::npos) << message;

    auto bad_session = sts::assume_role_body({std::string(role), "has space", "", std::nullopt}, message);
    EXPECT_EQ(bad_session.error(), errc::invalid_argument);
    EXPECT_NE(message.find("role session name 'has space'"), std::string::npos) << message;

    auto short_session = sts::assume_role_body({std::string(role), "x", "", std::nullopt}, message);
    EXPECT_EQ(short_session.error(), errc::invalid_argument);
    EXPECT_NE(message.find("2 to 64"), std::string::npos) << message;

    auto bad_duration =
        sts::assume_role_body({std::string(role), "s1", "", std::chrono::seconds(60)}, message);
    EXPECT_EQ(bad_duration.error(), errc::invalid_argument);
    EXPECT_NE(message.find("900 s"), std::string::npos) << message;

    auto bad_external =
        sts::assume_role_body({std::string(role), "s1", "secret external id!", std::nullopt}, message);
    EXPECT_EQ(bad_external.error(), errc::invalid_argument);
    EXPECT_EQ(message.find("secret external id"), std::string::npos) << message;

    auto no_token = sts::web_identity_body({std::string(role), "s1", "", std::nullopt}, message);
    EXPECT_EQ(no_token.error(), errc::invalid_argument);
}

TEST(sts_form, session_name_rules) {
    std::string message;
    EXPECT_FALSE(sts::validate_session_name("ab", message));
    EXPECT_FALSE(sts::validate_session_name("a_b+c=d,e.f@g-h", message));
    EXPECT_FALSE(sts::validate_session_name(std::string(64, 'a'), message));
    EXPECT_TRUE(sts::validate_session_name(std::string(65, 'a'), message));
    EXPECT_TRUE(sts::validate_session_name("a/b", message));
    EXPECT_TRUE(sts::validate_session_name("a\nb", message));
    EXPECT_EQ(message.find('\n'), std::string::npos) << "control characters are not echoed";
}

TEST(sts_form, default_session_name_carries_the_epoch_seconds) {
    std::chrono::system_clock::time_point t{std::chrono::seconds(1700000000)};
    EXPECT_EQ(sts::default_session_name(t), "dynalock-session-1700000000");
    std::string message;
    EXPECT_FALSE(sts::validate_session_name(sts::default_session_name(t), message));
}

// ---- endpoint ----

TEST(sts_endpoint, regional_by_default) {
    std::string message;
    fake_env env;
    auto ep = sts::resolve_sts_endpoint("", "eu-west-1", env.lookup(), shared_config{}, message);
    ASSERT_TRUE(ep) << message;
    EXPECT_EQ(ep->host, "sts.eu-west-1.amazonaws.com");
    EXPECT_EQ(ep->signing_region, "eu-west-1");
    auto cn = sts::resolve_sts_endpoint("", "cn-north-1", env.lookup(), shared_config{}, message);
    ASSERT_TRUE(cn) << message;
    EXPECT_EQ(cn->host, "sts.cn-north-1.amazonaws.com.cn");
}

TEST(sts_endpoint, no_region_is_the_global_endpoint_signed_for_us_east_1) {
    std::string message;
    fake_env env;
    auto ep = sts::resolve_sts_endpoint("", "", env.lookup(), shared_config{}, message);
    ASSERT_TRUE(ep) << message;
    EXPECT_EQ(ep->scheme, "https");
    EXPECT_EQ(ep->host, "sts.amazonaws.com");
    EXPECT_EQ(ep->signing_region, "us-east-1");
}

TEST(sts_endpoint, honours_aws_endpoint_url_sts_with_or_without_a_region) {
    std::string message;
    fake_env env{
        {{"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:4566"}, {"AWS_ENDPOINT_URL", "http://127.0.0.1:1"}}};
    auto ep = sts::resolve_sts_endpoint("", "", env.lookup(), shared_config{}, message);
    ASSERT_TRUE(ep) << message;
    EXPECT_EQ(ep->port, 4566);
    EXPECT_EQ(ep->signing_region, "us-east-1");
    auto regional = sts::resolve_sts_endpoint("", "ap-south-1", env.lookup(), shared_config{}, message);
    ASSERT_TRUE(regional) << message;
    EXPECT_EQ(regional->port, 4566);
    EXPECT_EQ(regional->signing_region, "ap-south-1");
}

TEST(sts_endpoint, explicit_url_wins_and_bad_urls_are_errors) {
    std::string message;
    fake_env env{{{"AWS_ENDPOINT_URL_STS", "http://127.0.0.1:4566"}}};
    auto ep = sts::resolve_sts_endpoint("http://localhost:9", "", env.lookup(), shared_config{}, message);
    ASSERT_TRUE(ep) << message;
    EXPECT_EQ(ep->port, 9);
    auto insecure =
        sts::resolve_sts_endpoint("http://sts.example.com", "", env.lookup(), shared_config{}, message);
    EXPECT_EQ(insecure.error(), errc::insecure_endpoint);
    EXPECT_NE(message.find("STS endpoint"), std::string::npos) << message;
}

// ---- replies ----

TEST(sts_reply, reads_the_credentials) {
    for (std::string_view action : {"AssumeRole", "AssumeRoleWithWebIdentity"}) {
        auto out = sts::interpret_reply(action, 200, success_xml(action, full_credentials));
        ASSERT_FALSE(out.ec) << out.message;
        EXPECT_EQ(out.creds.access_key_id, "ASIAEXAMPLE");
        EXPECT_EQ(out.creds.secret_access_key, "s3cr3t/+=");
        EXPECT_EQ(out.creds.session_token, "T0KEN&more");
        ASSERT_TRUE(out.creds.expiration);
        EXPECT_EQ(std::chrono::duration_cast<std::chrono::seconds>(out.creds.expiration->time_since_epoch())
                      .count(),
                  1893553445);
    }
}

TEST(sts_reply, tolerates_prefixes_prolog_comments_cdata_and_whitespace) {
    std::string xml =
        "\xEF\xBB\xBF<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- hi -->\n"
        "<sts:AssumeRoleResponse xmlns:sts='x'><sts:AssumeRoleResult><Credentials>\n"
        "<AccessKeyId> AK </AccessKeyId><SecretAccessKey><![CDATA[a<b]]></SecretAccessKey>"
        "<SessionToken>t&#x41;&#66;</SessionToken><Unknown/><Expiration>2030-01-02T03:04:05.123Z"
        "</Expiration></Credentials></sts:AssumeRoleResult></sts:AssumeRoleResponse>\n";
    auto out = sts::interpret_reply("AssumeRole", 200, xml);
    ASSERT_FALSE(out.ec) << out.message;
    EXPECT_EQ(out.creds.access_key_id, "AK");
    EXPECT_EQ(out.creds.secret_access_key, "a<b");
    EXPECT_EQ(out.creds.session_token, "tAB");
}

TEST(sts_reply, a_missing_field_is_malformed_and_named) {
    for (std::string_view field : {"AccessKeyId", "SecretAccessKey", "SessionToken", "Expiration"}) {
        std::string inner(full_credentials);
        auto open = inner.find("<" + std::string(field) + ">");
        auto close = inner.find("</" + std::string(field) + ">");
        inner.erase(open, close + field.size() + 3 - open);
        auto out = sts::interpret_reply("AssumeRole", 200, success_xml("AssumeRole", inner));
        EXPECT_EQ(out.ec, errc::malformed_response) << field;
        EXPECT_NE(out.message.find(field), std::string::npos) << out.message;
        EXPECT_EQ(out.message.find("s3cr3t"), std::string::npos) << out.message;
        EXPECT_FALSE(out.retryable);
    }
}

TEST(sts_reply, wrong_root_no_credentials_and_bad_expiration_are_malformed) {
    auto wrong =
        sts::interpret_reply("AssumeRole", 200, success_xml("AssumeRoleWithWebIdentity", full_credentials));
    EXPECT_EQ(wrong.ec, errc::malformed_response);
    auto none = sts::interpret_reply("AssumeRole", 200,
                                     "<AssumeRoleResponse><AssumeRoleResult/></AssumeRoleResponse>");
    EXPECT_EQ(none.ec, errc::malformed_response);
    EXPECT_NE(none.message.find("Credentials"), std::string::npos);
    std::string inner(full_credentials);
    inner.replace(inner.find("2030-01-02T03:04:05Z"), 20, "tomorrow");
    auto when = sts::interpret_reply("AssumeRole", 200, success_xml("AssumeRole", inner));
    EXPECT_EQ(when.ec, errc::malformed_response);
    EXPECT_NE(when.message.find("Expiration"), std::string::npos);
}

TEST(sts_reply, refusals_are_credentials_rejected_with_code_and_message) {
    struct row {
        std::string_view code;
        unsigned status;
    };
    for (auto [code, status] : {row{"InvalidIdentityToken", 400}, row{"AccessDenied", 403},
                                row{"ExpiredTokenException", 400}, row{"ExpiredToken", 403},
                                row{"RegionDisabledException", 403}, row{"MalformedPolicyDocument", 400}}) {
        auto out = sts::interpret_reply("AssumeRole", status, error_xml(code, "it says no"));
        EXPECT_EQ(out.ec, errc::credentials_rejected) << code;
        EXPECT_FALSE(out.retryable) << code;
        EXPECT_EQ(out.message, "STS " + std::string(code) + ": it says no");
    }
}

TEST(sts_reply, transient_errors_are_retryable) {
    for (auto [code, status] : {std::pair{"IDPCommunicationError", 400u}, std::pair{"Throttling", 400u},
                                std::pair{"RequestLimitExceeded", 400u}, std::pair{"InternalFailure", 500u},
                                std::pair{"Anything", 503u}}) {
        auto out = sts::interpret_reply("AssumeRoleWithWebIdentity", status, error_xml(code, "later"));
        EXPECT_TRUE(out.retryable) << code;
        EXPECT_EQ(out.ec, errc::unexpected_status) << code;
        EXPECT_NE(out.message.find(std::string("STS ") + code + ": later"), std::string::npos) << out.message;
    }
}

TEST(sts_reply, error_without_an_sts_body) {
    auto gateway = sts::interpret_reply("AssumeRole", 502, "<html>bad gateway</html>");
    EXPECT_TRUE(gateway.retryable);
    EXPECT_NE(gateway.message.find("HTTP 502"), std::string::npos);
    auto forbidden = sts::interpret_reply("AssumeRole", 403, "not xml at all");
    EXPECT_FALSE(forbidden.retryable);
    EXPECT_EQ(forbidden.ec, errc::unexpected_status);
    auto error_with_200 = sts::interpret_reply("AssumeRole", 200, error_xml("AccessDenied", "no"));
    EXPECT_EQ(error_with_200.ec, errc::credentials_rejected);
}

TEST(sts_reply, secrets_echoed_by_sts_are_redacted) {
    std::string_view secrets[] = {"eyJhbGciOiJSUzI1NiJ9.payload.sig"};
    auto out = sts::interpret_reply(
        "AssumeRoleWithWebIdentity", 400,
        error_xml("InvalidIdentityToken", "token eyJhbGciOiJSUzI1NiJ9.payload.sig is bad"), secrets);
    EXPECT_EQ(out.message, "STS InvalidIdentityToken: token *** is bad");
}

TEST(sts_reply, garbage_is_malformed_and_never_quoted) {
    for (std::string_view body : {"",
                                  "garbage SECRETVALUE",
                                  "<AssumeRoleResponse>",
                                  "<a></b>",
                                  "<a><b></a>",
                                  "<a/><b/>",
                                  "text<a/>",
                                  "<a x=1/>",
                                  "<a x='1/>",
                                  "<!DOCTYPE a [<!ENTITY x 'y'>]><a>&x;</a>",
                                  "<a>&bogus;</a>",
                                  "<a>&#0;</a>",
                                  "<a>&#x110000;</a>",
                                  "<a><!-- never closed",
                                  "<a><![CDATA[ never closed",
                                  "<?xml",
                                  "<",
                                  "</",
                                  "<a",
                                  "<a b",
                                  "<a b=",
                                  "<a b=\"",
                                  "<a/"}) {
        auto out = sts::interpret_reply("AssumeRole", 200, body);
        EXPECT_EQ(out.ec, errc::malformed_response) << body;
        EXPECT_EQ(out.message.find("SECRETVALUE"), std::string::npos);
    }
}

// ---- the XML reader ----

TEST(sts_xml, builds_the_tree_and_finds_paths) {
    std::string message;
    auto doc = parse_xml(
        "<r a=\"1\" b='2'><x>1</x><y><z>deep &lt;&gt;&amp;&quot;&apos; &#233;</z></y><x>2</x></r>", message);
    ASSERT_TRUE(doc) << message;
    EXPECT_EQ(doc->name, "r");
    ASSERT_NE(doc->find({"y", "z"}), nullptr);
    EXPECT_EQ(doc->find({"y", "z"})->text, "deep <>&\"' \xC3\xA9");
    EXPECT_EQ(doc->child("x")->text, "1");
    EXPECT_EQ(doc->find({"y", "missing"}), nullptr);
}

TEST(sts_xml, depth_and_element_count_are_bounded) {
    std::string message;
    std::string deep;
    for (int i = 0; i < 100000; ++i)
        deep += "<a>";
    EXPECT_EQ(parse_xml(deep, message).error(), errc::malformed_response);
    EXPECT_NE(message.find("deeply"), std::string::npos) << message;
    std::string wide = "<r>";
    for (int i = 0; i < 10000; ++i)
        wide += "<a/>";
    wide += "</r>";
    EXPECT_EQ(parse_xml(wide, message).error(), errc::malformed_response);
    EXPECT_NE(message.find("too many"), std::string::npos) << message;
}

TEST(sts_xml, random_input_never_crashes_or_hangs) {
    std::mt19937 rng(12345);
    const std::string alphabet = "<>/=\"'&;#x![]?-CDATA ab:\n";
    std::string seed = success_xml("AssumeRole", full_credentials);
    for (int round = 0; round < 20000; ++round) {
        std::string text;
        if (round % 2 == 0) {
            std::size_t n = rng() % 64;
            for (std::size_t i = 0; i < n; ++i)
                text += alphabet[rng() % alphabet.size()];
        } else {
            text = seed;
            for (int k = 0; k < 3; ++k) {
                auto at = rng() % text.size();
                text[at] = alphabet[rng() % alphabet.size()];
            }
            text.resize(rng() % (text.size() + 1));
        }
        std::string message;
        (void)parse_xml(text, message);
        auto out = sts::interpret_reply("AssumeRole", 200, text);
        if (out.ec) {
            EXPECT_EQ(out.message.find("s3cr3t"), std::string::npos) << out.message;
        }
    }
}

} // namespace
