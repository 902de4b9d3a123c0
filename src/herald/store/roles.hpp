// store roles — the narrow interfaces callers depend on instead of a
// backend: credentials (SMTP AUTH and the admin API), submission policy
// (what MAIL/RCPT and signing read, with the policy version), activity
// (the audit trail), and administration (every change an administrator
// makes). store::Store (SQLite) implements them all; another backend
// (PostgreSQL, for several nodes) implements the same and no caller
// changes. Pure interfaces: no state, no SQL.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "herald/base/result.hpp"
#include "herald/store/types.hpp"

namespace herald::store {

// Reading credentials and recording their use.
class CredentialStore {
 public:
  virtual ~CredentialStore() = default;
  virtual base::Result<std::optional<LoginRecord>> find_login(std::string_view address) = 0;
  virtual base::Result<std::optional<ApiKeyRecord>> find_api_key(std::string_view id) = 0;
  virtual base::Result<void> touch_api_key(std::string_view id, std::string_view ip) = 0;
  virtual base::Result<std::vector<std::string>> account_login_addresses(
      std::string_view account) = 0;
  virtual base::Result<std::optional<AdminTokenRecord>> find_admin_token(std::string_view id) = 0;
  virtual base::Result<void> touch_admin_token(std::string_view id, std::string_view ip) = 0;
  virtual base::Result<std::optional<AdminUserRecord>> find_admin_user(std::string_view name) = 0;
};

// What submission and delivery read (and the one thing delivery writes:
// hard bounces onto the suppression list). The policy version contract:
// a number kept in the store itself, moved in the same transaction as any
// change to accounts, limits, domains, DKIM keys or suppressions and by
// nothing else; nullopt when it cannot be read right now without waiting.
class PolicyStore {
 public:
  virtual ~PolicyStore() = default;
  virtual std::optional<std::uint64_t> policy_version() = 0;
  virtual base::Result<AccountPolicy> account_policy(std::string_view account) = 0;
  virtual base::Result<std::optional<Suppression>> find_suppression(std::string_view address) = 0;
  virtual base::Result<Suppression> add_suppression(std::string_view address,
                                                    std::string_view reason,
                                                    std::string_view source) = 0;
  virtual base::Result<std::vector<DkimKey>> list_dkim_keys(std::string_view domain) = 0;
};

// The audit trail.
class ActivityStore {
 public:
  virtual ~ActivityStore() = default;
  virtual base::Result<void> add_audit(const std::vector<AuditEvent>& events) = 0;
  virtual base::Result<std::vector<AuditEvent>> list_audit(std::int64_t since,
                                                           std::string_view kind,
                                                           std::size_t limit) = 0;
  // Message activity (SPEC §9): one transaction per batch: events, the
  // messages' and recipients' states, the hourly counters.
  virtual base::Result<void> record_activity(const std::vector<ActivityEvent>& events) = 0;
  virtual base::Result<std::vector<MessageActivity>> search_messages(const MessageQuery& query) = 0;
  virtual base::Result<std::optional<MessageTimeline>> find_message(std::string_view id) = 0;
  // Counters of hours in [since, until) (Unix seconds), of `accounts`
  // (empty: all), oldest first.
  virtual base::Result<std::vector<HourlyStats>> hourly_stats(
      const std::vector<std::string>& accounts, std::int64_t since, std::int64_t until) = 0;
  // Forgets messages received before `before` and their events, and
  // hourly counters older than `stats_before`; returns messages removed.
  virtual base::Result<std::int64_t> prune_activity(std::int64_t before,
                                                    std::int64_t stats_before) = 0;

