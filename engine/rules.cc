#include "folio/rules.h"

#include <string>

#include "folio/validators.h"

namespace folio::rules {
namespace {

constexpr std::string_view kBlank = "This field cannot be blank.";

std::string plural(int n, std::string_view one, std::string_view many) {
  return std::string(n == 1 ? one : many);
}

bool check_text(FieldErrors& errors, std::string_view field,
                std::string_view value, bool blank) {
  if (!is_valid_utf8(value)) {
    add(errors, field, "Enter text that is valid UTF-8.");
    return false;
  }
  if (value.empty()) {
    if (!blank) add(errors, field, kBlank);
    return false;  // a blank-allowed empty value skips its validators
  }
  return true;
}

void max_length(FieldErrors& errors, std::string_view field,
                std::string_view value, int limit) {
  // A code point takes at least one byte, so a value of at most `limit`
  // bytes cannot have too many: most values are never counted.
  if (limit <= 0 || value.size() <= static_cast<std::size_t>(limit)) return;
  std::size_t n = code_point_count(value);
  if (n > static_cast<std::size_t>(limit)) {
    add(errors, field,
        "Ensure this value has at most " + std::to_string(limit) +
            plural(limit, " character", " characters") + " (it has " +
            std::to_string(n) + ").");
  }
}

}  // namespace

void add(FieldErrors& errors, std::string_view field, std::string_view message) {
  if (errors.empty() || errors.back().field != field) {
    errors.push_back({std::string(field), {}});
  }
  errors.back().messages.emplace_back(message);
}

void char_field(FieldErrors& errors, std::string_view field,
                std::string_view value, int limit, bool blank) {
  if (check_text(errors, field, value, blank)) {
    max_length(errors, field, value, limit);
  }
}

void email_field(FieldErrors& errors, std::string_view field,
                 std::string_view value, bool blank, int limit) {
  if (!check_text(errors, field, value, blank)) return;
  if (!is_valid_email(value)) add(errors, field, "Enter a valid email address.");
  max_length(errors, field, value, limit);
}

void url_field(FieldErrors& errors, std::string_view field,
               std::string_view value, bool blank, int limit) {
  if (!check_text(errors, field, value, blank)) return;
  if (!is_valid_url(value)) add(errors, field, "Enter a valid URL.");
  max_length(errors, field, value, limit);
}

void integer_field(FieldErrors& errors, std::string_view field,
                   std::int64_t value, std::int64_t min, std::int64_t max) {
  if (value < min) {
    add(errors, field,
        "Ensure this value is greater than or equal to " + std::to_string(min) +
            ".");
  }
  if (value > max) {
    add(errors, field,
        "Ensure this value is less than or equal to " + std::to_string(max) +
            ".");
  }
}

void decimal_field(FieldErrors& errors, std::string_view field,
                   const Decimal& value, int max_digits, int decimal_places) {
  const int digits = value.digits();
  const int decimals = value.decimal_places();
  const int whole_digits = digits - decimals;
  if (digits > max_digits) {
    add(errors, field,
        "Ensure that there are no more than " + std::to_string(max_digits) +
            plural(max_digits, " digit", " digits") + " in total.");
  } else if (decimals > decimal_places) {
    add(errors, field,
        "Ensure that there are no more than " + std::to_string(decimal_places) +
            plural(decimal_places, " decimal place.", " decimal places."));
  } else if (whole_digits > max_digits - decimal_places) {
    int limit = max_digits - decimal_places;
    add(errors, field,
        "Ensure that there are no more than " + std::to_string(limit) +
            plural(limit, " digit", " digits") + " before the decimal point.");
  }
}

void check(FieldErrors& errors, std::string_view field, const FieldSpec& spec,
           std::string_view value) {
  switch (spec.kind) {
    case FieldKind::kChar:
      char_field(errors, field, value, spec.max_length, spec.blank);
      break;
    case FieldKind::kText:
      char_field(errors, field, value, 0, spec.blank);
      break;
    case FieldKind::kEmail:
      email_field(errors, field, value, spec.blank, spec.max_length);
      break;
    case FieldKind::kUrl:
      url_field(errors, field, value, spec.blank, spec.max_length);
      break;
    default:
      break;
  }
}

void check(FieldErrors& errors, std::string_view field, const FieldSpec& spec,
           std::int64_t value) {
  if (spec.kind == FieldKind::kInteger) {
    integer_field(errors, field, value, spec.min_value, spec.max_value);
  }
}

void check(FieldErrors& errors, std::string_view field, const FieldSpec& spec,
           const Decimal& value) {
  decimal_field(errors, field, value, spec.max_digits, spec.decimal_places);
}

}  // namespace folio::rules
