// dns::UnboundResolver — the real resolver: libunbound (DNSSEC-validating
// when given a trust anchor) driven asynchronously from its own thread. It
// owns that thread, the ub_ctx and per-lookup timeouts; it must not call
// back into the caller's thread (callers post back themselves).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "herald/base/result.hpp"
#include "herald/dns/resolver.hpp"

namespace herald::dns {

// Debian's dns-root-data; DNSSEC validation is on when this file exists.
inline constexpr const char* kRootTrustAnchorFile = "/usr/share/dns/root.key";

struct UnboundOptions {
  // Empty: the system's resolvers (/etc/resolv.conf) and /etc/hosts.
  // Otherwise every query goes to this recursive resolver (an IP literal).
  std::string forwarder_host;
  std::uint16_t forwarder_port = 53;
  // DNSKEY/DS records in zone-file form; empty = no DNSSEC validation, so
  // answers are never `secure` and never `bogus`.
  std::string trust_anchor_file;
  std::chrono::milliseconds timeout = kDefaultTimeout;
  // Further unbound.conf options as {"name:", "value"}, applied last.
  std::vector<std::pair<std::string, std::string>> options;
};

class UnboundResolver final : public Resolver {
 public:
  // Errors name the option unbound refused (a bad forwarder, an unreadable
  // trust anchor).
  static base::Result<std::unique_ptr<UnboundResolver>> create(UnboundOptions options);

  // Completes every pending lookup with temporary_failure, then stops the thread.
  ~UnboundResolver() override;

  void lookup(std::string name, RecordType type, Callback done) override;

 private:
  struct Impl;
  explicit UnboundResolver(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// Turns what libunbound reports (its error code and result fields) into an
// Answer. Pure, exposed for tests; `rdata` are the wire-format records.
struct UnboundOutcome {
  int error = 0;  // ub_resolve_async callback `err`, 0 = the fields below are valid
  std::string error_text;
  int rcode = 0;
  bool havedata = false;
  bool nxdomain = false;
  bool secure = false;
  bool bogus = false;
  std::string why_bogus;
  std::vector<std::vector<std::uint8_t>> rdata;
};
Answer to_answer(const UnboundOutcome& outcome, std::string_view name, RecordType type);

}  // namespace herald::dns
