// The tables' node pool (internal/pool.h): blocks never overlap, freed
// blocks are reused, containers copied, moved and swapped keep their rows.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <new>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <boost/multi_index/hashed_index.hpp>
#include <boost/multi_index/member.hpp>
#include <boost/multi_index/ordered_index.hpp>
#include <boost/multi_index_container.hpp>

#include "folio/database.h"
#include "folio/internal/pool.h"
#include "folio/models.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#endif

using folio::internal::NodeAllocator;
using folio::internal::NodeArena;

namespace {

// Fills a block with a byte pattern of its own, and checks it is intact.
void fill(void* p, std::size_t size, unsigned char tag) { std::memset(p, tag, size); }
bool intact(const void* p, std::size_t size, unsigned char tag) {
  const auto* b = static_cast<const unsigned char*>(p);
  return std::all_of(b, b + size, [&](unsigned char c) { return c == tag; });
}

}  // namespace

TEST_CASE("pool blocks of two sizes never overlap and keep their bytes", "[pool]") {
  NodeArena arena;
  struct Block {
    void* p;
    std::size_t size;
    unsigned char tag;
  };
  std::vector<Block> blocks;
  for (int i = 0; i < 20000; ++i) {
    const std::size_t size = i % 3 == 0 ? 24 : 136;
    void* p = arena.allocate(size);
    CHECK(reinterpret_cast<std::uintptr_t>(p) % 8 == 0);
    const auto tag = static_cast<unsigned char>(i);
    fill(p, size, tag);
    blocks.push_back({p, size, tag});
  }
  // No two blocks share a byte.
  std::vector<std::pair<std::uintptr_t, std::uintptr_t>> spans;
  for (const Block& b : blocks) {
    const auto at = reinterpret_cast<std::uintptr_t>(b.p);
    spans.emplace_back(at, at + b.size);
  }
  std::sort(spans.begin(), spans.end());
  for (std::size_t i = 1; i < spans.size(); ++i) {
    REQUIRE(spans[i - 1].second <= spans[i].first);
  }
  for (const Block& b : blocks) REQUIRE(intact(b.p, b.size, b.tag));
  // 20000 blocks, mostly of 136 bytes: chunks grew past one huge page.
  CHECK(arena.reserved_bytes() >= (20000 / 3) * 24 + (2 * 20000 / 3) * 136);
  CHECK(arena.reserved_bytes() < 3 * ((20000 / 3) * 24 + (2 * 20000 / 3) * 136) +
                                     (std::size_t{4} << 20));
}

TEST_CASE("freed pool blocks are reused before the pool grows", "[pool]") {
  NodeArena arena;
  std::vector<void*> blocks;
  for (int i = 0; i < 1000; ++i) blocks.push_back(arena.allocate(40));
  const std::size_t reserved = arena.reserved_bytes();
  std::set<void*> freed;
  for (std::size_t i = 0; i < blocks.size(); i += 2) {
    arena.deallocate(blocks[i], 40);
    freed.insert(blocks[i]);
  }
  std::set<void*> again;
  for (std::size_t i = 0; i < freed.size(); ++i) again.insert(arena.allocate(40));
  CHECK(again == freed);
  CHECK(arena.reserved_bytes() == reserved);
  // Blocks of another size come from chunks of their own.
  void* other = arena.allocate(64);
  CHECK(freed.count(other) == 0);
}

TEST_CASE("large arrays are mapped on their own and writable", "[pool]") {
  const std::size_t bytes = NodeArena::kLargeArray * 3 + 100;
  void* p = NodeArena::allocate_large(bytes);
  fill(p, bytes, 0xAB);
  CHECK(intact(p, bytes, 0xAB));
  NodeArena::deallocate_large(p, bytes);
}

