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
// Large arrays (the hashed indexes' buckets) get their own mapping, also
// advised for huge pages. Chunks of 2 MiB and more and large arrays, once
// freed, are kept by the process for the next tables (no more bytes than
// the tables alive use), and folio::release_unused_memory() gives them back
// to the system.
//
// Thread safety: a pool is used by one container, under the database's own
// rule (one writer, readers never allocate). A container moved from shares
// the pool of the one it moved to until it is destroyed: do not write to
// both from two threads.
#pragma once

#include <cstddef>
#include <memory>
#include <new>
#include <type_traits>
#include <vector>

namespace folio::internal {

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
// pools keep (see NodeArena::allocate_large) when large, so that writing
// them touches memory the process already holds, from operator new
// otherwise. Throws std::bad_alloc.
class ByteBuffer {
 public:
  ByteBuffer() noexcept : data_(nullptr, Free{0}) {}
  explicit ByteBuffer(std::size_t size)
      : data_(size >= NodeArena::kLargeArray
                  ? static_cast<unsigned char*>(NodeArena::allocate_large(size))
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
        NodeArena::deallocate_large(p, size);
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
// operator new or a mapping of their own. Copies, rebinds and moves share
// one pool; a default-constructed allocator creates its pool at its first
// allocation, so an empty table costs no chunk.
template <class T>
class NodeAllocator {
 public:
  using value_type = T;
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

  T* allocate(std::size_t n) {
    static_assert(alignof(T) <= alignof(std::max_align_t),
                  "NodeArena aligns blocks for ordinary types only");
    if (n == 1) {
      if (!arena_) arena_ = std::make_shared<NodeArena>();
      return static_cast<T*>(arena_->allocate(sizeof(T)));
    }
    if (n > static_cast<std::size_t>(-1) / sizeof(T)) throw std::bad_array_new_length();
    if (n * sizeof(T) >= NodeArena::kLargeArray) {
      return static_cast<T*>(NodeArena::allocate_large(n * sizeof(T)));
    }
    return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t{alignof(T)}));
  }
  void deallocate(T* p, std::size_t n) noexcept {
    if (n == 1) {
      arena_->deallocate(p, sizeof(T));
    } else if (n * sizeof(T) >= NodeArena::kLargeArray) {
      NodeArena::deallocate_large(p, n * sizeof(T));
    } else {
      ::operator delete(p, std::align_val_t{alignof(T)});
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
