// Snapshot files: round trips, the checked-in files of older schemas, every
// error with its message, hostile bytes (every truncation, every bit flip),
// a failed load that changes nothing, and a failed save that leaves the old
// file as it was.
#include <fcntl.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <catch2/catch.hpp>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "db_state.h"
#include "folio/folio.h"
#include "folio/snapshot.h"

namespace fs = std::filesystem;
using folio::Author;
using folio::AuthorProfile;
using folio::Book;
using folio::Database;
using folio::DateTime;
using folio::Decimal;
using folio::Id;
using folio::SnapshotError;
using folio::SnapshotFault;
using folio_test::state;

namespace {

using Bytes = std::vector<std::byte>;

const fs::path kData = fs::path(FOLIO_TEST_DATA_DIR) / "snapshots";

// A folder of its own, removed with what it holds.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (fs::temp_directory_path() / "folio_snapshot_test.XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  fs::path operator/(std::string_view name) const { return path_ / name; }
  // The names in the folder.
  std::vector<std::string> names() const {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(path_))
      out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
  }

 private:
  fs::path path_;
};

Bytes read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::string s((std::istreambuf_iterator<char>(in)),
                std::istreambuf_iterator<char>());
  Bytes out(s.size());
  std::memcpy(out.data(), s.data(), s.size());
  return out;
}

