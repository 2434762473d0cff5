// The database: the tables of a set of models, and the one write path that
// keeps every rule. Start here.
//
//   folio::Database db;                         // authors, profiles, books
//   const auto& a = db.create(folio::Author{.name = "George Orwell",
//                                           .email = "orwell@example.com"});
//   db.atomic([&] { db.create(folio::Book{...}); db.update(...); });
//   folio::DeleteResult r = db.remove<folio::Author>(a.id);
#pragma once

#include <algorithm>
#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <ranges>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <boost/container/small_vector.hpp>
#include <boost/container/static_vector.hpp>
#include <boost/mpl/size.hpp>
#include <boost/multi_index_container.hpp>

#include "folio/error.h"
#include "folio/internal/key_order.h"
#include "folio/internal/prefetch.h"
#include "folio/internal/schema.h"
#include "folio/model.h"
#include "folio/rules.h"
#include "folio/table.h"

namespace folio {

// Gives back to the system the memory that destroyed databases left for the
// next ones, and returns how many bytes that was. A table's rows live in
// 2 MiB chunks; when a database goes, the process keeps its chunks (up to as
// many bytes as the live databases use) so that the next load writes into
// memory it already holds rather than into fresh pages, as malloc keeps freed
// memory. Call this after dropping a large database for good. Thread-safe.
std::size_t release_unused_memory() noexcept;

// The counts of a delete per model, in deletion order, as (label, count)
// pairs such as ("myapp.AuthorProfile", 1). The labels are the models' own
// (ModelInfo::label) and stay valid for the life of the program. Up to four
// pairs are held without allocating. Compares equal to any list of pairs
// with the same labels and counts, such as a
// std::vector<std::pair<std::string, std::size_t>>.
class ModelCounts {
 public:
  using value_type = std::pair<std::string_view, std::size_t>;
  using const_iterator = const value_type*;
  using iterator = const_iterator;

  // REQUIRES: `label` outlives the list (a model's ModelInfo::label does).
  void emplace_back(std::string_view label, std::size_t count) {
    pairs_.emplace_back(label, count);
  }
  const_iterator begin() const noexcept { return pairs_.data(); }
  const_iterator end() const noexcept { return pairs_.data() + pairs_.size(); }
  std::size_t size() const noexcept { return pairs_.size(); }
  bool empty() const noexcept { return pairs_.empty(); }
  const value_type& operator[](std::size_t i) const noexcept {
    return pairs_[i];
  }

  friend bool operator==(const ModelCounts& a, const ModelCounts& b) noexcept {
    return std::ranges::equal(a, b);
  }
  template <std::ranges::input_range Pairs>
  friend bool operator==(const ModelCounts& a, const Pairs& b) {
    return std::ranges::equal(a, b, [](const value_type& x, const auto& y) {
      return x.first == y.first && x.second == y.second;
    });
  }

 private:
  boost::container::small_vector<value_type, 4> pairs_;
};

// What a delete removed, as Django's delete() returns it: the total, and the
// count per model in deletion order, models with nothing deleted left out.
struct DeleteResult {
  std::size_t total = 0;
  ModelCounts per_model;

  // The count for a model label, 0 when none.
  std::size_t count(std::string_view label) const noexcept {
    for (const auto& [name, n] : per_model) {
      if (name == label) return n;
    }
    return 0;
  }
  friend bool operator==(const DeleteResult&, const DeleteResult&) = default;
};

// The tables of Models... (parents listed before their children) and the
// write path through which every create, update and delete passes: it
// validates the row (Django's full_clean), checks foreign keys and unique
// constraints, applies the change to every index, cascades deletes, and
// records what a transaction needs to undo it.
//
// Every write fully happens or changes nothing. Ids come from a per-table
// counter that starts at 1 and never goes back (not after a delete, a failed
// write or a rollback).
//
// Thread safety: thread-compatible, like a standard container. Any number of
// threads may call const members at once; a non-const call needs exclusive
// access. SharedDatabase (shared_database.h) adds the locking for many
// readers and one writer. References and Rows returned by reads stay valid
// until the row is updated or deleted, or the database is destroyed.
template <class... Models>
class BasicDatabase {
 public:
  class Transaction;

  BasicDatabase() { (prepare_lookup_indexes<Models>(), ...); }
  BasicDatabase(BasicDatabase&&) = default;
  BasicDatabase& operator=(BasicDatabase&&) = default;
  BasicDatabase(const BasicDatabase&) = delete;
  BasicDatabase& operator=(const BasicDatabase&) = delete;

  template <class M>
  static constexpr bool holds = (std::is_same_v<M, Models> || ...);

  // ---- Reads. Never change anything. ----

  template <class M>
  const Table<M>& table() const noexcept {
    static_assert(holds<M>, "this database has no table for the model");
    return std::get<Table<M>>(tables_);
  }
  // The row with this id, or nullptr.
  template <class M>
  const M* find(Id id) const noexcept {
    return table<M>().find(id);
  }
  // The row with this id. Throws DoesNotExist ("Author matching query does
  // not exist.") when there is none.
  template <class M>
  const M& get(Id id) const {
    if (const M* row = find<M>(id)) [[likely]] return *row;
    throw_does_not_exist(M::kInfo.name);
  }
  // The row whose key in index Tag equals key, or nullptr. Never allocates.
  template <class M, class Tag, class Key>
  const M* find_by(const Key& key) const noexcept {
    return table<M>().template find_by<Tag>(key);
  }
  template <class M>
  std::size_t count() const noexcept {
    return table<M>().size();
  }
  // Every row of M in id order.
  template <class M>
  Rows<M> all() const {
    return table<M>().all();
  }
  // The rows of M for which pred(row) is true, in id order.
  template <class M, class Pred>
  Rows<M> filter(Pred pred) const {
    return table<M>().filter(std::move(pred));
  }

