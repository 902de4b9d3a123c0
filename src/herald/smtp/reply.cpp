// smtp::Reply wire formatting. Texts are sanitized on the way out: a CR or
// LF that slipped into a reply text would let it forge extra reply lines.
#include "herald/smtp/reply.hpp"

#include <string>

namespace herald::smtp {
namespace {

void append_code(std::string& out, int code) {
  // Reply codes are three digits by definition (RFC 5321 §4.2); anything
  // else is a programming error, clamped so the wire stays well-formed.
  if (code < 100 || code > 599) code = 451;
  out += static_cast<char>('0' + code / 100);
  out += static_cast<char>('0' + (code / 10) % 10);
  out += static_cast<char>('0' + code % 10);
}

void append_text(std::string& out, std::string_view text) {
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    out += (u < 0x20 || u == 0x7F) ? ' ' : c;
  }
}

}  // namespace

std::string format_reply(const Reply& reply) {
  std::string out;
  out.reserve(8 + reply.enhanced.size() + reply.text.size());
  append_code(out, reply.code);
  if (!reply.enhanced.empty()) {
    out += ' ';
    append_text(out, reply.enhanced);
  }
  if (!reply.text.empty()) {
    out += ' ';
    append_text(out, reply.text);
  }
  out += "\r\n";
  return out;
}

std::string format_multiline(int code, const std::vector<std::string>& lines) {
  std::string out;
  if (lines.empty()) {
    append_code(out, code);
    out += "\r\n";
    return out;
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    append_code(out, code);
    out += (i + 1 == lines.size()) ? ' ' : '-';
    append_text(out, lines[i]);
    out += "\r\n";
  }
  return out;
}

}  // namespace herald::smtp
