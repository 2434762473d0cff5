// Many readers and one writer on a SharedDatabase: readers check, inside
// read(), invariants that only whole transactions keep, while the writer runs
// committing, failing and nested transactions. Run under ThreadSanitizer in
// CI: build/tsan/tests/stress_test "[stress]".
//
// The writer keeps these invariants at every commit; a torn read, a lost or
// misfiled index entry, or a rollback that missed a row breaks one:
//  1. Every profile and every book has its author.
//  2. Every author has exactly one profile and exactly kBooksPerAuthor books
//     (created together in one transaction, removed together by the cascade).
//  3. An author's generation, kept in its profile's birth_year, is in its
//     email ("w<serial>.g<generation>@example.com") and is the price, in cents,
//     of each of its books: a generation bump changes all of them in one
//     transaction.
//  4. Every unique index finds each row by the row's own key, and every index
//     of a table holds as many rows as the table.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "folio/folio.h"

// g++ 12 (-Wextra) warns about members left to their defaults in designated
// initializers, the way the API builds rows: Author{.name = ..., .email = ...}.
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

using folio::Author;
using folio::AuthorProfile;
using folio::Book;
using folio::Database;
using folio::Decimal;
using folio::Id;

namespace {

constexpr int kReaders = 4;
constexpr int kBooksPerAuthor = 3;
constexpr std::size_t kMaxAuthors = 40;
// The writer stops after kMaxTransactions, or at kRunFor once it has run
// kMinTransactions (so every kind of transaction runs however slow the
// machine is).
constexpr int kMinTransactions = 60;
constexpr int kMaxTransactions = 5000;
constexpr auto kRunFor = std::chrono::milliseconds(2000);

std::string email_for(std::uint64_t serial, std::int32_t generation) {
  return "w" + std::to_string(serial) + ".g" + std::to_string(generation) +
         "@example.com";
}

template <class Index>
std::size_t size_by_walking(const Index& index) {
  return static_cast<std::size_t>(std::distance(index.begin(), index.end()));
}

// The first broken invariant, or an empty string.
std::string check_invariants(const Database& db) {
  const std::size_t authors = db.count<Author>();
  for (const Author& a : db.all<Author>()) {
    const std::string who = "author " + std::to_string(a.id);
    if (folio::find_author_by_email(db, a.email) != &a)
      return who + ": email index misses";
    const AuthorProfile* p = folio::find_profile(db, a);
    if (p == nullptr || !p->birth_year)
      return who + ": no profile or no generation";
    const std::int32_t generation = *p->birth_year;
    if (a.email.find(".g" + std::to_string(generation) + "@") ==
        std::string::npos) {
      return who + ": email " + a.email + " not of generation " +
             std::to_string(generation);
    }
    int books = 0;
    for (const Book& b : folio::books(db, a)) {
      ++books;
      if (b.author_id != a.id)
        return who + ": by_author index holds another's book";
      if (b.price != Decimal::from_units(generation, 2)) {
        return who + ": book " + std::to_string(b.id) +
               " of another generation";
      }
    }
    if (books != kBooksPerAuthor)
      return who + ": " + std::to_string(books) + " books";
  }
  for (const AuthorProfile& p : db.all<AuthorProfile>()) {
    const Author* a = db.find<Author>(p.author_id);
    if (a == nullptr)
      return "profile " + std::to_string(p.id) + " without its author";
    if (folio::find_profile(db, *a) != &p) return "profile index misses";
  }
  for (const Book& b : db.all<Book>()) {
    if (db.find<Author>(b.author_id) == nullptr) {
      return "book " + std::to_string(b.id) + " without its author";
    }
    if (folio::find_book(db, b.author_id, b.title) != &b)
      return "book title index misses";
  }
  const auto& authors_t = db.table<Author>();
  const auto& profiles_t = db.table<AuthorProfile>();
  const auto& books_t = db.table<Book>();
  if (db.count<AuthorProfile>() != authors ||
      db.count<Book>() != kBooksPerAuthor * authors ||
      size_by_walking(authors_t.index<folio::by_id>()) != authors ||
      size_by_walking(authors_t.index<Author::by_email>()) != authors ||
      size_by_walking(profiles_t.index<folio::by_id>()) != authors ||
      size_by_walking(profiles_t.index<AuthorProfile::by_author>()) !=
          authors ||
      size_by_walking(books_t.index<folio::by_id>()) !=
          kBooksPerAuthor * authors ||
      size_by_walking(books_t.index<Book::by_author>()) !=
          kBooksPerAuthor * authors ||
      size_by_walking(books_t.index<Book::by_author_title>()) !=
          kBooksPerAuthor * authors) {
    return "counts disagree: " + std::to_string(authors) + " authors, " +
           std::to_string(db.count<AuthorProfile>()) + " profiles, " +
           std::to_string(db.count<Book>()) + " books";
  }
  return {};
}

struct Boom : std::runtime_error {
  Boom() : std::runtime_error("abandoned midway") {}
};

// The writer: one transaction per step, of the kind the step picks.
class Writer {
 public:
  explicit Writer(folio::SharedDatabase<Database>& shared) : shared_(shared) {}

  int transactions = 0;
  int committed = 0;
  int rolled_back = 0;

