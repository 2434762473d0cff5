// Built against the installed folio package; exits 0 when the seed walks.
#include <folio/folio.h>

#include <iostream>

int main() {
  folio::Database db = folio::seed_database();
  const folio::Author& orwell = db.get<folio::Author>(1);
  if (folio::profile(db, orwell).bio != "English novelist and journalist") return 1;
  if (folio::books(db, orwell).size() != 2) return 1;
  if (db.remove<folio::Author>(1).total != 4) return 1;
  std::cout << "consumer: folio " << db.count<folio::Author>() << " authors left\n";
  return 0;
}
