// Snapshots: the whole database (every table and its next-id counter) in one
// file on disk.
//
// The file is a frame around a Boost.Serialization binary body: magic bytes,
// format version, the schema (each table's name, row version, row count and
// next id), the body's length and its xxHash64 checksum. The frame and the
// checksum are verified before any of the body is read, every count and
// length is bounded by the bytes left, and the rows are loaded into a fresh
// database that replaces the live one only when every rule has passed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "folio/models.h"

namespace folio {

// The snapshot format version this build writes; it reads this one and every
// older one.
inline constexpr std::uint32_t kSnapshotFormatVersion = 1;

// What a snapshot's frame says, without loading its rows.
struct SnapshotInfo {
  struct TableInfo {
    std::string name;          // "authors"
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
// checksum and every rule of every table. Throws SnapshotError naming the
// file and the fault.
Database load_snapshot(const std::filesystem::path& path);

// As load_snapshot, then swaps the result into `db`. On any error `db` is
// left exactly as it was. REQUIRES: db is not in a transaction.
void load_snapshot_into(Database& db, const std::filesystem::path& path);

// Reads and checks the frame and the checksum only. Throws SnapshotError.
SnapshotInfo read_snapshot_info(const std::filesystem::path& path);

// Every problem found in the snapshot at `path` (frame, checksum, format,
// each broken rule with table, row id, field and message); empty when the
// file is sound. Never throws for a bad file.
std::vector<std::string> verify_snapshot(const std::filesystem::path& path);

}  // namespace folio
