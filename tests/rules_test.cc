// The text field rules of full_clean(), with Django's own messages: blank
// values, lengths counted in code points, EmailValidator, URLValidator, and
// every failing field reported at once in model order. Each refusal also
// proves that nothing changed (refusals.h).
#include <optional>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "folio/folio.h"
#include "refusals.h"

// g++ 12 (-Wextra) warns about members left to their defaults in designated
// initializers, the way the API builds rows: Author{.name = ..., .email = ...}.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using folio::Author;
using folio::AuthorProfile;
using folio::Book;
using folio::FieldErrors;
using folio_test::create_errors;
using folio_test::validation_errors;

namespace {

constexpr const char* kBlank = "This field cannot be blank.";
constexpr const char* kEmail = "Enter a valid email address.";
constexpr const char* kUrl = "Enter a valid URL.";
constexpr const char* kTooLong201 =
    "Ensure this value has at most 200 characters (it has 201).";

std::string repeat(std::string_view piece, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += piece;
  return out;
}

Author author(std::string name, std::string email) {
  return Author{.name = std::move(name), .email = std::move(email)};
}

Book book(std::string title) {
  return Book{.author_id = 1,
              .title = std::move(title),
              .published_year = 2000,
              .price = *folio::Decimal::parse("10.00")};
}

// Profile 1 of the seed (author 1) with another website.
AuthorProfile profile_with_website(const folio::Database& db,
                                   std::string website) {
  AuthorProfile p = db.get<AuthorProfile>(1);
  p.website = std::move(website);
  return p;
}

}  // namespace

TEST_CASE("an author needs a name and an email", "[rules][blank]") {
  folio::Database db = folio::seed_database();
  CHECK(create_errors(db, author("", "")) ==
        FieldErrors{{"name", {kBlank}}, {"email", {kBlank}}});
}

TEST_CASE(
    "a name of 201 code points is refused and 200 accepted, however many bytes",
    "[rules][length]") {
  folio::Database db = folio::seed_database();
  CHECK(create_errors(db, author(repeat("é", 201), "a@example.com")) ==
        FieldErrors{{"name", {kTooLong201}}});
  CHECK(create_errors(db, author(repeat("a", 201), "a@example.com")) ==
        FieldErrors{{"name", {kTooLong201}}});
  // 400 and 800 bytes, 200 code points each.
  CHECK(db.create(author(repeat("é", 200), "a@example.com")).name ==
        repeat("é", 200));
  CHECK(db.create(author(repeat("😀", 200), "b@example.com")).name.size() ==
        800);
}

TEST_CASE("a book title cannot be blank or longer than 200 code points",
          "[rules][blank][length]") {
  folio::Database db = folio::seed_database();
  CHECK(create_errors(db, book("")) == FieldErrors{{"title", {kBlank}}});
  CHECK(create_errors(db, book(repeat("ж", 201))) ==
        FieldErrors{{"title", {kTooLong201}}});
  CHECK(db.create(book(repeat("ж", 200))).title == repeat("ж", 200));
}

TEST_CASE(
    "a length limit counts code points when the bytes alone exceed it",
    "[rules][length]") {
  folio::Database db = folio::seed_database();
  // 200 bytes: within the limit whatever it holds.
  CHECK(db.create(author(repeat("a", 200), "a@example.com")).name.size() ==
        200);
  // 201 and 203 bytes, 200 code points.
  CHECK(db.create(author(repeat("a", 199) + "é", "b@example.com")).name ==
        repeat("a", 199) + "é");
  CHECK(db.create(author("😀" + repeat("a", 199), "c@example.com")).name ==
        "😀" + repeat("a", 199));
  // 202 and 204 bytes, 201 code points.
  CHECK(create_errors(db, author(repeat("a", 200) + "é", "d@example.com")) ==
        FieldErrors{{"name", {kTooLong201}}});
  CHECK(create_errors(db, author("😀" + repeat("a", 200), "e@example.com")) ==
        FieldErrors{{"name", {kTooLong201}}});
}

TEST_CASE("text that is not valid UTF-8 is refused", "[rules]") {
  folio::Database db = folio::seed_database();
  CHECK(create_errors(db, author("caf\xe9", "a@example.com")) ==
        FieldErrors{{"name", {"Enter text that is valid UTF-8."}}});
  // Past a run of ASCII, and however short the value is next to its limit.
  CHECK(create_errors(db, author("abcdefghijkl\x80", "a@example.com")) ==
        FieldErrors{{"name", {"Enter text that is valid UTF-8."}}});
}

TEST_CASE("an email must pass Django's EmailValidator", "[rules][email]") {
  folio::Database db = folio::seed_database();
  // Each checked against Django 3.2's validate_email.
  for (const char* bad :
       {"plainaddress", "@example.com", "user@", "user@example",
        "user name@example.com", "a@@x.com", "user@-example.com",
        "user@example.com.", "josé@example.com"}) {
    INFO(bad);
    CHECK(create_errors(db, author("n", bad)) ==
          FieldErrors{{"email", {kEmail}}});
  }
  for (const char* good :
       {"user@example.com", "first.last+tag@sub.example.co.uk",
        "user@localhost", "user@[127.0.0.1]", "user@bücher.de"}) {
    INFO(good);
    CHECK(db.create(author("n", good)).email == good);
  }
}

