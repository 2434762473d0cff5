// What every fuzz target checks: loading either succeeds or throws
// folio::InputError (anything else escapes and is reported as a crash), and
// what loads is written in every format and read back unchanged.
#pragma once

#include <cstdlib>
#include <sstream>
#include <string>

#include "folio/interchange.h"

namespace folio_fuzz {

[[noreturn]] inline void fail(const char* what) {
  std::fputs(what, stderr);
  std::fputc('\n', stderr);
  std::abort();
}

// Writes db in every format; the fixture and each table's CSV must load back
// into rows that write the same fixture.
// Django's fixture format cuts datetimes to milliseconds: 00:00:00.000123
// is written "00:00:00.000Z" (as Django writes it) and reads back as
// 00:00:00, which is written "00:00:00Z". That is the one change a round trip
// may make.
inline std::string without_zero_milliseconds(std::string fixture) {
  const std::string cut = ".000Z\"";
  for (std::size_t at = fixture.find(cut); at != std::string::npos;
       at = fixture.find(cut, at)) {
    fixture.replace(at, cut.size(), "Z\"");
  }
  return fixture;
}

inline void write_everything(const folio::Database& db) {
  const std::string fixture = folio::to_fixture(db);
  folio::Database again = folio::load(
      {folio::Input{"again.json", fixture, folio::InputFormat::kFixture, {}}});
  if (folio::to_fixture(again) != without_zero_milliseconds(fixture)) {
    fail("the fixture does not round trip");
  }
  std::vector<folio::Input> csv;
  for (const std::string& table : folio::table_names()) {
    std::ostringstream out;
    folio::DumpOptions options;
    options.table = table;
    folio::write_csv(db, out, options);
    csv.push_back(folio::Input{table + ".csv", out.str(), folio::InputFormat::kCsv, {}});
  }
  if (folio::to_fixture(folio::load(csv)) != fixture) fail("the CSV does not round trip");
  std::ostringstream sink;
  folio::write_table(db, sink);
  try {
    folio::write_sql(db, sink);
  } catch (const folio::UsageError&) {
    // Text with a NUL character: refused by design.
  }
}

// What every target does with an input: it loads or is refused with
// InputError (with at least one problem), and what loads round trips.
inline int check_input(const folio::Input& in) {
  folio::Database db;
  try {
    db = folio::load({in});
  } catch (const folio::InputError& e) {
    if (e.problems().empty()) fail("InputError without problems");
    return 0;
  }
  write_everything(db);
  return 0;
}

}  // namespace folio_fuzz
