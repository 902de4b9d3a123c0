// events::ActivityRecorder — takes message activity events from sessions
// and the delivery scheduler without blocking them, writes them to the
// store in batches on its own thread (base::BatchWriter), and prunes what
// is older than [activity] retention once an hour on that same thread. It
// decides nothing about a message; it must not do I/O on the caller's
// thread. Events still in memory when the process dies are lost (at most
// one interval's worth); the messages themselves are safe in the spool.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "herald/base/batch_writer.hpp"
#include "herald/store/roles.hpp"

namespace herald::events {

class ActivityRecorder {
 public:
  ActivityRecorder(store::ActivityStore& store, std::chrono::seconds retention,
                   std::chrono::milliseconds interval = std::chrono::milliseconds(200),
                   std::size_t max_pending = 200000);

  // Thread-safe; never blocks on the disk. Fills in id and at_ms if empty.
  void record(store::ActivityEvent event);
  void stop() { writer_.stop(); }
  std::uint64_t dropped() const { return writer_.dropped(); }

 private:
  base::Result<void> flush(const std::vector<store::ActivityEvent>& batch);

  store::ActivityStore& store_;
  const std::chrono::seconds retention_;
  std::int64_t next_prune_ = 0;  // Unix seconds; touched on the writer thread only
  base::BatchWriter<store::ActivityEvent> writer_;  // last: its thread uses the above
};

// A new event: a unique id ("ev_" + 24 hex digits) and the time now.
store::ActivityEvent new_event(std::string type, std::string message_id, std::string account);

// Unix milliseconds now.
std::int64_t unix_millis();

}  // namespace herald::events