void write_bytes(const fs::path& path, const Bytes& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

// The offset of `text` in `bytes` (it must be there, once or more).
std::size_t find(const Bytes& bytes, std::string_view text) {
  const auto* begin = reinterpret_cast<const char*>(bytes.data());
  const std::string_view all(begin, bytes.size());
  const std::size_t at = all.find(text);
  REQUIRE(at != std::string_view::npos);
  return at;
}

void replace(Bytes& bytes, std::string_view from, std::string_view to) {
  REQUIRE(from.size() == to.size());
  std::memcpy(bytes.data() + find(bytes, from), to.data(), to.size());
}

// Recomputes the checksum of a file's bytes after a test changed them, so
// that the loader gets past it to what the test means to check.
void reseal(Bytes& bytes) {
  const std::uint64_t sum = XXH64(bytes.data(), bytes.size() - 8, 0);
  std::memcpy(bytes.data() + bytes.size() - 8, &sum, 8);
}

Bytes seed_bytes() { return read_bytes(kData / "seed-format1.folio"); }

Database load(const Bytes& bytes) {
  return folio::load_snapshot_bytes(bytes, "test.folio");
}

// The fault and message of loading `bytes`.
std::pair<SnapshotFault, std::string> failure(const Bytes& bytes) {
  try {
    load(bytes);
  } catch (const SnapshotError& e) {
    return {e.fault(), e.what()};
  }
  FAIL("the bytes loaded");
  return {};
}

DateTime at(int hour, int minute, int second = 0, int micro = 0) {
  return DateTime::from_civil(2026, 1, 21, hour, minute, second, micro);
}

// Rows that reach the edges: 200 code points of non-ASCII text, the extreme
// prices, a null birth_year, blank optional text, ids with gaps, and id
// counters beyond the highest id after deletes.
Database edge_database() {
  Database db;
  std::string long_name;
  for (int i = 0; i < 200; ++i) long_name += (i % 2 == 0 ? "é" : "字");
  db.restore(
      Author{1, long_name, "edge@example.com", true, at(10, 0, 0, 123456)});
  db.restore(Author{7, "Leo", "leo@example.com", false, at(11, 0)});
  db.restore(Author{40, "Gone", "gone@example.com", true, at(12, 0)});
  db.restore(Author{41, "Ñandú", "nandu@example.com", true,
                    DateTime::from_civil(1, 1, 1)});
  db.restore(
      AuthorProfile{3, 1, long_name, "https://example.com/é", std::nullopt});
  db.restore(AuthorProfile{9, 7, "", "", 0});
  db.restore(AuthorProfile{12, 41, "bio", "", 32767});
  db.restore(Book{5, 1, long_name, 1, Decimal::from_units(-99999999, 2), true});
  db.restore(Book{6, 1, "Cheap", 32767, Decimal::from_units(1, 2), false});
  db.restore(Book{20, 7, "Whole", 1999, Decimal::from_units(12, 0), true});
  db.restore(Book{21, 40, "Doomed", 2000, Decimal::from_units(100, 2), true});
  db.remove<Author>(40);  // the highest ids go; the counters stay
  db.advance_next_id<Book>(1000);
  return db;
}

// A few thousand rows of varied data.
Database generated_database(int authors) {
  Database db;
  std::uint64_t x = 88172645463325252ULL;
  auto next = [&] {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
  };
  Id book = 0;
  for (Id a = 1; a <= authors; ++a) {
    const Id id = a * 3 - static_cast<Id>(next() % 2);  // gaps
    db.restore(
        Author{id, "Author " + std::to_string(a),
               "a" + std::to_string(id) + "@example.com", next() % 5 != 0,
               DateTime::from_micros(
                   1'700'000'000'000'000 +
                   static_cast<std::int64_t>(next() % 1'000'000'000'000))});
    if (next() % 10 != 0) {
      db.restore(AuthorProfile{
          a, id, std::string(next() % 300, 'b'),
          next() % 3 == 0 ? "" : "https://example.com/" + std::to_string(id),
          next() % 5 == 0 ? std::nullopt
                          : std::optional<std::int32_t>(1900 + next() % 120)});
    }
    for (int k = next() % 8; k > 0; --k) {
      db.restore(
          Book{++book, id, "Book " + std::to_string(k),
               static_cast<std::int32_t>(1 + next() % 2100),
               Decimal::from_units(
                   static_cast<std::int64_t>(next() % 199999998) - 99999999, 2),
               next() % 2 == 0});
    }
  }
  return db;
}

// Just enough rows for a save and a load on two threads (engine/
// snapshot_tables.h: tables of 1024 rows and more), and few enough for the
// Debug build, whose Boost.MultiIndex invariant checks make loads quadratic:
// 1100 authors, each with a profile and a book, 100 of them with a second.
Database two_thread_database() {
  Database db;
  for (Id a = 1; a <= 1100; ++a) {
    db.restore(Author{a, "Author " + std::to_string(a),
                      "a" + std::to_string(a) + "@example.com", a % 7 != 0,
                      DateTime::from_micros(1'700'000'000'000'000 + a * 977)});
    db.restore(AuthorProfile{
        a, a, std::string(static_cast<std::size_t>(a % 40), 'b'),
        a % 3 == 0 ? "" : "https://example.com/" + std::to_string(a),
        a % 5 == 0 ? std::nullopt
                   : std::optional<std::int32_t>(1900 + a % 120)});
    db.restore(Book{a, a, "Book " + std::to_string(a),
                    static_cast<std::int32_t>(1 + a % 2100),
                    Decimal::from_units(a * 7 - 10000, 2), a % 2 == 0});
  }
  for (Id a = 1; a <= 100; ++a) {
    db.restore(Book{1100 + a, a * 11, "Second", 2001,
                    Decimal::from_units(a, a % 3), true});
  }
  return db;
}

}  // namespace

// ---- Round trips ----

TEST_CASE("Test a saved seed database loads back with every row and counter",
          "[snapshot][roundtrip]") {
  TempDir dir;
  const Database seed = folio::seed_database();
  folio::save_snapshot(seed, dir / "seed.folio");
  const Database back = folio::load_snapshot(dir / "seed.folio");
  CHECK(state(back) == state(seed));
  CHECK(dir.names() == std::vector<std::string>{"seed.folio"});
}

TEST_CASE("Test rows at the edges survive a round trip",
          "[snapshot][roundtrip]") {
  TempDir dir;
  const Database db = edge_database();
  folio::save_snapshot(db, dir / "edge.folio");
  const Database back = folio::load_snapshot(dir / "edge.folio");
  CHECK(state(back) == state(db));
  CHECK(back.table<Author>().next_id() == 42);
  CHECK(back.table<Book>().next_id() == 1000);
  CHECK(back.get<Book>(5).price.format(2) == "-999999.99");
  CHECK(back.get<Book>(6).price.format(2) == "0.01");
  CHECK_FALSE(back.get<AuthorProfile>(3).birth_year.has_value());
  CHECK(back.get<Author>(1).created_at.micros() % 1'000'000 == 123456);
  // The next row gets the saved counter, not the highest id + 1.
  Database writable = folio::load_snapshot(dir / "edge.folio");
  Author fresh;
  fresh.name = "New";
  fresh.email = "new@example.com";
  CHECK(writable.create(fresh).id == 42);
}

TEST_CASE("Test generated data round-trips", "[snapshot][roundtrip]") {
  TempDir dir;
  const Database db = generated_database(150);
  folio::save_snapshot(db, dir / "gen.folio");
  CHECK(state(folio::load_snapshot(dir / "gen.folio")) == state(db));
}

// Tables of 1024 rows and more are saved by two threads (each half of the
// rows) and loaded by two (authors, then the books beside the profiles, the
// books decoded ahead in chunks): the file is the same every time and loads
// back the same rows.
TEST_CASE("Test a database large enough for two threads round-trips",
          "[snapshot][roundtrip][parallel]") {
  TempDir dir;
  const Database db = two_thread_database();
  folio::save_snapshot(db, dir / "big.folio");
  folio::save_snapshot(db, dir / "again.folio");
  CHECK(read_bytes(dir / "big.folio") == read_bytes(dir / "again.folio"));
  CHECK(state(folio::load_snapshot(dir / "big.folio")) == state(db));
  CHECK(folio::verify_snapshot(dir / "big.folio").empty());
  Database into = folio::seed_database();
  folio::load_snapshot_into(into, dir / "big.folio");
  CHECK(state(into) == state(db));
}

TEST_CASE(
    "Test a load on two threads reports the error of the earliest table",
    "[snapshot][errors][parallel]") {
  TempDir dir;
  const Database db = two_thread_database();
  folio::save_snapshot(db, dir / "big.folio");
  const Bytes sound = read_bytes(dir / "big.folio");
  // A book title that is not UTF-8 (books: loaded by the main thread from
  // rows the worker decoded), and a profile website that is no URL
  // (profiles: loaded by the worker meanwhile).
  Bytes bad_book = sound;
  replace(bad_book, "Book 1", "Book \xff");
  reseal(bad_book);
  const auto [book_fault, book_message] = failure(bad_book);
  CHECK(book_fault == SnapshotFault::kRule);
  CHECK_THAT(book_message,
             Catch::StartsWith("test.folio: broken rule in table books, row id ") &&
                 Catch::EndsWith(", field title: Enter text that is valid UTF-8."));
  Bytes bad_profile = sound;
  replace(bad_profile, "https://example.com/", "https://exa mple.co/");
  reseal(bad_profile);
  const auto [profile_fault, profile_message] = failure(bad_profile);
  CHECK(profile_fault == SnapshotFault::kRule);
  CHECK_THAT(profile_message,
             Catch::StartsWith(
                 "test.folio: broken rule in table author_profiles, row id ") &&
                 Catch::EndsWith(", field website: Enter a valid URL."));
  Bytes both = bad_book;
  replace(both, "https://example.com/", "https://exa mple.co/");
  reseal(both);
  CHECK(failure(both) == std::pair(profile_fault, profile_message));
  // An author's bad email stops the load before the others.
  Bytes all = both;
  replace(all, "@example.com", "@exa mple.co");
  reseal(all);
  const auto [author_fault, author_message] = failure(all);
  CHECK(author_fault == SnapshotFault::kRule);
  CHECK_THAT(author_message,
             Catch::StartsWith("test.folio: broken rule in table authors, row id ") &&
                 Catch::EndsWith(", field email: Enter a valid email address."));
  // verify_snapshot lists them all, in table order (the author's books
  // break their foreign key too).
  std::ofstream(dir / "all.folio", std::ios::binary)
      .write(reinterpret_cast<const char*>(all.data()),
             static_cast<std::streamsize>(all.size()));
  const std::vector<std::string> problems = folio::verify_snapshot(dir / "all.folio");
  REQUIRE(problems.size() >= 3);
  CHECK_THAT(problems[0], Catch::Contains("table authors"));
  CHECK_THAT(problems[1], Catch::Contains("table author_profiles"));
  for (std::size_t i = 2; i < problems.size(); ++i)
    CHECK_THAT(problems[i], Catch::Contains("table books"));
  CHECK(std::count_if(problems.begin(), problems.end(), [](const auto& p) {
          return p.find("field title") != std::string::npos;
        }) == 1);
}

TEST_CASE("Test a value its type cannot hold among rows decoded ahead",
          "[snapshot][errors][parallel]") {
  // Every book's is_published is a bool column of width 1 (0 or 1): a 2
  // deep in the column stops the load at that row, after the rows before
  // it loaded, whichever thread decoded it.
  TempDir dir;
  Database db;
  for (Id a = 1; a <= 10; ++a) {
    db.restore(Author{a, "A", "a" + std::to_string(a) + "@example.com", true,
                      at(1, 0)});
  }
  for (Id b = 1; b <= 2100; ++b) {
    db.restore(Book{b, 1 + b % 10, "T" + std::to_string(b), 2000,
                    Decimal::from_units(100, 2), b % 3 != 0});
  }
  folio::save_snapshot(db, dir / "bools.folio");
  Bytes bytes = read_bytes(dir / "bools.folio");
  // The last column of the body: 2100 bytes of 0 and 1 before the checksum.
  const std::size_t column = bytes.size() - 8 - 2100;
  const std::size_t row = 1800;  // row id 1801
  REQUIRE(bytes[column + row] == std::byte{1});
  bytes[column + row] = std::byte{2};
  reseal(bytes);
  const auto [fault, message] = failure(bytes);
  CHECK(fault == SnapshotFault::kCorrupt);
  CHECK(message ==
        "test.folio: corrupt snapshot: table books, row id 1801, field "
        "is_published: a value its type cannot hold");
}

TEST_CASE("Test a value its type cannot hold in the first table, decoded ahead",
          "[snapshot][errors][parallel]") {
  // The worker decodes the authors ahead too: a bad value deep in their
  // is_active column (1 but for ids divisible by 7, so its bytes are easy to
  // find) stops the load at that row, before any book is read.
  TempDir dir;
  folio::save_snapshot(two_thread_database(), dir / "big.folio");
  Bytes bytes = read_bytes(dir / "big.folio");
  const std::string pattern("\1\1\1\1\1\1\0\1\1\1\1\1\1\0", 14);
  const std::size_t column = find(bytes, pattern);
  const std::size_t row = 900;  // row id 901
  REQUIRE(bytes[column + row] == std::byte{1});
  bytes[column + row] = std::byte{2};
  // And a book that breaks a rule, which must not be what is reported.
  replace(bytes, "Book 1", "Book \xff");
  reseal(bytes);
  const auto [fault, message] = failure(bytes);
  CHECK(fault == SnapshotFault::kCorrupt);
  CHECK(message ==
        "test.folio: corrupt snapshot: table authors, row id 901, field "
        "is_active: a value its type cannot hold");
}

// Books whose authors come in no order (author = 1 + b * 7919 % 1100):
// a load on two threads puts them in the order of the (author_id, id) index
// before inserting them. Titles of one width, to edit in the bytes.
Database scattered_books_database() {
  Database db;
  for (Id a = 1; a <= 1100; ++a) {
    db.restore(Author{a, "Author " + std::to_string(a),
                      "a" + std::to_string(a) + "@example.com", true, at(1, 0)});
  }
  for (Id b = 1; b <= 2200; ++b) {
    Id author = 1 + b * 7919 % 1100;
    if (b == 60) author = 1 + 50 * 7919 % 1100;    // author 1051, as book 50
    if (b == 110) author = 1 + 100 * 7919 % 1100;  // author 1001, as book 100
    char title[16];
    std::snprintf(title, sizeof title, "Title %05lld", static_cast<long long>(b));
    db.restore(Book{b, author, title, 2000, Decimal::from_units(b, 2), b % 2 == 0});
  }
  return db;
}

TEST_CASE("Test books whose authors come in any order load whole on two threads",
          "[snapshot][roundtrip][parallel]") {
  TempDir dir;
  const Database db = scattered_books_database();
  folio::save_snapshot(db, dir / "scattered.folio");
  const Database loaded = folio::load_snapshot(dir / "scattered.folio");
  CHECK(state(loaded) == state(db));
  for (Id a : {1, 7, 1001, 1051, 1100}) {
    std::vector<Id> want, got;
    for (const Book& b : folio::books(db, db.get<Author>(a))) want.push_back(b.id);
    for (const Book& b : folio::books(loaded, loaded.get<Author>(a))) got.push_back(b.id);
    CHECK(got == want);
  }
}

TEST_CASE("Test a load that sorted the rows names the problem met first in file order",
          "[snapshot][errors][parallel]") {
  // Two duplicate (author, title) pairs: books 50 and 60 (author 1051),
  // books 100 and 110 (author 1001). In file order book 60 fails first; in
  // the index's order author 1001's book 110 would.
  TempDir dir;
  folio::save_snapshot(scattered_books_database(), dir / "scattered.folio");
  Bytes bytes = read_bytes(dir / "scattered.folio");
  replace(bytes, "Title 00060", "Title 00050");
  replace(bytes, "Title 00110", "Title 00100");
  reseal(bytes);
  CHECK(failure(bytes).second ==
        "test.folio: broken rule in table books, row id 60, field __all__: "
        "Book with this Author and Title already exists.");
  // And a title that is no UTF-8 among rows held for sorting: file order.
  Bytes bad = read_bytes(dir / "scattered.folio");
  replace(bad, "Title 01500", "Title \xff" "1500");
  replace(bad, "Title 00110", "Title 00100");
  reseal(bad);
  CHECK(failure(bad).second ==
        "test.folio: broken rule in table books, row id 110, field __all__: "
        "Book with this Author and Title already exists.");
}

// A save writes whole blocks straight to the disk (O_DIRECT) where the
// file system takes it and the rest through the page cache: a body of
// several buffers (4 MiB each) and a tail that is not a whole block must
// come out the same wherever it is written, and load back.
TEST_CASE("Test a body of several write buffers round-trips on every file system",
          "[snapshot][roundtrip]") {
  Database db;
  for (int i = 1; i <= 40; ++i) {
    const folio::Author& a = db.create(Author{.name = "Author " + std::to_string(i),
                                              .email = "a" + std::to_string(i) + "@example.com"});
    // About 10 MiB of bios, of lengths that are no multiple of a block.
    std::string bio(250000 + static_cast<std::size_t>(i) * 997, 'x');
    for (std::size_t k = 0; k < bio.size(); k += 101) bio[k] = static_cast<char>('a' + (k + i) % 26);
    db.create(AuthorProfile{.author_id = a.id, .bio = bio});
  }
  TempDir dir;
  folio::save_snapshot(db, dir / "big.folio");
  const Bytes bytes = read_bytes(dir / "big.folio");
  CHECK(bytes.size() > (std::size_t{10} << 20));
  CHECK(state(folio::load_snapshot(dir / "big.folio")) == state(db));
  // tmpfs, where direct writes may be refused or ignored: the same bytes.
  std::error_code ec;
  if (fs::is_directory("/dev/shm", ec) && ::access("/dev/shm", W_OK) == 0) {
    const fs::path shm = fs::path("/dev/shm") / ("folio_test_" + std::to_string(::getpid()) + ".folio");
    folio::save_snapshot(db, shm);
    CHECK(read_bytes(shm) == bytes);
    CHECK(state(folio::load_snapshot(shm)) == state(db));
    fs::remove(shm, ec);
  }
}

TEST_CASE("Test an empty database round-trips", "[snapshot][roundtrip]") {
  TempDir dir;
  folio::save_snapshot(Database(), dir / "empty.folio");
  CHECK(state(folio::load_snapshot(dir / "empty.folio")) == state(Database()));
}

TEST_CASE("Test saving over a snapshot replaces it", "[snapshot][roundtrip]") {
  TempDir dir;
  folio::save_snapshot(folio::seed_database(), dir / "s.folio");
  const Database db = edge_database();
  folio::save_snapshot(db, dir / "s.folio");
  CHECK(state(folio::load_snapshot(dir / "s.folio")) == state(db));
  CHECK(dir.names() == std::vector<std::string>{"s.folio"});
}

TEST_CASE("Test load_snapshot_into replaces the database's rows",
          "[snapshot][roundtrip]") {
  TempDir dir;
  folio::save_snapshot(folio::seed_database(), dir / "seed.folio");
  Database db = edge_database();
  folio::load_snapshot_into(db, dir / "seed.folio");
  CHECK(state(db) == state(folio::seed_database()));
}

TEST_CASE("Test read_snapshot_info reports the frame", "[snapshot][info]") {
  const folio::SnapshotInfo info =
      folio::read_snapshot_info(kData / "seed-format1.folio");
  CHECK(info.format_version == 1);
  CHECK(info.file_bytes == fs::file_size(kData / "seed-format1.folio"));
  REQUIRE(info.tables.size() == 3);
  CHECK(info.tables[0].name == "authors");
  CHECK(info.tables[0].row_version == 1);
  CHECK(info.tables[0].rows == 3);
  CHECK(info.tables[0].next_id == 4);
  CHECK(info.tables[1].name == "author_profiles");
  CHECK(info.tables[1].row_version == 2);
  CHECK(info.tables[2].name == "books");
  CHECK(info.tables[2].rows == 5);
}

// ---- The checked-in files (tests/tools/make_snapshot_files.cc) ----

TEST_CASE("Test the checked-in format 1 file of the seed still loads",
          "[snapshot][compat]") {
  CHECK(state(folio::load_snapshot(kData / "seed-format1.folio")) ==
        state(folio::seed_database()));
  CHECK(folio::verify_snapshot(kData / "seed-format1.folio").empty());
}

TEST_CASE("Test saving the seed writes the checked-in file byte for byte",
          "[snapshot][compat]") {
  // When this fails the layout changed: bump kSnapshotFormatVersion, keep
  // reading the old files, and add a file of the new format.
  TempDir dir;
  folio::save_snapshot(folio::seed_database(), dir / "seed.folio");
  CHECK(read_bytes(dir / "seed.folio") == seed_bytes());
}

TEST_CASE(
    "Test a snapshot written before author_profiles existed loads it empty",
    "[snapshot][compat]") {
  const Database db =
      folio::load_snapshot(kData / "seed-before-profiles.folio");
  Database expected = folio::seed_database();
  expected.remove<AuthorProfile>(1);
  expected.remove<AuthorProfile>(2);
  auto want = state(expected);
  want.next_ids[1] = 1;  // the table starts over
  CHECK(state(db) == want);
}

TEST_CASE(
    "Test author_profiles rows of row version 1 are upgraded with a null "
    "birth_year",
    "[snapshot][compat]") {
  const folio::SnapshotInfo info =
      folio::read_snapshot_info(kData / "seed-profiles-row1.folio");
  REQUIRE(info.tables.size() == 3);
  CHECK(info.tables[1].row_version == 1);
  const Database db = folio::load_snapshot(kData / "seed-profiles-row1.folio");
  Database expected = folio::seed_database();
  for (Id id : {1, 2}) {
    AuthorProfile p = expected.get<AuthorProfile>(id);
    p.birth_year.reset();
    expected.update(p);
  }
  CHECK(state(db) == state(expected));
}

// ---- Errors, each with its message ----

TEST_CASE("Test a missing file is an I/O error naming it",
          "[snapshot][errors]") {
  TempDir dir;
  try {
    folio::load_snapshot(dir / "nope.folio");
    FAIL("loaded");
  } catch (const SnapshotError& e) {
    CHECK(e.fault() == SnapshotFault::kIo);
    CHECK(e.path() == (dir / "nope.folio").string());
    CHECK_THAT(e.what(),
               Catch::StartsWith((dir / "nope.folio").string() +
                                 ": cannot open the snapshot: No such file"));
  }
}

TEST_CASE("Test a file that is no snapshot is refused as such",
          "[snapshot][errors]") {
  TempDir dir;
  std::ofstream(dir / "text.folio") << "id,name\n1,George Orwell\n";
  try {
    folio::load_snapshot(dir / "text.folio");
    FAIL("loaded");
  } catch (const SnapshotError& e) {
    CHECK(e.fault() == SnapshotFault::kNotSnapshot);
    CHECK(std::string(e.what()) == (dir / "text.folio").string() +
                                       ": not a folio snapshot (it does not "
                                       "start with folio's magic bytes)");
  }
}

TEST_CASE("Test a truncated file says how many bytes it should have",
          "[snapshot][errors]") {
  Bytes bytes = seed_bytes();
  bytes.resize(500);
  const auto [fault, message] = failure(bytes);
  CHECK(fault == SnapshotFault::kTruncated);
  CHECK(message ==
        "test.folio: truncated snapshot: expected 829 bytes, got 500");
}

TEST_CASE("Test a damaged body fails its checksum", "[snapshot][errors]") {
  Bytes bytes = seed_bytes();
  replace(bytes, "Orwell", "Orwall");
  const auto [fault, message] = failure(bytes);
  CHECK(fault == SnapshotFault::kChecksum);
  CHECK_THAT(
      message,
      Catch::StartsWith("test.folio: checksum mismatch: the file is damaged"));
}

TEST_CASE("Test a newer format version is refused, naming both versions",
          "[snapshot][errors]") {
  Bytes bytes = seed_bytes();
  bytes[8] = std::byte{2};
  const auto [fault, message] = failure(bytes);
  CHECK(fault == SnapshotFault::kNewerFormat);
  CHECK(
      message ==
      "test.folio: written in snapshot format version 2, newer than this build "
      "reads (versions 1 to 1)");
}

TEST_CASE("Test an unknown table is refused by name", "[snapshot][errors]") {
  Bytes bytes = seed_bytes();
  replace(bytes,
          "\x05"
          "books",
          "\x05"
          "bookz");
  reseal(bytes);
  const auto [fault, message] = failure(bytes);
  CHECK(fault == SnapshotFault::kUnknownTable);
  CHECK(message ==
        "test.folio: unknown table bookz (this build has authors, "
        "author_profiles, books)");
}

TEST_CASE("Test rows of a newer row version are refused",
          "[snapshot][errors]") {
  Bytes bytes = seed_bytes();
  // The row version follows the name in the schema.
  const std::size_t version = find(bytes,
                                   "\x05"
                                   "books") +
                              6;
  bytes[version] = std::byte{7};
  reseal(bytes);
  const auto [fault, message] = failure(bytes);
  CHECK(fault == SnapshotFault::kNewerRowVersion);
  CHECK(message ==
        "test.folio: table books has rows of version 7, newer than this build "
        "reads (versions 1 to 1)");
}

TEST_CASE(
    "Test a row that breaks a field rule names table, row id, field and "
    "message",
    "[snapshot][errors][rules]") {
  Bytes bytes = seed_bytes();
  replace(bytes, "rowling@example.com", "rowling#example.com");
  reseal(bytes);
  const auto [fault, message] = failure(bytes);
  CHECK(fault == SnapshotFault::kRule);
  CHECK(message ==
        "test.folio: broken rule in table authors, row id 2, field email: "
        "Enter a valid email address.");
}

TEST_CASE(
    "Test a duplicate email is reported as Django's unique error of the field",
    "[snapshot][errors][rules]") {
  TempDir dir;
  Database db;
  db.restore(Author{1, "A", "aa@example.com", true, at(1, 0)});
  db.restore(Author{2, "B", "ab@example.com", true, at(1, 0)});
  folio::save_snapshot(db, dir / "d.folio");
  Bytes bytes = read_bytes(dir / "d.folio");
  replace(bytes, "ab@example.com", "aa@example.com");
  reseal(bytes);
  CHECK(failure(bytes).second ==
        "test.folio: broken rule in table authors, row id 2, field email: "
        "Author with this Email already exists.");
}

TEST_CASE("Test a duplicate (author, title) is reported under __all__",
          "[snapshot][errors][rules]") {
  TempDir dir;
  Database db;
  db.restore(Author{1, "A", "a@example.com", true, at(1, 0)});
  db.restore(Book{1, 1, "Title A", 2000, Decimal::from_units(100, 2), true});
  db.restore(Book{2, 1, "Title B", 2000, Decimal::from_units(100, 2), true});
  folio::save_snapshot(db, dir / "d.folio");
  Bytes dup = read_bytes(dir / "d.folio");
  replace(dup, "Title ATitle B", "Title ATitle A");
  reseal(dup);
  CHECK(failure(dup).second ==
        "test.folio: broken rule in table books, row id 2, field __all__: "
        "Book with this Author and Title already exists.");
}

TEST_CASE("Test a row whose parent is missing breaks its foreign key",
          "[snapshot][errors][rules]") {
  try {
    folio::load_snapshot(kData / "bad-missing-parent.folio");
    FAIL("loaded");
  } catch (const SnapshotError& e) {
    CHECK(e.fault() == SnapshotFault::kRule);
    CHECK(std::string(e.what()) ==
          (kData / "bad-missing-parent.folio").string() +
              ": broken rule in table books, row id 1, field author: "
              "author instance with id 1 does not exist.");
  }
}

TEST_CASE("Test bytes after the end of a snapshot are refused",
          "[snapshot][errors]") {
  Bytes bytes = seed_bytes();
  bytes.push_back(std::byte{0});
  const auto [fault, message] = failure(bytes);
  CHECK(fault == SnapshotFault::kCorrupt);
  CHECK(
      message ==
      "test.folio: corrupt snapshot: 1 bytes after its end (the frame says 829 "
      "bytes, the file has 830)");
}

TEST_CASE("Test a next id at or below the highest id is refused",
          "[snapshot][errors]") {
  Bytes bytes = seed_bytes();
  // books: name, row version (4), rows (8), then next id 6.
  const std::size_t next_id = find(bytes,
                                   "\x05"
                                   "books") +
                              6 + 4 + 8;
  bytes[next_id] = std::byte{5};
  reseal(bytes);
  const auto [fault, message] = failure(bytes);
  CHECK(fault == SnapshotFault::kCorrupt);
  CHECK(message ==
        "test.folio: corrupt snapshot: table books has next id 5, not above "
        "its highest id 5");
}

TEST_CASE(
    "Test verify_snapshot lists every broken row and is empty for a sound file",
    "[snapshot][verify]") {
  TempDir dir;
  CHECK(folio::verify_snapshot(kData / "seed-format1.folio").empty());
  const std::string bad = (kData / "bad-missing-parent.folio").string();
  const std::vector<std::string> problems = folio::verify_snapshot(bad);
  REQUIRE(problems.size() == 5);
  CHECK(problems[0] ==
        bad +
            ": broken rule in table books, row id 1, field author: "
            "author instance with id 1 does not exist.");
  CHECK(problems[4] ==
        bad +
            ": broken rule in table books, row id 5, field author: "
            "author instance with id 3 does not exist.");
  std::ofstream(dir / "text.folio") << "hello";
  CHECK(
      folio::verify_snapshot(dir / "text.folio") ==
      std::vector<std::string>{(dir / "text.folio").string() +
                               ": not a folio snapshot (it does not start with "
                               "folio's magic bytes)"});
}

// ---- Hostile bytes ----

TEST_CASE("Test a snapshot cut at every byte offset gives a clear error",
          "[snapshot][hostile]") {
  const Bytes bytes = seed_bytes();
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    INFO("cut at " << n);
    const Bytes cut(bytes.begin(),
                    bytes.begin() + static_cast<std::ptrdiff_t>(n));
    CHECK_THROWS_AS(load(cut), SnapshotError);
    if (n >= 8) CHECK(failure(cut).first == SnapshotFault::kTruncated);
  }
}

TEST_CASE("Test cut files on disk are refused before they are read whole",
          "[snapshot][hostile]") {
  TempDir dir;
  const Bytes bytes = seed_bytes();
  for (std::size_t n : {0, 1, 7, 8, 11, 12, 23, 24, 35, 36, 100, 828}) {
    INFO("cut at " << n);
    write_bytes(
        dir / "cut.folio",
        Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n)));
    CHECK_THROWS_AS(folio::load_snapshot(dir / "cut.folio"), SnapshotError);
  }
}

