// A database shared between threads: many readers at once, one writer at a
// time, and no reader ever sees half of a transaction.
#pragma once

#include <mutex>
#include <shared_mutex>
#include <utility>

namespace folio {

// Wraps a database (Database, or any BasicDatabase) with a reader-writer
// lock. Thread-safe.
//
// read(f) runs f(const Db&) under a shared lock: any number of readers run
// at once. write(f) runs f(Db&) as one transaction under the exclusive lock:
// all of its writes commit or, if f throws, none do; readers wait while it
// runs, so they see the database before or after it, never in between.
// A writer waiting for the lock goes before readers that arrive after it: a
// steady stream of readers cannot keep writers out.
// References obtained inside read() or write() must not outlive the call.
template <class Db>
class SharedDatabase {
 public:
  SharedDatabase() = default;
  explicit SharedDatabase(Db db) : db_(std::move(db)) {}

  template <class F>
  decltype(auto) read(F&& f) const {
    { std::lock_guard turn(turnstile_); }  // not past a waiting writer
    std::shared_lock lock(mutex_);
    return std::forward<F>(f)(static_cast<const Db&>(db_));
  }
  template <class F>
  decltype(auto) write(F&& f) {
    std::lock_guard turn(turnstile_);  // readers arriving now wait
    std::unique_lock lock(mutex_);
    return db_.atomic([&]() -> decltype(auto) { return f(db_); });
  }

 private:
  // Held by a writer from before it asks for mutex_ until it is done, so
  // that readers arriving meanwhile wait instead of keeping it out forever
  // (std::shared_mutex on glibc lets new readers in ahead of a waiting
  // writer).
  mutable std::mutex turnstile_;
  mutable std::shared_mutex mutex_;
  Db db_;
};

}  // namespace folio
