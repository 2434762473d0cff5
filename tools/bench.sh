#!/usr/bin/env bash
# Reproduces folio's comparison with SQLite ":memory:" from a fresh Release
# build and writes the report to bench/results/<date>/:
#   speedup.md, speedup.png   folio vs SQLite per operation at N authors,
#                             with the targets of the benchmark issue
#   scaling.md, scaling.png   lookups, author -> books and snapshot load at
#                             N = 10,000 / 100,000 / 1,000,000 / 5,000,000
#   *.json, machine.txt       the raw Google Benchmark output and the machine
#
# Usage: tools/bench.sh [--n=1000000] [--repetitions=3] [--no-5m] [--no-scaling]
#                       [--build-dir=build/bench] [--out=bench/results/<date>]
#                       [--reuse-build] [--report-only] [-- extra cmake arguments]
# The 5,000,000 run is skipped by --no-5m, and on its own when the memory it
# needs (extrapolated from the scaling runs at 100,000 and 1,000,000) does not
# fit in MemAvailable.
# --report-only rewrites the tables and charts from the JSON already in --out.
# Takes about 8 minutes on 2 cores of the AMD EPYC machine (2026-12-05), the
# build and the scaling run at 5,000,000 (3 minutes) included.
set -euo pipefail
cd "$(dirname "$0")/.."
invocation="tools/bench.sh${*:+ $*}"

n=1000000
repetitions=3
with_5m=1
with_scaling=1
build=build/bench
out=""
reuse=0
report_only=0
cmake_extra=()
while (($#)); do
  case "$1" in
    --n=*) n="${1#*=}" ;;
    --repetitions=*) repetitions="${1#*=}" ;;
    --no-5m) with_5m=0 ;;
    --no-scaling) with_scaling=0 ;;
    --build-dir=*) build="${1#*=}" ;;
    --out=*) out="${1#*=}" ;;
    --reuse-build) reuse=1 ;;
    --report-only) report_only=1 ;;
    --) shift; cmake_extra=("$@"); break ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done
out="${out:-bench/results/$(date -u +%Y-%m-%d)}"
mkdir -p "$out"
log() { printf '\n==== %s\n' "$*" >&2; }
scaling_filter='BM_(AuthorById|AuthorByEmail|AuthorProfile|ProfileAuthor|AuthorBooks|BookByAuthorTitle|SnapshotLoad)/'

build_bench() {
  log "fresh Release build in $build"
  ((reuse)) || rm -rf "$build"
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DFOLIO_BUILD_BENCHMARKS=ON \
    -DFOLIO_BUILD_TESTS=OFF -DFOLIO_BUILD_TOOLS=OFF "${cmake_extra[@]}" >/dev/null
  cmake --build "$build" -j "$(nproc)" --target folio_bench
}

describe_machine() {
  echo "date:     $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "commit:   $(git rev-parse --short HEAD 2>/dev/null || echo '?')$(git diff --quiet HEAD 2>/dev/null || echo ' (with uncommitted changes)')"
  echo "cpu:      $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'), $(nproc) cores"
  echo "memory:   $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "load:     $(cut -d' ' -f1-3 /proc/loadavg) (1, 5, 15 min) at the start"
  echo "kernel:   $(uname -r), transparent huge pages $(cat /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null || echo '?')"
  echo "compiler: $(c++ --version | head -1)"
  echo "sqlite:   $(sqlite3 --version 2>/dev/null | cut -d' ' -f1 || echo '?') (libsqlite3-dev)"
  echo "build:    Release (-O3 -DNDEBUG)"
}

# The peak resident memory a lean scaling run at 5,000,000 authors needs, in
# KiB: the line through the peaks of the lean runs at 100,000 and 1,000,000
# (their JSON's peak_rss_mib), extended to 5,000,000, with a tenth more.
memory_for_5m() {
  python3 - "$out/scaling-100000.json" "$out/scaling-1000000.json" <<'PY'
import json, sys
points = []
for path in sys.argv[1:]:
    data = json.load(open(path))
    peak = max(b.get("peak_rss_mib", 0) for b in data["benchmarks"])
    points.append((int(data["context"]["folio_authors"]), peak))
(n0, p0), (n1, p1) = points
need_mib = p1 + (p1 - p0) * (5_000_000 - n1) / (n1 - n0)
print(int(need_mib * 1.1 * 1024))
PY
}

