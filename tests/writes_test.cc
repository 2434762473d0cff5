// Ids, timestamps and lookups of the write path: ids from 1 per table, never
// reused; auto_now_add on create, kept by update and restore; lookups by
// std::string_view.
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#include "folio/folio.h"
#include "refusals.h"
#include "sample_rows.h"

// g++ 12 (-Wextra) warns about members left to their defaults in designated
// initializers, the way the API builds rows: Author{.name = ..., .email = ...}.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using folio::Author;
using folio::AuthorProfile;
using folio::Book;
using folio::DateTime;
using folio::Id;
using folio_test::integrity_error;
using folio_test::Refusal;
using folio_test::author;
using folio_test::book;

TEST_CASE("ids start at 1 in every table and count up", "[ids]") {
  folio::Database db;
  CHECK(db.create(author("a@example.com")).id == 1);
  CHECK(db.create(author("b@example.com")).id == 2);
  CHECK(db.create(AuthorProfile{.author_id = 2}).id == 1);
  CHECK(db.create(book(1, "One")).id == 1);
  CHECK(db.create(book(1, "Two")).id == 2);
  CHECK(db.create(author("c@example.com")).id == 3);
}

TEST_CASE("an id is never reused after a delete, even of the highest row",
          "[ids][delete]") {
  folio::Database db;
  db.create(author("a@example.com"));
  const Id last = db.create(author("b@example.com")).id;
  db.remove<Author>(last);
  CHECK(db.create(author("c@example.com")).id == last + 1);
}

TEST_CASE("an id is never reused after a failed create", "[ids]") {
  folio::Database db;
  const Id first = db.create(author("a@example.com")).id;
  CHECK_THROWS_AS(db.create(author("a@example.com")), folio::IntegrityError);
  CHECK_THROWS_AS(db.create(author("not an email")), folio::ValidationError);
  const Id next = db.create(author("b@example.com")).id;
  CHECK(next > first);
  CHECK(db.count<Author>() == 2);
}

TEST_CASE("an id is never reused after a rollback", "[ids][transactions]") {
  folio::Database db;
  Id rolled_back = 0;
  CHECK_THROWS_AS(db.atomic([&] {
    rolled_back = db.create(author("a@example.com")).id;
    throw std::runtime_error("abandon");
  }),
                  std::runtime_error);
  CHECK(db.find<Author>(rolled_back) == nullptr);
  CHECK(db.create(author("a@example.com")).id == rolled_back + 1);
}

TEST_CASE("an explicit id is kept and advances the counter past it", "[ids]") {
  folio::Database db;
  CHECK(db.create(Author{.id = 10, .name = "Ten", .email = "ten@example.com"})
            .id == 10);
  CHECK(db.create(author("a@example.com")).id == 11);
  // An unused id below the counter may be taken; the counter stays.
  CHECK(db.create(Author{.id = 5, .name = "Five", .email = "five@example.com"})
            .id == 5);
  CHECK(db.create(author("b@example.com")).id == 12);
  CHECK(db.table<Author>().next_id() == 13);
}

TEST_CASE("a duplicate explicit id is refused", "[ids][unique]") {
  folio::Database db = folio::seed_database();
  Author dup{.id = 2, .name = "Copy", .email = "copy@example.com"};
  CHECK(integrity_error<Author>(db, [&] { db.create(dup); }) ==
        Refusal{"Author with this ID already exists.", "authors_pkey",
                "(id)=(2)"});
  CHECK(integrity_error<Book>(
            db,
            [&] {
              db.restore(Book{
                  .id = 1, .author_id = 2, .title = "X", .published_year = 1});
            }) ==
        Refusal{"Book with this ID already exists.", "books_pkey", "(id)=(1)"});
  CHECK(integrity_error<AuthorProfile>(
            db, [&] { db.create(AuthorProfile{.id = 1, .author_id = 3}); }) ==
        Refusal{"Author profile with this ID already exists.",
                "author_profiles_pkey", "(id)=(1)"});
}

TEST_CASE("a negative explicit id is refused", "[ids][rules]") {
  folio::Database db = folio::seed_database();
  CHECK(folio_test::create_errors(
            db, Author{.id = -1, .name = "N", .email = "n@example.com"}) ==
        folio::FieldErrors{
            {"id", {"Ensure this value is greater than or equal to 1."}}});
}

