// admin::Admin — what belongs to no single account: the suppression list,
// the audit trail and the admin API tokens. Tenant tokens get forbidden.
#include <fmt/format.h>

#include "herald/admin/admin.hpp"
#include "herald/admin/checks.hpp"
#include "herald/auth/admin_token.hpp"
#include "herald/auth/api_key.hpp"
#include "herald/base/cidr.hpp"

namespace herald::admin {

Result<std::vector<store::Suppression>> Admin::list_suppressions(const Actor& actor) {
  if (auto ok = check_global_read(actor, "the suppression list"); !ok) return ok.error();
  return store_.list_suppressions();
}

Result<SuppressionChange> Admin::add_suppression(const Actor& actor, std::string_view address,
                                                 std::string_view reason) {
  if (auto ok = check_global_write(actor, "the suppression list"); !ok) return ok.error();
  auto before = store_.find_suppression(address);
  if (!before) return before.error();
  auto row = store_.add_suppression(address, reason, "manual");
  if (!row) return row.error();
  const bool updated = before->has_value();
  audit(actor, updated ? "suppression_updated" : "suppression_added",
        "address=" + row->address + " reason=" + row->reason);
  return SuppressionChange{std::move(*row), updated};
}

Result<void> Admin::remove_suppression(const Actor& actor, std::string_view address) {
  if (auto ok = check_global_write(actor, "the suppression list"); !ok) return ok.error();
  auto r = store_.remove_suppression(address);
  if (!r) return r.error();
  audit(actor, "suppression_removed", "address=" + std::string(address));
  return {};
}

Result<std::vector<store::AuditEvent>> Admin::list_audit(const Actor& actor,
                                                         const AuditQuery& query) {
  if (auto ok = check_global_read(actor, "the audit trail"); !ok) return ok.error();
  if (!query.kind.empty() && query.kind != "auth" && query.kind != "admin" &&
      query.kind != "send") {
    return base::make_error(base::ErrorKind::invalid,
                            "kind '" + query.kind + "' is unknown; use auth, admin or send");
  }
  return store_.list_audit(query.since, query.kind, query.limit);
}

Result<std::vector<store::AdminToken>> Admin::list_admin_tokens(const Actor& actor) {
  if (auto ok = check_global_write(actor, "admin tokens"); !ok) return ok.error();
  return store_.list_admin_tokens();
}

Result<CreatedAdminToken> Admin::create_admin_token(const Actor& actor,
                                                    const AdminTokenInput& input) {
  if (auto ok = check_global_write(actor, "admin tokens"); !ok) return ok.error();
  if (auto v = check_name(input.name, "a token name"); !v) return v.error();
  if (input.scopes.empty()) {
    return base::make_error(base::ErrorKind::invalid,
                            "give the token at least one scope: admin:read, admin:write or "
                            "account:NAME");
  }
  for (const auto& s : input.scopes) {
    if (auto v = validate_admin_scope(s); !v) return v.error();
  }
  if (auto v = check_networks(input.allow_ip); !v) return v.error();
  if (input.expires_in && *input.expires_in <= 0) {
    return base::make_error(base::ErrorKind::invalid, "expires must be a positive duration");
  }
  store::AdminToken token;
  token.name = input.name;
  token.scopes = input.scopes;
  token.allowed_ips = input.allow_ip;
  token.created_by = actor.name;
  if (input.expires_in) token.expires_at = unix_now() + *input.expires_in;
  auto fresh = auth::generate_token(auth::kAdminTokenPrefix);
  token.id = fresh.id;
  auto added = store_.add_admin_token(token, fresh.secret_hash);
  if (!added) return added.error();
  std::string scopes;
  for (const auto& s : token.scopes) scopes += (scopes.empty() ? "" : ",") + s;
  audit(actor, "admin_token_created",
        fmt::format("token={} name={} scopes={}", token.id, token.name, scopes));
  return CreatedAdminToken{std::move(*added), std::move(fresh.token)};
}

Result<void> Admin::revoke_admin_token(const Actor& actor, std::string_view id) {
  if (auto ok = check_global_write(actor, "admin tokens"); !ok) return ok.error();
  auto r = store_.revoke_admin_token(id);
  if (!r) return r.error();
  audit(actor, "admin_token_revoked", "token=" + std::string(id));
  return {};
}

}  // namespace herald::admin