plot_speedup() {
  gnuplot <<EOF
set terminal pngcairo size 1100,620 font ",10"
set output "$out/speedup.png"
set title "folio speed-up over SQLite :memory: at N = $1 authors (log scale; bars: measured, dashes: target)"
set style fill solid 0.8 border -1
set boxwidth 0.6
set logscale y
set yrange [0.03:200]
set ylabel "SQLite time / folio time (memory: SQLite bytes / folio bytes)"
set xtics rotate by -35 left noenhanced font ",9"
set bmargin 6
set rmargin 8
set grid ytics
set key top right
set arrow from graph 0, first 1 to graph 1, first 1 nohead dt 2 lc rgb "#555555"
set xrange [-0.7:*]
plot "$out/speedup.dat" using 1:(\$5 == 1 ? \$3 : 1/0):xtic(2) with boxes lc rgb "#2e8b57" title "target met", \
     "" using 1:(\$5 == 0 ? \$3 : 1/0):xtic(2) with boxes lc rgb "#cd3333" title "target not met", \
     "" using 1:4:(0.4) with xerrorbars pt 0 lw 3 lc rgb "#000000" title "target", \
     "" using 1:3:(sprintf("%.3gx", \$3)) with labels offset 0,0.8 notitle
EOF
}

plot_scaling() {
  gnuplot <<EOF
set terminal pngcairo size 1100,620 font ",10"
set output "$out/scaling.png"
set title "CPU time per operation as N grows (solid: folio, dashed: SQLite; snapshot load per row)"
set logscale xy
set xlabel "N authors (6.9 N rows)"
set ylabel "ns per operation"
set format x "%.0s%c"
set grid
set key outside right noenhanced
colors = "#1f77b4 #ff7f0e #2ca02c #d62728 #9467bd #8c564b #e377c2"
labels = "by-id by-email author-to-profile profile-to-author author-to-books book-by-title snapshot-load/row"
plot for [i=1:7] "$out/scaling.dat" using 1:(column(2*i)) with linespoints lw 2 pt 7 \
       lc rgb word(colors, i) title word(labels, i), \
     for [i=1:7] "" using 1:(column(2*i+1)) with linespoints lw 2 pt 6 dt 2 \
       lc rgb word(colors, i) notitle
EOF
}

if ((!report_only)); then
  build_bench
  bench="$build/bench/folio_bench"
  snapshots="$build/snapshots"   # on disk, not tmpfs: the saves fsync
  mkdir -p "$snapshots"
  describe_machine >"$out/machine.txt"
  echo "$invocation" >"$out/command.txt"

  log "N = $n, $repetitions repetitions: every operation"
  "$bench" --n="$n" --dir="$snapshots" --benchmark_repetitions="$repetitions" \
    --benchmark_report_aggregates_only=true \
    --benchmark_out="$out/speedup.json" --benchmark_out_format=json

  if ((with_scaling)); then
    # Lean runs (folio_bench --lean=yes: the workload's rows released before
    # the snapshot loads, one untimed load per side first), one per N, the
    # 1,000,000 one included, so that the table compares like with like.
    scaling_run() {
      log "scaling: N = $1"
      "$bench" --n="$1" --lean=yes --dir="$snapshots" \
        --benchmark_filter="$scaling_filter" \
        --benchmark_out="$out/scaling-$1.json" --benchmark_out_format=json
    }
    for size in 10000 100000 1000000; do scaling_run "$size"; done
    if ((with_5m)); then
      need_kib=$(memory_for_5m)
      avail_kib=$(awk '/MemAvailable/ {print $2}' /proc/meminfo)
      if ((need_kib < avail_kib)); then
        log "N = 5,000,000 needs about $((need_kib / 1048576)) GiB, $((avail_kib / 1048576)) GiB available"
        # A run that fails (the kernel's OOM killer, say) is left out of the
        # report rather than ending the script.
        scaling_run 5000000 || {
          log "the N = 5,000,000 run failed (status $?): left out"
          rm -f "$out/scaling-5000000.json"
        }
      else
        log "skipping N = 5,000,000: needs about $((need_kib / 1048576)) GiB, $((avail_kib / 1048576)) GiB available"
      fi
    fi
  fi
  rm -rf "$snapshots"
fi

log "report in $out"
python3 tools/bench_report.py speedup "$out/speedup.json" "$out" \
  --machine "$out/machine.txt" --command "$(cat "$out/command.txt" 2>/dev/null || echo "$invocation")"
plot_speedup "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["context"]["folio_authors"])' "$out/speedup.json")"
scaling_jsons=("$out"/scaling-*.json)
if [[ -e "${scaling_jsons[0]}" ]]; then
  python3 tools/bench_report.py scaling "$out" "${scaling_jsons[@]}"
  plot_scaling
fi
cat "$out/speedup.md"
