// Points in time, as Django's DateTimeField holds them with USE_TZ = True.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace folio {

// A UTC point in time with microsecond precision: microseconds since
// 1970-01-01T00:00:00Z. Value type; thread-compatible.
class DateTime {
 public:
  constexpr DateTime() = default;
  static constexpr DateTime from_micros(std::int64_t micros) {
    DateTime t;
    t.micros_ = micros;
    return t;
  }
  // From a UTC civil time. REQUIRES: fields in range (1 <= month <= 12, ...).
  static DateTime from_civil(int year, int month, int day, int hour = 0,
                             int minute = 0, int second = 0,
                             int microsecond = 0);
  // The current time, to the microsecond.
  static DateTime now();
  // Parses ISO 8601 as Django's parse_datetime does: "2026-01-21T10:15:00Z",
  // "2026-01-21 10:15:00.123456", an offset "+02:00" (converted to UTC); a
  // time without offset is taken as UTC. Years 1 to 9999. Returns nullopt
  // for anything else.
  static std::optional<DateTime> parse(std::string_view text) noexcept;

  std::int64_t micros() const noexcept { return micros_; }

  // As Django's JSON serializer writes it: "2026-01-21T10:15:00Z", or with
  // the microseconds cut to milliseconds "2026-01-21T10:15:00.123Z".
  std::string to_django_json() const;
  // Full precision ISO 8601 in UTC: "2026-01-21T10:15:00.123456+00:00"
  // (microseconds only when non-zero), as Python's isoformat() writes it.
  std::string to_iso() const;
  // For SQL: "2026-01-21 10:15:00.123456" (as Django stores it in SQLite).
  std::string to_sql() const;

  friend constexpr auto operator<=>(const DateTime&, const DateTime&) = default;

 private:
  std::int64_t micros_ = 0;
};

}  // namespace folio
