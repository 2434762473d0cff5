// Loading is all or nothing: every problem of every input is reported with
// its file, line, object or row, table and field, and nothing changes.
#include <catch2/catch.hpp>

#include "folio/interchange.h"
#include "interchange_data.h"

using folio_test::csv;
using folio_test::fixture;
using folio_test::problems;
using Lines = std::vector<std::string>;

namespace {

const char* const kAuthor1 = R"({"model": "myapp.author", "pk": 1, "fields": {"name": "A", "email": "a@example.com", "is_active": true, "created_at": "2026-01-21T10:15:00Z"}})";

}  // namespace

TEST_CASE("a JSON syntax error is reported with its line and column", "[load][errors]") {
  CHECK(problems({fixture("bad.json", "[\n{\"model\": \"myapp.author\",\n  \"pk\": 1 x\n")}) ==
        Lines{"bad.json:3:11: JSON syntax error: syntax error"});
  CHECK(problems({fixture("cut.json", "[\n  {\"model\": \"myapp.author\"")}) ==
        Lines{"cut.json:2:27: JSON syntax error: incomplete JSON"});
  CHECK(problems({fixture("empty.json", "")}) ==
        Lines{"empty.json:1:1: JSON syntax error: the file is empty"});
  // Columns count characters, not bytes.
  CHECK(problems({fixture("u.json", "[[\"ééé\", x]]")}) ==
        Lines{"u.json:1:10: JSON syntax error: syntax error"});
}

TEST_CASE("a fixture that is not an array of objects is refused", "[load][errors]") {
  CHECK(problems({fixture("o.json", "{\"model\": \"myapp.author\"}")}) ==
        Lines{"o.json:1: a fixture is a JSON array of objects, as dumpdata writes it; this "
              "file holds an object"});
  CHECK(problems({fixture("n.json", "[1, [2], \"x\"]")}) ==
        Lines{"n.json:1: object 0: expected an object with \"model\", \"pk\" and \"fields\", got 1",
              "n.json:1: object 1: expected an object with \"model\", \"pk\" and \"fields\", got [2]",
              "n.json:1: object 2: expected an object with \"model\", \"pk\" and \"fields\", got "
              "\"x\""});
}

TEST_CASE("every problem of a fixture is reported at once, each in its place",
          "[load][errors]") {
  const std::string text = R"([
{
  "model": "myapp.author",
  "pk": 1,
  "fields": {
    "name": "",
    "email": "not an email",
    "is_active": "yes",
    "created_at": "yesterday"
  }
},
{
  "model": "myapp.publisher",
  "pk": 1,
  "fields": {}
},
{
  "model": "myapp.book",
  "pk": "2",
  "fields": {
    "author": 1,
    "title": 1984,
    "published_year": 0,
    "price": "9.999",
    "is_published": true,
    "isbn": "x"
  }
},
{
  "model": "myapp.book",
  "fields": {
    "author": 1,
    "title": "T",
    "published_year": 70000,
    "price": "1234567.00",
    "is_published": null
  }
},
{
  "model": "myapp.authorprofile",
  "pk": 1,
  "fields": {
    "author": 1,
    "bio": "",
    "website": "ftp:/broken",
    "birth_year": -1,
    "extra": 1
  },
  "extra": true
},
{
  "model": "myapp.book",
  "pk": 9,
  "fields": {
    "author": 1,
    "title": "T",
    "price": "abc",
    "is_published": true
  }
}
]
)";
  CHECK(problems({fixture("all.json", text)}) ==
        Lines{
            "all.json:2: object 0, myapp.author pk 1, field is_active: expected true or false, "
            "got \"yes\"",
            "all.json:2: object 0, myapp.author pk 1, field created_at: \u201cyesterday\u201d value "
            "has an invalid format. It must be in YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] format.",
            "all.json:2: object 0, myapp.author pk 1, field name: This field cannot be blank.",
            "all.json:2: object 0, myapp.author pk 1, field email: Enter a valid email address.",
            "all.json:12: object 1: Invalid model identifier: 'myapp.publisher'",
            "all.json:17: object 2, myapp.book, field pk: expected an integer, got \"2\"",
            "all.json:17: object 2, myapp.book, field title: expected a string, got 1984",
            "all.json:17: object 2, myapp.book: Book has no field named 'isbn'",
            "all.json:17: object 2, myapp.book, field published_year: Ensure this value is "
            "greater than or equal to 1.",
            "all.json:17: object 2, myapp.book, field price: Ensure that there are no more than "
            "2 decimal places.",
            "all.json:29: object 3, myapp.book, field pk: missing: folio needs the primary key of "
            "every object",
            "all.json:29: object 3, myapp.book, field is_published: This field cannot be null.",
            "all.json:29: object 3, myapp.book, field published_year: Ensure this value is less "
            "than or equal to 32767.",
            "all.json:29: object 3, myapp.book, field price: Ensure that there are no more than 8 "
            "digits in total.",
            "all.json:39: object 4, myapp.authorprofile pk 1: unknown key \"extra\" (an object has "
            "\"model\", \"pk\" and \"fields\")",
            "all.json:39: object 4, myapp.authorprofile pk 1: AuthorProfile has no field named "
            "'extra'",
            "all.json:39: object 4, myapp.authorprofile pk 1, field website: Enter a valid URL.",
            "all.json:39: object 4, myapp.authorprofile pk 1, field birth_year: Ensure this value "
            "is greater than or equal to 0.",
            "all.json:51: object 5, myapp.book pk 9, field price: \u201cabc\u201d value must be a "
            "decimal number.",
            "all.json:51: object 5, myapp.book pk 9, field published_year: missing: folio needs "
            "every field of the model",
        });
}

