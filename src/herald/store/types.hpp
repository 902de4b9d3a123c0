// store types — the records the store keeps and returns: accounts,
// logins (never a hash outside LoginRecord), API keys, admin tokens, audit
// events, domains and DKIM keys, suppressions. Plain data; no behaviour.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace herald::store {

// An account (or sub-account: a mail stream such as "acme.marketing").
struct Account {
  std::int64_t id = 0;
  std::string name;
  std::optional<std::string> parent;  // parent account's name
  std::int64_t created_at = 0;        // Unix seconds
};

// A login as shown to people (`herald user list`): deliberately no hash.
struct Login {
  std::int64_t id = 0;
  std::string address;  // canonical form, see normalize_login_address()
  std::string account;
  std::int64_t created_at = 0;  // Unix seconds
  std::int64_t updated_at = 0;  // last password change
  bool cram_md5 = false;        // has a CRAM-MD5 secret (never shown)
};

// A login as the verifier needs it. Keep it out of printing paths.
struct LoginRecord {
  std::int64_t id = 0;
  std::string address;
  std::string account;
  std::string password_hash;  // libsodium Argon2id string ("$argon2id$...")
  std::string scram_keys;     // RFC 5803 "SCRAM-SHA-256$..." text; empty if none
  std::string cram_secret;    // sealed password (auth::CramKey); empty: no CRAM-MD5
};

// What remove_account(name, force) deleted with the account.
// An account's sending rate limits. nullopt: as its parent (unlimited at
// the top); 0: unlimited.
struct AccountLimits {
  std::optional<std::int64_t> messages_per_hour;
  std::optional<std::int64_t> recipients_per_hour;
};

// What the submission path needs of an account at MAIL, from one snapshot.
struct AccountPolicy {
  std::vector<std::string> domains;  // as account_domains()
  AccountLimits limits;              // as effective_account_limits()
};

struct AccountRemoval {
  int logins = 0;
  int api_keys = 0;
  int domains = 0;
  std::vector<std::string> dkim_key_files;  // the caller deletes these files
};

// An API key as shown to people: never its secret or hash.
struct ApiKey {
  std::string id;  // public part of the token, e.g. "k7d2m4q9x1c5"
  std::string account;
  std::string name;
  std::vector<std::string> scopes;           // "mail.send", "mail.send:example.com"
  std::vector<std::string> sender_patterns;  // "*@example.com", "noreply@example.com"
  std::vector<std::string> allowed_ips;      // CIDR; empty = anywhere
  std::int64_t created_at = 0;
  std::optional<std::int64_t> expires_at;
  std::optional<std::int64_t> revoked_at;
  std::optional<std::string> replaced_by;  // set by rotation
  std::optional<std::int64_t> last_used_at;
  std::string last_used_ip;
};

// An API key as the verifier needs it.
struct ApiKeyRecord {
  ApiKey key;
  std::string secret_hash;  // hex SHA-256 of the secret part
};

// One line of the audit trail. kind: "auth", "admin" or "send".
struct AuditEvent {
  std::int64_t id = 0;
  std::int64_t at = 0;  // Unix seconds; 0 = now when written
  std::string kind;
  std::string event;     // "auth_ok", "auth_failed", "auth_lockout", "key_created", ...
  std::string identity;  // login address, "key:<id>", or the admin's Unix user
  std::string ip;
  std::string detail;  // mechanism, reason, queue id...; never a secret
};

// A bearer token for the admin API, as shown to people: never its secret.
struct AdminToken {
  std::string id;  // public part of the token ("hat_<id>_<secret>")
  std::string name;
  std::vector<std::string> scopes;       // admin:read, admin:write, account:NAME
  std::vector<std::string> allowed_ips;  // CIDR; empty = any address admin allow_ip lets in
  std::int64_t created_at = 0;
  std::string created_by;  // who created it (Unix user or token name)
  std::optional<std::int64_t> expires_at;
  std::optional<std::int64_t> revoked_at;
  std::optional<std::int64_t> last_used_at;
  std::string last_used_ip;
};

struct AdminTokenRecord {
  AdminToken token;
  std::string secret_hash;  // hex SHA-256 of the secret part
};

// One event in a message's life (SPEC §9). Recorded in batches off the
// I/O threads; "rejected" only counts toward the hourly statistics.
struct ActivityEvent {
  std::string id;          // "ev_<24 hex>": unique, for webhook receivers' idempotency
  std::string message_id;  // queue ID; empty for "rejected"
  std::int64_t at_ms = 0;  // Unix milliseconds
  // received, signed, delivered, deferred, bounced, expired, suppressed,
  // dsn_queued, rejected
  std::string type;
  std::string account;
  std::string recipient;  // per-recipient events
  std::string detail;     // a JSON object: remote host, TLS, reply, d=/s=...
  // "received" only: the message's summary.
  std::string sender;
  std::string identity;  // login address or "key:<id>"
  std::string client_ip;
  std::uint64_t size = 0;
  std::vector<std::string> recipients;
  // The event as webhooks send it (JSON); empty: no webhook gets it. The
  // store queues it, in the same transaction, for every enabled webhook of
  // the account (or a parent account) that asked for this type.
  std::string webhook_payload;
};