TEST_CASE("Test every single-bit flip is caught", "[snapshot][hostile]") {
  const Bytes bytes = seed_bytes();
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      INFO("byte " << i << " bit " << bit);
      Bytes flipped = bytes;
      flipped[i] ^= std::byte{static_cast<unsigned char>(1 << bit)};
      CHECK_THROWS_AS(load(flipped), SnapshotError);
    }
  }
}

TEST_CASE("Test bit flips behind a valid checksum load or give a clear error",
          "[snapshot][hostile]") {
  // The body parser's own defences: the checksum recomputed after each flip.
  const Bytes bytes = seed_bytes();
  int loaded = 0;
  for (std::size_t i = 0; i + 8 < bytes.size(); ++i) {
    for (int bit = 0; bit < 8; ++bit) {
      INFO("byte " << i << " bit " << bit);
      Bytes flipped = bytes;
      flipped[i] ^= std::byte{static_cast<unsigned char>(1 << bit)};
      reseal(flipped);
      try {
        const Database db = load(flipped);
        ++loaded;
      } catch (const SnapshotError&) {
      }
    }
  }
  CHECK(loaded > 0);  // a flipped letter of a name is still a valid row
}

TEST_CASE(
    "Test huge counts and lengths behind a valid checksum allocate nothing",
    "[snapshot][hostile]") {
  Bytes bytes = seed_bytes();
  // The authors' row count in the schema.
  const std::size_t rows = find(bytes,
                                "\x07"
                                "authors") +
                           8 + 4;
  const std::uint64_t huge = 1ULL << 60;
  std::memcpy(bytes.data() + rows, &huge, 8);
  reseal(bytes);
  const auto [fault, message] = failure(bytes);
  CHECK(fault == SnapshotFault::kCorrupt);
  CHECK_THAT(message, Catch::Contains("claims 1152921504606846976 rows"));
  // The body length in the prefix.
  Bytes body = seed_bytes();
  std::memcpy(body.data() + 16, &huge, 8);
  CHECK(failure(body).first == SnapshotFault::kTruncated);
}

