// `herald account limits NAME [--messages-per-hour N|inherit]
// [--recipients-per-hour N|inherit]`: an account's sending rate limits
// (0 = unlimited, inherit = as its parent). Without options it shows them.
#include <iostream>

#include "herald/admin/json.hpp"
#include "herald/cli/commands.hpp"

namespace herald::cli {
namespace {

base::Result<admin::LimitChange> parse_limit(const std::string& flag, const std::string& text) {
  if (text.empty()) return admin::LimitChange{};
  if (text == "inherit") return admin::LimitChange{true, true, 0};
  try {
    std::size_t used = 0;
    long long v = std::stoll(text, &used);
    if (used == text.size() && v >= 0) return admin::LimitChange{true, false, v};
  } catch (const std::exception&) {
  }
  return base::make_error(flag + " " + text +
                          ": give a number per hour (0 = unlimited) or 'inherit'");
}

std::string show(const std::optional<std::int64_t>& v) {
  if (!v) return "inherit";
  return *v == 0 ? "unlimited" : std::to_string(*v);
}

}  // namespace

void add_account_limits_command(CLI::App& account, Globals& globals) {
  struct Options {
    std::string name, messages, recipients;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = account.add_subcommand("limits", "show or set an account's sending rate limits");
  cmd->add_option("name", o->name, "the account")->required();
  cmd->add_option("--messages-per-hour", o->messages, "N (0 = unlimited) or inherit");
  cmd->add_option("--recipients-per-hour", o->recipients, "N (0 = unlimited) or inherit");
  cmd->add_flag("--json", globals.json, "JSON output");
  cmd->callback([o, &globals] {
    auto messages = parse_limit("--messages-per-hour", o->messages);
    if (!messages) return fail(globals, messages.error().message);
    auto recipients = parse_limit("--recipients-per-hour", o->recipients);
    if (!recipients) return fail(globals, recipients.error().message);
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto& s = **session;
    auto limits = s.admin.set_account_limits(s.actor, o->name, *messages, *recipients);
    if (!limits) return fail(globals, limits.error().message);
    if (globals.json) return print_json(admin::to_json(*limits));
    std::cout << "account " << o->name << "\n"
              << "  messages per hour:   " << show(limits->effective.messages_per_hour)
              << (limits->own.messages_per_hour ? "" : " (inherited)") << "\n"
              << "  recipients per hour: " << show(limits->effective.recipients_per_hour)
              << (limits->own.recipients_per_hour ? "" : " (inherited)") << "\n"
              << "A running server applies changes to sessions that start afterwards.\n";
  });
}

}  // namespace herald::cli
