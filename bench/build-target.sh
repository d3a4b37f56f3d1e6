# SPDX-License-Identifier: BSL-1.0
# Sourced by the bench scripts: configures $build_dir for Release benches if it is not configured
# yet, then builds one target quietly (its log is shown only when the build fails).
# Warnings stay warnings here: CI builds every target with -Werror already.
build_bench_target() {
  if [ ! -f "$build_dir/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DDYNALOCK_BUILD_TESTS=OFF \
      -DDYNALOCK_BUILD_EXAMPLES=OFF -DDYNALOCK_BUILD_BENCH=ON --log-level=WARNING
  fi
  local build_log
  build_log=$(mktemp)
  if ! cmake --build "$build_dir" --target "$1" -j "${JOBS:-1}" >"$build_log" 2>&1; then
    cat "$build_log" >&2
    rm -f "$build_log"
    exit 1
  fi
  rm -f "$build_log"
}
