// admin::Admin — every administrative operation as a typed function: who
// asks (Actor), what (typed input), a typed result or a typed error
// (base::ErrorKind: invalid, not_found, conflict, forbidden, unavailable).
// The CLI and the HTTP API are thin callers of this one set, so they cannot
// disagree; every change is written to the audit trail with its actor.
// Blocking (store, Argon2id): call it off any I/O thread. It must not print,
// parse command lines or speak HTTP.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "herald/admin/actor.hpp"
#include "herald/base/result.hpp"
#include "herald/config/config.hpp"
#include "herald/dkim/domain_records.hpp"
#include "herald/dns/resolver.hpp"
#include "herald/spool/spool.hpp"
#include "herald/store/store.hpp"

namespace herald::admin {

template <class T>
using Result = base::Result<T>;

struct AccountInput {
  std::string name;
  std::optional<std::string> parent;
};

// One limit in a change: absent = unchanged, inherit = as the parent,
// a number = that many per hour (0 = unlimited).
struct LimitChange {
  bool given = false;
  bool inherit = false;
  std::int64_t value = 0;
};

struct AccountLimitsView {
  std::string account;
  store::AccountLimits own;        // as set on the account (nullopt: inherited)
  store::AccountLimits effective;  // what applies
};

struct LoginInput {
  std::string address;
  std::string account;
  std::string password;  // wiped once hashed
  bool cram_md5 = false;
};

struct PasswordChange {
  bool cram_md5 = false;
  bool had_cram_md5 = false;  // filled in by the operation
};

struct KeyInput {
  std::string account;
  std::string name;
  std::vector<std::string> scopes;  // empty: mail.send
  std::vector<std::string> from;
  std::vector<std::string> allow_ip;
  std::optional<std::int64_t> expires_in;  // seconds from now
};

// A key (or admin token) with its secret, shown once.
struct CreatedKey {
  store::ApiKey key;
  std::string token;
  std::optional<std::string> replaces;  // rotation: the old key's id
};

struct DomainInput {
  std::string name;  // U-labels are converted to A-labels
  std::string account;
  std::string selector;                 // empty: "herald" + YYYYMM
  std::vector<std::string> algorithms;  // "rsa2048", "ed25519"; empty: both
};

// A sending domain with its DKIM keys (oldest first, any state).
struct DomainView {
  store::Domain domain;
  std::vector<store::DkimKey> keys;
};

// The records a domain publishes, as `herald domain dns` prints them.
struct DomainRecords {
  dkim::DomainRecordInput input;
  std::vector<dkim::ExpectedRecord> records;
  std::string mta_sts_policy;
};

// One record looked up in DNS and judged.
struct RecordVerdict {
  dkim::ExpectedRecord expected;
  std::string status;  // "ok", "missing", "wrong", "unknown" (the lookup failed)
  std::vector<std::string> found;
  std::string found_text;  // what was found, joined, for people
  std::string advice;      // what to do; empty when ok
};

struct DomainCheck {
  std::string domain;
  std::vector<RecordVerdict> records;
  int problems = 0;  // required records that are not ok
};

// A DKIM rotation: the keys made (rotate) or retired (retire).
struct DkimChange {
  std::string domain;
  std::vector<store::DkimKey> keys;
  bool retired = false;
};

struct SuppressionChange {
  store::Suppression row;
  bool updated = false;  // the address was listed already
};

struct AuditQuery {
  std::int64_t since = 0;  // Unix seconds; 0 = all
  std::string kind;        // auth, admin, send; empty = all
  std::size_t limit = 1000;
};

struct AdminTokenInput {
  std::string name;
  std::vector<std::string> scopes;
  std::vector<std::string> allow_ip;
  std::optional<std::int64_t> expires_in;  // seconds from now
};

// A message search as asked (CLI flags, API query); times are Unix
// seconds (see parse_time_bound), 0 = unbounded.
struct MessageSearch {
  std::string to, from, account, status;
  std::int64_t since = 0, until = 0;
  std::optional<std::pair<std::int64_t, std::string>> after;  // from the previous page
  std::size_t limit = 100;                                    // 1..1000
};

struct StatsQuery {
  std::string account;     // empty: every account the actor sees
  std::int64_t since = 0;  // 0: 24 hours ago
  std::int64_t until = 0;  // 0: now
};

struct StatsView {
  std::int64_t since = 0, until = 0;  // whole hours
  std::vector<store::HourlyStats> hours;
  store::HourlyStats totals;  // account "" (all in `hours`)
};

struct WebhookInput {
  std::string account;
  std::string url;
  std::vector<std::string>
      events;  // empty: all (delivered, deferred, bounced, expired, suppressed)
};

struct CreatedWebhook {
  store::Webhook webhook;
  std::string secret;  // "whsec_...", shown once: the receiver's signing key
};

// What a test POST got back.
struct WebhookTest {
  std::string webhook;
  std::string outcome;  // events::outcome_name
  long status = 0;
  std::string detail;
};

struct AdminUserInput {
  std::string name;
  std::string role;                    // owner, admin, account-admin, viewer
  std::optional<std::string> account;  // account-admin only (required there)
  std::vector<std::string> allow_ip;   // CIDR; empty = any address [admin] allow_ip admits
  std::string password;                // wiped once hashed
};

struct CreatedAdminToken {
  store::AdminToken token;
  std::string secret;  // "hat_<id>_<secret>", shown once
};

class Admin {
 public:
  Admin(store::AdminStore& store, const config::Config& config);

