// herald — one binary for the server and its administration. main() only
// wires the subcommands; each lives in its own *_command(s).cpp.
#include <CLI/CLI.hpp>

#include "herald/cli/commands.hpp"

int main(int argc, char** argv) {
  herald::cli::Globals globals;
  CLI::App app{"Herald: authenticated SMTP submission and relay server", "herald"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "herald 0.1.0");
  app.add_option("--config", globals.config_flag,
                 "config file (default: $HERALD_CONFIG, ./herald.toml, /etc/herald/herald.toml)");
  herald::cli::add_init_command(app, globals);
  herald::cli::add_serve_commands(app, globals);
  herald::cli::add_account_commands(app, globals);
  herald::cli::add_user_commands(app, globals);
  herald::cli::add_key_commands(app, globals);
  herald::cli::add_domain_commands(app, globals);
  herald::cli::add_send_command(app, globals);
  herald::cli::add_suppression_commands(app, globals);
  herald::cli::add_audit_command(app, globals);
  herald::cli::add_admin_token_commands(app, globals);
  herald::cli::add_admin_user_commands(app, globals);
  herald::cli::add_message_commands(app, globals);
  herald::cli::add_webhook_commands(app, globals);
  herald::cli::add_queue_commands(app, globals);
  herald::cli::add_bench_command(app, globals);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  return globals.exit_code;
}
