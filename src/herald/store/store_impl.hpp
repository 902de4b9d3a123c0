// store::Store::Impl — the one SQLite connection behind a Store and the
// helpers the store's .cpp files share. Private to the store module.
#pragma once

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "herald/store/store.hpp"

namespace herald::store {

inline constexpr int kBusyTimeoutMs = 5000;

inline std::int64_t unix_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

// Finds an account id by name inside the caller's lock/transaction.
inline std::optional<std::int64_t> account_id(SQLite::Database& db, const std::string& name) {
  SQLite::Statement q(db, "SELECT id FROM accounts WHERE name = ?");
  q.bind(1, name);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getInt64();
}

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
      return base::make_error(fmt::format("database error while {}: {}", what, e.what()));
    }
  }

  std::mutex mu;
  SQLite::Database db;
  // The AUTH hot path runs this lookup for every login; compiling it once
  // saves a few percent of the server's CPU under load.
  std::unique_ptr<SQLite::Statement> find_login;
};

}  // namespace herald::store
