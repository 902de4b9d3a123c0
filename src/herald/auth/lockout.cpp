#include "herald/auth/lockout.hpp"

#include <algorithm>
#include <cctype>
#include <vector>

#include "herald/base/ascii.hpp"

namespace herald::auth {

std::string lockout_login_key(std::string_view login) {
  return base::ascii_lower(login.substr(0, 320));
}

Lockout::Lockout(Options options) : options_(std::move(options)) {}

std::chrono::system_clock::time_point Lockout::now() const {
  return options_.clock ? options_.clock() : std::chrono::system_clock::now();
}

bool Lockout::locked(const Map& map, const std::string& key,
                     std::chrono::system_clock::time_point now,
                     std::chrono::system_clock::time_point& until) const {
  auto it = map.find(key);
  if (it == map.end() || it->second.locked_until <= now) return false;
  until = it->second.locked_until;
  return true;
}

Lockout::Status Lockout::check(std::string_view ip, std::string_view login) {
  std::lock_guard lock(mutex_);
  auto t = now();
  Status s;
  if (locked(by_ip_, std::string(ip), t, s.until)) {
    s.locked = Scope::ip;
  } else if (locked(by_login_, lockout_login_key(login), t, s.until)) {
    s.locked = Scope::login;
  }
  return s;
}

Lockout::Counter& Lockout::bump(Map& map, const std::string& key,
                                std::chrono::system_clock::time_point now) {
  if (map.size() >= options_.max_entries && map.find(key) == map.end()) prune(map, now);
  Counter& c = map[key];
  if (c.failures == 0 || now - c.first > options_.window) {
    c.failures = 0;
    c.first = now;
  }
  ++c.failures;
  return c;
}

void Lockout::prune(Map& map, std::chrono::system_clock::time_point now) {
  for (auto it = map.begin(); it != map.end();) {
    bool stale = it->second.locked_until <= now && now - it->second.first > options_.window;
    it = stale ? map.erase(it) : std::next(it);
  }
  // Still full (a spray from many addresses): forget the oldest half rather
  // than grow without bound.
  if (map.size() >= options_.max_entries) {
    std::vector<std::pair<std::chrono::system_clock::time_point, std::string>> order;
    order.reserve(map.size());
    for (const auto& [k, c] : map) {
      if (c.locked_until <= now) order.emplace_back(c.first, k);
    }
    std::sort(order.begin(), order.end());
    for (std::size_t i = 0; i < order.size() / 2; ++i) map.erase(order[i].second);
  }
}

Lockout::Caused Lockout::record_failure(std::string_view ip, std::string_view login) {
  std::lock_guard lock(mutex_);
  auto t = now();
  Caused caused;
  auto lock_out = [&](Counter& c) {
    c.locked_until = t + options_.lockout;
    c.failures = 0;
    c.refused = 0;
    c.refused_from.clear();
  };
  Counter& by_ip = bump(by_ip_, std::string(ip), t);
  if (options_.max_failures_per_ip > 0 && by_ip.failures >= options_.max_failures_per_ip) {
    lock_out(by_ip);
    caused.ip = {Scope::ip, by_ip.locked_until};
  }
  Counter& by_login = bump(by_login_, lockout_login_key(login), t);
  if (options_.max_failures_per_login > 0 && by_login.failures >= options_.max_failures_per_login) {
    lock_out(by_login);
    caused.login = {Scope::login, by_login.locked_until};
  }
  return caused;
}

Lockout::Refusal Lockout::record_refusal(std::string_view ip, std::string_view login,
                                         const Status& locked) {
  std::lock_guard lock(mutex_);
  Map& map = locked.locked == Scope::ip ? by_ip_ : by_login_;
  auto it = map.find(locked.locked == Scope::ip ? std::string(ip) : lockout_login_key(login));
  Refusal r;
  if (it == map.end()) {  // pruned meanwhile: say it once more
    r.audit = r.new_address = true;
    r.refused = 1;
    return r;
  }
  Counter& c = it->second;
  r.refused = ++c.refused;
  const bool known =
      std::find(c.refused_from.begin(), c.refused_from.end(), ip) != c.refused_from.end();
  if (!known && c.refused_from.size() < kMaxRefusedAddresses) {
    c.refused_from.emplace_back(ip);
    r.new_address = true;
  }
  std::uint64_t power = 1;
  while (power < r.refused && power <= UINT64_MAX / 10) power *= 10;
  r.audit = r.new_address || power == r.refused;
  return r;
}

void Lockout::record_success(std::string_view login) {
  std::lock_guard lock(mutex_);
  auto it = by_login_.find(lockout_login_key(login));
  if (it != by_login_.end() && it->second.locked_until <= now()) by_login_.erase(it);
}

std::size_t Lockout::entries() const {
  std::lock_guard lock(mutex_);
  return by_ip_.size() + by_login_.size();
}

}  // namespace herald::auth
