// Transactions: all of a block's writes or none, on a folio error or any
// other exception; nesting with savepoint semantics, as Django's atomic();
// explicit Transaction objects. A rollback restores every row and every index
// (db_state.h) but never the id counters.
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "db_state.h"
#include "folio/folio.h"
#include "sample_rows.h"

// g++ 12 (-Wextra) warns about members left to their defaults in designated
// initializers, the way the API builds rows: Author{.name = ..., .email = ...}.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using folio::Author;
using folio::AuthorProfile;
using folio::Book;
using folio::Id;
using folio_test::DbState;
using folio_test::state;
using folio_test::author;
using folio_test::book;

namespace {

// One of each kind of write, touching every table and index: creates,
// updates of unique keys, a move between authors, a cascading delete.
void many_writes(folio::Database& db) {
  const Author& a = db.create(author("new@example.com"));
  db.create(AuthorProfile{.author_id = a.id, .bio = "new"});
  db.create(book(a.id, "New book"));
  Author orwell = db.get<Author>(1);
  orwell.email = "blair@example.com";
  db.update(orwell);
  Book potter = db.get<Book>(3);
  potter.author_id = 1;
  potter.title = "Moved";
  db.update(potter);
  Book moved_again = db.get<Book>(3);
  moved_again.title = "Moved twice";
  db.update(moved_again);
  db.remove<Author>(1);  // its profile and three books, one of them moved
  db.remove<Book>(5);
}

}  // namespace

TEST_CASE("a transaction that returns keeps all its writes", "[transactions]") {
  folio::Database db = folio::seed_database();
  Id id = db.atomic([&] {
    many_writes(db);
    return db.create(author("last@example.com")).id;
  });
  CHECK_FALSE(db.in_transaction());
  CHECK(db.get<Author>(id).email == "last@example.com");
  CHECK(db.find<Author>(1) == nullptr);
  CHECK(db.count<Book>() == 2);  // The Casual Vacancy and New book
}

TEST_CASE("a transaction that fails on a folio error keeps none of its writes",
          "[transactions]") {
  folio::Database db = folio::seed_database();
  const DbState before = state(db);
  CHECK_THROWS_MATCHES(
      db.atomic([&] {
        many_writes(db);
        db.create(author("rowling@example.com"));
      }),
      folio::IntegrityError,
      Catch::Message("Author with this Email already exists."));
  CHECK_FALSE(db.in_transaction());
  CHECK(state(db).content() == before.content());
}

TEST_CASE("a transaction that fails on any exception keeps none of its writes",
          "[transactions]") {
  folio::Database db = folio::seed_database();
  const DbState before = state(db);
  CHECK_THROWS_AS(db.atomic([&] {
    many_writes(db);
    throw std::logic_error("not a folio error");
  }),
                  std::logic_error);
  CHECK(state(db).content() == before.content());
  CHECK_THROWS_AS(db.atomic([&] {
    many_writes(db);
    throw 42;
  }),
                  int);
  CHECK(state(db).content() == before.content());
}

TEST_CASE("a failed inner transaction undoes only its own writes",
          "[transactions][nested]") {
  folio::Database db = folio::seed_database();
  DbState after_outer_writes;
  db.atomic([&] {
    db.create(author("outer@example.com"));
    Book b = db.get<Book>(1);
    b.title = "Nineteen Eighty-Four";
    db.update(b);
    after_outer_writes = state(db);
    CHECK_THROWS_AS(db.atomic([&] {
      many_writes(db);
      throw std::runtime_error("inner fails");
    }),
                    std::runtime_error);
    CHECK(db.in_transaction());
    CHECK(state(db).content() == after_outer_writes.content());
    db.create(author("after@example.com"));  // the outer block goes on
  });
  CHECK(folio::find_author_by_email(db, "outer@example.com") != nullptr);
  CHECK(folio::find_author_by_email(db, "after@example.com") != nullptr);
  CHECK(folio::find_author_by_email(db, "new@example.com") == nullptr);
  CHECK(folio::find_book(db, 1, "Nineteen Eighty-Four") == &db.get<Book>(1));
  CHECK(db.count<Book>() == 5);
}

