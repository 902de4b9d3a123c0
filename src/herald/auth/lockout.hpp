// auth::Lockout — brute-force protection: counts failed logins per client
// IP and per login name (known or not, so a lockout reveals nothing about
// which logins exist) and locks either out for a while after too many.
// It also decides which refusals during a lockout are worth an audit event,
// so that a flood of attempts cannot flood the trail. Pure and thread-safe;
// the time comes from an injectable clock.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace herald::auth {

class Lockout {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;

  struct Options {
    int max_failures_per_ip = 10;
    int max_failures_per_login = 10;
    std::chrono::seconds lockout{15 * 60};
    // Failures older than this no longer count (a forgetful user is not an
    // attacker).
    std::chrono::seconds window{15 * 60};
    std::size_t max_entries = 100000;  // memory bound under a spray attack
    Clock clock;                       // empty: system_clock::now
  };

  enum class Scope { none, ip, login };

  struct Status {
    Scope locked = Scope::none;
    std::chrono::system_clock::time_point until{};
    explicit operator bool() const { return locked != Scope::none; }
  };

  // The lockouts one failure started: the IP's, the login name's, both or
  // neither (each is audited in its own right).
  struct Caused {
    Status ip;
    Status login;
    explicit operator bool() const { return ip || login; }
  };

  // Whether a refusal during a lockout should be written to the audit
  // trail: the first refusal from each address (up to kMaxRefusedAddresses
  // per lockout) and the 1st, 10th, 100th... refusal overall. So a million
  // guesses from one host leave seven events, each with the running count.
  struct Refusal {
    bool audit = false;
    bool new_address = false;   // first refusal from this address in this lockout
    std::uint64_t refused = 0;  // refusals in this lockout so far, this one included
  };
  static constexpr std::size_t kMaxRefusedAddresses = 32;

  explicit Lockout(Options options);

  // Is this IP, or this login name, locked out right now?
  Status check(std::string_view ip, std::string_view login);
  // Counts a failure; returns the lockouts it caused, if any.
  Caused record_failure(std::string_view ip, std::string_view login);
  // Counts an attempt refused because of `locked` (from check()).
  Refusal record_refusal(std::string_view ip, std::string_view login, const Status& locked);
  // A success forgets the login's failures (the IP's stay: one good
  // password must not reset the count of a host that guesses many).
  void record_success(std::string_view login);

  std::size_t entries() const;

 private:
  struct Counter {
    int failures = 0;
    std::chrono::system_clock::time_point first{};
    std::chrono::system_clock::time_point locked_until{};
    // During a lockout: attempts refused, and the addresses they came from.
    std::uint64_t refused = 0;
    std::vector<std::string> refused_from;
  };
  using Map = std::unordered_map<std::string, Counter>;

  std::chrono::system_clock::time_point now() const;
  bool locked(const Map& map, const std::string& key, std::chrono::system_clock::time_point now,
              std::chrono::system_clock::time_point& until) const;
  Counter& bump(Map& map, const std::string& key, std::chrono::system_clock::time_point now);
  void prune(Map& map, std::chrono::system_clock::time_point now);

  Options options_;
  mutable std::mutex mutex_;
  Map by_ip_;
  Map by_login_;
};

// Login names are counted case-insensitively, so "App@X" and "app@x" share
// one counter.
std::string lockout_login_key(std::string_view login);

}  // namespace herald::auth
