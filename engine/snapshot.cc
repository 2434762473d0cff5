// Snapshots: saving a database to a framed file and loading it back into a
// fresh database, checking every rule before anything is replaced. The
// layout is in docs/snapshot-format.md; the frame in snapshot_internal.h,
// the columns in snapshot_columns.h and snapshot_tables.h.
#include "folio/snapshot.h"

#include <algorithm>
#include <array>
#include <condition_variable>
#include <cstdint>
#include <exception>
#include <limits>
#include <mutex>
#include <optional>
#include <string_view>
#include <system_error>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/mpl/size.hpp>
#include <boost/multi_index/member.hpp>
#include <boost/tuple/tuple.hpp>

#include "snapshot_internal.h"
#include "snapshot_tables.h"

namespace folio {
namespace {

using internal::CorruptBody;

// What verify_snapshot lists at most; the rest is counted.
constexpr std::size_t kMaxProblems = 1000;

// The problems a load finds. A load throws at the first; a verify collects
// the rows that break rules and stops at the first fault of the file itself.
class Problems {
 public:
  Problems(std::string name, bool collect)
      : name_(std::move(name)), collect_(collect) {}

  const std::string& name() const noexcept { return name_; }
  // False for a load, whose Problems only throw (and may then be used by
  // several threads at once); a verify collects them.
  bool collecting() const noexcept { return collect_; }

  void add(SnapshotFault fault, const std::string& detail) {
    if (!collect_) throw SnapshotError(fault, name_, detail);
    if (list_.size() < kMaxProblems) {
      list_.push_back(name_ + ": " + detail);
    } else {
      ++more_;
    }
  }
  void rule(std::string_view table, Id id, std::string_view field,
            const std::string& message) {
    add(SnapshotFault::kRule, "broken rule in table " + std::string(table) +
                                  ", row id " + std::to_string(id) +
                                  ", field " + std::string(field) + ": " +
                                  message);
  }

  std::vector<std::string> take() {
    if (more_ > 0)
      list_.push_back(name_ + ": ... and " + std::to_string(more_) +
                      " more problems");
    return std::move(list_);
  }

