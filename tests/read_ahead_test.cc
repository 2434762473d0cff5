// for_each_reading_ahead(), the read-ahead loop of bulk inserts: it hands
// every row to its callback once, in order, whatever the callback does with
// it; and bulk_restore_valid(), the insert of a row validated elsewhere.
#include <cstddef>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "db_state.h"
#include "folio/folio.h"

using folio::Author;
using folio::Book;
using folio::Database;
using folio::Decimal;
using folio::Id;
using folio_test::state;

namespace {

std::size_t books_of(const Database& db, Id author_id) {
  const Author* a = db.find<Author>(author_id);
  return a == nullptr ? 0 : folio::books(db, *a).size();
}

Author author(Id id) {
  const std::string s = std::to_string(id);
  return Author{.id = id, .name = "A" + s, .email = "a" + s + "@example.com"};
}

Book book(Id id, Id author_id) {
  return Book{.id = id,
              .author_id = author_id,
              .title = "Title " + std::to_string(id),
              .published_year = 2000,
              .price = Decimal::from_units(999, 2)};
}

}  // namespace

TEST_CASE("for_each_reading_ahead gives every row once, in order, at every length",
          "[read_ahead]") {
  std::vector<Author> rows;
  for (Id id = 1; id <= 300; ++id) rows.push_back(author(id * 5));
  for (std::size_t n : {0, 1, 2, 31, 32, 33, 64, 65, 129, 300}) {
    // No reserve(): the inserts rehash the indexes while rows are read ahead.
    Database db;
    std::vector<Id> seen;
    db.for_each_reading_ahead(std::span<const Author>(rows.data(), n),
                              [&](const Author& a) {
                                seen.push_back(a.id);
                                db.restore(a);
                              });
    REQUIRE(seen.size() == n);
    for (std::size_t i = 0; i < n; ++i) CHECK(seen[i] == rows[i].id);
    CHECK(db.count<Author>() == n);
  }
}

TEST_CASE("for_each_reading_ahead lets the callback move, skip and refuse rows",
          "[read_ahead]") {
  std::vector<Author> rows;
  for (Id id = 1; id <= 200; ++id) rows.push_back(author(id));
  rows[150].email = rows[10].email;  // refused: a taken email
  Database db;
  std::vector<Id> refused;
  db.for_each_reading_ahead(rows, [&](Author& a) {
    if (a.id % 7 == 0) return;  // skipped
    try {
      db.bulk_restore(std::move(a));
    } catch (const folio::IntegrityError&) {
      refused.push_back(a.id);
    }
  });
  CHECK(refused == std::vector<Id>{151});
  CHECK(db.count<Author>() == 200 - 200 / 7 - 1);
  CHECK(db.find<Author>(7) == nullptr);
  CHECK(db.get<Author>(8).email == "a8@example.com");
}

TEST_CASE("what the callback throws ends for_each_reading_ahead", "[read_ahead]") {
  std::vector<Author> rows;
  for (Id id = 1; id <= 100; ++id) rows.push_back(author(id));
  Database db;
  std::size_t calls = 0;
  CHECK_THROWS_WITH(db.for_each_reading_ahead(rows,
                                              [&](const Author& a) {
                                                if (++calls == 40) throw std::runtime_error("stop");
                                                db.restore(a);
                                              }),
                    "stop");
  CHECK(calls == 40);
  CHECK(db.count<Author>() == 39);
}

TEST_CASE("bulk_restore_valid leaves what bulk_restore leaves", "[read_ahead][batch]") {
  Database a, b;
  std::vector<Book> books;
  for (Id id = 1; id <= 50; ++id) {
    a.bulk_restore(author(id));
    b.bulk_restore(author(id));
  }
  for (Id id = 1; id <= 400; ++id) books.push_back(book(id, 1 + id % 50));
  for (const Book& row : books) {
    Database::validate(row);
    a.bulk_restore(row);
    b.bulk_restore_valid(row);
  }
  CHECK(state(a) == state(b));
  // The other rules still hold: a missing parent, a taken key.
  CHECK_THROWS_AS(b.bulk_restore_valid(book(401, 99)), folio::IntegrityError);
  Book taken = book(402, 1 + 2 % 50);
  taken.title = "Title 2";  // book 2's (author_id, title)
  CHECK_THROWS_AS(b.bulk_restore_valid(taken), folio::IntegrityError);
  CHECK(b.count<Book>() == 400);
}

// A delete reads ahead the links its erases will follow: a plan of up to
// 64 rows at once, a larger one 64 rows of a model at a time
// (apply_delete). The counts put the deleted author's plan on either side
// of those bounds; its long texts (heap blocks, read ahead too) go with it.
// The Debug build also checks every index's invariants after each erase.
TEST_CASE("a cascade delete of any size leaves what a database without the rows holds",
          "[read_ahead][delete]") {
  const std::string long_text(40, 'x');
  std::string website = "https://example.com/";
  website += long_text;
  auto add = [&](Database& db, Id author_id, std::size_t books, Id first_book) {
    Author a = author(author_id);
    a.name = long_text + std::to_string(author_id);
    db.restore(a);
    db.restore(folio::AuthorProfile{.id = author_id,
                                    .author_id = author_id,
                                    .bio = long_text,
                                    .website = website});
    for (std::size_t k = 0; k < books; ++k) {
      Book b = book(first_book + static_cast<Id>(k), author_id);
      if (k % 3 == 0) b.title = long_text + std::to_string(k);
      db.restore(b);
    }
  };
  for (std::size_t books : {0, 1, 5, 61, 62, 63, 64, 65, 130, 200}) {
    INFO(books << " books of the deleted author");
    Database with, without;
    // Rows before and after the deleted ones in every index.
    for (Database* db : {&with, &without}) {
      add(*db, 1, 7, 1000);
      add(*db, 3, 7, 3000);
    }
    add(with, 2, books, 10'000);
    for (Database* db : {&with, &without}) add(*db, 4, 70, 20'000);

    const auto before = state(with).content();
    CHECK_THROWS_AS(with.atomic([&] {
      with.remove<Author>(2);
      throw std::runtime_error("undo");
    }),
                    std::runtime_error);
    CHECK(state(with).content() == before);

    CHECK(with.remove<Author>(2).total == 2 + books);
    CHECK(state(with).content() == state(without).content());
    CHECK(with.find<Author>(2) == nullptr);
    CHECK(books_of(with, 4) == 70);
  }
}