TEST_CASE("create sets created_at to now, overriding the value given",
          "[timestamps]") {
  folio::Database db;
  const DateTime given = DateTime::from_civil(2000, 1, 1);
  const DateTime before = DateTime::now();
  Author a = author("a@example.com");
  a.created_at = given;
  const Author& stored = db.create(a);
  const DateTime after = DateTime::now();
  CHECK(stored.created_at != given);
  CHECK(stored.created_at >= before);
  CHECK(stored.created_at <= after);
}

TEST_CASE("restore keeps created_at as given", "[timestamps]") {
  folio::Database db;
  const DateTime given = DateTime::from_civil(2000, 1, 1, 12, 30, 5, 250);
  Author a = author("a@example.com");
  a.created_at = given;
  CHECK(db.restore(a).created_at == given);
}

TEST_CASE("an update never changes created_at", "[timestamps][update]") {
  folio::Database db = folio::seed_database();
  const DateTime original = db.get<Author>(1).created_at;
  Author a = db.get<Author>(1);
  a.name = "Eric Blair";
  a.created_at = DateTime::from_civil(1999, 12, 31);
  const Author& stored = db.update(a);
  CHECK(stored.name == "Eric Blair");
  CHECK(stored.created_at == original);
}

TEST_CASE("an update changes every index that serves a changed key",
          "[update]") {
  folio::Database db = folio::seed_database();
  Author a = db.get<Author>(1);
  a.email = "blair@example.com";
  db.update(a);
  CHECK(folio::find_author_by_email(db, "orwell@example.com") == nullptr);
  CHECK(folio::find_author_by_email(db, "blair@example.com") ==
        &db.get<Author>(1));

  Book b = db.get<Book>(1);
  b.author_id = 2;
  b.title = "Nineteen Eighty-Four";
  db.update(b);
  CHECK(folio::find_book(db, 1, "1984") == nullptr);
  CHECK(folio::find_book(db, 2, "Nineteen Eighty-Four") == &db.get<Book>(1));
  std::vector<Id> of_author_1, of_author_2;
  for (const Book& x : folio::books(db, db.get<Author>(1)))
    of_author_1.push_back(x.id);
  for (const Book& x : folio::books(db, db.get<Author>(2)))
    of_author_2.push_back(x.id);
  CHECK(of_author_1 == std::vector<Id>{2});
  CHECK(of_author_2 == std::vector<Id>{1, 3, 4});
}

TEST_CASE("an update of a row that does not exist is refused", "[update]") {
  folio::Database db = folio::seed_database();
  const folio_test::DbState before = folio_test::state(db);
  Author ghost = author("ghost@example.com");
  ghost.id = 99;
  CHECK_THROWS_MATCHES(db.update(ghost), folio::DoesNotExist,
                       Catch::Message("Author matching query does not exist."));
  CHECK(folio_test::state(db) == before);
}

TEST_CASE("a delete of a row that does not exist is refused", "[delete]") {
  folio::Database db = folio::seed_database();
  const folio_test::DbState before = folio_test::state(db);
  CHECK_THROWS_MATCHES(db.remove<Book>(99), folio::DoesNotExist,
                       Catch::Message("Book matching query does not exist."));
  CHECK(folio_test::state(db) == before);
}

TEST_CASE("get of a missing row throws DoesNotExist; find returns null",
          "[lookups]") {
  folio::Database db = folio::seed_database();
  CHECK_THROWS_MATCHES(db.get<Author>(4), folio::DoesNotExist,
                       Catch::Message("Author matching query does not exist."));
  CHECK(db.find<AuthorProfile>(3) == nullptr);
}

TEST_CASE("rows are found by a std::string_view key that is not a whole string",
          "[lookups]") {
  folio::Database db = folio::seed_database();
  const std::string text = "<orwell@example.com|Animal Farm>";
  const std::string_view email = std::string_view(text).substr(1, 18);
  const std::string_view title = std::string_view(text).substr(20, 11);
  REQUIRE(email == "orwell@example.com");
  REQUIRE(title == "Animal Farm");
  CHECK(folio::find_author_by_email(db, email) == &db.get<Author>(1));
  CHECK(folio::find_book(db, 1, title) == &db.get<Book>(2));
  CHECK(folio::find_book(db, 2, title) == nullptr);
  CHECK(db.find_by<Author, Author::by_email>(email.substr(0, 6)) == nullptr);
}
