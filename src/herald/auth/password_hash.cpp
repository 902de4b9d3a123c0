// auth::hash_password / verify_password — thin, checked wrappers over
// libsodium's crypto_pwhash_str family (Argon2id).

#include "herald/auth/password_hash.hpp"

#include <sodium.h>

namespace herald::auth {
namespace {

// libsodium reads the hash as a NUL-terminated C string of bounded size.
bool hash_fits(std::string_view hash) {
  return !hash.empty() && hash.size() < crypto_pwhash_STRBYTES &&
         hash.find('\0') == std::string_view::npos;
}

}  // namespace

bool sodium_ready() {
  // A function-local static is initialised exactly once, even under threads.
  static const bool ready = sodium_init() >= 0;
  return ready;
}

base::Result<std::string> hash_password(std::string_view password) {
  if (!sodium_ready())
    return base::make_error("libsodium could not initialise; check /dev/urandom");
  if (password.empty()) return base::make_error("password is empty; choose a non-empty password");
  if (password.size() > kMaxPasswordLength) {
    return base::make_error("password is longer than 4096 bytes; choose a shorter one");
  }
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), kArgon2OpsLimit, kArgon2MemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return base::make_error("hashing the password ran out of memory; free some memory and retry");
  }
  return std::string(out);
}

bool verify_password(std::string_view hash, std::string_view password) {
  if (!sodium_ready() || !hash_fits(hash) || password.size() > kMaxPasswordLength) return false;
  const std::string terminated(hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

bool password_hash_needs_rehash(std::string_view hash) {
  if (!sodium_ready() || !hash_fits(hash)) return true;
  const std::string terminated(hash);
  // 0 = current, 1 = other parameters, -1 = not an Argon2id hash at all.
  return crypto_pwhash_str_needs_rehash(terminated.c_str(), kArgon2OpsLimit, kArgon2MemLimit) != 0;
}

}  // namespace herald::auth
