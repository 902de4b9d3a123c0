// net::ConnectionLimiter — caps concurrent connections in total and per
// client address, shared by every listener and I/O thread, and says when
// the server is under stress (most slots taken), so sessions can shorten
// their deadlines. A Slot releases its count when the session ends,
// whatever way it ends. It never closes or times out anything itself.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace herald::net {

// Stress starts when `enter` percent of the total are in use and ends below
// `leave` percent (the gap keeps it from flapping at the edge).
struct StressLevels {
  std::size_t enter_percent = 80;
  std::size_t leave_percent = 70;
};

class ConnectionLimiter {
 public:
  ConnectionLimiter(std::size_t max_total, std::size_t max_per_ip, StressLevels levels = {});

  class Slot {
   public:
    Slot() = default;
    Slot(ConnectionLimiter* owner, std::string ip) : owner_(owner), ip_(std::move(ip)) {}
    Slot(Slot&& other) noexcept : owner_(other.owner_), ip_(std::move(other.ip_)) {
      other.owner_ = nullptr;
    }
    Slot& operator=(Slot&&) = delete;
    ~Slot() {
      if (owner_) owner_->release(ip_);
    }
    explicit operator bool() const { return owner_ != nullptr; }

   private:
    ConnectionLimiter* owner_ = nullptr;
    std::string ip_;
  };

  enum class Refusal { none, total, per_ip };

  // An empty Slot means refused; `why` says which limit.
  Slot acquire(const std::string& ip, Refusal& why);
  std::size_t active() const;

  // Lock-free: read by every session before each wait.
  bool stressed() const { return stressed_.load(std::memory_order_relaxed); }

  // Told (outside the lock) when stress starts (true) or ends (false), with
  // the connections in use then. Set before the first acquire().
  void on_stress_change(std::function<void(bool, std::size_t)> listener) {
    stress_listener_ = std::move(listener);
  }

 private:
  void release(const std::string& ip);
  // Under the lock: the new stress state if it changes now.
  int stress_transition();
  void notify(int transition, std::size_t active) const;

  std::size_t max_total_;
  std::size_t max_per_ip_;
  std::size_t enter_at_;
  std::size_t leave_below_;
  mutable std::mutex mutex_;
  std::size_t total_ = 0;
  std::unordered_map<std::string, std::size_t> per_ip_;
  std::atomic<bool> stressed_{false};
  std::function<void(bool, std::size_t)> stress_listener_;
};

}  // namespace herald::net
