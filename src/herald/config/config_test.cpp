// Tests for config::parse_config and friends: the SPEC §3 example, one
// test per class of error (with its file:line), path resolution, the
// search order of find_config_path, and the starter config.
#include "herald/config/config.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace herald::config {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

constexpr const char* kPath = "/etc/herald/herald.toml";

// A minimal valid config; tests append tables to it.
constexpr const char* kMinimal = R"(hostname = "mail.example.com"
[[listen]]
address = "127.0.0.1:2525"
tls = "none"
)";

std::string error_of(std::string_view text, std::string_view path = kPath) {
  auto r = parse_config(text, path);
  if (r.ok()) return "<parsed fine>";
  return r.error().message;
}

#define EXPECT_CONTAINS(haystack, needle) \
  EXPECT_NE(std::string(haystack).find(needle), std::string::npos) << (haystack)

TEST(ParseConfig, SpecExample) {
  const char* text = R"(hostname = "mail.example.com"          # EHLO name and banner
data_dir = "/var/lib/herald"           # spool, database, keys

[[listen]]                             # one table per listener
address = "0.0.0.0:587"
tls = "starttls"                       # starttls | implicit | none
auth = "required"                      # required | optional

[[listen]]
address = "0.0.0.0:465"
tls = "implicit"
auth = "required"

[tls]
certificate = "/etc/herald/cert.pem"   # reloaded on SIGHUP
private_key = "/etc/herald/key.pem"
min_version = "1.2"

[auth]
mechanisms = ["PLAIN", "LOGIN", "SCRAM-SHA-256", "CRAM-MD5", "XOAUTH2", "OAUTHBEARER"]
api_key_username = "apikey"            # AUTH with this user name and an API key as password
max_failures_per_ip = 10               # then the IP is refused for `lockout`
lockout = "15m"

[oauth]                                # XOAUTH2 / OAUTHBEARER bearer tokens (JWT)
issuer = "https://login.example.com/"
audience = "smtp"
jwks_file = "/etc/herald/jwks.json"    # or jwks_url
required_scope = "mail.send"

[store]
url = "sqlite:///var/lib/herald/herald.db"

[limits]
max_message_size = "35MB"
max_recipients = 100
max_connections = 2000
max_connections_per_ip = 20
command_timeout = "5m"
data_timeout = "10m"

[delivery]
mode = "mx"                            # mx | smarthost
smarthost = "smtp.upstream.example:587"
smarthost_user = "apikey"
smarthost_password_file = "/etc/herald/upstream.secret"
remote_port = 25                       # port used toward MX hosts
max_queue_lifetime = "5d"
retry_schedule = ["5m", "10m", "30m", "1h", "2h", "4h"]
tls = "opportunistic"                  # opportunistic | required

[dns]
resolver = "system"                    # system | IP[:port] of a recursive resolver
static = ["example.net. MX 10 mx.example.net.", "mx.example.net. A 127.0.0.1"]

[admin]
address = "127.0.0.1:8025"             # HTTP API, web console, /metrics
)";
  auto r = parse_config(text, kPath);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Config& c = *r;
  EXPECT_EQ(c.path, kPath);
  EXPECT_EQ(c.hostname, "mail.example.com");
  EXPECT_EQ(c.data_dir, "/var/lib/herald");
  ASSERT_EQ(c.listeners.size(), 2u);
  EXPECT_EQ(c.listeners[0].address, "0.0.0.0:587");
  EXPECT_EQ(c.listeners[0].host, "0.0.0.0");
  EXPECT_EQ(c.listeners[0].port, 587);
  EXPECT_EQ(c.listeners[0].tls, TlsMode::starttls);
  EXPECT_EQ(c.listeners[0].auth, AuthMode::required);
  EXPECT_EQ(c.listeners[1].port, 465);
  EXPECT_EQ(c.listeners[1].tls, TlsMode::implicit);
  EXPECT_EQ(c.tls.certificate, "/etc/herald/cert.pem");
  EXPECT_EQ(c.tls.private_key, "/etc/herald/key.pem");
  EXPECT_EQ(c.tls.min_version, "1.2");
  EXPECT_EQ(c.auth.mechanisms.size(), 6u);
  EXPECT_EQ(c.auth.api_key_username, "apikey");
  EXPECT_EQ(c.auth.max_failures_per_ip, 10);
  EXPECT_EQ(c.auth.lockout, seconds{900});
  EXPECT_TRUE(c.oauth.enabled());
  EXPECT_EQ(c.oauth.issuer, "https://login.example.com/");
  EXPECT_EQ(c.oauth.audience, "smtp");
  EXPECT_EQ(c.oauth.jwks_file, "/etc/herald/jwks.json");
  EXPECT_EQ(c.oauth.required_scope, "mail.send");
  EXPECT_EQ(c.store.url, "sqlite:///var/lib/herald/herald.db");
  EXPECT_EQ(c.store.sqlite_path, "/var/lib/herald/herald.db");
  EXPECT_EQ(c.limits.max_message_size, 35'000'000u);
  EXPECT_EQ(c.limits.max_recipients, 100u);
  EXPECT_EQ(c.limits.max_connections, 2000u);
  EXPECT_EQ(c.limits.max_connections_per_ip, 20u);
  EXPECT_EQ(c.limits.command_timeout, seconds{300});
  EXPECT_EQ(c.limits.data_timeout, seconds{600});
  EXPECT_EQ(c.limits.min_data_rate, 500u);
  EXPECT_EQ(c.limits.stress_command_timeout, seconds{10});
  EXPECT_EQ(c.delivery.mode, DeliveryMode::mx);
  EXPECT_EQ(c.delivery.smarthost_host, "smtp.upstream.example");
  EXPECT_EQ(c.delivery.smarthost_port, 587);
  EXPECT_EQ(c.delivery.smarthost_password_file, "/etc/herald/upstream.secret");
  EXPECT_EQ(c.delivery.remote_port, 25);
  EXPECT_EQ(c.delivery.max_queue_lifetime, seconds{5 * 86400});
  ASSERT_EQ(c.delivery.retry_schedule.size(), 6u);
  EXPECT_EQ(c.delivery.retry_schedule[3], seconds{3600});
  EXPECT_EQ(c.delivery.tls, DeliveryTls::opportunistic);
  EXPECT_EQ(c.dns.resolver, "system");
  EXPECT_EQ(c.dns.static_records.size(), 2u);
  EXPECT_EQ(c.admin.host, "127.0.0.1");
  EXPECT_EQ(c.admin.port, 8025);
}

