// SPDX-License-Identifier: BSL-1.0
// Container credentials and IMDS, sans-io: the credentials document, the container URI and its host rules,
// the authorization token, the IMDS settings, the requests, and what each reply means.
#include "core/credentials/metadata_credentials.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

using namespace dynalock;
namespace md = dynalock::core::metadata;

using env_map = std::map<std::string, std::string, std::less<>>;

core::env_lookup lookup(const env_map& vars) {
    return [&vars](std::string_view name) -> std::optional<std::string> {
        auto it = vars.find(name);
        if (it == vars.end())
            return std::nullopt;
        return it->second;
    };
}

core::shared_config config_from(std::string_view text, std::string profile = "default") {
    std::string message;
    auto file =
        core::parse_aws_shared_file(text, core::aws_file_kind::config, "/home/u/.aws/config", message);
    EXPECT_TRUE(file) << message;
    core::shared_config c;
    c.profile_name = std::move(profile);
    c.path = "/home/u/.aws/config";
    if (file)
        c.file = std::move(*file);
    return c;
}

constexpr std::string_view secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
constexpr std::string_view session = "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN";

std::string good_document() {
    return R"({"Code":"Success","LastUpdated":"2024-05-01T11:00:00Z","Type":"AWS-HMAC",)"
           R"("AccessKeyId":"ASIAEXAMPLE","SecretAccessKey":")" +
           std::string(secret) + R"(","Token":")" + std::string(session) +
           R"(","Expiration":"2024-05-01T18:00:00Z","AccountId":"123456789012"})";
}

void expect_no_secret(const std::string& message) {
    EXPECT_EQ(message.find(secret), std::string::npos) << message;
    EXPECT_EQ(message.find(session), std::string::npos) << message;
}

// ---- the credentials document ----

TEST(MetadataDocument, ReadsEveryField) {
    std::string message;
    auto doc = md::parse_credentials_document(good_document(), "test", message);
    ASSERT_TRUE(doc) << message;
    EXPECT_EQ(doc->creds.access_key_id, "ASIAEXAMPLE");
    EXPECT_EQ(doc->creds.secret_access_key, secret);
    EXPECT_EQ(doc->creds.session_token, session);
    ASSERT_TRUE(doc->creds.expiration);
    auto expected = core::parse_iso8601_timestamp("2024-05-01T18:00:00Z");
    ASSERT_TRUE(expected);
    EXPECT_EQ(*doc->creds.expiration, *expected);
    EXPECT_EQ(doc->account_id, "123456789012");
}

TEST(MetadataDocument, ContainerDocumentWithoutCodeIsFine) {
    std::string message;
    auto doc = md::parse_credentials_document(
        R"({"AccessKeyId":"AKID","SecretAccessKey":"S","Token":"T","Expiration":"2030-01-01T00:00:00+01:00"})",
        "test", message);
    ASSERT_TRUE(doc) << message;
    EXPECT_TRUE(doc->account_id.empty());
}

TEST(MetadataDocument, FailureCodeIsRejectedWithCodeAndMessage) {
    std::string message;
    auto doc = md::parse_credentials_document(
        R"({"Code":"AssumeRoleUnauthorizedAccess","Message":"EC2 cannot assume the role","LastUpdated":"x"})",
        "EC2 instance metadata", message);
    ASSERT_FALSE(doc);
    EXPECT_EQ(doc.error(), make_error_code(errc::credentials_rejected));
    EXPECT_NE(message.find("AssumeRoleUnauthorizedAccess"), std::string::npos) << message;
    EXPECT_NE(message.find("EC2 cannot assume the role"), std::string::npos) << message;
    EXPECT_NE(message.find("EC2 instance metadata"), std::string::npos) << message;
}

TEST(MetadataDocument, FailureCodeWithKeysNeverQuotesThem) {
    std::string doc_text = good_document();
    doc_text.replace(doc_text.find("Success"), 7, "Failure");
    std::string message;
    auto doc = md::parse_credentials_document(doc_text, "test", message);
    ASSERT_FALSE(doc);
    EXPECT_EQ(doc.error(), make_error_code(errc::credentials_rejected));
    expect_no_secret(message);
}

