#include "herald/dkim/domain_records.hpp"

#include <algorithm>
#include <cctype>

#include "herald/base/ascii.hpp"
#include "herald/base/hex.hpp"
#include "herald/dkim/canonicalization.hpp"
#include "herald/dkim/key_generator.hpp"
#include "herald/dkim/tag_list.hpp"

namespace herald::dkim {
namespace {

using base::ascii_lower;

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         ascii_lower(s.substr(0, prefix.size())) == ascii_lower(prefix);
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : " | ") + i;
  return out;
}

// A tag value from a "k=v; k=v" record, or "" when absent or unparsable.
std::string tag(std::string_view record, std::string_view name) {
  auto tags = TagList::parse(record);
  if (!tags) return {};
  return tags->get(name).value_or("");
}

std::vector<std::string> with_prefix(const std::vector<std::string>& found,
                                     std::string_view prefix) {
  std::vector<std::string> out;
  for (const auto& f : found) {
    if (starts_with_ci(f, prefix)) out.push_back(f);
  }
  return out;
}

RecordCheck ok(const std::vector<std::string>& found) {
  return {RecordStatus::kOk, joined(found), {}};
}
RecordCheck missing(std::string advice) {
  return {RecordStatus::kMissing, {}, std::move(advice)};
}
RecordCheck wrong(const std::vector<std::string>& found, std::string advice) {
  return {RecordStatus::kWrong, joined(found), std::move(advice)};
}

std::string publish_advice(const ExpectedRecord& e) {
  return "publish it: " + zone_line(e);
}

RecordCheck check_dkim(const ExpectedRecord& e, const std::vector<std::string>& found) {
  // A key record may also omit v= (RFC 6376 §3.6.1); accept any with our p=.
  const std::string want = remove_fws(tag(e.value, "p"));
  for (const auto& f : found) {
    if (remove_fws(tag(f, "p")) == want) return ok(found);
  }
  if (found.empty()) return missing(publish_advice(e));
  return wrong(found, "the published key is not this selector's key; replace it: " + zone_line(e));
}

RecordCheck check_spf(const ExpectedRecord& e, const std::vector<std::string>& found,
                      std::string_view hostname) {
  auto spf = with_prefix(found, "v=spf1");
  if (spf.empty()) return missing(publish_advice(e));
  if (spf.size() > 1) {
    return wrong(spf,
                 "there are several v=spf1 records, which makes SPF fail (RFC 7208 §4.5); "
                 "merge them into one");
  }
  const std::string record = ascii_lower(spf.front());
  const std::string host = ascii_lower(hostname);
  // Only this host's own mechanisms are judged; include: and ip4: may
  // cover it too but need DNS lookups this check does not make.
  if (record.find("a:" + host) != std::string::npos ||
      record.find("include:") != std::string::npos || record.find("ip4:") != std::string::npos ||
      record.find("ip6:") != std::string::npos) {
    return ok(spf);
  }
  return wrong(spf, "the SPF record does not name this server; add 'a:" + std::string(hostname) +
                        "' before its 'all'");
}

RecordCheck check_tagged(const ExpectedRecord& e, const std::vector<std::string>& found,
                         std::string_view version, std::vector<std::string_view> required_tags) {
  auto records = with_prefix(found, version);
  if (records.empty()) {
    if (found.empty()) return missing(publish_advice(e));
    return wrong(found, "no record starts with " + std::string(version) + "; " + publish_advice(e));
  }
  if (records.size() > 1) {
    return wrong(records, "there must be exactly one " + std::string(version) + " record");
  }
  for (auto t : required_tags) {
    if (tag(records.front(), t).empty()) {
      return wrong(records,
                   "the record lacks its " + std::string(t) + "= tag; " + publish_advice(e));
    }
  }
  return ok(records);
}

