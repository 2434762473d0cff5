// The seed document's rows and every path it shows.
#include <catch2/catch.hpp>

#include <string>
#include <utility>
#include <vector>

#include "folio/folio.h"
#include "sample_rows.h"

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

namespace {

std::vector<folio::Id> ids_of(const auto& rows) {
  std::vector<folio::Id> out;
  for (const auto& row : rows) out.push_back(row.id);
  return out;
}

Book book_of(folio::Id author_id, std::string title, std::int32_t year,
             const char* price) {
  Book b;
  b.author_id = author_id;
  b.title = std::move(title);
  b.published_year = year;
  b.price = *folio::Decimal::parse(price);
  return b;
}

}  // namespace

TEST_CASE(
    "all() lists every row in id order, whatever order they were added in",
    "[queries]") {
  folio::Database db = folio::seed_database();
  for (folio::Id id : {folio::Id{50}, folio::Id{7}, folio::Id{30}}) {
    Author a;
    a.id = id;
    a.name = "A";
    a.email = std::to_string(id) + "@example.com";
    db.restore(a);
  }
  db.remove<Author>(2);
  CHECK(ids_of(db.all<Author>()) == std::vector<folio::Id>{1, 3, 7, 30, 50});
  CHECK(ids_of(db.all<Book>()) == std::vector<folio::Id>{1, 2, 5});
  CHECK(db.all<AuthorProfile>().size() == 1);
}

TEST_CASE("count() is the number of rows of a table", "[queries]") {
  folio::Database db;
  CHECK(db.count<Author>() == 0);
  CHECK(db.all<Author>().empty());
  folio::add_seed_rows(db);
  CHECK(db.count<Author>() == 3);
  db.remove<Author>(1);
  CHECK(db.count<Author>() == 2);
  CHECK(db.count<AuthorProfile>() == 1);
  CHECK(db.count<Book>() == 3);
}

TEST_CASE("active_authors and published_books filter on the flags, in id order",
          "[queries]") {
  folio::Database db = folio::seed_database();
  CHECK(ids_of(folio::active_authors(db)) == std::vector<folio::Id>{1, 2});
  CHECK(ids_of(folio::active_authors(db, false)) == std::vector<folio::Id>{3});
  CHECK(ids_of(folio::published_books(db)) ==
        std::vector<folio::Id>{1, 2, 3, 4});
  CHECK(ids_of(folio::published_books(db, false)) == std::vector<folio::Id>{5});
  Book b = db.get<Book>(1);
  b.is_published = false;
  db.update(b);
  CHECK(ids_of(folio::published_books(db, false)) ==
        std::vector<folio::Id>{1, 5});
}

TEST_CASE("an author's books ordered by published_year, ties in id order",
          "[queries]") {
  folio::Database db = folio::seed_database();
  const Author& orwell = db.get<Author>(1);
  CHECK(ids_of(folio::books_by_published_year(db, orwell)) ==
        std::vector<folio::Id>{2, 1});
  db.create(book_of(1, "Homage to Catalonia", 1945, "1.00"));
  CHECK(ids_of(folio::books_by_published_year(db, orwell)) ==
        std::vector<folio::Id>{2, 6, 1});
  CHECK(folio::books_by_published_year(db, db.get<Author>(3)).size() == 1);
}

TEST_CASE("an author's books ordered by price by value, ties in id order",
          "[queries]") {
  folio::Database db = folio::seed_database();
  // 19.99 and 14.50.
  CHECK(ids_of(folio::books_by_price(db, db.get<Author>(2))) ==
        std::vector<folio::Id>{4, 3});
  // "14.5" equals 14.50 however it is written; -1 sorts first.
  db.create(book_of(2, "Tie", 2000, "14.5"));
  db.create(book_of(2, "Refund", 2000, "-1"));
  CHECK(ids_of(folio::books_by_price(db, db.get<Author>(2))) ==
        std::vector<folio::Id>{7, 4, 6, 3});
}

TEST_CASE("deleting a book or a profile alone reports only that row",
          "[delete]") {
  folio::Database db = folio::seed_database();
  using Counts = std::vector<std::pair<std::string, std::size_t>>;
  folio::DeleteResult book = db.remove<Book>(3);
  CHECK(book.total == 1);
  CHECK(book.per_model == Counts{{"myapp.Book", 1}});
  folio::DeleteResult profile = db.remove<AuthorProfile>(1);
  CHECK(profile.per_model == Counts{{"myapp.AuthorProfile", 1}});
  CHECK(db.find<Author>(1) != nullptr);
  CHECK(folio::find_profile(db, db.get<Author>(1)) == nullptr);
}

