// Tables for people: aligned columns, escapes, cut long text.
#include <sstream>

#include <catch2/catch.hpp>

#include "folio/interchange.h"
#include "interchange_data.h"

namespace {

std::string to_table(const folio::Database& db, const std::string& table = {}) {
  std::ostringstream out;
  folio::write_table(db, out, folio_test::only(table));
  return out.str();
}

}  // namespace

TEST_CASE("the seed's books are printed as aligned columns", "[table]") {
  CHECK(to_table(folio::seed_database(), "books") ==
        "books (5 rows; times in UTC)\n"
        " id | author_id | title              | published_year | price | is_published\n"
        "----+-----------+--------------------+----------------+-------+--------------\n"
        "  1 |         1 | 1984               |           1949 |  9.99 | true\n"
        "  2 |         1 | Animal Farm        |           1945 |  7.99 | true\n"
        "  3 |         2 | Harry Potter       |           1997 | 19.99 | true\n"
        "  4 |         2 | The Casual Vacancy |           2012 | 14.50 | true\n"
        "  5 |         3 | War and Peace      |           1869 | 12.00 | false\n");
}

TEST_CASE("every table is printed, one after the other", "[table]") {
  const std::string text = to_table(folio::seed_database());
  CHECK(text.rfind("authors (3 rows; times in UTC)\n", 0) == 0);
  CHECK(text.find("\n\nauthor_profiles (2 rows; times in UTC)\n") != std::string::npos);
  CHECK(text.find(" 3 | Leo Tolstoy   | tolstoy@example.com | false     | 2026-01-21 10:25:00\n") !=
        std::string::npos);
}

TEST_CASE("wide characters, control characters, NULL and long text keep the columns aligned",
          "[table]") {
  folio::Database db;
  db.restore(folio::Author{1, "漢字", "a@example.com", true, {}});
  db.restore(folio::Author{2, "tab\there\n", "b@example.com", true, {}});
  db.restore(folio::Author{3, std::string(50, 'x'), "c@example.com", true, {}});
  db.restore(folio::AuthorProfile{1, 1, "", "", std::nullopt});
  const std::string authors = to_table(db, "authors");
  CHECK(authors.find(" 1 | 漢字" + std::string(36, ' ') + " | a@") != std::string::npos);
  CHECK(authors.find(" 2 | tab\\there\\n" + std::string(29, ' ') + " | b@") != std::string::npos);
  CHECK(authors.find(" 3 | " + std::string(39, 'x') + "… | c@") != std::string::npos);
  CHECK(to_table(db, "author_profiles") ==
        "author_profiles (1 row; times in UTC)\n"
        " id | author_id | bio | website | birth_year\n"
        "----+-----------+-----+---------+------------\n"
        "  1 |         1 |     |         |\n");
}
