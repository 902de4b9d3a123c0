// auth::CredentialVerifier — is this username and password valid right now
// (store + Argon2id + a short-lived success cache)? Blocking: run it on a
// worker, never an I/O thread. Must not log, lock out or know about SMTP.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "herald/store/store.hpp"

namespace herald::auth {

struct VerifierOptions {
  // How long a verified (username, password, stored hash) stays trusted
  // without Argon2id. The store is still read on every call.
  std::chrono::seconds cache_ttl{std::chrono::minutes(5)};
  // At most this many cached successes (one per login); 0 turns caching off.
  std::size_t max_cache_entries = 10000;
  // Time source for expiry; empty means std::chrono::steady_clock::now.
  std::function<std::chrono::steady_clock::time_point()> clock;
};

struct VerifyResult {
  bool ok = false;
  std::string identity;        // canonical login address, when the login exists
  std::string account;         // its account, when ok
  std::string reason_for_log;  // why it failed (or "ok"/"ok, cached"); never the password
  bool from_cache = false;     // ok without running Argon2id
};

// Thread-safe. Every failure costs one Argon2id run, whatever failed (unknown
// login, wrong password, malformed input, store error), so the time of a
// failed AUTH does not tell which logins exist. A success is cached under a
// keyed BLAKE2b MAC of (username, password, stored hash) with a random
// per-instance key: a repeat within the TTL skips Argon2id, while a changed
// hash (password change) or a missing login (removal) is seen at once.
class CredentialVerifier {
 public:
  using Options = VerifierOptions;

  // Hashes a random password once to get the dummy hash that unknown logins
  // are checked against (same parameters as real hashes, so same cost).
  explicit CredentialVerifier(store::CredentialStore& store, Options options = {});
  ~CredentialVerifier();
  CredentialVerifier(const CredentialVerifier&) = delete;
  CredentialVerifier& operator=(const CredentialVerifier&) = delete;

  VerifyResult verify(std::string_view username, std::string_view password);

  // Argon2id verifications run by verify() so far (for tests and metrics).
  std::uint64_t argon2_calls() const { return argon2_calls_.load(); }
  // Entries currently cached, expired ones included until swept.
  std::size_t cache_size() const;

 private:
  using Mac = std::array<unsigned char, 32>;
  using TimePoint = std::chrono::steady_clock::time_point;
  struct Entry {
    Mac mac;
    TimePoint expires;
  };

  TimePoint now() const;
  Mac mac_of(std::string_view address, std::string_view password, std::string_view hash) const;
  bool argon2_verify(std::string_view hash, std::string_view password);
  bool cache_hit(const std::string& address, const Mac& mac);
  void cache_store(const std::string& address, const Mac& mac);
  void cache_forget(const std::string& address);
  VerifyResult fail_after_dummy(std::string_view password, std::string identity,
                                std::string reason);

  store::CredentialStore& store_;
  Options options_;
  std::array<unsigned char, 32> mac_key_{};
  std::string dummy_hash_;
  std::atomic<std::uint64_t> argon2_calls_{0};

  mutable std::mutex cache_mu_;
  // One entry per login address: a login has one password at a time.
  std::unordered_map<std::string, Entry> cache_;
};

}  // namespace herald::auth