TEST_CASE("foreign keys are resolved after every input is read", "[load][errors][fk]") {
  const std::string books = R"([
{"model": "myapp.book", "pk": 1, "fields": {"author": 1, "title": "T", "published_year": 2000, "price": "1.00", "is_published": true}},
{"model": "myapp.book", "pk": 2, "fields": {"author": 5, "title": "T", "published_year": 2000, "price": "1.00", "is_published": true}},
{"model": "myapp.authorprofile", "pk": 1, "fields": {"author": 2, "bio": "", "website": "", "birth_year": null}}
])";
  const std::string authors = std::string("[\n") + kAuthor1 + ",\n" +
                              R"({"model": "myapp.author", "pk": 2, "fields": {"name": "", "email": "b@example.com", "is_active": true, "created_at": "2026-01-21T10:15:00Z"}})" +
                              "\n]";
  // Book 2's author does not exist; the profile's author 2 exists in the
  // input but is refused, which is reported once, on the author.
  CHECK(problems({fixture("books.json", books), fixture("authors.json", authors)}) ==
        Lines{"books.json:3: object 1, myapp.book pk 2, field author: author instance with id 5 "
              "does not exist.",
              "authors.json:3: object 1, myapp.author pk 2, field name: This field cannot be "
              "blank."});
}

TEST_CASE("unique keys and repeated pks are reported with the row that holds them",
          "[load][errors][unique]") {
  const std::string text = std::string("[\n") + kAuthor1 + ",\n" +
                           R"({"model": "myapp.author", "pk": 2, "fields": {"name": "B", "email": "a@example.com", "is_active": true, "created_at": "2026-01-21T10:15:00Z"}},)" +
                           "\n" + kAuthor1 + ",\n" +
                           R"({"model": "myapp.book", "pk": 1, "fields": {"author": 1, "title": "T", "published_year": 2000, "price": "1.00", "is_published": true}},
{"model": "myapp.book", "pk": 2, "fields": {"author": 1, "title": "T", "published_year": 2001, "price": "2.00", "is_published": true}},
{"model": "myapp.authorprofile", "pk": 1, "fields": {"author": 1, "bio": "", "website": "", "birth_year": null}},
{"model": "myapp.authorprofile", "pk": 2, "fields": {"author": 1, "bio": "", "website": "", "birth_year": null}}
])";
  CHECK(problems({fixture("u.json", text)}) ==
        Lines{"u.json:3: object 1, myapp.author pk 2, field email: Author with this Email "
              "already exists. Key (email)=(a@example.com) is already held by pk 1 (u.json:2).",
              "u.json:4: object 2, myapp.author pk 1: pk 1 is given twice; first at u.json:2.",
              "u.json:6: object 4, myapp.book pk 2, field __all__: Book with this Author and Title "
              "already exists. Key (author_id, title)=(1, T) is already held by pk 1 (u.json:5).",
              "u.json:8: object 6, myapp.authorprofile pk 2, field author: Author profile with "
              "this Author already exists. Key (author_id)=(1) is already held by pk 1 "
              "(u.json:7)."});
}

