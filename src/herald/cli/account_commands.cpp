// `herald account ...` and `herald user ...`: accounts and SMTP logins in
// the store. Passwords go through password_secrets() and are never printed.

#include <fmt/format.h>

#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "herald/cli/commands.hpp"
#include "herald/store/store.hpp"

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

// The password's secrets, sealed for CRAM-MD5 when the login opted in.
base::Result<PasswordSecrets> login_secrets(const Globals& globals, std::string& password,
                                            bool cram) {
  if (!cram) return password_secrets(password);
  auto key = cram_key(globals);
  if (!key) return key.error();
  return password_secrets(password, &*key);
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
    auto store = open_store(globals);
    if (!store) return fail(globals, store.error().message);
    auto removed = store->remove_account(remove_opts->name, remove_opts->force);
    if (!removed) return fail(globals, removed.error().message);
    // The rows are gone; the private keys go too (as 'domain remove' does).
    int files_left = 0;
    for (const auto& file : removed->dkim_key_files) {
      std::error_code ec;
      std::filesystem::remove(file, ec);
      if (ec) {
        ++files_left;
        std::cerr << "herald: warning: could not delete DKIM key " << file << ": " << ec.message()
                  << "\n";
      }
    }
    audit_admin(*store, "account_removed",
                fmt::format("account={} logins={} api_keys={} domains={} dkim_keys={}",
                            remove_opts->name, removed->logins, removed->api_keys, removed->domains,
                            removed->dkim_key_files.size()));
    std::cout << "account " << remove_opts->name << " removed";
    if (removed->logins + removed->api_keys + removed->domains > 0) {
      std::cout << fmt::format(", with {} login(s), {} API key(s), {} domain(s) and {} DKIM key(s)",
                               removed->logins, removed->api_keys, removed->domains,
                               removed->dkim_key_files.size());
    }
    std::cout << "\n";
    if (files_left > 0) globals.exit_code = 1;
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
    auto store = open_store(globals);
    if (!store) return fail(globals, store.error().message);
    auto password = read_password(add_opts->password_stdin);
    if (!password) return fail(globals, password.error().message);
    auto secrets = login_secrets(globals, *password, *cram);
    if (!secrets) return fail(globals, secrets.error().message);
    auto added = store->add_login(add_opts->address, add_opts->account, secrets->hash,
                                  secrets->scram_keys, secrets->cram_secret);
    if (!added) return fail(globals, added.error().message);
    audit_admin(*store, "login_added",
                "login=" + added->address + " account=" + added->account +
                    (added->cram_md5 ? " cram_md5=on" : ""));
    std::cout << "login " << added->address << " added to account " << added->account
              << (added->cram_md5 ? " (CRAM-MD5 enabled)" : "") << "\n";
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
                       {"password_changed_at", iso_time(l.updated_at)},
                       {"cram_md5", l.cram_md5}});
      }
      std::cout << out.dump(2) << "\n";
      return;
    }
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
    auto store = open_store(globals);
    if (!store) return fail(globals, store.error().message);
    auto before = store->find_login(passwd_opts->address);
    if (!before) return fail(globals, before.error().message);
    const bool had_cram = *before && !(*before)->cram_secret.empty();
    auto password = read_password(passwd_opts->password_stdin);
    if (!password) return fail(globals, password.error().message);
    auto secrets = login_secrets(globals, *password, *cram);
    if (!secrets) return fail(globals, secrets.error().message);
    auto changed = store->set_password_hash(passwd_opts->address, secrets->hash,
                                            secrets->scram_keys, secrets->cram_secret);
    if (!changed) return fail(globals, changed.error().message);
    audit_admin(*store, "password_changed",
                "login=" + passwd_opts->address + (*cram ? " cram_md5=on" : "") +
                    (had_cram && !*cram ? " cram_md5=off" : ""));
    std::cout << "password of " << passwd_opts->address << " changed";
    if (*cram) {
      std::cout << " (CRAM-MD5 enabled)";
    } else if (had_cram) {
      std::cout << "; CRAM-MD5 is now off for it (add --mechanisms CRAM-MD5 to keep it)";
    }
    std::cout << "\n";
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
