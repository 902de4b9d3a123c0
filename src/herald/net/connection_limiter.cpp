#include "herald/net/connection_limiter.hpp"

#include <algorithm>

namespace herald::net {

ConnectionLimiter::ConnectionLimiter(std::size_t max_total, std::size_t max_per_ip,
                                     StressLevels levels)
    : max_total_(max_total),
      max_per_ip_(max_per_ip),
      // At least one connection in each state, so tiny limits still work.
      enter_at_(std::max<std::size_t>(1, (max_total * levels.enter_percent + 99) / 100)),
      leave_below_(std::max<std::size_t>(1, max_total * levels.leave_percent / 100)) {}

int ConnectionLimiter::stress_transition() {
  const bool now = stressed_.load(std::memory_order_relaxed);
  if (!now && total_ >= enter_at_) {
    stressed_.store(true, std::memory_order_relaxed);
    return 1;
  }
  if (now && total_ < leave_below_) {
    stressed_.store(false, std::memory_order_relaxed);
    return -1;
  }
  return 0;
}

void ConnectionLimiter::notify(int transition, std::size_t active) const {
  if (transition != 0 && stress_listener_) stress_listener_(transition > 0, active);
}

ConnectionLimiter::Slot ConnectionLimiter::acquire(const std::string& ip, Refusal& why) {
  int transition = 0;
  std::size_t active = 0;
  {
    std::lock_guard lock(mutex_);
    if (total_ >= max_total_) {
      why = Refusal::total;
      return {};
    }
    auto& count = per_ip_[ip];
    if (count >= max_per_ip_) {
      why = Refusal::per_ip;
      return {};
    }
    ++count;
    ++total_;
    transition = stress_transition();
    active = total_;
  }
  notify(transition, active);
  why = Refusal::none;
  return Slot(this, ip);
}

void ConnectionLimiter::release(const std::string& ip) {
  int transition = 0;
  std::size_t active = 0;
  {
    std::lock_guard lock(mutex_);
    --total_;
    auto it = per_ip_.find(ip);
    if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
    transition = stress_transition();
    active = total_;
  }
  notify(transition, active);
}

std::size_t ConnectionLimiter::active() const {
  std::lock_guard lock(mutex_);
  return total_;
}

}  // namespace herald::net
