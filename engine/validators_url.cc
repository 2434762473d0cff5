// Django 3.2's URLValidator (django/core/validators.py as Debian bookworm
// ships it, on Python 3.11) without a regex engine: the pattern, the
// urllib.parse.urlsplit() and urlunsplit() steps, the IDN retry and the
// IPv6 and host length checks.
#include <algorithm>
#include <cstddef>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

#include "validators_internal.h"

namespace folio::validators_internal {
namespace {

using Text = std::u32string_view;
constexpr std::size_t kNpos = Text::npos;

// What `\s` matches.
bool is_py_space(char32_t c) {
  return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 ||
         c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) ||
         c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F ||
         c == 0x3000;
}

// First code points of the runs of ten that `\d` matches (Unicode 14.0, Nd).
constexpr char32_t kDigitRuns[] = {
    0x30,    0x660,   0x6F0,   0x7C0,   0x966,   0x9E6,   0xA66,   0xAE6,
    0xB66,   0xBE6,   0xC66,   0xCE6,   0xD66,   0xDE6,   0xE50,   0xED0,
    0xF20,   0x1040,  0x1090,  0x17E0,  0x1810,  0x1946,  0x19D0,  0x1A80,
    0x1A90,  0x1B50,  0x1BB0,  0x1C40,  0x1C50,  0xA620,  0xA8D0,  0xA900,
    0xA9D0,  0xA9F0,  0xAA50,  0xABF0,  0xFF10,  0x104A0, 0x10D30, 0x11066,
    0x110F0, 0x11136, 0x111D0, 0x112F0, 0x11450, 0x114D0, 0x11650, 0x116C0,
    0x11730, 0x118E0, 0x11950, 0x11C50, 0x11D50, 0x11DA0, 0x16A60, 0x16AC0,
    0x16B50, 0x1D7CE, 0x1D7D8, 0x1D7E2, 0x1D7EC, 0x1D7F6, 0x1E140, 0x1E2F0,
    0x1E950, 0x1FBF0,
};

// What `\d` matches.
bool is_py_digit(char32_t c) {
  const char32_t* it =
      std::upper_bound(std::begin(kDigitRuns), std::end(kDigitRuns), c);
  return it != std::begin(kDigitRuns) && c - *std::prev(it) < 10;
}

// Matches `literal` (lower-case ASCII) at `s[pos]` under re.IGNORECASE.
bool matches_ci(Text s, std::size_t pos, std::u32string_view literal) {
  if (s.size() - std::min(pos, s.size()) < literal.size()) return false;
  for (std::size_t i = 0; i < literal.size(); ++i) {
    const char32_t c = s[pos + i];
    const char32_t want = literal[i];
    const bool same =
        c == want || (want >= U'a' && want <= U'z' && c == want - 32) ||
        (want == U'i' && (c == 0x130 || c == 0x131)) ||
        (want == U's' && c == 0x17F) || (want == U'k' && c == 0x212A);
    if (!same) return false;
  }
  return true;
}

// `s` starts with `lower` (lower-case ASCII) once its A-Z are lower-cased.
// For the schemes that is all str.lower() does: the only other code points
// it turns into ASCII letters are U+212A ('k') and U+0130 ("i" and U+0307),
// and no scheme has a 'k' or an 'i'.
bool matches_ascii_ci(Text s, std::u32string_view lower) {
  for (std::size_t i = 0; i < lower.size(); ++i) {
    const char32_t c = s[i];
    if (c != lower[i] && !(c >= U'A' && c <= U'Z' && c + 32 == lower[i])) {
      return false;
    }
  }
  return true;
}

// URLValidator.regex after its `^(?:[a-z0-9.+-]*)://`, on the text `s` that
// follows "://". Python's backtracking is replaced by trying every way each
// piece can end.
class UrlRestMatcher {
 public:
  explicit UrlRestMatcher(Text s) : s_(s) {
    for (std::size_t i = s.size(); i-- > 0;) {
      if (is_py_space(s[i])) {
        last_space_ = i;
        break;
      }
    }
  }

