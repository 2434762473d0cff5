// Compile-time walks over models: their foreign keys and unique constraints.
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>

#include <boost/tuple/tuple.hpp>

#include "folio/model.h"

namespace folio::internal {

template <class M>
constexpr auto foreign_keys_of() {
  if constexpr (requires { M::foreign_keys(); }) {
    return M::foreign_keys();
  } else {
    return std::tuple<>{};
  }
}

template <class M>
constexpr auto unique_constraints_of() {
  if constexpr (requires { M::unique_constraints(); }) {
    return M::unique_constraints();
  } else {
    return std::tuple<>{};
  }
}

// Calls f(descriptor) for each element of a tuple of descriptors.
template <class Tuple, class F>
constexpr void for_each_in(const Tuple& tuple, F&& f) {
  std::apply([&](const auto&... item) { (f(item), ...); }, tuple);
}

// The first foreign key from Child to Parent.
template <class Child, class Parent, std::size_t I = 0>
constexpr auto foreign_key_to() {
  using Keys = decltype(foreign_keys_of<Child>());
  static_assert(I < std::tuple_size_v<Keys>,
                "the child model has no foreign key to the parent model");
  if constexpr (std::is_same_v<typename std::tuple_element_t<I, Keys>::parent,
                               Parent>) {
    return std::get<I>(foreign_keys_of<Child>());
  } else {
    return foreign_key_to<Child, Parent, I + 1>();
  }
}

template <class M, class... Models>
constexpr std::size_t index_of() {
  constexpr bool same[] = {std::is_same_v<M, Models>...};
  for (std::size_t i = 0; i < sizeof...(Models); ++i) {
    if (same[i]) return i;
  }
  return sizeof...(Models);
}

// True when an index's key extractor is a composite key (key<&A, &B>).
template <class KeyFromValue>
concept CompositeKey = requires { typename KeyFromValue::key_extractor_tuple; };

// The rows of `index` whose (leading) key equals id.
template <class Index>
auto equal_range_of(const Index& index, long long id) {
  if constexpr (CompositeKey<typename Index::key_from_value>) {
    return index.equal_range(boost::make_tuple(static_cast<Id>(id)));
  } else {
    return index.equal_range(static_cast<Id>(id));
  }
}

}  // namespace folio::internal
