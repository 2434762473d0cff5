// Email and URL validation as Django 3.2 judges it, and UTF-8 counting. The
// corpus test replays tests/data/validator_corpus.tsv, whose verdicts come
// from the real Django (tests/tools/make_validator_corpus.py).
#include <catch2/catch.hpp>

#include <cstddef>
#include <fstream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "folio/validators.h"

#ifndef FOLIO_TEST_DATA_DIR
#define FOLIO_TEST_DATA_DIR "tests/data"
#endif

namespace {

using folio::code_point_count;
using folio::is_valid_email;
using folio::is_valid_url;
using folio::is_valid_utf8;

// A line of tests/data/validator_corpus.tsv, written by
// tests/tools/make_validator_corpus.py with Django's verdict.
struct CorpusCase {
  int line = 0;
  std::string kind;
  bool expected = false;
  std::string escaped;
  std::string value;
};

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::optional<char32_t> parse_hex(std::string_view hex) {
  if (hex.empty() || hex.size() > 6) return std::nullopt;
  char32_t value = 0;
  for (const char c : hex) {
    int digit = 0;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else {
      return std::nullopt;
    }
    value = value * 16 + static_cast<char32_t>(digit);
  }
  return value;
}

// Undoes the corpus escapes: \\ \t \n \r \xHH (one byte) \u{HEX} (a code
// point, written as UTF-8). Returns nullopt on a malformed escape.
std::optional<std::string> unescape(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\\') {
      out += text[i];
      continue;
    }
    if (++i == text.size()) return std::nullopt;
    switch (text[i]) {
      case '\\':
        out += '\\';
        break;
      case 't':
        out += '\t';
        break;
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case 'x': {
        const std::optional<char32_t> byte =
            i + 2 < text.size() ? parse_hex(text.substr(i + 1, 2))
                                : std::nullopt;
        if (!byte) return std::nullopt;
        out += static_cast<char>(*byte);
        i += 2;
        break;
      }
      case 'u': {
        const std::size_t close = text.find('}', i);
        if (text.substr(i + 1, 1) != "{" || close == std::string_view::npos) {
          return std::nullopt;
        }
        const std::optional<char32_t> cp =
            parse_hex(text.substr(i + 2, close - i - 2));
        if (!cp) return std::nullopt;
        append_utf8(out, *cp);
        i = close;
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return out;
}

std::vector<CorpusCase> load_corpus() {
  const std::string path = FOLIO_TEST_DATA_DIR "/validator_corpus.tsv";
  std::ifstream in(path, std::ios::binary);
  if (!in) FAIL("cannot read " << path);
  std::vector<CorpusCase> cases;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    if (line.empty() || line[0] == '#') continue;
    const std::size_t tab1 = line.find('\t');
    const std::size_t tab2 =
        tab1 == std::string::npos ? tab1 : line.find('\t', tab1 + 1);
    CorpusCase c;
    c.line = number;
    c.kind = line.substr(0, tab1);
    const std::string verdict =
        tab2 == std::string::npos ? "" : line.substr(tab1 + 1, tab2 - tab1 - 1);
    c.expected = verdict == "1";
    c.escaped = tab2 == std::string::npos ? "" : line.substr(tab2 + 1);
    const std::optional<std::string> value = unescape(c.escaped);
    if (tab2 == std::string::npos || (c.kind != "email" && c.kind != "url") ||
        (verdict != "0" && verdict != "1") || !value) {
      FAIL(path << ":" << number << ": malformed line: " << line);
    }
    c.value = *value;
    cases.push_back(std::move(c));
  }
  return cases;
}

std::string repeat(std::string_view piece, int times) {
  std::string out;
  for (int i = 0; i < times; ++i) out += piece;
  return out;
}

}  // namespace

TEST_CASE("every corpus value gets the verdict Django gave it",
          "[validators][corpus]") {
  const std::vector<CorpusCase> cases = load_corpus();
  REQUIRE(cases.size() >= 600);
  int agreements = 0;
  for (const CorpusCase& c : cases) {
    const bool actual =
        c.kind == "email" ? is_valid_email(c.value) : is_valid_url(c.value);
    if (actual == c.expected) {
      ++agreements;
      continue;
    }
    FAIL_CHECK("line " << c.line << ": " << c.kind << " \"" << c.escaped
                       << "\": Django says " << c.expected << ", folio says "
                       << actual);
  }
  CHECK(agreements == static_cast<int>(cases.size()));
}

