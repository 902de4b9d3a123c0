#include "herald/admin/actor.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdlib>

#include "herald/store/store.hpp"

namespace herald::admin {

Actor Actor::local_user() {
  Actor a;
  if (const char* sudo = std::getenv("SUDO_USER"); sudo && *sudo) {
    a.name = sudo;
  } else if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_name) {
    a.name = pw->pw_name;
  } else {
    a.name = "uid " + std::to_string(getuid());
  }
  return a;
}

std::string_view role_name(Role role) {
  switch (role) {
    case Role::owner:
      return "owner";
    case Role::admin:
      return "admin";
    case Role::account_admin:
      return "account-admin";
    case Role::viewer:
      return "viewer";
  }
  return "viewer";
}

base::Result<Role> parse_role(std::string_view name) {
  for (Role r : {Role::owner, Role::admin, Role::account_admin, Role::viewer}) {
    if (role_name(r) == name) return r;
  }
  return base::make_error(
      base::ErrorKind::invalid,
      "role '" + std::string(name) + "' is unknown; use owner, admin, account-admin or viewer");
}

Actor Actor::admin_user(std::string_view user, Role role, const std::optional<std::string>& account,
                        std::string ip) {
  Actor a;
  a.name = "user:" + std::string(user);
  a.ip = std::move(ip);
  a.owner = role == Role::owner;
  a.read_all = role != Role::account_admin;
  a.write_all = role == Role::owner || role == Role::admin;
  if (role == Role::account_admin && account) a.tenants.push_back(*account);
  return a;
}

base::Result<void> validate_admin_scope(std::string_view scope) {
  if (scope == "admin:read" || scope == "admin:write") return {};
  if (scope.starts_with("account:")) {
    auto valid = store::validate_account_name(scope.substr(8));
    if (!valid)
      return base::make_error(base::ErrorKind::invalid,
                              "scope " + std::string(scope) + ": " + valid.error().message);
    return {};
  }
  return base::make_error(
      base::ErrorKind::invalid,
      "scope '" + std::string(scope) + "' is unknown; use admin:read, admin:write or account:NAME");
}

base::Result<Actor> Actor::from_scopes(std::string name, std::string ip,
                                       const std::vector<std::string>& scopes) {
  Actor a;
  a.name = std::move(name);
  a.ip = std::move(ip);
  a.read_all = a.write_all = a.owner = false;
  for (const auto& s : scopes) {
    if (auto v = validate_admin_scope(s); !v) return v.error();
    if (s == "admin:read") {
      a.read_all = true;
    } else if (s == "admin:write") {
      a.read_all = a.write_all = true;
    } else {
      a.tenants.push_back(s.substr(8));
    }
  }
  return a;
}

bool Actor::owns(const AccountTree& tree, std::string_view account) const {
  if (tenants.empty()) return false;
  // Walk up from the account; the tree is acyclic (parents exist before
  // their children), but bound the walk all the same.
  std::optional<std::string> at{std::string(account)};
  for (int depth = 0; at && depth < 64; ++depth) {
    for (const auto& t : tenants) {
      if (t == *at) return true;
    }
    auto it = tree.find(*at);
    if (it == tree.end()) return false;
    at = it->second;
  }
  return false;
}

}  // namespace herald::admin
