#!/usr/bin/env python3
"""Turns folio_bench's JSON (Google Benchmark) into the report tables and the
gnuplot data behind the charts. Standard library only.

  bench_report.py speedup RUN.json OUT_DIR [--machine machine.txt] [--command CMD]
      -> OUT_DIR/speedup.md, OUT_DIR/speedup.dat
  bench_report.py scaling OUT_DIR N1.json N2.json ...
      -> OUT_DIR/scaling.md, OUT_DIR/scaling.dat

Times are the median of the repetitions when the run has them, else the single
run. Speed-up is SQLite's time over folio's (higher is better for folio); for
resident memory it is SQLite's bytes per row over folio's, so that 1.0 or more
meets "folio uses no more than SQLite".
"""
import argparse
import json
import sys

# (label, folio benchmark, SQLite benchmark, target speed-up, measure):
# "cpu" is the thread's CPU time per operation (steady on a shared machine;
# includes system time), "wall" the elapsed time (for saves, which wait for
# fsync, and loads, which folio runs on two threads), "memory" resident bytes
# per row.
OPERATIONS = [
    ("bulk insert (one transaction)", "BM_BulkInsert/folio", "BM_BulkInsert/sqlite", 5.0, "cpu"),
    ("bulk insert into a fresh database (bulk_restore)", "BM_BulkInsertFresh/folio", "BM_BulkInsert/sqlite", 5.0, "cpu"),
    ("author by id", "BM_AuthorById/folio", "BM_AuthorById/sqlite", 30.0, "cpu"),
    ("author by email", "BM_AuthorByEmail/folio", "BM_AuthorByEmail/sqlite", 20.0, "cpu"),
    ("author -> profile", "BM_AuthorProfile/folio", "BM_AuthorProfile/sqlite", 40.0, "cpu"),
    ("profile -> author", "BM_ProfileAuthor/folio", "BM_ProfileAuthor/sqlite", 30.0, "cpu"),
    ("author -> books (5 rows)", "BM_AuthorBooks/folio", "BM_AuthorBooks/sqlite", 10.0, "cpu"),
    ("book by (author_id, title)", "BM_BookByAuthorTitle/folio", "BM_BookByAuthorTitle/sqlite", 20.0, "cpu"),
    ("update of an email", "BM_UpdateEmail/folio", "BM_UpdateEmail/sqlite", 25.0, "cpu"),
    ("update of an email, in db.atomic", "BM_UpdateEmailInAtomic/folio", "BM_UpdateEmail/sqlite", 25.0, "cpu"),
    ("cascade delete of an author", "BM_CascadeDelete/folio", "BM_CascadeDelete/sqlite", 20.0, "cpu"),
    ("snapshot save (with fsync)", "BM_SnapshotSave/folio", "BM_SnapshotSave/sqlite", 2.0, "wall"),
    ("snapshot load", "BM_SnapshotLoad/folio", "BM_SnapshotLoad/sqlite", 1.5, "wall"),
    ("resident memory per row", "BM_ResidentMemory/folio", "BM_ResidentMemory/sqlite", 1.0, "memory"),
]

# Measured beside the targets, not against them: the paths from a row (author
# -> profile, profile -> author, author -> books) started from a reference to
# the row in folio's table rather than a row the caller holds. The row is out
# of the cache, so folio reads memory once more (for the row's id) than the
# SQLite side, which starts from the id. (label, folio, SQLite benchmark.)
FROM_REFERENCE = [
    ("author -> profile, from a reference out of the cache",
     "BM_AuthorProfileFromReference/folio", "BM_AuthorProfile/sqlite"),
    ("profile -> author, from a reference out of the cache",
     "BM_ProfileAuthorFromReference/folio", "BM_ProfileAuthor/sqlite"),
    ("author -> books (5 rows), from a reference out of the cache",
     "BM_AuthorBooksFromReference/folio", "BM_AuthorBooks/sqlite"),
]

# The labels of the chart.
SHORT = {
    'bulk insert (one transaction)': 'bulk insert',
    'bulk insert into a fresh database (bulk_restore)': 'bulk insert, fresh db',
    'author by id': 'by id',
    'author by email': 'by email',
    'author -> profile': 'author->profile',
    'profile -> author': 'profile->author',
    'author -> books (5 rows)': 'author->books',
    'book by (author_id, title)': 'book by title',
    'update of an email': 'update email',
    'update of an email, in db.atomic': 'update in atomic',
    'cascade delete of an author': 'cascade delete',
    'snapshot save (with fsync)': 'snapshot save',
    'snapshot load': 'snapshot load',
    'resident memory per row': 'memory per row',
}