  // (?:user(?::password)?@)?(?:ipv4|ipv6|host)(?::\d{2,5})?(?:[/?#]\S*)?\Z
  bool matches() const {
    if (host_matches(0)) return true;
    const std::size_t at = s_.find(U'@');
    if (at == kNpos) return false;
    const Text userinfo = s_.substr(0, at);
    const std::size_t colon = userinfo.find(U':');
    if (colon == 0 || userinfo.empty() ||
        (colon != kNpos && userinfo.find(U':', colon + 1) != kNpos) ||
        userinfo.find(U'/') != kNpos ||
        std::any_of(userinfo.begin(), userinfo.end(), is_py_space)) {
      return false;
    }
    return host_matches(at + 1);
  }

 private:
  static bool is_host_char(char32_t c) {
    return is_ci_letter(c) || is_ascii_digit(c) || (c >= 0xA1 && c <= 0xFFFF);
  }
  static bool is_tld_char(char32_t c) {
    return is_ci_letter(c) || c == U'-' || (c >= 0xA1 && c <= 0xFFFF);
  }
  static bool is_ipv6_char(char32_t c) {
    return is_ascii_digit(c) || (c >= U'a' && c <= U'f') ||
           (c >= U'A' && c <= U'F') || c == U':' || c == U'.';
  }

  char32_t at(std::size_t i) const { return i < s_.size() ? s_[i] : 0; }

  // (?:[/?#][^\s]*)?\Z from `pos`.
  bool tail_matches(std::size_t pos) const {
    if (pos == s_.size()) return true;
    const char32_t c = s_[pos];
    return (c == U'/' || c == U'?' || c == U'#') &&
           (last_space_ == kNpos || last_space_ < pos);
  }

  // (?::\d{2,5})? and the tail, after a host ending at `pos`.
  bool accept_host_end(std::size_t pos) const {
    if (tail_matches(pos)) return true;
    if (at(pos) != U':') return false;
    for (std::size_t n = 1; n <= 5 && is_py_digit(at(pos + n)); ++n) {
      if (n >= 2 && tail_matches(pos + n + 1)) return true;
    }
    return false;
  }

  bool host_matches(std::size_t pos) const {
    return ipv4_matches(pos, 0) || ipv6_matches(pos) ||
           (matches_ci(s_, pos, U"localhost") && accept_host_end(pos + 9)) ||
           hostname_matches(pos);
  }

  // One octet of ipv4_re: 0|25[0-5]|2[0-4]\d|1\d?\d?|[1-9]\d?
  bool ipv4_matches(std::size_t pos, int octet) const {
    const auto next = [&](std::size_t end) {
      if (octet == 3) return accept_host_end(end);
      return at(end) == U'.' && ipv4_matches(end + 1, octet + 1);
    };
    const char32_t c = at(pos);
    if (c == U'0') return next(pos + 1);
    if (c < U'1' || c > U'9') return false;
    if (next(pos + 1)) return true;
    if (is_py_digit(at(pos + 1)) && next(pos + 2)) return true;
    if (c == U'1') {
      return is_py_digit(at(pos + 1)) && is_py_digit(at(pos + 2)) &&
             next(pos + 3);
    }
    if (c == U'2') {
      const char32_t d = at(pos + 1);
      if (d == U'5' && at(pos + 2) >= U'0' && at(pos + 2) <= U'5') {
        if (next(pos + 3)) return true;
      }
      return d >= U'0' && d <= U'4' && is_py_digit(at(pos + 2)) &&
             next(pos + 3);
    }
    return false;
  }

  // ipv6_re: \[[0-9a-f:.]+\]
  bool ipv6_matches(std::size_t pos) const {
    if (at(pos) != U'[') return false;
    std::size_t end = pos + 1;
    while (end < s_.size() && is_ipv6_char(s_[end])) ++end;
    return end > pos + 1 && at(end) == U']' && accept_host_end(end + 1);
  }

