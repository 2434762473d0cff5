// CSV, one file per table (RFC 4180). The conventions are stated in
// interchange.h: SQL column names in the header, CRLF line ends, NULL as an
// empty unquoted field and the empty string as "".
#include <charconv>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "folio/interchange.h"
#include "interchange_internal.h"

namespace folio::internal {
namespace {

// ---- Writing ----

void append_field(std::string& out, std::string_view s, bool text) {
  const bool quote = (text && s.empty()) ||
                     s.find_first_of(",\"\r\n") != std::string_view::npos;
  if (!quote) {
    out.append(s);
    return;
  }
  out += '"';
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void append_value(std::string& out, const Column& column, const Value& v) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          // NULL: nothing, unquoted.
        } else if constexpr (std::is_same_v<T, bool>) {
          out += x ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          out += std::to_string(x);
        } else if constexpr (std::is_same_v<T, std::string>) {
          append_field(out, x, true);
        } else if constexpr (std::is_same_v<T, Decimal>) {
          out += x.format(std::max(column.spec.decimal_places, x.decimal_places()));
        } else {
          out += x.to_sql();
          out += "+00:00";
        }
      },
      v);
}

// ---- Reading ----

struct Field {
  std::string text;
  bool quoted = false;
};

// Splits RFC 4180 text into records. Accepts CRLF, LF or CR line ends, skips
// empty lines, and reports a malformed record with its line and column.
class Records {
 public:
  explicit Records(std::string_view text) : text_(text) {
    if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;  // UTF-8 byte order mark
  }

  // Reads the next record into `fields`. Returns false at the end. On a
  // malformed record sets `error` (and skips to the next line).
  bool next(std::vector<Field>& fields, std::uint64_t& line, std::string& error) {
    fields.clear();
    error.clear();
    while (pos_ < text_.size() && (text_[pos_] == '\n' || text_[pos_] == '\r')) {
      end_of_line();  // an empty line is no record
    }
    if (pos_ >= text_.size()) return false;
    line = line_;
    for (;;) {
      Field f;
      if (pos_ < text_.size() && text_[pos_] == '"') {
        f.quoted = true;
        const std::uint64_t opened = line_;
        ++pos_;
        for (;;) {
          if (pos_ >= text_.size()) {
            error = "a quoted field opened on line " + std::to_string(opened) +
                    " is never closed";
            return true;
          }
          char c = text_[pos_++];
          if (c == '"') {
            if (pos_ < text_.size() && text_[pos_] == '"') {
              f.text += '"';
              ++pos_;
              continue;
            }
            break;
          }
          if (c == '\n') ++line_;
          f.text += c;
        }
        if (pos_ < text_.size() && text_[pos_] != ',' && text_[pos_] != '\r' &&
            text_[pos_] != '\n') {
          error = "column " + std::to_string(column()) +
                  ": a character after a closing quote (a quote inside a quoted field "
                  "is written twice)";
          skip_line();
          return true;
        }
      } else {
        std::size_t end = text_.find_first_of(",\r\n", pos_);
        if (end == std::string_view::npos) end = text_.size();
        std::string_view raw = text_.substr(pos_, end - pos_);
        if (std::size_t q = raw.find('"'); q != std::string_view::npos) {
          pos_ += q;
          error = "column " + std::to_string(column()) +
                  ": a quote inside an unquoted field (quote the field and write the "
                  "quote twice)";
          skip_line();
          return true;
        }
        f.text.assign(raw);
        pos_ = end;
      }
      fields.push_back(std::move(f));
      if (pos_ >= text_.size()) return true;
      if (text_[pos_] == ',') {
        ++pos_;
        continue;
      }
      end_of_line();
      return true;
    }
  }

 private:
  void end_of_line() {
    if (text_[pos_] == '\r' && pos_ + 1 < text_.size() && text_[pos_ + 1] == '\n') ++pos_;
    ++pos_;
    ++line_;
  }
  void skip_line() {
    std::size_t end = text_.find('\n', pos_);
    pos_ = end == std::string_view::npos ? text_.size() : end + 1;
    ++line_;
  }
  // The 1-based character column of pos_ on its line.
  std::uint64_t column() const {
    std::size_t start = text_.rfind('\n', pos_ == 0 ? 0 : pos_ - 1);
    start = start == std::string_view::npos ? 0 : start + 1;
    if (pos_ == 0) start = 0;
    std::uint64_t n = 1;
    for (std::size_t i = start; i < pos_; ++i) {
      n += (static_cast<unsigned char>(text_[i]) & 0xC0) != 0x80;
    }
    return n;
  }

  std::string_view text_;
  std::size_t pos_ = 0;
  std::uint64_t line_ = 1;
};

std::optional<bool> parse_bool(std::string_view s) {
  for (std::string_view t : {"true", "t", "True", "TRUE", "1"}) {
    if (s == t) return true;
  }
  for (std::string_view f : {"false", "f", "False", "FALSE", "0"}) {
    if (s == f) return false;
  }
  return std::nullopt;
}

