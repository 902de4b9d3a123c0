// config::Config — herald.toml parsed into a validated, immutable snapshot.
// Unknown keys are errors with file and line: a typo must never silently
// disable a protection. Reload means parsing a new snapshot.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "herald/base/result.hpp"

namespace herald::config {

enum class TlsMode { none, starttls, implicit };
enum class AuthMode { required, optional };

struct Listener {
  std::string address;  // as written, e.g. "127.0.0.1:587" or "[::1]:587"
  std::string host;     // "127.0.0.1" / "::1" / "0.0.0.0"
  std::uint16_t port = 0;
  TlsMode tls = TlsMode::starttls;
  AuthMode auth = AuthMode::required;
};

struct Tls {
  std::string certificate;
  std::string private_key;
  std::string min_version = "1.2";  // "1.2" or "1.3"
};

struct Auth {
  std::vector<std::string> mechanisms{"PLAIN", "LOGIN"};
  std::string api_key_username = "apikey";
  int max_failures_per_ip = 10;
  std::chrono::seconds lockout{15 * 60};
};

struct Store {
  std::string url;  // "sqlite:///path" ; default: sqlite://<data_dir>/herald.db
  std::string sqlite_path;  // resolved path when url is sqlite
};

struct Limits {
  std::uint64_t max_message_size = 35u * 1000 * 1000;
  std::size_t max_recipients = 100;
  std::size_t max_connections = 2000;
  std::size_t max_connections_per_ip = 20;
  std::size_t max_errors = 10;
  std::chrono::seconds command_timeout{5 * 60};
  std::chrono::seconds data_timeout{10 * 60};
};

struct Config {
  std::string path;  // file it was read from
  std::string hostname = "localhost";
  std::string data_dir = "/var/lib/herald";
  std::vector<Listener> listeners;
  Tls tls;
  Auth auth;
  Store store;
  Limits limits;
  int threads = 0;  // I/O threads; 0 = one per core
  // [oauth], [delivery], [dns], [admin] are parsed and validated by their
  // own issues; until then their keys are checked against the SPEC names.
};

base::Result<Config> parse_config(std::string_view toml_text, std::string_view path);
base::Result<Config> load_config(const std::string& path);

// Resolves --config / $HERALD_CONFIG / ./herald.toml / /etc/herald/herald.toml.
std::string find_config_path(const std::string& flag_value);

// Starter config written by `herald init`.
std::string starter_config(std::string_view hostname, std::string_view data_dir,
                           std::string_view cert_path, std::string_view key_path);

}  // namespace herald::config
