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
#include <functional>
#include <limits>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

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

// Encodes one integer column in two passes over its values: observe()
// each, then layout(), then emit() each again in the same order; bytes()
// is then the column (the narrower of the two modes).
class IntColumnWriter {
 public:
  void observe(std::uint64_t v) noexcept {
    const auto s = static_cast<std::int64_t>(v);
    lo_ = std::min(lo_, s);
    hi_ = std::max(hi_, s);
    if (count_ > 0) {
      const auto step = static_cast<std::int64_t>(v - last_);
      step_lo_ = std::min(step_lo_, step);
      step_hi_ = std::max(step_hi_, step);
    } else {
      first_ = v;
    }
    last_ = v;
    ++count_;
  }
  // Chooses the encoding. `min_width` is 1 for a table's id column, so that
  // each row takes at least a byte and a row count can be bounded by the
  // bytes left.
  void layout(int min_width);
  void emit(std::uint64_t v) {
    batch_[batched_++] = delta_ ? v - last_ - base_ : v - base_;
    last_ = v;
    if (batched_ == batch_.size()) flush();
  }
  // The column. REQUIRES: every value was emitted.
  std::vector<unsigned char> bytes() {
    flush();
    return std::move(bytes_);
  }

 private:
  void flush();

  std::uint64_t count_ = 0;
  std::int64_t lo_ = std::numeric_limits<std::int64_t>::max();
  std::int64_t hi_ = std::numeric_limits<std::int64_t>::min();
  std::int64_t step_lo_ = std::numeric_limits<std::int64_t>::max();
  std::int64_t step_hi_ = std::numeric_limits<std::int64_t>::min();
  std::uint64_t first_ = 0, last_ = 0;
  bool delta_ = false;
  int width_ = 0;
  std::uint64_t base_ = 0;
  std::vector<unsigned char> bytes_;
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

// ---- Writing: the body as a list of pieces, so that its size is known
// before the first byte is written. ----

// Either bytes written as they are, or the bytes of `count` strings,
// string(i) for i in 0..count-1 (the rows stay where they are until the
// body is written).
struct BodyPiece {
  std::vector<unsigned char> bytes;
  std::size_t count = 0;
  std::function<const std::string&(std::size_t)> string;
  std::uint64_t string_bytes = 0;
};

class BodyPlan {
 public:
  void u8(std::uint8_t v) { small().push_back(v); }
  void u32(std::uint32_t v);
  // Bytes next in the body (a column).
  void append(std::vector<unsigned char> bytes);
  // The bytes of `count` strings, next in the body; `bytes` in all.
  void strings(std::size_t count, std::uint64_t bytes,
               std::function<const std::string&(std::size_t)> string);

  const std::vector<BodyPiece>& pieces() const noexcept { return pieces_; }
  std::uint64_t size() const noexcept;

 private:
  std::vector<unsigned char>& small();

  std::vector<BodyPiece> pieces_;
};

}  // namespace folio::internal
