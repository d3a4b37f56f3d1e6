// SPDX-License-Identifier: BSL-1.0
// The built-in credentials providers. What they parse and how they decide lives in the sans-io core
// (core/aws_config); this file only reads files, holds state and posts completions.
#include <dynalock/credentials.hpp>

#include "core/aws_config.hpp"
#include "credentials/async_provider.hpp"

#include <boost/asio/append.hpp>
#include <boost/asio/post.hpp>

#include <utility>

namespace dynalock {

namespace asio = boost::asio;

credentials_provider::~credentials_provider() = default;

std::string credentials_provider::last_error_message() const {
    return {};
}

void sync_credentials_provider::async_get_credentials(
    asio::any_io_executor ex, asio::any_completion_handler<void(error_code, credentials)> handler) {
    std::string message;
    auto loaded = load(message);
    {
        std::lock_guard lock(mutex_);
        last_error_message_ = loaded ? std::string() : std::move(message);
    }
    error_code ec;
    credentials creds;
    if (loaded)
        creds = std::move(*loaded);
    else
        ec = loaded.error();
    // Posted, never invoked here: Boost 1.81 has no immediate executor to make an inline completion safe.
    asio::post(ex, asio::append(std::move(handler), ec, std::move(creds)));
}

std::string sync_credentials_provider::last_error_message() const {
    std::lock_guard lock(mutex_);
    return last_error_message_;
}

namespace {

using detail::or_process_environment;
using detail::to_public;

error_code fail(errc code, std::string& message, std::string text) {
    message = std::move(text);
    return make_error_code(code);
}

class static_provider final : public sync_credentials_provider {
public:
    explicit static_provider(credentials creds) : creds_(std::move(creds)) {}

protected:
    boost::system::result<credentials> load(std::string& message) override {
        if (creds_.access_key_id.empty() || creds_.secret_access_key.empty())
            return fail(errc::no_credentials, message,
                        "static credentials: the access key id or secret is empty");
        return creds_;
    }

private:
    credentials creds_;
};

class environment_provider final : public sync_credentials_provider {
public:
    explicit environment_provider(core::env_lookup env) : env_(std::move(env)) {}

protected:
    boost::system::result<credentials> load(std::string& message) override {
        auto found = core::credentials_from_environment(env_, message);
        if (!found)
            return found.error();
        if (!*found)
            return make_error_code(errc::no_credentials);
        return to_public(std::move(**found));
    }

private:
    core::env_lookup env_;
};

// Reads and parses one shared file. nullptr when it is absent or unreadable (then `note` says so, for the
// "what was tried" message); an error only when it is malformed.
boost::system::result<std::optional<core::aws_shared_file>>
read_shared_file(const std::string& path, core::aws_file_kind kind, std::string& note, std::string& message) {
    std::string read_message;
    auto text = core::read_aws_shared_file(path, read_message);
    if (!text) {
        note = std::move(read_message);
        return std::optional<core::aws_shared_file>{};
    }
    if (!*text)
        return std::optional<core::aws_shared_file>{};
    auto parsed = core::parse_aws_shared_file(**text, kind, path, message);
    if (!parsed)
        return parsed.error();
    return std::optional<core::aws_shared_file>(std::move(*parsed));
}

class profile_provider final : public sync_credentials_provider {
public:
    profile_provider(std::string profile, core::env_lookup env)
        : profile_(std::move(profile)), env_(std::move(env)) {}

protected:
    boost::system::result<credentials> load(std::string& message) override {
        auto profile = core::resolve_profile_name(profile_, env_);
        auto paths = core::resolve_shared_file_paths(env_);

        std::string credentials_note, config_note;
        auto credentials_file =
            read_shared_file(paths.credentials, core::aws_file_kind::credentials, credentials_note, message);
        if (!credentials_file)
            return credentials_file.error();
        auto config_file = read_shared_file(paths.config, core::aws_file_kind::config, config_note, message);
        if (!config_file)
            return config_file.error();

        auto found = core::resolve_profile_credentials(
            credentials_file->has_value() ? &**credentials_file : nullptr,
            config_file->has_value() ? &**config_file : nullptr, profile, paths, message);
        if (!found)
            return found.error();
        if (!*found) {
            std::string tried = "profile '" + profile + "': " + message;
            // An unreadable file was skipped like a missing one; say why, or the user will not guess.
            for (auto* note : {&credentials_note, &config_note}) {
                if (!note->empty())
                    tried += " (" + *note + ")";
            }
            message = std::move(tried);
            return make_error_code(errc::no_credentials);
        }
        return to_public(std::move(**found));
    }

private:
    std::string profile_;
    core::env_lookup env_;
};

class chain_provider final : public credentials_provider,
                             public std::enable_shared_from_this<chain_provider> {
public:
    explicit chain_provider(std::vector<std::shared_ptr<credentials_provider>> providers)
        : providers_(std::move(providers)) {}

    void async_get_credentials(asio::any_io_executor ex,
                               asio::any_completion_handler<void(error_code, credentials)> handler) override {
        step{shared_from_this(), std::move(ex), std::move(handler), 0, {}}.next();
    }

    std::string last_error_message() const override {
        std::lock_guard lock(mutex_);
        return last_error_message_;
    }

private:
    // One search through the chain; it owns the caller's handler until the end.
    struct step {
        std::shared_ptr<chain_provider> self;
        asio::any_io_executor ex;
        asio::any_completion_handler<void(error_code, credentials)> handler;
        std::size_t index;
        std::string tried;

        void next() {
            if (index == self->providers_.size()) {
                finish(make_error_code(errc::no_credentials),
                       "no AWS credentials found (tried " + (tried.empty() ? std::string("nothing") : tried) +
                           ")",
                       {});
                return;
            }
            auto provider = self->providers_[index];
            auto executor = ex;
            provider->async_get_credentials(
                std::move(executor),
                [s = std::move(*this), provider](error_code ec, credentials creds) mutable {
                    s.on_result(*provider, ec, std::move(creds));
                });
        }

        void on_result(const credentials_provider& provider, error_code ec, credentials creds) {
            if (!ec) {
                finish(ec, {}, std::move(creds));
                return;
            }
            auto why = provider.last_error_message();
            if (ec != errc::no_credentials) {
                finish(ec, std::move(why), {});
                return;
            }
            if (!tried.empty())
                tried += "; ";
            tried += why.empty() ? "a provider without credentials" : why;
            ++index;
            next();
        }

        void finish(error_code ec, std::string message, credentials creds) {
            {
                std::lock_guard lock(self->mutex_);
                self->last_error_message_ = std::move(message);
            }
            // Posted rather than called: a provider that broke the no-inline rule must not make us break it.
            asio::post(ex, asio::append(std::move(handler), ec, std::move(creds)));
        }
    };

    std::vector<std::shared_ptr<credentials_provider>> providers_;
    mutable std::mutex mutex_;
    std::string last_error_message_;
};

} // namespace

std::shared_ptr<credentials_provider> make_static_credentials_provider(credentials creds) {
    return std::make_shared<static_provider>(std::move(creds));
}

std::shared_ptr<credentials_provider> make_environment_credentials_provider(environment_lookup env) {
    return std::make_shared<environment_provider>(or_process_environment(std::move(env)));
}

std::shared_ptr<credentials_provider> make_profile_credentials_provider(std::string profile,
                                                                        environment_lookup env) {
    return std::make_shared<profile_provider>(std::move(profile), or_process_environment(std::move(env)));
}

std::shared_ptr<credentials_provider>
make_chain_credentials_provider(std::vector<std::shared_ptr<credentials_provider>> providers) {
    return std::make_shared<chain_provider>(std::move(providers));
}

} // namespace dynalock
