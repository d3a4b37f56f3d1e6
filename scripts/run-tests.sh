#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# The test command: installs whatever is missing, builds everything with warnings as errors, and runs
# every test (unit tests, then the integration tests against real local DynamoDB servers).
#
#   scripts/run-tests.sh            # build dir: build/ (DYNALOCK_BUILD_DIR=... to use another)
#
# The last line printed is ctest's summary ("100% tests passed, 0 tests failed out of N"); the exit
# status is non-zero when anything failed. Works as root (CI) or as a user with sudo for apt.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${DYNALOCK_BUILD_DIR:-$root/build}
jobs=${DYNALOCK_JOBS:-2}

bash "$root/scripts/install-deps.sh"

cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDYNALOCK_WERROR=ON \
  --log-level=WARNING
cmake --build "$build_dir" -j "$jobs"

# ctest ends with its timing and, on failure, the list of failed tests; move the summary line to the end
# so that it is the last thing printed, whatever happened. Lines stream through as they come.
set +e
# The integration run says which real servers it started; ctest keeps a passing test's output in
# its log only, so those lines are repeated here, just before the summary line.
ctest --test-dir "$build_dir" --output-on-failure -j "$jobs" 2>&1 |
  awk -v log_file="$build_dir/Testing/Temporary/LastTest.log" '
  /^[0-9]+% tests passed, [0-9]+ tests? failed out of [0-9]+/ { summary = $0; next }
  { print; fflush() }
  END {
    while ((getline line < log_file) > 0) if (line ~ /^\[servers\] started/) print line
    if (summary != "") print summary; else print "ctest printed no summary: see above"
  }'
status=${PIPESTATUS[0]}
set -e
exit "$status"
