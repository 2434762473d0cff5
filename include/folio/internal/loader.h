// The machinery behind interchange.h, part two: where rows came from, the
// problems found in them (Problems), the sink the format readers decode into
// (RowSink), and the loader that turns decoded values into rows and checks
// every rule before anything is kept (Loader).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_set>
#include <utility>
#include <vector>

#include "folio/error.h"
#include "folio/internal/key_order.h"
#include "folio/internal/rows.h"
#include "folio/rules.h"

namespace folio::internal {

// The input index of rows that come from the database loaded into.
inline constexpr std::uint32_t kExistingInput = 0xffffffffu;

// ---- Loading ----

// Where a row came from: the input, the line its record starts on, and the
// item: the index in the fixture's array, or the CSV record number (1 is
// the first row after the header).
struct Origin {
  std::uint32_t input = 0;
  std::uint64_t line = 0;
  std::uint64_t item = 0;
};

// The problems found while loading, each naming the input, the line, the
// item, the table, the field and the message.
class Problems {
 public:
  struct Source {
    std::string name;
    bool fixture;
  };
  Problems(const Schema& schema, std::vector<Source> sources)
      : schema_(schema), sources_(std::move(sources)) {}

  // A problem with a row's field ("" for the row as a whole). `model` may be
  // kNone and `pk` empty when they are not known.
  void add(const Origin& at, std::size_t model, std::optional<Id> pk,
           std::string_view field, std::string_view message);
  // A problem with the input as a whole, at a line and column (0: none).
  void add_input(std::uint32_t input, std::uint64_t line, std::uint64_t column,
                 std::string_view message);
  bool empty() const noexcept { return entries_.empty(); }
  // How many problems were added so far; forget those added after `count`.
  std::size_t size() const noexcept { return entries_.size(); }
  void truncate(std::size_t count) { entries_.resize(std::min(count, entries_.size())); }
  // Every problem as one line, by input, then line, then as found.
  std::vector<std::string> lines() const;
  // "FILE:LINE" of a row, for messages that point at another row.
  std::string where(const Origin& at) const;
  const Schema& schema() const noexcept { return schema_; }

 private:
  struct Entry {
    std::uint32_t input;
    std::uint64_t line;
    std::size_t seq;
    std::string text;
  };
  const Schema& schema_;
  std::vector<Source> sources_;
  std::vector<Entry> entries_;
};

// Takes the rows the format readers decode.
class RowSink {
 public:
  virtual ~RowSink() = default;
  // One row of `model`: a value per column, in the column's type (or
  // std::monostate for null); std::nullopt where the input gave no usable
  // value, its problem already recorded. `refused`: the row has another
  // problem, already recorded (its fields are still checked).
  virtual void add(std::size_t model, std::vector<std::optional<Value>>& values,
                   const Origin& at, bool refused) = 0;
};

void read_fixture(const Schema& schema, std::uint32_t input, std::string_view text,
                  RowSink& sink, Problems& problems);
void read_csv(const Schema& schema, std::uint32_t input, std::size_t model,
              std::string_view text, RowSink& sink, Problems& problems);

// "author instance with id 7 does not exist.": Django's message for a
// foreign key to a missing row.
std::string missing_parent_message(const ModelInfo& parent, Id id);

// Builds a database from decoded rows: every row is kept until all inputs
// are read, then inserted model by model (parents first) in id order, with
// every rule checked and every failure recorded.
template <class Db>
class Loader final : public RowSink {
 public:
  Loader(Problems& problems, Progress progress)
      : problems_(problems), progress_(std::move(progress)) {}

  void add(std::size_t model, std::vector<std::optional<Value>>& values,
           const Origin& at, bool refused) override {
    with_model<Db>(model, [&]<class M>() { add_row<M>(model, values, at, refused); });
  }

  // The database of `base`'s rows (when given) and the decoded ones: a row
  // whose id exists in `base` replaces it, as loaddata does. Returns nullopt
  // when any problem was found (all recorded in `problems`).
  std::optional<Db> build(const Db* base) {
    Db fresh;
    total_ = 0;
    std::apply([&](auto&... v) { ((total_ += v.size()), ...); }, pending_);
    done_ = 0;
    std::apply([&](auto&... v) { (insert_all(fresh, base, v), ...); }, pending_);
    if (!problems_.empty()) return std::nullopt;
    return fresh;
  }