  // A hostname_re or domain_re label: 1 to 63 characters, no '-' at the ends.
  bool is_label(std::size_t begin, std::size_t end) const {
    if (end <= begin || end - begin > 63 || s_[begin] == U'-' ||
        s_[end - 1] == U'-') {
      return false;
    }
    for (std::size_t i = begin; i < end; ++i) {
      if (!is_host_char(s_[i]) && s_[i] != U'-') return false;
    }
    return true;
  }

  // hostname_re domain_re tld_re: labels, then a top-level label after one
  // of the dots.
  bool hostname_matches(std::size_t pos) const {
    std::size_t dot = s_.find(U'.', pos);
    if (dot == kNpos || !is_label(pos, dot)) return false;
    for (;;) {
      if (tld_matches(dot + 1)) return true;
      const std::size_t next = s_.find(U'.', dot + 1);
      if (next == kNpos || !is_label(dot + 1, next)) return false;
      dot = next;
    }
  }

  // tld_re after its dot: (?!-)(?:[a-z\u00a1-\uffff-]{2,63}|xn--[a-z0-9]{1,59})
  // (?<!-)\.?
  bool tld_matches(std::size_t pos) const {
    const auto accept = [&](std::size_t end) {
      return accept_host_end(end) ||
             (at(end) == U'.' && accept_host_end(end + 1));
    };
    if (at(pos) != U'-') {
      for (std::size_t end = pos; end - pos < 63 && is_tld_char(at(end));) {
        ++end;
        if (end - pos >= 2 && s_[end - 1] != U'-' && accept(end)) return true;
      }
    }
    if (matches_ci(s_, pos, U"xn--")) {
      const std::size_t start = pos + 4;
      for (std::size_t end = start;
           end - start < 59 &&
           (is_ci_letter(at(end)) || is_ascii_digit(at(end)));) {
        ++end;
        if (accept(end)) return true;
      }
    }
    return false;
  }

