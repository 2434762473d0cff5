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
inline void write_everything(const folio::Database& db) {
  const std::string fixture = folio::to_fixture(db);
  folio::Database again = folio::load(
      {folio::Input{"again.json", fixture, folio::InputFormat::kFixture, {}}});
  if (folio::to_fixture(again) != fixture) fail("the fixture does not round trip");
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

}  // namespace folio_fuzz
