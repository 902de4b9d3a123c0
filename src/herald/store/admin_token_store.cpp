// store::Store — the admin API token table: create, list, find, revoke and
// last use. Scope, CIDR and name checks are the admin layer's; this file
// only stores what it is given (secrets as hashes only).
#include "herald/store/store.hpp"
#include "herald/store/store_impl.hpp"

namespace herald::store {
namespace {

constexpr const char* kSelect =
    "SELECT id, name, scopes, allowed_ips, created_at, created_by, expires_at, revoked_at, "
    "last_used_at, last_used_ip, secret_hash FROM admin_tokens";

AdminTokenRecord read_row(SQLite::Statement& q) {
  AdminTokenRecord r;
  r.token.id = q.getColumn(0).getString();
  r.token.name = q.getColumn(1).getString();
  r.token.scopes = split_words(q.getColumn(2).getString());
  r.token.allowed_ips = split_words(q.getColumn(3).getString());
  r.token.created_at = q.getColumn(4).getInt64();
  r.token.created_by = q.getColumn(5).getString();
  r.token.expires_at = optional_int(q.getColumn(6));
  r.token.revoked_at = optional_int(q.getColumn(7));
  r.token.last_used_at = optional_int(q.getColumn(8));
  r.token.last_used_ip = q.getColumn(9).getString();
  r.secret_hash = q.getColumn(10).getString();
  return r;
}

base::Error no_such_token(std::string_view id) {
  return base::make_error(base::ErrorKind::not_found,
                          fmt::format("no admin token '{}'; see 'herald admin-token list'", id));
}

}  // namespace

base::Result<AdminToken> Store::add_admin_token(const AdminToken& token,
                                                std::string_view secret_hash) {
  return impl_->run("adding an admin token", [&]() -> base::Result<AdminToken> {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement taken(impl_->db, "SELECT 1 FROM admin_tokens WHERE name = ?");
    taken.bind(1, token.name);
    if (taken.executeStep()) {
      return base::make_error(
          base::ErrorKind::conflict,
          fmt::format("an admin token named '{}' exists already; choose another --name",
                      token.name));
    }
    SQLite::Statement ins(impl_->db,
                          "INSERT INTO admin_tokens (id, name, secret_hash, scopes, allowed_ips, "
                          "created_at, created_by, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    AdminToken stored = token;
    stored.created_at = unix_now();
    ins.bind(1, token.id);
    ins.bind(2, token.name);
    ins.bind(3, std::string(secret_hash));
    ins.bind(4, join_words(token.scopes));
    ins.bind(5, join_words(token.allowed_ips));
    ins.bind(6, stored.created_at);
    ins.bind(7, token.created_by);
    if (token.expires_at) {
      ins.bind(8, *token.expires_at);
    } else {
      ins.bind(8);
    }
    ins.exec();
    tx.commit();
    return stored;
  });
}

base::Result<std::vector<AdminToken>> Store::list_admin_tokens() {
  return impl_->run("listing admin tokens", [&]() -> base::Result<std::vector<AdminToken>> {
    SQLite::Statement q(impl_->db, std::string(kSelect) + " ORDER BY name");
    std::vector<AdminToken> out;
    while (q.executeStep()) out.push_back(read_row(q).token);
    return out;
  });
}

base::Result<std::optional<AdminTokenRecord>> Store::find_admin_token(std::string_view id) {
  return impl_->run("looking up an admin token",
                    [&]() -> base::Result<std::optional<AdminTokenRecord>> {
                      SQLite::Statement q(impl_->db, std::string(kSelect) + " WHERE id = ?");
                      q.bind(1, std::string(id));
                      if (!q.executeStep()) return std::optional<AdminTokenRecord>();
                      return std::optional<AdminTokenRecord>(read_row(q));
                    });
}

base::Result<void> Store::revoke_admin_token(std::string_view id) {
  return impl_->run("revoking an admin token", [&]() -> base::Result<void> {
    SQLite::Statement up(impl_->db,
                         "UPDATE admin_tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS "
                         "NULL");
    up.bind(1, unix_now());
    up.bind(2, std::string(id));
    if (up.exec() == 0) {
      SQLite::Statement q(impl_->db, "SELECT 1 FROM admin_tokens WHERE id = ?");
      q.bind(1, std::string(id));
      if (!q.executeStep()) return no_such_token(id);
      return base::make_error(base::ErrorKind::conflict,
                              fmt::format("admin token '{}' is already revoked", id));
    }
    return {};
  });
}

base::Result<void> Store::touch_admin_token(std::string_view id, std::string_view ip) {
  return impl_->run("recording an admin token's use", [&]() -> base::Result<void> {
    SQLite::Statement up(impl_->db,
                         "UPDATE admin_tokens SET last_used_at = ?1, last_used_ip = ?2 WHERE id = "
                         "?3 AND (last_used_at IS NULL OR last_used_at < ?1 - 60 OR "
                         "last_used_ip != ?2)");
    up.bind(1, unix_now());
    up.bind(2, std::string(ip));
    up.bind(3, std::string(id));
    up.exec();
    return {};
  });
}

}  // namespace herald::store
