// delivery::destination — where the mail for one destination goes: the
// recipient domain's MX hosts (RFC 5321 §5.1, null MX) with the TLS each
// needs, or the configured smarthost with its credentials. Turns DNS
// answers into an ordered list of connection targets; sends nothing.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ssl/context.hpp>
#include <asio/thread_pool.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "herald/base/result.hpp"
#include "herald/config/config.hpp"
#include "herald/delivery/mta_sts_cache.hpp"
#include "herald/delivery/outbound_session.hpp"
#include "herald/delivery/tls_report.hpp"
#include "herald/dns/resolver.hpp"
#include "herald/dns/resolver_factory.hpp"

namespace herald::delivery {

inline constexpr const char* kSmarthostDestination = "[smarthost]";

struct DestinationPlan {
  enum class Outcome { ok, temporary, permanent };
  Outcome outcome = Outcome::ok;
  smtp::Outcome failure;  // when not ok: what every recipient gets
  std::vector<OutboundTarget> targets;
  TlsReportPolicy report_policy;   // for TLS-RPT: which policy applied
  std::vector<std::string> notes;  // hosts skipped by policy, fetch errors: for the log
};

// What planning needs for the whole run of the server.
struct DestinationContext {
  const config::Config* config = nullptr;
  dns::Resolver* resolver = nullptr;
  std::shared_ptr<asio::ssl::context> tls;  // client context (TLS 1.2+, CA store)
  std::optional<smtp::ClientCredentials> smarthost_credentials;
  asio::thread_pool* workers = nullptr;  // MTA-STS fetches (blocking libcurl)
  MtaStsCache* sts_cache = nullptr;
};

// The [dns] section as the dns module's resolver settings.
dns::ResolverSettings resolver_settings(const config::Config& config);

// [delivery] smarthost_password_file's first line, when a user is set.
base::Result<std::optional<smtp::ClientCredentials>> smarthost_credentials(
    const config::Config& config);

// `destination` is an ASCII domain, or kSmarthostDestination. The caller
// keeps `ctx` alive until the coroutine completes.
asio::awaitable<DestinationPlan> plan_destination(const DestinationContext& ctx,
                                                  const std::string& destination);

}  // namespace herald::delivery
