// `herald audit`: read the audit trail (auth, admin and send events).
#include <chrono>
#include <iostream>
#include <nlohmann/json.hpp>

#include "herald/base/units.hpp"
#include "herald/cli/commands.hpp"
#include "herald/store/store.hpp"

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
    std::int64_t since = 0;
    if (!o->since.empty()) {
      auto d = base::parse_duration(o->since);
      if (!d) return fail(globals, "--since: " + d.error().message);
      since = std::chrono::duration_cast<std::chrono::seconds>(
                  std::chrono::system_clock::now().time_since_epoch())
                  .count() -
              d->count();
    }
    auto store = open_store(globals);
    if (!store) return fail(globals, store.error().message);
    auto events = store->list_audit(since, o->kind, o->limit);
    if (!events) return fail(globals, events.error().message);
    if (globals.json) {
      auto out = nlohmann::json::array();
      for (const auto& e : *events) {
        out.push_back({{"at", iso_time(e.at)},
                       {"kind", e.kind},
                       {"event", e.event},
                       {"identity", e.identity},
                       {"ip", e.ip},
                       {"detail", e.detail}});
      }
      std::cout << out.dump(2) << "\n";
      return;
    }
    for (const auto& e : *events) {
      std::cout << iso_time(e.at) << "  " << e.kind << "  " << e.event << "  " << e.identity;
      if (!e.ip.empty()) std::cout << "  ip=" << e.ip;
      if (!e.detail.empty()) std::cout << "  " << e.detail;
      std::cout << "\n";
    }
  });
}

}  // namespace herald::cli
