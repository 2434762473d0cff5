// Fuzzes snapshot loading from bytes: any bytes either load or are refused
// with SnapshotError, never a crash, a hang or a huge allocation
// (-rss_limit_mb); what loads writes in every format.
#include <cstddef>
#include <cstdint>
#include <span>

#include "folio/snapshot.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  folio::Database db;
  try {
    db = folio::load_snapshot_bytes(
        std::span<const std::byte>(reinterpret_cast<const std::byte*>(data), size), "fuzz");
  } catch (const folio::SnapshotError&) {
    return 0;
  }
  folio_fuzz::write_everything(db);
  return 0;
}