TEST(MetadataDocument, MalformedReplies) {
    const std::string s(secret);
    for (std::string body : std::vector<std::string>{
             "not json " + s, "[1,2]", R"({"Code":"Success"})",
             R"({"AccessKeyId":"AKID","SecretAccessKey":""})",
             R"({"AccessKeyId":"","SecretAccessKey":")" + std::string(secret) + "\"}",
             R"({"AccessKeyId":1,"SecretAccessKey":")" + std::string(secret) + "\"}",
             R"({"AccessKeyId":"A","SecretAccessKey":")" + std::string(secret) + R"(","Token":5})",
             R"({"AccessKeyId":"A","SecretAccessKey":")" + std::string(secret) +
                 R"(","Expiration":"tomorrow"})",
             R"({"Code":7})", "{\"AccessKeyId\":\"A\","}) {
        std::string message;
        auto doc = md::parse_credentials_document(body, "test", message);
        ASSERT_FALSE(doc) << body;
        EXPECT_EQ(doc.error(), make_error_code(errc::malformed_response)) << body;
        EXPECT_FALSE(message.empty());
        expect_no_secret(message);
    }
}

TEST(MetadataDocument, BlotsTheTokenOutOfServiceText) {
    std::string message;
    auto doc = md::parse_credentials_document(R"({"Code":"Denied","Message":"bad token tok-123-secret"})",
                                              "test", message, "tok-123-secret");
    ASSERT_FALSE(doc);
    EXPECT_EQ(message.find("tok-123-secret"), std::string::npos) << message;
    EXPECT_NE(message.find("<redacted>"), std::string::npos) << message;
}

// ---- the container endpoint ----

TEST(ContainerEndpoint, NeitherVariable) {
    env_map vars;
    std::string message;
    auto ep = md::resolve_container_endpoint(lookup(vars), message);
    ASSERT_TRUE(ep);
    EXPECT_FALSE(*ep);
    EXPECT_NE(message.find("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"), std::string::npos);
}

TEST(ContainerEndpoint, RelativeUriGoesToTheEcsAgentAndWinsOverFullUri) {
    env_map vars{{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "/v2/credentials/abc-123"},
                 {"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:9999/x"}};
    std::string message;
    auto ep = md::resolve_container_endpoint(lookup(vars), message);
    ASSERT_TRUE(ep) << message;
    ASSERT_TRUE(*ep);
    EXPECT_EQ((*ep)->ep.scheme, "http");
    EXPECT_EQ((*ep)->ep.host, "169.254.170.2");
    EXPECT_EQ((*ep)->ep.port, 80);
    EXPECT_EQ((*ep)->ep.target, "/v2/credentials/abc-123");
    EXPECT_NE((*ep)->source.find("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"), std::string::npos);
    // The path identifies the task's credentials: messages leave it out.
    EXPECT_EQ((*ep)->source.find("abc-123"), std::string::npos);
}

