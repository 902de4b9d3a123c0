// spool::Committer — the group-commit thread: it makes whole batches of
// prepared messages durable with shared syncs and one directory fsync, then
// reports each result. It must not parse envelopes or run session logic; a
// done callback runs on its thread and should only post work elsewhere.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "herald/base/result.hpp"
#include "herald/spool/file_descriptor.hpp"

namespace herald::spool {

using CommitCallback = std::function<void(base::Result<std::string>)>;

// One message whose body and envelope trailer are written (page cache) to
// incoming/ID.eml and wait to be made durable as queue/ID.msg. From
// submit() on, the committer owns the incoming file.
struct PendingCommit {
  std::string id;
  FileDescriptor body;
  // Set when preparing failed: the committer only cleans up and reports it,
  // so that every callback runs on the committer thread.
  std::optional<base::Error> error;
  CommitCallback done;
};

struct CommitCounters {
  std::uint64_t batches = 0;   // rounds that synced at least one message
  std::uint64_t messages = 0;  // messages committed
  std::uint64_t failures = 0;  // commits reported as errors
  std::uint64_t largest_batch = 0;
};

class Committer {
 public:
  // The directory descriptors are borrowed and must outlive the committer.
  Committer(int incoming_dir, int queue_dir);
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;
  ~Committer();

  // Queues a commit. Returns it back if the committer is stopping, so the
  // caller can report the refusal itself.
  std::optional<PendingCommit> submit(PendingCommit commit);

  // Finishes every commit already submitted, then joins the thread.
  void stop();

  CommitCounters counters() const;

  // Told how long each batch took (syncs and renames), on the committer
  // thread; set before the first submit().
  void set_batch_observer(std::function<void(std::chrono::duration<double>)> observer) {
    batch_observer_ = std::move(observer);
  }

 private:
  void run();
  void commit_batch(std::vector<PendingCommit>& batch);
  void discard_incoming(const std::string& id);
  void discard_queued(const std::string& id);

  int incoming_dir_;
  int queue_dir_;
  std::function<void(std::chrono::duration<double>)> batch_observer_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<PendingCommit> pending_;
  bool stopping_ = false;
  CommitCounters counters_;
  std::thread thread_;
};

}  // namespace herald::spool
