// admin::checks — input rules several operations share (internal to the
// admin module): IP allowlists, names of tokens and users, new passwords.
// Each returns an invalid error whose message says what to give instead.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "herald/base/result.hpp"

namespace herald::admin {

// Every entry a CIDR network ("192.0.2.0/24", "2001:db8::/32", or one address).
base::Result<void> check_networks(const std::vector<std::string>& cidrs);

// 1-64 characters from letters, digits, '.', '_', '-' (and '@' when
// `allow_at`), e.g. a token or admin user name. `what` names it in the
// message ("a token name").
base::Result<void> check_name(std::string_view name, std::string_view what, bool allow_at = false);

// The rules every password meets (at least 8 characters), then its
// Argon2id hash (which takes the timing floor of auth::hash_password).
base::Result<std::string> hash_new_password(const std::string& password);

}  // namespace herald::admin
