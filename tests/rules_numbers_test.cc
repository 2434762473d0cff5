// The number field rules of full_clean(), with Django's own messages:
// PositiveSmallIntegerField ranges as on PostgreSQL (birth_year 0..32767 or
// null, published_year 1..32767) and DecimalField(8, 2) digits counted as
// written. Each refusal also proves that nothing changed (refusals.h).
#include <cstdint>
#include <optional>
#include <string>

#include <catch2/catch.hpp>

#include "folio/folio.h"
#include "refusals.h"

// g++ 12 (-Wextra) warns about members left to their defaults in designated
// initializers, the way the API builds rows: Author{.name = ..., .email = ...}.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using folio::AuthorProfile;
using folio::Book;
using folio::Decimal;
using folio::FieldErrors;
using folio_test::create_errors;
using folio_test::validation_errors;

namespace {

constexpr const char* kAtLeast0 =
    "Ensure this value is greater than or equal to 0.";
constexpr const char* kAtLeast1 =
    "Ensure this value is greater than or equal to 1.";
constexpr const char* kAtMost32767 =
    "Ensure this value is less than or equal to 32767.";
constexpr const char* kTotal =
    "Ensure that there are no more than 8 digits in total.";
constexpr const char* kPlaces =
    "Ensure that there are no more than 2 decimal places.";
constexpr const char* kWhole =
    "Ensure that there are no more than 6 digits before the decimal point.";

AuthorProfile with_birth_year(const folio::Database& db,
                              std::optional<std::int32_t> year) {
  AuthorProfile p = db.get<AuthorProfile>(1);
  p.birth_year = year;
  return p;
}

Book book_with(std::string title, std::int32_t year, std::string_view price) {
  std::optional<Decimal> d = Decimal::parse(price);
  REQUIRE(d);
  return Book{.author_id = 1,
              .title = std::move(title),
              .published_year = year,
              .price = *d};
}

Book priced(std::string_view price) {
  return book_with("Priced " + std::string(price), 2000, price);
}

}  // namespace

TEST_CASE("birth_year accepts 0 to 32767 and null", "[rules][integer]") {
  folio::Database db = folio::seed_database();
  for (std::optional<std::int32_t> year :
       {std::optional<std::int32_t>(0), std::optional<std::int32_t>(32767),
        std::optional<std::int32_t>()}) {
    CHECK(db.update(with_birth_year(db, year)).birth_year == year);
  }
}

TEST_CASE("birth_year below 0 or above 32767 is refused", "[rules][integer]") {
  folio::Database db = folio::seed_database();
  CHECK(validation_errors<AuthorProfile>(db, [&] {
          db.update(with_birth_year(db, -1));
        }) == FieldErrors{{"birth_year", {kAtLeast0}}});
  CHECK(validation_errors<AuthorProfile>(db, [&] {
          db.update(with_birth_year(db, 32768));
        }) == FieldErrors{{"birth_year", {kAtMost32767}}});
  CHECK(db.get<AuthorProfile>(1).birth_year == 1903);
}

TEST_CASE("published_year accepts 1 to 32767", "[rules][integer]") {
  folio::Database db = folio::seed_database();
  CHECK(db.create(book_with("First", 1, "1.00")).published_year == 1);
  CHECK(db.create(book_with("Last", 32767, "1.00")).published_year == 32767);
}

TEST_CASE("published_year 0, negative or above 32767 is refused",
          "[rules][integer]") {
  folio::Database db = folio::seed_database();
  CHECK(create_errors(db, book_with("Zero", 0, "1.00")) ==
        FieldErrors{{"published_year", {kAtLeast1}}});
  CHECK(create_errors(db, book_with("Negative", -5, "1.00")) ==
        FieldErrors{{"published_year", {kAtLeast1}}});
  CHECK(create_errors(db, book_with("Future", 32768, "1.00")) ==
        FieldErrors{{"published_year", {kAtMost32767}}});
}

TEST_CASE("a price with a third decimal place is refused, even a trailing zero",
          "[rules][decimal]") {
  folio::Database db = folio::seed_database();
  for (const char* price : {"9.999", "9.990", "0.001", "-0.125"}) {
    INFO(price);
    CHECK(create_errors(db, priced(price)) ==
          FieldErrors{{"price", {kPlaces}}});
  }
  for (const char* price : {"9.99", "9.9", "9"}) {
    INFO(price);
    CHECK(db.create(priced(price)).price == *Decimal::parse(price));
  }
}

TEST_CASE("a price of more than 8 digits is refused", "[rules][decimal]") {
  folio::Database db = folio::seed_database();
  for (const char* price : {"123456789", "12345678.9", "-123456789"}) {
    INFO(price);
    CHECK(create_errors(db, priced(price)) == FieldErrors{{"price", {kTotal}}});
  }
}

TEST_CASE("a price with 7 digits before the point is refused",
          "[rules][decimal]") {
  folio::Database db = folio::seed_database();
  for (const char* price : {"1234567", "1234567.8", "-1234567"}) {
    INFO(price);
    CHECK(create_errors(db, priced(price)) == FieldErrors{{"price", {kWhole}}});
  }
  CHECK(db.create(priced("999999.99")).price.format(2) == "999999.99");
}

TEST_CASE("only the first failing decimal rule is reported",
          "[rules][decimal]") {
  folio::Database db = folio::seed_database();
  // 10 digits, 3 decimal places and 7 before the point: Django's
  // DecimalValidator stops at the first of its checks.
  CHECK(create_errors(db, priced("1234567.891")) ==
        FieldErrors{{"price", {kTotal}}});
}

TEST_CASE("negative prices are accepted", "[rules][decimal]") {
  folio::Database db = folio::seed_database();
  CHECK(db.create(priced("-999999.99")).price.format(2) == "-999999.99");
  CHECK(db.create(priced("-0.01")).price.format(2) == "-0.01");
}

TEST_CASE("a price is kept exactly as given, never rounded",
          "[rules][decimal]") {
  folio::Database db = folio::seed_database();
  const Book& b = db.create(priced("14.5"));
  CHECK(b.price.to_string() == "14.5");
  CHECK(b.price.format(2) == "14.50");
  CHECK(b.price == *Decimal::parse("14.50"));
}