 private:
  std::string name_;
  bool collect_;
  std::vector<std::string> list_;
  std::size_t more_ = 0;
};

// Calls f.template operator()<I>() for each model position I.
template <class... Models, class F>
void for_each_model(F&& f) {
  auto each = [&]<std::size_t... I>(std::index_sequence<I...>) {
    (f.template operator()<I>(), ...);
  };
  each(std::index_sequence_for<Models...>());
}

// ---- Which field a constraint error is about, as Django files it ----

template <class Key>
struct SingleMember {
  static constexpr bool kSingle = false;
};
template <class C, class T, T C::*P>
struct SingleMember<boost::multi_index::member<C, T, P>> {
  static constexpr bool kSingle = true;
  static constexpr T C::*kMember = P;
};

// The field a unique constraint on index Tag belongs to: its one field, or
// "__all__" for a constraint over several (UniqueConstraint).
template <class M, class Tag>
std::string_view unique_field() {
  using Index = typename boost::multi_index::index<typename Table<M>::Container,
                                                   Tag>::type;
  using Key = SingleMember<typename Index::key_from_value>;
  std::string_view name = "__all__";
  if constexpr (Key::kSingle) {
    std::apply(
        [&](const auto&... f) {
          (
              [&](const auto& field) {
                if constexpr (std::is_same_v<
                                  std::remove_cv_t<decltype(field.member)>,
                                  std::remove_cv_t<decltype(Key::kMember)>>) {
                  if (field.member == Key::kMember) name = field.name;
                }
              }(f),
              ...);
        },
        internal::kFieldsOf<M>);
  }
  return name;
}

template <class M>
std::string_view field_of(const IntegrityError& e) {
  std::string_view field = "__all__";
  if (e.constraint() == std::string(M::kInfo.table) + "_pkey") return "id";
  internal::for_each_in(internal::foreign_keys_of<M>(), [&](const auto& fk) {
    if (e.constraint() == std::string(M::kInfo.table) + "_" +
                              std::string(fk.column_name) + "_fkey") {
      field = fk.field;
    }
  });
  internal::for_each_in(internal::unique_constraints_of<M>(),
                        [&](const auto& u) {
                          using Tag = typename std::decay_t<decltype(u)>::tag;
                          if (e.constraint() == u.name)
                            field = unique_field<M, Tag>();
                        });
  return field;
}

// ---- Loading ----

// The most rows one bucket of a unique hashed index may hold. The id hash is
// the identity and the string hashes are not keyed, so a crafted file can
// aim all its rows at one bucket and make each insert walk all the rows
// before it (40,000 such ids took 5 s to load instead of 14 ms). Rows of a
// sound file land in buckets of one or two at the indexes' load factor.
constexpr std::size_t kMaxBucketRows = 64;

// Refuses a row whose bucket in one of M's unique hashed indexes (by_id and
// those of the unique constraints) holds more than kMaxBucketRows rows. The
// insert has just walked that bucket, so this costs little.
template <class M, class Db>
void check_buckets(const Db& db, const M& row, const std::string& name) {
  const auto& container = db.template table<M>().container();
  auto check = [&](const auto& index, std::string_view what) {
    if constexpr (requires { index.local_iterator_to(row); }) {
      // The insert linked the row first in its bucket: the rows from it to
      // the bucket's end are the bucket's (its hash is not computed again).
      std::size_t rows = 0;
      for (auto it = index.local_iterator_to(row), end = index.end(0);
           it != end && rows <= kMaxBucketRows; ++it) {
        ++rows;
      }
      if (rows > kMaxBucketRows) {
        throw SnapshotError(
            SnapshotFault::kCorrupt, name,
            "corrupt snapshot: table " + std::string(M::kInfo.table) +
                " has more than " + std::to_string(kMaxBucketRows) +
                " rows whose " + std::string(what) +
                " fall into one bucket of its hash index (a file made to slow "
                "loading down)");
      }
    }
  };
  check(container.template get<by_id>(), "ids");
  internal::for_each_in(internal::unique_constraints_of<M>(),
                        [&](const auto& u) {
                          using Tag = typename std::decay_t<decltype(u)>::tag;
                          check(container.template get<Tag>(), "keys");
                        });
}

// Thrown by a load on two threads that inserted a table's rows out of file
// order and met a problem: which problem a load reports first can depend on
// the order, so the load is done again in file order to name it.
struct RetryInOrder {};

template <class... Models>
class Loader {
 public:
  using Db = BasicDatabase<Models...>;

  // `in_order`: load the tables one after another, each in file order,
  // on this thread (as a verify does).
  Loader(Problems& problems, bool in_order = false)
      : problems_(problems), in_order_(in_order) {}

  // Loads the tables of `frame` into `db`, a fresh database.
  void load(const internal::Frame& frame, Db& db) {
    const std::string& name = problems_.name();
    // Which model each table is.
    for (const auto& t : frame.info.tables) {
      bool known = false;
      for_each_model<Models...>([&]<std::size_t I>() {
        using M = std::tuple_element_t<I, std::tuple<Models...>>;
        if (t.name != M::kInfo.table) return;
        known = true;
        if (t.row_version > M::kInfo.row_version) {
          throw SnapshotError(
              SnapshotFault::kNewerRowVersion, name,
              "table " + t.name + " has rows of version " +
                  std::to_string(t.row_version) +
                  ", newer than this build reads (versions 1 to " +
                  std::to_string(M::kInfo.row_version) + ")");
        }
        std::get<I>(readers_).emplace(t.name, t.rows, t.row_version);
        infos_[I] = &t;
      });
      if (!known) {
        std::string tables;
        ((tables +=
          (tables.empty() ? "" : ", ") + std::string(Models::kInfo.table)),
         ...);
        throw SnapshotError(
            SnapshotFault::kUnknownTable, name,
            "unknown table " + t.name + " (this build has " + tables + ")");
      }
    }
    // The body: the archive's head, then the tables in the order of the
    // schema, every size checked before any row is made.
    const std::size_t head = internal::read_archive_head(frame.body, name);
    internal::BodyReader in(frame.body.subspan(head));
    for (const auto& t : frame.info.tables) {
      for_each_model<Models...>([&]<std::size_t I>() {
        if (infos_[I] == &t) std::get<I>(readers_)->parse(in);
      });
    }
    if (in.left() != 0) {
      throw CorruptBody("its body has " + std::to_string(in.left()) +
                        " bytes after the last table");
    }
    // The rows, parents before children.
    if constexpr (kChildrenOfFirst) {
      if (!problems_.collecting() && !in_order_) {
        load_in_parallel(db);
        return;
      }
    }
    load_in_order(db);
  }

