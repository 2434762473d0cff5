#include "folio/report.h"

namespace folio {

void write_relationships(const Database& db, std::ostream& out) {
  out << db.count<Author>() << " authors, " << db.count<AuthorProfile>()
      << " profiles, " << db.count<Book>() << " books\n";
  for (const Author& a : db.all<Author>()) {
    out << "\nauthor " << a.id << ": " << a.name << " <" << a.email << ">"
        << (a.is_active ? "" : " (inactive)") << ", created "
        << a.created_at.to_django_json() << "\n";
    if (const AuthorProfile* p = find_profile(db, a)) {
      out << "  author.profile      -> profile " << p->id << ": \"" << p->bio
          << "\", " << (p->website.empty() ? "no website" : p->website)
          << ", born "
          << (p->birth_year ? std::to_string(*p->birth_year) : "unknown")
          << "\n";
      out << "  profile.author      -> " << author(db, *p).name << "\n";
    } else {
      out << "  author.profile      -> DoesNotExist: Author has no profile.\n";
    }
    auto shelf = books(db, a);
    out << "  author.books.all()  -> " << shelf.size() << " book"
        << (shelf.size() == 1 ? "" : "s") << "\n";
    for (const Book& b : shelf) {
      out << "    book " << b.id << ": " << b.title << " (" << b.published_year
          << "), " << b.price.format(2)
          << (b.is_published ? "" : ", unpublished") << "; book.author -> "
          << author(db, b).name << "\n";
    }
  }
}

}  // namespace folio
