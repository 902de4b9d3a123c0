// store::Store — the admin user table: add, list, find, remove, reset of
// the second factor. Role, account, CIDR and password rules are the admin
// layer's; this file stores what it is given (password as its Argon2id
// hash, TOTP secret sealed, recovery codes hashed).
#include "herald/store/store.hpp"
#include "herald/store/store_impl.hpp"

namespace herald::store {
namespace {

constexpr const char* kSelect =
    "SELECT name, role, account, allowed_ips, totp_enabled_at, created_at, created_by, "
    "password_changed_at, last_login_at, last_login_ip, password_hash, totp_secret, "
    "recovery_codes FROM admin_users";

AdminUserRecord read_row(SQLite::Statement& q) {
  AdminUserRecord r;
  r.user.name = q.getColumn(0).getString();
  r.user.role = q.getColumn(1).getString();
  if (!q.getColumn(2).isNull()) r.user.account = q.getColumn(2).getString();
  r.user.allowed_ips = split_words(q.getColumn(3).getString());
  r.user.totp_enabled = !q.getColumn(4).isNull();
  r.user.created_at = q.getColumn(5).getInt64();
  r.user.created_by = q.getColumn(6).getString();
  r.user.password_changed_at = q.getColumn(7).getInt64();
  r.user.last_login_at = optional_int(q.getColumn(8));
  r.user.last_login_ip = q.getColumn(9).getString();
  r.password_hash = q.getColumn(10).getString();
  r.totp_secret = q.getColumn(11).getString();
  r.recovery_codes = split_words(q.getColumn(12).getString());
  return r;
}

base::Error no_such_user(std::string_view name) {
  return base::make_error(base::ErrorKind::not_found,
                          fmt::format("no admin user '{}'; see 'herald admin-user list'", name));
}

}  // namespace

base::Result<AdminUser> Store::add_admin_user(const AdminUser& user,
                                              std::string_view password_hash) {
  return impl_->run("adding an admin user", [&]() -> base::Result<AdminUser> {
    SQLite::Transaction tx(impl_->db, SQLite::TransactionBehavior::IMMEDIATE);
    SQLite::Statement taken(impl_->db, "SELECT 1 FROM admin_users WHERE name = ?");
    taken.bind(1, user.name);
    if (taken.executeStep()) {
      return base::make_error(base::ErrorKind::conflict,
                              fmt::format("an admin user named '{}' exists already", user.name));
    }
    SQLite::Statement ins(impl_->db,
                          "INSERT INTO admin_users (name, role, account, allowed_ips, "
                          "password_hash, created_at, created_by, password_changed_at) VALUES "
                          "(?, ?, ?, ?, ?, ?, ?, ?)");
    AdminUser stored = user;
    stored.created_at = unix_now();
    stored.password_changed_at = stored.created_at;
    stored.totp_enabled = false;
    ins.bind(1, user.name);
    ins.bind(2, user.role);
    if (user.account) {
      ins.bind(3, *user.account);
    } else {
      ins.bind(3);
    }
    ins.bind(4, join_words(user.allowed_ips));
    ins.bind(5, std::string(password_hash));
    ins.bind(6, stored.created_at);
    ins.bind(7, user.created_by);
    ins.bind(8, stored.password_changed_at);
    ins.exec();
    tx.commit();
    return stored;
  });
}

base::Result<std::vector<AdminUser>> Store::list_admin_users() {
  return impl_->run("listing admin users", [&]() -> base::Result<std::vector<AdminUser>> {
    SQLite::Statement q(impl_->db, std::string(kSelect) + " ORDER BY name");
    std::vector<AdminUser> out;
    while (q.executeStep()) out.push_back(read_row(q).user);
    return out;
  });
}

base::Result<std::optional<AdminUserRecord>> Store::find_admin_user(std::string_view name) {
  return impl_->run("looking up an admin user",
                    [&]() -> base::Result<std::optional<AdminUserRecord>> {
                      SQLite::Statement q(impl_->db, std::string(kSelect) + " WHERE name = ?");
                      q.bind(1, std::string(name));
                      if (!q.executeStep()) return std::optional<AdminUserRecord>();
                      return std::optional<AdminUserRecord>(read_row(q));
                    });
}

base::Result<void> Store::remove_admin_user(std::string_view name) {
  return impl_->run("removing an admin user", [&]() -> base::Result<void> {
    SQLite::Statement del(impl_->db, "DELETE FROM admin_users WHERE name = ?");
    del.bind(1, std::string(name));
    if (del.exec() == 0) return no_such_user(name);
    return {};
  });
}

base::Result<void> Store::reset_admin_user_2fa(std::string_view name) {
  return impl_->run("resetting an admin user's second factor", [&]() -> base::Result<void> {
    SQLite::Statement up(impl_->db,
                         "UPDATE admin_users SET totp_secret = '', totp_enabled_at = NULL, "
                         "recovery_codes = '' WHERE name = ?");
    up.bind(1, std::string(name));
    if (up.exec() == 0) return no_such_user(name);
    return {};
  });
}

}  // namespace herald::store
