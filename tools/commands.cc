// The subcommands: seed, load, dump, verify, stats. Each parses its command
// line and hands the work to the library.
#include <cstdio>
#include <iomanip>
#include <iostream>

#include "cli.h"
#include "folio/seed.h"
#include "folio/snapshot.h"

namespace folio::cli {
namespace {

constexpr std::string_view kSeedHelp =
    "usage: folio seed -o FILE\n"
    "\n"
    "Writes the seed document's database (3 authors, 2 profiles, 5 books) as a\n"
    "snapshot to FILE, atomically.\n"
    "\n"
    "  -o, --output FILE  the snapshot to write\n";

constexpr std::string_view kLoadHelp =
    "usage: folio load INPUT... -o FILE [--into EXISTING] [--table NAME]\n"
    "\n"
    "Reads Django fixtures (.json, as manage.py dumpdata writes them) and CSV\n"
    "files (.csv, one table each, with a header row of column names) and writes\n"
    "their rows as a snapshot. Rows may come in any order and from any mix of\n"
    "files: foreign keys are resolved once every file is read. Every rule of the\n"
    "models is checked. All or nothing: every problem is listed (file, line,\n"
    "object or row, table, field, message) and no file is written or changed.\n"
    "\n"
    "  -o, --output FILE  the snapshot to write (atomically)\n"
    "  --into EXISTING    start from this snapshot's rows: as loaddata does, a row\n"
    "                     whose pk exists replaces it, the others are added\n"
    "                     (FILE may be EXISTING itself)\n"
    "  --table NAME       the table of the CSV files that follow it (default: the\n"
    "                     file name without .csv, e.g. authors.csv)\n";

constexpr std::string_view kDumpHelp =
    "usage: folio dump FILE [--format fixture|csv|sql|table] [--table NAME] [-o OUT]\n"
    "\n"
    "Writes the rows of the snapshot FILE, in id order, to OUT (atomically) or to\n"
    "stdout.\n"
    "\n"
    "  --format fixture   (default) Django's JSON fixture, byte for byte as\n"
    "                     manage.py dumpdata --indent 2 writes it; loaddata takes it\n"
    "  --format csv       one table per file (RFC 4180): with --table to OUT or\n"
    "                     stdout; without, OUT is a folder that gets TABLE.csv for\n"
    "                     every table. NULL is an empty field, an empty string \"\"\n"
    "  --format sql       CREATE TABLE and INSERT statements in one transaction,\n"
    "                     run by the sqlite3 shell and by PostgreSQL, with the\n"
    "                     tables, columns and constraints of Django's migration;\n"
    "                     foreign keys ON DELETE CASCADE (as the models declare)\n"
    "  --format table     aligned columns for people to read\n"
    "  --table NAME       only this table (authors, author_profiles, books; a\n"
    "                     fixture label such as myapp.book is accepted too)\n"
    "  -o, --output OUT   the file (or folder, for csv) to write\n";

constexpr std::string_view kVerifyHelp =
    "usage: folio verify FILE [--table NAME]\n"
    "\n"
    "Checks the snapshot FILE: its frame, checksum and format, and every rule of\n"
    "every table. Prints \"FILE: ok\" and exits 0, or lists every problem on stdout\n"
    "and exits 1. A .json fixture or a .csv file (table from --table or its name)\n"
    "is checked as folio load would read it, without writing anything.\n";

constexpr std::string_view kStatsHelp =
    "usage: folio stats FILE\n"
    "\n"
    "Prints what the snapshot FILE's frame says: its format version, its size,\n"
    "and each table with its rows, next id and row version. Reads the checksum\n"
    "but not the rows.\n";

// Prints the help and returns true when asked for.
bool help(const Args& args, std::string_view text) {
  if (!args.has("-h") && !args.has("--help")) return false;
  std::cout << text << '\n' << kExitCodes;
  return true;
}

std::string output_of(const Args& args) {
  std::optional<std::string> o = args.get("-o");
  std::optional<std::string> output = args.get("--output");
  if (o && output) throw UsageError("give -o or --output, not both");
  return o ? *o : output ? *output : std::string();
}

std::string one_file(const Args& args, std::string_view what) {
  std::vector<std::string> files = args.positional();
  if (files.size() != 1) {
    throw UsageError("give exactly one " + std::string(what) + " (got " +
                     std::to_string(files.size()) + ")");
  }
  return files[0];
}

void require_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw IoError(path + ": no such file");
}

}  // namespace

int run_seed(int argc, char** argv) {
  Args args(argc, argv, {"-o", "--output"}, {"-h", "--help"});
  if (help(args, kSeedHelp)) return kOk;
  if (!args.positional().empty()) throw UsageError("seed takes no arguments besides -o FILE");
  std::string out = output_of(args);
  if (out.empty()) throw UsageError("give the snapshot to write with -o FILE");
  require_plain_output(out);
  save_snapshot(seed_database(), out);
  return kOk;
}

