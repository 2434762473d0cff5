// Snapshots: the whole database (every table and its next-id counter) in one
// file on disk.
//
// The file is a frame around a Boost.Serialization binary body: magic bytes,
// format version, the schema (each table's name, row version, row count and
// next id), the body's length and its xxHash64 checksum. The frame and the
// checksum are verified before any of the body is read, every count and
// length is bounded by the bytes left, and the rows are loaded into a fresh
// database that replaces the live one only when every rule has passed. The
// layout, and what the format promises and does not (Boost binary archives
// are not portable across kinds of machines or to older Boost versions):
// docs/snapshot-format.md.
//
// Thread safety: save_snapshot only reads its database, so it may run while
// other threads read it, not while one writes it. The other functions touch
// only their own new database (load_snapshot_into: `db`, which needs
// exclusive access). Saving and loading a table of 1024 rows or more use one
// more thread of their own, joined before they return.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "folio/models.h"

namespace folio {

// The snapshot format version this build writes; it reads this one and every
// older one.
inline constexpr std::uint32_t kSnapshotFormatVersion = 1;

// What a snapshot's frame says, without loading its rows.
struct SnapshotInfo {
  struct TableInfo {
    std::string name;           // "authors"
    std::uint32_t row_version;  // layout version of its rows
    std::uint64_t rows;
    Id next_id;
  };
  std::uint32_t format_version = 0;
  std::uint64_t file_bytes = 0;
  std::uint64_t body_bytes = 0;
  std::vector<TableInfo> tables;
};

// Writes db to `path` atomically: a temporary file in the same folder,
// fsync, rename over `path`, fsync of the folder. On any error the previous
// file at `path` is left intact and no temporary file remains.
// Throws SnapshotError (kIo).
void save_snapshot(const Database& db, const std::filesystem::path& path);

// Reads the snapshot at `path` into a new database, checking the frame, the
// checksum and every rule of every table. Tables the file does not have are
// empty; rows of an older row version are upgraded. Throws SnapshotError
// naming the file and the fault (its what() is the message for the user:
// "books.folio: truncated snapshot: expected 829 bytes, got 500").
Database load_snapshot(const std::filesystem::path& path);

// As load_snapshot, from the bytes of a snapshot file in memory (for
// fuzzing and for callers that hold the file already); errors name
// `name_for_errors` as the file.
Database load_snapshot_bytes(std::span<const std::byte> bytes,
                             std::string_view name_for_errors);

// As load_snapshot, then swaps the result into `db`. On any error `db` is
// left exactly as it was. Throws SnapshotError, or UsageError when db is in
// a transaction. References to db's old rows are invalid afterwards.
void load_snapshot_into(Database& db, const std::filesystem::path& path);

// Reads and checks the frame and the checksum only (not which tables this
// build knows, nor the rows). Throws SnapshotError.
SnapshotInfo read_snapshot_info(const std::filesystem::path& path);

// Every problem found in the snapshot at `path` (frame, checksum, format,
// each broken rule with table, row id, field and message); empty when the
// file is sound. Lists at most 1000 problems, then how many more there are.
// Never throws for a bad file.
std::vector<std::string> verify_snapshot(const std::filesystem::path& path);

}  // namespace folio
