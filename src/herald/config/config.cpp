// config::parse_config — herald.toml to a validated Config: every table
// is read through detail::Section (unknown keys are errors), then the
// cross-table rules (listeners need TLS files, OAuth needs [oauth], ...).
#include "herald/config/config.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>

#include "herald/base/cidr.hpp"
#include "herald/config/address.hpp"
#include "herald/config/toml_reader.hpp"

namespace herald::config {
namespace {

namespace fs = std::filesystem;
using detail::Section;
using std::chrono::seconds;

constexpr std::string_view kMechanisms[] = {
    "PLAIN", "LOGIN", "CRAM-MD5", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS", "XOAUTH2", "OAUTHBEARER"};

std::string upper(std::string text) {
  for (auto& c : text) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return text;
}

// The 16 address bytes plus the port: "0.0.0.0:25" and "0.0.0.0:025" or
// "[::1]:25" and "[0::1]:25" must count as the same listener.
std::string endpoint_key(const std::string& host, std::uint16_t port) {
  unsigned char bytes[16] = {};
  if (inet_pton(AF_INET, host.c_str(), bytes) != 1) inet_pton(AF_INET6, host.c_str(), bytes);
  return std::string(reinterpret_cast<const char*>(bytes), sizeof bytes) + ':' +
         std::to_string(port) + (host.find(':') == std::string::npos ? "4" : "6");
}

class Parser {
 public:
  Parser(std::string_view path)
      : diag_(path.empty() ? std::string("<config>") : std::string(path)) {
    config_.path = std::string(path);
    std::error_code ec;
    base_dir_ =
        path.empty() ? fs::current_path(ec) : fs::absolute(fs::path(path), ec).parent_path();
  }

  base::Result<Config> run(const toml::table& root) {
    Section top(diag_, root, "", "the top level");
    top.check_keys({"hostname", "data_dir", "threads"},
                   {"listen", "tls", "auth", "oauth", "store", "limits", "delivery", "dns", "admin",
                    "activity", "webhooks"});
    read_top(top);
    read_listeners(top);
    if (auto* t = table(top, "tls")) read_tls(*t);
    if (auto* t = table(top, "auth")) read_auth(*t);
    if (auto* t = table(top, "oauth")) read_oauth(*t);
    read_store(table(top, "store"));
    if (auto* t = table(top, "limits")) read_limits(*t);
    if (auto* t = table(top, "delivery")) read_delivery(*t);
    if (auto* t = table(top, "dns")) read_dns(*t);
    if (auto* t = table(top, "admin")) read_admin(*t);
    if (auto* t = table(top, "activity")) read_activity(*t);
    if (auto* t = table(top, "webhooks")) read_webhooks(*t);
    validate(root);
    if (!diag_.empty()) return base::make_error(diag_.joined());
    return std::move(config_);
  }

 private:
  // A sub-table of the root, or null (with an error if it is not a table).
  Section* table(Section& top, std::string_view key) {
    const auto* node = top.get(key);
    if (node == nullptr) return nullptr;
    if (!node->is_table()) {
      top.fail(key, fmt::format("must be a table, written [{}] on a line of its own, not {}", key,
                                detail::describe(node->type())));
      return nullptr;
    }
    sections_.push_back(std::make_unique<Section>(diag_, *node->as_table(), std::string(key),
                                                  fmt::format("[{}]", key)));
    return sections_.back().get();
  }

  // Relative paths are relative to the config file, not to the working
  // directory, so that `herald serve` behaves the same wherever it starts.
  std::string resolve(const std::string& path) const {
    fs::path p(path);
    if (p.is_relative()) p = base_dir_ / p;
    return p.lexically_normal().string();
  }

  bool read_path(Section& s, std::string_view key, std::string& out) {
    std::string value;
    if (!s.read_string(key, value)) return false;
    out = resolve(value);
    return true;
  }

  void read_top(Section& top) {
    std::string hostname;
    if (top.read_string("hostname", hostname)) {
      if (is_hostname(hostname)) {
        config_.hostname = hostname;
      } else {
        top.fail("hostname", fmt::format("\"{}\" is not a host name; write the server's fully "
                                         "qualified name, e.g. \"mail.example.com\" (xn-- form "
                                         "for international names)",
                                         hostname));
      }
    }
    std::string data_dir;
    config_.data_dir =
        top.read_string("data_dir", data_dir) ? resolve(data_dir) : resolve(config_.data_dir);
    top.read_int("threads", config_.threads, 0, 1024);
  }

  void read_listeners(Section& top) {
    const auto* node = top.get("listen");
    if (node == nullptr) return;
    if (!node->is_array_of_tables()) {
      top.fail("listen", "must be written as one or more [[listen]] tables (double brackets)");
      return;
    }
    for (const auto& element : *node->as_array()) {
      Section s(diag_, *element.as_table(), "listen", "[[listen]]");
      s.check_keys({"address", "tls", "auth"});
      Listener listener;
      if (!s.read_string("address", listener.address)) {
        if (!s.has("address")) {
          s.fail("address", "is missing; write e.g. address = \"0.0.0.0:587\"");
        }
        continue;
      }
      auto parsed = parse_ip_port(listener.address);
      if (!parsed.ok()) {
        s.fail("address", fmt::format("is wrong: {}", parsed.error().message));
        continue;
      }
      listener.host = parsed->host;
      listener.port = parsed->port;
      // A listener with a wrong value is dropped, so that later checks do
      // not complain about a default the operator never meant.
      const bool tls_ok = !s.has("tls") || s.read_choice("tls", listener.tls,
                                                         {{"starttls", TlsMode::starttls},
                                                          {"implicit", TlsMode::implicit},
                                                          {"none", TlsMode::none}});
      const bool auth_ok = !s.has("auth") || s.read_choice("auth", listener.auth,
                                                           {{"required", AuthMode::required},
                                                            {"optional", AuthMode::optional}});
      if (!tls_ok || !auth_ok) continue;
      config_.listeners.push_back(listener);
      listener_places_.push_back(&element.source());
    }
  }

  void read_tls(Section& s) {
    s.check_keys({"certificate", "private_key", "min_version"});
    tls_place_ = &s.table().source();
    read_path(s, "certificate", config_.tls.certificate);
    read_path(s, "private_key", config_.tls.private_key);
    if (const auto* node = s.get("min_version"); node && node->is_floating_point()) {
      s.fail("min_version", "must be a string: write min_version = \"1.2\" (with quotes)");
    } else {
      s.read_choice("min_version", config_.tls.min_version,
                    {{"1.2", std::string("1.2")}, {"1.3", std::string("1.3")}});
    }
  }

  void read_auth(Section& s) {
    s.check_keys({"mechanisms", "api_key_username", "max_failures_per_ip", "lockout"});
    mechanisms_place_ = &s.where("mechanisms");
    std::vector<std::string> mechanisms;
    if (s.read_string_list("mechanisms", mechanisms)) {
      std::vector<std::string> normalized;
      bool ok = true;
      for (const auto& m : mechanisms) {
        const std::string name = upper(m);
        if (std::find(std::begin(kMechanisms), std::end(kMechanisms), name) ==
            std::end(kMechanisms)) {
          s.fail("mechanisms", fmt::format("lists \"{}\", which Herald does not know; known "
                                           "mechanisms are PLAIN, LOGIN, CRAM-MD5, SCRAM-SHA-256, "
                                           "SCRAM-SHA-256-PLUS, XOAUTH2 and OAUTHBEARER",
                                           m));
          ok = false;
        } else if (std::find(normalized.begin(), normalized.end(), name) != normalized.end()) {
          s.fail("mechanisms", fmt::format("lists {} twice", name));
          ok = false;
        } else {
          normalized.push_back(name);
        }
      }
      if (ok && normalized.empty()) {
        s.fail("mechanisms", "must list at least one mechanism, e.g. [\"PLAIN\", \"LOGIN\"]");
      } else if (ok) {
        config_.auth.mechanisms = std::move(normalized);
      }
    }
    std::string user;
    if (s.read_string("api_key_username", user)) {
      if (std::any_of(user.begin(), user.end(), [](char c) { return c == ' ' || c == '\t'; })) {
        s.fail("api_key_username", "must not contain spaces");
      } else {
        config_.auth.api_key_username = user;
      }
    }
    s.read_int("max_failures_per_ip", config_.auth.max_failures_per_ip, 1, 1'000'000);
    s.read_duration("lockout", config_.auth.lockout);
  }

  void read_oauth(Section& s) {
    s.check_keys({"issuer", "audience", "jwks_file", "jwks_url", "required_scope"});
    oauth_place_ = &s.table().source();
    Oauth& o = config_.oauth;
    s.read_string("issuer", o.issuer);
    s.read_string("audience", o.audience);
    read_path(s, "jwks_file", o.jwks_file);
    if (s.read_string("jwks_url", o.jwks_url)) {
      // Keys fetched over plain HTTP could be swapped by anyone on the path.
      const bool https = o.jwks_url.starts_with("https://");
      // The whole host must be loopback: "http://localhost.evil.example/"
      // starts like one but is not.
      bool loopback = false;
      if (o.jwks_url.starts_with("http://")) {
        std::string_view rest = std::string_view(o.jwks_url).substr(7);
        rest = rest.substr(0, rest.find('/'));
        for (std::string_view host : {"127.0.0.1", "localhost", "[::1]"}) {
          loopback |= rest == host || (rest.starts_with(host) && rest.size() > host.size() &&
                                       rest[host.size()] == ':');
        }
      }
      if (!https && !loopback) {
        s.fail("jwks_url", "must be an https:// URL (plain http:// only on loopback)");
        o.jwks_url.clear();
      }
    }
    s.read_string("required_scope", o.required_scope);
    bool complete = true;
    for (const auto key : {"issuer", "audience"}) {
      if (!s.has(key)) {
        s.fail(key, "is missing; [oauth] needs issuer and audience to check tokens");
        complete = false;
      }
    }
    if (s.has("jwks_file") && s.has("jwks_url")) {
      s.fail("jwks_url", "and jwks_file are both set; keep one of them");
      complete = false;
    } else if (!s.has("jwks_file") && !s.has("jwks_url")) {
      diag_.add(s.table().source(),
                "[oauth] needs jwks_file or jwks_url, where the issuer's signing keys are");
      complete = false;
    }
    if (!complete) o.issuer.clear();
  }

  void read_store(Section* s) {
    config_.store.sqlite_path = (fs::path(config_.data_dir) / "herald.db").string();
    config_.store.url = "sqlite://" + config_.store.sqlite_path;
    if (s == nullptr) return;
    s->check_keys({"url"});
    std::string url;
    if (!s->read_string("url", url)) return;
    if (url.starts_with("postgresql://") || url.starts_with("postgres://")) {
      s->fail("url", "uses PostgreSQL, which is not supported yet; use sqlite:///path/herald.db");
    } else if (!url.starts_with("sqlite://")) {
      s->fail("url", "must start with sqlite://, e.g. \"sqlite:///var/lib/herald/herald.db\"");
    } else if (std::string path = url.substr(9); path.empty() || path.front() != '/') {
      s->fail("url",
              "must hold an absolute path after sqlite:// (three slashes in all), e.g. "
              "\"sqlite:///var/lib/herald/herald.db\"");
    } else {
      config_.store.sqlite_path = fs::path(path).lexically_normal().string();
      config_.store.url = "sqlite://" + config_.store.sqlite_path;
    }
  }

  void read_limits(Section& s) {
    s.check_keys({"max_message_size", "max_recipients", "max_connections", "max_connections_per_ip",
                  "max_errors", "command_timeout", "data_timeout", "max_messages_per_hour_per_ip",
                  "max_recipients_per_hour_per_ip", "min_data_rate", "stress_command_timeout"});
    Limits& l = config_.limits;
    s.read_size("max_message_size", l.max_message_size);
    s.read_int("max_recipients", l.max_recipients, 1, 1'000'000);
    s.read_int("max_connections", l.max_connections, 1, 1'000'000);
    s.read_int("max_connections_per_ip", l.max_connections_per_ip, 1, 1'000'000);
    s.read_int("max_errors", l.max_errors, 1, 1000);
    s.read_duration("command_timeout", l.command_timeout);
    s.read_duration("data_timeout", l.data_timeout);
    s.read_size("min_data_rate", l.min_data_rate);
    s.read_duration("stress_command_timeout", l.stress_command_timeout);
    s.read_int("max_messages_per_hour_per_ip", l.max_messages_per_hour_per_ip, 0, 1'000'000'000);
    s.read_int("max_recipients_per_hour_per_ip", l.max_recipients_per_hour_per_ip, 0,
               1'000'000'000);
  }

  void read_delivery(Section& s) {
    s.check_keys({"mode", "smarthost", "smarthost_user", "smarthost_password_file", "remote_port",
                  "max_queue_lifetime", "retry_schedule", "tls", "ca_file", "mta_sts_port",
                  "hold"});
    Delivery& d = config_.delivery;
    const bool mode_ok = !s.has("mode") || s.read_choice("mode", d.mode,
                                                         {{"mx", DeliveryMode::mx},
                                                          {"smarthost", DeliveryMode::smarthost}});
    if (s.read_string("smarthost", d.smarthost)) {
      auto parsed = parse_host_port(d.smarthost);
      if (!parsed.ok()) {
        s.fail("smarthost", fmt::format("is wrong: {}", parsed.error().message));
      } else {
        d.smarthost_host = parsed->host;
        d.smarthost_port = parsed->port;
      }
    }
    s.read_string("smarthost_user", d.smarthost_user);
    read_path(s, "smarthost_password_file", d.smarthost_password_file);
    s.read_int("remote_port", d.remote_port, 1, 65535);
    s.read_duration("max_queue_lifetime", d.max_queue_lifetime);
    if (s.read_duration_list("retry_schedule", d.retry_schedule) && d.retry_schedule.empty()) {
      s.fail("retry_schedule", "must list at least one delay, e.g. [\"5m\", \"30m\", \"2h\"]");
    }
    s.read_choice(
        "tls", d.tls,
        {{"opportunistic", DeliveryTls::opportunistic}, {"required", DeliveryTls::required}});
    read_path(s, "ca_file", d.ca_file);
    s.read_int("mta_sts_port", d.mta_sts_port, 1, 65535);
    s.read_bool("hold", d.hold);

    if (!mode_ok) return;
    if (d.mode == DeliveryMode::smarthost && !s.has("smarthost")) {
      s.fail("mode", "is \"smarthost\" but no smarthost is set; add smarthost = \"host:port\"");
    }
    if (d.mode == DeliveryMode::smarthost &&
        s.has("smarthost_user") != s.has("smarthost_password_file")) {
      s.fail(s.has("smarthost_user") ? "smarthost_user" : "smarthost_password_file",
             "needs both smarthost_user and smarthost_password_file");
    }
  }

  void read_dns(Section& s) {
    s.check_keys({"resolver", "static", "dnssec"});
    s.read_bool("dnssec", config_.dns.dnssec);
    Dns& d = config_.dns;
    std::string resolver;
    if (s.read_string("resolver", resolver) && resolver != "system") {
      if (is_ip_literal(resolver)) {
        d.resolver = resolver;
        d.resolver_host = resolver;
      } else if (auto parsed = parse_ip_port(resolver); parsed.ok()) {
        d.resolver = resolver;
        d.resolver_host = parsed->host;
        d.resolver_port = parsed->port;
      } else {
        s.fail("resolver",
               "must be \"system\" or the IP address of a recursive resolver, "
               "optionally with a port, e.g. \"127.0.0.1:53\" or \"[::1]:53\"");
      }
    }
    std::vector<std::string> records;
    if (s.read_string_list("static", records)) {
      for (const auto& record : records) {
        // Full RR syntax is for the dns module; catch the obvious slips here.
        std::size_t fields = 0;
        bool in_field = false;
        for (const char c : record) {
          const bool space = c == ' ' || c == '\t';
          if (!space && !in_field) ++fields;
          in_field = !space;
        }
        if (fields < 3) {
          s.fail("static", fmt::format("has \"{}\", which is not a record; write \"NAME TYPE "
                                       "DATA\", e.g. \"mx.example.net. A 127.0.0.1\"",
                                       record));
          return;
        }
      }
      d.static_records = std::move(records);
    }
  }

  void read_admin(Section& s) {
    s.check_keys({"address", "tls", "certificate", "private_key", "allow_ip", "metrics_allow_ip",
                  "max_connections"});
    admin_place_ = &s.where("address");
    Admin& a = config_.admin;
    s.read_bool("tls", a.tls);
    if (read_path(s, "certificate", a.certificate) != read_path(s, "private_key", a.private_key)) {
      s.fail("certificate",
             "and private_key go together: give both (the admin listener's own certificate) or "
             "neither (the [tls] one)");
    }
    for (auto [key, list] :
         {std::pair{"allow_ip", &a.allow_ip}, std::pair{"metrics_allow_ip", &a.metrics_allow_ip}}) {
      if (!s.read_string_list(key, *list)) continue;
      for (const auto& cidr : *list) {
        if (auto c = base::Cidr::parse(cidr); !c) {
          s.fail(key, fmt::format("has \"{}\": {}", cidr, c.error().message));
        }
      }
    }
    s.read_int("max_connections", a.max_connections, 1, 100'000);
    if (!s.read_string("address", config_.admin.address)) return;
    auto parsed = parse_ip_port(config_.admin.address);
    if (!parsed.ok()) {
      s.fail("address", fmt::format("is wrong: {}", parsed.error().message));
      config_.admin.address.clear();
      return;
    }
    config_.admin.host = parsed->host;
    config_.admin.port = parsed->port;
  }

  void read_activity(Section& s) {
    s.check_keys({"retention"});
    // Pruning runs hourly: a shorter retention could not be kept.
    s.read_duration("retention", config_.activity.retention, std::chrono::hours(1));
  }

  void read_webhooks(Section& s) {
    s.check_keys({"allow_private", "ca_file", "min_retry"});
    s.read_bool("allow_private", config_.webhooks.allow_private);
    s.read_duration("min_retry", config_.webhooks.min_retry);
    read_path(s, "ca_file", config_.webhooks.ca_file);
  }

  // Rules that span tables.
  void validate(const toml::table& root) {
    if (config_.listeners.empty() && !root.contains("listen")) {
      diag_.add(
          "no [[listen]] table; add one, e.g. [[listen]] with address = \"0.0.0.0:587\" "
          "and tls = \"starttls\"");
    }
    std::map<std::string, std::size_t> seen;
    for (std::size_t i = 0; i < config_.listeners.size(); ++i) {
      const auto& l = config_.listeners[i];
      const auto [it, fresh] = seen.emplace(endpoint_key(l.host, l.port), i);
      if (!fresh) {
        diag_.add(*listener_places_[i],
                  fmt::format("[[listen]] address \"{}\" is the same as \"{}\" on line {}",
                              l.address, config_.listeners[it->second].address,
                              listener_places_[it->second]->begin.line));
      }
    }
    if (!config_.admin.address.empty() &&
        seen.contains(endpoint_key(config_.admin.host, config_.admin.port))) {
      diag_.add(*admin_place_, fmt::format("address in [admin] \"{}\" is also a [[listen]] address",
                                           config_.admin.address));
    }
    for (std::size_t i = 0; i < config_.listeners.size(); ++i) {
      const auto& l = config_.listeners[i];
      if (l.tls == TlsMode::none) continue;
      if (!config_.tls.certificate.empty() && !config_.tls.private_key.empty()) break;
      diag_.add(tls_place_ != nullptr ? *tls_place_ : *listener_places_[i],
                fmt::format("[[listen]] \"{}\" uses tls = \"{}\", so [tls] must set certificate "
                            "and private_key (PEM files)",
                            l.address, l.tls == TlsMode::starttls ? "starttls" : "implicit"));
      break;
    }
    const auto& m = config_.auth.mechanisms;
    for (const auto name : {"XOAUTH2", "OAUTHBEARER"}) {
      if (std::find(m.begin(), m.end(), name) == m.end() || config_.oauth.enabled()) continue;
      if (oauth_place_ != nullptr) break;  // [oauth] is present and its errors already said why
      const toml::source_region none{};
      diag_.add(mechanisms_place_ != nullptr ? *mechanisms_place_ : none,
                fmt::format("mechanisms in [auth] include {}, which needs an [oauth] table with "
                            "issuer, audience and jwks_file or jwks_url",
                            name));
      break;
    }
  }

  detail::Diagnostics diag_;
  std::vector<std::unique_ptr<Section>> sections_;
  fs::path base_dir_;
  Config config_;
  std::vector<const toml::source_region*> listener_places_;
  const toml::source_region* tls_place_ = nullptr;
  const toml::source_region* oauth_place_ = nullptr;
  const toml::source_region* mechanisms_place_ = nullptr;
  const toml::source_region* admin_place_ = nullptr;
};

}  // namespace

base::Result<Config> parse_config(std::string_view toml_text, std::string_view path) {
  const std::string file = path.empty() ? std::string("<config>") : std::string(path);
  toml::table root;
  try {
    root = toml::parse(toml_text, std::string(file));
  } catch (const toml::parse_error& e) {
    return base::make_error(fmt::format("{}:{}:{}: {}", file, e.source().begin.line,
                                        e.source().begin.column, e.description()));
  }
  return Parser(path).run(root);
}

base::Result<Config> load_config(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) {
    return base::make_error(fmt::format(
        "cannot read config file {}: {}; create one with `herald init` or pass --config FILE", path,
        std::strerror(errno)));
  }
  std::string text;
  char buffer[8192];
  std::size_t n = 0;
  // A config is a few kilobytes; refusing huge files keeps a wrong path
  // (a log, a device) from eating memory.
  constexpr std::size_t kMaxSize = 4 * 1024 * 1024;
  while ((n = std::fread(buffer, 1, sizeof buffer, f)) > 0 && text.size() <= kMaxSize) {
    text.append(buffer, n);
  }
  const bool failed = std::ferror(f) != 0;
  const int error = errno;
  std::fclose(f);
  if (failed) {
    return base::make_error(
        fmt::format("cannot read config file {}: {}", path, std::strerror(error)));
  }
  if (text.size() > kMaxSize) {
    return base::make_error(
        fmt::format("config file {} is larger than 4MiB; is it the right file?", path));
  }
  return parse_config(text, path);
}

base::Result<void> check_files(const Config& config) {
  std::vector<std::pair<std::string_view, const std::string*>> files;
  const bool tls_used = std::any_of(config.listeners.begin(), config.listeners.end(),
                                    [](const Listener& l) { return l.tls != TlsMode::none; });
  if (tls_used || !config.tls.certificate.empty()) {
    files.emplace_back("certificate in [tls]", &config.tls.certificate);
    files.emplace_back("private_key in [tls]", &config.tls.private_key);
  }
  files.emplace_back("jwks_file in [oauth]", &config.oauth.jwks_file);
  files.emplace_back("smarthost_password_file in [delivery]",
                     &config.delivery.smarthost_password_file);
  files.emplace_back("ca_file in [delivery]", &config.delivery.ca_file);
  files.emplace_back("ca_file in [webhooks]", &config.webhooks.ca_file);
  std::string errors;
  for (const auto& [what, path] : files) {
    if (path->empty()) continue;
    if (::access(path->c_str(), R_OK) != 0) {
      if (!errors.empty()) errors += '\n';
      errors += fmt::format("{}: {} \"{}\" cannot be read: {}", config.path, what, *path,
                            std::strerror(errno));
    }
  }
  if (!errors.empty()) return base::make_error(errors);
  return {};
}

std::string find_config_path(const std::string& flag_value) {
  if (!flag_value.empty()) return flag_value;
  if (const char* env = std::getenv("HERALD_CONFIG"); env != nullptr && *env != '\0') return env;
  std::error_code ec;
  if (fs::exists("herald.toml", ec)) return "./herald.toml";
  return "/etc/herald/herald.toml";
}

}  // namespace herald::config
