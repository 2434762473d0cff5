// Snapshot files on disk: the atomic write (temporary file, fsync, rename,
// fsync of the folder) and the bounded read.
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <memory>
#include <new>
#include <streambuf>
#include <utility>

#include "folio/error.h"
#include "snapshot_internal.h"

namespace folio::internal {
namespace {

std::string errno_text(int error) { return std::strerror(error); }

// Closes a descriptor it owns.
class Fd {
 public:
  explicit Fd(int fd = -1) noexcept : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const noexcept { return fd_; }
  // Closes now; returns 0 or the errno of close().
  int close() noexcept {
    const int fd = fd_;
    fd_ = -1;
    return fd >= 0 && ::close(fd) != 0 ? errno : 0;
  }

 private:
  int fd_;
};

// Writes everything at `offset`, retrying after interruptions. Returns 0 or
// an errno; after an error, writing the same bytes again at the same offset
// is safe.
int write_at(int fd, const char* p, std::size_t n, std::uint64_t offset) noexcept {
  while (n > 0) {
    const ssize_t w = ::pwrite(fd, p, std::min<std::size_t>(n, 1 << 30),
                               static_cast<off_t>(offset));
    if (w < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    if (w == 0) return EIO;
    p += w;
    n -= static_cast<std::size_t>(w);
    offset += static_cast<std::uint64_t>(w);
  }
  return 0;
}

// A buffered file writer that hashes and counts every byte it writes. After
// the first error it writes nothing more and keeps that error.
//
// It writes with O_DIRECT where the file system takes it: whole blocks go
// from its buffer to the disk without a copy into the page cache. That copy
// was 45% of a save of 257 MiB, most of it spent on fresh page-cache pages,
// which the host of a virtual machine must first back. A tail that is not a
// whole block, and everything on file systems that refuse direct writes,
// goes through the page cache as before; the fsync that follows a save
// covers both.
class FileSink : public std::streambuf {
 public:
  explicit FileSink(int fd)
      : fd_(fd),
        buffer_(static_cast<char*>(
            ::operator new(kBufferBytes, std::align_val_t{kBlock}))) {
    setp(buffer_.get(), buffer_.get() + kBufferBytes);
    const int flags = ::fcntl(fd_, F_GETFL);
    direct_ = flags >= 0 && ::fcntl(fd_, F_SETFL, flags | O_DIRECT) == 0;
  }
  int error() const noexcept { return error_; }
  std::uint64_t bytes() const noexcept {
    return written_ + static_cast<std::uint64_t>(pptr() - pbase());
  }
  std::uint64_t digest() const noexcept { return hash_.digest(); }
  // Writes out what is buffered. Returns false on error.
  bool flush() {
    drain();
    return error_ == 0;
  }
  // Writes bytes that are not hashed (the checksum itself).
  bool write_unhashed(const void* p, std::size_t n) {
    if (!flush()) return false;
    error_ = put(static_cast<const char*>(p), n);
    if (error_ == 0) written_ += n;
    return error_ == 0;
  }

 protected:
  int_type overflow(int_type c) override {
    if (!flush()) return traits_type::eof();
    if (traits_type::eq_int_type(c, traits_type::eof()))
      return traits_type::not_eof(c);
    *pptr() = traits_type::to_char_type(c);
    pbump(1);
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    // Everything goes through the buffer, which direct writes need
    // aligned: copying 257 MiB costs about 25 ms.
    auto left = static_cast<std::size_t>(n);
    while (left > 0) {
      if (error_ != 0) return 0;
      if (pptr() == epptr()) drain();
      const auto room = static_cast<std::size_t>(epptr() - pptr());
      const std::size_t chunk = std::min(left, room);
      std::memcpy(pptr(), s, chunk);
      pbump(static_cast<int>(chunk));
      s += chunk;
      left -= chunk;
    }
    return n;
  }
  int sync() override { return flush() ? 0 : -1; }

 private:
  // Direct writes need buffers, sizes and offsets in whole blocks of the
  // device (512 or 4096 bytes).
  static constexpr std::size_t kBlock = 4096;
  static constexpr std::size_t kBufferBytes = 4 << 20;
  struct AlignedDelete {
    void operator()(char* p) const noexcept {
      ::operator delete(p, std::align_val_t{kBlock});
    }
  };

  void drain() {
    const auto n = static_cast<std::size_t>(pptr() - pbase());
    if (n == 0 || error_ != 0) return;
    hash_.update(pbase(), n);
    error_ = put(pbase(), n);
    if (error_ == 0) written_ += n;
    setp(buffer_.get(), buffer_.get() + kBufferBytes);
    start_writeback();
  }

  // Writes p[0, n) at the end of what is written. Returns 0 or an errno.
  int put(const char* p, std::size_t n) noexcept {
    if (!direct_) return write_at(fd_, p, n, written_);
    const std::size_t whole = n - n % kBlock;
    const int error = whole > 0 ? write_at(fd_, p, whole, written_) : 0;
    if (error == 0 && whole == n) return 0;
    if (error != 0 && error != EINVAL) return error;
    // A tail that is not a whole block, or a file system that refused the
    // direct write (EINVAL): the rest goes through the page cache.
    direct_ = false;
    const int flags = ::fcntl(fd_, F_GETFL);
    if (flags < 0 || ::fcntl(fd_, F_SETFL, flags & ~O_DIRECT) != 0) return errno;
    return error == 0 ? write_at(fd_, p + whole, n - whole, written_ + whole)
                      : write_at(fd_, p, n, written_);
  }

  // Asks the kernel to start writing what was written so far through the
  // page cache to the disk, without waiting, so that the disk works while
  // the rest is written and the fsync at the end waits for little more
  // than the last piece. Only advice: the fsync that follows is what the
  // save relies on and checks.
  void start_writeback() noexcept {
    constexpr std::uint64_t kStep = 16 << 20;
    if (direct_ || written_ - synced_ < kStep) return;
#ifdef SYNC_FILE_RANGE_WRITE
    ::sync_file_range(fd_, static_cast<off_t>(synced_),
                      static_cast<off_t>(written_ - synced_),
                      SYNC_FILE_RANGE_WRITE);
#endif
    synced_ = written_;
  }

  int fd_;
  std::unique_ptr<char[], AlignedDelete> buffer_;
  Checksum hash_;
  std::uint64_t written_ = 0;
  std::uint64_t synced_ = 0;  // start_writeback() asked for bytes up to here
  bool direct_ = false;
  int error_ = 0;
};

// A temporary file beside the target: ".<name>.tmp.<pid>.<n>", removed by
// the destructor unless it was renamed.
class TempFile {
 public:
  explicit TempFile(const std::filesystem::path& target) {
    static std::atomic<unsigned> counter{0};
    const std::filesystem::path dir = target.parent_path();
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::string name = ".";
      name += target.filename().string();
      name += ".tmp.";
      name += std::to_string(::getpid());
      name += '.';
      name += std::to_string(counter++);
      path_ = dir / name;
      const int fd =
          ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      if (fd >= 0) {
        fd_ = std::make_unique<Fd>(fd);
        return;
      }
      if (errno != EEXIST) break;
    }
    throw SnapshotError(
        SnapshotFault::kIo, target.string(),
        "cannot create a temporary file in its folder: " + errno_text(errno));
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;
  ~TempFile() {
    fd_.reset();
    if (!renamed_) ::unlink(path_.c_str());
  }
  Fd& fd() noexcept { return *fd_; }
  const std::filesystem::path& path() const noexcept { return path_; }
  void renamed() noexcept { renamed_ = true; }

 private:
  std::filesystem::path path_;
  std::unique_ptr<Fd> fd_;
  bool renamed_ = false;
};

}  // namespace

void write_snapshot_file(const std::filesystem::path& path,
                         const std::vector<unsigned char>& head,
                         const BodyPlan& plan) {
  const std::string name = path.string();
  auto io_error = [&](const std::string& what, int error) {
    return SnapshotError(SnapshotFault::kIo, name,
                         what + ": " + errno_text(error));
  };
  if (path.filename().empty()) {
    throw SnapshotError(SnapshotFault::kIo, name,
                        "cannot write a snapshot: not a file name");
  }
  // Renaming over a device, a pipe or a folder would replace it with a
  // regular file (/dev/null included): refuse before anything is written.
  std::error_code status_error;
  const auto status = std::filesystem::status(path, status_error);
  if (!status_error && std::filesystem::exists(status) &&
      !std::filesystem::is_regular_file(status)) {
    throw SnapshotError(SnapshotFault::kIo, name,
                        "cannot write a snapshot: the path exists and is not "
                        "a regular file");
  }
  TempFile temp(path);
  FileSink sink(temp.fd().get());
  const std::uint64_t expected =
      head.size() + archive_head_bytes() + plan.size();
  sink.sputn(reinterpret_cast<const char*>(head.data()),
             static_cast<std::streamsize>(head.size()));
  const bool archived = write_archive(sink, plan);
  if (!sink.flush() || !archived) {
    throw io_error("cannot write the snapshot",
                   sink.error() != 0 ? sink.error() : EIO);
  }
  if (sink.bytes() != expected) {
    throw SnapshotError(SnapshotFault::kIo, name,
                        "internal error: the snapshot's body has " +
                            std::to_string(sink.bytes()) + " bytes, not the " +
                            std::to_string(expected) + " planned");
  }
  const std::uint64_t digest = sink.digest();
  if (!sink.write_unhashed(&digest, sizeof digest)) {
    throw io_error("cannot write the snapshot", sink.error());
  }
  if (::fsync(temp.fd().get()) != 0)
    throw io_error("cannot sync the snapshot", errno);
  if (const int error = temp.fd().close(); error != 0) {
    throw io_error("cannot close the snapshot", error);
  }
  if (::rename(temp.path().c_str(), path.c_str()) != 0) {
    throw io_error("cannot rename the temporary file over it", errno);
  }
  temp.renamed();
  // The rename is durable once the folder is synced.
  const std::filesystem::path dir = path.parent_path().empty()
                                        ? std::filesystem::path(".")
                                        : path.parent_path();
  Fd dir_fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (dir_fd.get() < 0 || ::fsync(dir_fd.get()) != 0) {
    throw io_error("saved, but the folder could not be synced", errno);
  }
}

FileBytes read_snapshot_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  auto io_error = [&](const std::string& what) {
    return SnapshotError(SnapshotFault::kIo, name,
                         what + ": " + errno_text(errno));
  };
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) throw io_error("cannot open the snapshot");
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) throw io_error("cannot read the snapshot");
  if (!S_ISREG(st.st_mode)) {
    throw SnapshotError(SnapshotFault::kIo, name,
                        "cannot read the snapshot: not a regular file");
  }
  const auto size = static_cast<std::uint64_t>(st.st_size);
  auto read_at = [&](std::byte* out, std::size_t n,
                     std::uint64_t offset) -> std::size_t {
    std::size_t done = 0;
    while (done < n) {
      const ssize_t r = ::pread(fd.get(), out + done,
                                std::min<std::size_t>(n - done, 1 << 30),
                                static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        throw io_error("cannot read the snapshot");
      }
      if (r == 0) break;  // the file shrank meanwhile
      done += static_cast<std::size_t>(r);
    }
    return done;
  };
  // The prefix first: a file that is no snapshot, or whose size disagrees
  // with its frame, is refused before its bytes are read or held.
  std::byte prefix[kPrefixBytes];
  const std::size_t got =
      read_at(prefix, std::min<std::uint64_t>(size, kPrefixBytes), 0);
  check_prefix(std::span<const std::byte>(prefix, got), size, name);

  FileBytes file;
  // Mapped, the bytes are the page cache's own: nothing is copied, and no
  // fresh memory is faulted in for a copy (as slow as the copy itself on a
  // virtual machine). Read where the file system cannot map it.
  void* mapped = ::mmap(nullptr, static_cast<std::size_t>(size), PROT_READ,
                        MAP_PRIVATE | MAP_POPULATE, fd.get(), 0);
  if (mapped != MAP_FAILED) {
    file.mapped_ = mapped;
    file.size_ = static_cast<std::size_t>(size);
    return file;
  }
  file.data_ = ByteBuffer(static_cast<std::size_t>(size));
  file.size_ = read_at(reinterpret_cast<std::byte*>(file.data_.data()),
                       static_cast<std::size_t>(size), 0);
  return file;  // a size that changed meanwhile fails parse_frame
}

FileBytes::FileBytes(FileBytes&& other) noexcept
    : mapped_(std::exchange(other.mapped_, nullptr)),
      data_(std::move(other.data_)),
      size_(std::exchange(other.size_, 0)) {}

FileBytes::~FileBytes() {
  if (mapped_ != nullptr) ::munmap(mapped_, size_);
}

}  // namespace folio::internal
