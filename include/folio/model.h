// The vocabulary a model is declared with. A model is a plain struct whose
// fields carry the Django names, with these static members beside them:
//
//   static constexpr ModelInfo kInfo{...};       names, table, row version
//   static constexpr auto fields();              tuple of Field<M, T>, in
//                                                Django's field order
//   using Indexes = indexed_by<primary_key<M>, ...>;  Boost.MultiIndex indexes
//   static constexpr auto unique_constraints();  tuple of Unique<M, Tag>
//   static constexpr auto foreign_keys();        tuple of ForeignKey<M, P, Tag>
//   static void clean(const M&, FieldErrors&);   optional: rules beyond
//                                                the fields' own
//   static void on_create(M&);                   optional (auto_now_add)
//   static void on_update(const M& old, M&);     optional (fields kept)
//   static void upgrade(M&, std::uint32_t v);    optional: completes a
//                                                snapshot row of the older
//                                                row version v (fields added
//                                                since have their defaults)
//
// Nothing else in folio needs to change when a model is added: ids,
// validation, unique and foreign-key checks, cascades, transactions and
// relationship access all come from the generic layer (see models.h for the
// three models of the app, and tests/review_model.h for a fourth).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

#include <boost/multi_index/hashed_index.hpp>
#include <boost/multi_index/key.hpp>
#include <boost/multi_index/ordered_index.hpp>
#include <boost/multi_index/tag.hpp>
#include <boost/multi_index_container.hpp>

#include "folio/error.h"
#include "folio/internal/hash.h"
#include "folio/string.h"

namespace folio {

// Primary keys: 64-bit, generated from 1 per table, never reused.
using Id = std::int64_t;

// The tag of every model's primary-key index.
struct by_id {};

// Names of a model, as Django knows them.
struct ModelInfo {
  std::string_view label;        // "myapp.AuthorProfile" (delete() counts)
  std::string_view name;         // "AuthorProfile" (messages)
  std::string_view label_lower;  // "myapp.authorprofile" (fixtures)
  std::string_view verbose_name; // "author profile" (messages)
  std::string_view table;        // "author_profiles" (db_table)
  std::uint32_t row_version;     // layout version of the row in snapshots
};

// What a field is, as Django's model field classes say it. The kind decides
// the rules full_clean() applies, the SQL column type and the fixture form.
enum class FieldKind {
  kAutoId,        // AutoField primary key (64-bit here)
  kForeignKey,    // ForeignKey / OneToOneField: the parent's id
  kChar,          // CharField(max_length)
  kText,          // TextField
  kEmail,         // EmailField(max_length=254)
  kUrl,           // URLField(max_length=200)
  kBoolean,       // BooleanField
  kDateTime,      // DateTimeField, UTC
  kInteger,       // the integer fields, with their range in min/max_value
  kDecimal,       // DecimalField(max_digits, decimal_places)
};

// A field's rules. Integer ranges are stated in full (PostgreSQL's range
// of the column type, narrowed by MinValueValidator / MaxValueValidator).
struct FieldSpec {
  FieldKind kind;
  int max_length = 0;       // kChar, kEmail, kUrl (0: none)
  bool blank = false;       // an empty string is allowed (skips validators)
  std::int64_t min_value = 0;  // kInteger
  std::int64_t max_value = 0;  // kInteger
  int max_digits = 0;       // kDecimal
  int decimal_places = 0;   // kDecimal
  std::string_view sql_type = {};  // kInteger: "smallint", "integer", ...
  // The row version (ModelInfo::row_version) that added the field. Snapshot
  // rows of an older version do not have it and load it with the member's
  // default value (null for std::optional), as Django's AddField does.
  std::uint32_t since = 1;
};

// One field of model M, stored in the member `member` of type T (T is
// std::optional<U> for null=True).
template <class M, class T>
struct Field {
  using model = M;
  using type = T;
  std::string_view name;    // Django's field name: "author"
  std::string_view column;  // the SQL column: "author_id"
  T M::*member;
  FieldSpec spec;
};

// The primary-key index every model lists first: unique, hashed on id.
template <class M>
using primary_key = boost::multi_index::hashed_unique<
    boost::multi_index::tag<by_id>, boost::multi_index::key<&M::id>,
    internal::IdHash>;

// A unique constraint served by the model's unique index `Tag`.
// `key_text` renders the row's key as PostgreSQL does in its detail line:
// "(author_id, title)=(1, 1984)".
template <class M, class Tag>
struct Unique {
  using model = M;
  using tag = Tag;
  std::string_view name;     // constraint name in the SQL schema
  std::string_view message;  // Django's message
  std::string (*key_text)(const M&);
};

// A foreign key from M to Parent through the member `column`, ON DELETE
// CASCADE, served by M's index `Tag` (a unique index for a one-to-one field;
// for a many-to-one field, the order in which a parent's children come, as
// an ordered index on (column, id) gives id order).
//
// `LookupTag`, when it differs from Tag, names a hashed non-unique index on
// the column alone: it finds a parent's children in O(1) instead of a
// descent through Tag's tree, which costs a cache miss per level once the
// table has millions of rows. children() walks its group and puts the rows
// in Tag's order; cascades walk the group as it is.
template <class M, class Parent, class Tag, class LookupTag = Tag>
struct ForeignKey {
  using model = M;
  using parent = Parent;
  using tag = Tag;
  using lookup_tag = LookupTag;
  Id M::*column;
  std::string_view field;   // Django's field name: "author"
  std::string_view column_name;  // "author_id"
};

namespace internal {

// M's fields, built once at compile time: M::fields() called at run time
// builds the tuple on every call (a tenth of a bulk load's time, once).
template <class M>
inline constexpr auto kFieldsOf = M::fields();

}  // namespace internal

}  // namespace folio
