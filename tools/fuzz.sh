#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz/) with clang under AddressSanitizer
# and UndefinedBehaviorSanitizer, and runs each on a copy of its seed corpus
# for a bounded time. Fails when a target crashes, leaks, times out or
# exceeds the memory limit; the input that did it is left in build/fuzz/.
#
#   FOLIO_FUZZ_SECONDS   seconds per target (default 20)
#   FOLIO_FUZZ_BUILD     the build folder (default build/fuzz)
#   FOLIO_CMAKE_ARGS     extra arguments for the cmake configure step
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${FOLIO_FUZZ_SECONDS:-20}
build=${FOLIO_FUZZ_BUILD:-build/fuzz}
targets=(fixture csv snapshot)

# The library is instrumented for coverage too (fuzzer-no-link), so that the
# fuzzers are guided by the parsers' branches, not only their own.
# shellcheck disable=SC2086
CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DFOLIO_BUILD_FUZZERS=ON -DFOLIO_SANITIZE=address,undefined \
  -DFOLIO_MULTI_INDEX_CHECKS=ON -DFOLIO_BUILD_BENCHMARKS=OFF -DFOLIO_BUILD_TOOLS=OFF \
  -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link" ${FOLIO_CMAKE_ARGS:-} >/dev/null
cmake --build "$build" -j "$(nproc)" --target "${targets[@]/%/_fuzzer}"

status=0
for t in "${targets[@]}"; do
  corpus="$build/corpus/$t"
  mkdir -p "$corpus"
  cp -n tests/fuzz/corpus/"$t"/* "$corpus"/ 2>/dev/null || true
  if [[ $t == snapshot ]]; then
    # Snapshot files kept as test data (every format version) seed it too.
    find tests/data -maxdepth 2 -type f -name '*.folio' -exec cp -n {} "$corpus"/ \; 2>/dev/null || true
  fi
  echo "fuzz: $t for ${seconds}s"
  if ! UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
      "$build/tests/fuzz/${t}_fuzzer" "$corpus" -max_total_time="$seconds" \
      -rss_limit_mb=2048 -timeout=10 -max_len=65536 -print_final_stats=1 \
      -artifact_prefix="$build/crash-$t-" > "$build/fuzz-$t.log" 2>&1; then
    echo "fuzz: $t FAILED; the log is $build/fuzz-$t.log, the input $build/crash-$t-*" >&2
    tail -n 40 "$build/fuzz-$t.log" >&2
    status=1
  else
    grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$build/fuzz-$t.log" | tail -n 2 || true
  fi
done
exit $status