TEST_CASE("the corpus has accepted and refused values of both kinds",
          "[validators][corpus]") {
  int counts[2][2] = {};
  for (const CorpusCase& c : load_corpus()) {
    ++counts[c.kind == "url"][c.expected];
  }
  CHECK(counts[0][0] > 100);
  CHECK(counts[0][1] > 100);
  CHECK(counts[1][0] > 100);
  CHECK(counts[1][1] > 100);
}

// --- Email ---------------------------------------------------------------

TEST_CASE("an email without an @ is refused", "[validators][email]") {
  CHECK_FALSE(is_valid_email(""));
  CHECK_FALSE(is_valid_email("user.example.com"));
  CHECK(is_valid_email("user@example.com"));
}

TEST_CASE("an email is split at its last @", "[validators][email]") {
  CHECK(is_valid_email("\"user@home\"@example.com"));
  CHECK_FALSE(is_valid_email("user@home@example.com"));
  CHECK_FALSE(is_valid_email("user@"));
  CHECK_FALSE(is_valid_email("@example.com"));
}

TEST_CASE("an email of more than 320 code points is refused",
          "[validators][email]") {
  const std::string domain = "@example.com";
  CHECK(is_valid_email(repeat("a", 320 - 12) + domain));
  CHECK_FALSE(is_valid_email(repeat("a", 321 - 12) + domain));
  // Code points, not bytes: 308 two-byte letters still fit.
  CHECK(is_valid_email("\"" + repeat("\xC4\xB1", 306) + "\"" + domain));
  CHECK_FALSE(is_valid_email("\"" + repeat("\xC4\xB1", 307) + "\"" + domain));
}

TEST_CASE("a dot-atom user part refuses empty atoms and specials",
          "[validators][email]") {
  CHECK(is_valid_email("first.last@example.com"));
  CHECK(is_valid_email("!#$%&'*+-/=?^_`{|}~@example.com"));
  CHECK_FALSE(is_valid_email(".first@example.com"));
  CHECK_FALSE(is_valid_email("first.@example.com"));
  CHECK_FALSE(is_valid_email("first..last@example.com"));
  CHECK_FALSE(is_valid_email("a(b)@example.com"));
  CHECK_FALSE(is_valid_email("\xC3\xA4@example.com"));  // ä
}

TEST_CASE("a quoted user part needs a backslash before a space or a quote",
          "[validators][email]") {
  CHECK(is_valid_email("\"a\\ b\"@example.com"));
  CHECK(is_valid_email("\"a\\\"b\"@example.com"));
  CHECK(is_valid_email("\"a\\\tb\"@example.com"));
  CHECK_FALSE(is_valid_email("\"a b\"@example.com"));
  CHECK_FALSE(is_valid_email("\"a\"b\"@example.com"));
  CHECK_FALSE(is_valid_email("\"a\tb\"@example.com"));
  CHECK_FALSE(is_valid_email("\"\\\"@example.com"));
}

TEST_CASE("letters that re.IGNORECASE folds onto ASCII count as letters",
          "[validators][email]") {
  CHECK(is_valid_email("\xC5\xBF@example.com"));           // U+017F ſ
  CHECK(is_valid_email("user@\xE2\x84\xAA.com"));          // U+212A K
  CHECK(is_valid_email("user@example.\xC4\xB0\xC4\xB1"));  // U+0130 U+0131
}

TEST_CASE("a domain label has 1 to 63 characters without edge hyphens",
          "[validators][email]") {
  CHECK(is_valid_email("user@" + repeat("a", 63) + ".com"));
  CHECK_FALSE(is_valid_email("user@" + repeat("a", 64) + ".com"));
  CHECK(is_valid_email("user@a--b.com"));
  CHECK_FALSE(is_valid_email("user@-ab.com"));
  CHECK_FALSE(is_valid_email("user@ab-.com"));
  CHECK_FALSE(is_valid_email("user@a..com"));
  CHECK_FALSE(is_valid_email("user@example.com."));
}

TEST_CASE("the last domain label has 2 to 63 characters and no final hyphen",
          "[validators][email]") {
  CHECK_FALSE(is_valid_email("user@example.c"));
  CHECK(is_valid_email("user@example.co"));
  CHECK(is_valid_email("user@example." + repeat("c", 63)));
  CHECK_FALSE(is_valid_email("user@example." + repeat("c", 64)));
  CHECK(is_valid_email("user@example.-c"));
  CHECK_FALSE(is_valid_email("user@example.c-"));
  CHECK(is_valid_email("user@123.456"));
}

