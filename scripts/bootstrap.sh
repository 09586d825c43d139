#!/usr/bin/env bash
# Installs every system package and npm dependency Hallway needs, and nothing else.
# Idempotent: when everything is present it only checks (a second run takes well under a second
# plus npm's own check). Safe to call from `make run`, `make test` and CI.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
quiet=${BOOTSTRAP_QUIET:-0}
say() { [ "$quiet" = 1 ] || echo "bootstrap: $*"; }
die() { echo "bootstrap: error: $*" >&2; exit 1; }

# Debian packages. Boost is pinned to the versioned 1.81 packages: the unversioned libboost-dev
# (1.74) conflicts with them and apt would fail.
packages=(
  build-essential cmake ninja-build pkg-config git curl ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libssl-dev zlib1g-dev libspdlog-dev libfmt-dev libmagic-dev
  libgtest-dev libgmock-dev
  clang libclang-rt-14-dev clang-format clang-tidy openssl ccache
)
# Services the test suites start themselves on 127.0.0.1 (they are never enabled as daemons), and
# the browser the web app's end-to-end tests drive (Debian's Chromium through playwright-core: no
# browser download) with a colour emoji font for the screenshots. Only with --test: `make run`
# needs none of them. sox (with its base formats) makes the audio files the file-sharing tests upload;
# coturn is the TURN server the call tests start (turnserver, turnutils_uclient).
test_packages=(redis-server nginx stress-ng chromium fonts-noto-color-emoji sox libsox-fmt-base coturn)

want=("${packages[@]}")
if [ "${1:-}" = "--test" ]; then want+=("${test_packages[@]}"); fi

missing=()
# Node.js 20+ may come from another repository whose nodejs package bundles npm; Debian's npm
# package would conflict with it, so node/npm are installed only when the commands are absent.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then want+=(nodejs npm); fi
for p in "${want[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || die "apt-get not found; install by hand: ${missing[*]}"
  sudo=""
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || die "not root and no sudo; run as root or install: ${missing[*]}"
    sudo="sudo"
  fi
  say "installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq || die "apt-get update failed"
  # Installing a daemon package must not start it: tests start their own instances.
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
    $sudo chmod +x /usr/sbin/policy-rc.d
    trap '$sudo rm -f /usr/sbin/policy-rc.d' EXIT
  fi
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
    || die "apt-get install failed for: ${missing[*]}"
fi

# npm dependencies of the test harness (and, once it exists, the web app). `npm ci` only when the
# lock file changed since the last install, so repeated runs stay fast.
npm_install() {
  local dir=$1
  [ -f "$dir/package.json" ] || return 0
  local stamp="$dir/node_modules/.bootstrap-stamp"
  local lock="$dir/package-lock.json"
  if [ -f "$stamp" ] && [ -f "$lock" ] && [ "$stamp" -nt "$lock" ] && [ "$stamp" -nt "$dir/package.json" ]; then
    return 0
  fi
  say "npm install in ${dir#"$here"/}"
  if [ -f "$lock" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in $dir"
  else
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error) || die "npm install failed in $dir"
  fi
  mkdir -p "$dir/node_modules" && touch "$stamp"
}
npm_install "$here/server/test/integration"
npm_install "$here/web"
if [ "${1:-}" = "--bench" ]; then npm_install "$here/bench"; fi
say "ok"
