// `herald admin-token ...`: bearer tokens for the admin API, thin over
// admin::Admin. A token is printed once, at create; only its hash is kept.
#include <iostream>

#include "herald/admin/json.hpp"
#include "herald/base/units.hpp"
#include "herald/cli/commands.hpp"

namespace herald::cli {

void add_admin_token_commands(CLI::App& app, Globals& globals) {
  auto* cmd = app.add_subcommand("admin-token", "bearer tokens for the admin API (shown once)");
  cmd->require_subcommand(1);

  struct CreateOptions {
    std::string name, expires;
    std::vector<std::string> scopes, allow_ip;
  };
  auto c = std::make_shared<CreateOptions>();
  auto* create = cmd->add_subcommand("create", "create a token (printed once)");
  create->add_option("--name", c->name, "what it is for, e.g. ci-deploy (unique)")->required();
  create
      ->add_option("--scope", c->scopes,
                   "admin:read, admin:write or account:NAME (that account and its "
                   "sub-accounts); repeatable")
      ->required();
  create->add_option("--allow-ip", c->allow_ip, "client network (CIDR); repeatable");
  create->add_option("--expires", c->expires, "lifetime, e.g. 90d");
  create->add_flag("--json", globals.json, "JSON output");
  create->callback([c, &globals] {
    admin::AdminTokenInput input{c->name, c->scopes, c->allow_ip, std::nullopt};
    if (!c->expires.empty()) {
      auto d = base::parse_duration(c->expires);
      if (!d) return fail(globals, "--expires: " + d.error().message);
      input.expires_in = d->count();
    }
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto created = (*session)->admin.create_admin_token((*session)->actor, input);
    if (!created) return fail(globals, created.error().message);
    if (globals.json) return print_json(admin::to_json(*created));
    std::cout << "Admin token " << created->token.id << " (" << created->token.name
              << ") created. It is shown only now:\n\n  " << created->secret
              << "\n\nSend it as 'Authorization: Bearer TOKEN' to the admin API.\n";
  });

  auto* list = cmd->add_subcommand("list", "list tokens (never their secrets)");
  list->add_flag("--json", globals.json, "JSON output");
  list->callback([&globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto tokens = (*session)->admin.list_admin_tokens((*session)->actor);
    if (!tokens) return fail(globals, tokens.error().message);
    if (globals.json) return print_json(admin::to_json_array(*tokens));
    const auto now = admin::unix_now();
    for (const auto& t : *tokens) {
      std::cout << t.id << "  " << admin::admin_token_state(t, now) << "  name=" << t.name
                << "  scopes=";
      for (std::size_t i = 0; i < t.scopes.size(); ++i) std::cout << (i ? "," : "") << t.scopes[i];
      std::cout << "  last_used=" << (t.last_used_at ? iso_time(*t.last_used_at) : "-") << "\n";
    }
  });

  auto id = std::make_shared<std::string>();
  auto* revoke = cmd->add_subcommand("revoke", "revoke a token; the API refuses it at once");
  revoke->add_option("ID", *id)->required();
  revoke->callback([id, &globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto r = (*session)->admin.revoke_admin_token((*session)->actor, *id);
    if (!r) return fail(globals, r.error().message);
    std::cout << "admin token " << *id << " revoked\n";
  });
}

}  // namespace herald::cli
