// SPDX-License-Identifier: BSL-1.0
// EC2 instance metadata credentials (IMDSv2): the settings are resolved at every call (the environment and
// the config file may change), the token is kept by an imds_client for as long as they stay the same, and
// each call asks for the role name and then its credentials.
#include <dynalock/credentials.hpp>

#include "core/aws_config.hpp"
#include "core/credentials/metadata_credentials.hpp"
#include "core/validation.hpp"
#include "credentials/async_provider.hpp"
#include "credentials/instance_metadata.hpp"

#include <memory>
#include <mutex>
#include <string>

namespace dynalock {

namespace {

using detail::to_public;

namespace asio = boost::asio;
namespace md = core::metadata;

bool same_service(const md::imds_settings& a, const md::imds_settings& b) {
    return a.base_url == b.base_url && a.ep.port == b.ep.port && a.timeout == b.timeout &&
           a.attempts == b.attempts && a.v1_disabled == b.v1_disabled;
}

// g++ 12 reports a false -Wmismatched-new-delete when it inlines the frames of awaited awaitables.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

class instance_metadata_provider final : public detail::async_credentials_provider {
public:
    instance_metadata_provider(instance_metadata_options options, core::env_lookup env)
        : options_(options), env_(std::move(env)) {}

protected:
    asio::awaitable<detail::credentials_outcome> fetch() override {
        std::string message;
        auto config = core::load_shared_config(env_, "", message);
        if (!config)
            co_return detail::credentials_failure(config.error(), std::move(message));
        auto settings = md::resolve_imds_settings(env_, *config, message);
        if (!settings)
            co_return detail::credentials_failure(settings.error(), std::move(message));
        if (settings->disabled)
            co_return detail::credentials_failure(
                make_error_code(errc::no_credentials),
                "EC2 instance metadata: disabled by AWS_EC2_METADATA_DISABLED");
        auto client = client_for(std::move(*settings));

        auto roles = co_await client->get(md::roles_path, "the role list", true);
        if (roles.ec)
            co_return detail::credentials_failure(roles.ec, std::move(roles.message));
        auto role = md::parse_role_name(client->settings(), roles.body, message);
        if (!role)
            co_return detail::credentials_failure(role.error(), std::move(message));

        std::string what = "the credentials of role '" + *role + "'";
        auto reply = co_await client->get(md::role_credentials_path(*role), what, false);
        if (reply.ec)
            co_return detail::credentials_failure(reply.ec, std::move(reply.message));
        auto doc = md::parse_credentials_document(
            reply.body, "EC2 instance metadata " + client->settings().base_url + " (role '" + *role + "')",
            message, reply.token);
        if (!doc)
            co_return detail::credentials_failure(doc.error(), std::move(message));
        co_return detail::credentials_outcome{{}, to_public(std::move(doc->creds)), {}};
    }

private:
    // The client of the service the settings name: the same one (and its token) while they do not change.
    std::shared_ptr<detail::imds_client> client_for(md::imds_settings settings) {
        std::lock_guard lock(mutex_);
        if (!client_ || !same_service(client_->settings(), settings))
            client_ = std::make_shared<detail::imds_client>(std::move(settings), options_.http,
                                                            options_.allow_imds_v1);
        return client_;
    }

    instance_metadata_options options_;
    core::env_lookup env_;
    std::mutex mutex_;
    std::shared_ptr<detail::imds_client> client_;
};

#pragma GCC diagnostic pop

} // namespace

std::shared_ptr<credentials_provider>
make_instance_metadata_credentials_provider(instance_metadata_options options, environment_lookup env) {
    return std::make_shared<instance_metadata_provider>(options,
                                                        env ? std::move(env) : core::process_environment());
}

} // namespace dynalock
