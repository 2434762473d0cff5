// Django fixtures: written as Django 3.2's `dumpdata --indent 2` writes them,
// read with Boost.JSON's event parser one top-level object at a time (memory
// stays bounded by the largest object, and every object and field is known
// by its line).
#include <charconv>
#include <cstring>
#include <ostream>
#include <string>
#include <utility>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_stack.hpp>

#include "folio/interchange.h"
#include "interchange_internal.h"

namespace folio::internal {
namespace {

namespace json = boost::json;

// ---- Writing ----

// As Python's json.dumps(ensure_ascii=False) escapes a str: the quote, the
// backslash and the C0 controls only (\b \t \n \f \r by name, the rest as
// \u00XX in lower-case hex); everything else, DEL and non-ASCII included, is
// written as is.
void append_json_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\f': out += "\\f"; break;
      case '\r': out += "\\r"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

void append_value(std::string& out, const Column& column, const Value& v) {
  std::visit(
      [&](const auto& x) {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          out += "null";
        } else if constexpr (std::is_same_v<T, bool>) {
          out += x ? "true" : "false";
        } else if constexpr (std::is_same_v<T, std::int64_t>) {
          out += std::to_string(x);
        } else if constexpr (std::is_same_v<T, std::string>) {
          append_json_string(out, x);
        } else if constexpr (std::is_same_v<T, Decimal>) {
          out += '"';
          out += x.format(std::max(column.spec.decimal_places, x.decimal_places()));
          out += '"';
        } else {
          out += '"';
          out += x.to_django_json();
          out += '"';
        }
      },
      v);
}

// ---- Reading ----

std::string json_text(const json::value& v) {
  std::string s = json::serialize(v);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

// Decodes a JSON value for a column; on failure returns nullopt and sets
// `error` to the message.
std::optional<Value> decode(const Column& column, const json::value& v, std::string& error) {
  if (v.is_null()) {
    if (column.nullable) return Value{};
    error = "This field cannot be null.";
    return std::nullopt;
  }
  switch (column.type) {
    case ValueType::kInteger:
      if (v.is_int64()) return Value{v.get_int64()};
      if (v.is_uint64()) {
        error = integer_range_problem(column, false);
        return std::nullopt;
      }
      error = "expected an integer, got " + json_text(v);
      return std::nullopt;
    case ValueType::kBoolean:
      if (v.is_bool()) return Value{v.get_bool()};
      error = "expected true or false, got " + json_text(v);
      return std::nullopt;
    case ValueType::kString:
      if (v.is_string()) return Value{std::string(v.get_string())};
      error = "expected a string, got " + json_text(v);
      return std::nullopt;
    case ValueType::kDecimal: {
      std::string text;
      if (v.is_string()) {
        text = v.get_string();
      } else if (v.is_int64() || v.is_uint64()) {
        text = json::serialize(v);
      } else if (v.is_double()) {
        char buf[64];
        auto r = std::to_chars(buf, buf + sizeof buf, v.get_double());
        text.assign(buf, r.ptr);
      } else {
        error = "expected a decimal number as a string such as \"9.99\", got " + json_text(v);
        return std::nullopt;
      }
      if (auto d = Decimal::parse(text)) return Value{*d};
      error = decimal_problem(column, text);
      return std::nullopt;
    }
    case ValueType::kDateTime:
      if (v.is_string()) {
        if (auto t = DateTime::parse(v.get_string())) return Value{*t};
        error = datetime_problem(v.get_string());
        return std::nullopt;
      }
      error = "expected a date and time as a string such as \"2026-01-21T10:15:00Z\", got " +
              json_text(v);
      return std::nullopt;
  }
  return std::nullopt;
}

// One top-level element of the fixture, checked and handed to the sink.
class ObjectReader {
 public:
  ObjectReader(const Schema& schema, std::uint32_t input, RowSink& sink, Problems& problems)
      : schema_(schema), input_(input), sink_(sink), problems_(problems) {}

  void read(const json::value& element, std::uint64_t line, std::uint64_t index,
            const std::vector<std::pair<std::string, std::uint64_t>>& field_lines) {
    Origin at{input_, line, index};
    const json::object* obj = element.if_object();
    if (obj == nullptr) {
      problems_.add(at, kNone, std::nullopt, "",
                    "expected an object with \"model\", \"pk\" and \"fields\", got " +
                        json_text(element));
      return;
    }
    const json::value* model_v = obj->if_contains("model");
    if (model_v == nullptr || !model_v->is_string()) {
      problems_.add(at, kNone, std::nullopt, "",
                    model_v == nullptr ? "the object has no \"model\""
                                       : "\"model\" must be a string such as \"myapp.author\"");
      return;
    }
    std::string label(model_v->get_string());
    std::size_t model = schema_.find_label(label);
    if (model == kNone) {
      problems_.add(at, kNone, std::nullopt, "", "Invalid model identifier: '" + label + "'");
      return;
    }
    const ModelSchema& m = schema_.models[model];
    std::vector<std::optional<Value>> values(m.columns.size());
    std::optional<Id> pk;
    bool ok = true;
    if (const json::value* pk_v = obj->if_contains("pk"); pk_v == nullptr || pk_v->is_null()) {
      problems_.add(at, model, std::nullopt, "pk",
                    "missing: folio needs the primary key of every object");
    } else if (m.pk != kNone) {
      std::string error;
      values[m.pk] = decode(m.columns[m.pk], *pk_v, error);
      if (values[m.pk]) {
        pk = std::get<std::int64_t>(*values[m.pk]);
      } else {
        problems_.add(at, model, std::nullopt, "pk", error);
      }
    }
    for (const auto& [key, value] : *obj) {
      if (key != "model" && key != "pk" && key != "fields") {
        problems_.add(at, model, pk, "",
                      "unknown key \"" + std::string(key) +
                          "\" (an object has \"model\", \"pk\" and \"fields\")");
        ok = false;
      }
    }
    const json::value* fields_v = obj->if_contains("fields");
    if (fields_v == nullptr || !fields_v->is_object()) {
      problems_.add(at, model, pk, "",
                    fields_v == nullptr ? "the object has no \"fields\""
                                        : "\"fields\" must be an object");
      sink_.add(model, values, at, true);  // refused: its children are not blamed
      return;
    }
    std::vector<bool> seen(m.columns.size(), false);
    for (const auto& [key, value] : fields_v->get_object()) {
      const Origin& field_at = at;
      std::size_t c = m.find(key);
      if (c == m.pk && c != kNone) {
        problems_.add(field_at, model, pk, key,
                      "the primary key belongs in \"pk\", not in \"fields\"");
        ok = false;
        continue;
      }
      if (c == kNone) {
        problems_.add(field_at, model, pk, "",
                      std::string(m.info->name) + " has no field named '" + std::string(key) +
                          "'");
        ok = false;
        continue;
      }
      seen[c] = true;
      std::string error;
      values[c] = decode(m.columns[c], value, error);
      if (!values[c]) problems_.add(field_at, model, pk, m.columns[c].name, error);
    }
    // Boost.JSON keeps one value of a key given twice; Python keeps the last.
    // Either way it is a mistake worth naming.
    for (std::size_t i = 0; i < field_lines.size(); ++i) {
      for (std::size_t j = 0; j < i; ++j) {
        if (field_lines[i].first == field_lines[j].first) {
          problems_.add(at, model, pk, field_lines[i].first, "given twice in \"fields\"");
          ok = false;
          break;
        }
      }
    }
    for (std::size_t c = 0; c < m.columns.size(); ++c) {
      if (c == m.pk || seen[c]) continue;
      problems_.add(at, model, pk, m.columns[c].name,
                    "missing: folio needs every field of the model");
    }
    sink_.add(model, values, at, !ok);
  }

 private:
  const Schema& schema_;
  std::uint32_t input_;
  RowSink& sink_;
  Problems& problems_;
};

// Boost.JSON parser events: builds each top-level element of the array with a
// value_stack and hands it on; records the line of each element and of each
// key inside its "fields".
class Handler {
 public:
  static constexpr std::size_t max_object_size = json::object::max_size();
  static constexpr std::size_t max_array_size = json::array::max_size();
  static constexpr std::size_t max_key_size = json::string::max_size();
  static constexpr std::size_t max_string_size = json::string::max_size();

  Handler(ObjectReader& reader, Problems& problems, std::uint32_t input)
      : reader_(reader), problems_(problems), input_(input) {}

  std::uint64_t line = 1;
  bool refused = false;  // the document is not an array: stop

  bool on_document_begin(json::error_code&) { return true; }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code& ec) {
    if (!begin_value(ec, "an object")) return false;
    ++depth_;
    return true;
  }
  bool on_object_end(std::size_t n, json::error_code&) {
    --depth_;
    st_.push_object(n);
    return end_value();
  }
  bool on_array_begin(json::error_code& ec) {
    if (depth_ == 0) {
      depth_ = 1;
      return true;
    }
    if (!begin_value(ec, "an array")) return false;
    ++depth_;
    return true;
  }
  bool on_array_end(std::size_t n, json::error_code&) {
    if (--depth_ == 0) return true;
    st_.push_array(n);
    return end_value();
  }
  bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
    st_.push_chars(s);
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, json::error_code&) {
    st_.push_key(s);
    key_.append(s.data(), s.size());
    if (depth_ == 2) {
      in_fields_ = key_ == "fields";
    } else if (depth_ == 3 && in_fields_) {
      field_lines_.emplace_back(key_, line);
    }
    key_.clear();
    return true;
  }
  bool on_string_part(json::string_view s, std::size_t, json::error_code& ec) {
    if (!begin_value(ec, "a string", false)) return false;
    st_.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, std::size_t, json::error_code& ec) {
    if (!begin_value(ec, "a string")) return false;
    st_.push_string(s);
    return end_value();
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(std::int64_t i, json::string_view, json::error_code& ec) {
    if (!begin_value(ec, "a number")) return false;
    st_.push_int64(i);
    return end_value();
  }
  bool on_uint64(std::uint64_t u, json::string_view, json::error_code& ec) {
    if (!begin_value(ec, "a number")) return false;
    st_.push_uint64(u);
    return end_value();
  }
  bool on_double(double d, json::string_view, json::error_code& ec) {
    if (!begin_value(ec, "a number")) return false;
    st_.push_double(d);
    return end_value();
  }
  bool on_bool(bool b, json::error_code& ec) {
    if (!begin_value(ec, b ? "true" : "false")) return false;
    st_.push_bool(b);
    return end_value();
  }
  bool on_null(json::error_code& ec) {
    if (!begin_value(ec, "null")) return false;
    st_.push_null();
    return end_value();
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }

 private:
  // Starts a value; at depth 1 it is a new element of the top-level array.
  bool begin_value(json::error_code& ec, const char* what, bool whole = true) {
    if (depth_ == 0) {
      problems_.add_input(input_, line, 0,
                          std::string("a fixture is a JSON array of objects, as dumpdata "
                                      "writes it; this file holds ") +
                              what);
      refused = true;
      ec = json::error::syntax;
      return false;
    }
    if (depth_ == 1 && !started_) {
      st_.reset();
      started_ = true;
      element_line_ = line;
      field_lines_.clear();
      in_fields_ = false;
    }
    (void)whole;
    return true;
  }
  // Ends a value; at depth 1 the element is complete.
  bool end_value() {
    if (depth_ == 1) {
      json::value v = st_.release();
      started_ = false;
      reader_.read(v, element_line_, index_++, field_lines_);
    }
    return true;
  }

  ObjectReader& reader_;
  Problems& problems_;
  std::uint32_t input_;
  json::value_stack st_;
  std::size_t depth_ = 0;
  bool started_ = false;
  std::uint64_t element_line_ = 0;
  std::uint64_t index_ = 0;
  std::string key_;
  bool in_fields_ = false;
  std::vector<std::pair<std::string, std::uint64_t>> field_lines_;
};

std::uint64_t code_points(std::string_view s) {
  std::uint64_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

}  // namespace

void write_fixture(const RowSource& source, std::ostream& out, const DumpSelection& sel) {
  const Schema& schema = source.schema();
  std::uint64_t total = 0, done = 0;
  for (std::size_t m = 0; m < schema.models.size(); ++m) {
    if (sel.model == kNone || sel.model == m) total += source.size(m);
  }
  out << '[';
  bool first = true;
  std::string buf;
  for (std::size_t model = 0; model < schema.models.size(); ++model) {
    if (sel.model != kNone && sel.model != model) continue;
    const ModelSchema& m = schema.models[model];
    source.scan(model, [&](const std::vector<Value>& values) {
      buf.clear();
      if (!first) buf += ',';
      first = false;
      buf += "\n{\n  \"model\": ";
      append_json_string(buf, m.info->label_lower);
      buf += ",\n  \"pk\": ";
      if (m.pk != kNone) {
        append_value(buf, m.columns[m.pk], values[m.pk]);
      } else {
        buf += "null";
      }
      buf += ",\n  \"fields\": {";
      bool any = false;
      for (std::size_t c = 0; c < m.columns.size(); ++c) {
        if (c == m.pk) continue;
        buf += any ? ",\n    " : "\n    ";
        any = true;
        append_json_string(buf, m.columns[c].name);
        buf += ": ";
        append_value(buf, m.columns[c], values[c]);
      }
      buf += any ? "\n  }\n}" : "}\n}";
      out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
      if (sel.progress && ++done % 65536 == 0) sel.progress(done, total);
    });
  }
  out << "\n]\n";
  if (sel.progress) sel.progress(total, total);
}

void read_fixture(const Schema& schema, std::uint32_t input, std::string_view text,
                  RowSink& sink, Problems& problems) {
  ObjectReader reader(schema, input, sink, problems);
  json::parse_options options;
  options.max_depth = 64;
  json::basic_parser<Handler> parser(options, reader, problems, input);
  Handler& h = parser.handler();
  json::error_code ec;
  std::size_t pos = 0;
  std::uint64_t last_line = 1;
  std::string_view line_text;
  while (pos < text.size()) {
    std::size_t end = text.find('\n', pos);
    end = end == std::string_view::npos ? text.size() : end + 1;
    line_text = text.substr(pos, end - pos);
    std::size_t used = parser.write_some(true, line_text.data(), line_text.size(), ec);
    if (ec) {
      if (!h.refused) {
        problems.add_input(input, h.line, code_points(line_text.substr(0, used)) + 1,
                           "JSON syntax error: " + ec.message());
      }
      return;
    }
    pos = end;
    last_line = h.line;
    if (line_text.back() == '\n') {
      ++h.line;
      line_text.remove_suffix(1);
    }
  }
  parser.write_some(false, nullptr, 0, ec);
  if (ec && !h.refused) {
    problems.add_input(input, last_line, code_points(line_text) + 1,
                       text.empty() ? std::string("JSON syntax error: the file is empty")
                                    : "JSON syntax error: " + ec.message());
  }
}

}  // namespace folio::internal
