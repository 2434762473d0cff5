// The node allocator of folio's tables. Boost.MultiIndex allocates one node
// per row (the row and its links in every index); the pool carves those
// nodes out of large chunks instead of asking malloc for each one:
//
//   - no per-node malloc header or size-class rounding (8 to 16 bytes a row);
//   - a table's rows sit side by side, in 2 MiB chunks the kernel is asked to
//     back with transparent huge pages (madvise), so that a lookup's random
//     walk through millions of nodes misses the TLB far less often;
//   - freeing a node is pushing it on a free list, reused first.
//
// Memory leaves the table when the table is destroyed, not when rows are
// deleted (a table that shrinks keeps its chunks for the rows to come).
// Large arrays (the hashed indexes' buckets) get their own span of whole
// huge pages, also advised. Chunks of 2 MiB and more and large arrays, once
// freed, are kept by the process for the next tables (no more bytes than
// the tables alive use), and folio::release_unused_memory() gives them back
// to the system.
//
// The links between nodes are 32 bits wide, not 64 (CompactPtr below):
// every node, bucket array and kept mapping of the pools lives in one
// region of the process's address space, reserved once (16 GiB, less when
// the process's address space is limited), and a link is a node's distance
// from the region's start in 4-byte units. A book's node is 104 bytes
// instead of 136 and a bucket slot 4 bytes instead of 8. The price: the
// rows of all the folio tables of a process fit in that region; past it an
// insert throws std::bad_alloc (and changes nothing, as for any failed
// insert).
//
// Thread safety: a pool is used by one container, under the database's own
// rule (one writer, readers never allocate). A container moved from shares
// the pool of the one it moved to until it is destroyed: do not write to
// both from two threads.
#pragma once

#include <cassert>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

namespace folio::internal {

// The region all pools allocate from (see the top of this file): its start,
// set once by the first allocation and never moved, and how to take and
// give back page-aligned spans of it.
extern char* region_base;
extern std::size_t region_bytes;  // the region's size, 0 before it exists
class Region {
 public:
  static constexpr std::size_t kUnit = 4;  // a CompactPtr counts 4-byte units
  static constexpr std::size_t kPage = 4096;
  // `bytes` (a multiple of kPage) aligned to `align` (kPage or a multiple),
  // or nullptr when the region is full.
  static void* take(std::size_t bytes, std::size_t align) noexcept;
  // Gives back take(bytes, ...); its pages go back to the system when it is
  // 2 MiB or more.
  static void give(void* p, std::size_t bytes) noexcept;
  // The region's size (0 until the first take()).
  static std::size_t capacity() noexcept;
  // Whether p points into the region.
  static bool contains(const void* p) noexcept;
  // Where a link to `object`, `bytes` long and outside the region, points
  // instead: this thread's stand-in, a slot of the region. Boost.MultiIndex
  // links one object that is not a node of its allocator: the end of the
  // new bucket list while a hashed index rehashes, a local variable. It
  // reaches that object through its links only, so the stand-in serves
  // for it; the rehash relinks every node to the index's own end before it
  // returns. One thread rehashes one index at a time, so one stand-in a
  // thread suffices. The first 64 threads' stand-ins are set aside with
  // the region; a later thread's is taken from it, and when it is full
  // the process ends with a message (Boost gives no way to fail there).
  [[gnu::cold, gnu::noinline]] static char* stand_in(const void* object,
                                                     std::size_t bytes) noexcept;
};

// A pointer into the region in 32 bits: the distance from region_base in
// 4-byte units, 0 for null. Boost.MultiIndex takes it as the allocator's
// pointer type and stores it in every link and bucket slot. Following one
// is one add (x86: an addressing mode); making one from a raw pointer a
// subtraction and a compare (a pointer outside the region gets the
// thread's stand-in, see Region::stand_in()). The region's first page is
// never handed out nor writable: a null link followed faults.
template <class T>
class CompactPtr {
 public:
  using element_type = T;
  using value_type = std::remove_cv_t<T>;
  using difference_type = std::ptrdiff_t;
  using reference = std::add_lvalue_reference_t<T>;
  using pointer = CompactPtr;
  using iterator_category = std::random_access_iterator_tag;
  template <class U>
  using rebind = CompactPtr<U>;

  CompactPtr() noexcept = default;
  CompactPtr(std::nullptr_t) noexcept {}
  // Boost writes null as pointer(0).
  explicit CompactPtr(int null) noexcept {
    assert(null == 0);
    (void)null;
  }
  // From a raw pointer into the region (or null).
  template <class U>
    requires requires(U* u) { static_cast<T*>(u); }
  explicit CompactPtr(U* p) noexcept : at_(encode(static_cast<T*>(p))) {}
  // Between pointer types, through the raw pointers: a base class may sit
  // at an offset in its derived class.
  template <class U>
    requires std::is_convertible_v<U*, T*>
  CompactPtr(const CompactPtr<U>& p) noexcept : at_(encode(static_cast<T*>(p.get()))) {}
  template <class U>
    requires(!std::is_convertible_v<U*, T*> &&
             requires(U* u) { static_cast<T*>(u); })
  explicit CompactPtr(const CompactPtr<U>& p) noexcept
      : at_(encode(static_cast<T*>(p.get()))) {}