 private:
  using First = std::tuple_element_t<0, std::tuple<Models...>>;

  // True when every model after the first has foreign keys to the first
  // only (authors; then profiles and books, which refer to authors): once
  // the first table is loaded, the others only read it, and each can be
  // loaded by a thread of its own.
  static constexpr bool kChildrenOfFirst = [] {
    bool only_first = true;
    auto check = [&]<class M>() {
      internal::for_each_in(internal::foreign_keys_of<M>(), [&](const auto& fk) {
        using Parent = typename std::decay_t<decltype(fk)>::parent;
        if (!std::is_same_v<Parent, First> || std::is_same_v<M, First>)
          only_first = false;
      });
    };
    (check.template operator()<Models>(), ...);
    return only_first && sizeof...(Models) > 1;
  }();

  // How many rows a table decoded on the loading thread goes in at a time.
  static constexpr std::uint64_t kBatchRows = 256;

  // Loads table I, decoding its rows on this thread.
  template <std::size_t I>
  void load_table(Db& db) {
    using M = std::tuple_element_t<I, std::tuple<Models...>>;
    if (!std::get<I>(readers_)) return;
    auto& reader = *std::get<I>(readers_);
    load_rows<M>(*infos_[I], db, [&](auto&& insert) {
      // A row that fails to decode ends the load once the rows before it
      // are in (their problems come first, as the file has them).
      std::vector<M> batch;
      for (std::uint64_t i = 0; i < reader.rows(); i += kBatchRows) {
        batch.clear();
        const std::uint64_t n = std::min(kBatchRows, reader.rows() - i);
        std::exception_ptr error;
        try {
          for (std::uint64_t j = 0; j < n; ++j) batch.push_back(reader.next());
        } catch (...) {
          error = std::current_exception();
        }
        insert(std::span<M>(batch));
        if (error) std::rethrow_exception(error);
      }
    });
  }

  // The tables in model order, parents before children, on this thread.
  void load_in_order(Db& db) {
    for_each_model<Models...>([&]<std::size_t I>() { load_table<I>(db); });
  }

  // A load (which stops at the first problem) on two threads:
  //   this thread: the first table, then the largest of the others, whose
  //     rows come decoded through a RowPipe;
  //   the worker: decodes (and validates) rows of the first table ahead,
  //     then of the largest while the first one loads, then loads the other
  //     tables, then decodes ahead again.
  // Each table is written by one thread only, and the first one is only
  // read once it is loaded. An error is the one a load in model order
  // reports: that of the earliest table.
  void load_in_parallel(Db& db) {
    std::size_t largest = 0;
    std::uint64_t largest_rows = 0;
    for_each_model<Models...>([&]<std::size_t I>() {
      if (I > 0 && std::get<I>(readers_) && infos_[I]->rows > largest_rows) {
        largest = I;
        largest_rows = infos_[I]->rows;
      }
    });
    if (largest_rows < internal::kParallelRows) {
      load_in_order(db);
      return;
    }
    for_each_model<Models...>([&]<std::size_t L>() {
      if constexpr (L > 0) {
        if (L == largest) load_in_parallel<L>(db);
      }
    });
  }

