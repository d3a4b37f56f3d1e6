// SPDX-License-Identifier: BSL-1.0
// Everything of dynalock in one include.
#ifndef DYNALOCK_DYNALOCK_HPP
#define DYNALOCK_DYNALOCK_HPP

#include <dynalock/attribute_value.hpp>
#include <dynalock/client.hpp>
#include <dynalock/client_options.hpp>
#include <dynalock/config.hpp>
#include <dynalock/credentials.hpp>
#include <dynalock/diagnostics.hpp>
#include <dynalock/error.hpp>
#include <dynalock/kv_pair.hpp>
#include <dynalock/lock_info.hpp>
#include <dynalock/lock_options.hpp>
#include <dynalock/locker.hpp>
#include <dynalock/logger.hpp>
#include <dynalock/operations.hpp>
#include <dynalock/read_options.hpp>
#include <dynalock/store.hpp>
#include <dynalock/store_options.hpp>
#include <dynalock/table_options.hpp>
#include <dynalock/write_options.hpp>

#endif
