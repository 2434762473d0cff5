// folio against SQLite ":memory:", the same workload in one process, one run:
// BM_<Operation>/folio and BM_<Operation>/sqlite for each operation of the
// benchmark issue, and BM_<Path>FromReference/folio for the paths from a row
// started from a reference into folio's table (see held_rows()). See workload.h for the data and sqlite_peer.h for how the
// peer is set up; tools/bench.sh runs this and writes the tables and charts.
//
//   folio_bench [--n=1000000] [--dir=<folder for snapshot files>] [--lean=yes]
//               [--benchmark_filter=...] [other Google Benchmark flags]
//
// --lean=yes (the scaling runs of tools/bench.sh), so that a run at 5,000,000
// authors fits in memory: before the snapshot loads the workload's rows are
// released (both databases stay, as in a full run), and folio's kept chunks
// are given back to the system before SQLite's loads (folio's loads keep
// them for the next load, as glibc keeps SQLite's freed heap, which SQLite's
// loads do not need). Each side's load also runs once untimed first: a run
// at a large N has time for one timed load only, and the first load of a
// process pays for memory it never held (a full run quotes the median of 3
// repetitions, which skips that one; see the README). The benchmarks that
// need the workload are skipped with an error after the loads.
//
// The world (both databases holding the workload) is built once, before the
// first benchmark, while the resident memory of each side is measured. Every
// benchmark leaves the world as it found it (updates and deletes are undone
// outside the timed loop), and after each phase both sides are checked to hold
// the same rows; a failed check fails the run (exit status 1).
#include <benchmark/benchmark.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "folio/models.h"
#include "sqlite_peer.h"
#include "workload.h"
#ifndef FOLIO_BENCH_SNAPSHOT
#define FOLIO_BENCH_SNAPSHOT 0  // set by CMake when folio has snapshots
#endif
#if FOLIO_BENCH_SNAPSHOT
#include "folio/snapshot.h"
#endif

namespace folio::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// How many random keys each lookup cycles through: enough that, at the
// default N, nearly every lookup lands on a row no recent lookup touched.
constexpr std::size_t kKeys = std::size_t{1} << 20;

// ---- The world ----

struct World {
  std::size_t n = 0;
  fs::path dir;
  Workload w;
  Totals expected;
  Database db;
  std::unique_ptr<SqlitePeer> sql;
  MemoryProbe folio_growth, sqlite_growth;
  std::size_t rows = 0;  // the workload's, kept when a lean run drops it
  // --lean=yes; and whether the workload's rows were released for the loads.
  bool lean = false;
  bool released = false;
  // Bumped whenever rows are re-created (their addresses change).
  std::uint64_t generation = 0;

  // The keys, as indexes into the workload.
  std::vector<std::uint32_t> author_keys, email_keys, profile_keys, books_keys,
      title_keys, profile_author_keys;
  KeyStrings emails, titles;
};

World* g_world = nullptr;
bool g_failed = false;

// The check after every phase: both sides hold the same rows.
bool check_same(benchmark::State* state, const char* phase,
                const Totals& folio_side, const Totals& sqlite_side,
                const Totals& expected) {
  if (folio_side == expected && sqlite_side == expected) return true;
  std::fprintf(
      stderr,
      "CHECK FAILED after %s:\n  expected %s\n  folio    %s\n  sqlite   %s\n",
      phase, to_string(expected).c_str(), to_string(folio_side).c_str(),
      to_string(sqlite_side).c_str());
  g_failed = true;
  if (state != nullptr)
    state->SkipWithError("the two sides differ; see stderr");
  return false;
}

bool check_world(benchmark::State* state, const char* phase) {
  World& g = *g_world;
  return check_same(state, phase, totals_of(g.db), g.sql->totals(), g.expected);
}

// Sizes M's hash indexes for n rows up front, where this folio has
// Database::reserve (a loader knows its row counts; SQLite has nothing to
// size).
template <class M>
void reserve_rows(Database& db, std::size_t n) {
  if constexpr (requires { db.template reserve<M>(n); })
    db.template reserve<M>(n);
}

// restore() of every row, through restore_all() where this folio has it
// (the same, reading ahead).
template <class M>
void restore_rows(Database& db, const std::vector<M>& rows) {
  if constexpr (requires { db.restore_all(rows); }) {
    db.restore_all(rows);
  } else {
    for (const M& row : rows) db.restore(row);
  }
}

