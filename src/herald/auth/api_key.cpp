#include "herald/auth/api_key.hpp"

#include <sodium.h>

#include "herald/auth/password_hash.hpp"
#include "herald/base/cidr.hpp"
#include "herald/base/hex.hpp"

namespace herald::auth {
namespace {

constexpr std::string_view kPrefix = "hk_";
constexpr std::string_view kIdAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";  // no l/o/0/1

bool is_hex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool valid_domain_text(std::string_view d) {
  if (d.empty() || d.size() > 255) return false;
  for (char c : d) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '.' || c == '*';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

NewApiKey generate_token(std::string_view prefix) {
  sodium_ready();
  NewApiKey k;
  for (std::size_t i = 0; i < kApiKeyIdLength; ++i) {
    k.id += kIdAlphabet[randombytes_uniform(static_cast<std::uint32_t>(kIdAlphabet.size()))];
  }
  unsigned char secret[32];
  randombytes_buf(secret, sizeof secret);
  std::string hex =
      base::hex_encode(std::string_view(reinterpret_cast<char*>(secret), sizeof secret));
  sodium_memzero(secret, sizeof secret);
  k.token = std::string(prefix) + k.id + "_" + hex;
  k.secret_hash = hash_api_key_secret(hex);
  sodium_memzero(hex.data(), hex.size());
  return k;
}

std::optional<ApiKeyToken> parse_token(std::string_view prefix, std::string_view token) {
  if (token.size() != prefix.size() + kApiKeyIdLength + 1 + kApiKeySecretLength) return {};
  if (token.substr(0, prefix.size()) != prefix) return {};
  std::string_view id = token.substr(prefix.size(), kApiKeyIdLength);
  if (token[prefix.size() + kApiKeyIdLength] != '_') return {};
  std::string_view secret = token.substr(prefix.size() + kApiKeyIdLength + 1);
  for (char c : id) {
    if (kIdAlphabet.find(c) == std::string_view::npos) return {};
  }
  if (!is_hex(secret)) return {};
  return ApiKeyToken{std::string(id), std::string(secret)};
}

std::string consume_secret(ApiKeyToken& token) {
  std::string hash = hash_api_key_secret(token.secret);
  sodium_memzero(token.secret.data(), token.secret.size());
  return hash;
}

std::int64_t unix_seconds(const std::function<std::chrono::system_clock::time_point()>& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(
             (clock ? clock() : std::chrono::system_clock::now()).time_since_epoch())
      .count();
}

bool secret_hash_matches(std::string_view stored, std::string_view computed) {
  return stored.size() == computed.size() &&
         sodium_memcmp(stored.data(), computed.data(), computed.size()) == 0;
}

bool ip_allowed(const std::vector<std::string>& networks, std::string_view ip) {
  if (networks.empty()) return true;
  for (const auto& network : networks) {
    auto cidr = base::Cidr::parse(network);
    if (cidr && cidr->contains(ip)) return true;
  }
  return false;
}

NewApiKey generate_api_key() {
  return generate_token(kPrefix);
}

std::optional<ApiKeyToken> parse_api_key(std::string_view token) {
  return parse_token(kPrefix, token);
}

std::string hash_api_key_secret(std::string_view secret) {
  sodium_ready();
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(secret.data()), secret.size());
  return base::hex_encode(std::string_view(reinterpret_cast<char*>(digest), sizeof digest));
}

base::Result<void> validate_scope(std::string_view scope) {
  if (scope == "mail.send") return {};
  constexpr std::string_view kDomainScope = "mail.send:";
  if (scope.substr(0, kDomainScope.size()) == kDomainScope) {
    std::string_view domain = scope.substr(kDomainScope.size());
    if (valid_domain_text(domain) && domain.find('*') == std::string_view::npos &&
        domain.find('.') != std::string_view::npos) {
      return {};
    }
  }
  return base::make_error("'" + std::string(scope) +
                          "' is not a scope; use mail.send or mail.send:DOMAIN");
}

base::Result<void> validate_sender_pattern(std::string_view pattern) {
  auto at = pattern.rfind('@');
  if (at == std::string_view::npos || at == 0 || at + 1 == pattern.size() ||
      !valid_domain_text(pattern.substr(at + 1)) || pattern.size() > 320) {
    return base::make_error("'" + std::string(pattern) +
                            "' is not a sender pattern; write e.g. noreply@example.com or "
                            "*@example.com");
  }
  for (char c : pattern.substr(0, at)) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '<' || c == '>') {
      return base::make_error("'" + std::string(pattern) + "' has a space or bracket in it");
    }
  }
  return {};
}

ApiKeyVerifier::ApiKeyVerifier(store::CredentialStore& store, Clock clock)
    : store_(store), clock_(std::move(clock)) {}

ApiKeyResult ApiKeyVerifier::verify(std::string_view token, std::string_view client_ip) {
  ApiKeyResult r;
  auto parsed = parse_api_key(token);
  if (!parsed) {
    r.reason_for_log = "not an API key token";
    return r;
  }
  r.key_id = parsed->id;
  auto found = store_.find_api_key(parsed->id);
  const std::string hash = consume_secret(*parsed);
  if (!found) {
    r.reason_for_log = "store error: " + found.error().message;
    return r;
  }
  if (!*found) {
    r.reason_for_log = "unknown key";
    return r;
  }
  const store::ApiKeyRecord& record = **found;
  if (!secret_hash_matches(record.secret_hash, hash)) {
    r.reason_for_log = "wrong secret";
    return r;
  }
  const auto now = unix_seconds(clock_);
  if (record.key.revoked_at) {
    r.reason_for_log = "revoked";
    return r;
  }
  if (record.key.expires_at && *record.key.expires_at <= now) {
    r.reason_for_log = record.key.replaced_by ? "rotated, overlap ended" : "expired";
    return r;
  }
  if (!ip_allowed(record.key.allowed_ips, client_ip)) {
    r.reason_for_log = "client IP " + std::string(client_ip) + " not in the key's allowlist";
    return r;
  }
  auto addresses = store_.account_login_addresses(record.key.account);
  if (!addresses) {
    r.reason_for_log = "store error: " + addresses.error().message;
    return r;
  }
  // Last use is informative; a failure to record it must not refuse mail.
  (void)store_.touch_api_key(record.key.id, client_ip);
  r.ok = true;
  r.new_network = !record.key.last_used_ip.empty() && record.key.last_used_ip != client_ip;
  r.account = record.key.account;
  r.scopes = record.key.scopes;
  r.sender_patterns = record.key.sender_patterns;
  r.account_addresses = std::move(*addresses);
  r.reason_for_log = "ok";
  return r;
}

}  // namespace herald::auth
