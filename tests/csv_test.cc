// CSV: one file per table, RFC 4180 quoting, NULL as an empty unquoted field
// and "" for the empty string; every malformed record reported in its place.
#include <sstream>

#include <catch2/catch.hpp>

#include "folio/interchange.h"
#include "interchange_data.h"

using folio_test::csv;
using folio_test::problems;
using Lines = std::vector<std::string>;

namespace {

std::string to_csv(const folio::Database& db, const std::string& table) {
  std::ostringstream out;
  folio::write_csv(db, out, folio_test::only(table));
  return out.str();
}

// Every table of db as CSV inputs, children first (foreign keys are
// resolved after all inputs are read).
std::vector<folio::Input> csv_inputs(const folio::Database& db) {
  std::vector<folio::Input> inputs;
  for (std::string t : {"books", "author_profiles", "authors"}) {
    inputs.push_back(csv(t + ".csv", to_csv(db, t)));
  }
  return inputs;
}

const char* const kAuthorsHeader = "id,name,email,is_active,created_at\r\n";

}  // namespace

TEST_CASE("the seed's tables are written as CSV with SQL column names", "[csv]") {
  const folio::Database db = folio::seed_database();
  CHECK(to_csv(db, "authors") ==
        "id,name,email,is_active,created_at\r\n"
        "1,George Orwell,orwell@example.com,true,2026-01-21 10:15:00+00:00\r\n"
        "2,J.K. Rowling,rowling@example.com,true,2026-01-21 10:20:00+00:00\r\n"
        "3,Leo Tolstoy,tolstoy@example.com,false,2026-01-21 10:25:00+00:00\r\n");
  CHECK(to_csv(db, "myapp.authorprofile") ==
        "id,author_id,bio,website,birth_year\r\n"
        "1,1,English novelist and journalist,https://example.com/orwell,1903\r\n"
        "2,2,\"British author, philanthropist\",https://example.com/rowling,1965\r\n");
  CHECK(to_csv(db, "books").rfind("id,author_id,title,published_year,price,is_published\r\n"
                                  "1,1,1984,1949,9.99,true\r\n"
                                  "2,1,Animal Farm,1945,7.99,true\r\n",
                                  0) == 0);
}

TEST_CASE("CSV quotes only what must be quoted and tells NULL from the empty string",
          "[csv][quoting]") {
  folio::Database db;
  db.restore(folio::Author{1, "a, b", "a@example.com", true,
                           folio::DateTime::from_civil(2026, 1, 21, 10, 15, 0, 123456)});
  db.restore(folio::Author{2, "say \"hi\"", "b@example.com", true, {}});
  db.restore(folio::Author{3, "two\nlines\r\nand CR", "c@example.com", true, {}});
  db.restore(folio::Author{4, " spaced ", "d@example.com", true, {}});
  db.restore(folio::AuthorProfile{1, 1, "", "", std::nullopt});
  db.restore(folio::AuthorProfile{2, 2, "\"", "", 0});
  CHECK(to_csv(db, "authors") ==
        std::string(kAuthorsHeader) +
            "1,\"a, b\",a@example.com,true,2026-01-21 10:15:00.123456+00:00\r\n"
            "2,\"say \"\"hi\"\"\",b@example.com,true,1970-01-01 00:00:00+00:00\r\n"
            "3,\"two\nlines\r\nand CR\",c@example.com,true,1970-01-01 00:00:00+00:00\r\n"
            "4, spaced ,d@example.com,true,1970-01-01 00:00:00+00:00\r\n");
  CHECK(to_csv(db, "author_profiles") ==
        "id,author_id,bio,website,birth_year\r\n"
        "1,1,\"\",\"\",\r\n"
        "2,2,\"\"\"\",\"\",0\r\n");
}

TEST_CASE("every table round trips through CSV, read in any order", "[csv]") {
  const folio::Database db = folio_test::edge_database();
  folio::Database back = folio::load(csv_inputs(db));
  CHECK(folio::to_fixture(back) == folio::to_fixture(db));
  // CSV keeps microseconds, which fixtures cut.
  folio::Database micro;
  micro.restore(folio::Author{1, "A", "a@example.com", true,
                              folio::DateTime::from_civil(2026, 1, 1, 0, 0, 0, 654321)});
  CHECK(folio::load({csv("authors.csv", to_csv(micro, "authors"))})
            .get<folio::Author>(1)
            .created_at == micro.get<folio::Author>(1).created_at);
}

