// A table in a snapshot body, written and read over its model's fields():
// one column per field, so that a new model needs no codec of its own.
//
// A table's part of the body: u32 column count, then per field of the row
// version's layout (the fields with FieldSpec::since <= the row version, in
// model order) a tag byte and its column:
//   'i' integer, 'b' bool (0 or 1), 't' DateTime (UTC microseconds):
//       an integer column (snapshot_columns.h)
//   'd' Decimal: an integer column of units, then one of scales
//   's' string: an integer column of byte lengths, then the bytes of every
//       value, one after another
//   'o' std::optional<T>: an integer column of 0 (null) or 1 per row, then
//       T's tag and column holding the non-null values only
// Private to the snapshot implementation.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "folio/datetime.h"
#include "folio/decimal.h"
#include "folio/model.h"
#include "folio/table.h"
#include "snapshot_columns.h"

namespace folio::internal {

// ---- Values that an integer column holds ----

template <class T>
struct IntValue;  // no specialization: a field type snapshots cannot store

template <std::integral T>
requires(!std::same_as<T, bool>) struct IntValue<T> {
  static constexpr std::uint8_t kTag = 'i';
  static std::uint64_t to_bits(T v) noexcept {
    return static_cast<std::uint64_t>(v);
  }
  static bool from_bits(std::uint64_t bits, T& out) noexcept {
    const auto v = static_cast<std::int64_t>(bits);
    if constexpr (std::is_signed_v<T>) {
      if (v < std::numeric_limits<T>::min() ||
          v > std::numeric_limits<T>::max())
        return false;
    } else {
      if (bits > std::numeric_limits<T>::max()) return false;
    }
    out = static_cast<T>(bits);
    return true;
  }
};

template <>
struct IntValue<bool> {
  static constexpr std::uint8_t kTag = 'b';
  static std::uint64_t to_bits(bool v) noexcept { return v ? 1 : 0; }
  static bool from_bits(std::uint64_t bits, bool& out) noexcept {
    out = bits == 1;
    return bits <= 1;
  }
};

// Django's DateTimeField holds years 1 to 9999.
template <>
struct IntValue<DateTime> {
  static constexpr std::uint8_t kTag = 't';
  static constexpr std::int64_t kMin =
      -62135596800LL * 1'000'000;  // 0001-01-01
  static constexpr std::int64_t kMax =
      253402300800LL * 1'000'000 - 1;  // 9999-12-31
  static std::uint64_t to_bits(DateTime v) noexcept {
    return static_cast<std::uint64_t>(v.micros());
  }
  static bool from_bits(std::uint64_t bits, DateTime& out) noexcept {
    const auto v = static_cast<std::int64_t>(bits);
    out = DateTime::from_micros(v);
    return v >= kMin && v <= kMax;
  }
};

// ---- Columns by field type: Writer and Reader ----

// Reads a column's tag byte and checks it is `tag`.
inline void expect_tag(BodyReader& in, std::uint8_t tag,
                       const std::string& what) {
  const std::uint8_t found = in.u8(what.c_str());
  if (found != tag) {
    throw CorruptBody(what + " is not the column its layout has (tag " +
                      std::to_string(found) + ", expected " +
                      std::to_string(tag) + ")");
  }
}

template <class T>
struct Column {
  static_assert(
      requires { IntValue<T>::kTag; },
      "snapshots cannot store this field type: give it a Column in "
      "engine/snapshot_tables.h");
  static constexpr std::uint8_t kTag = IntValue<T>::kTag;

  // Writes the column in two passes over the values (observe, layout,
  // emit), then finish() appends it to the plan. `get(i)` is the i-th value
  // emitted, for columns that refer to their values when the body is
  // written (strings).
  class Writer {
   public:
    void observe(const T& v) noexcept {
      column_.observe(IntValue<T>::to_bits(v));
    }
    void layout(int min_width) { column_.layout(min_width); }
    void emit(const T& v, std::size_t) {
      column_.emit(IntValue<T>::to_bits(v));
    }
    template <class Get>
    void finish(BodyPlan& out, Get&&) {
      out.u8(kTag);
      out.append(column_.bytes());
    }

   private:
    IntColumnWriter column_;
  };