namespace {

constexpr std::size_t kHugePage = std::size_t{2} << 20;

// `count` blocks of 136 bytes from `arena`, each filled with `tag`.
std::set<void*> fill_blocks(NodeArena& arena, int count, unsigned char tag) {
  std::set<void*> blocks;
  for (int i = 0; i < count; ++i) {
    void* p = arena.allocate(136);
    fill(p, 136, tag);
    blocks.insert(p);
  }
  return blocks;
}

std::size_t shared(const std::set<void*>& a, const std::set<void*>& b) {
  return static_cast<std::size_t>(
      std::count_if(a.begin(), a.end(), [&](void* p) { return b.count(p) > 0; }));
}

}  // namespace

TEST_CASE("a destroyed pool's chunks serve the next pool while others live", "[pool]") {
  folio::release_unused_memory();
  constexpr int kBlocks = 60000;  // about 8 MiB: chunks of 2 MiB, mapped
  NodeArena live;                 // the database that stays
  const auto live_blocks = fill_blocks(live, kBlocks, 0x11);

  std::set<void*> dropped_blocks;
  {
    NodeArena dropped;
    dropped_blocks = fill_blocks(dropped, kBlocks, 0x22);
  }
  // The next pool writes into the dropped pool's chunks (at least a whole
  // 2 MiB one), over old bytes, and the live pool's rows are untouched.
  NodeArena next;
  const auto next_blocks = fill_blocks(next, kBlocks, 0x33);
  CHECK(shared(next_blocks, dropped_blocks) >= kHugePage / 136);
  CHECK(shared(next_blocks, live_blocks) == 0);
  for (void* p : live_blocks) REQUIRE(intact(p, 136, 0x11));
  // Nothing is cached while `next` uses the same amount again.
  CHECK(folio::release_unused_memory() == 0);

  // Dropped again: kept (no more than what `live` uses), then given back.
  {
    NodeArena dropped;
    fill_blocks(dropped, kBlocks, 0x44);
  }
  const std::size_t released = folio::release_unused_memory();
  CHECK(released >= kHugePage);
  CHECK(released <= live.reserved_bytes());
  CHECK(folio::release_unused_memory() == 0);
}

TEST_CASE("with no pool alive, a destroyed pool's chunks go back at once", "[pool]") {
  folio::release_unused_memory();
  {
    NodeArena only;
    fill_blocks(only, 60000, 0x55);
  }
  CHECK(folio::release_unused_memory() == 0);
}

TEST_CASE("a freed large array is reused for the next of its size", "[pool]") {
  folio::release_unused_memory();
  NodeArena live;
  fill_blocks(live, 60000, 0x66);
  const std::size_t bytes = NodeArena::kLargeArray * 3 + 100;
  void* first = NodeArena::allocate_large(bytes);
  fill(first, bytes, 0x77);
  NodeArena::deallocate_large(first, bytes);
  void* second = NodeArena::allocate_large(bytes);
  CHECK(second == first);
  fill(second, bytes, 0x88);
  CHECK(intact(second, bytes, 0x88));
  NodeArena::deallocate_large(second, bytes);
  CHECK(folio::release_unused_memory() >= bytes);
}

namespace {

namespace bmi = boost::multi_index;
struct Row {
  int id;
  std::string name;
};
using Rows = bmi::multi_index_container<
    Row,
    bmi::indexed_by<bmi::hashed_unique<bmi::member<Row, int, &Row::id>>,
                    bmi::ordered_non_unique<bmi::member<Row, std::string, &Row::name>>>,
    NodeAllocator<Row>>;

Rows make_rows(int from, int to) {
  Rows rows;
  for (int i = from; i < to; ++i) rows.insert(Row{i, "name " + std::to_string(i % 97)});
  return rows;
}
bool holds(const Rows& rows, int from, int to) {
  if (rows.size() != static_cast<std::size_t>(to - from)) return false;
  for (int i = from; i < to; ++i) {
    auto it = rows.find(i);
    if (it == rows.end() || it->name != "name " + std::to_string(i % 97)) return false;
  }
  return true;
}

}  // namespace

