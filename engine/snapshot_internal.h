// The pieces of the snapshot implementation that its sources share: the
// frame, the Boost archive around the body, the files, and the options the
// generator of tests/data/snapshots uses to write older layouts. Private:
// nothing here is installed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "folio/snapshot.h"
#include "snapshot_columns.h"

namespace folio::internal {

// ---- The frame (snapshot_frame.cc) ----
//
//   offset  size
//   0       8    magic: 0x89 'F' 'O' 'L' 'I' 'O' '\r' '\n'
//   8       4    format version (u32)
//   12      4    schema bytes S (u32)
//   16      8    body bytes B (u64)
//   24      S    schema: u32 table count, then per table: u8 name length,
//                the name (ASCII letters, digits, '_'), u32 row version,
//                u64 rows, i64 next id
//   24+S    B    body (a Boost binary archive, see snapshot_body.h)
//   24+S+B  8    xxHash64 (seed 0) of every byte before it
// Every number little-endian. The first 12 bytes keep this meaning in every
// format version, so that any build can say which version a file has.
inline constexpr unsigned char kMagic[8] = {0x89, 'F', 'O',  'L',
                                            'I',  'O', '\r', '\n'};
inline constexpr std::size_t kPrefixBytes = 24;
inline constexpr std::size_t kChecksumBytes = 8;
inline constexpr std::uint32_t kMaxSchemaBytes = 1 << 20;

// A file's frame, checked.
struct Frame {
  SnapshotInfo info;
  std::span<const std::byte> body;
};

// Checks what the first bytes of a file of `file_bytes` bytes say (magic,
// format version, sizes) before the rest is read. `prefix` holds up to
// kPrefixBytes bytes. Throws SnapshotError naming `name`.
void check_prefix(std::span<const std::byte> prefix, std::uint64_t file_bytes,
                  const std::string& name);
// Checks the whole frame of a file in memory, its checksum first, then the
// schema's structure (not which tables this build knows). Throws
// SnapshotError naming `name`. The body points into `file`.
Frame parse_frame(std::span<const std::byte> file, const std::string& name);
// The prefix and the schema of a snapshot of these tables with a body of
// `body_bytes` bytes.
std::vector<unsigned char> encode_head(
    const std::vector<SnapshotInfo::TableInfo>& tables,
    std::uint64_t body_bytes);

// xxHash64 with seed 0, in one go or in pieces.
std::uint64_t checksum(std::span<const std::byte> bytes) noexcept;
class Checksum {
 public:
  Checksum();
  ~Checksum();
  Checksum(const Checksum&) = delete;
  Checksum& operator=(const Checksum&) = delete;
  void update(const void* data, std::size_t n) noexcept;
  std::uint64_t digest() const noexcept;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// ---- The Boost archive around the body (snapshot_archive.cc) ----

// The bytes Boost's binary_oarchive writes before the content.
std::size_t archive_head_bytes();
// Reads the archive's head at the start of `body` with Boost's
// binary_iarchive and returns its size. Throws CorruptBody, or SnapshotError
// (kNewerFormat) for an archive of a newer Boost.Serialization.
std::size_t read_archive_head(std::span<const std::byte> body,
                              const std::string& name);
// Writes the archive (head, then every piece of `plan`) to `out`. Returns
// false when `out` failed.
bool write_archive(std::streambuf& out, const BodyPlan& plan);

// ---- Files (snapshot_file.cc) ----

// A file read into memory.
// A snapshot file's bytes: the file mapped read-only (no copy: the pages
// are the page cache's), or read into memory where it cannot be mapped.
class FileBytes {
 public:
  FileBytes() = default;
  FileBytes(FileBytes&& other) noexcept;
  FileBytes& operator=(FileBytes&&) = delete;
  ~FileBytes();
  std::span<const std::byte> span() const noexcept {
    return {reinterpret_cast<const std::byte*>(mapped_ != nullptr ? mapped_ : data_.data()),
            size_};
  }

 private:
  friend FileBytes read_snapshot_file(const std::filesystem::path& path);
  void* mapped_ = nullptr;  // a mapping of size_ bytes, or nullptr
  ByteBuffer data_;         // else: the bytes read
  std::size_t size_ = 0;
};
// Reads a snapshot file, checking its prefix (check_prefix) before reading
// the rest. Throws SnapshotError. The file must not be truncated while its
// bytes are in use (folio replaces snapshots by renaming, never in place).
FileBytes read_snapshot_file(const std::filesystem::path& path);
// Writes head, the archive of `plan` and the checksum of both to `path`
// atomically (temporary file in the same folder, fsync, rename, fsync of the
// folder). Throws SnapshotError (kIo); on error `path` is untouched and the
// temporary file is removed.
void write_snapshot_file(const std::filesystem::path& path,
                         const std::vector<unsigned char>& head,
                         const BodyPlan& plan);

// ---- Writing older layouts (tests/tools/make_snapshot_files.cc) ----

struct WriteOptions {
  // Tables left out, as in a snapshot written before they existed.
  std::vector<std::string> omit_tables;
  // (table, row version): rows written in that older layout.
  std::vector<std::pair<std::string, std::uint32_t>> row_versions;
};
void save_snapshot(const Database& db, const std::filesystem::path& path,
                   const WriteOptions& options);

}  // namespace folio::internal