  // The parent a child row refers to (book -> author, profile -> author).
  template <class Parent, class Child>
  const Parent& parent(const Child& child) const {
    constexpr auto fk = internal::foreign_key_to<Child, Parent>();
    return get<Parent>(child.*fk.column);
  }
  // The children of a parent row through Child's foreign key, in the order
  // of the ordered index that serves the key (id order for the (fk, id)
  // indexes): author -> books. Without a lookup index, a range over the
  // ordered index (no copy); with one, the rows as found in the lookup index,
  // put in that order (Rows, which holds up to 8 without allocating).
  template <class Child, class Parent>
  auto children(const Parent& parent) const {
    constexpr auto fk = internal::foreign_key_to<Child, Parent>();
    using Key = decltype(fk);
    if constexpr (std::is_same_v<typename Key::tag, typename Key::lookup_tag>) {
      const auto& index = table<Child>().template index<typename Key::tag>();
      auto [first, last] = internal::equal_range_of(index, parent.id);
      return Range<decltype(first)>(first, last);
    } else {
      return lookup_children<Child>(parent, fk);
    }
  }
  // The one child of a parent through a unique foreign key (author ->
  // profile), or nullptr.
  template <class Child, class Parent>
  const Child* find_child(const Parent& parent) const noexcept {
    constexpr auto fk = internal::foreign_key_to<Child, Parent>();
    using Tag = typename decltype(fk)::tag;
    return table<Child>().template find_by<Tag>(parent.id);
  }

  // Calls f(table) for each table, in model order.
  template <class F>
  void for_each_table(F&& f) const {
    (f(table<Models>()), ...);
  }

  // Django's full_clean() without the uniqueness part: throws
  // ValidationError listing every failing field, in model order.
  template <class M>
  static void validate(const M& row) {
    FieldErrors errors;
    if (row.id < 0 || row.id == kMaxId) {
      rules::add(errors, "id",
                 row.id < 0 ? "Ensure this value is greater than or equal to 1."
                            : "Ensure this value is less than 9223372036854775807.");
    }
    rules::clean_fields(row, errors);
    if (!errors.empty()) throw ValidationError(M::kInfo.name, std::move(errors));
  }

  // ---- Writes. Each is atomic on its own and may run in a transaction. ----

  // Inserts a row, as Model.objects.create() does. An id of 0 takes the next
  // id of the table; an explicit id is kept and advances the counter past
  // it. Runs the model's on_create hook first (auto_now_add: Author's
  // created_at becomes the current time). Returns the stored row.
  // Throws ValidationError, or IntegrityError for a duplicate id, a unique
  // key already taken, or a foreign key to a missing row.
  template <class M>
  const M& create(M row) {
    if constexpr (requires { M::on_create(row); }) M::on_create(row);
    return insert_checked(std::move(row));
  }
  // Inserts a row exactly as given, hooks skipped (created_at kept): for
  // loading snapshots, fixtures and CSV. Same rules and errors as create().
  template <class M>
  const M& restore(M row) {
    return insert_checked(std::move(row));
  }
  // Restores every row of `rows` (a vector or span of one model's rows), in
  // order, all or nothing: in a transaction of its own (a savepoint inside
  // the caller's), so the first error undoes the rows before it and is
  // thrown. The same rules and errors as restore() row by row, and faster
  // on large tables: it reads ahead what the next rows' inserts will need
  // from memory (see prefetch_inserts()).
  // From the first row out of the order of M's ordered index on (books
  // whose authors come in any order), the rest are inserted in that order,
  // which is much faster (see insert_rows()); should one of them fail, they
  // are restored again in the given order, so that the error thrown is
  // still the first in that order.
  template <std::ranges::contiguous_range R>
  void restore_all(const R& rows) {
    using M = std::ranges::range_value_t<R>;
    atomic([&] {
      insert_rows(
          std::span<const M>(rows), [&](const M& row) { insert_checked(M(row)); },
          [&](std::span<const M> rest, const std::vector<std::uint32_t>& order) {
            // A savepoint of its own: a failure undoes these rows only.
            const Id next_id = table<M>().next_id_;
            try {
              atomic([&] {
                for_each_in_order(rest, order,
                                  [&](M& row) { insert_checked(std::move(row)); });
              });
              return true;
            } catch (const Error&) {
              // The next id goes back too, so that the given order numbers
              // as it would have.
              mutable_table<M>().next_id_ = next_id;
              return false;
            }
          });
    });
  }
  // Replaces the stored row that has row.id with `row` (the on_update hook
  // keeps fields an update must not change, such as created_at). Returns the
  // stored row. Throws DoesNotExist, ValidationError or IntegrityError.
  template <class M>
  const M& update(M row) {
    auto& rows = mutable_table<M>().rows_;
    auto it = rows.template get<by_id>().find(row.id);
    if (it == rows.template get<by_id>().end()) throw_does_not_exist(M::kInfo.name);
    if constexpr (requires { M::on_update(*it, row); }) M::on_update(*it, row);
    validate(row);
    check_foreign_keys(row, &*it);
    return apply_replace<M>(it, std::move(row));
  }
  // Deletes the row with this id and, through ON DELETE CASCADE, every row
  // that refers to it, recursively. Returns Django's delete() counts.
  // Throws DoesNotExist when there is no such row.
  template <class M>
  DeleteResult remove(Id id) {
    const M* row = &get<M>(id);
    Plan plan;
    std::get<PlanRows<M>>(plan.rows).push_back(row);
    Plan::add(plan.collected, internal::index_of<M, Models...>());
    // The children are looked up by the id given, not the one in the row:
    // the lookups need not wait for the row to come in from memory.
    collect_children<M>(std::span(&id, 1), plan);
    return apply_delete<M>(plan);
  }

  // ---- Transactions. ----

  // Runs f() as one transaction: if f throws, every write it made is undone
  // and the exception propagates; otherwise the writes stay. Nests: an inner
  // atomic() that fails undoes only its own writes (a savepoint), as
  // Django's atomic() does. Returns what f returns.
  template <class F>
  decltype(auto) atomic(F&& f) {
    Transaction tx(*this);
    if constexpr (std::is_void_v<std::invoke_result_t<F&>>) {
      std::invoke(f);
      tx.commit();
    } else {
      decltype(auto) result = std::invoke(f);
      tx.commit();
      return result;
    }
  }
  // True inside a transaction.
  bool in_transaction() const noexcept { return depth_ > 0; }

