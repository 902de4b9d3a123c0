// store::Store::Impl — the one SQLite connection behind a Store and the
// helpers the store's .cpp files share. Private to the store module.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "herald/store/store.hpp"

namespace herald::store {

inline constexpr int kBusyTimeoutMs = 5000;

inline std::int64_t unix_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

// Lists of words (scopes, patterns, CIDRs) are stored space-separated.
inline std::string join_words(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) {
    if (!out.empty()) out += ' ';
    out += i;
  }
  return out;
}

inline std::vector<std::string> split_words(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    const std::size_t end = std::min(text.find(' ', start), text.size());
    if (end > start) out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

inline std::optional<std::int64_t> optional_int(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}

// Finds an account id by name inside the caller's lock/transaction.
inline std::optional<std::int64_t> account_id(SQLite::Database& db, const std::string& name) {
  SQLite::Statement q(db, "SELECT id FROM accounts WHERE name = ?");
  q.bind(1, name);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getInt64();
}

// Statements compiled once per connection, for lookups on the hot path of
// every message (logins, account policy, suppression list): compiling the
// SQL costs more than running these indexed reads. `sql` must be a string
// literal (the cache is keyed by its address). The caller holds the
// connection's lock; the returned guard resets the statement on every exit,
// so it never holds a read snapshot that would hide later changes made by
// the CLI.
class StatementCache {
 public:
  class Prepared {
   public:
    explicit Prepared(SQLite::Statement& q) : q_(q) {}
    Prepared(const Prepared&) = delete;
    Prepared& operator=(const Prepared&) = delete;
    ~Prepared() {
      q_.tryReset();
      q_.clearBindings();
    }
    SQLite::Statement* operator->() { return &q_; }
    SQLite::Statement& operator*() { return q_; }

   private:
    SQLite::Statement& q_;
  };

  explicit StatementCache(SQLite::Database& db) : db_(db) {}
  Prepared get(const char* sql) {
    auto& slot = statements_[sql];
    if (!slot) slot = std::make_unique<SQLite::Statement>(db_, sql);
    return Prepared(*slot);
  }

 private:
  SQLite::Database& db_;
  std::unordered_map<const char*, std::unique_ptr<SQLite::Statement>> statements_;
};

// Reads shared by several public calls; the caller holds the lock.
std::vector<std::string> read_account_domains(StatementCache& statements,
                                              const std::string& account);
AccountLimits read_effective_account_limits(StatementCache& statements, const std::string& account);

struct Store::Impl {
  explicit Impl(const std::string& path)
      : db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE, kBusyTimeoutMs) {}

  // Locks the connection and converts SQLite exceptions for one operation.
  template <class F>
  auto run(std::string_view what, F&& f) -> decltype(f()) {
    std::lock_guard lock(mu);
    try {
      return f();
    } catch (const SQLite::Exception& e) {
      // Busy or locked past the timeout: worth trying again; anything else
      // is unexpected.
      const int code = e.getErrorCode() & 0xff;
      const auto kind = code == SQLITE_BUSY || code == SQLITE_LOCKED ? base::ErrorKind::unavailable
                                                                     : base::ErrorKind::failed;
      return base::make_error(kind, fmt::format("database error while {}: {}", what, e.what()));
    }
  }

  std::mutex mu;
  SQLite::Database db;
  StatementCache statements{db};

  // A second connection that only reads data_version and the policy
  // version row (see Store::policy_version); its own lock, so it never
  // waits behind `mu`.
  std::mutex probe_mu;
  std::unique_ptr<SQLite::Database> probe;
  std::unique_ptr<SQLite::Statement> probe_data_version;
  std::unique_ptr<SQLite::Statement> probe_policy_version;
  std::optional<std::int64_t> last_data_version;
  std::uint64_t last_policy_version = 0;
  bool probe_failed = false;
  std::string path;
};

}  // namespace herald::store
