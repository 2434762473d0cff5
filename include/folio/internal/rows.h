// The machinery behind interchange.h, part one: a runtime description of a
// database's models built from their fields() (Schema), values of fields
// (Value), and a type-erased view of the rows for the writers (RowSource).
// The format code (fixture, CSV, SQL, tables) is compiled once against these
// and never names a model; loader.h is part two.
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include <boost/multi_index/composite_key.hpp>
#include <boost/multi_index/member.hpp>

#include "folio/database.h"
#include "folio/datetime.h"
#include "folio/decimal.h"
#include "folio/internal/schema.h"
#include "folio/model.h"

namespace folio {

// Called now and then during long work with the rows done so far and the
// total. May be empty.
using Progress = std::function<void(std::uint64_t done, std::uint64_t total)>;

}  // namespace folio

namespace folio::internal {

inline constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// ---- Values and the schema ----

enum class ValueType { kInteger, kBoolean, kString, kDecimal, kDateTime };

// One field's value: std::monostate is SQL NULL / JSON null.
using Value =
    std::variant<std::monostate, std::int64_t, bool, std::string, Decimal, DateTime>;

template <class T>
struct ValueTraits;
template <std::integral T>
  requires(!std::same_as<T, bool>)
struct ValueTraits<T> {
  static constexpr ValueType type = ValueType::kInteger;
  static constexpr bool nullable = false;
  static constexpr std::int64_t min = std::numeric_limits<T>::min();
  static constexpr std::int64_t max = std::numeric_limits<T>::max();
};
template <>
struct ValueTraits<bool> {
  static constexpr ValueType type = ValueType::kBoolean;
  static constexpr bool nullable = false;
  static constexpr std::int64_t min = 0, max = 0;
};
template <class T>
  requires kIsText<T>
struct ValueTraits<T> {
  static constexpr ValueType type = ValueType::kString;
  static constexpr bool nullable = false;
  static constexpr std::int64_t min = 0, max = 0;
};
template <>
struct ValueTraits<Decimal> {
  static constexpr ValueType type = ValueType::kDecimal;
  static constexpr bool nullable = false;
  static constexpr std::int64_t min = 0, max = 0;
};
template <>
struct ValueTraits<DateTime> {
  static constexpr ValueType type = ValueType::kDateTime;
  static constexpr bool nullable = false;
  static constexpr std::int64_t min = 0, max = 0;
};
template <class T>
struct ValueTraits<std::optional<T>> : ValueTraits<T> {
  static constexpr bool nullable = true;
};

// One field of a model, as the formats need it.
struct Column {
  std::string_view name;    // Django's field name: "author"
  std::string_view column;  // the SQL column: "author_id"
  FieldSpec spec;
  ValueType type;
  bool nullable;
  std::int64_t type_min, type_max;  // kInteger: what the member can hold
  std::size_t parent = kNone;       // a foreign key's model
  bool unique = false;              // a unique key of this column alone
};

struct UniqueKey {
  std::string_view name;             // "uniq_book_per_author"
  std::vector<std::size_t> columns;  // indexes into ModelSchema::columns
};

struct ModelSchema {
  const ModelInfo* info;
  std::vector<Column> columns;  // in field order
  std::vector<UniqueKey> uniques;
  std::size_t pk = kNone;       // the primary key's column

  // The column with this Django field name or SQL column, or kNone.
  std::size_t find(std::string_view name) const noexcept;
};

struct Schema {
  std::vector<ModelSchema> models;  // in the database's model order

