// Readable reports of a database's contents, for people.
#pragma once

#include <ostream>

#include "folio/models.h"

namespace folio {

// Writes every author in id order with the paths Django users take from it:
// author.profile (or that there is none) and author.books.all(), and checks
// each way back (profile.author, book.author).
void write_relationships(const Database& db, std::ostream& out);

}  // namespace folio
