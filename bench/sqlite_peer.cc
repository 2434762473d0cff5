#include "sqlite_peer.h"

#include <sqlite3.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <utility>

namespace folio::bench {
namespace {

// Django 3.2's DDL for the models (manage.py sqlmigrate), with ON DELETE
// CASCADE in place of Django's Python-side cascade, prices in cents and
// created_at in microseconds.
constexpr const char* kSchema = R"sql(
CREATE TABLE authors (
  id integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  name varchar(200) NOT NULL,
  email varchar(254) NOT NULL UNIQUE,
  is_active bool NOT NULL,
  created_at integer NOT NULL);
CREATE TABLE author_profiles (
  id integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  author_id integer NOT NULL UNIQUE REFERENCES authors (id) ON DELETE CASCADE,
  bio text NOT NULL,
  website varchar(200) NOT NULL,
  birth_year smallint NULL CHECK (birth_year >= 0));
CREATE TABLE books (
  id integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  author_id integer NOT NULL REFERENCES authors (id) ON DELETE CASCADE,
  title varchar(200) NOT NULL,
  published_year smallint NOT NULL CHECK (published_year >= 0),
  price integer NOT NULL,
  is_published bool NOT NULL,
  CONSTRAINT uniq_book_per_author UNIQUE (author_id, title));
CREATE INDEX books_author_id_idx ON books (author_id);
)sql";

void configure_once() {
  static const bool done = [] {
    // folio takes no locks and keeps no allocation statistics; neither does
    // the peer. Must precede every other call into SQLite.
    sqlite3_config(SQLITE_CONFIG_SINGLETHREAD);
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    sqlite3_initialize();
    return true;
  }();
  (void)done;
}

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw std::runtime_error(
      "sqlite: " + what + ": " +
      (db != nullptr ? sqlite3_errmsg(db) : "no database"));
}

sqlite3* open_memory() {
  configure_once();
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(":memory:", &db,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      nullptr) != SQLITE_OK) {
    fail(db, "open :memory:");
  }
  return db;
}

// Runs a prepared statement that returns no rows, then resets it.
void run(sqlite3* db, sqlite3_stmt* s, const char* what) {
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) fail(db, what);
}

void bind_text(sqlite3_stmt* s, int i, std::string_view text) {
  sqlite3_bind_text(s, i, text.data(), static_cast<int>(text.size()),
                    SQLITE_STATIC);
}

std::int64_t author_digest(sqlite3_stmt* s) {
  return sqlite3_column_int64(s, 0) + sqlite3_column_bytes(s, 1) +
         sqlite3_column_bytes(s, 2) + sqlite3_column_int64(s, 3) +
         sqlite3_column_int64(s, 4);
}

// Runs a lookup that returns at most one row; the digest of the row or 0.
template <class Digest>
std::int64_t one_row(sqlite3_stmt* s, Digest digest) {
  std::int64_t d = 0;
  if (sqlite3_step(s) == SQLITE_ROW) d = digest(s);
  sqlite3_reset(s);
  return d;
}

void insert_author(sqlite3* db, sqlite3_stmt* s, const Author& a) {
  sqlite3_bind_int64(s, 1, a.id);
  bind_text(s, 2, a.name);
  bind_text(s, 3, a.email);
  sqlite3_bind_int(s, 4, a.is_active);
  sqlite3_bind_int64(s, 5, a.created_at.micros());
  run(db, s, "insert author");
}

void insert_profile(sqlite3* db, sqlite3_stmt* s, const AuthorProfile& p) {
  sqlite3_bind_int64(s, 1, p.id);
  sqlite3_bind_int64(s, 2, p.author_id);
  bind_text(s, 3, p.bio);
  bind_text(s, 4, p.website);
  if (p.birth_year) {
    sqlite3_bind_int(s, 5, *p.birth_year);
  } else {
    sqlite3_bind_null(s, 5);
  }
  run(db, s, "insert profile");
}

void insert_book(sqlite3* db, sqlite3_stmt* s, const Book& b) {
  sqlite3_bind_int64(s, 1, b.id);
  sqlite3_bind_int64(s, 2, b.author_id);
  bind_text(s, 3, b.title);
  sqlite3_bind_int(s, 4, b.published_year);
  sqlite3_bind_int64(s, 5, cents(b));
  sqlite3_bind_int(s, 6, b.is_published);
  run(db, s, "insert book");
}

}  // namespace

SqlitePeer::SqlitePeer() : db_(open_memory()) {
  exec("PRAGMA foreign_keys = ON");
  exec(kSchema);
  prepare_all();
}

