// `herald bench`: load generator against any SMTP submission server
// (Herald or another), printing msgs/s and latency percentiles.
#include <iostream>

#include "herald/bench/load_generator.hpp"
#include "herald/cli/commands.hpp"

namespace herald::cli {

void add_bench_command(CLI::App& app, Globals& globals) {
  struct Options {
    bench::Options bench;
    std::string server = "127.0.0.1:587";
    std::string tls = "starttls";
    bool password_stdin = false;
    int hold_seconds = 10;
  };
  auto o = std::make_shared<Options>();
  auto* cmd = app.add_subcommand("bench", "load generator: msgs/s and acceptance latency");
  cmd->add_option("--server", o->server, "HOST:PORT (IP address)");
  cmd->add_option("--sessions", o->bench.sessions, "concurrent sessions (default 16)");
  cmd->add_option("--messages", o->bench.messages, "messages in total (default 1000)");
  cmd->add_option("--per-session", o->bench.messages_per_session,
                  "messages per connection before QUIT (default 1)");
  cmd->add_option("--size", o->bench.size, "message size in bytes (default 10240)");
  cmd->add_option("--tls", o->tls, "starttls, implicit or none")
      ->check(CLI::IsMember({"starttls", "implicit", "none"}));
  cmd->add_option("--user", o->bench.user, "AUTH PLAIN user");
  cmd->add_flag("--password-stdin", o->password_stdin, "read the AUTH password from stdin");
  cmd->add_option("--from", o->bench.from, "MAIL FROM (default: --user)");
  cmd->add_option("--to", o->bench.to, "RCPT TO (default bench@example.net)");
  cmd->add_option("--threads", o->bench.threads, "client threads (default 1)");
  cmd->add_flag("--idle", o->bench.idle,
                "open --sessions connections, hold them idle, send nothing");
  cmd->add_option("--hold", o->hold_seconds, "idle mode: seconds to hold (default 10)");
  cmd->add_flag("--json", globals.json, "JSON output");
  cmd->callback([o, &globals] {
    auto colon = o->server.rfind(':');
    if (colon == std::string::npos) return fail(globals, "--server must be HOST:PORT");
    std::string host = o->server.substr(0, colon);
    if (host.size() > 1 && host.front() == '[' && host.back() == ']')
      host = host.substr(1, host.size() - 2);
    o->bench.host = host;
    try {
      o->bench.port = static_cast<std::uint16_t>(std::stoi(o->server.substr(colon + 1)));
    } catch (...) {
      return fail(globals, "--server must be HOST:PORT");
    }
    o->bench.tls = o->tls == "implicit" ? bench::TlsMode::implicit
                   : o->tls == "none"   ? bench::TlsMode::none
                                        : bench::TlsMode::starttls;
    o->bench.hold = std::chrono::seconds(o->hold_seconds);
    if (o->password_stdin) {
      if (!std::getline(std::cin, o->bench.password)) {
        return fail(globals, "--password-stdin given but standard input is empty");
      }
    }
    if (o->bench.sessions == 0 || o->bench.messages_per_session == 0) {
      return fail(globals, "--sessions and --per-session must be at least 1");
    }
    auto report = bench::run(o->bench);
    if (!report) return fail(globals, report.error().message);
    std::cout << (globals.json ? bench::report_json(o->bench, *report) + "\n"
                               : bench::format_report(o->bench, *report));
    if (report->messages_failed > 0) globals.exit_code = 1;
  });
}

}  // namespace herald::cli
