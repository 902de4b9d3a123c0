// store::Store — persistent accounts and SMTP logins in one SQLite file
// (WAL, so the CLI and a running server can share it). Owns schema and
// validation of names; must not hash passwords or decide who may log in.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "herald/base/result.hpp"
#include "herald/store/roles.hpp"
#include "herald/store/types.hpp"

namespace herald::store {

// Checks a domain name: ASCII letters, digits and hyphens in dot-separated
// labels of 1-63 octets, at least two labels, at most 253 octets; returns
// it lower-cased without a trailing dot.
base::Result<std::string> normalize_domain(std::string_view domain);

// Checks an account name: [a-z0-9][a-z0-9._-]{0,63}.
base::Result<void> validate_account_name(std::string_view name);

// Canonical form of a login address: "local@domain" with the domain
// lower-cased (ASCII). Lookups are also case-insensitive on the local part.
base::Result<std::string> normalize_login_address(std::string_view address);

// Thread-safe: one SQLite connection guarded by a mutex. Every call is a
// short indexed statement, so the lock is held for microseconds; callers
// still keep calls off I/O threads because SQLite may wait on the disk or
// on another process's lock (busy timeout 5 s).
// Nothing is cached: each call reads the file, so changes made by another
// process (the CLI) are visible to the next call.
class Store final : public ServerStore, public AdminStore {
 public:
  // Opens or creates the database and brings its schema up to date.
  static base::Result<Store> open(const std::string& path);

  Store(Store&&) noexcept;
  Store& operator=(Store&&) noexcept;
  ~Store();

  // Schema version this file is at (PRAGMA user_version).
  base::Result<int> schema_version();

  // The policy version: a number that changes whenever data the server
  // caches changes — accounts (and their limits), sending domains, DKIM
  // keys, the suppression list — by anyone (the CLI, another process, this
  // Store), and not when anything else is written (the audit trail, an API
  // key's last use). Two equal answers mean none of that changed in
  // between, so a cache of what was read after the first is still true.
  // The contract for every backend: a counter kept in the database itself
  // and moved in the same transaction as the change (here by triggers), so
  // it can never lag the data it versions. Never waits: nullopt when it
  // cannot tell right now (a lock held during recovery, an in-memory
  // database), which callers must treat as "changed". Cheap enough for an
  // I/O thread: a second connection checks SQLite's data_version (shared
  // memory) and reads the counter row only after a commit.
  std::optional<std::uint64_t> policy_version() override;

  base::Result<Account> add_account(std::string_view name,
                                    std::optional<std::string_view> parent = std::nullopt) override;
  base::Result<std::vector<Account>> list_accounts() override;
  // nullopt when there is no such account; an error only when the database fails.
  base::Result<std::optional<Account>> find_account(std::string_view name) override;
  // Refuses while logins, API keys, sending domains or sub-accounts still
  // belong to it. With force, deletes its logins, API keys, domains and
  // their DKIM key rows in the same transaction (still refusing while it
  // has sub-accounts, which it names).
  base::Result<AccountRemoval> remove_account(std::string_view name, bool force = false) override;

  // scram_keys: the SCRAM-SHA-256 salted keys of the same password (RFC
  // 5803 text), or empty when the login cannot use SCRAM. cram_secret: the
  // password sealed for CRAM-MD5, or empty (the default: no CRAM-MD5).
  base::Result<Login> add_login(std::string_view address, std::string_view account,
                                std::string_view password_hash, std::string_view scram_keys = {},
                                std::string_view cram_secret = {}) override;
  base::Result<std::vector<Login>> list_logins() override;
  // nullopt when there is no such login (or the address is not well-formed).
  base::Result<std::optional<LoginRecord>> find_login(std::string_view address) override;
  // Replaces every secret of the login: a CRAM-MD5 secret not given again
  // is cleared, so an old password cannot keep working through CRAM-MD5.
  base::Result<void> set_password_hash(std::string_view address, std::string_view password_hash,
                                       std::string_view scram_keys = {},
                                       std::string_view cram_secret = {}) override;
  base::Result<void> remove_login(std::string_view address) override;
  // Addresses of every login of an account (what a plain mail.send key
  // may send as until sending domains exist).
  base::Result<std::vector<std::string>> account_login_addresses(std::string_view account) override;

  // Rate limits (account_limits_store.cpp). set: only the fields given change.
  base::Result<void> set_account_limits(std::string_view account, const AccountLimits& limits,
                                        bool clear_messages = false,
                                        bool clear_recipients = false) override;
  // The account's own settings, as stored.
  base::Result<AccountLimits> account_limits(std::string_view account) override;
  // What applies: each field from the nearest account up the parent chain
  // that sets it; 0 (unlimited) where none does.
  base::Result<AccountLimits> effective_account_limits(std::string_view account) override;
  // account_domains() and effective_account_limits() in one read
  // transaction, with statements compiled once: the per-session lookup.
  base::Result<AccountPolicy> account_policy(std::string_view account) override;

