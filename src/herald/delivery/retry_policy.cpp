#include "herald/delivery/retry_policy.hpp"

#include <algorithm>
#include <cmath>

namespace herald::delivery {

std::int64_t next_attempt(const RetryPolicy& policy, int attempts, std::int64_t now,
                          double random01) {
  std::chrono::seconds delay{300};
  if (!policy.schedule.empty()) {
    const auto index = static_cast<std::size_t>(std::max(attempts, 1) - 1);
    delay = policy.schedule[std::min(index, policy.schedule.size() - 1)];
  }
  const double factor = 1.0 + policy.jitter * (2.0 * std::clamp(random01, 0.0, 1.0) - 1.0);
  const auto seconds =
      static_cast<std::int64_t>(std::llround(static_cast<double>(delay.count()) * factor));
  return now + std::max<std::int64_t>(1, seconds);
}

bool expired(const RetryPolicy& policy, std::int64_t received_at, std::int64_t now) {
  return now - received_at >= policy.max_lifetime.count();
}

bool is_hard_bounce(const smtp::Outcome& outcome) {
  if (!outcome.permanent) return false;
  const std::string& enhanced = outcome.reply.enhanced;
  if (enhanced.size() >= 3 && enhanced[0] == '5' && enhanced[1] == '.' && enhanced[2] == '1' &&
      (enhanced.size() == 3 || enhanced[3] == '.')) {
    return true;
  }
  const int code = outcome.reply.code;
  return enhanced.empty() && outcome.stage == smtp::Stage::rcpt &&
         (code == 550 || code == 551 || code == 553);
}

}  // namespace herald::delivery
