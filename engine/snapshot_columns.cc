#include "snapshot_columns.h"

#include <algorithm>
#include <limits>
#include <string_view>

namespace folio::internal {
namespace {

// Bytes needed for values 0..range.
int width_of(std::uint64_t range) noexcept {
  return range == 0 ? 0 : (std::bit_width(range) + 7) / 8;
}

void put_le(unsigned char* p, std::uint64_t v) { std::memcpy(p, &v, 8); }

template <int W>
void pack(const std::uint64_t* offsets, std::size_t n, unsigned char* out) {
  for (std::size_t i = 0; i < n; ++i, out += W) {
    std::memcpy(out, &offsets[i], W);
  }
}

template <int W>
void unpack(const unsigned char* in, unsigned n, std::uint64_t* out) {
  for (unsigned i = 0; i < n; ++i, in += W) {
    std::uint64_t v = 0;
    std::memcpy(&v, in, W);
    out[i] = v;
  }
}

template <class F>
void with_width(int width, F&& f) {
  switch (width) {
    case 1:
      f.template operator()<1>();
      break;
    case 2:
      f.template operator()<2>();
      break;
    case 3:
      f.template operator()<3>();
      break;
    case 4:
      f.template operator()<4>();
      break;
    case 5:
      f.template operator()<5>();
      break;
    case 6:
      f.template operator()<6>();
      break;
    case 7:
      f.template operator()<7>();
      break;
    case 8:
      f.template operator()<8>();
      break;
    default:
      break;  // width 0: no bytes
  }
}

}  // namespace

void IntStats::merge(const IntStats& next) noexcept {
  if (next.count == 0) return;
  if (count == 0) {
    *this = next;
    return;
  }
  const auto step = static_cast<std::int64_t>(next.first - last);
  lo = std::min(lo, next.lo);
  hi = std::max(hi, next.hi);
  step_lo = std::min({step_lo, step, next.step_lo});
  step_hi = std::max({step_hi, step, next.step_hi});
  last = next.last;
  count += next.count;
}

IntLayout::IntLayout(const IntStats& all, int min_width) : count(all.count) {
  std::int64_t lo = all.lo, hi = all.hi;
  std::int64_t step_lo = all.step_lo, step_hi = all.step_hi;
  if (count == 0) lo = hi = 0;
  if (count < 2) step_lo = step_hi = 0;
  // Frame of reference: the smallest value as base. Delta: the smallest
  // step as base, value[-1] chosen so that the first step is that one.
  const int for_width = std::max(
      min_width,
      width_of(static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo)));
  const int delta_width =
      std::max(min_width, width_of(static_cast<std::uint64_t>(step_hi) -
                                   static_cast<std::uint64_t>(step_lo)));
  delta = delta_width < for_width;
  width = delta ? delta_width : for_width;
  base = static_cast<std::uint64_t>(delta ? step_lo : lo);
  start = delta && count > 0 ? all.first - base : 0;
}

unsigned char* IntLayout::place(unsigned char* out) noexcept {
  out[0] = delta ? 1 : 0;
  out[1] = static_cast<unsigned char>(width);
  put_le(out + 2, base);
  put_le(out + 10, start);
  data = out + kIntColumnHead;
  return out + bytes();
}

void IntEmitter::flush() noexcept {
  with_width(width_, [&]<int W>() { pack<W>(batch_.data(), batched_, out_); });
  out_ += batched_ * static_cast<std::size_t>(width_);
  batched_ = 0;
}

void IntCursor::refill() {
  const auto k = static_cast<unsigned>(
      std::min<std::uint64_t>(buffer_.size(), column_.count - done_));
  const unsigned char* in = column_.data + done_ * column_.width;
  std::uint64_t* out = buffer_.data();
  if (column_.width == 0) {
    std::fill_n(out, k, 0);
  } else {
    with_width(column_.width, [&]<int W>() { unpack<W>(in, k, out); });
  }
  const std::uint64_t base = column_.base;
  if (column_.mode == 0) {
    for (unsigned i = 0; i < k; ++i) out[i] += base;
  } else {
    std::uint64_t acc = acc_;
    for (unsigned i = 0; i < k; ++i) out[i] = acc += base + out[i];
    acc_ = acc;
  }
  done_ += k;
  pos_ = 0;
  filled_ = k;
}

const unsigned char* BodyReader::take(std::uint64_t n, const char* what) {
  if (n > left()) {
    throw CorruptBody(std::string(what) + " needs " + std::to_string(n) +
                      " bytes, but the body has " + std::to_string(left()) +
                      " left");
  }
  const unsigned char* p = p_;
  p_ += n;
  return p;
}

std::uint32_t BodyReader::u32(const char* what) {
  std::uint32_t v;
  std::memcpy(&v, take(4, what), 4);
  return v;
}

std::uint64_t BodyReader::u64(const char* what) {
  std::uint64_t v;
  std::memcpy(&v, take(8, what), 8);
  return v;
}

IntColumn BodyReader::int_column(std::uint64_t count, const char* what) {
  const unsigned char* head = take(kIntColumnHead, what);
  IntColumn c;
  c.mode = head[0];
  c.width = head[1];
  std::memcpy(&c.base, head + 2, 8);
  std::memcpy(&c.start, head + 10, 8);
  if (c.mode > 1 || c.width > 8) {
    throw CorruptBody(std::string(what) + " has an unknown encoding (mode " +
                      std::to_string(c.mode) + ", width " +
                      std::to_string(c.width) + ")");
  }
  // A column of width 0 takes no bytes; otherwise count * width must fit.
  if (c.width > 0 && count > left() / c.width) {
    throw CorruptBody(std::string(what) + " claims " + std::to_string(count) +
                      " values in " + std::to_string(left()) + " bytes");
  }
  c.count = count;
  c.data = take(count * c.width, what);
  return c;
}

}  // namespace folio::internal