TEST_CASE("a container on the pool erases, copies, moves and swaps", "[pool]") {
  // Enough rows for several chunks; few enough for Debug's invariant checks.
  constexpr int kRows = 3000;
  Rows rows = make_rows(0, kRows);
  CHECK(holds(rows, 0, kRows));
  CHECK(rows.get_allocator().reserved_bytes() > 0);
  for (int i = 0; i < kRows; i += 2) rows.erase(i);
  for (int i = 0; i < kRows; i += 2) rows.insert(Row{i, "name " + std::to_string(i % 97)});
  CHECK(holds(rows, 0, kRows));

  // A copy has a pool of its own.
  Rows copy(rows);
  CHECK(!(copy.get_allocator() == rows.get_allocator()));
  CHECK(holds(copy, 0, kRows));

  // A container moved from stays usable and is destroyed cleanly.
  Rows moved(std::move(copy));
  CHECK(holds(moved, 0, kRows));
  copy.insert(Row{7, "name 7"});
  CHECK(copy.size() == 1);

  Rows other = make_rows(100, 200);
  moved.swap(other);
  CHECK(holds(moved, 100, 200));
  CHECK(holds(other, 0, kRows));
  other = std::move(moved);
  CHECK(holds(other, 100, 200));
  other.clear();
  CHECK(other.empty());
}

TEST_CASE("a dropped pool's chunks displace older cached mappings when the cache is full",
          "[pool]") {
  // The cache holds no more than what is in use. A large array freed long
  // ago (a save's buffer, say) must not keep a dropped database's chunks out
  // of it: the oldest mappings go first.
  folio::release_unused_memory();
  constexpr int kBlocks = 240000;  // about 32 MiB: 15 chunks of 2 MiB
  NodeArena live;
  fill_blocks(live, kBlocks, 0x11);
  const std::size_t old_bytes = 8 * kHugePage;
  void* old_array = NodeArena::allocate_large(old_bytes);
  NodeArena::deallocate_large(old_array, old_bytes);  // cached: 16 MiB
  {
    NodeArena dropped;  // as large as `live`: the cache cannot hold both
    fill_blocks(dropped, kBlocks, 0x22);
  }
  // All of `dropped`'s mapped chunks come back to `next`: it maps nothing
  // fresh. (Keeping the old array instead, half of them would have been
  // unmapped, and `next` would map fresh ones, at addresses that may well
  // be the same.)
  const std::size_t fresh = NodeArena::fresh_mapped_bytes();
  NodeArena next;
  fill_blocks(next, kBlocks, 0x33);
  CHECK(NodeArena::fresh_mapped_bytes() == fresh);
  CHECK(folio::release_unused_memory() <= live.reserved_bytes());
}

// ---- The region and its 32-bit links (CompactPtr) ----

namespace {

using folio::internal::CompactPtr;
using folio::internal::Region;

struct First {
  std::int64_t a = 1;
};
struct Second {
  std::int64_t b = 2;
};
// Second sits 8 bytes into Both: a conversion must move the address.
struct Both : First, Second {
  std::int32_t c = 3;
  std::int32_t d = 4;
};

}  // namespace

TEST_CASE("a link is 4 bytes, and a book's node 40 bytes of links over its row", "[pool]") {
  STATIC_REQUIRE(sizeof(CompactPtr<int>) == 4);
  // Three hashed indexes (two links each) and one ordered (three links and
  // its colour, padded to 16 bytes).
  using BookNode = folio::Table<folio::Book>::Container::final_node_type;
  STATIC_REQUIRE(sizeof(BookNode) == sizeof(folio::Book) + 3 * 8 + 16);
  using AuthorNode = folio::Table<folio::Author>::Container::final_node_type;
  STATIC_REQUIRE(sizeof(AuthorNode) == sizeof(folio::Author) + 2 * 8);
}