TEST(ParseConfig, DefaultsFromMinimalConfig) {
  auto r = parse_config(kMinimal, kPath);
  ASSERT_TRUE(r.ok()) << r.error().message;
  const Config& c = *r;
  const Limits defaults;
  EXPECT_EQ(c.limits.max_message_size, defaults.max_message_size);
  EXPECT_EQ(c.limits.max_errors, 10u);
  EXPECT_EQ(c.auth.mechanisms, (std::vector<std::string>{"PLAIN", "LOGIN"}));
  EXPECT_EQ(c.data_dir, "/var/lib/herald");
  EXPECT_EQ(c.store.sqlite_path, "/var/lib/herald/herald.db");
  EXPECT_EQ(c.store.url, "sqlite:///var/lib/herald/herald.db");
  EXPECT_EQ(c.delivery.retry_schedule.size(), 6u);
  EXPECT_TRUE(c.admin.address.empty());
  EXPECT_FALSE(c.oauth.enabled());
  EXPECT_EQ(c.threads, 0);
  EXPECT_EQ(c.listeners[0].auth, AuthMode::required);
}

TEST(ParseConfig, DataRateAndStressDeadline) {
  auto r = parse_config(std::string(kMinimal) +
                            "[limits]\nmin_data_rate = \"2KB\"\nstress_command_timeout = \"3s\"\n",
                        kPath);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->limits.min_data_rate, 2000u);
  EXPECT_EQ(r->limits.stress_command_timeout, std::chrono::seconds{3});
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[limits]\nmin_data_rate = \"fast\"\n"),
                  "min_data_rate");
}