  Text s_;
  std::size_t last_space_ = kNpos;
};

// URLValidator.regex.search(url).
bool matches_url_regex(Text url) {
  const std::size_t colon = url.find(U':');
  if (colon == kNpos || url.substr(colon, 3) != U"://") return false;
  for (std::size_t i = 0; i < colon; ++i) {
    const char32_t c = url[i];
    if (!is_ci_letter(c) && !is_ascii_digit(c) && c != U'.' && c != U'+' &&
        c != U'-') {
      return false;
    }
  }
  return UrlRestMatcher(url.substr(colon + 3)).matches();
}

// The parts of urllib.parse.urlsplit() that the validator uses.
struct SplitUrl {
  Text netloc;
  Text path;
  Text query;
  Text fragment;
};

// ipaddress.ip_address(host) is an IPv6 address, or host is an IPvFuture
// literal (`\Av[a-fA-F0-9]+\..+\Z`).
bool is_valid_bracketed_host(Text host) {
  if (!host.empty() && host.front() == U'v') {
    std::size_t i = 1;
    while (i < host.size() &&
           (is_ascii_digit(host[i]) || (host[i] >= U'a' && host[i] <= U'f') ||
            (host[i] >= U'A' && host[i] <= U'F'))) {
      ++i;
    }
    return i > 1 && i + 1 < host.size() && host[i] == U'.';
  }
  return is_python_ipv6(host);
}

// Characters whose NFKC form (Unicode 14.0) contains one of "/?#@:"; a
// non-ASCII netloc containing one makes urlsplit() raise ValueError.
bool expands_to_netloc_delimiter(char32_t c) {
  // Every such character is at or above U+2047: most text is ruled out with
  // one comparison.
  if (c < 0x2047) return false;
  constexpr std::u32string_view kChars =
      U"\u2047\u2048\u2049\u2100\u2101\u2105\u2106\u2A74\uFE13\uFE16\uFE55"
      U"\uFE56\uFE5F\uFE6B\uFF03\uFF0F\uFF1A\uFF1F\uFF20";
  return kChars.find(c) != kNpos;
}

// urlsplit() of "<scheme>://<rest>", or nullopt where it raises ValueError.
std::optional<SplitUrl> split_url(Text url, std::size_t scheme_length) {
  SplitUrl parts;
  Text rest = url.substr(scheme_length + 3);
  const std::size_t netloc_end =
      std::min(rest.find_first_of(U"/?#"), rest.size());
  parts.netloc = rest.substr(0, netloc_end);
  rest.remove_prefix(netloc_end);
  const Text netloc = parts.netloc;
  const bool open = netloc.find(U'[') != kNpos;
  const bool close = netloc.find(U']') != kNpos;
  if (open != close) return std::nullopt;
  if (open) {
    // _check_bracketed_netloc.
    const std::size_t at = netloc.rfind(U'@');
    const Text host_port = at == kNpos ? netloc : netloc.substr(at + 1);
    const std::size_t bracket = host_port.find(U'[');
    Text host;
    if (bracket != kNpos) {
      if (bracket != 0) return std::nullopt;
      const Text bracketed = host_port.substr(1);
      const std::size_t end = std::min(bracketed.find(U']'), bracketed.size());
      host = bracketed.substr(0, end);
      const Text port = bracketed.substr(std::min(end + 1, bracketed.size()));
      if (!port.empty() && port.front() != U':') return std::nullopt;
    } else {
      host = host_port.substr(0, host_port.find(U':'));
    }
    if (!is_valid_bracketed_host(host)) return std::nullopt;
  }
  const std::size_t hash = rest.find(U'#');
  if (hash != kNpos) {
    parts.fragment = rest.substr(hash + 1);
    rest = rest.substr(0, hash);
  }
  const std::size_t question = rest.find(U'?');
  if (question != kNpos) {
    parts.query = rest.substr(question + 1);
    rest = rest.substr(0, question);
  }
  parts.path = rest;
  // _checknetloc.
  if (std::any_of(netloc.begin(), netloc.end(), expands_to_netloc_delimiter)) {
    return std::nullopt;
  }
  return parts;
}

// SplitResult.hostname, measured as len() measures it.
std::size_t hostname_length(Text netloc) {
  const std::size_t at = netloc.rfind(U'@');
  const Text host_info = at == kNpos ? netloc : netloc.substr(at + 1);
  const std::size_t bracket = host_info.find(U'[');
  Text host = host_info.substr(0, host_info.find(U':'));
  if (bracket != kNpos) {
    const Text bracketed = host_info.substr(bracket + 1);
    host = bracketed.substr(0, bracketed.find(U']'));
  }
  // hostname lower-cases the part before '%'; U+0130 becomes two characters.
  const Text lowered = host.substr(0, host.find(U'%'));
  return host.size() + static_cast<std::size_t>(std::count(
                           lowered.begin(), lowered.end(), char32_t{0x130}));
}

// The IPv6 check that follows a direct match: ^\[(.+)\](?::\d{2,5})?$ on the
// netloc (greedy, so the last fitting ']' ends the group), then
// validate_ipv6_address on the group. `$` also matches before a final '\n',
// but line feeds never get this far.
bool bracketed_netloc_ok(Text netloc) {
  if (netloc.empty() || netloc.front() != U'[') return true;
  for (std::size_t close = netloc.size(); close-- > 2;) {
    if (netloc[close] != U']') continue;
    const Text port = netloc.substr(close + 1);
    const bool port_ok =
        port.empty() ||
        (port.front() == U':' && port.size() >= 3 && port.size() <= 6 &&
         std::all_of(port.begin() + 1, port.end(), is_py_digit));
    if (port_ok) return is_django_ipv6(netloc.substr(1, close - 1));
  }
  return true;
}

}  // namespace

