// Django's model field rules, as full_clean() applies them. A model's clean()
// calls these field by field, in model order; each appends the messages
// Django would produce for that field (none when the value passes).
#pragma once

#include <cstdint>
#include <string_view>

#include "folio/decimal.h"
#include "folio/error.h"

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

}  // namespace folio::rules