TEST(ParseConfig, UnknownKeyHasLineAndSuggestion) {
  const std::string text = std::string(kMinimal) + "[limits]\nmax_recipient = 5\n";
  const auto e = error_of(text);
  EXPECT_CONTAINS(e, "/etc/herald/herald.toml:6: unknown key 'max_recipient' in [limits]");
  EXPECT_CONTAINS(e, "known keys are: max_message_size, max_recipients");
  EXPECT_CONTAINS(e, "did you mean 'max_recipients'?");
}

TEST(ParseConfig, UnknownKeyInListenerAndTopLevel) {
  const auto e =
      error_of("hostnme = \"x\"\n[[listen]]\naddress = \"127.0.0.1:25\"\ntsl = \"none\"\n");
  EXPECT_CONTAINS(e, "herald.toml:1: unknown key 'hostnme' at the top level");
  EXPECT_CONTAINS(e, "did you mean 'hostname'?");
  EXPECT_CONTAINS(e, "herald.toml:4: unknown key 'tsl' in [[listen]]");
}

TEST(ParseConfig, UnknownTable) {
  const std::string text = std::string(kMinimal) + "\n[limit]\nmax_recipients = 5\n";
  const auto e = error_of(text);
  EXPECT_CONTAINS(e, "herald.toml:6: unknown table [limit]; known tables are: [[listen]], [tls]");
  EXPECT_CONTAINS(e, "did you mean 'limits'?");
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[limits.extra]\nx = 1\n"),
                  "unknown table [limits.extra]");
}

TEST(ParseConfig, WrongTypes) {
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[limits]\nmax_recipients = \"100\"\n"),
                  "herald.toml:6: max_recipients in [limits] must be an integer, not a string");
  EXPECT_CONTAINS(
      error_of("hostname = 5\n[[listen]]\naddress = \"127.0.0.1:25\"\ntls = \"none\"\n"),
      "herald.toml:1: hostname must be a string, not an integer");
  EXPECT_CONTAINS(error_of("[[listen]]\naddress = \"127.0.0.1:25\"\ntls = \"yes\"\n"),
                  "herald.toml:3: tls in [[listen]] must be \"starttls\", \"implicit\" or "
                  "\"none\", not \"yes\"");
  EXPECT_CONTAINS(error_of("limits = 5\n" + std::string(kMinimal)),
                  "herald.toml:1: limits must be a table");
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[auth]\nmechanisms = \"PLAIN\"\n"),
                  "mechanisms in [auth] must be a list, not a string");
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[auth]\nmechanisms = [\"PLAIN\", 1]\n"),
                  "herald.toml:6: mechanisms in [auth]: item 2 must be a string");
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[tls]\nmin_version = 1.2\n"),
                  "write min_version = \"1.2\" (with quotes)");
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[limits]\nmax_connections = -1\n"),
                  "max_connections in [limits] must be from 1 to 1000000, not -1");
  EXPECT_CONTAINS(error_of("listen = { address = \"127.0.0.1:25\" }\n"),
                  "listen must be written as one or more [[listen]] tables");
}

TEST(ParseConfig, BadDuration) {
  EXPECT_CONTAINS(
      error_of(std::string(kMinimal) + "[limits]\ncommand_timeout = \"5x\"\n"),
      "herald.toml:6: command_timeout in [limits] is wrong: \"5x\" is not a duration; write a "
      "number followed by s, m, h or d (e.g. \"15m\")");
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[limits]\ndata_timeout = 300\n"),
                  "data_timeout in [limits] must be a string with a unit");
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[auth]\nlockout = \"0s\"\n"),
                  "lockout in [auth] must be at least 1s");
  EXPECT_CONTAINS(
      error_of(std::string(kMinimal) + "[delivery]\nretry_schedule = [\"5m\", \"1y\"]\n"),
      "retry_schedule in [delivery]: item 2 is wrong: \"1y\" is not a duration");
}

TEST(ParseConfig, BadSize) {
  EXPECT_CONTAINS(
      error_of(std::string(kMinimal) + "[limits]\nmax_message_size = \"35 MiBs\"\n"),
      "herald.toml:6: max_message_size in [limits] is wrong: \"35 MiBs\" is not a size");
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[limits]\nmax_message_size = 0\n"),
                  "must be at least 1B");
  auto r = parse_config(std::string(kMinimal) + "[limits]\nmax_message_size = 1048576\n", kPath);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->limits.max_message_size, 1048576u);
}

