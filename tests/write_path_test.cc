// The write path's own edges: an update swaps the new row in and keeps the
// old one for the undo log, so rollbacks (nested ones too) and refused
// updates must leave every row and index exactly as they were; a cascade
// that reaches a row by two paths deletes it once; a cascade larger than
// the plan keeps inline still reports Django's counts.
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "db_state.h"
#include "folio/folio.h"
#include "review_model.h"
#include "sample_rows.h"

// g++ 12 (-Wextra) warns about members left to their defaults in designated
// initializers, the way the API builds rows: Author{.name = ..., .email = ...}.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using folio::Author;
using folio::AuthorProfile;
using folio::Book;
using folio::Id;
using folio::Review;
using folio_test::author;
using folio_test::book;
using folio_test::DbState;
using folio_test::state;
using Counts = std::vector<std::pair<std::string, std::size_t>>;

namespace folio_test {

// A note on a book by an author, who need not be the book's author: deleting
// an author reaches the notes on their books a second time.
struct Note {
  Id id = 0;
  Id author_id = 0;
  Id book_id = 0;

  struct by_author {};
  struct by_book {};
  static constexpr folio::ModelInfo kInfo{"myapp.Note", "Note",  "myapp.note",
                                          "note",       "notes", 1};
  static constexpr auto fields() {
    using K = folio::FieldKind;
    return std::tuple{
        folio::Field<Note, Id>{"id", "id", &Note::id, {.kind = K::kAutoId}},
        folio::Field<Note, Id>{
            "author", "author_id", &Note::author_id, {.kind = K::kForeignKey}},
        folio::Field<Note, Id>{
            "book", "book_id", &Note::book_id, {.kind = K::kForeignKey}}};
  }
  // by_id: unique, hashed. by_author, by_book: not unique, hashed.
  using Indexes = folio::bmi::indexed_by<
      folio::primary_key<Note>,
      folio::bmi::hashed_non_unique<folio::bmi::tag<by_author>,
                                    folio::bmi::key<&Note::author_id>,
                                    folio::internal::IdHash>,
      folio::bmi::hashed_non_unique<folio::bmi::tag<by_book>,
                                    folio::bmi::key<&Note::book_id>,
                                    folio::internal::IdHash>>;
  static constexpr auto foreign_keys() {
    return std::tuple{folio::ForeignKey<Note, Author, by_author>{
                          &Note::author_id, "author", "author_id"},
                      folio::ForeignKey<Note, Book, by_book>{
                          &Note::book_id, "book", "book_id"}};
  }
};

}  // namespace folio_test

using folio_test::Note;
using NoteDatabase =
    folio::BasicDatabase<Author, AuthorProfile, Book, Review, Note>;

namespace {

// Author 1 with a profile and 12 books (more than a plan holds inline), two
// reviews of book 1; author 2 with book 13. Notes: 1 by author 1 on book 1
// (reached twice by deleting author 1), 2 by author 2 on book 2 (reached
// through the book), 3 by author 1 on book 13 (through the author), 4 by
// author 2 on book 13 (not reached).
NoteDatabase note_database() {
  NoteDatabase db;
  db.create(author("orwell@example.com"));
  db.create(author("tolstoy@example.com"));
  db.create(AuthorProfile{.author_id = 1, .bio = "English novelist"});
  for (int i = 1; i <= 12; ++i) db.create(book(1, "Book " + std::to_string(i)));
  db.create(book(2, "War and Peace"));
  db.create(Review{.book_id = 1, .reviewer = "alice", .rating = 5});
  db.create(Review{.book_id = 1, .reviewer = "bob", .rating = 4});
  db.create(Note{.author_id = 1, .book_id = 1});
  db.create(Note{.author_id = 2, .book_id = 2});
  db.create(Note{.author_id = 1, .book_id = 13});
  db.create(Note{.author_id = 2, .book_id = 13});
  return db;
}

std::vector<Id> note_ids(const NoteDatabase& db) {
  std::vector<Id> ids;
  for (const Note& n : db.all<Note>()) ids.push_back(n.id);
  return ids;
}

}  // namespace

TEST_CASE("an update rolled back restores the row and its old keys",
          "[transactions][update]") {
  folio::Database db = folio::seed_database();
  const DbState before = state(db);
  CHECK_THROWS_AS(db.atomic([&] {
    for (const char* email : {"blair@example.com", "eric@example.com"}) {
      Author a = db.get<Author>(1);
      a.email = email;
      db.update(a);
    }
    Book b = db.get<Book>(3);
    b.author_id = 1;
    b.title = "Moved";
    db.update(b);
    throw std::runtime_error("undo the updates");
  }),
                  std::runtime_error);
  CHECK(state(db).content() == before.content());
  CHECK(folio::find_author_by_email(db, "orwell@example.com") ==
        &db.get<Author>(1));
  CHECK(folio::find_author_by_email(db, "eric@example.com") == nullptr);
}

