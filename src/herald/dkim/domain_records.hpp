// dkim::domain_records — the DNS records a sending domain publishes (DKIM,
// SPF, DMARC, MTA-STS, TLS-RPT, an MX hint) and how to judge what DNS
// returned for each. Pure text: no DNS, no store, no clock.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace herald::dkim {

enum class RecordKind { kDkim, kSpf, kDmarc, kMtaSts, kTlsRpt, kMx };

struct ExpectedRecord {
  RecordKind kind;
  std::string name;      // owner name with the trailing dot, e.g. "s1._domainkey.acme.example."
  std::string type;      // "TXT" or "MX"
  std::string value;     // TXT value unquoted, or "10 mail.example.net." for MX
  std::string note;      // one sentence for the operator
  bool required = true;  // false: a hint whose absence is not an error
};

struct DomainKeyInfo {
  std::string selector;
  std::string public_txt;  // "v=DKIM1; k=...; p=..."
  std::string state;       // "active", "retiring" (both published) or "retired"
};

struct DomainRecordInput {
  std::string domain;    // lower-case ASCII
  std::string hostname;  // Herald's host name (SPF a:, MX hint, MTA-STS mx:)
  std::vector<DomainKeyInfo> keys;
};

// Every record to publish, in the order an operator adds them.
std::vector<ExpectedRecord> expected_records(const DomainRecordInput& input);

// The MTA-STS policy file body (RFC 8461 §3.2), served at
// https://mta-sts.DOMAIN/.well-known/mta-sts.txt. Starts in "testing" mode.
std::string mta_sts_policy(const DomainRecordInput& input);

// One zone-file line: `name TYPE value`, TXT values quoted and split.
std::string zone_line(const ExpectedRecord& record);

enum class RecordStatus { kOk, kMissing, kWrong };

struct RecordCheck {
  RecordStatus status = RecordStatus::kMissing;
  std::string found;   // what DNS returned, joined with " | "
  std::string advice;  // what to do; empty when ok
};

// Judges the TXT strings (or "PREF HOST" MX answers) found at the record's
// name against what is expected: DKIM by its public key, SPF by being the
// only v=spf1 record and naming this host, DMARC/MTA-STS/TLS-RPT by their
// version tag and required fields, MX by naming this host.
RecordCheck check_record(const ExpectedRecord& expected, const std::vector<std::string>& found,
                         std::string_view hostname);

std::string_view status_name(RecordStatus status);

}  // namespace herald::dkim
