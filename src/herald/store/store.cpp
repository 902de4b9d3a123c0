// store::Store — SQLite implementation of accounts and logins.
// Every public call takes the connection mutex, runs short statements and
// turns SQLite exceptions into base::Error sentences.

#include "herald/store/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <mutex>
#include <system_error>

#include "herald/store/migrations.hpp"
#include "herald/store/store_impl.hpp"

namespace herald::store {
namespace {

constexpr std::size_t kMaxHashLength = 512;

bool is_name_char(char c, bool first) {
  if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) return true;
  return !first && (c == '.' || c == '_' || c == '-');
}

bool login_exists(SQLite::Database& db, const std::string& address) {
  SQLite::Statement q(db, "SELECT 1 FROM logins WHERE address = ?");
  q.bind(1, address);
  return q.executeStep();
}

base::Result<void> validate_hash(std::string_view hash) {
  if (hash.empty() || hash.size() > kMaxHashLength) {
    return base::make_error(base::ErrorKind::invalid,
                            "password hash is empty or too long; hash the password with herald");
  }
  return {};
}

// A sealed password (auth::CramKey): base64 of at most kMaxPasswordLength
// bytes plus nonce and MAC; anything longer is not one.
base::Result<void> validate_cram_secret(std::string_view secret) {
  if (secret.size() > 8192) {
    return base::make_error(base::ErrorKind::invalid,
                            "CRAM-MD5 secret is too long; seal the password with herald");
  }
  return {};
}

}  // namespace

base::Result<void> validate_account_name(std::string_view name) {
  bool ok = !name.empty() && name.size() <= 64;
  for (std::size_t i = 0; ok && i < name.size(); ++i) ok = is_name_char(name[i], i == 0);
  if (!ok) {
    return base::make_error(
        base::ErrorKind::invalid,
        fmt::format("account name '{}' is invalid: use 1-64 characters from a-z, 0-9, '.', "
                    "'_' and '-', starting with a letter or digit",
                    name));
  }
  return {};
}

base::Result<std::string> normalize_login_address(std::string_view address) {
  const auto at = address.rfind('@');
  auto bad = [&](std::string_view why) {
    return base::make_error(
        base::ErrorKind::invalid,
        fmt::format("login address '{}' is invalid: {}; use the form user@example.com", address,
                    why));
  };
  if (address.size() > 254) return bad("longer than 254 characters");
  if (at == std::string_view::npos) return bad("no '@'");
  if (at == 0 || at > 64) return bad("the part before '@' must be 1-64 characters");
  if (at + 1 == address.size()) return bad("nothing after '@'");
  for (unsigned char c : address) {
    if (c <= 0x20 || c == 0x7f) return bad("it contains spaces or control characters");
  }
  std::string out(address);
  for (std::size_t i = at + 1; i < out.size(); ++i) {
    if (out[i] >= 'A' && out[i] <= 'Z') out[i] = static_cast<char>(out[i] - 'A' + 'a');
  }
  return out;
}

