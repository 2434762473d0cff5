// Django fixtures: written byte for byte as dumpdata writes them, read back,
// and every way a fixture can be wrong reported with its place.
#include <catch2/catch.hpp>

#include "folio/interchange.h"
#include "interchange_data.h"
#include "review_model.h"

using folio_test::fixture;
using folio_test::problems;

TEST_CASE("the fixture writer reproduces Django's dumpdata of the seed byte for byte",
          "[fixture]") {
  CHECK(folio::to_fixture(folio::seed_database()) == folio_test::seed_fixture_text());
}

TEST_CASE("the seed fixture Django wrote loads into the seed rows", "[fixture]") {
  folio::Database db = folio::load({fixture("seed-fixture.json", folio_test::seed_fixture_text())});
  CHECK(db.count<folio::Author>() == 3);
  CHECK(db.count<folio::AuthorProfile>() == 2);
  CHECK(db.count<folio::Book>() == 5);
  CHECK(db.get<folio::Author>(2).name == "J.K. Rowling");
  CHECK(db.get<folio::Author>(3).created_at ==
        folio::DateTime::from_civil(2026, 1, 21, 10, 25));
  CHECK(db.get<folio::Book>(4).price == folio::Decimal::from_units(1450, 2));
  CHECK(db.table<folio::Author>().next_id() == 4);
  CHECK(folio::to_fixture(db) == folio::to_fixture(folio::seed_database()));
}

TEST_CASE("a fixture of rows at the edges round trips byte for byte", "[fixture]") {
  const folio::Database db = folio_test::edge_database();
  const std::string text = folio::to_fixture(db);
  folio::Database back = folio::load({fixture("edge.json", text)});
  CHECK(folio::to_fixture(back) == text);
  CHECK(back.get<folio::Author>(1).name == db.get<folio::Author>(1).name);
  CHECK(back.get<folio::Author>(1).created_at == db.get<folio::Author>(1).created_at);
  CHECK_FALSE(back.get<folio::AuthorProfile>(3).birth_year.has_value());
  CHECK(back.get<folio::Book>(2).price == folio::Decimal::from_units(-99999999, 2));
}

TEST_CASE("fixture strings are escaped as Python's json.dumps(ensure_ascii=False)",
          "[fixture][escape]") {
  folio::Database db;
  std::string all;
  for (int c = 1; c < 0x20; ++c) all += static_cast<char>(c);
  all += "\"\\/\x7f\u00e9\u2028\u2029\U0001F600";
  db.restore(folio::Author{1, all, "a@example.com", true, {}});
  const std::string text = folio::to_fixture(db);
  const std::string expected =
      "\"name\": \"\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r"
      "\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019"
      "\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f\\\"\\\\/\x7f\u00e9\u2028\u2029\U0001F600\"";
  CHECK(text.find(expected) != std::string::npos);
  CHECK(folio::to_fixture(folio::load({fixture("e.json", text)})) == text);
}

TEST_CASE("fixture values take dumpdata's forms", "[fixture]") {
  folio::Database db;
  db.restore(folio::Author{7, "A", "a@example.com", false,
                           folio::DateTime::from_civil(2026, 1, 21, 10, 15, 0, 123456)});
  db.restore(folio::Author{8, "B", "b@example.com", true,
                           folio::DateTime::from_civil(2026, 1, 21, 10, 15, 0, 500)});
  db.restore(folio::AuthorProfile{1, 7, "", "", std::nullopt});
  db.restore(folio::Book{3, 7, "T", 1, folio::Decimal::from_units(5, 1), false});
  const std::string text = folio::to_fixture(db);
  // Microseconds are cut (not rounded) to milliseconds, and kept when they
  // are all zero, as Django's encoder does.
  CHECK(text.find("\"created_at\": \"2026-01-21T10:15:00.123Z\"") != std::string::npos);
  CHECK(text.find("\"created_at\": \"2026-01-21T10:15:00.000Z\"") != std::string::npos);
  CHECK(text.find("\"birth_year\": null") != std::string::npos);
  CHECK(text.find("\"price\": \"0.50\"") != std::string::npos);
  CHECK(text.find("\"author\": 7,") != std::string::npos);
  CHECK(text.find("\"is_active\": false") != std::string::npos);
}

