#!/usr/bin/env bash
# Runs every test suite against the ASan/UBSan build and prints one summary line
# `N passed, N failed` (the line CI reads). `scripts/test.sh layers|unit|integration|web|tsan|fuzz`
# runs one suite (tsan needs build/tsan: `make build-tsan`; web needs the export: `make web`);
# FUZZ_SECONDS sets the fuzzing time per target (default 10).
set -uo pipefail
cd "$(dirname "$0")/.."
build=${HALLWAY_BUILD:-build/asan}
only=${1:-all}
export HALLWAY_BIN=${HALLWAY_BIN:-$PWD/$build/server/hallway}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:halt_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
logs=$(mktemp -d)
passed=0 failed=0 suites_failed=()
start=$(date +%s)

count() { # suite-name passed failed
  passed=$((passed + $2)); failed=$((failed + $3))
  printf 'suite %-12s %4d passed, %d failed\n' "$1" "$2" "$3" >>"$logs/summary"
}

# The layering check (docs/design.md "Layers"): its self-test (a fixture tree of violating
# includes must be reported exactly), then the #include lines of server/src. A second; first.
if [ "$only" = all ] || [ "$only" = layers ]; then
  echo "== layers (#include rules of server/src)"
  np=0 nf=0
  for args in --self-test ""; do
    # shellcheck disable=SC2086 # "" (no argument) checks server/src
    if node scripts/check_layers.mjs $args; then
      np=$((np + 1))
    else
      nf=$((nf + 1))
    fi
  done
  count layers "$np" "$nf"
  [ "$nf" != 0 ] && suites_failed+=(layers)
fi

if [ "$only" = all ] || [ "$only" = unit ]; then
  echo "== unit tests (ctest)"
  ctest --test-dir "$build" --output-on-failure -j "$(nproc)" 2>&1 | tee "$logs/ctest.log"
  rc=${PIPESTATUS[0]}
  total=$(grep -oE 'tests passed, [0-9]+ tests failed out of [0-9]+' "$logs/ctest.log" | grep -oE '[0-9]+$' || echo 0)
  nfail=$(grep -oE '[0-9]+ tests failed out of' "$logs/ctest.log" | grep -oE '^[0-9]+' || echo 0)
  [ "$rc" != 0 ] && [ "$nfail" = 0 ] && nfail=1
  count unit $((total - nfail)) "$nfail"
  [ "$rc" != 0 ] && suites_failed+=(unit)
fi

# Runs node --test in server/test/integration on the given files (globs are expanded there; all
# test files when none is given) and counts it as suite $1. Environment set by the caller applies.
# NODE_SUITE_DIR runs it in another directory instead.
node_suite() {
  local name=$1 rc np nf
  shift
  # shellcheck disable=SC2068 # the globs are meant to expand inside the test directory
  (cd "${NODE_SUITE_DIR:-server/test/integration}" && node --test --test-concurrency=2 \
      --test-reporter=spec --test-reporter-destination=stdout \
      --test-reporter=tap --test-reporter-destination="$logs/$name.tap" $@ 2>&1) \
    | tee "$logs/$name.log"
  rc=${PIPESTATUS[0]}
  np=$(grep -E '^# pass ' "$logs/$name.tap" | tail -1 | awk '{print $3}')
  nf=$(grep -E '^# fail ' "$logs/$name.tap" | tail -1 | awk '{print $3}')
  np=${np:-0}; nf=${nf:-0}
  [ "$rc" != 0 ] && [ "$nf" = 0 ] && nf=1
  count "$name" "$np" "$nf"
  [ "$rc" != 0 ] && suites_failed+=("$name")
}

if [ "$only" = all ] || [ "$only" = integration ]; then
  echo "== integration tests (node --test, real binary)"
  node_suite integration
fi

