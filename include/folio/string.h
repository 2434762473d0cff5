// folio::String: the text of a row's fields (Author::name, Book::title...).
//
//   folio::Book b{.title = "Nineteen Eighty-Four"};
//   std::string_view v = b.title;           // no copy
//   std::string s = b.title;                // a copy, as std::string
//   if (b.title == "Animal Farm") ...
//
// A value type like std::string in 32 bytes, which keeps up to 31 bytes in
// the object itself and only longer text on the heap (std::string keeps 15).
// Rows live in the tables' node pools, so a title, a name or most emails live
// there too: a lookup that compares the key reads no second cache line, a
// delete frees no heap block, a copy of a row into the undo log allocates
// nothing, and a row of short text costs no heap bytes (a 30-byte title held
// by std::string costs a 48-byte heap block besides the 32-byte object).
//
// It converts to std::string_view (implicitly, free) and to std::string
// (implicitly, a copy), compares with anything that converts to
// std::string_view, and offers the parts of std::string's interface that
// building a row uses. Bytes, not characters: like std::string it holds any
// bytes, including NUL.
#pragma once

#include <algorithm>
#include <compare>
#include <cstddef>
#include <cstring>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>

namespace folio {

class String {
 public:
  using value_type = char;
  using size_type = std::size_t;
  using iterator = char*;
  using const_iterator = const char*;
  static constexpr size_type npos = std::string_view::npos;
  // The longest text kept in the object itself.
  static constexpr size_type kInlineCapacity = 31;

  String() noexcept { set_inline_size(0); }
  String(std::string_view s) { init(s.data(), s.size()); }  // NOLINT: implicit
  String(const std::string& s) { init(s.data(), s.size()); }  // NOLINT: implicit
  String(const char* s) { init(s, std::strlen(s)); }  // NOLINT: implicit
  String(const char* s, size_type n) { init(s, n); }
  String(size_type n, char c) {
    init(nullptr, n);
    std::memset(data(), c, n);
  }
  String(const String& other) {
    if (other.is_inline()) {
      std::memcpy(bytes_, other.bytes_, sizeof bytes_);
    } else {
      init(other.data(), other.size());
    }
  }
  String(String&& other) noexcept {
    std::memcpy(bytes_, other.bytes_, sizeof bytes_);
    other.set_inline_size(0);
  }
  ~String() { release(); }

  String& operator=(const String& other) {
    if (this != &other) assign(other.view());
    return *this;
  }
  String& operator=(String&& other) noexcept {
    if (this != &other) {
      release();
      std::memcpy(bytes_, other.bytes_, sizeof bytes_);
      other.set_inline_size(0);
    }
    return *this;
  }
  String& operator=(std::string_view s) { return assign(s); }
  String& operator=(const std::string& s) { return assign(s); }
  String& operator=(const char* s) { return assign(std::string_view(s)); }

  // Replaces the text. `s` may point into this string.
  String& assign(std::string_view s) {
    const size_type n = s.size();
    if (n <= kInlineCapacity) {
      char copy[kInlineCapacity];
      std::memcpy(copy, s.data(), n);  // s may be our own heap text
      release();
      std::memcpy(bytes_, copy, n);
      set_inline_size(n);
    } else if (!is_inline() && heap_capacity() >= n) {
      std::memmove(heap_data(), s.data(), n);
      set_heap_size(n);
    } else {
      char* text = allocate(n);
      std::memcpy(text, s.data(), n);
      release();
      adopt(text, n, n);
    }
    return *this;
  }
  String& assign(const char* s, size_type n) { return assign(std::string_view(s, n)); }

  String& append(std::string_view s) {
    const size_type old = size(), n = old + s.size();
    if (n <= capacity()) {
      std::memmove(data() + old, s.data(), s.size());
      set_size(n);
    } else {
      const size_type cap = std::max(n, 2 * capacity());
      char* text = allocate(cap);
      std::memcpy(text, data(), old);
      std::memcpy(text + old, s.data(), s.size());  // before release: s may alias
      release();
      adopt(text, n, cap);
    }
    return *this;
  }
  String& append(const char* s, size_type n) { return append(std::string_view(s, n)); }
  String& append(size_type n, char c) {
    resize(size() + n, c);
    return *this;
  }
  String& operator+=(std::string_view s) { return append(s); }
  String& operator+=(const char* s) { return append(std::string_view(s)); }
  String& operator+=(char c) {
    push_back(c);
    return *this;
  }
  void push_back(char c) { append(std::string_view(&c, 1)); }
  void pop_back() noexcept { set_size(size() - 1); }

