// auth::SaslCramMd5 — challenge building, response parsing and the HMAC-MD5
// check. Crypto is OpenSSL's HMAC (MD5 lives in the default provider);
// randomness and the constant-time compare are libsodium.

#include "herald/auth/cram_md5.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <sodium.h>

#include <chrono>
#include <stdexcept>
#include <utility>

#include "herald/auth/password_hash.hpp"
#include "herald/auth/sasl_text.hpp"
#include "herald/base/base64.hpp"

namespace herald::auth {
namespace {

constexpr std::size_t kMd5Size = 16;

// A host name safe to put between '@' and '>': letters, digits, '-' and '.'.
bool plain_hostname(std::string_view h) {
  if (h.empty() || h.size() > 253) return false;
  for (char c : h) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '.';
    if (!ok) return false;
  }
  return true;
}

std::string hmac_md5(std::string_view key, std::string_view data) {
  std::string out(kMd5Size, '\0');
  unsigned int len = 0;
  if (HMAC(EVP_md5(), key.data(), static_cast<int>(key.size()),
           reinterpret_cast<const unsigned char*>(data.data()), data.size(),
           reinterpret_cast<unsigned char*>(out.data()), &len) == nullptr ||
      len != kMd5Size) {
    throw std::runtime_error("HMAC-MD5 failed in OpenSSL");
  }
  return out;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool is_hex_digest(std::string_view s) {
  if (s.size() != 2 * kMd5Size) return false;
  for (char c : s) {
    if (hex_value(c) < 0) return false;
  }
  return true;
}

}  // namespace

SaslCramMd5::SaslCramMd5(CramMd5Options options) : options_(std::move(options)) {
  if (!plain_hostname(options_.hostname)) options_.hostname = "localhost";
}

CramMd5Step SaslCramMd5::fail(std::string reason, bool cancelled) {
  state_ = State::done;
  return SaslFailure{std::move(reason), cancelled};
}

CramMd5Step SaslCramMd5::start(std::optional<std::string_view> initial_b64) {
  if (state_ != State::idle) return fail("CRAM-MD5 exchange already started");
  if (initial_b64) return fail("CRAM-MD5 does not take an initial response");
  std::uint64_t random = 0;
  if (options_.random) {
    random = *options_.random;
  } else {
    if (!sodium_ready()) return fail("libsodium could not be initialised");
    randombytes_buf(&random, sizeof random);
  }
  const std::uint64_t timestamp =
      options_.timestamp
          ? *options_.timestamp
          : static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                           std::chrono::system_clock::now().time_since_epoch())
                                           .count());
  challenge_ = fmt::format("<{}.{}@{}>", random, timestamp, options_.hostname);
  state_ = State::want_response;
  return SaslChallenge{base::base64_encode(challenge_)};
}

CramMd5Step SaslCramMd5::respond(std::string_view line_b64) {
  if (state_ != State::want_response)
    return fail("CRAM-MD5 exchange is not waiting for a response");
  if (is_sasl_cancel(line_b64)) return fail("authentication cancelled by the client", true);
  state_ = State::done;
  auto decoded = decode_sasl_response(line_b64);
  if (!decoded) return fail(decoded.error().message);
  const std::string_view msg = decoded->view();
  // The digest is the last space-separated word; RFC 2195 lets the user name
  // itself contain spaces.
  const auto sp = msg.rfind(' ');
  if (sp == std::string_view::npos) return fail("CRAM-MD5 response needs username SP digest");
  const std::string_view user = msg.substr(0, sp);
  const std::string_view digest = msg.substr(sp + 1);
  if (auto c = check_sasl_identity(user, "username"); !c) return fail(c.error().message);
  if (!is_hex_digest(digest)) return fail("CRAM-MD5 digest is not 32 hex digits");
  std::string lower(digest);
  for (char& c : lower) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
  }
  return CramMd5Response{std::string(user), std::move(lower), challenge_};
}

std::string cram_md5_digest(std::string_view secret, std::string_view challenge) {
  std::string mac = hmac_md5(secret, challenge);
  std::string hex(2 * kMd5Size + 1, '\0');
  sodium_bin2hex(hex.data(), hex.size(), reinterpret_cast<const unsigned char*>(mac.data()),
                 mac.size());
  hex.pop_back();  // the terminating NUL
  sodium_memzero(mac.data(), mac.size());
  return hex;
}

bool verify_cram_md5(std::string_view secret, std::string_view challenge,
                     std::string_view hex_digest) {
  if (!is_hex_digest(hex_digest)) return false;
  // Compare raw bytes so upper- and lowercase hex are equal and the compare
  // does not depend on where the first wrong digit is.
  unsigned char given[kMd5Size];
  for (std::size_t i = 0; i < kMd5Size; ++i) {
    given[i] = static_cast<unsigned char>(hex_value(hex_digest[2 * i]) * 16 +
                                          hex_value(hex_digest[2 * i + 1]));
  }
  std::string mac = hmac_md5(secret, challenge);
  const bool ok = sodium_memcmp(given, mac.data(), kMd5Size) == 0;
  sodium_memzero(mac.data(), mac.size());
  return ok;
}

}  // namespace herald::auth
