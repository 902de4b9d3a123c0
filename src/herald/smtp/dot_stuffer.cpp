// smtp::DotStuffer: a three-state scanner. A CR is written as CRLF at once
// (and a following LF swallowed) so nothing is ever held back between calls.
// A NUL is skipped without changing the state, so the output is that of the
// input without its NULs.
#include "herald/smtp/dot_stuffer.hpp"

namespace herald::smtp {
namespace {

using namespace std::string_view_literals;
// The octets that end a plain run: line ends, and NUL (never written).
constexpr std::string_view kSpecial = "\r\n\0"sv;

}  // namespace

void DotStuffer::feed(std::string_view input, std::string& out) {
  std::size_t i = 0;
  while (i < input.size()) {
    const char c = input[i];
    if (c == '\0') {  // before the CR check: "\r\0\n" is one line end, as "\r\n"
      saw_nul_ = true;
      ++i;
      continue;
    }
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
    const std::size_t end = input.find_first_of(kSpecial, i);
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
  saw_nul_ = false;
}

}  // namespace herald::smtp