std::optional<Value> decode(const Column& column, Field& f, std::string& error) {
  if (!f.quoted && f.text.empty()) {
    if (column.nullable) return Value{};
    if (column.type == ValueType::kString) return Value{std::string()};
    error = "This field cannot be null.";
    return std::nullopt;
  }
  const std::string& s = f.text;
  switch (column.type) {
    case ValueType::kInteger: {
      std::int64_t v = 0;
      const char* first = s.data();
      const char* last = s.data() + s.size();
      auto r = std::from_chars(first, last, v);
      if (r.ec == std::errc::result_out_of_range && r.ptr == last) {
        error = integer_range_problem(column, !s.empty() && s[0] == '-');
        return std::nullopt;
      }
      if (r.ec != std::errc() || r.ptr != last) {
        error = django_quoted(s) + " value must be an integer.";
        return std::nullopt;
      }
      return Value{v};
    }
    case ValueType::kBoolean:
      if (auto b = parse_bool(s)) return Value{*b};
      error = django_quoted(s) + " value must be either True or False.";
      return std::nullopt;
    case ValueType::kString:
      return Value{std::move(f.text)};
    case ValueType::kDecimal:
      if (auto d = Decimal::parse(s)) return Value{*d};
      error = decimal_problem(column, s);
      return std::nullopt;
    case ValueType::kDateTime:
      if (auto t = DateTime::parse(s)) return Value{*t};
      error = datetime_problem(s);
      return std::nullopt;
  }
  return std::nullopt;
}

std::string column_list(const ModelSchema& m) {
  std::string out;
  for (const auto& c : m.columns) {
    if (!out.empty()) out += ", ";
    out += c.column;
  }
  return out;
}

}  // namespace

void write_csv(const RowSource& source, std::ostream& out, const DumpSelection& sel) {
  if (sel.model == kNone) {
    throw UsageError("a CSV file holds one table: name the table");
  }
  const ModelSchema& m = source.schema().models[sel.model];
  std::string buf;
  for (std::size_t c = 0; c < m.columns.size(); ++c) {
    if (c > 0) buf += ',';
    append_field(buf, m.columns[c].column, false);
  }
  buf += "\r\n";
  out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
  const std::uint64_t total = source.size(sel.model);
  std::uint64_t done = 0;
  source.scan(sel.model, [&](const std::vector<Value>& values) {
    buf.clear();
    for (std::size_t c = 0; c < m.columns.size(); ++c) {
      if (c > 0) buf += ',';
      append_value(buf, m.columns[c], values[c]);
    }
    buf += "\r\n";
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    if (sel.progress && ++done % 65536 == 0) sel.progress(done, total);
  });
  if (sel.progress) sel.progress(total, total);
}

void read_csv(const Schema& schema, std::uint32_t input, std::size_t model,
              std::string_view text, RowSink& sink, Problems& problems) {
  const ModelSchema& m = schema.models[model];
  Records records(text);
  std::vector<Field> fields;
  std::uint64_t line = 1;
  std::string error;
  if (!records.next(fields, line, error)) {
    problems.add_input(input, 0, 0,
                       "the file is empty: a CSV needs a header row (" + column_list(m) + ")");
    return;
  }
  if (!error.empty()) {
    problems.add_input(input, line, 0, "the header row is malformed: " + error);
    return;
  }
  // where[i]: the column of header field i (kNone: unknown).
  std::vector<std::size_t> where(fields.size(), kNone);
  std::vector<bool> given(m.columns.size(), false);
  for (std::size_t i = 0; i < fields.size(); ++i) {
    std::size_t c = m.find(fields[i].text);
    if (c == kNone) {
      problems.add_input(input, line, 0,
                         "unknown column \"" + fields[i].text + "\" (table " +
                             std::string(m.info->table) + " has " + column_list(m) + ")");
    } else if (given[c]) {
      problems.add_input(input, line, 0,
                         "column \"" + std::string(m.columns[c].column) + "\" is given twice");
    } else {
      given[c] = true;
      where[i] = c;
    }
  }
  for (std::size_t c = 0; c < m.columns.size(); ++c) {
    if (!given[c]) {
      problems.add_input(input, line, 0,
                         "missing column \"" + std::string(m.columns[c].column) + "\"");
    }
  }
  std::vector<std::optional<Value>> values;
  std::uint64_t record = 0;
  while (records.next(fields, line, error)) {
    Origin at{input, line, ++record};
    if (!error.empty()) {
      problems.add(at, model, std::nullopt, "", error);
      continue;
    }
    if (fields.size() != where.size()) {
      problems.add(at, model, std::nullopt, "",
                   "the row has " + std::to_string(fields.size()) + " fields; the header has " +
                       std::to_string(where.size()));
      continue;
    }
    values.assign(m.columns.size(), std::nullopt);
    std::optional<Id> pk;
    if (m.pk != kNone) {
      for (std::size_t i = 0; i < fields.size(); ++i) {
        if (where[i] != m.pk) continue;
        std::string ignored;
        Field copy = fields[i];
        if (auto v = decode(m.columns[m.pk], copy, ignored)) {
          if (auto* id = std::get_if<std::int64_t>(&*v)) pk = *id;
        }
      }
    }
    for (std::size_t i = 0; i < fields.size(); ++i) {
      std::size_t c = where[i];
      if (c == kNone) continue;
      values[c] = decode(m.columns[c], fields[i], error);
      if (!values[c]) problems.add(at, model, pk, m.columns[c].name, error);
    }
    sink.add(model, values, at, false);
  }
}

}  // namespace folio::internal
