// dns::make_resolver — builds the resolver Herald runs with from plain
// settings (the [dns] section's values; dns must not depend on config).
// It owns only the wiring: static zone first, then libunbound.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "herald/base/result.hpp"
#include "herald/dns/resolver.hpp"
#include "herald/dns/unbound_resolver.hpp"

namespace herald::dns {

struct ResolverSettings {
  // "system" (resolv.conf + /etc/hosts); anything else means host:port below.
  std::string resolver = "system";
  std::string host;  // IP literal of the recursive resolver
  std::uint16_t port = 53;
  std::vector<std::string> static_records;  // [dns] static, zone-file lines
  std::chrono::milliseconds timeout = kDefaultTimeout;
  // DNSSEC validation is on when this file exists; empty turns it off (for a
  // resolver that cannot serve DNSSEC records, such as a test server).
  std::string trust_anchor_file = kRootTrustAnchorFile;
};

// Errors: a bad static record (naming the entry) or a resolver libunbound
// refused.
base::Result<std::unique_ptr<Resolver>> make_resolver(const ResolverSettings& settings);

}  // namespace herald::dns
