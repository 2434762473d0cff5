// folio::internal::StringHash, the hash of the text keys of the hashed
// indexes (emails, (author_id, title)): every byte of a key counts, and keys
// of the shapes an app has fill a hash table's buckets as random keys do.
#include "folio/internal/hash.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <boost/multi_index/hashed_index.hpp>
#include <boost/multi_index/identity.hpp>
#include <boost/multi_index_container.hpp>

namespace {

using folio::internal::StringHash;

// A key of n bytes that are neither all alike nor all zero.
std::string key_of(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>('a' + (i * 7) % 26);
  return s;
}

struct Fill {
  double probes;     // rows a successful lookup reads, on average
  double expected;   // the same for random hashes: 1 + load / 2
  unsigned largest;  // rows in the fullest bucket
};

// How the hashes of `keys` fill `buckets` buckets, bucket = hash % buckets
// (Boost.MultiIndex and libstdc++ take a prime count this way).
Fill fill(const std::vector<std::string>& keys, std::size_t buckets) {
  std::vector<unsigned> rows(buckets);
  for (const std::string& k : keys) ++rows[StringHash()(k) % buckets];
  double probes = 0;
  for (unsigned r : rows) probes += r * (r + 1) / 2.0;
  const double n = static_cast<double>(keys.size());
  return {probes / n, 1 + n / static_cast<double>(buckets) / 2,
          *std::max_element(rows.begin(), rows.end())};
}

// The bucket count a Boost.MultiIndex hashed index keyed by StringHash takes
// for n keys.
std::size_t boost_buckets(std::size_t n) {
  namespace bmi = boost::multi_index;
  bmi::multi_index_container<
      std::string,
      bmi::indexed_by<bmi::hashed_unique<bmi::identity<std::string>, StringHash>>>
      index;
  index.reserve(n);
  return index.bucket_count();
}

void check_spread(const char* shape, const std::vector<std::string>& keys) {
  INFO(shape << ", " << keys.size() << " keys");
  for (std::size_t buckets :
       {boost_buckets(keys.size()), std::size_t{1} << 18, std::size_t{1000}}) {
    INFO(buckets << " buckets");
    const Fill f = fill(keys, buckets);
    CHECK(f.probes < f.expected * 1.03);
    if (keys.size() <= 2 * buckets) CHECK(f.largest <= 10);
  }
}

}  // namespace

TEST_CASE("StringHash: every byte of a key and its length change the hash") {
  const StringHash hash;
  for (std::size_t n = 0; n <= 100; ++n) {
    const std::string key = key_of(n);
    const std::size_t h = hash(key);
    for (std::size_t i = 0; i < n; ++i) {
      for (unsigned flip : {0x01u, 0x80u}) {
        std::string other = key;
        other[i] = static_cast<char>(other[i] ^ flip);
        INFO("length " << n << ", byte " << i << ", bit flip " << flip);
        CHECK(hash(other) != h);
      }
    }
    CHECK(hash(key + '\0') != h);
  }
  CHECK(hash(std::string()) != hash(std::string(1, '\0')));
  CHECK(hash(std::string(1, '\0')) != hash(std::string(2, '\0')));
}

TEST_CASE("StringHash: keys of an app's shapes fill buckets as random keys do") {
  std::vector<std::string> emails, titles, numbers, shorts, urls, suffixes;
  const char* adjectives[] = {"Silent", "Broken", "Golden", "Hidden", "Last", "Distant"};
  const char* nouns[] = {"Garden", "River", "Empire", "Letter", "Winter", "Harbour"};
  for (int i = 0; i < 200000; ++i) {
    emails.push_back("orwell." + std::to_string(i) + "@example.com");
    titles.push_back(std::string("The ") + adjectives[i % 6] + " " + nouns[i / 6 % 6] +
                     ", part " + std::to_string(i / 36));
    numbers.push_back(std::to_string(i));
    urls.push_back("https://example.com/authors/" + std::to_string(i) + "/" +
                   std::string(static_cast<std::size_t>(i % 60), 'x'));
    // Keys alike but for their last bytes.
    suffixes.push_back(std::string(40, 'k') + std::to_string(i));
  }
  for (char a = 'a'; a <= 'z'; ++a) {
    shorts.push_back(std::string(1, a));
    for (char b = 'a'; b <= 'z'; ++b) {
      shorts.push_back(std::string{a, b});
      for (char c = 'a'; c <= 'z'; ++c) shorts.push_back(std::string{a, b, c});
    }
  }
  check_spread("emails", emails);
  check_spread("titles", titles);
  check_spread("decimal numbers, 1 to 6 bytes", numbers);
  check_spread("1 to 3 letters", shorts);
  check_spread("URLs, 30 to 100 bytes", urls);
  check_spread("42 to 46 bytes, alike but for the last", suffixes);
}

TEST_CASE("StringHash: a key hashes alike wherever its bytes lie") {
  const StringHash hash;
  for (std::size_t n = 0; n <= 70; ++n) {
    const std::string key = key_of(n);
    CHECK(hash(key) == hash(std::string_view(key)));
    // Not aligned: the words are read with memcpy.
    const std::string shifted = "." + key;
    CHECK(hash(std::string_view(shifted).substr(1)) == hash(key));
  }
}