  // An explicit transaction: begun by the constructor, ended by commit() or
  // rollback(); the destructor rolls back one that was not ended.
  // Transactions end in the reverse order of their beginning.
  class Transaction {
   public:
    explicit Transaction(BasicDatabase& db)
        : db_(&db), mark_(db.undo_.size()), level_(++db.depth_) {}
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    ~Transaction() {
      if (db_ != nullptr) rollback();
    }
    // Keeps the writes. Throws UsageError when an inner transaction is open.
    void commit() {
      end();
      if (--db_->depth_ == 0) db_->undo_.clear();
      db_ = nullptr;
    }
    // Undoes every write since the transaction began.
    void rollback() noexcept {
      if (db_ == nullptr || db_->depth_ != level_) return;
      db_->undo_to(mark_);
      --db_->depth_;
      db_ = nullptr;
    }

   private:
    void end() const {
      if (db_ == nullptr) throw UsageError("the transaction has already ended");
      if (db_->depth_ != level_) {
        throw UsageError("an inner transaction is still open");
      }
    }
    BasicDatabase* db_;
    std::size_t mark_;
    int level_;
  };

  // Exchanges the contents of two databases (used by snapshot loading to
  // replace the live tables only once the new ones have passed every check).
  // REQUIRES: neither is in a transaction.
  void swap(BasicDatabase& other) noexcept {
    tables_.swap(other.tables_);
  }
  // Sets a table's next id, for loaders restoring a saved counter. The
  // counter never goes back: a value at or below the current one is ignored.
  template <class M>
  void advance_next_id(Id next) noexcept {
    auto& t = mutable_table<M>();
    if (next > t.next_id_) t.next_id_ = next;
  }

  // ---- Bulk loads (snapshots): the rules of restore(), less work per row.

  // Sizes every hashed index of M for `rows` rows in all, so that loading
  // them does not rehash. Throws std::bad_alloc.
  template <class M>
  void reserve(std::size_t rows) {
    auto& container = mutable_table<M>().rows_;
    auto reserve_index = [&](auto i) {
      auto& index = container.template get<decltype(i)::value>();
      if constexpr (requires { index.reserve(rows); }) index.reserve(rows);
    };
    for_each_index<M>(reserve_index);
    fit_lookup_indexes<M>(rows);
  }
  // Inserts a row exactly as given, as restore() does, with the same checks
  // and the same errors, for loaders adding many rows to a fresh table (see
  // reserve()). It is cheaper per row: a unique key is checked by the insert
  // into its index instead of a lookup before it, and the row enters M's
  // first ordered index with a hint at its end, which costs O(1) when rows
  // come in that index's order (any order is still correct). Returns the
  // stored row. Throws ValidationError or IntegrityError, and UsageError in
  // a transaction (nothing would undo the row).
  // (Always inlined: with the loaders' several call sites GCC stopped
  // inlining it, and 5M books into a fresh database took 0.95 s, not 0.87.)
  template <class M>
  [[gnu::always_inline]] inline const M& bulk_restore(M row) {
    return bulk_insert<true>(std::move(row));
  }
  // bulk_restore() of a row that validate() has passed already (on another
  // thread, say): the same, less the field rules. REQUIRES: validate(row)
  // did not throw.
  template <class M>
  const M& bulk_restore_valid(M row) {
    return bulk_insert<false>(std::move(row));
  }

  // bulk_restore() of every row of `rows` (a vector or span of one model's
  // rows), in order, reading ahead as restore_all() does. The first error is
  // thrown and the rows before it stay: a loader discards the fresh
  // database. From the first row out of the order of M's ordered index on,
  // the rest go in in that order, as in restore_all(); should one fail,
  // those are taken out again and go in in the given order.
  template <std::ranges::contiguous_range R>
  void bulk_restore_all(const R& rows) {
    using M = std::ranges::range_value_t<R>;
    if (depth_ > 0) {
      throw UsageError("bulk_restore_all() cannot run inside a transaction");
    }
    insert_rows(
        std::span<const M>(rows), [&](const M& row) { bulk_restore(M(row)); },
        [&](std::span<const M> rest, const std::vector<std::uint32_t>& order) {
          auto& t = mutable_table<M>();
          const Id next_id = t.next_id_;
          std::size_t inserted = 0;
          // Out of order, these rows would not be "the rows before the
          // error": out they go, whatever the error.
          auto undo = [&]() noexcept {
            auto& by = t.rows_.template get<by_id>();
            for (std::size_t i = 0; i < inserted; ++i) by.erase(rest[order[i]].id);
            t.next_id_ = next_id;
          };
          try {
            for_each_in_order(rest, order, [&](M& row) {
              bulk_restore(std::move(row));
              ++inserted;
            });
            return true;
          } catch (const Error&) {
            undo();
            return false;
          } catch (...) {
            undo();
            throw;
          }
        });
  }

  // Brings in from memory what inserting the rows of `batch` (a vector or
  // span of one model's rows) into the model's hashed indexes will read
  // (each key's bucket and the rows already in it), for a loader to call on
  // a batch of rows before inserting them one by one. A hint only:
  // it changes nothing. The buckets of a million-row index are random
  // places in memory; inserted one after another, each row waits for its
  // own; touched in one tight loop, the reads of a batch overlap.
  template <std::ranges::contiguous_range R>
  void prefetch_inserts(const R& batch) const noexcept {
    using M = std::ranges::range_value_t<R>;
    const std::span<const M> rows(batch);
    if (rows.empty()) return;
    const auto& container = table<M>().rows_;
    auto touch_index = [&](auto i) {
      const auto& index = container.template get<decltype(i)::value>();
      if constexpr (requires { index.bucket(index.key_extractor()(rows[0])); }) {
        std::array<std::size_t, kReadAhead> bucket;
        for (std::size_t from = 0; from < rows.size(); from += kReadAhead) {
          const std::size_t n = std::min(kReadAhead, rows.size() - from);
          for (std::size_t j = 0; j < n; ++j) {
            bucket[j] = index.bucket(index.key_extractor()(rows[from + j]));
          }
          for (std::size_t j = 0; j < n; ++j) {
            // The walk reads each node's links; the insert also compares
            // its key, which may be on another cache line of the row.
            for (auto it = index.begin(bucket[j]), end = index.end(bucket[j]);
                 it != end; ++it) {
              const char* row = reinterpret_cast<const char*>(&*it);
              internal::read_ahead(row);
              internal::read_ahead(row + sizeof(M) - 1);
            }
          }
        }
      }
    };
    for_each_index<M>(touch_index);
  }
  // How many rows prefetch_inserts() reads ahead at once: enough for their
  // reads to overlap, few enough to stay in the cache until inserted.
  static constexpr std::size_t kReadAhead = 32;
  // restore_all() and bulk_restore_all() of fewer rows than this insert
  // them in their own order: their tree descents cost less than sorting.
  static constexpr std::size_t kSortFrom = 1024;

