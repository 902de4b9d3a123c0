// admin::Admin — authorization, the audit helper, and the account
// operations (accounts, sub-accounts, rate limits).
#include "herald/admin/admin.hpp"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <iostream>

namespace herald::admin {

std::int64_t unix_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

Admin::Admin(store::AdminStore& store, const config::Config& config)
    : store_(store), config_(config) {}

Result<AccountTree> Admin::tree() {
  auto accounts = store_.list_accounts();
  if (!accounts) return accounts.error();
  AccountTree t;
  for (const auto& a : *accounts) t.emplace(a.name, a.parent);
  return t;
}

Result<void> Admin::check_read(const Actor& actor, const AccountTree& tree,
                               std::string_view account) {
  if (actor.may_read(tree, account)) return {};
  return base::make_error(base::ErrorKind::forbidden,
                          fmt::format("{} may not see account '{}'; its token's scopes do not "
                                      "include that account or a parent of it",
                                      actor.name, account));
}

Result<void> Admin::check_write(const Actor& actor, const AccountTree& tree,
                                std::string_view account) {
  if (actor.may_write(tree, account)) return {};
  return base::make_error(base::ErrorKind::forbidden,
                          fmt::format("{} may not change account '{}'; it needs admin:write or "
                                      "account:{} (or a parent account's scope)",
                                      actor.name, account, account));
}

Result<void> Admin::check_create_for(const Actor& actor, std::string_view account) {
  auto t = tree();
  if (!t) return t.error();
  if (t->find(account) != t->end()) return check_write(actor, *t, account);
  if (actor.write_all) return {};
  return base::make_error(base::ErrorKind::not_found,
                          fmt::format("account '{}' does not exist", account));
}

Result<void> Admin::check_global_read(const Actor& actor, std::string_view what) {
  if (actor.read_all) return {};
  return base::make_error(
      base::ErrorKind::forbidden,
      fmt::format("{} may not read {}: that needs admin:read", actor.name, what));
}

Result<void> Admin::check_global_write(const Actor& actor, std::string_view what) {
  if (actor.write_all) return {};
  return base::make_error(
      base::ErrorKind::forbidden,
      fmt::format("{} may not change {}: that needs admin:write", actor.name, what));
}

void Admin::audit(const Actor& actor, const std::string& event, const std::string& detail) {
  if (auto r = store_.add_audit({{0, 0, "admin", event, actor.name, actor.ip, detail}}); !r) {
    std::cerr << "herald: warning: could not write the audit trail: " << r.error().message << "\n";
  }
}

Result<std::vector<store::Account>> Admin::list_accounts(const Actor& actor) {
  auto accounts = store_.list_accounts();
  if (!accounts) return accounts.error();
  if (actor.read_all) return accounts;
  auto t = tree();
  if (!t) return t.error();
  std::vector<store::Account> visible;
  for (auto& a : *accounts) {
    if (actor.owns(*t, a.name)) visible.push_back(std::move(a));
  }
  return visible;
}

Result<store::Account> Admin::get_account(const Actor& actor, std::string_view name) {
  auto t = tree();
  if (!t) return t.error();
  auto found = store_.find_account(name);
  if (!found) return found.error();
  // A tenant learns nothing about accounts outside its own: unknown and
  // forbidden look alike.
  if (!*found || !actor.may_read(*t, name)) {
    return base::make_error(
        base::ErrorKind::not_found,
        fmt::format("account '{}' does not exist; see the list of accounts", name));
  }
  return std::move(**found);
}

Result<store::Account> Admin::add_account(const Actor& actor, const AccountInput& input) {
  if (!input.parent) {
    if (auto ok = check_global_write(actor, "top-level accounts"); !ok) return ok.error();
  } else {
    auto t = tree();
    if (!t) return t.error();
    if (auto ok = check_write(actor, *t, *input.parent); !ok) return ok.error();
  }
  std::optional<std::string_view> parent;
  if (input.parent) parent = *input.parent;
  auto added = store_.add_account(input.name, parent);
  if (!added) return added.error();
  audit(actor, "account_added",
        "account=" + added->name + (added->parent ? " parent=" + *added->parent : ""));
  return added;
}

Result<store::AccountRemoval> Admin::remove_account(const Actor& actor, std::string_view name,
                                                    bool force) {
  auto t = tree();
  if (!t) return t.error();
  if (auto ok = check_write(actor, *t, name); !ok) return ok.error();
  // A tenant may remove its sub-accounts, not the account its scope names.
  if (!actor.write_all) {
    for (const auto& tenant : actor.tenants) {
      if (tenant == name) {
        return base::make_error(base::ErrorKind::forbidden,
                                fmt::format("{} may not remove its own account '{}'; that needs "
                                            "admin:write",
                                            actor.name, name));
      }
    }
  }
  auto removed = store_.remove_account(name, force);
  if (!removed) return removed.error();
  // The rows are gone; the private keys go too (as removing a domain does).
  for (const auto& file : removed->dkim_key_files) {
    std::error_code ec;
    std::filesystem::remove(file, ec);
    if (ec) {
      std::cerr << "herald: warning: could not delete DKIM key " << file << ": " << ec.message()
                << "\n";
    }
  }
  audit(
      actor, "account_removed",
      fmt::format("account={} logins={} api_keys={} domains={} dkim_keys={}", name, removed->logins,
                  removed->api_keys, removed->domains, removed->dkim_key_files.size()));
  return removed;
}

Result<AccountLimitsView> Admin::account_limits(const Actor& actor, std::string_view name) {
  auto t = tree();
  if (!t) return t.error();
  if (auto ok = check_read(actor, *t, name); !ok) return ok.error();
  auto own = store_.account_limits(name);
  if (!own) return own.error();
  auto effective = store_.effective_account_limits(name);
  if (!effective) return effective.error();
  return AccountLimitsView{std::string(name), *own, *effective};
}

Result<AccountLimitsView> Admin::set_account_limits(const Actor& actor, std::string_view name,
                                                    const LimitChange& messages,
                                                    const LimitChange& recipients) {
  auto t = tree();
  if (!t) return t.error();
  if (auto ok = check_write(actor, *t, name); !ok) return ok.error();
  for (const auto* change : {&messages, &recipients}) {
    if (change->given && !change->inherit && change->value < 0) {
      return base::make_error(base::ErrorKind::invalid,
                              "a rate limit is a number per hour (0 = unlimited) or inherit");
    }
  }
  if (messages.given || recipients.given) {
    store::AccountLimits limits;
    if (messages.given && !messages.inherit) limits.messages_per_hour = messages.value;
    if (recipients.given && !recipients.inherit) limits.recipients_per_hour = recipients.value;
    auto set = store_.set_account_limits(name, limits, messages.given && messages.inherit,
                                         recipients.given && recipients.inherit);
    if (!set) return set.error();
    auto show = [](const LimitChange& c) {
      return !c.given    ? std::string("unchanged")
             : c.inherit ? std::string("inherit")
                         : std::to_string(c.value);
    };
    audit(actor, "account_limits",
          "account=" + std::string(name) + " messages_per_hour=" + show(messages) +
              " recipients_per_hour=" + show(recipients));
  }
  return account_limits(actor, name);
}

}  // namespace herald::admin