// It only ever accepts, so it only needs to be right about what it accepts.
// Why each step of is_valid_url_text accepts the same: it is ASCII
// without tab, CR or LF and at most 2048 code points; the scheme is one of
// the four; urlsplit() takes exactly the host as the netloc (no '[', ']',
// '@', ':' or delimiter in it); the regex matches, hostname_re and domain_re
// taking the labels before the last dot (each with no edge '-') and tld_re
// the last label, with the tail after it, which has no \s; the netloc is no
// bracketed literal; and the host has 1 to 253 characters.
bool is_common_ascii_url(std::string_view value) {
  if (value.size() > 2048) return false;
  const std::size_t scheme_end = value.find("://");
  if (scheme_end < 3 || scheme_end > 5) return false;  // npos included
  char scheme[5] = {};
  for (std::size_t i = 0; i < scheme_end; ++i) {
    const char c = value[i];
    scheme[i] = c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c;
  }
  const std::string_view lower(scheme, scheme_end);
  if (lower != "http" && lower != "https" && lower != "ftp" &&
      lower != "ftps") {
    return false;
  }
  const std::size_t host_begin = scheme_end + 3;
  std::size_t label_begin = host_begin;
  std::size_t labels = 0;
  bool letters_only = true;
  std::size_t i = host_begin;
  for (;; ++i) {
    const char c = i < value.size() ? value[i] : '\0';
    if (is_ascii_letter(c)) continue;
    if ((c >= '0' && c <= '9') || c == '-') {
      letters_only = false;
      continue;
    }
    const std::size_t length = i - label_begin;
    if (length == 0 || length > 63 || value[label_begin] == '-' ||
        value[i - 1] == '-') {
      return false;
    }
    ++labels;
    if (c != '.') break;
    label_begin = i + 1;
    letters_only = true;
  }
  // The last label is the top-level one: tld_re's first form, letters only.
  if (labels < 2 || !letters_only || i - label_begin < 2 ||
      i - host_begin > 253) {
    return false;
  }
  if (i == value.size()) return true;
  if (value[i] != '/' && value[i] != '?' && value[i] != '#') return false;
  for (++i; i < value.size(); ++i) {
    if (value[i] < '!' || value[i] > '~') return false;
  }
  return true;
}

bool is_valid_url_text(Text value) {
  if (value.size() > 2048 ||
      std::any_of(value.begin(), value.end(), [](char32_t c) {
        return c == U'\t' || c == U'\r' || c == U'\n';
      })) {
    return false;
  }
  // value.split('://')[0].lower() in schemes. Only A-Z change under lower()
  // in a scheme that can match, so the comparison needs no lower-cased copy.
  const std::size_t scheme_end = value.find(U"://");
  if (scheme_end == kNpos) return false;
  const Text scheme = value.substr(0, scheme_end);
  const auto scheme_is = [&](std::u32string_view lower) {
    return scheme.size() == lower.size() && matches_ascii_ci(scheme, lower);
  };
  if (!scheme_is(U"http") && !scheme_is(U"https") && !scheme_is(U"ftp") &&
      !scheme_is(U"ftps")) {
    return false;
  }
  const std::optional<SplitUrl> parts = split_url(value, scheme_end);
  if (!parts) return false;
  if (matches_url_regex(value)) {
    if (!bracketed_netloc_ok(parts->netloc)) return false;
  } else {
    // The IDN retry: punycode the netloc and match urlunsplit()'s result.
    const std::optional<std::u32string> netloc = idna_encode(parts->netloc);
    if (!netloc) return false;
    std::u32string url(scheme);
    for (char32_t& c : url) {
      if (c >= U'A' && c <= U'Z') c += 32;
    }
    url += U"://" + *netloc + std::u32string(parts->path);
    if (!parts->query.empty()) url += U'?' + std::u32string(parts->query);
    if (!parts->fragment.empty()) url += U'#' + std::u32string(parts->fragment);
    if (!matches_url_regex(url)) return false;
  }
  const std::size_t host_length = hostname_length(parts->netloc);
  return host_length > 0 && host_length <= 253;
}

}  // namespace folio::validators_internal
