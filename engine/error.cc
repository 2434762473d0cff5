#include "folio/error.h"

namespace folio {
namespace {

// Python's repr() of a str, as Django's ValidationError prints its dict.
std::string python_repr(std::string_view s) {
  bool has_single = s.find('\'') != std::string_view::npos;
  bool has_double = s.find('"') != std::string_view::npos;
  char quote = has_single && !has_double ? '"' : '\'';
  std::string out(1, quote);
  for (char c : s) {
    if (c == quote || c == '\\') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  out += quote;
  return out;
}

std::string describe(const FieldErrors& errors) {
  std::string out = "{";
  for (std::size_t i = 0; i < errors.size(); ++i) {
    if (i > 0) out += ", ";
    out += python_repr(errors[i].field) + ": [";
    for (std::size_t j = 0; j < errors[i].messages.size(); ++j) {
      if (j > 0) out += ", ";
      out += python_repr(errors[i].messages[j]);
    }
    out += "]";
  }
  return out + "}";
}

std::string join_lines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) {
    if (!out.empty()) out += '\n';
    out += line;
  }
  return out;
}

}  // namespace

ValidationError::ValidationError(std::string_view model, FieldErrors errors)
    : Error(ErrorKind::kValidation, describe(errors)),
      model_(model),
      errors_(std::move(errors)) {}

const std::vector<std::string>& ValidationError::messages(
    std::string_view field) const {
  static const std::vector<std::string> kNone;
  for (const auto& e : errors_) {
    if (e.field == field) return e.messages;
  }
  return kNone;
}

InputError::InputError(std::vector<std::string> problems)
    : Error(ErrorKind::kInput, join_lines(problems)),
      problems_(std::move(problems)) {}

void throw_does_not_exist(std::string_view model) {
  throw DoesNotExist(std::string(model) + " matching query does not exist.");
}

}  // namespace folio
