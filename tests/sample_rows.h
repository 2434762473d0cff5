// Rows that pass every rule, for tests that vary one field of them.
#pragma once

#include <string>
#include <utility>

#include "folio/models.h"

namespace folio_test {

// An author named "Someone" with the given email.
inline folio::Author author(std::string email) {
  folio::Author a;
  a.name = "Someone";
  a.email = std::move(email);
  return a;
}

// A book of 2001 priced 5.00 with the given author and title.
inline folio::Book book(folio::Id author_id, std::string title) {
  folio::Book b;
  b.author_id = author_id;
  b.title = std::move(title);
  b.published_year = 2001;
  b.price = folio::Decimal::from_units(500, 2);
  return b;
}

}  // namespace folio_test
