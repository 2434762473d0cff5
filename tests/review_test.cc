// A fourth model (review_model.h), defined only under tests/, gets ids,
// validation, its unique index, the foreign-key check, cascades,
// transactions and relationship paths from the generic layer alone.
#include <algorithm>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#define CATCH_CONFIG_ENABLE_PAIR_STRINGMAKER
#include <catch2/catch.hpp>

#include "folio/folio.h"
#include "refusals.h"
#include "review_model.h"

// g++ 12 (-Wextra) warns about members left to their defaults in designated
// initializers, the way the API builds rows: Author{.name = ..., .email = ...}.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using folio::Author;
using folio::AuthorProfile;
using folio::Book;
using folio::FieldErrors;
using folio::Id;
using folio::Review;
using folio::ReviewDatabase;
using folio_test::integrity_error;
using folio_test::Refusal;
using Counts = std::vector<std::pair<std::string, std::size_t>>;

namespace {

// Author 1 (with a profile): books 1 "1984" (reviews by alice, bob) and 2
// "Animal Farm" (alice). Author 2 (no profile): book 3 (carol).
// Author 3 (with a profile): book 4, not reviewed.
ReviewDatabase review_database() {
  ReviewDatabase db;
  auto price = folio::Decimal::from_units(999, 2);
  db.create(Author{.name = "George Orwell", .email = "orwell@example.com"});
  db.create(Author{.name = "Leo Tolstoy", .email = "tolstoy@example.com"});
  db.create(Author{.name = "J.K. Rowling", .email = "rowling@example.com"});
  db.create(AuthorProfile{.author_id = 1, .bio = "English novelist"});
  db.create(AuthorProfile{.author_id = 3, .bio = "British author"});
  db.create(Book{
      .author_id = 1, .title = "1984", .published_year = 1949, .price = price});
  db.create(Book{.author_id = 1,
                 .title = "Animal Farm",
                 .published_year = 1945,
                 .price = price});
  db.create(Book{.author_id = 2,
                 .title = "War and Peace",
                 .published_year = 1869,
                 .price = price});
  db.create(Book{.author_id = 3,
                 .title = "Harry Potter",
                 .published_year = 1997,
                 .price = price});
  db.create(Review{.book_id = 1, .reviewer = "alice", .rating = 5});
  db.create(Review{.book_id = 1, .reviewer = "bob", .rating = 4});
  db.create(Review{.book_id = 2, .reviewer = "alice", .rating = 3});
  db.create(Review{.book_id = 3, .reviewer = "carol", .rating = 5});
  return db;
}

// The reviews table through each of its indexes.
std::vector<std::string> review_state(const ReviewDatabase& db) {
  std::vector<std::string> out;
  for (const Review& r : db.all<Review>()) {
    out.push_back("id " + std::to_string(r.id) + ": " +
                  std::to_string(r.book_id) + "," + r.reviewer + "," +
                  std::to_string(r.rating));
  }
  for (const Review& r : db.table<Review>().index<Review::by_book>()) {
    out.push_back("by_book " + std::to_string(r.book_id) + "/" +
                  std::to_string(r.id));
  }
  std::vector<std::string> unique;
  for (const Review& r : db.table<Review>().index<Review::by_book_reviewer>()) {
    const Review* found = db.find_by<Review, Review::by_book_reviewer>(
        boost::make_tuple(r.book_id, std::string_view(r.reviewer)));
    unique.push_back("unique " + std::to_string(r.book_id) + "," + r.reviewer +
                     " -> " + std::to_string(r.id) +
                     (found == &r ? "" : " (lookup misses)"));
  }
  std::sort(unique.begin(), unique.end());
  out.insert(out.end(), unique.begin(), unique.end());
  return out;
}

std::vector<Id> ids(const auto& range) {
  std::vector<Id> out;
  for (const auto& row : range) out.push_back(row.id);
  return out;
}

}  // namespace