  // Calls f(row) for each row of `rows` (a vector or span of one model's
  // rows; f gets them as the range gives them, so a loader may move from
  // them), in order, each batch of kReadAhead rows read ahead with
  // prefetch_inserts() before f gets its rows: for a loader that inserts
  // each row itself (with restore() or bulk_restore()). f must insert into
  // M's table only (or nothing); rows may be inserted, refused or skipped.
  // What f throws propagates.
  template <std::ranges::contiguous_range R, class F>
  void for_each_reading_ahead(R&& rows, F&& f) {
    const auto all = std::span(rows);
    for (std::size_t from = 0; from < all.size(); from += kReadAhead) {
      const auto batch = all.subspan(from, std::min(kReadAhead, all.size() - from));
      prefetch_inserts(batch);
      for (auto& row : batch) f(row);
    }
  }

 private:
  static constexpr Id kMaxId = std::numeric_limits<Id>::max();

  // Calls insert(row) for each row of `all`, reading ahead, in the given
  // order while the integer leading the key of M's ordered index does not
  // go down (each row then goes in at the index's end, or right beside the
  // last). From the first that does, the rest would each descend the
  // index's tree from its root, a chain of cache misses: when
  // internal::sort_order() allows it, they go in sorted by the index
  // through sorted(rest, order) instead, which returns false, having undone
  // its rows, when it met an error; they then go in in the given order
  // after all. The order is checked as the rows go in, not in a pass of its
  // own.
  template <class M, class Insert, class Sorted>
  void insert_rows(std::span<const M> all, Insert&& insert, Sorted&& sorted) {
    // One loop, so that insert() has one call site here (and is inlined).
    bool watch = internal::OrderedByInteger<M>::value;
    for (std::size_t from = 0; from < all.size();) {
      const auto batch = all.subspan(from, std::min(kReadAhead, all.size() - from));
      std::size_t take = batch.size();
      if constexpr (internal::OrderedByInteger<M>::value) {
        // Rows whose leading integer does not go down descend the tree
        // where the row before did, in the cache.
        if (watch) {
          take = 0;
          while (take < batch.size() &&
                 (from + take == 0 ||
                  internal::OrderedByInteger<M>::keeps_order(all[from + take - 1],
                                                            batch[take]))) {
            ++take;
          }
        }
      }
      prefetch_inserts(batch.first(take));
      for (const M& row : batch.first(take)) insert(row);
      from += take;
      if (take < batch.size()) {
        watch = false;
        const auto rest = all.subspan(from);
        const auto order = internal::sort_order<M>(
            rest.size(), [&](std::size_t i) -> const M& { return rest[i]; }, kSortFrom);
        if (!order.empty() && sorted(rest, order)) return;
      }
    }
  }

  // Calls f(copy) for a copy of each row of `rows`, in `order` (positions in
  // rows), each batch of kReadAhead copies read ahead with prefetch_inserts().
  template <class M, class F>
  void for_each_in_order(std::span<const M> rows, const std::vector<std::uint32_t>& order,
                         F&& f) {
    internal::for_each_batch_in<M>(
        order, kReadAhead, [&](std::uint32_t i) -> const M& { return rows[i]; },
        [&](std::span<M> batch) {
          prefetch_inserts(batch);
          for (M& row : batch) f(row);
        });
  }

  enum class Op : unsigned char { kInsert, kErase, kReplace };
  struct UndoEntry {
    std::size_t model;
    Op op;
    Id id;  // kInsert: the row to erase again
  };
  // What a rollback needs: the entries in write order, and for kErase and
  // kReplace the row as it was, in a per-model stack.
  struct UndoLog {
    std::vector<UndoEntry> entries;
    std::tuple<std::vector<Models>...> saved;
    std::size_t size() const noexcept { return entries.size(); }
    // Empties the log. A log grown by a large transaction (a bulk load)
    // gives its memory back rather than keep it resident (24 bytes a row
    // measured after a one-transaction load of 6.9 million rows); a small
    // one keeps its capacity for the next transaction.
    void clear() noexcept {
      constexpr std::size_t kKeep = 4096;
      release_or_clear(entries, kKeep);
      std::apply([](auto&... v) { (release_or_clear(v, kKeep), ...); }, saved);
    }
    template <class T>
    static void release_or_clear(std::vector<T>& v, std::size_t keep) noexcept {
      if (v.capacity() > keep) {
        std::vector<T>().swap(v);
      } else {
        v.clear();
      }
    }
  };

  // A delete's bookkeeping lives on the stack for the usual cascade: at most
  // one entry per model in each list, and the rows of a model inline up to
  // kInlineRows (an author's profile and books fit).
  static constexpr std::size_t kModelCount = sizeof...(Models);
  static constexpr std::size_t kInlineRows = 8;
  using ModelSet = std::bitset<kModelCount>;
  using ModelList = boost::container::static_vector<std::size_t, kModelCount>;
  template <class M>
  using PlanRows = boost::container::small_vector<const M*, kInlineRows>;

  // The rows a delete removes, per model, and what Django's Collector needs
  // to order the models: those no model refers to ("fast deletes", deleted
  // first, in the order Collector.collect() queues them), the others in the
  // order they were first collected, and which of those each one waits for.
  struct Plan {
    std::tuple<PlanRows<Models>...> rows;
    ModelList fast;
    ModelList collected;
    std::array<ModelSet, kModelCount> waits;  // waits[parent]: its children
    static void add(ModelList& models, std::size_t model) {
      if (std::find(models.begin(), models.end(), model) == models.end()) {
        models.push_back(model);
      }
    }
    // Django's deletion order: the fast deletes, then Collector.sort(): in
    // collection order, repeatedly, each model whose children are all taken.
    ModelList order() const {
      ModelList out = fast;
      ModelSet taken;
      bool progress = true;
      while (progress && taken.count() < collected.size()) {
        progress = false;
        for (std::size_t m : collected) {
          if (!taken[m] && (waits[m] & ~taken).none()) {
            out.push_back(m);
            taken.set(m);
            progress = true;
          }
        }
      }
      return out;
    }
  };