SqlitePeer::SqlitePeer(sqlite3* db, AdoptTag) : db_(db) {
  exec("PRAGMA foreign_keys = ON");
  prepare_all();
}

SqlitePeer::SqlitePeer(SqlitePeer&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)),
      st_(std::exchange(other.st_, {})) {}

SqlitePeer::~SqlitePeer() {
  if (db_ == nullptr) return;
  for (sqlite3_stmt* s :
       {st_.begin, st_.commit, st_.insert_author, st_.insert_profile,
        st_.insert_book, st_.author_by_id, st_.author_by_email,
        st_.profile_of_author, st_.books_of_author, st_.book_by_author_title,
        st_.update_email, st_.delete_author}) {
    sqlite3_finalize(s);
  }
  sqlite3_close(db_);
}

void SqlitePeer::exec(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : "?";
    sqlite3_free(error);
    throw std::runtime_error("sqlite: " + message + " in: " + sql);
  }
}

void SqlitePeer::prepare_all() {
  auto prepare = [&](sqlite3_stmt*& s, const char* sql) {
    if (sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &s,
                           nullptr) != SQLITE_OK) {
      fail(db_, std::string("prepare ") + sql);
    }
  };
  prepare(st_.begin, "BEGIN");
  prepare(st_.commit, "COMMIT");
  prepare(st_.insert_author,
          "INSERT INTO authors (id, name, email, is_active, created_at) "
          "VALUES (?, ?, ?, ?, ?)");
  prepare(
      st_.insert_profile,
      "INSERT INTO author_profiles (id, author_id, bio, website, birth_year) "
      "VALUES (?, ?, ?, ?, ?)");
  prepare(st_.insert_book,
          "INSERT INTO books (id, author_id, title, published_year, price, "
          "is_published) VALUES (?, ?, ?, ?, ?, ?)");
  prepare(st_.author_by_id,
          "SELECT id, name, email, is_active, created_at FROM authors WHERE id "
          "= ?");
  prepare(st_.author_by_email,
          "SELECT id, name, email, is_active, created_at FROM authors WHERE "
          "email = ?");
  prepare(st_.profile_of_author,
          "SELECT id, author_id, bio, website, birth_year FROM author_profiles "
          "WHERE author_id = ?");
  prepare(st_.books_of_author,
          "SELECT id, author_id, title, published_year, price, is_published "
          "FROM books WHERE author_id = ? ORDER BY id");
  prepare(st_.book_by_author_title,
          "SELECT id, author_id, title, published_year, price, is_published "
          "FROM books WHERE author_id = ? AND title = ?");
  prepare(st_.update_email, "UPDATE authors SET email = ? WHERE id = ?");
  prepare(st_.delete_author, "DELETE FROM authors WHERE id = ?");
}

void SqlitePeer::bulk_load(const Workload& w) {
  run(db_, st_.begin, "begin");
  for (const Author& a : w.authors) insert_author(db_, st_.insert_author, a);
  for (const AuthorProfile& p : w.profiles)
    insert_profile(db_, st_.insert_profile, p);
  for (const Book& b : w.books) insert_book(db_, st_.insert_book, b);
  run(db_, st_.commit, "commit");
}

void SqlitePeer::reinsert_author(const Workload& w, std::size_t i) {
  run(db_, st_.begin, "begin");
  insert_author(db_, st_.insert_author, w.authors[i]);
  if (w.profile_of[i] >= 0) {
    insert_profile(db_, st_.insert_profile, w.profiles[w.profile_of[i]]);
  }
  for (std::size_t k = 5 * i; k < 5 * i + 5; ++k) {
    insert_book(db_, st_.insert_book, w.books[k]);
  }
  run(db_, st_.commit, "commit");
}

std::int64_t SqlitePeer::author_by_id(Id id) {
  sqlite3_bind_int64(st_.author_by_id, 1, id);
  return one_row(st_.author_by_id, author_digest);
}

std::int64_t SqlitePeer::author_by_email(std::string_view email) {
  bind_text(st_.author_by_email, 1, email);
  return one_row(st_.author_by_email, author_digest);
}

std::int64_t SqlitePeer::profile_of_author(Id author_id) {
  sqlite3_bind_int64(st_.profile_of_author, 1, author_id);
  return one_row(st_.profile_of_author, [](sqlite3_stmt* s) {
    return sqlite3_column_int64(s, 0) + sqlite3_column_int64(s, 1) +
           sqlite3_column_bytes(s, 2) + sqlite3_column_bytes(s, 3) +
           sqlite3_column_int64(s, 4);
  });
}