TEST_CASE("only the exact name localhost is allowed without a dot",
          "[validators][email]") {
  CHECK(is_valid_email("user@localhost"));
  CHECK_FALSE(is_valid_email("user@LOCALHOST"));
  CHECK_FALSE(is_valid_email("user@localhost."));
  CHECK_FALSE(is_valid_email("user@intranet"));
}

TEST_CASE("address literals follow Python's ipaddress rules",
          "[validators][email]") {
  CHECK(is_valid_email("user@[192.168.0.1]"));
  CHECK_FALSE(is_valid_email("user@[192.168.0.01]"));
  CHECK_FALSE(is_valid_email("user@[256.1.1.1]"));
  CHECK_FALSE(is_valid_email("user@[1.2.3]"));
  CHECK(is_valid_email("user@[::1]"));
  CHECK(is_valid_email("user@[2001:db8::ffff:1.2.3.4]"));
  CHECK_FALSE(is_valid_email("user@[1::2::3]"));
  CHECK_FALSE(is_valid_email("user@[IPv6:::1]"));
  // Django refuses IPv6 text longer than 39 characters.
  CHECK(is_valid_email("user@[0000:0000:0000:0000:0000:0000:0000:0001]"));
  CHECK(is_valid_email("user@[0000:0000:0000:0000:0000:ffff:1.2.3.4]"));
  CHECK_FALSE(
      is_valid_email("user@[0000:0000:0000:0000:0000:ffff:255.255.255.255]"));
}

TEST_CASE("an IDN domain is accepted through its punycode form",
          "[validators][email]") {
  CHECK(is_valid_email("user@m\xC3\xBCnchen.de"));  // münchen
  CHECK(is_valid_email("user@\xD0\xBF\xD1\x80\xD0\xB8.\xD1\x80\xD1\x84"));
  CHECK(
      is_valid_email("user@example\xE3\x80\x82"
                     "com"));  // U+3002 dot
  CHECK(is_valid_email("user@" + repeat("\xC3\xA4", 55) + ".de"));
  CHECK_FALSE(is_valid_email("user@" + repeat("\xC3\xA4", 60) + ".de"));
  CHECK_FALSE(is_valid_email("user@xn--\xC3\xA4.de"));
  // Mixed right-to-left and left-to-right letters break the bidi rule.
  CHECK(is_valid_email("user@\xD7\xA2\xD7\x91.com"));
  CHECK_FALSE(
      is_valid_email("user@\xD7\xA2"
                     "a\xD7\x91.com"));
}

// --- URL -----------------------------------------------------------------

TEST_CASE("a URL needs the scheme http, https, ftp or ftps",
          "[validators][url]") {
  CHECK(is_valid_url("http://example.com"));
  CHECK(is_valid_url("HTTPS://example.com"));
  CHECK(is_valid_url("ftp://example.com"));
  CHECK(is_valid_url("ftps://example.com"));
  CHECK_FALSE(is_valid_url("file://example.com"));
  CHECK_FALSE(is_valid_url("example.com"));
  CHECK_FALSE(is_valid_url(" http://example.com"));
  CHECK_FALSE(is_valid_url(""));
}

TEST_CASE("a tab, carriage return or line feed anywhere refuses a URL",
          "[validators][url]") {
  CHECK_FALSE(is_valid_url("http://example.com\n"));
  CHECK_FALSE(is_valid_url("http://exam\tple.com"));
  CHECK_FALSE(is_valid_url("http://example.com/\r"));
}

TEST_CASE("whitespace after the host refuses a URL, Unicode spaces included",
          "[validators][url]") {
  CHECK(is_valid_url("http://example.com/a%20b"));
  CHECK_FALSE(is_valid_url("http://example.com/a b"));
  CHECK_FALSE(
      is_valid_url("http://example.com/a\xC2\xA0"
                   "b"));  // U+00A0
  CHECK_FALSE(
      is_valid_url("http://example.com/a\xE3\x80\x80"
                   "b"));  // U+3000
  CHECK_FALSE(
      is_valid_url("http://example.com/a\xE2\x80\xA8"
                   "b"));  // U+2028
  CHECK(
      is_valid_url("http://example.com/a\xE2\x80\x8B"
                   "b"));  // U+200B
}