  template <class X, class C>
  static constexpr bool refers_to() {
    using Keys = decltype(internal::foreign_keys_of<X>());
    return []<std::size_t... I>(std::index_sequence<I...>) {
      return (std::is_same_v<typename std::tuple_element_t<I, Keys>::parent, C> ||
              ...);
    }(std::make_index_sequence<std::tuple_size_v<Keys>>());
  }
  // True when some model has a foreign key to C (Django cannot fast-delete C).
  template <class C>
  static constexpr bool kReferenced = (refers_to<Models, C>() || ...);

  // children() through a foreign key's hashed lookup index. A walk of the
  // hashed group touches only the children's own nodes, which a loader
  // allocates side by side; stepping through the ordered index's tree also
  // reads the nodes above them, scattered over the whole table (at 1M
  // authors: 460 ns against 720 ns for 5 books).
  template <class Child, class Parent, class Key>
  Rows<Child> lookup_children(const Parent& parent, const Key&) const {
    const auto& rows = table<Child>().container();
    const auto& lookup = rows.template get<typename Key::lookup_tag>();
    const Child* guessed = read_ahead_group<Parent>(rows, lookup, parent.id);
    auto [first, last] = internal::equal_range_of(lookup, parent.id);
    // The bucket held another key's group first: read this one's ahead now.
    if (first != last && &*first != guessed) prefetch_siblings<Parent>(rows, &*first);
    Rows<Child> found(Range(first, last));
    // Boost keeps a group in the reverse of its insertion order: children
    // created in the ordered index's order come reversed, which sort()
    // undoes in a pass.
    const auto& index = rows.template get<typename Key::tag>();
    const auto& key = index.key_extractor();
    found.sort([&](const Child& a, const Child& b) {
      return index.key_comp()(key(a), key(b));
    });
    return found;
  }

  // Reads ahead the group of children with key `id` in `lookup` (a hashed
  // index of `rows`) before the lookup itself: the first node of the key's
  // bucket, found from the bucket's slot alone, whole, and the nodes its
  // siblings most likely sit in (prefetch_siblings()). The lookup then waits
  // on one round trip to memory for all of them, where it waited on one for
  // the first node and then on another for its siblings, read ahead only
  // once the first had come in (at 1M authors with 5 books each: 434 to 466
  // -> 405 ns, harness, medians of three binaries interleaved six times).
  // Returns the row whose node it read ahead (nullptr for an empty bucket):
  // in a bucket holding another key's group first, that group's.
  template <class Parent, class Container, class Lookup>
  auto read_ahead_group(const Container& rows, const Lookup& lookup, Id id) const noexcept
      -> const typename Container::value_type* {
    using Node = typename Container::final_node_type;
    const std::size_t bucket = lookup.bucket(id);
    const auto first = lookup.begin(bucket);
    if (first == lookup.end(bucket)) return nullptr;
    // Every line the node spans: a 104-byte node may span three.
    const auto* node = reinterpret_cast<const char*>(&*first);
    for (std::size_t at = 0; at < sizeof(Node); at += 64) internal::read_ahead(node + at);
    internal::read_ahead(node + sizeof(Node) - 1);
    prefetch_siblings<Parent>(rows, &*first);
    return &*first;
  }

  // Reads ahead the nodes a group of children most likely sits in, given its
  // first node. Boost links a group newest first, and the pool hands out
  // nodes one after the other, so children created together (a loader's,
  // a snapshot's, an import's) sit right below the first. It reads as many
  // nodes as a parent has children on average, up to 8 (no division: that
  // alone cost more than it saved). Without this the walk waits on memory
  // for the next child again and again (at 1M authors, 5 books each: 665 ns
  // against 525 to 600 ns). A prefetch never faults; where the children are
  // scattered it only reads lines for nothing.
  template <class Parent, class Container, class Child>
  void prefetch_siblings(const Container& rows, const Child* first) const noexcept {
    using Node = typename Container::final_node_type;
    const std::size_t parents = count<Parent>();
    const auto node = reinterpret_cast<std::uintptr_t>(first);
    std::size_t back = 0;
    for (std::size_t n = 2 * parents; n <= rows.size() && back < 8 * sizeof(Node);
         n += parents) {
      for (const std::size_t end = back + sizeof(Node); back < end; back += 64)
        internal::read_ahead(reinterpret_cast<const void*>(node - back - 64));
    }
  }

