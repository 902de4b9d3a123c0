// `herald suppression ...`: the addresses Herald does not send to, thin
// over admin::Admin. A running server sees a change at the next RCPT (the
// policy version moves), so no reload is needed; every change is audited.
#include <iostream>

#include "herald/admin/json.hpp"
#include "herald/cli/commands.hpp"

namespace herald::cli {

void add_suppression_commands(CLI::App& app, Globals& globals) {
  auto* cmd = app.add_subcommand("suppression", "addresses that are not sent to (refused at RCPT)");
  cmd->require_subcommand(1);

  auto* list = cmd->add_subcommand("list", "list suppressed addresses");
  list->add_flag("--json", globals.json, "JSON output");
  list->callback([&globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto rows = (*session)->admin.list_suppressions((*session)->actor);
    if (!rows) return fail(globals, rows.error().message);
    if (globals.json) return print_json(admin::to_json_array(*rows));
    if (rows->empty()) {
      std::cout << "The suppression list is empty.\n";
      return;
    }
    for (const auto& s : *rows) {
      std::cout << s.address << "  " << s.source << "  since " << iso_time(s.created_at);
      if (!s.reason.empty()) std::cout << "  " << s.reason;
      std::cout << "\n";
    }
  });

  struct AddOptions {
    std::string address;
    std::string reason = "added by an administrator";
  };
  auto a = std::make_shared<AddOptions>();
  auto* add = cmd->add_subcommand("add", "stop sending to an address (or change its reason)");
  add->add_option("ADDRESS", a->address, "e.g. bob@example.net")->required();
  add->add_option("--reason", a->reason, "why; quoted to senders whose mail is refused");
  add->callback([a, &globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto change = (*session)->admin.add_suppression((*session)->actor, a->address, a->reason);
    if (!change) return fail(globals, change.error().message);
    std::cout << change->row.address
              << (change->updated ? " was already suppressed; its reason is updated\n"
                                  : " is suppressed: mail to it is refused from now on\n");
  });

  auto address = std::make_shared<std::string>();
  auto* remove = cmd->add_subcommand("remove", "send to an address again");
  remove->add_option("ADDRESS", *address)->required();
  remove->callback([address, &globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto r = (*session)->admin.remove_suppression((*session)->actor, *address);
    if (!r) return fail(globals, r.error().message);
    std::cout << *address << " is no longer suppressed\n";
  });
}

}  // namespace herald::cli
