#include <pwd.h>
#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <iostream>

#include "herald/auth/password_hash.hpp"
#include "herald/auth/scram.hpp"
#include "herald/cli/commands.hpp"

namespace herald::cli {

base::Result<config::Config> load(const Globals& globals) {
  std::string path = config::find_config_path(globals.config_flag);
  return config::load_config(path);
}

base::Result<store::Store> open_store(Globals& globals) {
  auto config = load(globals);
  if (!config) return config.error();
  return store::Store::open(config->store.sqlite_path);
}

std::string iso_time(std::int64_t unix_seconds) {
  char buf[32];
  std::time_t tt = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

base::Result<PasswordSecrets> password_secrets(std::string& password, const auth::CramKey* cram) {
  auto hash = auth::hash_password(password);
  auto scram = auth::make_scram_keys(password);
  base::Result<std::string> sealed = std::string();
  if (cram != nullptr) sealed = cram->seal(password);
  sodium_memzero(password.data(), password.size());
  if (!hash) return hash.error();
  if (!scram) return scram.error();
  if (!sealed) return sealed.error();
  return PasswordSecrets{std::move(*hash), auth::format_scram_keys(*scram), std::move(*sealed)};
}

base::Result<auth::CramKey> cram_key(const Globals& globals) {
  auto config = load(globals);
  if (!config) return config.error();
  std::error_code ec;
  std::filesystem::create_directories(config->data_dir, ec);
  return auth::CramKey::load_or_create(auth::cram_key_path(config->data_dir));
}

void fail(Globals& globals, const std::string& message) {
  std::cerr << "herald: " << message << "\n";
  globals.exit_code = 1;
}

void audit_admin(store::Store& store, const std::string& event, const std::string& detail) {
  std::string who;
  if (const char* sudo = std::getenv("SUDO_USER"); sudo && *sudo) {
    who = sudo;
  } else if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_name) {
    who = pw->pw_name;
  } else {
    who = "uid " + std::to_string(getuid());
  }
  // The change itself succeeded; an audit failure is reported, not fatal.
  if (auto r = store.add_audit({{0, 0, "admin", event, who, "", detail}}); !r) {
    std::cerr << "herald: warning: could not write the audit trail: " << r.error().message << "\n";
  }
}

namespace {

base::Result<std::string> prompt_hidden(const char* prompt) {
  std::cerr << prompt << std::flush;
  termios old{};
  bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
  if (tty) {
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
  }
  std::string line;
  bool ok = static_cast<bool>(std::getline(std::cin, line));
  if (tty) tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
  std::cerr << "\n";
  if (!ok) return base::make_error("no password given");
  return line;
}

}  // namespace

base::Result<std::string> read_password(bool from_stdin) {
  std::string password;
  if (from_stdin) {
    if (!std::getline(std::cin, password)) {
      return base::make_error("--password-stdin given but standard input is empty");
    }
    if (!password.empty() && password.back() == '\r') password.pop_back();
  } else {
    if (!isatty(STDIN_FILENO)) {
      return base::make_error(
          "no terminal to ask for the password; pipe it in with --password-stdin");
    }
    auto first = prompt_hidden("Password: ");
    if (!first) return first.error();
    auto second = prompt_hidden("Again: ");
    if (!second) return second.error();
    if (*first != *second) return base::make_error("the two passwords differ; nothing changed");
    password = std::move(*first);
  }
  if (password.size() < 8) {
    return base::make_error("the password is shorter than 8 characters; choose a longer one");
  }
  return password;
}

}  // namespace herald::cli