TEST_CASE("an email of 255 characters is refused and 254 accepted",
          "[rules][email][length]") {
  folio::Database db = folio::seed_database();
  const std::string domain = "@example.com";  // 12 characters
  CHECK(create_errors(db, author("n", repeat("x", 243) + domain)) ==
        FieldErrors{
            {"email",
             {"Ensure this value has at most 254 characters (it has 255)."}}});
  CHECK(db.create(author("n", repeat("x", 242) + domain)).email.size() == 254);
}

TEST_CASE(
    "an invalid and overlong email gets both messages, the validator's first",
    "[rules][email][length]") {
  folio::Database db = folio::seed_database();
  CHECK(create_errors(db, author("n", repeat("x", 300))) ==
        FieldErrors{
            {"email",
             {kEmail,
              "Ensure this value has at most 254 characters (it has 300)."}}});
}

TEST_CASE("a website may be blank, else it must pass Django's URLValidator",
          "[rules][url]") {
  folio::Database db = folio::seed_database();
  // Author 3 has no profile: a blank website and bio are accepted.
  const AuthorProfile& p = db.create(AuthorProfile{.author_id = 3});
  CHECK(p.website.empty());
  CHECK(p.bio.empty());
  CHECK_FALSE(p.birth_year);
  // Each checked against Django 3.2's URLValidator.
  for (const char* bad :
       {"not a url", "example.com", "mailto:x@y.com", "http://",
        "http://example", "https://exa mple.com", "http://example.com:1/"}) {
    INFO(bad);
    CHECK(validation_errors<AuthorProfile>(db, [&] {
            db.update(profile_with_website(db, bad));
          }) == FieldErrors{{"website", {kUrl}}});
  }
  for (const char* good : {"http://example.com", "https://example.com/orwell",
                           "ftp://example.com/file", "ftps://example.com",
                           "http://localhost:8000/", "http://127.0.0.1/"}) {
    INFO(good);
    CHECK(db.update(profile_with_website(db, good)).website == good);
  }
}

TEST_CASE("a website of 201 characters is refused and 200 accepted",
          "[rules][url][length]") {
  folio::Database db = folio::seed_database();
  const std::string base = "https://example.com/";  // 20 characters
  CHECK(validation_errors<AuthorProfile>(db, [&] {
          db.update(profile_with_website(db, base + repeat("a", 181)));
        }) == FieldErrors{{"website", {kTooLong201}}});
  CHECK(db.update(profile_with_website(db, base + repeat("a", 180)))
            .website.size() == 200);
}

TEST_CASE(
    "every failing field of an author is reported at once, in model order",
    "[rules][report]") {
  folio::Database db = folio::seed_database();
  CHECK(create_errors(db, author(repeat("n", 201), "nope")) ==
        FieldErrors{{"name", {kTooLong201}}, {"email", {kEmail}}});
}

TEST_CASE("every failing field of a book is reported at once, in model order",
          "[rules][report]") {
  folio::Database db = folio::seed_database();
  Book b = book("");
  b.published_year = 0;
  b.price = *folio::Decimal::parse("9.999");
  CHECK(
      create_errors(db, b) ==
      FieldErrors{
          {"title", {kBlank}},
          {"published_year",
           {"Ensure this value is greater than or equal to 1."}},
          {"price", {"Ensure that there are no more than 2 decimal places."}}});
}

TEST_CASE(
    "every failing field of a profile is reported at once, in model order",
    "[rules][report]") {
  folio::Database db = folio::seed_database();
  CHECK(create_errors(db, AuthorProfile{.author_id = 3,
                                        .website = "nope",
                                        .birth_year = 40000}) ==
        FieldErrors{{"website", {kUrl}},
                    {"birth_year",
                     {"Ensure this value is less than or equal to 32767."}}});
}

TEST_CASE("an update is validated like a create and leaves the row as it was",
          "[rules][update]") {
  folio::Database db = folio::seed_database();
  Author a = db.get<Author>(1);
  a.name = "";
  a.email = "orwell";
  CHECK(validation_errors<Author>(db, [&] { db.update(a); }) ==
        FieldErrors{{"name", {kBlank}}, {"email", {kEmail}}});
  CHECK(db.get<Author>(1).name == "George Orwell");
  CHECK(folio::find_author_by_email(db, "orwell@example.com") ==
        &db.get<Author>(1));
}

TEST_CASE(
    "a validation error is its own kind and prints like Django's message_dict",
    "[rules][errors]") {
  folio::Database db = folio::seed_database();
  try {
    db.create(author("", "nope"));
    FAIL("the row was accepted");
  } catch (const folio::IntegrityError&) {
    FAIL("a field rule raised an integrity error");
  } catch (const folio::ValidationError& e) {
    CHECK(e.model() == "Author");
    CHECK(std::string(e.what()) ==
          "{'name': ['This field cannot be blank.'], 'email': ['Enter a valid "
          "email "
          "address.']}");
    CHECK(e.messages("email") == std::vector<std::string>{kEmail});
    CHECK(e.messages("is_active").empty());
  }
}
