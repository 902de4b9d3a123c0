// base::hex — hex encoder and strict decoder.
#include "herald/base/hex.hpp"

#include <fmt/format.h>

namespace herald::base {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string hex_encode(std::string_view bytes) {
  constexpr std::string_view kDigits = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (const char b : bytes) {
    const auto v = static_cast<unsigned char>(b);
    out += kDigits[v >> 4];
    out += kDigits[v & 0x0f];
  }
  return out;
}

Result<std::string> hex_decode(std::string_view text) {
  if (text.size() % 2 != 0) {
    return make_error(fmt::format("not valid hex: the length ({} characters) is odd", text.size()));
  }
  std::string out;
  out.reserve(text.size() / 2);
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int high = hex_value(text[i]);
    const int low = hex_value(text[i + 1]);
    if (high < 0 || low < 0) {
      return make_error(
          fmt::format("not valid hex: the character at position {} is not a hex digit",
                      high < 0 ? i + 1 : i + 2));
    }
    out += static_cast<char>((high << 4) | low);
  }
  return out;
}

}  // namespace herald::base
