#include "folio/datetime.h"

#include <chrono>
#include <cstdio>

namespace folio {
namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;
constexpr std::int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t days_from_civil(int y, int m, int d) noexcept {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = static_cast<int>(y - era * 400);
  const int doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

struct Civil {
  int year, month, day, hour, minute, second, microsecond;
};

Civil civil_from_micros(std::int64_t micros) noexcept {
  std::int64_t days = micros / kMicrosPerDay;
  std::int64_t rest = micros % kMicrosPerDay;
  if (rest < 0) {
    rest += kMicrosPerDay;
    --days;
  }
  const std::int64_t z = days + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int doe = static_cast<int>(z - era * 146097);
  const int yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int mp = (5 * doy + 2) / 153;
  Civil c{};
  c.day = doy - (153 * mp + 2) / 5 + 1;
  c.month = mp < 10 ? mp + 3 : mp - 9;
  c.year = static_cast<int>(yoe + era * 400) + (c.month <= 2);
  std::int64_t seconds = rest / kMicrosPerSecond;
  c.microsecond = static_cast<int>(rest % kMicrosPerSecond);
  c.hour = static_cast<int>(seconds / 3600);
  c.minute = static_cast<int>(seconds / 60 % 60);
  c.second = static_cast<int>(seconds % 60);
  return c;
}

int days_in_month(int y, int m) noexcept {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

// Reads 1 to max_digits digits at text[i]; returns false when there is none.
bool read_number(std::string_view text, std::size_t& i, int min_digits,
                 int max_digits, int& out) noexcept {
  int n = 0;
  out = 0;
  while (i < text.size() && n < max_digits && text[i] >= '0' && text[i] <= '9') {
    out = out * 10 + (text[i] - '0');
    ++i;
    ++n;
  }
  return n >= min_digits;
}

std::string format_civil(const Civil& c, char separator) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d%c%02d:%02d:%02d", c.year,
                c.month, c.day, separator, c.hour, c.minute, c.second);
  return buf;
}

}  // namespace

DateTime DateTime::from_civil(int year, int month, int day, int hour,
                              int minute, int second, int microsecond) {
  std::int64_t seconds = days_from_civil(year, month, day) * 86'400 +
                         hour * 3600 + minute * 60 + second;
  return from_micros(seconds * kMicrosPerSecond + microsecond);
}

DateTime DateTime::now() {
  auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return from_micros(
      std::chrono::duration_cast<std::chrono::microseconds>(since_epoch)
          .count());
}

// Follows django.utils.dateparse.datetime_re:
// YYYY-M[M]-D[D][T ]H[H]:M[M][:S[S][.,]f{1,6}\d{0,6}]\s*(Z|[+-]HH[[:]MM])?
std::optional<DateTime> DateTime::parse(std::string_view text) noexcept {
  std::size_t i = 0;
  int year, month, day, hour, minute, second = 0, micro = 0;
  if (!read_number(text, i, 4, 4, year) || i >= text.size() || text[i++] != '-')
    return std::nullopt;
  if (!read_number(text, i, 1, 2, month) || i >= text.size() || text[i++] != '-')
    return std::nullopt;
  if (!read_number(text, i, 1, 2, day) || i >= text.size() ||
      (text[i] != 'T' && text[i] != ' '))
    return std::nullopt;
  ++i;
  if (!read_number(text, i, 1, 2, hour) || i >= text.size() || text[i++] != ':')
    return std::nullopt;
  if (!read_number(text, i, 1, 2, minute)) return std::nullopt;
  if (i < text.size() && text[i] == ':') {
    ++i;
    if (!read_number(text, i, 1, 2, second)) return std::nullopt;
    if (i < text.size() && (text[i] == '.' || text[i] == ',')) {
      ++i;
      std::size_t start = i;
      if (!read_number(text, i, 1, 6, micro)) return std::nullopt;
      for (std::size_t n = i - start; n < 6; ++n) micro *= 10;
      int ignored;
      read_number(text, i, 0, 6, ignored);
    }
  }
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
  int offset_minutes = 0;
  if (i < text.size() && text[i] == 'Z') {
    ++i;
  } else if (i < text.size() && (text[i] == '+' || text[i] == '-')) {
    int sign = text[i] == '-' ? -1 : 1;
    ++i;
    int oh, om = 0;
    std::size_t start = i;
    if (!read_number(text, i, 2, 2, oh) || i - start != 2) return std::nullopt;
    if (i < text.size()) {
      if (text[i] == ':') ++i;
      start = i;
      if (!read_number(text, i, 2, 2, om) || i - start != 2) return std::nullopt;
    }
    offset_minutes = sign * (oh * 60 + om);
  }
  if (i != text.size()) return std::nullopt;
  if (year < 1 || month < 1 || month > 12 || day < 1 ||
      day > days_in_month(year, month) || hour > 23 || minute > 59 ||
      second > 59 || offset_minutes <= -24 * 60 || offset_minutes >= 24 * 60)
    return std::nullopt;
  DateTime t = from_civil(year, month, day, hour, minute, second, micro);
  return from_micros(t.micros_ - std::int64_t{offset_minutes} * 60 * kMicrosPerSecond);
}

std::string DateTime::to_django_json() const {
  Civil c = civil_from_micros(micros_);
  std::string s = format_civil(c, 'T');
  if (c.microsecond != 0) {
    char buf[16];
    std::snprintf(buf, sizeof buf, ".%03d", c.microsecond / 1000);
    s += buf;
  }
  return s + "Z";
}

std::string DateTime::to_iso() const {
  Civil c = civil_from_micros(micros_);
  std::string s = format_civil(c, 'T');
  if (c.microsecond != 0) {
    char buf[16];
    std::snprintf(buf, sizeof buf, ".%06d", c.microsecond);
    s += buf;
  }
  return s + "+00:00";
}

std::string DateTime::to_sql() const {
  Civil c = civil_from_micros(micros_);
  std::string s = format_civil(c, ' ');
  if (c.microsecond != 0) {
    char buf[16];
    std::snprintf(buf, sizeof buf, ".%06d", c.microsecond);
    s += buf;
  }
  return s;
}

}  // namespace folio
