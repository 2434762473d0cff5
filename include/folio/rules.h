// Django's model field rules, as full_clean() applies them. A model's clean()
// calls these field by field, in model order; each appends the messages
// Django would produce for that field (none when the value passes).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "folio/datetime.h"
#include "folio/decimal.h"
#include "folio/error.h"
#include "folio/model.h"

namespace folio::rules {

// Appends `message` to `field`'s messages in `errors`.
void add(FieldErrors& errors, std::string_view field, std::string_view message);

// CharField(max_length) / TextField (max_length 0 = none): "This field cannot
// be blank." when empty and !blank; else the length rule counted in Unicode
// code points. Text that is not valid UTF-8 is refused.
void char_field(FieldErrors& errors, std::string_view field,
                std::string_view value, int max_length, bool blank);
// EmailField: EmailValidator, then the length rule (254 by default).
void email_field(FieldErrors& errors, std::string_view field,
                 std::string_view value, bool blank, int max_length = 254);
// URLField: URLValidator (http, https, ftp, ftps), then the length rule.
void url_field(FieldErrors& errors, std::string_view field,
               std::string_view value, bool blank, int max_length = 200);
// Integer fields: MinValueValidator(min) and MaxValueValidator(max).
void integer_field(FieldErrors& errors, std::string_view field,
                   std::int64_t value, std::int64_t min, std::int64_t max);
// DecimalField(max_digits, decimal_places): DecimalValidator, which reports
// only the first of: digits in total, decimal places, digits before the point.
void decimal_field(FieldErrors& errors, std::string_view field,
                   const Decimal& value, int max_digits, int decimal_places);

// The rules of a field of the given spec (model.h), by its kind: what
// full_clean() checks for that field. Primary and foreign keys are checked by
// the database, not here.
void check(FieldErrors& errors, std::string_view field, const FieldSpec& spec,
           std::string_view value);
void check(FieldErrors& errors, std::string_view field, const FieldSpec& spec,
           std::int64_t value);
void check(FieldErrors& errors, std::string_view field, const FieldSpec& spec,
           const Decimal& value);
inline void check(FieldErrors&, std::string_view, const FieldSpec&, bool) {}
inline void check(FieldErrors&, std::string_view, const FieldSpec&, DateTime) {}
inline void check(FieldErrors& errors, std::string_view field,
                  const FieldSpec& spec, std::int32_t value) {
  check(errors, field, spec, std::int64_t{value});
}
// null=True: a null value passes (blank=True is implied for such fields).
template <class T>
void check(FieldErrors& errors, std::string_view field, const FieldSpec& spec,
           const std::optional<T>& value) {
  if (value) check(errors, field, spec, *value);
}

// Every field rule of a row, in model field order, then the model's own
// clean() when it has one.
template <class M>
void clean_fields(const M& row, FieldErrors& errors) {
  std::apply(
      [&](const auto&... f) { (check(errors, f.name, f.spec, row.*f.member), ...); },
      internal::kFieldsOf<M>);
  if constexpr (requires { M::clean(row, errors); }) M::clean(row, errors);
}

}  // namespace folio::rules
