# SPDX-License-Identifier: BSL-1.0
# Warnings for every target of the project; errors when DYNALOCK_WERROR is on (CI turns it on).
add_library(dynalock_warnings INTERFACE)
target_compile_options(dynalock_warnings INTERFACE
  $<$<CXX_COMPILER_ID:GNU,Clang>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wconversion
    -Wno-sign-conversion -Wimplicit-fallthrough $<$<BOOL:${DYNALOCK_WERROR}>:-Werror>>)
