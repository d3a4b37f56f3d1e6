#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Instructions per operation of the core workloads, counted by callgrind: unlike wall-clock time this is
# the same on a busy machine. Each workload runs twice under valgrind, BASE and BASE + ITERATIONS times
# (bench_core_iterate); the difference divided by ITERATIONS is the cost of one operation, with process
# start-up, OpenSSL initialization and fixture set-up cancelled out.
#
#   bench/callgrind.sh [WORKLOAD...]       (default: every workload; bench_core_iterate --list)
#
# Environment: DYNALOCK_BENCH_BUILD_DIR (default build-bench), BASE (default 100), ITERATIONS
# (default 1000), JOBS (build jobs, default 1).
#
# Caveat: valgrind does not emulate the SHA extensions (SHA-NI), so OpenSSL takes its software SHA-256
# path under it: hashing counts more instructions than it does natively on a CPU with SHA-NI.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${DYNALOCK_BENCH_BUILD_DIR:-$root/build-bench}
base=${BASE:-100}
iterations=${ITERATIONS:-1000}

command -v valgrind >/dev/null || { echo "callgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
# shellcheck source=bench/build-target.sh
source "$root/bench/build-target.sh"
build_bench_target bench_core_iterate
program=$build_dir/bench/bench_core_iterate

if [ $# -gt 0 ]; then
  workloads=("$@")
else
  mapfile -t workloads < <("$program" --list | cut -d' ' -f1)
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Instructions executed by one run of the program.
instructions() {
  valgrind --tool=callgrind --callgrind-out-file="$tmp/out" "$program" --op "$1" --iterations "$2" \
    >"$tmp/stdout" 2>"$tmp/stderr" || { cat "$tmp/stderr" >&2; return 1; }
  sed -n 's/^summary: //p' "$tmp/out"
}

printf '%-28s %14s\n' workload instructions/op
for w in "${workloads[@]}"; do
  a=$(instructions "$w" "$base")
  b=$(instructions "$w" $((base + iterations)))
  printf '%-28s %14d\n' "$w" $(((b - a) / iterations))
done
