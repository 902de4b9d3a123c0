// spool::FileDescriptor — owned descriptors and raw I/O helpers for the spool.
// Only syscalls and error sentences live here; no spool layout knowledge.

#include "herald/spool/file_descriptor.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

namespace herald::spool {

void FileDescriptor::reset() {
  if (fd_ >= 0) {
    // close() errors are not actionable here: durability never relies on
    // close (every file that matters is fdatasync'ed explicitly first).
    ::close(fd_);
    fd_ = -1;
  }
}

base::Error errno_error(int err, std::string_view what) {
  std::string message = "could not ";
  message += what;
  message += ": ";
  message += std::generic_category().message(err);
  switch (err) {
    case ENOSPC:
    case EDQUOT:
      message += " (the disk holding the spool is full; free space or move data_dir)";
      break;
    case EROFS:
      message += " (the spool's file system is mounted read-only)";
      break;
    case EACCES:
    case EPERM:
      message += " (check the owner and permissions of data_dir/spool)";
      break;
    case EIO:
      message += " (the storage device reported an I/O error; check the kernel log)";
      break;
    case EMFILE:
    case ENFILE:
      message += " (too many open files; raise the file descriptor limit)";
      break;
    default:
      break;
  }
  return base::make_error(std::move(message));
}

base::Result<void> write_all(int fd, std::string_view bytes, std::string_view what) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(errno, what);
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

base::Result<std::string> read_file(int dir_fd, const std::string& name, std::string_view what) {
  FileDescriptor fd(::openat(dir_fd, name.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return errno_error(errno, what);
  std::string out;
  char chunk[16384];
  for (;;) {
    ssize_t n = ::read(fd.get(), chunk, sizeof chunk);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_error(errno, what);
    }
    if (n == 0) break;
    out.append(chunk, static_cast<size_t>(n));
  }
  return out;
}

base::Result<void> sync_directory(const std::string& path) {
  FileDescriptor fd(::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid()) return errno_error(errno, "open directory " + path);
  if (::fsync(fd.get()) != 0) return errno_error(errno, "fsync directory " + path);
  return {};
}

}  // namespace herald::spool