TEST_CASE("a compact pointer gives back the address it was made from", "[pool]") {
  NodeArena arena;
  auto* both = new (arena.allocate(sizeof(Both))) Both();
  const CompactPtr<Both> p(both);
  CHECK(Region::contains(both));
  const int local = 0;
  CHECK(!Region::contains(&local));
  CHECK(p.get() == both);
  CHECK(&*p == both);
  CHECK(p->c == 3);
  CHECK(static_cast<bool>(p));

  // To a base class at an offset, implicitly, and back explicitly.
  const CompactPtr<Second> second = p;
  CHECK(second.get() == static_cast<Second*>(both));
  CHECK(second->b == 2);
  CHECK(static_cast<CompactPtr<Both>>(second) == p);
  const CompactPtr<void> untyped = p;
  CHECK(static_cast<CompactPtr<Both>>(untyped) == p);
  CHECK(CompactPtr<Both>::pointer_to(*both) == p);

  // Null in every spelling, and never equal to a row.
  const CompactPtr<Both> null;
  CHECK(null.get() == nullptr);
  CHECK(null == nullptr);
  CHECK(null == CompactPtr<Both>(0));
  CHECK(CompactPtr<Both>(static_cast<Both*>(nullptr)) == null);
  CHECK(!static_cast<bool>(null));
  CHECK(p != null);
  arena.deallocate(both, sizeof(Both));
}

TEST_CASE("compact pointers into an array step, index and subtract by elements", "[pool]") {
  // A bucket array: 4-byte slots, below and above the size that gets a
  // mapping of its own.
  for (std::size_t n : {std::size_t{53}, NodeArena::kLargeArray / 4 + 7}) {
    NodeAllocator<std::uint32_t> alloc;
    const CompactPtr<std::uint32_t> array = alloc.allocate(n);
    for (std::size_t i = 0; i < n; ++i) array[static_cast<std::ptrdiff_t>(i)] = static_cast<std::uint32_t>(i);
    CompactPtr<std::uint32_t> it = array;
    it += 10;
    CHECK(*it == 10);
    CHECK(*++it == 11);
    CHECK(*it-- == 11);
    CHECK(it - array == 10);
    CHECK(array + 10 == it);
    CHECK(array < it);
    CHECK(*(array + static_cast<std::ptrdiff_t>(n) - 1) == n - 1);
    CHECK((array + static_cast<std::ptrdiff_t>(n)).get() == array.get() + n);
    alloc.deallocate(array, n);
  }
}

TEST_CASE("the region hands out each span once and merges spans given back", "[pool]") {
  constexpr std::size_t kPage = Region::kPage;
  void* a = Region::take(kPage, kPage);
  void* b = Region::take(3 * kPage, kPage);
  void* c = Region::take(kPage, kPage);
  REQUIRE(a != nullptr);
  REQUIRE(b != nullptr);
  REQUIRE(c != nullptr);
  CHECK(Region::capacity() > 0);
  CHECK(Region::capacity() <= (std::size_t{16} << 30));
  fill(a, kPage, 0x1);
  fill(b, 3 * kPage, 0x2);
  fill(c, kPage, 0x3);
  CHECK(intact(a, kPage, 0x1));
  CHECK(intact(b, 3 * kPage, 0x2));
  CHECK(intact(c, kPage, 0x3));
  const auto at = [](void* p) { return reinterpret_cast<std::uintptr_t>(p); };
  // No two spans share a byte.
  std::vector<std::pair<std::uintptr_t, std::uintptr_t>> spans = {
      {at(a), at(a) + kPage}, {at(b), at(b) + 3 * kPage}, {at(c), at(c) + kPage}};
  std::sort(spans.begin(), spans.end());
  CHECK(spans[0].second <= spans[1].first);
  CHECK(spans[1].second <= spans[2].first);

  // A span of 2 MiB aligned to 2 MiB (huge pages).
  void* huge = Region::take(kHugePage, kHugePage);
  REQUIRE(huge != nullptr);
  CHECK(at(huge) % kHugePage == 0);
  Region::give(huge, kHugePage);

  // More than the region holds: refused, not crashed.
  CHECK(Region::take(std::size_t{64} << 30, kPage) == nullptr);
  CHECK_THROWS_AS(NodeArena::allocate_large(std::size_t{64} << 30), std::bad_alloc);
  NodeAllocator<std::uint64_t> alloc;
  CHECK_THROWS_AS(alloc.allocate((std::size_t{64} << 30) / 8), std::bad_alloc);

  Region::give(b, 3 * kPage);
  if (at(a) + kPage == at(b)) {
    // b's span merges with a's when a comes back: a span of four pages
    // fits where they were (first fit, unless an earlier gap fits it).
    Region::give(a, kPage);
    void* merged = Region::take(4 * kPage, kPage);
    CHECK(at(merged) <= at(a));
    Region::give(merged, 4 * kPage);
  } else {
    Region::give(a, kPage);
  }
  Region::give(c, kPage);
}

