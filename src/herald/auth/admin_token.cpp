#include "herald/auth/admin_token.hpp"

#include "herald/auth/api_key.hpp"

namespace herald::auth {

AdminTokenVerifier::AdminTokenVerifier(store::CredentialStore& store, Clock clock)
    : store_(store), clock_(std::move(clock)) {}

AdminTokenResult AdminTokenVerifier::verify(std::string_view bearer, std::string_view client_ip) {
  AdminTokenResult r;
  auto parsed = parse_token(kAdminTokenPrefix, bearer);
  if (!parsed) {
    r.reason_for_log = "not an admin token";
    return r;
  }
  auto found = store_.find_admin_token(parsed->id);
  const std::string hash = consume_secret(*parsed);
  if (!found) {
    r.reason_for_log = "store error: " + found.error().message;
    return r;
  }
  if (!*found) {
    r.reason_for_log = "unknown token " + parsed->id;
    return r;
  }
  const store::AdminTokenRecord& record = **found;
  if (!secret_hash_matches(record.secret_hash, hash)) {
    r.reason_for_log = "wrong secret for token " + record.token.id;
    return r;
  }
  const auto now = unix_seconds(clock_);
  if (record.token.revoked_at) {
    r.reason_for_log = "token " + record.token.name + " is revoked";
    return r;
  }
  if (record.token.expires_at && *record.token.expires_at <= now) {
    r.reason_for_log = "token " + record.token.name + " has expired";
    return r;
  }
  if (!ip_allowed(record.token.allowed_ips, client_ip)) {
    r.reason_for_log = "client IP " + std::string(client_ip) + " not in token " +
                       record.token.name + "'s allowlist";
    return r;
  }
  // Last use is informative; a failure to record it must not refuse.
  (void)store_.touch_admin_token(record.token.id, client_ip);
  r.ok = true;
  r.token = record.token;
  return r;
}

}  // namespace herald::auth
