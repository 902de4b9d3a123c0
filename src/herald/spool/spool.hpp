// spool::Spool — the durable message queue under <data_dir>/spool/: creating
// messages, committing them with group commit, crash recovery, listing and
// removal. It must not deliver, retry or decide policy (that is delivery's).
//
// Layout
//   spool/lock        flock'ed by the one process that owns the spool
//   spool/incoming/   ID.eml: a message being received or waiting for commit
//   spool/queue/      committed messages: ID.msg (body, then the envelope it
//                     was accepted with; see message_file.hpp), and ID.json
//                     once delivery has recorded state (it then wins over
//                     the envelope inside ID.msg). ID.eml + ID.json pairs are
//                     messages committed by versions before the one-file
//                     format; they are still read, delivered and removed.
//   spool/corrupt/    committed messages whose envelope could not be read
//   spool/retry/      empty files named by ID: `herald queue retry` requests
//
// Commit protocol (one round of the committer thread takes every pending
// commit; Spool::commit itself only writes to the page cache):
//   0. The session streams the body to incoming/ID.eml (MessageWriter).
//   1. commit(): flush the writer's buffer, append the envelope trailer.
//   2. Round: sync_file_range(WRITE) on every file of the batch, then
//      fdatasync() each (the first journal commit covers them all).
//   3. For each message rename incoming/ID.eml -> queue/ID.msg
//      (RENAME_NOREPLACE). At run time the rename is the commit: a reader
//      never sees an incomplete ID.msg.
//   4. fsync(queue/) ONCE for the whole batch: every rename becomes durable.
//   5. Only then run the done callbacks (the session's "250 queued as ID").
// A crash before step 4 completes may keep any subset of the renames, but no
// one has been told "done", and every kept ID.msg is complete; after step 4
// every message of the batch is durable, so nothing acknowledged is lost.
// Renames out of incoming/ need no fsync of incoming/: a stale name left
// there after a crash is deleted by recovery (the queue/ name stays).
//
// Recovery (open, exclusive mode): delete everything in incoming/; in queue/
// delete an ID.json without its message and half an old-format pair
// (interrupted, never acknowledged); move messages whose envelope does not
// parse to corrupt/. What was removed is logged and kept in recovery().
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "herald/base/result.hpp"
#include "herald/spool/committer.hpp"
#include "herald/spool/envelope.hpp"
#include "herald/spool/file_descriptor.hpp"
#include "herald/spool/message_writer.hpp"

namespace herald::spool {

struct OpenOptions {
  // For `herald queue ...` beside a running server: no lock, no recovery (it
  // would delete the server's incoming files), no create/commit. remove()
  // stays allowed so an operator can prune: unlinking a committed message
  // never races the server's committer, which only adds new names.
  bool read_only = false;
};

struct RecoveryReport {
  std::vector<std::string> removed;      // relative to spool/, e.g. "incoming/x.eml"
  std::vector<std::string> quarantined;  // moved to corrupt/, with the reason
};

struct Stats {
  std::uint64_t count = 0;             // committed messages in queue/
  std::uint64_t total_bytes = 0;       // sum of their body sizes
  std::chrono::seconds oldest_age{0};  // since the oldest message's ID was made
  CommitCounters commits;              // group-commit counters since open
};

class Spool {
 public:
  // Creates the layout if needed, takes the lock and recovers (exclusive mode).
  static base::Result<std::unique_ptr<Spool>> open(const std::string& data_dir,
                                                   OpenOptions options = {});
  Spool(const Spool&) = delete;
  Spool& operator=(const Spool&) = delete;
  ~Spool();  // stop()

  // A new message in incoming/ with a fresh ID.
  base::Result<std::unique_ptr<MessageWriter>> create();

  // Makes the message durable with the next group commit, then calls done
  // with its ID (or an error sentence) from the committer thread; the caller
  // posts back to its own executor. envelope.id and envelope.size are taken
  // from the writer. The message is on stable storage when done gets an ID.
  // On the caller's thread it only writes the last buffered bytes and the
  // envelope to the page cache (no sync), like MessageWriter::write.
  void commit(std::unique_ptr<MessageWriter> writer, Envelope envelope, CommitCallback done);

  // Rewrites a committed message's envelope (delivery state) durably: temp
  // file, fdatasync, rename over ID.json (which then wins over the envelope
  // inside ID.msg), fsync queue/. Fails when the
  // message was deleted meanwhile. Blocking: call it from a worker or the
  // delivery thread, never a session's I/O thread.
  base::Result<void> update(const Envelope& envelope);

  // Queues a message Herald made itself (a DSN) from memory, with the same
  // durability as a submitted one.
  void enqueue(Envelope envelope, std::string_view content, CommitCallback done);

  // Called from the committer thread with each committed message's ID,
  // after its own callback. Set it before commits begin; clear it (nullptr)
  // before the listener goes away.
  void set_commit_listener(std::function<void(const std::string&)> listener);
  // Told the duration of each group-commit batch (committer thread). Set
  // before the server accepts connections.
  void set_batch_observer(std::function<void(std::chrono::duration<double>)> observer);

  // `herald queue retry`: a marker in spool/retry/ that the delivery
  // scheduler of a running (or the next) server picks up. Allowed on a
  // read-only spool, like remove().
  base::Result<void> request_retry(std::string_view id);
  // The IDs asked for since the last call; their markers are removed.
  std::vector<std::string> take_retry_requests();

  // IDs of committed messages (names only, no envelope parsing), sorted.
  base::Result<std::vector<std::string>> ids() const;

  // Committed messages, oldest first.
  base::Result<std::vector<QueueEntry>> list() const;
  base::Result<QueueEntry> find(std::string_view id) const;
  base::Result<std::string> body_path(std::string_view id) const;

  // Unlinks the message, then its envelope update. Not fsynced on its own
  // (the next commit's directory fsync persists it): a crash right after may
  // bring the message back, which costs at most a duplicate delivery, never
  // a loss.
  base::Result<void> remove(std::string_view id);

  // Read from the directory each time (names and body sizes from each
  // file's footer, no envelope parsing), so it stays right when another
  // process removes messages.
  Stats stats() const;
  const RecoveryReport& recovery() const { return recovery_; }
  const std::string& path() const { return root_; }

  // Commits already submitted finish (their callbacks run); later ones fail.
  void stop();

 private:
  Spool() = default;
  base::Result<void> setup(const std::string& data_dir, OpenOptions options);
  base::Result<void> recover();
  base::Result<QueueEntry> load(const std::string& id) const;
  // queue/ holds the message: ID.msg, or an old-format ID.eml + ID.json.
  bool committed(const std::string& id) const;

  OpenOptions options_;
  std::string root_, incoming_path_, queue_path_, corrupt_path_, retry_path_;
  std::mutex listener_mutex_;
  std::function<void(const std::string&)> listener_;
  FileDescriptor lock_fd_, incoming_fd_, queue_fd_;
  RecoveryReport recovery_;

  std::atomic<bool> stopped_{false};

  std::unique_ptr<Committer> committer_;  // last: stopped before the fds close
};

}  // namespace herald::spool
