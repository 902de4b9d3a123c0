// auth::CredentialVerifier — store lookup, Argon2id, and the success cache.
// The cache holds MACs only; the password is never kept past the call.

#include "herald/auth/credential_verifier.hpp"

#include <sodium.h>

#include <algorithm>
#include <stdexcept>

#include "herald/auth/password_hash.hpp"

namespace herald::auth {
namespace {

// Length-prefixing each field keeps the MAC input unambiguous even if a
// field contained a NUL.
void mac_field(crypto_generichash_state& st, std::string_view field) {
  unsigned char len[8];
  std::uint64_t n = field.size();
  for (auto& b : len) {
    b = static_cast<unsigned char>(n & 0xFF);
    n >>= 8;
  }
  crypto_generichash_update(&st, len, sizeof len);
  crypto_generichash_update(&st, reinterpret_cast<const unsigned char*>(field.data()),
                            field.size());
}

}  // namespace

CredentialVerifier::CredentialVerifier(store::CredentialStore& store, Options options)
    : store_(store), options_(std::move(options)) {
  // Failing here means the host has no randomness or memory: nothing an
  // operator can fix by configuration, so it is an exception, not a Result.
  if (!sodium_ready()) throw std::runtime_error("libsodium could not initialise");
  randombytes_buf(mac_key_.data(), mac_key_.size());
  unsigned char random[16];
  char password[2 * sizeof random + 1];
  randombytes_buf(random, sizeof random);
  sodium_bin2hex(password, sizeof password, random, sizeof random);
  auto dummy = hash_password(password);
  sodium_memzero(random, sizeof random);
  sodium_memzero(password, sizeof password);
  if (!dummy) throw std::runtime_error(dummy.error().message);
  dummy_hash_ = std::move(dummy).value();
}

CredentialVerifier::~CredentialVerifier() {
  sodium_memzero(mac_key_.data(), mac_key_.size());
}

VerifyResult CredentialVerifier::verify(std::string_view username, std::string_view password) {
  if (password.empty() || password.size() > kMaxPasswordLength) {
    return fail_after_dummy(password.substr(0, kMaxPasswordLength), "",
                            "empty or overlong password");
  }
  auto found = store_.find_login(username);
  if (!found) {
    return fail_after_dummy(password, "", "login store unavailable: " + found.error().message);
  }
  if (!found->has_value()) {
    // A removed login must not keep a cache entry around until it expires.
    if (auto canonical = store::normalize_login_address(username)) cache_forget(*canonical);
    return fail_after_dummy(password, "", "unknown login");
  }
  const store::LoginRecord& login = **found;
  const Mac mac = mac_of(login.address, password, login.password_hash);
  if (cache_hit(login.address, mac)) {
    return VerifyResult{true, login.address, login.account, "ok, cached", true};
  }
  if (!argon2_verify(login.password_hash, password)) {
    // Deliberately leaves any cached success alone: a stranger guessing
    // passwords must not be able to evict the real client's entry.
    return VerifyResult{false, login.address, "", "wrong password", false};
  }
  cache_store(login.address, mac);
  return VerifyResult{true, login.address, login.account, "ok", false};
}

std::size_t CredentialVerifier::cache_size() const {
  std::lock_guard lock(cache_mu_);
  return cache_.size();
}

CredentialVerifier::TimePoint CredentialVerifier::now() const {
  return options_.clock ? options_.clock() : std::chrono::steady_clock::now();
}

CredentialVerifier::Mac CredentialVerifier::mac_of(std::string_view address,
                                                   std::string_view password,
                                                   std::string_view hash) const {
  Mac out{};
  crypto_generichash_state st;
  crypto_generichash_init(&st, mac_key_.data(), mac_key_.size(), out.size());
  mac_field(st, address);
  mac_field(st, password);
  mac_field(st, hash);
  crypto_generichash_final(&st, out.data(), out.size());
  // The state's input buffer may still hold password bytes.
  sodium_memzero(&st, sizeof st);
  return out;
}

bool CredentialVerifier::argon2_verify(std::string_view hash, std::string_view password) {
  argon2_calls_.fetch_add(1, std::memory_order_relaxed);
  return verify_password(hash, password);
}

bool CredentialVerifier::cache_hit(const std::string& address, const Mac& mac) {
  if (options_.max_cache_entries == 0) return false;
  std::lock_guard lock(cache_mu_);
  const auto it = cache_.find(address);
  if (it == cache_.end()) return false;
  if (it->second.expires <= now()) {
    cache_.erase(it);
    return false;
  }
  return sodium_memcmp(it->second.mac.data(), mac.data(), mac.size()) == 0;
}

void CredentialVerifier::cache_store(const std::string& address, const Mac& mac) {
  if (options_.max_cache_entries == 0) return;
  std::lock_guard lock(cache_mu_);
  const TimePoint t = now();
  if (!cache_.contains(address) && cache_.size() >= options_.max_cache_entries) {
    // Full: drop expired entries, then the oldest if still full. Linear,
    // but only reached right after a full Argon2id run, which costs far more.
    std::erase_if(cache_, [&](const auto& kv) { return kv.second.expires <= t; });
    if (cache_.size() >= options_.max_cache_entries) {
      const auto oldest = std::min_element(
          cache_.begin(), cache_.end(),
          [](const auto& a, const auto& b) { return a.second.expires < b.second.expires; });
      cache_.erase(oldest);
    }
  }
  cache_[address] = Entry{mac, t + options_.cache_ttl};
}

void CredentialVerifier::cache_forget(const std::string& address) {
  std::lock_guard lock(cache_mu_);
  cache_.erase(address);
}

VerifyResult CredentialVerifier::fail_after_dummy(std::string_view password, std::string identity,
                                                  std::string reason) {
  (void)argon2_verify(dummy_hash_, password);
  return VerifyResult{false, std::move(identity), "", std::move(reason), false};
}

}  // namespace herald::auth