TEST_CASE("a failed load throws InputError listing every problem", "[load][errors]") {
  try {
    folio::load({fixture("x.json", "[1, 2]")});
    FAIL("loaded");
  } catch (const folio::InputError& e) {
    CHECK(e.kind() == folio::ErrorKind::kInput);
    CHECK(e.problems().size() == 2);
    CHECK(std::string(e.what()) == e.problems()[0] + "\n" + e.problems()[1]);
  }
}

TEST_CASE("a failed load_into leaves the database exactly as it was", "[load][errors]") {
  folio::Database db = folio::seed_database();
  const std::string before = folio::to_fixture(db);
  const std::string bad = R"([{"model": "myapp.author", "pk": 4, "fields": {"name": "D", "email": "orwell@example.com", "is_active": true, "created_at": "2026-01-21T10:15:00Z"}}])";
  try {
    folio::load_into(db, {fixture("bad.json", bad)});
    FAIL("loaded");
  } catch (const folio::InputError& e) {
    CHECK(e.problems() ==
          Lines{"bad.json:1: object 0, myapp.author pk 4, field email: Author with this Email "
                "already exists. Key (email)=(orwell@example.com) is already held by pk 1 (the "
                "existing database)."});
  }
  CHECK(folio::to_fixture(db) == before);
}

TEST_CASE("load_into replaces rows with the same pk and adds the others, as loaddata does",
          "[load]") {
  folio::Database db = folio::seed_database();
  db.remove<folio::Book>(5);
  const std::string text = R"([
{"model": "myapp.author", "pk": 3, "fields": {"name": "Lev Tolstoy", "email": "tolstoy@example.com", "is_active": true, "created_at": "2026-01-21T10:25:00Z"}},
{"model": "myapp.book", "pk": 9, "fields": {"author": 3, "title": "Anna Karenina", "published_year": 1878, "price": "11.00", "is_published": true}}
])";
  folio::load_into(db, {fixture("more.json", text)});
  CHECK(db.get<folio::Author>(3).name == "Lev Tolstoy");
  CHECK(db.count<folio::Author>() == 3);
  CHECK(db.count<folio::Book>() == 5);
  CHECK(db.find<folio::Book>(5) == nullptr);
  CHECK(db.get<folio::Book>(9).title == "Anna Karenina");
  // The counter never goes back: book 5 was deleted, 10 is next.
  CHECK(db.table<folio::Book>().next_id() == 10);
  CHECK(db.get<folio::Author>(1).created_at == folio::DateTime::from_civil(2026, 1, 21, 10, 15));
}

TEST_CASE("problems of several inputs are listed input by input, line by line", "[load][errors]") {
  CHECK(problems({fixture("a.json", "[1,\n2]"), csv("authors.csv", "id\n"),
                  csv("nope.csv", "x\n")}) ==
        Lines{"a.json:1: object 0: expected an object with \"model\", \"pk\" and \"fields\", got 1",
              "a.json:2: object 1: expected an object with \"model\", \"pk\" and \"fields\", got 2",
              "authors.csv:1: missing column \"name\"",
              "authors.csv:1: missing column \"email\"",
              "authors.csv:1: missing column \"is_active\"",
              "authors.csv:1: missing column \"created_at\"",
              "nope.csv: no table \"nope\" to load the CSV into (the tables are authors, "
              "author_profiles, books; name it with --table)"});
}

TEST_CASE("a field given twice, a pk among the fields and an object without fields are refused",
          "[load][errors]") {
  const std::string text = R"([
{"model": "myapp.author", "pk": 1, "fields": {"name": "A", "name": "B", "email": "a@example.com", "is_active": true, "created_at": "2026-01-21T10:15:00Z"}},
{"model": "myapp.author", "pk": 2, "fields": {"id": 2, "name": "A", "email": "b@example.com", "is_active": true, "created_at": "2026-01-21T10:15:00Z"}},
{"model": "myapp.author", "pk": 3},
{"model": "myapp.book", "pk": 1, "fields": {"author": 3, "title": "T", "published_year": 2000, "price": "1.00", "is_published": true}},
{"model": 7, "pk": 1, "fields": {}}
])";
  CHECK(problems({fixture("d.json", text)}) ==
        Lines{"d.json:2: object 0, myapp.author pk 1, field name: given twice in \"fields\"",
              "d.json:3: object 1, myapp.author pk 2, field id: the primary key belongs in "
              "\"pk\", not in \"fields\"",
              "d.json:4: object 2, myapp.author pk 3: the object has no \"fields\"",
              "d.json:6: object 4: \"model\" must be a string such as \"myapp.author\""});
}

