#include "folio/decimal.h"

#include <cstdlib>

namespace folio {
namespace {

constexpr int kMaxExponent = 1000;

// 128-bit intermediates: a coefficient of 18 digits times a power of ten.
__extension__ using Int128 = __int128;
__extension__ using UInt128 = unsigned __int128;

int count_digits(std::int64_t v) noexcept {
  unsigned long long u = v < 0 ? 0ULL - static_cast<unsigned long long>(v)
                               : static_cast<unsigned long long>(v);
  int n = 1;
  while (u >= 10) {
    u /= 10;
    ++n;
  }
  return n;
}

Int128 pow10(int n) noexcept {
  Int128 p = 1;
  while (n-- > 0) p *= 10;
  return p;
}

}  // namespace

std::optional<Decimal> Decimal::parse(std::string_view text) noexcept {
  std::size_t i = 0;
  bool negative = false;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    negative = text[i] == '-';
    ++i;
  }
  unsigned long long coefficient = 0;
  int significant = 0;
  int fraction = 0;
  bool any_digit = false;
  bool seen_point = false;
  for (; i < text.size(); ++i) {
    char c = text[i];
    if (c >= '0' && c <= '9') {
      any_digit = true;
      if (seen_point) ++fraction;
      if (significant > 0 || c != '0') {
        if (++significant > kMaxDigits) return std::nullopt;
        coefficient = coefficient * 10 + static_cast<unsigned>(c - '0');
      }
    } else if (c == '.' && !seen_point) {
      seen_point = true;
    } else {
      break;
    }
  }
  if (!any_digit) return std::nullopt;
  int exponent = 0;
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    bool exp_negative = false;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
      exp_negative = text[i] == '-';
      ++i;
    }
    if (i == text.size()) return std::nullopt;
    for (; i < text.size(); ++i) {
      char c = text[i];
      if (c < '0' || c > '9') return std::nullopt;
      exponent = exponent * 10 + (c - '0');
      if (exponent > kMaxExponent) return std::nullopt;
    }
    if (exp_negative) exponent = -exponent;
  }
  if (i != text.size()) return std::nullopt;
  auto units = static_cast<std::int64_t>(coefficient);
  return from_units(negative ? -units : units, fraction - exponent);
}

int Decimal::digits() const noexcept {
  int length = count_digits(units());
  int exponent = -scale_;
  if (exponent >= 0) return length + exponent;
  return -exponent > length ? -exponent : length;
}

int Decimal::decimal_places() const noexcept { return scale_ > 0 ? scale_ : 0; }

std::int64_t Decimal::scaled(int places) const noexcept {
  return static_cast<std::int64_t>(units() * pow10(places - scale_));
}

std::string Decimal::format(int places) const {
  Int128 v = units() * pow10(places - scale_);
  bool negative = v < 0;
  UInt128 u = negative ? static_cast<UInt128>(-v)
                                 : static_cast<UInt128>(v);
  std::string digits;
  do {
    digits.insert(digits.begin(), static_cast<char>('0' + (u % 10)));
    u /= 10;
  } while (u != 0);
  if (static_cast<int>(digits.size()) <= places) {
    digits.insert(0, static_cast<std::size_t>(places) - digits.size() + 1, '0');
  }
  if (places > 0) digits.insert(digits.size() - places, 1, '.');
  if (negative) digits.insert(digits.begin(), '-');
  return digits;
}

std::string Decimal::to_string() const {
  return format(scale_ > 0 ? scale_ : 0);
}

std::strong_ordering operator<=>(const Decimal& a, const Decimal& b) noexcept {
  int scale = a.scale_ > b.scale_ ? a.scale_ : b.scale_;
  Int128 x = a.units() * pow10(scale - a.scale_);
  Int128 y = b.units() * pow10(scale - b.scale_);
  return x <=> y;
}

}  // namespace folio
