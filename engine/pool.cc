// NodeArena: chunks from the system, carved into equal blocks per size.
#include "folio/internal/pool.h"

#include <sys/mman.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <iterator>
#include <map>
#include <cstdint>
#include <mutex>
#include <utility>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
// Blocks on the free list, the unused rest of a chunk, the spans given back
// to the region (a freed bucket array) and the kept mappings are poisoned,
// so that AddressSanitizer reports a read of a deleted row or of a bucket
// array left by a rehash as it would for memory from malloc.
#define FOLIO_POISON(p, n) ASAN_POISON_MEMORY_REGION(p, n)
#define FOLIO_UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION(p, n)
#else
#define FOLIO_POISON(p, n) ((void)(p), (void)(n))
#define FOLIO_UNPOISON(p, n) ((void)(p), (void)(n))
#endif

namespace folio::internal {

char* region_base = nullptr;
std::size_t region_bytes = 0;

namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;
// The first chunk of a size holds a few nodes, so that the many small tables
// of a program (and of a test suite) stay small; each next chunk doubles, up
// to one huge page.
constexpr std::size_t kFirstChunk = 4096;

std::size_t round_up(std::size_t n, std::size_t to) { return (n + to - 1) / to * to; }

// The region (pool.h): reserved once as address space only (PROT_NONE, not
// charged against the system's commit limit even under strict overcommit);
// a span is made writable when taken, and a span of 2 MiB or more goes back
// to the system (and to PROT_NONE) when given back. Spans are handed out
// first fit from a map of the free ones, merged again when given back.
// 16 GiB is what 32-bit links in 4-byte units reach; a process whose
// address space is limited gets the largest half of it that fits. The
// first page stays out of the free map (offset 0 is null, and a null link
// followed faults), and so does the last (one past the end of an array
// must stay below 16 GiB, or it would read as null).
class RegionSpace {
 public:
  static constexpr std::size_t kMaxBytes = (std::size_t{1} << 32) * Region::kUnit;

  // Never allocates but to split a span in three (an aligned take from the
  // middle of one), so that memory running out elsewhere (operator new
  // failing) cannot cost the region a span: a span keeps its map node,
  // re-keyed, as it shrinks or grows.
  void* take(std::size_t bytes, std::size_t align) noexcept {
    std::lock_guard<std::mutex> lock(mu_);
    if (base_ == nullptr && !reserve()) return nullptr;
    for (auto it = free_.begin(); it != free_.end(); ++it) {
      const std::size_t start = it->first;
      const std::size_t end = start + it->second;
      const std::size_t at = round_up(start, align);
      if (at > end || end - at < bytes) continue;
      if (mprotect(base_ + at, bytes, PROT_READ | PROT_WRITE) != 0) return nullptr;
      if (at == start) {
        // The span's front: what is left of it keeps the node.
        auto node = free_.extract(it);
        if (end > at + bytes) {
          node.key() = at + bytes;
          node.mapped() = end - at - bytes;
          free_.insert(std::move(node));
        }
      } else {
        if (end > at + bytes) {
          try {
            free_.emplace(at + bytes, end - at - bytes);
          } catch (const std::bad_alloc&) {
            mprotect(base_ + at, bytes, PROT_NONE);
            return nullptr;
          }
        }
        it->second = at - start;
      }
      FOLIO_UNPOISON(base_ + at, bytes);
      return base_ + at;
    }
    return nullptr;
  }

  // Merges the span with its free neighbours. Allocates only for a span
  // with none; if that fails the span is lost to the region (its pages,
  // when 2 MiB or more, still go back to the system).
  void give(void* p, std::size_t bytes) noexcept {
    // A span of 2 MiB or more goes back to the system and loses its
    // access; a smaller one keeps its pages, which a stray read would still
    // find, so it is poisoned.
    if (bytes >= kHugePage) {
      madvise(p, bytes, MADV_DONTNEED);
      mprotect(p, bytes, PROT_NONE);
    } else {
      FOLIO_POISON(p, bytes);
    }
    std::lock_guard<std::mutex> lock(mu_);
    const auto at = static_cast<std::size_t>(static_cast<char*>(p) - base_);
    const auto next = free_.lower_bound(at);
    const bool joins_next = next != free_.end() && next->first == at + bytes;
    const auto prev = next == free_.begin() ? free_.end() : std::prev(next);
    const bool joins_prev = prev != free_.end() && prev->first + prev->second == at;
    if (joins_prev) {
      prev->second += bytes;
      if (joins_next) {
        prev->second += next->second;
        free_.erase(next);
      }
    } else if (joins_next) {
      auto node = free_.extract(next);
      node.key() = at;
      node.mapped() += bytes;
      free_.insert(std::move(node));
    } else {
      try {
        free_.emplace_hint(next, at, bytes);
      } catch (const std::bad_alloc&) {
      }
    }
  }

