// The SQL dump: Django's schema, and rows that the real sqlite3 shell loads
// and gives back unchanged.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "folio/interchange.h"
#include "interchange_data.h"
#include "review_model.h"

namespace fs = std::filesystem;
using folio_test::csv;

namespace {

template <class Db>
std::string to_sql(const Db& db, const std::string& table = {}) {
  std::ostringstream out;
  folio::write_sql(db, out, folio_test::only(table));
  return out.str();
}

// A temporary folder, removed with everything in it.
struct TempDir {
  fs::path path;
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "folio-sql-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

// Runs a shell command; returns its exit status, with stdout in `out`.
int run(const std::string& command, std::string& out) {
  out.clear();
  FILE* p = ::popen(command.c_str(), "r");
  if (p == nullptr) return -1;
  char buf[4096];
  std::size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  int status = ::pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

bool have_sqlite3() {
  if (std::string(FOLIO_SQLITE3).empty()) {
    WARN("the sqlite3 shell was not found at configure time: not run");
    return false;
  }
  return true;
}

// Loads `sql` with the sqlite3 shell (-bail: the first error fails) into a
// new database file in `dir`, then reads every table back as CSV and loads
// those with folio.
template <class Db>
Db through_sqlite(const TempDir& dir, const std::string& sql) {
  const fs::path script = dir.path / "dump.sql";
  const fs::path db_file = dir.path / "out.sqlite3";
  write_file(script, sql);
  std::string out;
  REQUIRE(run(std::string(FOLIO_SQLITE3) + " -bail " + quoted(db_file) + " < " + quoted(script) +
                  " 2>&1",
              out) == 0);
  CHECK(out.empty());
  std::vector<folio::Input> inputs;
  for (const std::string& table : folio::table_names<Db>()) {
    REQUIRE(run(std::string(FOLIO_SQLITE3) + " -bail -csv -header " + quoted(db_file) +
                    " 'SELECT * FROM \"" + table + "\" ORDER BY id'",
                out) == 0);
    if (!out.empty()) inputs.push_back(csv(table + ".csv", out));  // no header when empty
  }
  return folio::load<Db>(inputs);
}

}  // namespace

TEST_CASE("the SQL dump creates the tables of Django's migration", "[sql]") {
  const std::string sql = to_sql(folio::Database{});
  CHECK(sql.find(R"(BEGIN;
CREATE TABLE "authors" (
  "id" integer NOT NULL PRIMARY KEY,
  "name" varchar(200) NOT NULL,
  "email" varchar(254) NOT NULL UNIQUE,
  "is_active" boolean NOT NULL,
  "created_at" timestamp with time zone NOT NULL
);
CREATE TABLE "author_profiles" (
  "id" integer NOT NULL PRIMARY KEY,
  "bio" text NOT NULL,
  "website" varchar(200) NOT NULL,
  "birth_year" smallint NULL CHECK ("birth_year" >= 0),
  "author_id" integer NOT NULL UNIQUE REFERENCES "authors" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED
);
CREATE TABLE "books" (
  "id" integer NOT NULL PRIMARY KEY,
  "title" varchar(200) NOT NULL,
  "published_year" smallint NOT NULL CHECK ("published_year" >= 0),
  "price" numeric(8, 2) NOT NULL,
  "is_published" boolean NOT NULL,
  "author_id" integer NOT NULL REFERENCES "authors" ("id") ON DELETE CASCADE DEFERRABLE INITIALLY DEFERRED,
  CONSTRAINT "uniq_book_per_author" UNIQUE ("author_id", "title")
);
CREATE INDEX "books_author_id_c90d3b48" ON "books" ("author_id");
COMMIT;
)") != std::string::npos);
}

TEST_CASE("the SQL dump inserts the rows in id order in one transaction", "[sql]") {
  const std::string sql = to_sql(folio::seed_database());
  CHECK(sql.find("INSERT INTO \"authors\" (\"id\", \"name\", \"email\", \"is_active\", "
                 "\"created_at\") VALUES (3, 'Leo Tolstoy', 'tolstoy@example.com', FALSE, "
                 "'2026-01-21 10:25:00+00:00');\n") != std::string::npos);
  CHECK(sql.find("INSERT INTO \"books\" (\"id\", \"title\", \"published_year\", \"price\", "
                 "\"is_published\", \"author_id\") VALUES (5, 'War and Peace', 1869, 12.00, "
                 "FALSE, 3);\nCOMMIT;\n") != std::string::npos);
  CHECK(sql.find("VALUES (1, 'English novelist and journalist', 'https://example.com/orwell', "
                 "1903, 1);") != std::string::npos);
  CHECK(sql.find("INSERT INTO \"books\" (\"id\", \"title\", \"published_year\", \"price\", "
                 "\"is_published\", \"author_id\") VALUES (1,") > sql.find("\"authors\" ("));
}

TEST_CASE("the sqlite3 shell runs the SQL dump and gives every row back", "[sql][sqlite3]") {
  if (!have_sqlite3()) return;
  TempDir dir;
  std::vector<folio::Database> dbs;
  dbs.push_back(folio::seed_database());
  dbs.push_back(folio_test::edge_database());
  for (const folio::Database& db : dbs) {
    folio::Database back = through_sqlite<folio::Database>(dir, to_sql(db));
    CHECK(folio::to_fixture(back) == folio::to_fixture(db));
    // Full precision, not the fixture's milliseconds.
    for (const folio::Author& a : db.all<folio::Author>()) {
      CHECK(back.get<folio::Author>(a.id).created_at == a.created_at);
    }
    fs::remove(dir.path / "out.sqlite3");
  }
}

TEST_CASE("sqlite3 sees the columns, keys and constraints of the dump", "[sql][sqlite3]") {
  if (!have_sqlite3()) return;
  TempDir dir;
  through_sqlite<folio::Database>(dir, to_sql(folio::seed_database()));
  std::string out;
  const std::string db = quoted(dir.path / "out.sqlite3");
  REQUIRE(run(std::string(FOLIO_SQLITE3) + " " + db +
                  " \"SELECT name, lower(type), \\\"notnull\\\", pk FROM "
                  "pragma_table_info('books')\"",
              out) == 0);
  CHECK(out ==
        "id|integer|1|1\ntitle|varchar(200)|1|0\npublished_year|smallint|1|0\n"
        "price|numeric(8, 2)|1|0\nis_published|boolean|1|0\nauthor_id|integer|1|0\n");
  REQUIRE(run(std::string(FOLIO_SQLITE3) + " " + db +
                  " \"SELECT \\\"table\\\", \\\"from\\\", \\\"to\\\", on_delete FROM "
                  "pragma_foreign_key_list('author_profiles')\"",
              out) == 0);
  CHECK(out == "authors|author_id|id|CASCADE\n");
  // The unique constraint and the check hold in SQLite too.
  REQUIRE(run(std::string(FOLIO_SQLITE3) + " " + db +
                  " \"INSERT INTO books VALUES (9, '1984', 1, 1, TRUE, 1)\" 2>&1",
              out) != 0);
  CHECK(out.find("UNIQUE constraint failed: books.author_id, books.title") != std::string::npos);
  REQUIRE(run(std::string(FOLIO_SQLITE3) + " " + db +
                  " \"INSERT INTO books VALUES (9, 'New', -1, 1, TRUE, 1)\" 2>&1",
              out) != 0);
  CHECK(out.find("CHECK constraint failed") != std::string::npos);
  // And the cascade, with foreign keys on.
  REQUIRE(run(std::string(FOLIO_SQLITE3) + " " + db +
                  " \"PRAGMA foreign_keys=ON; DELETE FROM authors WHERE id = 1; SELECT "
                  "count(*) FROM books; SELECT count(*) FROM author_profiles;\"",
              out) == 0);
  CHECK(out == "3\n1\n");
}

TEST_CASE("the SQL dump of one table holds only that table", "[sql]") {
  const std::string sql = to_sql(folio::seed_database(), "books");
  CHECK(sql.find("CREATE TABLE \"authors\"") == std::string::npos);
  CHECK(sql.find("CREATE TABLE \"books\"") != std::string::npos);
  CHECK(sql.find("INSERT INTO \"authors\"") == std::string::npos);
  CHECK(sql.rfind("-- folio SQL dump: books (5 rows).", 0) == 0);
}

TEST_CASE("text holding a NUL character is refused by the SQL dump", "[sql]") {
  folio::Database db;
  db.restore(folio::Author{1, std::string("a\0b", 3), "a@example.com", true, {}});
  CHECK_THROWS_MATCHES(to_sql(db), folio::UsageError,
                       Catch::Message("authors id 1, column name: the text holds a NUL "
                                      "character, which SQL text cannot"));
}

TEST_CASE("the SQL dump works for a database with a fourth model", "[sql][review]") {
  folio::ReviewDatabase db;
  db.restore(folio::Author{1, "A", "a@example.com", true, {}});
  db.restore(folio::Book{1, 1, "T", 2000, folio::Decimal::from_units(100, 2), true});
  db.restore(folio::Review{4, 1, "O'Brien", 5});
  const std::string sql = to_sql(db);
  CHECK(sql.find("CONSTRAINT \"uniq_review_per_book\" UNIQUE (\"book_id\", \"reviewer\")") !=
        std::string::npos);
  CHECK(sql.find("VALUES (4, 'O''Brien', 5, 1);") != std::string::npos);
  if (!have_sqlite3()) return;
  TempDir dir;
  CHECK(folio::to_fixture(through_sqlite<folio::ReviewDatabase>(dir, sql)) ==
        folio::to_fixture(db));
}