TEST_CASE("a port has 2 to 5 digits, Unicode digits included",
          "[validators][url]") {
  CHECK_FALSE(is_valid_url("http://example.com:8"));
  CHECK(is_valid_url("http://example.com:80"));
  CHECK(is_valid_url("http://example.com:65535"));
  CHECK(is_valid_url("http://example.com:99999"));
  CHECK_FALSE(is_valid_url("http://example.com:123456"));
  CHECK(is_valid_url("http://example.com:\xD9\xA8\xD9\xA0"));  // Arabic 80
}

TEST_CASE("user and password may precede the host", "[validators][url]") {
  CHECK(is_valid_url("http://user:pass@example.com"));
  CHECK(is_valid_url("http://user:@example.com"));
  CHECK_FALSE(is_valid_url("http://:pass@example.com"));
  CHECK_FALSE(is_valid_url("http://u:p:q@example.com"));
  // '?' is allowed in the regex's user part; urlsplit then sees host "a".
  CHECK(is_valid_url("http://a?b@example.com"));
}

TEST_CASE("hosts may be IPv4, localhost or dotted names with a top label",
          "[validators][url]") {
  CHECK(is_valid_url("http://192.168.0.1"));
  CHECK_FALSE(is_valid_url("http://192.168.0.01"));
  CHECK_FALSE(is_valid_url("http://256.1.1.1"));
  CHECK(is_valid_url("http://localhost:8000/"));
  CHECK_FALSE(is_valid_url("http://intranet/"));
  CHECK(is_valid_url("http://example.com./"));
  CHECK_FALSE(is_valid_url("http://example.com../"));
  CHECK_FALSE(is_valid_url("http://example.c"));
  CHECK_FALSE(is_valid_url("http://example.c0m"));
  CHECK(is_valid_url("http://example.xn--p1ai"));
  CHECK_FALSE(is_valid_url("http://-example.com"));
  CHECK_FALSE(is_valid_url("http://" + repeat("a", 64) + ".com"));
  CHECK(is_valid_url("http://" + repeat("a", 63) + ".com"));
}

TEST_CASE("a bracketed IPv6 host must be valid and at most 39 characters",
          "[validators][url]") {
  CHECK(is_valid_url("http://[::1]:8080/"));
  CHECK(is_valid_url("http://[2001:db8::1]"));
  CHECK_FALSE(is_valid_url("http://[1::2::3]"));
  CHECK_FALSE(is_valid_url("http://[::1"));
  CHECK_FALSE(is_valid_url("http://[1.2.3.4]"));
  CHECK_FALSE(
      is_valid_url("http://[0000:0000:0000:0000:0000:ffff:255.255.255.255]"));
  // The length check reads the netloc, which here starts with user info.
  CHECK(
      is_valid_url("http://u@[0000:0000:0000:0000:0000:ffff:255.255.255.255]"));
}

TEST_CASE("a host name longer than 253 characters is refused",
          "[validators][url]") {
  const std::string labels = repeat(repeat("a", 61) + ".", 4);  // 248
  CHECK(is_valid_url("http://" + labels + "a.com"));
  CHECK_FALSE(is_valid_url("http://" + labels + "ab.com"));
  // A trailing dot counts.
  CHECK_FALSE(is_valid_url("http://" + labels + "a.com."));
}

TEST_CASE("non-ASCII hosts are accepted as such or through punycode",
          "[validators][url]") {
  CHECK(is_valid_url("http://m\xC3\xBCnchen.de/"));
  CHECK(
      is_valid_url("http://\xE4\xBE\x8B\xE5\xAD\x90.\xE6\xB5\x8B\xE8\xAF\x95"));
  // Beyond U+FFFF only the IDN retry accepts the host.
  CHECK(is_valid_url("http://\xF0\x9F\x98\x80.com"));
  // urlsplit() refuses characters whose NFKC form is a delimiter.
  CHECK_FALSE(
      is_valid_url("http://ex\xE2\x84\x80"
                   "ample.com"));  // U+2100
}

