// spool::MessageWriter — streams one message body into spool/incoming/ID.eml
// while DATA arrives, so memory per session stays at one small buffer. It
// must not make anything durable: fdatasync and the move into queue/ belong
// to Spool::commit's group commit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "herald/base/result.hpp"
#include "herald/spool/file_descriptor.hpp"

namespace herald::spool {

class MessageWriter {
 public:
  // Bytes are gathered up to this size before one write(2) to the page cache;
  // the buffer never grows past it, whatever the size of the message.
  static constexpr std::size_t kBufferSize = 64 * 1024;

  MessageWriter(const MessageWriter&) = delete;
  MessageWriter& operator=(const MessageWriter&) = delete;
  // Without a commit, the incoming file is removed.
  ~MessageWriter();

  // Appends bytes exactly as they will be delivered (Received: header first,
  // then the client's message, already un-dot-stuffed). May block briefly in
  // write(2), so call it off the I/O thread. After an error (ENOSPC, EIO...)
  // every further write returns the same error; abort or drop the writer.
  base::Result<void> write(std::string_view bytes);

  // Bytes accepted so far (buffered or on disk).
  std::uint64_t size() const { return size_; }
  const std::string& id() const { return id_; }
  // The file in incoming/ (it moves to queue/ on commit).
  const std::string& path() const { return path_; }

  // Drops the message: closes and removes the incoming file. Idempotent.
  void abort();

  // For tests and metrics: memory held for buffering, by design <= kBufferSize.
  std::size_t buffer_capacity() const { return buffer_.capacity(); }
  std::size_t buffered() const { return buffer_.size(); }

 private:
  friend class Spool;
  MessageWriter(std::string id, std::string path, FileDescriptor fd);

  // Writes what is buffered and hands the open file to the caller; from then
  // on the caller owns the incoming file (and removes it if the commit fails).
  base::Result<FileDescriptor> finish();
  base::Result<void> flush();

  std::string id_;
  std::string path_;
  FileDescriptor fd_;
  std::string buffer_;
  std::uint64_t size_ = 0;
  std::optional<base::Error> error_;
  bool open_ = true;  // false once finished or aborted
};

}  // namespace herald::spool
