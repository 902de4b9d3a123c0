// auth::CramKey — the key that seals CRAM-MD5 secrets in the store
// (data_dir/cram.key, mode 0600) and the sealing itself. Owns the key file
// and the sealed text format; must not touch the store or run the exchange.
#pragma once

#include <string>
#include <string_view>

#include "herald/auth/secret_string.hpp"
#include "herald/base/result.hpp"

namespace herald::auth {

inline constexpr std::string_view kCramMd5 = "CRAM-MD5";

// Why the password is sealed rather than stored as HMAC-MD5 states: CRAM-MD5
// needs a password-equivalent secret whichever form it takes. The RFC 2195
// precomputed inner/outer MD5 states sit in the database readable by anyone
// who copies the file, and they log in as CRAM-MD5 at once (and are an
// unsalted fast hash, cheap to brute-force). Sealing the password with
// crypto_secretbox (XSalsa20-Poly1305) under a key kept outside the
// database means a stolen database (or a backup or replica of it) alone
// reveals nothing; an attacker needs the key file as well, and with both
// gets the plain password of CRAM-MD5 logins only (those are opt-in, and the
// docs say so). It also lets the existing verify_cram_md5() run unchanged.

// data_dir/cram.key.
std::string cram_key_path(std::string_view data_dir);

// A 32-byte secretbox key, wiped when destroyed. The file holds it as 64
// hex digits and a newline.
class CramKey {
 public:
  // Reads an existing key file. Refuses a file readable or writable by
  // group or others (the key must stay as private as the server).
  static base::Result<CramKey> load(const std::string& path);
  // Reads the key file, or creates it (mode 0600, O_EXCL so two CLIs racing
  // agree on one key) when it does not exist yet.
  static base::Result<CramKey> load_or_create(const std::string& path);

  // "secretbox1$<base64 nonce>$<base64 ciphertext>"; a fresh random nonce
  // each time, so two logins with one password seal differently.
  base::Result<std::string> seal(std::string_view password) const;
  // The password back; an error (never echoing the input) when the text is
  // malformed or was sealed under another key.
  base::Result<SecretString> open(std::string_view sealed) const;

 private:
  explicit CramKey(SecretString key) : key_(std::move(key)) {}
  SecretString key_;
};

}  // namespace herald::auth