// The bulk load of folio: one transaction, every row through the write path
// with all rules (restore(): the fixture-loading path, which keeps the given
// ids and created_at so that both sides hold identical rows).
void folio_bulk_load(Database& db, const Workload& w) {
  reserve_rows<Author>(db, w.authors.size());
  reserve_rows<AuthorProfile>(db, w.profiles.size());
  reserve_rows<Book>(db, w.books.size());
  db.atomic([&] {
    restore_rows(db, w.authors);
    restore_rows(db, w.profiles);
    restore_rows(db, w.books);
  });
}

// Database::bulk_restore: the loaders' path into a fresh database (same
// rules, no undo log; all or nothing because a failed load discards the
// fresh database), where this folio has it.
constexpr bool kHasBulkRestore = requires(Database & db, Author a) {
  db.bulk_restore(std::move(a));
};

template <class M>
void bulk_restore_rows(Database& db, const std::vector<M>& rows) {
  if constexpr (kHasBulkRestore) {
    reserve_rows<M>(db, rows.size());
    if constexpr (requires { db.bulk_restore_all(rows); }) {
      db.bulk_restore_all(rows);
    } else {
      for (const M& row : rows) db.bulk_restore(row);
    }
  }
}

void build_world(World& g) {
  std::fprintf(stderr, "folio_bench: generating %zu authors (%zu rows)...\n",
               g.n, g.n * 69 / 10);
  g.w = make_workload(g.n);
  g.expected = totals_of(g.w);
  g.rows = g.w.rows();

  std::fprintf(stderr, "folio_bench: loading folio...\n");
  MemoryProbe before = probe_memory();
  folio_bulk_load(g.db, g.w);
  MemoryProbe after = probe_memory();
  g.folio_growth = {after.resident_bytes - before.resident_bytes,
                    after.heap_bytes - before.heap_bytes};

  std::fprintf(stderr, "folio_bench: loading sqlite...\n");
  before = probe_memory();
  g.sql = std::make_unique<SqlitePeer>();
  g.sql->bulk_load(g.w);
  after = probe_memory();
  g.sqlite_growth = {after.resident_bytes - before.resident_bytes,
                     after.heap_bytes - before.heap_bytes};

  const std::size_t n = g.n;
  const std::size_t profiles = g.w.profiles.size();
  g.author_keys = random_indexes(kKeys, n, kSeed + 1);
  g.email_keys = random_indexes(kKeys, n, kSeed + 2);
  g.profile_keys =
      random_indexes(kKeys, profiles, kSeed + 3);  // author -> profile
  g.profile_author_keys =
      random_indexes(kKeys, profiles, kSeed + 4);  // profile -> author
  g.books_keys = random_indexes(kKeys, n, kSeed + 5);
  g.title_keys = random_indexes(kKeys, g.w.books.size(), kSeed + 6);
  for (std::uint32_t i : g.email_keys) g.emails.push_back(g.w.authors[i].email);
  for (std::uint32_t i : g.title_keys) g.titles.push_back(g.w.books[i].title);
}

// ---- Keys resolved to folio rows: rows a caller holds, or references ----

template <class M>
struct Resolved {
  std::uint64_t generation = ~std::uint64_t{0};
  std::vector<const M*> rows;
};

// The rows of model M with ids id_of(key) for each key, cached until the
// world's rows are re-created.
template <class M, class IdOf>
const std::vector<const M*>& resolve(Resolved<M>& cache,
                                     const std::vector<std::uint32_t>& keys,
                                     IdOf id_of) {
  World& g = *g_world;
  if (cache.generation != g.generation) {
    cache.rows.clear();
    cache.rows.reserve(keys.size());
    for (std::uint32_t k : keys) cache.rows.push_back(&g.db.get<M>(id_of(k)));
    cache.generation = g.generation;
  }
  return cache.rows;
}

// Copies of the rows with ids id_of(key) for each key, in key order: the rows
// a caller holds in its own memory (as a Django user holds the instances a
// query returned), read one after the other like the SQLite side's ids. A
// path such as find_profile(db, author) reads only the row's own fields
// (author.id) before its lookup, so each side starts from a key in the cache.
template <class M, class IdOf>
std::vector<M> held_rows(const std::vector<std::uint32_t>& keys, IdOf id_of) {
  World& g = *g_world;
  std::vector<M> rows;
  rows.reserve(keys.size());
  for (std::uint32_t k : keys) rows.push_back(g.db.get<M>(id_of(k)));
  return rows;
}

Id author_id_of(std::uint32_t i) { return static_cast<Id>(i) + 1; }