  // Sending domains and DKIM keys (domain_store.cpp).
  base::Result<Domain> add_domain(std::string_view name, std::string_view account) override;
  base::Result<std::vector<Domain>> list_domains() override;
  base::Result<std::optional<Domain>> find_domain(std::string_view name) override;
  // Removes the domain and its key rows; the key files are the caller's.
  base::Result<void> remove_domain(std::string_view name) override;
  // The domains an account may send from: its own, or, when it has none,
  // its parent's (and so on up): a sub-account inherits unless it sets its own.
  base::Result<std::vector<std::string>> account_domains(std::string_view account);
  base::Result<void> add_dkim_key(const DkimKey& key) override;
  // Every key of a domain, oldest first, whatever its state.
  base::Result<std::vector<DkimKey>> list_dkim_keys(std::string_view domain) override;
  // Moves every key of the domain in state `from` to `to` (rotation and
  // retirement); returns how many moved.
  base::Result<int> set_dkim_key_states(std::string_view domain, std::string_view from,
                                        std::string_view to) override;

  // Suppression list (suppression_store.cpp). Adding an address already
  // listed updates its reason and source and keeps its date.
  base::Result<Suppression> add_suppression(std::string_view address, std::string_view reason,
                                            std::string_view source) override;
  base::Result<void> remove_suppression(std::string_view address) override;
  base::Result<std::vector<Suppression>> list_suppressions() override;
  // nullopt when not listed (or not a well-formed address); case-insensitive.
  base::Result<std::optional<Suppression>> find_suppression(std::string_view address) override;

  // Audit trail (audit_store.cpp). Several events go in one transaction.
  base::Result<void> add_audit(const std::vector<AuditEvent>& events) override;
  // Newest last; since/kind empty = all; at most `limit` (the newest ones).
  base::Result<std::vector<AuditEvent>> list_audit(std::int64_t since, std::string_view kind,
                                                   std::size_t limit) override;

  // API keys (api_key_store.cpp). key.account names the account.
  base::Result<ApiKey> add_api_key(const ApiKey& key, std::string_view secret_hash) override;
  base::Result<std::vector<ApiKey>> list_api_keys() override;
  base::Result<std::optional<ApiKeyRecord>> find_api_key(std::string_view id) override;
  base::Result<void> revoke_api_key(std::string_view id) override;
  // Rotation: the old key stops at `expires_at` and names its successor.
  base::Result<void> retire_api_key(std::string_view id, std::int64_t expires_at,
                                    std::string_view replaced_by) override;
  // Records a use; skips the write when the last one is recent and from the
  // same address, so a busy key does not cost a disk sync per connection.
  base::Result<void> touch_api_key(std::string_view id, std::string_view ip) override;

  // Admin API tokens (admin_token_store.cpp). Names are unique.
  base::Result<AdminToken> add_admin_token(const AdminToken& token,
                                           std::string_view secret_hash) override;
  base::Result<std::vector<AdminToken>> list_admin_tokens() override;
  base::Result<std::optional<AdminTokenRecord>> find_admin_token(std::string_view id) override;
  base::Result<void> revoke_admin_token(std::string_view id) override;
  // Like touch_api_key: at most one write a minute per token and address.
  base::Result<void> touch_admin_token(std::string_view id, std::string_view ip) override;

  // Message activity and hourly counters (activity_store.cpp).
  base::Result<void> record_activity(const std::vector<ActivityEvent>& events) override;
  base::Result<std::vector<MessageActivity>> search_messages(const MessageQuery& query) override;
  base::Result<std::optional<MessageTimeline>> find_message(std::string_view id) override;
  base::Result<std::vector<HourlyStats>> hourly_stats(const std::vector<std::string>& accounts,
                                                      std::int64_t since,
                                                      std::int64_t until) override;
  base::Result<std::int64_t> prune_activity(std::int64_t before,
                                            std::int64_t stats_before) override;

  // Event webhooks and their outbox (webhook_store.cpp).
  base::Result<Webhook> add_webhook(const Webhook& webhook,
                                    std::string_view sealed_secret) override;
  base::Result<std::vector<Webhook>> list_webhooks() override;
  base::Result<void> remove_webhook(std::string_view id) override;
  base::Result<std::optional<WebhookRecord>> find_webhook(std::string_view id) override;
  base::Result<std::vector<WebhookBatch>> due_webhook_batches(std::int64_t now,
                                                              std::size_t max_events) override;
  base::Result<void> webhook_delivered(std::string_view webhook,
                                       const std::vector<std::int64_t>& seqs,
                                       std::int64_t now) override;
  base::Result<void> webhook_failed(std::string_view webhook, const std::vector<std::int64_t>& seqs,
                                    std::int64_t next_attempt, std::int64_t now,
                                    std::string_view error) override;
  base::Result<std::vector<std::pair<std::string, std::int64_t>>> drop_stale_webhook_events(
      std::int64_t before) override;
  base::Result<void> disable_webhook(std::string_view webhook, std::int64_t now,
                                     std::string_view reason) override;

  // Admin users (admin_user_store.cpp). Names are unique; role and account
  // checks are the admin layer's.
  base::Result<AdminUser> add_admin_user(const AdminUser& user,
                                         std::string_view password_hash) override;
  base::Result<std::vector<AdminUser>> list_admin_users() override;
  base::Result<std::optional<AdminUserRecord>> find_admin_user(std::string_view name) override;
  base::Result<void> remove_admin_user(std::string_view name) override;
  base::Result<void> reset_admin_user_2fa(std::string_view name) override;

 private:
  struct Impl;
  explicit Store(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace herald::store
