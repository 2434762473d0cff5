// Runs a write that must be refused and returns what it was refused with,
// after checking that the refusal changed nothing: every row, every index and
// every id counter of the three app tables (db_state.h), and the row count and
// counter of the table written to.
#pragma once

#include <string>
#include <utility>

#include <catch2/catch.hpp>

#include "db_state.h"
#include "folio/error.h"

namespace folio_test {

// The field errors of the ValidationError that write() throws.
template <class M, class Db, class Write>
folio::FieldErrors validation_errors(Db& db, Write write) {
  const DbState before = state(db);
  const std::size_t rows = db.template count<M>();
  const folio::Id next_id = db.template table<M>().next_id();
  folio::FieldErrors errors;
  try {
    write();
    FAIL_CHECK("the write was accepted");
  } catch (const folio::ValidationError& e) {
    CHECK(e.kind() == folio::ErrorKind::kValidation);
    errors = e.errors();
  }
  CHECK(state(db) == before);
  CHECK(db.template count<M>() == rows);
  CHECK(db.template table<M>().next_id() == next_id);
  return errors;
}

// The field errors of creating `row`.
template <class Db, class M>
folio::FieldErrors create_errors(Db& db, M row) {
  return validation_errors<M>(db, [&] { db.create(std::move(row)); });
}

// The IntegrityError that write() throws (message, constraint, key).
struct Refusal {
  std::string message;
  std::string constraint;
  std::string key;
  friend bool operator==(const Refusal&, const Refusal&) = default;
};

template <class M, class Db, class Write>
Refusal integrity_error(Db& db, Write write) {
  const DbState before = state(db);
  const std::size_t rows = db.template count<M>();
  Refusal refusal;
  try {
    write();
    FAIL_CHECK("the write was accepted");
  } catch (const folio::IntegrityError& e) {
    CHECK(e.kind() == folio::ErrorKind::kIntegrity);
    refusal = {e.what(), e.constraint(), e.key()};
  }
  CHECK(state(db) == before);
  CHECK(db.template count<M>() == rows);
  return refusal;
}

}  // namespace folio_test

namespace Catch {
template <>
struct StringMaker<folio::FieldError> {
  static std::string convert(const folio::FieldError& e) {
    std::string out = e.field + ": [";
    for (std::size_t i = 0; i < e.messages.size(); ++i) {
      out += (i > 0 ? ", \"" : "\"") + e.messages[i] + "\"";
    }
    return out + "]";
  }
};
template <>
struct StringMaker<folio_test::Refusal> {
  static std::string convert(const folio_test::Refusal& r) {
    return "{\"" + r.message + "\", " + r.constraint + ", " + r.key + "}";
  }
};
}  // namespace Catch
