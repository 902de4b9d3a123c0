// net::Watchdog — see watchdog.hpp. Runs as a chain of timer waits on the
// connection's executor; must not block or touch anything but its timer.
#include "herald/net/watchdog.hpp"

namespace herald::net {

std::shared_ptr<Watchdog> Watchdog::start(asio::any_io_executor executor,
                                          std::function<void()> on_expire) {
  auto watchdog = std::make_shared<Watchdog>(std::move(executor), std::move(on_expire));
  watchdog->run();
  return watchdog;
}

Watchdog::Watchdog(asio::any_io_executor executor, std::function<void()> on_expire)
    : timer_(std::move(executor)), on_expire_(std::move(on_expire)) {}

void Watchdog::arm_at(Clock::time_point deadline) {
  const bool earlier = deadline < deadline_;
  deadline_ = deadline;
  if (earlier) timer_.cancel();
}

void Watchdog::stop() {
  stopped_ = true;
  on_expire_ = nullptr;
  timer_.cancel();
}

void Watchdog::run() {
  if (stopped_) return;
  if (deadline_ <= Clock::now()) {
    fired_ = true;
    deadline_ = Clock::time_point::max();
    if (on_expire_) on_expire_();
    if (stopped_) return;
  }
  timer_.expires_at(deadline_);
  // The wait ends when the deadline passes or an earlier one cancels it;
  // either way the loop looks at the deadline again.
  timer_.async_wait([self = shared_from_this()](const asio::error_code&) { self->run(); });
}

}  // namespace herald::net
