// delivery::fetch_sts_policy — one HTTPS GET of an MTA-STS policy file
// (RFC 8461 §3.3) with libcurl. Blocking: run it on a worker thread, never
// on an I/O thread. It owns no cache and makes no DNS decision of its own.
#pragma once

#include <asio/ip/address.hpp>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "herald/delivery/mta_sts_policy.hpp"

namespace herald::delivery {

struct StsFetchOptions {
  // Test hook: the policy host's port. RFC 8461 fixes 443.
  std::uint16_t https_port = 443;
  // Where mta-sts.DOMAIN is, as looked up through Herald's dns::Resolver
  // (given to libcurl as CURLOPT_RESOLVE, so that the certificate is still
  // checked against the name). Empty: libcurl asks the system resolver.
  std::vector<asio::ip::address> addresses;
  // PEM bundle trusted in addition to the system store ([delivery] ca_file).
  std::string ca_file;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{60'000};
};

// Why no policy came back; the names follow TLS-RPT (RFC 8460 §4.3).
enum class StsFetchError {
  none,
  fetch_error,     // sts-policy-fetch-error: unreachable, timeout, HTTP status, redirect, size
  policy_invalid,  // sts-policy-invalid: not text/plain, or the policy does not parse
  webpki_invalid,  // sts-webpki-invalid: the HTTPS certificate did not verify
};
std::string_view to_string(StsFetchError error);

struct StsFetchResult {
  std::optional<StsPolicy> policy;
  StsFetchError error = StsFetchError::none;
  std::string reason;  // a sentence for logs when there is no policy

  bool ok() const { return policy.has_value(); }
};

// "https://mta-sts.DOMAIN/.well-known/mta-sts.txt" (with ":PORT" unless 443).
std::string sts_policy_url(std::string_view domain, std::uint16_t port = 443);

// GET over HTTPS only: no redirects, HTTP 200 only, Content-Type text/plain,
// at most 64 KiB, TLS 1.2+, certificate verified for mta-sts.DOMAIN against
// the system store plus options.ca_file. `domain` is ASCII (A-labels).
StsFetchResult fetch_sts_policy(std::string_view domain, const StsFetchOptions& options);

}  // namespace herald::delivery
