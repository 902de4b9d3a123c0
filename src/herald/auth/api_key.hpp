// auth::ApiKey — API key tokens ("hk_<id>_<secret>": a public id and 256
// random bits), their storage hash, and their verification against the
// store: revoked, expired, client IP outside the allowlist. Blocking (one
// SQLite read, sometimes a write): run it on a worker. Must not log or
// decide what a key may send; that is policy's.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "herald/base/result.hpp"
#include "herald/store/store.hpp"

namespace herald::auth {

inline constexpr std::size_t kApiKeyIdLength = 12;
inline constexpr std::size_t kApiKeySecretLength = 64;  // hex of 32 random bytes

struct ApiKeyToken {
  std::string id;
  std::string secret;
};

struct NewApiKey {
  std::string id;
  std::string token;        // shown once, never stored
  std::string secret_hash;  // what the store keeps
};

NewApiKey generate_api_key();
std::optional<ApiKeyToken> parse_api_key(std::string_view token);
// The same shape with another prefix ("hat_" for admin API tokens).
NewApiKey generate_token(std::string_view prefix);
std::optional<ApiKeyToken> parse_token(std::string_view prefix, std::string_view token);
// Hex SHA-256: the secret has 256 random bits, so a slow hash adds nothing.
std::string hash_api_key_secret(std::string_view secret);
// The hash of a parsed token's secret, which is wiped: computed before the
// store is asked, so an unknown id and a wrong secret cost the same.
std::string consume_secret(ApiKeyToken& token);
// Unix seconds from an injected clock, or the system clock when empty.
std::int64_t unix_seconds(const std::function<std::chrono::system_clock::time_point()>& clock);
// Constant-time comparison of two such hashes.
bool secret_hash_matches(std::string_view stored, std::string_view computed);
// Whether `ip` is in one of the CIDR `networks`; an empty list allows all.
bool ip_allowed(const std::vector<std::string>& networks, std::string_view ip);

// "mail.send" or "mail.send:DOMAIN".
base::Result<void> validate_scope(std::string_view scope);
// "local@domain" where either side may hold '*' wildcards.
base::Result<void> validate_sender_pattern(std::string_view pattern);

struct ApiKeyResult {
  bool ok = false;
  std::string key_id;
  std::string account;
  std::vector<std::string> scopes;
  std::vector<std::string> sender_patterns;
  std::vector<std::string> account_addresses;  // logins of the key's account
  std::string reason_for_log;                  // never the secret
  bool new_network = false;                    // used before, but from another address
};

class ApiKeyVerifier {
 public:
  using Clock = std::function<std::chrono::system_clock::time_point()>;
  explicit ApiKeyVerifier(store::CredentialStore& store, Clock clock = {});
  ApiKeyResult verify(std::string_view token, std::string_view client_ip);

 private:
  store::CredentialStore& store_;
  Clock clock_;
};

}  // namespace herald::auth
