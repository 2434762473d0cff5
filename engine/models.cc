#include "folio/models.h"

#include "folio/rules.h"

namespace folio {

void Author::clean(const Author& row, FieldErrors& errors) {
  rules::char_field(errors, "name", row.name, 200, /*blank=*/false);
  rules::email_field(errors, "email", row.email, /*blank=*/false);
}

void AuthorProfile::clean(const AuthorProfile& row, FieldErrors& errors) {
  rules::char_field(errors, "bio", row.bio, 0, /*blank=*/true);
  rules::url_field(errors, "website", row.website, /*blank=*/true);
  if (row.birth_year) {
    rules::integer_field(errors, "birth_year", *row.birth_year, 0, 32767);
  }
}

void Book::clean(const Book& row, FieldErrors& errors) {
  rules::char_field(errors, "title", row.title, 200, /*blank=*/false);
  rules::integer_field(errors, "published_year", row.published_year, 1, 32767);
  rules::decimal_field(errors, "price", row.price, 8, 2);
}

}  // namespace folio
