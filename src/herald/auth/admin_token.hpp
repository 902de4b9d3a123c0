// auth::AdminTokenVerifier — bearer tokens of the admin API
// ("hat_<id>_<secret>", 256 random bits, only the SHA-256 stored): checks
// the secret in constant time, revocation, expiry and the token's client
// allowlist, and records its last use. Blocking (SQLite): run it off I/O
// threads. It decides nothing about what a token may do (admin::Actor does).
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "herald/store/store.hpp"

namespace herald::auth {

inline constexpr std::string_view kAdminTokenPrefix = "hat_";

struct AdminTokenResult {
  bool ok = false;
  store::AdminToken token;     // when ok
  std::string reason_for_log;  // never the secret
};

class AdminTokenVerifier {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  explicit AdminTokenVerifier(store::CredentialStore& store, Clock clock = {});
  AdminTokenResult verify(std::string_view bearer, std::string_view client_ip);

 private:
  store::CredentialStore& store_;
  Clock clock_;
};

}  // namespace herald::auth