  // Reads ahead what erasing the rows of `plans` (a PlanRows per model)
  // will read, before the first erase. Unlinking a node reads its
  // neighbours in each index, which sit anywhere in memory: erased one
  // after the other, each unlink waits for its own, one round trip after
  // another (about 180 ns each on the benchmark's machine). Here the reads
  // of every row overlap, a level at a time:
  //   the heap blocks of long texts (free() reads a block's header);
  //   a hashed index's prior and next nodes (or buckets), an ordered
  //     index's parent and children;
  //   the links an unlink follows from those: a hashed index's bucket
  //     slots, an ordered index's successor, sibling and grandparent.
  // (A third level, the sibling's children, moved the rebalance's waits
  // into the read-ahead and gained nothing.) A cascade delete of an author
  // with a profile and 5 books: 2.3-2.7 -> 1.6-1.8 us (harness, 1M
  // authors). A hint only: nothing is written, and a prefetch never
  // faults. It reads Boost's node links (get_node(), impl(), prior(),
  // next(), parent(), left(), right()), as the pool does.
  template <class... Rows>
  void read_ahead_unlinks(const Rows&... plans) const noexcept {
    // Calls f(links) for each row and index: the index's own part of the
    // row's node (a hashed index's prior() and next(), or an ordered
    // index's parent(), left() and right()). The node of one index also
    // derives from those of the indexes after it, so the links are asked
    // of its impl(), not of the node.
    auto each_node = [&](auto&& f) {
      auto rows_of = [&]<class M>(std::span<const M* const> rows) {
        const auto& container = table<M>().rows_;
        for (const M* row : rows) {
          for_each_index<M>([&](auto i) {
            const auto& index = container.template get<decltype(i)::value>();
            f(internal::address_of(index.iterator_to(*row).get_node()->impl()));
          });
        }
      };
      (rows_of(plans), ...);
    };
    // Destroying a row frees the heap blocks of its long texts, and free()
    // reads the block's header, just below the text.
    auto heap_texts = [&]<class M>(std::span<const M* const> rows) {
      for (const M* row : rows) {
        internal::for_each_in(M::fields(), [&](const auto& field) {
          if constexpr (std::is_same_v<typename std::decay_t<decltype(field)>::type, String>) {
            const String& text = row->*field.member;
            if (!text.is_inline()) {
              const auto at = reinterpret_cast<std::uintptr_t>(text.data());
              internal::read_ahead(reinterpret_cast<const void*>(at - sizeof(std::size_t)));
            }
          }
        });
      }
    };
    (heap_texts(plans), ...);
    each_node([](const auto* links) {
      static_assert(requires { links->prior(); } != requires { links->parent(); },
                    "the links of one index: hashed or ordered");
      if constexpr (requires { links->prior(); links->next(); }) {
        read_ahead_link(links->prior());
        read_ahead_link(links->next());
      } else {
        read_ahead_link(links->parent());
        read_ahead_link(links->left());
        read_ahead_link(links->right());
      }
    });
    each_node([](const auto* links) {
      if constexpr (requires { links->prior(); links->next(); }) {
        if (const auto* prior = internal::address_of(links->prior()))
          read_ahead_link(prior->next());
        if (const auto* next = internal::address_of(links->next()))
          read_ahead_link(next->prior());
      } else {
        if (const auto* right = internal::address_of(links->right()))
          read_ahead_link(right->left());
        if (const auto* parent = internal::address_of(links->parent())) {
          read_ahead_link(parent->left());
          read_ahead_link(parent->right());
          read_ahead_link(parent->parent());
        }
      }
    });
  }
  template <class Link>
  static void read_ahead_link(const Link& link) noexcept {
    if (const void* p = internal::address_of(link)) internal::read_ahead(p);
  }
  static constexpr std::size_t kUnlinkReadAhead = 64;

  // kForeignKeyCount[p][c]: how many foreign keys model c has to model p.
  static constexpr auto kForeignKeyCount = [] {
    std::array<std::array<std::size_t, kModelCount>, kModelCount> count{};
    std::size_t child = 0;
    auto add = [&](const auto& fk) {
      using Parent = typename std::decay_t<decltype(fk)>::parent;
      ++count[internal::index_of<Parent, Models...>()][child];
    };
    ((internal::for_each_in(internal::foreign_keys_of<Models>(), add), ++child),
     ...);
    return count;
  }();
  // True when a cascade from Root reaches each row at most once: one chain
  // of foreign keys at most leads from Root to each model, and none loops
  // (a chain as long as the number of models would visit one twice).
  template <class Root>
  static constexpr bool kReachedOnce = [] {
    std::array<std::size_t, kModelCount> chains{};  // of the current length
    chains[internal::index_of<Root, Models...>()] = 1;
    std::array<std::size_t, kModelCount> reached = chains;
    for (std::size_t length = 1; length <= kModelCount; ++length) {
      std::array<std::size_t, kModelCount> longer{};
      for (std::size_t p = 0; p < kModelCount; ++p) {
        for (std::size_t c = 0; c < kModelCount; ++c) {
          longer[c] += chains[p] * kForeignKeyCount[p][c];
        }
      }
      for (std::size_t c = 0; c < kModelCount; ++c) {
        if (longer[c] > 0 && length == kModelCount) return false;
        reached[c] += longer[c];
      }
      chains = longer;
    }
    return std::ranges::all_of(reached, [](std::size_t n) { return n <= 1; });
  }();

  template <class M>
  Table<M>& mutable_table() noexcept {
    return std::get<Table<M>>(tables_);
  }

  // A foreign key's lookup index (ForeignKey::lookup_tag) holds one group
  // of rows per parent at most, so it needs a bucket per group it can hold,
  // min(children, parents), not one per row: 5 million books of 1 million
  // authors take 12 MB of buckets instead of 50 MB, with no more groups to a
  // bucket. Boost's own growth (by rows) is turned off for these indexes;
  // fit_lookup_indexes() grows them before each insert, and reserve() with
  // the rows to come.
  template <class M, class F>
  void for_each_lookup_index(F&& f) {
    internal::for_each_in(internal::foreign_keys_of<M>(), [&](const auto& fk) {
      using Key = std::decay_t<decltype(fk)>;
      if constexpr (!std::is_same_v<typename Key::tag, typename Key::lookup_tag>) {
        auto& index = mutable_table<M>().rows_.template get<typename Key::lookup_tag>();
        static_assert(requires { index.bucket_count(); },
                      "a foreign key's lookup index must be hashed");
        f(index, table<typename Key::parent>().size());
      }
    });
  }
  template <class M>
  void prepare_lookup_indexes() {
    for_each_lookup_index<M>([](auto& index, std::size_t) {
      index.max_load_factor(std::numeric_limits<float>::max());
    });
  }
  // REQUIRES: the table will hold at most `children` rows after the write.
  template <class M>
  void fit_lookup_indexes(std::size_t children) {
    for_each_lookup_index<M>([&](auto& index, std::size_t parents) {
      const std::size_t groups = std::min(children, parents);
      if (index.bucket_count() < groups) index.rehash(groups);
    });
  }

  // The number of indexes of M.
  template <class M>
  static constexpr std::size_t kIndexCount =
      boost::mpl::size<typename M::Indexes>::value;
  // Calls f(std::integral_constant<std::size_t, I>()) for each index I of
  // M, in order.
  template <class M, class F>
  static void for_each_index(F&& f) {
    [&]<std::size_t... I>(std::index_sequence<I...>) {
      (f(std::integral_constant<std::size_t, I>()), ...);
    }(std::make_index_sequence<kIndexCount<M>>());
  }

  // Calls f.template operator()<M>() for the model with index i.
  template <class F>
  void with_model(std::size_t i, F&& f) {
    std::size_t n = 0;
    ((n++ == i ? f.template operator()<Models>() : void()), ...);
  }

  // The checks run in Django's order: validation, then foreign keys, then
  // unique constraints. The unique constraints are checked by the insert or
  // replace itself, which refuses a key its index already holds and then
  // leaves the row untouched; only then is the index searched again, to name
  // the constraint (check_unique). A successful write probes each index once.

