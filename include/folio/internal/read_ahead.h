// Reading ahead for bulk inserts and lookups in Boost.MultiIndex hashed
// indexes.
//
// Inserting a row into a hashed index of millions reads memory at random
// places: the key's bucket (one slot of the bucket array), the first row
// already in it (its key is compared, its links change) and, to find where
// the bucket ends, what that row's next link points to. Each read waits for
// the one before it, and an insert waits for all three: about three round
// trips to memory a row, for each such index. A loader knows the rows to
// come, so it can ask for those reads rows before it needs them, each stage
// once the stage before it has arrived:
//
//   row i + 3d: hash the key, prefetch the bucket's slot;
//   row i + 2d: read the slot, prefetch the first node in the bucket;
//   row i + d:  read that node's next link, prefetch what it points to;
//   row i:      insert (everything it reads is in the cache by now).
//
// Boost offers no public way to find a bucket's slot without reading it,
// which is the very wait this avoids. BucketSlots finds the slot array from
// the index's header node as Boost.MultiIndex 1.81 lays it out (the rows
// form one list that ends at the header; the last link before it leads to
// the sentinel slot just past the last bucket, whose prior link points back
// to the header), checks that it is so, and does nothing when it is not: a
// read-ahead is a hint and never changes a result.
//
// Thread safety: a read-ahead only reads the index; it is used by the one
// thread that writes the table, or while no thread writes it.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>

namespace folio::internal {

// A prefetch the compiler keeps: GCC 12 at -O3 dropped some of these
// read-ahead's prefetches (those of rows found through a slot) as dead code,
// which the empty asm, taking the address, prevents.
inline void prefetch(const void* p) noexcept {
  __builtin_prefetch(p);
  asm volatile("" : : "r"(p));
}

// The slot array of a hashed index's buckets, found from its header node.
template <class Index>
class BucketSlots {
  using Node = std::remove_pointer_t<
      decltype(std::declval<const Index&>().end().get_node())>;
  using Impl = std::remove_pointer_t<
      decltype(std::declval<const Node&>().impl())>;
  using Slot = std::remove_pointer_t<std::remove_reference_t<
      decltype(std::declval<Impl&>().next())>>;

 public:
  explicit BucketSlots(const Index& index) noexcept : index_(&index) {
    refresh();
  }

  // True while the index has the bucket array the slots were found in (a
  // rehash replaces it).
  bool current() const noexcept { return slots_ != nullptr && count_ == index_->bucket_count(); }
  // Finds the slots again (after a rehash).
  void refresh() noexcept {
    count_ = index_->bucket_count();
    const Impl* header = index_->end().get_node()->impl();
    // The list of rows ends at the header's prior; its last link leads to
    // the sentinel (the header's own, while the index is empty).
    Slot* sentinel = header->prior()->next();
    slots_ = sentinel != nullptr && sentinel->prior() == header
                 ? sentinel - count_
                 : nullptr;
  }
  std::size_t bucket_count() const noexcept { return count_; }

  // REQUIRES for the four below: current(), n < bucket_count().
  // The first row in bucket n, or nullptr: what index.begin(n) gives, read
  // through the slot.
  const typename Index::value_type* first(std::size_t n) const noexcept {
    const Impl* x = slots_[n].prior();
    return x != nullptr ? &Node::from_impl(x)->value() : nullptr;
  }
  // Prefetches bucket n's slot.
  void fetch_slot(std::size_t n) const noexcept { prefetch(slots_ + n); }
  // Reads bucket n's slot and prefetches its first node: the row's key, its
  // links in this index.
  void fetch_first(std::size_t n) const noexcept {
    if (const Impl* x = slots_[n].prior()) {
      const auto* row =
          reinterpret_cast<const char*>(&Node::from_impl(x)->value());
      prefetch(row);
      prefetch(row + sizeof(typename Index::value_type) - 1);
      prefetch(x);
    }
  }
  // Reads bucket n's first node and prefetches what its next link points
  // to (the next row in the bucket, or the slot of another bucket), which
  // an insert reads to find where the bucket ends.
  void fetch_next(std::size_t n) const noexcept {
    if (const Impl* x = slots_[n].prior()) prefetch(x->next());
  }

