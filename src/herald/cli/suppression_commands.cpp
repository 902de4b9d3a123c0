// `herald suppression ...`: the addresses Herald does not send to. A running
// server sees a change at the next RCPT (it reads the store every time), so
// no reload is needed; every change is in the audit trail.
#include <iostream>
#include <nlohmann/json.hpp>

#include "herald/cli/commands.hpp"
#include "herald/store/store.hpp"

namespace herald::cli {

void add_suppression_commands(CLI::App& app, Globals& globals) {
  auto* cmd = app.add_subcommand("suppression", "addresses that are not sent to (refused at RCPT)");
  cmd->require_subcommand(1);

  auto* list = cmd->add_subcommand("list", "list suppressed addresses");
  list->add_flag("--json", globals.json, "JSON output");
  list->callback([&globals] {
    auto store = open_store(globals);
    if (!store) return fail(globals, store.error().message);
    auto rows = store->list_suppressions();
    if (!rows) return fail(globals, rows.error().message);
    if (globals.json) {
      auto out = nlohmann::json::array();
      for (const auto& s : *rows) {
        out.push_back({{"address", s.address},
                       {"reason", s.reason},
                       {"source", s.source},
                       {"created_at", iso_time(s.created_at)}});
      }
      // A reason copied from a remote reply may hold invalid UTF-8.
      std::cout << out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
      return;
    }
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
    auto store = open_store(globals);
    if (!store) return fail(globals, store.error().message);
    auto before = store->find_suppression(a->address);
    if (!before) return fail(globals, before.error().message);
    auto row = store->add_suppression(a->address, a->reason, "manual");
    if (!row) return fail(globals, row.error().message);
    const bool updated = before->has_value();
    audit_admin(*store, updated ? "suppression_updated" : "suppression_added",
                "address=" + row->address + " reason=" + row->reason);
    std::cout << row->address
              << (updated ? " was already suppressed; its reason is updated\n"
                          : " is suppressed: mail to it is refused from now on\n");
  });

  auto address = std::make_shared<std::string>();
  auto* remove = cmd->add_subcommand("remove", "send to an address again");
  remove->add_option("ADDRESS", *address)->required();
  remove->callback([address, &globals] {
    auto store = open_store(globals);
    if (!store) return fail(globals, store.error().message);
    auto r = store->remove_suppression(*address);
    if (!r) return fail(globals, r.error().message);
    audit_admin(*store, "suppression_removed", "address=" + *address);
    std::cout << *address << " is no longer suppressed\n";
  });
}

}  // namespace herald::cli
