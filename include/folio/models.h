// The models of the app, as its models.py declares them (shared/seed/), and
// the paths Django users take between them: author.profile, profile.author,
// author.books.all(), book.author.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>

#include "folio/database.h"
#include "folio/datetime.h"
#include "folio/decimal.h"
#include "folio/model.h"

namespace folio {

namespace bmi = boost::multi_index;

// class Author(models.Model), db_table "authors".
struct Author {
  Id id = 0;
  String name;             // CharField(max_length=200)
  String email;            // EmailField(unique=True), case-sensitive
  bool is_active = true;   // BooleanField(default=True)
  DateTime created_at;     // DateTimeField(auto_now_add=True), UTC

  struct by_email {};
  static constexpr ModelInfo kInfo{"myapp.Author", "Author", "myapp.author",
                                   "author", "authors", 1};
  static constexpr auto fields() {
    using K = FieldKind;
    return std::tuple{
        Field<Author, Id>{"id", "id", &Author::id, {.kind = K::kAutoId}},
        Field<Author, String>{"name", "name", &Author::name,
                                   {.kind = K::kChar, .max_length = 200}},
        Field<Author, String>{"email", "email", &Author::email,
                                   {.kind = K::kEmail, .max_length = 254}},
        Field<Author, bool>{"is_active", "is_active", &Author::is_active,
                            {.kind = K::kBoolean}},
        Field<Author, DateTime>{"created_at", "created_at", &Author::created_at,
                                {.kind = K::kDateTime}}};
  }
  // by_id: unique, hashed (primary key). by_email: unique, hashed.
  using Indexes = bmi::indexed_by<
      primary_key<Author>,
      bmi::hashed_unique<bmi::tag<by_email>, bmi::key<&Author::email>,
                         internal::StringHash, internal::StringEqual>>;
  static constexpr auto unique_constraints() {
    return std::tuple{Unique<Author, by_email>{
        "authors_email_key", "Author with this Email already exists.",
        [](const Author& a) { return "(email)=(" + a.email + ")"; }}};
  }
  // auto_now_add: set on create, kept by every update.
  static void on_create(Author& row) { row.created_at = DateTime::now(); }
  static void on_update(const Author& old, Author& row) {
    row.created_at = old.created_at;
  }
};

// class AuthorProfile(models.Model), db_table "author_profiles": one-to-one
// with Author (related_name "profile"), ON DELETE CASCADE.
struct AuthorProfile {
  Id id = 0;
  Id author_id = 0;                    // OneToOneField(Author), unique
  String bio;                          // TextField(blank=True)
  String website;                      // URLField(blank=True)
  std::optional<std::int32_t> birth_year;  // PositiveSmallIntegerField(null=True)

  struct by_author {};
  // Row version 2 added birth_year: version 1 rows load it as null.
  static constexpr ModelInfo kInfo{"myapp.AuthorProfile", "AuthorProfile",
                                   "myapp.authorprofile", "author profile",
                                   "author_profiles", 2};
  static constexpr auto fields() {
    using K = FieldKind;
    using P = AuthorProfile;
    return std::tuple{
        Field<P, Id>{"id", "id", &P::id, {.kind = K::kAutoId}},
        Field<P, Id>{"author", "author_id", &P::author_id, {.kind = K::kForeignKey}},
        Field<P, String>{"bio", "bio", &P::bio, {.kind = K::kText, .blank = true}},
        Field<P, String>{"website", "website", &P::website,
                              {.kind = K::kUrl, .max_length = 200, .blank = true}},
        Field<P, std::optional<std::int32_t>>{
            "birth_year", "birth_year", &P::birth_year,
            {.kind = K::kInteger, .min_value = 0, .max_value = 32767,
             .sql_type = "smallint", .since = 2}}};
  }
  // by_id: unique, hashed (primary key). by_author: unique, hashed (one
  // profile per author; serves author -> profile).
  using Indexes = bmi::indexed_by<
      primary_key<AuthorProfile>,
      bmi::hashed_unique<bmi::tag<by_author>, bmi::key<&AuthorProfile::author_id>,
                         internal::IdHash>>;
  static constexpr auto unique_constraints() {
    return std::tuple{Unique<AuthorProfile, by_author>{
        "author_profiles_author_id_key",
        "Author profile with this Author already exists.",
        [](const AuthorProfile& p) {
          return "(author_id)=(" + std::to_string(p.author_id) + ")";
        }}};
  }
  static constexpr auto foreign_keys() {
    return std::tuple{ForeignKey<AuthorProfile, Author, by_author>{
        &AuthorProfile::author_id, "author", "author_id"}};
  }
};

// class Book(models.Model), db_table "books": many per Author (related_name
// "books"), ON DELETE CASCADE; UniqueConstraint(author, title) named
// "uniq_book_per_author".
struct Book {
  Id id = 0;
  Id author_id = 0;               // ForeignKey(Author)
  String title;                   // CharField(max_length=200)
  std::int32_t published_year = 0;  // PositiveSmallIntegerField(MinValueValidator(1))
  // DecimalField(max_digits=8, decimal_places=2); is_published goes into
  // its padding (a book is 64 bytes rather than 72).
  [[no_unique_address]] Decimal price;
  bool is_published = true;       // BooleanField(default=True)