// The ids id_of(key) for each key, in key order: what the SQLite side is
// given (and folio's side, for lookups by key rather than from a row).
template <class IdOf>
std::vector<Id> ids_of(const std::vector<std::uint32_t>& keys, IdOf id_of) {
  std::vector<Id> ids;
  ids.reserve(keys.size());
  for (std::uint32_t k : keys) ids.push_back(id_of(k));
  return ids;
}

// Both sides must answer each lookup alike: compared on the first keys.
bool verify_lookups() {
  World& g = *g_world;
  const std::size_t m = std::min<std::size_t>(2000, kKeys);
  bool ok = true;
  auto expect = [&](const char* what, std::size_t i, std::int64_t f,
                    std::int64_t s) {
    if (f != s || f == 0) {
      std::fprintf(stderr,
                   "CHECK FAILED: %s, key %zu: folio %lld, sqlite %lld\n", what,
                   i, static_cast<long long>(f), static_cast<long long>(s));
      ok = false;
    }
  };
  for (std::size_t i = 0; i < m && ok; ++i) {
    Id id = author_id_of(g.author_keys[i]);
    expect("author by id", i, digest(*g.db.find<Author>(id)),
           g.sql->author_by_id(id));
    const Author* a = find_author_by_email(g.db, g.emails[i]);
    expect("author by email", i, a ? digest(*a) : 0,
           g.sql->author_by_email(g.emails[i]));
    const AuthorProfile& p = g.w.profiles[g.profile_keys[i]];
    const AuthorProfile* fp = find_profile(g.db, g.db.get<Author>(p.author_id));
    expect("author -> profile", i, fp ? digest(*fp) : 0,
           g.sql->profile_of_author(p.author_id));
    Id bid = author_id_of(g.books_keys[i]);
    std::int64_t count = 0, price = 0;
    for (const Book& b : books(g.db, g.db.get<Author>(bid))) {
      ++count;
      price += cents(b);
    }
    expect("author -> books", i, books_digest(count, price),
           g.sql->books_of_author(bid));
    const Book& wb = g.w.books[g.title_keys[i]];
    const Book* fb = find_book(g.db, wb.author_id, g.titles[i]);
    expect("book by (author_id, title)", i, fb ? digest(*fb) : 0,
           g.sql->book_by_author_title(wb.author_id, g.titles[i]));
  }
  if (!ok) g_failed = true;
  return ok;
}

// Times one section of an iteration: its wall time becomes the iteration's
// (manual) time, and this thread's CPU time is added to `cpu_seconds`. On a
// shared machine the CPU time is the steadier measure of work that does no
// I/O; report_cpu() publishes it as the counter cpu_ns (per iteration).
double thread_cpu_seconds() {
  timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) +
         1e-9 * static_cast<double>(ts.tv_nsec);
}
template <class F>
void timed(benchmark::State& state, double& cpu_seconds, F&& section) {
  const auto wall0 = Clock::now();
  const double cpu0 = thread_cpu_seconds();
  section();
  cpu_seconds += thread_cpu_seconds() - cpu0;
  state.SetIterationTime(
      std::chrono::duration<double>(Clock::now() - wall0).count());
}
void report_cpu(benchmark::State& state, double cpu_seconds) {
  state.counters["cpu_ns"] =
      benchmark::Counter(cpu_seconds * 1e9, benchmark::Counter::kAvgIterations);
}

// ---- Bulk insert ----

void BM_BulkInsert_folio(benchmark::State& state) {
  World& g = *g_world;
  double cpu = 0;
  for (auto _ : state) {
    std::optional<Database> db(std::in_place);
    timed(state, cpu, [&] { folio_bulk_load(*db, g.w); });
    Totals t = totals_of(*db);
    db.reset();
    if (!check_same(&state, "bulk insert (folio)", t, g.expected, g.expected))
      return;
  }
  report_cpu(state, cpu);
  state.SetItemsProcessed(
      static_cast<std::int64_t>(state.iterations() * g.w.rows()));
}

// The same rows into a fresh database through bulk_restore(), as folio's
// own loaders (snapshot, fixtures) fill one.
void BM_BulkInsertFresh_folio(benchmark::State& state) {
  World& g = *g_world;
  double cpu = 0;
  for (auto _ : state) {
    std::optional<Database> db(std::in_place);
    timed(state, cpu, [&] {
      bulk_restore_rows(*db, g.w.authors);
      bulk_restore_rows(*db, g.w.profiles);
      bulk_restore_rows(*db, g.w.books);
    });
    Totals t = totals_of(*db);
    db.reset();
    if (!check_same(&state, "bulk insert, fresh (folio)", t, g.expected,
                    g.expected))
      return;
  }
  report_cpu(state, cpu);
  state.SetItemsProcessed(
      static_cast<std::int64_t>(state.iterations() * g.w.rows()));
}

