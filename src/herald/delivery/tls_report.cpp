// delivery::TlsReportRecorder — aggregation and the RFC 8460 JSON format
// (built with nlohmann::json so escaping is never hand-rolled).
#include "herald/delivery/tls_report.hpp"

#include <fmt/format.h>
#include <openssl/x509_vfy.h>

#include <nlohmann/json.hpp>

#include "herald/dns/record.hpp"

namespace herald::delivery {
namespace {

std::string policy_key(const TlsReportPolicy& p) {
  std::string key = p.type;
  for (const auto& s : p.strings) key += '\n' + s;
  key += '\x1f';
  for (const auto& m : p.mx_hosts) key += '\n' + m;
  return key;
}

std::string iso_day(TlsReportRecorder::Day day) {
  const std::chrono::year_month_day ymd{day};
  return fmt::format("{:04}-{:02}-{:02}", static_cast<int>(ymd.year()),
                     static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
}

}  // namespace

std::string_view to_string(TlsResultType type) {
  switch (type) {
    case TlsResultType::starttls_not_supported:
      return "starttls-not-supported";
    case TlsResultType::certificate_host_mismatch:
      return "certificate-host-mismatch";
    case TlsResultType::certificate_expired:
      return "certificate-expired";
    case TlsResultType::certificate_not_trusted:
      return "certificate-not-trusted";
    case TlsResultType::validation_failure:
      return "validation-failure";
    case TlsResultType::tlsa_invalid:
      return "tlsa-invalid";
    case TlsResultType::dnssec_invalid:
      return "dnssec-invalid";
    case TlsResultType::dane_required:
      return "dane-required";
    case TlsResultType::sts_policy_fetch_error:
      return "sts-policy-fetch-error";
    case TlsResultType::sts_policy_invalid:
      return "sts-policy-invalid";
    case TlsResultType::sts_webpki_invalid:
      return "sts-webpki-invalid";
  }
  return "validation-failure";
}

TlsResultType classify_verify_result(long result, bool dane) {
  switch (result) {
    case X509_V_ERR_HOSTNAME_MISMATCH:
      return TlsResultType::certificate_host_mismatch;
    case X509_V_ERR_CERT_HAS_EXPIRED:
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return TlsResultType::certificate_expired;
    case X509_V_ERR_DANE_NO_MATCH:
      return TlsResultType::tlsa_invalid;
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_CERT_UNTRUSTED:
    case X509_V_ERR_CERT_REJECTED:
      // Under DANE the chain need not reach a public CA; an unmatched
      // chain means the TLSA records did not fit.
      return dane ? TlsResultType::tlsa_invalid : TlsResultType::certificate_not_trusted;
    default:
      return TlsResultType::validation_failure;
  }
}

TlsReportRecorder::TlsReportRecorder(std::size_t max_domains, std::size_t max_failure_kinds)
    : max_domains_(max_domains), max_failure_kinds_(max_failure_kinds) {}

TlsReportRecorder::Day TlsReportRecorder::day_of(std::chrono::system_clock::time_point when) {
  return std::chrono::floor<std::chrono::days>(when);
}

TlsReportRecorder::PolicyCounters* TlsReportRecorder::counters_locked(std::string_view domain_view,
                                                                      const TlsReportPolicy& policy,
                                                                      Day day) {
  const std::string domain = dns::normalize_name(domain_view);
  auto key = std::make_pair(day, domain);
  auto it = data_.find(key);
  if (it == data_.end()) {
    if (data_.size() >= max_domains_) return nullptr;
    it = data_.emplace(std::move(key), DomainDay{}).first;
  }
  auto [pit, fresh] = it->second.try_emplace(policy_key(policy));
  if (fresh) pit->second.policy = policy;
  return &pit->second;
}

void TlsReportRecorder::record_success(std::string_view domain, const TlsReportPolicy& policy,
                                       Day day) {
  std::lock_guard lock(mutex_);
  if (auto* c = counters_locked(domain, policy, day)) ++c->successes;
}

void TlsReportRecorder::record_failure(std::string_view domain, const TlsReportPolicy& policy,
                                       const TlsFailure& f, Day day) {
  std::lock_guard lock(mutex_);
  auto* c = counters_locked(domain, policy, day);
  if (c == nullptr) return;
  ++c->failures;
  FailureKey key{f.type,
                 f.sending_mta_ip,
                 dns::normalize_name(f.receiving_mx_hostname),
                 f.receiving_mx_helo,
                 f.receiving_ip,
                 f.additional_information,
                 f.failure_reason_code};
  auto it = c->details.find(key);
  if (it != c->details.end()) {
    ++it->second;
  } else if (c->details.size() < max_failure_kinds_) {
    c->details.emplace(std::move(key), 1);
  }
}

std::vector<std::string> TlsReportRecorder::domains(Day day) const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (auto it = data_.lower_bound({day, std::string()});
       it != data_.end() && it->first.first == day; ++it) {
    out.push_back(it->first.second);
  }
  return out;
}

void TlsReportRecorder::forget_before(Day day) {
  std::lock_guard lock(mutex_);
  data_.erase(data_.begin(), data_.lower_bound({day, std::string()}));
}

std::string TlsReportRecorder::report_json(std::string_view domain_view, Day day,
                                           std::string_view organization, std::string_view contact,
                                           std::string_view report_id) const {
  const std::string domain = dns::normalize_name(domain_view);
  const std::string date = iso_day(day);
  nlohmann::json report;
  report["organization-name"] = std::string(organization);
  report["date-range"] = {{"start-datetime", date + "T00:00:00Z"},
                          {"end-datetime", date + "T23:59:59Z"}};
  report["contact-info"] = std::string(contact);
  report["report-id"] =
      report_id.empty() ? fmt::format("{}T00:00:00Z_{}", date, domain) : std::string(report_id);
  nlohmann::json policies = nlohmann::json::array();
  std::lock_guard lock(mutex_);
  if (auto it = data_.find({day, domain}); it != data_.end()) {
    for (const auto& [key, c] : it->second) {
      nlohmann::json policy = {{"policy-type", c.policy.type},
                               {"policy-string", c.policy.strings},
                               {"policy-domain", domain}};
      if (!c.policy.mx_hosts.empty()) policy["mx-host"] = c.policy.mx_hosts;
      nlohmann::json entry = {{"policy", std::move(policy)},
                              {"summary",
                               {{"total-successful-session-count", c.successes},
                                {"total-failure-session-count", c.failures}}}};
      nlohmann::json details = nlohmann::json::array();
      for (const auto& [f, count] : c.details) {
        nlohmann::json d = {{"result-type", std::string(to_string(f.type))},
                            {"failed-session-count", count}};
        auto optional = [&d](const char* name, const std::string& value) {
          if (!value.empty()) d[name] = value;
        };
        optional("sending-mta-ip", f.sending_mta_ip);
        optional("receiving-mx-hostname", f.receiving_mx_hostname);
        optional("receiving-mx-helo", f.receiving_mx_helo);
        optional("receiving-ip", f.receiving_ip);
        optional("additional-information", f.additional_information);
        optional("failure-reason-code", f.failure_reason_code);
        details.push_back(std::move(d));
      }
      if (!details.empty()) entry["failure-details"] = std::move(details);
      policies.push_back(std::move(entry));
    }
  }
  report["policies"] = std::move(policies);
  return report.dump(2);
}

}  // namespace herald::delivery
