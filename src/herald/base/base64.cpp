// base::base64 — encoder and strict decoder. Hand-written because the
// strictness is the point (OpenSSL's EVP decoder skips whitespace and
// tolerates missing padding) and the code is a few dozen lines.
#include "herald/base/base64.hpp"

#include <fmt/format.h>

#include <array>
#include <cstdint>

namespace herald::base {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

constexpr std::uint8_t kInvalid = 0xff;

constexpr std::array<std::uint8_t, 256> make_decode_table() {
  std::array<std::uint8_t, 256> table{};
  for (auto& v : table) v = kInvalid;
  for (std::size_t i = 0; i < kAlphabet.size(); ++i) {
    table[static_cast<unsigned char>(kAlphabet[i])] = static_cast<std::uint8_t>(i);
  }
  return table;
}

constexpr auto kDecode = make_decode_table();

}  // namespace

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const std::uint32_t n = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                            (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8) |
                            std::uint32_t{static_cast<unsigned char>(bytes[i + 2])};
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  const std::size_t rest = bytes.size() - i;
  if (rest == 1) {
    const std::uint32_t n = std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += "==";
  } else if (rest == 2) {
    const std::uint32_t n = (std::uint32_t{static_cast<unsigned char>(bytes[i])} << 16) |
                            (std::uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += '=';
  }
  return out;
}

Result<std::string> base64_decode(std::string_view text) {
  if (text.size() % 4 != 0) {
    return make_error(fmt::format(
        "not valid base64: the length ({} characters) is not a multiple of 4", text.size()));
  }
  // Padding may only occupy the last one or two positions of the text.
  std::size_t padding = 0;
  if (!text.empty() && text.back() == '=') {
    padding = (text.size() >= 2 && text[text.size() - 2] == '=') ? 2 : 1;
  }
  const std::size_t data_chars = text.size() - padding;

  std::string out;
  out.reserve(text.size() / 4 * 3);
  std::uint32_t accumulator = 0;
  int bits = 0;
  for (std::size_t i = 0; i < data_chars; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const std::uint8_t v = kDecode[c];
    if (v == kInvalid) {
      // Position only: the text may carry a password.
      if (c == '=') {
        return make_error(
            fmt::format("not valid base64: '=' padding at position {} is not at the end", i + 1));
      }
      return make_error(fmt::format(
          "not valid base64: the character at position {} is not in the alphabet", i + 1));
    }
    accumulator = (accumulator << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((accumulator >> bits) & 0xff);
      accumulator &= (1u << bits) - 1;  // keep only the unread bits
    }
  }
  // "xx==" leaves 4 spare bits, "xxx=" leaves 2: they must be zero, or the
  // same bytes would have several encodings.
  if (accumulator != 0) {
    return make_error("not valid base64: the last character has non-zero unused bits");
  }
  return out;
}

}  // namespace herald::base
