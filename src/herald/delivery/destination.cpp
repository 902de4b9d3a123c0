#include "herald/delivery/destination.hpp"

#include <asio/ip/address.hpp>
#include <fstream>

#include "herald/delivery/dane.hpp"
#include "herald/delivery/tls_policy.hpp"
#include "herald/delivery/tls_policy_ssl.hpp"
#include "herald/dns/mx_plan.hpp"

namespace herald::delivery {
namespace {

smtp::Outcome failure(int code, std::string enhanced, std::string text) {
  smtp::Outcome o;
  o.reply = {code, std::move(enhanced), std::move(text)};
  o.permanent = code >= 500;
  o.stage = code >= 500 ? smtp::Stage::local : smtp::Stage::connect;
  return o;
}

// Connection targets for one host: each of its addresses, with the TLS
// the policy asks for applied to every new SSL.
void add_host_targets(const DestinationContext& ctx, const HostTlsPlan& host, std::uint16_t port,
                      std::vector<OutboundTarget>& out) {
  for (const auto& address : host.target.addresses) {
    OutboundTarget t;
    t.host = host.target.host;
    t.address = address;
    t.port = port;
    t.tls = client_tls_policy(host.tls);
    t.tls_context = ctx.tls;
    t.configure_tls = [requirement = host.tls, dane = host.dane,
                       name = host.target.host](SSL* ssl) {
      return configure_client_ssl(ssl, requirement, dane, name).ok();
    };
    out.push_back(std::move(t));
  }
}

asio::awaitable<DestinationPlan> plan_smarthost(const DestinationContext& ctx) {
  const config::Delivery& d = ctx.config->delivery;
  DestinationPlan plan;
  std::vector<asio::ip::address> addresses;
  asio::error_code ec;
  auto literal = asio::ip::make_address(d.smarthost_host, ec);
  if (!ec) {
    addresses.push_back(literal);
  } else {
    // Named, not a braced temporary: GCC 12 miscompiles those in co_await.
    std::vector<dns::Query> queries;
    queries.push_back({d.smarthost_host, dns::RecordType::A});
    queries.push_back({d.smarthost_host, dns::RecordType::AAAA});
    auto answers = co_await dns::lookup_all(*ctx.resolver, std::move(queries));
    for (const auto& a : answers) {
      addresses.insert(addresses.end(), a.addresses.begin(), a.addresses.end());
    }
    if (addresses.empty()) {
      plan.outcome = DestinationPlan::Outcome::temporary;
      plan.failure = failure(451, "4.4.3",
                             "cannot resolve the smarthost " + d.smarthost_host + ": " +
                                 (answers.empty() ? std::string("no answer") : answers[0].reason));
      co_return plan;
    }
  }
  // An upstream relay is always reached over verified TLS: it gets our
  // credentials and all of our mail.
  const TlsRequirement requirement = enforced_tls(Verify::pkix, "no-policy-found", "smarthost");
  for (const auto& address : addresses) {
    OutboundTarget t;
    t.host = d.smarthost_host;
    t.address = address;
    t.port = d.smarthost_port;
    t.implicit_tls = d.smarthost_port == 465;
    t.tls = smtp::TlsPolicy::required;
    t.tls_context = ctx.tls;
    t.credentials = ctx.smarthost_credentials;
    t.configure_tls = [requirement, name = d.smarthost_host](SSL* ssl) {
      return configure_client_ssl(ssl, requirement, DaneDecision{}, name).ok();
    };
    plan.targets.push_back(std::move(t));
  }
  co_return plan;
}

}  // namespace

dns::ResolverSettings resolver_settings(const config::Config& config) {
  dns::ResolverSettings settings;
  settings.resolver = config.dns.resolver;
  settings.host = config.dns.resolver_host;
  settings.port = config.dns.resolver_port;
  settings.static_records = config.dns.static_records;
  if (!config.dns.dnssec) settings.trust_anchor_file.clear();
  return settings;
}

base::Result<std::optional<smtp::ClientCredentials>> smarthost_credentials(
    const config::Config& config) {
  const config::Delivery& d = config.delivery;
  if (d.mode != config::DeliveryMode::smarthost || d.smarthost_user.empty()) {
    return std::optional<smtp::ClientCredentials>{};
  }
  std::ifstream in(d.smarthost_password_file);
  std::string password;
  if (!in || !std::getline(in, password)) {
    return base::make_error("[delivery] smarthost_password_file " + d.smarthost_password_file +
                            " cannot be read or is empty");
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return std::optional<smtp::ClientCredentials>(
      smtp::ClientCredentials{d.smarthost_user, std::move(password)});
}

asio::awaitable<DestinationPlan> plan_destination(const DestinationContext& ctx,
                                                  const std::string& destination) {
  if (destination == kSmarthostDestination) co_return co_await plan_smarthost(ctx);
  DestinationPlan plan;
  auto mx = co_await dns::resolve_mx_targets(*ctx.resolver, destination);
  if (mx.outcome == dns::PlanOutcome::permanent_failure) {
    plan.outcome = DestinationPlan::Outcome::permanent;
    // RFC 7505 §4.2 / RFC 3463: 5.1.10 for a null MX, 5.1.2 for a bad domain.
    plan.failure = failure(550, mx.reason.find("null MX") != std::string::npos ? "5.1.10" : "5.1.2",
                           destination + ": " + mx.reason);
    co_return plan;
  }
  if (mx.outcome == dns::PlanOutcome::temporary_failure) {
    plan.outcome = DestinationPlan::Outcome::temporary;
    plan.failure = failure(451, "4.4.3", destination + ": " + mx.reason);
    co_return plan;
  }
  // MTA-STS (RFC 8461) for the domain, DANE (RFC 7672) per host when its
  // MX and address answers were DNSSEC-validated.
  std::optional<StsPolicy> sts;
  if (ctx.sts_cache && ctx.workers) {
    StsFetchOptions options;
    options.https_port = ctx.config->delivery.mta_sts_port;
    options.ca_file = ctx.config->delivery.ca_file;
    auto resolution = co_await resolve_sts_policy(*ctx.resolver, *ctx.workers, *ctx.sts_cache,
                                                  destination, options);
    if (resolution.fetch_error != StsFetchError::none) {
      plan.notes.push_back("MTA-STS: " + resolution.reason);
    }
    sts = resolution.policy;
    if (sts) {
      plan.report_policy.type = "sts";
      plan.report_policy.strings = sts->lines;
      plan.report_policy.mx_hosts = sts->mx;
    }
  }
  std::vector<DaneDecision> dane(mx.targets.size());
  for (std::size_t i = 0; i < mx.targets.size(); ++i) {
    const auto& target = mx.targets[i];
    if (!mx.mx_secure || !target.secure) continue;
    auto answer = co_await dns::lookup(*ctx.resolver,
                                       tlsa_name(target.host, ctx.config->delivery.remote_port),
                                       dns::RecordType::TLSA);
    dane[i] = decide_dane(answer, true);
    if (dane[i].applies()) plan.report_policy.type = "tlsa";
  }
  auto tls = plan_destination_tls(ctx.config->delivery.tls, sts, mx.targets, std::move(dane));
  for (const auto& why : tls.skipped) plan.notes.push_back("skipped " + why);
  if (tls.hosts.empty()) {
    plan.outcome = DestinationPlan::Outcome::temporary;
    plan.failure =
        failure(451, "4.7.5",
                destination + ": " +
                    (tls.temporary_failure.empty() ? "no usable MX host" : tls.temporary_failure));
    co_return plan;
  }
  for (const auto& host : tls.hosts) {
    add_host_targets(ctx, host, ctx.config->delivery.remote_port, plan.targets);
  }
  co_return plan;
}

}  // namespace herald::delivery