TEST(ParseConfig, BadListenerAddress) {
  const auto with = [](std::string_view address) {
    return error_of("hostname = \"mx.example\"\n[[listen]]\naddress = \"" + std::string(address) +
                    "\"\ntls = \"none\"\n");
  };
  EXPECT_CONTAINS(with("localhost:587"), "herald.toml:3: address in [[listen]] is wrong");
  EXPECT_CONTAINS(with("localhost:587"), "must be an IP address");
  EXPECT_CONTAINS(with("127.0.0.1"), "the port is missing");
  EXPECT_CONTAINS(with("127.0.0.1:0"), "the port must be a number from 1 to 65535");
  EXPECT_CONTAINS(with("127.0.0.1:65536"), "the port must be a number from 1 to 65535");
  EXPECT_CONTAINS(with("::1:587"), "brackets");
  EXPECT_CONTAINS(error_of("hostname = \"mx.example\"\n[[listen]]\ntls = \"none\"\n"),
                  "address in [[listen]] is missing");
}

TEST(ParseConfig, Ipv6Listener) {
  auto r = parse_config(
      "[[listen]]\naddress = \"[::1]:2525\"\ntls = \"none\"\nauth = \"optional\"\n", kPath);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->listeners[0].address, "[::1]:2525");
  EXPECT_EQ(r->listeners[0].host, "::1");
  EXPECT_EQ(r->listeners[0].port, 2525);
  EXPECT_EQ(r->listeners[0].auth, AuthMode::optional);
}

TEST(ParseConfig, TlsListenerNeedsTlsFiles) {
  const char* text = "[[listen]]\naddress = \"0.0.0.0:587\"\n";  // tls defaults to starttls
  EXPECT_CONTAINS(
      error_of(text),
      "herald.toml:1: [[listen]] \"0.0.0.0:587\" uses tls = \"starttls\", so [tls] must "
      "set certificate and private_key");
  EXPECT_CONTAINS(error_of(std::string(text) + "[tls]\ncertificate = \"/c.pem\"\n"),
                  "herald.toml:3: [[listen]] \"0.0.0.0:587\" uses tls = \"starttls\"");
  EXPECT_TRUE(parse_config(std::string(text) + "[tls]\ncertificate = \"/c.pem\"\nprivate_key = "
                                               "\"/k.pem\"\n",
                           kPath)
                  .ok());
  // Plain listeners need no certificate (AUTH is never offered there).
  EXPECT_TRUE(parse_config(kMinimal, kPath).ok());
}

TEST(ParseConfig, DuplicateListener) {
  const char* text = R"([[listen]]
address = "127.0.0.1:2525"
tls = "none"
[[listen]]
address = "[::1]:2526"
tls = "none"
[[listen]]
address = "[0:0::1]:2526"
tls = "none"
)";
  EXPECT_CONTAINS(
      error_of(text),
      "herald.toml:7: [[listen]] address \"[0:0::1]:2526\" is the same as \"[::1]:2526\" "
      "on line 4");
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[admin]\naddress = \"127.0.0.1:2525\"\n"),
                  "address in [admin] \"127.0.0.1:2525\" is also a [[listen]] address");
}

TEST(ParseConfig, NoListener) {
  EXPECT_CONTAINS(error_of("hostname = \"mx.example\"\n"),
                  "/etc/herald/herald.toml: no [[listen]] table");
}

