// The frame of a snapshot file: magic, format version, sizes, schema and
// checksum (layout in snapshot_internal.h).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <limits>

#define XXH_INLINE_ALL
#include <xxhash.h>

#include "folio/error.h"
#include "snapshot_internal.h"

namespace folio::internal {
namespace {

// The smallest snapshot: the prefix, a schema of zero tables, the checksum.
constexpr std::uint64_t kMinFileBytes = kPrefixBytes + 4 + kChecksumBytes;

std::uint32_t get_u32(const std::byte* p) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}
std::uint64_t get_u64(const std::byte* p) {
  std::uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

template <class T>
void put(std::vector<unsigned char>& out, T v) {
  const std::size_t at = out.size();
  out.resize(at + sizeof v);
  std::memcpy(out.data() + at, &v, sizeof v);
}

std::string hex(std::uint64_t v) {
  char buf[19];
  std::snprintf(buf, sizeof buf, "0x%016llx",
                static_cast<unsigned long long>(v));
  return buf;
}

[[noreturn]] void fail(SnapshotFault fault, const std::string& name,
                       const std::string& detail) {
  throw SnapshotError(fault, name, detail);
}

bool is_table_name(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           (c >= '0' && c <= '9') || c == '_';
  });
}

// The sizes the prefix states, checked against the size of the file.
struct Prefix {
  std::uint32_t format_version;
  std::uint32_t schema_bytes;
  std::uint64_t body_bytes;
  std::uint64_t file_bytes;  // what the frame says the file has
};

Prefix read_prefix(std::span<const std::byte> bytes, std::uint64_t file_bytes,
                   const std::string& name) {
  const std::size_t magic = std::min(bytes.size(), sizeof kMagic);
  if (magic > 0 && std::memcmp(bytes.data(), kMagic, magic) != 0) {
    fail(SnapshotFault::kNotSnapshot, name,
         "not a folio snapshot (it does not start with folio's magic bytes)");
  }
  if (bytes.size() < 12) {
    fail(SnapshotFault::kTruncated, name,
         "truncated snapshot: expected at least " +
             std::to_string(kMinFileBytes) + " bytes, got " +
             std::to_string(file_bytes));
  }
  Prefix p;
  p.format_version = get_u32(bytes.data() + 8);
  if (p.format_version == 0) {
    fail(SnapshotFault::kCorrupt, name,
         "corrupt snapshot: format version 0 does not exist");
  }
  if (p.format_version > kSnapshotFormatVersion) {
    fail(SnapshotFault::kNewerFormat, name,
         "written in snapshot format version " +
             std::to_string(p.format_version) +
             ", newer than this build reads (versions 1 to " +
             std::to_string(kSnapshotFormatVersion) + ")");
  }
  if (bytes.size() < kPrefixBytes || file_bytes < kMinFileBytes) {
    fail(SnapshotFault::kTruncated, name,
         "truncated snapshot: expected at least " +
             std::to_string(kMinFileBytes) + " bytes, got " +
             std::to_string(file_bytes));
  }
  p.schema_bytes = get_u32(bytes.data() + 12);
  p.body_bytes = get_u64(bytes.data() + 16);
  constexpr std::uint64_t kMax = std::numeric_limits<std::int64_t>::max();
  if (p.schema_bytes < 4 || p.schema_bytes > kMaxSchemaBytes ||
      p.body_bytes > kMax / 2) {
    fail(SnapshotFault::kCorrupt, name,
         "corrupt snapshot: impossible sizes in its frame (schema " +
             std::to_string(p.schema_bytes) + " bytes, body " +
             std::to_string(p.body_bytes) + " bytes)");
  }
  p.file_bytes = kPrefixBytes + p.schema_bytes + p.body_bytes + kChecksumBytes;
  if (file_bytes < p.file_bytes) {
    fail(SnapshotFault::kTruncated, name,
         "truncated snapshot: expected " + std::to_string(p.file_bytes) +
             " bytes, got " + std::to_string(file_bytes));
  }
  if (file_bytes > p.file_bytes) {
    fail(SnapshotFault::kCorrupt, name,
         "corrupt snapshot: " + std::to_string(file_bytes - p.file_bytes) +
             " bytes after its end (the frame says " +
             std::to_string(p.file_bytes) + " bytes, the file has " +
             std::to_string(file_bytes) + ")");
  }
  return p;
}

}  // namespace

struct Checksum::State {
  XXH64_state_t xxh;
};

