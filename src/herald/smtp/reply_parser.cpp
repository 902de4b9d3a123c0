// smtp::ReplyParser: line framing under limits, reply-code grammar and
// consistency, RFC 3463 enhanced codes, and sanitizing of reply text.
#include "herald/smtp/reply_parser.hpp"

#include <utility>

namespace herald::smtp {
namespace {

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// "c.s.d" with class c equal to the reply's class, subject and detail of
// one to three digits (RFC 3463 §2), followed by a space or the end.
// Returns its length, or 0 when `text` does not start with one.
std::size_t enhanced_length(std::string_view text, int klass) {
  if (text.size() < 5 || text[0] != static_cast<char>('0' + klass) || text[1] != '.') return 0;
  std::size_t i = 2;
  for (int part = 0; part < 2; ++part) {
    const std::size_t start = i;
    while (i < text.size() && is_digit(text[i]) && i - start < 4) ++i;
    if (i == start || i - start > 3) return 0;
    if (part == 0) {
      if (i >= text.size() || text[i] != '.') return 0;
      ++i;
    }
  }
  if (i < text.size() && text[i] != ' ') return 0;
  return i;
}

std::string sanitize(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7E) c = '?';
  }
  return out;
}

}  // namespace

std::string ServerReply::text(std::size_t max_chars) const {
  std::string out;
  for (const std::string& line : lines) {
    if (!out.empty()) out += ' ';
    out += line;
    if (out.size() > max_chars) break;
  }
  if (out.size() > max_chars) {
    out.resize(max_chars > 3 ? max_chars - 3 : 0);
    out += "...";
  }
  return out;
}

std::string ServerReply::summary(std::size_t max_chars) const {
  std::string out = std::to_string(code);
  if (!enhanced.empty()) out += " " + enhanced;
  const std::string t = text(max_chars);
  if (!t.empty()) out += " " + t;
  return out;
}

std::string_view reply_error_text(ReplyError error) {
  switch (error) {
    case ReplyError::none:
      return "no error";
    case ReplyError::line_too_long:
      return "reply line too long";
    case ReplyError::too_many_lines:
      return "too many lines in one reply";
    case ReplyError::reply_too_big:
      return "reply too big";
    case ReplyError::malformed:
      return "malformed reply line";
    case ReplyError::code_mismatch:
      return "reply lines with different codes";
  }
  return "reply error";
}

std::size_t ReplyParser::feed(std::string_view input) {
  std::size_t used = 0;
  while (used < input.size() && !done_ && !failed()) {
    const std::string_view rest = input.substr(used);
    const std::size_t lf = rest.find('\n');
    const std::size_t take = lf == std::string_view::npos ? rest.size() : lf;
    // The line so far plus its LF must fit in max_line.
    if (line_.size() + take + 1 > limits_.max_line) {
      const std::size_t room =
          limits_.max_line > line_.size() + 1 ? limits_.max_line - line_.size() - 1 : 0;
      used += room + 1;  // the first octet past the limit is the one that broke it
      fail(ReplyError::line_too_long);
      break;
    }
    line_.append(rest.substr(0, take));
    used += take;
    if (lf != std::string_view::npos) {
      ++used;
      end_line();
    }
  }
  return used;
}

void ReplyParser::end_line() {
  const std::size_t raw_size = line_.size() + 1;  // with the LF
  std::string_view line = line_;
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);

  reply_size_ += raw_size;
  if (reply_size_ > limits_.max_reply) return fail(ReplyError::reply_too_big);
  if (reply_.lines.size() >= limits_.max_lines) return fail(ReplyError::too_many_lines);

  if (line.size() < 3 || line[0] < '2' || line[0] > '5' || !is_digit(line[1]) ||
      !is_digit(line[2])) {
    return fail(ReplyError::malformed);
  }
  bool last = true;
  if (line.size() > 3) {
    if (line[3] == '-') {
      last = false;
    } else if (line[3] != ' ') {
      return fail(ReplyError::malformed);
    }
  }
  const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (!reply_.lines.empty() && code != reply_.code) return fail(ReplyError::code_mismatch);
  reply_.code = code;

  std::string_view text = line.size() > 4 ? line.substr(4) : std::string_view{};
  const std::size_t enh = enhanced_length(text, code / 100);
  if (enh > 0) {
    if (reply_.lines.empty()) reply_.enhanced = std::string(text.substr(0, enh));
    text.remove_prefix(enh);
    if (!text.empty()) text.remove_prefix(1);  // the space after it
  }
  reply_.lines.push_back(sanitize(text));
  line_.clear();
  if (last) done_ = true;
}

ServerReply ReplyParser::take() {
  ServerReply out = std::move(reply_);
  reply_ = ServerReply{};
  reply_size_ = 0;
  done_ = false;
  return out;
}

void ReplyParser::reset() {
  line_.clear();
  reply_ = ServerReply{};
  reply_size_ = 0;
  done_ = false;
  error_ = ReplyError::none;
}

}  // namespace herald::smtp