  // Accounts and sub-accounts.
  Result<std::vector<store::Account>> list_accounts(const Actor& actor);
  Result<store::Account> get_account(const Actor& actor, std::string_view name);
  Result<store::Account> add_account(const Actor& actor, const AccountInput& input);
  Result<store::AccountRemoval> remove_account(const Actor& actor, std::string_view name,
                                               bool force);
  Result<AccountLimitsView> account_limits(const Actor& actor, std::string_view name);
  Result<AccountLimitsView> set_account_limits(const Actor& actor, std::string_view name,
                                               const LimitChange& messages,
                                               const LimitChange& recipients);

  // SMTP logins.
  Result<std::vector<store::Login>> list_logins(const Actor& actor);
  Result<store::Login> add_login(const Actor& actor, LoginInput input);
  Result<void> set_password(const Actor& actor, std::string_view address, std::string password,
                            PasswordChange& change);
  Result<void> remove_login(const Actor& actor, std::string_view address);

  // API keys.
  Result<std::vector<store::ApiKey>> list_keys(const Actor& actor);
  Result<store::ApiKey> get_key(const Actor& actor, std::string_view id);
  Result<CreatedKey> create_key(const Actor& actor, const KeyInput& input);
  Result<void> revoke_key(const Actor& actor, std::string_view id);
  Result<CreatedKey> rotate_key(const Actor& actor, std::string_view id,
                                std::int64_t overlap_seconds);

  // Sending domains and their DKIM keys. add generates the key pairs
  // (private keys 0600 under data_dir/dkim/DOMAIN/); remove deletes them;
  // verify looks the records up through the resolver given to
  // set_resolver (unavailable without one).
  Result<std::vector<DomainView>> list_domains(const Actor& actor);
  Result<DomainView> get_domain(const Actor& actor, std::string_view name);
  Result<DomainView> add_domain(const Actor& actor, const DomainInput& input);
  Result<void> remove_domain(const Actor& actor, std::string_view name);
  Result<DomainRecords> domain_records(const Actor& actor, std::string_view name);
  Result<DomainCheck> verify_domain(const Actor& actor, std::string_view name);
  // New keys (same algorithms as the active ones) that sign from now on;
  // the active ones become "retiring" and stay published.
  Result<DkimChange> rotate_dkim(const Actor& actor, std::string_view name,
                                 std::string_view selector);
  // Ends a rotation: retiring keys become retired and their files go.
  Result<DkimChange> retire_dkim(const Actor& actor, std::string_view name);
  // The resolver verify_domain uses (kept by the caller); thread-safe.
  void set_resolver(dns::Resolver* resolver) { resolver_ = resolver; }

  // Message activity (tenants: their accounts' messages only) and hourly
  // counters.
  Result<std::vector<store::MessageActivity>> search_messages(const Actor& actor,
                                                              const MessageSearch& search);
  Result<store::MessageTimeline> get_message(const Actor& actor, std::string_view id);
  Result<StatsView> stats(const Actor& actor, const StatsQuery& query);

  // Event webhooks of an account (its sub-accounts' events included).
  // The URL must be https and reach a public address unless [webhooks]
  // allow_private; test POSTs one signed "test" event now and says what
  // the receiver answered.
  Result<std::vector<store::Webhook>> list_webhooks(const Actor& actor);
  Result<CreatedWebhook> add_webhook(const Actor& actor, const WebhookInput& input);
  Result<void> remove_webhook(const Actor& actor, std::string_view id);
  Result<WebhookTest> test_webhook(const Actor& actor, std::string_view id);

