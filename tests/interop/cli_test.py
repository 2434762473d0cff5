#!/usr/bin/env python3
"""The folio program as people run it: subcommands, --help, exit codes
(0 done, 1 problems, 2 usage, 3 I/O or snapshot errors), errors on stderr,
and output files that are written in full or not at all.

Usage: cli_test.py --folio PATH
"""
import argparse
import os
import shutil
import stat
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from checks import check, failures  # noqa: E402


class Run:
    def __init__(self, program, cwd, *args):
        r = subprocess.run([program, *args], cwd=cwd, capture_output=True)
        self.code = r.returncode
        self.out = r.stdout
        self.err = r.stderr.decode(errors="replace")

    def __repr__(self):
        return "exit %d\nstdout: %r\nstderr: %s" % (self.code, self.out[:300], self.err[:600])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--folio", required=True)
    args = parser.parse_args()
    program = os.path.abspath(args.folio)
    work = tempfile.mkdtemp(prefix="folio-cli-")
    run = lambda *a: Run(program, work, *a)
    p = lambda name: os.path.join(work, name)

    def write(name, text):
        with open(p(name), "w", encoding="utf-8") as f:
            f.write(text)

    def read(name):
        with open(p(name), "rb") as f:
            return f.read()

    def leftovers():
        return [n for n in os.listdir(work) if ".tmp-" in n]

    try:
        # Help and usage.
        r = run("--help")
        check("folio --help exits 0 and states the exit codes",
              r.code == 0 and b"Exit codes" in r.out, r)
        for command in ("seed", "load", "dump", "verify", "stats"):
            r = run(command, "--help")
            check("folio %s --help exits 0 and states the exit codes" % command,
                  r.code == 0 and b"Exit codes: 0" in r.out and b"usage: folio " + command.encode()
                  in r.out, r)
        for argv, what in ((), "no command"), (("frobnicate",), "an unknown command"), \
                (("dump",), "dump without a file"), (("seed",), "seed without -o"), \
                (("seed", "-o"), "-o without its value"), (("seed", "-x", "f"), "an unknown option"), \
                (("load", "-o", "x.folio"), "load without inputs"), \
                (("load", "a.txt", "-o", "x.folio"), "an input that is not .json or .csv"):
            r = run(*argv)
            check("%s exits 2 with the error on stderr" % what,
                  r.code == 2 and r.out == b"" and r.err.strip() != "", r)

        # seed, verify, stats, dump.
        r = run("seed", "-o", "seed.folio")
        check("folio seed writes a snapshot quietly", r.code == 0 and os.path.exists(p("seed.folio"))
              and r.err == "" and r.out == b"", r)
        r = run("verify", "seed.folio")
        check("folio verify of a sound snapshot exits 0", r.code == 0 and b": ok" in r.out, r)
        r = run("stats", "seed.folio")
        check("folio stats names the format version, tables, rows and bytes",
              r.code == 0 and b"format version" in r.out and b"authors" in r.out and
              b"books" in r.out and b"bytes" in r.out and b"rows            10" in r.out, r)
        r = run("dump", "seed.folio")
        with open(os.path.join(HERE, "data", "seed-fixture.json"), "rb") as f:
            check("folio dump writes the seed fixture Django wrote", r.out == f.read(), r)
        r = run("dump", "seed.folio", "--format", "table", "--table", "authors")
        check("folio dump --format table prints the rows for people",
              r.code == 0 and b"George Orwell" in r.out and b"books" not in r.out, r)
        r = run("dump", "seed.folio", "--format=sql")
        check("folio dump --format=sql writes the SQL dump",
              r.code == 0 and r.out.startswith(b"-- folio SQL dump") and r.out.endswith(b"COMMIT;\n"), r)
        r = run("dump", "seed.folio", "--format", "csv", "--table", "books")
        check("folio dump --format csv --table writes one table to stdout",
              r.code == 0 and r.out.startswith(b"id,author_id,title,"), r)
        r = run("dump", "seed.folio", "--format", "csv")
        check("folio dump --format csv without --table or -o is a usage error", r.code == 2, r)
        r = run("dump", "seed.folio", "--format", "csv", "-o", "csv")
        check("folio dump --format csv -o FOLDER writes a file per table",
              r.code == 0 and sorted(os.listdir(p("csv"))) ==
              ["author_profiles.csv", "authors.csv", "books.csv"], r)
        for argv, what in ((("dump", "seed.folio", "--format", "xml"), "an unknown format"),
                           (("dump", "seed.folio", "--table", "publishers"), "an unknown table")):
            r = run(*argv)
            check("%s exits 2" % what, r.code == 2 and ("publishers" in r.err or "xml" in r.err), r)
        r = run("dump", "seed.folio", "-o", "seed.json")
        check("folio dump -o writes the file and leaves no temporary file",
              r.code == 0 and read("seed.json") == run("dump", "seed.folio").out and not leftovers(), r)

        # Devices and pipes are written in place, never replaced (a pipe in
        # the temporary folder stands for /dev/stdout); links are followed.
        os.mkfifo(p("pipe"))
        reader = subprocess.Popen(["cat", p("pipe")], stdout=subprocess.PIPE)
        r = run("dump", "seed.folio", "-o", "pipe")
        through_pipe = reader.communicate(timeout=60)[0]
        check("folio dump -o PIPE writes through the pipe and leaves it a pipe",
              r.code == 0 and stat.S_ISFIFO(os.stat(p("pipe")).st_mode) and
              through_pipe == run("dump", "seed.folio").out, r)
        r = run("seed", "-o", "pipe")
        check("a snapshot is not written over a pipe or a device (exit 3)",
              r.code == 3 and stat.S_ISFIFO(os.stat(p("pipe")).st_mode), r)
        write("target.json", "old")
        os.symlink("target.json", p("link.json"))
        r = run("dump", "seed.folio", "-o", "link.json")
        check("folio dump -o LINK replaces the file the link names and keeps the link",
              r.code == 0 and os.path.islink(p("link.json")) and
              read("target.json") == read("seed.json"), r)

        # load: all or nothing.
        r = run("load", "seed.json", "-o", "again.folio")
        check("folio load of a fixture exits 0", r.code == 0, r)
        check("a loaded fixture dumps as it was read", run("dump", "again.folio").out == read("seed.json"))
        write("bad.json", '[\n{"model": "myapp.author", "pk": 9, "fields": {"name": "", '
                          '"email": "x", "is_active": true, "created_at": "2026-01-21T10:15:00Z"}},\n'
                          '{"model": "myapp.nope", "pk": 1, "fields": {}}\n]\n')
        before = read("again.folio")
        r = run("load", "seed.json", "bad.json", "-o", "again.folio")
        check("a load with problems exits 1 and lists each with file and line on stderr",
              r.code == 1 and "bad.json:2: object 0, myapp.author pk 9, field name: This field "
              "cannot be blank." in r.err and "bad.json:2: object 0, myapp.author pk 9, field email: "
              "Enter a valid email address." in r.err and "bad.json:3: object 1: Invalid model "
              "identifier: 'myapp.nope'" in r.err and "3 problems; nothing was written" in r.err, r)
        check("a failed load leaves the output file as it was, and no temporary file",
              read("again.folio") == before and not leftovers())
        r = run("load", "bad.json", "-o", "never.folio")
        check("a failed load creates no output file", r.code == 1 and not os.path.exists(p("never.folio")), r)
        r = run("load", "missing.json", "-o", "never.folio")
        check("a missing input exits 3", r.code == 3 and "missing.json" in r.err, r)
        r = run("load", "seed.json", "-o", "no/such/folder/x.folio")
        check("an output in a missing folder exits 3", r.code == 3, r)

        # CSV inputs, --table, --into.
        write("people.csv", "id,name,email,is_active,created_at\r\n"
                            "7,Ann,ann@example.com,true,2026-01-21 10:15:00+00:00\r\n")
        r = run("load", "--table", "authors", "people.csv", "-o", "ann.folio")
        check("folio load --table names the table of the CSV files after it",
              r.code == 0 and b"Ann" in run("dump", "ann.folio").out, r)
        r = run("load", "people.csv", "-o", "ann.folio")
        check("a CSV whose name is no table is a problem (exit 1)",
              r.code == 1 and 'no table "people"' in r.err, r)
        write("more.json", '[{"model": "myapp.book", "pk": 9, "fields": {"author": 3, "title": '
                           '"Anna Karenina", "published_year": 1878, "price": "11.00", '
                           '"is_published": true}}]')
        r = run("load", "more.json", "--into", "seed.folio", "-o", "more.folio")
        out = run("dump", "more.folio").out
        check("folio load --into adds to an existing snapshot",
              r.code == 0 and b"Anna Karenina" in out and b"George Orwell" in out, r)
        r = run("load", "more.json", "--into", "missing.folio", "-o", "more.folio")
        check("folio load --into a missing snapshot exits 3", r.code == 3, r)

        # Inputs can be verified without loading.
        r = run("verify", "bad.json")
        check("folio verify of a fixture with problems exits 1 listing them on stdout",
              r.code == 1 and b"bad.json:3: object 1" in r.out, r)
        r = run("verify", "seed.json")
        check("folio verify of a sound fixture exits 0", r.code == 0, r)

        # Broken snapshots.
        write("text.folio", "this is not a snapshot\n")
        r = run("dump", "text.folio")
        check("folio dump of a file that is no snapshot exits 3 naming the file",
              r.code == 3 and "text.folio" in r.err, r)
        r = run("stats", "text.folio")
        check("folio stats of a file that is no snapshot exits 3", r.code == 3, r)
        data = bytearray(read("seed.folio"))
        data[len(data) // 2] ^= 0x40
        with open(p("flipped.folio"), "wb") as f:
            f.write(data)
        r = run("verify", "flipped.folio")
        check("folio verify of a damaged snapshot exits 1 listing the problem",
              r.code == 1 and r.out.strip() != b"", r)
        r = run("dump", "missing.folio")
        check("folio dump of a missing file exits 3", r.code == 3, r)
    except Exception as e:
        check("the CLI run completes", False, "%s: %s" % (type(e).__name__, e))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("%d failed" % len(failures) if failures else "all program checks passed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
