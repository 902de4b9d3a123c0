// DataReader / BdatReader: the strict end-of-data and line rules. SMTP
// smuggling (CVE-2023-51764/65/66) works when two parsers disagree on where
// a message ends; here only CRLF "." CRLF ends it and every lone CR or LF
// marks the message bad, so no other sequence can start a second message.
// NUL marks it bad too: a receiver further on that drops NUL octets before
// it looks for the end (CRLF NUL "." CRLF) must never be handed one.
#include "herald/smtp/data_reader.hpp"

#include <algorithm>

namespace herald::smtp {
namespace {

// Length of the run at the start of `s` holding no CR, LF or NUL.
std::size_t plain_run(std::string_view s) {
  const auto it =
      std::find_if(s.begin(), s.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; });
  return static_cast<std::size_t>(it - s.begin());
}

struct Fit {
  std::size_t octets;  // how many of the octets stay within both limits
  ReadStatus problem;  // the limit crossed first, or ok
};

// Where `n` more content octets cross the line limit (content of at most
// max_line - 2 octets, the CRLF needs the rest) or the size limit. At the
// same octet the line limit is named, as octet-by-octet checking would.
Fit fit_content(std::uint64_t n, std::uint64_t line_length, std::uint64_t max_line,
                std::uint64_t size, std::uint64_t max_size) {
  const std::uint64_t line_room = max_line >= line_length + 2 ? max_line - line_length - 2 : 0;
  const std::uint64_t size_room = max_size >= size ? max_size - size : 0;
  if (n <= line_room && n <= size_room) return Fit{static_cast<std::size_t>(n), ReadStatus::ok};
  if (line_room <= size_room) {
    return Fit{static_cast<std::size_t>(line_room), ReadStatus::line_too_long};
  }
  return Fit{static_cast<std::size_t>(size_room), ReadStatus::too_big};
}

}  // namespace

void DataReader::reset() {
  state_ = State::line_start;
  line_length_ = 0;
  size_ = 0;
  status_ = ReadStatus::ok;
  done_ = false;
}

void DataReader::fail(ReadStatus status) {
  if (status_ == ReadStatus::ok) status_ = status;
}

void DataReader::emit_content(std::string_view bytes, std::string& out) {
  const Fit fit = fit_content(bytes.size(), line_length_, max_line_, size_, max_size_);
  line_length_ += bytes.size();
  size_ += bytes.size();
  if (status_ != ReadStatus::ok) return;
  // Exactly the octets before the first limit is crossed come out, so the
  // output does not depend on how the input was cut into reads.
  out.append(bytes.substr(0, fit.octets));
  if (fit.problem != ReadStatus::ok) fail(fit.problem);
}

void DataReader::emit_line_end(std::string& out) {
  line_length_ = 0;
  size_ += 2;
  if (size_ > max_size_) fail(ReadStatus::too_big);
  if (status_ == ReadStatus::ok) out.append("\r\n");
}

std::size_t DataReader::feed(std::string_view input, std::string& out) {
  std::size_t i = 0;
  while (i < input.size() && !done_) {
    const char c = input[i];
    switch (state_) {
      case State::line_start:
        if (c == '.') {
          state_ = State::dot;
          ++i;
        } else {
          state_ = State::mid_line;  // look at c again as line content
        }
        break;
      case State::dot:
        if (c == '\r') {
          state_ = State::dot_cr;
          ++i;
        } else {
          // RFC 5321 §4.5.2: a leading dot followed by more characters is
          // removed ("..x" -> ".x"); c is then ordinary line content.
          state_ = State::mid_line;
        }
        break;
      case State::dot_cr:
        if (c == '\n') {
          done_ = true;  // CRLF "." CRLF: the one and only terminator
          ++i;
        } else {
          // "." CR followed by something else: the CR is bare. The dot was
          // stuffing; the CR stays content so nothing ends here.
          fail(ReadStatus::bare_newline);
          emit_content("\r", out);
          state_ = State::mid_line;
        }
        break;
      case State::mid_line: {
        const std::size_t run = plain_run(input.substr(i));
        if (run > 0) {
          emit_content(input.substr(i, run), out);
          i += run;
        } else if (c == '\r') {
          state_ = State::cr;
          ++i;
        } else if (c == '\0') {
          fail(ReadStatus::nul);
          emit_content(input.substr(i, 1), out);
          ++i;
        } else {
          // LF without CR: bare. It does not end the line, so a "." after
          // it is ordinary content and cannot start a terminator.
          fail(ReadStatus::bare_newline);
          emit_content("\n", out);
          ++i;
        }
        break;
      }
      case State::cr:
        if (c == '\n') {
          emit_line_end(out);
          state_ = State::line_start;
          ++i;
        } else {
          fail(ReadStatus::bare_newline);
          emit_content("\r", out);
          state_ = State::mid_line;  // c is looked at again
        }
        break;
    }
  }
  return i;
}

void BdatReader::reset() {
  remaining_ = 0;
  line_length_ = 0;
  pending_cr_ = false;
  size_ = 0;
  status_ = ReadStatus::ok;
}

void BdatReader::fail(ReadStatus status) {
  if (status_ == ReadStatus::ok) status_ = status;
}

std::size_t BdatReader::feed(std::string_view input, std::string& out) {
  const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(remaining_, input.size()));
  const std::string_view chunk = input.substr(0, n);
  // Each step below takes the octets in order and names the first problem
  // exactly, so the verdict does not depend on chunking or read sizes.
  auto content = [&](std::uint64_t count) {
    const Fit fit = fit_content(count, line_length_, max_line_, size_, max_size_);
    if (fit.problem != ReadStatus::ok) fail(fit.problem);
    line_length_ += count;
    size_ += count;
  };
  auto line_end = [&]() {  // the LF of a CRLF; the CR was counted already
    line_length_ = 0;
    if (++size_ > max_size_) fail(ReadStatus::too_big);
  };
  std::size_t i = 0;
  while (i < chunk.size()) {
    const char c = chunk[i];
    if (pending_cr_) {
      pending_cr_ = false;
      if (c == '\n') {
        line_end();
        ++i;
        continue;
      }
      // The CR before c was bare: line content after all.
      fail(ReadStatus::bare_newline);
      --size_;
      content(1);
    }
    if (c == '\r') {
      pending_cr_ = true;
      if (++size_ > max_size_) fail(ReadStatus::too_big);
      ++i;
    } else if (c == '\n') {
      fail(ReadStatus::bare_newline);
      content(1);
      ++i;
    } else if (c == '\0') {
      fail(ReadStatus::nul);
      content(1);
      ++i;
    } else {
      const std::size_t run = plain_run(chunk.substr(i));
      content(run);
      i += run;
    }
  }
  remaining_ -= n;
  // Raw octets need no rewriting; a piece holding a problem is withheld
  // (the message will be refused anyway).
  if (status_ == ReadStatus::ok) out.append(chunk);
  return n;
}

void BdatReader::finish() {
  if (pending_cr_) {
    pending_cr_ = false;
    fail(ReadStatus::bare_newline);
  }
}

}  // namespace herald::smtp
