// admin::to_json — the one JSON form of each administrative type, used by
// `herald ... --json` and by the HTTP API alike. Times are RFC 3339 UTC
// strings ("2026-12-03T17:00:00Z") or null; secrets never appear here
// except the one-time token of a created key or admin token.
#pragma once

#include <nlohmann/json.hpp>

#include "herald/admin/admin.hpp"

namespace herald::admin {

std::string rfc3339(std::int64_t unix_seconds);
// With milliseconds: "2026-12-03T17:00:00.123Z".
std::string rfc3339_ms(std::int64_t unix_millis);

nlohmann::json to_json(const store::Account& account);
nlohmann::json to_json(const AccountLimitsView& limits);
nlohmann::json to_json(const store::Login& login);
nlohmann::json to_json(const store::ApiKey& key);
nlohmann::json to_json(const CreatedKey& created);  // the key, "token" and maybe "replaces"
nlohmann::json to_json(const store::Suppression& row);
nlohmann::json to_json(const store::AuditEvent& event);
nlohmann::json to_json(const store::AdminToken& token);
nlohmann::json to_json(const spool::QueueEntry& entry);    // the envelope JSON and "size"
nlohmann::json to_json(const CreatedAdminToken& created);  // the token's fields and "token"
nlohmann::json to_json(const store::AdminUser& user);
nlohmann::json to_json(const store::MessageActivity& message);
nlohmann::json to_json(const store::MessageTimeline& timeline);  // the message and "events"
nlohmann::json to_json(const store::ActivityEvent& event);       // as webhooks send it too
nlohmann::json to_json(const store::HourlyStats& hour);
nlohmann::json to_json(const StatsView& stats);
nlohmann::json to_json(const store::Webhook& webhook);  // never the secret
nlohmann::json to_json(const CreatedWebhook& created);  // the webhook and "secret", once
nlohmann::json to_json(const WebhookTest& test);
nlohmann::json to_json(const store::DkimKey& key);  // never the private key's path
nlohmann::json to_json(const DomainView& domain);
nlohmann::json to_json(const DomainRecords& records);
nlohmann::json to_json(const DomainCheck& check);
nlohmann::json to_json(const DkimChange& change);

// "DKIM", "SPF", "DMARC", "MTA-STS", "TLS-RPT" or "MX".
std::string record_kind_name(dkim::RecordKind kind);

// "active", "revoked", "expired", "rotating" or "rotated" at `now`.
std::string key_state(const store::ApiKey& key, std::int64_t now);
std::string admin_token_state(const store::AdminToken& token, std::int64_t now);

// A JSON array of to_json(item) for each item.
template <class T>
nlohmann::json to_json_array(const std::vector<T>& items) {
  auto out = nlohmann::json::array();
  for (const auto& item : items) out.push_back(to_json(item));
  return out;
}

}  // namespace herald::admin