  std::size_t capacity() noexcept {
    std::lock_guard<std::mutex> lock(mu_);
    return size_;
  }

  bool contains(const void* p) noexcept {
    std::lock_guard<std::mutex> lock(mu_);
    const auto* byte = static_cast<const char*>(p);
    return base_ != nullptr && byte >= base_ && byte < base_ + size_;
  }

 private:
  bool reserve() noexcept {
    for (std::size_t bytes = kMaxBytes; bytes >= (std::size_t{256} << 20); bytes /= 2) {
      void* p = mmap(nullptr, bytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                     -1, 0);
      if (p == MAP_FAILED) continue;
      // Offsets count from a 2 MiB boundary, so that aligned offsets are
      // aligned addresses.
      const auto start = reinterpret_cast<std::uintptr_t>(p);
      const std::uintptr_t aligned = round_up(start, kHugePage);
      const std::size_t size = bytes - (aligned - start);
      try {
        free_.emplace(Region::kPage, size - 2 * Region::kPage);
      } catch (const std::bad_alloc&) {
        munmap(p, bytes);
        return false;
      }
      base_ = reinterpret_cast<char*>(aligned);
      size_ = size;
      region_base = base_;
      region_bytes = size_;
      return true;
    }
    return false;
  }

  std::mutex mu_;
  char* base_ = nullptr;
  std::size_t size_ = 0;
  std::map<std::size_t, std::size_t> free_;  // offset -> bytes
};

RegionSpace& region() {
  static RegionSpace* space = new RegionSpace();  // never destroyed, as
  return *space;                                  // mappings() below
}

// `bytes` (a multiple of 2 MiB) of the region, aligned to 2 MiB and
// advised for huge pages: the kernel backs each aligned 2 MiB with one page
// when it can. nullptr when the region is full.
void* map_huge(std::size_t bytes) {
  void* p = region().take(bytes, kHugePage);
  // Advice only: without it the memory still works, in small pages.
  if (p != nullptr) madvise(p, bytes, MADV_HUGEPAGE);
  return p;
}
void unmap(void* p, std::size_t bytes) { region().give(p, bytes); }

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
        FOLIO_UNPOISON(p, bytes);
        free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(i));
        cached_ -= bytes;
        in_use_ += bytes;
        ++mapped_;
        return p;
      }
    }
    void* p = map_huge(bytes);
    if (p == nullptr && !free_.empty()) {
      // The region is full, partly of kept mappings: they go first.
      for (auto [q, size] : free_) unmap(q, size);
      free_.clear();
      cached_ = 0;
      p = map_huge(bytes);
    }
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
        unmap(free_.front().first, free_.front().second);
        cached_ -= free_.front().second;
        free_.erase(free_.begin());
        --older;
      }
      if (cached_ + it->bytes <= in_use_ && free_.size() < free_.capacity()) {
        free_.emplace_back(it->base, it->bytes);
        cached_ += it->bytes;
        FOLIO_POISON(it->base, it->bytes);
      } else {
        unmap(it->base, it->bytes);
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
      unmap(p, bytes);
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

// A span of the region for pages of nodes or a small array; when the
// region is full, the kept mappings are given back to it first.
void* take_pages(std::size_t bytes) {
  void* p = region().take(bytes, Region::kPage);
  if (p == nullptr && mappings().release() > 0) p = region().take(bytes, Region::kPage);
  return p;
}

// The stand-ins (see Region::stand_in()): 64-byte slots of the region, one
// per thread that needs one, kept for the next thread when it ends.
class StandIns {
 public:
  static constexpr std::size_t kSlot = 64;

  // Sets aside the first page of slots, from a region just reserved.
  void set_aside() noexcept {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.empty()) add_page(region().take(Region::kPage, Region::kPage));
  }

  char* take() noexcept {
    std::lock_guard<std::mutex> lock(mu_);
    if (free_.empty()) add_page(take_pages(Region::kPage));
    if (free_.empty()) return nullptr;
    char* slot = free_.back();
    free_.pop_back();
    return slot;
  }
  void give(char* slot) noexcept {
    std::lock_guard<std::mutex> lock(mu_);
    try {
      free_.push_back(slot);
    } catch (const std::bad_alloc&) {
    }
  }

 private:
  // The slots of a page (nullptr: none), as many as free_ can take.
  void add_page(void* page) noexcept {
    if (page == nullptr) return;
    try {
      for (std::size_t at = 0; at < Region::kPage; at += kSlot) {
        free_.push_back(static_cast<char*>(page) + at);
      }
    } catch (const std::bad_alloc&) {
    }
  }

  std::mutex mu_;
  std::vector<char*> free_;
};