 private:
  const Index* index_;
  std::size_t count_ = 0;
  Slot* slots_ = nullptr;
};

// A read-ahead through one hashed index: the bucket of key_of(row) for the
// rows to come. The key is either the index's own (an insert) or another
// table's value (a lookup, such as a foreign key's parent).
template <class Index, class KeyOf>
class HashProbe {
 public:
  static constexpr std::size_t kRing = 64;  // > the read-ahead distance

  HashProbe(const Index& index, KeyOf key_of) noexcept
      : index_(&index), slots_(index), key_of_(std::move(key_of)) {}

  template <class Row>
  void start(const Row& row, std::size_t i) noexcept {
    if (!slots_.current()) slots_.refresh();
    Entry& e = ring_[i % kRing];
    e.count = 0;
    if (!slots_.current()) return;
    const auto key = key_of_(row);
    if constexpr (std::is_integral_v<std::remove_cv_t<decltype(key)>>) {
      // Integer keys that repeat or count up (ids, a parent's id across its
      // children) come to their buckets in order, which the cache and the
      // processor's own prefetcher already hold: nothing to compute.
      const bool in_order = static_cast<std::uint64_t>(key - last_key_) <= 1;
      last_key_ = key;
      if (in_order) return;
    }
    e.bucket = index_->bucket(key);
    e.count = slots_.bucket_count();
    slots_.fetch_slot(e.bucket);
  }
  void fetch_first(std::size_t i) const noexcept {
    const Entry& e = ring_[i % kRing];
    if (valid(e)) slots_.fetch_first(e.bucket);
  }
  void fetch_next(std::size_t i) const noexcept {
    const Entry& e = ring_[i % kRing];
    if (valid(e)) slots_.fetch_next(e.bucket);
  }

 private:
  struct Entry {
    std::size_t bucket = 0;
    std::size_t count = 0;  // the bucket count it was computed for; 0: none
  };
  bool valid(const Entry& e) const noexcept {
    return e.count != 0 && e.count == index_->bucket_count() && slots_.current();
  }

  const Index* index_;
  BucketSlots<Index> slots_;
  KeyOf key_of_;
  std::int64_t last_key_ = 0;  // an integer key: the last row's
  std::array<Entry, kRing> ring_{};
};

// How many rows ahead each stage runs (d above): enough for a round trip to
// memory to end while the rows between are inserted (measured at 2 to 16 on
// 5 million books; 4 was fastest).
inline constexpr std::size_t kReadAheadDistance = 4;

// Calls insert(rows[i]) for each row in order, with the reads of every probe
// of `probes` (a tuple of HashProbe) started ahead as described above.
template <class Row, class Probes, class Insert>
void insert_reading_ahead(std::span<Row> rows, Probes& probes,
                          Insert&& insert) {
  constexpr std::size_t d = kReadAheadDistance;
  const std::size_t n = rows.size();
  auto each = [&](auto&& f) {
    std::apply([&](auto&... probe) { (f(probe), ...); }, probes);
  };
  // The stages of the first rows, so that row 0 is ready when inserted.
  for (std::size_t i = 0; i < std::min(n, 3 * d); ++i) {
    each([&](auto& p) { p.start(rows[i], i); });
  }
  for (std::size_t i = 0; i < std::min(n, 2 * d); ++i) {
    each([&](auto& p) { p.fetch_first(i); });
  }
  for (std::size_t i = 0; i < std::min(n, d); ++i) {
    each([&](auto& p) { p.fetch_next(i); });
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (i + 3 * d < n) each([&](auto& p) { p.start(rows[i + 3 * d], i + 3 * d); });
    if (i + 2 * d < n) each([&](auto& p) { p.fetch_first(i + 2 * d); });
    if (i + d < n) each([&](auto& p) { p.fetch_next(i + d); });
    insert(rows[i]);
  }
}

// The same reads for a batch that is inserted later, each stage over the
// whole batch before the next one (a hint, see
// BasicDatabase::prefetch_inserts). At most HashProbe::kRing rows.
template <class Row, class Probes>
void read_ahead_batch(std::span<const Row> rows, Probes& probes) {
  auto each = [&](auto&& f) {
    std::apply([&](auto&... probe) { (f(probe), ...); }, probes);
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    each([&](auto& p) { p.start(rows[i], i); });
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    each([&](auto& p) { p.fetch_first(i); });
  }
  for (std::size_t i = 0; i < rows.size(); ++i) {
    each([&](auto& p) { p.fetch_next(i); });
  }
}

}  // namespace folio::internal
