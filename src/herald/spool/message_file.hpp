// spool::message_file — the one file a committed message is: queue/ID.msg
// holds the body as received, then the envelope it was accepted with (the
// same JSON as ID.json), then a fixed 32-octet footer that gives the
// envelope's length:
//
//   <body: envelope.size octets><envelope JSON>"\nHERALD-ENVELOPE-1 " 12 hex digits "\n"
//
// One file instead of a body and an envelope halves the files created,
// synced and renamed per message (see docs/performance.md). A later
// envelope (delivery state, Spool::update) goes to queue/ID.json, which
// then takes precedence over the one in the file; the body never changes.
//
// Whoever reads the body must stop after envelope.size octets: what follows
// is Herald's own record (client IP, login) and must never leave the machine.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "herald/base/result.hpp"
#include "herald/spool/envelope.hpp"
#include "herald/spool/file_descriptor.hpp"

namespace herald::spool {

inline constexpr std::size_t kFooterSize = 32;

// The octets to append after the body: envelope JSON and footer.
std::string message_trailer(const Envelope& envelope);

// The envelope's length from the last kFooterSize octets of a file;
// an error when they are not a footer.
base::Result<std::uint64_t> parse_footer(std::string_view footer);

// What the trailer of a committed file says.
struct MessageFile {
  Envelope envelope;            // as accepted (ID.json may hold a newer one)
  std::uint64_t body_size = 0;  // octets of body at the start of the file
};

// Reads the footer and envelope at the end of the open file `fd`.
base::Result<MessageFile> read_message_file(int fd, std::string_view name);
// Only the footer: how many octets of body the file holds.
base::Result<std::uint64_t> read_body_size(int fd, std::string_view name);

// Reads a queued message's body (QueueEntry::body_path, QueueEntry::size):
// the first `size` octets of the file and never what follows them. Every
// reader of queued mail goes through this.
class BodyReader {
 public:
  BodyReader(const std::string& path, std::uint64_t size);
  // False when the file could not be opened, or a read failed; error() says.
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  // Up to `max` further octets of the body into `buf`; 0 at its end (or on
  // an error, or when the file is shorter than the body should be).
  std::size_t read(char* buf, std::size_t max);

 private:
  FileDescriptor fd_;
  std::string path_;
  std::uint64_t left_;
  std::string error_;
};

// At most `max` octets from the start of a body, in memory.
base::Result<std::string> read_body(const std::string& path, std::uint64_t size,
                                    std::uint64_t max = UINT64_MAX);

}  // namespace herald::spool
