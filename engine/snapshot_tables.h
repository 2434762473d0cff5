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
#include <array>
#include <concepts>
#include <condition_variable>
#include <cstdint>
#include <cstring>
#include <deque>
#include <exception>
#include <functional>
#include <limits>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <thread>
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

  // Writing, in two passes over the values, each of which may be split
  // into consecutive runs: observe() each value into the Stats of its run;
  // merge the runs' stats in order; make the Layout from them and place()
  // it in the output; emit() each value again through an Emitter per run
  // (made from the stats of the runs before it), then flush() it.
  struct Stats {
    IntStats ints;
    void observe(const T& v) noexcept { ints.observe(IntValue<T>::to_bits(v)); }
    void merge(const Stats& next) noexcept { ints.merge(next.ints); }
  };
  struct Layout {
    Layout(const Stats& all, int min_width) : ints(all.ints, min_width) {}
    std::uint64_t bytes() const noexcept { return 1 + ints.bytes(); }
    unsigned char* place(unsigned char* out) noexcept {
      *out = kTag;
      return ints.place(out + 1);
    }
    IntLayout ints;
  };
  class Emitter {
   public:
    Emitter(const Layout& layout, const Stats& before) noexcept
        : ints_(layout.ints, before.ints) {}
    void emit(const T& v) noexcept { ints_.emit(IntValue<T>::to_bits(v)); }
    void flush() noexcept { ints_.flush(); }

   private:
    IntEmitter ints_;
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

  static std::uint64_t units_of(const Decimal& v) noexcept {
    return static_cast<std::uint64_t>(v.units());
  }
  static std::uint64_t scale_of(const Decimal& v) noexcept {
    return static_cast<std::uint64_t>(static_cast<std::int64_t>(v.scale()));
  }
  struct Stats {
    IntStats units, scales;
    void observe(const Decimal& v) noexcept {
      units.observe(units_of(v));
      scales.observe(scale_of(v));
    }
    void merge(const Stats& next) noexcept {
      units.merge(next.units);
      scales.merge(next.scales);
    }
  };
  struct Layout {
    Layout(const Stats& all, int) : units(all.units, 0), scales(all.scales, 0) {}
    std::uint64_t bytes() const noexcept {
      return 1 + units.bytes() + scales.bytes();
    }
    unsigned char* place(unsigned char* out) noexcept {
      *out = kTag;
      return scales.place(units.place(out + 1));
    }
    IntLayout units, scales;
  };
  class Emitter {
   public:
    Emitter(const Layout& layout, const Stats& before) noexcept
        : units_(layout.units, before.units),
          scales_(layout.scales, before.scales) {}
    void emit(const Decimal& v) noexcept {
      units_.emit(units_of(v));
      scales_.emit(scale_of(v));
    }
    void flush() noexcept {
      units_.flush();
      scales_.flush();
    }

   private:
    IntEmitter units_, scales_;
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

// Text: String and std::string fields share one layout, so a model may
// change one for the other without a format change.
template <class T>
  requires internal::kIsText<T>
struct Column<T> {
  static constexpr std::uint8_t kTag = 's';

  // The lengths, then the bytes of every value, copied in by emit().
  struct Stats {
    IntStats lengths;
    std::uint64_t bytes = 0;
    void observe(std::string_view v) noexcept {
      lengths.observe(v.size());
      bytes += v.size();
    }
    void merge(const Stats& next) noexcept {
      lengths.merge(next.lengths);
      bytes += next.bytes;
    }
  };
  struct Layout {
    Layout(const Stats& all, int) : lengths(all.lengths, 0), text_bytes(all.bytes) {}
    std::uint64_t bytes() const noexcept {
      return 1 + lengths.bytes() + text_bytes;
    }
    unsigned char* place(unsigned char* out) noexcept {
      *out = kTag;
      text = lengths.place(out + 1);
      return text + text_bytes;
    }
    IntLayout lengths;
    std::uint64_t text_bytes;
    unsigned char* text = nullptr;
  };
  class Emitter {
   public:
    Emitter(const Layout& layout, const Stats& before) noexcept
        : lengths_(layout.lengths, before.lengths),
          out_(layout.text + before.bytes) {}
    void emit(std::string_view v) noexcept {
      lengths_.emit(v.size());
      std::memcpy(out_, v.data(), v.size());
      out_ += v.size();
    }
    void flush() noexcept { lengths_.flush(); }

   private:
    IntEmitter lengths_;
    unsigned char* out_;
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
    bool next(T& out) {
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

  // The inner column holds the non-null values only.
  struct Stats {
    IntStats present;
    typename Column<T>::Stats inner;
    void observe(const std::optional<T>& v) noexcept {
      present.observe(v.has_value() ? 1 : 0);
      if (v) inner.observe(*v);
    }
    void merge(const Stats& next) noexcept {
      present.merge(next.present);
      inner.merge(next.inner);
    }
  };
  struct Layout {
    Layout(const Stats& all, int) : present(all.present, 0), inner(all.inner, 0) {}
    std::uint64_t bytes() const noexcept {
      return 1 + present.bytes() + inner.bytes();
    }
    unsigned char* place(unsigned char* out) noexcept {
      *out = kTag;
      return inner.place(present.place(out + 1));
    }
    IntLayout present;
    typename Column<T>::Layout inner;
  };
  class Emitter {
   public:
    Emitter(const Layout& layout, const Stats& before) noexcept
        : present_(layout.present, before.present),
          inner_(layout.inner, before.inner) {}
    void emit(const std::optional<T>& v) noexcept {
      present_.emit(v.has_value() ? 1 : 0);
      if (v) inner_.emit(*v);
    }
    void flush() noexcept {
      present_.flush();
      inner_.flush();
    }

   private:
    IntEmitter present_;
    typename Column<T>::Emitter inner_;
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
      kFieldsOf<M>);
  return n;
}

// Runs f0() and f1(), f1() on a second thread when `parallel` and a thread
// can be started. Neither may throw.
template <class F0, class F1>
void in_parallel(bool parallel, F0&& f0, F1&& f1) {
  static_assert(noexcept(f0()) && noexcept(f1()));
  std::thread other;
  if (parallel) {
    try {
      other = std::thread(std::ref(f1));
    } catch (const std::system_error&) {
      // No thread: both run here.
    }
  }
  f0();
  if (other.joinable()) {
    other.join();
  } else {
    f1();
  }
}

// A table of at least this many rows is saved by two threads, each taking
// half of the rows, and loaded beside the others (a smaller one is not worth
// starting a thread for: that takes some 50 microseconds).
inline constexpr std::size_t kParallelRows = 1024;

// A table's rows in id order. The id index is walked bucket by bucket: the
// id hash is the identity, so ids below the bucket count come out in order,
// and no row waits for the one before it as it does when following the
// index's list (twice as fast at a million rows). Sorted when they did not.
template <class M>
std::vector<const M*> rows_by_id(const Table<M>& table) {
  const auto& index = table.template index<by_id>();
  std::vector<const M*> rows;
  rows.reserve(table.size());
  bool sorted = true;
  for (std::size_t b = 0, n = index.bucket_count(); b < n; ++b) {
    for (auto it = index.begin(b), end = index.end(b); it != end; ++it) {
      sorted = sorted && (rows.empty() || it->id > rows.back()->id);
      rows.push_back(&*it);
    }
  }
  if (!sorted) {
    std::sort(rows.begin(), rows.end(),
              [](const M* a, const M* b) { return a->id < b->id; });
  }
  return rows;
}

// The columns of a table's rows (in id order) in the layout of row version
// `version`: a u32 column count, then the columns. Two passes over the rows,
// each split between two threads for a large table: one observes the values
// (each column's encoding depends on all of them), the other emits them
// into the table's bytes, allocated once at their exact size.
template <class M>
BodyBytes encode_table(const Table<M>& table, std::uint32_t version) {
  using Fields = decltype(M::fields());
  using Stats = decltype([]<class... F>(std::type_identity<std::tuple<F...>>) {
    return std::tuple<typename Column<typename F::type>::Stats...>();
  }(std::type_identity<Fields>()));
  using Layouts = decltype([]<class... F>(std::type_identity<std::tuple<F...>>) {
    return std::tuple<std::optional<typename Column<typename F::type>::Layout>...>();
  }(std::type_identity<Fields>()));
  // f(field, index) for each field of the row version.
  auto for_fields = [&](auto&& f) {
    for_each_index<std::tuple_size_v<Fields>>([&](auto i) {
      const auto& field = std::get<decltype(i)::value>(kFieldsOf<M>);
      if (field.spec.since <= version) f(field, i);
    });
  };
  auto prefetch = [](const std::vector<const M*>& rows, std::size_t i) {
    if (i + 16 < rows.size()) {
      const char* ahead = reinterpret_cast<const char*>(rows[i + 16]);
      internal::read_ahead(ahead);
      if constexpr (sizeof(M) > 64) internal::read_ahead(ahead + 64);
    }
  };

  const std::vector<const M*> rows = rows_by_id(table);
  const std::size_t n = rows.size();
  const bool parallel = n >= kParallelRows;
  const std::size_t mid = parallel ? n / 2 : n;

  // 1. Observe each half.
  std::array<Stats, 2> halves;
  auto observe = [&](Stats& stats, std::size_t lo, std::size_t hi) noexcept {
    for (std::size_t i = lo; i < hi; ++i) {
      prefetch(rows, i);
      const M& row = *rows[i];
      for_fields([&](const auto& f, auto k) {
        std::get<decltype(k)::value>(stats).observe(row.*f.member);
      });
    }
  };
  in_parallel(
      parallel, [&]() noexcept { observe(halves[0], 0, mid); },
      [&]() noexcept { observe(halves[1], mid, n); });

  // 2. Lay the columns out. Each row takes at least a byte: its id's.
  Stats all = halves[0];
  Layouts layouts;
  std::uint64_t bytes = 4;
  for_fields([&](const auto& f, auto k) {
    constexpr std::size_t K = decltype(k)::value;
    std::get<K>(all).merge(std::get<K>(halves[1]));
    bytes += std::get<K>(layouts)
                 .emplace(std::get<K>(all),
                          f.spec.kind == FieldKind::kAutoId ? 1 : 0)
                 .bytes();
  });
  BodyBytes out(bytes);
  const std::uint32_t columns = columns_in<M>(version);
  std::memcpy(out.data(), &columns, 4);
  unsigned char* at = out.data() + 4;
  for_fields([&](const auto&, auto k) {
    at = std::get<decltype(k)::value>(layouts)->place(at);
  });

  // 3. Emit each half.
  auto emit = [&](const Stats& before, std::size_t lo, std::size_t hi) noexcept {
    auto emitters = [&]<std::size_t... K>(std::index_sequence<K...>) {
      return std::tuple<std::optional<typename Column<
          typename std::tuple_element_t<K, Fields>::type>::Emitter>...>();
    }(std::make_index_sequence<std::tuple_size_v<Fields>>());
    for_fields([&](const auto&, auto k) {
      constexpr std::size_t K = decltype(k)::value;
      std::get<K>(emitters).emplace(*std::get<K>(layouts), std::get<K>(before));
    });
    for (std::size_t i = lo; i < hi; ++i) {
      prefetch(rows, i);
      const M& row = *rows[i];
      for_fields([&](const auto& f, auto k) {
        std::get<decltype(k)::value>(emitters)->emit(row.*f.member);
      });
    }
    for_fields([&](const auto&, auto k) {
      std::get<decltype(k)::value>(emitters)->flush();
    });
  };
  const Stats none{};
  in_parallel(
      parallel, [&]() noexcept { emit(none, 0, mid); },
      [&]() noexcept { emit(halves[0], mid, n); });
  return out;
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

// The rows of a table decoded ahead, in chunks, by either of two threads,
// and taken in file order by one of them. At most kAheadRows rows wait
// decoded (plus a chunk), whatever the size of the table. Each row decoded
// is also validated (the field rules, `validate(row)`, which throws
// ValidationError), so that the thread taking them need not.
template <class M>
class RowPipe {
 public:
  static constexpr std::uint64_t kChunkRows = 1024;
  static constexpr std::uint64_t kAheadRows = 1 << 20;

  // The rows decoded before an error (CorruptBody, bad_alloc), then it.
  // rows[0, valid) passed validate(); the row after them failed it, and
  // those after that were not validated.
  struct Chunk {
    std::vector<M> rows;
    std::size_t valid = 0;
    std::exception_ptr error;
  };

  RowPipe(TableReader<M>& reader, void (*validate)(const M&))
      : reader_(reader), validate_(validate) {}

  // Decodes the next chunk for take(). When enough rows wait already: waits
  // for take() if `wait`, else returns false at once. Returns false when
  // every row was decoded, one failed, or stop() was called.
  bool decode_ahead(bool wait) {
    std::unique_lock lock(mutex_);
    auto room = [&] { return !busy_ && ready_rows_ < kAheadRows; };
    if (wait) {
      changed_.wait(lock, [&] { return over() || room(); });
    }
    if (over() || !room()) return false;
    Chunk chunk = decode(lock);
    ready_rows_ += chunk.rows.size();
    ready_.push_back(std::move(chunk));
    changed_.notify_all();
    return true;
  }

  // The next chunk in file order, decoded here when none waits and the
  // other thread is not decoding one; nullopt after the last one.
  std::optional<Chunk> take() {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (!ready_.empty()) {
        Chunk chunk = std::move(ready_.front());
        ready_.pop_front();
        ready_rows_ -= chunk.rows.size();
        changed_.notify_all();
        return chunk;
      }
      if (!busy_) {
        if (over()) return std::nullopt;
        return decode(lock);
      }
      changed_.wait(lock);
    }
  }

  // Ends decoding ahead (the consumer failed).
  void stop() {
    std::lock_guard lock(mutex_);
    stopped_ = true;
    changed_.notify_all();
  }

 private:
  bool over() const noexcept {
    return stopped_ || failed_ || claimed_ == reader_.rows();
  }
  // Decodes the next chunk without the lock. REQUIRES: !busy_, !over().
  Chunk decode(std::unique_lock<std::mutex>& lock) {
    busy_ = true;
    const std::uint64_t n = std::min(kChunkRows, reader_.rows() - claimed_);
    claimed_ += n;
    lock.unlock();
    Chunk chunk;
    try {
      chunk.rows.reserve(static_cast<std::size_t>(n));
      bool valid = true;
      for (std::uint64_t i = 0; i < n; ++i) {
        chunk.rows.push_back(reader_.next());
        if (valid) {
          try {
            validate_(chunk.rows.back());
            ++chunk.valid;
          } catch (const ValidationError&) {
            valid = false;  // the taker validates it again, and reports it
          }
        }
      }
    } catch (...) {
      chunk.error = std::current_exception();
    }
    lock.lock();
    busy_ = false;
    if (chunk.error) failed_ = true;
    changed_.notify_all();
    return chunk;
  }

  TableReader<M>& reader_;
  void (*validate_)(const M&);
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Chunk> ready_;
  std::uint64_t ready_rows_ = 0;
  std::uint64_t claimed_ = 0;  // rows decoded or being decoded
  bool busy_ = false;          // a thread is decoding (the reader is its)
  bool failed_ = false;
  bool stopped_ = false;
};

}  // namespace folio::internal