TEST_CASE("an empty database is dumped as dumpdata dumps no objects", "[fixture]") {
  CHECK(folio::to_fixture(folio::Database{}) == "[\n]\n");
  CHECK(folio::load({fixture("empty.json", "[\n]\n")}).count<folio::Author>() == 0);
}

TEST_CASE("a fixture of one table holds only that model", "[fixture]") {
  std::ostringstream out;
  folio::write_fixture(folio::seed_database(), out, folio_test::only("author_profiles"));
  CHECK(out.str().find("myapp.author\"") == std::string::npos);
  CHECK(out.str().find("myapp.authorprofile") != std::string::npos);
  CHECK(out.str().find("myapp.book") == std::string::npos);
  CHECK_THROWS_AS(folio::write_fixture(folio::seed_database(), out, folio_test::only("nope")),
                  folio::UsageError);
}

TEST_CASE("rows may come in any order and from several fixtures", "[fixture][load]") {
  const std::string books =
      "[{\"model\": \"myapp.book\", \"pk\": 1, \"fields\": {\"author\": 2, \"title\": \"T\", "
      "\"published_year\": 2000, \"price\": \"1.00\", \"is_published\": true}}]";
  const std::string authors =
      "[{\"model\": \"myapp.author\", \"pk\": 2, \"fields\": {\"name\": \"N\", \"email\": "
      "\"n@example.com\", \"is_active\": true, \"created_at\": \"2026-01-21T10:15:00Z\"}}]";
  folio::Database db = folio::load({fixture("books.json", books), fixture("authors.json", authors)});
  CHECK(db.get<folio::Book>(1).author_id == 2);
  CHECK(db.table<folio::Author>().next_id() == 3);
}

TEST_CASE("decimals are read from strings, integers and JSON numbers", "[fixture][load]") {
  auto book = [](const std::string& price) {
    return "[{\"model\": \"myapp.author\", \"pk\": 1, \"fields\": {\"name\": \"N\", \"email\": "
           "\"n@example.com\", \"is_active\": true, \"created_at\": \"2026-01-21 10:15\"}},"
           "{\"model\": \"myapp.book\", \"pk\": 1, \"fields\": {\"author\": 1, \"title\": \"T\", "
           "\"published_year\": 2000, \"price\": " +
           price + ", \"is_published\": true}}]";
  };
  CHECK(folio::load({fixture("a.json", book("\"9.9\""))}).get<folio::Book>(1).price ==
        folio::Decimal::from_units(990, 2));
  CHECK(folio::load({fixture("a.json", book("12"))}).get<folio::Book>(1).price ==
        folio::Decimal::from_units(12, 0));
  CHECK(folio::load({fixture("a.json", book("9.99"))}).get<folio::Book>(1).price ==
        folio::Decimal::from_units(999, 2));
}

TEST_CASE("a fixture works for a database with a fourth model", "[fixture][review]") {
  folio::ReviewDatabase db;
  db.restore(folio::Author{1, "A", "a@example.com", true, {}});
  db.restore(folio::Book{1, 1, "T", 2000, folio::Decimal::from_units(100, 2), true});
  db.restore(folio::Review{4, 1, "Ann", 5});
  const std::string text = folio::to_fixture(db);
  CHECK(text.find("{\n  \"model\": \"myapp.review\",\n  \"pk\": 4,\n  \"fields\": {\n"
                  "    \"book\": 1,\n    \"reviewer\": \"Ann\",\n    \"rating\": 5\n  }\n}") !=
        std::string::npos);
  auto back = folio::load<folio::ReviewDatabase>({fixture("r.json", text)});
  CHECK(folio::to_fixture(back) == text);
  CHECK(folio_test::problems<folio::ReviewDatabase>(
            {fixture("r.json",
                     "[{\"model\": \"myapp.review\", \"pk\": 1, \"fields\": {\"book\": 9, "
                     "\"reviewer\": \"B\", \"rating\": 6}}]")}) ==
        std::vector<std::string>{
            "r.json:1: object 0, myapp.review pk 1, field rating: Ensure this value is less "
            "than or equal to 5.",
            "r.json:1: object 0, myapp.review pk 1, field book: book instance with id 9 does "
            "not exist."});
}