void BM_BulkInsert_sqlite(benchmark::State& state) {
  World& g = *g_world;
  double cpu = 0;
  for (auto _ : state) {
    std::unique_ptr<SqlitePeer> peer;
    timed(state, cpu, [&] {
      peer = std::make_unique<SqlitePeer>();
      peer->bulk_load(g.w);
    });
    Totals t = peer->totals();
    peer.reset();
    if (!check_same(&state, "bulk insert (sqlite)", g.expected, t, g.expected))
      return;
  }
  report_cpu(state, cpu);
  state.SetItemsProcessed(
      static_cast<std::int64_t>(state.iterations() * g.w.rows()));
}

// ---- Resident memory per row (measured while the world was built) ----

void report_memory(benchmark::State& state, const MemoryProbe& growth) {
  for (auto _ : state) {
  }
  const double rows = static_cast<double>(g_world->w.rows());
  state.counters["rows"] = rows;
  state.counters["rss_bytes_per_row"] =
      static_cast<double>(growth.resident_bytes) / rows;
  state.counters["heap_bytes_per_row"] =
      static_cast<double>(growth.heap_bytes) / rows;
  state.counters["rss_mib"] =
      static_cast<double>(growth.resident_bytes) / (1 << 20);
}
void BM_ResidentMemory_folio(benchmark::State& state) {
  report_memory(state, g_world->folio_growth);
}
void BM_ResidentMemory_sqlite(benchmark::State& state) {
  report_memory(state, g_world->sqlite_growth);
}

// ---- Lookups ----

// Runs body(i) for the i-th iteration, cycling i through [0, count).
template <class Body>
inline void key_loop(benchmark::State& state, std::size_t count, Body body) {
  std::size_t i = 0;
  for (auto _ : state) {
    body(i);
    if (++i == count) i = 0;
  }
}

void BM_AuthorById_folio(benchmark::State& state) {
  World& g = *g_world;
  const auto& keys = g.author_keys;
  const Database& db = g.db;
  key_loop(state, keys.size(), [&](std::size_t i) {
    const Author* a = db.find<Author>(author_id_of(keys[i]));
    benchmark::DoNotOptimize(digest(*a));
  });
}
void BM_AuthorById_sqlite(benchmark::State& state) {
  World& g = *g_world;
  const auto& keys = g.author_keys;
  key_loop(state, keys.size(), [&](std::size_t i) {
    benchmark::DoNotOptimize(g.sql->author_by_id(author_id_of(keys[i])));
  });
}

void BM_AuthorByEmail_folio(benchmark::State& state) {
  World& g = *g_world;
  const Database& db = g.db;
  key_loop(state, g.emails.size(), [&](std::size_t i) {
    const Author* a = find_author_by_email(db, g.emails[i]);
    benchmark::DoNotOptimize(digest(*a));
  });
}
void BM_AuthorByEmail_sqlite(benchmark::State& state) {
  World& g = *g_world;
  key_loop(state, g.emails.size(), [&](std::size_t i) {
    benchmark::DoNotOptimize(g.sql->author_by_email(g.emails[i]));
  });
}

// The paths from a row: each runs over the rows a caller holds (held_rows(),
// the targets' measure) and over references to the rows in folio's table
// (resolve(), out of the cache, one more round trip to memory than the
// SQLite side, which starts from an id).
template <class M>
const M& row_of(const M& row) noexcept {
  return row;
}
template <class M>
const M& row_of(const M* row) noexcept {
  return *row;
}

// author.profile.
template <class Authors>
void author_profile(benchmark::State& state, const Authors& authors) {
  const Database& db = g_world->db;
  key_loop(state, authors.size(), [&](std::size_t i) {
    const AuthorProfile* p = find_profile(db, row_of(authors[i]));
    benchmark::DoNotOptimize(digest(*p));
  });
}
Id profile_author_id(std::uint32_t k) { return g_world->w.profiles[k].author_id; }
void BM_AuthorProfile_folio(benchmark::State& state) {
  static const std::vector<Author> authors =
      held_rows<Author>(g_world->profile_keys, profile_author_id);
  author_profile(state, authors);
}
void BM_AuthorProfileFromReference_folio(benchmark::State& state) {
  static Resolved<Author> cache;
  author_profile(state, resolve(cache, g_world->profile_keys, profile_author_id));
}
void BM_AuthorProfile_sqlite(benchmark::State& state) {
  World& g = *g_world;
  const std::vector<Id> ids = ids_of(g.profile_keys, profile_author_id);
  key_loop(state, ids.size(), [&](std::size_t i) {
    benchmark::DoNotOptimize(g.sql->profile_of_author(ids[i]));
  });
}

