#!/usr/bin/env python3
"""folio against the real Django and sqlite3.

Makes a Django project with the seed document's models (app label myapp,
USE_TZ = True, SQLite) in a temporary folder, migrates it, and checks:

1. folio's fixture of the seed is the seed fixture Django wrote, and Django's
   loaddata of it followed by dumpdata --indent 2 gives the same bytes.
2. Rows Django creates at the edges (200 code points of non-ASCII text,
   prices of -999999.99 and 0.01, authors without a profile, a null
   birth_year, ids with gaps, created_at with milliseconds and microseconds)
   go through dumpdata, folio load and folio dump unchanged, and Django loads
   folio's dump back to the same dumpdata.
3. folio's SQL dump, run by the sqlite3 shell, makes the tables Django's
   migration makes (columns, types, NOT NULL, keys, foreign keys, indexes),
   and Django reading that database dumps the same fixture.
4. An empty database dumps as Django dumps one.
5. When PostgreSQL's programs are installed, the SQL dump runs in PostgreSQL
   too and gives every row back (skipped, and said so, when they are not).

Usage: django_interop.py --folio PATH [--sqlite3 PATH] [--keep]
Exit status 0 when every check passes.
"""
import argparse
import glob
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from checks import check, failures  # noqa: E402


def first_difference(a, b):
    """Where two byte strings first differ, shown with a little context."""
    n = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
    return "first difference at byte %d (lengths %d, %d):\n  %r\n  %r" % (
        n, len(a), len(b), a[max(0, n - 40):n + 40], b[max(0, n - 40):n + 40])


class Project:
    """The Django project in a temporary folder."""

    def __init__(self, root):
        self.root = root
        shutil.copytree(os.path.join(HERE, "myapp"), os.path.join(root, "myapp"))
        os.makedirs(os.path.join(root, "myapp", "migrations"))
        open(os.path.join(root, "myapp", "migrations", "__init__.py"), "w").close()
        shutil.copy(os.path.join(HERE, "settings.py"), root)
        self.django("makemigrations", "myapp", db="unused.sqlite3")

    def django(self, *args, db, input_text=None):
        env = dict(os.environ, DJANGO_SETTINGS_MODULE="settings", PYTHONPATH=self.root,
                   PYTHONUTF8="1", FOLIO_INTEROP_DB=os.path.join(self.root, db))
        r = subprocess.run([sys.executable, "-m", "django", *args], cwd=self.root, env=env,
                           input=input_text, capture_output=True)
        if r.returncode != 0:
            raise RuntimeError("django %s failed:\n%s" % (" ".join(args),
                                                          r.stderr.decode(errors="replace")))
        return r.stdout

    def fresh(self, db):
        path = os.path.join(self.root, db)
        if os.path.exists(path):
            os.remove(path)
        self.django("migrate", "--run-syncdb", "-v", "0", db=db)
        return path

    def dumpdata(self, db):
        return self.django("dumpdata", "myapp", "--indent", "2", db=db)

    def loaddata(self, db, fixture):
        self.django("loaddata", fixture, "-v", "0", db=db)


class Folio:
    def __init__(self, program, root):
        self.program = program
        self.root = root

    def run(self, *args, expect=0):
        r = subprocess.run([self.program, *args], cwd=self.root, capture_output=True)
        if r.returncode != expect:
            raise RuntimeError("folio %s exited %d:\n%s" % (
                " ".join(args), r.returncode, r.stderr.decode(errors="replace")))
        return r.stdout

    def dump(self, snapshot, *args):
        return self.run("dump", snapshot, *args)


