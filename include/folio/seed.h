// The seed document's rows (shared/seed/): three authors, two profiles, five
// books, with the ids and created_at values it gives.
#pragma once

#include "folio/models.h"

namespace folio {

// Adds the seed rows to `db` (as restore() does: ids and created_at kept).
// Throws IntegrityError when db already holds rows that collide with them;
// on any error db is left as it was.
void add_seed_rows(Database& db);

// A new database holding the seed rows.
Database seed_database();

}  // namespace folio
