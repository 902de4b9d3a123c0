#include "herald/net/connection_limiter.hpp"

namespace herald::net {

ConnectionLimiter::Slot ConnectionLimiter::acquire(const std::string& ip, Refusal& why) {
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
  why = Refusal::none;
  return Slot(this, ip);
}

void ConnectionLimiter::release(const std::string& ip) {
  std::lock_guard lock(mutex_);
  --total_;
  auto it = per_ip_.find(ip);
  if (it != per_ip_.end() && --it->second == 0) per_ip_.erase(it);
}

std::size_t ConnectionLimiter::active() const {
  std::lock_guard lock(mutex_);
  return total_;
}

}  // namespace herald::net
