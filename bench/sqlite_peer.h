// The SQLite peer of the benchmark: the same three tables in an in-memory
// SQLite database, set up as a careful user would set it up, so that folio is
// compared with SQLite at its best rather than with a strawman:
//
// - the schema Django 3.2 creates for the models (AUTOINCREMENT ids, which
//   like folio's never reuse an id), with ON DELETE CASCADE on both foreign
//   keys and PRAGMA foreign_keys=ON;
// - the same indexes as folio: unique on authors.email, unique on
//   author_profiles.author_id, unique on books(author_id, title) and a
//   secondary index on books.author_id;
// - prices as integer cents and created_at as integer microseconds (compact,
//   and no text conversions);
// - every statement prepared once and bound per call, text bound without a
//   copy (SQLITE_STATIC);
// - single-threaded mode and no memory statistics (folio takes no locks
//   either); bulk loads in one transaction; single-row writes in autocommit,
//   one transaction each;
// - snapshots through the backup API: to a file (removed first, so nothing
//   is journalled; default synchronous=FULL syncs it as folio's save does)
//   and from the file into a new ":memory:" database.
//
// Not thread-safe: one thread at a time.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "workload.h"

struct sqlite3;
struct sqlite3_stmt;

namespace folio::bench {

class SqlitePeer {
 public:
  // An empty in-memory database with the schema.
  SqlitePeer();
  // Loads the file at `path` (written by save()) into a new in-memory
  // database through the backup API.
  static SqlitePeer load(const std::filesystem::path& path);
  ~SqlitePeer();
  SqlitePeer(SqlitePeer&& other) noexcept;
  SqlitePeer& operator=(SqlitePeer&&) = delete;
  SqlitePeer(const SqlitePeer&) = delete;
  SqlitePeer& operator=(const SqlitePeer&) = delete;

  // Inserts every row of the workload in one transaction.
  void bulk_load(const Workload& w);
  // Inserts author i's rows (author, profile, books) again, one
  // transaction; used to undo a delete outside the timed loop.
  void reinsert_author(const Workload& w, std::size_t i);

  // The lookups return the digest of the row found (workload.h), 0 when there
  // is none.
  std::int64_t author_by_id(Id id);
  std::int64_t author_by_email(std::string_view email);
  std::int64_t profile_of_author(Id author_id);
  // The digest of the author's books: count and sum of prices (5 rows).
  std::int64_t books_of_author(Id author_id);
  std::int64_t book_by_author_title(Id author_id, std::string_view title);

  // UPDATE authors SET email = ? WHERE id = ?, autocommit. Returns the
  // number of rows changed.
  int update_email(Id id, std::string_view email);
  // DELETE FROM authors WHERE id = ?, autocommit; the foreign keys cascade
  // to the profile and the books. Returns the number of authors deleted.
  int delete_author(Id id);

  // Writes the database to `path` through the backup API.
  void save(const std::filesystem::path& path) const;

  Totals totals();

 private:
  struct AdoptTag {};
  SqlitePeer(sqlite3* db, AdoptTag);
  void prepare_all();
  void exec(const char* sql);

  sqlite3* db_ = nullptr;
  struct Statements {
    sqlite3_stmt* begin = nullptr;
    sqlite3_stmt* commit = nullptr;
    sqlite3_stmt* insert_author = nullptr;
    sqlite3_stmt* insert_profile = nullptr;
    sqlite3_stmt* insert_book = nullptr;
    sqlite3_stmt* author_by_id = nullptr;
    sqlite3_stmt* author_by_email = nullptr;
    sqlite3_stmt* profile_of_author = nullptr;
    sqlite3_stmt* books_of_author = nullptr;
    sqlite3_stmt* book_by_author_title = nullptr;
    sqlite3_stmt* update_email = nullptr;
    sqlite3_stmt* delete_author = nullptr;
  } st_;
};

}  // namespace folio::bench
