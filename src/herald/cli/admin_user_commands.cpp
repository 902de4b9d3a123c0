// `herald admin-user ...`: people who use the admin API and web console,
// thin over admin::Admin. The CLI acts as an owner (whoever can run it on
// the server can read the store anyway). Passwords are read like SMTP
// logins' (terminal twice, or --password-stdin) and only their hash kept.
#include <iostream>

#include "herald/admin/json.hpp"
#include "herald/cli/commands.hpp"

namespace herald::cli {

void add_admin_user_commands(CLI::App& app, Globals& globals) {
  auto* cmd =
      app.add_subcommand("admin-user", "people who use the admin API and web console (with 2FA)");
  cmd->require_subcommand(1);

  struct AddOptions {
    std::string name, role, account;
    std::vector<std::string> allow_ip;
    bool password_stdin = false;
  };
  auto a = std::make_shared<AddOptions>();
  auto* add = cmd->add_subcommand("add", "add an admin user (asks for a password)");
  add->add_option("name", a->name, "login name, e.g. alice or alice@example.com")->required();
  add->add_option("--role", a->role,
                  "owner, admin (changes everything), account-admin (one account and its "
                  "sub-accounts) or viewer (reads everything)")
      ->required();
  add->add_option("--account", a->account, "the account of an account-admin");
  add->add_option("--allow-ip", a->allow_ip,
                  "networks the user may log in from (CIDR); repeatable; default: any that "
                  "[admin] allow_ip admits");
  add->add_flag("--password-stdin", a->password_stdin, "read the password from stdin");
  add->add_flag("--json", globals.json, "JSON output");
  add->callback([a, &globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto password = read_password(a->password_stdin);
    if (!password) return fail(globals, password.error().message);
    admin::AdminUserInput input{a->name, a->role, std::nullopt, a->allow_ip, std::move(*password)};
    if (!a->account.empty()) input.account = a->account;
    auto added = (*session)->admin.add_admin_user((*session)->actor, std::move(input));
    if (!added) return fail(globals, added.error().message);
    if (globals.json) return print_json(admin::to_json(*added));
    std::cout << "Admin user " << added->name << " added as " << added->role
              << (added->account ? " of account " + *added->account : "")
              << ". At the first console login they enrol a TOTP authenticator.\n";
  });

  auto* list = cmd->add_subcommand("list", "list admin users (never their secrets)");
  list->add_flag("--json", globals.json, "JSON output");
  list->callback([&globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto users = (*session)->admin.list_admin_users((*session)->actor);
    if (!users) return fail(globals, users.error().message);
    if (globals.json) return print_json(admin::to_json_array(*users));
    for (const auto& u : *users) {
      std::cout << u.name << "  role=" << u.role << (u.account ? "  account=" + *u.account : "")
                << "  2fa=" << (u.totp_enabled ? "on" : "not enrolled")
                << "  last_login=" << (u.last_login_at ? iso_time(*u.last_login_at) : "never")
                << "\n";
    }
  });

  auto removed = std::make_shared<std::string>();
  auto* remove = cmd->add_subcommand("remove", "remove an admin user");
  remove->add_option("name", *removed, "the user")->required();
  remove->callback([removed, &globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    if (auto r = (*session)->admin.remove_admin_user((*session)->actor, *removed); !r) {
      return fail(globals, r.error().message);
    }
    std::cout << "Admin user " << *removed << " removed.\n";
  });

  auto reset = std::make_shared<std::string>();
  auto* reset_cmd = cmd->add_subcommand(
      "reset-2fa", "forget a user's TOTP authenticator and recovery codes (they enrol again)");
  reset_cmd->add_option("name", *reset, "the user")->required();
  reset_cmd->callback([reset, &globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    if (auto r = (*session)->admin.reset_admin_user_2fa((*session)->actor, *reset); !r) {
      return fail(globals, r.error().message);
    }
    std::cout << "Second factor of " << *reset
              << " reset: they enrol a new authenticator at their next login.\n";
  });
}

}  // namespace herald::cli
