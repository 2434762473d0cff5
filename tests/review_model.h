// A fourth model, declared only here, to prove that adding a model needs no
// change to the existing models or the engine: ids, validation, the unique
// index, the foreign-key check, cascades and relationship paths all come from
// the generic layer. As Django would declare it:
//
//   class Review(models.Model):
//       book = models.ForeignKey(Book, on_delete=models.CASCADE,
//                                related_name="reviews")
//       reviewer = models.CharField(max_length=100)
//       rating = models.PositiveSmallIntegerField(
//           validators=[MinValueValidator(1), MaxValueValidator(5)])
//
//       class Meta:
//           db_table = "reviews"
//           constraints = [models.UniqueConstraint(
//               fields=["book", "reviewer"], name="uniq_review_per_book")]
#pragma once

#include <cstdint>
#include <string>
#include <tuple>

#include "folio/models.h"

namespace folio {

// class Review(models.Model), db_table "reviews": many per Book (related_name
// "reviews"), ON DELETE CASCADE; UniqueConstraint(book, reviewer) named
// "uniq_review_per_book".
struct Review {
  Id id = 0;
  Id book_id = 0;           // ForeignKey(Book)
  std::string reviewer;     // CharField(max_length=100)
  std::int32_t rating = 0;  // PositiveSmallIntegerField(Min 1, Max 5)

  struct by_book {};
  struct by_book_reviewer {};
  static constexpr ModelInfo kInfo{"myapp.Review", "Review",  "myapp.review",
                                   "review",       "reviews", 1};
  static constexpr auto fields() {
    using K = FieldKind;
    return std::tuple{
        Field<Review, Id>{"id", "id", &Review::id, {.kind = K::kAutoId}},
        Field<Review, Id>{
            "book", "book_id", &Review::book_id, {.kind = K::kForeignKey}},
        Field<Review, std::string>{"reviewer",
                                   "reviewer",
                                   &Review::reviewer,
                                   {.kind = K::kChar, .max_length = 100}},
        Field<Review, std::int32_t>{"rating",
                                    "rating",
                                    &Review::rating,
                                    {.kind = K::kInteger,
                                     .min_value = 1,
                                     .max_value = 5,
                                     .sql_type = "smallint"}}};
  }
  // by_id: unique, hashed (primary key). by_book: ordered on (book_id, id),
  // not unique on book_id: a book's reviews in id order.
  // by_book_reviewer: unique, hashed (uniq_review_per_book).
  using Indexes = bmi::indexed_by<
      primary_key<Review>,
      bmi::ordered_unique<bmi::tag<by_book>,
                          bmi::key<&Review::book_id, &Review::id>>,
      bmi::hashed_unique<
          bmi::tag<by_book_reviewer>,
          bmi::key<&Review::book_id, &Review::reviewer>,
          bmi::composite_key_hash<internal::IdHash, internal::StringHash>,
          bmi::composite_key_equal_to<std::equal_to<Id>,
                                      internal::StringEqual>>>;
  static constexpr auto unique_constraints() {
    return std::tuple{Unique<Review, by_book_reviewer>{
        "uniq_review_per_book",
        "Review with this Book and Reviewer already exists.",
        [](const Review& r) {
          return "(book_id, reviewer)=(" + std::to_string(r.book_id) + ", " +
                 r.reviewer + ")";
        }}};
  }
  static constexpr auto foreign_keys() {
    return std::tuple{
        ForeignKey<Review, Book, by_book>{&Review::book_id, "book", "book_id"}};
  }
};

// The app's database with reviews.
using ReviewDatabase = BasicDatabase<Author, AuthorProfile, Book, Review>;

}  // namespace folio
