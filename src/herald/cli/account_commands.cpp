// `herald account ...` and `herald user ...`: accounts and SMTP logins in
// the store. Passwords go through password_secrets() and are never printed.

#include <iostream>
#include <nlohmann/json.hpp>

#include "herald/cli/commands.hpp"
#include "herald/store/store.hpp"

namespace herald::cli {

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
    auto store = open_store(globals);
    if (!store) return fail(globals, store.error().message);
    std::optional<std::string_view> parent;
    if (!add_opts->parent.empty()) parent = add_opts->parent;
    auto added = store->add_account(add_opts->name, parent);
    if (!added) return fail(globals, added.error().message);
    audit_admin(*store, "account_added",
                "account=" + added->name + (added->parent ? " parent=" + *added->parent : ""));
    std::cout << "account " << added->name << " added\n";
  });

  auto* list = account->add_subcommand("list", "list accounts");
  list->add_flag("--json", globals.json, "JSON output");
  list->callback([&globals] {
    auto store = open_store(globals);
    if (!store) return fail(globals, store.error().message);
    auto accounts = store->list_accounts();
    if (!accounts) return fail(globals, accounts.error().message);
    if (globals.json) {
      auto out = nlohmann::json::array();
      for (const auto& a : *accounts) {
        out.push_back({{"name", a.name},
                       {"parent", a.parent ? nlohmann::json(*a.parent) : nlohmann::json(nullptr)},
                       {"created_at", iso_time(a.created_at)}});
      }
      std::cout << out.dump(2) << "\n";
      return;
    }
    for (const auto& a : *accounts) {
      std::cout << a.name;
      if (a.parent) std::cout << "  (sub-account of " << *a.parent << ")";
      std::cout << "\n";
    }
  });

  auto remove_name = std::make_shared<std::string>();
  auto* remove = account->add_subcommand("remove", "remove an account without logins");
  remove->add_option("NAME", *remove_name)->required();
  remove->callback([remove_name, &globals] {
    auto store = open_store(globals);
    if (!store) return fail(globals, store.error().message);
    auto removed = store->remove_account(*remove_name);
    if (!removed) return fail(globals, removed.error().message);
    audit_admin(*store, "account_removed", "account=" + *remove_name);
    std::cout << "account " << *remove_name << " removed\n";
  });
}

void add_user_commands(CLI::App& app, Globals& globals) {
  auto* user = app.add_subcommand("user", "SMTP logins with passwords");
  user->require_subcommand(1);

  struct AddOptions {
    std::string address;
    std::string account;
    bool password_stdin = false;
  };
  auto add_opts = std::make_shared<AddOptions>();
  auto* add = user->add_subcommand("add", "create a login");
  add->add_option("ADDRESS", add_opts->address, "login address, also its sender address")
      ->required();
  add->add_option("--account", add_opts->account, "account the login belongs to")->required();
  add->add_flag("--password-stdin", add_opts->password_stdin, "read the password from stdin");
  add->callback([add_opts, &globals] {
    auto store = open_store(globals);
    if (!store) return fail(globals, store.error().message);
    auto password = read_password(add_opts->password_stdin);
    if (!password) return fail(globals, password.error().message);
    auto secrets = password_secrets(*password);
    if (!secrets) return fail(globals, secrets.error().message);
    auto added =
        store->add_login(add_opts->address, add_opts->account, secrets->hash, secrets->scram_keys);
    if (!added) return fail(globals, added.error().message);
    audit_admin(*store, "login_added", "login=" + added->address + " account=" + added->account);
    std::cout << "login " << added->address << " added to account " << added->account << "\n";
  });

  auto* list = user->add_subcommand("list", "list logins");
  list->add_flag("--json", globals.json, "JSON output");
  list->callback([&globals] {
    auto store = open_store(globals);
    if (!store) return fail(globals, store.error().message);
    auto logins = store->list_logins();
    if (!logins) return fail(globals, logins.error().message);
    if (globals.json) {
      auto out = nlohmann::json::array();
      for (const auto& l : *logins) {
        out.push_back({{"address", l.address},
                       {"account", l.account},
                       {"created_at", iso_time(l.created_at)},
                       {"password_changed_at", iso_time(l.updated_at)}});
      }
      std::cout << out.dump(2) << "\n";
      return;
    }
    for (const auto& l : *logins) std::cout << l.address << "  account=" << l.account << "\n";
  });

  struct PasswdOptions {
    std::string address;
    bool password_stdin = false;
  };
  auto passwd_opts = std::make_shared<PasswdOptions>();
  auto* passwd = user->add_subcommand("passwd", "change a login's password");
  passwd->add_option("ADDRESS", passwd_opts->address)->required();
  passwd->add_flag("--password-stdin", passwd_opts->password_stdin, "read the password from stdin");
  passwd->callback([passwd_opts, &globals] {
    auto store = open_store(globals);
    if (!store) return fail(globals, store.error().message);
    auto password = read_password(passwd_opts->password_stdin);
    if (!password) return fail(globals, password.error().message);
    auto secrets = password_secrets(*password);
    if (!secrets) return fail(globals, secrets.error().message);
    auto changed =
        store->set_password_hash(passwd_opts->address, secrets->hash, secrets->scram_keys);
    if (!changed) return fail(globals, changed.error().message);
    audit_admin(*store, "password_changed", "login=" + passwd_opts->address);
    std::cout << "password of " << passwd_opts->address << " changed\n";
  });

  auto remove_address = std::make_shared<std::string>();
  auto* remove = user->add_subcommand("remove", "remove a login");
  remove->add_option("ADDRESS", *remove_address)->required();
  remove->callback([remove_address, &globals] {
    auto store = open_store(globals);
    if (!store) return fail(globals, store.error().message);
    auto removed = store->remove_login(*remove_address);
    if (!removed) return fail(globals, removed.error().message);
    audit_admin(*store, "login_removed", "login=" + *remove_address);
    std::cout << "login " << *remove_address << " removed\n";
  });
}

}  // namespace herald::cli
