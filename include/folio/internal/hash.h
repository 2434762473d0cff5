// Hash functions for folio's hashed indexes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace folio::internal {

// Ids are dense and sequential: the identity spreads them over Boost's prime
// bucket counts perfectly and costs nothing.
struct IdHash {
  std::size_t operator()(std::int64_t id) const noexcept {
    return static_cast<std::size_t>(id);
  }
};

// A fast 64-bit string hash (8 bytes per step, multiply-xorshift mixing).
// Takes std::string_view, so std::string keys and string_view probes hash
// alike and lookups never allocate.
struct StringHash {
  std::size_t operator()(std::string_view s) const noexcept {
    constexpr std::uint64_t kMul = 0x9E3779B97F4A7C15ULL;
    std::uint64_t h = 0x243F6A8885A308D3ULL ^ (s.size() * kMul);
    const char* p = s.data();
    std::size_t n = s.size();
    for (; n >= 8; n -= 8, p += 8) {
      std::uint64_t w;
      std::memcpy(&w, p, 8);
      h = (h ^ w) * kMul;
      h ^= h >> 29;
    }
    if (n > 0) {
      std::uint64_t w = 0;
      std::memcpy(&w, p, n);
      h = (h ^ w) * kMul;
      h ^= h >> 29;
    }
    h *= 0xBF58476D1CE4E5B9ULL;
    return static_cast<std::size_t>(h ^ (h >> 32));
  }
};

struct StringEqual {
  bool operator()(std::string_view a, std::string_view b) const noexcept {
    return a == b;
  }
};

}  // namespace folio::internal