// profile.author (the profile holds author_id).
template <class Profiles>
void profile_author(benchmark::State& state, const Profiles& profiles) {
  const Database& db = g_world->db;
  key_loop(state, profiles.size(), [&](std::size_t i) {
    const Author& a = author(db, row_of(profiles[i]));
    benchmark::DoNotOptimize(digest(a));
  });
}
Id profile_id(std::uint32_t k) { return g_world->w.profiles[k].id; }
void BM_ProfileAuthor_folio(benchmark::State& state) {
  static const std::vector<AuthorProfile> profiles =
      held_rows<AuthorProfile>(g_world->profile_author_keys, profile_id);
  profile_author(state, profiles);
}
void BM_ProfileAuthorFromReference_folio(benchmark::State& state) {
  static Resolved<AuthorProfile> cache;
  profile_author(state, resolve(cache, g_world->profile_author_keys, profile_id));
}
void BM_ProfileAuthor_sqlite(benchmark::State& state) {
  World& g = *g_world;
  const std::vector<Id> ids = ids_of(g.profile_author_keys, profile_author_id);
  key_loop(state, ids.size(), [&](std::size_t i) {
    benchmark::DoNotOptimize(g.sql->author_by_id(ids[i]));
  });
}

// author.books.all(): 5 rows, prices summed.
template <class Authors>
void author_books(benchmark::State& state, const Authors& authors) {
  const Database& db = g_world->db;
  key_loop(state, authors.size(), [&](std::size_t i) {
    std::int64_t count = 0, price = 0;
    for (const Book& b : books(db, row_of(authors[i]))) {
      ++count;
      price += cents(b);
    }
    benchmark::DoNotOptimize(books_digest(count, price));
  });
  state.SetItemsProcessed(state.iterations() * 5);
}
void BM_AuthorBooks_folio(benchmark::State& state) {
  static const std::vector<Author> authors =
      held_rows<Author>(g_world->books_keys, author_id_of);
  author_books(state, authors);
}
void BM_AuthorBooksFromReference_folio(benchmark::State& state) {
  static Resolved<Author> cache;
  author_books(state, resolve(cache, g_world->books_keys, author_id_of));
}
void BM_AuthorBooks_sqlite(benchmark::State& state) {
  World& g = *g_world;
  const auto& keys = g.books_keys;
  key_loop(state, keys.size(), [&](std::size_t i) {
    benchmark::DoNotOptimize(g.sql->books_of_author(author_id_of(keys[i])));
  });
  state.SetItemsProcessed(state.iterations() * 5);
}

Id book_author_id(std::uint32_t k) { return g_world->w.books[k].author_id; }
void BM_BookByAuthorTitle_folio(benchmark::State& state) {
  World& g = *g_world;
  const std::vector<Id> ids = ids_of(g.title_keys, book_author_id);
  const Database& db = g.db;
  key_loop(state, ids.size(), [&](std::size_t i) {
    const Book* b = find_book(db, ids[i], g.titles[i]);
    benchmark::DoNotOptimize(digest(*b));
  });
}
void BM_BookByAuthorTitle_sqlite(benchmark::State& state) {
  World& g = *g_world;
  const std::vector<Id> ids = ids_of(g.title_keys, book_author_id);
  key_loop(state, ids.size(), [&](std::size_t i) {
    benchmark::DoNotOptimize(g.sql->book_by_author_title(ids[i], g.titles[i]));
  });
}

// ---- Update of an author's email: one transaction each ----

// New emails for distinct random authors, in two variants so that a second
// pass over the pool changes every email again.
struct EmailUpdates {
  std::vector<Id> ids;
  KeyStrings emails[2];
};
const EmailUpdates& email_updates() {
  static const EmailUpdates u = [] {
    EmailUpdates u;
    const std::size_t count = std::min<std::size_t>(g_world->n, 1 << 16);
    for (std::uint32_t k : distinct_indexes(count, g_world->n, kSeed + 7)) {
      Id id = author_id_of(k);
      u.ids.push_back(id);
      for (int v = 0; v < 2; ++v) {
        u.emails[v].push_back("u" + std::to_string(id) + ".r" +
                              std::to_string(v) + "@example.net");
      }
    }
    return u;
  }();
  return u;
}

