// A table: the rows of one model, with the model's indexes. Tables are read
// through a database (database.h); every write goes through the database so
// that rules, cascades and transactions hold.
#pragma once

#include <algorithm>
#include <cstddef>
#include <iterator>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/container/small_vector.hpp>
#include <boost/iterator/indirect_iterator.hpp>
#include <boost/mpl/size.hpp>
#include <boost/multi_index_container.hpp>

#include "folio/internal/pool.h"
#include "folio/model.h"

namespace folio {

template <class M>
class Table;

// A list of rows in a stated order, as returned by queries. Holds pointers to
// the rows, not copies: valid until the next write to the database.
// Iterating yields `const M&`. Up to 8 rows (an author's books) are held
// without allocating.
template <class M>
class Rows {
  using Pointers = boost::container::small_vector<const M*, 8>;

 public:
  using const_iterator =
      boost::indirect_iterator<typename Pointers::const_iterator>;
  using iterator = const_iterator;

  Rows() = default;
  explicit Rows(const std::vector<const M*>& rows)
      : rows_(rows.begin(), rows.end()) {}
  // The rows of a range yielding `const M&` (an index's range, Rows), in
  // the range's order.
  template <class Range>
    requires(!std::is_same_v<std::remove_cvref_t<Range>, Rows> &&
             std::is_convertible_v<decltype(*std::begin(std::declval<const Range&>())),
                                   const M&>)
  explicit Rows(const Range& range) {
    for (const M& row : range) rows_.push_back(&row);
  }

  const_iterator begin() const { return const_iterator(rows_.begin()); }
  const_iterator end() const { return const_iterator(rows_.end()); }
  std::size_t size() const noexcept { return rows_.size(); }
  bool empty() const noexcept { return rows_.empty(); }
  const M& operator[](std::size_t i) const { return *rows_[i]; }
  const M& front() const { return *rows_.front(); }
  const M& back() const { return *rows_.back(); }

  // Puts the rows in the order of less(const M&, const M&), a strict weak
  // order (not stable: ties end in any order). Rows already in that order,
  // or in its reverse, take one pass.
  template <class Less>
  void sort(Less less) {
    const auto by = [&](const M* a, const M* b) { return less(*a, *b); };
    if (std::is_sorted(rows_.begin(), rows_.end(), by)) return;
    if (std::is_sorted(rows_.rbegin(), rows_.rend(), by)) {
      std::reverse(rows_.begin(), rows_.end());
    } else {
      std::sort(rows_.begin(), rows_.end(), by);
    }
  }

 private:
  friend class Table<M>;
  Pointers rows_;
};

// A range over an index, without copying: valid until the next write.
template <class It>
class Range {
 public:
  Range(It first, It last) : first_(first), last_(last) {}
  It begin() const { return first_; }
  It end() const { return last_; }
  bool empty() const { return first_ == last_; }
  std::size_t size() const {
    return static_cast<std::size_t>(std::distance(first_, last_));
  }

 private:
  It first_, last_;
};

template <class... Models>
class BasicDatabase;

// The rows of model M. Thread-compatible: any number of threads may call the
// const members at once while no thread writes to the owning database.
template <class M>
class Table {
 public:
  // The rows and their indexes, in nodes from the table's own pool
  // (internal/pool.h).
  using Container = boost::multi_index_container<M, typename M::Indexes,
                                                 internal::NodeAllocator<M>>;

  // The row with this id, or nullptr. Never throws, never allocates.
  const M* find(Id id) const noexcept {
    const auto& index = rows_.template get<by_id>();
    auto it = index.find(id);
    return it == index.end() ? nullptr : &*it;
  }
  // The row whose key in the index `Tag` equals `key` (for example a
  // std::string_view for by_email, or boost::make_tuple(author_id, title)
  // for a composite index), or nullptr. Does not allocate.
  template <class Tag, class Key>
  const M* find_by(const Key& key) const noexcept {
    const auto& index = rows_.template get<Tag>();
    auto it = index.find(key);
    return it == index.end() ? nullptr : &*it;
  }

  std::size_t size() const noexcept { return rows_.size(); }
  bool empty() const noexcept { return rows_.empty(); }
  // The id the next created row gets.
  Id next_id() const noexcept { return next_id_; }

  // Every row, in id order.
  Rows<M> all() const {
    return filter([](const M&) { return true; });
  }
  // The rows for which pred(row) is true, in id order.
  template <class Pred>
  Rows<M> filter(Pred pred) const {
    std::vector<std::pair<Id, const M*>> found;
    for (const M& row : rows_.template get<by_id>()) {
      if (pred(row)) found.emplace_back(row.id, &row);
    }
    // Ids below the bucket count hash to their own bucket, in order: the
    // usual table is already sorted and is not sorted again.
    if (!std::is_sorted(found.begin(), found.end())) {
      std::sort(found.begin(), found.end());
    }
    Rows<M> rows;
    rows.rows_.reserve(found.size());
    for (const auto& [id, row] : found) rows.rows_.push_back(row);
    return rows;
  }

  // The Boost.MultiIndex index with tag `Tag`, for queries folio has no
  // shortcut for. Valid until the next write.
  template <class Tag>
  const auto& index() const noexcept {
    return rows_.template get<Tag>();
  }
  const Container& container() const noexcept { return rows_; }

 private:
  template <class...>
  friend class BasicDatabase;

  Container rows_;
  Id next_id_ = 1;
};

namespace internal {

// The position of M's first ordered index (one with key_comp()), or the
// number of M's indexes when it has none.
template <class M>
constexpr std::size_t first_ordered_index() {
  using Container = typename Table<M>::Container;
  constexpr std::size_t n = boost::mpl::size<typename M::Indexes>::value;
  std::size_t found = n;
  [&]<std::size_t... I>(std::index_sequence<I...>) {
    ((found == n &&
              requires(const typename boost::multi_index::nth_index<Container, I>::type&
                           index) { index.key_comp(); }
          ? void(found = I)
          : void()),
     ...);
  }(std::make_index_sequence<n>());
  return found;
}

}  // namespace internal

}  // namespace folio