  // `old`: the stored row an update replaces; a key it already holds is not
  // looked up again.
  template <class M>
  void check_foreign_keys(const M& row, const M* old = nullptr) const {
    internal::for_each_in(internal::foreign_keys_of<M>(), [&](const auto& fk) {
      using Parent = typename std::decay_t<decltype(fk)>::parent;
      Id parent_id = row.*fk.column;
      if (old != nullptr && (*old).*fk.column == parent_id) return;
      if (find<Parent>(parent_id) == nullptr) {
        throw IntegrityError(std::string(Parent::kInfo.verbose_name) +
                                 " instance with id " + std::to_string(parent_id) +
                                 " does not exist.",
                             std::string(M::kInfo.table),
                             std::string(M::kInfo.table) + "_" +
                                 std::string(fk.column_name) + "_fkey",
                             "(" + std::string(fk.column_name) + ")=(" +
                                 std::to_string(parent_id) + ")");
      }
    });
  }

  // `old`: the stored row an update replaces, which its own key may match.
  template <class M>
  void check_unique(const M& row, const M* old) const {
    const auto& rows = table<M>().rows_;
    internal::for_each_in(internal::unique_constraints_of<M>(), [&](const auto& u) {
      using Tag = typename std::decay_t<decltype(u)>::tag;
      const auto& index = rows.template get<Tag>();
      auto it = index.find(index.key_extractor()(row));
      if (it != index.end() && &*it != old) {
        throw IntegrityError(std::string(u.message), std::string(M::kInfo.table),
                             std::string(u.name), u.key_text(row));
      }
    });
  }

  template <class M>
  const M& insert_checked(M row) {
    check_id_free(row);
    validate(row);
    check_foreign_keys(row);
    return apply_insert(std::move(row));
  }

  // Throws the error for `row`, which an insert refused because it collides
  // with the stored row `other` (a failed insert has not moved from `row`):
  // the taken id or the unique constraint, named as Django names it.
  template <class M>
  [[noreturn]] void refuse_collision(const M& row, const M& other) const {
    check_id_free(row);
    check_unique<M>(row, nullptr);
    throw IntegrityError("the row collides with row " + std::to_string(other.id),
                         std::string(M::kInfo.table), "", "");
  }

  template <class M>
  void check_id_free(const M& row) const {
    if (row.id != 0 && find<M>(row.id) != nullptr) {
      throw IntegrityError(capitalized(M::kInfo.verbose_name) +
                               " with this ID already exists.",
                           std::string(M::kInfo.table),
                           std::string(M::kInfo.table) + "_pkey",
                           "(id)=(" + std::to_string(row.id) + ")");
    }
  }

  // bulk_restore(), validating the row when kValidate.
  template <bool kValidate, class M>
  [[gnu::always_inline]] inline const M& bulk_insert(M row) {
    if (depth_ > 0) {
      throw UsageError("bulk_restore() cannot run inside a transaction");
    }
    auto& t = mutable_table<M>();
    try {
      if constexpr (kValidate) validate(row);
      check_foreign_keys(row);
    } catch (const Error&) {
      check_id_free(row);  // restore() reports a taken id first
      throw;
    }
    if (row.id == 0) row.id = t.next_id_;
    fit_lookup_indexes<M>(t.rows_.size() + 1);
    const std::size_t before = t.rows_.size();
    const M* stored;
    if constexpr (constexpr std::size_t k = internal::first_ordered_index<M>();
                  k < kIndexCount<M>) {
      auto& index = t.rows_.template get<k>();
      stored = &*index.insert(index.end(), std::move(row));
    } else {
      stored = &*t.rows_.insert(std::move(row)).first;
    }
    if (t.rows_.size() == before) refuse_collision(row, *stored);
    if (stored->id >= t.next_id_) t.next_id_ = stored->id + 1;
    return *stored;
  }

  // ---- The write path. Rows reaching here are valid and their foreign
  // keys hold; a unique key taken makes the insert or replace fail. ----

  template <class M>
  const M& apply_insert(M row) {
    auto& t = mutable_table<M>();
    if (depth_ > 0) make_room(undo_.entries, 1);
    if (row.id == 0) row.id = t.next_id_;
    fit_lookup_indexes<M>(t.rows_.size() + 1);
    auto [it, inserted] = t.rows_.insert(std::move(row));
    if (!inserted) refuse_collision(row, *it);
    if (it->id >= t.next_id_) t.next_id_ = it->id + 1;
    if (depth_ > 0) {
      undo_.entries.push_back({internal::index_of<M, Models...>(), Op::kInsert, it->id});
    }
    return *it;
  }

  // The new row is swapped into the stored one, which leaves `row` holding
  // the old one: a transaction keeps that for its undo log instead of a
  // copy. A key another row holds makes modify() swap back (the rollback),
  // which leaves the stored row and every index as they were.
  template <class M, class It>
  const M& apply_replace(It it, M row) {
    static_assert(std::is_nothrow_swappable_v<M>,
                  "a rollback that throws would make modify() erase the row");
    auto& saved = std::get<std::vector<M>>(undo_.saved);
    if (depth_ > 0) {
      make_room(undo_.entries, 1);
      make_room(saved, 1);
    }
    auto exchange = [&row](M& stored) noexcept { std::swap(stored, row); };
    if (!mutable_table<M>().rows_.template get<by_id>().modify(it, exchange,
                                                               exchange)) {
      check_unique<M>(row, &*it);
      throw IntegrityError("the row collides with another row",
                           std::string(M::kInfo.table), "", "");
    }
    if (depth_ > 0) {
      saved.push_back(std::move(row));
      undo_.entries.push_back({internal::index_of<M, Models...>(), Op::kReplace, it->id});
    }
    return *it;
  }

  // Gathers, for every model with a foreign key to P, the rows that refer to
  // the rows of P with ids `parents`, then theirs, as Django's
  // Collector.collect() does: models that others refer to first, each
  // followed at once by its own children; then the models nothing refers
  // to, queued as fast deletes.
  template <class P>
  void collect_children(std::span<const Id> parents, Plan& plan) const {
    (collect_children_in<Models, true, P>(parents, plan), ...);
    (collect_children_in<Models, false, P>(parents, plan), ...);
  }

