// store::migrate — schema versions and how to reach them.
// Each entry moves the schema from version N-1 to N; append only.

#include "herald/store/migrations.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>

#include <array>
#include <string>

namespace herald::store {
namespace {

struct Migration {
  int version;
  const char* sql;
};

// Timestamps are Unix seconds (INTEGER). Login addresses compare with
// NOCASE so "Bob@Example.com" and "bob@example.com" are one login.
constexpr std::array kMigrations{
    Migration{1, R"sql(
      CREATE TABLE accounts (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL UNIQUE,
        parent_id  INTEGER NULL REFERENCES accounts(id),
        created_at INTEGER NOT NULL
      );
      CREATE INDEX accounts_parent ON accounts(parent_id);
      CREATE TABLE logins (
        id            INTEGER PRIMARY KEY,
        address       TEXT NOT NULL COLLATE NOCASE UNIQUE,
        account_id    INTEGER NOT NULL REFERENCES accounts(id),
        password_hash TEXT NOT NULL,
        created_at    INTEGER NOT NULL,
        updated_at    INTEGER NOT NULL
      );
      CREATE INDEX logins_account ON logins(account_id);
    )sql"},
    // API keys: the secret is stored only as its SHA-256 (it carries 256
    // random bits, so a slow hash adds nothing). Lists are space-separated.
    Migration{2, R"sql(
      CREATE TABLE api_keys (
        id              TEXT PRIMARY KEY,
        account_id      INTEGER NOT NULL REFERENCES accounts(id),
        name            TEXT NOT NULL DEFAULT '',
        secret_hash     TEXT NOT NULL,
        scopes          TEXT NOT NULL,
        sender_patterns TEXT NOT NULL DEFAULT '',
        allowed_ips     TEXT NOT NULL DEFAULT '',
        created_at      INTEGER NOT NULL,
        expires_at      INTEGER NULL,
        revoked_at      INTEGER NULL,
        replaced_by     TEXT NULL,
        last_used_at    INTEGER NULL,
        last_used_ip    TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX api_keys_account ON api_keys(account_id);
    )sql"},
    // The audit trail: who did what, from where, when. Never a secret.
    Migration{3, R"sql(
      CREATE TABLE audit (
        id       INTEGER PRIMARY KEY,
        at       INTEGER NOT NULL,
        kind     TEXT NOT NULL,
        event    TEXT NOT NULL,
        identity TEXT NOT NULL DEFAULT '',
        ip       TEXT NOT NULL DEFAULT '',
        detail   TEXT NOT NULL DEFAULT ''
      );
      CREATE INDEX audit_at ON audit(at);
    )sql"},
    // SCRAM-SHA-256 salted keys (RFC 5803 text), set with the password.
    Migration{4, R"sql(
      ALTER TABLE logins ADD COLUMN scram_keys TEXT NOT NULL DEFAULT '';
    )sql"},
    // Sending domains and their DKIM keys. The private key lives in a file
    // under data_dir (mode 0600); the row holds its path and the public TXT
    // value. state: 'active' (signs), 'retiring' (published, no longer
    // signs), 'retired' (may be unpublished).
    Migration{5, R"sql(
      CREATE TABLE domains (
        id         INTEGER PRIMARY KEY,
        name       TEXT NOT NULL COLLATE NOCASE UNIQUE,
        account_id INTEGER NOT NULL REFERENCES accounts(id),
        created_at INTEGER NOT NULL
      );
      CREATE INDEX domains_account ON domains(account_id);
      CREATE TABLE dkim_keys (
        id         INTEGER PRIMARY KEY,
        domain_id  INTEGER NOT NULL REFERENCES domains(id),
        selector   TEXT NOT NULL COLLATE NOCASE,
        algorithm  TEXT NOT NULL,
        key_file   TEXT NOT NULL,
        public_txt TEXT NOT NULL,
        state      TEXT NOT NULL,
        created_at INTEGER NOT NULL,
        retired_at INTEGER NULL,
        UNIQUE (domain_id, selector)
      );
    )sql"},
    // The suppression list: addresses mail is not sent to. source is
    // 'bounce' (delivery saw a hard bounce) or 'manual'.
    Migration{6, R"sql(
      CREATE TABLE suppressions (
        address    TEXT NOT NULL COLLATE NOCASE PRIMARY KEY,
        reason     TEXT NOT NULL DEFAULT '',
        source     TEXT NOT NULL,
        created_at INTEGER NOT NULL
      );
    )sql"},
    // CRAM-MD5, opt-in per login: the password sealed with the key in
    // data_dir/cram.key (auth::CramKey); empty = the login cannot use it.
    Migration{7, R"sql(
      ALTER TABLE logins ADD COLUMN cram_secret TEXT NOT NULL DEFAULT '';
    )sql"},
    // Sending rate limits per account; NULL = as the parent account (none
    // at the top), 0 = unlimited.
    Migration{8, R"sql(
      ALTER TABLE accounts ADD COLUMN max_messages_per_hour INTEGER NULL;
      ALTER TABLE accounts ADD COLUMN max_recipients_per_hour INTEGER NULL;
    )sql"},
    // The policy version (Store::policy_version): moved by triggers in the
    // same transaction as any change to what the server caches, and by
    // nothing else (audit rows, API key use).
    Migration{9, R"sql(
      CREATE TABLE change_versions (
        name    TEXT PRIMARY KEY,
        version INTEGER NOT NULL
      );
      INSERT INTO change_versions(name, version) VALUES ('policy', 1);
      CREATE TRIGGER policy_accounts_insert AFTER INSERT ON accounts BEGIN
        UPDATE change_versions SET version = version + 1 WHERE name = 'policy'; END;
      CREATE TRIGGER policy_accounts_update AFTER UPDATE ON accounts BEGIN
        UPDATE change_versions SET version = version + 1 WHERE name = 'policy'; END;
      CREATE TRIGGER policy_accounts_delete AFTER DELETE ON accounts BEGIN
        UPDATE change_versions SET version = version + 1 WHERE name = 'policy'; END;
      CREATE TRIGGER policy_domains_insert AFTER INSERT ON domains BEGIN
        UPDATE change_versions SET version = version + 1 WHERE name = 'policy'; END;
      CREATE TRIGGER policy_domains_update AFTER UPDATE ON domains BEGIN
        UPDATE change_versions SET version = version + 1 WHERE name = 'policy'; END;
      CREATE TRIGGER policy_domains_delete AFTER DELETE ON domains BEGIN
        UPDATE change_versions SET version = version + 1 WHERE name = 'policy'; END;
      CREATE TRIGGER policy_dkim_keys_insert AFTER INSERT ON dkim_keys BEGIN
        UPDATE change_versions SET version = version + 1 WHERE name = 'policy'; END;
      CREATE TRIGGER policy_dkim_keys_update AFTER UPDATE ON dkim_keys BEGIN
        UPDATE change_versions SET version = version + 1 WHERE name = 'policy'; END;
      CREATE TRIGGER policy_dkim_keys_delete AFTER DELETE ON dkim_keys BEGIN
        UPDATE change_versions SET version = version + 1 WHERE name = 'policy'; END;
      CREATE TRIGGER policy_suppressions_insert AFTER INSERT ON suppressions BEGIN
        UPDATE change_versions SET version = version + 1 WHERE name = 'policy'; END;
      CREATE TRIGGER policy_suppressions_update AFTER UPDATE ON suppressions BEGIN
        UPDATE change_versions SET version = version + 1 WHERE name = 'policy'; END;
      CREATE TRIGGER policy_suppressions_delete AFTER DELETE ON suppressions BEGIN
        UPDATE change_versions SET version = version + 1 WHERE name = 'policy'; END;
    )sql"},
    // Admin API tokens ("hat_<id>_<secret>"): like API keys, the secret is
    // kept as its SHA-256 only. Scopes: admin:read, admin:write,
    // account:NAME; lists are space-separated.
    Migration{10, R"sql(
      CREATE TABLE admin_tokens (
        id           TEXT PRIMARY KEY,
        name         TEXT NOT NULL UNIQUE,
        secret_hash  TEXT NOT NULL,
        scopes       TEXT NOT NULL,
        allowed_ips  TEXT NOT NULL DEFAULT '',
        created_at   INTEGER NOT NULL,
        created_by   TEXT NOT NULL DEFAULT '',
        expires_at   INTEGER NULL,
        revoked_at   INTEGER NULL,
        last_used_at INTEGER NULL,
        last_used_ip TEXT NOT NULL DEFAULT ''
      );
    )sql"},
    // People who use the admin API and console. The account of an
    // account-admin is kept by name: removing the account leaves the user
    // with nothing to see rather than failing. TOTP secrets are sealed;
    // recovery codes are kept as hashes (space-separated).
    Migration{11, R"sql(
      CREATE TABLE admin_users (
        name                TEXT PRIMARY KEY,
        role                TEXT NOT NULL,
        account             TEXT NULL,
        allowed_ips         TEXT NOT NULL DEFAULT '',
        password_hash       TEXT NOT NULL,
        totp_secret         TEXT NOT NULL DEFAULT '',
        totp_enabled_at     INTEGER NULL,
        recovery_codes      TEXT NOT NULL DEFAULT '',
        created_at          INTEGER NOT NULL,
        created_by          TEXT NOT NULL DEFAULT '',
        password_changed_at INTEGER NOT NULL,
        last_login_at       INTEGER NULL,
        last_login_ip       TEXT NOT NULL DEFAULT ''
      );
    )sql"},
    // Message activity: a summary row per message and recipient (what
    // searches read), every event (the timeline), and hourly counters per
    // account. Pruned by received_at ([activity] retention).
    Migration{12, R"sql(
      CREATE TABLE messages (
        id          TEXT PRIMARY KEY,
        received_at INTEGER NOT NULL,
        account     TEXT NOT NULL,
        identity    TEXT NOT NULL DEFAULT '',
        client_ip   TEXT NOT NULL DEFAULT '',
        sender      TEXT NOT NULL DEFAULT '',
        size        INTEGER NOT NULL DEFAULT 0,
        status      TEXT NOT NULL,
        updated_at  INTEGER NOT NULL
      );
      CREATE INDEX messages_by_time ON messages(received_at);
      CREATE INDEX messages_by_account ON messages(account, received_at);
      CREATE INDEX messages_by_sender ON messages(sender COLLATE NOCASE, received_at);
      CREATE TABLE message_recipients (
        message_id TEXT NOT NULL,
        address    TEXT NOT NULL,
        status     TEXT NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (message_id, address)
      );
      CREATE INDEX message_recipients_by_address ON message_recipients(address COLLATE NOCASE);
      CREATE TABLE message_events (
        seq        INTEGER PRIMARY KEY,
        id         TEXT NOT NULL UNIQUE,
        message_id TEXT NOT NULL,
        at_ms      INTEGER NOT NULL,
        type       TEXT NOT NULL,
        recipient  TEXT NOT NULL DEFAULT '',
        detail     TEXT NOT NULL DEFAULT '{}'
      );
      CREATE INDEX message_events_by_message ON message_events(message_id, seq);
      CREATE INDEX message_events_by_time ON message_events(at_ms);
      CREATE TABLE hourly_stats (
        account    TEXT NOT NULL,
        hour       INTEGER NOT NULL,
        accepted   INTEGER NOT NULL DEFAULT 0,
        rejected   INTEGER NOT NULL DEFAULT 0,
        delivered  INTEGER NOT NULL DEFAULT 0,
        deferred   INTEGER NOT NULL DEFAULT 0,
        bounced    INTEGER NOT NULL DEFAULT 0,
        suppressed INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (account, hour)
      ) WITHOUT ROWID;
    )sql"},
    // Event webhooks and their durable outbox: one row per (webhook,
    // event), written in the transaction that records the event, deleted
    // when the receiver took it or it is more than a day old. The secret
    // is sealed (data_dir/cram.key).
    Migration{13, R"sql(
      CREATE TABLE webhooks (
        id              TEXT PRIMARY KEY,
        account         TEXT NOT NULL,
        url             TEXT NOT NULL,
        events          TEXT NOT NULL,
        secret          TEXT NOT NULL,
        created_at      INTEGER NOT NULL,
        created_by      TEXT NOT NULL DEFAULT '',
        disabled_at     INTEGER NULL,
        disabled_reason TEXT NOT NULL DEFAULT '',
        failing_since   INTEGER NULL,
        last_success_at INTEGER NULL,
        last_failure_at INTEGER NULL,
        last_error      TEXT NOT NULL DEFAULT ''
      );
      CREATE TABLE webhook_outbox (
        seq             INTEGER PRIMARY KEY,
        webhook_id      TEXT NOT NULL,
        event_id        TEXT NOT NULL,
        payload         TEXT NOT NULL,
        created_at      INTEGER NOT NULL,
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        UNIQUE (webhook_id, event_id)
      );
      CREATE INDEX webhook_outbox_due ON webhook_outbox(webhook_id, next_attempt_at);
    )sql"},
};

}  // namespace

int latest_schema_version() {
  return kMigrations.back().version;
}

base::Result<void> migrate(SQLite::Database& db) {
  try {
    // IMMEDIATE takes the write lock before reading user_version, so a
    // second process waits (busy timeout) and then sees the new version.
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    const int current = db.execAndGet("PRAGMA user_version").getInt();
    if (current > latest_schema_version()) {
      return base::make_error(
          fmt::format("database schema version {} is newer than this herald understands ({}); "
                      "upgrade herald or point it at another data file",
                      current, latest_schema_version()));
    }
    for (const Migration& m : kMigrations) {
      if (m.version <= current) continue;
      db.exec(m.sql);
      db.exec(fmt::format("PRAGMA user_version = {}", m.version));
    }
    tx.commit();
    return {};
  } catch (const SQLite::Exception& e) {
    return base::make_error(fmt::format("could not update the database schema: {}", e.what()));
  }
}

}  // namespace herald::store
