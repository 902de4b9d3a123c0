// spool::Committer — group commit. Commits arriving while a round is syncing
// wait for the next round, which takes all of them: N concurrent sessions
// cost one journal commit and one directory fsync, not N.

#include "herald/spool/committer.hpp"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <cerrno>

#include "herald/base/log.hpp"

namespace herald::spool {
namespace {

std::string incoming_name(const std::string& id) {
  return id + ".eml";
}
std::string message_name(const std::string& id) {
  return id + ".msg";
}

// Never replaces an existing file: an ID collision must fail one commit,
// not silently overwrite a queued message. File systems without
// RENAME_NOREPLACE get a check-then-rename, good enough given the ID space.
int rename_noreplace(int from_dir, const std::string& from, int to_dir, const std::string& to) {
  if (::renameat2(from_dir, from.c_str(), to_dir, to.c_str(), RENAME_NOREPLACE) == 0) return 0;
  if (errno != EINVAL && errno != ENOSYS) return -1;
  if (::faccessat(to_dir, to.c_str(), F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
    errno = EEXIST;
    return -1;
  }
  return ::renameat(from_dir, from.c_str(), to_dir, to.c_str());
}

}  // namespace

Committer::Committer(int incoming_dir, int queue_dir)
    : incoming_dir_(incoming_dir), queue_dir_(queue_dir), thread_([this] { run(); }) {}

Committer::~Committer() {
  stop();
}

std::optional<PendingCommit> Committer::submit(PendingCommit commit) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return commit;
    pending_.push_back(std::move(commit));
  }
  wake_.notify_one();
  return std::nullopt;
}

void Committer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

CommitCounters Committer::counters() const {
  std::lock_guard lock(mutex_);
  return counters_;
}

void Committer::run() {
  std::vector<PendingCommit> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [this] { return stopping_ || !pending_.empty(); });
      if (pending_.empty()) return;  // stopping and drained
      batch.swap(pending_);
    }
    const auto started = std::chrono::steady_clock::now();
    commit_batch(batch);
    if (batch_observer_) batch_observer_(std::chrono::steady_clock::now() - started);
    batch.clear();
  }
}

void Committer::discard_incoming(const std::string& id) {
  ::unlinkat(incoming_dir_, incoming_name(id).c_str(), 0);
}

void Committer::discard_queued(const std::string& id) {
  ::unlinkat(queue_dir_, message_name(id).c_str(), 0);
}

void Committer::commit_batch(std::vector<PendingCommit>& batch) {
  // 1. Start writeback of every file at once. Without this, each fdatasync
  // below would allocate its own blocks and pay its own journal commit; with
  // it, the first fdatasync's journal commit covers the whole batch.
  for (auto& p : batch) {
    if (p.error) continue;
    ::sync_file_range(p.body.get(), 0, 0, SYNC_FILE_RANGE_WRITE);
  }

  // 2. Data (and the metadata needed to read it back) on stable storage:
  // body and envelope trailer are one file, so one sync per message.
  std::size_t synced = 0;
  for (auto& p : batch) {
    if (p.error) continue;
    if (::fdatasync(p.body.get()) != 0) {
      p.error = errno_error(errno, "fdatasync message " + incoming_name(p.id));
    } else {
      ++synced;
    }
    p.body.reset();
  }

  // 3. Move into queue/ under its committed name. At run time the rename is
  // the commit: readers only ever see a complete ID.msg.
  std::vector<PendingCommit*> moved;
  for (auto& p : batch) {
    if (p.error) {
      discard_incoming(p.id);
      continue;
    }
    if (rename_noreplace(incoming_dir_, incoming_name(p.id), queue_dir_, message_name(p.id)) != 0) {
      p.error = errno_error(errno, "move message " + p.id + " into the queue");
      discard_incoming(p.id);
      continue;
    }
    moved.push_back(&p);
  }

  // 4. One fsync of queue/ makes every rename of the batch durable. Before it
  // completes a crash may keep any subset of the renames; that is safe: each
  // kept ID.msg is complete, and no caller has been told "done" yet.
  if (!moved.empty() && ::fsync(queue_dir_) != 0) {
    base::Error error = errno_error(errno, "fsync the queue directory");
    for (auto* p : moved) {
      // Reported as failed, so it must not be delivered either.
      discard_queued(p->id);
      p->error = error;
    }
    moved.clear();
  }

  {
    std::lock_guard lock(mutex_);
    if (synced > 0) ++counters_.batches;
    counters_.messages += moved.size();
    counters_.failures += batch.size() - moved.size();
    if (moved.size() > counters_.largest_batch) counters_.largest_batch = moved.size();
  }

  // 5. Only now may anyone say "250 queued".
  for (auto& p : batch) {
    if (!p.done) continue;
    try {
      if (p.error) {
        p.done(*p.error);
      } else {
        p.done(p.id);
      }
    } catch (...) {
      // A throwing callback must not kill the thread every session needs.
      base::log_error("spool_commit_callback_threw", {{"id", p.id}});
    }
  }
}

}  // namespace herald::spool