# Edge rows, created through Django's ORM (auto_now_add is overridden by an
# update, as a data migration would).
EDGE_SCRIPT = r'''
import datetime, decimal
from myapp.models import Author, AuthorProfile, Book
pieces = ["Ж", "é", "漢", "😀", "ß", "ع", "あ", "𝄞"]
long_text = "".join(pieces[i % 8] for i in range(200))
utc = datetime.timezone.utc
authors = [
    (2, long_text, "edge@example.com", True, datetime.datetime(2026, 1, 21, 10, 15, 0, 123000, utc)),
    (5, "Quote \" backslash \\ tab\t newline\n", "q@example.com", False,
     datetime.datetime(1999, 12, 31, 23, 59, 59, 999999, utc)),
    (9, "Ünïcödé, \"comma\"\r\nand CR", "u@example.org", True,
     datetime.datetime(2000, 2, 29, 0, 0, 0, 1000, utc)),
    (10, "No profile, no books", "n@example.com", True,
     datetime.datetime(2026, 1, 21, 10, 15, tzinfo=utc)),
]
for pk, name, email, active, created in authors:
    Author.objects.create(id=pk, name=name, email=email, is_active=active)
    Author.objects.filter(pk=pk).update(created_at=created)
AuthorProfile.objects.create(id=3, author_id=2, bio="bio \x01 control \x1f DEL \x7f \u2028\n.dot\n/\ngo\n;",
                             website="", birth_year=None)
AuthorProfile.objects.create(id=7, author_id=9, bio="", website="https://example.com/u?a=1&b=2",
                             birth_year=0)
AuthorProfile.objects.create(id=8, author_id=5, bio="O'Brien", website="", birth_year=32767)
Book.objects.create(id=4, author_id=2, title=long_text, published_year=1,
                    price=decimal.Decimal("-999999.99"), is_published=True)
Book.objects.create(id=6, author_id=2, title="Cheap", published_year=32767,
                    price=decimal.Decimal("0.01"), is_published=False)
Book.objects.create(id=20, author_id=5, title="Zero", published_year=2026,
                    price=decimal.Decimal("0.00"), is_published=True)
Book.objects.create(id=21, author_id=9, title="Max", published_year=1999,
                    price=decimal.Decimal("999999.99"), is_published=True)
'''


def sqlite_rows(sqlite3, db, sql):
    r = subprocess.run([sqlite3, "-bail", db, sql], capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("sqlite3 failed: " + r.stderr)
    return [tuple(line.split("|")) for line in r.stdout.splitlines()]


AFFINITY_NAMES = [("INT", "INTEGER"), ("CHAR", "TEXT"), ("CLOB", "TEXT"), ("TEXT", "TEXT"),
                  ("BLOB", "BLOB"), ("REAL", "REAL"), ("FLOA", "REAL"), ("DOUB", "REAL")]


def affinity(declared):
    """SQLite's column affinity of a declared type (section 3.1 of its docs)."""
    upper = declared.upper()
    for part, name in AFFINITY_NAMES:
        if part in upper:
            return name
    return "BLOB" if not upper else "NUMERIC"


def schema(sqlite3, db):
    """What a SQLite database's tables are made of, in a comparable form."""
    out = {}
    for (table,) in sqlite_rows(sqlite3, db, "SELECT name FROM sqlite_master WHERE type = "
                                             "'table' AND name NOT LIKE 'sqlite%' AND name != "
                                             "'django_migrations' ORDER BY name"):
        columns = sorted((name, affinity(decl), notnull, pk) for _, name, decl, notnull, _, pk in
                         sqlite_rows(sqlite3, db, "PRAGMA table_info('%s')" % table))
        fks = sorted((t, f, to) for _, _, t, f, to, *_ in
                     sqlite_rows(sqlite3, db, "PRAGMA foreign_key_list('%s')" % table))
        indexes = []
        for _, name, unique, origin, _ in sqlite_rows(sqlite3, db,
                                                      "PRAGMA index_list('%s')" % table):
            cols = tuple(c for _, _, c in sqlite_rows(sqlite3, db,
                                                      "PRAGMA index_info('%s')" % name))
            indexes.append((cols, unique, name if origin == "c" else "(constraint)"))
        out[table] = {"columns": columns, "foreign keys": fks, "indexes": sorted(indexes)}
    return out


def find_postgres_tool(name):
    found = shutil.which(name)
    if found:
        return found
    for d in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(d, name)):
            return os.path.join(d, name)
    return None


