// `herald account limits NAME [--messages-per-hour N|inherit]
// [--recipients-per-hour N|inherit]`: an account's sending rate limits
// (0 = unlimited, inherit = as its parent). Without options it shows them.
#include <iostream>
#include <nlohmann/json.hpp>

#include "herald/cli/commands.hpp"

namespace herald::cli {
namespace {

struct LimitOption {
  std::optional<std::int64_t> value;
  bool clear = false;
};

base::Result<LimitOption> parse_limit(const std::string& flag, const std::string& text) {
  if (text.empty()) return LimitOption{};
  if (text == "inherit") return LimitOption{std::nullopt, true};
  try {
    std::size_t used = 0;
    long long v = std::stoll(text, &used);
    if (used == text.size() && v >= 0) return LimitOption{v, false};
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
    auto store = open_store(globals);
    if (!store) return fail(globals, store.error().message);
    auto messages = parse_limit("--messages-per-hour", o->messages);
    if (!messages) return fail(globals, messages.error().message);
    auto recipients = parse_limit("--recipients-per-hour", o->recipients);
    if (!recipients) return fail(globals, recipients.error().message);
    if (!o->messages.empty() || !o->recipients.empty()) {
      auto set = store->set_account_limits(o->name, {messages->value, recipients->value},
                                           messages->clear, recipients->clear);
      if (!set) return fail(globals, set.error().message);
      audit_admin(
          *store, "account_limits",
          "account=" + o->name +
              " messages_per_hour=" + (o->messages.empty() ? "unchanged" : o->messages) +
              " recipients_per_hour=" + (o->recipients.empty() ? "unchanged" : o->recipients));
    }
    auto own = store->account_limits(o->name);
    if (!own) return fail(globals, own.error().message);
    auto effective = store->effective_account_limits(o->name);
    if (!effective) return fail(globals, effective.error().message);
    if (globals.json) {
      nlohmann::json j{
          {"account", o->name},
          {"messages_per_hour", *effective->messages_per_hour},
          {"recipients_per_hour", *effective->recipients_per_hour},
          {"own_messages_per_hour", own->messages_per_hour ? nlohmann::json(*own->messages_per_hour)
                                                           : nlohmann::json(nullptr)},
          {"own_recipients_per_hour", own->recipients_per_hour
                                          ? nlohmann::json(*own->recipients_per_hour)
                                          : nlohmann::json(nullptr)}};
      std::cout << j.dump(2) << "\n";
      return;
    }
    std::cout << "account " << o->name << "\n"
              << "  messages per hour:   " << show(effective->messages_per_hour)
              << (own->messages_per_hour ? "" : " (inherited)") << "\n"
              << "  recipients per hour: " << show(effective->recipients_per_hour)
              << (own->recipients_per_hour ? "" : " (inherited)") << "\n"
              << "A running server applies changes to sessions that start afterwards.\n";
  });
}

}  // namespace herald::cli
