// folio::String, the text type of the models' fields: std::string's value
// semantics, with up to 31 bytes kept inline.
#include "folio/string.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "folio/internal/hash.h"
#include "folio/models.h"

namespace {

using folio::String;

// Every length around the inline limit, and a long one.
const std::vector<std::size_t> kLengths = {0, 1, 15, 16, 30, 31, 32, 33, 63, 64, 200, 1000};

std::string text_of(std::size_t n, char first = 'a') {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) s += static_cast<char>(first + i % 26);
  return s;
}

// The checks every String must pass against the std::string it should equal.
void check_same(const String& s, const std::string& expected) {
  REQUIRE(s.size() == expected.size());
  CHECK(s.view() == expected);
  CHECK(std::string(s) == expected);
  CHECK(s.c_str()[s.size()] == '\0');
  if (s.size() > String::kInlineCapacity) CHECK_FALSE(s.is_inline());
  CHECK(s.capacity() >= s.size());
  CHECK(s.empty() == expected.empty());
}

TEST_CASE("String keeps up to 31 bytes inline and longer text on the heap") {
  static_assert(sizeof(String) == 32);
  for (std::size_t n : kLengths) {
    const std::string t = text_of(n);
    String s(t);
    check_same(s, t);
    CHECK(s.is_inline() == (n <= 31));
    if (s.is_inline()) {
      // The text is inside the object: no heap block to read or free.
      const char* object = reinterpret_cast<const char*>(&s);
      CHECK(s.data() >= object);
      CHECK(s.data() + s.size() <= object + sizeof s);
    }
  }
  CHECK(String().empty());
  CHECK(String().c_str()[0] == '\0');
}

TEST_CASE("String copies, moves and assigns at every length") {
  for (std::size_t a : kLengths) {
    for (std::size_t b : kLengths) {
      const std::string ta = text_of(a, 'a'), tb = text_of(b, 'A');
      String x(ta), y(tb);
      String copy(x);
      check_same(copy, ta);
      check_same(x, ta);

      String moved(std::move(copy));
      check_same(moved, ta);
      check_same(copy, "");  // NOLINT: a moved-from String is empty

      y = x;
      check_same(y, ta);
      y = String(tb);
      check_same(y, tb);
      y = std::move(x);
      check_same(y, ta);
      check_same(x, "");  // NOLINT

      String z(tb);
      z.assign(ta);
      check_same(z, ta);
      z = tb.c_str();
      check_same(z, tb);
      z = std::string_view(ta);
      check_same(z, ta);

      String p(ta), q(tb);
      p.swap(q);
      check_same(p, tb);
      check_same(q, ta);
    }
  }
}

TEST_CASE("String assigns from and appends its own text") {
  for (std::size_t n : kLengths) {
    const std::string t = text_of(n);
    String s(t);
    s = s;  // NOLINT: self-assignment is a no-op
    check_same(s, t);
    s.assign(s.substr(n / 2));
    check_same(s, t.substr(n / 2));

    String u(t);
    std::string expected = t;
    u.append(u.view());  // the argument may point into the string
    expected += t;
    check_same(u, expected);
  }
}

TEST_CASE("String appends, resizes and clears across the inline limit") {
  String s;
  std::string expected;
  for (int i = 0; i < 100; ++i) {
    const char c = static_cast<char>('a' + i % 26);
    if (i % 3 == 0) {
      s.push_back(c);
      expected.push_back(c);
    } else if (i % 3 == 1) {
      s += std::string(2, c);
      expected += std::string(2, c);
    } else {
      s.append(1, c);
      expected.append(1, c);
    }
    check_same(s, expected);
  }
  s.resize(10);
  expected.resize(10);
  check_same(s, expected);
  s.resize(40, 'x');
  expected.resize(40, 'x');
  check_same(s, expected);
  s.pop_back();
  expected.pop_back();
  check_same(s, expected);
  s.reserve(500);
  CHECK(s.capacity() >= 500);
  check_same(s, expected);
  s.clear();
  check_same(s, "");
}

