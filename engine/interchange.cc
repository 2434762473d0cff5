// What the formats share: finding models and columns by name, recording
// problems, and reading inputs.
#include "folio/interchange.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <tuple>

#include "interchange_internal.h"

namespace folio {
namespace internal {
namespace {

bool iequal(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

std::size_t ModelSchema::find(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].column == name) return i;
  }
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == name) return i;
  }
  return kNone;
}

std::size_t Schema::find_label(std::string_view label) const noexcept {
  for (std::size_t i = 0; i < models.size(); ++i) {
    if (models[i].info->label_lower == label) return i;
  }
  return kNone;
}

std::size_t Schema::find_table(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < models.size(); ++i) {
    const ModelInfo& info = *models[i].info;
    if (info.table == name || info.label_lower == name || info.label == name ||
        iequal(info.name, name)) {
      return i;
    }
  }
  return kNone;
}

std::size_t Schema::table_or_throw(std::string_view name) const {
  std::size_t model = find_table(name);
  if (model != kNone) return model;
  std::string known;
  for (const auto& m : models) {
    if (!known.empty()) known += ", ";
    known += m.info->table;
  }
  throw UsageError("unknown table \"" + std::string(name) + "\" (the tables are " +
                   known + ")");
}

std::string django_quoted(std::string_view s) {
  std::string out = "\u201c";
  if (s.size() > 80) {
    out.append(s.substr(0, 77));
    out += "...";
  } else {
    out.append(s);
  }
  return out + "\u201d";
}

std::string decimal_problem(const Column& column, std::string_view text) {
  std::size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  bool digits = false, point = false;
  for (; i < text.size(); ++i) {
    if (text[i] >= '0' && text[i] <= '9') {
      digits = true;
    } else if (text[i] == '.' && !point) {
      point = true;
    } else {
      break;
    }
  }
  if (digits && i == text.size()) {
    return "Ensure that there are no more than " + std::to_string(column.spec.max_digits) +
           " digits in total.";
  }
  return django_quoted(text) + " value must be a decimal number.";
}

std::string datetime_problem(std::string_view text) {
  return django_quoted(text) +
         " value has an invalid format. It must be in "
         "YYYY-MM-DD HH:MM[:ss[.uuuuuu]][TZ] format.";
}

std::string integer_range_problem(const Column& column, bool negative) {
  const bool ranged = column.spec.kind == FieldKind::kInteger;
  if (negative) {
    return "Ensure this value is greater than or equal to " +
           std::to_string(ranged ? column.spec.min_value : column.type_min) + ".";
  }
  return "Ensure this value is less than or equal to " +
         std::to_string(ranged ? column.spec.max_value : column.type_max) + ".";
}

std::string missing_parent_message(const ModelInfo& parent, Id id) {
  return std::string(parent.verbose_name) + " instance with id " + std::to_string(id) +
         " does not exist.";
}

void Problems::add(const Origin& at, std::size_t model, std::optional<Id> pk,
                   std::string_view field, std::string_view message) {
  // Built by appending: GCC 12 warns falsely (-Wrestrict) on "literal" +
  // std::string temporaries here.
  std::string text;
  const bool existing = at.input == kExistingInput;
  const bool fixture = !existing && sources_[at.input].fixture;
  if (existing) {
    text.append("the existing database: ");
  } else {
    text.append(sources_[at.input].name).append(":").append(std::to_string(at.line));
    text.append(fixture ? ": object " : ": row ").append(std::to_string(at.item));
  }
  if (model != kNone) {
    const ModelInfo& info = *schema_.models[model].info;
    if (!existing) text.append(", ");
    if (fixture) {
      text.append(info.label_lower);
    } else {
      text.append("table ").append(info.table);
    }
    if (pk) text.append(fixture ? " pk " : " id ").append(std::to_string(*pk));
  }
  if (!field.empty()) {
    std::string_view shown = field;
    if (!fixture && model != kNone) {
      // CSV names the SQL column ("author_id" for the field "author").
      const ModelSchema& m = schema_.models[model];
      std::size_t c = m.find(field);
      if (c != kNone) shown = m.columns[c].column;
    }
    text.append(fixture ? ", field " : ", column ").append(shown);
  }
  text.append(": ").append(message);
  entries_.push_back({at.input, at.line, entries_.size(), std::move(text)});
}

void Problems::add_input(std::uint32_t input, std::uint64_t line, std::uint64_t column,
                         std::string_view message) {
  std::string text = sources_[input].name;
  if (line > 0) text.append(":").append(std::to_string(line));
  if (column > 0) text.append(":").append(std::to_string(column));
  text += ": ";
  text += message;
  entries_.push_back({input, line, entries_.size(), std::move(text)});
}

std::vector<std::string> Problems::lines() const {
  std::vector<const Entry*> sorted;
  sorted.reserve(entries_.size());
  for (const auto& e : entries_) sorted.push_back(&e);
  std::sort(sorted.begin(), sorted.end(), [](const Entry* a, const Entry* b) {
    return std::tie(a->input, a->line, a->seq) < std::tie(b->input, b->line, b->seq);
  });
  std::vector<std::string> out;
  out.reserve(sorted.size());
  for (const Entry* e : sorted) out.push_back(e->text);
  return out;
}

std::string Problems::where(const Origin& at) const {
  if (at.input == kExistingInput) return "the existing database";
  return sources_[at.input].name + ":" + std::to_string(at.line);
}

std::vector<Problems::Source> sources_of(const std::vector<Input>& inputs) {
  std::vector<Problems::Source> sources;
  sources.reserve(inputs.size());
  for (const auto& in : inputs) {
    sources.push_back({in.name, in.format == InputFormat::kFixture});
  }
  return sources;
}

void read_inputs(const Schema& schema, const std::vector<Input>& inputs, RowSink& sink,
                 Problems& problems) {
  for (std::uint32_t i = 0; i < inputs.size(); ++i) {
    const Input& in = inputs[i];
    if (in.format == InputFormat::kFixture) {
      read_fixture(schema, i, in.text, sink, problems);
      continue;
    }
    std::string table = in.table;
    if (table.empty()) table = std::filesystem::path(in.name).stem().string();
    std::size_t model = schema.find_table(table);
    if (model == kNone) {
      std::string known;
      for (const auto& m : schema.models) {
        if (!known.empty()) known += ", ";
        known += m.info->table;
      }
      problems.add_input(i, 0, 0,
                         "no table \"" + table + "\" to load the CSV into (the tables are " +
                             known + "; name it with --table)");
      continue;
    }
    read_csv(schema, i, model, in.text, sink, problems);
  }
}

}  // namespace internal

std::optional<InputFormat> input_format(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (ext == ".json") return InputFormat::kFixture;
  if (ext == ".csv") return InputFormat::kCsv;
  return std::nullopt;
}

Input read_input(const std::filesystem::path& path, std::string table) {
  Input in;
  in.name = path.string();
  const std::optional<InputFormat> format = input_format(path);
  if (!format) throw InputError({in.name + ": not a .json fixture or a .csv file"});
  in.format = *format;
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    throw InputError({in.name + ": cannot open: " + std::strerror(errno)});
  }
  file.seekg(0, std::ios::end);
  const std::streamoff size = file.tellg();
  file.seekg(0, std::ios::beg);
  if (size > 0) {
    in.text.resize(static_cast<std::size_t>(size));
    file.read(in.text.data(), size);
  }
  if (!file) throw InputError({in.name + ": cannot read: " + std::strerror(errno)});
  in.table = std::move(table);
  return in;
}

}  // namespace folio
