// config::Config — herald.toml parsed into a validated, immutable snapshot.
// Unknown keys are errors with file and line: a typo must never silently
// disable a protection. Reload means parsing a new snapshot.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
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
  std::string certificate;  // absolute paths after parsing
  std::string private_key;
  std::string min_version = "1.2";  // "1.2" or "1.3"
};

struct Auth {
  std::vector<std::string> mechanisms{"PLAIN", "LOGIN"};  // upper case, no duplicates
  std::string api_key_username = "apikey";
  int max_failures_per_ip = 10;
  std::chrono::seconds lockout{15 * 60};
};

struct Store {
  std::string url;          // "sqlite:///abs/path"; default: sqlite://<data_dir>/herald.db
  std::string sqlite_path;  // absolute path of the SQLite database
};

struct Limits {
  std::uint64_t max_message_size = 35u * 1000 * 1000;
  std::size_t max_recipients = 100;
  std::size_t max_connections = 2000;
  std::size_t max_connections_per_ip = 20;
  std::size_t max_errors = 10;
  // Per client IP, 0 = unlimited. Accounts have their own (herald account limits).
  std::uint64_t max_messages_per_hour_per_ip = 0;
  std::uint64_t max_recipients_per_hour_per_ip = 0;
  // A whole command line must arrive within command_timeout of the first
  // moment the server waited for it, however it is trickled.
  std::chrono::seconds command_timeout{5 * 60};
  // Message content: the deadline starts at data_timeout and every octet
  // received moves it 1/min_data_rate s later, never more than
  // data_timeout past the last read (Postfix's smtpd_min_data_rate).
  std::chrono::seconds data_timeout{10 * 60};
  std::uint64_t min_data_rate = 500;  // octets per second; 0: data_timeout per read
  // Near max_connections (80 % in use) the command deadline shrinks to
  // this until the load falls below 70 % (Postfix's stress mode).
  std::chrono::seconds stress_command_timeout{10};
};

// [oauth]: bearer tokens (JWT) for XOAUTH2 / OAUTHBEARER.
struct Oauth {
  std::string issuer;          // compared exactly with the token's "iss"
  std::string audience;        // must appear in the token's "aud"
  std::string jwks_file;       // absolute path, or empty
  std::string jwks_url;        // https URL, or empty; exactly one of the two is set
  std::string required_scope;  // empty: no scope is required
  bool enabled() const { return !issuer.empty(); }
};

enum class DeliveryMode { mx, smarthost };
enum class DeliveryTls { opportunistic, required };

// [delivery]: how queued mail leaves.
struct Delivery {
  DeliveryMode mode = DeliveryMode::mx;
  std::string smarthost;  // "host:port" as written; used only in smarthost mode
  std::string smarthost_host;
  std::uint16_t smarthost_port = 0;
  std::string smarthost_user;           // empty: no AUTH toward the smarthost
  std::string smarthost_password_file;  // absolute path; set with smarthost_user
  std::uint16_t remote_port = 25;       // toward MX hosts
  std::chrono::seconds max_queue_lifetime{5 * 24 * 60 * 60};
  std::vector<std::chrono::seconds> retry_schedule{
      std::chrono::seconds{5 * 60},      std::chrono::seconds{10 * 60},
      std::chrono::seconds{30 * 60},     std::chrono::seconds{60 * 60},
      std::chrono::seconds{2 * 60 * 60}, std::chrono::seconds{4 * 60 * 60}};
  DeliveryTls tls = DeliveryTls::opportunistic;
  // PEM bundle trusted in addition to the system store when verifying MX
  // hosts (MTA-STS, smarthost) and MTA-STS policy servers; absolute path,
  // or empty.
  std::string ca_file;
  // Port of the MTA-STS policy servers (RFC 8461 fixes 443); a testing aid.
  std::uint16_t mta_sts_port = 443;
  // Keep everything queued, deliver nothing (maintenance; the test suite).
  bool hold = false;
};

// [dns]
struct Dns {
  std::string resolver = "system";  // "system" or IP[:port] as written
  std::string resolver_host;        // IP literal when resolver is not "system"
  std::uint16_t resolver_port = 53;
  std::vector<std::string> static_records;  // [dns] static: zone-file lines, consulted first
  // Validate DNSSEC (root trust anchor). Off for a resolver that strips
  // DNSSEC data, which would make every answer bogus.
  bool dnssec = true;
};

// [admin]: HTTP API, console and /metrics. Off unless an address is given.
// [admin]: the HTTPS listener of the admin API and /metrics.
struct Admin {
  std::string address;  // as written; empty = no admin listener
  std::string host;
  std::uint16_t port = 0;
  bool tls = true;  // false only behind a TLS-terminating proxy on loopback
  // Its own certificate; empty: the [tls] one. Reloaded on SIGHUP either way.
  std::string certificate;
  std::string private_key;
  // Nobody else gets a single byte read: checked right after accept.
  std::vector<std::string> allow_ip{"127.0.0.1/32", "::1/128"};
  // /metrics without a token from these (also subject to allow_ip).
  std::vector<std::string> metrics_allow_ip;
  std::size_t max_connections = 64;
};

// [activity]: message activity kept for search (SPEC §9).
struct Activity {
  std::chrono::seconds retention{30 * 24 * 3600};
};

// [webhooks]: event webhooks' sender.
struct Webhooks {
  // Loopback, private and link-local targets (and plain http) are refused
  // unless this is true: for tests and receivers on a private network.
  bool allow_private = false;
  std::string ca_file;  // PEM bundle trusted besides the system CAs
  // The first retry of a failed POST; each further one waits twice as
  // long, at most an hour.
  std::chrono::seconds min_retry{30};
};

struct Config {
  std::string path;  // file it was read from
  std::string hostname = "localhost";
  std::string data_dir = "/var/lib/herald";  // always absolute after parsing
  std::vector<Listener> listeners;
  Tls tls;
  Auth auth;
  Oauth oauth;
  Store store;
  Limits limits;
  Delivery delivery;
  Dns dns;
  Admin admin;
  Activity activity;
  Webhooks webhooks;
  int threads = 0;  // I/O threads; 0 = one per core
};

// Parses and validates. Relative paths are resolved against the directory
// of `path`; `path` also prefixes every error ("herald.toml:12: ...").
// Several errors are returned together, one per line.
base::Result<Config> parse_config(std::string_view toml_text, std::string_view path);
base::Result<Config> load_config(const std::string& path);

// Checks that the files the config names (certificate, private key, JWKS,
// smarthost password) exist and are readable. Kept apart from parsing so
// that parsing stays a pure function of the text; check-config and serve
// call both.
base::Result<void> check_files(const Config& config);

// Resolves --config / $HERALD_CONFIG / ./herald.toml / /etc/herald/herald.toml.
std::string find_config_path(const std::string& flag_value);

// Starter config written by `herald init`.
std::string starter_config(std::string_view hostname, std::string_view data_dir,
                           std::string_view cert_path, std::string_view key_path);

}  // namespace herald::config
