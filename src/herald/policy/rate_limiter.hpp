// policy::RateLimiter — message and recipient rate limits per account and
// per client IP (SPEC §5): counts in a sliding window, bounded memory,
// thread-safe. The clock comes in as an argument; nothing here blocks.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace herald::policy {

struct RateLimit {
  std::uint64_t limit = 0;  // events per window; 0 = unlimited
  std::chrono::seconds window{3600};
};

class RateLimiter {
 public:
  struct Decision {
    bool allowed = true;
    std::int64_t retry_at = 0;  // unix seconds when one more is expected to fit
  };

  explicit RateLimiter(std::size_t max_keys = 100'000) : max_keys_(max_keys) {}

  // Counts `n` events for `key` if that keeps the sliding-window estimate
  // within the limit; otherwise counts nothing and says when to retry.
  // The estimate weighs the previous fixed window by how much of it still
  // overlaps the sliding one (smooth, two counters per key).
  Decision take(std::string_view key, std::uint64_t n, const RateLimit& limit, std::int64_t now);
  // Undoes a take() whose event did not happen after all (another limit
  // refused it): counts `n` less in the current window, never below zero.
  void give_back(std::string_view key, std::uint64_t n);

 private:
  struct Counter {
    std::int64_t window_start = 0;
    std::uint64_t current = 0;
    std::uint64_t previous = 0;
  };
  void make_room(std::int64_t now, std::int64_t longest_window);

  std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, Counter> counters_;
};

}  // namespace herald::policy