  template <class U = T>
    requires(!std::is_void_v<U>)
  static CompactPtr pointer_to(U& r) noexcept {
    return CompactPtr(std::addressof(r));
  }

  T* get() const noexcept { return at_ == 0 ? nullptr : raw(); }
  reference operator*() const noexcept
    requires(!std::is_void_v<T>)
  {
    return *raw();
  }
  T* operator->() const noexcept { return raw(); }
  reference operator[](difference_type n) const noexcept
    requires(!std::is_void_v<T>)
  {
    return raw()[n];
  }
  explicit operator bool() const noexcept { return at_ != 0; }

  CompactPtr& operator+=(difference_type n) noexcept {
    at_ = static_cast<std::uint32_t>(at_ + n * kStep);
    return *this;
  }
  CompactPtr& operator-=(difference_type n) noexcept { return *this += -n; }
  CompactPtr& operator++() noexcept { return *this += 1; }
  CompactPtr& operator--() noexcept { return *this -= 1; }
  CompactPtr operator++(int) noexcept {
    CompactPtr old = *this;
    ++*this;
    return old;
  }
  CompactPtr operator--(int) noexcept {
    CompactPtr old = *this;
    --*this;
    return old;
  }
  friend CompactPtr operator+(CompactPtr p, difference_type n) noexcept { return p += n; }
  friend CompactPtr operator+(difference_type n, CompactPtr p) noexcept { return p += n; }
  friend CompactPtr operator-(CompactPtr p, difference_type n) noexcept { return p -= n; }
  friend difference_type operator-(CompactPtr a, CompactPtr b) noexcept {
    return (static_cast<difference_type>(a.at_) - static_cast<difference_type>(b.at_)) /
           kStep;
  }
  friend bool operator==(CompactPtr a, CompactPtr b) noexcept { return a.at_ == b.at_; }
  friend auto operator<=>(CompactPtr a, CompactPtr b) noexcept { return a.at_ <=> b.at_; }
  friend bool operator==(CompactPtr a, std::nullptr_t) noexcept { return a.at_ == 0; }

 private:
  template <class U>
  friend class CompactPtr;
  // Units a step of pointer arithmetic moves (for T an object type).
  static constexpr difference_type kStep = [] {
    if constexpr (std::is_void_v<T>) {
      return difference_type{1};
    } else {
      static_assert(sizeof(T) % Region::kUnit == 0);
      return static_cast<difference_type>(sizeof(T) / Region::kUnit);
    }
  }();

  static std::uint32_t encode(T* p) noexcept {
    if (p == nullptr) return 0;
    // Below the region the difference wraps to a large number.
    const auto offset =
        static_cast<std::size_t>(reinterpret_cast<const char*>(p) - region_base);
    if (offset >= region_bytes) [[unlikely]] {
      constexpr std::size_t kBytes = [] {
        if constexpr (std::is_void_v<T>) {
          return std::size_t{1};
        } else {
          return sizeof(T);
        }
      }();
      return static_cast<std::uint32_t>(
          (Region::stand_in(p, kBytes) - region_base) / Region::kUnit);
    }
    assert(offset % Region::kUnit == 0);
    return static_cast<std::uint32_t>(offset / Region::kUnit);
  }
  T* raw() const noexcept {
    return reinterpret_cast<T*>(region_base + std::size_t{at_} * Region::kUnit);
  }

  std::uint32_t at_ = 0;
};

class NodeArena {
 public:
  NodeArena() = default;
  NodeArena(const NodeArena&) = delete;
  NodeArena& operator=(const NodeArena&) = delete;
  ~NodeArena();

  // A block of `size` bytes, aligned for any node (8 bytes). Throws
  // std::bad_alloc.
  void* allocate(std::size_t size);
  // Returns a block of allocate(size) to the pool.
  void deallocate(void* p, std::size_t size) noexcept;

  // Bytes the pool holds from the system (chunks, whether in use or not).
  std::size_t reserved_bytes() const noexcept { return reserved_; }

  // Arrays of this many bytes or more are mapped on their own.
  static constexpr std::size_t kLargeArray = std::size_t{1} << 20;
  static void* allocate_large(std::size_t bytes);
  static void deallocate_large(void* p, std::size_t bytes) noexcept;
  // Any array (a bucket array): allocate_large() from kLargeArray bytes,
  // whole pages of the region below that. Throws std::bad_alloc.
  static void* allocate_array(std::size_t bytes);
  static void deallocate_array(void* p, std::size_t bytes) noexcept;
  // A large transient buffer (ByteBuffer): allocate_large(), or, when the
  // region is full, a mapping of its own outside it (a buffer holds no
  // links), so that a database near the region's bound can still be saved.
  // Throws std::bad_alloc.
  static void* allocate_buffer(std::size_t bytes);
  static void deallocate_buffer(void* p, std::size_t bytes) noexcept;
  // Bytes the process mapped from the system so far for chunks and large
  // arrays, not counting those reused from the kept mappings (diagnostics).
  static std::size_t fresh_mapped_bytes() noexcept;