int run_load(int argc, char** argv) {
  Args args(argc, argv, {"-o", "--output", "--into", "--table"}, {"-h", "--help"});
  if (help(args, kLoadHelp)) return kOk;
  std::string out = output_of(args);
  if (out.empty()) throw UsageError("give the snapshot to write with -o FILE");
  require_plain_output(out);
  std::string table;
  std::vector<Input> inputs;
  for (const auto& item : args.items()) {
    if (item.option == "--table") table = item.value;
    if (item.option.empty()) inputs.push_back(read_input_file(item.value, table));
  }
  if (inputs.empty()) throw UsageError("give at least one .json or .csv file to load");
  LoadOptions options{progress_bar("load")};
  Database db;
  if (std::optional<std::string> into = args.get("--into")) {
    require_file(*into);
    db = load_snapshot(*into);
    load_into(db, inputs, options);
  } else {
    db = load(inputs, options);
  }
  end_progress();
  save_snapshot(db, out);
  return kOk;
}

int run_dump(int argc, char** argv) {
  Args args(argc, argv, {"-o", "--output", "--format", "--table"}, {"-h", "--help"});
  if (help(args, kDumpHelp)) return kOk;
  const std::string file = one_file(args, "snapshot to dump");
  const std::string format = args.get("--format").value_or("fixture");
  if (format != "fixture" && format != "csv" && format != "sql" && format != "table") {
    throw UsageError("unknown format \"" + format + "\" (fixture, csv, sql or table)");
  }
  const std::string out = output_of(args);
  DumpOptions options;
  options.table = args.get("--table").value_or("");
  if (!options.table.empty()) internal::schema_of<Database>().table_or_throw(options.table);
  if (format == "csv" && options.table.empty() && out.empty()) {
    throw UsageError(
        "--format csv writes one file per table: give --table NAME, or -o FOLDER for all");
  }
  require_file(file);
  const Database db = load_snapshot(file);
  options.progress = progress_bar("dump");
  auto write = [&](std::ostream& stream, const DumpOptions& o) {
    if (format == "fixture") write_fixture(db, stream, o);
    if (format == "csv") write_csv(db, stream, o);
    if (format == "sql") write_sql(db, stream, o);
    if (format == "table") write_table(db, stream, o);
  };
  if (format == "csv" && options.table.empty()) {
    // Every file is written in full before any replaces its target.
    std::error_code ec;
    std::filesystem::create_directories(out, ec);
    if (!std::filesystem::is_directory(out)) {
      throw IoError(out + ": cannot make the folder: " + ec.message());
    }
    std::vector<std::unique_ptr<AtomicFile>> files;
    for (const std::string& table : table_names<Database>()) {
      files.push_back(std::make_unique<AtomicFile>(std::filesystem::path(out) / (table + ".csv")));
      DumpOptions one = options;
      one.table = table;
      write(files.back()->stream(), one);
    }
    end_progress();
    for (auto& f : files) f->commit();
  } else if (!out.empty()) {
    AtomicFile f(out);
    write(f.stream(), options);
    end_progress();
    f.commit();
  } else {
    write(std::cout, options);
    end_progress();
    std::cout.flush();
    if (!std::cout) throw IoError("stdout: cannot write");
  }
  return kOk;
}

int run_verify(int argc, char** argv) {
  Args args(argc, argv, {"--table"}, {"-h", "--help"});
  if (help(args, kVerifyHelp)) return kOk;
  const std::string file = one_file(args, "file to verify");
  require_file(file);
  std::string ext = std::filesystem::path(file).extension().string();
  std::vector<std::string> problems;
  if (ext == ".json" || ext == ".csv") {
    problems = check_inputs({read_input_file(file, args.get("--table").value_or(""))},
                            LoadOptions{progress_bar("verify")});
    end_progress();
  } else {
    problems = verify_snapshot(file);
  }
  for (const auto& p : problems) std::cout << p << '\n';
  if (problems.empty()) std::cout << file << ": ok\n";
  return problems.empty() ? kOk : kProblems;
}

int run_stats(int argc, char** argv) {
  Args args(argc, argv, {}, {"-h", "--help"});
  if (help(args, kStatsHelp)) return kOk;
  const std::string file = one_file(args, "snapshot");
  require_file(file);
  const SnapshotInfo info = read_snapshot_info(file);
  std::uint64_t rows = 0;
  std::size_t name_width = 5;
  for (const auto& t : info.tables) {
    rows += t.rows;
    name_width = std::max(name_width, t.name.size());
  }
  std::cout << "file            " << file << '\n'
            << "format version  " << info.format_version << '\n'
            << "bytes           " << info.file_bytes << " (body " << info.body_bytes << ")\n"
            << "tables          " << info.tables.size() << '\n'
            << "rows            " << rows << "\n\n";
  std::cout << std::left << std::setw(static_cast<int>(name_width)) << "table" << std::right
            << std::setw(14) << "rows" << std::setw(14) << "next id" << std::setw(13)
            << "row version" << '\n';
  for (const auto& t : info.tables) {
    std::cout << std::left << std::setw(static_cast<int>(name_width)) << t.name << std::right
              << std::setw(14) << t.rows << std::setw(14) << t.next_id << std::setw(13)
              << t.row_version << '\n';
  }
  return kOk;
}

}  // namespace folio::cli