Store::Store(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Store::Store(Store&&) noexcept = default;
Store& Store::operator=(Store&&) noexcept = default;
Store::~Store() = default;

base::Result<Store> Store::open(const std::string& path) {
  if (path.empty())
    return base::make_error("database path is empty; set [store] path in the config");
  std::error_code ec;
  const bool existed = std::filesystem::exists(path, ec);
  std::unique_ptr<Impl> impl;
  try {
    impl = std::make_unique<Impl>(path);
    impl->path = path;
    // The file holds password hashes: owner-only. SQLite gives the -wal and
    // -shm files the same mode as the main file.
    if (!existed) ::chmod(path.c_str(), 0600);
    // WAL lets the CLI write while the server reads, without either blocking
    // for long. synchronous=FULL: in WAL mode NORMAL may lose the last
    // commits on power loss, and a lost password change or login removal is
    // a security problem; these writes are rare admin actions, so the extra
    // fsync per commit costs nothing that matters.
    const std::string mode = impl->db.execAndGet("PRAGMA journal_mode = WAL").getString();
    if (mode != "wal" && mode != "memory") {
      return base::make_error(fmt::format(
          "could not switch '{}' to WAL mode (got '{}'); put the database on a local filesystem",
          path, mode));
    }
    impl->db.exec("PRAGMA synchronous = FULL");
    impl->db.exec("PRAGMA foreign_keys = ON");
  } catch (const SQLite::Exception& e) {
    return base::make_error(fmt::format(
        "could not open database '{}': {}; check the path and its permissions", path, e.what()));
  }
  if (auto m = migrate(impl->db); !m) return m.error();
  return Store(std::move(impl));
}

std::optional<std::uint64_t> Store::policy_version() {
  std::lock_guard lock(impl_->probe_mu);
  if (impl_->probe_failed) return std::nullopt;
  auto& p = *impl_;
  try {
    if (!p.probe) {
      if (p.path.empty() || p.path == ":memory:") {
        p.probe_failed = true;
        return std::nullopt;
      }
      // Busy timeout 0: an I/O thread asks this, so it must never wait.
      p.probe = std::make_unique<SQLite::Database>(p.path, SQLite::OPEN_READWRITE, 0);
      p.probe_data_version = std::make_unique<SQLite::Statement>(*p.probe, "PRAGMA data_version");
      p.probe_policy_version = std::make_unique<SQLite::Statement>(
          *p.probe, "SELECT version FROM change_versions WHERE name = 'policy'");
    }
    // data_version counts commits of *other* connections; the probe never
    // writes, so that is every commit, including this Store's own. Only
    // after one is the counter row worth reading.
    SQLite::Statement& dv = *p.probe_data_version;
    dv.tryReset();
    if (!dv.executeStep()) return std::nullopt;
    const std::int64_t data_version = dv.getColumn(0).getInt64();
    dv.tryReset();
    if (p.last_data_version == data_version) return p.last_policy_version;
    SQLite::Statement& pv = *p.probe_policy_version;
    pv.tryReset();
    if (!pv.executeStep()) return std::nullopt;
    const auto version = static_cast<std::uint64_t>(pv.getColumn(0).getInt64());
    pv.tryReset();
    p.last_data_version = data_version;
    p.last_policy_version = version;
    return version;
  } catch (const SQLite::Exception&) {
    // SQLITE_BUSY and the like: cannot tell now; the caller reads the store.
    if (p.probe_data_version) p.probe_data_version->tryReset();
    if (p.probe_policy_version) p.probe_policy_version->tryReset();
    return std::nullopt;
  }
}

base::Result<int> Store::schema_version() {
  return impl_->run("reading the schema version", [&]() -> base::Result<int> {
    return impl_->db.execAndGet("PRAGMA user_version").getInt();
  });
}

base::Result<Account> Store::add_account(std::string_view name,
                                         std::optional<std::string_view> parent) {
  if (auto v = validate_account_name(name); !v) return v.error();
  if (parent) {
    if (auto v = validate_account_name(*parent); !v) return v.error();
  }
  return impl_->run("adding an account", [&]() -> base::Result<Account> {
    auto& db = impl_->db;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    Account a;
    a.name = std::string(name);
    if (account_id(db, a.name)) {
      return base::make_error(base::ErrorKind::conflict,
                              fmt::format("account '{}' already exists", name));
    }
    std::optional<std::int64_t> parent_id;
    if (parent) {
      parent_id = account_id(db, std::string(*parent));
      if (!parent_id) {
        return base::make_error(base::ErrorKind::not_found,
                                fmt::format("parent account '{0}' does not exist; create it first "
                                            "with 'herald account add {0}'",
                                            *parent));
      }
      a.parent = std::string(*parent);
    }
    a.created_at = unix_now();
    SQLite::Statement ins(db, "INSERT INTO accounts(name, parent_id, created_at) VALUES(?, ?, ?)");
    ins.bind(1, a.name);
    if (parent_id) {
      ins.bind(2, *parent_id);
    } else {
      ins.bind(2);  // NULL
    }
    ins.bind(3, a.created_at);
    ins.exec();
    a.id = db.getLastInsertRowid();
    tx.commit();
    return a;
  });
}

base::Result<std::vector<Account>> Store::list_accounts() {
  return impl_->run("listing accounts", [&]() -> base::Result<std::vector<Account>> {
    SQLite::Statement q(impl_->db,
                        "SELECT a.id, a.name, p.name, a.created_at FROM accounts a "
                        "LEFT JOIN accounts p ON p.id = a.parent_id ORDER BY a.name");
    std::vector<Account> out;
    while (q.executeStep()) {
      Account a;
      a.id = q.getColumn(0).getInt64();
      a.name = q.getColumn(1).getString();
      if (!q.getColumn(2).isNull()) a.parent = q.getColumn(2).getString();
      a.created_at = q.getColumn(3).getInt64();
      out.push_back(std::move(a));
    }
    return out;
  });
}

base::Result<std::optional<Account>> Store::find_account(std::string_view name) {
  return impl_->run("looking up an account", [&]() -> base::Result<std::optional<Account>> {
    SQLite::Statement q(impl_->db,
                        "SELECT a.id, a.name, p.name, a.created_at FROM accounts a "
                        "LEFT JOIN accounts p ON p.id = a.parent_id WHERE a.name = ?");
    q.bind(1, std::string(name));
    if (!q.executeStep()) return std::optional<Account>();
    Account a;
    a.id = q.getColumn(0).getInt64();
    a.name = q.getColumn(1).getString();
    if (!q.getColumn(2).isNull()) a.parent = q.getColumn(2).getString();
    a.created_at = q.getColumn(3).getInt64();
    return std::optional<Account>(std::move(a));
  });
}

base::Result<AccountRemoval> Store::remove_account(std::string_view name, bool force) {
  return impl_->run("removing an account", [&]() -> base::Result<AccountRemoval> {
    auto& db = impl_->db;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    const auto id = account_id(db, std::string(name));
    if (!id) {
      return base::make_error(
          base::ErrorKind::not_found,
          fmt::format("account '{}' does not exist; see 'herald account list'", name));
    }
    // Sub-accounts are mail streams with their own logins and keys: never
    // removed as a side effect, even with --force.
    SQLite::Statement children(db, "SELECT name FROM accounts WHERE parent_id = ? ORDER BY name");
    children.bind(1, *id);
    std::string child_names;
    int child_count = 0;
    while (children.executeStep()) {
      child_names += (child_count++ == 0 ? "" : ", ") + children.getColumn(0).getString();
    }
    if (child_count > 0) {
      return base::make_error(base::ErrorKind::conflict,
                              fmt::format("account '{}' still has {} sub-account(s) ({}); remove "
                                          "them first with 'herald account "
                                          "remove'",
                                          name, child_count, child_names));
    }
    auto count = [&](const char* sql) {
      SQLite::Statement q(db, sql);
      q.bind(1, *id);
      q.executeStep();
      return q.getColumn(0).getInt();
    };
    AccountRemoval removed;
    removed.logins = count("SELECT COUNT(*) FROM logins WHERE account_id = ?");
    removed.api_keys = count("SELECT COUNT(*) FROM api_keys WHERE account_id = ?");
    removed.domains = count("SELECT COUNT(*) FROM domains WHERE account_id = ?");
    if (!force) {
      if (removed.logins > 0) {
        return base::make_error(base::ErrorKind::conflict,
                                fmt::format("account '{}' still has {} login(s); remove them first "
                                            "with 'herald user remove', or "
                                            "add --force to remove them with the account",
                                            name, removed.logins));
      }
      if (removed.api_keys > 0) {
        return base::make_error(base::ErrorKind::conflict,
                                fmt::format("account '{}' still has {} API key(s) (revoked ones "
                                            "included), kept for the record; "
                                            "add --force to delete them with the account",
                                            name, removed.api_keys));
      }
      if (removed.domains > 0) {
        return base::make_error(
            base::ErrorKind::conflict,
            fmt::format(
                "account '{}' still has {} sending domain(s); remove them first with 'herald "
                "domain "
                "remove', or add --force to remove them and their DKIM keys with the account",
                name, removed.domains));
      }
    }
    SQLite::Statement files(db,
                            "SELECT k.key_file FROM dkim_keys k JOIN domains d ON d.id = "
                            "k.domain_id WHERE d.account_id = ? ORDER BY k.id");
    files.bind(1, *id);
    while (files.executeStep()) removed.dkim_key_files.push_back(files.getColumn(0).getString());
    for (const char* sql : {
             "DELETE FROM dkim_keys WHERE domain_id IN (SELECT id FROM domains WHERE account_id = "
             "?)",
             "DELETE FROM domains WHERE account_id = ?",
             "DELETE FROM api_keys WHERE account_id = ?",
             "DELETE FROM logins WHERE account_id = ?",
             "DELETE FROM accounts WHERE id = ?",
         }) {
      SQLite::Statement del(db, sql);
      del.bind(1, *id);
      del.exec();
    }
    tx.commit();
    return removed;
  });
}

base::Result<Login> Store::add_login(std::string_view address, std::string_view account,
                                     std::string_view password_hash, std::string_view scram_keys,
                                     std::string_view cram_secret) {
  auto canonical = normalize_login_address(address);
  if (!canonical) return canonical.error();
  if (auto v = validate_hash(password_hash); !v) return v.error();
  if (auto v = validate_cram_secret(cram_secret); !v) return v.error();
  return impl_->run("adding a login", [&]() -> base::Result<Login> {
    auto& db = impl_->db;
    SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
    const auto acct = account_id(db, std::string(account));
    if (!acct) {
      return base::make_error(
          base::ErrorKind::not_found,
          fmt::format("account '{0}' does not exist; create it first with 'herald account add {0}'",
                      account));
    }
    if (login_exists(db, *canonical)) {
      return base::make_error(
          base::ErrorKind::conflict,
          fmt::format("login '{}' already exists; use 'herald user passwd' to change its password",
                      *canonical));
    }
    Login l;
    l.address = *canonical;
    l.account = std::string(account);
    l.created_at = l.updated_at = unix_now();
    SQLite::Statement ins(db,
                          "INSERT INTO logins(address, account_id, password_hash, created_at, "
                          "updated_at, scram_keys, cram_secret) VALUES(?, ?, ?, ?, ?, ?, ?)");
    ins.bind(1, l.address);
    ins.bind(2, *acct);
    ins.bind(3, std::string(password_hash));
    ins.bind(4, l.created_at);
    ins.bind(5, l.updated_at);
    ins.bind(6, std::string(scram_keys));
    ins.bind(7, std::string(cram_secret));
    ins.exec();
    l.id = db.getLastInsertRowid();
    l.cram_md5 = !cram_secret.empty();
    tx.commit();
    return l;
  });
}

base::Result<std::vector<Login>> Store::list_logins() {
  return impl_->run("listing logins", [&]() -> base::Result<std::vector<Login>> {
    SQLite::Statement q(impl_->db,
                        "SELECT l.id, l.address, a.name, l.created_at, l.updated_at, "
                        "l.cram_secret != '' FROM logins l "
                        "JOIN accounts a ON a.id = l.account_id ORDER BY l.address");
    std::vector<Login> out;
    while (q.executeStep()) {
      Login l;
      l.id = q.getColumn(0).getInt64();
      l.address = q.getColumn(1).getString();
      l.account = q.getColumn(2).getString();
      l.created_at = q.getColumn(3).getInt64();
      l.updated_at = q.getColumn(4).getInt64();
      l.cram_md5 = q.getColumn(5).getInt() != 0;
      out.push_back(std::move(l));
    }
    return out;
  });
}

base::Result<std::optional<LoginRecord>> Store::find_login(std::string_view address) {
  auto canonical = normalize_login_address(address);
  // A malformed name cannot be a login; the caller treats it like any unknown one.
  if (!canonical) return std::optional<LoginRecord>();
  return impl_->run("looking up a login", [&]() -> base::Result<std::optional<LoginRecord>> {
    auto q = impl_->statements.get(
        "SELECT l.id, l.address, a.name, l.password_hash, l.scram_keys, l.cram_secret "
        "FROM logins l "
        "JOIN accounts a ON a.id = l.account_id WHERE l.address = ?");
    q->bind(1, *canonical);
    if (!q->executeStep()) return std::optional<LoginRecord>();
    LoginRecord r;
    r.id = q->getColumn(0).getInt64();
    r.address = q->getColumn(1).getString();
    r.account = q->getColumn(2).getString();
    r.password_hash = q->getColumn(3).getString();
    r.scram_keys = q->getColumn(4).getString();
    r.cram_secret = q->getColumn(5).getString();
    return std::optional<LoginRecord>(std::move(r));
  });
}

base::Result<void> Store::set_password_hash(std::string_view address,
                                            std::string_view password_hash,
                                            std::string_view scram_keys,
                                            std::string_view cram_secret) {
  if (auto v = validate_hash(password_hash); !v) return v.error();
  if (auto v = validate_cram_secret(cram_secret); !v) return v.error();
  auto canonical = normalize_login_address(address);
  if (!canonical) return canonical.error();
  return impl_->run("changing a password", [&]() -> base::Result<void> {
    SQLite::Statement up(impl_->db,
                         "UPDATE logins SET password_hash = ?, updated_at = ?, scram_keys = ?, "
                         "cram_secret = ? WHERE address = ?");
    up.bind(1, std::string(password_hash));
    up.bind(2, unix_now());
    up.bind(3, std::string(scram_keys));
    up.bind(4, std::string(cram_secret));
    up.bind(5, *canonical);
    if (up.exec() == 0) {
      return base::make_error(
          base::ErrorKind::not_found,
          fmt::format("login '{}' does not exist; see 'herald user list'", *canonical));
    }
    return {};
  });
}

base::Result<void> Store::remove_login(std::string_view address) {
  auto canonical = normalize_login_address(address);
  if (!canonical) return canonical.error();
  return impl_->run("removing a login", [&]() -> base::Result<void> {
    SQLite::Statement del(impl_->db, "DELETE FROM logins WHERE address = ?");
    del.bind(1, *canonical);
    if (del.exec() == 0) {
      return base::make_error(
          base::ErrorKind::not_found,
          fmt::format("login '{}' does not exist; see 'herald user list'", *canonical));
    }
    return {};
  });
}

}  // namespace herald::store
