// smtp::DotStuffer: a three-state scanner. A CR is written as CRLF at once
// (and a following LF swallowed) so nothing is ever held back between calls.
#include "herald/smtp/dot_stuffer.hpp"

namespace herald::smtp {

void DotStuffer::feed(std::string_view input, std::string& out) {
  std::size_t i = 0;
  while (i < input.size()) {
    const char c = input[i];
    if (state_ == State::after_cr) {
      state_ = State::line_start;
      if (c == '\n') {  // the LF of a CRLF already written
        ++i;
        continue;
      }
    }
    if (c == '\r' || c == '\n') {
      out += "\r\n";
      state_ = c == '\r' ? State::after_cr : State::line_start;
      ++i;
      continue;
    }
    if (state_ == State::line_start && c == '.') out += '.';  // RFC 5321 §4.5.2
    // Copy the rest of the line in one go.
    const std::size_t end = input.find_first_of("\r\n", i);
    const std::size_t stop = end == std::string_view::npos ? input.size() : end;
    out.append(input.substr(i, stop - i));
    state_ = State::mid_line;
    i = stop;
  }
}

void DotStuffer::finish(std::string& out) {
  if (state_ == State::mid_line) out += "\r\n";
  out += ".\r\n";
  state_ = State::line_start;
}

}  // namespace herald::smtp
