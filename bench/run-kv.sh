#!/usr/bin/env bash
# Builds bench_kv (Release) and runs it for get and put with 1 and 64 operations in flight, each run
# against a fresh dynalite that bench_kv starts on a free loopback port, then prints one table.
#
#   bench/run-kv.sh [-- extra bench_kv arguments, e.g. --value-bytes 1000]
#
# Environment: DYNALOCK_BENCH_BUILD_DIR (default build-bench), OPS (default "get put"),
# CONCURRENCY (default "1 64"), COUNT_SEQUENTIAL (count at concurrency 1, default 5000),
# COUNT_CONCURRENT (count above 1, default 20000), JOBS (build jobs, default 1).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${DYNALOCK_BENCH_BUILD_DIR:-$root/build-bench}
ops=${OPS:-get put}
concurrency_list=${CONCURRENCY:-1 64}
count_sequential=${COUNT_SEQUENTIAL:-5000}
count_concurrent=${COUNT_CONCURRENT:-20000}
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

echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1); load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-10s %5s %7s %9s %8s %8s %8s %12s %12s %9s %8s %7s %6s\n' op conc count ops/s p50_ms p99_ms \
  max_ms client_us/op server_us/op allocs/op connects retries errors
status=0
for op in $ops; do
  for c in $concurrency_list; do
    count=$count_concurrent
    [ "$c" -eq 1 ] && count=$count_sequential
    if ! out=$("$build_dir/bench/bench_kv" --op "$op" --concurrency "$c" --count "$count" --json "${extra[@]}"); then
      status=1
    fi
    json=$(tail -n 1 <<<"$out")
    case $json in
    '{'*) ;;
    *)
      echo "bench_kv --op $op --concurrency $c failed:" >&2
      echo "$out" >&2
      status=1
      continue
      ;;
    esac
    printf '%-10s %5s %7s %9.0f %8.3f %8.3f %8.3f %12.1f %12s %9.1f %8s %7s %6s\n' "$op" "$c" "$count" \
      "$(field ops_per_s "$json")" "$(field p50_ms "$json")" "$(field p99_ms "$json")" \
      "$(field max_ms "$json")" "$(field client_cpu_us_per_op "$json")" "$(field server_cpu_us_per_op "$json")" \
      "$(field allocations_per_op "$json")" "$(field tcp_connects "$json")" "$(field retries "$json")" \
      "$(field errors "$json")"
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit "$status"
