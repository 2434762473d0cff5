// IP address parsing with the rules of Python 3.11's ipaddress module, and
// Django 3.2's wrappers around it (with Debian's 39-character IPv6 limit).
#include <cstddef>
#include <string_view>
#include <vector>

#include "validators_internal.h"

namespace folio::validators_internal {
namespace {

std::vector<std::u32string_view> split(std::u32string_view s, char32_t sep) {
  std::vector<std::u32string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const std::size_t pos = s.find(sep, start);
    if (pos == std::u32string_view::npos) {
      parts.push_back(s.substr(start));
      return parts;
    }
    parts.push_back(s.substr(start, pos - start));
    start = pos + 1;
  }
}

bool is_hex_digit(char32_t c) {
  return is_ascii_digit(c) || (c >= U'a' && c <= U'f') ||
         (c >= U'A' && c <= U'F');
}

// _BaseV4._parse_octet: 1 to 3 ASCII digits, no leading zero, at most 255.
bool parse_octet(std::u32string_view octet) {
  if (octet.empty() || octet.size() > 3) return false;
  int value = 0;
  for (const char32_t c : octet) {
    if (!is_ascii_digit(c)) return false;
    value = value * 10 + static_cast<int>(c - U'0');
  }
  if (octet.size() > 1 && octet[0] == U'0') return false;
  return value <= 255;
}

// _BaseV6._parse_hextet: 1 to 4 ASCII hex digits.
bool parse_hextet(std::u32string_view hextet) {
  if (hextet.empty() || hextet.size() > 4) return false;
  for (const char32_t c : hextet) {
    if (!is_hex_digit(c)) return false;
  }
  return true;
}

// _BaseV6._ip_int_from_string, validity only.
bool parse_ipv6_address(std::u32string_view s) {
  constexpr std::size_t kHextets = 8;
  if (s.empty()) return false;
  std::vector<std::u32string_view> parts = split(s, U':');
  if (parts.size() < 3) return false;
  if (parts.back().find(U'.') != std::u32string_view::npos) {
    if (!is_python_ipv4(parts.back())) return false;
    parts.back() = U"0";
    parts.push_back(U"0");
  }
  if (parts.size() > kHextets + 1) return false;

  std::size_t skip_index = 0;  // 0: no "::" (index 0 is never a skip).
  for (std::size_t i = 1; i + 1 < parts.size(); ++i) {
    if (!parts[i].empty()) continue;
    if (skip_index != 0) return false;
    skip_index = i;
  }
  std::size_t parts_hi = 0;
  std::size_t parts_lo = 0;
  if (skip_index != 0) {
    parts_hi = skip_index;
    parts_lo = parts.size() - skip_index - 1;
    if (parts.front().empty() && --parts_hi != 0) return false;
    if (parts.back().empty() && --parts_lo != 0) return false;
    if (parts_hi + parts_lo >= kHextets) return false;
  } else {
    if (parts.size() != kHextets) return false;
    if (parts.front().empty() || parts.back().empty()) return false;
    parts_hi = parts.size();
  }
  for (std::size_t i = 0; i < parts_hi; ++i) {
    if (!parse_hextet(parts[i])) return false;
  }
  for (std::size_t i = parts.size() - parts_lo; i < parts.size(); ++i) {
    if (!parse_hextet(parts[i])) return false;
  }
  return true;
}

}  // namespace

bool is_python_ipv4(std::u32string_view s) {
  if (s.empty() || s.find(U'/') != std::u32string_view::npos) return false;
  const std::vector<std::u32string_view> octets = split(s, U'.');
  if (octets.size() != 4) return false;
  for (const std::u32string_view octet : octets) {
    if (!parse_octet(octet)) return false;
  }
  return true;
}

bool is_python_ipv6(std::u32string_view s) {
  if (s.find(U'/') != std::u32string_view::npos) return false;
  // _split_scope_id: everything after the first '%' is a non-empty zone id
  // without another '%'.
  const std::size_t percent = s.find(U'%');
  if (percent != std::u32string_view::npos) {
    const std::u32string_view scope = s.substr(percent + 1);
    if (scope.empty() || scope.find(U'%') != std::u32string_view::npos) {
      return false;
    }
    s = s.substr(0, percent);
  }
  return parse_ipv6_address(s);
}

bool is_django_ipv6(std::u32string_view s) {
  return s.size() <= 39 && is_python_ipv6(s);
}

bool is_django_ipv46(std::u32string_view s) {
  return is_python_ipv4(s) || is_django_ipv6(s);
}

}  // namespace folio::validators_internal