namespace {

// A fixture of `authors` authors (pks 1, 2, ...) and 3 books each, the
// books in pk order with their authors in a shuffled order (as dumpdata
// gives books created by authors in turn): more books than
// Database::kSortFrom, so that the loader inserts them sorted by author.
// `edit(pk, fields)` may change a book's fields, given as JSON text.
template <class Edit>
std::string scattered_books(int authors, Edit edit) {
  std::string text = "[\n";
  for (int a = 1; a <= authors; ++a) {
    text += R"({"model": "myapp.author", "pk": )" + std::to_string(a) +
            R"(, "fields": {"name": "A", "email": "a)" + std::to_string(a) +
            R"(@example.com", "is_active": true, "created_at": "2026-01-21T10:15:00Z"}},)" "\n";
  }
  int pk = 0;
  for (int k = 0; k < 3; ++k) {
    for (int i = 0; i < authors; ++i) {
      const int author = 1 + (i * 7919) % authors;  // a permutation: authors is not a multiple of 7919
      ++pk;
      std::string fields = R"("author": )" + std::to_string(author) +
                           R"(, "title": "Part )" + std::to_string(k) +
                           R"(", "published_year": 2000, "price": "1.00", "is_published": true)";
      edit(pk, fields);
      text += R"({"model": "myapp.book", "pk": )" + std::to_string(pk) + R"(, "fields": {)" +
              fields + "}},\n";
    }
  }
  text.resize(text.size() - 2);
  return text + "\n]";
}

}  // namespace

TEST_CASE("books whose authors come in any order load as in pk order", "[load]") {
  const int authors = 400;
  REQUIRE(3 * authors >= static_cast<int>(folio::Database::kSortFrom));
  const std::string text = scattered_books(authors, [](int, std::string&) {});
  const folio::Database db = folio::load({fixture("b.json", text)});
  REQUIRE(db.count<folio::Book>() == 3 * authors);
  for (int pk = 1; pk <= 3 * authors; ++pk) {
    const folio::Book& b = db.get<folio::Book>(pk);
    CHECK(b.author_id == 1 + ((pk - 1) % authors * 7919) % authors);
  }
  CHECK(db.table<folio::Book>().next_id() == 3 * authors + 1);
  // And back out: the same fixture.
  CHECK(folio::to_fixture(db).find("\"pk\": 1200,") != std::string::npos);
}

TEST_CASE("books loaded sorted by author report their problems as in pk order",
          "[load][errors]") {
  const int authors = 400;
  // Book 100 (the first problem in pk order) has an invalid year; book 1000
  // a missing author and book 1100 the title of book 300 (the same author):
  // sorted by author, an insert meets book 1000 or 1100 first, after many
  // rows went in.
  int author_of_300 = 0;
  const std::string text = scattered_books(authors, [&](int pk, std::string& fields) {
    if (pk == 300) author_of_300 = 1 + (299 % authors * 7919) % authors;
    if (pk == 100) fields.replace(fields.find("2000"), 4, "0");
    if (pk == 1000) fields.replace(0, fields.find(','), R"("author": 9999)");
    if (pk == 1100) {
      fields.replace(0, fields.find(','), R"("author": )" + std::to_string(author_of_300));
      fields.replace(fields.find("Part "), 6, "Part 0");
    }
  });
  const Lines found = problems({fixture("b.json", text)});
  REQUIRE(found.size() == 3);
  CHECK_THAT(found[0], Catch::StartsWith("b.json:501: object 499, myapp.book pk 100, "
                                         "field published_year:"));
  CHECK(found[1] == "b.json:1401: object 1399, myapp.book pk 1000, field author: author "
                    "instance with id 9999 does not exist.");
  CHECK_THAT(found[2], Catch::StartsWith("b.json:1501: object 1499, myapp.book pk 1100, "
                                         "field __all__: Book with this Author and Title "
                                         "already exists.") &&
                           Catch::EndsWith("is already held by pk 300 (b.json:701)."));
}
