// Writes the snapshot files checked in under tests/data/snapshots/, which
// snapshot_test.cc loads so that a change that stops folio reading an older
// file fails a test:
//
//   seed-format1.folio         the seed database in the current layout
//                              (format 1; authors and books rows version 1,
//                              author_profiles rows version 2)
//   seed-before-profiles.folio the seed's authors and books only, as a build
//                              written before author_profiles existed saved
//                              them: the table is absent from the file
//   seed-profiles-row1.folio   the seed with author_profiles rows in their
//                              version 1 layout, before birth_year was added
//                              (the loader upgrades them: birth_year null)
//   bad-missing-parent.folio   books whose authors table is left out: every
//                              book breaks its foreign key (for the error
//                              test; no build writes such a file)
//
// The older layouts are written by today's writer with the fields of the
// older row version only (FieldSpec::since), which is exactly what a build
// of that time wrote. Rebuild them (only when the format version changes;
// old files stay as they are) from the top of the repository with:
//
//   cmake --build build/<dir> --target folio
//   g++ -std=c++20 -Iinclude tests/tools/make_snapshot_files.cc \
//       build/<dir>/libfolio.a -lboost_serialization -o
//       /tmp/make_snapshot_files
//   /tmp/make_snapshot_files tests/data/snapshots
#include <cstdio>
#include <exception>
#include <filesystem>

#include "../../engine/snapshot_internal.h"
#include "folio/seed.h"
#include "folio/snapshot.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_FOLDER\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  try {
    const folio::Database seed = folio::seed_database();
    folio::save_snapshot(seed, dir / "seed-format1.folio");
    folio::internal::save_snapshot(seed, dir / "seed-before-profiles.folio",
                                   {.omit_tables = {"author_profiles"}});
    folio::internal::save_snapshot(seed, dir / "seed-profiles-row1.folio",
                                   {.row_versions = {{"author_profiles", 1}}});
    folio::internal::save_snapshot(
        seed, dir / "bad-missing-parent.folio",
        {.omit_tables = {"authors", "author_profiles"}});
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 1;
  }
  return 0;
}
