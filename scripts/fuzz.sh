#!/usr/bin/env bash
# Builds the libFuzzer targets (preset "fuzz") and runs each for a while.
#   scripts/fuzz.sh [seconds] [--save]
# Each target runs over a scratch directory holding the seed corpus (server/test/fuzz/corpus/)
# and what earlier runs found (build/fuzz/corpus/, outside the repo). With --save, new
# interesting inputs are minimised into the repo's seed corpus with -merge=1.
# Prints "fuzz <name>: ok (<runs> runs)" per target; exits non-zero on a crash.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-10}
save=0
[ "${2:-}" = --save ] && save=1
case $seconds in '' | *[!0-9]*) echo "usage: scripts/fuzz.sh [seconds] [--save]" >&2; exit 2 ;; esac

targets=(engineio socketio websocket)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
if ! { cmake --preset fuzz && cmake --build build/fuzz --target "${targets[@]/#/fuzz_}" \
    -j "${FUZZ_JOBS:-2}"; } >"$scratch/build.log" 2>&1; then
  tail -n 40 "$scratch/build.log" >&2
  echo "fuzz: build failed" >&2
  exit 1
fi
mkdir -p build/fuzz/artifacts

for name in "${targets[@]}"; do
  bin=build/fuzz/server/test/fuzz/fuzz_$name
  seeds=server/test/fuzz/corpus/$name
  found=build/fuzz/corpus/$name
  work=$scratch/$name
  mkdir -p "$work" "$found"
  cp "$seeds"/* "$work"/
  cp "$found"/* "$work"/ 2>/dev/null || true
  log=$scratch/$name.log
  if ! "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="build/fuzz/artifacts/$name-" "$work" >"$log" 2>&1; then
    tail -n 40 "$log" >&2
    echo "fuzz $name: FAILED (crash input in build/fuzz/artifacts/)" >&2
    exit 1
  fi
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$' || echo '?')
  # Keep what this run found for the next one, outside the repo (only inputs adding coverage).
  "$bin" -merge=1 "$found" "$work" >"$scratch/$name.keep.log" 2>&1
  if [ "$save" = 1 ]; then
    "$bin" -merge=1 "$seeds" "$work" >"$scratch/$name.merge.log" 2>&1
  fi
  echo "fuzz $name: ok ($runs runs)"
done