TEST_CASE(
    "Test ids aimed at one bucket of the id index are refused, not loaded "
    "slowly",
    "[snapshot][hostile]") {
  // The loader sizes the id index for the rows it loads; ids that are
  // multiples of that bucket count would all share bucket 0.
  Database probe;
  probe.reserve<Author>(200);
  const auto buckets = static_cast<Id>(
      probe.table<Author>().index<folio::by_id>().bucket_count());
  Database db;
  for (Id k = 1; k <= 200; ++k) {
    db.restore(Author{k * buckets, "A",
                      "a" + std::to_string(k) + "@example.com", true,
                      at(1, 0)});
  }
  TempDir dir;
  folio::save_snapshot(db, dir / "aimed.folio");
  try {
    folio::load_snapshot(dir / "aimed.folio");
    FAIL("loaded");
  } catch (const SnapshotError& e) {
    CHECK(e.fault() == SnapshotFault::kCorrupt);
    CHECK_THAT(
        e.what(),
        Catch::Contains("table authors has more than 64 rows whose ids fall "
                        "into one bucket of its hash index"));
  }
}

// ---- Failures change nothing ----

TEST_CASE("Test a failed load leaves the database exactly as it was",
          "[snapshot][atomic]") {
  TempDir dir;
  Database db = edge_database();
  const auto before = state(db);
  write_bytes(dir / "bad.folio",
              read_bytes(kData / "bad-missing-parent.folio"));
  CHECK_THROWS_AS(folio::load_snapshot_into(db, dir / "bad.folio"),
                  SnapshotError);
  CHECK(state(db) == before);
  CHECK_THROWS_AS(folio::load_snapshot_into(db, dir / "missing.folio"),
                  SnapshotError);
  CHECK(state(db) == before);
  Bytes flipped = seed_bytes();
  flipped[300] ^= std::byte{4};
  write_bytes(dir / "flipped.folio", flipped);
  CHECK_THROWS_AS(folio::load_snapshot_into(db, dir / "flipped.folio"),
                  SnapshotError);
  CHECK(state(db) == before);
}

