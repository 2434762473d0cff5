// UTF-8 handling, and Django 3.2's EmailValidator (django/core/validators.py
// as Debian bookworm ships it, on Python 3.11) without a regex engine. Text
// is decoded to code points first, since Python applies the patterns and the
// lengths to a str. The URL validator is in validators_url.cc.
#include "folio/validators.h"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>

#include "validators_internal.h"

namespace folio {
namespace {

namespace vi = validators_internal;
using vi::is_ascii_digit;
using vi::is_ci_letter;
using Text = std::u32string_view;
constexpr std::size_t kNpos = Text::npos;

// --- UTF-8 ---------------------------------------------------------------

// Length of the run of ASCII bytes at the start of `s`. Eight bytes at a
// time: nearly every value folio stores is ASCII throughout.
std::size_t ascii_prefix(std::string_view s) {
  constexpr std::uint64_t kHighBits = 0x8080808080808080;
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t word = 0;
    std::memcpy(&word, s.data() + i, 8);
    if ((word & kHighBits) != 0) break;
  }
  while (i < s.size() && static_cast<unsigned char>(s[i]) < 0x80) ++i;
  return i;
}

bool is_ascii(std::string_view s) { return ascii_prefix(s) == s.size(); }

// ASCII text is its own code points. Widening it into a buffer on the stack
// gives the code point algorithms their input without the decoder and
// without an allocation; the caller has checked `s` fits.
Text widen_ascii(std::string_view s, char32_t* buffer) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    buffer[i] = static_cast<unsigned char>(s[i]);
  }
  return Text(buffer, s.size());
}

// Length of the well-formed UTF-8 sequence at the start of `s` (storing its
// code point in `cp`), or 0 when it is ill-formed.
std::size_t decode_one(std::string_view s, char32_t& cp) {
  const auto byte = [&](std::size_t i) {
    return static_cast<unsigned char>(s[i]);
  };
  const unsigned char lead = byte(0);
  if (lead < 0x80) {
    cp = lead;
    return 1;
  }
  // Lead bytes C0, C1 and F5 to FF never occur; the other overlong forms,
  // surrogates and values above U+10FFFF are caught by the range check.
  std::size_t length = 4;
  if (lead < 0xC2 || lead > 0xF4) return 0;
  if (lead < 0xE0) {
    length = 2;
  } else if (lead < 0xF0) {
    length = 3;
  }
  constexpr char32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  cp = lead & (0x7F >> length);
  if (s.size() < length) return 0;
  for (std::size_t i = 1; i < length; ++i) {
    if ((byte(i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i) & 0x3F);
  }
  const bool surrogate = cp >= 0xD800 && cp <= 0xDFFF;
  if (cp < kMin[length] || cp > 0x10FFFF || surrogate) return 0;
  return length;
}

std::optional<std::u32string> decode_utf8(std::string_view s) {
  std::u32string out;
  out.reserve(s.size());
  while (!s.empty()) {
    char32_t cp = 0;
    const std::size_t length = decode_one(s, cp);
    if (length == 0) return std::nullopt;
    out += cp;
    s.remove_prefix(length);
  }
  return out;
}

// --- EmailValidator ------------------------------------------------------

// The dot-atom of user_regex: [-!#$%&'*+/=?^_`{}|~0-9A-Z]+ separated by dots.
bool is_dot_atom(Text s) {
  constexpr std::u32string_view kSymbols = U"-!#$%&'*+/=?^_`{}|~";
  std::size_t run = 0;
  for (const char32_t c : s) {
    if (c == U'.') {
      if (run == 0) return false;
      run = 0;
    } else if (is_ci_letter(c) || is_ascii_digit(c) ||
               kSymbols.find(c) != kNpos) {
      ++run;
    } else {
      return false;
    }
  }
  return run > 0;
}

// The quoted-string of user_regex.
bool is_quoted_string(Text s) {
  const auto is_qtext = [](char32_t c) {
    return (c >= 1 && c <= 8) || c == 11 || c == 12 || (c >= 14 && c <= 31) ||
           c == 33 || (c >= 35 && c <= 91) || (c >= 93 && c <= 127) ||
           is_ci_letter(c);
  };
  const auto is_quoted_pair = [](char32_t c) {
    return (c >= 1 && c <= 9) || c == 11 || c == 12 || (c >= 14 && c <= 127) ||
           is_ci_letter(c);
  };
  if (s.empty() || s.front() != U'"') return false;
  for (std::size_t i = 1; i < s.size();) {
    const char32_t c = s[i];
    if (c == U'"') return i + 1 == s.size();
    if (c == U'\\') {
      if (i + 1 == s.size() || !is_quoted_pair(s[i + 1])) return false;
      i += 2;
    } else if (is_qtext(c)) {
      ++i;
    } else {
      return false;
    }
  }
  return false;
}

bool is_email_label_char(char32_t c) {
  return is_ci_letter(c) || is_ascii_digit(c) || c == U'-';
}

// domain_regex: labels of 1 to 63 [A-Z0-9-] not starting or ending with '-',
// each followed by a dot, then a last label of 2 to 63 not ending with '-'.
bool matches_email_domain_regex(Text d) {
  const std::size_t last_dot = d.rfind(U'.');
  if (last_dot == kNpos) return false;
  const Text tld = d.substr(last_dot + 1);
  if (tld.size() < 2 || tld.size() > 63 || tld.back() == U'-' ||
      !std::all_of(tld.begin(), tld.end(), is_email_label_char)) {
    return false;
  }
  std::size_t start = 0;
  while (start <= last_dot) {
    const std::size_t end = d.find(U'.', start);
    const Text label = d.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == U'-' ||
        label.back() == U'-' ||
        !std::all_of(label.begin(), label.end(), is_email_label_char)) {
      return false;
    }
    start = end + 1;
  }
  return true;
}