  template <std::size_t L>
  void load_in_parallel(Db& db) {
    using Big = std::tuple_element_t<L, std::tuple<Models...>>;
    internal::RowPipe<Big> pipe(*std::get<L>(readers_),
                                &Db::template validate<Big>);
    std::optional<internal::RowPipe<First>> first_pipe;
    if (std::get<0>(readers_)) {
      first_pipe.emplace(*std::get<0>(readers_), &Db::template validate<First>);
    }
    std::array<std::exception_ptr, sizeof...(Models)> errors;
    // The worker waits for the first table before it loads the others.
    std::mutex mutex;
    std::condition_variable first_done;
    enum class Stage { kLoading, kLoaded, kFailed } first = Stage::kLoading;

    // The tables other than the first and the largest, in model order,
    // until one fails.
    auto others = [&]() noexcept {
      bool failed = false;
      for_each_model<Models...>([&]<std::size_t I>() {
        if constexpr (I > 0 && I != L) {
          if (failed) return;
          try {
            load_table<I>(db);
          } catch (...) {
            errors[I] = std::current_exception();
            failed = true;
          }
        }
      });
    };
    auto worker = [&]() noexcept {
      if (first_pipe) {
        while (first_pipe->decode_ahead(false)) {
        }
      }
      while (pipe.decode_ahead(false)) {
      }
      {
        std::unique_lock lock(mutex);
        first_done.wait(lock, [&] { return first != Stage::kLoading; });
        if (first == Stage::kFailed) return;
      }
      others();
      while (pipe.decode_ahead(true)) {
      }
    };
    std::thread thread;
    try {
      thread = std::thread(worker);
    } catch (const std::system_error&) {
      // No second thread: this one does it all, in model order.
    }
    auto first_loaded = [&](bool loaded) {
      {
        std::lock_guard lock(mutex);
        first = loaded ? Stage::kLoaded : Stage::kFailed;
      }
      first_done.notify_one();
    };
    try {
      if (first_pipe) load_from(*first_pipe, *infos_[0], db);
    } catch (...) {
      if (first_pipe) first_pipe->stop();
      pipe.stop();
      first_loaded(false);
      if (thread.joinable()) thread.join();
      throw;
    }
    first_loaded(true);
    if (!thread.joinable()) others();
    try {
      load_from(pipe, *infos_[L], db);
    } catch (...) {
      errors[L] = std::current_exception();
      pipe.stop();
    }
    if (thread.joinable()) thread.join();
    for (const auto& e : errors)
      if (e) std::rethrow_exception(e);
  }

  // Loads table M from the rows `pipe` decodes and validates, on either
  // thread.
  template <class M>
  void load_from(internal::RowPipe<M>& pipe, const SnapshotInfo::TableInfo& info,
                 Db& db) {
    load_rows<M>(info, db, [&](auto&& insert) {
      if constexpr (internal::OrderedByInteger<M>::value) {
        insert_ordered(pipe, insert, db);
      } else {
        while (auto chunk = pipe.take()) insert_chunk(*chunk, insert);
      }
    });
  }

  // Passes a chunk's rows to insert(span, n valid), then throws what
  // stopped its decoding, if anything did.
  template <class Chunk, class Insert>
  static void insert_chunk(Chunk& chunk, Insert& insert) {
    insert(std::span(chunk.rows), chunk.valid);
    if (chunk.error) std::rethrow_exception(chunk.error);
  }