Checksum::Checksum() : state_(std::make_unique<State>()) {
  XXH64_reset(&state_->xxh, 0);
}
Checksum::~Checksum() = default;
void Checksum::update(const void* data, std::size_t n) noexcept {
  XXH64_update(&state_->xxh, data, n);
}
std::uint64_t Checksum::digest() const noexcept {
  return XXH64_digest(&state_->xxh);
}

std::uint64_t checksum(std::span<const std::byte> bytes) noexcept {
  return XXH64(bytes.data(), bytes.size(), 0);
}

void check_prefix(std::span<const std::byte> prefix, std::uint64_t file_bytes,
                  const std::string& name) {
  read_prefix(prefix, file_bytes, name);
}

Frame parse_frame(std::span<const std::byte> file, const std::string& name) {
  const Prefix p = read_prefix(file.first(std::min(file.size(), kPrefixBytes)),
                               file.size(), name);
  const std::uint64_t sealed = p.file_bytes - kChecksumBytes;
  const std::uint64_t stored = get_u64(file.data() + sealed);
  const std::uint64_t actual = checksum(file.first(sealed));
  if (stored != actual) {
    fail(SnapshotFault::kChecksum, name,
         "checksum mismatch: the file is damaged (its xxHash64 is " +
             hex(actual) + ", the file says " + hex(stored) + ")");
  }

  Frame frame;
  frame.info.format_version = p.format_version;
  frame.info.file_bytes = p.file_bytes;
  frame.info.body_bytes = p.body_bytes;
  frame.body = file.subspan(kPrefixBytes + p.schema_bytes, p.body_bytes);

  // The schema, each read bounded by its end.
  const std::byte* s = file.data() + kPrefixBytes;
  const std::byte* end = s + p.schema_bytes;
  auto corrupt = [&](const std::string& what) {
    fail(SnapshotFault::kCorrupt, name, "corrupt snapshot: " + what);
  };
  auto need = [&](std::size_t n) {
    if (static_cast<std::size_t>(end - s) < n)
      corrupt("its schema ends in the middle of a table");
  };
  need(4);
  const std::uint32_t count = get_u32(s);
  s += 4;
  // A table takes at least 22 bytes of schema.
  if (count > p.schema_bytes / 22) {
    corrupt("its schema claims " + std::to_string(count) + " tables in " +
            std::to_string(p.schema_bytes) + " bytes");
  }
  frame.info.tables.reserve(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    need(1);
    const auto length = static_cast<std::size_t>(*s++);
    need(length + 4 + 8 + 8);
    SnapshotInfo::TableInfo t;
    t.name.assign(reinterpret_cast<const char*>(s), length);
    s += length;
    if (!is_table_name(t.name))
      corrupt("table " + std::to_string(i + 1) + " has no valid name");
    t.row_version = get_u32(s);
    t.rows = get_u64(s + 4);
    t.next_id = static_cast<Id>(get_u64(s + 12));
    s += 20;
    for (const auto& other : frame.info.tables) {
      if (other.name == t.name) corrupt("table " + t.name + " appears twice");
    }
    if (t.row_version == 0) corrupt("table " + t.name + " has row version 0");
    if (t.rows > p.body_bytes) {
      corrupt("table " + t.name + " claims " + std::to_string(t.rows) +
              " rows in a body of " + std::to_string(p.body_bytes) + " bytes");
    }
    if (t.next_id < 1 || t.next_id == std::numeric_limits<Id>::max()) {
      corrupt("table " + t.name + " has next id " + std::to_string(t.next_id));
    }
    frame.info.tables.push_back(std::move(t));
  }
  if (s != end)
    corrupt("its schema has " + std::to_string(end - s) +
            " bytes after the last table");
  return frame;
}

std::vector<unsigned char> encode_head(
    const std::vector<SnapshotInfo::TableInfo>& tables,
    std::uint64_t body_bytes) {
  std::vector<unsigned char> schema;
  put(schema, static_cast<std::uint32_t>(tables.size()));
  for (const auto& t : tables) {
    schema.push_back(static_cast<unsigned char>(t.name.size()));
    schema.insert(schema.end(), t.name.begin(), t.name.end());
    put(schema, t.row_version);
    put(schema, t.rows);
    put(schema, static_cast<std::uint64_t>(t.next_id));
  }
  std::vector<unsigned char> head(kMagic, kMagic + sizeof kMagic);
  put(head, kSnapshotFormatVersion);
  put(head, static_cast<std::uint32_t>(schema.size()));
  put(head, body_bytes);
  head.insert(head.end(), schema.begin(), schema.end());
  return head;
}

}  // namespace folio::internal