 private:
  template <class M>
  struct Pending {
    M row;
    Origin at;
  };
  template <class M>
  static constexpr std::size_t index() {
    return find_index<M>(static_cast<typename ModelsOf<Db>::type*>(nullptr));
  }
  template <class M, class... Ms>
  static constexpr std::size_t find_index(std::tuple<Ms...>*) {
    return index_of<M, Ms...>();
  }
  template <class T>
  struct PendingVectors;
  template <class... Ms>
  struct PendingVectors<std::tuple<Ms...>> {
    using type = std::tuple<std::vector<Pending<Ms>>...>;
  };
  using AllPending = typename PendingVectors<typename ModelsOf<Db>::type>::type;

  template <class M>
  void add_row(std::size_t model, std::vector<std::optional<Value>>& values,
               const Origin& at, bool refused) {
    M row{};
    bool complete = !refused;
    std::vector<bool> usable(values.size(), false);
    FieldErrors errors;
    for_each_field<M>([&](const auto& field, std::size_t i) {
      if (i >= values.size() || !values[i]) {
        complete = false;
        return;
      }
      std::optional<std::int64_t> integer;
      if (auto* p = std::get_if<std::int64_t>(&*values[i])) integer = *p;
      if (!from_value(std::move(*values[i]), row.*field.member)) {
        complete = false;
        std::size_t before = errors.size();
        if (integer) {
          rules::integer_field(errors, field.name, *integer, field.spec.min_value,
                               field.spec.max_value);
        }
        if (errors.size() == before) {
          rules::add(errors, field.name, "Ensure this value is within the column's range.");
        }
        return;
      }
      usable[i] = true;
    });
    std::optional<Id> pk;
    const ModelSchema& schema = problems_.schema().models[model];
    if (schema.pk != kNone && usable[schema.pk]) pk = pk_of(row);
    if (complete) {
      std::get<std::vector<Pending<M>>>(pending_).push_back({std::move(row), at});
      return;
    }
    // An incomplete row is refused; its usable fields still get their rules
    // checked, so that every problem is reported at once.
    for_each_field<M>([&](const auto& field, std::size_t i) {
      if (usable[i]) rules::check(errors, field.name, field.spec, row.*field.member);
    });
    report(at, model, pk, errors);
    if (pk) refused_[model].insert(*pk);
  }

  template <class M>
  static Id pk_of(const M& row) {
    return row.id;
  }

  void report(const Origin& at, std::size_t model, std::optional<Id> pk,
              const FieldErrors& errors) {
    for (const auto& e : errors) {
      for (const auto& message : e.messages) {
        problems_.add(at, model, pk, e.field, message);
      }
    }
  }

  template <class M>
  void insert_all(Db& fresh, const Db* base, std::vector<Pending<M>>& pending) {
    constexpr std::size_t model = index<M>();
    std::stable_sort(pending.begin(), pending.end(),
                     [](const Pending<M>& a, const Pending<M>& b) {
                       return a.row.id < b.row.id;
                     });
    // Rows of the base that no input row replaces, first: a clash is then
    // reported on the input's row.
    if constexpr (requires { fresh.template reserve<M>(std::size_t{}); }) {
      fresh.template reserve<M>(pending.size() +
                                (base != nullptr ? base->template count<M>() : 0));
    }
    if (base != nullptr) {
      for (const M& row : base->template all<M>()) {
        if (find_pending(pending, row.id) != nullptr) continue;
        try {
          put(fresh, row);
        } catch (const Error& e) {
          problems_.add(Origin{kExistingInput, 0, 0}, model, row.id, "", e.what());
        }
      }
      fresh.template advance_next_id<M>(base->template table<M>().next_id());
    }
    if (insert_in_index_order(fresh, pending)) return;
    for (std::size_t i = 0; i < pending.size(); ++i) {
      if (progress_ && ++done_ % 65536 == 0) progress_(done_, total_);
      Pending<M>& p = pending[i];
      if (i > 0 && pending[i - 1].row.id == p.row.id) {
        std::size_t first = i - 1;
        while (first > 0 && pending[first - 1].row.id == p.row.id) --first;
        problems_.add(p.at, model, p.row.id, "",
                      "pk " + std::to_string(p.row.id) +
                          " is given twice; first at " + problems_.where(pending[first].at) +
                          ".");
        continue;
      }
      if (!insert_one(fresh, pending, p)) refused_[model].insert(p.row.id);
    }
  }

