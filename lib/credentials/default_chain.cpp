// SPDX-License-Identifier: BSL-1.0
// The default chain, in botocore's order: the environment, then what the profile says (core/credentials/
// profile_sources decides it from the shared files, read at each call), then container credentials and the
// instance metadata service. A source that is configured ends the search with its result, whatever it is;
// one that is not passes to the next, and when none applies the message lists what each one tried.
#include <dynalock/credentials.hpp>

#include "core/aws_config.hpp"
#include "core/credentials/profile_sources.hpp"
#include "credentials/async_provider.hpp"
#include "credentials/providers.hpp"

#include <memory>
#include <string>
#include <utility>

namespace dynalock {

namespace {

using detail::to_public;

namespace asio = boost::asio;
using detail::credentials_failure;
using detail::credentials_outcome;

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete" // g++ 12 false positive on awaitable frames

class default_chain_provider final : public detail::async_credentials_provider {
public:
    default_chain_provider(std::string profile, core::env_lookup env)
        : profile_(std::move(profile)), env_(std::move(env)),
          container_(make_container_credentials_provider(
              {std::chrono::milliseconds(2000), std::chrono::milliseconds(2000), 3}, env_)),
          instance_metadata_(make_instance_metadata_credentials_provider({}, env_)) {}

protected:
    asio::awaitable<credentials_outcome> fetch() override {
        std::string tried;
        auto note = [&tried](std::string_view what) {
            if (!tried.empty())
                tried += "; ";
            tried += what;
        };

        // 1. The environment, unless a profile was asked for by name.
        if (profile_.empty()) {
            std::string message;
            auto found = core::credentials_from_environment(env_, message);
            if (!found)
                co_return credentials_failure(found.error(), std::move(message));
            if (*found)
                co_return credentials_outcome{{}, to_public(std::move(**found)), {}};
            note(message);
        }

        // 2-7. What the profile says: assume role, web identity, SSO, keys, credential_process, keys.
        std::string message;
        auto files = core::load_profile_files(env_, message);
        if (!files)
            co_return credentials_failure(files.error(), std::move(message));
        auto plan = core::plan_profile_credentials(*files, profile_, env_, message);
        if (!plan)
            co_return credentials_failure(plan.error(), std::move(message));
        if (plan->base) {
            auto out = co_await detail::await_credentials(provider_for(*plan));
            // Configured, so its answer is final; say which setting led there.
            if (out.ec && !plan->roles.empty())
                out.message = "profile '" + plan->roles.back().profile + "' assumes " +
                              plan->roles.back().role_arn + " with credentials from " + plan->base->origin +
                              ": " + out.message;
            co_return out;
        }
        note(plan->tried);

        // 8-9. The platform: container credentials, then the instance metadata service.
        for (const auto& provider : {container_, instance_metadata_}) {
            auto out = co_await detail::await_credentials(provider);
            if (out.ec != errc::no_credentials)
                co_return out;
            note(out.message.empty() ? std::string("a provider without credentials") : out.message);
        }
        co_return credentials_failure(make_error_code(errc::no_credentials),
                                      "no AWS credentials found (tried " + tried + ")");
    }

private:
    std::shared_ptr<credentials_provider> base_provider(const core::credential_plan& plan) const {
        const core::base_source& base = *plan.base;
        switch (base.kind) {
        case core::source_kind::static_keys:
            return make_static_credentials_provider(to_public(core::credential_values(base.keys)));
        case core::source_kind::environment:
            return make_environment_credentials_provider(env_);
        case core::source_kind::instance_metadata:
            return instance_metadata_;
        case core::source_kind::container:
            return container_;
        case core::source_kind::web_identity: {
            web_identity_options options;
            options.role_arn = base.role_arn;
            options.token_file = base.token_file;
            options.role_session_name = base.role_session_name;
            options.profile = plan.profile;
            return detail::make_web_identity_provider(std::move(options), env_, base.origin);
        }
        case core::source_kind::sso:
            return make_sso_credentials_provider(base.profile, env_);
        case core::source_kind::process:
            return make_process_credentials_provider(base.command);
        }
        return make_static_credentials_provider({}); // unreachable: every kind is handled above
    }

    // The base, then each role assumed with the credentials of the step before.
    std::shared_ptr<credentials_provider> provider_for(const core::credential_plan& plan) const {
        auto provider = base_provider(plan);
        for (const auto& role : plan.roles) {
            assume_role_options options;
            options.role_arn = role.role_arn;
            options.role_session_name = role.role_session_name;
            options.external_id = role.external_id;
            options.duration = role.duration;
            options.profile = plan.profile; // region, STS endpoint and CA bundle: the selected profile's
            provider = make_assume_role_credentials_provider(std::move(options), std::move(provider), env_);
        }
        return provider;
    }

    const std::string profile_;
    const core::env_lookup env_;
    const std::shared_ptr<credentials_provider> container_;         // kept: no files to re-read
    const std::shared_ptr<credentials_provider> instance_metadata_; // kept: it reuses its session token
};

#pragma GCC diagnostic pop

} // namespace

std::shared_ptr<credentials_provider> make_default_credentials_provider(std::string profile,
                                                                        environment_lookup env) {
    auto lookup = env ? std::move(env) : core::process_environment();
    return std::make_shared<default_chain_provider>(std::move(profile), std::move(lookup));
}

} // namespace dynalock