TEST_CASE("a URL of more than 2048 code points is refused",
          "[validators][url]") {
  const std::string prefix = "http://example.com/";
  CHECK(is_valid_url(prefix + repeat("a", 2048 - 19)));
  CHECK_FALSE(is_valid_url(prefix + repeat("a", 2049 - 19)));
  CHECK(is_valid_url(prefix + repeat("\xC3\xA4", 2048 - 19)));
}

// --- The ASCII shortcuts --------------------------------------------------
// is_valid_email and is_valid_url accept the common ASCII shapes straight
// from the bytes and send everything else through the code point steps.
// These values sit on both sides of each shortcut's edges; every verdict was
// checked against Django 3.2.

TEST_CASE("emails at the edges of the ASCII shortcut keep Django's verdicts",
          "[validators][email][ascii]") {
  const std::string a63(63, 'a');
  const std::vector<std::pair<std::string, bool>> cases = {
      {"smith.123456@example.com", true},
      {"SMITH.123456@EXAMPLE.COM", true},
      {"a@b.co", true},
      {"a.b.c@d.e.f.gh", true},
      {"x@" + a63 + ".com", true},
      {"u@a-b.example.com", true},
      {"u@example.-c", true},
      {"u@123.456", true},
      {"!#$%&'*+-/=?^_`{|}~@example.com", true},
      {"smith@example." + std::string(63, 'c'), true},
      {"smith@localhost", true},
      {"smith@[127.0.0.1]", true},
      {"smith@[::1]", true},
      {"smith@ex\xC3\xA4mple.com", true},
      {"smith.123456@example.com.", false},
      {"smith..123456@example.com", false},
      {".smith@example.com", false},
      {"smith.@example.com", false},
      {"smith@example.c", false},
      {"smith@example.c-", false},
      {"smith@-example.com", false},
      {"smith@example-.com", false},
      {"smith@example", false},
      {"smith@" + a63 + "a.com", false},
      {"smith@example." + std::string(64, 'c'), false},
      {"smith@exa_mple.com", false},
      {"smith@example..com", false},
      {"smith@.example.com", false},
      {"smith@@example.com", false},
      {"sm ith@example.com", false},
      {"smith@example.com ", false},
      {"smith@example.com\n", false},
      {std::string("smith@example.co\0", 17), false},
      {"smith@LOCALHOST", false},
      {"sm\xC3\xAFth@example.com", false},
      {"@example.com", false},
      {"smith@", false},
      {"smith", false},
      {"smith.123456.example.com", false},
      {"smith(example.com", false},
  };
  for (const auto& [value, verdict] : cases) {
    INFO(value);
    CHECK(is_valid_email(value) == verdict);
  }
}

TEST_CASE("URLs at the edges of the ASCII shortcut keep Django's verdicts",
          "[validators][url][ascii]") {
  const std::string a63(63, 'a');
  const std::vector<std::pair<std::string, bool>> cases = {
      {"https://example.com/smith123456", true},
      {"HTTPS://EXAMPLE.COM", true},
      {"ftp://a.b.c.example.org/x?y#z", true},
      {"ftps://x.y.example.museum/", true},
      {"http://example.com?q=1", true},
      {"http://example.com#frag", true},
      {"http://example.com?", true},
      {"http://example.com#", true},
      {"http://ex-ample.com/~a[]@:!$&'()*+,;=", true},
      {"http://example.com/[", true},
      {"http://" + a63 + ".com", true},
      {"http://1.2.3.4.com", true},
      {"http://a.bc", true},
      {"http://example.co-m/", true},
      {"http://example.com./", true},
      {"http://example.com:80", true},
      {"http://example.com/\x7F", true},
      {"http://user@example.com", true},
      {"http://user:pw@example.com/", true},
      {"http://exam@ple.com", true},
      {"http://localhost/", true},
      {"http://192.168.0.1/", true},
      {"http://1.2.3.4", true},
      {"http://[::1]/", true},
      {"http://example.xn--p1ai", true},
      {"http://ex\xC3\xA4mple.com", true},
      {"http://example.com/\xC3\xA9", true},
      {"http://a.b", false},
      {"http://example.c", false},
      {"http://example.c0m", false},
      {"http://example.com-/", false},
      {"http://example.com../", false},
      {"http://example.com/a b", false},
      {"http://example.com/a\x1F"
       "b",
       false},
      {"http://example.com/a\xC2\xA0"
       "b",
       false},
      {"http://example.com\n", false},
      {"http://-example.com", false},
      {"http://example-.com", false},
      {"http://" + a63 + "a.com", false},
      {"http://example", false},
      {"http://.com", false},
      {"http://", false},
      {"http://example.com:8", false},
      {"http://exa_mple.com", false},
      {"http://example.com]/", false},
      {"http://example.com%/", false},
      {"http://256.1.1.1", false},
      {"gopher://example.com", false},
      {"httpss://example.com", false},
      {"http:/example.com", false},
  };
  for (const auto& [value, verdict] : cases) {
    INFO(value);
    CHECK(is_valid_url(value) == verdict);
  }
}