  class Reader {
   public:
    // `min_width` 1: the table's ids, which take a byte each at least.
    void parse(BodyReader& in, std::uint64_t count, const std::string& what,
               int min_width = 0) {
      expect_tag(in, kTag, what);
      const IntColumn column = in.int_column(count, what.c_str());
      if (column.width < min_width) {
        throw CorruptBody(what + " takes less than a byte per row");
      }
      cursor_ = IntCursor(column);
    }
    bool next(T& out) { return IntValue<T>::from_bits(cursor_.next(), out); }

   private:
    IntCursor cursor_;
  };
};

template <>
struct Column<Decimal> {
  static constexpr std::uint8_t kTag = 'd';

  class Writer {
   public:
    void observe(const Decimal& v) noexcept {
      units_.observe(static_cast<std::uint64_t>(v.units()));
      scales_.observe(
          static_cast<std::uint64_t>(static_cast<std::int64_t>(v.scale())));
    }
    void layout(int) {
      units_.layout(0);
      scales_.layout(0);
    }
    void emit(const Decimal& v, std::size_t) {
      units_.emit(static_cast<std::uint64_t>(v.units()));
      scales_.emit(
          static_cast<std::uint64_t>(static_cast<std::int64_t>(v.scale())));
    }
    template <class Get>
    void finish(BodyPlan& out, Get&&) {
      out.u8(kTag);
      out.append(units_.bytes());
      out.append(scales_.bytes());
    }

   private:
    IntColumnWriter units_, scales_;
  };

  class Reader {
   public:
    void parse(BodyReader& in, std::uint64_t count, const std::string& what,
               int = 0) {
      expect_tag(in, kTag, what);
      units_ = IntCursor(in.int_column(count, what.c_str()));
      scales_ = IntCursor(in.int_column(count, what.c_str()));
    }
    bool next(Decimal& out) {
      const auto units = static_cast<std::int64_t>(units_.next());
      std::int16_t scale;
      if (!IntValue<std::int16_t>::from_bits(scales_.next(), scale))
        return false;
      out = Decimal::from_units(units, scale);
      return true;
    }

   private:
    IntCursor units_, scales_;
  };
};

template <>
struct Column<std::string> {
  static constexpr std::uint8_t kTag = 's';

  class Writer {
   public:
    void observe(const std::string& v) noexcept {
      lengths_.observe(v.size());
      count_ += 1;
      bytes_ += v.size();
    }
    void layout(int) { lengths_.layout(0); }
    void emit(const std::string& v, std::size_t) { lengths_.emit(v.size()); }
    template <class Get>
    void finish(BodyPlan& out, Get&& get) {
      out.u8(kTag);
      out.append(lengths_.bytes());
      out.strings(count_, bytes_, std::forward<Get>(get));
    }

   private:
    IntColumnWriter lengths_;
    std::size_t count_ = 0;
    std::uint64_t bytes_ = 0;
  };

  class Reader {
   public:
    void parse(BodyReader& in, std::uint64_t count, const std::string& what,
               int = 0) {
      expect_tag(in, kTag, what);
      const IntColumn lengths = in.int_column(count, what.c_str());
      // Every length and their sum bounded by the bytes left.
      IntCursor scan(lengths);
      std::uint64_t total = 0;
      for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t n = scan.next();
        if (n > in.left() - total) {
          throw CorruptBody(what + " holds more text than the body has left");
        }
        total += n;
      }
      lengths_ = IntCursor(lengths);
      data_ = reinterpret_cast<const char*>(in.take(total, what.c_str()));
    }
    bool next(std::string& out) {
      const std::uint64_t n = lengths_.next();
      out.assign(data_, n);
      data_ += n;
      return true;
    }

   private:
    IntCursor lengths_;
    const char* data_ = nullptr;
  };
};

template <class T>
struct Column<std::optional<T>> {
  static constexpr std::uint8_t kTag = 'o';

