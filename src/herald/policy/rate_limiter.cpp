#include "herald/policy/rate_limiter.hpp"

#include <cmath>

namespace herald::policy {

RateLimiter::Decision RateLimiter::take(std::string_view key, std::uint64_t n,
                                        const RateLimit& limit, std::int64_t now) {
  if (limit.limit == 0) return {};
  const std::int64_t window = std::max<std::int64_t>(1, limit.window.count());
  const std::int64_t start = now - now % window;
  std::lock_guard lock(mutex_);
  auto it = counters_.find(std::string(key));
  if (it == counters_.end()) {
    if (counters_.size() >= max_keys_) make_room(now, window);
    it = counters_.emplace(std::string(key), Counter{start, 0, 0}).first;
  }
  Counter& c = it->second;
  if (c.window_start != start) {
    c.previous = c.window_start == start - window ? c.current : 0;
    c.current = 0;
    c.window_start = start;
  }
  const double overlap = 1.0 - static_cast<double>(now - start) / static_cast<double>(window);
  const double estimate =
      static_cast<double>(c.previous) * overlap + static_cast<double>(c.current);
  if (estimate + static_cast<double>(n) <= static_cast<double>(limit.limit)) {
    c.current += n;
    return {};
  }
  // When the previous window's weight has shrunk enough, or at the next
  // window when this one alone is full.
  std::int64_t retry = start + window;
  if (c.previous > 0 && static_cast<double>(c.current + n) <= static_cast<double>(limit.limit)) {
    const double needed = (static_cast<double>(c.current + n) - static_cast<double>(limit.limit)) /
                              static_cast<double>(c.previous) +
                          1.0;  // overlap must fall to (limit - current - n) / previous
    retry = start + static_cast<std::int64_t>(std::ceil(needed * static_cast<double>(window)));
    retry = std::min(retry, start + window);
  }
  return {false, std::max(retry, now + 1)};
}

void RateLimiter::give_back(std::string_view key, std::uint64_t n) {
  std::lock_guard lock(mutex_);
  auto it = counters_.find(std::string(key));
  if (it == counters_.end()) return;
  it->second.current -= std::min(n, it->second.current);
}

void RateLimiter::make_room(std::int64_t now, std::int64_t longest_window) {
  // Counters idle for two windows hold no information any more.
  for (auto it = counters_.begin(); it != counters_.end();) {
    if (now - it->second.window_start >= 2 * longest_window) {
      it = counters_.erase(it);
    } else {
      ++it;
    }
  }
  // Still full (a flood of distinct keys): forget everything rather than
  // grow without bound; limits restart from zero, which errs on the side
  // of letting mail through.
  if (counters_.size() >= max_keys_) counters_.clear();
}

}  // namespace herald::policy
