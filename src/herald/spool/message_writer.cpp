// spool::MessageWriter — buffered streaming of a body into incoming/.
// Durability is deliberately absent here: it is paid once per batch by the
// committer, not once per write.

#include "herald/spool/message_writer.hpp"

#include <unistd.h>

namespace herald::spool {

MessageWriter::MessageWriter(std::string id, std::string path, FileDescriptor fd)
    : id_(std::move(id)), path_(std::move(path)), fd_(std::move(fd)) {
  buffer_.reserve(kBufferSize);
}

MessageWriter::~MessageWriter() {
  abort();
}

base::Result<void> MessageWriter::flush() {
  if (buffer_.empty()) return {};
  auto r = write_all(fd_.get(), buffer_, "write message body " + path_);
  // clear() keeps the capacity: the buffer is reused, never reallocated.
  buffer_.clear();
  return r;
}

base::Result<void> MessageWriter::write(std::string_view bytes) {
  if (!open_) return base::make_error("the message " + id_ + " was already committed or aborted");
  if (error_) return *error_;
  if (buffer_.size() + bytes.size() <= kBufferSize) {
    buffer_.append(bytes);
    size_ += bytes.size();
    return {};
  }
  base::Result<void> r = flush();
  if (r.ok()) {
    // A piece at least as big as the buffer goes straight to the file:
    // copying it through the buffer would only add a memcpy.
    if (bytes.size() >= kBufferSize) {
      r = write_all(fd_.get(), bytes, "write message body " + path_);
    } else {
      buffer_.append(bytes);
    }
  }
  if (!r.ok()) {
    error_ = r.error();
    return r;
  }
  size_ += bytes.size();
  return {};
}

base::Result<FileDescriptor> MessageWriter::finish() {
  if (!open_) return base::make_error("the message " + id_ + " was already committed or aborted");
  if (error_) return *error_;
  if (auto r = flush(); !r.ok()) {
    error_ = r.error();
    return r.error();
  }
  open_ = false;
  return std::move(fd_);
}

void MessageWriter::abort() {
  if (!open_) return;
  open_ = false;
  fd_.reset();
  ::unlink(path_.c_str());
  buffer_.clear();
  buffer_.shrink_to_fit();
}

}  // namespace herald::spool
