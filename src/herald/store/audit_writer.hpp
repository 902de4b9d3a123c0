// store::AuditWriter — appends audit events from the server's threads
// without blocking them: events queue in memory and a background thread
// writes them in one transaction every `interval` (so a burst of logins
// costs one disk sync, not one each). Bounded: past `max_pending` events
// are dropped and counted, and the drop is logged (base::BatchWriter).
#pragma once

#include <chrono>
#include <cstdint>

#include "herald/base/batch_writer.hpp"
#include "herald/store/roles.hpp"

namespace herald::store {

class AuditWriter {
 public:
  explicit AuditWriter(ActivityStore& store,
                       std::chrono::milliseconds interval = std::chrono::milliseconds(200),
                       std::size_t max_pending = 100000);

  void record(AuditEvent event);   // thread-safe; never blocks on the disk
  void stop() { writer_.stop(); }  // writes what is pending, then joins
  std::uint64_t dropped() const { return writer_.dropped(); }

 private:
  base::BatchWriter<AuditEvent> writer_;
};

}  // namespace herald::store