# The operations of the scaling run, and the short names of the chart.
SCALING = [
    ("author by id", "BM_AuthorById", "by id"),
    ("author by email", "BM_AuthorByEmail", "by email"),
    ("author -> profile", "BM_AuthorProfile", "author->profile"),
    ("profile -> author", "BM_ProfileAuthor", "profile->author"),
    ("author -> books (5 rows)", "BM_AuthorBooks", "author->books"),
    ("book by (author_id, title)", "BM_BookByAuthorTitle", "book by title"),
    ("snapshot load, per row", "BM_SnapshotLoad", "snapshot load/row"),
]

TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}


def base_name(run_name):
    """'BM_BulkInsert/folio/manual_time' -> 'BM_BulkInsert/folio'."""
    return "/".join(run_name.split("/")[:2])


def load(path):
    """Results by base name: {'cpu': ns, 'wall': ns, 'counters': {...}} per iteration."""
    with open(path) as f:
        data = json.load(f)
    singles, medians = {}, {}
    for b in data.get("benchmarks", []):
        if b.get("error_occurred"):
            raise SystemExit("%s: %s failed: %s" % (path, b["name"], b.get("error_message")))
        name = base_name(b.get("run_name", b["name"]))
        unit = TO_NS[b.get("time_unit", "ns")]
        counters = {k: v for k, v in b.items() if isinstance(v, (int, float))}
        manual = "manual_time" in b.get("run_name", b["name"])
        entry = {
            "wall": b["real_time"] * unit,
            # Whole-database benchmarks time a section of each iteration and
            # publish its CPU time as cpu_ns; the others are timed whole.
            "cpu": counters["cpu_ns"] if manual and "cpu_ns" in counters
                   else b["cpu_time"] * unit,
            "counters": counters,
        }
        if b.get("run_type") == "aggregate":
            if b.get("aggregate_name") == "median":
                medians[name] = entry
        else:
            singles.setdefault(name, entry)  # first repetition when not aggregated
    singles.update(medians)
    return data.get("context", {}), singles


def human_time(ns):
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return "%.3g %s" % (ns / scale, unit)
    return "%.3g ns" % ns


def cmd_speedup(args):
    context, results = load(args.json)
    rows, dat = [], []
    for label, folio_name, sqlite_name, target, kind in OPERATIONS:
        f, s = results.get(folio_name), results.get(sqlite_name)
        if f is None or s is None:
            measure = "cpu" if kind == "memory" else kind
            rows.append("| %s | %s | %s | n/a | %s | not measured |" % (
                label, "—" if f is None else human_time(f[measure]),
                "—" if s is None else human_time(s[measure]), target_text(target, kind)))
            continue
        if kind == "memory":
            fv, sv = f["counters"]["rss_bytes_per_row"], s["counters"]["rss_bytes_per_row"]
            ratio = sv / fv
            cells = ("%.0f B/row" % fv, "%.0f B/row" % sv,
                     "%.2fx (folio/SQLite = %.2f)" % (ratio, fv / sv))
        else:
            ratio = s[kind] / f[kind]
            cells = (human_time(f[kind]), human_time(s[kind]), "%.2fx" % ratio)
        met = ratio >= target
        rows.append("| %s | %s | %s | %s | %s | %s |" % (
            (label,) + cells + (target_text(target, kind), "yes" if met else
                                "**no** (%.0f%% of target)" % (100 * ratio / target))))
        dat.append((SHORT.get(label, label), ratio, target, 1 if met else 0))

    n = context.get("folio_authors", "?")
    out = []
    out.append("# folio vs SQLite `:memory:`, N = %s authors (%s rows)\n" % (
        n, context.get("folio_rows", "?")))
    if args.command:
        out.append("Command: `%s`  " % args.command)
    out.append("Run: %s, %s CPUs at %s MHz, Google Benchmark, one process, same run; "
               "times are the median of the repetitions: CPU time of the\n"
               "thread per operation (steady on a shared machine), except snapshot save and "
               "load: elapsed time, as a save waits for fsync and folio loads on two threads.\n" % (
                   context.get("date", "?"), context.get("num_cpus", "?"),
                   context.get("mhz_per_cpu", "?")))
    if args.machine:
        with open(args.machine) as m:
            out.append("```\n%s```\n" % m.read())
    out.append("Speed-up is SQLite's time over folio's; for memory it is SQLite's "
               "resident bytes per row over folio's (1.0x or more meets the target).\n")
    out.append("| operation | folio | SQLite | speed-up | target | met? |")
    out.append("|---|---:|---:|---:|---:|---|")
    out.extend(rows)
    out.append("")
    reference = []
    for label, folio_name, sqlite_name in FROM_REFERENCE:
        f, s = results.get(folio_name), results.get(sqlite_name)
        if f is not None and s is not None:
            reference.append("| %s | %s | %s | %.2fx |" % (
                label, human_time(f["cpu"]), human_time(s["cpu"]), s["cpu"] / f["cpu"]))
    if reference:
        out.append("The same paths started from a reference to the row in folio's table, "
                   "out of the cache, instead of a row the caller holds (one more round trip "
                   "to memory on folio's side; not the targets' measure):\n")
        out.append("| operation | folio | SQLite | speed-up |")
        out.append("|---|---:|---:|---:|")
        out.extend(reference)
        out.append("")
    extra = [(k, v) for k, v in sorted(results.items())
             if k.startswith("BM_ResidentMemory")]
    if extra:
        out.append("Memory detail (growth while each side was built): ")
        for k, v in extra:
            c = v["counters"]
            out.append("- %s: RSS %.0f MiB, %.1f B/row; malloc heap %.1f B/row" % (
                k.split("/")[1], c.get("rss_mib", 0), c.get("rss_bytes_per_row", 0),
                c.get("heap_bytes_per_row", 0)))
        out.append("")
    files = [(k, v) for k, v in sorted(results.items())
             if k.startswith("BM_SnapshotSave") and "file_mib" in v["counters"]]
    if files:
        out.append("Snapshot files: " + "; ".join(
            "%s %.0f MiB (%.1f B/row)" % (k.split("/")[1], v["counters"]["file_mib"],
                                          v["counters"]["file_bytes_per_row"])
            for k, v in files) + "\n")
    with open(args.out + "/speedup.md", "w") as f:
        f.write("\n".join(out))
    with open(args.out + "/speedup.dat", "w") as f:
        f.write("# index label speedup target met\n")
        for i, (label, ratio, target, met) in enumerate(dat):
            f.write('%d "%s" %.6g %.6g %d\n' % (i, label, ratio, target, met))


