// smtp::DataReader and smtp::BdatReader — streaming readers for message
// content after DATA (dot-unstuffing, end only at CRLF "." CRLF) and for BDAT
// chunks (exact octet counts). Both refuse bare CR / bare LF, NUL octets,
// over-long lines and oversize messages without ever ending a message early (anti-smuggling).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace herald::smtp {

// Verdict on a message's content. The first problem found wins; once any
// problem is found the readers stop producing output (the message will be
// refused, so there is no point writing it anywhere) but keep consuming.
enum class ReadStatus {
  ok,
  too_big,        // more content octets than max_size
  bare_newline,   // a CR not followed by LF, or an LF not preceded by CR
  line_too_long,  // a line longer than max_line octets including its CRLF
  nul,            // a NUL octet: not text (RFC 5321 §4.5.2, RFC 6152), and a
                  // receiver that drops NULs would see CRLF "." CRLF in CRLF NUL "." CRLF
};

// Reads the body that follows "354". Input may arrive in fragments of any
// size; the reader keeps only a few bits of state between calls (no buffer).
// Output is the content as it is stored: CRLF lines, dot-unstuffed, without
// the terminating ".". The start of the data counts as the start of a line,
// so input ".\r\n" is the empty message.
class DataReader {
 public:
  DataReader(std::uint64_t max_size, std::size_t max_line)
      : max_size_(max_size), max_line_(max_line) {}

  // Ready for a new message (same limits).
  void reset();

  // Consumes octets from `input`, stopping right after the terminator, and
  // appends content to `out`: at most one octet more than this call consumed
  // (a CR held back from the previous call), and over the whole message
  // never more than consumed. Returns how many octets of `input` it
  // consumed; after done() it consumes none.
  std::size_t feed(std::string_view input, std::string& out);

  bool done() const { return done_; }
  ReadStatus status() const { return status_; }
  // Content octets seen so far (counted on even after a problem).
  std::uint64_t size() const { return size_; }

 private:
  enum class State {
    line_start,  // just after CRLF (or at the very beginning)
    dot,         // "." at the start of a line, not yet emitted
    dot_cr,      // "." CR at the start of a line: LF now ends the message
    mid_line,    // inside a line
    cr,          // CR seen inside a line, not yet emitted
  };

  void fail(ReadStatus status);
  void emit_content(std::string_view bytes, std::string& out);
  void emit_line_end(std::string& out);

  std::uint64_t max_size_;
  std::size_t max_line_;
  State state_ = State::line_start;
  std::size_t line_length_ = 0;  // content octets of the current line, CRLF excluded
  std::uint64_t size_ = 0;
  ReadStatus status_ = ReadStatus::ok;
  bool done_ = false;
};

// Reads the raw octets of BDAT chunks (RFC 3030: no dot-stuffing, no
// terminator). The same content rules as DataReader apply across chunk
// boundaries, so a message is judged alike whichever way it was sent.
class BdatReader {
 public:
  BdatReader(std::uint64_t max_size, std::size_t max_line)
      : max_size_(max_size), max_line_(max_line) {}

  // Ready for a new message (same limits).
  void reset();

  // Starts a chunk of exactly `size` octets.
  void begin_chunk(std::uint64_t size) { remaining_ = size; }
  std::uint64_t remaining() const { return remaining_; }

  // Consumes at most remaining() octets from `input`, appending them to
  // `out` while the message is still acceptable. Returns octets consumed.
  std::size_t feed(std::string_view input, std::string& out);

  // After the LAST chunk: a CR as the final octet is a bare CR.
  void finish();

  ReadStatus status() const { return status_; }
  std::uint64_t size() const { return size_; }

 private:
  void fail(ReadStatus status);

  std::uint64_t max_size_;
  std::size_t max_line_;
  std::uint64_t remaining_ = 0;
  std::size_t line_length_ = 0;  // octets of the current line before its CRLF
  bool pending_cr_ = false;      // previous octet was CR (maybe in the last chunk)
  std::uint64_t size_ = 0;
  ReadStatus status_ = ReadStatus::ok;
};

}  // namespace herald::smtp