TEST_CASE("reviews get ids from 1, never reused", "[review][ids]") {
  ReviewDatabase db = review_database();
  CHECK(ids(db.all<Review>()) == std::vector<Id>{1, 2, 3, 4});
  db.remove<Review>(4);
  CHECK(db.create(Review{.book_id = 4, .reviewer = "dan", .rating = 1}).id ==
        5);
  CHECK(
      db.create(Review{.id = 20, .book_id = 4, .reviewer = "eve", .rating = 2})
          .id == 20);
  CHECK(db.create(Review{.book_id = 4, .reviewer = "fay", .rating = 2}).id ==
        21);
}

TEST_CASE(
    "a review's fields are validated with Django's messages, in model order",
    "[review][rules]") {
  ReviewDatabase db = review_database();
  CHECK(folio_test::create_errors(
            db, Review{.book_id = 1, .reviewer = "", .rating = 6}) ==
        FieldErrors{
            {"reviewer", {"This field cannot be blank."}},
            {"rating", {"Ensure this value is less than or equal to 5."}}});
  CHECK(folio_test::create_errors(db, Review{.book_id = 1,
                                             .reviewer = std::string(101, 'x'),
                                             .rating = 0}) ==
        FieldErrors{
            {"reviewer",
             {"Ensure this value has at most 100 characters (it has 101)."}},
            {"rating", {"Ensure this value is greater than or equal to 1."}}});
  CHECK(db
            .create(Review{
                .book_id = 1, .reviewer = std::string(100, 'x'), .rating = 1})
            .rating == 1);
}

TEST_CASE("a second review of a book by the same reviewer is refused",
          "[review][unique]") {
  ReviewDatabase db = review_database();
  const auto before = review_state(db);
  CHECK(integrity_error<Review>(
            db,
            [&] {
              db.create(Review{.book_id = 1, .reviewer = "alice", .rating = 1});
            }) == Refusal{"Review with this Book and Reviewer already exists.",
                          "uniq_review_per_book",
                          "(book_id, reviewer)=(1, alice)"});
  Review r = db.get<Review>(2);  // bob on book 1
  r.reviewer = "alice";
  CHECK(integrity_error<Review>(db, [&] { db.update(r); }).constraint ==
        "uniq_review_per_book");
  CHECK(review_state(db) == before);
  // The same reviewer on another book is another review.
  CHECK(db.create(Review{.book_id = 3, .reviewer = "alice", .rating = 2}).id ==
        5);
}

TEST_CASE("a review of a missing book is refused", "[review][foreign-key]") {
  ReviewDatabase db = review_database();
  const auto before = review_state(db);
  CHECK(integrity_error<Review>(
            db,
            [&] {
              db.create(
                  Review{.book_id = 99, .reviewer = "alice", .rating = 1});
            }) == Refusal{"book instance with id 99 does not exist.",
                          "reviews_book_id_fkey", "(book_id)=(99)"});
  Review r = db.get<Review>(1);
  r.book_id = 99;
  CHECK(integrity_error<Review>(db, [&] { db.update(r); }).constraint ==
        "reviews_book_id_fkey");
  CHECK(review_state(db) == before);
}

TEST_CASE(
    "a book's reviews and a review's book are reached through the generic "
    "paths",
    "[review][relations]") {
  ReviewDatabase db = review_database();
  const Book& nineteen = db.get<Book>(1);
  CHECK(ids(db.children<Review>(nineteen)) == std::vector<Id>{1, 2});
  CHECK(db.children<Review>(db.get<Book>(4)).empty());
  CHECK(&db.parent<Book>(db.get<Review>(3)) == &db.get<Book>(2));
  CHECK(db.find_by<Review, Review::by_book_reviewer>(boost::make_tuple(
            Id{1}, std::string_view("bob"))) == &db.get<Review>(2));
  // The app's own paths work on a database with more models.
  CHECK(folio::profile(db, db.get<Author>(1)).bio == "English novelist");
  CHECK(folio::find_profile(db, db.get<Author>(2)) == nullptr);
  CHECK(ids(folio::books(db, db.get<Author>(1))) == std::vector<Id>{1, 2});
  CHECK(folio::author(db, db.parent<Book>(db.get<Review>(4))).name ==
        "Leo Tolstoy");
}

