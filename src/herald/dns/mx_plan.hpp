// dns::plan_mx — which hosts to try, in which order, for mail to a domain
// (RFC 5321 §5.1, RFC 7505 null MX), and resolve_mx_targets, which adds
// their addresses. Choosing among addresses, TLS policy and retries belong
// to delivery; plan_mx itself is pure (the RNG is injected).
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/address.hpp>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "herald/dns/record.hpp"
#include "herald/dns/resolver.hpp"

namespace herald::dns {

enum class PlanOutcome {
  ok,
  permanent_failure,  // bounce now: no such domain, null MX, no host has an address
  temporary_failure,  // retry later: SERVFAIL, timeout, DNSSEC bogus
};

std::string_view to_string(PlanOutcome outcome);

struct MxHost {
  std::string name;  // lowercase, no trailing dot
  std::uint16_t preference = 0;
};

struct MxPlan {
  PlanOutcome outcome = PlanOutcome::temporary_failure;
  std::string reason;         // set when outcome is not ok
  std::vector<MxHost> hosts;  // in the order to try
  bool implicit = false;      // no MX records: the domain itself is the host
  bool secure = false;        // the MX answer (or its nodata) was DNSSEC-validated
};

// Sorts by preference, shuffles hosts of equal preference (RFC 5321 §5.1
// spreads load that way) and drops duplicate names. `domain` is ASCII.
MxPlan plan_mx(std::string_view domain, const Answer& mx_answer, std::mt19937_64& rng);
// Same, with a per-thread RNG seeded from std::random_device.
MxPlan plan_mx(std::string_view domain, const Answer& mx_answer);

struct MxTarget {
  std::string host;
  std::uint16_t preference = 0;
  std::vector<asio::ip::address> addresses;  // IPv4 first, then IPv6, as DNS gave them
  // Both address answers DNSSEC-validated (RFC 7672 §2.2.2: only then may
  // TLSA records for this host be used).
  bool secure = false;
  Status status = Status::temporary_failure;  // ok when it has any address
  std::string reason;                         // why there is no address, when so
};

struct MxResolution {
  PlanOutcome outcome = PlanOutcome::temporary_failure;
  std::string reason;
  bool implicit = false;
  bool mx_secure = false;
  std::vector<MxTarget> targets;  // in plan order, including hosts without addresses
};

// MX lookup, then A and AAAA of the first `max_hosts` hosts, all at once.
// Ok when at least one host has an address. The coroutine copies `domain`
// when it starts, i.e. when awaited: `co_await resolve_mx_targets(r, d)`
// is safe; storing the awaitable past the string's lifetime is not.
asio::awaitable<MxResolution> resolve_mx_targets(Resolver& resolver, std::string_view domain,
                                                 std::size_t max_hosts = 10);

}  // namespace herald::dns
