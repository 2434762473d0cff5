// Fuzzes the fixture reader: any bytes either load or are refused with
// InputError; what loads round trips through every format.
#include <cstddef>
#include <cstdint>

#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  folio::Input in{"fuzz.json", std::string(reinterpret_cast<const char*>(data), size),
                  folio::InputFormat::kFixture, {}};
  return folio_fuzz::check_input(in);
}
