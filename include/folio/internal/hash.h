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

// Text keys (emails, titles, names) are short, and a lookup by one is two or
// three round trips to memory: the fewer instructions its hash takes, the
// more lookups the processor keeps in flight at once. StringHash reads the
// text 8 bytes at a time, folds each pair of words through one 64 x 64 ->
// 128-bit multiply (the product's halves xored) and folds the result once
// more, so that every byte of the key reaches the low bits that Boost's
// prime modulo reads: about 20 instructions for a key of up to 32 bytes,
// always inlined (GCC otherwise kept it a call where a lookup by email is
// inlined into its caller). It replaced XXH3, a call of about 50; the A/B
// measurements of both steps are in the README (What changed, 2026-12-05).
// Its buckets fill as random keys' do (tests/hash_test.cc). Not keyed: a
// snapshot cannot aim its rows at one bucket (the loader refuses more than
// 64 to a bucket), but an application that inserts keys chosen by an
// adversary could make them collide, as with any unkeyed hash.
// Takes std::string_view, so std::string and String keys and string_view
// probes hash alike, and lookups never allocate.
namespace hash_detail {
inline std::uint64_t load64(const char* p) noexcept {
  std::uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
inline std::uint64_t load32(const char* p) noexcept {
  std::uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
// The 128-bit product's two halves, xored.
// (__extension__, as in engine/decimal.cc: a program built with -Wpedantic
// includes this header.)
__extension__ using UInt128 = unsigned __int128;
inline std::uint64_t fold(std::uint64_t a, std::uint64_t b) noexcept {
  const UInt128 p = static_cast<UInt128>(a) * b;
  return static_cast<std::uint64_t>(p) ^ static_cast<std::uint64_t>(p >> 64);
}
// Odd constants with their bits spread (the golden ratio's and splitmix64's).
inline constexpr std::uint64_t kMix0 = 0x9e3779b97f4a7c15ULL;
inline constexpr std::uint64_t kMix1 = 0xbf58476d1ce4e5b9ULL;
inline constexpr std::uint64_t kMix2 = 0x94d049bb133111ebULL;
inline constexpr std::uint64_t kMix3 = 0xd6e8feb86659fd93ULL;
inline constexpr std::uint64_t kMix4 = 0xa0761d6478bd642fULL;
}  // namespace hash_detail

struct StringHash {
  [[gnu::always_inline]] inline std::size_t operator()(
      std::string_view s) const noexcept {
    using namespace hash_detail;
    const char* p = s.data();
    std::size_t n = s.size();
    std::uint64_t h = kMix0 ^ n;
    if (n > 16) {
      // 16-byte blocks while more than 32 bytes are left, then the first
      // and the last 16 of the rest (which may overlap).
      while (n > 32) {
        h = fold(load64(p) ^ kMix1, load64(p + 8) ^ h);
        p += 16;
        n -= 16;
      }
      h ^= fold(load64(p) ^ kMix1, load64(p + 8) ^ kMix2);
      h ^= fold(load64(p + n - 16) ^ kMix3, load64(p + n - 8) ^ kMix4);
    } else if (n >= 8) {
      h ^= fold(load64(p) ^ kMix1, load64(p + n - 8) ^ kMix2);
    } else if (n >= 4) {
      h ^= fold(load32(p) ^ kMix1, load32(p + n - 4) ^ kMix2);
    } else if (n > 0) {
      const auto byte = [&](std::size_t i) {
        return std::uint64_t{static_cast<unsigned char>(p[i])};
      };
      h ^= fold((byte(0) << 16 | byte(n / 2) << 8 | byte(n - 1)) ^ kMix1, kMix2);
    }
    return static_cast<std::size_t>(fold(h ^ kMix3, kMix4));
  }
};

struct StringEqual {
  bool operator()(std::string_view a, std::string_view b) const noexcept {
    return a == b;
  }
};

}  // namespace folio::internal
