// submission::Context — what every session shares: the configuration
// snapshot, TLS, limits, credentials, the spool and the worker pool.
// Owned by the Server; sessions hold references for their lifetime.
#pragma once

#include <asio/thread_pool.hpp>
#include <memory>

#include "herald/auth/api_key.hpp"
#include "herald/auth/credential_verifier.hpp"
#include "herald/auth/jwks.hpp"
#include "herald/auth/lockout.hpp"
#include "herald/config/config.hpp"
#include "herald/events/activity_recorder.hpp"
#include "herald/metrics/herald_metrics.hpp"
#include "herald/net/connection_limiter.hpp"
#include "herald/net/tls_context.hpp"
#include "herald/policy/rate_limiter.hpp"
#include "herald/spool/spool.hpp"
#include "herald/store/audit_writer.hpp"
#include "herald/submission/dkim_keyring.hpp"
#include "herald/submission/policy_cache.hpp"
#include "herald/submission/session_registry.hpp"

namespace herald::submission {

struct Context {
  const config::Config& config;
  std::shared_ptr<net::TlsContext> tls;  // null when no listener uses TLS
  net::ConnectionLimiter& limiter;
  auth::CredentialVerifier& verifier;
  auth::ApiKeyVerifier& api_keys;
  auth::Lockout& lockout;
  store::AuditWriter& audit;
  store::ServerStore& store;
  spool::Spool& spool;
  asio::thread_pool& workers;
  SessionRegistry& sessions;
  // Account policy and suppression answers while the store is unchanged.
  PolicyCache& policy_cache;
  // A failed AUTH answers no sooner than this after it started, whatever
  // failed, so timing reveals nothing and guessing is slow.
  std::chrono::milliseconds auth_failure_floor{1000};
  // The [oauth] issuer's keys for XOAUTH2/OAUTHBEARER; null without [oauth].
  auth::JwksSource* jwks = nullptr;
  // Signs accepted mail; null only in tests that construct a bare Context.
  DkimKeyring* dkim = nullptr;
  // Message and recipient rate limits (accounts, client IPs); null: none.
  policy::RateLimiter* rates = nullptr;
  // Prometheus counters; null in tests that build a bare Context.
  metrics::HeraldMetrics* metrics = nullptr;
  // Message activity (received, signed, rejected); null: not recorded.
  events::ActivityRecorder* activity = nullptr;
};

}  // namespace herald::submission