TEST_CASE(
    "a refused update in a transaction changes nothing, then or on rollback",
    "[transactions][update][unique]") {
  folio::Database db = folio::seed_database();
  const Author& orwell = db.get<Author>(1);
  const std::string name = orwell.name;
  db.atomic([&] {
    Author a = orwell;
    a.email = "blair@example.com";
    db.update(a);
    const DbState after_update = state(db);
    a.email = "rowling@example.com";
    a.name = "Eric Blair";
    CHECK_THROWS_AS(db.update(a), folio::IntegrityError);
    CHECK(state(db) == after_update);
    CHECK(&db.get<Author>(1) == &orwell);  // the row stayed where it was
  });
  CHECK(orwell.email == "blair@example.com");
  CHECK(orwell.name == name);

  CHECK_THROWS_AS(db.atomic([&] {
    Author a = orwell;
    a.email = "rowling@example.com";
    CHECK_THROWS_AS(db.update(a), folio::IntegrityError);
    a.email = "orwell@example.com";
    db.update(a);
    throw std::runtime_error("undo");
  }),
                  std::runtime_error);
  CHECK(orwell.email == "blair@example.com");
  CHECK(folio::find_author_by_email(db, "blair@example.com") == &orwell);
  CHECK(folio::find_author_by_email(db, "orwell@example.com") == nullptr);
}

TEST_CASE("a failed savepoint restores the outer transaction's update",
          "[transactions][nested][update]") {
  folio::Database db = folio::seed_database();
  const DbState before = state(db);
  auto set_email = [&](const char* email) {
    Author a = db.get<Author>(1);
    a.email = email;
    db.update(a);
  };
  CHECK_THROWS_AS(db.atomic([&] {
    set_email("outer@example.com");
    const DbState after_outer = state(db);
    CHECK_THROWS_AS(db.atomic([&] {
      set_email("inner@example.com");
      set_email("inner2@example.com");
      throw std::runtime_error("inner fails");
    }),
                    std::runtime_error);
    CHECK(state(db) == after_outer);
    db.atomic([&] { set_email("kept@example.com"); });
    CHECK(db.get<Author>(1).email == "kept@example.com");
    throw std::runtime_error("outer fails");
  }),
                  std::runtime_error);
  CHECK(state(db).content() == before.content());
}

TEST_CASE("a cascade reaching a row by two paths deletes and counts it once",
          "[delete]") {
  NoteDatabase db = note_database();
  folio::DeleteResult r = db.remove<Author>(1);
  CHECK(r.per_model == Counts{{"myapp.Review", 2},
                              {"myapp.Note", 3},
                              {"myapp.AuthorProfile", 1},
                              {"myapp.Book", 12},
                              {"myapp.Author", 1}});
  CHECK(r.total == 19);
  CHECK(note_ids(db) == std::vector<Id>{4});
  CHECK(db.count<Book>() == 1);
  CHECK(db.count<Review>() == 0);
}

TEST_CASE("a large cascade rolled back restores every row and its lookups",
          "[delete][transactions]") {
  NoteDatabase db = note_database();
  const DbState before = state(db);
  CHECK_THROWS_AS(db.atomic([&] {
    CHECK(db.remove<Author>(1).total == 19);
    CHECK(db.remove<Author>(2).total == 3);
    throw std::runtime_error("undo the deletes");
  }),
                  std::runtime_error);
  CHECK(state(db).content() == before.content());
  CHECK(note_ids(db) == std::vector<Id>{1, 2, 3, 4});
  CHECK(db.children<Note>(db.get<Book>(13)).size() == 2);
  CHECK(db.children<Note>(db.get<Author>(1)).size() == 2);
  CHECK(db.children<Review>(db.get<Book>(1)).size() == 2);
}

TEST_CASE("delete counts compare with any list of (label, count) pairs",
          "[delete]") {
  folio::Database db = folio::seed_database();
  folio::DeleteResult r = db.remove<Author>(1);
  const Counts expected{
      {"myapp.AuthorProfile", 1}, {"myapp.Book", 2}, {"myapp.Author", 1}};
  CHECK(r.per_model == expected);
  CHECK(expected == r.per_model);
  CHECK_FALSE(r.per_model == Counts{{"myapp.Book", 2},
                                    {"myapp.AuthorProfile", 1},
                                    {"myapp.Author", 1}});
  CHECK_FALSE(r.per_model ==
              Counts{{"myapp.AuthorProfile", 1}, {"myapp.Book", 2}});
  CHECK(Counts(r.per_model.begin(), r.per_model.end()) == expected);
  CHECK(r.per_model[1].first == "myapp.Book");
  folio::DeleteResult copy = r;
  CHECK(copy == r);
}