StandIns& stand_ins() {
  static StandIns* all = new StandIns();  // never destroyed: threads may
  return *all;                            // end after statics
}

// With the region's first spans: the slots of the first 64 threads that
// rehash, so that they never wait on the region having room. Called where
// the pools take memory, before any lock is held.
void set_aside_stand_ins() noexcept {
  static const bool done = (stand_ins().set_aside(), true);
  (void)done;
}

struct ThreadStandIn {
  char* slot = nullptr;
  ~ThreadStandIn() {
    if (slot != nullptr) stand_ins().give(slot);
  }
};
thread_local ThreadStandIn t_stand_in;

}  // namespace

char* Region::stand_in(const void* object, std::size_t bytes) noexcept {
  (void)object;
  if (bytes > StandIns::kSlot) {
    std::fputs("folio: a link to an object outside the region larger than a stand-in\n",
               stderr);
    std::abort();
  }
  if (t_stand_in.slot == nullptr) t_stand_in.slot = stand_ins().take();
  if (t_stand_in.slot == nullptr) {
    std::fputs("folio: the region is full, and a rehash on a new thread needs a stand-in\n",
               stderr);
    std::abort();
  }
  return t_stand_in.slot;
}

NodeArena::~NodeArena() {
  for (const Chunk& c : chunks_) {
    FOLIO_UNPOISON(c.base, c.bytes);
    if (!c.mapped) Region::give(c.base, c.bytes);
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
  set_aside_stand_ins();
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
    chunk = Chunk{take_pages(bytes), bytes, false};
    if (chunk.base == nullptr) throw std::bad_alloc();
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
  set_aside_stand_ins();
  void* p = mappings().take(round_up(bytes, kHugePage));
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void* NodeArena::allocate_array(std::size_t bytes) {
  set_aside_stand_ins();
  if (bytes >= kLargeArray) return allocate_large(bytes);
  void* p = take_pages(round_up(bytes, Region::kPage));
  if (p == nullptr) throw std::bad_alloc();
  return p;
}

void NodeArena::deallocate_array(void* p, std::size_t bytes) noexcept {
  if (bytes >= kLargeArray) {
    deallocate_large(p, bytes);
  } else {
    Region::give(p, round_up(bytes, Region::kPage));
  }
}

void* Region::take(std::size_t bytes, std::size_t align) noexcept {
  return region().take(bytes, align);
}
void Region::give(void* p, std::size_t bytes) noexcept { region().give(p, bytes); }
std::size_t Region::capacity() noexcept { return region().capacity(); }
bool Region::contains(const void* p) noexcept { return region().contains(p); }

void* NodeArena::allocate_buffer(std::size_t bytes) {
  bytes = round_up(bytes, kHugePage);
  if (void* p = mappings().take(bytes)) return p;
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  madvise(p, bytes, MADV_HUGEPAGE);
  return p;
}

void NodeArena::deallocate_buffer(void* p, std::size_t bytes) noexcept {
  if (Region::contains(p)) {
    deallocate_large(p, bytes);
  } else {
    munmap(p, round_up(bytes, kHugePage));
  }
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
