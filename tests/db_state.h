// What a database holds, read through every index of every table, so that a
// test can prove a write changed nothing (or exactly what it should): rows by
// id, the unique hashed indexes (each entry looked up again through its own
// index), the ordered by_author index in its own order, and the id counters.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "folio/models.h"

namespace folio_test {

struct DbState {
  std::vector<std::string> authors;                // id order
  std::vector<std::string> authors_by_email;       // sorted
  std::vector<std::string> profiles;               // id order
  std::vector<std::string> profiles_by_author;     // sorted
  std::vector<std::string> books;                  // id order
  std::vector<std::string> books_by_author;        // the index's own order
  std::vector<std::string> books_by_author_title;  // sorted
  std::vector<folio::Id> next_ids;                 // author, profile, book

  // The rows and indexes alone: what a rollback restores (the id counters
  // never go back).
  DbState content() const {
    DbState c = *this;
    c.next_ids.clear();
    return c;
  }
  friend bool operator==(const DbState&, const DbState&) = default;
};

inline std::string describe(const folio::Author& a) {
  return std::to_string(a.id) + " name=" + a.name + " email=" + a.email +
         " active=" + std::to_string(a.is_active) +
         " created=" + std::to_string(a.created_at.micros());
}
inline std::string describe(const folio::AuthorProfile& p) {
  return std::to_string(p.id) + " author=" + std::to_string(p.author_id) +
         " bio=" + p.bio + " website=" + p.website + " birth_year=" +
         (p.birth_year ? std::to_string(*p.birth_year) : "null");
}
inline std::string describe(const folio::Book& b) {
  return std::to_string(b.id) + " author=" + std::to_string(b.author_id) +
         " title=" + b.title + " year=" + std::to_string(b.published_year) +
         " price=" + b.price.to_string() +
         " published=" + std::to_string(b.is_published);
}

// Reads every index of the three tables of `db` (any database holding them).
// An entry of a unique index records whether looking its key up again finds
// the same row, so an index that lost or misfiled a row shows up.
template <class Db>
DbState state(const Db& db) {
  using folio::Author;
  using folio::AuthorProfile;
  using folio::Book;
  DbState s;
  for (const Author& a : db.template all<Author>())
    s.authors.push_back(describe(a));
  for (const Author& a :
       db.template table<Author>().template index<Author::by_email>()) {
    const Author* found = folio::find_author_by_email(db, a.email);
    s.authors_by_email.push_back(a.email + " -> " + std::to_string(a.id) +
                                 (found == &a ? "" : " (lookup misses)"));
  }
  for (const AuthorProfile& p : db.template all<AuthorProfile>()) {
    s.profiles.push_back(describe(p));
  }
  for (const AuthorProfile& p :
       db.template table<AuthorProfile>()
           .template index<AuthorProfile::by_author>()) {
    const Author* author = db.template find<Author>(p.author_id);
    const AuthorProfile* found =
        author ? folio::find_profile(db, *author) : nullptr;
    s.profiles_by_author.push_back(std::to_string(p.author_id) + " -> " +
                                   std::to_string(p.id) +
                                   (found == &p ? "" : " (lookup misses)"));
  }
  for (const Book& b : db.template all<Book>()) s.books.push_back(describe(b));
  for (const Book& b :
       db.template table<Book>().template index<Book::by_author>()) {
    s.books_by_author.push_back(std::to_string(b.author_id) + "/" +
                                std::to_string(b.id));
  }
  for (const Book& b :
       db.template table<Book>().template index<Book::by_author_title>()) {
    const Book* found = folio::find_book(db, b.author_id, b.title);
    s.books_by_author_title.push_back(std::to_string(b.author_id) + "," +
                                      b.title + " -> " + std::to_string(b.id) +
                                      (found == &b ? "" : " (lookup misses)"));
  }
  std::sort(s.authors_by_email.begin(), s.authors_by_email.end());
  std::sort(s.profiles_by_author.begin(), s.profiles_by_author.end());
  std::sort(s.books_by_author_title.begin(), s.books_by_author_title.end());
  s.next_ids = {db.template table<Author>().next_id(),
                db.template table<AuthorProfile>().next_id(),
                db.template table<Book>().next_id()};
  return s;
}

}  // namespace folio_test

namespace Catch {
template <>
struct StringMaker<folio_test::DbState> {
  static std::string convert(const folio_test::DbState& s) {
    std::string out = "\n";
    auto list = [&](const char* name, const std::vector<std::string>& rows) {
      out += std::string(name) + ":\n";
      for (const auto& row : rows) out += "  " + row + "\n";
    };
    list("authors", s.authors);
    list("authors by email", s.authors_by_email);
    list("profiles", s.profiles);
    list("profiles by author", s.profiles_by_author);
    list("books", s.books);
    list("books by author", s.books_by_author);
    list("books by (author, title)", s.books_by_author_title);
    out += "next ids:";
    for (folio::Id id : s.next_ids) out += " " + std::to_string(id);
    return out + "\n";
  }
};
}  // namespace Catch