def target_text(target, kind):
    return "folio ≤ 1.0x SQLite" if kind == "memory" else "≥ %gx" % target


def cmd_scaling(args):
    runs = []
    for path in args.json:
        context, results = load(path)
        runs.append((int(context["folio_authors"]), int(context["folio_rows"]), results))
    runs.sort(key=lambda r: r[0])
    out = ["# How the cost grows with N\n",
           "CPU time per operation (snapshot load: elapsed time per row, i.e. the whole load "
           "divided by the number of rows), folio / SQLite / speed-up, from one run per N "
           "(`folio_bench --lean=yes`: the workload's rows are released before the snapshot "
           "loads, and each side loads once untimed before the timed load).\n"]
    header = "| operation | " + " | ".join("N = {:,}".format(n) for n, _, _ in runs) + " |"
    out.append(header)
    out.append("|---|" + "---:|" * len(runs))
    dat = ["# n " + " ".join("%s_folio %s_sqlite" % (short, short)
                             for _, _, short in SCALING).replace("->", "_to_")]
    table = {}
    for label, bench, short in SCALING:
        cells = []
        for n, rows, results in runs:
            f, s = results.get(bench + "/folio"), results.get(bench + "/sqlite")
            if f is None or s is None:
                cells.append("—")
                table[(bench, n)] = (float("nan"), float("nan"))
                continue
            fns, sns = f["cpu"], s["cpu"]
            if bench == "BM_SnapshotLoad":
                # Elapsed: folio loads on two threads.
                fns, sns = f["wall"] / rows, s["wall"] / rows
            table[(bench, n)] = (fns, sns)
            cells.append("%s / %s / %.1fx" % (human_time(fns), human_time(sns), sns / fns))
        out.append("| %s | %s |" % (label, " | ".join(cells)))
    for n, _, _ in runs:
        vals = []
        for _, bench, _ in SCALING:
            fns, sns = table[(bench, n)]
            vals.append("%.6g %.6g" % (fns, sns))
        dat.append("%d %s" % (n, " ".join(vals)))
    with open(args.out + "/scaling.md", "w") as f:
        f.write("\n".join(out) + "\n")
    with open(args.out + "/scaling.dat", "w") as f:
        f.write("\n".join(dat) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    sp = sub.add_parser("speedup")
    sp.add_argument("json")
    sp.add_argument("out")
    sp.add_argument("--machine")
    sp.add_argument("--command")
    sc = sub.add_parser("scaling")
    sc.add_argument("out")
    sc.add_argument("json", nargs="+")
    args = p.parse_args()
    {"speedup": cmd_speedup, "scaling": cmd_scaling}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
