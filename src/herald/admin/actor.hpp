// admin::Actor — who asks for an administrative operation and what it may
// touch: the local CLI (the Unix user; everything), an admin API token
// (its scopes) or an admin user (its role). Pure data and checks; it must not read the store (the
// account tree it checks against is handed in).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "herald/base/result.hpp"

namespace herald::admin {

// Account name -> parent name (nullopt at the top), for tenant checks.
using AccountTree = std::map<std::string, std::optional<std::string>, std::less<>>;

// The roles of admin users (people), as stored and shown.
enum class Role { owner, admin, account_admin, viewer };
std::string_view role_name(Role role);  // "owner", "admin", "account-admin", "viewer"
base::Result<Role> parse_role(std::string_view name);

struct Actor {
  std::string name;       // Unix user ("alice"), "token:NAME" or "user:NAME"
  std::string ip;         // the API client's address; empty for the CLI
  bool read_all = true;   // admin:read (or admin:write)
  bool write_all = true;  // admin:write
  // May manage owners (add, remove, reset their second factor): the local
  // CLI and users with the owner role; never a token.
  bool owner = true;
  // account:NAME scopes: read and change these accounts and their
  // sub-accounts, and nothing global (admin tokens, the whole suppression
  // list, the audit trail of others).
  std::vector<std::string> tenants;

  // The Unix user running the CLI (SUDO_USER when run through sudo).
  static Actor local_user();

  // From a token's scopes: "admin:read", "admin:write", "account:NAME".
  // An unknown scope is an invalid error (it can only come from the store
  // or a request, both checked on the way in).
  static base::Result<Actor> from_scopes(std::string name, std::string ip,
                                         const std::vector<std::string>& scopes);

  // An admin user acting through the API or console: owner and admin
  // change everything, viewer reads everything, account-admin reads and
  // changes its account and the sub-accounts below it.
  static Actor admin_user(std::string_view user, Role role,
                          const std::optional<std::string>& account, std::string ip);

  // Whether `account` is one of the tenants or below one.
  bool owns(const AccountTree& tree, std::string_view account) const;
  bool may_read(const AccountTree& tree, std::string_view account) const {
    return read_all || owns(tree, account);
  }
  bool may_write(const AccountTree& tree, std::string_view account) const {
    return write_all || owns(tree, account);
  }
};

// "admin:read", "admin:write" or "account:NAME" with a valid account name.
base::Result<void> validate_admin_scope(std::string_view scope);

}  // namespace herald::admin