def run_postgres(folio, snapshot, work):
    """Runs folio's SQL dump in a throwaway PostgreSQL cluster; returns the
    fixture of the rows read back, or None when PostgreSQL is not installed."""
    tools = {name: find_postgres_tool(name) for name in ("initdb", "pg_ctl", "psql")}
    if not all(tools.values()):
        return None
    pg = os.path.join(work, "pg")
    os.makedirs(pg)
    prefix = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        prefix = ["runuser", "-u", "postgres", "--"]
        shutil.chown(work, "postgres")
        shutil.chown(pg, "postgres")
        os.chmod(work, 0o755)
    data = os.path.join(pg, "data")
    env = dict(os.environ, PGTZ="UTC", LC_ALL="C.UTF-8")

    def run(*args):
        r = subprocess.run([*prefix, *args], env=env, capture_output=True, cwd=pg)
        if r.returncode != 0:
            raise RuntimeError("%s failed:\n%s" % (" ".join(args), r.stderr.decode(errors="replace")))
        return r.stdout

    run(tools["initdb"], "-D", data, "-U", "folio", "-E", "UTF8", "--auth=trust")
    run(tools["pg_ctl"], "-D", data, "-w", "-l", os.path.join(pg, "log"), "-o",
        "-k %s -c listen_addresses='' -c fsync=off" % pg, "start")
    try:
        sql = os.path.join(pg, "dump.sql")
        with open(sql, "wb") as f:
            f.write(folio.dump(snapshot, "--format", "sql"))
        psql = [tools["psql"], "-h", pg, "-U", "folio", "-d", "postgres", "-X", "-q",
                "-v", "ON_ERROR_STOP=1"]
        run(*psql, "-f", sql)
        inputs = []
        os.makedirs(os.path.join(work, "pgcsv"))
        for table in ("authors", "author_profiles", "books"):
            path = os.path.join(work, "pgcsv", table + ".csv")
            with open(path, "wb") as f:
                f.write(run(*psql, "-c", "COPY (SELECT * FROM %s ORDER BY id) TO STDOUT WITH "
                                         "(FORMAT csv, HEADER)" % table))
            inputs.append(path)
        folio.run("load", *inputs, "-o", "pg.folio")
        return folio.dump("pg.folio")
    finally:
        subprocess.run([*prefix, tools["pg_ctl"], "-D", data, "-m", "immediate", "stop"],
                       env=env, capture_output=True, cwd=pg)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--folio", required=True, help="the built folio program")
    parser.add_argument("--sqlite3", default=shutil.which("sqlite3"))
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args()
    try:
        import django
    except ImportError:
        print("FAIL Django is not importable by %s (install python3-django)" % sys.executable)
        return 1
    print("Django %s, %s" % (django.get_version(), sys.executable), flush=True)
    folio_program = os.path.abspath(args.folio)
    work = tempfile.mkdtemp(prefix="folio-interop-")
    try:
        project = Project(os.path.join(work, "project"))
        folio = Folio(folio_program, work)
        p = lambda name: os.path.join(work, name)

        # 1. The seed.
        folio.run("seed", "-o", "seed.folio")
        seed_dump = folio.dump("seed.folio")
        with open(os.path.join(HERE, "data", "seed-fixture.json"), "rb") as f:
            seed_expected = f.read()
        check("folio's fixture of the seed is the one Django wrote", seed_dump == seed_expected,
              first_difference(seed_dump, seed_expected))
        with open(p("folio-seed.json"), "wb") as f:
            f.write(seed_dump)
        project.fresh("seed.sqlite3")
        project.loaddata("seed.sqlite3", p("folio-seed.json"))
        django_seed = project.dumpdata("seed.sqlite3")
        check("Django loads folio's seed fixture and dumps the same bytes",
              django_seed == seed_dump, first_difference(django_seed, seed_dump))

        # 2. Edge rows made by Django.
        project.fresh("edge.sqlite3")
        project.django("shell", "-c", EDGE_SCRIPT, db="edge.sqlite3")
        django_edge = project.dumpdata("edge.sqlite3")
        with open(p("django-edge.json"), "wb") as f:
            f.write(django_edge)
        folio.run("load", "django-edge.json", "-o", "edge.folio")
        folio_edge = folio.dump("edge.folio")
        check("folio loads Django's edge rows and dumps the same bytes",
              folio_edge == django_edge, first_difference(folio_edge, django_edge))
        check("the edge rows reach the edges",
              "-999999.99".encode() in django_edge and b'"0.01"' in django_edge and
              b'"birth_year": null' in django_edge and b".123Z" in django_edge and
              b'"pk": 10' in django_edge and "漢".encode() in django_edge)
        with open(p("folio-edge.json"), "wb") as f:
            f.write(folio_edge)
        project.fresh("edge2.sqlite3")
        project.loaddata("edge2.sqlite3", p("folio-edge.json"))
        again = project.dumpdata("edge2.sqlite3")
        check("Django loads folio's dump of the edge rows and dumps the same bytes",
              again == django_edge, first_difference(again, django_edge))

        # The CSV files of the edge rows load back to the same rows.
        csv_dir = p("csv")
        folio.run("dump", "edge.folio", "--format", "csv", "-o", csv_dir)
        folio.run("load", *[os.path.join(csv_dir, t + ".csv")
                            for t in ("books", "author_profiles", "authors")], "-o", "csv.folio")
        csv_back = folio.dump("csv.folio")
        check("the edge rows go through CSV unchanged", csv_back == folio_edge,
              first_difference(csv_back, folio_edge))

        # 3. The SQL dump in the sqlite3 shell, against Django's migration.
        if not args.sqlite3:
            check("the sqlite3 shell is installed", False)
        else:
            sql_db = p("project/fromsql.sqlite3")
            with open(p("edge.sql"), "wb") as f:
                f.write(folio.dump("edge.folio", "--format", "sql"))
            with open(p("edge.sql"), "rb") as f:
                r = subprocess.run([args.sqlite3, "-bail", sql_db], stdin=f, capture_output=True)
            check("the sqlite3 shell runs folio's SQL dump without an error",
                  r.returncode == 0 and not r.stderr, r.stderr.decode(errors="replace"))
            ours = schema(args.sqlite3, sql_db)
            django_schema = schema(args.sqlite3, p("project/edge.sqlite3"))
            for table in sorted(set(ours) | set(django_schema)):
                for part in ("columns", "foreign keys", "indexes"):
                    a = ours.get(table, {}).get(part)
                    b = django_schema.get(table, {}).get(part)
                    check("table %s: the %s of the SQL dump are those of Django's migration" %
                          (table, part), a == b, "folio:  %r\ndjango: %r" % (a, b))
            from_sql = project.dumpdata("fromsql.sqlite3")
            check("Django reads the database made by folio's SQL dump as the same fixture",
                  from_sql == django_edge, first_difference(from_sql, django_edge))

        # 4. An empty database.
        with open(p("empty.json"), "w") as f:
            f.write("[]")
        folio.run("load", "empty.json", "-o", "empty.folio")
        project.fresh("empty.sqlite3")
        empty_django = project.dumpdata("empty.sqlite3")
        empty_folio = folio.dump("empty.folio")
        check("an empty database dumps as Django dumps one", empty_folio == empty_django,
              first_difference(empty_folio, empty_django))

        # 5. PostgreSQL, when installed.
        try:
            from_pg = run_postgres(folio, "edge.folio", work)
        except Exception as e:  # a broken PostgreSQL setup is a failure, not a skip
            from_pg = e
        if from_pg is None:
            print("SKIP PostgreSQL: initdb, pg_ctl or psql not found", flush=True)
        elif isinstance(from_pg, Exception):
            check("PostgreSQL runs folio's SQL dump", False, str(from_pg))
        else:
            check("PostgreSQL runs folio's SQL dump and gives every row back",
                  from_pg == folio_edge, first_difference(from_pg, folio_edge))
    except Exception as e:
        check("the interop run completes", False, "%s: %s" % (type(e).__name__, e))
    finally:
        if args.keep:
            print("kept " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print("%d failed" % len(failures) if failures else "all interop checks passed", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
