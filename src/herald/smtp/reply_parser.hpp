// smtp::ReplyParser — reads a remote server's replies (RFC 5321 §4.2) from
// bytes, one reply at a time, for the outbound client. Every line, reply and
// buffer is bounded, and reply text only leaves here sanitized (printable
// ASCII): a hostile server must never inject CR/LF into what Herald writes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace herald::smtp {

// A complete reply as the server sent it, made safe to log or quote.
struct ServerReply {
  int code = 0;
  // RFC 3463 "x.y.z" from the first line when present and of the same class
  // as the code (a "5.1.1" on a 250 is text, not a status); else empty.
  std::string enhanced;
  // Text of each line after "CODE-"/"CODE ", with that line's enhanced code
  // removed; every octet outside 0x20..0x7E is replaced by '?'.
  std::vector<std::string> lines;

  int klass() const { return code / 100; }  // 2, 3, 4 or 5
  bool positive() const { return klass() == 2; }
  bool intermediate() const { return klass() == 3; }
  bool transient() const { return klass() == 4; }
  bool permanent() const { return klass() == 5; }

  // The lines joined by single spaces: one line fit for a log or a DSN's
  // Diagnostic-Code, cut at `max_chars` (marked by "...").
  std::string text(std::size_t max_chars = 1024) const;
  // "550 5.1.1 text" as above.
  std::string summary(std::size_t max_chars = 1024) const;
};

struct ReplyLimits {
  // RFC 5321 §4.5.3.1.5 allows 512 octets per reply line; real servers send
  // longer ones, so be tolerant, but bounded.
  std::size_t max_line = 2048;        // octets including the line end
  std::size_t max_lines = 100;        // lines in one reply
  std::size_t max_reply = 64 * 1024;  // octets in one reply, line ends included
};

enum class ReplyError {
  none,
  line_too_long,   // a line over max_line
  too_many_lines,  // a reply over max_lines
  reply_too_big,   // a reply over max_reply
  malformed,       // not "DDD", "DDD-text" or "DDD text"; a code outside 200..599
  code_mismatch,   // lines of one multi-line reply with different codes
};

// Human words for an error, for logs and diagnostics.
std::string_view reply_error_text(ReplyError error);

// Line ends: CRLF is the rule; a bare LF also ends a line (some servers send
// it, and accepting it cannot hurt: the line's content is sanitized either
// way). A CR anywhere else is part of the text and becomes '?'.
//
// Usage: feed() bytes until done() (take() the reply, then feed the rest)
// or failed() (the connection must be dropped: nothing after a framing
// error can be trusted). Memory held is at most one reply plus one line.
class ReplyParser {
 public:
  explicit ReplyParser(ReplyLimits limits = {}) : limits_(limits) {}

  // Consumes octets from `input`, stopping right after the line that
  // completes a reply, or at the octet that broke a limit. Returns octets
  // consumed; consumes nothing once done() or failed().
  std::size_t feed(std::string_view input);

  bool done() const { return done_; }
  bool failed() const { return error_ != ReplyError::none; }
  ReplyError error() const { return error_; }

  // The completed reply; the parser is then ready for the next one.
  ServerReply take();

  // Forgets everything, including an error (e.g. after STARTTLS).
  void reset();

 private:
  void end_line();
  void fail(ReplyError error) { error_ = error; }

  ReplyLimits limits_;
  std::string line_;  // current line so far, raw (a CR before LF included)
  std::size_t reply_size_ = 0;
  ServerReply reply_;
  bool done_ = false;
  ReplyError error_ = ReplyError::none;
};

}  // namespace herald::smtp
