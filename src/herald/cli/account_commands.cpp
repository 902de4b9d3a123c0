// `herald account ...` and `herald user ...`: accounts and SMTP logins,
// thin over admin::Admin. Passwords are read here, hashed by the admin
// layer and never printed.

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "herald/admin/json.hpp"
#include "herald/auth/cram_key.hpp"
#include "herald/cli/commands.hpp"

namespace herald::cli {
namespace {

// --mechanisms: the password mechanisms a login may use. PLAIN, LOGIN and
// SCRAM-SHA-256 need no secret beyond the hash and keys every login has,
// so they are always on; CRAM-MD5 needs a password-equivalent secret and
// is stored only when named here. Returns whether CRAM-MD5 was named.
base::Result<bool> wants_cram_md5(const std::vector<std::string>& mechanisms) {
  bool cram = false;
  for (std::string m : mechanisms) {
    for (char& c : m) {
      if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    }
    if (m == auth::kCramMd5) {
      cram = true;
    } else if (m != "PLAIN" && m != "LOGIN" && m != "SCRAM-SHA-256") {
      return base::make_error("--mechanisms " + m +
                              ": choose from PLAIN, LOGIN, SCRAM-SHA-256 (always on for a "
                              "password) and CRAM-MD5 (opt-in)");
    }
  }
  return cram;
}

}  // namespace

void add_account_commands(CLI::App& app, Globals& globals) {
  auto* account = app.add_subcommand("account", "accounts and sub-accounts (mail streams)");
  account->require_subcommand(1);

  struct AddOptions {
    std::string name;
    std::string parent;
  };
  auto add_opts = std::make_shared<AddOptions>();
  auto* add = account->add_subcommand("add", "create an account");
  add->add_option("NAME", add_opts->name, "account name ([a-z0-9._-])")->required();
  add->add_option("--parent", add_opts->parent, "parent account (makes this a sub-account)");
  add->callback([add_opts, &globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    admin::AccountInput input{add_opts->name, std::nullopt};
    if (!add_opts->parent.empty()) input.parent = add_opts->parent;
    auto added = (*session)->admin.add_account((*session)->actor, input);
    if (!added) return fail(globals, added.error().message);
    std::cout << "account " << added->name << " added\n";
  });

  auto* list = account->add_subcommand("list", "list accounts");
  list->add_flag("--json", globals.json, "JSON output");
  list->callback([&globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto accounts = (*session)->admin.list_accounts((*session)->actor);
    if (!accounts) return fail(globals, accounts.error().message);
    if (globals.json) return print_json(admin::to_json_array(*accounts));
    for (const auto& a : *accounts) {
      std::cout << a.name;
      if (a.parent) std::cout << "  (sub-account of " << *a.parent << ")";
      std::cout << "\n";
    }
  });

  struct RemoveOptions {
    std::string name;
    bool force = false;
  };
  auto remove_opts = std::make_shared<RemoveOptions>();
  auto* remove = account->add_subcommand(
      "remove", "remove an account (with --force: and its logins, API keys and domains)");
  remove->add_option("NAME", remove_opts->name)->required();
  remove->add_flag("--force", remove_opts->force,
                   "also delete its logins, API keys, sending domains and DKIM keys");
  remove->callback([remove_opts, &globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto removed =
        (*session)->admin.remove_account((*session)->actor, remove_opts->name, remove_opts->force);
    if (!removed) return fail(globals, removed.error().message);
    std::cout << "account " << remove_opts->name << " removed";
    if (removed->logins + removed->api_keys + removed->domains > 0) {
      std::cout << fmt::format(", with {} login(s), {} API key(s), {} domain(s) and {} DKIM key(s)",
                               removed->logins, removed->api_keys, removed->domains,
                               removed->dkim_key_files.size());
    }
    std::cout << "\n";
    // A key file that could not be deleted was reported on stderr.
    for (const auto& file : removed->dkim_key_files) {
      if (std::filesystem::exists(file)) globals.exit_code = 1;
    }
  });

  add_account_limits_command(*account, globals);
}

void add_user_commands(CLI::App& app, Globals& globals) {
  auto* user = app.add_subcommand("user", "SMTP logins with passwords");
  user->require_subcommand(1);

  struct AddOptions {
    std::string address;
    std::string account;
    bool password_stdin = false;
    std::vector<std::string> mechanisms;
  };
  auto add_opts = std::make_shared<AddOptions>();
  auto* add = user->add_subcommand("add", "create a login");
  add->add_option("ADDRESS", add_opts->address, "login address, also its sender address")
      ->required();
  add->add_option("--account", add_opts->account, "account the login belongs to")->required();
  add->add_flag("--password-stdin", add_opts->password_stdin, "read the password from stdin");
  add->add_option("--mechanisms", add_opts->mechanisms,
                  "CRAM-MD5 to also store a password-equivalent secret for it (off by default; "
                  "PLAIN, LOGIN and SCRAM-SHA-256 are always on)")
      ->delimiter(',');
  add->callback([add_opts, &globals] {
    auto cram = wants_cram_md5(add_opts->mechanisms);
    if (!cram) return fail(globals, cram.error().message);
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto password = read_password(add_opts->password_stdin);
    if (!password) return fail(globals, password.error().message);
    auto added = (*session)->admin.add_login(
        (*session)->actor, {add_opts->address, add_opts->account, std::move(*password), *cram});
    if (!added) return fail(globals, added.error().message);
    std::cout << "login " << added->address << " added to account " << added->account
              << (added->cram_md5 ? " (CRAM-MD5 enabled)" : "") << "\n";
  });

  auto* list = user->add_subcommand("list", "list logins");
  list->add_flag("--json", globals.json, "JSON output");
  list->callback([&globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto logins = (*session)->admin.list_logins((*session)->actor);
    if (!logins) return fail(globals, logins.error().message);
    if (globals.json) return print_json(admin::to_json_array(*logins));
    for (const auto& l : *logins) {
      std::cout << l.address << "  account=" << l.account << (l.cram_md5 ? "  cram-md5" : "")
                << "\n";
    }
  });

  struct PasswdOptions {
    std::string address;
    bool password_stdin = false;
    std::vector<std::string> mechanisms;
  };
  auto passwd_opts = std::make_shared<PasswdOptions>();
  auto* passwd = user->add_subcommand("passwd", "change a login's password");
  passwd->add_option("ADDRESS", passwd_opts->address)->required();
  passwd->add_flag("--password-stdin", passwd_opts->password_stdin, "read the password from stdin");
  passwd
      ->add_option("--mechanisms", passwd_opts->mechanisms,
                   "CRAM-MD5 to keep (or start) CRAM-MD5 with the new password; without it "
                   "the login's CRAM-MD5 secret is removed")
      ->delimiter(',');
  passwd->callback([passwd_opts, &globals] {
    auto cram = wants_cram_md5(passwd_opts->mechanisms);
    if (!cram) return fail(globals, cram.error().message);
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto password = read_password(passwd_opts->password_stdin);
    if (!password) return fail(globals, password.error().message);
    admin::PasswordChange change{*cram};
    auto changed = (*session)->admin.set_password((*session)->actor, passwd_opts->address,
                                                  std::move(*password), change);
    if (!changed) return fail(globals, changed.error().message);
    std::cout << "password of " << passwd_opts->address << " changed";
    if (change.cram_md5) {
      std::cout << " (CRAM-MD5 enabled)";
    } else if (change.had_cram_md5) {
      std::cout << "; CRAM-MD5 is now off for it (add --mechanisms CRAM-MD5 to keep it)";
    }
    std::cout << "\n";
  });

  auto remove_address = std::make_shared<std::string>();
  auto* remove = user->add_subcommand("remove", "remove a login");
  remove->add_option("ADDRESS", *remove_address)->required();
  remove->callback([remove_address, &globals] {
    auto session = open_admin(globals);
    if (!session) return fail(globals, session.error().message);
    auto removed = (*session)->admin.remove_login((*session)->actor, *remove_address);
    if (!removed) return fail(globals, removed.error().message);
    std::cout << "login " << *remove_address << " removed\n";
  });
}

}  // namespace herald::cli
