// read_ahead(p): a hint to bring the cache line at p in from memory, which
// the optimizer keeps. GCC may delete a __builtin_prefetch whose loop has
// no other effect: prefetch_inserts() walks each bucket's chain only to
// prefetch the rows in it, and with 32-bit links (pool.h) GCC 12 at -O2
// removed the whole walk, prefetches and all (found by a snapshot load
// twice as slow, its inserts waiting on every bucket). GCC does not delete
// an asm statement marked volatile as dead code.
#pragma once

#include <type_traits>

namespace folio::internal {

[[gnu::always_inline]] inline void read_ahead(const void* p) noexcept {
#if defined(__x86_64__) || defined(__i386__)
  asm volatile("prefetcht0 %0" : : "m"(*static_cast<const char*>(p)));
#else
  __builtin_prefetch(p);
  asm volatile("" : : "r"(p) : "memory");
#endif
}

// The address a link holds: a raw pointer or a pool's CompactPtr (both
// null when the link is).
template <class P>
[[gnu::always_inline]] inline auto* address_of(const P& link) noexcept {
  if constexpr (std::is_pointer_v<P>) {
    return link;
  } else {
    return link.get();
  }
}

}  // namespace folio::internal