// --- UTF-8 ---------------------------------------------------------------

TEST_CASE("values that are not UTF-8 are refused", "[validators][utf8]") {
  CHECK_FALSE(is_valid_email("user\xFF@example.com"));
  CHECK_FALSE(is_valid_email("\"\xC0\xAF\"@example.com"));
  CHECK_FALSE(is_valid_url("http://example.com/\xED\xA0\x80"));
  CHECK_FALSE(is_valid_url("http://example.com/\xF0\x9F\x98"));
}

TEST_CASE(
    "well-formed UTF-8 excludes overlong forms, surrogates and values "
    "above U+10FFFF",
    "[validators][utf8]") {
  CHECK(is_valid_utf8(""));
  CHECK(is_valid_utf8("plain ASCII"));
  CHECK(is_valid_utf8(std::string_view("\0", 1)));
  CHECK(is_valid_utf8("\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF"));
  CHECK(is_valid_utf8("\xF0\x90\x80\x80\xF4\x8F\xBF\xBF"));
  CHECK_FALSE(is_valid_utf8("\x80"));
  CHECK_FALSE(is_valid_utf8("\xC0\x80"));
  CHECK_FALSE(is_valid_utf8("\xC1\xBF"));
  CHECK_FALSE(is_valid_utf8("\xE0\x9F\xBF"));
  CHECK_FALSE(is_valid_utf8("\xED\xA0\x80"));
  CHECK_FALSE(is_valid_utf8("\xF0\x8F\xBF\xBF"));
  CHECK_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));
  CHECK_FALSE(is_valid_utf8("\xF8\x88\x80\x80\x80"));
  CHECK_FALSE(is_valid_utf8("\xE2\x82"));
}

TEST_CASE("code points are counted as Python's len() counts them",
          "[validators][utf8]") {
  CHECK(code_point_count("") == 0);
  CHECK(code_point_count("abc") == 3);
  CHECK(code_point_count("m\xC3\xBCnchen") == 7);
  CHECK(code_point_count("\xE4\xBE\x8B\xE5\xAD\x90") == 2);
  CHECK(code_point_count("\xF0\x9F\x98\x80!") == 2);
  CHECK(code_point_count("e\xCC\x81") == 2);  // e + U+0301: two code points.
}

TEST_CASE("ASCII runs of any length are counted and checked with the rest",
          "[validators][utf8]") {
  // Runs of ASCII are skipped eight bytes at a time: text on both sides of
  // and across those words.
  const std::string ascii = "abcdefghijklmnopq";  // 17 bytes
  for (std::size_t n = 0; n <= ascii.size(); ++n) {
    const std::string head = ascii.substr(0, n);
    INFO(n);
    CHECK(code_point_count(head) == n);
    CHECK(code_point_count(head + "\xC3\xA4" + head) == 2 * n + 1);
    CHECK(code_point_count(head + "\xFF" + head) == 2 * n + 1);
    CHECK(code_point_count(head + "\xE2\x82" + head) == 2 * n + 2);
    CHECK(is_valid_utf8(head));
    CHECK(is_valid_utf8(head + "\xF0\x9F\x98\x80" + head));
    CHECK_FALSE(is_valid_utf8(head + "\x80" + head));
    CHECK_FALSE(is_valid_utf8(head + "\xED\xA0\x80"));
    CHECK_FALSE(is_valid_utf8("\xC3" + head));
  }
}

TEST_CASE("an ill-formed byte counts as one code point", "[validators][utf8]") {
  // As len(data.decode('utf-8', 'surrogateescape')).
  CHECK(code_point_count("\xFF") == 1);
  CHECK(code_point_count("a\xE2\x82"
                         "b") == 4);
  CHECK(code_point_count("\xED\xA0\x80") == 3);
  CHECK(code_point_count("\xC3\xA4\x80") == 2);
}
