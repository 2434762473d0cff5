// Exact decimal numbers, as Django's DecimalField holds them. Never binary
// floating point.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace folio {

// A decimal number kept as written: a coefficient and a scale (the number of
// digits after the point), so that "9.990" keeps its three decimal places and
// is refused by a DecimalField(decimal_places=2) rather than rounded, as
// Django does. Compares by value ("14.5" == "14.50"). Value type; thread-
// compatible. Takes 12 bytes aligned to 4, the last two of them padding: a
// model may put a small field after it into those with
// [[no_unique_address]] (as Book does).
class Decimal {
 public:
  static constexpr int kMaxDigits = 18;  // what the coefficient can hold

  constexpr Decimal() = default;
  // units * 10^-scale, e.g. from_units(1450, 2) is 14.50.
  static constexpr Decimal from_units(std::int64_t units, int scale) {
    Decimal d;
    const auto bits = static_cast<std::uint64_t>(units);
    d.low_ = static_cast<std::uint32_t>(bits);
    d.high_ = static_cast<std::uint32_t>(bits >> 32);
    d.scale_ = static_cast<std::int16_t>(scale);
    return d;
  }
  // Parses "[+-]digits[.digits][e[+-]digits]" as Python's decimal.Decimal
  // does for finite numbers. Returns nullopt for anything else, including
  // more than kMaxDigits significant digits. Does not allocate.
  static std::optional<Decimal> parse(std::string_view text) noexcept;

  constexpr std::int64_t units() const noexcept {
    return static_cast<std::int64_t>(std::uint64_t{high_} << 32 | low_);
  }
  int scale() const noexcept { return scale_; }
  // Django's DecimalValidator counts: digits in total and after the point.
  int digits() const noexcept;
  int decimal_places() const noexcept;

  // The value with exactly `places` digits after the point ("14.50" for
  // places = 2). REQUIRES: scale() <= places.
  std::string format(int places) const;
  // The value as written ("9.990", "14.5", "1E+3" prints as "1000").
  std::string to_string() const;
  // The value in units of 10^-places. REQUIRES: scale() <= places and no
  // overflow (true for every value a DecimalField(8, 2) accepts).
  std::int64_t scaled(int places) const noexcept;

  friend bool operator==(const Decimal& a, const Decimal& b) noexcept {
    return (a <=> b) == 0;
  }
  friend std::strong_ordering operator<=>(const Decimal& a,
                                          const Decimal& b) noexcept;

 private:
  // The coefficient in two halves, so that the type needs only 4-byte
  // alignment (a row saves the padding an 8-byte member would cost).
  std::uint32_t low_ = 0;
  std::uint32_t high_ = 0;
  std::int16_t scale_ = 0;  // negative for "1E+3"
};

}  // namespace folio
