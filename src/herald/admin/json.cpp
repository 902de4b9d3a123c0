#include "herald/admin/json.hpp"

#include <cstdio>
#include <ctime>

#include "herald/events/event_json.hpp"

namespace herald::admin {
namespace {

nlohmann::json time_or_null(const std::optional<std::int64_t>& t) {
  return t ? nlohmann::json(rfc3339(*t)) : nlohmann::json(nullptr);
}

nlohmann::json limit_or_null(const std::optional<std::int64_t>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

}  // namespace

std::string rfc3339(std::int64_t unix_seconds) {
  char buf[32];
  const std::time_t tt = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string rfc3339_ms(std::int64_t unix_millis) {
  return events::rfc3339_ms(unix_millis);
}

std::string key_state(const store::ApiKey& k, std::int64_t now) {
  if (k.revoked_at) return "revoked";
  if (k.expires_at && *k.expires_at <= now) return k.replaced_by ? "rotated" : "expired";
  if (k.replaced_by) return "rotating";
  return "active";
}

std::string admin_token_state(const store::AdminToken& t, std::int64_t now) {
  if (t.revoked_at) return "revoked";
  if (t.expires_at && *t.expires_at <= now) return "expired";
  return "active";
}

nlohmann::json to_json(const store::Account& a) {
  return {{"name", a.name},
          {"parent", a.parent ? nlohmann::json(*a.parent) : nlohmann::json(nullptr)},
          {"created_at", rfc3339(a.created_at)}};
}

nlohmann::json to_json(const AccountLimitsView& l) {
  return {{"account", l.account},
          {"messages_per_hour", l.effective.messages_per_hour.value_or(0)},
          {"recipients_per_hour", l.effective.recipients_per_hour.value_or(0)},
          {"own_messages_per_hour", limit_or_null(l.own.messages_per_hour)},
          {"own_recipients_per_hour", limit_or_null(l.own.recipients_per_hour)}};
}

nlohmann::json to_json(const store::Login& l) {
  return {{"address", l.address},
          {"account", l.account},
          {"created_at", rfc3339(l.created_at)},
          {"password_changed_at", rfc3339(l.updated_at)},
          {"cram_md5", l.cram_md5}};
}

nlohmann::json to_json(const store::ApiKey& k) {
  return {{"id", k.id},
          {"account", k.account},
          {"name", k.name},
          {"state", key_state(k, unix_now())},
          {"scopes", k.scopes},
          {"sender_patterns", k.sender_patterns},
          {"allowed_ips", k.allowed_ips},
          {"created_at", rfc3339(k.created_at)},
          {"expires_at", time_or_null(k.expires_at)},
          {"replaced_by", k.replaced_by ? nlohmann::json(*k.replaced_by) : nlohmann::json(nullptr)},
          {"last_used_at", time_or_null(k.last_used_at)},
          {"last_used_ip", k.last_used_ip}};
}

nlohmann::json to_json(const CreatedKey& c) {
  auto j = to_json(c.key);
  j["token"] = c.token;
  if (c.replaces) j["replaces"] = *c.replaces;
  return j;
}

nlohmann::json to_json(const store::Suppression& s) {
  return {{"address", s.address},
          {"reason", s.reason},
          {"source", s.source},
          {"created_at", rfc3339(s.created_at)}};
}

nlohmann::json to_json(const store::AuditEvent& e) {
  return {{"at", rfc3339(e.at)},    {"kind", e.kind}, {"event", e.event},
          {"identity", e.identity}, {"ip", e.ip},     {"detail", e.detail}};
}

nlohmann::json to_json(const store::AdminToken& t) {
  return {{"id", t.id},
          {"name", t.name},
          {"state", admin_token_state(t, unix_now())},
          {"scopes", t.scopes},
          {"allowed_ips", t.allowed_ips},
          {"created_at", rfc3339(t.created_at)},
          {"created_by", t.created_by},
          {"expires_at", time_or_null(t.expires_at)},
          {"last_used_at", time_or_null(t.last_used_at)},
          {"last_used_ip", t.last_used_ip}};
}

nlohmann::json to_json(const spool::QueueEntry& e) {
  auto j = nlohmann::json::parse(spool::envelope_to_json(e.envelope), nullptr, false);
  if (j.is_discarded()) j = nlohmann::json::object();
  j["size"] = e.size;
  return j;
}

nlohmann::json to_json(const CreatedAdminToken& c) {
  auto j = to_json(c.token);
  j["token"] = c.secret;
  return j;
}

std::string record_kind_name(dkim::RecordKind kind) {
  switch (kind) {
    case dkim::RecordKind::kDkim:
      return "DKIM";
    case dkim::RecordKind::kSpf:
      return "SPF";
    case dkim::RecordKind::kDmarc:
      return "DMARC";
    case dkim::RecordKind::kMtaSts:
      return "MTA-STS";
    case dkim::RecordKind::kTlsRpt:
      return "TLS-RPT";
    case dkim::RecordKind::kMx:
      return "MX";
  }
  return "?";
}

nlohmann::json to_json(const store::AdminUser& u) {
  return {{"name", u.name},
          {"role", u.role},
          {"account", u.account ? nlohmann::json(*u.account) : nlohmann::json(nullptr)},
          {"allow_ip", u.allowed_ips},
          {"totp_enabled", u.totp_enabled},
          {"created_at", rfc3339(u.created_at)},
          {"created_by", u.created_by},
          {"password_changed_at", rfc3339(u.password_changed_at)},
          {"last_login_at", time_or_null(u.last_login_at)},
          {"last_login_ip", u.last_login_ip}};
}

nlohmann::json to_json(const store::MessageActivity& m) {
  auto recipients = nlohmann::json::array();
  for (const auto& r : m.recipients) {
    recipients.push_back(
        {{"address", r.address}, {"status", r.status}, {"updated_at", rfc3339(r.updated_at)}});
  }
  return {{"id", m.id},
          {"received_at", rfc3339(m.received_at)},
          {"account", m.account},
          {"identity", m.identity},
          {"client_ip", m.client_ip},
          {"from", m.sender},
          {"size", m.size},
          {"status", m.status},
          {"updated_at", rfc3339(m.updated_at)},
          {"recipients", recipients}};
}

nlohmann::json to_json(const store::ActivityEvent& e) {
  return events::event_json(e);
}

nlohmann::json to_json(const store::MessageTimeline& t) {
  nlohmann::json out = to_json(t.message);
  out["events"] = to_json_array(t.events);
  return out;
}

nlohmann::json to_json(const store::HourlyStats& h) {
  nlohmann::json out = {{"accepted", h.accepted},   {"rejected", h.rejected},
                        {"delivered", h.delivered}, {"deferred", h.deferred},
                        {"bounced", h.bounced},     {"suppressed", h.suppressed}};
  if (!h.account.empty()) out["account"] = h.account;
  if (h.hour != 0) out["hour"] = rfc3339(h.hour);
  return out;
}

nlohmann::json to_json(const StatsView& s) {
  return {{"since", rfc3339(s.since)},
          {"until", rfc3339(s.until)},
          {"hours", to_json_array(s.hours)},
          {"totals", to_json(s.totals)}};
}

nlohmann::json to_json(const store::Webhook& w) {
  return {{"id", w.id},
          {"account", w.account},
          {"url", w.url},
          {"events", w.events},
          {"created_at", rfc3339(w.created_at)},
          {"created_by", w.created_by},
          {"state", w.disabled_at     ? "disabled"
                    : w.failing_since ? "failing"
                                      : "active"},
          {"disabled_at", time_or_null(w.disabled_at)},
          {"disabled_reason", w.disabled_reason},
          {"failing_since", time_or_null(w.failing_since)},
          {"last_success_at", time_or_null(w.last_success_at)},
          {"last_failure_at", time_or_null(w.last_failure_at)},
          {"last_error", w.last_error},
          {"pending", w.pending}};
}

nlohmann::json to_json(const CreatedWebhook& c) {
  nlohmann::json out = to_json(c.webhook);
  out["secret"] = c.secret;
  return out;
}

nlohmann::json to_json(const WebhookTest& t) {
  return {{"webhook", t.webhook},
          {"outcome", t.outcome},
          {"status", t.status},
          {"detail", t.detail},
          {"delivered", t.outcome == "delivered"}};
}

nlohmann::json to_json(const store::DkimKey& k) {
  return {{"selector", k.selector},
          {"algorithm", k.algorithm},
          {"state", k.state},
          {"dns_name", k.selector + "._domainkey." + k.domain + "."},
          {"public_txt", k.public_txt},
          {"created_at", rfc3339(k.created_at)},
          {"retired_at", time_or_null(k.retired_at)}};
}

nlohmann::json to_json(const DomainView& d) {
  return {{"domain", d.domain.name},
          {"account", d.domain.account},
          {"created_at", rfc3339(d.domain.created_at)},
          {"keys", to_json_array(d.keys)}};
}

nlohmann::json to_json(const DomainRecords& r) {
  auto records = nlohmann::json::array();
  for (const auto& e : r.records) {
    records.push_back({{"record", record_kind_name(e.kind)},
                       {"name", e.name},
                       {"type", e.type},
                       {"value", e.value},
                       {"note", e.note},
                       {"zone", dkim::zone_line(e)},
                       {"required", e.required}});
  }
  return {{"domain", r.input.domain}, {"records", records}, {"mta_sts_policy", r.mta_sts_policy}};
}

nlohmann::json to_json(const DomainCheck& c) {
  auto records = nlohmann::json::array();
  for (const auto& v : c.records) {
    records.push_back({{"record", record_kind_name(v.expected.kind)},
                       {"name", v.expected.name},
                       {"type", v.expected.type},
                       {"status", v.status},
                       {"required", v.expected.required},
                       {"expected", v.expected.value},
                       {"found", v.found},
                       {"advice", v.advice}});
  }
  return {{"domain", c.domain}, {"records", records}, {"problems", c.problems}};
}

nlohmann::json to_json(const DkimChange& c) {
  return {{"domain", c.domain}, {"keys", to_json_array(c.keys)}, {"retired", c.retired}};
}

}  // namespace herald::admin