TEST_CASE("String holds any bytes, NUL included") {
  const std::string t("a\0b\0c", 5);
  String s(t);
  CHECK(s.size() == 5);
  CHECK(s == t);
  CHECK(s != std::string_view("a"));
  const std::string long_t = std::string(40, '\0') + "end";
  String l(long_t);
  CHECK(l.size() == 43);
  CHECK(l == long_t);
}

TEST_CASE("String compares and orders like std::string with every text type") {
  const std::vector<std::string> texts = {"",  "a", "ab", "b", text_of(31), text_of(32),
                                          text_of(40), std::string("\xff"), "B"};
  for (const std::string& x : texts) {
    for (const std::string& y : texts) {
      const String sx(x), sy(y);
      CHECK((sx == sy) == (x == y));
      CHECK((sx == y) == (x == y));
      CHECK((x == sy) == (x == y));
      CHECK((sx == std::string_view(y)) == (x == y));
      CHECK((sx == y.c_str()) == (x == std::string(y.c_str())));
      CHECK((sx < sy) == (x < y));
      CHECK((sx < y) == (x < y));
      CHECK((x < sy) == (x < y));
      CHECK((sx <=> sy) == (x <=> y));
    }
  }
  CHECK(String("abc") == "abc");
  CHECK("abc" == String("abc"));
  CHECK(String("abc") != "abd");
}

TEST_CASE("String concatenates into std::string and prints") {
  const String a("Animal"), b(text_of(35));
  CHECK(a + " Farm" == std::string("Animal Farm"));
  CHECK("The " + a == std::string("The Animal"));
  CHECK(std::string("x") + a == "xAnimal");
  CHECK(a + std::string("!") == "Animal!");
  CHECK(a + b == "Animal" + text_of(35));
  CHECK(a + '!' == "Animal!");
  std::ostringstream out;
  out << a << '|' << b;
  CHECK(out.str() == "Animal|" + text_of(35));
}

TEST_CASE("String hashes as its text, so string_view probes find String keys") {
  folio::internal::StringHash hash;
  for (std::size_t n : kLengths) {
    const std::string t = text_of(n);
    CHECK(hash(String(t)) == hash(std::string_view(t)));
    CHECK(std::hash<String>()(String(t)) == std::hash<std::string_view>()(t));
  }
}

// A differential run: the same random edits on a String and a std::string.
TEST_CASE("String matches std::string over random edits") {
  std::uint64_t state = 12345;
  auto next = [&](std::uint64_t n) {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return (state >> 33) % n;
  };
  String s;
  std::string expected;
  for (int step = 0; step < 20000; ++step) {
    switch (next(8)) {
      case 0: {
        const std::string t = text_of(next(70), static_cast<char>('a' + next(20)));
        s = t;
        expected = t;
        break;
      }
      case 1: {
        const std::string t = text_of(next(20));
        s.append(t);
        expected.append(t);
        break;
      }
      case 2: {
        const std::size_t n = next(70);
        s.resize(n, 'z');
        expected.resize(n, 'z');
        break;
      }
      case 3:
        if (!expected.empty()) {
          s.pop_back();
          expected.pop_back();
        }
        break;
      case 4: {
        String copy(s);
        s = std::move(copy);
        break;
      }
      case 5: {
        const std::size_t from = expected.empty() ? 0 : next(expected.size());
        s.assign(s.substr(from));
        expected = expected.substr(from);
        break;
      }
      case 6:
        s.push_back('!');
        expected.push_back('!');
        break;
      default:
        if (next(10) == 0) {
          s.clear();
          expected.clear();
        }
        break;
    }
    REQUIRE(s.view() == expected);
    REQUIRE(s.c_str()[s.size()] == '\0');
  }
}

TEST_CASE("The models' text fields are Strings that read like std::string") {
  folio::Book b{.title = "Nineteen Eighty-Four"};
  CHECK(b.title.is_inline());
  CHECK(b.title == "Nineteen Eighty-Four");
  std::string copy = b.title;
  CHECK(copy == "Nineteen Eighty-Four");
  b.title = copy + ", part " + std::to_string(2);
  CHECK(b.title.size() == 28);
  folio::Author a{.name = "George Orwell", .email = std::string(40, 'x') + "@example.com"};
  CHECK_FALSE(a.email.is_inline());
  CHECK(a.email.ends_with("@example.com"));
}

}  // namespace
