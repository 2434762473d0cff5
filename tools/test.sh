#!/usr/bin/env bash
# Sets everything up and runs every test: the suite under AddressSanitizer and
# UndefinedBehaviorSanitizer (Debug, Boost.MultiIndex checks on), the stress
# tests under ThreadSanitizer, the suite again in Release with the program,
# the benchmark smoke run, the interop tests against Django and sqlite3 and a
# consumer project built against the installed package, and the fuzzers.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh

jobs=$(nproc)
ctest_args=(--output-on-failure -j "$jobs" --no-tests=error)

stage() { printf '\n==== %s\n' "$*"; }

stage "asan+ubsan: Debug with Boost.MultiIndex safe mode and invariant checks"
cmake -S . -B build/asan -DCMAKE_BUILD_TYPE=Debug -DFOLIO_SANITIZE=address,undefined \
  -DFOLIO_BUILD_BENCHMARKS=OFF >/dev/null
cmake --build build/asan -j "$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
  ctest --test-dir build/asan "${ctest_args[@]}"

stage "tsan: the stress tests, snapshot save and load on two threads, rehashes on four"
cmake -S . -B build/tsan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DFOLIO_SANITIZE=thread \
  -DFOLIO_BUILD_BENCHMARKS=OFF -DFOLIO_BUILD_TOOLS=OFF >/dev/null
cmake --build build/tsan -j "$jobs" --target stress_test snapshot_test pool_test
TSAN_OPTIONS=halt_on_error=1 build/tsan/tests/stress_test "[stress]"
TSAN_OPTIONS=halt_on_error=1 build/tsan/tests/snapshot_test "[parallel]"
TSAN_OPTIONS=halt_on_error=1 build/tsan/tests/pool_test "[parallel]"

stage "release: the suite, the program, the benchmark smoke run, interop"
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_INSTALL_PREFIX="$PWD/build/stage" >/dev/null
cmake --build build/release -j "$jobs"
ctest --test-dir build/release "${ctest_args[@]}"

stage "install, and a consumer project built against the installed package"
cmake --install build/release >/dev/null
cmake -S tests/consumer -B build/consumer -DCMAKE_PREFIX_PATH="$PWD/build/stage" >/dev/null
cmake --build build/consumer -j "$jobs"
build/consumer/consumer

if [[ -x tools/fuzz.sh ]]; then
  stage "fuzz: each libFuzzer target for a bounded time under AddressSanitizer"
  bash tools/fuzz.sh
fi

stage "all tests passed"
