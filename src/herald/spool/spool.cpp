// spool::Spool — layout, locking, recovery, queue reads and removal; the
// durable path itself (sync, rename, directory fsync) is Committer's.
// The spool is hand-written because its durability contract is the product's
// core promise; no embeddable library offers "fsync'd file per message with
// group commit" without also imposing its own storage format.

#include "herald/spool/spool.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>

#include "herald/base/log.hpp"
#include "herald/spool/id_generator.hpp"
#include "herald/spool/message_file.hpp"

namespace herald::spool {
namespace {

namespace fs = std::filesystem;

// incoming/ID.eml while received; queue/ID.msg once committed (body and
// envelope trailer); queue/ID.json: a newer envelope (delivery state).
// queue/ID.eml + queue/ID.json: a message committed by Herald before the
// one-file format, still read and delivered.
std::string body_name(std::string_view id) {
  return std::string(id) + ".eml";
}
std::string message_name(std::string_view id) {
  return std::string(id) + ".msg";
}
std::string envelope_name(std::string_view id) {
  return std::string(id) + ".json";
}

bool exists_in(int dir_fd, const std::string& name) {
  return ::faccessat(dir_fd, name.c_str(), F_OK, AT_SYMLINK_NOFOLLOW) == 0;
}

base::Error invalid_id(std::string_view id) {
  static_assert(IdGenerator::kLength == 16, "update the sentence below");
  // Appended piecewise: GCC 12 -O3 warns falsely (-Wrestrict) on "x" + str.
  std::string message = "\"";
  message += id;
  message += "\" is not a queue ID (expected 16 characters of 0-9 and a-z without i, l, o, u)";
  return base::make_error(base::ErrorKind::invalid, std::move(message));
}

// mkdir that reports whether it created the directory (so its parent needs
// an fsync for the new entry to survive a crash).
base::Result<bool> make_dir(const std::string& path) {
  if (::mkdir(path.c_str(), 0750) == 0) return true;
  if (errno == EEXIST) {
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) return false;
    return base::make_error(path + " exists but is not a directory");
  }
  return errno_error(errno, "create directory " + path);
}

base::Result<FileDescriptor> open_dir(const std::string& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return errno_error(errno, "open directory " + path);
  return fd;
}

// Names in a directory (regular entries only; "." and ".." excluded).
base::Result<std::vector<std::string>> list_dir(const std::string& path) {
  std::error_code ec;
  std::vector<std::string> names;
  for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
    names.push_back(it->path().filename().string());
  }
  if (ec) return base::make_error("could not list " + path + ": " + ec.message());
  return names;
}

// "ID.eml" -> ("ID", ".eml") when ID is valid; otherwise an empty id.
std::pair<std::string, std::string> split_name(const std::string& name) {
  auto dot = name.find('.');
  if (dot == std::string::npos) return {};
  std::string id = name.substr(0, dot), ext = name.substr(dot);
  if (!IdGenerator::valid(id) || (ext != ".eml" && ext != ".json" && ext != ".msg")) return {};
  return {id, ext};
}

// Which files of one ID are in queue/.
struct QueuedFiles {
  bool msg = false, eml = false, json = false;
  // Committed: the one-file form, or an old-format pair.
  bool committed() const { return msg || (eml && json); }
};

std::map<std::string, QueuedFiles> queued_files(const std::vector<std::string>& names) {
  std::map<std::string, QueuedFiles> found;
  for (const auto& name : names) {
    auto [id, ext] = split_name(name);
    if (id.empty()) continue;  // not ours: leave it for the operator
    auto& f = found[id];
    (ext == ".msg" ? f.msg : ext == ".eml" ? f.eml : f.json) = true;
  }
  return found;
}

}  // namespace

base::Result<std::unique_ptr<Spool>> Spool::open(const std::string& data_dir, OpenOptions options) {
  std::unique_ptr<Spool> spool(new Spool());
  if (auto r = spool->setup(data_dir, options); !r.ok()) return r.error();
  return spool;
}

Spool::~Spool() {
  stop();
}