  // The model with this fixture label ("myapp.author"), or kNone.
  std::size_t find_label(std::string_view label) const noexcept;
  // The model named by a table ("books"), a label ("myapp.book") or a model
  // name in any case ("Book"), or kNone.
  std::size_t find_table(std::string_view name) const noexcept;
  // Throws UsageError naming the known tables when there is no such table.
  std::size_t table_or_throw(std::string_view name) const;
};

template <class Db>
struct ModelsOf;
template <class... Ms>
struct ModelsOf<BasicDatabase<Ms...>> {
  using type = std::tuple<Ms...>;
};

// Calls f.template operator()<M>() for the model with index i.
template <class... Ms, class F>
void with_model(std::tuple<Ms...>*, std::size_t i, F&& f) {
  std::size_t n = 0;
  ((n++ == i ? f.template operator()<Ms>() : void()), ...);
}
template <class Db, class F>
void with_model(std::size_t i, F&& f) {
  with_model(static_cast<typename ModelsOf<Db>::type*>(nullptr), i,
             std::forward<F>(f));
}

// Calls f(field, index) for each field of M.
template <class M, class F>
void for_each_field(F&& f) {
  std::apply(
      [&](const auto&... field) {
        std::size_t i = 0;
        (f(field, i++), ...);
      },
      kFieldsOf<M>);
}

// The member pointers a Boost.MultiIndex key extractor reads.
template <class K>
struct KeyMembers {
  template <class F>
  static void each(F&&) {}
};
template <class C, class T, T C::*P>
struct KeyMembers<boost::multi_index::member<C, T, P>> {
  template <class F>
  static void each(F&& f) {
    f(P);
  }
};
template <class V, class... Ks>
struct KeyMembers<boost::multi_index::composite_key<V, Ks...>> {
  template <class F>
  static void each(F&& f) {
    (KeyMembers<Ks>::each(f), ...);
  }
};

// The column of M stored in member p, or kNone.
template <class M, class T>
std::size_t column_of(T M::*p) {
  std::size_t found = kNone;
  for_each_field<M>([&](const auto& field, std::size_t i) {
    if constexpr (std::is_same_v<decltype(field.member), T M::*>) {
      if (field.member == p) found = i;
    }
  });
  return found;
}

template <class M, class... Ms>
ModelSchema model_schema() {
  ModelSchema m{&M::kInfo, {}, {}, kNone};
  for_each_field<M>([&](const auto& field, std::size_t i) {
    using T = typename std::decay_t<decltype(field)>::type;
    using Traits = ValueTraits<T>;
    m.columns.push_back(Column{field.name, field.column, field.spec, Traits::type,
                               Traits::nullable, Traits::min, Traits::max});
    if (field.spec.kind == FieldKind::kAutoId) m.pk = i;
  });
  for_each_in(foreign_keys_of<M>(), [&](const auto& fk) {
    using Parent = typename std::decay_t<decltype(fk)>::parent;
    std::size_t c = column_of<M>(fk.column);
    if (c != kNone) m.columns[c].parent = index_of<Parent, Ms...>();
  });
  for_each_in(unique_constraints_of<M>(), [&](const auto& u) {
    using Tag = typename std::decay_t<decltype(u)>::tag;
    using Index =
        typename Table<M>::Container::template index<Tag>::type;
    UniqueKey key{u.name, {}};
    KeyMembers<typename Index::key_from_value>::each(
        [&](auto member) { key.columns.push_back(column_of<M>(member)); });
    if (key.columns.size() == 1 && key.columns[0] != kNone) {
      m.columns[key.columns[0]].unique = true;
    }
    m.uniques.push_back(std::move(key));
  });
  return m;
}

template <class... Ms>
Schema make_schema(std::tuple<Ms...>*) {
  return Schema{{model_schema<Ms, Ms...>()...}};
}

// The schema of a BasicDatabase type, built once.
template <class Db>
const Schema& schema_of() {
  static const Schema schema =
      make_schema(static_cast<typename ModelsOf<Db>::type*>(nullptr));
  return schema;
}

// ---- Between members and values ----

template <class T>
void to_value(const T& v, Value& out) {
  if constexpr (std::is_same_v<T, bool>) {
    out = v;
  } else if constexpr (std::is_integral_v<T>) {
    out = static_cast<std::int64_t>(v);
  } else if constexpr (kIsText<T>) {
    if (auto* s = std::get_if<std::string>(&out)) {
      s->assign(std::string_view(v));  // keeps the buffer across rows
    } else {
      out = std::string(v);
    }
  } else if constexpr (requires { v.has_value(); }) {
    if (v) {
      to_value(*v, out);
    } else {
      out = std::monostate{};
    }
  } else {
    out = v;
  }
}

// Stores a value of the column's type in a member. Returns false when an
// integer does not fit the member.
template <class T>
bool from_value(Value&& v, T& out) {
  if constexpr (requires { out.has_value(); }) {
    if (std::holds_alternative<std::monostate>(v)) {
      out.reset();
      return true;
    }
    typename T::value_type inner{};
    if (!from_value(std::move(v), inner)) return false;
    out = std::move(inner);
    return true;
  } else if constexpr (std::is_same_v<T, bool>) {
    out = std::get<bool>(v);
    return true;
  } else if constexpr (std::is_integral_v<T>) {
    std::int64_t i = std::get<std::int64_t>(v);
    if (i < std::int64_t{std::numeric_limits<T>::min()} ||
        i > std::int64_t{std::numeric_limits<T>::max()}) {
      return false;
    }
    out = static_cast<T>(i);
    return true;
  } else if constexpr (std::is_same_v<T, String>) {
    out.assign(std::get<std::string>(v));
    return true;
  } else {
    out = std::get<T>(std::move(v));
    return true;
  }
}

// ---- Reading: the writers' view of a database ----

// The rows of a database, model by model, as values.
class RowSource {
 public:
  virtual ~RowSource() = default;
  virtual const Schema& schema() const noexcept = 0;
  virtual std::size_t size(std::size_t model) const noexcept = 0;
  // Calls f(values) for every row of the model, in id order; `values` holds
  // one value per column and is valid during the call only.
  virtual void scan(std::size_t model,
                    const std::function<void(const std::vector<Value>&)>& f) const = 0;
};

template <class Db>
class DatabaseSource final : public RowSource {
 public:
  explicit DatabaseSource(const Db& db) : db_(db) {}
  const Schema& schema() const noexcept override { return schema_of<Db>(); }
  std::size_t size(std::size_t model) const noexcept override {
    std::size_t n = 0;
    with_model<Db>(model, [&]<class M>() { n = db_.template count<M>(); });
    return n;
  }
  void scan(std::size_t model,
            const std::function<void(const std::vector<Value>&)>& f) const override {
    with_model<Db>(model, [&]<class M>() {
      std::vector<Value> values(std::tuple_size_v<decltype(M::fields())>);
      for (const M& row : db_.template all<M>()) {
        for_each_field<M>([&](const auto& field, std::size_t i) {
          to_value(row.*field.member, values[i]);
        });
        f(values);
      }
    });
  }

 private:
  const Db& db_;
};

// ---- Writing: the formats, compiled once (engine/*.cc) ----

struct DumpSelection {
  std::size_t model = kNone;  // one model, or kNone for every model
  Progress progress;
};
void write_fixture(const RowSource& source, std::ostream& out, const DumpSelection& sel);
void write_csv(const RowSource& source, std::ostream& out, const DumpSelection& sel);
void write_sql(const RowSource& source, std::ostream& out, const DumpSelection& sel);
void write_table(const RowSource& source, std::ostream& out, const DumpSelection& sel);

}  // namespace folio::internal
