// store::Store — the API key table: create, list, find, revoke, retire
// (rotation) and last-use. Validation of scopes, patterns and CIDRs is the
// caller's (cli/auth); this file only stores what it is given.
#include "herald/store/store.hpp"
#include "herald/store/store_impl.hpp"

namespace herald::store {
namespace {

constexpr const char* kSelect =
    "SELECT k.id, a.name, k.name, k.scopes, k.sender_patterns, k.allowed_ips, k.created_at, "
    "k.expires_at, k.revoked_at, k.replaced_by, k.last_used_at, k.last_used_ip, k.secret_hash "
    "FROM api_keys k JOIN accounts a ON a.id = k.account_id";

ApiKeyRecord read_row(SQLite::Statement& q) {
  ApiKeyRecord r;
  r.key.id = q.getColumn(0).getString();
  r.key.account = q.getColumn(1).getString();
  r.key.name = q.getColumn(2).getString();
  r.key.scopes = split_words(q.getColumn(3).getString());
  r.key.sender_patterns = split_words(q.getColumn(4).getString());
  r.key.allowed_ips = split_words(q.getColumn(5).getString());
  r.key.created_at = q.getColumn(6).getInt64();
  r.key.expires_at = optional_int(q.getColumn(7));
  r.key.revoked_at = optional_int(q.getColumn(8));
  if (!q.getColumn(9).isNull()) r.key.replaced_by = q.getColumn(9).getString();
  r.key.last_used_at = optional_int(q.getColumn(10));
  r.key.last_used_ip = q.getColumn(11).getString();
  r.secret_hash = q.getColumn(12).getString();
  return r;
}

base::Error no_such_key(std::string_view id) {
  return base::make_error(base::ErrorKind::not_found,
                          fmt::format("no API key '{}'; see 'herald key list'", id));
}

}  // namespace

base::Result<ApiKey> Store::add_api_key(const ApiKey& key, std::string_view secret_hash) {
  return impl_->run("adding an API key", [&]() -> base::Result<ApiKey> {
    auto account = account_id(impl_->db, key.account);
    if (!account) {
      return base::make_error(
          base::ErrorKind::not_found,
          fmt::format("account '{}' does not exist; create it with 'herald account add {}'",
                      key.account, key.account));
    }
    SQLite::Statement ins(impl_->db,
                          "INSERT INTO api_keys (id, account_id, name, secret_hash, scopes, "
                          "sender_patterns, allowed_ips, created_at, expires_at) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
    ApiKey stored = key;
    stored.created_at = unix_now();
    ins.bind(1, key.id);
    ins.bind(2, *account);
    ins.bind(3, key.name);
    ins.bind(4, std::string(secret_hash));
    ins.bind(5, join_words(key.scopes));
    ins.bind(6, join_words(key.sender_patterns));
    ins.bind(7, join_words(key.allowed_ips));
    ins.bind(8, stored.created_at);
    if (key.expires_at) {
      ins.bind(9, *key.expires_at);
    } else {
      ins.bind(9);
    }
    ins.exec();
    return stored;
  });
}

base::Result<std::vector<ApiKey>> Store::list_api_keys() {
  return impl_->run("listing API keys", [&]() -> base::Result<std::vector<ApiKey>> {
    SQLite::Statement q(impl_->db, std::string(kSelect) + " ORDER BY a.name, k.created_at");
    std::vector<ApiKey> out;
    while (q.executeStep()) out.push_back(read_row(q).key);
    return out;
  });
}

base::Result<std::optional<ApiKeyRecord>> Store::find_api_key(std::string_view id) {
  return impl_->run("looking up an API key", [&]() -> base::Result<std::optional<ApiKeyRecord>> {
    SQLite::Statement q(impl_->db, std::string(kSelect) + " WHERE k.id = ?");
    q.bind(1, std::string(id));
    if (!q.executeStep()) return std::optional<ApiKeyRecord>();
    return std::optional<ApiKeyRecord>(read_row(q));
  });
}

base::Result<void> Store::revoke_api_key(std::string_view id) {
  return impl_->run("revoking an API key", [&]() -> base::Result<void> {
    SQLite::Statement up(impl_->db,
                         "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL");
    up.bind(1, unix_now());
    up.bind(2, std::string(id));
    if (up.exec() == 0) {
      SQLite::Statement q(impl_->db, "SELECT 1 FROM api_keys WHERE id = ?");
      q.bind(1, std::string(id));
      if (!q.executeStep()) return no_such_key(id);
      return base::make_error(base::ErrorKind::conflict,
                              fmt::format("API key '{}' is already revoked", id));
    }
    return {};
  });
}

base::Result<void> Store::retire_api_key(std::string_view id, std::int64_t expires_at,
                                         std::string_view replaced_by) {
  return impl_->run("rotating an API key", [&]() -> base::Result<void> {
    // An earlier expiry already set wins: rotation never extends a key.
    SQLite::Statement up(impl_->db,
                         "UPDATE api_keys SET expires_at = MIN(COALESCE(expires_at, ?1), ?1), "
                         "replaced_by = ?2 WHERE id = ?3");
    up.bind(1, expires_at);
    up.bind(2, std::string(replaced_by));
    up.bind(3, std::string(id));
    if (up.exec() == 0) return no_such_key(id);
    return {};
  });
}

base::Result<void> Store::touch_api_key(std::string_view id, std::string_view ip) {
  return impl_->run("recording an API key's use", [&]() -> base::Result<void> {
    SQLite::Statement up(impl_->db,
                         "UPDATE api_keys SET last_used_at = ?1, last_used_ip = ?2 WHERE id = ?3 "
                         "AND (last_used_at IS NULL OR last_used_at < ?1 - 60 OR "
                         "last_used_ip != ?2)");
    up.bind(1, unix_now());
    up.bind(2, std::string(ip));
    up.bind(3, std::string(id));
    up.exec();
    return {};
  });
}

base::Result<std::vector<std::string>> Store::account_login_addresses(std::string_view account) {
  return impl_->run("listing an account's logins", [&]() -> base::Result<std::vector<std::string>> {
    SQLite::Statement q(impl_->db,
                        "SELECT l.address FROM logins l JOIN accounts a ON a.id = l.account_id "
                        "WHERE a.name = ? ORDER BY l.address");
    q.bind(1, std::string(account));
    std::vector<std::string> out;
    while (q.executeStep()) out.push_back(q.getColumn(0).getString());
    return out;
  });
}

}  // namespace herald::store