TEST_CASE("Test load_snapshot_into refuses to run inside a transaction",
          "[snapshot][atomic]") {
  Database db = folio::seed_database();
  folio::BasicDatabase<Author, AuthorProfile, Book>::Transaction tx(db);
  CHECK_THROWS_AS(folio::load_snapshot_into(db, kData / "seed-format1.folio"),
                  folio::UsageError);
}

namespace {

// Saves `db` over `path` in a child process whose files may not grow past
// `limit` bytes (a full disk); returns the child's exit code: 0 when the save
// failed with SnapshotError kIo, 1 when it succeeded, 2 otherwise.
int save_with_file_limit(const Database& db, const fs::path& path,
                         rlim_t limit) {
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::signal(SIGXFSZ, SIG_IGN);
    const rlimit rl{limit, limit};
    ::setrlimit(RLIMIT_FSIZE, &rl);
    int code = 2;
    try {
      folio::save_snapshot(db, path);
      code = 1;
    } catch (const SnapshotError& e) {
      code = e.fault() == SnapshotFault::kIo &&
                     std::string_view(e.what()).find("File too large") !=
                         std::string_view::npos
                 ? 0
                 : 2;
    } catch (...) {
    }
    ::_exit(code);
  }
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

}  // namespace

TEST_CASE(
    "Test a save that runs out of disk leaves the old file intact and no "
    "temporary file",
    "[snapshot][atomic]") {
  TempDir dir;
  folio::save_snapshot(folio::seed_database(), dir / "s.folio");
  const Bytes old = read_bytes(dir / "s.folio");
  const Database big = generated_database(100);
  folio::save_snapshot(big, dir / "probe.folio");
  const auto size = static_cast<rlim_t>(fs::file_size(dir / "probe.folio"));
  fs::remove(dir / "probe.folio");
  for (rlim_t limit : {rlim_t{0}, rlim_t{10}, size / 2, size - 9, size - 1}) {
    INFO("file size limit " << limit);
    CHECK(save_with_file_limit(big, dir / "s.folio", limit) == 0);
    CHECK(read_bytes(dir / "s.folio") == old);
    CHECK(dir.names() == std::vector<std::string>{"s.folio"});
  }
  CHECK(state(folio::load_snapshot(dir / "s.folio")) ==
        state(folio::seed_database()));
}

