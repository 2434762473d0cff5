// Argument parsing, atomic output files and the progress bar.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "cli.h"

namespace folio::cli {
namespace {

std::string error_text(int err) { return std::strerror(err); }

void sync_path(const std::filesystem::path& path, int flags) {
  int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) throw IoError(path.string() + ": cannot open to sync: " + error_text(errno));
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  // Some file systems refuse fsync on a folder; the data itself is synced.
  if (rc != 0 && !(flags & O_DIRECTORY && (err == EINVAL || err == EBADF))) {
    throw IoError(path.string() + ": cannot sync: " + error_text(err));
  }
}

}  // namespace

Args::Args(int argc, char** argv, std::vector<std::string_view> valued,
           std::vector<std::string_view> flags) {
  auto known = [](const std::vector<std::string_view>& list, std::string_view s) {
    return std::find(list.begin(), list.end(), s) != list.end();
  };
  bool options = true;
  for (int i = 0; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (!options || arg.size() < 2 || arg[0] != '-') {
      items_.push_back({"", std::string(arg)});
      continue;
    }
    if (arg == "--") {
      options = false;
      continue;
    }
    std::string_view name = arg;
    std::optional<std::string> value;
    if (auto eq = arg.find('='); arg.substr(0, 2) == "--" && eq != std::string_view::npos) {
      name = arg.substr(0, eq);
      value = std::string(arg.substr(eq + 1));
    }
    if (known(flags, name)) {
      if (value) throw UsageError("option " + std::string(name) + " takes no value");
      items_.push_back({std::string(name), ""});
    } else if (known(valued, name)) {
      if (!value) {
        if (i + 1 >= argc) throw UsageError("option " + std::string(name) + " needs a value");
        value = argv[++i];
      }
      items_.push_back({std::string(name), *value});
    } else {
      throw UsageError("unknown option " + std::string(name));
    }
  }
}

bool Args::has(std::string_view option) const {
  return std::any_of(items_.begin(), items_.end(),
                     [&](const Item& it) { return it.option == option; });
}

std::optional<std::string> Args::get(std::string_view option) const {
  std::optional<std::string> found;
  for (const auto& it : items_) {
    if (it.option == option) found = it.value;
  }
  return found;
}

std::vector<std::string> Args::positional() const {
  std::vector<std::string> out;
  for (const auto& it : items_) {
    if (it.option.empty()) out.push_back(it.value);
  }
  return out;
}

AtomicFile::AtomicFile(std::filesystem::path target) : target_(std::move(target)) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status status = fs::status(target_, ec);  // follows links
  if (fs::is_directory(status)) throw IoError(target_.string() + ": is a folder");
  if (fs::exists(status) && !fs::is_regular_file(status)) {
    // A device or a pipe (/dev/null, /dev/stdout): written in place, as
    // renaming over it would replace the device with a file.
    direct_ = true;
    out_.open(target_, std::ios::binary);
    if (!out_) throw IoError(target_.string() + ": cannot write: " + error_text(errno));
    return;
  }
  if (fs::is_symlink(fs::symlink_status(target_, ec))) {
    target_ = fs::canonical(target_, ec);  // replace the file, keep the link
    if (ec) throw IoError(target_.string() + ": cannot follow the link: " + ec.message());
  }
  std::filesystem::path folder = target_.parent_path();
  if (folder.empty()) folder = ".";
  std::string pattern =
      (folder / ("." + target_.filename().string() + ".tmp-XXXXXX")).string();
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  int fd = ::mkstemp(name.data());
  if (fd < 0) {
    throw IoError(target_.string() + ": cannot create a file in " + folder.string() + ": " +
                  error_text(errno));
  }
  mode_t mask = ::umask(0);
  ::umask(mask);
  ::fchmod(fd, 0666 & ~mask);
  ::close(fd);
  temp_ = name.data();
  out_.open(temp_, std::ios::binary | std::ios::trunc);
  if (!out_) {
    std::filesystem::remove(temp_);
    throw IoError(target_.string() + ": cannot write: " + error_text(errno));
  }
}

AtomicFile::~AtomicFile() {
  if (done_ || direct_) return;
  out_.close();
  std::error_code ec;
  std::filesystem::remove(temp_, ec);
}

void AtomicFile::commit() {
  if (direct_) {
    out_.flush();
    if (!out_) throw IoError(target_.string() + ": cannot write");
    out_.close();
    done_ = true;
    return;
  }
  out_.flush();
  if (!out_) throw IoError(target_.string() + ": cannot write (is the disk full?)");
  out_.close();
  if (out_.fail()) throw IoError(target_.string() + ": cannot write (is the disk full?)");
  sync_path(temp_, O_RDONLY);
  if (::rename(temp_.c_str(), target_.c_str()) != 0) {
    throw IoError(target_.string() + ": cannot replace: " + error_text(errno));
  }
  done_ = true;
  std::filesystem::path folder = target_.parent_path();
  sync_path(folder.empty() ? "." : folder, O_RDONLY | O_DIRECTORY);
}

namespace {

struct Bar {
  std::string label;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  bool drawn = false;
};
Bar* g_bar = nullptr;

}  // namespace

Progress progress_bar(std::string label) {
  if (!::isatty(STDERR_FILENO)) return {};
  static Bar bar;
  bar = Bar{std::move(label)};
  g_bar = &bar;
  return [](std::uint64_t done, std::uint64_t total) {
    Bar& b = *g_bar;
    if (!b.drawn && std::chrono::steady_clock::now() - b.start < std::chrono::milliseconds(500)) {
      return;
    }
    b.drawn = true;
    constexpr int kWidth = 30;
    const double part = total == 0 ? 1.0 : static_cast<double>(done) / static_cast<double>(total);
    const int filled = static_cast<int>(part * kWidth);
    std::string line = "\r" + b.label + " [" + std::string(static_cast<std::size_t>(filled), '#') +
                       std::string(static_cast<std::size_t>(kWidth - filled), '.') + "] ";
    char numbers[96];
    std::snprintf(numbers, sizeof numbers, "%3d%%  %llu/%llu rows", static_cast<int>(part * 100),
                  static_cast<unsigned long long>(done), static_cast<unsigned long long>(total));
    line += numbers;
    std::fputs(line.c_str(), stderr);
    std::fflush(stderr);
  };
}

void end_progress() {
  if (g_bar != nullptr && g_bar->drawn) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    g_bar->drawn = false;
  }
}

void require_plain_output(const std::string& path) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    throw IoError(path + ": not a regular file; a snapshot is written as a file of its own");
  }
}

Input read_input_file(const std::string& path, const std::string& table) {
  if (!input_format(path)) {
    throw UsageError(path + ": an input is a .json fixture or a .csv file");
  }
  std::error_code ec;
  if (std::filesystem::is_directory(path, ec)) throw IoError(path + ": is a folder, not a file");
  try {
    return read_input(path, table);
  } catch (const InputError& e) {
    throw IoError(e.what());  // the file could not be read: exit 3, not 1
  }
}

}  // namespace folio::cli
