// Every write fully happens or changes nothing, even when memory runs out
// midway: this program replaces the global operator new with one that fails
// the n-th allocation from a chosen point, and tries every n, so that each
// allocation a write makes fails once. (The array and aligned forms stay the
// runtime's own: they pair with its own deletes.) The tables' nodes and
// bucket arrays come from the pools' region (internal/pool.h), not from
// operator new: the last tests fill the region instead.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "db_state.h"
#include "folio/folio.h"
#include "folio/snapshot.h"

// g++ 12 (-Wextra) warns about members left to their defaults in designated
// initializers.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
// The operator new and delete below are malloc and free, which GCC cannot
// see through once std::vector's allocations are inlined here.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

namespace {

// 0: allocations never fail; n > 0: the n-th allocation from now fails.
thread_local long fail_countdown = 0;
// Allocations made so far on this thread.
thread_local long allocations = 0;

// Runs write() with its n-th allocation failing, for n = 1, 2, ... until it
// completes; after each failure, check(failed = true) runs on a fresh
// database state, and once more with failed = false after the success.
template <class Setup, class Write, class Check>
void fail_each_allocation(Setup setup, Write write, Check check) {
  for (long n = 1;; ++n) {
    INFO("allocation " << n << " fails");
    folio::Database db = folio::seed_database();
    const folio_test::DbState before = folio_test::state(db);
    bool failed = false;
    {
      folio::Database::Transaction tx(db);
      setup(db);
      fail_countdown = n;
      try {
        write(db);
      } catch (const std::bad_alloc&) {
        failed = true;
      }
      fail_countdown = 0;
      check(db, failed);
    }  // rolled back
    CHECK(folio_test::state(db).content() == before.content());
    if (!failed) return;
  }
}

void change_author_1_rows(folio::Database& db) {
  folio::Book b = db.get<folio::Book>(1);
  b.title = "Nineteen Eighty-Four, changed";
  db.update(b);
  folio::AuthorProfile p = db.get<folio::AuthorProfile>(1);
  p.bio = "a changed biography, longer than a short string";
  db.update(p);
  folio::Author a = db.get<folio::Author>(1);
  a.email = "a.changed.address@example.com";
  db.update(a);
}

}  // namespace

