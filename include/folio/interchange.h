// Moving rows in and out: Django fixtures, CSV, SQL and tables for people.
//
//   folio::Database db = folio::load({folio::read_input("seed.json")});
//   folio::write_fixture(db, std::cout);   // as `dumpdata --indent 2`
//
// Every format is generic over the models' fields(): a database of other
// models (any BasicDatabase) needs no change here.
//
// Formats:
// - Fixture: Django's JSON fixtures. Written byte for byte as Django 3.2's
//   `manage.py dumpdata --indent 2` writes them (objects in model order then
//   pk order; "fields" in field order; foreign keys as plain ids under the
//   field name; decimals as strings with exactly decimal_places digits;
//   datetimes in UTC with "Z" and milliseconds; strings escaped as Python's
//   json.dumps(ensure_ascii=False) does, so non-ASCII text is written as is).
//   Read: every object needs "model", "pk" and every field of the model, of
//   the JSON type dumpdata writes (a decimal may also be a JSON number).
// - CSV: one file per table, RFC 4180: a header row of the SQL column names
//   (Django field names are accepted too, in any order), CRLF line ends, a
//   field quoted when it holds a comma, a quote, CR or LF. NULL is an empty
//   unquoted field; an empty string is written "" (an empty unquoted field
//   in a column that cannot be null but holds text also reads as ""). Booleans
//   are true/false (t/f, 1/0, True/False are read too); decimals as
//   written with decimal_places digits; datetimes as
//   "2026-01-21 10:15:00.123456+00:00" (full precision, UTC; any form Django's
//   parse_datetime takes is read, without an offset as UTC). A UTF-8 byte
//   order mark is skipped.
// - SQL: CREATE TABLE statements as Django's migration makes them, then the
//   rows in id order as INSERTs, all in one transaction; runs in the sqlite3
//   shell and in PostgreSQL. See write_sql.
// - Table: aligned columns for people to read (not for reading back).
//
// Loading is all or nothing: every problem of every input is collected (the
// file, the line and the array index or CSV row, the table, the field, the
// message), then InputError is thrown listing them all and nothing changes.
//
// Thread safety: the functions are reentrant; the database passed in must not
// be written by another thread during the call.
#pragma once

#include <cstdint>
#include <filesystem>
#include <ostream>
#include <sstream>
#include <optional>
#include <string>
#include <vector>

#include "folio/internal/loader.h"
#include "folio/internal/rows.h"
#include "folio/models.h"

