// Building blocks of folio/validators.h, shared by the engine/validators*.cc
// files. Text is a sequence of Unicode code points, as a Python str is.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace folio::validators_internal {

inline bool is_ascii_digit(char32_t c) { return c >= U'0' && c <= U'9'; }

// On bytes, for the shortcuts that read ASCII values without decoding them.
inline bool is_ascii_letter(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
inline bool is_ascii_alnum(char c) {
  return is_ascii_letter(c) || (c >= '0' && c <= '9');
}

// What `[a-z]` matches in a Python pattern under re.IGNORECASE: the ASCII
// letters, and U+0130, U+0131, U+017F and U+212A, which Python folds onto
// i, s and k.
inline bool is_ci_letter(char32_t c) {
  return (c >= U'a' && c <= U'z') || (c >= U'A' && c <= U'Z') || c == 0x130 ||
         c == 0x131 || c == 0x17F || c == 0x212A;
}

// True when Django's URLValidator accepts `value`.
bool is_valid_url_text(std::u32string_view value);

// True for the most common URLs, a subset of those is_valid_url_text()
// accepts (ASCII "scheme://host.tld" and a path without spaces), checked on
// the bytes. False says nothing: the value takes is_valid_url_text().
bool is_common_ascii_url(std::string_view value);

// True when Python's ipaddress.IPv4Address(s) accepts `s`.
bool is_python_ipv4(std::u32string_view s);

// True when Python's ipaddress.IPv6Address(s) accepts `s` (a "%scope" suffix
// included).
bool is_python_ipv6(std::u32string_view s);

// True when Django's validate_ipv46_address accepts `s`.
bool is_django_ipv46(std::u32string_view s);

// True when Django's validate_ipv6_address accepts `s` (at most 39 code
// points, then IPv6Address).
bool is_django_ipv6(std::u32string_view s);

// Python's `domain.encode('idna')` (IDNA 2003, RFC 3490), or nullopt where
// Python raises UnicodeError. Nameprep is approximated: see validators_idna.cc.
std::optional<std::u32string> idna_encode(std::u32string_view domain);

}  // namespace folio::validators_internal