RecordCheck check_mx(const ExpectedRecord& e, const std::vector<std::string>& found,
                     std::string_view hostname) {
  if (found.empty()) return missing(publish_advice(e));
  std::string host = ascii_lower(hostname);
  for (const auto& f : found) {
    std::string name =
        ascii_lower(f.substr(f.find(' ') == std::string::npos ? 0 : f.find(' ') + 1));
    if (!name.empty() && name.back() == '.') name.pop_back();
    if (name == host) return ok(found);
  }
  return wrong(found, "the MX hosts do not include " + std::string(hostname) +
                          "; fine if another server receives this domain's mail");
}

}  // namespace

std::vector<ExpectedRecord> expected_records(const DomainRecordInput& in) {
  const std::string d = in.domain + ".";
  std::vector<ExpectedRecord> out;
  for (const auto& k : in.keys) {
    if (k.state == "retired") continue;
    out.push_back({RecordKind::kDkim, k.selector + "._domainkey." + d, "TXT", k.public_txt,
                   k.state == "active"
                       ? "DKIM public key of selector " + k.selector + " (signs now)"
                       : "DKIM public key of selector " + k.selector +
                             " (retiring: keep it published until 'herald domain rotate-dkim " +
                             in.domain + " --retire')"});
  }
  out.push_back({RecordKind::kSpf, d, "TXT", "v=spf1 a:" + in.hostname + " ~all",
                 "SPF: merge into an existing v=spf1 record (only one is allowed); tighten ~all "
                 "to -all once every sender of the domain is listed"});
  out.push_back({RecordKind::kDmarc, "_dmarc." + d, "TXT",
                 "v=DMARC1; p=none; rua=mailto:dmarc-reports@" + in.domain,
                 "DMARC: start with p=none, read the reports, then move to quarantine/reject"});
  const std::string policy_id = base::hex_encode(sha256(mta_sts_policy(in))).substr(0, 20);
  out.push_back({RecordKind::kMtaSts, "_mta-sts." + d, "TXT", "v=STSv1; id=" + policy_id,
                 "MTA-STS: serve the policy below at https://mta-sts." + in.domain +
                     "/.well-known/mta-sts.txt; the id changes whenever the policy does"});
  out.push_back({RecordKind::kTlsRpt, "_smtp._tls." + d, "TXT",
                 "v=TLSRPTv1; rua=mailto:tls-reports@" + in.domain,
                 "TLS-RPT: where receivers send reports about TLS to this domain"});
  out.push_back({RecordKind::kMx, d, "MX", "10 " + in.hostname + ".",
                 "MX hint: only if this server also receives mail for the domain", false});
  return out;
}

std::string mta_sts_policy(const DomainRecordInput& in) {
  return "version: STSv1\r\nmode: testing\r\nmx: " + in.hostname + "\r\nmax_age: 604800\r\n";
}

std::string zone_line(const ExpectedRecord& r) {
  if (r.type == "TXT") return r.name + " IN TXT " + zone_file_txt(r.value);
  return r.name + " IN " + r.type + " " + r.value;
}

RecordCheck check_record(const ExpectedRecord& e, const std::vector<std::string>& found,
                         std::string_view hostname) {
  switch (e.kind) {
    case RecordKind::kDkim:
      return check_dkim(e, found);
    case RecordKind::kSpf:
      return check_spf(e, found, hostname);
    case RecordKind::kDmarc:
      return check_tagged(e, found, "v=DMARC1", {"p"});
    case RecordKind::kMtaSts:
      return check_tagged(e, found, "v=STSv1", {"id"});
    case RecordKind::kTlsRpt:
      return check_tagged(e, found, "v=TLSRPTv1", {"rua"});
    case RecordKind::kMx:
      return check_mx(e, found, hostname);
  }
  return missing("unknown record kind");
}

std::string_view status_name(RecordStatus status) {
  switch (status) {
    case RecordStatus::kOk:
      return "ok";
    case RecordStatus::kMissing:
      return "missing";
    case RecordStatus::kWrong:
      return "wrong";
  }
  return "?";
}

}  // namespace herald::dkim
