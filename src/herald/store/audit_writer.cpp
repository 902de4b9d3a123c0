#include "herald/store/audit_writer.hpp"

#include "herald/base/log.hpp"
#include "herald/store/store_impl.hpp"

namespace herald::store {

AuditWriter::AuditWriter(Store& store, std::chrono::milliseconds interval, std::size_t max_pending)
    : store_(store), interval_(interval), max_pending_(max_pending), thread_([this] { run(); }) {}

AuditWriter::~AuditWriter() {
  stop();
}

void AuditWriter::record(AuditEvent event) {
  if (event.at == 0) event.at = unix_now();
  std::lock_guard lock(mutex_);
  if (pending_.size() >= max_pending_) {
    ++dropped_;
    return;
  }
  pending_.push_back(std::move(event));
}

std::uint64_t AuditWriter::dropped() const {
  std::lock_guard lock(mutex_);
  return dropped_;
}

void AuditWriter::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void AuditWriter::run() {
  std::uint64_t reported = 0;
  for (;;) {
    std::vector<AuditEvent> batch;
    std::uint64_t dropped;
    bool last;
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, interval_, [this] { return stopping_; });
      batch.swap(pending_);
      dropped = dropped_;
      last = stopping_;
    }
    if (!batch.empty()) {
      if (auto r = store_.add_audit(batch); !r) {
        base::log_error("audit_write_failed",
                        {{"events", std::to_string(batch.size())}, {"error", r.error().message}});
      }
    }
    if (dropped != reported) {
      base::log_error("audit_events_dropped", {{"total", std::to_string(dropped)}});
      reported = dropped;
    }
    if (last) return;
  }
}

}  // namespace herald::store
