// SPDX-License-Identifier: BSL-1.0
#include "exit_status.hpp"

#include "output.hpp"

#include <boost/asio/error.hpp>

namespace dynalock::cli {

namespace {

int client_exit_status(errc e) noexcept {
    switch (e) {
    case errc::key_not_found:
    case errc::key_exists:
    case errc::version_mismatch:
    case errc::lock_not_acquired:
    case errc::lock_wait_timeout:
        return exit_status::no;
    // Input the tool was given, refused before anything was sent.
    case errc::invalid_argument:
    case errc::invalid_table_name:
    case errc::invalid_attribute_value:
    case errc::invalid_utf8:
    case errc::empty_key:
    case errc::key_too_large:
    case errc::item_too_large:
    case errc::nesting_too_deep:
    case errc::too_many_items:
        return exit_status::usage;
    // The environment the tool runs in: endpoint, region, credentials.
    case errc::invalid_endpoint:
    case errc::insecure_endpoint:
    case errc::invalid_region:
    case errc::no_credentials:
    case errc::invalid_credentials_file:
    case errc::sso_token_expired:          // run `aws sso login`
    case errc::credentials_process_failed: // the profile's credential_process
    case errc::unsupported_configuration:
        return exit_status::config;
    // A credentials service (STS, SSO, container, instance metadata) refused what it was given.
    case errc::credentials_rejected:
        return exit_status::no_permission;
    // A write that may or may not have happened: a script must read before it retries.
    case errc::outcome_unknown:
    case errc::lease_stolen:
    case errc::lease_expired:
        return exit_status::temp_failure;
    case errc::client_stopped:
    case errc::operation_in_progress:
    case errc::lease_released:
        return exit_status::software;
    // Transport and protocol faults, timeouts, an exhausted retry quota.
    default:
        return exit_status::unavailable;
    }
}

int service_exit_status(service_errc e) noexcept {
    switch (e) {
    case service_errc::conditional_check_failed:
    case service_errc::transaction_canceled:
    case service_errc::transaction_conflict:
    case service_errc::resource_in_use: // create-table: the table exists
        return exit_status::no;
    case service_errc::validation:
    case service_errc::serialization:
        return exit_status::usage;
    case service_errc::resource_not_found: // no such table: create it, or fix --table
        return exit_status::config;
    case service_errc::access_denied:
    case service_errc::incomplete_signature:
    case service_errc::missing_authentication_token:
    case service_errc::unrecognized_client:
    case service_errc::expired_token:
    case service_errc::invalid_signature:
        return exit_status::no_permission;
    case service_errc::idempotent_parameter_mismatch:
        return exit_status::software;
    default: // throttling, server faults, types we do not know
        return exit_status::unavailable;
    }
}

} // namespace

int exit_status_for(const error_code& ec) noexcept {
    if (!ec)
        return exit_status::success;
    if (ec.category() == client_category())
        return client_exit_status(static_cast<errc>(ec.value()));
    if (ec.category() == service_category())
        return service_exit_status(static_cast<service_errc>(ec.value()));
    if (ec == boost::asio::error::operation_aborted)
        return exit_status::software;
    // Network errors of the system category and anything else from below the client.
    return exit_status::unavailable;
}

std::string describe_failure(const error_code& ec, const diagnostics& diag) {
    std::string text = ec.message();
    if (!diag.client_message.empty()) {
        text += ": ";
        text += diag.client_message;
    }
    if (!diag.service_message.empty()) {
        text += " (DynamoDB: ";
        text += diag.service_message;
        text += ')';
    } else if (!diag.service_error_type.empty() && ec.category() == service_category() &&
               ec == service_errc::unknown) {
        text += " (";
        text += diag.service_error_type;
        text += ')';
    }
    return one_line(text);
}

} // namespace dynalock::cli
