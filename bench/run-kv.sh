#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Builds bench_kv (Release) and runs it for get, put, atomic_put, the contended compare-and-swap and
# list with 1, 16 and 64 operations in flight, each run against a fresh dynalite that bench_kv starts
# on a free loopback port, then prints one table.
#
#   bench/run-kv.sh [-- extra bench_kv arguments, e.g. --value-bytes 1000]
#
# Environment: DYNALOCK_BENCH_BUILD_DIR (default build-bench), OPS (default
# "get put atomic_put atomic_put+contended list"; atomic_put+contended is --op atomic_put --contended),
# CONCURRENCY (default "1 16 64"), COUNT_SEQUENTIAL (count at concurrency 1, default 3000),
# COUNT_CONCURRENT (count above 1, default 10000), COUNT_LIST (count of list at every concurrency,
# default 1000: a page costs dynalite far more than a GetItem), COUNT_CONTENDED (count of
# atomic_put+contended at every concurrency: a swap costs more the more coroutines contend, default
# 300), JOBS (build jobs, default 1).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${DYNALOCK_BENCH_BUILD_DIR:-$root/build-bench}
ops=${OPS:-get put atomic_put atomic_put+contended list}
concurrency_list=${CONCURRENCY:-1 16 64}
count_sequential=${COUNT_SEQUENTIAL:-3000}
count_concurrent=${COUNT_CONCURRENT:-10000}
count_list=${COUNT_LIST:-1000}
count_contended=${COUNT_CONTENDED:-300}
extra=()
if [ "${1:-}" = "--" ]; then
  shift
  extra=("$@")
fi

# shellcheck source=bench/build-target.sh
source "$root/bench/build-target.sh"
build_bench_target bench_kv

# The value of one member of bench_kv's flat JSON line.
field() { sed -n "s/.*\"$1\":\([^,}]*\).*/\1/p" <<<"$2" | tr -d '"'; }
# Items per listing call and conflicts per swap, "-" when the run has none.
extra_figure() {
  local v
  v=$(field items_per_op "$1")
  [ "$v" = null ] && v=$(field conflicts_per_op "$1")
  [ "$v" = null ] && v=-
  echo "$v"
}

echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1); load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-22s %5s %7s %9s %8s %8s %8s %12s %12s %9s %8s %7s %6s %14s\n' op conc count ops/s p50_ms p99_ms \
  max_ms client_us/op server_us/op allocs/op connects retries errors 'items|conflicts'
status=0
for op in $ops; do
  op_args=(--op "$op")
  label=$op
  if [ "$op" = atomic_put+contended ]; then
    op_args=(--op atomic_put --contended)
    label="atomic_put --contended"
  fi
  for c in $concurrency_list; do
    count=$count_concurrent
    [ "$c" -eq 1 ] && count=$count_sequential
    [ "$op" = list ] && count=$count_list
    [ "$op" = atomic_put+contended ] && count=$count_contended
    if ! out=$("$build_dir/bench/bench_kv" "${op_args[@]}" --concurrency "$c" --count "$count" --json "${extra[@]}"); then
      status=1
    fi
    json=$(tail -n 1 <<<"$out")
    case $json in
    '{'*) ;;
    *)
      echo "bench_kv ${op_args[*]} --concurrency $c failed:" >&2
      echo "$out" >&2
      status=1
      continue
      ;;
    esac
    printf '%-22s %5s %7s %9.0f %8.3f %8.3f %8.3f %12.1f %12s %9.1f %8s %7s %6s %14s\n' "$label" "$c" "$count" \
      "$(field ops_per_s "$json")" "$(field p50_ms "$json")" "$(field p99_ms "$json")" \
      "$(field max_ms "$json")" "$(field client_cpu_us_per_op "$json")" "$(field server_cpu_us_per_op "$json")" \
      "$(field allocations_per_op "$json")" "$(field tcp_connects "$json")" "$(field retries "$json")" \
      "$(field errors "$json")" "$(extra_figure "$json")"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
