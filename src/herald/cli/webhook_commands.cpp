// `herald webhook ...`: event webhooks, thin over admin::Admin. add prints
// the signing secret once; test sends one signed test event now and says
// what the receiver answered.
#include <iostream>

#include "herald/admin/json.hpp"
#include "herald/cli/commands.hpp"

namespace herald::cli {

void add_webhook_commands(CLI::App& app, Globals& globals) {
  auto* cmd = app.add_subcommand("webhook", "event webhooks: signed JSON batches over HTTPS");
  cmd->require_subcommand(1);

  auto a = std::make_shared<admin::WebhookInput>();
  auto* add = cmd->add_subcommand("add", "add a webhook (its signing secret is printed once)");
  add->add_option("url", a->url, "https://receiver.example/path")->required();
  add->add_option("--account", a->account, "whose events (its sub-accounts' too)")->required();
  add->add_option("--events", a->events,
                  "delivered, deferred, bounced, expired, suppressed; default: all");
  add->add_flag("--json", globals.json, "JSON output");
  add->callback([a, &globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto created = (*session)->admin.add_webhook((*session)->actor, *a);
    if (!created) return fail(globals, created.error().message);
    if (globals.json) return print_json(admin::to_json(*created));
    std::cout << "Webhook " << created->webhook.id << " added for account " << a->account
              << ". Its signing secret is shown only now:\n\n  " << created->secret
              << "\n\nVerify the Herald-Signature header of each POST with it (docs/api.md).\n";
  });

  auto* list = cmd->add_subcommand("list", "list webhooks (never their secrets)");
  list->add_flag("--json", globals.json, "JSON output");
  list->callback([&globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto hooks = (*session)->admin.list_webhooks((*session)->actor);
    if (!hooks) return fail(globals, hooks.error().message);
    if (globals.json) return print_json(admin::to_json_array(*hooks));
    for (const auto& h : *hooks) {
      const auto j = admin::to_json(h);
      std::cout << h.id << "  account=" << h.account << "  " << h.url
                << "  state=" << j["state"].get<std::string>() << "  pending=" << h.pending
                << (h.last_error.empty() ? "" : "  last_error=" + h.last_error) << "\n";
    }
  });

  auto removed = std::make_shared<std::string>();
  auto* remove = cmd->add_subcommand("remove", "remove a webhook and what it still had to send");
  remove->add_option("id", *removed, "the webhook")->required();
  remove->callback([removed, &globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    if (auto r = (*session)->admin.remove_webhook((*session)->actor, *removed); !r) {
      return fail(globals, r.error().message);
    }
    std::cout << "Webhook " << *removed << " removed.\n";
  });

  auto tested = std::make_shared<std::string>();
  auto* test = cmd->add_subcommand("test", "POST one signed test event now");
  test->add_option("id", *tested, "the webhook")->required();
  test->add_flag("--json", globals.json, "JSON output");
  test->callback([tested, &globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto result = (*session)->admin.test_webhook((*session)->actor, *tested);
    if (!result) return fail(globals, result.error().message);
    if (globals.json) {
      print_json(admin::to_json(*result));
    } else {
      std::cout << "Test event to " << result->webhook << ": " << result->outcome
                << (result->status ? " (HTTP " + std::to_string(result->status) + ")" : "")
                << (result->detail.empty() ? "" : ": " + result->detail) << "\n";
    }
    if (result->outcome != "delivered") globals.exit_code = 1;
  });
}

}  // namespace herald::cli
