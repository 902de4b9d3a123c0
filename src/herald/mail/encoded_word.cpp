#include "herald/mail/encoded_word.hpp"

#include <cctype>
#include <optional>

#include "herald/base/ascii.hpp"
#include "herald/base/base64.hpp"

namespace herald::mail {
namespace {

using base::iequals;

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> decode_q(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '_') {
      out += ' ';
    } else if (c == '=') {
      if (i + 2 >= text.size()) return std::nullopt;
      int hi = hex_value(text[i + 1]), lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::string latin1_to_utf8(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (c < 0x80) {
      out += static_cast<char>(c);
    } else {
      out += static_cast<char>(0xC0 | (c >> 6));
      out += static_cast<char>(0x80 | (c & 0x3F));
    }
  }
  return out;
}

// Decodes one encoded word starting at `pos` ("=?cs?E?text?="); on success
// sets `end` just past it.
std::optional<std::string> decode_one(std::string_view s, std::size_t pos, std::size_t& end) {
  if (s.compare(pos, 2, "=?") != 0) return std::nullopt;
  std::size_t q1 = s.find('?', pos + 2);
  if (q1 == std::string_view::npos || q1 + 2 >= s.size() || s[q1 + 2] != '?') return std::nullopt;
  std::size_t close = s.find("?=", q1 + 3);
  if (close == std::string_view::npos) return std::nullopt;
  std::string_view charset = s.substr(pos + 2, q1 - pos - 2);
  if (auto star = charset.find('*'); star != std::string_view::npos) {
    charset = charset.substr(0, star);  // RFC 2231 language tag
  }
  char encoding = static_cast<char>(std::toupper(static_cast<unsigned char>(s[q1 + 1])));
  std::string_view payload = s.substr(q1 + 3, close - q1 - 3);
  if (payload.find(' ') != std::string_view::npos) return std::nullopt;
  std::optional<std::string> bytes;
  if (encoding == 'B') {
    auto b = base::base64_decode(payload);
    if (b) bytes = std::move(*b);
  } else if (encoding == 'Q') {
    bytes = decode_q(payload);
  }
  if (!bytes) return std::nullopt;
  end = close + 2;
  if (iequals(charset, "iso-8859-1") || iequals(charset, "latin1")) return latin1_to_utf8(*bytes);
  return bytes;
}

}  // namespace

std::string decode_encoded_words(std::string_view s) {
  std::string out;
  std::string pending_space;  // white space after an encoded word
  bool after_word = false;
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t end = 0;
    if (s[i] == '=' && i + 1 < s.size() && s[i + 1] == '?') {
      if (auto decoded = decode_one(s, i, end)) {
        // Space between two encoded words is not displayed.
        if (!after_word) out += pending_space;
        pending_space.clear();
        out += *decoded;
        after_word = true;
        i = end;
        continue;
      }
    }
    if (s[i] == ' ' || s[i] == '\t') {
      pending_space += s[i++];
      continue;
    }
    out += pending_space;
    pending_space.clear();
    after_word = false;
    out += s[i++];
  }
  out += pending_space;
  return out;
}

}  // namespace herald::mail