TEST_CASE("Test a save over a folder is refused and leaves no temporary file",
          "[snapshot][atomic]") {
  TempDir dir;
  fs::create_directories(dir / "target.folio" / "inside");
  try {
    folio::save_snapshot(folio::seed_database(), dir / "target.folio");
    FAIL("saved");
  } catch (const SnapshotError& e) {
    CHECK(e.fault() == SnapshotFault::kIo);
    CHECK_THAT(e.what(), Catch::Contains("is not a regular file"));
  }
  CHECK(dir.names() == std::vector<std::string>{"target.folio"});
  CHECK(fs::is_directory(dir / "target.folio" / "inside"));
}

TEST_CASE("Test a save into a missing folder is an I/O error",
          "[snapshot][atomic]") {
  TempDir dir;
  try {
    folio::save_snapshot(folio::seed_database(), dir / "no" / "s.folio");
    FAIL("saved");
  } catch (const SnapshotError& e) {
    CHECK(e.fault() == SnapshotFault::kIo);
    CHECK_THAT(e.what(),
               Catch::Contains("cannot create a temporary file in its folder"));
  }
}

TEST_CASE("Test a save over a device is refused and leaves the device alone",
          "[snapshot][atomic]") {
  try {
    folio::save_snapshot(folio::seed_database(), "/dev/null");
    FAIL("saved");
  } catch (const SnapshotError& e) {
    CHECK(e.fault() == SnapshotFault::kIo);
    CHECK_THAT(e.what(), Catch::Contains("is not a regular file"));
  }
  CHECK(fs::is_character_file("/dev/null"));
}