  // Passes the rows of `pipe` to insert(span, n valid) in file order while
  // they come in the order of M's ordered index, whose insert then costs
  // O(1) (a hint at its end). Rows that do not (books whose authors come in
  // any order) would each descend the index's tree from its root: a chain
  // of cache misses for every row of a large table (8 s instead of 0.8 s for
  // 5 million books). From the first row out of order on, the rows are held,
  // put in order by the integer that leads the index's key (a stable
  // counting sort: rows with the same one keep their file order), and then
  // inserted. Held rows that failed to decode or to validate go in in file
  // order instead; a problem met among the sorted rows throws RetryInOrder.
  template <class M, class Insert>
  void insert_ordered(internal::RowPipe<M>& pipe, Insert& insert, const Db& db) {
    using Chunk = typename internal::RowPipe<M>::Chunk;
    constexpr std::size_t k = internal::OrderedByInteger<M>::kIndex;
    const auto& index = db.template table<M>().container().template get<k>();
    const auto& key = index.key_extractor();
    const auto& less = index.key_comp();
    std::optional<M> last;  // the last row inserted so far
    std::vector<Chunk> held;
    std::size_t count = 0;  // rows held
    bool clean = true;      // every row held decoded and passed validate()
    while (auto chunk = pipe.take()) {
      if (held.empty()) {
        std::vector<M>& rows = chunk->rows;
        bool in_order = rows.empty() || !last || less(key(*last), key(rows[0]));
        for (std::size_t i = 1; in_order && i < rows.size(); ++i) {
          in_order = less(key(rows[i - 1]), key(rows[i]));
        }
        if (in_order) {
          if (!rows.empty()) last = rows.back();
          insert_chunk(*chunk, insert);
          continue;
        }
      }
      // A chunk with a row that failed to decode or validate: no sorting,
      // the rest goes in in file order.
      clean = !chunk->error && chunk->valid == chunk->rows.size();
      count += chunk->rows.size();
      held.push_back(std::move(*chunk));
      if (!clean) break;
    }
    if (held.empty()) return;
    if (!clean || count > std::numeric_limits<std::uint32_t>::max()) {
      for (Chunk& c : held) insert_chunk(c, insert);
      while (auto chunk = pipe.take()) insert_chunk(*chunk, insert);
      return;
    }
    std::vector<M*> rows;
    for (Chunk& c : held) {
      for (M& row : c.rows) rows.push_back(&row);
    }
    const std::vector<std::uint32_t> order = internal::order_by_leading_key<M>(
        rows.size(), [&](std::size_t i) -> const M& { return *rows[i]; });
    // Into batches in the index's order, then in: a batch is read ahead
    // whole, so that its rows' reads overlap.
    try {
      internal::for_each_batch_in<M>(
          order, Db::kReadAhead, [&](std::uint32_t i) -> M& { return *rows[i]; },
          [&](std::span<M> batch) { insert(batch, batch.size()); });
    } catch (const SnapshotError&) {
      throw RetryInOrder{};
    }
  }

  // Loads the rows of M that each_batch(insert) passes to insert(span of
  // M, n), in file order, checking every rule (bulk_restore), the buckets
  // and the next id. The first n rows of a span have passed validate()
  // already (0 when not given).
  template <class M, class EachBatch>
  void load_rows(const SnapshotInfo::TableInfo& info, Db& db,
                 EachBatch&& each_batch) {
    const std::string_view table = M::kInfo.table;
    db.template reserve<M>(static_cast<std::size_t>(info.rows));
    Id max_id = 0;
    // `valid`: the row passed validate() already.
    auto insert = [&](M& row, bool valid) {
      const Id id = row.id;
      if (id == 0) {
        // restore() would number it; a saved row always has its id.
        problems_.rule(table, id, "id",
                       "Ensure this value is greater than or equal to 1.");
        return;
      }
      try {
        check_buckets(db,
                      valid ? db.template bulk_restore_valid<M>(std::move(row))
                            : db.template bulk_restore<M>(std::move(row)),
                      problems_.name());
        max_id = std::max(max_id, id);
      } catch (const ValidationError& e) {
        for (const FieldError& f : e.errors()) {
          for (const std::string& m : f.messages)
            problems_.rule(table, id, f.field, m);
        }
      } catch (const IntegrityError& e) {
        problems_.rule(table, id, field_of<M>(e), e.what());
      }
    };
    // Rows go in a batch at a time, in file order, each batch read ahead
    // (for_each_reading_ahead()).
    each_batch([&](std::span<M> rows, std::size_t n_valid = 0) {
      std::size_t i = 0;
      db.for_each_reading_ahead(rows,
                                [&](M& row) { insert(row, i++ < n_valid); });
    });
    if (info.next_id <= max_id) {
      problems_.add(SnapshotFault::kCorrupt,
                    "corrupt snapshot: table " + info.name + " has next id " +
                        std::to_string(info.next_id) +
                        ", not above its highest id " + std::to_string(max_id));
    }
    db.template advance_next_id<M>(info.next_id);
  }

