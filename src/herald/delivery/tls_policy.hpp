// delivery::tls_policy — what TLS a delivery attempt to each MX host needs,
// combining the [delivery] tls default, MTA-STS (RFC 8461) and DANE
// (RFC 7672). Pure: it sees decisions already made, never DNS or sockets.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "herald/config/config.hpp"
#include "herald/delivery/dane.hpp"
#include "herald/delivery/mta_sts_policy.hpp"
#include "herald/dns/mx_plan.hpp"
#include "herald/smtp/client_protocol.hpp"

namespace herald::delivery {

enum class Verify {
  none,  // any certificate (or none, if TLS is optional)
  pkix,  // chain to a trusted CA and name == the MX host (MTA-STS)
  dane,  // a TLSA record matches (see dane.hpp)
};
std::string_view to_string(Verify verify);

struct TlsRequirement {
  bool use_host = true;       // false: skip this MX host now (reason says why)
  bool tls_required = false;  // no STARTTLS or a failed handshake: try another host / later
  Verify verify = Verify::none;
  // true: a verification failure ends the attempt. false with pkix: MTA-STS
  // testing mode, deliver anyway and only record the failure for TLS-RPT.
  bool verify_enforced = false;
  // MTA-STS testing: the host is not in the policy's mx list (recorded, not
  // enforced).
  bool sts_mx_mismatch = false;
  std::string policy_type = "no-policy-found";  // TLS-RPT policy-type: sts, tlsa, no-policy-found
  std::string reason;                           // one phrase for logs
};

// TLS required and `verify` enforced: a failed handshake or verification
// ends the attempt (DANE, MTA-STS enforce, a smarthost).
TlsRequirement enforced_tls(Verify verify, std::string policy_type, std::string reason);

// One host. DANE, when it applies, beats MTA-STS: a bogus or failed TLSA
// lookup skips the host; usable records mean TLS + DANE authentication.
// Then MTA-STS enforce: the host must match the policy (else skipped), TLS
// and PKIX verification required. MTA-STS testing: PKIX checked but not
// enforced. Otherwise `default_tls` ([delivery] tls). `sts` null: none.
TlsRequirement host_requirement(config::DeliveryTls default_tls, const StsPolicy* sts,
                                const DaneDecision& dane, std::string_view mx_host);

struct HostTlsPlan {
  dns::MxTarget target;
  DaneDecision dane;
  TlsRequirement tls;
};

struct DestinationTlsPlan {
  std::vector<HostTlsPlan> hosts;    // usable hosts, in the MX plan's order
  std::vector<std::string> skipped;  // "mx.example.net: reason", for logs
  // Set when hosts is empty because of policy: a temporary failure (retry
  // later), e.g. "no MX host matches the MTA-STS policy".
  std::string temporary_failure;
};

// All hosts of one destination. `dane[i]` belongs to `targets[i]` (missing
// entries count as not applicable). The order of `targets` is kept.
DestinationTlsPlan plan_destination_tls(config::DeliveryTls default_tls,
                                        const std::optional<StsPolicy>& sts,
                                        std::vector<dns::MxTarget> targets,
                                        std::vector<DaneDecision> dane);

// For smtp::ClientConfig::tls.
smtp::TlsPolicy client_tls_policy(const TlsRequirement& requirement);

}  // namespace herald::delivery