  // Inserts the rows of `pending` (in id order, ids distinct) in the order
  // of M's ordered index instead, when they come in another one (books in
  // id order whose authors come in any order: each would descend the
  // index's tree from its root) and sorting cannot change the outcome (see
  // insert_order()); returns false, having changed nothing, when it does
  // not, or when a row has a problem: which row a problem is reported on
  // (the second of two with one key, say) can depend on the order, so the
  // caller then inserts in id order and reports as it always does.
  template <class M>
  bool insert_in_index_order(Db& fresh, std::vector<Pending<M>>& pending) {
    for (std::size_t i = 1; i < pending.size(); ++i) {
      if (pending[i - 1].row.id == pending[i].row.id) return false;
    }
    const std::vector<std::uint32_t> order = insert_order<M>(
        pending.size(), [&](std::size_t i) -> const M& { return pending[i].row; },
        Db::kSortFrom);
    if (order.empty()) return false;
    const std::size_t problems = problems_.size();
    const std::uint64_t done = done_;
    std::size_t inserted = 0;
    for (std::uint32_t i : order) {
      if (progress_ && ++done_ % 65536 == 0) progress_(done_, total_);
      if (!insert_one(fresh, pending, pending[i], /*keep=*/true)) {
        problems_.truncate(problems);
        done_ = done;
        // M's children come later (parents first): a row removed here is
        // no one's parent yet. The next id may stay advanced: a problem
        // found in one order is found in the other, and the database is
        // then dropped.
        for (std::size_t k = 0; k < inserted; ++k) {
          fresh.template remove<M>(pending[order[k]].row.id);
        }
        return false;
      }
      ++inserted;
    }
    return true;
  }

  // Inserts a row as restore() does (ids and created_at kept, every rule
  // checked), through bulk_restore where the engine has it: the same rules,
  // less work per row.
  template <class M>
  static void put(Db& db, M row) {
    if constexpr (requires { db.bulk_restore(std::move(row)); }) {
      db.bulk_restore(std::move(row));
    } else {
      db.restore(std::move(row));
    }
  }

  template <class M>
  static const Pending<M>* find_pending(const std::vector<Pending<M>>& pending, Id id) {
    auto it = std::lower_bound(
        pending.begin(), pending.end(), id,
        [](const Pending<M>& p, Id key) { return p.row.id < key; });
    return it != pending.end() && it->row.id == id ? &*it : nullptr;
  }

  // `keep`: insert a copy, leaving p.row as it was.
  template <class M>
  bool insert_one(Db& fresh, const std::vector<Pending<M>>& pending, Pending<M>& p,
                  bool keep = false) {
    constexpr std::size_t model = index<M>();
    const M& row = p.row;
    bool ok = true;
    if (row.id == 0) {
      problems_.add(p.at, model, row.id, "id",
                    "Ensure this value is greater than or equal to 1.");
      ok = false;
    }
    try {
      Db::validate(row);
    } catch (const ValidationError& e) {
      report(p.at, model, row.id, e.errors());
      ok = false;
    }
    for_each_in(foreign_keys_of<M>(), [&](const auto& fk) {
      using Parent = typename std::decay_t<decltype(fk)>::parent;
      constexpr std::size_t parent = index<Parent>();
      Id id = row.*fk.column;
      if (fresh.template find<Parent>(id) != nullptr) return;
      ok = false;
      // A parent that is in the input but was refused has its own problem.
      if (refused_[parent].count(id) == 0) {
        problems_.add(p.at, model, row.id, fk.field,
                      missing_parent_message(Parent::kInfo, id));
      }
    });
    const auto& container = fresh.template table<M>().container();
    for_each_in(unique_constraints_of<M>(), [&](const auto& u) {
      using Tag = typename std::decay_t<decltype(u)>::tag;
      const auto& index = container.template get<Tag>();
      auto it = index.find(index.key_extractor()(row));
      if (it == index.end()) return;
      ok = false;
      std::string holder = "pk " + std::to_string(it->id);
      if (const Pending<M>* other = find_pending(pending, it->id); other != nullptr) {
        holder += " (" + problems_.where(other->at) + ")";
      } else {
        holder += " (the existing database)";
      }
      const auto& key = problems_.schema().models[model].uniques;
      std::string field = "__all__";
      for (const auto& k : key) {
        if (k.name == u.name && k.columns.size() == 1 && k.columns[0] != kNone) {
          field = std::string(problems_.schema().models[model].columns[k.columns[0]].name);
        }
      }
      problems_.add(p.at, model, row.id, field,
                    std::string(u.message) + " Key " + u.key_text(row) +
                        " is already held by " + holder + ".");
    });
    if (!ok) return false;
    try {
      put(fresh, keep ? M(p.row) : std::move(p.row));
    } catch (const Error& e) {
      problems_.add(p.at, model, p.row.id, "", e.what());
      return false;
    }
    return true;
  }

  Problems& problems_;
  Progress progress_;
  AllPending pending_;
  std::vector<std::unordered_set<Id>> refused_ =
      std::vector<std::unordered_set<Id>>(std::tuple_size_v<typename ModelsOf<Db>::type>);
  std::uint64_t done_ = 0;
  std::uint64_t total_ = 0;
};

}  // namespace folio::internal
