// Decimal and DateTime: exact values, Django's counting and formats.
#include <catch2/catch.hpp>

#include "folio/datetime.h"
#include "folio/decimal.h"

using folio::DateTime;
using folio::Decimal;

TEST_CASE("a decimal keeps its digits as written", "[decimal]") {
  auto d = Decimal::parse("9.990");
  REQUIRE(d);
  CHECK(d->scale() == 3);
  CHECK(d->digits() == 4);
  CHECK(d->decimal_places() == 3);
  CHECK(*d == *Decimal::parse("9.99"));
  CHECK(Decimal::parse("14.5")->format(2) == "14.50");
  CHECK(Decimal::parse("-999999.99")->format(2) == "-999999.99");
  CHECK(Decimal::parse("0.01")->format(2) == "0.01");
  CHECK(Decimal::parse("-0.5")->format(2) == "-0.50");
}

TEST_CASE("decimal digits are counted as Python's Decimal.as_tuple() does",
          "[decimal]") {
  // (digits, decimal places) per django.core.validators.DecimalValidator.
  CHECK(Decimal::parse("0.01")->digits() == 2);
  CHECK(Decimal::parse("0")->digits() == 1);
  CHECK(Decimal::parse("0.00")->digits() == 2);
  CHECK(Decimal::parse("00012.50")->digits() == 4);
  CHECK(Decimal::parse("1E+3")->digits() == 4);
  CHECK(Decimal::parse("1E+3")->decimal_places() == 0);
  CHECK(Decimal::parse(".5")->digits() == 1);
}

TEST_CASE("malformed decimals are refused", "[decimal]") {
  for (const char* bad : {"", "-", ".", "1.2.3", "abc", "1e", "1x", "NaN", "inf",
                          "1234567890123456789", " 1"}) {
    INFO(bad);
    CHECK_FALSE(Decimal::parse(bad));
  }
}

TEST_CASE("datetimes print as Django's JSON serializer writes them",
          "[datetime]") {
  CHECK(DateTime::from_civil(2026, 1, 21, 10, 15).to_django_json() ==
        "2026-01-21T10:15:00Z");
  CHECK(DateTime::from_civil(2026, 1, 21, 10, 15, 0, 123456).to_django_json() ==
        "2026-01-21T10:15:00.123Z");
  // Microseconds below a millisecond still print the (zero) milliseconds.
  CHECK(DateTime::from_civil(2026, 1, 21, 10, 15, 0, 500).to_django_json() ==
        "2026-01-21T10:15:00.000Z");
}

TEST_CASE("datetimes parse as Django's parse_datetime does", "[datetime]") {
  auto t = DateTime::parse("2026-01-21T10:15:00Z");
  REQUIRE(t);
  CHECK(*t == DateTime::from_civil(2026, 1, 21, 10, 15));
  CHECK(DateTime::parse("2026-01-21T10:15:00.123Z")->micros() % 1000000 == 123000);
  CHECK(*DateTime::parse("2026-01-21T12:15:00+02:00") == *t);
  CHECK(*DateTime::parse("2026-01-21 10:15") == *t);
  for (const char* bad : {"", "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z",
                          "2026-01-21", "2026-01-21T25:00:00Z", "2026-01-21T10:15:00Zjunk"}) {
    INFO(bad);
    CHECK_FALSE(DateTime::parse(bad));
  }
}

TEST_CASE("decimals compare by value, whatever their scale", "[decimal]") {
  auto d = [](const char* text) { return *Decimal::parse(text); };
  CHECK(d("-1") < d("-0.5"));
  CHECK(d("-0.5") < d("0"));
  CHECK(d("0") == d("0.00"));
  CHECK(d("9.99") < d("9.999"));
  CHECK(d("14.5") == d("14.50"));
  CHECK(d("14.50") < d("19.99"));
  CHECK(d("1E+3") == d("1000.00"));
  CHECK(d("999999.99") > d("-999999.99"));
}