  // The part of collect_children that follows the foreign keys of model C.
  template <class C, bool Referenced, class P>
  void collect_children_in(std::span<const Id> parents, Plan& plan) const {
    internal::for_each_in(internal::foreign_keys_of<C>(), [&](const auto& fk) {
      using Key = std::decay_t<decltype(fk)>;
      if constexpr (std::is_same_v<typename Key::parent, P> &&
                    kReferenced<C> == Referenced) {
        // The lookup index: the order of the rows does not matter here.
        const auto& index = table<C>().template index<typename Key::lookup_tag>();
        PlanRows<C> found;
        for (Id parent : parents) {
          auto [first, last] = internal::equal_range_of(index, parent);
          if (first != last) prefetch_siblings<P>(table<C>().container(), &*first);
          for (; first != last; ++first) found.push_back(&*first);
        }
        if (found.empty()) return;
        auto& all = std::get<PlanRows<C>>(plan.rows);
        all.insert(all.end(), found.begin(), found.end());
        constexpr std::size_t c = internal::index_of<C, Models...>();
        if constexpr (Referenced) {
          Plan::add(plan.collected, c);
          plan.waits[internal::index_of<P, Models...>()].set(c);
          boost::container::small_vector<Id, kInlineRows> ids;
          for (const C* row : found) ids.push_back(row->id);
          collect_children<C>(ids, plan);
        } else {
          Plan::add(plan.fast, c);
        }
      }
    });
  }

  template <class Root>
  DeleteResult apply_delete(Plan& plan) {
    DeleteResult result;
    const ModelList order = plan.order();
    // Rows reached through two paths are deleted once. Rows that cannot be
    // keep the order their lookups found them in: erasing an author's books
    // in that order measured a quarter faster than in address order (1M
    // authors; the sort itself costs little).
    if constexpr (!kReachedOnce<Root>) {
      std::apply(
          [](auto&... v) {
            ((std::sort(v.begin(), v.end()),
              v.erase(std::unique(v.begin(), v.end()), v.end())),
             ...);
          },
          plan.rows);
    }
    std::size_t total = 0;
    std::apply([&](auto&... v) { ((total += v.size()), ...); }, plan.rows);
    for (std::size_t m : order) {
      with_model(m, [&]<class M>() {
        result.per_model.emplace_back(M::kInfo.label,
                                      std::get<PlanRows<M>>(plan.rows).size());
      });
    }
    if (depth_ > 0) {
      // Everything that can throw happens before the first erase.
      make_room(undo_.entries, total);
      // A row saved without its undo entry would be restored in place of
      // an older one: if saving fails, drop what this delete saved.
      const auto saved_sizes =
          std::apply([](const auto&... s) { return std::array{s.size()...}; },
                     undo_.saved);
      try {
        std::apply([&](auto&... v) { (save_rows(v), ...); }, plan.rows);
      } catch (...) {
        std::size_t i = 0;
        std::apply(
            [&](auto&... s) {
              (s.erase(s.begin() + saved_sizes[i++], s.end()), ...);
            },
            undo_.saved);
        throw;
      }
    }
    // Erasing by iterator cannot throw: from here on the delete completes.
    // A small delete (an author, its profile and books) is read ahead
    // whole; a larger one model by model, kUnlinkReadAhead rows at a time,
    // as more would leave the cache again before their erase.
    const bool whole = total <= kUnlinkReadAhead;
    if (whole) {
      std::apply(
          [&](const auto&... v) {
            read_ahead_unlinks(std::span<const typename std::decay_t<decltype(v)>::value_type>(v)...);
          },
          plan.rows);
    }
    for (std::size_t m : order) {
      with_model(m, [&]<class M>() noexcept {
        auto& container = mutable_table<M>().rows_;
        const std::span<const M* const> rows(std::get<PlanRows<M>>(plan.rows));
        for (std::size_t i = 0; i < rows.size(); ++i) {
          if (!whole && i % kUnlinkReadAhead == 0) {
            read_ahead_unlinks(rows.subspan(i, std::min(kUnlinkReadAhead, rows.size() - i)));
          }
          const M* row = rows[i];
          if (depth_ > 0) {
            undo_.entries.push_back({internal::index_of<M, Models...>(), Op::kErase, row->id});
          }
          container.erase(container.iterator_to(*row));
        }
      });
    }
    result.total = total;
    return result;
  }

  template <class M>
  void save_rows(const PlanRows<M>& rows) {
    auto& saved = std::get<std::vector<M>>(undo_.saved);
    make_room(saved, rows.size());
    for (const M* row : rows) saved.push_back(*row);
  }

  // Undoes the log back to `mark`, newest first. Restoring a state that held
  // before cannot collide; it can only fail to allocate, which terminates.
  void undo_to(std::size_t mark) noexcept {
    // Erased rows were saved in erase order per model; restore pops them
    // from the back, matching the reverse walk over the entries.
    while (undo_.entries.size() > mark) {
      UndoEntry e = undo_.entries.back();
      undo_.entries.pop_back();
      with_model(e.model, [&]<class M>() noexcept {
        auto& container = mutable_table<M>().rows_;
        auto& by = container.template get<by_id>();
        auto& saved = std::get<std::vector<M>>(undo_.saved);
        switch (e.op) {
          case Op::kInsert:
            by.erase(e.id);
            break;
          case Op::kErase:
            container.insert(std::move(saved.back()));
            saved.pop_back();
            break;
          case Op::kReplace:
            by.replace(by.find(e.id), std::move(saved.back()));
            saved.pop_back();
            break;
        }
      });
    }
  }

  // Ensures `extra` more elements fit without a reallocation, growing
  // geometrically (reserve(size + 1) on every write would be quadratic).
  template <class T>
  static void make_room(std::vector<T>& v, std::size_t extra) {
    if (v.capacity() - v.size() < extra) {
      v.reserve(std::max(v.size() + extra, 2 * v.capacity() + 16));
    }
  }

  static std::string capitalized(std::string_view s) {
    std::string out(s);
    if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] = static_cast<char>(out[0] - 'a' + 'A');
    return out;
  }

  std::tuple<Table<Models>...> tables_;
  UndoLog undo_;
  int depth_ = 0;
};

}  // namespace folio
