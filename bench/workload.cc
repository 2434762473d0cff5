#include "workload.h"

#include <malloc.h>
#include <sys/resource.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <numeric>
#include <stdexcept>

namespace folio::bench {
namespace {

constexpr std::array<std::string_view, 32> kFirst = {
    "George",  "Joanne", "Leo",    "Virginia", "James",  "Jane",   "Fyodor",
    "Mary",    "Franz",  "Emily",  "Mark",     "Agatha", "Ernest", "Toni",
    "Gabriel", "Doris",  "Anton",  "Ursula",   "Albert", "Simone", "Italo",
    "Sylvia",  "Jorge",  "Harper", "Thomas",   "Zadie",  "Orhan",  "Chinua",
    "Haruki",  "Nadine", "Victor", "Edith"};
constexpr std::array<std::string_view, 32> kLast = {
    "Orwell",     "Rowling",  "Tolstoy", "Woolf",   "Joyce",    "Austen",
    "Dostoevsky", "Shelley",  "Kafka",   "Bronte",  "Twain",    "Christie",
    "Hemingway",  "Morrison", "Marquez", "Lessing", "Chekhov",  "LeGuin",
    "Camus",      "Beauvoir", "Calvino", "Plath",   "Borges",   "Lee",
    "Mann",       "Smith",    "Pamuk",   "Achebe",  "Murakami", "Gordimer",
    "Hugo",       "Wharton"};
constexpr std::array<std::string_view, 4> kDomains = {
    "example.com", "example.org", "mail.example.net", "books.test"};
constexpr std::array<std::string_view, 8> kBios = {
    "English novelist and journalist",
    "British author, philanthropist",
    "Russian writer of novels and short stories",
    "Poet, essayist and critic",
    "Author of literary fiction",
    "Playwright and novelist",
    "Writer of speculative fiction and essays",
    ""};
constexpr std::array<std::string_view, 16> kAdjectives = {
    "Silent",  "Broken",  "Golden",   "Hidden", "Last",   "Distant",
    "Crimson", "Quiet",   "Burning",  "Lost",   "Winter", "Secret",
    "Little",  "Endless", "Northern", "Pale"};
constexpr std::array<std::string_view, 16> kNouns = {
    "River",   "Garden",  "Empire",  "Letters", "Harbour", "Mountain",
    "Station", "Orchard", "Kingdom", "Voyage",  "Island",  "Archive",
    "Lantern", "Forest",  "Bridge",  "Shadow"};

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string pick(Rng& rng, auto const& list) {
  return std::string(list[rng.below(list.size())]);
}

std::size_t parse_count(std::string_view text) {
  std::string s(text);
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (end == s.c_str()) throw std::invalid_argument("not a count: " + s);
  std::string_view suffix(end);
  if (suffix == "k" || suffix == "K") {
    v *= 1e3;
  } else if (suffix == "m" || suffix == "M") {
    v *= 1e6;
  } else if (!suffix.empty()) {
    throw std::invalid_argument("not a count: " + s);
  }
  if (v < 1) throw std::invalid_argument("the count must be at least 1: " + s);
  return static_cast<std::size_t>(v);
}

}  // namespace

Workload make_workload(std::size_t n, std::uint64_t seed) {
  Rng rng(seed);
  Workload w;
  w.authors.reserve(n);
  w.profiles.reserve(n - n / 10 + 1);
  w.books.reserve(5 * n);
  w.profile_of.assign(n, -1);
  // 2020-01-01T00:00:00Z, plus up to six years.
  constexpr std::int64_t kBase = 1'577'836'800'000'000;
  constexpr std::uint64_t kSpan = 6ULL * 365 * 24 * 3600 * 1'000'000;
  for (std::size_t i = 0; i < n; ++i) {
    const Id id = static_cast<Id>(i + 1);
    const std::string last = pick(rng, kLast);
    Author a;
    a.id = id;
    a.name = pick(rng, kFirst) + " " + last;
    a.email =
        lower(last) + "." + std::to_string(id) + "@" + pick(rng, kDomains);
    a.is_active = rng.below(20) != 0;
    a.created_at = DateTime::from_micros(
        kBase + static_cast<std::int64_t>(rng.below(kSpan)));
    // A profile for 90% of the authors.
    if (rng.below(10) != 0) {
      AuthorProfile p;
      p.id = static_cast<Id>(w.profiles.size() + 1);
      p.author_id = id;
      p.bio = pick(rng, kBios);
      p.website = "https://example.com/" + lower(last) + std::to_string(id);
      if (rng.below(5) != 0)
        p.birth_year = 1900 + static_cast<std::int32_t>(rng.below(100));
      w.profile_of[i] = static_cast<std::int32_t>(w.profiles.size());
      w.profiles.push_back(std::move(p));
    }
    for (int k = 0; k < 5; ++k) {
      Book b;
      b.id = static_cast<Id>(5 * i + k + 1);
      b.author_id = id;
      // "The <Adjective> <Noun>, part <k>": unique per author by the part.
      b.title = "The " + pick(rng, kAdjectives) + " " + pick(rng, kNouns) +
                ", part " + std::to_string(k + 1);
      b.published_year = 1950 + static_cast<std::int32_t>(rng.below(76));
      b.price = Decimal::from_units(
          99 + static_cast<std::int64_t>(rng.below(9901)), 2);
      b.is_published = rng.below(10) != 0;
      w.books.push_back(std::move(b));
    }
    w.authors.push_back(std::move(a));
  }
  return w;
}

std::string to_string(const Totals& t) {
  char buf[200];
  std::snprintf(
      buf, sizeof buf,
      "authors=%llu profiles=%llu books=%llu price_cents=%lld email_bytes=%llu",
      static_cast<unsigned long long>(t.authors),
      static_cast<unsigned long long>(t.profiles),
      static_cast<unsigned long long>(t.books),
      static_cast<long long>(t.price_cents),
      static_cast<unsigned long long>(t.email_bytes));
  return buf;
}

Totals totals_of(const Database& db) {
  Totals t;
  t.authors = db.count<Author>();
  t.profiles = db.count<AuthorProfile>();
  t.books = db.count<Book>();
  for (const Book& b : db.table<Book>().container()) t.price_cents += cents(b);
  for (const Author& a : db.table<Author>().container())
    t.email_bytes += a.email.size();
  return t;
}

Totals totals_of(const Workload& w) {
  Totals t;
  t.authors = w.authors.size();
  t.profiles = w.profiles.size();
  t.books = w.books.size();
  for (const Book& b : w.books) t.price_cents += cents(b);
  for (const Author& a : w.authors) t.email_bytes += a.email.size();
  return t;
}

std::vector<std::uint32_t> random_indexes(std::size_t count, std::size_t n,
                                          std::uint64_t seed) {
  Rng rng(seed);
  std::vector<std::uint32_t> out(count);
  for (auto& x : out) x = static_cast<std::uint32_t>(rng.below(n));
  return out;
}

std::vector<std::uint32_t> distinct_indexes(std::size_t count, std::size_t n,
                                            std::uint64_t seed) {
  Rng rng(seed);
  std::vector<std::uint32_t> all(n);
  std::iota(all.begin(), all.end(), 0u);
  if (count > n) count = n;
  for (std::size_t i = 0; i < count; ++i) {  // partial Fisher-Yates
    std::swap(all[i], all[i + rng.below(n - i)]);
  }
  all.resize(count);
  return all;
}

void KeyStrings::push_back(std::string_view s) {
  chars_.append(s);
  starts_.push_back(chars_.size());
}

MemoryProbe probe_memory() {
  malloc_trim(0);
  MemoryProbe m;
  if (std::FILE* f = std::fopen("/proc/self/statm", "r")) {
    unsigned long size = 0, resident = 0;
    if (std::fscanf(f, "%lu %lu", &size, &resident) == 2) {
      m.resident_bytes =
          resident * static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
    }
    std::fclose(f);
  }
  struct mallinfo2 mi = mallinfo2();
  m.heap_bytes = mi.uordblks + mi.hblkhd;
  return m;
}

std::size_t peak_resident_bytes() {
  struct rusage usage {};
  if (getrusage(RUSAGE_SELF, &usage) != 0) return 0;
  return static_cast<std::size_t>(usage.ru_maxrss) * 1024;  // KiB on Linux
}

std::string option_from_args(int* argc, char** argv, std::string_view name,
                             const char* env, std::string fallback) {
  const std::string prefix = "--" + std::string(name) + "=";
  std::string value;
  bool found = false;
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    std::string_view arg(argv[i]);
    if (arg.substr(0, prefix.size()) == prefix) {
      value = std::string(arg.substr(prefix.size()));
      found = true;
    } else {
      argv[out++] = argv[i];
    }
  }
  *argc = out;
  if (found) return value;
  if (env != nullptr) {
    if (const char* v = std::getenv(env); v != nullptr && *v != '\0') return v;
  }
  return fallback;
}

std::size_t authors_from_args(int* argc, char** argv) {
  std::string text = option_from_args(argc, argv, "n", "FOLIO_BENCH_N", "");
  return text.empty() ? kDefaultAuthors : parse_count(text);
}

}  // namespace folio::bench