# The web app: its unit tests (Vitest), the event-name check (docs/protocol.md, hallway
# --list-events and the client's event map name the same events) and the end-to-end suite (Debian's
# Chromium through playwright-core against $HALLWAY_BIN serving the real export web/out).
if [ "$only" = all ] || [ "$only" = web ]; then
  echo "== web (unit tests, event names, end-to-end in Chromium)"
  wstart=$(date +%s)
  if [ ! -f web/package.json ] || [ ! -f web/out/index.html ]; then
    echo "no web app or no export in web/out: run 'make web' first"
    count web 0 1
    suites_failed+=(web)
  else
    (cd web && npm run --silent test:unit 2>&1) | tee "$logs/web-unit.log"
    rc=${PIPESTATUS[0]}
    # Vitest's summary: "Tests  2 failed | 40 passed (42)" (colour codes removed first).
    summary=$(sed 's/\x1b\[[0-9;]*m//g' "$logs/web-unit.log" | grep -E '^ *Tests +[0-9]' | tail -1)
    np=$(grep -oE '[0-9]+ passed' <<<"$summary" | grep -oE '[0-9]+' || echo 0)
    nf=$(grep -oE '[0-9]+ failed' <<<"$summary" | grep -oE '[0-9]+' || echo 0)
    [ "$rc" != 0 ] && [ "$nf" = 0 ] && nf=1
    count web-unit "$np" "$nf"
    [ "$rc" != 0 ] && suites_failed+=(web-unit)
    NODE_SUITE_DIR=web/e2e node_suite web-events events.test.mjs
    # shellcheck disable=SC2046 # one argument per file
    NODE_SUITE_DIR=web/e2e node_suite web-e2e $(cd web/e2e && ls ./*.test.mjs | grep -v '^./events.test.mjs$')
  fi
  echo "web stage: $(( $(date +%s) - wstart )) s" >>"$logs/summary"
fi

# The realtime and chat suites again, against the ThreadSanitizer build with 4 I/O threads: a
# data race makes the server exit (halt_on_error), which fails the test that was running.
if [ "$only" = all ] || [ "$only" = tsan ]; then
  echo "== tsan (realtime_*, chat_*, files_share/files_lifetime and calls against build/tsan, 4 I/O threads)"
  tsan=${HALLWAY_TSAN_BUILD:-build/tsan} root=$PWD
  tstart=$(date +%s)
  if [ ! -x "$tsan/server/hallway" ] || [ ! -x "$tsan/server/test/hallway-test-server" ]; then
    echo "no TSan build in $tsan: run 'make build-tsan' first"
    count tsan 0 1
    suites_failed+=(tsan)
  else
    HALLWAY_BIN="$root/$tsan/server/hallway" \
    HALLWAY_TEST_SERVER_BIN="$root/$tsan/server/test/hallway-test-server" \
    HALLWAY_TEST_THREADS=${HALLWAY_TEST_THREADS:-4} \
    TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$root/server/test/tsan.supp" \
      node_suite tsan 'realtime_*.test.mjs' 'chat_*.test.mjs' 'files_share.test.mjs' 'files_lifetime.test.mjs' 'calls.test.mjs'
  fi
  echo "tsan stage: $(( $(date +%s) - tstart )) s" >>"$logs/summary"
fi

if [ "$only" = all ] || [ "$only" = fuzz ]; then
  echo "== fuzz (libFuzzer, ${FUZZ_SECONDS:-10} s per target)"
  scripts/fuzz.sh "${FUZZ_SECONDS:-10}" 2>&1 | tee "$logs/fuzz.log"
  rc=${PIPESTATUS[0]}
  np=$(grep -c ': ok (' "$logs/fuzz.log" || true)
  nf=$(grep -c 'FAILED' "$logs/fuzz.log" || true)
  [ "$rc" != 0 ] && [ "$nf" = 0 ] && nf=1
  count fuzz "$np" "$nf"
  [ "$rc" != 0 ] && suites_failed+=(fuzz)
fi

echo
cat "$logs/summary"
echo "time: $(( $(date +%s) - start )) s"
[ ${#suites_failed[@]} -gt 0 ] && echo "failed suites: ${suites_failed[*]}"
echo "$passed passed, $failed failed"
rm -rf "$logs"
[ "$failed" = 0 ] && [ ${#suites_failed[@]} = 0 ]
