// The columns of a snapshot body: how integers and strings are laid out, how
// they are encoded for writing, and the reader that checks every count and
// length against the bytes left before it trusts it. Private to the snapshot
// implementation (see docs/snapshot-format.md for the layout).
#pragma once

#include <algorithm>
#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "folio/internal/pool.h"

namespace folio::internal {

static_assert(std::endian::native == std::endian::little,
              "folio snapshots are written on little-endian machines only");

// A body that is inconsistent although its checksum matched (a writer bug or
// a crafted file). The loader reports it as SnapshotFault::kCorrupt.
class CorruptBody : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// ---- Integer columns ----
//
// n values (n comes from the table's row count), each a 64-bit two's
// complement number, stored as
//   u8 mode      0: frame of reference, 1: delta
//   u8 width     bytes per value, 0 to 8
//   u64 base     (little-endian, as every number below)
//   u64 start    mode 1 only (0 in mode 0)
//   n offsets of `width` bytes each
// and read as value[i] = base + offset[i] in mode 0, and
// value[i] = value[i-1] + base + offset[i] with value[-1] = start in mode 1,
// in wrapping 64-bit arithmetic. Ids in order, counters and dates take a
// byte or two per value this way.
inline constexpr std::size_t kIntColumnHead = 18;

// An integer column is written in two passes over its values, which may each
// be split into consecutive runs (one per thread): observe() every value into
// the IntStats of its run, merge the runs' stats in order, choose the
// encoding (IntLayout) from the merged stats, place() the column in the
// output, then emit every value again through one IntEmitter per run.

// What the encoding of a run of values depends on.
struct IntStats {
  std::uint64_t count = 0;
  std::int64_t lo = std::numeric_limits<std::int64_t>::max();
  std::int64_t hi = std::numeric_limits<std::int64_t>::min();
  std::int64_t step_lo = std::numeric_limits<std::int64_t>::max();
  std::int64_t step_hi = std::numeric_limits<std::int64_t>::min();
  std::uint64_t first = 0, last = 0;

  void observe(std::uint64_t v) noexcept {
    const auto s = static_cast<std::int64_t>(v);
    lo = std::min(lo, s);
    hi = std::max(hi, s);
    if (count > 0) {
      const auto step = static_cast<std::int64_t>(v - last);
      step_lo = std::min(step_lo, step);
      step_hi = std::max(step_hi, step);
    } else {
      first = v;
    }
    last = v;
    ++count;
  }
  // Appends the stats of the run that follows this one.
  void merge(const IntStats& next) noexcept;
};

// The encoding of a column (the narrower of the two modes), and where its
// offsets go once placed.
struct IntLayout {
  // `min_width` is 1 for a table's id column, so that each row takes at
  // least a byte and a row count can be bounded by the bytes left.
  IntLayout(const IntStats& all, int min_width);
  std::uint64_t bytes() const noexcept {
    return kIntColumnHead + count * static_cast<std::uint64_t>(width);
  }
  // Writes the column's head at `out` and returns the end of the column.
  unsigned char* place(unsigned char* out) noexcept;

  bool delta = false;
  int width = 0;
  std::uint64_t base = 0;
  std::uint64_t start = 0;
  std::uint64_t count = 0;
  unsigned char* data = nullptr;  // the offsets, once placed
};

// Emits the values of one run into a placed column. `before`: the stats of
// every run before this one (empty for the first).
class IntEmitter {
 public:
  IntEmitter(const IntLayout& layout, const IntStats& before) noexcept
      : out_(layout.data + before.count * static_cast<std::uint64_t>(layout.width)),
        delta_(layout.delta),
        width_(layout.width),
        base_(layout.base),
        last_(before.count > 0 ? before.last : layout.start) {}
  void emit(std::uint64_t v) noexcept {
    batch_[batched_++] = delta_ ? v - last_ - base_ : v - base_;
    last_ = v;
    if (batched_ == batch_.size()) flush();
  }
  // Writes what is batched. REQUIRES: called after the run's last emit().
  void flush() noexcept;

 private:
  unsigned char* out_;
  bool delta_;
  int width_;
  std::uint64_t base_;
  std::uint64_t last_;
  unsigned batched_ = 0;
  std::array<std::uint64_t, 256> batch_;
};

// A parsed integer column: its head and where its offsets are.
struct IntColumn {
  std::uint8_t mode = 0;
  std::uint8_t width = 0;
  std::uint64_t base = 0;
  std::uint64_t start = 0;
  const unsigned char* data = nullptr;
  std::uint64_t count = 0;
};

// Reads the values of an IntColumn in order, a batch at a time.
class IntCursor {
 public:
  IntCursor() = default;
  explicit IntCursor(const IntColumn& column)
      : column_(column), acc_(column.start) {}

  // The next value. REQUIRES: fewer than column.count values were read.
  std::uint64_t next() {
    if (pos_ == filled_) refill();
    return buffer_[pos_++];
  }

 private:
  void refill();

  IntColumn column_;
  std::uint64_t done_ = 0;  // values decoded into buffer_ so far
  std::uint64_t acc_ = 0;   // mode 1: the last value
  unsigned pos_ = 0;
  unsigned filled_ = 0;
  std::array<std::uint64_t, 256> buffer_;
};

// Reads a body from memory. Every read checks the bytes left first and
// throws CorruptBody when there are too few.
class BodyReader {
 public:
  explicit BodyReader(std::span<const std::byte> bytes)
      : p_(reinterpret_cast<const unsigned char*>(bytes.data())),
        end_(p_ + bytes.size()) {}

  std::uint64_t left() const noexcept {
    return static_cast<std::uint64_t>(end_ - p_);
  }
  // The next n bytes, in place. Valid as long as the body's memory.
  const unsigned char* take(std::uint64_t n, const char* what);
  std::uint8_t u8(const char* what) { return *take(1, what); }
  std::uint32_t u32(const char* what);
  std::uint64_t u64(const char* what);
  // An integer column of `count` values.
  IntColumn int_column(std::uint64_t count, const char* what);

 private:
  const unsigned char* p_;
  const unsigned char* end_;
};

// ---- Writing: the body as a list of byte pieces, so that its size is
// known before the first byte is written. ----

// Bytes of a body, not initialized when allocated (they are all written
// before they are read).
using BodyBytes = ByteBuffer;

class BodyPlan {
 public:
  // Bytes next in the body (a table).
  void append(BodyBytes bytes) { pieces_.push_back(std::move(bytes)); }

  const std::vector<BodyBytes>& pieces() const noexcept { return pieces_; }
  std::uint64_t size() const noexcept {
    std::uint64_t n = 0;
    for (const BodyBytes& p : pieces_) n += p.size();
    return n;
  }

 private:
  std::vector<BodyBytes> pieces_;
};

}  // namespace folio::internal
