// `herald key ...`: API keys. A key's token is printed once, at create or
// rotate, and only its hash is stored; list shows ids and attributes.
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "herald/auth/api_key.hpp"
#include "herald/base/cidr.hpp"
#include "herald/base/units.hpp"
#include "herald/cli/commands.hpp"
#include "herald/store/store.hpp"

namespace herald::cli {
namespace {

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string when(std::optional<std::int64_t> t) {
  return t ? iso_time(*t) : "-";
}

std::string state(const store::ApiKey& k) {
  if (k.revoked_at) return "revoked";
  if (k.expires_at && *k.expires_at <= now_seconds()) return k.replaced_by ? "rotated" : "expired";
  if (k.replaced_by) return "rotating";
  return "active";
}

void print_token(const std::string& token, const std::string& id, const std::string& username) {
  std::cout << "API key " << id << " created. Its token is shown only now:\n\n  " << token
            << "\n\nUse it as the SMTP AUTH password with the user name '" << username << "'.\n";
}

std::string username_from(Globals& globals) {
  auto config = load(globals);
  return config ? config->auth.api_key_username : "apikey";
}

}  // namespace

void add_key_commands(CLI::App& app, Globals& globals) {
  auto* key = app.add_subcommand("key", "API keys with scopes, sender patterns and IP allowlists");
  key->require_subcommand(1);

  struct CreateOptions {
    std::string account, name, expires;
    std::vector<std::string> scopes, from, allow_ip;
  };
  auto c = std::make_shared<CreateOptions>();
  auto* create = key->add_subcommand("create", "create a key (its token is printed once)");
  create->add_option("--account", c->account, "account the key belongs to")->required();
  create->add_option("--name", c->name, "a label, e.g. the application");
  create->add_option("--scope", c->scopes, "mail.send (default) or mail.send:DOMAIN; repeatable");
  create->add_option("--from", c->from, "sender pattern, e.g. *@example.com; repeatable");
  create->add_option("--allow-ip", c->allow_ip, "client network (CIDR); repeatable");
  create->add_option("--expires", c->expires, "lifetime, e.g. 90d");
  create->add_flag("--json", globals.json, "JSON output");
  create->callback([c, &globals] {
    store::ApiKey k;
    k.account = c->account;
    k.name = c->name;
    k.scopes = c->scopes.empty() ? std::vector<std::string>{"mail.send"} : c->scopes;
    for (const auto& s : k.scopes) {
      if (auto v = auth::validate_scope(s); !v) return fail(globals, v.error().message);
    }
    for (const auto& p : c->from) {
      if (auto v = auth::validate_sender_pattern(p); !v) return fail(globals, v.error().message);
    }
    for (const auto& n : c->allow_ip) {
      if (auto v = base::Cidr::parse(n); !v) return fail(globals, v.error().message);
    }
    k.sender_patterns = c->from;
    k.allowed_ips = c->allow_ip;
    if (!c->expires.empty()) {
      auto d = base::parse_duration(c->expires);
      if (!d) return fail(globals, "--expires: " + d.error().message);
      k.expires_at = now_seconds() + d->count();
    }
    auto store = open_store(globals);
    if (!store) return fail(globals, store.error().message);
    auto fresh = auth::generate_api_key();
    k.id = fresh.id;
    auto added = store->add_api_key(k, fresh.secret_hash);
    if (!added) return fail(globals, added.error().message);
    audit_admin(*store, "key_created", "key=" + k.id + " account=" + k.account);
    if (globals.json) {
      std::cout
          << nlohmann::json{{"id", k.id}, {"token", fresh.token}, {"account", k.account}}.dump()
          << "\n";
      return;
    }
    print_token(fresh.token, k.id, username_from(globals));
  });

  auto* list = key->add_subcommand("list", "list keys (never their tokens)");
  list->add_flag("--json", globals.json, "JSON output");
  list->callback([&globals] {
    auto store = open_store(globals);
    if (!store) return fail(globals, store.error().message);
    auto keys = store->list_api_keys();
    if (!keys) return fail(globals, keys.error().message);
    if (globals.json) {
      auto out = nlohmann::json::array();
      for (const auto& k : *keys) {
        out.push_back({{"id", k.id},
                       {"account", k.account},
                       {"name", k.name},
                       {"state", state(k)},
                       {"scopes", k.scopes},
                       {"sender_patterns", k.sender_patterns},
                       {"allowed_ips", k.allowed_ips},
                       {"created_at", when(k.created_at)},
                       {"expires_at", when(k.expires_at)},
                       {"replaced_by", k.replaced_by.value_or("")},
                       {"last_used_at", when(k.last_used_at)},
                       {"last_used_ip", k.last_used_ip}});
      }
      std::cout << out.dump(2) << "\n";
      return;
    }
    for (const auto& k : *keys) {
      std::cout << k.id << "  " << state(k) << "  account=" << k.account;
      if (!k.name.empty()) std::cout << "  name=" << k.name;
      std::cout << "  expires=" << when(k.expires_at) << "  last_used=" << when(k.last_used_at);
      if (!k.last_used_ip.empty()) std::cout << " from " << k.last_used_ip;
      std::cout << "\n";
    }
  });

  auto revoke_id = std::make_shared<std::string>();
  auto* revoke =
      key->add_subcommand("revoke", "revoke a key; the running server refuses it at once");
  revoke->add_option("ID", *revoke_id)->required();
  revoke->callback([revoke_id, &globals] {
    auto store = open_store(globals);
    if (!store) return fail(globals, store.error().message);
    auto r = store->revoke_api_key(*revoke_id);
    if (!r) return fail(globals, r.error().message);
    audit_admin(*store, "key_revoked", "key=" + *revoke_id);
    std::cout << "API key " << *revoke_id << " revoked\n";
  });

  struct RotateOptions {
    std::string id;
    std::string overlap = "24h";
  };
  auto r = std::make_shared<RotateOptions>();
  auto* rotate =
      key->add_subcommand("rotate", "issue a successor; the old key works for --overlap");
  rotate->add_option("ID", r->id)->required();
  rotate->add_option("--overlap", r->overlap, "how long the old key keeps working (default 24h)");
  rotate->add_flag("--json", globals.json, "JSON output");
  rotate->callback([r, &globals] {
    auto overlap = base::parse_duration(r->overlap);
    if (!overlap) return fail(globals, "--overlap: " + overlap.error().message);
    auto store = open_store(globals);
    if (!store) return fail(globals, store.error().message);
    auto old = store->find_api_key(r->id);
    if (!old) return fail(globals, old.error().message);
    if (!*old) return fail(globals, "no API key '" + r->id + "'; see 'herald key list'");
    store::ApiKey successor = (*old)->key;
    if (successor.revoked_at)
      return fail(globals, "API key " + r->id + " is revoked; create a new one");
    auto fresh = auth::generate_api_key();
    successor.id = fresh.id;
    successor.replaced_by.reset();
    successor.last_used_at.reset();
    successor.last_used_ip.clear();
    auto added = store->add_api_key(successor, fresh.secret_hash);
    if (!added) return fail(globals, added.error().message);
    auto retired = store->retire_api_key(r->id, now_seconds() + overlap->count(), fresh.id);
    if (!retired) return fail(globals, retired.error().message);
    audit_admin(*store, "key_rotated",
                "key=" + r->id + " successor=" + fresh.id + " overlap=" + r->overlap);
    if (globals.json) {
      std::cout
          << nlohmann::json{{"id", fresh.id}, {"token", fresh.token}, {"replaces", r->id}}.dump()
          << "\n";
      return;
    }
    print_token(fresh.token, fresh.id, username_from(globals));
    std::cout << "The old key " << r->id << " keeps working for " << r->overlap << ".\n";
  });
}

}  // namespace herald::cli