#if defined(__SANITIZE_ADDRESS__)
// A small bucket array freed (a rehash's old one) keeps its pages, so only
// AddressSanitizer can tell a read of it; a kept mapping likewise.
TEST_CASE("freed bucket arrays and kept mappings are poisoned until taken again",
          "[pool][asan]") {
  const std::size_t small = 3 * Region::kPage + 100;
  auto* array = static_cast<char*>(NodeArena::allocate_array(small));
  std::memset(array, 0x5a, small);
  CHECK(__asan_region_is_poisoned(array, small) == nullptr);
  NodeArena::deallocate_array(array, small);
  CHECK(__asan_address_is_poisoned(array));
  CHECK(__asan_address_is_poisoned(array + small - 1));
  auto* again = static_cast<char*>(NodeArena::allocate_array(small));
  CHECK(__asan_region_is_poisoned(again, small) == nullptr);
  NodeArena::deallocate_array(again, small);

  folio::release_unused_memory();
  NodeArena live;  // in use, so that the cache may keep a mapping
  for (int i = 0; i < 40000; ++i) std::memset(live.allocate(136), 0x11, 136);
  const std::size_t large = kHugePage;
  auto* mapping = static_cast<char*>(NodeArena::allocate_large(large));
  std::memset(mapping, 0x22, large);
  NodeArena::deallocate_large(mapping, large);
  auto* reused = static_cast<char*>(NodeArena::allocate_large(large));
  CHECK(reused == mapping);  // the kept one
  CHECK(__asan_region_is_poisoned(reused, large) == nullptr);
  NodeArena::deallocate_large(reused, large);
  CHECK(__asan_address_is_poisoned(reused));
}
#endif

TEST_CASE("a link to an object outside the region points to the thread's stand-in",
          "[pool][parallel]") {
  // Boost.MultiIndex links one such object: a hashed index's end node, a
  // local variable, while it rehashes.
  struct Node {
    CompactPtr<Node> next;
    std::uint32_t value = 0;
  };
  Node on_stack;
  const CompactPtr<Node> p(&on_stack);
  CHECK(Region::contains(p.get()));
  CHECK(p.get() != &on_stack);
  CHECK(CompactPtr<Node>(&on_stack) == p);
  p->value = 7;
  p->next = p;
  CHECK(p->next->value == 7);
  CHECK(on_stack.value == 0);  // reached through links only

  // Another thread has a stand-in of its own.
  CompactPtr<Node> other;
  std::thread([&] {
    Node local;
    other = CompactPtr<Node>(&local);
    other->value = 9;
  }).join();
  CHECK(other != p);
  CHECK(p->value == 7);
}

TEST_CASE("hashed indexes rehash on several threads at once and keep every row",
          "[pool][parallel]") {
  // Each rehash links its stand-in; a stand-in shared between threads, or
  // a stack address taken for a link, would lose or corrupt rows.
  constexpr int kThreads = 4;
  // Five rehashes each; few enough rows for Debug's invariant checks.
  constexpr int kRows = 1500;
  std::vector<std::thread> threads;
  std::vector<int> ok(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t, &ok] {
      Rows rows;
      for (int id = t * kRows; id < (t + 1) * kRows; ++id) {
        rows.insert(Row{id, "name " + std::to_string(id % 97)});
      }
      ok[static_cast<std::size_t>(t)] = holds(rows, t * kRows, (t + 1) * kRows) ? 1 : 0;
    });
  }
  for (std::thread& th : threads) th.join();
  for (int t = 0; t < kThreads; ++t) CHECK(ok[static_cast<std::size_t>(t)] == 1);
}
