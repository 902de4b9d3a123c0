// `herald key ...`: API keys, thin over admin::Admin. A key's token is
// printed once, at create or rotate, and only its hash is stored; list
// shows ids and attributes.
#include <iostream>

#include "herald/admin/json.hpp"
#include "herald/base/units.hpp"
#include "herald/cli/commands.hpp"

namespace herald::cli {
namespace {

std::string when(std::optional<std::int64_t> t) {
  return t ? iso_time(*t) : "-";
}

void print_token(const std::string& token, const std::string& id, const std::string& username) {
  std::cout << "API key " << id << " created. Its token is shown only now:\n\n  " << token
            << "\n\nUse it as the SMTP AUTH password with the user name '" << username << "'.\n";
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
    admin::KeyInput input{c->account, c->name, c->scopes, c->from, c->allow_ip, std::nullopt};
    if (!c->expires.empty()) {
      auto d = base::parse_duration(c->expires);
      if (!d) return fail(globals, "--expires: " + d.error().message);
      input.expires_in = d->count();
    }
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto& s = **session;
    auto created = s.admin.create_key(s.actor, input);
    if (!created) return fail(globals, created.error().message);
    if (globals.json) return print_json(admin::to_json(*created));
    print_token(created->token, created->key.id, s.admin.api_key_username());
  });

  auto* list = key->add_subcommand("list", "list keys (never their tokens)");
  list->add_flag("--json", globals.json, "JSON output");
  list->callback([&globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto keys = (*session)->admin.list_keys((*session)->actor);
    if (!keys) return fail(globals, keys.error().message);
    if (globals.json) return print_json(admin::to_json_array(*keys));
    const auto now = admin::unix_now();
    for (const auto& k : *keys) {
      std::cout << k.id << "  " << admin::key_state(k, now) << "  account=" << k.account;
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
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto r = (*session)->admin.revoke_key((*session)->actor, *revoke_id);
    if (!r) return fail(globals, r.error().message);
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
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto& s = **session;
    auto rotated = s.admin.rotate_key(s.actor, r->id, overlap->count());
    if (!rotated) return fail(globals, rotated.error().message);
    if (globals.json) return print_json(admin::to_json(*rotated));
    print_token(rotated->token, rotated->key.id, s.admin.api_key_username());
    std::cout << "The old key " << r->id << " keeps working for " << r->overlap << ".\n";
  });
}

}  // namespace herald::cli
