#include <termios.h>
#include <unistd.h>

#include <ctime>
#include <filesystem>
#include <iostream>

#include "herald/cli/commands.hpp"

namespace herald::cli {

base::Result<config::Config> load(const Globals& globals) {
  std::string path = config::find_config_path(globals.config_flag);
  return config::load_config(path);
}

base::Result<std::unique_ptr<AdminSession>> open_admin(Globals& globals) {
  auto config = load(globals);
  if (!config) return config.error();
  auto store = store::Store::open(config->store.sqlite_path);
  if (!store) return store.error();
  return std::make_unique<AdminSession>(std::move(*config), std::move(*store));
}

void print_json(const nlohmann::json& value) {
  std::cout << value.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

std::string iso_time(std::int64_t unix_seconds) {
  char buf[32];
  std::time_t tt = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

void fail(Globals& globals, const std::string& message) {
  std::cerr << "herald: " << message << "\n";
  globals.exit_code = 1;
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