TEST(ParseConfig, RelativePathsResolveAgainstConfigDirectory) {
  const char* text = R"(data_dir = "data"
[[listen]]
address = "127.0.0.1:465"
tls = "implicit"
[tls]
certificate = "certs/../certs/cert.pem"
private_key = "/abs/key.pem"
[oauth]
issuer = "https://id.example/"
audience = "smtp"
jwks_file = "jwks.json"
)";
  auto r = parse_config(text, "/srv/herald/herald.toml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->data_dir, "/srv/herald/data");
  EXPECT_EQ(r->tls.certificate, "/srv/herald/certs/cert.pem");
  EXPECT_EQ(r->tls.private_key, "/abs/key.pem");
  EXPECT_EQ(r->oauth.jwks_file, "/srv/herald/jwks.json");
  EXPECT_EQ(r->store.sqlite_path, "/srv/herald/data/herald.db");
  EXPECT_EQ(r->store.url, "sqlite:///srv/herald/data/herald.db");

  // A relative config path is made absolute from the working directory.
  auto relative = parse_config("data_dir = \"d\"\n" + std::string(kMinimal), "conf/herald.toml");
  ASSERT_TRUE(relative.ok()) << relative.error().message;
  EXPECT_EQ(relative->data_dir, (fs::current_path() / "conf/d").string());
}

TEST(ParseConfig, Store) {
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[store]\nurl = \"postgresql://u@h/db\"\n"),
                  "not supported yet");
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[store]\nurl = \"sqlite://herald.db\"\n"),
                  "three slashes");
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[store]\nurl = \"mysql://x\"\n"),
                  "must start with sqlite://");
  auto r = parse_config(std::string(kMinimal) + "[store]\nurl = \"sqlite:///db//h.db\"\n", kPath);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->store.sqlite_path, "/db/h.db");
}

TEST(ParseConfig, AuthAndOauth) {
  auto r = parse_config(
      std::string(kMinimal) + "[auth]\nmechanisms = [\"plain\", \"SCRAM-SHA-256\"]\n", kPath);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->auth.mechanisms, (std::vector<std::string>{"PLAIN", "SCRAM-SHA-256"}));
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[auth]\nmechanisms = [\"PLAIN\", \"NTLM\"]\n"),
                  "lists \"NTLM\", which Herald does not know");
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[auth]\nmechanisms = [\"PLAIN\", \"plain\"]\n"),
                  "lists PLAIN twice");
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[auth]\nmechanisms = []\n"),
                  "must list at least one mechanism");
  EXPECT_CONTAINS(
      error_of(std::string(kMinimal) + "[auth]\nmechanisms = [\"XOAUTH2\"]\n"),
      "herald.toml:6: mechanisms in [auth] include XOAUTH2, which needs an [oauth] table");
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[oauth]\nissuer = \"i\"\naudience = \"a\"\n"),
                  "[oauth] needs jwks_file or jwks_url");
  EXPECT_CONTAINS(
      error_of(std::string(kMinimal) +
               "[oauth]\nissuer = \"i\"\naudience = \"a\"\njwks_url = \"http://idp/k\"\n"),
      "must be an https:// URL");
  EXPECT_CONTAINS(
      error_of(std::string(kMinimal) +
               "[oauth]\nissuer = \"i\"\njwks_url = \"https://idp/k\"\njwks_file = \"/k\"\n"),
      "audience in [oauth] is missing");
}

TEST(ParseConfig, DeliveryDnsAdmin) {
  auto r = parse_config(std::string(kMinimal) + R"([delivery]
mode = "smarthost"
smarthost = "[2001:db8::25]:2525"
smarthost_user = "u"
smarthost_password_file = "secret"
tls = "required"
[dns]
resolver = "127.0.0.53"
[admin]
address = "[::1]:8025"
)",
                        "/srv/h/herald.toml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->delivery.mode, DeliveryMode::smarthost);
  EXPECT_EQ(r->delivery.smarthost_host, "2001:db8::25");
  EXPECT_EQ(r->delivery.smarthost_port, 2525);
  EXPECT_EQ(r->delivery.smarthost_password_file, "/srv/h/secret");
  EXPECT_EQ(r->delivery.tls, DeliveryTls::required);
  EXPECT_EQ(r->dns.resolver_host, "127.0.0.53");
  EXPECT_EQ(r->dns.resolver_port, 53);
  EXPECT_EQ(r->admin.host, "::1");

  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[delivery]\nmode = \"smarthost\"\n"),
                  "no smarthost is set");
  EXPECT_CONTAINS(error_of(std::string(kMinimal) +
                           "[delivery]\nmode = \"smarthost\"\nsmarthost = \"s.example:25\"\n"
                           "smarthost_user = \"u\"\n"),
                  "needs both smarthost_user and smarthost_password_file");
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[delivery]\nremote_port = 0\n"),
                  "remote_port in [delivery] must be from 1 to 65535");
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[delivery]\nretry_schedule = []\n"),
                  "must list at least one delay");
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[dns]\nresolver = \"dns.google\"\n"),
                  "must be \"system\" or the IP address");
  auto port = parse_config(std::string(kMinimal) + "[dns]\nresolver = \"[::1]:5353\"\n", kPath);
  ASSERT_TRUE(port.ok()) << port.error().message;
  EXPECT_EQ(port->dns.resolver_port, 5353);
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[dns]\nstatic = [\"example.net. MX\"]\n"),
                  "which is not a record");
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[admin]\naddress = \"localhost:8025\"\n"),
                  "address in [admin] is wrong");
}

