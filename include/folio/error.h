// folio's exceptions. Every error folio throws derives from folio::Error; Boost's
// own exceptions never escape the library.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace folio {

enum class ErrorKind {
  kValidation,    // a field rule failed (Django's full_clean)
  kIntegrity,     // a unique or foreign-key constraint failed
  kDoesNotExist,  // a row that was asked for is not there
  kSnapshot,      // a snapshot file could not be read or written
  kInput,         // a fixture, CSV or other input file is malformed
  kUsage,         // the API was called wrongly (a precondition failed)
};

// Base of every folio exception. what() is the message in the user's terms.
class Error : public std::runtime_error {
 public:
  Error(ErrorKind kind, const std::string& message)
      : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const noexcept { return kind_; }

 private:
  ErrorKind kind_;
};

// The messages of one field, in the order Django's validators produce them.
// The field "__all__" holds errors that belong to no single field.
struct FieldError {
  std::string field;
  std::vector<std::string> messages;
  friend bool operator==(const FieldError&, const FieldError&) = default;
};
using FieldErrors = std::vector<FieldError>;

// A row broke one or more field rules. errors() lists every failing field, in
// model field order, as Django's ValidationError.message_dict does.
// what() reads like Django's: {'name': ['This field cannot be blank.']}
class ValidationError : public Error {
 public:
  ValidationError(std::string_view model, FieldErrors errors);
  // The Django model name, e.g. "Author".
  const std::string& model() const noexcept { return model_; }
  const FieldErrors& errors() const noexcept { return errors_; }
  // The messages of `field`, or an empty list.
  const std::vector<std::string>& messages(std::string_view field) const;

 private:
  std::string model_;
  FieldErrors errors_;
};

// A unique or foreign-key constraint refused a write. what() is Django's
// message ("Author with this Email already exists."); constraint() is the
// constraint's name as in the SQL schema ("uniq_book_per_author"); key() the
// offending key ("(author_id, title)=(1, 1984)").
class IntegrityError : public Error {
 public:
  IntegrityError(std::string message, std::string table,
                 std::string constraint, std::string key)
      : Error(ErrorKind::kIntegrity, message),
        table_(std::move(table)),
        constraint_(std::move(constraint)),
        key_(std::move(key)) {}
  const std::string& table() const noexcept { return table_; }
  const std::string& constraint() const noexcept { return constraint_; }
  const std::string& key() const noexcept { return key_; }

 private:
  std::string table_;
  std::string constraint_;
  std::string key_;
};

// A row looked up by a throwing accessor is not there ("Author matching query
// does not exist.", "Author has no profile.").
class DoesNotExist : public Error {
 public:
  explicit DoesNotExist(const std::string& message)
      : Error(ErrorKind::kDoesNotExist, message) {}
};

// Throws DoesNotExist("<model> matching query does not exist."). Out of line
// and cold, so that the accessors that may throw it (get(), parent()) stay
// small enough to be inlined into a caller's loop.
[[noreturn, gnu::cold]] void throw_does_not_exist(std::string_view model);

// An input file (fixture, CSV) is malformed or holds rows that break a rule.
// what() lists every problem, one per line, each naming the file, the line or
// array index, the table and the field.
class InputError : public Error {
 public:
  explicit InputError(std::vector<std::string> problems);
  const std::vector<std::string>& problems() const noexcept {
    return problems_;
  }

 private:
  std::vector<std::string> problems_;
};

// What went wrong with a snapshot file.
enum class SnapshotFault {
  kIo,               // the file could not be opened, read, written or renamed
  kNotSnapshot,      // the magic bytes are not folio's
  kTruncated,        // the file ends before the frame says it should
  kChecksum,         // the body does not match its checksum
  kNewerFormat,      // written by a newer format version than this build reads
  kUnknownTable,     // names a table this build does not know
  kNewerRowVersion,  // a table's rows are of a newer version than this build's
  kCorrupt,          // the body is inconsistent although its checksum matched
  kRule,             // a row breaks a rule (unique, foreign key, field)
};

// A snapshot could not be saved or loaded. what() names the file and the cause;
// a failed save leaves the previous file intact, a failed load leaves the
// database as it was.
class SnapshotError : public Error {
 public:
  SnapshotError(SnapshotFault fault, std::string path, const std::string& detail)
      : Error(ErrorKind::kSnapshot, path + ": " + detail),
        fault_(fault),
        path_(std::move(path)) {}
  SnapshotFault fault() const noexcept { return fault_; }
  const std::string& path() const noexcept { return path_; }

 private:
  SnapshotFault fault_;
  std::string path_;
};

// The API was used against its preconditions (for example an update of a row
// id that does not exist is DoesNotExist, but a commit outside a transaction
// is a UsageError).
class UsageError : public Error {
 public:
  explicit UsageError(const std::string& message)
      : Error(ErrorKind::kUsage, message) {}
};

}  // namespace folio