  // The webhook outbox (the sender's side). Due batches: per enabled
  // webhook, up to `max_events` events whose next attempt is due.
  virtual base::Result<std::vector<WebhookBatch>> due_webhook_batches(std::int64_t now,
                                                                      std::size_t max_events) = 0;
  // Sent: the events leave the outbox; the webhook is healthy again.
  virtual base::Result<void> webhook_delivered(std::string_view webhook,
                                               const std::vector<std::int64_t>& seqs,
                                               std::int64_t now) = 0;
  // Not sent: each event is tried again at `next_attempt`; the webhook
  // records the error (and when its failures began).
  virtual base::Result<void> webhook_failed(std::string_view webhook,
                                            const std::vector<std::int64_t>& seqs,
                                            std::int64_t next_attempt, std::int64_t now,
                                            std::string_view error) = 0;
  // Drops events created before `before`; returns how many per webhook.
  virtual base::Result<std::vector<std::pair<std::string, std::int64_t>>> drop_stale_webhook_events(
      std::int64_t before) = 0;
  virtual base::Result<void> disable_webhook(std::string_view webhook, std::int64_t now,
                                             std::string_view reason) = 0;
  virtual base::Result<std::optional<WebhookRecord>> find_webhook(std::string_view id) = 0;
};

// What a running SMTP server needs.
class ServerStore : public virtual CredentialStore,
                    public virtual PolicyStore,
                    public virtual ActivityStore {};

// Every administrative change and listing (admin::Admin's backend).
class AdminStore : public virtual CredentialStore,
                   public virtual PolicyStore,
                   public virtual ActivityStore {
 public:
  virtual base::Result<Account> add_account(std::string_view name,
                                            std::optional<std::string_view> parent) = 0;
  virtual base::Result<std::vector<Account>> list_accounts() = 0;
  virtual base::Result<std::optional<Account>> find_account(std::string_view name) = 0;
  virtual base::Result<AccountRemoval> remove_account(std::string_view name, bool force) = 0;
  virtual base::Result<void> set_account_limits(std::string_view account,
                                                const AccountLimits& limits, bool clear_messages,
                                                bool clear_recipients) = 0;
  virtual base::Result<AccountLimits> account_limits(std::string_view account) = 0;
  virtual base::Result<AccountLimits> effective_account_limits(std::string_view account) = 0;

  virtual base::Result<Login> add_login(std::string_view address, std::string_view account,
                                        std::string_view password_hash, std::string_view scram_keys,
                                        std::string_view cram_secret) = 0;
  virtual base::Result<std::vector<Login>> list_logins() = 0;
  virtual base::Result<void> set_password_hash(std::string_view address,
                                               std::string_view password_hash,
                                               std::string_view scram_keys,
                                               std::string_view cram_secret) = 0;
  virtual base::Result<void> remove_login(std::string_view address) = 0;

  virtual base::Result<ApiKey> add_api_key(const ApiKey& key, std::string_view secret_hash) = 0;
  virtual base::Result<std::vector<ApiKey>> list_api_keys() = 0;
  virtual base::Result<void> revoke_api_key(std::string_view id) = 0;
  virtual base::Result<void> retire_api_key(std::string_view id, std::int64_t expires_at,
                                            std::string_view replaced_by) = 0;

  virtual base::Result<Domain> add_domain(std::string_view name, std::string_view account) = 0;
  virtual base::Result<std::vector<Domain>> list_domains() = 0;
  virtual base::Result<std::optional<Domain>> find_domain(std::string_view name) = 0;
  virtual base::Result<void> remove_domain(std::string_view name) = 0;
  virtual base::Result<void> add_dkim_key(const DkimKey& key) = 0;
  virtual base::Result<int> set_dkim_key_states(std::string_view domain, std::string_view from,
                                                std::string_view to) = 0;

  virtual base::Result<Webhook> add_webhook(const Webhook& webhook,
                                            std::string_view sealed_secret) = 0;
  virtual base::Result<std::vector<Webhook>> list_webhooks() = 0;
  // Removes it and whatever it still had to send.
  virtual base::Result<void> remove_webhook(std::string_view id) = 0;

  virtual base::Result<void> remove_suppression(std::string_view address) = 0;
  virtual base::Result<std::vector<Suppression>> list_suppressions() = 0;

  virtual base::Result<AdminToken> add_admin_token(const AdminToken& token,
                                                   std::string_view secret_hash) = 0;
  virtual base::Result<std::vector<AdminToken>> list_admin_tokens() = 0;
  virtual base::Result<void> revoke_admin_token(std::string_view id) = 0;

  virtual base::Result<AdminUser> add_admin_user(const AdminUser& user,
                                                 std::string_view password_hash) = 0;
  virtual base::Result<std::vector<AdminUser>> list_admin_users() = 0;
  virtual base::Result<void> remove_admin_user(std::string_view name) = 0;
  // Forgets the TOTP secret and the recovery codes: the user enrols again
  // at the next login.
  virtual base::Result<void> reset_admin_user_2fa(std::string_view name) = 0;
};

}  // namespace herald::store