base::Result<void> Spool::setup(const std::string& data_dir, OpenOptions options) {
  options_ = options;
  root_ = (fs::path(data_dir) / "spool").string();
  incoming_path_ = root_ + "/incoming";
  queue_path_ = root_ + "/queue";
  corrupt_path_ = root_ + "/corrupt";
  retry_path_ = root_ + "/retry";

  if (!options_.read_only) {
    // Create the layout and make the new entries durable before any message
    // relies on them: a queue/ fsync is worthless if queue/ itself vanishes.
    bool created_root = false, created_child = false;
    auto r = make_dir(data_dir);
    if (!r.ok()) return r.error();
    auto root = make_dir(root_);
    if (!root.ok()) return root.error();
    created_root = *root;
    for (const auto* dir : {&incoming_path_, &queue_path_, &corrupt_path_, &retry_path_}) {
      auto c = make_dir(*dir);
      if (!c.ok()) return c.error();
      created_child = created_child || *c;
    }
    if (created_child) {
      if (auto s = sync_directory(root_); !s.ok()) return s.error();
    }
    if (created_root || *r) {
      if (auto s = sync_directory(data_dir); !s.ok()) return s.error();
    }

    lock_fd_ =
        FileDescriptor(::open((root_ + "/lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640));
    if (!lock_fd_.valid()) return errno_error(errno, "open the spool lock " + root_ + "/lock");
    if (::flock(lock_fd_.get(), LOCK_EX | LOCK_NB) != 0) {
      if (errno == EWOULDBLOCK) {
        return base::make_error("the spool " + root_ +
                                " is in use by another herald process (stop it, or open the "
                                "spool read-only)");
      }
      return errno_error(errno, "lock the spool " + root_);
    }
  }

  auto incoming = open_dir(incoming_path_);
  if (!incoming.ok()) return incoming.error();
  incoming_fd_ = std::move(*incoming);
  auto queue = open_dir(queue_path_);
  if (!queue.ok()) return queue.error();
  queue_fd_ = std::move(*queue);

  if (options_.read_only) return {};
  if (auto r = recover(); !r.ok()) return r;
  committer_ = std::make_unique<Committer>(incoming_fd_.get(), queue_fd_.get());
  return {};
}

base::Result<void> Spool::recover() {
  bool changed = false;
  auto remove = [&](int dir_fd, const std::string& rel_dir, const std::string& name) {
    if (::unlinkat(dir_fd, name.c_str(), 0) == 0 || errno == ENOENT) {
      recovery_.removed.push_back(rel_dir + "/" + name);
      base::log_warn("spool_recovery_removed", {{"file", rel_dir + "/" + name}});
      changed = true;
    } else {
      base::log_error("spool_recovery_unlink_failed",
                      {{"file", rel_dir + "/" + name}, {"error", std::strerror(errno)}});
    }
  };

  // Everything in incoming/ is a message no one acknowledged.
  auto incoming = list_dir(incoming_path_);
  if (!incoming.ok()) return incoming.error();
  for (const auto& name : *incoming) remove(incoming_fd_.get(), "incoming", name);

  auto names = list_dir(queue_path_);
  if (!names.ok()) return names.error();
  for (const auto& [id, files] : queued_files(*names)) {
    if (!files.committed()) {
      // An envelope update left without its message (a crash inside
      // remove()), or half an old-format pair whose batch never completed.
      remove(queue_fd_.get(), "queue", files.eml ? body_name(id) : envelope_name(id));
      continue;
    }
    if (files.msg && files.eml) {
      // Cannot be made by any version; the .msg is the message.
      remove(queue_fd_.get(), "queue", body_name(id));
    }
    auto entry = load(id);
    if (!entry.ok()) {
      // Committed once but unreadable now: keep the bytes for a human.
      for (const auto& name : {message_name(id), body_name(id), envelope_name(id)}) {
        if (!exists_in(queue_fd_.get(), name)) continue;
        ::renameat(queue_fd_.get(), name.c_str(), AT_FDCWD, (corrupt_path_ + "/" + name).c_str());
      }
      recovery_.quarantined.push_back(id + ": " + entry.error().message);
      base::log_error("spool_recovery_quarantined",
                      {{"id", id}, {"reason", entry.error().message}});
      changed = true;
      continue;
    }
  }

  if (changed) {
    // Not needed for correctness (recovery is idempotent), but it spares
    // the next start from repeating the same work.
    for (const auto* dir : {&incoming_path_, &queue_path_, &corrupt_path_}) {
      if (auto s = sync_directory(*dir); !s.ok()) return s.error();
    }
  }
  return {};
}

base::Result<std::unique_ptr<MessageWriter>> Spool::create() {
  if (options_.read_only) return base::make_error("the spool was opened read-only");
  if (!committer_ || stopped_) return base::make_error("the spool is stopped");
  for (int attempt = 0; attempt < 8; ++attempt) {
    std::string id = IdGenerator::next();
    // A queued message with this ID (another process, a clock stepped back)
    // would make the commit fail; cheaper to pick another ID now.
    if (exists_in(queue_fd_.get(), message_name(id)) ||
        exists_in(queue_fd_.get(), envelope_name(id))) {
      continue;
    }
    std::string name = body_name(id);
    FileDescriptor fd(
        ::openat(incoming_fd_.get(), name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640));
    if (!fd.valid()) {
      if (errno == EEXIST) continue;
      return errno_error(errno, "create message file " + incoming_path_ + "/" + name);
    }
    return std::unique_ptr<MessageWriter>(
        new MessageWriter(id, incoming_path_ + "/" + name, std::move(fd)));
  }
  return base::make_error("could not find an unused queue ID in " + incoming_path_);
}

void Spool::commit(std::unique_ptr<MessageWriter> writer, Envelope envelope, CommitCallback done) {
  // The listener (delivery) hears of each message once it is durable.
  done = [this, inner = std::move(done)](base::Result<std::string> r) mutable {
    std::string id = r.ok() ? *r : std::string();
    if (inner) inner(std::move(r));
    if (id.empty()) return;
    std::lock_guard lock(listener_mutex_);
    if (listener_) listener_(id);
  };
  if (!writer) {
    if (done) done(base::make_error("commit without a message"));
    return;
  }
  PendingCommit p;
  p.id = writer->id();
  auto body = writer->finish();
  if (!body.ok()) {
    p.error = body.error();
  } else {
    p.body = std::move(*body);
    envelope.id = p.id;
    envelope.size = writer->size();
    if (auto w = write_all(p.body.get(), message_trailer(envelope),
                           "write the envelope of " + incoming_path_ + "/" + body_name(p.id));
        !w.ok()) {
      p.error = w.error();
    }
  }
  p.done = std::move(done);
  if (!committer_) {
    ::unlinkat(incoming_fd_.get(), body_name(p.id).c_str(), 0);
    if (p.done)
      p.done(base::make_error(options_.read_only ? "the spool was opened read-only"
                                                 : "the spool is stopped"));
    return;
  }
  if (auto refused = committer_->submit(std::move(p))) {
    ::unlinkat(incoming_fd_.get(), body_name(refused->id).c_str(), 0);
    if (refused->done) refused->done(base::make_error("the spool is shutting down"));
  }
}

base::Result<QueueEntry> Spool::load(const std::string& id) const {
  QueueEntry entry;
  // The newest envelope: ID.json when delivery has written one.
  std::optional<Envelope> updated;
  if (exists_in(queue_fd_.get(), envelope_name(id))) {
    auto text = read_file(queue_fd_.get(), envelope_name(id), "read envelope of " + id);
    if (!text.ok()) return text.error();
    auto envelope = envelope_from_json(*text);
    if (!envelope.ok()) {
      return base::make_error(queue_path_ + "/" + envelope_name(id) + ": " +
                              envelope.error().message);
    }
    updated = std::move(*envelope);
  }
  FileDescriptor fd(::openat(queue_fd_.get(), message_name(id).c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.valid()) {
    auto file = read_message_file(fd.get(), queue_path_ + "/" + message_name(id));
    if (!file.ok()) return file.error();
    entry.envelope = updated ? std::move(*updated) : std::move(file->envelope);
    entry.size = file->body_size;
    entry.body_path = queue_path_ + "/" + message_name(id);
  } else if (errno == ENOENT && updated) {
    // An old-format pair: ID.eml holds the body and nothing else.
    struct stat st {};
    if (::fstatat(queue_fd_.get(), body_name(id).c_str(), &st, 0) != 0) {
      return errno_error(errno, "stat message body of " + id);
    }
    entry.envelope = std::move(*updated);
    entry.size = static_cast<std::uint64_t>(st.st_size);
    entry.body_path = queue_path_ + "/" + body_name(id);
  } else {
    return errno_error(errno, "open message " + id);
  }
  if (entry.envelope.id != id) {
    return base::make_error("the envelope of " + id + " names another ID (" + entry.envelope.id +
                            ")");
  }
  // Whatever the envelope file says, the body is what the file holds.
  entry.envelope.size = entry.size;
  return entry;
}

base::Result<std::vector<QueueEntry>> Spool::list() const {
  auto ids = this->ids();
  if (!ids.ok()) return ids.error();
  std::vector<QueueEntry> entries;
  entries.reserve(ids->size());
  for (const auto& id : *ids) {
    auto entry = load(id);
    // Removed meanwhile (delivery), or a body whose rename is still pending
    // in another process: skip rather than fail the whole listing.
    if (entry.ok()) entries.push_back(std::move(*entry));
  }
  return entries;
}

bool Spool::committed(const std::string& id) const {
  return exists_in(queue_fd_.get(), message_name(id)) ||
         (exists_in(queue_fd_.get(), envelope_name(id)) &&
          exists_in(queue_fd_.get(), body_name(id)));
}

base::Result<QueueEntry> Spool::find(std::string_view id) const {
  if (!IdGenerator::valid(id)) return invalid_id(id);
  if (!committed(std::string(id))) {
    return base::make_error(base::ErrorKind::not_found,
                            "no message " + std::string(id) + " in the queue");
  }
  return load(std::string(id));
}

base::Result<std::string> Spool::body_path(std::string_view id) const {
  if (!IdGenerator::valid(id)) return invalid_id(id);
  const std::string name(id);
  if (exists_in(queue_fd_.get(), message_name(name))) return queue_path_ + "/" + message_name(name);
  if (committed(name)) return queue_path_ + "/" + body_name(name);
  return base::make_error(base::ErrorKind::not_found, "no message " + name + " in the queue");
}

base::Result<void> Spool::remove(std::string_view id) {
  if (!IdGenerator::valid(id)) return invalid_id(id);
  const std::string name(id);
  // The message file first: once it is gone the message is no longer
  // committed, and a crash before the envelope update is unlinked too
  // leaves an orphan ID.json that recovery deletes. (Removing ID.json
  // first could bring back the accepted envelope, and with it recipients
  // already delivered.)
  if (::unlinkat(queue_fd_.get(), message_name(name).c_str(), 0) == 0) {
    if (::unlinkat(queue_fd_.get(), envelope_name(name).c_str(), 0) != 0 && errno != ENOENT) {
      return errno_error(errno, "remove the envelope update of " + name);
    }
    return {};
  }
  if (errno != ENOENT) return errno_error(errno, "remove message " + name);
  // An old-format pair: envelope first, as it was the commit marker.
  if (::unlinkat(queue_fd_.get(), envelope_name(name).c_str(), 0) != 0) {
    if (errno == ENOENT)
      return base::make_error(base::ErrorKind::not_found, "no message " + name + " in the queue");
    return errno_error(errno, "remove envelope of " + name);
  }
  if (::unlinkat(queue_fd_.get(), body_name(name).c_str(), 0) != 0 && errno != ENOENT) {
    return errno_error(errno, "remove message body of " + name);
  }
  return {};
}

base::Result<void> Spool::update(const Envelope& envelope) {
  if (options_.read_only) return base::make_error("the spool was opened read-only");
  const std::string& id = envelope.id;
  if (!IdGenerator::valid(id)) return invalid_id(id);
  // Deleted meanwhile ('herald queue delete'): do not bring it back.
  if (!committed(id)) {
    return base::make_error(base::ErrorKind::not_found, "no message " + id + " in the queue");
  }
  // Written beside the incoming messages (recovery wipes incoming/), synced,
  // then renamed over the old envelope: a reader sees the old or the new
  // one, never a torn file.
  const std::string tmp = id + ".update";
  FileDescriptor fd(
      ::openat(incoming_fd_.get(), tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0640));
  if (!fd.valid()) return errno_error(errno, "create " + incoming_path_ + "/" + tmp);
  if (auto w = write_all(fd.get(), envelope_to_json(envelope), "write envelope update of " + id);
      !w.ok()) {
    ::unlinkat(incoming_fd_.get(), tmp.c_str(), 0);
    return w.error();
  }
  if (::fdatasync(fd.get()) != 0) {
    int err = errno;
    ::unlinkat(incoming_fd_.get(), tmp.c_str(), 0);
    return errno_error(err, "sync envelope update of " + id);
  }
  if (::renameat(incoming_fd_.get(), tmp.c_str(), queue_fd_.get(), envelope_name(id).c_str()) !=
      0) {
    int err = errno;
    ::unlinkat(incoming_fd_.get(), tmp.c_str(), 0);
    return errno_error(err, "replace envelope of " + id);
  }
  if (::fsync(queue_fd_.get()) != 0) return errno_error(errno, "sync " + queue_path_);
  return {};
}

void Spool::set_batch_observer(std::function<void(std::chrono::duration<double>)> observer) {
  if (committer_) committer_->set_batch_observer(std::move(observer));
}

void Spool::set_commit_listener(std::function<void(const std::string&)> listener) {
  std::lock_guard lock(listener_mutex_);
  listener_ = std::move(listener);
}

base::Result<void> Spool::request_retry(std::string_view id) {
  if (!IdGenerator::valid(id)) return invalid_id(id);
  if (!committed(std::string(id))) {
    return base::make_error(base::ErrorKind::not_found,
                            "no message " + std::string(id) + " in the queue");
  }
  const std::string path = retry_path_ + "/" + std::string(id);
  FileDescriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0640));
  if (!fd.valid()) return errno_error(errno, "create " + path);
  return {};
}

std::vector<std::string> Spool::take_retry_requests() {
  std::vector<std::string> ids;
  auto names = list_dir(retry_path_);
  if (!names.ok()) return ids;
  for (const auto& name : *names) {
    ::unlink((retry_path_ + "/" + name).c_str());
    if (IdGenerator::valid(name)) ids.push_back(name);
  }
  return ids;
}

base::Result<std::vector<std::string>> Spool::ids() const {
  auto names = list_dir(queue_path_);
  if (!names.ok()) return names.error();
  std::vector<std::string> out;
  for (const auto& [id, files] : queued_files(*names)) {
    if (files.committed()) out.push_back(id);  // the map keeps them sorted
  }
  return out;
}

void Spool::enqueue(Envelope envelope, std::string_view content, CommitCallback done) {
  auto writer = create();
  if (!writer) {
    if (done) done(writer.error());
    return;
  }
  if (auto w = (*writer)->write(content); !w.ok()) {
    (*writer)->abort();
    if (done) done(w.error());
    return;
  }
  commit(std::move(*writer), std::move(envelope), std::move(done));
}

Stats Spool::stats() const {
  Stats stats;
  if (committer_) stats.commits = committer_->counters();
  auto names = list_dir(queue_path_);
  if (!names.ok()) return stats;
  std::string oldest;
  for (const auto& [id, files] : queued_files(*names)) {
    if (!files.committed()) continue;
    std::uint64_t bytes = 0;
    if (files.msg) {
      FileDescriptor fd(::openat(queue_fd_.get(), message_name(id).c_str(), O_RDONLY | O_CLOEXEC));
      auto size = fd.valid() ? read_body_size(fd.get(), message_name(id))
                             : base::Result<std::uint64_t>(base::make_error("gone"));
      if (!size) continue;  // removed meanwhile, or damaged: not counted
      bytes = *size;
    } else {
      struct stat st {};
      if (::fstatat(queue_fd_.get(), body_name(id).c_str(), &st, 0) != 0) continue;
      bytes = static_cast<std::uint64_t>(st.st_size);
    }
    ++stats.count;
    stats.total_bytes += bytes;
    if (oldest.empty() || id < oldest) oldest = id;
  }
  if (!oldest.empty()) {
    auto now = std::chrono::duration_cast<std::chrono::microseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    auto made = std::chrono::microseconds(IdGenerator::unix_micros(oldest));
    stats.oldest_age = std::max(std::chrono::duration_cast<std::chrono::seconds>(now - made),
                                std::chrono::seconds(0));
  }
  return stats;
}

void Spool::stop() {
  stopped_ = true;
  if (committer_) committer_->stop();
}

}  // namespace herald::spool
