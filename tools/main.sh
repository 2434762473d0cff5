#!/usr/bin/env bash
# Sets everything up, builds folio and runs the main job: the seed database,
# its relationships walked and printed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "$(nproc)" --target folio_cli
build/release/tools/folio tour
