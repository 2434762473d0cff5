// restore_all(), bulk_restore_all() and prefetch_inserts(): the batch paths
// must leave exactly what restore() and bulk_restore() row by row leave,
// refuse what they refuse with the same error, and restore_all() must be all
// or nothing (a savepoint inside a caller's transaction). The read-ahead is
// a hint: it changes nothing, whatever the batch holds.
#include <algorithm>
#include <random>
#include <span>
#include <string>
#include <tuple>
#include <vector>

#include <catch2/catch.hpp>

#include "db_state.h"
#include "folio/folio.h"

// g++ 12 (-Wextra) warns about members left to their defaults in designated
// initializers.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using folio::Author;
using folio::AuthorProfile;
using folio::Book;
using folio::Database;
using folio::Decimal;
using folio::Id;
using folio_test::state;

namespace {

// Rows in the order a loader meets them: authors with shuffled ids (so that
// they do not reach their buckets in order), a profile for most, a few
// books each (several batches of read-ahead per table; few enough for
// Debug's invariant checks).
struct Rows {
  std::vector<Author> authors;
  std::vector<AuthorProfile> profiles;
  std::vector<Book> books;
};

Rows sample(int n) {
  Rows r;
  std::vector<Id> ids;
  for (int i = 1; i <= n; ++i) ids.push_back(i * 3);
  std::shuffle(ids.begin(), ids.end(), std::mt19937(7));
  Id book_id = 1;
  for (Id id : ids) {
    const std::string s = std::to_string(id);
    r.authors.push_back(Author{.id = id,
                               .name = "Author " + s,
                               .email = "author." + s + "@example.com",
                               .is_active = id % 2 == 0,
                               .created_at = folio::DateTime::from_micros(id)});
    if (id % 10 != 0) {
      r.profiles.push_back(AuthorProfile{.id = id + 1, .author_id = id, .bio = "Bio " + s});
    }
    for (int k = 0; k < 3; ++k) {
      r.books.push_back(Book{.id = book_id++,
                             .author_id = id,
                             .title = "A title long enough for the heap, number " +
                                      std::to_string(k),
                             .published_year = 1990 + k,
                             .price = Decimal::from_units(100 * k + id, 2)});
    }
  }
  return r;
}

void restore_each(Database& db, const Rows& r) {
  db.atomic([&] {
    for (const Author& a : r.authors) db.restore(a);
    for (const AuthorProfile& p : r.profiles) db.restore(p);
    for (const Book& b : r.books) db.restore(b);
  });
}

// The message of what `f` throws, or "" when it throws nothing.
template <class F>
std::string error_of(F&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("restore_all leaves what restore() row by row leaves", "[batch]") {
  const Rows r = sample(150);
  Database each, batch;
  restore_each(each, r);
  batch.atomic([&] {
    batch.restore_all(r.authors);
    batch.restore_all(r.profiles);
    batch.restore_all(std::span<const Book>(r.books));
  });
  CHECK(state(batch) == state(each));
  CHECK(batch.table<Book>().size() == r.books.size());
  // And outside any transaction.
  Database bare;
  bare.restore_all(r.authors);
  bare.restore_all(r.profiles);
  bare.restore_all(r.books);
  CHECK(state(bare) == state(each));
}

TEST_CASE("bulk_restore_all leaves what bulk_restore() row by row leaves", "[batch]") {
  const Rows r = sample(150);
  Database each, batch;
  for (const Author& a : r.authors) each.bulk_restore(a);
  for (const AuthorProfile& p : r.profiles) each.bulk_restore(p);
  for (const Book& b : r.books) each.bulk_restore(b);
  batch.reserve<Book>(r.books.size());
  batch.bulk_restore_all(r.authors);
  batch.bulk_restore_all(r.profiles);
  batch.bulk_restore_all(r.books);
  CHECK(state(batch) == state(each));
  CHECK(state(batch) == [&] {
    Database db;
    restore_each(db, r);
    return state(db);
  }());
}

TEST_CASE("restore_all is all or nothing, with restore()'s error", "[batch]") {
  const Rows r = sample(100);
  // Each bad row is placed in the middle of a batch, and also at its first
  // and last place, after rows that went in.
  struct Bad {
    const char* what;
    std::size_t at;
    Book row;
  };
  std::vector<Bad> bads;
  for (std::size_t at : {std::size_t{0}, std::size_t{31}, std::size_t{32}, std::size_t{150},
                         r.books.size()}) {
    Book dup_title = r.books[5];  // (author_id, title) of another book
    dup_title.id = 100000;
    bads.push_back({"a taken (author_id, title)", at, dup_title});
    Book no_author = r.books[5];
    no_author.id = 100001;
    no_author.author_id = 2;  // no author 2: ids are multiples of 3
    no_author.title = "Orphan";
    bads.push_back({"a missing author", at, no_author});
    Book taken_id = r.books[7];
    taken_id.title = "Another title";
    bads.push_back({"a taken id", at, taken_id});
    Book invalid = r.books[5];
    invalid.id = 100002;
    invalid.title = "Fine";
    invalid.published_year = 0;
    bads.push_back({"a year below 1", at, invalid});
  }
  for (const Bad& bad : bads) {
    INFO(bad.what << " at " << bad.at);
    Database db;
    db.restore_all(r.authors);
    std::vector<Book> books(r.books.begin(), r.books.end());
    books.insert(books.begin() + static_cast<std::ptrdiff_t>(bad.at), bad.row);
    const auto before = state(db);

    // The first error restore() gives, row by row (at the bad row, or at
    // the row it collides with when it comes first).
    Database reference;
    reference.restore_all(r.authors);
    const std::string expected = error_of([&] {
      for (const Book& b : books) reference.restore(b);
    });
    REQUIRE(!expected.empty());

    CHECK(error_of([&] { db.restore_all(books); }) == expected);
    CHECK(state(db).content() == before.content());

    // In a caller's transaction: a savepoint; the caller's writes stay
    // until the caller's own rollback.
    db.atomic([&] {
      db.restore(AuthorProfile{.id = 999, .author_id = 3});
      CHECK(error_of([&] { db.restore_all(books); }) == expected);
      CHECK(db.find<AuthorProfile>(999) != nullptr);
      CHECK(db.table<Book>().empty());
    });
    CHECK(db.find<AuthorProfile>(999) != nullptr);
  }
}

TEST_CASE("restore_all refuses duplicates within one batch", "[batch]") {
  Database db;
  std::vector<Author> authors;
  for (int i = 1; i <= 10; ++i) {
    authors.push_back(Author{.id = i, .name = "A", .email = "a" + std::to_string(i) + "@x.org"});
  }
  authors[7].email = authors[2].email;
  const std::string expected = [&] {
    Database reference;
    for (int i = 0; i < 7; ++i) reference.restore(authors[static_cast<std::size_t>(i)]);
    return error_of([&] { reference.restore(authors[7]); });
  }();
  CHECK_THAT(expected, Catch::Contains("Email"));
  CHECK(error_of([&] { db.restore_all(authors); }) == expected);
  CHECK(db.table<Author>().empty());
}

TEST_CASE("bulk_restore_all stops at the first error; rows before it stay", "[batch]") {
  const Rows r = sample(60);
  Database db;
  db.bulk_restore_all(r.authors);
  std::vector<Book> books(r.books.begin(), r.books.end());
  Book dup = books[3];
  dup.id = 5000;
  books.insert(books.begin() + 40, dup);
  Database reference;
  reference.bulk_restore_all(r.authors);
  for (std::size_t i = 0; i < 40; ++i) reference.bulk_restore(books[i]);
  const std::string expected = error_of([&] { reference.bulk_restore(dup); });
  REQUIRE_THAT(expected, Catch::Contains("Title"));
  CHECK(error_of([&] { db.bulk_restore_all(books); }) == expected);
  CHECK(state(db) == state(reference));
  // Not in a transaction: nothing would undo the rows.
  db.atomic([&] {
    CHECK_THROWS_AS(db.bulk_restore_all(std::vector<Book>{}), folio::UsageError);
  });
}

TEST_CASE("prefetch_inserts changes nothing", "[batch]") {
  const Rows r = sample(80);
  Database db;
  // Empty tables, an empty batch, then full ones with batches of every size
  // around the read-ahead, including rows already stored and rows that
  // collide.
  db.prefetch_inserts(std::span<const Book>(r.books));
  db.prefetch_inserts(std::span<const Author>());
  CHECK(db.table<Book>().empty());
  db.restore_all(r.authors);
  db.restore_all(r.books);
  const auto before = state(db);
  for (std::size_t n : {std::size_t{1}, Database::kReadAhead - 1, Database::kReadAhead,
                        Database::kReadAhead + 1, r.books.size()}) {
    db.prefetch_inserts(std::span<const Book>(r.books.data(), n));
    db.prefetch_inserts(std::span<const Author>(r.authors.data(), std::min(n, r.authors.size())));
  }
  CHECK(state(db) == before);
}

namespace {

// Puts two bad books into `books`: at `second`, one whose author (601)
// does not exist (the ids are multiples of 3), in the middle of the sort
// by author; then at `first` (before it), one with year 0 whose author is
// sorted last. In the given order the year comes first; sorted, the
// missing author does, after the books of about half the authors.
void add_bad_books(std::vector<Book>& books, const Rows& r, std::size_t first,
                   std::size_t second) {
  Id max_author = 0;
  for (const Author& a : r.authors) max_author = std::max(max_author, a.id);
  books.insert(books.begin() + static_cast<std::ptrdiff_t>(second),
               Book{.id = 100001, .author_id = 601, .title = "Orphan", .published_year = 2000});
  books.insert(books.begin() + static_cast<std::ptrdiff_t>(first),
               Book{.id = 100000, .author_id = max_author, .title = "Year zero",
                    .published_year = 0});
}

// bulk_restore_all(books) throws what bulk_restore() row by row throws at
// books[at] (the year), and leaves what that leaves.
void check_bulk_stops_at(const Rows& r, const std::vector<Book>& books, std::size_t at) {
  Database reference;
  reference.bulk_restore_all(r.authors);
  for (std::size_t i = 0; i < at; ++i) reference.bulk_restore(books[i]);
  const std::string expected = error_of([&] { reference.bulk_restore(books[at]); });
  REQUIRE_THAT(expected, Catch::Contains("greater than or equal to 1"));
  Database db;
  db.bulk_restore_all(r.authors);
  CHECK(error_of([&] { db.bulk_restore_all(books); }) == expected);
  CHECK(state(db) == state(reference));
}

// restore_all(books) throws what restore() row by row throws first (the
// year), and no book stays. The next id is not transactional (an id once
// given is not given again): it is where row by row leaves it.
void check_restore_all_fails_as_row_by_row(const Rows& r, const std::vector<Book>& books) {
  Database reference;
  reference.restore_all(r.authors);
  const std::string expected = error_of([&] {
    for (const Book& b : books) reference.restore(b);
  });
  REQUIRE_THAT(expected, Catch::Contains("greater than or equal to 1"));
  Database db;
  db.restore_all(r.authors);
  const auto before = state(db);
  CHECK(error_of([&] { db.restore_all(books); }) == expected);
  CHECK(state(db).content() == before.content());
  CHECK(db.table<Book>().next_id() == reference.table<Book>().next_id());
}

}  // namespace

// Rows out of the order of the books' ordered index (author_id, id), and
// enough of them, go in sorted by author; the outcome must be the same as
// in the given order, down to which error is thrown and what stays.
TEST_CASE("restore_all and bulk_restore_all sort rows out of the index's order, "
          "with the same outcome", "[batch]") {
  // Authors shuffled, so their books are out of order; just above kSortFrom
  // rows (Debug checks every index after every insert).
  const Rows r = sample(345);
  REQUIRE(r.books.size() >= Database::kSortFrom);
  Database each;
  restore_each(each, r);

  Database batch;
  batch.restore_all(r.authors);
  batch.restore_all(r.profiles);
  batch.restore_all(r.books);
  CHECK(state(batch) == state(each));

  Database bulk;
  bulk.bulk_restore_all(r.authors);
  bulk.bulk_restore_all(r.profiles);
  bulk.bulk_restore_all(r.books);
  CHECK(state(bulk) == state(each));
  // books() is in id order either way.
  const Author& some = bulk.get<Author>(r.authors[17].id);
  Id last = 0;
  int count = 0;
  for (const Book& b : folio::books(bulk, some)) {
    CHECK(b.id > last);
    last = b.id;
    ++count;
  }
  CHECK(count == 3);
}

TEST_CASE("rows sorted by the index report the first error in the given order",
          "[batch]") {
  const Rows r = sample(345);
  std::vector<Book> books(r.books.begin(), r.books.end());
  add_bad_books(books, r, 100, 1000);

  SECTION("restore_all: all or nothing") {
    check_restore_all_fails_as_row_by_row(r, books);
    // Without the first bad row, the other one is the error.
    books.erase(books.begin() + 100);
    Database db;
    db.restore_all(r.authors);
    CHECK_THAT(error_of([&] { db.restore_all(books); }),
               Catch::Contains("does not exist"));
    CHECK(db.table<Book>().empty());
  }
  SECTION("bulk_restore_all: the rows before the error stay, no others") {
    check_bulk_stops_at(r, books, 100);
  }
}

TEST_CASE("rows without ids are numbered in the given order, whatever their authors",
          "[batch]") {
  const Rows r = sample(345);
  std::vector<Book> books(r.books.begin(), r.books.end());
  for (Book& b : books) b.id = 0;
  Database db;
  db.restore_all(r.authors);
  db.restore_all(books);
  REQUIRE(db.count<Book>() == books.size());
  for (std::size_t i = 0; i < books.size(); ++i) {
    const Book& b = db.get<Book>(static_cast<Id>(i + 1));
    CHECK(b.author_id == books[i].author_id);
    CHECK(b.title == books[i].title);
  }
}

TEST_CASE("rows in the index's order go in as given, the rest sorted, with the same outcome",
          "[batch]") {
  const Rows r = sample(345);
  // The first 600 books in (author_id, id) order, the rest as they come.
  std::vector<Book> books(r.books.begin(), r.books.end());
  std::sort(books.begin(), books.begin() + 600, [](const Book& a, const Book& b) {
    return std::tie(a.author_id, a.id) < std::tie(b.author_id, b.id);
  });
  auto each = [&](Database& db, const std::vector<Book>& rows) {
    db.restore_all(r.authors);
    for (const Book& b : rows) db.restore(b);
  };
  {
    Database reference, batch, bulk;
    each(reference, books);
    batch.restore_all(r.authors);
    batch.restore_all(books);
    CHECK(state(batch) == state(reference));
    bulk.bulk_restore_all(r.authors);
    bulk.bulk_restore_all(books);
    CHECK(state(bulk) == state(reference));
  }
  // Bad rows among the rest, the first in the given order (900) met last
  // when sorted.
  add_bad_books(books, r, 900, 1000);
  check_bulk_stops_at(r, books, 900);
  check_restore_all_fails_as_row_by_row(r, books);
}