namespace folio {

enum class InputFormat { kFixture, kCsv };

// One input to load.
struct Input {
  std::string name;  // how problems name it: "seed.json"
  std::string text;  // the contents
  InputFormat format = InputFormat::kFixture;
  // kCsv: the table, by table name ("books"), fixture label ("myapp.book")
  // or model name ("Book"); empty: the stem of `name` ("books.csv").
  std::string table;
};

// The input format of a file, by its extension (.json, .csv, in any case),
// or nullopt for another extension.
std::optional<InputFormat> input_format(const std::filesystem::path& path);

// Reads a file as an input; the format is taken from the extension (.json,
// .csv). Throws InputError naming the file when it cannot be read or has
// another extension.
Input read_input(const std::filesystem::path& path, std::string table = {});

struct LoadOptions {
  Progress progress;  // over the rows being checked and inserted
};

namespace internal {
// Decodes every input into `loader`, recording problems; the tables of CSV
// inputs are resolved here (an unknown one is a problem).
void read_inputs(const Schema& schema, const std::vector<Input>& inputs, RowSink& sink,
                 Problems& problems);
std::vector<Problems::Source> sources_of(const std::vector<Input>& inputs);

template <class Db>
std::optional<Db> load_checked(const std::vector<Input>& inputs, const Db* base,
                               const LoadOptions& options, Problems& problems) {
  Loader<Db> loader(problems, options.progress);
  read_inputs(schema_of<Db>(), inputs, loader, problems);
  return loader.build(base);
}
}  // namespace internal

// Every problem in the inputs, as load() would report them (one line each);
// empty when they load cleanly. Throws only for resource exhaustion.
template <class Db = Database>
std::vector<std::string> check_inputs(const std::vector<Input>& inputs,
                                      const LoadOptions& options = {}) {
  internal::Problems problems(internal::schema_of<Db>(), internal::sources_of(inputs));
  internal::load_checked<Db>(inputs, nullptr, options, problems);
  return problems.lines();
}

// A new database holding the rows of every input. Rows may come in any order
// and from any mix of inputs: foreign keys are resolved once all are read.
// Ids and created_at are kept as given (BasicDatabase::restore); every rule
// of the engine is checked. Throws InputError listing every problem.
template <class Db = Database>
Db load(const std::vector<Input>& inputs, const LoadOptions& options = {}) {
  internal::Problems problems(internal::schema_of<Db>(), internal::sources_of(inputs));
  std::optional<Db> db = internal::load_checked<Db>(inputs, nullptr, options, problems);
  if (!db) throw InputError(problems.lines());
  return std::move(*db);
}

// Adds the rows of every input to `db`, as loaddata does: a row whose pk is
// already in its table replaces that row; the others are added. All or
// nothing: throws InputError listing every problem (against the combined
// rows) and leaves `db` unchanged. Next-id counters never go back.
// REQUIRES: db is not in a transaction.
template <class Db>
void load_into(Db& db, const std::vector<Input>& inputs, const LoadOptions& options = {}) {
  internal::Problems problems(internal::schema_of<Db>(), internal::sources_of(inputs));
  std::optional<Db> fresh = internal::load_checked<Db>(inputs, &db, options, problems);
  if (!fresh) throw InputError(problems.lines());
  db.swap(*fresh);
}

struct DumpOptions {
  // One table, by table name, fixture label or model name; empty: every
  // table. An unknown name throws UsageError.
  std::string table;
  Progress progress;  // over the rows written
};

namespace internal {
template <class Db>
DumpSelection selection(const DumpOptions& options) {
  DumpSelection sel;
  if (!options.table.empty()) sel.model = schema_of<Db>().table_or_throw(options.table);
  sel.progress = options.progress;
  return sel;
}
}  // namespace internal

// Writes the rows as `manage.py dumpdata --indent 2` does, byte for byte.
template <class Db>
void write_fixture(const Db& db, std::ostream& out, const DumpOptions& options = {}) {
  internal::write_fixture(internal::DatabaseSource<Db>(db), out,
                          internal::selection<Db>(options));
}

// Writes one table as CSV (header row, then the rows in id order).
// REQUIRES: options.table names the table (else UsageError).
template <class Db>
void write_csv(const Db& db, std::ostream& out, const DumpOptions& options) {
  internal::write_csv(internal::DatabaseSource<Db>(db), out,
                      internal::selection<Db>(options));
}

// Writes SQL that both the sqlite3 shell (3.23 or newer) and PostgreSQL run:
// BEGIN; a CREATE TABLE per table with Django's names, columns, NOT NULL,
// CHECK (>= 0 for positive integer fields), UNIQUE and named unique
// constraints, foreign keys REFERENCES parent ("id") ON DELETE CASCADE
// DEFERRABLE INITIALLY DEFERRED, and Django's index on each non-unique
// foreign key; then the rows in id order as INSERTs; COMMIT. Ids are
// `integer` (a rowid in SQLite; 32 bits in PostgreSQL, where an id above
// 2147483647 is refused), timestamps are written with an explicit +00:00.
// With options.table, only that table (its parents must exist). Throws
// UsageError for text holding a NUL character, which neither engine stores.
template <class Db>
void write_sql(const Db& db, std::ostream& out, const DumpOptions& options = {}) {
  internal::write_sql(internal::DatabaseSource<Db>(db), out,
                      internal::selection<Db>(options));
}

// Writes each table as aligned columns for people: a title line, the
// column names, the rows in id order. NULL is an empty cell; long text is
// cut with "…"; control characters are shown escaped (\n).
template <class Db>
void write_table(const Db& db, std::ostream& out, const DumpOptions& options = {}) {
  internal::write_table(internal::DatabaseSource<Db>(db), out,
                        internal::selection<Db>(options));
}

// The fixture as a string.
template <class Db>
std::string to_fixture(const Db& db) {
  std::ostringstream out;
  write_fixture(db, out);
  return std::move(out).str();
}

// The SQL table names of Db's models, in model order ("authors", ...).
template <class Db = Database>
std::vector<std::string> table_names() {
  std::vector<std::string> names;
  for (const auto& m : internal::schema_of<Db>().models) names.emplace_back(m.info->table);
  return names;
}

}  // namespace folio