  // Grows (filling with c) or shrinks to n bytes.
  void resize(size_type n, char c = '\0') {
    const size_type old = size();
    if (n > capacity()) reserve(std::max(n, 2 * capacity()));
    if (n > old) std::memset(data() + old, c, n - old);
    set_size(n);
  }
  void reserve(size_type cap) {
    if (cap <= capacity()) return;
    const size_type n = size();
    char* text = allocate(cap);
    std::memcpy(text, data(), n);
    release();
    adopt(text, n, cap);
  }
  void clear() noexcept { set_size(0); }
  void swap(String& other) noexcept {
    char tmp[sizeof bytes_];
    std::memcpy(tmp, bytes_, sizeof bytes_);
    std::memcpy(bytes_, other.bytes_, sizeof bytes_);
    std::memcpy(other.bytes_, tmp, sizeof bytes_);
  }
  friend void swap(String& a, String& b) noexcept { a.swap(b); }

  size_type size() const noexcept {
    const unsigned char tag = tag_byte();
    return tag <= kInlineCapacity ? kInlineCapacity - tag : heap_size();
  }
  size_type length() const noexcept { return size(); }
  bool empty() const noexcept { return size() == 0; }
  size_type capacity() const noexcept {
    return is_inline() ? kInlineCapacity : heap_capacity();
  }
  // True when the text is kept in the object (at most kInlineCapacity bytes).
  bool is_inline() const noexcept { return tag_byte() <= kInlineCapacity; }

  // The text, followed by a NUL.
  const char* data() const noexcept { return is_inline() ? bytes_ : heap_data(); }
  char* data() noexcept { return is_inline() ? bytes_ : heap_data(); }
  const char* c_str() const noexcept { return data(); }
  std::string_view view() const noexcept { return {data(), size()}; }
  std::string str() const { return std::string(data(), size()); }
  operator std::string_view() const noexcept { return view(); }  // NOLINT: implicit
  operator std::string() const { return str(); }  // NOLINT: implicit

  const char* begin() const noexcept { return data(); }
  const char* end() const noexcept { return data() + size(); }
  char* begin() noexcept { return data(); }
  char* end() noexcept { return data() + size(); }
  const char& operator[](size_type i) const noexcept { return data()[i]; }
  char& operator[](size_type i) noexcept { return data()[i]; }
  const char& front() const noexcept { return *data(); }
  const char& back() const noexcept { return data()[size() - 1]; }

  // The std::string_view operations a caller reaches for most.
  size_type find(std::string_view s, size_type pos = 0) const noexcept {
    return view().find(s, pos);
  }
  size_type find(char c, size_type pos = 0) const noexcept { return view().find(c, pos); }
  size_type rfind(char c, size_type pos = npos) const noexcept {
    return view().rfind(c, pos);
  }
  bool starts_with(std::string_view s) const noexcept { return view().starts_with(s); }
  bool ends_with(std::string_view s) const noexcept { return view().ends_with(s); }
  std::string_view substr(size_type pos, size_type n = npos) const {
    return view().substr(pos, n);
  }
  int compare(std::string_view s) const noexcept { return view().compare(s); }

  friend bool operator==(const String& a, const String& b) noexcept {
    return a.view() == b.view();
  }
  friend std::strong_ordering operator<=>(const String& a, const String& b) noexcept {
    return a.view() <=> b.view();
  }
  // With std::string, std::string_view and C strings (a template, so that
  // none of them is ambiguous between String and std::string_view).
  template <class T>
    requires(std::is_convertible_v<const T&, std::string_view> &&
             !std::is_same_v<T, String>)
  friend bool operator==(const String& a, const T& b) noexcept {
    return a.view() == std::string_view(b);
  }
  template <class T>
    requires(std::is_convertible_v<const T&, std::string_view> &&
             !std::is_same_v<T, String>)
  friend std::strong_ordering operator<=>(const String& a, const T& b) noexcept {
    return a.view() <=> std::string_view(b);
  }

