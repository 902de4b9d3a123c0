// config::starter_config — the commented herald.toml that `herald init`
// writes. It doubles as documentation, so every setting says what it does;
// config_test parses it to keep it in step with the parser.
#include <fmt/format.h>

#include "herald/config/config.hpp"

namespace herald::config {
namespace {

// A TOML basic string: paths may hold quotes, backslashes or non-ASCII.
std::string toml_string(std::string_view text) {
  std::string out = "\"";
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (ch == '"' || ch == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c == 0x7f) {
      out += fmt::format("\\u{:04x}", c);
    } else {
      out += ch;
    }
  }
  return out + "\"";
}

}  // namespace

std::string starter_config(std::string_view hostname, std::string_view data_dir,
                           std::string_view cert_path, std::string_view key_path) {
  return fmt::format(
      R"(# herald.toml: written by `herald init`. Check it with `herald check-config`.
# Durations are strings such as "90s", "15m", "2h", "5d"; sizes such as "35MB".
# Unknown keys are errors, so a typo cannot silently switch a protection off.
# Relative paths are relative to this file.

hostname = {hostname}          # EHLO name and banner; must resolve to this host
data_dir = {data_dir}          # spool, database, keys
# threads = 0                  # I/O threads; 0 = one per CPU core

# One [[listen]] table per listening socket. Addresses are IP literals:
# 0.0.0.0 or [::] for all interfaces, 127.0.0.1 or [::1] for loopback only.
[[listen]]
address = "0.0.0.0:587"        # submission (RFC 6409)
tls = "starttls"               # starttls | implicit | none (AUTH is never offered without TLS)
auth = "required"              # required | optional

[[listen]]
address = "0.0.0.0:465"        # submission over implicit TLS (RFC 8314)
tls = "implicit"
auth = "required"

[tls]
certificate = {cert}           # PEM chain; reloaded on SIGHUP
private_key = {key}
min_version = "1.2"            # "1.2" | "1.3"

[auth]
# Also available: SCRAM-SHA-256, SCRAM-SHA-256-PLUS, CRAM-MD5 (needs a
# password-equivalent secret, enabled per login), XOAUTH2, OAUTHBEARER
# (both need the [oauth] table below).
mechanisms = ["PLAIN", "LOGIN"]
api_key_username = "apikey"    # AUTH with this user name and an API key as password
max_failures_per_ip = 10       # then the IP is refused for `lockout`
lockout = "15m"

# [oauth]                      # bearer tokens (JWT) for XOAUTH2 / OAUTHBEARER
# issuer = "https://login.example.com/"
# audience = "smtp"
# jwks_file = "/etc/herald/jwks.json"   # or jwks_url = "https://..."
# required_scope = "mail.send"

# [store]
# url = "sqlite:///var/lib/herald/herald.db"   # default: herald.db in data_dir

[limits]
max_message_size = "35MB"
max_recipients = 100
max_connections = 2000
max_connections_per_ip = 20
max_errors = 10                # protocol errors before a session is closed
command_timeout = "5m"        # for a whole command line, however slowly it comes
data_timeout = "10m"          # message content: grows by 1 s per min_data_rate octets
min_data_rate = "500B"        # octets per second a client must keep up in DATA/BDAT
stress_command_timeout = "10s"  # command deadline while 80% of max_connections are in use

# [delivery]
# mode = "mx"                  # mx | smarthost
# smarthost = "smtp.upstream.example:587"
# smarthost_user = "apikey"
# smarthost_password_file = "/etc/herald/upstream.secret"
# remote_port = 25             # port used toward MX hosts
# max_queue_lifetime = "5d"
# retry_schedule = ["5m", "10m", "30m", "1h", "2h", "4h"]
# tls = "opportunistic"        # opportunistic | required; MTA-STS and DANE raise it per domain

# [dns]
# resolver = "system"          # system | IP[:port] of a recursive resolver

# [admin]
# address = "127.0.0.1:8025"   # HTTP API, web console, /metrics; off unless set
)",
      fmt::arg("hostname", toml_string(hostname)), fmt::arg("data_dir", toml_string(data_dir)),
      fmt::arg("cert", toml_string(cert_path)), fmt::arg("key", toml_string(key_path)));
}

}  // namespace herald::config
