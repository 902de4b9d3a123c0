// spool::Envelope — JSON form of the per-message envelope file (ID.json).
// Only conversion lives here; reading and writing files is Spool's job.

#include "herald/spool/envelope.hpp"

#include <ctime>
#include <nlohmann/json.hpp>

#include "herald/spool/id_generator.hpp"

namespace herald::spool {

std::string rfc3339_utc(std::int64_t unix_seconds) {
  std::time_t t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  char buf[32];
  std::size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return std::string(buf, n);
}

namespace {

// Written by hand rather than through a JSON library's object model: the
// envelope is serialized on the I/O thread for every message accepted, and
// building an ordered_json object cost 2-3% of the server's CPU (see
// docs/performance.md). The output is the same pretty form (two-space
// indent, one key per line) so ID.json stays readable.
class JsonWriter {
 public:
  std::string take() { return std::move(out_); }

  void open(char bracket) {
    out_ += bracket;
    ++depth_;
    first_ = true;
  }
  void close(char bracket) {
    --depth_;
    if (!first_) newline();
    out_ += bracket;
    first_ = false;
  }
  // The next member of an object.
  void key(std::string_view name) {
    item();
    string(name);
    out_ += ": ";
  }
  // The next element of an array.
  void item() {
    if (!first_) out_ += ',';
    newline();
    first_ = false;
  }
  void string(std::string_view s) {
    out_ += '"';
    std::size_t i = 0;
    while (i < s.size()) {
      const auto c = static_cast<unsigned char>(s[i]);
      if (c >= 0x80) {
        // Addresses may be UTF-8 (SMTPUTF8); a byte that does not start a
        // well-formed sequence becomes U+FFFD rather than failing, so a
        // hostile client cannot make the commit fail after DATA.
        const std::size_t n = utf8_length(s.substr(i));
        if (n == 0) {
          out_ += "\xEF\xBF\xBD";
          ++i;
        } else {
          out_.append(s.substr(i, n));
          i += n;
        }
        continue;
      }
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case '\b':
          out_ += "\\b";
          break;
        case '\f':
          out_ += "\\f";
          break;
        case '\n':
          out_ += "\\n";
          break;
        case '\r':
          out_ += "\\r";
          break;
        case '\t':
          out_ += "\\t";
          break;
        default:
          if (c < 0x20) {
            static constexpr char kHex[] = "0123456789abcdef";
            out_ += "\\u00";
            out_ += kHex[c >> 4];
            out_ += kHex[c & 0xf];
          } else {
            out_ += static_cast<char>(c);
          }
      }
      ++i;
    }
    out_ += '"';
  }
  void number(std::int64_t v) { out_ += std::to_string(v); }
  void unsigned_number(std::uint64_t v) { out_ += std::to_string(v); }
  void boolean(bool v) { out_ += v ? "true" : "false"; }

  void field(std::string_view name, std::string_view v) {
    key(name);
    string(v);
  }

 private:
  void newline() {
    out_ += '\n';
    out_.append(2 * static_cast<std::size_t>(depth_), ' ');
  }
  // Octets of the well-formed UTF-8 sequence starting `s`, or 0.
  static std::size_t utf8_length(std::string_view s) {
    const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
    const auto cont = [&](std::size_t k) { return k < s.size() && (b(k) & 0xc0) == 0x80; };
    const unsigned char c = b(0);
    if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
    if (c >= 0xe0 && c <= 0xef) {
      if (!cont(1) || !cont(2)) return 0;
      if (c == 0xe0 && b(1) < 0xa0) return 0;   // overlong
      if (c == 0xed && b(1) >= 0xa0) return 0;  // surrogates
      return 3;
    }
    if (c >= 0xf0 && c <= 0xf4) {
      if (!cont(1) || !cont(2) || !cont(3)) return 0;
      if (c == 0xf0 && b(1) < 0x90) return 0;   // overlong
      if (c == 0xf4 && b(1) >= 0x90) return 0;  // above U+10FFFF
      return 4;
    }
    return 0;
  }

  std::string out_;
  int depth_ = 0;
  bool first_ = true;
};

}  // namespace