  // Concatenation gives a std::string, as std::string's does.
  friend std::string operator+(const String& a, const String& b) {
    return concat(a.view(), b.view());
  }
  template <class T>
    requires(std::is_convertible_v<const T&, std::string_view> &&
             !std::is_same_v<T, String>)
  friend std::string operator+(const String& a, const T& b) {
    return concat(a.view(), std::string_view(b));
  }
  template <class T>
    requires(std::is_convertible_v<const T&, std::string_view> &&
             !std::is_same_v<T, String>)
  friend std::string operator+(const T& a, const String& b) {
    return concat(std::string_view(a), b.view());
  }
  friend std::string operator+(const String& a, char c) {
    return concat(a.view(), std::string_view(&c, 1));
  }

  friend std::ostream& operator<<(std::ostream& out, const String& s) {
    return out << s.view();
  }

 private:
  // bytes_[31] is the tag. Inline: kInlineCapacity - size, so that a full
  // inline string ends in the NUL it needs. Heap: kHeap, with the pointer,
  // the size and the capacity in bytes_[0..24).
  static constexpr unsigned char kHeap = 0x80;

  unsigned char tag_byte() const noexcept {
    return static_cast<unsigned char>(bytes_[kInlineCapacity]);
  }
  void set_inline_size(size_type n) noexcept {
    bytes_[n] = '\0';
    bytes_[kInlineCapacity] = static_cast<char>(kInlineCapacity - n);
  }
  template <class T>
  T load(size_type at) const noexcept {
    T v;
    std::memcpy(&v, bytes_ + at, sizeof v);
    return v;
  }
  template <class T>
  void store(size_type at, T v) noexcept {
    std::memcpy(bytes_ + at, &v, sizeof v);
  }
  char* heap_data() const noexcept { return load<char*>(0); }
  size_type heap_size() const noexcept { return load<size_type>(8); }
  size_type heap_capacity() const noexcept { return load<size_type>(16); }
  void set_heap_size(size_type n) noexcept {
    store<size_type>(8, n);
    heap_data()[n] = '\0';
  }
  // REQUIRES: n <= capacity().
  void set_size(size_type n) noexcept {
    if (is_inline()) {
      if (n > kInlineCapacity) __builtin_unreachable();  // tells GCC so
      set_inline_size(n);
    } else {
      set_heap_size(n);
    }
  }

  static std::string concat(std::string_view a, std::string_view b) {
    std::string out;
    out.reserve(a.size() + b.size());
    out.append(a).append(b);
    return out;
  }
  static char* allocate(size_type cap) { return new char[cap + 1]; }
  // Takes ownership of text (n bytes used of cap).
  void adopt(char* text, size_type n, size_type cap) noexcept {
    store<char*>(0, text);
    store<size_type>(16, cap);
    bytes_[kInlineCapacity] = static_cast<char>(kHeap);
    set_heap_size(n);
  }
  // Makes room for n bytes (uninitialised) and copies s when given.
  void init(const char* s, size_type n) {
    if (n <= kInlineCapacity) {
      if (s != nullptr) std::memcpy(bytes_, s, n);
      set_inline_size(n);
    } else {
      char* text = allocate(n);
      if (s != nullptr) std::memcpy(text, s, n);
      adopt(text, n, n);
    }
  }
  // Frees heap text; the object is then an empty inline string.
  void release() noexcept {
    if (!is_inline()) delete[] heap_data();
    set_inline_size(0);
  }

  alignas(8) char bytes_[kInlineCapacity + 1];
};

static_assert(sizeof(String) == 32);

namespace internal {
// The field types that hold text: String, and std::string for models that
// declare it (both are read and written as std::string_view).
template <class T>
inline constexpr bool kIsText =
    std::is_same_v<T, String> || std::is_same_v<T, std::string>;
}  // namespace internal

}  // namespace folio

template <>
struct std::hash<folio::String> {
  std::size_t operator()(const folio::String& s) const noexcept {
    return std::hash<std::string_view>()(s.view());
  }
};
