// `herald queue ...`: read and prune the spool. Works beside a running
// server: it reads committed messages only and never recovers or cleans
// the incoming area (that is the server's job at start-up).
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "herald/admin/json.hpp"
#include "herald/cli/commands.hpp"
#include "herald/spool/message_file.hpp"
#include "herald/spool/spool.hpp"

namespace herald::cli {
namespace {

std::string recipients_text(const spool::Envelope& env) {
  std::string out;
  for (const auto& r : env.recipients) {
    if (!out.empty()) out += ", ";
    out += r.address + " (" + r.state + ")";
  }
  return out;
}

base::Result<std::unique_ptr<spool::Spool>> open_spool(Globals& globals) {
  auto config = load(globals);
  if (!config) return config.error();
  return spool::Spool::open(config->data_dir, {.read_only = true});
}

}  // namespace

void add_queue_commands(CLI::App& app, Globals& globals) {
  auto* queue = app.add_subcommand("queue", "the outbound queue");
  queue->require_subcommand(1);

  auto* list = queue->add_subcommand("list", "list queued messages");
  list->add_flag("--json", globals.json, "JSON output");
  list->callback([&globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto entries = (*session)->admin.list_queue((*session)->actor);
    if (!entries) return fail(globals, entries.error().message);
    if (globals.json) return print_json(admin::to_json_array(*entries));
    for (const auto& e : *entries) {
      std::cout << e.envelope.id << "  " << spool::rfc3339_utc(e.envelope.received_at) << "  "
                << e.size << " bytes  from <" << e.envelope.mail_from << "> to "
                << recipients_text(e.envelope) << "\n";
    }
    if (entries->empty()) std::cout << "queue is empty\n";
  });

  struct ShowOptions {
    std::string id;
    bool raw = false;
  };
  auto show_opts = std::make_shared<ShowOptions>();
  auto* show = queue->add_subcommand("show", "show one message");
  show->add_option("ID", show_opts->id)->required();
  show->add_flag("--json", globals.json, "JSON output");
  show->add_flag("--raw", show_opts->raw,
                 "print the stored message exactly as it will be delivered");
  show->callback([show_opts, &globals] {
    auto spool = open_spool(globals);
    if (!spool) return fail(globals, spool.error().message);
    auto entry = (*spool)->find(show_opts->id);
    if (!entry) return fail(globals, entry.error().message);
    if (show_opts->raw) {
      spool::BodyReader body(entry->body_path, entry->size);
      if (!body.ok()) return fail(globals, body.error());
      std::cout << entry->envelope.prepend_headers;
      char chunk[64 * 1024];
      while (std::size_t n = body.read(chunk, sizeof chunk)) std::cout.write(chunk, n);
      std::cout.flush();
      if (!body.ok()) return fail(globals, body.error());
      return;
    }
    if (globals.json) return print_json(admin::to_json(*entry));
    const auto& env = entry->envelope;
    std::cout << "id:          " << env.id << "\n"
              << "received:    " << spool::rfc3339_utc(env.received_at) << "\n"
              << "from:        <" << env.mail_from << ">\n"
              << "recipients:  " << recipients_text(env) << "\n"
              << "size:        " << entry->size << " bytes\n"
              << "client:      " << env.client_ip << " (" << env.helo << ")\n"
              << "identity:    " << env.auth_identity << " (account " << env.account << ")\n"
              << "dkim:        "
              << (env.dkim_domain.empty() ? "unsigned" : "signed, d=" + env.dkim_domain) << "\n"
              << "tls:         "
              << (env.tls.active ? env.tls.version + " " + env.tls.cipher : "none") << "\n";
    for (const auto& r : env.recipients) {
      std::cout << "recipient:   " << r.address << "  " << r.state;
      if (r.attempts > 0) std::cout << ", " << r.attempts << " attempt(s)";
      if (r.state == "deferred" && r.next_attempt > 0) {
        std::cout << ", next " << spool::rfc3339_utc(r.next_attempt);
      }
      std::cout << "\n";
      if (!r.last_reply.empty()) {
        std::cout << "             " << (r.remote.empty() ? "" : r.remote + ": ") << r.last_reply
                  << "\n";
      }
    }
  });

  auto delete_id = std::make_shared<std::string>();
  auto* del = queue->add_subcommand("delete", "delete a queued message (it will not be delivered)");
  del->add_option("ID", *delete_id)->required();
  del->callback([delete_id, &globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto removed = (*session)->admin.delete_queued((*session)->actor, *delete_id);
    if (!removed) return fail(globals, removed.error().message);
    std::cout << "message " << *delete_id << " deleted\n";
  });

  auto retry_id = std::make_shared<std::string>();
  auto* retry = queue->add_subcommand(
      "retry", "try a deferred message again now (the running server picks it up within a second)");
  retry->add_option("ID", *retry_id)->required();
  retry->callback([retry_id, &globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto requested = (*session)->admin.retry_queued((*session)->actor, *retry_id);
    if (!requested) return fail(globals, requested.error().message);
    std::cout << "message " << *retry_id << " will be retried now\n";
  });

  auto* stats = queue->add_subcommand("stats", "queue size and age");
  stats->add_flag("--json", globals.json, "JSON output");
  stats->callback([&globals] {
    auto spool = open_spool(globals);
    if (!spool) return fail(globals, spool.error().message);
    auto s = (*spool)->stats();
    if (globals.json) {
      std::cout << nlohmann::json{{"count", s.count},
                                  {"bytes", s.total_bytes},
                                  {"oldest_age_seconds", s.oldest_age.count()}}
                       .dump(2)
                << "\n";
      return;
    }
    std::cout << s.count << " messages, " << s.total_bytes << " bytes, oldest "
              << s.oldest_age.count() << " s old\n";
  });
}

}  // namespace herald::cli
