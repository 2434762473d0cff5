// The seed document's rows and every path it shows.
#include <catch2/catch.hpp>

#include "folio/folio.h"

using folio::Author;
using folio::AuthorProfile;
using folio::Book;

TEST_CASE("Test the seed rows are the seed document's", "[seed]") {
  folio::Database db = folio::seed_database();
  CHECK(db.count<Author>() == 3);
  CHECK(db.count<AuthorProfile>() == 2);
  CHECK(db.count<Book>() == 5);
  CHECK(db.get<Author>(2).name == "J.K. Rowling");
  CHECK(db.get<Author>(3).is_active == false);
  CHECK(db.get<Author>(1).created_at.to_django_json() == "2026-01-21T10:15:00Z");
  CHECK(db.get<Book>(4).price.format(2) == "14.50");
  CHECK(db.get<Book>(5).price.format(2) == "12.00");
  CHECK(db.get<Book>(5).is_published == false);
}

TEST_CASE("author.profile.bio of author 1", "[seed][relations]") {
  folio::Database db = folio::seed_database();
  CHECK(folio::profile(db, db.get<Author>(1)).bio ==
        "English novelist and journalist");
}

TEST_CASE("profile.author.name of profile 1", "[seed][relations]") {
  folio::Database db = folio::seed_database();
  CHECK(folio::author(db, db.get<AuthorProfile>(1)).name == "George Orwell");
}

TEST_CASE("author.books.all() of author 1 is 1984 and Animal Farm in id order",
          "[seed][relations]") {
  folio::Database db = folio::seed_database();
  std::vector<std::string> titles;
  for (const Book& b : folio::books(db, db.get<Author>(1))) titles.push_back(b.title);
  CHECK(titles == std::vector<std::string>{"1984", "Animal Farm"});
}

TEST_CASE("author 3 has no profile", "[seed][relations]") {
  folio::Database db = folio::seed_database();
  const Author& tolstoy = db.get<Author>(3);
  CHECK(folio::find_profile(db, tolstoy) == nullptr);
  CHECK_THROWS_MATCHES(folio::profile(db, tolstoy), folio::DoesNotExist,
                       Catch::Message("Author has no profile."));
}

TEST_CASE("book.author follows the foreign key", "[seed][relations]") {
  folio::Database db = folio::seed_database();
  CHECK(folio::author(db, db.get<Book>(3)).name == "J.K. Rowling");
}

TEST_CASE("deleting author 1 cascades as Django's delete() reports",
          "[seed][delete]") {
  folio::Database db = folio::seed_database();
  folio::DeleteResult r = db.remove<Author>(1);
  CHECK(r.total == 4);
  using Counts = std::vector<std::pair<std::string, std::size_t>>;
  CHECK(r.per_model ==
        Counts{{"myapp.AuthorProfile", 1}, {"myapp.Book", 2}, {"myapp.Author", 1}});
  CHECK(db.find<AuthorProfile>(1) == nullptr);
  CHECK(db.find<Book>(1) == nullptr);
  CHECK(db.find<Book>(2) == nullptr);
  CHECK(db.count<Book>() == 3);
}

TEST_CASE("deleting author 3 leaves out the model with nothing deleted",
          "[seed][delete]") {
  folio::Database db = folio::seed_database();
  folio::DeleteResult r = db.remove<Author>(3);
  using Counts = std::vector<std::pair<std::string, std::size_t>>;
  CHECK(r.total == 2);
  CHECK(r.per_model == Counts{{"myapp.Book", 1}, {"myapp.Author", 1}});
}