  // The suppression list (global: tenants may not change it).
  Result<std::vector<store::Suppression>> list_suppressions(const Actor& actor);
  Result<SuppressionChange> add_suppression(const Actor& actor, std::string_view address,
                                            std::string_view reason);
  Result<void> remove_suppression(const Actor& actor, std::string_view address);

  // The audit trail (global readers only).
  Result<std::vector<store::AuditEvent>> list_audit(const Actor& actor, const AuditQuery& query);

  // The queue, through a read-only view of the spool beside the running
  // server (tenants: their accounts' messages only). retry asks the running
  // server to try now; delete removes a message for good.
  Result<std::vector<spool::QueueEntry>> list_queue(const Actor& actor);
  Result<spool::QueueEntry> get_queued(const Actor& actor, std::string_view id);
  Result<void> retry_queued(const Actor& actor, std::string_view id);
  Result<void> delete_queued(const Actor& actor, std::string_view id);

  // Admin API tokens (admin:write only; never tenants).
  Result<std::vector<store::AdminToken>> list_admin_tokens(const Actor& actor);
  Result<CreatedAdminToken> create_admin_token(const Actor& actor, const AdminTokenInput& input);
  Result<void> revoke_admin_token(const Actor& actor, std::string_view id);

  // Admin users: people who use the API and console. Global writers
  // manage them, but only an owner (the local CLI, or a user with the
  // owner role) may add, remove or reset an owner, and the last owner
  // cannot be removed.
  Result<std::vector<store::AdminUser>> list_admin_users(const Actor& actor);
  Result<store::AdminUser> add_admin_user(const Actor& actor, AdminUserInput input);
  Result<void> remove_admin_user(const Actor& actor, std::string_view name);
  Result<void> reset_admin_user_2fa(const Actor& actor, std::string_view name);

  // The SMTP user name that goes with API keys ([auth] api_key_username).
  const std::string& api_key_username() const { return config_.auth.api_key_username; }

 private:
  Result<AccountTree> tree();
  // forbidden unless the actor may read / change `account`.
  Result<void> check_read(const Actor& actor, const AccountTree& tree, std::string_view account);
  Result<void> check_write(const Actor& actor, const AccountTree& tree, std::string_view account);
  // The actor may create something (a key, a domain) for `account`. An
  // unknown account is not_found for tenants (they learn nothing about
  // others); global writers go on, and the store names what is missing.
  Result<void> check_create_for(const Actor& actor, std::string_view account);
  Result<void> check_global_read(const Actor& actor, std::string_view what);
  Result<void> check_global_write(const Actor& actor, std::string_view what);
  // The spool view, once the actor may change queued message `id`.
  Result<std::unique_ptr<spool::Spool>> queue_for_change(const Actor& actor, std::string_view id);
  // The domain, once the actor may read (or change) its account; unknown
  // and not the actor's look alike.
  Result<DomainView> domain_for(const Actor& actor, std::string_view name, bool change);
  // The accounts a tenant sees (its own and their sub-accounts); nullopt
  // for a global reader (everything).
  Result<std::optional<std::vector<std::string>>> visible_accounts(const Actor& actor);
  // The user, once the actor may change it (owners only by owners).
  Result<store::AdminUser> admin_user_for_change(const Actor& actor, std::string_view name);
  // Written after the change succeeded; a failure to write is logged, not
  // fatal (the change is done).
  void audit(const Actor& actor, const std::string& event, const std::string& detail);

  store::AdminStore& store_;
  const config::Config& config_;
  dns::Resolver* resolver_ = nullptr;
};

// A time bound as people write it: a duration back from `now` ("24h",
// "7d") or an RFC 3339 UTC time ("2026-12-03T17:00:00Z", or a date
// "2026-12-03" for its midnight). Unix seconds, or invalid.
Result<std::int64_t> parse_time_bound(std::string_view text, std::int64_t now);

// A domain as stored: IDN U-labels converted to A-labels, lower case, no
// trailing dot; invalid otherwise.
Result<std::string> ascii_domain(std::string_view domain);

// Seconds since the Unix epoch, now.
std::int64_t unix_now();

}  // namespace herald::admin