std::string envelope_to_json(const Envelope& e) {
  JsonWriter w;
  w.open('{');
  w.key("version");
  w.number(1);
  w.field("id", e.id);
  w.field("mail_from", e.mail_from);
  w.key("recipients");
  w.open('[');
  for (const auto& r : e.recipients) {
    w.item();
    w.open('{');
    w.field("address", r.address);
    w.field("state", r.state);
    if (r.attempts) {
      w.key("attempts");
      w.number(r.attempts);
    }
    if (r.next_attempt) {
      w.key("next_attempt");
      w.number(r.next_attempt);
    }
    if (!r.last_reply.empty()) w.field("last_reply", r.last_reply);
    if (r.reply_from_remote) {
      w.key("reply_from_remote");
      w.boolean(true);
    }
    if (!r.remote.empty()) w.field("remote", r.remote);
    if (!r.notify.empty()) w.field("notify", r.notify);
    if (!r.orcpt.empty()) w.field("orcpt", r.orcpt);
    if (r.reported) {
      w.key("reported");
      w.boolean(true);
    }
    w.close('}');
  }
  w.close(']');
  w.key("received_at");
  w.number(e.received_at);
  w.field("received_at_rfc3339", rfc3339_utc(e.received_at));
  w.key("size");
  w.unsigned_number(e.size);
  w.field("client_ip", e.client_ip);
  w.field("helo", e.helo);
  w.field("auth_identity", e.auth_identity);
  w.field("account", e.account);
  w.field("body_type", e.body_type);
  w.key("smtputf8");
  w.boolean(e.smtputf8);
  w.key("requiretls");
  w.boolean(e.requiretls);
  if (!e.dsn_ret.empty()) w.field("dsn_ret", e.dsn_ret);
  if (!e.dsn_envid.empty()) w.field("dsn_envid", e.dsn_envid);
  w.key("tls");
  w.open('{');
  w.key("active");
  w.boolean(e.tls.active);
  w.field("version", e.tls.version);
  w.field("cipher", e.tls.cipher);
  w.close('}');
  w.field("prepend_headers", e.prepend_headers);
  w.field("dkim_domain", e.dkim_domain);
  w.close('}');
  return w.take() + "\n";
}

base::Result<Envelope> envelope_from_json(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || !j.is_object()) {
    return base::make_error("the envelope is not a JSON object");
  }
  try {
    Envelope e;
    e.id = j.at("id").get<std::string>();
    if (!IdGenerator::valid(e.id)) {
      return base::make_error("the envelope's id \"" + e.id + "\" is not a valid queue ID");
    }
    e.mail_from = j.at("mail_from").get<std::string>();
    for (const auto& r : j.at("recipients")) {
      Recipient rc;
      rc.address = r.at("address").get<std::string>();
      rc.state = r.value("state", std::string("queued"));
      rc.attempts = r.value("attempts", 0);
      rc.next_attempt = r.value("next_attempt", std::int64_t{0});
      rc.last_reply = r.value("last_reply", std::string());
      rc.reply_from_remote = r.value("reply_from_remote", false);
      rc.remote = r.value("remote", std::string());
      rc.notify = r.value("notify", std::string());
      rc.orcpt = r.value("orcpt", std::string());
      rc.reported = r.value("reported", false);
      e.recipients.push_back(std::move(rc));
    }
    e.received_at = j.at("received_at").get<std::int64_t>();
    e.size = j.at("size").get<std::uint64_t>();
    e.client_ip = j.value("client_ip", std::string());
    e.helo = j.value("helo", std::string());
    e.auth_identity = j.value("auth_identity", std::string());
    e.account = j.value("account", std::string());
    e.body_type = j.value("body_type", std::string("7BIT"));
    e.smtputf8 = j.value("smtputf8", false);
    e.requiretls = j.value("requiretls", false);
    e.dsn_ret = j.value("dsn_ret", std::string());
    e.dsn_envid = j.value("dsn_envid", std::string());
    e.prepend_headers = j.value("prepend_headers", std::string());
    e.dkim_domain = j.value("dkim_domain", std::string());
    if (auto tls = j.find("tls"); tls != j.end() && tls->is_object()) {
      e.tls.active = tls->value("active", false);
      e.tls.version = tls->value("version", std::string());
      e.tls.cipher = tls->value("cipher", std::string());
    }
    return e;
  } catch (const nlohmann::json::exception& ex) {
    return base::make_error(std::string("the envelope is malformed: ") + ex.what());
  }
}

}  // namespace herald::spool
