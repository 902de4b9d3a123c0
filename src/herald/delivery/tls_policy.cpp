// delivery::tls_policy — the precedence rules between DANE, MTA-STS and the
// configured default, in one place so the delivery glue cannot mix them up.
#include "herald/delivery/tls_policy.hpp"

#include <fmt/format.h>

#include <utility>

namespace herald::delivery {

std::string_view to_string(Verify verify) {
  switch (verify) {
    case Verify::none:
      return "none";
    case Verify::pkix:
      return "pkix";
    case Verify::dane:
      return "dane";
  }
  return "none";
}

TlsRequirement enforced_tls(Verify verify, std::string policy_type, std::string reason) {
  TlsRequirement r;
  r.tls_required = true;
  r.verify = verify;
  r.verify_enforced = true;
  r.policy_type = std::move(policy_type);
  r.reason = std::move(reason);
  return r;
}

TlsRequirement host_requirement(config::DeliveryTls default_tls, const StsPolicy* sts,
                                const DaneDecision& dane, std::string_view mx_host) {
  TlsRequirement r;
  const bool sts_enforce = sts != nullptr && sts->mode == StsMode::enforce;
  const bool sts_testing = sts != nullptr && sts->mode == StsMode::testing;

  if (dane.state == DaneState::unusable_host) {
    r.use_host = false;
    r.policy_type = "tlsa";
    r.reason = "DANE: " + dane.reason;
    return r;
  }
  if (dane.state == DaneState::authenticate) {
    return enforced_tls(Verify::dane, "tlsa", "DANE: " + dane.reason);
  }
  if (sts_enforce) {
    if (!mx_matches(*sts, mx_host)) {
      r.use_host = false;
      r.policy_type = "sts";
      r.reason = fmt::format("{} is not an mx of the MTA-STS policy (enforce)", mx_host);
      return r;
    }
    return enforced_tls(Verify::pkix, "sts", "MTA-STS enforce");
  }
  if (dane.state == DaneState::encrypt_only) {
    // Validated TLSA records promise TLS even when none can authenticate.
    r.tls_required = true;
    r.policy_type = "tlsa";
    r.reason = "DANE without usable records: TLS required, not authenticated";
    return r;
  }
  r.tls_required = default_tls == config::DeliveryTls::required;
  if (sts_testing) {
    r.verify = Verify::pkix;
    r.verify_enforced = false;
    r.sts_mx_mismatch = !mx_matches(*sts, mx_host);
    r.policy_type = "sts";
    r.reason = r.sts_mx_mismatch ? "MTA-STS testing (host not in the policy)" : "MTA-STS testing";
    return r;
  }
  r.reason = r.tls_required ? "TLS required by [delivery] tls" : "opportunistic TLS";
  return r;
}

DestinationTlsPlan plan_destination_tls(config::DeliveryTls default_tls,
                                        const std::optional<StsPolicy>& sts,
                                        std::vector<dns::MxTarget> targets,
                                        std::vector<DaneDecision> dane) {
  DestinationTlsPlan plan;
  const StsPolicy* policy = sts ? &*sts : nullptr;
  bool sts_skipped = false;
  bool dane_skipped = false;
  for (std::size_t i = 0; i < targets.size(); ++i) {
    DaneDecision decision = i < dane.size() ? std::move(dane[i]) : DaneDecision{};
    TlsRequirement req = host_requirement(default_tls, policy, decision, targets[i].host);
    if (!req.use_host) {
      (decision.state == DaneState::unusable_host ? dane_skipped : sts_skipped) = true;
      plan.skipped.push_back(fmt::format("{}: {}", targets[i].host, req.reason));
      continue;
    }
    plan.hosts.push_back(HostTlsPlan{std::move(targets[i]), std::move(decision), std::move(req)});
  }
  if (plan.hosts.empty() && (sts_skipped || dane_skipped)) {
    if (sts_skipped && !dane_skipped) {
      plan.temporary_failure = "no MX host matches the MTA-STS policy";
    } else if (dane_skipped && !sts_skipped) {
      plan.temporary_failure = "the TLSA records of every MX host could not be validated (DANE)";
    } else {
      plan.temporary_failure =
          "no MX host is usable: not in the MTA-STS policy or TLSA records not validated";
    }
  }
  return plan;
}

smtp::TlsPolicy client_tls_policy(const TlsRequirement& requirement) {
  return requirement.tls_required ? smtp::TlsPolicy::required : smtp::TlsPolicy::opportunistic;
}

}  // namespace herald::delivery
