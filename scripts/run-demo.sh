#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# The demo command: installs whatever is missing, builds the quick-start examples (the raw client,
# then the store) and the lock contention bench, starts dynalite on a free loopback port and runs them
# against it: the examples, then a few seconds of lock contention (2 processes x 4 contenders on one
# key) whose table shows throughput, handover latency, fairness, DynamoDB requests per acquisition and
# mutual-exclusion violations (0). Exits with the first failing step's status (0 when all pass);
# dynalite is stopped however the script ends (success, failure, Ctrl-C).
#
#   scripts/run-demo.sh             # build dir: build/ (DYNALOCK_BUILD_DIR=... to use another)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build_dir=${DYNALOCK_BUILD_DIR:-$root/build}
deps_dir=${DYNALOCK_DEPS_DIR:-$root/.deps}

if [ ! -f "$root/examples/quickstart.cpp" ]; then
  echo "run-demo: examples/quickstart.cpp does not exist (yet): nothing to run" >&2
  exit 1
fi

bash "$root/scripts/install-deps.sh"

cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDYNALOCK_WERROR=ON \
  -DDYNALOCK_BUILD_EXAMPLES=ON -DDYNALOCK_BUILD_BENCH=ON --log-level=WARNING
cmake --build "$build_dir" --target example_quickstart example_store_quickstart lock_contention \
  -j "${DYNALOCK_JOBS:-2}"
examples=("$build_dir/examples/example_quickstart" "$build_dir/examples/example_store_quickstart")
contention="$build_dir/bench/lock_contention"
for example in "${examples[@]}" "$contention"; do
  if [ ! -x "$example" ]; then
    echo "run-demo: the build did not produce $example" >&2
    exit 1
  fi
done

work=$(mktemp -d "${TMPDIR:-/tmp}/dynalock-demo.XXXXXX")
log="$work/dynalite.log"
dynalite_pid=
# shellcheck disable=SC2317 # called through the trap
cleanup() {
  if [ -n "$dynalite_pid" ] && kill -0 "$dynalite_pid" 2>/dev/null; then
    kill -TERM "$dynalite_pid" 2>/dev/null || true
    wait "$dynalite_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Port 0: dynalite takes whatever the kernel gives and reports it, so there is no window in which
# another program could grab a port picked in advance.
node "$root/scripts/dynalite-server.js" --port 0 --host 127.0.0.1 \
  --node-modules "$deps_dir/node_modules" >"$log" 2>&1 &
dynalite_pid=$!

port=
for _ in $(seq 1 600); do # up to 30 s, in short steps
  port=$(sed -n 's/^listening \([0-9][0-9]*\)$/\1/p' "$log")
  [ -n "$port" ] && break
  if ! kill -0 "$dynalite_pid" 2>/dev/null; then
    echo "run-demo: dynalite did not start:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.05
done
if [ -z "$port" ]; then
  echo "run-demo: dynalite did not report its port within 30 s:" >&2
  cat "$log" >&2
  exit 1
fi
version=$(sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' "$deps_dir/node_modules/dynalite/package.json")
echo "run-demo: dynalite $version listening on 127.0.0.1:$port"

# dynalite accepts any well-formed signature: the demo gets throwaway credentials, so that real ones from
# the environment are never used for it.
status=0
for example in "${examples[@]}"; do
  echo "run-demo: running $(basename "$example")"
  set +e
  env -u AWS_SESSION_TOKEN -u AWS_PROFILE AWS_ACCESS_KEY_ID=dynalock-demo AWS_SECRET_ACCESS_KEY=dynalock-demo \
    AWS_REGION="${AWS_REGION:-us-east-1}" "$example" --endpoint "http://127.0.0.1:$port"
  status=$?
  set -e
  [ "$status" -eq 0 ] || break
done
if [ "$status" -eq 0 ]; then
  echo "run-demo: lock contention for a few seconds (bench/README.md explains the figures)"
  set +e
  env -u AWS_SESSION_TOKEN -u AWS_PROFILE AWS_ACCESS_KEY_ID=dynalock-demo AWS_SECRET_ACCESS_KEY=dynalock-demo \
    AWS_REGION="${AWS_REGION:-us-east-1}" "$contention" --endpoint "http://127.0.0.1:$port" \
    --table dynalock_demo_locks --contenders 4 --processes 2 --duration 3s --hold 1ms --lease 2s
  status=$?
  set -e
fi
exit "$status"