  class Writer {
   public:
    void observe(const std::optional<T>& v) noexcept {
      present_.observe(v.has_value() ? 1 : 0);
      if (v) inner_.observe(*v);
    }
    void layout(int) {
      present_.layout(0);
      inner_.layout(0);
    }
    void emit(const std::optional<T>& v, std::size_t row) {
      present_.emit(v.has_value() ? 1 : 0);
      if (v) {
        inner_.emit(*v, rows_.size());
        rows_.push_back(row);
      }
    }
    // get(i): the i-th optional; the inner column's values are the
    // non-null ones.
    template <class Get>
    void finish(BodyPlan& out, Get&& get) {
      out.u8(kTag);
      out.append(present_.bytes());
      inner_.finish(out,
                    [get = std::forward<Get>(get), rows = std::move(rows_)](
                        std::size_t j) -> const T& { return *get(rows[j]); });
    }

   private:
    IntColumnWriter present_;
    typename Column<T>::Writer inner_;
    std::vector<std::size_t> rows_;  // the rows of the non-null values
  };

  class Reader {
   public:
    void parse(BodyReader& in, std::uint64_t count, const std::string& what,
               int = 0) {
      expect_tag(in, kTag, what);
      const IntColumn present = in.int_column(count, what.c_str());
      IntCursor scan(present);
      std::uint64_t values = 0;
      for (std::uint64_t i = 0; i < count; ++i) {
        const std::uint64_t p = scan.next();
        if (p > 1)
          throw CorruptBody(what + " has a null flag other than 0 or 1");
        values += p;
      }
      present_ = IntCursor(present);
      inner_.parse(in, values, what);
    }
    bool next(std::optional<T>& out) {
      if (present_.next() == 0) {
        out.reset();
        return true;
      }
      T v;
      if (!inner_.next(v)) return false;
      out = std::move(v);
      return true;
    }

   private:
    IntCursor present_;
    typename Column<T>::Reader inner_;
  };
};

// ---- Tables ----

// M's fields, as a constant.
template <class M>
inline constexpr auto kFieldsOf = M::fields();

// Calls f(std::integral_constant<std::size_t, I>()) for I in 0..N-1.
template <std::size_t N, class F>
void for_each_index(F&& f) {
  auto each = [&]<std::size_t... I>(std::index_sequence<I...>) {
    (f(std::integral_constant<std::size_t, I>()), ...);
  };
  each(std::make_index_sequence<N>());
}

// The number of columns of M's rows in row version `version`.
template <class M>
constexpr std::uint32_t columns_in(std::uint32_t version) {
  std::uint32_t n = 0;
  std::apply(
      [&](const auto&... f) { ((n += f.spec.since <= version ? 1 : 0), ...); },
      M::fields());
  return n;
}

// Appends the columns of a table's rows (in id order) in the layout of row
// version `version` to `out`, and leaves the rows in `rows`, which must stay
// as they are until `out` is written. Two passes over the rows:
//  1. bucket by bucket through the id index, observing each row's values:
//     the id hash is the identity, so ids below the bucket count come out
//     in order, and no row waits for the one before it as it does when
//     following the index's list (twice as fast at a million rows);
//  2. in id order, emitting the values.
template <class M>
void plan_table(BodyPlan& out, const Table<M>& table, std::uint32_t version,
                std::vector<const M*>& rows) {
  using Fields = decltype(M::fields());
  using Writers =
      decltype([]<class... F>(std::type_identity<std::tuple<F...>>) {
        return std::tuple<typename Column<typename F::type>::Writer...>();
      }(std::type_identity<Fields>()));
  Writers writers;
  // f(field, its writer) for each field of the row version.
  auto for_fields = [&](auto&& f) {
    for_each_index<std::tuple_size_v<Fields>>([&](auto i) {
      const auto& field = std::get<decltype(i)::value>(kFieldsOf<M>);
      if (field.spec.since <= version) {
        f(field, std::get<decltype(i)::value>(writers));
      }
    });
  };
  auto observe = [&](const M& row) {
    for_fields([&](const auto& f, auto& w) { w.observe(row.*f.member); });
  };

  const auto& index = table.template index<by_id>();
  rows.clear();
  rows.reserve(table.size());
  bool sorted = true;
  for (std::size_t b = 0, n = index.bucket_count(); b < n; ++b) {
    for (auto it = index.begin(b), end = index.end(b); it != end; ++it) {
      sorted = sorted && (rows.empty() || it->id > rows.back()->id);
      rows.push_back(&*it);
      observe(*it);
    }
  }
  if (!sorted) {
    std::vector<std::pair<Id, const M*>> keyed;
    keyed.reserve(rows.size());
    for (const M* row : rows) keyed.emplace_back(row->id, row);
    std::sort(keyed.begin(), keyed.end());
    for (std::size_t i = 0; i < keyed.size(); ++i) rows[i] = keyed[i].second;
    writers = Writers();  // delta encoding depends on the order
    for (const M* row : rows) observe(*row);
  }

  // Each row takes at least a byte: its id's.
  for_fields([&](const auto& f, auto& w) {
    w.layout(f.spec.kind == FieldKind::kAutoId ? 1 : 0);
  });
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i + 16 < rows.size()) {
      const char* ahead = reinterpret_cast<const char*>(rows[i + 16]);
      __builtin_prefetch(ahead);
      if constexpr (sizeof(M) > 64) __builtin_prefetch(ahead + 64);
    }
    const M& row = *rows[i];
    for_fields([&](const auto& f, auto& w) { w.emit(row.*f.member, i); });
  }
  out.u32(columns_in<M>(version));
  for_fields([&](const auto& f, auto& w) {
    using T = typename std::decay_t<decltype(f)>::type;
    w.finish(out, [rows = &rows, member = f.member](std::size_t i) -> const T& {
      return (*rows)[i]->*member;
    });
  });
}