// Puts back the original email of the authors the first `iterations` updates
// touched, outside the timed loop, then checks both sides.
template <class SetEmail>
void undo_email_updates(benchmark::State& state, std::size_t iterations,
                        SetEmail set) {
  World& g = *g_world;
  const EmailUpdates& u = email_updates();
  const std::size_t touched = std::min(iterations, u.ids.size());
  for (std::size_t i = 0; i < touched; ++i)
    set(u.ids[i], g.w.authors[u.ids[i] - 1].email);
  check_world(&state, "update email");
}

// folio: a single update() outside any transaction. A single write is
// atomic on its own (validation and every check run before the change is
// applied, which is all-or-nothing), as SQLite's autocommit statement is one
// implicit transaction, and as Django's save() runs in autocommit: the same
// guarantee on both sides. The read of the row to copy is included: folio's
// rows are immutable, so an update starts from a copy.
void folio_set_email(Database& db, Id id, std::string_view email) {
  Author row = db.get<Author>(id);
  row.email.assign(email);
  benchmark::DoNotOptimize(&db.update(std::move(row)));
}

void BM_UpdateEmail_folio(benchmark::State& state) {
  World& g = *g_world;
  const EmailUpdates& u = email_updates();
  const std::size_t count = u.ids.size();
  std::size_t i = 0, round = 0;
  for (auto _ : state) {
    folio_set_email(g.db, u.ids[i], u.emails[round & 1][i]);
    if (++i == count) i = 0, ++round;
  }
  undo_email_updates(
      state, state.iterations(),
      [&](Id id, std::string_view email) { folio_set_email(g.db, id, email); });
}

// folio, the same update inside db.atomic(): what an explicit transaction
// around one write costs (the undo log and the saved row).
void BM_UpdateEmailInAtomic_folio(benchmark::State& state) {
  World& g = *g_world;
  const EmailUpdates& u = email_updates();
  const std::size_t count = u.ids.size();
  std::size_t i = 0, round = 0;
  for (auto _ : state) {
    g.db.atomic(
        [&] { folio_set_email(g.db, u.ids[i], u.emails[round & 1][i]); });
    if (++i == count) i = 0, ++round;
  }
  undo_email_updates(
      state, state.iterations(),
      [&](Id id, std::string_view email) { folio_set_email(g.db, id, email); });
}

void BM_UpdateEmail_sqlite(benchmark::State& state) {
  World& g = *g_world;
  const EmailUpdates& u = email_updates();
  const std::size_t count = u.ids.size();
  std::size_t i = 0, round = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(
        g.sql->update_email(u.ids[i], u.emails[round & 1][i]));
    if (++i == count) i = 0, ++round;
  }
  undo_email_updates(
      state, state.iterations(),
      [&](Id id, std::string_view email) { g.sql->update_email(id, email); });
}

// ---- Cascade delete of an author (profile and 5 books with it) ----

std::size_t deletes_per_run() {
  return std::clamp<std::size_t>(g_world->n / 20, 1, 20'000);
}
const std::vector<std::uint32_t>& delete_keys() {
  static const std::vector<std::uint32_t> keys =
      distinct_indexes(deletes_per_run(), g_world->n, kSeed + 8);
  return keys;
}

void BM_CascadeDelete_folio(benchmark::State& state) {
  World& g = *g_world;
  const auto& keys = delete_keys();
  std::size_t i = 0;
  for (auto _ : state) {
    DeleteResult r = g.db.remove<Author>(author_id_of(keys[i++]));
    benchmark::DoNotOptimize(r.total);
  }
  // Outside the timed loop: the rows come back as they were.
  for (std::size_t k = 0; k < i; ++k) {
    std::size_t a = keys[k];
    g.db.atomic([&] {
      g.db.restore(g.w.authors[a]);
      if (g.w.profile_of[a] >= 0) g.db.restore(g.w.profiles[g.w.profile_of[a]]);
      for (std::size_t b = 5 * a; b < 5 * a + 5; ++b)
        g.db.restore(g.w.books[b]);
    });
  }
  ++g.generation;
  check_world(&state, "cascade delete (folio)");
}

void BM_CascadeDelete_sqlite(benchmark::State& state) {
  World& g = *g_world;
  const auto& keys = delete_keys();
  std::size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(g.sql->delete_author(author_id_of(keys[i++])));
  }
  for (std::size_t k = 0; k < i; ++k) g.sql->reinsert_author(g.w, keys[k]);
  check_world(&state, "cascade delete (sqlite)");
}

// ---- Snapshots ----

fs::path sqlite_snapshot() { return g_world->dir / "bench.sqlite3"; }
fs::path folio_snapshot() { return g_world->dir / "bench.folio"; }