// books() finds a row of the author through the hashed lookup index, then
// the ends of the range in the ordered (author_id, id) index: the range must
// be whole and in id order whatever order the rows were inserted in, and
// must not take in a neighbour author's books.
TEST_CASE("author.books.all() is whole and in id order for any insert order",
          "[relations]") {
  folio::Database db;
  for (int i = 1; i <= 4; ++i) {
    db.create(folio_test::author("a" + std::to_string(i) + "@example.com"));
  }
  // Author 2's books by id 9, 2, 14, 5, 11, interleaved with authors 1 and 3
  // (ids on both sides of author 2's); author 4 has none.
  const std::vector<std::pair<folio::Id, folio::Id>> rows = {
      {3, 1}, {9, 2}, {1, 1}, {2, 2}, {20, 3}, {14, 2}, {4, 3}, {5, 2},
      {8, 1}, {11, 2}, {13, 3}};
  for (auto [id, author_id] : rows) {
    folio::Book b = folio_test::book(author_id, "t" + std::to_string(id));
    b.id = id;
    db.restore(b);
  }
  auto ids_of = [&](folio::Id author_id) {
    std::vector<folio::Id> ids;
    for (const Book& b : folio::books(db, db.get<Author>(author_id))) {
      CHECK(b.author_id == author_id);
      ids.push_back(b.id);
    }
    return ids;
  };
  CHECK(ids_of(1) == std::vector<folio::Id>{1, 3, 8});
  CHECK(ids_of(2) == std::vector<folio::Id>{2, 5, 9, 11, 14});
  CHECK(ids_of(3) == std::vector<folio::Id>{4, 13, 20});
  CHECK(ids_of(4).empty());
  CHECK(folio::books(db, db.get<Author>(4)).empty());

  // A later create, an update that moves a book, and a delete.
  db.create(folio_test::book(2, "new"));  // id 21
  folio::Book moved = db.get<Book>(9);
  moved.author_id = 4;
  db.update(moved);
  db.remove<Book>(2);
  CHECK(ids_of(2) == std::vector<folio::Id>{5, 11, 14, 21});
  CHECK(ids_of(4) == std::vector<folio::Id>{9});
  CHECK(db.remove<Author>(2).count("myapp.Book") == 4);
  CHECK(ids_of(1) == std::vector<folio::Id>{1, 3, 8});
  CHECK(ids_of(3) == std::vector<folio::Id>{4, 13, 20});
}

// More books than Rows keeps without allocating, created in ascending,
// descending and shuffled id order: books() is in id order each time.
TEST_CASE("author.books.all() is in id order for many books in any order",
          "[relations]") {
  const int kBooks = 50;
  std::vector<folio::Id> ascending;
  for (int i = 1; i <= kBooks; ++i) ascending.push_back(i);
  std::vector<folio::Id> descending(ascending.rbegin(), ascending.rend());
  std::vector<folio::Id> shuffled = ascending;
  for (std::size_t i = 0; i < shuffled.size(); ++i) {
    std::swap(shuffled[i], shuffled[(i * 7919 + 13) % shuffled.size()]);
  }
  for (const auto* order : {&ascending, &descending, &shuffled}) {
    folio::Database db;
    db.create(folio_test::author("a@example.com"));
    db.create(folio_test::author("b@example.com"));
    for (folio::Id id : *order) {
      folio::Book b = folio_test::book(id % 5 == 0 ? 2 : 1, "t" + std::to_string(id));
      b.id = id;
      db.restore(b);
    }
    std::vector<folio::Id> got, expected;
    for (const Book& b : folio::books(db, db.get<Author>(1))) got.push_back(b.id);
    for (folio::Id id : ascending) {
      if (id % 5 != 0) expected.push_back(id);
    }
    CHECK(got == expected);
    CHECK(folio::books(db, db.get<Author>(2)).size() == kBooks / 5);
  }
}

// The lookup index behind author.books.all() holds a group per author, so it
// needs a bucket per group it can hold (no more than the authors, nor the
// books), not one per book; it still finds every author's books as the
// tables grow, through create(), restore(), bulk_restore() and reserve().
TEST_CASE("the books' lookup index has buckets for the authors, not for every book",
          "[relations][memory]") {
  auto lookup_buckets = [](const folio::Database& db) {
    return db.table<Book>().index<Book::by_author_lookup>().bucket_count();
  };
  auto id_buckets = [](const folio::Database& db) {
    return db.table<Book>().index<folio::by_id>().bucket_count();
  };
  auto check_books = [](const folio::Database& db, folio::Id authors, std::size_t each) {
    for (folio::Id a = 1; a <= authors; ++a) {
      const auto books = folio::books(db, db.get<Author>(a));
      REQUIRE(books.size() == each);
      for (const Book& b : books) CHECK(b.author_id == a);
    }
  };
  SECTION("many books per author") {
    folio::Database db;
    for (int a = 1; a <= 200; ++a) db.create(folio_test::author("a" + std::to_string(a) + "@x.com"));
    for (int k = 0; k < 20; ++k) {
      for (int a = 1; a <= 200; ++a) db.create(folio_test::book(a, "t" + std::to_string(k)));
    }
    CHECK(lookup_buckets(db) >= 200);
    CHECK(lookup_buckets(db) < 400);  // Boost's next size after 200 is 389
    CHECK(id_buckets(db) >= 4000);
    check_books(db, 200, 20);
  }
  SECTION("fewer books than authors") {
    folio::Database db;
    for (int a = 1; a <= 500; ++a) db.create(folio_test::author("a" + std::to_string(a) + "@x.com"));
    for (int a = 1; a <= 40; ++a) db.create(folio_test::book(a, "only"));
    CHECK(lookup_buckets(db) >= 40);
    CHECK(lookup_buckets(db) < 100);
    check_books(db, 40, 1);
  }
  SECTION("a bulk load reserved ahead, then more authors and books") {
    folio::Database db;
    for (int a = 1; a <= 300; ++a) db.bulk_restore(folio_test::author("a" + std::to_string(a) + "@x.com"));
    db.reserve<Book>(3000);
    CHECK(lookup_buckets(db) >= 300);
    CHECK(lookup_buckets(db) < 800);
    for (int k = 0; k < 10; ++k) {
      for (int a = 1; a <= 300; ++a) db.bulk_restore(folio_test::book(a, "t" + std::to_string(k)));
    }
    check_books(db, 300, 10);
    for (int a = 301; a <= 2000; ++a) db.create(folio_test::author("a" + std::to_string(a) + "@x.com"));
    for (int a = 1; a <= 2000; ++a) db.create(folio_test::book(a, "more"));
    CHECK(lookup_buckets(db) >= 2000);
    for (folio::Id a = 1; a <= 2000; ++a) {
      CHECK(folio::books(db, db.get<Author>(a)).size() == (a <= 300 ? 11u : 1u));
    }
  }
}
