// The folio program's pieces: exit codes, argument parsing, atomic output
// files and the progress bar. The work itself is done by the library
// (interchange.h, snapshot.h); the commands only wire files to it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "folio/interchange.h"

namespace folio::cli {

// Exit codes, as every --help states them.
enum Exit : int {
  kOk = 0,        // done
  kProblems = 1,  // the input or the snapshot has problems (all listed)
  kUsage = 2,     // the command line is wrong
  kIo = 3,        // a file could not be read or written, or is not a snapshot
};

inline constexpr std::string_view kExitCodes =
    "Exit codes: 0 done; 1 problems found in the input or the snapshot (all\n"
    "listed on stderr, or on stdout by verify); 2 wrong usage; 3 a file could\n"
    "not be read or written, or is not a readable snapshot.\n";

// A file that could not be read or written (exit 3).
class IoError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The command line of one subcommand: options with values, flags and the
// other arguments in order. Throws folio::UsageError for an unknown option
// or a missing value.
class Args {
 public:
  // `valued`: options that take a value ("-o", "--table", ...); `flags`:
  // those that do not. "--opt=value" is accepted; "--" ends the options.
  Args(int argc, char** argv, std::vector<std::string_view> valued,
       std::vector<std::string_view> flags);

  struct Item {
    std::string option;  // empty for a plain argument
    std::string value;
  };
  const std::vector<Item>& items() const noexcept { return items_; }
  bool has(std::string_view option) const;
  // The option's value; with more than one, the last. Empty when not given.
  std::optional<std::string> get(std::string_view option) const;
  std::vector<std::string> positional() const;

 private:
  std::vector<Item> items_;
};

// A file written in full or not at all: the text goes to a temporary file in
// the target's folder, which commit() syncs and renames over the target.
// Destroyed without commit(), it removes the temporary file and leaves the
// target as it was. A target that is a link is followed (the file it names
// is replaced); one that is a device or a pipe (/dev/stdout) is written in
// place, not atomically.
class AtomicFile {
 public:
  explicit AtomicFile(std::filesystem::path target);
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;
  ~AtomicFile();

  std::ostream& stream() { return out_; }
  // Flushes, syncs, renames over the target and syncs the folder. Throws
  // IoError.
  void commit();

 private:
  std::filesystem::path target_;
  std::filesystem::path temp_;
  std::ofstream out_;
  bool direct_ = false;
  bool done_ = false;
};

// A progress bar on stderr for `label`, or an empty Progress when stderr is
// not a terminal. It shows only once the work has run for half a second.
Progress progress_bar(std::string label);
// Clears the bar's line, if one was drawn.
void end_progress();

// The commands. Each returns an exit code; errors are reported on stderr.
int run_seed(int argc, char** argv);
int run_load(int argc, char** argv);
int run_dump(int argc, char** argv);
int run_verify(int argc, char** argv);
int run_stats(int argc, char** argv);

// Throws IoError unless `path` is a regular file or does not exist yet: a
// snapshot is never written over a device, a pipe or a folder.
void require_plain_output(const std::string& path);

// Reads an input file for loading: the format from the extension (.json,
// .csv; else UsageError), the text (IoError when unreadable).
Input read_input_file(const std::string& path, const std::string& table);

}  // namespace folio::cli