  void run() {
    const auto until = std::chrono::steady_clock::now() + kRunFor;
    while (transactions < kMaxTransactions &&
           (transactions < kMinTransactions ||
            std::chrono::steady_clock::now() < until)) {
      // Three authors first, then every kind in turn twice, then at random.
      const int kind = transactions < 3    ? 0
                       : transactions < 15 ? transactions % 6
                                           : static_cast<int>(rng_() % 6);
      step(kind);
      ++transactions;
    }
  }

 private:
  Id pick() { return live_[rng_() % live_.size()]; }

  // An author with its profile and books, all of generation 1.
  static Id add_author(Database& db, std::uint64_t serial,
                       int books = kBooksPerAuthor) {
    const Author& a =
        db.create(Author{.name = "Writer " + std::to_string(serial),
                         .email = email_for(serial, 1)});
    db.create(AuthorProfile{.author_id = a.id, .birth_year = 1});
    for (int i = 0; i < books; ++i) {
      db.create(Book{.author_id = a.id,
                     .title = "Book " + std::to_string(i),
                     .published_year = 2000 + i,
                     .price = Decimal::from_units(1, 2)});
    }
    return a.id;
  }

  // Moves an author to its next generation: email, profile and every book.
  static void bump(Database& db, Id author_id, std::uint64_t serial) {
    Author a = db.get<Author>(author_id);
    AuthorProfile p = folio::profile(db, a);
    p.birth_year = *p.birth_year % 32767 + 1;
    a.email = email_for(serial, *p.birth_year);
    db.update(a);
    db.update(p);
    std::vector<Book> books;  // copies: an update may move rows
    for (const Book& b : folio::books(db, db.get<Author>(author_id))) {
      books.push_back(b);
    }
    for (Book& b : books) {
      b.price = Decimal::from_units(*p.birth_year, 2);
      db.update(b);
    }
  }

  void step(int kind) {
    const std::uint64_t serial = ++serial_;
    if (live_.empty() && kind != 3) kind = 0;
    if (kind == 0 && live_.size() >= kMaxAuthors) kind = 2;
    try {
      switch (kind) {
        case 0:  // create an author with its profile and books
          live_.push_back(shared_.write(
              [&](Database& db) { return add_author(db, serial); }));
          break;
        case 1: {  // bump a generation
          const Id id = pick();
          shared_.write([&](Database& db) { bump(db, id, serial); });
          break;
        }
        case 2: {  // delete an author: the cascade takes its profile and books
          const Id id = pick();
          shared_.write([&](Database& db) { db.remove<Author>(id); });
          std::erase(live_, id);
          break;
        }
        case 3:  // throw midway: an author with one book, then give up
          shared_.write([&](Database& db) {
            add_author(db, serial, 1);
            throw Boom();
          });
          break;
        case 4: {  // fail on a constraint after a bump: an email already taken
          const Id id = pick();
          const Id other = pick();
          shared_.write([&](Database& db) {
            bump(db, id, serial);
            Author copy = db.get<Author>(other);
            copy.id = 0;
            db.create(copy);
          });
          break;
        }
        case 5: {  // a failed inner block: its delete is undone, the outer
                   // commits
          const Id id = pick();
          const Id victim = pick();
          shared_.write([&](Database& db) {
            bump(db, id, serial);
            try {
              db.atomic([&] {
                db.remove<Author>(victim);
                add_author(db, serial + 1000000, 2);
                throw Boom();
              });
            } catch (const Boom&) {
            }
          });
          break;
        }
      }
      ++committed;
    } catch (const Boom&) {
      ++rolled_back;
    } catch (const folio::IntegrityError&) {
      ++rolled_back;
    }
  }

  folio::SharedDatabase<Database>& shared_;
  std::mt19937_64 rng_{20260121};
  std::vector<Id> live_;
  std::uint64_t serial_ = 0;
};

struct ReaderResult {
  long reads = 0;
  std::string problem;
};

}  // namespace

TEST_CASE(
    "readers never see a broken invariant while a writer runs transactions",
    "[stress][threads]") {
  folio::SharedDatabase<Database> shared;
  Writer writer(shared);
  std::atomic<bool> done{false};
  std::vector<ReaderResult> results(kReaders);
  std::exception_ptr writer_error;

  std::vector<std::thread> readers;
  for (int i = 0; i < kReaders; ++i) {
    readers.emplace_back([&, i] {
      ReaderResult& r = results[static_cast<std::size_t>(i)];
      do {
        std::string problem = shared.read(check_invariants);
        ++r.reads;
        if (!problem.empty() && r.problem.empty())
          r.problem = std::move(problem);
      } while (!done.load(std::memory_order_acquire));
    });
  }
  std::thread writing([&] {
    try {
      writer.run();
    } catch (...) {
      writer_error = std::current_exception();
    }
    done.store(true, std::memory_order_release);
  });
  writing.join();
  for (auto& t : readers) t.join();

  if (writer_error) std::rethrow_exception(writer_error);
  for (const ReaderResult& r : results) {
    CHECK(r.problem == "");
    CHECK(r.reads > 0);
  }
  CHECK(writer.transactions >= kMinTransactions);
  CHECK(writer.committed + writer.rolled_back == writer.transactions);
  CHECK(writer.rolled_back > 0);
  CHECK(shared.read(check_invariants) == "");
  CHECK_FALSE(
      shared.read([](const Database& db) { return db.in_transaction(); }));
}