  struct by_author {};
  struct by_author_lookup {};
  struct by_author_title {};
  static constexpr ModelInfo kInfo{"myapp.Book", "Book", "myapp.book", "book",
                                   "books", 1};
  static constexpr auto fields() {
    using K = FieldKind;
    return std::tuple{
        Field<Book, Id>{"id", "id", &Book::id, {.kind = K::kAutoId}},
        Field<Book, Id>{"author", "author_id", &Book::author_id, {.kind = K::kForeignKey}},
        Field<Book, String>{"title", "title", &Book::title,
                                 {.kind = K::kChar, .max_length = 200}},
        Field<Book, std::int32_t>{"published_year", "published_year",
                                  &Book::published_year,
                                  {.kind = K::kInteger, .min_value = 1, .max_value = 32767,
                                   .sql_type = "smallint"}},
        Field<Book, Decimal>{"price", "price", &Book::price,
                             {.kind = K::kDecimal, .max_digits = 8, .decimal_places = 2}},
        Field<Book, bool>{"is_published", "is_published", &Book::is_published,
                          {.kind = K::kBoolean}}};
  }
  // by_id: unique, hashed (primary key). by_author: ordered on (author_id,
  // id), not unique on author_id: an author's books in id order.
  // by_author_lookup: hashed on author_id, not unique: finds an author's
  // books without descending by_author's tree (see ForeignKey).
  // by_author_title: unique, hashed (uniq_book_per_author).
  using Indexes = bmi::indexed_by<
      primary_key<Book>,
      bmi::ordered_unique<bmi::tag<by_author>, bmi::key<&Book::author_id, &Book::id>>,
      bmi::hashed_non_unique<bmi::tag<by_author_lookup>, bmi::key<&Book::author_id>,
                             internal::IdHash>,
      bmi::hashed_unique<
          bmi::tag<by_author_title>, bmi::key<&Book::author_id, &Book::title>,
          bmi::composite_key_hash<internal::IdHash, internal::StringHash>,
          bmi::composite_key_equal_to<std::equal_to<Id>, internal::StringEqual>>>;
  static constexpr auto unique_constraints() {
    return std::tuple{Unique<Book, by_author_title>{
        "uniq_book_per_author", "Book with this Author and Title already exists.",
        [](const Book& b) {
          return "(author_id, title)=(" + std::to_string(b.author_id) + ", " +
                 b.title + ")";
        }}};
  }
  static constexpr auto foreign_keys() {
    return std::tuple{
        ForeignKey<Book, Author, by_author, by_author_lookup>{
            &Book::author_id, "author", "author_id"}};
  }
};

// The database of the app: authors, their profiles and their books.
using Database = BasicDatabase<Author, AuthorProfile, Book>;

// ---- The paths between the models. Each works on any database holding
// the models (Database, or one with more models). ----

// author.profile: throws DoesNotExist("Author has no profile.").
template <class Db>
const AuthorProfile& profile(const Db& db, const Author& author) {
  if (const AuthorProfile* p = db.template find_child<AuthorProfile>(author)) {
    return *p;
  }
  throw DoesNotExist("Author has no profile.");
}
// author.profile, or nullptr when the author has none.
template <class Db>
const AuthorProfile* find_profile(const Db& db, const Author& author) noexcept {
  return db.template find_child<AuthorProfile>(author);
}
// profile.author, book.author.
template <class Db, class Row>
const Author& author(const Db& db, const Row& row) {
  return db.template parent<Author>(row);
}
// author.books.all(): the author's books in id order, as Rows<Book> (found
// through by_author_lookup, ordered as by_author orders them; see
// BasicDatabase::children).
template <class Db>
auto books(const Db& db, const Author& author) {
  return db.template children<Book>(author);
}
// Book by (author_id, title), or nullptr. Does not allocate.
template <class Db>
const Book* find_book(const Db& db, Id author_id, std::string_view title) noexcept {
  return db.template find_by<Book, Book::by_author_title>(
      boost::make_tuple(author_id, title));
}
// Author by email (case-sensitive), or nullptr. Does not allocate.
template <class Db>
const Author* find_author_by_email(const Db& db, std::string_view email) noexcept {
  return db.template find_by<Author, Author::by_email>(email);
}

// Author.objects.filter(is_active=True), in id order.
template <class Db>
Rows<Author> active_authors(const Db& db, bool is_active = true) {
  return db.template filter<Author>(
      [=](const Author& a) { return a.is_active == is_active; });
}
// Book.objects.filter(is_published=True), in id order.
template <class Db>
Rows<Book> published_books(const Db& db, bool is_published = true) {
  return db.template filter<Book>(
      [=](const Book& b) { return b.is_published == is_published; });
}

// The rows of a range of books, sorted by less.
template <class Range, class Less>
Rows<Book> sorted_books(const Range& range, Less less) {
  Rows<Book> rows(range);
  rows.sort(less);
  return rows;
}

// author.books.order_by("published_year") (ties in id order).
template <class Db>
Rows<Book> books_by_published_year(const Db& db, const Author& author) {
  return sorted_books(books(db, author), [](const Book& a, const Book& b) {
    return std::tie(a.published_year, a.id) < std::tie(b.published_year, b.id);
  });
}
// author.books.order_by("price") (ties in id order).
template <class Db>
Rows<Book> books_by_price(const Db& db, const Author& author) {
  return sorted_books(books(db, author), [](const Book& a, const Book& b) {
    return a.price != b.price ? a.price < b.price : a.id < b.id;
  });
}

}  // namespace folio