 private:
  struct FreeBlock {
    FreeBlock* next;
  };
  // The blocks of one size: a free list, then the rest of the last chunk.
  struct SizeClass {
    std::size_t size = 0;
    FreeBlock* free = nullptr;
    char* bump = nullptr;
    char* end = nullptr;
  };
  struct Chunk {
    void* base;
    std::size_t bytes;
    bool mapped;
  };

  SizeClass& size_class(std::size_t size);
  void grow(SizeClass& c);

  std::vector<SizeClass> classes_;  // one or two: nodes come in one size
  std::vector<Chunk> chunks_;
  std::size_t reserved_ = 0;
};

// Bytes not initialized when allocated, for large transient buffers (a
// snapshot's encoded body, a snapshot file read in): from the mappings the
// pools keep (see NodeArena::allocate_buffer) when large, so that writing
// them touches memory the process already holds, from operator new
// otherwise. Throws std::bad_alloc.
class ByteBuffer {
 public:
  ByteBuffer() noexcept : data_(nullptr, Free{0}) {}
  explicit ByteBuffer(std::size_t size)
      : data_(size >= NodeArena::kLargeArray
                  ? static_cast<unsigned char*>(NodeArena::allocate_buffer(size))
                  : new unsigned char[size],
              Free{size}),
        size_(size) {}
  unsigned char* data() noexcept { return data_.get(); }
  const unsigned char* data() const noexcept { return data_.get(); }
  std::size_t size() const noexcept { return size_; }

 private:
  struct Free {
    std::size_t size;
    void operator()(unsigned char* p) const noexcept {
      if (size >= NodeArena::kLargeArray) {
        NodeArena::deallocate_buffer(p, size);
      } else {
        delete[] p;
      }
    }
  };
  std::unique_ptr<unsigned char[], Free> data_;
  std::size_t size_ = 0;
};

// A standard allocator over a NodeArena, for multi_index_container: single
// objects (the nodes) come from the pool, arrays (bucket arrays) from
// pages of the region or a mapping of their own; pointers are CompactPtr. Copies, rebinds and moves share
// one pool; a default-constructed allocator creates its pool at its first
// allocation, so an empty table costs no chunk.
template <class T>
class NodeAllocator {
 public:
  using value_type = T;
  using pointer = CompactPtr<T>;
  using const_pointer = CompactPtr<const T>;
  using propagate_on_container_copy_assignment = std::false_type;
  using propagate_on_container_move_assignment = std::true_type;
  using propagate_on_container_swap = std::true_type;
  using is_always_equal = std::false_type;

  NodeAllocator() noexcept = default;
  template <class U>
  NodeAllocator(const NodeAllocator<U>& other) noexcept : arena_(other.arena_) {}
  // A move leaves the source sharing the pool: Boost.MultiIndex still frees
  // the moved-from container's header through it.
  NodeAllocator(const NodeAllocator&) noexcept = default;
  NodeAllocator(NodeAllocator&& other) noexcept : arena_(other.arena_) {}
  NodeAllocator& operator=(const NodeAllocator&) noexcept = default;
  NodeAllocator& operator=(NodeAllocator&& other) noexcept {
    arena_ = other.arena_;
    return *this;
  }

  // A copied container gets a pool of its own.
  NodeAllocator select_on_container_copy_construction() const noexcept {
    return NodeAllocator();
  }

  pointer allocate(std::size_t n) {
    static_assert(alignof(T) <= alignof(std::max_align_t),
                  "NodeArena aligns blocks for ordinary types only");
    if (n == 1) {
      if (!arena_) arena_ = std::make_shared<NodeArena>();
      return pointer(static_cast<T*>(arena_->allocate(sizeof(T))));
    }
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    return pointer(static_cast<T*>(NodeArena::allocate_array(n * sizeof(T))));
  }
  void deallocate(pointer p, std::size_t n) noexcept {
    if (n == 1) {
      arena_->deallocate(p.get(), sizeof(T));
    } else {
      NodeArena::deallocate_array(p.get(), n * sizeof(T));
    }
  }

  // The pool's footprint (0 before the first node).
  std::size_t reserved_bytes() const noexcept {
    return arena_ ? arena_->reserved_bytes() : 0;
  }

  template <class U>
  friend bool operator==(const NodeAllocator& a, const NodeAllocator<U>& b) noexcept {
    return a.arena_ == b.arena_;
  }

 private:
  template <class U>
  friend class NodeAllocator;
  std::shared_ptr<NodeArena> arena_;
};

}  // namespace folio::internal
