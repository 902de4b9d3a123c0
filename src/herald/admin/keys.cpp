// admin::Admin — API keys: create (the token is returned once), list, get,
// revoke, rotate with an overlap. Scopes, sender patterns and CIDRs are
// checked here, before anything is stored.
#include "herald/admin/admin.hpp"
#include "herald/admin/checks.hpp"
#include "herald/auth/api_key.hpp"
#include "herald/base/cidr.hpp"

namespace herald::admin {
namespace {

Result<void> check_key_input(const KeyInput& input) {
  for (const auto& s : input.scopes) {
    if (auto v = auth::validate_scope(s); !v) {
      return base::make_error(base::ErrorKind::invalid, v.error().message);
    }
  }
  for (const auto& p : input.from) {
    if (auto v = auth::validate_sender_pattern(p); !v) {
      return base::make_error(base::ErrorKind::invalid, v.error().message);
    }
  }
  if (auto v = check_networks(input.allow_ip); !v) return v.error();
  if (input.expires_in && *input.expires_in <= 0) {
    return base::make_error(base::ErrorKind::invalid, "expires must be a positive duration");
  }
  return {};
}

base::Error no_such_key(std::string_view id) {
  return base::make_error(base::ErrorKind::not_found,
                          "no API key '" + std::string(id) + "'; see 'herald key list'");
}

}  // namespace

Result<std::vector<store::ApiKey>> Admin::list_keys(const Actor& actor) {
  auto keys = store_.list_api_keys();
  if (!keys) return keys.error();
  if (actor.read_all) return keys;
  auto t = tree();
  if (!t) return t.error();
  std::vector<store::ApiKey> visible;
  for (auto& k : *keys) {
    if (actor.owns(*t, k.account)) visible.push_back(std::move(k));
  }
  return visible;
}

Result<store::ApiKey> Admin::get_key(const Actor& actor, std::string_view id) {
  auto found = store_.find_api_key(id);
  if (!found) return found.error();
  auto t = tree();
  if (!t) return t.error();
  if (!*found || !actor.may_read(*t, (*found)->key.account)) return no_such_key(id);
  return std::move((*found)->key);
}

Result<CreatedKey> Admin::create_key(const Actor& actor, const KeyInput& input) {
  if (auto ok = check_create_for(actor, input.account); !ok) return ok.error();
  if (auto ok = check_key_input(input); !ok) return ok.error();
  store::ApiKey k;
  k.account = input.account;
  k.name = input.name;
  k.scopes = input.scopes.empty() ? std::vector<std::string>{"mail.send"} : input.scopes;
  k.sender_patterns = input.from;
  k.allowed_ips = input.allow_ip;
  if (input.expires_in) k.expires_at = unix_now() + *input.expires_in;
  auto fresh = auth::generate_api_key();
  k.id = fresh.id;
  auto added = store_.add_api_key(k, fresh.secret_hash);
  if (!added) return added.error();
  audit(actor, "key_created", "key=" + k.id + " account=" + k.account);
  return CreatedKey{std::move(*added), std::move(fresh.token), std::nullopt};
}

Result<void> Admin::revoke_key(const Actor& actor, std::string_view id) {
  auto key = get_key(actor, id);
  if (!key) return key.error();
  auto t = tree();
  if (!t) return t.error();
  if (auto ok = check_write(actor, *t, key->account); !ok) return ok.error();
  auto r = store_.revoke_api_key(id);
  if (!r) return r.error();
  audit(actor, "key_revoked", "key=" + std::string(id));
  return {};
}

Result<CreatedKey> Admin::rotate_key(const Actor& actor, std::string_view id,
                                     std::int64_t overlap_seconds) {
  if (overlap_seconds < 0) {
    return base::make_error(base::ErrorKind::invalid, "the overlap may not be negative");
  }
  auto old = get_key(actor, id);
  if (!old) return old.error();
  auto t = tree();
  if (!t) return t.error();
  if (auto ok = check_write(actor, *t, old->account); !ok) return ok.error();
  if (old->revoked_at) {
    return base::make_error(base::ErrorKind::conflict,
                            "API key " + std::string(id) + " is revoked; create a new one");
  }
  store::ApiKey successor = *old;
  auto fresh = auth::generate_api_key();
  successor.id = fresh.id;
  successor.replaced_by.reset();
  successor.last_used_at.reset();
  successor.last_used_ip.clear();
  auto added = store_.add_api_key(successor, fresh.secret_hash);
  if (!added) return added.error();
  auto retired = store_.retire_api_key(id, unix_now() + overlap_seconds, fresh.id);
  if (!retired) return retired.error();
  audit(actor, "key_rotated",
        "key=" + std::string(id) + " successor=" + fresh.id +
            " overlap=" + std::to_string(overlap_seconds) + "s");
  return CreatedKey{std::move(*added), std::move(fresh.token), std::string(id)};
}

}  // namespace herald::admin