void report_file(benchmark::State& state, const fs::path& path) {
  const double bytes = static_cast<double>(fs::file_size(path));
  state.counters["file_mib"] = bytes / (1 << 20);
  state.counters["file_bytes_per_row"] =
      bytes / static_cast<double>(g_world->rows);
  // The peak so far: what a run at a larger N will need, scaled
  // (tools/bench.sh decides on the 5,000,000 run from it).
  state.counters["peak_rss_mib"] =
      static_cast<double>(peak_resident_bytes()) / (1 << 20);
}

void BM_SnapshotSave_sqlite(benchmark::State& state) {
  World& g = *g_world;
  double cpu = 0;
  for (auto _ : state) {
    timed(state, cpu, [&] { g.sql->save(sqlite_snapshot()); });
  }
  report_cpu(state, cpu);
  report_file(state, sqlite_snapshot());
}

// A lean run (--lean=yes), before its first snapshot load: the workload's
// rows released (the world's totals and row count are kept).
void release_workload_for_loads() {
  World& g = *g_world;
  if (!g.lean || g.released) return;
  g.w = Workload();
  g.released = true;
}

// Runs load() once untimed in a lean run (see the top of this file).
template <class Load>
void warm_up(Load load) {
  if (g_world->lean) load();
}

void BM_SnapshotLoad_sqlite(benchmark::State& state) {
  World& g = *g_world;
  release_workload_for_loads();
#if FOLIO_BENCH_SNAPSHOT
  if (g.lean) release_unused_memory();  // what folio's loads kept
#endif
  if (!fs::exists(sqlite_snapshot())) g.sql->save(sqlite_snapshot());
  warm_up([] { SqlitePeer::load(sqlite_snapshot()); });
  double cpu = 0;
  for (auto _ : state) {
    std::optional<SqlitePeer> loaded;
    timed(state, cpu,
          [&] { loaded.emplace(SqlitePeer::load(sqlite_snapshot())); });
    Totals t = loaded->totals();
    loaded.reset();
    if (!check_same(&state, "snapshot load (sqlite)", g.expected, t,
                    g.expected))
      return;
  }
  report_cpu(state, cpu);
  report_file(state, sqlite_snapshot());
}

#if FOLIO_BENCH_SNAPSHOT
void BM_SnapshotSave_folio(benchmark::State& state) {
  World& g = *g_world;
  double cpu = 0;
  for (auto _ : state) {
    timed(state, cpu, [&] { save_snapshot(g.db, folio_snapshot()); });
  }
  report_cpu(state, cpu);
  report_file(state, folio_snapshot());
}

void BM_SnapshotLoad_folio(benchmark::State& state) {
  World& g = *g_world;
  release_workload_for_loads();
  if (!fs::exists(folio_snapshot())) save_snapshot(g.db, folio_snapshot());
  warm_up([] { load_snapshot(folio_snapshot()); });
  double cpu = 0;
  for (auto _ : state) {
    std::optional<Database> loaded;
    timed(state, cpu, [&] { loaded.emplace(load_snapshot(folio_snapshot())); });
    Totals t = totals_of(*loaded);
    loaded.reset();
    if (!check_same(&state, "snapshot load (folio)", t, g.expected, g.expected))
      return;
  }
  report_cpu(state, cpu);
  report_file(state, folio_snapshot());
}
#endif

