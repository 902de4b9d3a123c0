// admin::Actor — who asks for an administrative operation and what it may
// touch: the local CLI (the Unix user; everything) or an admin API token
// (its scopes). Pure data and checks; it must not read the store (the
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

struct Actor {
  std::string name;       // Unix user ("alice"), or "token:NAME"
  std::string ip;         // the API client's address; empty for the CLI
  bool read_all = true;   // admin:read (or admin:write)
  bool write_all = true;  // admin:write
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