TEST(ContainerEndpoint, RelativeUriMustBeAPath) {
    env_map vars{{"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "v2/credentials"}};
    std::string message;
    auto ep = md::resolve_container_endpoint(lookup(vars), message);
    ASSERT_FALSE(ep);
    EXPECT_EQ(ep.error(), make_error_code(errc::unsupported_configuration));
    EXPECT_NE(message.find("'/'"), std::string::npos) << message;
}

TEST(ContainerEndpoint, AllowedPlainHttpHosts) {
    for (std::string url :
         {"http://127.0.0.1:8080/creds", "http://127.9.8.7/creds", "http://localhost:1234/",
          "http://[::1]:80/c", "http://169.254.170.2/v1", "http://169.254.170.23/v1/credentials",
          "http://[fd00:ec2::23]/v1/credentials", "http://[FD00:EC2:0::23]:80/v1",
          "https://creds.example.com/v1", "https://10.1.2.3:8443/x"}) {
        env_map vars{{"AWS_CONTAINER_CREDENTIALS_FULL_URI", url}};
        std::string message;
        auto ep = md::resolve_container_endpoint(lookup(vars), message);
        ASSERT_TRUE(ep) << url << ": " << message;
        ASSERT_TRUE(*ep) << url;
    }
}

TEST(ContainerEndpoint, FullUriKeepsPortAndPath) {
    env_map vars{{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://[fd00:ec2::23]:81/v1/credentials"}};
    std::string message;
    auto ep = md::resolve_container_endpoint(lookup(vars), message);
    ASSERT_TRUE(ep && *ep) << message;
    EXPECT_EQ((*ep)->ep.host, "fd00:ec2::23");
    EXPECT_EQ((*ep)->ep.port, 81);
    EXPECT_EQ((*ep)->ep.host_header, "[fd00:ec2::23]:81");
    EXPECT_EQ((*ep)->ep.target, "/v1/credentials");
}

TEST(ContainerEndpoint, DisallowedHostsSayWhy) {
    for (std::string url :
         {"http://evil.example.com/creds", "http://169.254.170.3/", "http://169.254.169.254/",
          "http://[fd00:ec2::24]/", "http://10.0.0.1/", "http://localhost.evil.com/"}) {
        env_map vars{{"AWS_CONTAINER_CREDENTIALS_FULL_URI", url}};
        std::string message;
        auto ep = md::resolve_container_endpoint(lookup(vars), message);
        ASSERT_FALSE(ep) << url;
        EXPECT_EQ(ep.error(), make_error_code(errc::unsupported_configuration)) << url;
        EXPECT_NE(message.find("AWS_CONTAINER_CREDENTIALS_FULL_URI"), std::string::npos) << message;
        EXPECT_NE(message.find("plain http"), std::string::npos) << message;
        EXPECT_NE(message.find("https"), std::string::npos) << message;
    }
}

TEST(ContainerEndpoint, BadUrisAreUnsupported) {
    for (std::string url : {"ftp://127.0.0.1/", "127.0.0.1:80/creds", "http://user:pa55word@127.0.0.1/",
                            "http://127.0.0.1/creds?x=1", "http://127.0.0.1/#f", "http://127.0.0.1:99999/"}) {
        env_map vars{{"AWS_CONTAINER_CREDENTIALS_FULL_URI", url}};
        std::string message;
        auto ep = md::resolve_container_endpoint(lookup(vars), message);
        ASSERT_FALSE(ep) << url;
        EXPECT_EQ(ep.error(), make_error_code(errc::unsupported_configuration)) << url;
        EXPECT_EQ(message.find("pa55word"), std::string::npos) << message;
    }
}

// ---- the authorization token ----

struct fake_files {
    std::map<std::string, std::string> files;
    std::set<std::string> unreadable;
    int reads = 0;

    md::file_reader reader() {
        return [this](const std::string& path,
                      std::string& message) -> boost::system::result<std::optional<std::string>> {
            ++reads;
            if (unreadable.count(path)) {
                message = path + ": cannot be opened: Permission denied";
                return make_error_code(errc::invalid_credentials_file);
            }
            auto it = files.find(path);
            if (it == files.end())
                return std::optional<std::string>{};
            return std::optional<std::string>(it->second);
        };
    }
};

TEST(ContainerToken, NoneConfigured) {
    env_map vars;
    fake_files files;
    std::string message;
    auto t = md::container_authorization_token(lookup(vars), files.reader(), message);
    ASSERT_TRUE(t);
    EXPECT_FALSE(*t);
}

TEST(ContainerToken, FromTheVariable) {
    env_map vars{{"AWS_CONTAINER_AUTHORIZATION_TOKEN", "Basic abc=="}};
    fake_files files;
    std::string message;
    auto t = md::container_authorization_token(lookup(vars), files.reader(), message);
    ASSERT_TRUE(t && *t) << message;
    EXPECT_EQ(**t, "Basic abc==");
}

TEST(ContainerToken, FileWinsAndIsReadEveryTimeWithoutItsFinalNewline) {
    env_map vars{{"AWS_CONTAINER_AUTHORIZATION_TOKEN", "from-env"},
                 {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/var/run/token"}};
    fake_files files;
    files.files["/var/run/token"] = "from-file-1\n";
    std::string message;
    auto t = md::container_authorization_token(lookup(vars), files.reader(), message);
    ASSERT_TRUE(t && *t) << message;
    EXPECT_EQ(**t, "from-file-1");
    files.files["/var/run/token"] = "from-file-2";
    t = md::container_authorization_token(lookup(vars), files.reader(), message);
    ASSERT_TRUE(t && *t) << message;
    EXPECT_EQ(**t, "from-file-2");
    EXPECT_EQ(files.reads, 2);
}

TEST(ContainerToken, MissingUnreadableOrEmptyFile) {
    env_map vars{{"AWS_CONTAINER_AUTHORIZATION_TOKEN", "from-env"},
                 {"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/var/run/token"}};
    fake_files files;
    std::string message;
    auto t = md::container_authorization_token(lookup(vars), files.reader(), message);
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error(), make_error_code(errc::invalid_credentials_file));
    EXPECT_NE(message.find("/var/run/token"), std::string::npos) << message;
    EXPECT_NE(message.find("does not exist"), std::string::npos) << message;

    files.unreadable.insert("/var/run/token");
    t = md::container_authorization_token(lookup(vars), files.reader(), message);
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error(), make_error_code(errc::invalid_credentials_file));
    EXPECT_NE(message.find("Permission denied"), std::string::npos) << message;

    files.unreadable.clear();
    files.files["/var/run/token"] = " \n";
    t = md::container_authorization_token(lookup(vars), files.reader(), message);
    ASSERT_FALSE(t);
    EXPECT_NE(message.find("empty"), std::string::npos) << message;
}

TEST(ContainerToken, CrOrLfIsRefusedWithoutQuotingTheToken) {
    for (std::string bad : {"secret-tok\r\nX-Injected: 1", "secret-tok\nmore", "secret-tok\rmore"}) {
        env_map vars{{"AWS_CONTAINER_AUTHORIZATION_TOKEN", bad}};
        fake_files files;
        std::string message;
        auto t = md::container_authorization_token(lookup(vars), files.reader(), message);
        ASSERT_FALSE(t);
        EXPECT_EQ(t.error(), make_error_code(errc::invalid_argument));
        EXPECT_NE(message.find("CR or LF"), std::string::npos) << message;
        EXPECT_EQ(message.find("secret-tok"), std::string::npos) << message;

        env_map file_vars{{"AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", "/t"}};
        files.files["/t"] = bad + "\n";
        t = md::container_authorization_token(lookup(file_vars), files.reader(), message);
        ASSERT_FALSE(t);
        EXPECT_EQ(t.error(), make_error_code(errc::invalid_argument));
        EXPECT_EQ(message.find("secret-tok"), std::string::npos) << message;
    }
    env_map vars{{"AWS_CONTAINER_AUTHORIZATION_TOKEN", std::string("tok\0en", 6)}};
    fake_files files;
    std::string message;
    auto t = md::container_authorization_token(lookup(vars), files.reader(), message);
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error(), make_error_code(errc::invalid_argument));
}

TEST(ContainerRequest, HeadersAndReplies) {
    env_map vars{{"AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://127.0.0.1:1234/v1/credentials"}};
    std::string message;
    auto ep = md::resolve_container_endpoint(lookup(vars), message);
    ASSERT_TRUE(ep && *ep);
    auto req = md::container_request(**ep, std::string("the-token"));
    EXPECT_EQ(req.method, "GET");
    EXPECT_EQ(req.target, "/v1/credentials");
    EXPECT_EQ(core::find_header(req.headers, "Authorization"), "the-token");
    EXPECT_EQ(core::find_header(req.headers, "Accept"), "application/json");
    EXPECT_EQ(core::find_header(md::container_request(**ep, std::nullopt).headers, "Authorization"), "");

    auto ok = md::interpret_container_reply(**ep, 200, good_document(), "the-token");
    EXPECT_FALSE(ok.ec) << ok.message;
    EXPECT_EQ(ok.doc.creds.access_key_id, "ASIAEXAMPLE");

    auto busy = md::interpret_container_reply(**ep, 503, "", "the-token");
    EXPECT_TRUE(busy.retryable);
    EXPECT_EQ(busy.ec, make_error_code(errc::unexpected_status));
    EXPECT_TRUE(md::interpret_container_reply(**ep, 429, "", "").retryable);

    auto refused = md::interpret_container_reply(
        **ep, 401, R"({"code":"InvalidToken","message":"token the-token is not valid"})", "the-token");
    EXPECT_FALSE(refused.retryable);
    EXPECT_EQ(refused.ec, make_error_code(errc::credentials_rejected));
    EXPECT_NE(refused.message.find("InvalidToken"), std::string::npos) << refused.message;
    EXPECT_NE(refused.message.find("401"), std::string::npos) << refused.message;
    EXPECT_EQ(refused.message.find("the-token"), std::string::npos) << refused.message;

    auto odd = md::interpret_container_reply(**ep, 302, "", "");
    EXPECT_EQ(odd.ec, make_error_code(errc::unexpected_status));
    EXPECT_FALSE(odd.retryable);
}

// ---- IMDS settings ----

TEST(ImdsSettings, Defaults) {
    env_map vars;
    std::string message;
    auto s = md::resolve_imds_settings(lookup(vars), core::shared_config{}, message);
    ASSERT_TRUE(s) << message;
    EXPECT_FALSE(s->disabled);
    EXPECT_EQ(s->base_url, "http://169.254.169.254");
    EXPECT_EQ(s->ep.host, "169.254.169.254");
    EXPECT_EQ(s->ep.port, 80);
    EXPECT_FALSE(s->timeout);
    EXPECT_FALSE(s->attempts);
    EXPECT_FALSE(s->v1_disabled);
}

TEST(ImdsSettings, Disabled) {
    for (std::string v : {"true", "TRUE", "True"}) {
        env_map vars{{"AWS_EC2_METADATA_DISABLED", v}, {"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "bogus"}};
        std::string message;
        auto s = md::resolve_imds_settings(lookup(vars), core::shared_config{}, message);
        ASSERT_TRUE(s) << message;
        EXPECT_TRUE(s->disabled);
    }
    env_map vars{{"AWS_EC2_METADATA_DISABLED", "false"}};
    std::string message;
    auto s = md::resolve_imds_settings(lookup(vars), core::shared_config{}, message);
    ASSERT_TRUE(s);
    EXPECT_FALSE(s->disabled);
}

TEST(ImdsSettings, Ipv6ModeFromTheEnvironmentOrTheConfig) {
    env_map vars{{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"}};
    std::string message;
    auto s = md::resolve_imds_settings(lookup(vars), core::shared_config{}, message);
    ASSERT_TRUE(s) << message;
    EXPECT_EQ(s->base_url, "http://[fd00:ec2::254]");
    EXPECT_EQ(s->ep.host, "fd00:ec2::254");
    EXPECT_EQ(s->ep.host_header, "[fd00:ec2::254]");

    env_map none;
    auto c = config_from("[default]\nec2_metadata_service_endpoint_mode = ipv6\n");
    s = md::resolve_imds_settings(lookup(none), c, message);
    ASSERT_TRUE(s) << message;
    EXPECT_EQ(s->base_url, "http://[fd00:ec2::254]");

    env_map v4{{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ipv4"}};
    s = md::resolve_imds_settings(lookup(v4), c, message);
    ASSERT_TRUE(s) << message;
    EXPECT_EQ(s->base_url, "http://169.254.169.254");
}

TEST(ImdsSettings, UnsupportedModeSaysWhich) {
    env_map vars{{"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv5"}};
    std::string message;
    auto s = md::resolve_imds_settings(lookup(vars), core::shared_config{}, message);
    ASSERT_FALSE(s);
    EXPECT_EQ(s.error(), make_error_code(errc::unsupported_configuration));
    EXPECT_NE(message.find("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"), std::string::npos) << message;
    EXPECT_NE(message.find("IPv5"), std::string::npos) << message;

    env_map none;
    auto c = config_from("[profile p]\nec2_metadata_service_endpoint_mode = dual\n", "p");
    s = md::resolve_imds_settings(lookup(none), c, message);
    ASSERT_FALSE(s);
    EXPECT_NE(message.find("ec2_metadata_service_endpoint_mode of profile 'p'"), std::string::npos)
        << message;
}

TEST(ImdsSettings, EndpointWinsOverMode) {
    env_map vars{{"AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:8111/"},
                 {"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "IPv6"}};
    std::string message;
    auto c = config_from("[default]\nec2_metadata_service_endpoint = http://10.0.0.1/\n");
    auto s = md::resolve_imds_settings(lookup(vars), c, message);
    ASSERT_TRUE(s) << message;
    EXPECT_EQ(s->base_url, "http://127.0.0.1:8111");
    EXPECT_EQ(s->origin, "AWS_EC2_METADATA_SERVICE_ENDPOINT");

    env_map none;
    s = md::resolve_imds_settings(lookup(none), c, message);
    ASSERT_TRUE(s) << message;
    EXPECT_EQ(s->base_url, "http://10.0.0.1");
}

TEST(ImdsSettings, BadEndpoint) {
    for (std::string url : {"169.254.169.254", "ftp://127.0.0.1/", "http://u:p@127.0.0.1/"}) {
        env_map vars{{"AWS_EC2_METADATA_SERVICE_ENDPOINT", url}};
        std::string message;
        auto s = md::resolve_imds_settings(lookup(vars), core::shared_config{}, message);
        ASSERT_FALSE(s) << url;
        EXPECT_EQ(s.error(), make_error_code(errc::unsupported_configuration));
        EXPECT_NE(message.find("AWS_EC2_METADATA_SERVICE_ENDPOINT"), std::string::npos) << message;
    }
}

TEST(ImdsSettings, TimeoutAttemptsAndV1) {
    env_map vars{{"AWS_METADATA_SERVICE_TIMEOUT", "0.25"},
                 {"AWS_METADATA_SERVICE_NUM_ATTEMPTS", "3"},
                 {"AWS_EC2_METADATA_V1_DISABLED", "true"}};
    std::string message;
    auto s = md::resolve_imds_settings(lookup(vars), core::shared_config{}, message);
    ASSERT_TRUE(s) << message;
    EXPECT_EQ(s->timeout, std::chrono::milliseconds(250));
    EXPECT_EQ(s->attempts, 3u);
    EXPECT_TRUE(s->v1_disabled);

    env_map none;
    auto c = config_from("[default]\nmetadata_service_timeout = 2\nmetadata_service_num_attempts = 2\n"
                         "ec2_metadata_v1_disabled = TRUE\n");
    s = md::resolve_imds_settings(lookup(none), c, message);
    ASSERT_TRUE(s) << message;
    EXPECT_EQ(s->timeout, std::chrono::milliseconds(2000));
    EXPECT_EQ(s->attempts, 2u);
    EXPECT_TRUE(s->v1_disabled);
}

TEST(ImdsSettings, BadTimeoutOrAttempts) {
    for (auto [name, value] : std::initializer_list<std::pair<const char*, const char*>>{
             {"AWS_METADATA_SERVICE_TIMEOUT", "abc"},
             {"AWS_METADATA_SERVICE_TIMEOUT", "0"},
             {"AWS_METADATA_SERVICE_TIMEOUT", "-1"},
             {"AWS_METADATA_SERVICE_TIMEOUT", "1.2345"},
             {"AWS_METADATA_SERVICE_TIMEOUT", "3601"},
             {"AWS_METADATA_SERVICE_NUM_ATTEMPTS", "0"},
             {"AWS_METADATA_SERVICE_NUM_ATTEMPTS", "11"},
             {"AWS_METADATA_SERVICE_NUM_ATTEMPTS", "2.5"},
         }) {
        env_map vars{{name, value}};
        std::string message;
        auto s = md::resolve_imds_settings(lookup(vars), core::shared_config{}, message);
        ASSERT_FALSE(s) << name << "=" << value;
        EXPECT_EQ(s.error(), make_error_code(errc::unsupported_configuration));
        EXPECT_NE(message.find(name), std::string::npos) << message;
    }
}

// ---- IMDS requests and replies ----

md::imds_settings settings_for(const std::string& url) {
    env_map vars{{"AWS_EC2_METADATA_SERVICE_ENDPOINT", url}};
    std::string message;
    auto s = md::resolve_imds_settings(lookup(vars), core::shared_config{}, message);
    EXPECT_TRUE(s) << message;
    return s ? *s : md::imds_settings{};
}

TEST(ImdsRequests, TokenAndGets) {
    auto s = settings_for("http://169.254.169.254");
    auto put = md::imds_token_request(s);
    EXPECT_EQ(put.method, "PUT");
    EXPECT_EQ(put.target, "/latest/api/token");
    EXPECT_EQ(core::find_header(put.headers, "x-aws-ec2-metadata-token-ttl-seconds"), "21600");

    auto get = md::imds_get_request(s, md::roles_path, "tok");
    EXPECT_EQ(get.method, "GET");
    EXPECT_EQ(get.target, "/latest/meta-data/iam/security-credentials/");
    EXPECT_EQ(core::find_header(get.headers, "x-aws-ec2-metadata-token"), "tok");
    EXPECT_EQ(md::imds_get_request(s, md::region_path, "").headers.size(), 0u);
    EXPECT_EQ(md::imds_get_request(s, md::region_path, "").target, "/latest/meta-data/placement/region");
    EXPECT_EQ(md::role_credentials_path("web"), "/latest/meta-data/iam/security-credentials/web");

    auto prefixed = settings_for("http://127.0.0.1:9000/imds/");
    EXPECT_EQ(md::imds_token_request(prefixed).target, "/imds/latest/api/token");
    EXPECT_EQ(prefixed.base_url, "http://127.0.0.1:9000/imds");
}

TEST(ImdsReplies, Token) {
    auto s = settings_for("http://169.254.169.254");
    auto ok = md::interpret_token_reply(s, 200, "300", "AQAEAexampletoken==\n");
    EXPECT_EQ(ok.what, md::token_outcome::kind::token);
    EXPECT_EQ(ok.token, "AQAEAexampletoken==");
    EXPECT_EQ(ok.ttl, std::chrono::seconds(300));
    EXPECT_EQ(md::interpret_token_reply(s, 200, "", "t").ttl, md::token_ttl);

    EXPECT_EQ(md::interpret_token_reply(s, 200, "", "").what, md::token_outcome::kind::retry);
    EXPECT_EQ(md::interpret_token_reply(s, 200, "", "two words").what, md::token_outcome::kind::retry);
    EXPECT_EQ(md::interpret_token_reply(s, 503, "", "").what, md::token_outcome::kind::retry);
    for (unsigned status : {403u, 404u, 405u})
        EXPECT_EQ(md::interpret_token_reply(s, status, "", "").what, md::token_outcome::kind::v1_only);
    auto bad = md::interpret_token_reply(s, 400, "", "");
    EXPECT_EQ(bad.what, md::token_outcome::kind::error);
    EXPECT_TRUE(bad.ec);
    EXPECT_NE(bad.message.find("400"), std::string::npos);
}

TEST(ImdsReplies, RoleRegionAndStatuses) {
    auto s = settings_for("http://169.254.169.254");
    std::string message;
    auto role = md::parse_role_name(s, "my-role_1\nother\n", message);
    ASSERT_TRUE(role) << message;
    EXPECT_EQ(*role, "my-role_1");
    EXPECT_FALSE(md::parse_role_name(s, "", message));
    EXPECT_FALSE(md::parse_role_name(s, "../../etc", message));
    EXPECT_FALSE(md::parse_role_name(s, "<html>", message));
    EXPECT_FALSE(md::parse_role_name(s, std::string(65, 'a'), message));

    auto region = md::parse_region(s, "eu-west-1\n", message);
    ASSERT_TRUE(region) << message;
    EXPECT_EQ(*region, "eu-west-1");
    auto garbage = md::parse_region(s, "<html>oops</html>", message);
    ASSERT_FALSE(garbage);
    EXPECT_EQ(garbage.error(), make_error_code(errc::malformed_response));

    EXPECT_FALSE(md::interpret_get_reply(s, "the role list", 200, true).ec);
    EXPECT_EQ(md::interpret_get_reply(s, "the role list", 404, true).ec,
              make_error_code(errc::no_credentials));
    EXPECT_EQ(md::interpret_get_reply(s, "x", 404, false).ec, make_error_code(errc::unexpected_status));
    EXPECT_EQ(md::interpret_get_reply(s, "x", 401, false).ec, make_error_code(errc::credentials_rejected));
    EXPECT_TRUE(md::interpret_get_reply(s, "x", 500, false).retryable);
    EXPECT_FALSE(md::interpret_get_reply(s, "x", 403, false).retryable);
}

} // namespace
