// Data for the interchange tests: the seed fixture Django wrote, a database
// whose rows reach the edges of every field, and shortcuts for loading text.
#pragma once

#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "folio/interchange.h"
#include "folio/seed.h"

namespace folio_test {

// The seed fixture as Django 3.2's dumpdata wrote it (../shared/seed/ beside
// the repository; a copy in tests/interop/data/ when that is absent).
inline std::string seed_fixture_text() {
  for (const char* path : {FOLIO_SOURCE_DIR "/../shared/seed/seed-fixture.json",
                           FOLIO_SOURCE_DIR "/tests/interop/data/seed-fixture.json"}) {
    std::ifstream in(path, std::ios::binary);
    if (in) return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  }
  FAIL("seed-fixture.json not found");
  return {};
}

inline folio::Input fixture(std::string name, std::string text) {
  return folio::Input{std::move(name), std::move(text), folio::InputFormat::kFixture, {}};
}
inline folio::Input csv(std::string name, std::string text, std::string table = {}) {
  return folio::Input{std::move(name), std::move(text), folio::InputFormat::kCsv,
                      std::move(table)};
}

// Options for one table.
inline folio::DumpOptions only(std::string table) {
  folio::DumpOptions options;
  options.table = std::move(table);
  return options;
}

// The problems loading `inputs` reports (empty when it loads).
template <class Db = folio::Database>
std::vector<std::string> problems(const std::vector<folio::Input>& inputs) {
  return folio::check_inputs<Db>(inputs);
}

// `n` code points of non-ASCII text (2, 3 and 4 bytes each in UTF-8).
inline std::string non_ascii(int n) {
  static const char* const kPieces[] = {"Ж", "é", "漢", "😀", "ß", "ع", "あ", "𝄞"};
  std::string s;
  for (int i = 0; i < n; ++i) s += kPieces[i % 8];
  return s;
}

// Rows at the edges: 200 code points of non-ASCII text, escapes, prices of
// -999999.99, 0.01 and 0.00, an author without a profile, a null
// birth_year, ids with gaps, created_at with milliseconds.
inline folio::Database edge_database() {
  using folio::DateTime;
  using folio::Decimal;
  folio::Database db;
  db.restore(folio::Author{1, non_ascii(200), "edge@example.com", true,
                           DateTime::from_civil(2026, 1, 21, 10, 15, 0, 123000)});
  db.restore(folio::Author{4, "Quote \" backslash \\ tab\t newline\n", "q@example.com", false,
                           DateTime::from_civil(1999, 12, 31, 23, 59, 59, 999000)});
  db.restore(folio::Author{9, "Ünïcödé, \"comma\"", "u@example.org", true,
                           DateTime::from_civil(2000, 2, 29, 0, 0, 0, 1000)});
  db.restore(folio::AuthorProfile{3, 1, "bio with \x01 control, \x1f and DEL \x7f, \u2028 line sep\n.dot\n/\ngo\n;",
                                  "", std::nullopt});
  db.restore(folio::AuthorProfile{7, 9, "", "https://example.com/u?a=1&b=2", 0});
  db.restore(folio::Book{2, 1, non_ascii(200), 1, Decimal::from_units(-99999999, 2), true});
  db.restore(folio::Book{5, 1, "Cheap", 32767, Decimal::from_units(1, 2), false});
  db.restore(folio::Book{11, 4, "Free, \"quoted\"\r\nlines", 2026, Decimal::from_units(0, 2),
                         true});
  db.restore(folio::Book{12, 9, "Max", 1999, Decimal::from_units(99999999, 2), true});
  return db;
}

}  // namespace folio_test