// ---- The bulk path of the database ----

TEST_CASE(
    "Test bulk_restore refuses what restore refuses, with the same errors",
    "[snapshot][bulk]") {
  const std::vector<Book> rows = {
      Book{1, 1, "Dup id", 2000, Decimal::from_units(1, 2), true},  // id taken
      Book{9, 99, "No author", 2000, Decimal::from_units(1, 2),
           true},  // foreign key
      Book{9, 1, "1984", 2000, Decimal::from_units(1, 2),
           true},                                          // (author, title)
      Book{9, 1, "", 0, Decimal::from_units(1, 2), true},  // fields
      Book{1, 1, "", 0, Decimal::from_units(1, 2), true},  // id before fields
  };
  for (const Book& row : rows) {
    INFO(row.title);
    Database a = folio::seed_database();
    Database b = folio::seed_database();
    std::string restore_error, bulk_error;
    try {
      a.restore(row);
    } catch (const folio::Error& e) {
      restore_error = e.what();
    }
    try {
      b.bulk_restore(row);
    } catch (const folio::Error& e) {
      bulk_error = e.what();
    }
    CHECK_FALSE(restore_error.empty());
    CHECK(bulk_error == restore_error);
    CHECK(state(b) == state(folio::seed_database()));
  }
  Database db = folio::seed_database();
  folio::BasicDatabase<Author, AuthorProfile, Book>::Transaction tx(db);
  CHECK_THROWS_AS(
      db.bulk_restore(Book{9, 1, "New", 2000, Decimal::from_units(1, 2), true}),
      folio::UsageError);
}

TEST_CASE("Test bulk_restore builds the same indexes as restore, in any order",
          "[snapshot][bulk]") {
  const Database reference = generated_database(100);
  Database db;
  db.reserve<Author>(reference.count<Author>());
  db.reserve<Book>(reference.count<Book>());
  for (const Author& a : reference.all<Author>()) db.bulk_restore(a);
  for (const AuthorProfile& p : reference.all<AuthorProfile>())
    db.bulk_restore(p);
  // Books newest first: every hint at the end of by_author is wrong.
  const auto books = reference.all<Book>();
  for (auto it = books.end(); it != books.begin();) db.bulk_restore(*--it);
  CHECK(state(db) == state(reference));
}
