// delivery::mta_sts_policy — parsing of MTA-STS (RFC 8461) discovery TXT
// records and policy files, and MX pattern matching. Pure functions of
// their text: no DNS, no HTTP, no clock (see mta_sts_fetcher/cache).
#pragma once

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "herald/base/result.hpp"

namespace herald::delivery {

// RFC 8461 §3.2: a policy is at most 64 KiB, max_age at most ~one year.
inline constexpr std::size_t kMaxStsPolicySize = 64 * 1024;
inline constexpr std::chrono::seconds kMaxStsMaxAge{31'557'600};

enum class StsMode { enforce, testing, none };
std::string_view to_string(StsMode mode);

// The `_mta-sts.DOMAIN` TXT record: only the id matters to a sender.
struct StsRecord {
  std::string id;  // 1-32 letters and digits; a change means "fetch again"
};

struct StsPolicy {
  StsMode mode = StsMode::none;
  std::vector<std::string> mx;  // patterns, lowercase, no trailing dot; "*.x" wildcards kept
  std::chrono::seconds max_age{0};
  // The policy's non-empty lines as fetched (CR removed): TLS-RPT
  // (RFC 8460 §4.4) reports them as "policy-string".
  std::vector<std::string> lines;
};

// One TXT record's text ("v=STSv1; id=20160831085700Z;"). Extension
// fields are accepted and ignored; the id is required.
base::Result<StsRecord> parse_sts_record(std::string_view txt);

// All TXT records at _mta-sts.DOMAIN: those not starting with "v=STSv1"
// are discarded; anything but exactly one remaining valid record means
// "no policy" (RFC 8461 §3.1), returned as an error saying why.
base::Result<StsRecord> select_sts_record(std::span<const std::string> txt_records);

// The body of https://mta-sts.DOMAIN/.well-known/mta-sts.txt. Lines end in
// LF or CRLF; unknown keys are ignored; version, mode and max_age are
// required once each, and mx at least once unless mode is none.
base::Result<StsPolicy> parse_sts_policy(std::string_view text);

// RFC 8461 §4.1: case-insensitive; a trailing dot is ignored; "*.example.net"
// matches exactly one extra leftmost label ("a.example.net", not
// "example.net" nor "a.b.example.net").
bool mx_pattern_matches(std::string_view pattern, std::string_view mx_host);
bool mx_matches(const StsPolicy& policy, std::string_view mx_host);

}  // namespace herald::delivery
