// The read-ahead of bulk inserts (internal/read_ahead.h): it finds each
// hashed index's bucket slots from Boost.MultiIndex's own layout, which must
// agree with what the index itself gives, whatever the index holds; and
// for_each_reading_ahead() hands every row to its callback once, in order,
// whatever the callback does with it.
#include "folio/internal/read_ahead.h"

#include <cstddef>
#include <random>
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

// For every bucket of `index`: the row BucketSlots finds through the slot
// is the one index.begin(n) gives.
template <class Index>
void check_slots(const Index& index) {
  folio::internal::BucketSlots<Index> slots(index);
  REQUIRE(slots.current());
  REQUIRE(slots.bucket_count() == index.bucket_count());
  for (std::size_t n = 0; n < index.bucket_count(); ++n) {
    const auto* expected = index.begin(n) == index.end(n) ? nullptr : &*index.begin(n);
    if (slots.first(n) != expected) FAIL("bucket " << n << " of " << index.bucket_count());
  }
}

template <class Container>
void check_every_hashed_index(const Container& c) {
  check_slots(c.template get<folio::by_id>());
  if constexpr (std::is_same_v<typename Container::value_type, Book>) {
    check_slots(c.template get<Book::by_author_lookup>());
    check_slots(c.template get<Book::by_author_title>());
  } else {
    check_slots(c.template get<Author::by_email>());
  }
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

TEST_CASE("the bucket slots found are the index's own, as it grows, rehashes and shrinks",
          "[read_ahead]") {
  Database db;
  const auto& authors = db.table<Author>().container();
  const auto& books = db.table<Book>().container();
  check_every_hashed_index(authors);  // empty: only the sentinel is linked
  check_every_hashed_index(books);
  std::mt19937 rng(3);
  std::vector<Id> ids;
  for (Id id = 1; id <= 700; ++id) ids.push_back(id * 7);
  std::shuffle(ids.begin(), ids.end(), rng);
  std::size_t next_check = 1;
  Id book_id = 1;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    db.restore(author(ids[i]));
    // Several books per author (groups in the non-unique index), some
    // authors' books apart from each other.
    for (int k = 0; k < 3; ++k) db.restore(book(book_id++, ids[i - (i % 2) * (i > 0)]));
    if (i + 1 == next_check) {  // 1, 2, 4, ... rows: through every rehash
      check_every_hashed_index(authors);
      check_every_hashed_index(books);
      next_check *= 2;
    }
  }
  check_every_hashed_index(authors);
  check_every_hashed_index(books);
  // Deleting authors empties buckets and unlinks groups.
  for (std::size_t i = 0; i < ids.size(); i += 3) db.remove<Author>(ids[i]);
  check_every_hashed_index(authors);
  check_every_hashed_index(books);
}

TEST_CASE("for_each_reading_ahead gives every row once, in order, at every length",
          "[read_ahead]") {
  std::vector<Author> rows;
  for (Id id = 1; id <= 300; ++id) rows.push_back(author(id * 5));
  for (std::size_t n : {0, 1, 2, 3, 4, 5, 7, 8, 9, 11, 12, 13, 16, 64, 65, 129, 300}) {
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
