// net::ConnectionLimiter — caps concurrent connections in total and per
// client address, shared by every listener and I/O thread. A Slot releases
// its count when the session ends, whatever way it ends.
#pragma once

#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace herald::net {

class ConnectionLimiter {
 public:
  ConnectionLimiter(std::size_t max_total, std::size_t max_per_ip)
      : max_total_(max_total), max_per_ip_(max_per_ip) {}

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

 private:
  void release(const std::string& ip);

  std::size_t max_total_;
  std::size_t max_per_ip_;
  mutable std::mutex mutex_;
  std::size_t total_ = 0;
  std::unordered_map<std::string, std::size_t> per_ip_;
};

}  // namespace herald::net
