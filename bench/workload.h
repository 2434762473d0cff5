// The benchmark workload: the same rows for folio and for SQLite, drawn from
// a fixed seed, the random keys the lookups use, the check that both sides
// hold the same rows, and the resident-memory probe.
//
// N authors (1,000,000 by default), a profile for 90% of them, 5 books each:
// 6.9 million rows at the default. Rows carry explicit ids (author i has id
// i, its books ids 5i-4..5i, profiles are numbered in author order), so both
// sides agree on every id without asking each other.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "folio/models.h"

namespace folio::bench {

inline constexpr std::size_t kDefaultAuthors = 1'000'000;
inline constexpr std::uint64_t kSeed = 20260121;

// A small, fast, portable generator (splitmix64): the data must not depend on
// the standard library's distributions.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() noexcept {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n). REQUIRES: n > 0.
  std::uint64_t below(std::uint64_t n) noexcept {
    return static_cast<std::uint64_t>(
        (static_cast<unsigned __int128>(next()) * n) >> 64);
  }

 private:
  std::uint64_t state_;
};

// The rows of the workload, in id order per table.
struct Workload {
  std::vector<Author> authors;
  std::vector<AuthorProfile> profiles;
  std::vector<Book> books;
  // profile_of[i]: index in `profiles` of author i+1's profile, or -1.
  std::vector<std::int32_t> profile_of;

  std::size_t rows() const noexcept {
    return authors.size() + profiles.size() + books.size();
  }
};

// Generates the workload for n authors from `seed`. Every row passes folio's
// validation.
Workload make_workload(std::size_t n, std::uint64_t seed = kSeed);

// A book's price in cents, the unit both sides store.
inline std::int64_t cents(const Book& b) noexcept { return b.price.scaled(2); }

// What "both sides hold the same rows" is checked by: row counts, the sum of
// book prices in cents, and the sum of email lengths (which catches an
// update applied on one side only).
struct Totals {
  std::uint64_t authors = 0;
  std::uint64_t profiles = 0;
  std::uint64_t books = 0;
  std::int64_t price_cents = 0;
  std::uint64_t email_bytes = 0;
  friend bool operator==(const Totals&, const Totals&) = default;
};
std::string to_string(const Totals& t);
Totals totals_of(const Database& db);
Totals totals_of(const Workload& w);

// Digests of a row: a number both sides compute from the same columns
// (ids, integers, text lengths), so a lookup's result can be compared across
// sides and cannot be optimised away.
inline std::int64_t digest(const Author& a) noexcept {
  return a.id + static_cast<std::int64_t>(a.name.size() + a.email.size()) +
         a.is_active + a.created_at.micros();
}
inline std::int64_t digest(const AuthorProfile& p) noexcept {
  return p.id + p.author_id +
         static_cast<std::int64_t>(p.bio.size() + p.website.size()) +
         p.birth_year.value_or(0);
}
inline std::int64_t digest(const Book& b) noexcept {
  return b.id + b.author_id + static_cast<std::int64_t>(b.title.size()) +
         b.published_year + cents(b) + b.is_published;
}
// author -> books: the count of the rows and the sum of their prices.
inline std::int64_t books_digest(std::int64_t count,
                                 std::int64_t price_cents) noexcept {
  return (count << 40) + price_cents;
}

// `count` uniform draws from [0, n), from `seed`.
std::vector<std::uint32_t> random_indexes(std::size_t count, std::size_t n,
                                          std::uint64_t seed);
// The first `count` of a random permutation of [0, n): distinct draws.
std::vector<std::uint32_t> distinct_indexes(std::size_t count, std::size_t n,
                                            std::uint64_t seed);

// Strings laid out one after the other in the order they will be used, so
// that reading the next key is a sequential access on both sides.
class KeyStrings {
 public:
  void push_back(std::string_view s);
  std::string_view operator[](std::size_t i) const noexcept {
    return std::string_view(chars_.data() + starts_[i],
                            starts_[i + 1] - starts_[i]);
  }
  std::size_t size() const noexcept { return starts_.size() - 1; }

 private:
  std::string chars_;
  std::vector<std::size_t> starts_{0};
};

// Memory as the kernel and the allocator see it.
struct MemoryProbe {
  std::size_t resident_bytes = 0;  // RSS, from /proc/self/statm
  std::size_t heap_bytes = 0;      // malloc's bytes in use (mallinfo2)
};
// Returns free heap memory to the kernel first (malloc_trim), so that a
// later growth measures what was really added.
MemoryProbe probe_memory();
// The process's peak resident memory so far (getrusage's ru_maxrss).
std::size_t peak_resident_bytes();

// The number of authors: `--n=<count>` (removed from argv), else the
// environment variable FOLIO_BENCH_N, else kDefaultAuthors. Accepts "1e6",
// "1M", "100k".
std::size_t authors_from_args(int* argc, char** argv);
// The value of `--<name>=<value>` (removed from argv), else the environment
// variable `env`, else `fallback`.
std::string option_from_args(int* argc, char** argv, std::string_view name,
                             const char* env, std::string fallback);

}  // namespace folio::bench
