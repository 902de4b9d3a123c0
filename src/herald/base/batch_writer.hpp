// base::BatchWriter — hands items from any thread to one background thread
// that passes them, in batches, to a flush function (one store
// transaction per batch instead of one per item). record() never blocks on
// the flush; past `max_pending` items are dropped and counted, and the
// drop is logged. It must not know what the items are or where they go.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "herald/base/log.hpp"
#include "herald/base/result.hpp"

namespace herald::base {

template <class T>
class BatchWriter {
 public:
  using Flush = std::function<Result<void>(const std::vector<T>&)>;

  // `what` names the items in log lines ("audit", "activity"). With
  // `every_interval`, flush is called each interval even with nothing
  // pending (for housekeeping on the same thread).
  BatchWriter(std::string what, Flush flush, std::chrono::milliseconds interval,
              std::size_t max_pending, bool every_interval = false)
      : what_(std::move(what)),
        flush_(std::move(flush)),
        interval_(interval),
        max_pending_(max_pending),
        every_interval_(every_interval),
        thread_([this] { run(); }) {}
  ~BatchWriter() { stop(); }
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  void record(T item) {
    std::lock_guard lock(mutex_);
    if (pending_.size() >= max_pending_) {
      ++dropped_;
      return;
    }
    pending_.push_back(std::move(item));
  }

  // Flushes what is pending, then joins the thread.
  void stop() {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      stopping_ = true;
    }
    wake_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  std::uint64_t dropped() const {
    std::lock_guard lock(mutex_);
    return dropped_;
  }

 private:
  void run() {
    std::uint64_t reported = 0;
    for (;;) {
      std::vector<T> batch;
      std::uint64_t dropped;
      bool last;
      {
        std::unique_lock lock(mutex_);
        wake_.wait_for(lock, interval_, [this] { return stopping_; });
        batch.swap(pending_);
        dropped = dropped_;
        last = stopping_;
      }
      if (!batch.empty() || every_interval_) {
        if (auto r = flush_(batch); !r) {
          log_error(what_ + "_write_failed",
                    {{"items", std::to_string(batch.size())}, {"error", r.error().message}});
        }
      }
      if (dropped != reported) {
        log_error(what_ + "_events_dropped", {{"total", std::to_string(dropped)}});
        reported = dropped;
      }
      if (last) return;
    }
  }

  const std::string what_;
  const Flush flush_;
  const std::chrono::milliseconds interval_;
  const std::size_t max_pending_;
  const bool every_interval_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<T> pending_;
  std::uint64_t dropped_ = 0;
  bool stopping_ = false;
  std::thread thread_;  // last: starts once everything above is ready
};

}  // namespace herald::base