namespace {
std::int64_t book_digest(sqlite3_stmt* s) {
  return sqlite3_column_int64(s, 0) + sqlite3_column_int64(s, 1) +
         sqlite3_column_bytes(s, 2) + sqlite3_column_int64(s, 3) +
         sqlite3_column_int64(s, 4) + sqlite3_column_int64(s, 5);
}
}  // namespace

std::int64_t SqlitePeer::books_of_author(Id author_id) {
  sqlite3_stmt* s = st_.books_of_author;
  sqlite3_bind_int64(s, 1, author_id);
  std::int64_t count = 0, price = 0;
  while (sqlite3_step(s) == SQLITE_ROW) {
    ++count;
    price += sqlite3_column_int64(s, 4);
  }
  sqlite3_reset(s);
  return books_digest(count, price);
}

std::int64_t SqlitePeer::book_by_author_title(Id author_id,
                                              std::string_view title) {
  sqlite3_bind_int64(st_.book_by_author_title, 1, author_id);
  bind_text(st_.book_by_author_title, 2, title);
  return one_row(st_.book_by_author_title, book_digest);
}

int SqlitePeer::update_email(Id id, std::string_view email) {
  bind_text(st_.update_email, 1, email);
  sqlite3_bind_int64(st_.update_email, 2, id);
  run(db_, st_.update_email, "update email");
  return sqlite3_changes(db_);
}

int SqlitePeer::delete_author(Id id) {
  sqlite3_bind_int64(st_.delete_author, 1, id);
  run(db_, st_.delete_author, "delete author");
  return sqlite3_changes(db_);
}

void SqlitePeer::save(const std::filesystem::path& path) const {
  std::filesystem::remove(path);
  sqlite3* file = nullptr;
  if (sqlite3_open_v2(path.c_str(), &file,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      nullptr) != SQLITE_OK) {
    sqlite3_close(file);
    fail(nullptr, "open " + path.string());
  }
  sqlite3_backup* b = sqlite3_backup_init(file, "main", db_, "main");
  if (b == nullptr) {
    std::string message = sqlite3_errmsg(file);
    sqlite3_close(file);
    throw std::runtime_error("sqlite: backup to " + path.string() + ": " +
                             message);
  }
  sqlite3_backup_step(b, -1);
  int rc = sqlite3_backup_finish(b);
  sqlite3_close(file);
  if (rc != SQLITE_OK)
    throw std::runtime_error("sqlite: backup to " + path.string() + " failed");
}

SqlitePeer SqlitePeer::load(const std::filesystem::path& path) {
  sqlite3* mem = open_memory();
  sqlite3* file = nullptr;
  if (sqlite3_open_v2(path.c_str(), &file, SQLITE_OPEN_READONLY, nullptr) !=
      SQLITE_OK) {
    sqlite3_close(file);
    sqlite3_close(mem);
    throw std::runtime_error("sqlite: open " + path.string());
  }
  sqlite3_backup* b = sqlite3_backup_init(mem, "main", file, "main");
  int rc = SQLITE_ERROR;
  if (b != nullptr) {
    sqlite3_backup_step(b, -1);
    rc = sqlite3_backup_finish(b);
  }
  sqlite3_close(file);
  if (rc != SQLITE_OK) {
    std::string message = sqlite3_errmsg(mem);
    sqlite3_close(mem);
    throw std::runtime_error("sqlite: backup from " + path.string() + ": " +
                             message);
  }
  return SqlitePeer(mem, AdoptTag{});
}

Totals SqlitePeer::totals() {
  Totals t;
  auto scalar = [&](const char* sql) {
    sqlite3_stmt* s = nullptr;
    if (sqlite3_prepare_v2(db_, sql, -1, &s, nullptr) != SQLITE_OK)
      fail(db_, sql);
    std::int64_t v =
        sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    return v;
  };
  t.authors =
      static_cast<std::uint64_t>(scalar("SELECT count(*) FROM authors"));
  t.profiles = static_cast<std::uint64_t>(
      scalar("SELECT count(*) FROM author_profiles"));
  t.books = static_cast<std::uint64_t>(scalar("SELECT count(*) FROM books"));
  t.price_cents = scalar("SELECT coalesce(sum(price), 0) FROM books");
  t.email_bytes = static_cast<std::uint64_t>(
      scalar("SELECT coalesce(sum(length(email)), 0) FROM authors"));
  return t;
}

}  // namespace folio::bench
