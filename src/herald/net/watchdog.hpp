// net::Watchdog — one deadline for a connection's current operation,
// enforced by one timer: when it passes, `on_expire` runs (it cancels the
// stream). Owns only the timer and the deadline; must not touch the stream
// itself, and is used from one executor (the connection's), never across
// threads.
//
// Re-arming is lazy: a later deadline is picked up when the timer next
// fires, so a busy connection that keeps pushing its deadline out costs no
// timer syscalls per read; an earlier one wakes the timer at once. After it
// fires the watchdog keeps running (deadline "never" until re-armed), so an
// owner can arm it again for a last reply.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <functional>
#include <memory>

namespace herald::net {

class Watchdog : public std::enable_shared_from_this<Watchdog> {
 public:
  using Clock = std::chrono::steady_clock;

  // Starts watching on `executor`; no deadline until the first arm.
  static std::shared_ptr<Watchdog> start(asio::any_io_executor executor,
                                         std::function<void()> on_expire);

  void arm_at(Clock::time_point deadline);
  void arm(Clock::duration timeout) { arm_at(Clock::now() + timeout); }
  Clock::time_point deadline() const { return deadline_; }
  // The deadline passed at least once.
  bool fired() const { return fired_; }
  // Ends the watch; on_expire never runs after this returns.
  void stop();

  // Use start().
  Watchdog(asio::any_io_executor executor, std::function<void()> on_expire);

 private:
  void run();

  asio::steady_timer timer_;
  std::function<void()> on_expire_;
  Clock::time_point deadline_ = Clock::time_point::max();
  bool fired_ = false;
  bool stopped_ = false;
};

}  // namespace herald::net
