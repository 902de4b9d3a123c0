// Percent-decoding and UTF-8 checks. Written by hand because they are a few
// lines each and their strictness (overlong forms, surrogates) is the point:
// these decide what a handler can ever be given.
#include "herald/http/percent.hpp"

#include <cstdint>

#include "herald/http/chars.hpp"

namespace herald::http {

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    const char c = in[i];
    if (c == '%') {
      // Exactly two hex digits must follow; "%4" at the end or "%zz" is
      // refused rather than passed through, so no two readings exist.
      if (in.size() - i < 3 || !chars::is_hex(in[i + 1]) || !chars::is_hex(in[i + 2])) {
        return std::nullopt;
      }
      out.push_back(
          static_cast<char>(chars::hex_value(in[i + 1]) * 16 + chars::hex_value(in[i + 2])));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<std::uint8_t>(s[i]);
    if (b0 < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    std::uint32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) {
      len = 2, cp = b0 & 0x1F, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
      len = 3, cp = b0 & 0x0F, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
      len = 4, cp = b0 & 0x07, min = 0x10000;
    } else {
      return false;  // a continuation octet first, or 0xF8..0xFF
    }
    if (s.size() - i < len) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto b = static_cast<std::uint8_t>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += len;
  }
  return true;
}

bool has_control(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto b = static_cast<std::uint8_t>(s[i]);
    if (b < 0x20 || b == 0x7F) return true;
    // U+0080..U+009F are encoded C2 80 .. C2 9F.
    if (b == 0xC2 && i + 1 < s.size()) {
      const auto next = static_cast<std::uint8_t>(s[i + 1]);
      if (next >= 0x80 && next <= 0x9F) return true;
    }
  }
  return false;
}

}  // namespace herald::http
