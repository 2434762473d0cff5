// The tables' node pool (internal/pool.h): blocks never overlap, freed
// blocks are reused, containers copied, moved and swapped keep their rows.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <set>
#include <string>
#include <vector>

#include <boost/multi_index/hashed_index.hpp>
#include <boost/multi_index/member.hpp>
#include <boost/multi_index/ordered_index.hpp>
#include <boost/multi_index_container.hpp>

#include "folio/database.h"
#include "folio/internal/pool.h"

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
