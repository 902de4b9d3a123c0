// cli — the `herald` subcommands, thin over the modules. Each add_*
// function registers one command group on the CLI11 app; `Globals` carries
// the options every command shares.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "herald/admin/admin.hpp"
#include "herald/base/result.hpp"
#include "herald/config/config.hpp"
#include "herald/store/store.hpp"

namespace herald::cli {

struct Globals {
  std::string config_flag;  // --config
  bool json = false;        // --json
  int exit_code = 0;
};

// Loads the config named by --config / $HERALD_CONFIG / defaults, or
// prints why not (returns nullopt).
base::Result<config::Config> load(const Globals& globals);

// The admin layer over the configured store, acting as the Unix user who
// runs the command. Administrative commands are thin callers of it.
struct AdminSession {
  AdminSession(config::Config c, store::Store s)
      : config(std::move(c)), store(std::move(s)), admin(store, config) {}
  config::Config config;
  store::Store store;
  admin::Admin admin;
  admin::Actor actor = admin::Actor::local_user();
};
base::Result<std::unique_ptr<AdminSession>> open_admin(Globals& globals);

// Prints a JSON value for --json (invalid UTF-8, e.g. in a remote reply
// quoted in a suppression reason, becomes U+FFFD).
void print_json(const nlohmann::json& value);

// "2026-11-23T12:00:00Z" for Unix seconds.
std::string iso_time(std::int64_t unix_seconds);

// Prints "herald: <message>" to stderr and sets a non-zero exit code.
void fail(Globals& globals, const std::string& message);

void add_init_command(CLI::App& app, Globals& globals);
void add_serve_commands(CLI::App& app, Globals& globals);  // serve, check-config
void add_account_commands(CLI::App& app, Globals& globals);
void add_user_commands(CLI::App& app, Globals& globals);
void add_queue_commands(CLI::App& app, Globals& globals);
void add_bench_command(CLI::App& app, Globals& globals);
void add_key_commands(CLI::App& app, Globals& globals);
void add_audit_command(CLI::App& app, Globals& globals);
void add_domain_commands(CLI::App& app, Globals& globals);
// `herald domain verify` (domain_verify_command.cpp).
void add_domain_verify_command(CLI::App& domain, Globals& globals);
void add_send_command(CLI::App& app, Globals& globals);
// `herald account limits` (account_limits_command.cpp).
void add_account_limits_command(CLI::App& account, Globals& globals);
void add_suppression_commands(CLI::App& app, Globals& globals);
void add_admin_token_commands(CLI::App& app, Globals& globals);
void add_admin_user_commands(CLI::App& app, Globals& globals);
void add_message_commands(CLI::App& app, Globals& globals);
void add_webhook_commands(CLI::App& app, Globals& globals);

// Reads a password from stdin (--password-stdin) or the terminal (twice,
// echo off). Trailing newline removed.
base::Result<std::string> read_password(bool from_stdin);

}  // namespace herald::cli
