// `herald messages ...`: message activity, thin over admin::Admin. search
// lists messages newest first with each recipient's state; show prints one
// message's timeline with the remote servers' replies.
#include <iostream>

#include "herald/admin/json.hpp"
#include "herald/cli/commands.hpp"

namespace herald::cli {

void add_message_commands(CLI::App& app, Globals& globals) {
  auto* cmd = app.add_subcommand("messages", "message activity: what happened to each message");
  cmd->require_subcommand(1);

  struct SearchOptions {
    std::string to, from, account, status, since, until;
    std::size_t limit = 100;
  };
  auto o = std::make_shared<SearchOptions>();
  auto* search = cmd->add_subcommand("search", "find messages (newest first)");
  search->add_option("--to", o->to, "a recipient address");
  search->add_option("--from", o->from, "the envelope sender");
  search->add_option("--account", o->account, "the account it was sent from");
  search->add_option("--status", o->status,
                     "queued, deferred, delivered, bounced, expired, suppressed or partial");
  search->add_option("--since", o->since, "a duration back from now (24h) or a UTC time");
  search->add_option("--until", o->until, "a duration back from now or a UTC time");
  search->add_option("--limit", o->limit, "at most this many, 1-1000 (default 100)");
  search->add_flag("--json", globals.json, "JSON output");
  search->callback([o, &globals] {
    admin::MessageSearch s{o->to, o->from, o->account, o->status, 0, 0, std::nullopt, o->limit};
    const std::int64_t now = admin::unix_now();
    for (auto [text, out, flag] :
         {std::tuple{&o->since, &s.since, "--since"}, std::tuple{&o->until, &s.until, "--until"}}) {
      if (text->empty()) continue;
      auto t = admin::parse_time_bound(*text, now);
      if (!t) return fail(globals, std::string(flag) + ": " + t.error().message);
      *out = *t;
    }
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto found = (*session)->admin.search_messages((*session)->actor, s);
    if (!found) return fail(globals, found.error().message);
    if (globals.json) return print_json(admin::to_json_array(*found));
    for (const auto& m : *found) {
      std::cout << iso_time(m.received_at) << "  " << m.id << "  " << m.status
                << "  account=" << m.account << "  from=<" << m.sender << ">";
      for (const auto& r : m.recipients) std::cout << "  " << r.address << ":" << r.status;
      std::cout << "\n";
    }
    if (found->empty()) std::cout << "No messages match.\n";
  });

  auto id = std::make_shared<std::string>();
  auto* show = cmd->add_subcommand("show", "one message's timeline, with remote replies");
  show->add_option("id", *id, "the queue ID (from search or the 250 reply)")->required();
  show->add_flag("--json", globals.json, "JSON output");
  show->callback([id, &globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto timeline = (*session)->admin.get_message((*session)->actor, *id);
    if (!timeline) return fail(globals, timeline.error().message);
    if (globals.json) return print_json(admin::to_json(*timeline));
    const auto& m = timeline->message;
    std::cout << "Message " << m.id << ": " << m.status << "\n"
              << "  received " << iso_time(m.received_at) << " from " << m.client_ip << " as "
              << m.identity << " (account " << m.account << "), " << m.size << " octets, from=<"
              << m.sender << ">\n";
    for (const auto& r : m.recipients)
      std::cout << "  to " << r.address << ": " << r.status << "\n";
    for (const auto& e : timeline->events) {
      std::cout << admin::rfc3339_ms(e.at_ms) << "  " << e.type;
      if (!e.recipient.empty()) std::cout << "  " << e.recipient;
      if (!e.detail.empty() && e.detail != "{}") std::cout << "  " << e.detail;
      std::cout << "\n";
    }
  });
}

}  // namespace herald::cli
