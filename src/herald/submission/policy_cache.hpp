// submission::PolicyCache — what the store said about accounts (sending
// domains, rate limits) and recipients (the suppression list), kept in
// memory while the database stays unchanged, so that MAIL and RCPT of the
// common message need no trip to a worker thread and no SQL.
//
// Every answer is tagged with the store's policy version read *before* the
// store was read; an answer is used only while the version still has that
// value. Any change to what it holds (the CLI adding a suppression or a
// domain, a bounce suppressing an address) therefore empties the cache, and
// the next lookup reads the store again: never stale, only sometimes a
// miss. The server's own audit batches do not move the version, so under
// steady traffic the cache holds.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "herald/store/store.hpp"

namespace herald::submission {

class PolicyCache {
 public:
  // At most `max_entries` of each kind; when full, the kind is emptied.
  explicit PolicyCache(std::size_t max_entries = 20000) : max_entries_(max_entries) {}

  // The cached answer when `version` (the store's policy version now) is
  // the one it was read under; never one when the version is unknown.
  std::optional<store::AccountPolicy> account(std::string_view account,
                                              std::optional<std::uint64_t> version);
  // nullopt: not cached; a value: the suppression row, or not listed.
  std::optional<std::optional<store::Suppression>> suppression(
      std::string_view address, std::optional<std::uint64_t> version);

  // Remember an answer read from the store after the version said `version`.
  void put_account(std::string_view account, const store::AccountPolicy& policy,
                   std::uint64_t version);
  void put_suppression(std::string_view address, const std::optional<store::Suppression>& row,
                       std::uint64_t version);

  // A miss: read the store (blocking: on a worker) and remember the answer
  // under the counter read before it.
  base::Result<store::AccountPolicy> read_account(store::PolicyStore& store,
                                                  const std::string& account);
  base::Result<std::optional<store::Suppression>> read_suppression(store::PolicyStore& store,
                                                                   const std::string& address);

  // Answers given from memory, and lookups that had to read the store.
  struct Stats {
    std::uint64_t hits = 0;
    std::uint64_t misses = 0;
  };
  Stats stats() const {
    return {hits_.load(std::memory_order_relaxed), misses_.load(std::memory_order_relaxed)};
  }

 private:
  // Caller holds mu_. Forgets everything read under another version.
  void move_to(std::uint64_t version);

  std::mutex mu_;
  std::atomic<std::uint64_t> hits_{0};
  std::atomic<std::uint64_t> misses_{0};
  std::size_t max_entries_;
  std::optional<std::uint64_t> version_;
  std::unordered_map<std::string, store::AccountPolicy> accounts_;
  std::unordered_map<std::string, std::optional<store::Suppression>> suppressions_;
};

}  // namespace herald::submission
