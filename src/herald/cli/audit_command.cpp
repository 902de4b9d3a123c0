// `herald audit`: read the audit trail (auth, admin and send events), thin
// over admin::Admin.
#include <iostream>

#include "herald/admin/json.hpp"
#include "herald/base/units.hpp"
#include "herald/cli/commands.hpp"

namespace herald::cli {
void add_audit_command(CLI::App& app, Globals& globals) {
  struct Options {
    std::string since;
    std::string kind;
    std::size_t limit = 1000;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand(
      "audit", "the audit trail: logins, failures, key and account changes, sends");
  cmd->add_option("--since", o->since, "only the last DURATION, e.g. 24h");
  cmd->add_option("--kind", o->kind, "auth, admin or send")
      ->check(CLI::IsMember({"auth", "admin", "send"}));
  cmd->add_option("--limit", o->limit, "at most this many (newest), default 1000");
  cmd->add_flag("--json", globals.json, "JSON output");
  cmd->callback([o, &globals] {
    admin::AuditQuery query{0, o->kind, o->limit};
    if (!o->since.empty()) {
      auto d = base::parse_duration(o->since);
      if (!d) return fail(globals, "--since: " + d.error().message);
      query.since = admin::unix_now() - d->count();
    }
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto events = (*session)->admin.list_audit((*session)->actor, query);
    if (!events) return fail(globals, events.error().message);
    if (globals.json) return print_json(admin::to_json_array(*events));
    for (const auto& e : *events) {
      std::cout << iso_time(e.at) << "  " << e.kind << "  " << e.event << "  " << e.identity;
      if (!e.ip.empty()) std::cout << "  ip=" << e.ip;
      if (!e.detail.empty()) std::cout << "  " << e.detail;
      std::cout << "\n";
    }
  });
}

}  // namespace herald::cli