  Problems& problems_;
  bool in_order_;
  std::tuple<std::optional<internal::TableReader<Models>>...> readers_;
  std::array<const SnapshotInfo::TableInfo*, sizeof...(Models)> infos_{};
};

template <class... Models>
void load_into_fresh(const internal::Frame& frame, BasicDatabase<Models...>& db,
                     Problems& problems) {
  try {
    try {
      Loader<Models...>(problems).load(frame, db);
    } catch (const RetryInOrder&) {
      // The problem a load in file order meets first is the one to report.
      db = BasicDatabase<Models...>();
      Loader<Models...>(problems, true).load(frame, db);
    }
  } catch (const CorruptBody& e) {
    throw SnapshotError(SnapshotFault::kCorrupt, problems.name(),
                        std::string("corrupt snapshot: ") + e.what());
  }
}

// ---- Saving ----

template <class... Models>
void plan_tables(const BasicDatabase<Models...>& db,
                 const internal::WriteOptions& options,
                 std::vector<SnapshotInfo::TableInfo>& tables,
                 internal::BodyPlan& plan) {
  for_each_model<Models...>([&]<std::size_t I>() {
    using M = std::tuple_element_t<I, std::tuple<Models...>>;
    const std::string name(M::kInfo.table);
    if (std::find(options.omit_tables.begin(), options.omit_tables.end(),
                  name) != options.omit_tables.end()) {
      return;
    }
    std::uint32_t version = M::kInfo.row_version;
    for (const auto& [table, v] : options.row_versions) {
      if (table == name) version = v;
    }
    if (version == 0 || version > M::kInfo.row_version) {
      throw UsageError("table " + name + " has no row version " +
                       std::to_string(version));
    }
    const Table<M>& table = db.template table<M>();
    tables.push_back({name, version, table.size(), table.next_id()});
    plan.append(internal::encode_table(table, version));
  });
}

}  // namespace

namespace internal {

void save_snapshot(const Database& db, const std::filesystem::path& path,
                   const WriteOptions& options) {
  std::vector<SnapshotInfo::TableInfo> tables;
  BodyPlan plan;
  plan_tables(db, options, tables, plan);
  const std::vector<unsigned char> head =
      encode_head(tables, archive_head_bytes() + plan.size());
  write_snapshot_file(path, head, plan);
}

}  // namespace internal

void save_snapshot(const Database& db, const std::filesystem::path& path) {
  internal::save_snapshot(db, path, {});
}

Database load_snapshot_bytes(std::span<const std::byte> bytes,
                             std::string_view name_for_errors) {
  const std::string name(name_for_errors);
  const internal::Frame frame = internal::parse_frame(bytes, name);
  Database db;
  Problems problems(name, false);
  load_into_fresh(frame, db, problems);
  return db;
}

Database load_snapshot(const std::filesystem::path& path) {
  const internal::FileBytes file = internal::read_snapshot_file(path);
  return load_snapshot_bytes(file.span(), path.string());
}

void load_snapshot_into(Database& db, const std::filesystem::path& path) {
  if (db.in_transaction()) {
    throw UsageError("load_snapshot_into() cannot run inside a transaction");
  }
  Database loaded = load_snapshot(path);
  db.swap(loaded);
}

SnapshotInfo read_snapshot_info(const std::filesystem::path& path) {
  const internal::FileBytes file = internal::read_snapshot_file(path);
  return internal::parse_frame(file.span(), path.string()).info;
}

std::vector<std::string> verify_snapshot(const std::filesystem::path& path) {
  Problems problems(path.string(), true);
  try {
    const internal::FileBytes file = internal::read_snapshot_file(path);
    const internal::Frame frame =
        internal::parse_frame(file.span(), path.string());
    Database db;
    load_into_fresh(frame, db, problems);
  } catch (const SnapshotError& e) {
    std::vector<std::string> found = problems.take();
    found.push_back(e.what());
    return found;
  }
  return problems.take();
}

}  // namespace folio
