// auth::sasl_text — base64 and field checks for SASL responses.
// Decoding uses base::base64_decode (strict, errors never echo input); its
// std::string result is copied into a SecretString and zeroed at once.

#include "herald/auth/sasl_text.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include "herald/base/base64.hpp"

namespace herald::auth {
namespace {

// Returns the length of the UTF-8 sequence at s[i], or 0 if it is invalid
// (overlong forms, surrogates and code points above U+10FFFF included).
std::size_t utf8_sequence(std::string_view s, std::size_t i) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const auto cont = [&](std::size_t k) { return i + k < s.size() && (b(k) & 0xC0) == 0x80; };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (c == 0xE0 && b(1) < 0xA0) return 0;   // overlong
    if (c == 0xED && b(1) >= 0xA0) return 0;  // surrogates
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (c == 0xF0 && b(1) < 0x90) return 0;   // overlong
    if (c == 0xF4 && b(1) >= 0x90) return 0;  // above U+10FFFF
    return 4;
  }
  return 0;
}

}  // namespace

bool is_sasl_cancel(std::string_view line) {
  return line == "*";
}

base::Result<SecretString> decode_sasl_response(std::string_view line_b64) {
  if (line_b64 == "=" || line_b64.empty()) return SecretString();
  if (line_b64.size() > kMaxSaslResponseB64) {
    return base::make_error("SASL response is longer than 1024 characters");
  }
  auto decoded = base::base64_decode(line_b64);
  if (!decoded) return base::make_error("SASL response is " + decoded.error().message);
  SecretString out(*decoded);
  sodium_memzero(decoded->data(), decoded->size());
  return out;
}

base::Result<void> check_sasl_identity(std::string_view id, std::string_view what) {
  if (id.empty()) return base::make_error(fmt::format("{} is empty", what));
  if (id.size() > kMaxSaslField) {
    return base::make_error(fmt::format("{} is longer than 255 octets", what));
  }
  for (std::size_t i = 0; i < id.size();) {
    const auto c = static_cast<unsigned char>(id[i]);
    if (c < 0x20 || c == 0x7F) {
      return base::make_error(fmt::format("{} contains control characters", what));
    }
    const std::size_t n = utf8_sequence(id, i);
    if (n == 0) return base::make_error(fmt::format("{} is not valid UTF-8", what));
    i += n;
  }
  return {};
}

base::Result<void> check_sasl_password(std::string_view password) {
  if (password.empty()) return base::make_error("password is empty");
  if (password.size() > kMaxSaslField)
    return base::make_error("password is longer than 255 octets");
  if (password.find('\0') != std::string_view::npos) {
    return base::make_error("password contains a NUL byte");
  }
  return {};
}

}  // namespace herald::auth
