// Fuzzes the CSV reader: the first byte picks the table, the rest is the
// file. Any bytes either load or are refused with InputError; what loads
// round trips through every format.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::vector<std::string> tables = folio::table_names();
  const std::string& table = tables[data[0] % tables.size()];
  folio::Input in{table + ".csv", std::string(reinterpret_cast<const char*>(data) + 1, size - 1),
                  folio::InputFormat::kCsv, {}};
  return folio_fuzz::check_input(in);
}
