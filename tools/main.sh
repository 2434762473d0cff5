#!/usr/bin/env bash
# Sets everything up, builds folio and runs the main job: the seed database,
# its relationships walked and printed; then saved as a snapshot
# (build/release/seed.folio), verified, and dumped as Django's fixture and as
# tables.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/setup.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "$(nproc)" --target folio_cli
folio=build/release/tools/folio
$folio tour
echo
$folio seed -o build/release/seed.folio
$folio verify build/release/seed.folio
$folio dump build/release/seed.folio
$folio dump build/release/seed.folio --format table