TEST(ParseConfig, HostnameAndStrings) {
  EXPECT_CONTAINS(
      error_of("hostname = \"\"\n[[listen]]\naddress = \"127.0.0.1:25\"\ntls = \"none\"\n"),
      "hostname must not be empty");
  EXPECT_CONTAINS(
      error_of(
          "hostname = \"mail example\"\n[[listen]]\naddress = \"127.0.0.1:25\"\ntls = \"none\"\n"),
      "is not a host name");
  EXPECT_CONTAINS(
      error_of(
          "hostname = \"a\\r\\n250 x\"\n[[listen]]\naddress = \"127.0.0.1:25\"\ntls = \"none\"\n"),
      "must not contain control characters");
}

TEST(ParseConfig, TomlSyntaxErrorHasLineAndColumn) {
  const auto e = error_of("hostname = \"x\"\n[[listen]\n");
  EXPECT_EQ(e.rfind("/etc/herald/herald.toml:2:", 0), 0u) << e;
  EXPECT_CONTAINS(error_of("a = 1\na = 2\n"), "herald.toml:2:");
}

TEST(ParseConfig, ReportsAllErrorsAtOnce) {
  const auto e = error_of(std::string(kMinimal) + "[limits]\nmax_recipients = \"x\"\nfoo = 1\n");
  EXPECT_CONTAINS(e, "herald.toml:6:");
  EXPECT_CONTAINS(e, "\n/etc/herald/herald.toml:7:");
}

class TempDir : public ::testing::Test {
 protected:
  void SetUp() override {
    char pattern[] = "/tmp/herald-config-test-XXXXXX";
    ASSERT_NE(mkdtemp(pattern), nullptr);
    dir_ = pattern;
    old_cwd_ = fs::current_path();
  }
  void TearDown() override {
    fs::current_path(old_cwd_);
    unsetenv("HERALD_CONFIG");
    fs::remove_all(dir_);
  }
  void write(const fs::path& path, std::string_view text) { std::ofstream(path) << text; }
  fs::path dir_;
  fs::path old_cwd_;
};

TEST_F(TempDir, FindConfigPath) {
  fs::current_path(dir_);
  unsetenv("HERALD_CONFIG");
  EXPECT_EQ(find_config_path(""), "/etc/herald/herald.toml");
  write(dir_ / "herald.toml", kMinimal);
  EXPECT_EQ(find_config_path(""), "./herald.toml");
  setenv("HERALD_CONFIG", "/from/env.toml", 1);
  EXPECT_EQ(find_config_path(""), "/from/env.toml");
  EXPECT_EQ(find_config_path("/from/flag.toml"), "/from/flag.toml");
  setenv("HERALD_CONFIG", "", 1);
  EXPECT_EQ(find_config_path(""), "./herald.toml");
}

