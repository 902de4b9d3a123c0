// spool::FileDescriptor — an owned POSIX file descriptor plus the few raw I/O
// helpers the spool needs (full writes, errno sentences). It knows nothing of
// messages or queues; it must not buffer or retry beyond EINTR.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include "herald/base/result.hpp"

namespace herald::spool {

class FileDescriptor {
 public:
  FileDescriptor() = default;
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  FileDescriptor(FileDescriptor&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  FileDescriptor& operator=(FileDescriptor&& other) noexcept {
    if (this != &other) {
      reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~FileDescriptor() { reset(); }

  int get() const { return fd_; }
  bool valid() const { return fd_ >= 0; }
  int release() { return std::exchange(fd_, -1); }
  void reset();

 private:
  int fd_ = -1;
};

// "could not <what>: <strerror>" with a hint for the errors an operator can fix
// (a full disk, a read-only file system, missing permissions).
base::Error errno_error(int err, std::string_view what);

// write(2) until every byte is out; a short write is retried, EINTR too.
base::Result<void> write_all(int fd, std::string_view bytes, std::string_view what);

// Reads a whole (small) file, e.g. an envelope.
base::Result<std::string> read_file(int dir_fd, const std::string& name, std::string_view what);

// fsync(2) of a directory so that entries created or renamed in it are durable.
base::Result<void> sync_directory(const std::string& path);

}  // namespace herald::spool