void register_all() {
  using benchmark::RegisterBenchmark;
  auto pair = [](const char* op, void (*folio_fn)(benchmark::State&),
                 void (*sqlite_fn)(benchmark::State&)) {
    std::string name = std::string("BM_") + op;
    // Every benchmark but the loads may need the workload's rows, which a
    // lean run releases before its first load.
    const bool loads = std::string_view(op) == "SnapshotLoad";
    auto add = [&](const std::string& full, void (*fn)(benchmark::State&)) {
      if (loads) return RegisterBenchmark(full.c_str(), fn);
      return RegisterBenchmark(full.c_str(), [fn](benchmark::State& state) {
        if (g_world->released) {
          state.SkipWithError(
              "the workload was released for the snapshot loads (--lean=yes)");
          return;
        }
        fn(state);
      });
    };
    std::vector<benchmark::internal::Benchmark*> out;
    if (folio_fn != nullptr) out.push_back(add(name + "/folio", folio_fn));
    if (sqlite_fn != nullptr) out.push_back(add(name + "/sqlite", sqlite_fn));
    return out;
  };
  auto each = [](std::vector<benchmark::internal::Benchmark*> bs, auto f) {
    for (auto* b : bs) f(b);
  };
  const auto whole_db = [](benchmark::internal::Benchmark* b) {
    b->UseManualTime()->Unit(benchmark::kMillisecond);
  };
  each(pair("BulkInsert", BM_BulkInsert_folio, BM_BulkInsert_sqlite), whole_db);
  if (kHasBulkRestore) {
    each(pair("BulkInsertFresh", BM_BulkInsertFresh_folio, nullptr), whole_db);
  }
  each(
      pair("ResidentMemory", BM_ResidentMemory_folio, BM_ResidentMemory_sqlite),
      [](auto* b) { b->Iterations(1); });
  const auto lookup = [](benchmark::internal::Benchmark* b) {
    b->Unit(benchmark::kNanosecond);
  };
  each(pair("AuthorById", BM_AuthorById_folio, BM_AuthorById_sqlite), lookup);
  each(pair("AuthorByEmail", BM_AuthorByEmail_folio, BM_AuthorByEmail_sqlite),
       lookup);
  each(pair("AuthorProfile", BM_AuthorProfile_folio, BM_AuthorProfile_sqlite),
       lookup);
  each(pair("ProfileAuthor", BM_ProfileAuthor_folio, BM_ProfileAuthor_sqlite),
       lookup);
  each(pair("AuthorBooks", BM_AuthorBooks_folio, BM_AuthorBooks_sqlite),
       lookup);
  each(pair("AuthorProfileFromReference", BM_AuthorProfileFromReference_folio,
            nullptr),
       lookup);
  each(pair("ProfileAuthorFromReference", BM_ProfileAuthorFromReference_folio,
            nullptr),
       lookup);
  each(pair("AuthorBooksFromReference", BM_AuthorBooksFromReference_folio,
            nullptr),
       lookup);
  each(pair("BookByAuthorTitle", BM_BookByAuthorTitle_folio,
            BM_BookByAuthorTitle_sqlite),
       lookup);
  each(pair("UpdateEmail", BM_UpdateEmail_folio, BM_UpdateEmail_sqlite),
       lookup);
  each(pair("UpdateEmailInAtomic", BM_UpdateEmailInAtomic_folio, nullptr),
       lookup);
  const auto deletes = [](benchmark::internal::Benchmark* b) {
    b->Iterations(static_cast<benchmark::IterationCount>(deletes_per_run()))
        ->Unit(benchmark::kNanosecond);
  };
  each(pair("CascadeDelete", BM_CascadeDelete_folio, BM_CascadeDelete_sqlite),
       deletes);
#if FOLIO_BENCH_SNAPSHOT
  each(pair("SnapshotSave", BM_SnapshotSave_folio, BM_SnapshotSave_sqlite),
       whole_db);
  each(pair("SnapshotLoad", BM_SnapshotLoad_folio, BM_SnapshotLoad_sqlite),
       whole_db);
#else
  each(pair("SnapshotSave", nullptr, BM_SnapshotSave_sqlite), whole_db);
  each(pair("SnapshotLoad", nullptr, BM_SnapshotLoad_sqlite), whole_db);
#endif
}

}  // namespace
}  // namespace folio::bench

int main(int argc, char** argv) {
  using namespace folio::bench;
  World world;
  try {
    world.n = authors_from_args(&argc, argv);
    const std::string lean =
        option_from_args(&argc, argv, "lean", "FOLIO_BENCH_LEAN", "no");
    if (lean != "yes" && lean != "no")
      throw std::invalid_argument("--lean takes yes or no, not \"" + lean + "\"");
    world.lean = lean == "yes";
    world.dir = option_from_args(&argc, argv, "dir", "FOLIO_BENCH_DIR",
                                 (fs::temp_directory_path() /
                                  ("folio_bench." + std::to_string(getpid())))
                                     .string());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "folio_bench: %s\n", e.what());
    return 2;
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 2;
  fs::create_directories(world.dir);
  g_world = &world;

  build_world(world);
  benchmark::AddCustomContext("folio_authors", std::to_string(world.n));
  benchmark::AddCustomContext("folio_rows", std::to_string(world.w.rows()));
  benchmark::AddCustomContext("folio_snapshot",
                              FOLIO_BENCH_SNAPSHOT ? "yes" : "no");
  benchmark::AddCustomContext("folio_lean", world.lean ? "yes" : "no");
  if (!check_world(nullptr, "building the world") || !verify_lookups())
    return 1;

  register_all();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();

  std::error_code ec;
  fs::remove(sqlite_snapshot(), ec);
  fs::remove(folio_snapshot(), ec);
  if (world.dir.filename().string().rfind("folio_bench.", 0) == 0)
    fs::remove(world.dir, ec);
  g_world = nullptr;
  return g_failed ? 1 : 0;
}
