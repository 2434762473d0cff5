#include "folio/seed.h"

namespace folio {
namespace {

DateTime at(int hour, int minute) {
  return DateTime::from_civil(2026, 1, 21, hour, minute);
}

Decimal price(std::int64_t cents) { return Decimal::from_units(cents, 2); }

}  // namespace

void add_seed_rows(Database& db) {
  db.atomic([&] {
    db.restore(Author{1, "George Orwell", "orwell@example.com", true, at(10, 15)});
    db.restore(Author{2, "J.K. Rowling", "rowling@example.com", true, at(10, 20)});
    db.restore(Author{3, "Leo Tolstoy", "tolstoy@example.com", false, at(10, 25)});
    db.restore(AuthorProfile{1, 1, "English novelist and journalist",
                             "https://example.com/orwell", 1903});
    db.restore(AuthorProfile{2, 2, "British author, philanthropist",
                             "https://example.com/rowling", 1965});
    db.restore(Book{1, 1, "1984", 1949, price(999), true});
    db.restore(Book{2, 1, "Animal Farm", 1945, price(799), true});
    db.restore(Book{3, 2, "Harry Potter", 1997, price(1999), true});
    db.restore(Book{4, 2, "The Casual Vacancy", 2012, price(1450), true});
    db.restore(Book{5, 3, "War and Peace", 1869, price(1200), false});
  });
}

Database seed_database() {
  Database db;
  add_seed_rows(db);
  return db;
}

}  // namespace folio