TEST_F(TempDir, LoadConfigAndCheckFiles) {
  auto missing = load_config((dir_ / "nope.toml").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_CONTAINS(missing.error().message, "No such file or directory");
  EXPECT_CONTAINS(missing.error().message, "herald init");

  const auto path = (dir_ / "herald.toml").string();
  write(path,
        "[[listen]]\naddress = \"127.0.0.1:465\"\ntls = \"implicit\"\n"
        "[tls]\ncertificate = \"cert.pem\"\nprivate_key = \"key.pem\"\n");
  auto r = load_config(path);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->tls.certificate, (dir_ / "cert.pem").string());
  auto files = check_files(*r);
  ASSERT_FALSE(files.ok());
  EXPECT_CONTAINS(files.error().message, "certificate in [tls]");
  EXPECT_CONTAINS(files.error().message, "private_key in [tls]");
  write(dir_ / "cert.pem", "x");
  write(dir_ / "key.pem", "x");
  EXPECT_TRUE(check_files(*r).ok());
}

// [delivery] ca_file and mta_sts_port (outbound TLS policy).
TEST(ParseConfig, DeliveryCaFileAndMtaStsPort) {
  auto defaults = parse_config(kMinimal, kPath);
  ASSERT_TRUE(defaults.ok()) << defaults.error().message;
  EXPECT_EQ(defaults->delivery.ca_file, "");
  EXPECT_EQ(defaults->delivery.mta_sts_port, 443);

  auto r = parse_config(
      std::string(kMinimal) + "[delivery]\nca_file = \"certs/ca.pem\"\nmta_sts_port = 8443\n",
      "/srv/h/herald.toml");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->delivery.ca_file, "/srv/h/certs/ca.pem");
  EXPECT_EQ(r->delivery.mta_sts_port, 8443);

  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[delivery]\nmta_sts_port = 0\n"),
                  "mta_sts_port in [delivery] must be from 1 to 65535");
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[delivery]\nca_file = 5\n"), "ca_file");
  // Still no unknown keys.
  EXPECT_CONTAINS(error_of(std::string(kMinimal) + "[delivery]\nca_files = \"x\"\n"), "ca_files");
}

TEST_F(TempDir, DeliveryCaFileIsChecked) {
  const auto path = (dir_ / "herald.toml").string();
  write(path, std::string(kMinimal) + "[delivery]\nca_file = \"ca.pem\"\n");
  auto r = load_config(path);
  ASSERT_TRUE(r.ok()) << r.error().message;
  auto files = check_files(*r);
  ASSERT_FALSE(files.ok());
  EXPECT_CONTAINS(files.error().message, "ca_file in [delivery]");
  write(dir_ / "ca.pem", "x");
  EXPECT_TRUE(check_files(*r).ok());
}

TEST(StarterConfig, ParsesWithDefaults) {
  const auto text = starter_config("mail.example.org", "/var/lib/herald", "/etc/herald/cert.pem",
                                   "/etc/herald/key \"1\".pem");
  auto r = parse_config(text, "/etc/herald/herald.toml");
  ASSERT_TRUE(r.ok()) << r.error().message << "\n" << text;
  EXPECT_EQ(r->hostname, "mail.example.org");
  ASSERT_EQ(r->listeners.size(), 2u);
  EXPECT_EQ(r->listeners[0].address, "0.0.0.0:587");
  EXPECT_EQ(r->listeners[0].tls, TlsMode::starttls);
  EXPECT_EQ(r->listeners[1].address, "0.0.0.0:465");
  EXPECT_EQ(r->listeners[1].tls, TlsMode::implicit);
  EXPECT_EQ(r->listeners[1].auth, AuthMode::required);
  EXPECT_EQ(r->tls.private_key, "/etc/herald/key \"1\".pem");
  EXPECT_EQ(r->auth.mechanisms, (std::vector<std::string>{"PLAIN", "LOGIN"}));
  const Limits defaults;
  EXPECT_EQ(r->limits.max_message_size, defaults.max_message_size);
  EXPECT_EQ(r->limits.command_timeout, defaults.command_timeout);
  EXPECT_EQ(r->limits.data_timeout, defaults.data_timeout);
  EXPECT_EQ(r->limits.min_data_rate, defaults.min_data_rate);
  EXPECT_EQ(r->limits.stress_command_timeout, defaults.stress_command_timeout);
  EXPECT_EQ(r->limits.max_connections_per_ip, defaults.max_connections_per_ip);
}

}  // namespace
}  // namespace herald::config
