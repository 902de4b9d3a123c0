#include "herald/admin/checks.hpp"

#include "herald/auth/password_hash.hpp"
#include "herald/base/cidr.hpp"

namespace herald::admin {

base::Result<void> check_networks(const std::vector<std::string>& cidrs) {
  for (const auto& n : cidrs) {
    if (auto v = base::Cidr::parse(n); !v) {
      return base::make_error(base::ErrorKind::invalid, v.error().message);
    }
  }
  return {};
}

base::Result<void> check_name(std::string_view name, std::string_view what, bool allow_at) {
  const std::string_view allowed =
      allow_at ? "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-@"
               : "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-";
  if (!name.empty() && name.size() <= 64 && name.find_first_not_of(allowed) == std::string::npos) {
    return {};
  }
  return base::make_error(base::ErrorKind::invalid,
                          std::string(what) + " is 1-64 characters from letters, digits, '.', '_'" +
                              (allow_at ? ", '-' and '@'" : " and '-'"));
}

base::Result<std::string> hash_new_password(const std::string& password) {
  if (password.size() < 8) {
    return base::make_error(base::ErrorKind::invalid,
                            "the password is shorter than 8 characters; choose a longer one");
  }
  return auth::hash_password(password);
}

}  // namespace herald::admin
