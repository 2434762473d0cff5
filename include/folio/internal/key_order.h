// Putting rows in the order of a model's ordered index before inserting
// them. An insert into Boost.MultiIndex's ordered index descends its tree
// from the root; rows that come in the index's order all descend the same
// path (in the cache), or take the O(1) hinted insert at its end, while
// rows in any other order (books whose authors come in any order) pay a
// chain of cache misses each: 8 s instead of 0.8 s for 5 million books.
// The loaders (snapshot load, restore_all, bulk_restore_all) sort such rows
// by the integer that leads the index's key first.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/mpl/size.hpp>
#include <boost/multi_index_container.hpp>
#include <boost/tuple/tuple.hpp>

#include "folio/internal/schema.h"
#include "folio/table.h"

namespace folio::internal {

// The extractor of the first part of a key: the key itself, or the first
// member of a composite key.
template <class KeyFromValue>
struct LeadingKey {
  using type = KeyFromValue;
};
template <class KeyFromValue>
  requires CompositeKey<KeyFromValue>
struct LeadingKey<KeyFromValue> {
  using type = typename boost::tuples::element<
      0, typename KeyFromValue::key_extractor_tuple>::type;
};

// M's first ordered index, when its key leads with an integer (an ordered
// index on a foreign key, (author_id, id)): rows that do not come in its
// order can be put in it by that integer before they are inserted.
template <class M>
struct OrderedByInteger {
  static constexpr std::size_t kIndex = first_ordered_index<M>();
  static constexpr bool kHasOrdered = kIndex < boost::mpl::size<typename M::Indexes>::value;
  // The extractor of that integer (when value).
  using Leading = typename LeadingKey<typename boost::multi_index::nth_index<
      typename Table<M>::Container, (kHasOrdered ? kIndex : 0)>::type::key_from_value>::type;
  static constexpr bool value =
      kHasOrdered &&
      std::is_integral_v<std::remove_cvref_t<std::invoke_result_t<Leading, const M&>>>;

  // True when `row`, inserted right after `before`, keeps to the index's
  // order as far as its leading integer tells (it does not go down).
  // REQUIRES: value.
  static bool keeps_order(const M& before, const M& row) {
    const Leading leading{};
    return leading(before) <= leading(row);
  }
};

// The positions 0..n-1 of rows (row(i) gives the i-th) in the order of the
// integer that leads the key of M's index OrderedByInteger<M>::kIndex, rows
// with equal ones in their own order. A counting sort when the integers
// span little more than the rows (ids of a table not much larger), a
// stable sort otherwise. REQUIRES: OrderedByInteger<M>::value, n < 2^32.
// Throws std::bad_alloc.
template <class M, class RowAt>
std::vector<std::uint32_t> order_by_leading_key(std::size_t n, RowAt row) {
  const typename OrderedByInteger<M>::Leading leading{};
  std::vector<std::int64_t> keys(n);
  std::int64_t low = std::numeric_limits<std::int64_t>::max();
  std::int64_t high = std::numeric_limits<std::int64_t>::min();
  for (std::size_t i = 0; i < n; ++i) {
    keys[i] = static_cast<std::int64_t>(leading(static_cast<const M&>(row(i))));
    low = std::min(low, keys[i]);
    high = std::max(high, keys[i]);
  }
  std::vector<std::uint32_t> order(n);
  const auto span = static_cast<std::uint64_t>(high) - static_cast<std::uint64_t>(low);
  if (n > 0 && span < 4 * static_cast<std::uint64_t>(n) + 1024) {
    std::vector<std::uint32_t> start(span + 2, 0);
    for (std::int64_t key : keys) ++start[static_cast<std::size_t>(key - low) + 1];
    for (std::size_t v = 1; v < start.size(); ++v) start[v] += start[v - 1];
    for (std::size_t i = 0; i < n; ++i) {
      order[start[static_cast<std::size_t>(keys[i] - low)]++] = static_cast<std::uint32_t>(i);
    }
  } else {
    for (std::size_t i = 0; i < n; ++i) order[i] = static_cast<std::uint32_t>(i);
    std::stable_sort(order.begin(), order.end(),
                     [&](std::uint32_t a, std::uint32_t b) { return keys[a] < keys[b]; });
  }
  return order;
}

// True when M has a foreign key to M itself (a row's parent in its table).
template <class M>
constexpr bool refers_to_itself() {
  using Keys = decltype(foreign_keys_of<M>());
  return []<std::size_t... I>(std::index_sequence<I...>) {
    return (std::is_same_v<typename std::tuple_element_t<I, Keys>::parent, M> || ...);
  }(std::make_index_sequence<std::tuple_size_v<Keys>>());
}

// The positions 0..n-1 of rows to be inserted (row(i) gives the i-th) in
// the order of M's ordered index, when inserting them in that order rather
// than theirs changes nothing but the time it takes: at least `min_rows`
// rows (fewer descend the tree faster than they sort), none numbered by
// the insert (a row without an id takes the next one), and no foreign key
// from M to itself (a row's parent could then come after it). Empty
// otherwise. Holds 12 to 16 bytes a row while it runs. Throws
// std::bad_alloc.
template <class M, class RowAt>
std::vector<std::uint32_t> sort_order(std::size_t n, RowAt row, std::size_t min_rows) {
  if constexpr (!OrderedByInteger<M>::value || refers_to_itself<M>()) {
    return {};
  } else {
    if (n < min_rows || n > std::numeric_limits<std::uint32_t>::max()) return {};
    for (std::size_t i = 0; i < n; ++i) {
      if (static_cast<const M&>(row(i)).id == 0) return {};
    }
    return order_by_leading_key<M>(n, row);
  }
}

// sort_order() of rows to be inserted, or empty when the integer leading
// the index's key never goes down from one row to the next (the test
// BasicDatabase::insert_rows() makes as rows go in).
template <class M, class RowAt>
std::vector<std::uint32_t> insert_order(std::size_t n, RowAt row, std::size_t min_rows) {
  if constexpr (!OrderedByInteger<M>::value) {
    return {};
  } else {
    std::size_t i = 1;
    while (i < n && OrderedByInteger<M>::keeps_order(row(i - 1), row(i))) ++i;
    if (i >= n) return {};
    return sort_order<M>(n, row, min_rows);
  }
}

// Calls f(batch) (a std::span<M>) for the rows at the positions `order`
// gives, in that order, up to `size` rows a batch: a loader's way to
// insert sorted rows a read-ahead batch at a time. row(i) gives the row at
// position i; a batch moves it out when row(i) is a mutable reference and
// copies it otherwise.
template <class M, class RowAt, class F>
void for_each_batch_in(const std::vector<std::uint32_t>& order, std::size_t size, RowAt row,
                       F&& f) {
  std::vector<M> batch;
  batch.reserve(size);
  for (std::size_t from = 0; from < order.size(); from += size) {
    batch.clear();
    const std::size_t n = std::min(size, order.size() - from);
    for (std::size_t j = 0; j < n; ++j) batch.push_back(std::move(row(order[from + j])));
    f(std::span<M>(batch));
  }
}

}  // namespace folio::internal
