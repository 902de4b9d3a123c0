// admin::Admin — admin users (people who use the API and console): add,
// list, remove, reset of the second factor. The password becomes its
// Argon2id hash here and is wiped; TOTP enrolment and login belong to the
// console's session layer, not here.
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>

#include "herald/admin/admin.hpp"
#include "herald/admin/checks.hpp"

namespace herald::admin {
namespace {

base::Error only_owners(const Actor& actor, std::string_view what) {
  return base::make_error(
      base::ErrorKind::forbidden,
      fmt::format("{} may not {}: only an owner may (the herald CLI on the server, or an admin "
                  "user with the owner role)",
                  actor.name, what));
}

}  // namespace

Result<std::vector<store::AdminUser>> Admin::list_admin_users(const Actor& actor) {
  if (auto ok = check_global_read(actor, "admin users"); !ok) return ok.error();
  return store_.list_admin_users();
}

Result<store::AdminUser> Admin::add_admin_user(const Actor& actor, AdminUserInput input) {
  struct Wipe {
    std::string& s;
    ~Wipe() { sodium_memzero(s.data(), s.size()); }
  } wipe{input.password};
  if (auto ok = check_global_write(actor, "admin users"); !ok) return ok.error();
  if (auto v = check_name(input.name, "an admin user name", true); !v) return v.error();
  auto role = parse_role(input.role);
  if (!role) return role.error();
  if (*role == Role::owner && !actor.owner) return only_owners(actor, "add an owner");
  if (*role == Role::account_admin) {
    if (!input.account || input.account->empty()) {
      return base::make_error(base::ErrorKind::invalid,
                              "an account-admin needs the account it administers (--account)");
    }
    auto found = store_.find_account(*input.account);
    if (!found) return found.error();
    if (!*found) {
      return base::make_error(
          base::ErrorKind::not_found,
          fmt::format("account '{}' does not exist; see the list of accounts", *input.account));
    }
  } else if (input.account) {
    return base::make_error(
        base::ErrorKind::invalid,
        fmt::format("only an account-admin has an account; a{} {} sees every "
                    "account",
                    *role == Role::admin || *role == Role::owner ? "n" : "", role_name(*role)));
  }
  if (auto v = check_networks(input.allow_ip); !v) return v.error();
  auto hash = hash_new_password(input.password);
  if (!hash) return hash.error();
  store::AdminUser user;
  user.name = input.name;
  user.role = std::string(role_name(*role));
  user.account = input.account;
  user.allowed_ips = input.allow_ip;
  user.created_by = actor.name;
  auto added = store_.add_admin_user(user, *hash);
  if (!added) return added.error();
  audit(actor, "admin_user_added",
        "user=" + added->name + " role=" + added->role +
            (added->account ? " account=" + *added->account : ""));
  return added;
}

Result<store::AdminUser> Admin::admin_user_for_change(const Actor& actor, std::string_view name) {
  if (auto ok = check_global_write(actor, "admin users"); !ok) return ok.error();
  auto found = store_.find_admin_user(name);
  if (!found) return found.error();
  if (!*found) {
    return base::make_error(base::ErrorKind::not_found,
                            fmt::format("no admin user '{}'; see 'herald admin-user list'", name));
  }
  if ((*found)->user.role == role_name(Role::owner) && !actor.owner) {
    return only_owners(actor, "change an owner");
  }
  return std::move((*found)->user);
}

Result<void> Admin::remove_admin_user(const Actor& actor, std::string_view name) {
  auto user = admin_user_for_change(actor, name);
  if (!user) return user.error();
  if (user->role == role_name(Role::owner)) {
    auto all = store_.list_admin_users();
    if (!all) return all.error();
    const auto owners = std::count_if(all->begin(), all->end(), [](const store::AdminUser& u) {
      return u.role == role_name(Role::owner);
    });
    if (owners <= 1) {
      return base::make_error(base::ErrorKind::conflict,
                              fmt::format("'{}' is the last owner; add another owner first", name));
    }
  }
  if (auto rm = store_.remove_admin_user(name); !rm) return rm.error();
  audit(actor, "admin_user_removed", "user=" + user->name + " role=" + user->role);
  return {};
}

Result<void> Admin::reset_admin_user_2fa(const Actor& actor, std::string_view name) {
  auto user = admin_user_for_change(actor, name);
  if (!user) return user.error();
  if (auto r = store_.reset_admin_user_2fa(name); !r) return r.error();
  audit(actor, "admin_user_2fa_reset", "user=" + user->name);
  return {};
}

}  // namespace herald::admin