TEST_CASE("a failed outer transaction undoes its committed inner ones too",
          "[transactions][nested]") {
  folio::Database db = folio::seed_database();
  const DbState before = state(db);
  CHECK_THROWS_AS(db.atomic([&] {
    db.atomic([&] { many_writes(db); });
    db.atomic([&] { db.create(author("second@example.com")); });
    throw std::runtime_error("outer fails");
  }),
                  std::runtime_error);
  CHECK(state(db).content() == before.content());
}

TEST_CASE("an explicit transaction keeps its writes on commit",
          "[transactions][explicit]") {
  folio::Database db = folio::seed_database();
  {
    folio::Database::Transaction tx(db);
    CHECK(db.in_transaction());
    many_writes(db);
    tx.commit();
    CHECK_FALSE(db.in_transaction());
  }
  CHECK(db.find<Author>(1) == nullptr);
  CHECK(folio::find_author_by_email(db, "new@example.com") != nullptr);
}

TEST_CASE("an explicit transaction undoes its writes on rollback",
          "[transactions][explicit]") {
  folio::Database db = folio::seed_database();
  const DbState before = state(db);
  folio::Database::Transaction tx(db);
  many_writes(db);
  tx.rollback();
  CHECK_FALSE(db.in_transaction());
  CHECK(state(db).content() == before.content());
  tx.rollback();  // a second rollback does nothing
  CHECK(state(db).content() == before.content());
}

TEST_CASE("an explicit transaction not ended is rolled back by its destructor",
          "[transactions][explicit]") {
  folio::Database db = folio::seed_database();
  const DbState before = state(db);
  {
    folio::Database::Transaction tx(db);
    many_writes(db);
  }
  CHECK_FALSE(db.in_transaction());
  CHECK(state(db).content() == before.content());
}

TEST_CASE(
    "ending a transaction twice, or an outer one while an inner is open, is a "
    "usage error",
    "[transactions][explicit]") {
  folio::Database db = folio::seed_database();
  folio::Database::Transaction outer(db);
  db.create(author("outer@example.com"));
  {
    folio::Database::Transaction inner(db);
    db.create(author("inner@example.com"));
    CHECK_THROWS_MATCHES(outer.commit(), folio::UsageError,
                         Catch::Message("an inner transaction is still open"));
    CHECK(db.in_transaction());
    inner.commit();
    CHECK_THROWS_MATCHES(inner.commit(), folio::UsageError,
                         Catch::Message("the transaction has already ended"));
  }
  CHECK(db.in_transaction());
  outer.commit();
  CHECK_FALSE(db.in_transaction());
  CHECK(folio::find_author_by_email(db, "outer@example.com") != nullptr);
  CHECK(folio::find_author_by_email(db, "inner@example.com") != nullptr);
}

TEST_CASE("a cascading delete rolled back restores every row and index",
          "[transactions][delete]") {
  folio::Database db = folio::seed_database();
  const DbState before = state(db);
  folio::DeleteResult r;
  CHECK_THROWS_AS(db.atomic([&] {
    r = db.remove<Author>(1);
    db.remove<Author>(2);
    CHECK(db.count<Book>() == 1);
    throw std::runtime_error("undo the deletes");
  }),
                  std::runtime_error);
  CHECK(r.total == 4);
  CHECK(state(db).content() == before.content());
  // The restored rows are whole again: the paths between them work.
  CHECK(folio::profile(db, db.get<Author>(1)).bio ==
        "English novelist and journalist");
  CHECK(folio::books(db, db.get<Author>(2)).size() == 2);
}

TEST_CASE("a rollback does not give back the ids it used",
          "[transactions][ids]") {
  folio::Database db = folio::seed_database();
  const DbState before = state(db);
  {
    folio::Database::Transaction tx(db);
    many_writes(db);
  }
  CHECK(state(db).content() == before.content());
  CHECK(state(db).next_ids == std::vector<Id>{5, 4, 7});
  CHECK(db.create(author("next@example.com")).id == 5);
  CHECK(db.create(book(2, "Next")).id == 7);
}