TEST_CASE("CSV reading takes LF, CRLF, a byte order mark, blank lines and any column order",
          "[csv]") {
  const std::string text =
      "\xEF\xBB\xBF"
      "email,id,created_at,is_active,name\n"
      "\n"
      "a@example.com,1,2026-01-21T10:15:00Z,t,\"multi\nline\"\r\n"
      "b@example.com,2,2026-01-21 10:15,0,plain";
  folio::Database db = folio::load({csv("people.csv", text, "authors")});
  CHECK(db.get<folio::Author>(1).name == "multi\nline");
  CHECK(db.get<folio::Author>(1).is_active);
  CHECK_FALSE(db.get<folio::Author>(2).is_active);
  CHECK(db.get<folio::Author>(2).name == "plain");
}

TEST_CASE("an empty unquoted field is NULL, or the empty string in a text column that cannot "
          "be null", "[csv][null]") {
  const std::string authors = std::string(kAuthorsHeader) + "1,,a@example.com,true,2026-01-21\r\n";
  CHECK(problems({csv("authors.csv", authors)}) ==
        Lines{"authors.csv:2: row 1, table authors id 1, column created_at: \u201c2026-01-21\u201d "
              "value has an invalid format. It must be in YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] "
              "format.",
              "authors.csv:2: row 1, table authors id 1, column name: This field cannot be "
              "blank."});
  const std::string profiles =
      "id,author_id,bio,website,birth_year\r\n1,1,,,\r\n2,2,\"\",\"\",\"\"\r\n3,,x,,\r\n";
  CHECK(problems({csv("author_profiles.csv", profiles)}) ==
        Lines{"author_profiles.csv:2: row 1, table author_profiles id 1, column author_id: author "
              "instance with id 1 does not exist.",
              "author_profiles.csv:3: row 2, table author_profiles id 2, column birth_year: "
              "\u201c\u201d value must be an integer.",
              "author_profiles.csv:4: row 3, table author_profiles id 3, column author_id: This "
              "field cannot be null."});
}

TEST_CASE("malformed CSV records are reported with their line", "[csv][errors]") {
  const std::string text = std::string(kAuthorsHeader) +
                           "1,a\"b,a@example.com,true,2026-01-21 10:15\r\n"
                           "2,\"a\"b,b@example.com,true,2026-01-21 10:15\r\n"
                           "3,c,c@example.com,true\r\n"
                           "4,x,x@example.com,maybe,2026-01-21 10:15\r\n"
                           "99999999999999999999,d,d@example.com,true,2026-01-21 10:15\r\n"
                           "5,\"never\nclosed,e@example.com,true,2026-01-21 10:15\r\n";
  CHECK(problems({csv("authors.csv", text)}) ==
        Lines{"authors.csv:2: row 1, table authors: column 4: a quote inside an unquoted field "
              "(quote the field and write the quote twice)",
              "authors.csv:3: row 2, table authors: column 6: a character after a closing quote "
              "(a quote inside a quoted field is written twice)",
              "authors.csv:4: row 3, table authors: the row has 4 fields; the header has 5",
              "authors.csv:5: row 4, table authors id 4, column is_active: \u201cmaybe\u201d value "
              "must be either True or False.",
              "authors.csv:6: row 5, table authors, column id: Ensure this value is less than or "
              "equal to 9223372036854775807.",
              "authors.csv:7: row 6, table authors: a quoted field opened on line 7 is never "
              "closed"});
}

TEST_CASE("a CSV header must name every column once", "[csv][errors]") {
  CHECK(problems({csv("authors.csv", "id,name,name,author,email,is_active\r\n")}) ==
        Lines{"authors.csv:1: column \"name\" is given twice",
              "authors.csv:1: unknown column \"author\" (table authors has id, name, email, "
              "is_active, created_at)",
              "authors.csv:1: missing column \"created_at\""});
  CHECK(problems({csv("authors.csv", "")}) ==
        Lines{"authors.csv: the file is empty: a CSV needs a header row (id, name, email, "
              "is_active, created_at)"});
  // Django's field names are taken as well as the SQL columns.
  CHECK(problems({csv("seed.csv", "id,author,bio,website,birth_year\r\n", "author_profiles")})
            .empty());
}

TEST_CASE("the CSV writer needs one table", "[csv]") {
  std::ostringstream out;
  CHECK_THROWS_AS(folio::write_csv(folio::seed_database(), out, {}), folio::UsageError);
}