struct RecipientActivity {
  std::string address;
  std::string status;  // queued, deferred, delivered, bounced, expired, suppressed
  std::int64_t updated_at = 0;
};

struct MessageActivity {
  std::string id;
  std::int64_t received_at = 0;
  std::string account;
  std::string identity;
  std::string client_ip;
  std::string sender;
  std::uint64_t size = 0;
  // queued (nothing tried yet), deferred (some recipient waits for a
  // retry), delivered (all), bounced / expired / suppressed (none
  // delivered), partial (some delivered, some failed).
  std::string status;
  std::int64_t updated_at = 0;
  std::vector<RecipientActivity> recipients;
};

struct MessageTimeline {
  MessageActivity message;
  std::vector<ActivityEvent> events;  // oldest first
};

// A search; empty strings and zero times mean "any". Newest first.
struct MessageQuery {
  std::string to;       // a recipient (exact, any case)
  std::string from;     // the envelope sender (exact, any case)
  std::string account;  // exact
  std::string status;   // the message's or any recipient's
  std::int64_t since = 0;
  std::int64_t until = 0;
  // Only these accounts (a tenant's); empty: all.
  std::vector<std::string> accounts;
  // Continue after this (received_at, id), from the previous page.
  std::optional<std::pair<std::int64_t, std::string>> after;
  std::size_t limit = 100;
};

// One account's counters for one hour (Unix seconds of the hour's start).
struct HourlyStats {
  std::string account;
  std::int64_t hour = 0;
  std::int64_t accepted = 0;
  std::int64_t rejected = 0;
  std::int64_t delivered = 0;
  std::int64_t deferred = 0;
  std::int64_t bounced = 0;  // expired messages count here too
  std::int64_t suppressed = 0;
};

// An event webhook of an account (and its sub-accounts).
struct Webhook {
  std::string id;
  std::string account;
  std::string url;
  std::vector<std::string> events;  // delivered, deferred, bounced, expired, suppressed
  std::int64_t created_at = 0;
  std::string created_by;
  std::optional<std::int64_t> disabled_at;
  std::string disabled_reason;
  std::optional<std::int64_t> failing_since;  // first failure since the last success
  std::optional<std::int64_t> last_success_at;
  std::optional<std::int64_t> last_failure_at;
  std::string last_error;
  std::int64_t pending = 0;  // events waiting in the outbox
};

struct WebhookRecord {
  Webhook webhook;
  std::string sealed_secret;
};

// Events waiting for one webhook, oldest first.
struct OutboxItem {
  std::int64_t seq = 0;
  std::string event_id;
  std::string payload;
  std::int64_t created_at = 0;
  int attempts = 0;
};

struct WebhookBatch {
  WebhookRecord hook;
  std::vector<OutboxItem> items;
};

// A person who uses the admin API and web console. Role names: "owner",
// "admin", "account-admin" (one account and its sub-accounts), "viewer".
struct AdminUser {
  std::string name;
  std::string role;
  std::optional<std::string> account;    // account-admin only
  std::vector<std::string> allowed_ips;  // CIDR; empty = any address [admin] allow_ip lets in
  bool totp_enabled = false;             // enrolled and confirmed
  std::int64_t created_at = 0;
  std::string created_by;
  std::int64_t password_changed_at = 0;
  std::optional<std::int64_t> last_login_at;
  std::string last_login_ip;
};

struct AdminUserRecord {
  AdminUser user;
  std::string password_hash;                // Argon2id
  std::string totp_secret;                  // sealed; empty until enrolment
  std::vector<std::string> recovery_codes;  // hashes of the unused ones
};

// A sending domain: mail from it may be sent by its account (and the
// account's sub-accounts) and is signed with its DKIM keys.
struct Domain {
  std::string name;  // lower-case ASCII (A-labels for IDN)
  std::string account;
  std::int64_t created_at = 0;
};

// One DKIM key of a domain. The private key stays in key_file.
struct DkimKey {
  std::string domain;
  std::string selector;
  std::string algorithm;         // "rsa-sha256" or "ed25519-sha256"
  std::string key_file;          // path of the PEM private key (absolute)
  std::string public_txt;        // "v=DKIM1; k=...; p=..."
  std::string state = "active";  // "active", "retiring", "retired"
  std::int64_t created_at = 0;
  std::optional<std::int64_t> retired_at;
};

// An address that is not sent to: mail to it is refused at RCPT.
struct Suppression {
  std::string address;  // canonical form, see normalize_login_address()
  std::string reason;   // printable text, shown in the RCPT refusal
  std::string source;   // "bounce" (a hard bounce) or "manual" (an administrator)
  std::int64_t created_at = 0;
};

}  // namespace herald::store
