// NodeArena: chunks from the system, carved into equal blocks per size.
#include "folio/internal/pool.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
// Blocks on the free list and the unused rest of a chunk are poisoned, so
// that AddressSanitizer reports a read of a deleted row as it would for
// memory from malloc.
#define FOLIO_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define FOLIO_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define FOLIO_POISON(p, n) ((void)(p), (void)(n))
#define FOLIO_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace folio::internal {
namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;
// The first chunk of a size holds a few nodes, so that the many small tables
// of a program (and of a test suite) stay small; each next chunk doubles, up
// to one huge page.
constexpr std::size_t kFirstChunk = 4096;

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

// `bytes` (a multiple of 2 MiB) of fresh memory aligned to 2 MiB and
// advised for huge pages: the kernel backs each aligned 2 MiB with one page
// when it can. nullptr when the system has none.
void* map_huge(std::size_t bytes) {
  const std::size_t span = bytes + kHugePage;
  void* p = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
                 -1, 0);
  if (p == MAP_FAILED) return nullptr;
  const auto start = reinterpret_cast<std::uintptr_t>(p);
  const std::uintptr_t aligned = round_up(start, kHugePage);
  if (aligned > start) munmap(p, aligned - start);
  const std::uintptr_t tail = aligned + bytes;
  if (start + span > tail) munmap(reinterpret_cast<void*>(tail), start + span - tail);
  // Advice only: without it the memory still works, in small pages.
  madvise(reinterpret_cast<void*>(aligned), bytes, MADV_HUGEPAGE);
  return reinterpret_cast<void*>(aligned);
}

}  // namespace

NodeArena::~NodeArena() {
  for (const Chunk& c : chunks_) {
    FOLIO_UNPOISON(c.base, c.bytes);
    if (c.mapped) {
      munmap(c.base, c.bytes);
    } else {
      ::operator delete(c.base);
    }
  }
}

NodeArena::SizeClass& NodeArena::size_class(std::size_t size) {
  for (SizeClass& c : classes_) {
    if (c.size == size) return c;
  }
  SizeClass& c = classes_.emplace_back();
  c.size = size;
  return c;
}

void NodeArena::grow(SizeClass& c) {
  // Double what the pool holds so far: a table of a few rows takes a page,
  // one of millions takes huge pages.
  std::size_t bytes = std::clamp(reserved_, kFirstChunk, kHugePage);
  bytes = std::max(bytes, round_up(c.size, kFirstChunk));
  chunks_.reserve(chunks_.size() + 1);  // may throw: nothing taken yet
  Chunk chunk{nullptr, bytes, false};
  if (bytes >= kHugePage) {
    bytes = round_up(bytes, kHugePage);
    chunk = Chunk{map_huge(bytes), bytes, true};
  }
  if (chunk.base == nullptr) {
    // Plain operator new (16-byte aligned): a program that replaces it
    // sees the pool's allocations.
    chunk = Chunk{::operator new(bytes), bytes, false};
  }
  FOLIO_POISON(chunk.base, bytes);
  chunks_.push_back(chunk);
  reserved_ += bytes;
  // The rest of the previous chunk of this size is left unused: it is
  // smaller than one block.
  c.bump = static_cast<char*>(chunk.base);
  c.end = c.bump + bytes;
}

void* NodeArena::allocate(std::size_t size) {
  size = round_up(std::max(size, sizeof(FreeBlock)), alignof(FreeBlock));
  SizeClass& c = size_class(size);
  if (FreeBlock* b = c.free) {
    FOLIO_UNPOISON(b, size);
    c.free = b->next;
    return b;
  }
  if (static_cast<std::size_t>(c.end - c.bump) < size) grow(c);
  void* p = c.bump;
  c.bump += size;
  FOLIO_UNPOISON(p, size);
  return p;
}

void NodeArena::deallocate(void* p, std::size_t size) noexcept {
  size = round_up(std::max(size, sizeof(FreeBlock)), alignof(FreeBlock));
  for (SizeClass& c : classes_) {
    if (c.size == size) {
      auto* b = static_cast<FreeBlock*>(p);
      b->next = c.free;
      c.free = b;
      FOLIO_POISON(p, size);
      return;
    }
  }
}

void* NodeArena::allocate_large(std::size_t bytes) {
  void* p = map_huge(round_up(bytes, kHugePage));
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void NodeArena::deallocate_large(void* p, std::size_t bytes) noexcept {
  munmap(p, round_up(bytes, kHugePage));
}

}  // namespace folio::internal