// EmailValidator.validate_domain_part.
bool is_valid_email_domain(Text d) {
  if (matches_email_domain_regex(d)) return true;
  // literal_regex: \[([A-f0-9:.]+)\]\Z, then validate_ipv46_address.
  if (d.size() < 3 || d.front() != U'[' || d.back() != U']') return false;
  const Text literal = d.substr(1, d.size() - 2);
  const bool in_class =
      std::all_of(literal.begin(), literal.end(), [](char32_t c) {
        return c == U'.' || (c >= U'0' && c <= U':') ||
               (c >= U'A' && c <= U'z') || is_ci_letter(c);
      });
  return in_class && vi::is_django_ipv46(literal);
}

bool is_valid_email_text(Text value) {
  const std::size_t at = value.rfind(U'@');
  if (at == kNpos || value.size() > 320) return false;
  const Text user = value.substr(0, at);
  const Text domain = value.substr(at + 1);
  if (!is_dot_atom(user) && !is_quoted_string(user)) return false;
  if (domain == U"localhost" || is_valid_email_domain(domain)) return true;
  const std::optional<std::u32string> ace = vi::idna_encode(domain);
  return ace && is_valid_email_domain(*ace);
}

// check(the code points of `value`), false for ill-formed UTF-8. ASCII of at
// most N bytes is widened on the stack; anything else is decoded.
template <std::size_t N, class Check>
bool on_code_points(std::string_view value, Check check) {
  if (value.size() <= N && is_ascii(value)) {
    char32_t buffer[N];
    return check(widen_ascii(value, buffer));
  }
  const std::optional<std::u32string> text = decode_utf8(value);
  return text && check(*text);
}

// A shortcut for the emails folio mostly sees, on the bytes: an ASCII
// dot-atom user part, one '@', then dotted labels of letters, digits and
// hyphens that domain_regex matches. Such a value is accepted by
// is_valid_email_text: its only '@' is the last, it is at most 320 code
// points, is_dot_atom() takes the user part and matches_email_domain_regex()
// the domain, with the same character classes restricted to ASCII. It only
// ever accepts; every other value, refused ones included, takes the full
// steps.
bool is_common_ascii_email(std::string_view value) {
  constexpr std::string_view kSymbols = "-!#$%&'*+/=?^_`{}|~";
  using vi::is_ascii_alnum;
  if (value.size() > 320) return false;
  std::size_t i = 0;
  std::size_t run = 0;
  for (;; ++i) {
    if (i == value.size()) return false;
    const char c = value[i];
    if (c == '@') break;
    if (c == '.') {
      if (run == 0) return false;
      run = 0;
    } else if (is_ascii_alnum(c) || kSymbols.find(c) != kNpos) {
      ++run;
    } else {
      return false;
    }
  }
  if (run == 0) return false;
  std::size_t label_begin = ++i;
  std::size_t labels = 0;
  for (;; ++i) {
    const char c = i < value.size() ? value[i] : '\0';
    if (is_ascii_alnum(c) || c == '-') continue;
    const std::size_t length = i - label_begin;
    if (length > 63 || value[i - 1] == '-') return false;
    ++labels;
    if (c != '.') break;
    // Only the last label may start with '-' (or be shorter than 2).
    if (length == 0 || value[label_begin] == '-') return false;
    label_begin = i + 1;
  }
  return i == value.size() && labels >= 2 && i - label_begin >= 2;
}

}  // namespace

bool is_valid_utf8(std::string_view utf8) noexcept {
  while (!utf8.empty()) {
    utf8.remove_prefix(ascii_prefix(utf8));
    if (utf8.empty()) break;
    char32_t cp = 0;
    const std::size_t length = decode_one(utf8, cp);
    if (length == 0) return false;
    utf8.remove_prefix(length);
  }
  return true;
}

// An ill-formed byte counts as one code point, as it does after
// bytes.decode('utf-8', 'surrogateescape').
std::size_t code_point_count(std::string_view utf8) noexcept {
  std::size_t count = 0;
  while (!utf8.empty()) {
    const std::size_t ascii = ascii_prefix(utf8);
    count += ascii;
    utf8.remove_prefix(ascii);
    if (utf8.empty()) break;
    char32_t cp = 0;
    const std::size_t length = decode_one(utf8, cp);
    utf8.remove_prefix(length == 0 ? 1 : length);
    ++count;
  }
  return count;
}

bool is_valid_email(std::string_view value) {
  // More than 4 * 320 bytes is more than 320 code points.
  if (value.empty() || value.size() > 4 * 320) return false;
  if (is_common_ascii_email(value)) return true;
  return on_code_points<320>(value, is_valid_email_text);
}

bool is_valid_url(std::string_view value) {
  if (value.size() > 4 * 2048) return false;
  if (vi::is_common_ascii_url(value)) return true;
  // URLField's max_length is 200 by default: longer ASCII URLs are rare
  // enough to take the decoder.
  return on_code_points<512>(value, vi::is_valid_url_text);
}

}  // namespace folio