void* operator new(std::size_t size) {
  ++allocations;
  if (fail_countdown > 0 && --fail_countdown == 0) throw std::bad_alloc();
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t size, const std::nothrow_t&) noexcept {
  try {
    return operator new(size);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }

TEST_CASE(
    "a cascading delete that runs out of memory in a transaction changes "
    "nothing and its rollback restores every row",
    "[transactions][delete][memory]") {
  fail_each_allocation(
      change_author_1_rows,
      [](folio::Database& db) { db.remove<folio::Author>(1); },
      [&](folio::Database& db, bool failed) {
        if (failed) {
          CHECK(db.count<folio::Book>() == 5);
          CHECK(db.get<folio::Book>(1).title ==
                "Nineteen Eighty-Four, changed");
        } else {
          CHECK(db.find<folio::Author>(1) == nullptr);
        }
      });
}

// Only Book writes here: Author and AuthorProfile writes run the email and
// URL validators, which are noexcept and allocate, so running out of memory
// there ends the process (reported; see engine/validators.cc).
TEST_CASE(
    "a create or an update that runs out of memory in a transaction changes "
    "nothing and its rollback restores every row",
    "[transactions][memory]") {
  auto unchanged_on_failure = [](folio::Database& db, bool failed) {
    if (failed) {
      CHECK(db.count<folio::Book>() == 5);
      CHECK(db.get<folio::Book>(3).title == "Harry Potter");
    }
  };
  fail_each_allocation(
      change_author_1_rows,
      [](folio::Database& db) {
        db.create(folio::Book{0, 2, "A title long enough to be allocated", 2000,
                              folio::Decimal::from_units(100, 2), true});
      },
      unchanged_on_failure);
  fail_each_allocation(
      change_author_1_rows,
      [](folio::Database& db) {
        folio::Book b = db.get<folio::Book>(3);
        b.title = "A title long enough to be allocated on the heap";
        b.author_id = 1;
        db.update(b);
      },
      unchanged_on_failure);
}

// Books in turn by author (out of the order of the books' ordered index),
// more than Database::kSortFrom, so that both loads sort them; memory runs
// out at points spread over a whole load. bulk_restore_all() must leave a
// prefix of the given rows (never rows it had put in out of order),
// restore_all() all of them or none. (Only the books' load may fail: the
// authors' validators end the process when memory runs out.)
TEST_CASE("loads of books sorted by author that run out of memory leave what they promise",
          "[batch][memory]") {
  const int authors = 345;
  std::vector<folio::Author> as;
  for (int a = 1; a <= authors; ++a) {
    as.push_back(folio::Author{.id = a, .name = "A",
                               .email = "a" + std::to_string(a) + "@example.com"});
  }
  std::vector<folio::Book> books;
  for (int k = 0; k < 3; ++k) {
    for (int i = 0; i < authors; ++i) {
      books.push_back(folio::Book{
          .id = static_cast<folio::Id>(books.size() + 1),
          .author_id = 1 + (i * 7919) % authors,
          .title = "A title long enough for the heap, part " + std::to_string(k),
          .published_year = 2000,
          .price = folio::Decimal::from_units(100, 2)});
    }
  }
  REQUIRE(books.size() >= folio::Database::kSortFrom);
  const long total = [&] {
    folio::Database db;
    db.bulk_restore_all(as);
    const long before = allocations;
    db.bulk_restore_all(books);
    return allocations - before;
  }();
  for (long n : {1L, 2L, 3L, 5L, total / 4, total / 2, total - 2}) {
    INFO("allocation " << n << " of " << total << " fails");
    folio::Database bulk;
    bulk.bulk_restore_all(as);
    fail_countdown = n;
    bool failed = false;
    try {
      bulk.bulk_restore_all(books);
    } catch (const std::bad_alloc&) {
      failed = true;
    }
    fail_countdown = 0;
    const std::size_t stored = bulk.count<folio::Book>();
    CHECK((failed || stored == books.size()));
    for (std::size_t i = 0; i < books.size(); ++i) {
      if ((bulk.find<folio::Book>(books[i].id) != nullptr) != (i < stored)) {
        FAIL("book " << books[i].id << " at " << i << ": not a prefix of " << stored);
      }
    }

    folio::Database all;
    all.restore_all(as);
    fail_countdown = n;
    failed = false;
    try {
      all.restore_all(books);
    } catch (const std::bad_alloc&) {
      failed = true;
    }
    fail_countdown = 0;
    CHECK(all.count<folio::Book>() == (failed ? 0 : books.size()));
  }
}

// ---- When the region of the tables' nodes is full (internal/pool.h) ----

namespace {

// Holds every free span of the region while it lives, so that nothing can
// take memory from it but out of what the pools already hold. The spans
// are address space only: holding them costs no memory.
class RegionFull {
 public:
  // With release_kept, the mappings the pools keep go back to the region
  // first, and are held too.
  explicit RegionFull(bool release_kept = true) {
    if (release_kept) folio::release_unused_memory();
    using folio::internal::Region;
    for (std::size_t bytes = std::size_t{1} << 30; bytes >= Region::kPage; bytes /= 2) {
      while (void* p = Region::take(bytes, Region::kPage)) held_.emplace_back(p, bytes);
    }
  }
  ~RegionFull() {
    for (auto [p, bytes] : held_) folio::internal::Region::give(p, bytes);
  }
  RegionFull(const RegionFull&) = delete;
  RegionFull& operator=(const RegionFull&) = delete;

 private:
  std::vector<std::pair<void*, std::size_t>> held_;
};

folio::Book numbered_book(folio::Id author_id, int i) {
  return folio::Book{.author_id = author_id,
                     .title = "Book number " + std::to_string(i),
                     .published_year = 2000,
                     .price = folio::Decimal::from_units(100, 2)};
}

}  // namespace

TEST_CASE("writes that find the region full throw bad_alloc and change nothing",
          "[memory]") {
  folio::Database db = folio::seed_database();
  int made = 0;
  {
    const RegionFull full;
    // Creates until the table needs a new chunk of nodes or a larger bucket
    // array, which the region cannot give.
    bool failed = false;
    folio_test::DbState before;
    for (; made < 100000 && !failed; ++made) {
      before = folio_test::state(db);
      try {
        db.create(numbered_book(1, made));
      } catch (const std::bad_alloc&) {
        failed = true;
        --made;
      }
    }
    REQUIRE(failed);
    CHECK(folio_test::state(db).content() == before.content());
    CHECK(folio::find_book(db, 1, "Book number " + std::to_string(made)) == nullptr);

    // A transaction that runs out: every write of it undone.
    const folio_test::DbState start = folio_test::state(db);
    CHECK_THROWS_AS(db.atomic([&] {
                      db.remove<folio::Author>(2);
                      for (int i = 0; i < 100000; ++i) db.create(numbered_book(1, made + i));
                    }),
                    std::bad_alloc);
    CHECK(folio_test::state(db).content() == start.content());
  }
  // With the region back, the write that failed goes in.
  db.create(numbered_book(1, made));
  CHECK(folio::find_book(db, 1, "Book number " + std::to_string(made)) != nullptr);
  CHECK(db.find<folio::Author>(2) != nullptr);
}

TEST_CASE("with the region full, a snapshot load fails and a save still works",
          "[memory][snapshot]") {
  const folio::Database db = folio::seed_database();
  const std::string path = "out_of_memory_test.folio";
  folio::save_snapshot(db, path);
  const std::string saved_full = "out_of_memory_test_full.folio";
  {
    const RegionFull full;
    CHECK_THROWS_AS(folio::load_snapshot(path), std::bad_alloc);
    // A save needs buffers, not nodes: they come from outside the region.
    folio::save_snapshot(db, saved_full);
    folio::internal::ByteBuffer buffer(folio::internal::NodeArena::kLargeArray * 3);
    CHECK(!folio::internal::Region::contains(buffer.data()));
    std::memset(buffer.data(), 0x5A, buffer.size());
    CHECK(buffer.data()[buffer.size() - 1] == 0x5A);
  }
  const folio::Database loaded = folio::load_snapshot(path);
  CHECK(folio_test::state(loaded) == folio_test::state(db));
  CHECK(folio_test::state(folio::load_snapshot(saved_full)) == folio_test::state(db));
  std::remove(path.c_str());
  std::remove(saved_full.c_str());
}

TEST_CASE("when the region is full, the kept mappings make room for new nodes",
          "[memory]") {
  using folio::internal::NodeArena;
  folio::release_unused_memory();
  NodeArena live;  // about 8 MiB in use, so that the cache may keep 4 MiB
  for (int i = 0; i < 60000; ++i) std::memset(live.allocate(136), 0x11, 136);
  const std::size_t bytes = std::size_t{4} << 20;
  NodeArena::deallocate_large(NodeArena::allocate_large(bytes), bytes);  // kept
  const RegionFull full(/*release_kept=*/false);
  NodeArena next;
  void* node = nullptr;
  CHECK_NOTHROW(node = next.allocate(136));
  CHECK(node != nullptr);
  folio::internal::NodeAllocator<std::uint32_t> alloc;
  CHECK_NOTHROW(alloc.deallocate(alloc.allocate(53), 53));
}
