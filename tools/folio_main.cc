// The folio program: Django-style loaddata and dumpdata for folio snapshots.
// A thin layer over the library (interchange.h, snapshot.h); see cli.h.
//
//   folio seed -o FILE                 the seed database as a snapshot
//   folio load INPUT... -o FILE        fixtures and CSV into a snapshot
//   folio dump FILE [--format F]       a snapshot as fixture, csv, sql, table
//   folio verify FILE                  every check; exit 0 or 1
//   folio stats FILE                   format version, tables, rows, bytes
//   folio tour                         the seed database's relationships
#include <cstring>
#include <iostream>
#include <new>
#include <string>
#include <string_view>

#include "cli.h"
#include "folio/report.h"
#include "folio/seed.h"

namespace {

constexpr std::string_view kCommands =
    "usage: folio COMMAND [ARGS]\n"
    "\n"
    "Commands (each takes --help):\n"
    "  seed -o FILE                        the seed database as a snapshot\n"
    "  load INPUT... -o FILE [--into OLD]  Django fixtures (.json) and CSV files\n"
    "                                      (.csv) into a snapshot, all or nothing\n"
    "  dump FILE [--format fixture|csv|sql|table] [--table NAME] [-o OUT]\n"
    "                                      a snapshot's rows, as dumpdata writes them\n"
    "                                      or as CSV, SQL or tables for people\n"
    "  verify FILE                         check a snapshot (or an input) fully\n"
    "  stats FILE                          a snapshot's format, tables, rows, bytes\n"
    "  tour                                walk the seed database's relationships\n"
    "\n";

int usage_error(std::string_view command, std::string_view message) {
  std::cerr << "folio" << (command.empty() ? "" : " ") << command << ": " << message << '\n'
            << "Try 'folio " << command << (command.empty() ? "" : " ") << "--help'.\n";
  return folio::cli::kUsage;
}

int dispatch(std::string_view command, int argc, char** argv) {
  using namespace folio::cli;
  if (command == "seed") return run_seed(argc, argv);
  if (command == "load") return run_load(argc, argv);
  if (command == "dump") return run_dump(argc, argv);
  if (command == "verify") return run_verify(argc, argv);
  if (command == "stats") return run_stats(argc, argv);
  if (command == "tour") {
    if (argc != 0) throw folio::UsageError("tour takes no arguments");
    folio::write_relationships(folio::seed_database(), std::cout);
    return kOk;
  }
  return usage_error("", "unknown command \"" + std::string(command) + "\"");
}

}  // namespace

int main(int argc, char** argv) {
  using namespace folio::cli;
  if (argc < 2) {
    std::cerr << kCommands << kExitCodes;
    return kUsage;
  }
  std::string_view command = argv[1];
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kCommands << kExitCodes;
    return kOk;
  }
  if (command == "--version") {
    std::cout << "folio 0.1.0\n";
    return kOk;
  }
  try {
    return dispatch(command, argc - 2, argv + 2);
  } catch (const folio::UsageError& e) {
    end_progress();
    return usage_error(command, e.what());
  } catch (const folio::InputError& e) {
    end_progress();
    for (const auto& p : e.problems()) std::cerr << p << '\n';
    std::cerr << "folio " << command << ": " << e.problems().size()
              << (e.problems().size() == 1 ? " problem" : " problems")
              << "; nothing was written\n";
    return kProblems;
  } catch (const folio::SnapshotError& e) {
    end_progress();
    std::cerr << "folio " << command << ": " << e.what() << '\n';
    return kIo;
  } catch (const IoError& e) {
    end_progress();
    std::cerr << "folio " << command << ": " << e.what() << '\n';
    return kIo;
  } catch (const std::bad_alloc&) {
    end_progress();
    std::cerr << "folio " << command << ": out of memory\n";
    return kIo;
  } catch (const std::exception& e) {
    end_progress();
    std::cerr << "folio " << command << ": " << e.what() << '\n';
    return kIo;
  }
}
