// store::AuditWriter — appends audit events from the server's threads
// without blocking them: events queue in memory and a background thread
// writes them in one transaction every `interval` (so a burst of logins
// costs one disk sync, not one each). Bounded: past `max_pending` events
// are dropped and counted, and the drop is logged.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <thread>
#include <vector>

#include "herald/store/store.hpp"

namespace herald::store {

class AuditWriter {
 public:
  explicit AuditWriter(Store& store,
                       std::chrono::milliseconds interval = std::chrono::milliseconds(200),
                       std::size_t max_pending = 100000);
  ~AuditWriter();
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;

  void record(AuditEvent event);  // thread-safe; never blocks on the disk
  void stop();                    // writes what is pending, then joins
  std::uint64_t dropped() const;

 private:
  void run();

  Store& store_;
  std::chrono::milliseconds interval_;
  std::size_t max_pending_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<AuditEvent> pending_;
  std::uint64_t dropped_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace herald::store
