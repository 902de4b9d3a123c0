// delivery::TlsReportRecorder — TLS-RPT (RFC 8460) counters: successful and
// failed sessions per policy domain per UTC day, and the JSON report.
// In memory only (lost on restart); persisting and sending reports to the
// domain's rua addresses is not done here.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

namespace herald::delivery {

// RFC 8460 §4.3.
enum class TlsResultType {
  starttls_not_supported,
  certificate_host_mismatch,
  certificate_expired,
  certificate_not_trusted,
  validation_failure,
  tlsa_invalid,
  dnssec_invalid,
  dane_required,
  sts_policy_fetch_error,
  sts_policy_invalid,
  sts_webpki_invalid,
};
std::string_view to_string(TlsResultType type);

// Maps an X509_V_* verification result (SSL_get_verify_result) to the
// closest result type; `dane` when the check was against TLSA records.
TlsResultType classify_verify_result(long x509_result, bool dane);

// The policy a session was checked against (RFC 8460 §4.4 "policy").
struct TlsReportPolicy {
  std::string type = "no-policy-found";  // "sts", "tlsa", "no-policy-found"
  std::vector<std::string> strings;      // sts: the policy's lines; tlsa: the records
  std::vector<std::string> mx_hosts;     // sts: the policy's mx patterns
};

struct TlsFailure {
  TlsResultType type = TlsResultType::validation_failure;
  std::string sending_mta_ip;
  std::string receiving_mx_hostname;
  std::string receiving_mx_helo;       // optional
  std::string receiving_ip;            // optional
  std::string additional_information;  // optional URI or text
  std::string failure_reason_code;     // optional, e.g. the OpenSSL error
};

class TlsReportRecorder {
 public:
  using Day = std::chrono::sys_days;

  // Bounds memory against a flood of distinct failures (one per receiving
  // IP, say): past these, new domains or failure kinds are only counted in
  // the summary.
  explicit TlsReportRecorder(std::size_t max_domains = 100'000,
                             std::size_t max_failure_kinds_per_policy = 100);

  void record_success(std::string_view policy_domain, const TlsReportPolicy& policy, Day day);
  void record_failure(std::string_view policy_domain, const TlsReportPolicy& policy,
                      const TlsFailure& failure, Day day);

  // Domains with something recorded on `day`.
  std::vector<std::string> domains(Day day) const;

  // The RFC 8460 §4.4 report for one domain and day (date-range is that UTC
  // day). Empty `report_id`: "<day>T00:00:00Z_<domain>". Without data the
  // "policies" array is empty.
  std::string report_json(std::string_view domain, Day day, std::string_view organization,
                          std::string_view contact, std::string_view report_id = {}) const;

  // Drops days before `day` (after their reports are sent).
  void forget_before(Day day);

  static Day day_of(std::chrono::system_clock::time_point when);

 private:
  struct FailureKey {
    TlsResultType type;
    std::string sending_mta_ip, receiving_mx_hostname, receiving_mx_helo, receiving_ip,
        additional_information, failure_reason_code;
    auto tie() const {
      return std::tie(type, sending_mta_ip, receiving_mx_hostname, receiving_mx_helo, receiving_ip,
                      additional_information, failure_reason_code);
    }
    bool operator<(const FailureKey& o) const { return tie() < o.tie(); }
  };
  struct PolicyCounters {
    TlsReportPolicy policy;
    std::uint64_t successes = 0;
    std::uint64_t failures = 0;
    std::map<FailureKey, std::uint64_t> details;
  };
  // key: policy type + strings joined, so a policy change mid-day gives a
  // second entry, as RFC 8460 expects.
  using DomainDay = std::map<std::string, PolicyCounters>;

  PolicyCounters* counters_locked(std::string_view domain, const TlsReportPolicy& policy, Day day);

  std::size_t max_domains_;
  std::size_t max_failure_kinds_;
  mutable std::mutex mutex_;
  std::map<std::pair<Day, std::string>, DomainDay> data_;
};

}  // namespace herald::delivery
