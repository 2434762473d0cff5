// NodeArena: chunks from the system, carved into equal blocks per size.
#include "folio/internal/pool.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdint>
#include <mutex>
#include <utility>

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

// Mappings given back by destroyed pools and freed bucket arrays, kept for
// the next ones instead of being unmapped. Memory the process already holds
// is ready to write; a fresh mapping is not: the kernel zeroes each page at
// its first touch, and on a virtual machine whose host takes back the
// guest's free memory, that first touch also waits for the host (about 2 s
// for the 1.2 GiB of a million authors on the development machine, against
// 0.13 s to write memory already held). malloc keeps freed memory in the
// same way. The cache never holds more than the mappings in use, and
// release_unused_memory() empties it.
class MappingCache {
 public:
  // A mapping of `bytes` (a multiple of 2 MiB), nullptr when the system has
  // none.
  void* take(std::size_t bytes) {
    std::lock_guard<std::mutex> lock(mu_);
    // Room to keep every mapping in use, so that give() never allocates;
    // without it a mapping is unmapped when given back.
    try {
      free_.reserve(free_.size() + mapped_ + 1);
    } catch (const std::bad_alloc&) {
    }
    // The newest of that size; free_ stays in the order it was given in.
    for (std::size_t i = free_.size(); i-- > 0;) {
      if (free_[i].second == bytes) {
        void* p = free_[i].first;
        free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(i));
        cached_ -= bytes;
        in_use_ += bytes;
        ++mapped_;
        return p;
      }
    }
    void* p = map_huge(bytes);
    if (p != nullptr) {
      in_use_ += bytes;
      ++mapped_;
      fresh_ += bytes;
    }
    return p;
  }

  std::size_t fresh() noexcept {
    std::lock_guard<std::mutex> lock(mu_);
    return fresh_;
  }

  // Gives back the mapped ones of the chunks `[first, last)` (each with
  // `base`, `bytes` and `mapped`) all at once: what is kept is measured
  // against what is still in use once they are all gone. When they do not
  // all fit, mappings cached before them go first (the oldest first), so
  // that the cache holds what was freed last: the memory of a dropped
  // database rather than, say, the buffer of a save long done, which would
  // leave the next load of that database to fault in fresh pages.
  template <class It>
  void give(It first, It last) noexcept {
    std::lock_guard<std::mutex> lock(mu_);
    for (It it = first; it != last; ++it) {
      if (!it->mapped) continue;
      in_use_ -= it->bytes;
      --mapped_;
    }
    std::size_t older = free_.size();  // free_[0, older) were cached before
    for (It it = first; it != last; ++it) {
      if (!it->mapped) continue;
      while (cached_ + it->bytes > in_use_ && older > 0) {
        munmap(free_.front().first, free_.front().second);
        cached_ -= free_.front().second;
        free_.erase(free_.begin());
        --older;
      }
      if (cached_ + it->bytes <= in_use_ && free_.size() < free_.capacity()) {
        free_.emplace_back(it->base, it->bytes);
        cached_ += it->bytes;
      } else {
        munmap(it->base, it->bytes);
      }
    }
  }

  std::size_t release() noexcept {
    std::vector<std::pair<void*, std::size_t>> out;
    {
      std::lock_guard<std::mutex> lock(mu_);
      out.swap(free_);
      cached_ = 0;
    }
    std::size_t released = 0;
    for (auto [p, bytes] : out) {
      munmap(p, bytes);
      released += bytes;
    }
    return released;
  }

 private:
  std::mutex mu_;
  std::vector<std::pair<void*, std::size_t>> free_;
  std::size_t cached_ = 0;  // bytes in free_
  std::size_t in_use_ = 0;  // bytes of the mappings taken and not given back
  std::size_t mapped_ = 0;  // how many those are
  std::size_t fresh_ = 0;   // bytes mapped from the system, ever
};

MappingCache& mappings() {
  static MappingCache* cache = new MappingCache();  // never destroyed: pools
  return *cache;                                    // may outlive statics
}

}  // namespace

NodeArena::~NodeArena() {
  for (const Chunk& c : chunks_) {
    FOLIO_UNPOISON(c.base, c.bytes);
    if (!c.mapped) ::operator delete(c.base);
  }
  mappings().give(chunks_.begin(), chunks_.end());
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
    chunk = Chunk{mappings().take(bytes), bytes, true};
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
  void* p = mappings().take(round_up(bytes, kHugePage));
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

std::size_t NodeArena::fresh_mapped_bytes() noexcept {
  return mappings().fresh();
}

void NodeArena::deallocate_large(void* p, std::size_t bytes) noexcept {
  const Chunk mapping{p, round_up(bytes, kHugePage), true};
  mappings().give(&mapping, &mapping + 1);
}

}  // namespace folio::internal

namespace folio {

std::size_t release_unused_memory() noexcept {
  return internal::mappings().release();
}

}  // namespace folio