// Reads the rows of one table from a body: parse() checks the layout and
// every size, then next() decodes one row at a time.
template <class M>
class TableReader {
 public:
  TableReader(std::string table, std::uint64_t rows, std::uint32_t version)
      : table_(std::move(table)), rows_(rows), version_(version) {}

  std::uint64_t rows() const noexcept { return rows_; }

  // REQUIRES: rows <= in.left() (the frame checked it against the body).
  void parse(BodyReader& in) {
    const std::string what = "table " + table_;
    const std::uint32_t columns = in.u32(what.c_str());
    if (columns != columns_in<M>(version_)) {
      throw CorruptBody(what + " has " + std::to_string(columns) +
                        " columns; its row version " +
                        std::to_string(version_) + " has " +
                        std::to_string(columns_in<M>(version_)));
    }
    for_fields([&](const auto& f, auto& reader) {
      if (f.spec.since <= version_) {
        reader.parse(in, rows_, what + ", field " + std::string(f.name),
                     f.spec.kind == FieldKind::kAutoId ? 1 : 0);
      }
    });
  }

  // The next row, upgraded to the current row version. Throws CorruptBody
  // for a value its field's type cannot hold.
  M next() {
    M row{};
    for_fields([&](const auto& f, auto& reader) {
      if (f.spec.since > version_) return;
      if (!reader.next(row.*f.member)) {
        // The id is the first field: a later one names the row by its id.
        const std::string which =
            f.spec.kind == FieldKind::kAutoId
                ? "row " + std::to_string(done_ + 1) + " of the file"
                : "row id " + std::to_string(row.id);
        throw CorruptBody("table " + table_ + ", " + which + ", field " +
                          std::string(f.name) +
                          ": a value its type cannot hold");
      }
    });
    ++done_;
    if constexpr (requires { M::upgrade(row, version_); }) {
      if (version_ < M::kInfo.row_version) M::upgrade(row, version_);
    }
    return row;
  }

 private:
  using Fields = decltype(M::fields());

  template <class Tuple>
  struct ReadersOf;
  template <class... F>
  struct ReadersOf<std::tuple<F...>> {
    using type = std::tuple<typename Column<typename F::type>::Reader...>;
  };

  // Calls f(field, its reader) for each field, in model order.
  template <class F>
  void for_fields(F&& f) {
    for_each_index<std::tuple_size_v<Fields>>([&](auto i) {
      f(std::get<decltype(i)::value>(kFieldsOf<M>),
        std::get<decltype(i)::value>(readers_));
    });
  }

  std::string table_;
  std::uint64_t rows_;
  std::uint32_t version_;
  std::uint64_t done_ = 0;
  typename ReadersOf<Fields>::type readers_;
};

}  // namespace folio::internal
