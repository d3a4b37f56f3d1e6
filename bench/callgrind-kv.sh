#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Instructions per operation of the whole client, end to end, counted by callgrind: bench_kv runs under
# valgrind against a dynalite it starts itself (dynalite is a child process, not traced). Each operation
# runs twice, BASE and BASE + ITERATIONS timed operations; the difference of the two instruction totals
# divided by ITERATIONS is what one operation costs the client: signing, JSON, the transport, Asio's
# scheduling, the system-call wrappers (not the kernel). Start-up and the loading of the keys cancel out.
#
#   bench/callgrind-kv.sh [OP...]        (default: get put atomic_put; OP as in bench_kv --op)
#
# Environment: DYNALOCK_BENCH_BUILD_DIR (default build-bench), BASE (default 300), ITERATIONS
# (default 1000), JOBS (build jobs, default 1).
#
# The same caveat as callgrind.sh: valgrind has no SHA-NI, so the SHA-256 of signing counts more
# instructions than it executes natively on a CPU with it.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${DYNALOCK_BENCH_BUILD_DIR:-$root/build-bench}
base=${BASE:-300}
iterations=${ITERATIONS:-1000}

command -v valgrind >/dev/null || { echo "callgrind-kv.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 1; }
# shellcheck source=bench/build-target.sh
source "$root/bench/build-target.sh"
build_bench_target bench_kv
program=$build_dir/bench/bench_kv

if [ $# -gt 0 ]; then
  ops=("$@")
else
  ops=(get put atomic_put)
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Runs bench_kv under callgrind; prints "<instructions> <allocations per op>".
measure() {
  valgrind --tool=callgrind --callgrind-out-file="$tmp/out" "$program" --op "$1" --count "$2" --keys 100 \
    --json >"$tmp/stdout" 2>"$tmp/stderr" || { cat "$tmp/stderr" >&2; return 1; }
  local allocations
  allocations=$(tail -n 1 "$tmp/stdout" | sed -n 's/.*"allocations_per_op":\([0-9.]*\).*/\1/p')
  echo "$(sed -n 's/^summary: //p' "$tmp/out") $allocations"
}

printf '%-12s %16s %16s\n' op instructions/op allocations/op
for op in "${ops[@]}"; do
  read -r a _ < <(measure "$op" "$base")
  read -r b allocations < <(measure "$op" $((base + iterations)))
  printf '%-12s %16d %16s\n' "$op" $(((b - a) / iterations)) "$allocations"
done