TEST_CASE("deleting a book deletes its reviews", "[review][delete]") {
  ReviewDatabase db = review_database();
  folio::DeleteResult r = db.remove<Book>(1);
  CHECK(r.total == 3);
  CHECK(r.per_model == Counts{{"myapp.Review", 2}, {"myapp.Book", 1}});
  CHECK(ids(db.all<Review>()) == std::vector<Id>{3, 4});
  CHECK(review_state(db) ==
        std::vector<std::string>{"id 3: 2,alice,3", "id 4: 3,carol,5",
                                 "by_book 2/3", "by_book 3/4",
                                 "unique 2,alice -> 3", "unique 3,carol -> 4"});
}

TEST_CASE("deleting an author deletes its profile, its books and their reviews",
          "[review][delete]") {
  ReviewDatabase db = review_database();
  folio::DeleteResult r = db.remove<Author>(1);
  CHECK(r.total == 7);
  CHECK(r.count("myapp.Review") == 3);
  CHECK(r.count("myapp.AuthorProfile") == 1);
  CHECK(r.count("myapp.Book") == 2);
  CHECK(r.count("myapp.Author") == 1);
  CHECK(ids(db.all<Review>()) == std::vector<Id>{4});
  CHECK(ids(db.all<Book>()) == std::vector<Id>{3, 4});
  CHECK(ids(db.all<AuthorProfile>()) == std::vector<Id>{2});
  CHECK(db.children<Review>(db.get<Book>(3)).size() == 1);
}

TEST_CASE("deleting an author without a profile reports Review, Book, Author",
          "[review][delete]") {
  ReviewDatabase db = review_database();
  folio::DeleteResult r = db.remove<Author>(2);
  CHECK(r.total == 3);
  CHECK(r.per_model ==
        Counts{{"myapp.Review", 1}, {"myapp.Book", 1}, {"myapp.Author", 1}});
}

TEST_CASE(
    "deleting an author whose books have no reviews reports AuthorProfile, "
    "Book, Author",
    "[review][delete]") {
  ReviewDatabase db = review_database();
  folio::DeleteResult r = db.remove<Author>(3);
  CHECK(r.total == 3);
  CHECK(r.per_model == Counts{{"myapp.AuthorProfile", 1},
                              {"myapp.Book", 1},
                              {"myapp.Author", 1}});
}

// Django 3.2's Collector (django/db/models/deletion.py) reports its counts
// in the order it deletes: first the "fast deletes", then the collected
// instances sorted so that children go before their parents. A model is
// fast-deleted when nothing refers to it with an on_delete other than
// DO_NOTHING (can_fast_delete): AuthorProfile and Review here; Book is not,
// because Review refers to it with CASCADE. Collector.collect(author) walks
// Author's reverse relations in order (profile, books): the profiles are only
// noted in model_fast_deletes and appended to fast_deletes after that loop,
// while the books are collected at once, and collecting them appends their
// reviews' queryset to fast_deletes first. So the order is Review,
// AuthorProfile (fast deletes), Book, Author, not AuthorProfile first.
// Verified by running Django 3.2.25 on this schema (SQLite):
//   author with a profile and 2 books of 2 reviews each ->
//   (8, {'myapp.Review': 4, 'myapp.AuthorProfile': 1, 'myapp.Book': 2,
//        'myapp.Author': 1})
// The engine's delete plan follows the same steps (database.h, Plan).
TEST_CASE(
    "deleting an author with a profile and reviewed books reports Django's "
    "order",
    "[review][delete]") {
  ReviewDatabase db = review_database();
  folio::DeleteResult r = db.remove<Author>(1);
  CHECK(r.per_model == Counts{{"myapp.Review", 3},
                              {"myapp.AuthorProfile", 1},
                              {"myapp.Book", 2},
                              {"myapp.Author", 1}});
}

TEST_CASE(
    "a cascade through reviews rolled back restores every review and index",
    "[review][delete][transactions]") {
  ReviewDatabase db = review_database();
  const auto before = review_state(db);
  const auto before_app = folio_test::state(db);
  CHECK_THROWS_AS(db.atomic([&] {
    db.remove<Author>(1);
    db.remove<Book>(3);
    CHECK(db.count<Review>() == 0);
    throw std::runtime_error("undo");
  }),
                  std::runtime_error);
  CHECK(review_state(db) == before);
  CHECK(folio_test::state(db).content() == before_app.content());
}
