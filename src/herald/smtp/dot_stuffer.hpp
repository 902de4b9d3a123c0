// smtp::DotStuffer — encodes message content for the client side of DATA:
// leading dots doubled, every line end made CRLF, and the "." terminator.
// It owns the guarantee that no end-of-data sequence (nor a bare CR or LF,
// nor a NUL, that a lenient server might take for one) ever leaves Herald
// inside a message.
#pragma once

#include <string>
#include <string_view>

namespace herald::smtp {

// Input is the message as stored, in chunks of any size (including empty);
// the output does not depend on how the input was split. CRLF, bare CR and
// bare LF each become one CRLF (so "\r\r\n" is two line ends), which keeps
// <LF>.<LF>, <CR>.<CR> and friends from ever reaching the wire. NUL octets
// are never written: a receiver that drops them before it looks for the
// end of data would read <CRLF><NUL>.<CRLF> as <CRLF>.<CRLF>. They are left
// out (a line that then starts with "." is stuffed as usual) and saw_nul()
// tells the caller, which refuses to finish such a message (the submission
// server refuses NUL, so only spool files of older versions can hold one).
// Octets are otherwise passed through as they are: lines are not wrapped
// (the spool only holds lines the submission server accepted) and 8-bit
// octets stay.
//
// Memory: no buffer; output grows by at most twice the input.
class DotStuffer {
 public:
  // Appends the encoding of `input` to `out`.
  void feed(std::string_view input, std::string& out);

  // Ends the message: CRLF if the last line has no end yet, then ".\r\n".
  // The stuffer is then ready for a new message.
  void finish(std::string& out);

  void reset() {
    state_ = State::line_start;
    saw_nul_ = false;
  }

  // Some input octet was a NUL (left out of the output) since the last
  // reset() or finish().
  bool saw_nul() const { return saw_nul_; }

 private:
  enum class State {
    line_start,  // at the start of the message or after a line end
    after_cr,    // a CR was written out as CRLF; an LF right now belongs to it
    mid_line,    // inside a line
  };

  State state_ = State::line_start;
  bool saw_nul_ = false;
};

}  // namespace herald::smtp
