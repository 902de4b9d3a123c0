#include "herald/submission/policy_cache.hpp"

namespace herald::submission {
namespace {

// The counter first, then the read: an answer is never tagged with a
// version newer than what it saw.
template <class Read, class Put>
auto read_through(store::PolicyStore& store, Read read, Put put) {
  const auto before = store.policy_version();
  auto answer = read();
  if (answer && before) put(*answer, *before);
  return answer;
}

}  // namespace

void PolicyCache::move_to(std::uint64_t version) {
  if (version_ == version) return;
  version_ = version;
  accounts_.clear();
  suppressions_.clear();
}

std::optional<store::AccountPolicy> PolicyCache::account(std::string_view account,
                                                         std::optional<std::uint64_t> version) {
  if (!version) return std::nullopt;
  std::lock_guard lock(mu_);
  move_to(*version);
  auto it = accounts_.find(std::string(account));
  if (it == accounts_.end()) return std::nullopt;
  hits_.fetch_add(1, std::memory_order_relaxed);
  return it->second;
}

std::optional<std::optional<store::Suppression>> PolicyCache::suppression(
    std::string_view address, std::optional<std::uint64_t> version) {
  if (!version) return std::nullopt;
  std::lock_guard lock(mu_);
  move_to(*version);
  auto it = suppressions_.find(std::string(address));
  if (it == suppressions_.end()) return std::nullopt;
  hits_.fetch_add(1, std::memory_order_relaxed);
  return it->second;
}

void PolicyCache::put_account(std::string_view account, const store::AccountPolicy& policy,
                              std::uint64_t version) {
  std::lock_guard lock(mu_);
  // Read under an older (or newer) version than the cache now holds: it
  // may already be out of date, so it is not kept.
  if (version_ != version) return;
  if (accounts_.size() >= max_entries_) accounts_.clear();
  accounts_.insert_or_assign(std::string(account), policy);
}

void PolicyCache::put_suppression(std::string_view address,
                                  const std::optional<store::Suppression>& row,
                                  std::uint64_t version) {
  std::lock_guard lock(mu_);
  if (version_ != version) return;
  if (suppressions_.size() >= max_entries_) suppressions_.clear();
  suppressions_.insert_or_assign(std::string(address), row);
}

base::Result<store::AccountPolicy> PolicyCache::read_account(store::PolicyStore& store,
                                                             const std::string& account) {
  misses_.fetch_add(1, std::memory_order_relaxed);
  return read_through(
      store, [&] { return store.account_policy(account); },
      [&](const store::AccountPolicy& p, std::uint64_t v) { put_account(account, p, v); });
}

base::Result<std::optional<store::Suppression>> PolicyCache::read_suppression(
    store::PolicyStore& store, const std::string& address) {
  misses_.fetch_add(1, std::memory_order_relaxed);
  return read_through(
      store, [&] { return store.find_suppression(address); },
      [&](const std::optional<store::Suppression>& row, std::uint64_t v) {
        put_suppression(address, row, v);
      });
}

}  // namespace herald::submission
