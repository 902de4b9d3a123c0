#include "herald/events/webhook_signature.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <stdexcept>
#include <vector>

#include "herald/base/hex.hpp"

namespace herald::events {

std::string hmac_sha256(std::string_view key, std::string_view message) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  // HMAC() with a null key pointer would be an error even for an empty key.
  static const unsigned char kEmpty = 0;
  const void* key_data = key.empty() ? &kEmpty : static_cast<const void*>(key.data());
  const auto* data = reinterpret_cast<const unsigned char*>(message.data());
  if (HMAC(EVP_sha256(), key_data, static_cast<int>(key.size()), message.empty() ? &kEmpty : data,
           message.size(), out, &len) == nullptr) {
    // Only a broken OpenSSL gets here; an unsigned webhook must never go out.
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  return std::string(reinterpret_cast<const char*>(out), len);
}

std::string sign_webhook(std::string_view secret, std::int64_t timestamp, std::string_view body) {
  std::string message = std::to_string(timestamp);
  message += '.';
  message.append(body);
  return base::hex_encode(hmac_sha256(secret, message));
}

std::string signature_header(std::string_view secret, std::int64_t timestamp,
                             std::string_view body) {
  return "t=" + std::to_string(timestamp) + ",v1=" + sign_webhook(secret, timestamp, body);
}

bool verify_webhook_signature(std::string_view secret, std::string_view header,
                              std::string_view body, std::int64_t now,
                              std::int64_t tolerance_seconds) {
  if (tolerance_seconds < 0) return false;
  bool have_t = false;
  std::int64_t t = 0;
  std::vector<std::string_view> candidates;
  while (!header.empty()) {
    const auto comma = header.find(',');
    const std::string_view item = header.substr(0, comma);
    header = comma == std::string_view::npos ? std::string_view() : header.substr(comma + 1);
    const auto eq = item.find('=');
    if (eq == std::string_view::npos) continue;
    const std::string_view key = item.substr(0, eq);
    const std::string_view value = item.substr(eq + 1);
    if (key == "t") {
      if (have_t || value.empty() || value.front() == '-' || value.front() == '+') return false;
      const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), t);
      if (ec != std::errc() || end != value.data() + value.size()) return false;
      have_t = true;
    } else if (key == "v1") {
      candidates.push_back(value);
    }
  }
  if (!have_t || candidates.empty()) return false;
  // |now - t| in unsigned arithmetic: the difference of two int64 values
  // always fits in uint64, so extreme inputs cannot overflow.
  const std::uint64_t diff = t >= now
                                 ? static_cast<std::uint64_t>(t) - static_cast<std::uint64_t>(now)
                                 : static_cast<std::uint64_t>(now) - static_cast<std::uint64_t>(t);
  if (diff > static_cast<std::uint64_t>(tolerance_seconds)) return false;
  const std::string expected = sign_webhook(secret, t, body);
  bool match = false;
  for (std::string_view candidate : candidates) {
    // The length is not secret (always 64); the content is compared in
    // constant time so a timing probe learns nothing about the MAC.
    if (candidate.size() == expected.size() &&
        CRYPTO_memcmp(candidate.data(), expected.data(), expected.size()) == 0) {
      match = true;
    }
  }
  return match;
}

}  // namespace herald::events
