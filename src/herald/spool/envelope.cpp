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

std::string envelope_to_json(const Envelope& e) {
  nlohmann::ordered_json j;
  j["version"] = 1;
  j["id"] = e.id;
  j["mail_from"] = e.mail_from;
  auto& rcpts = j["recipients"] = nlohmann::ordered_json::array();
  for (const auto& r : e.recipients) {
    nlohmann::ordered_json j_r{{"address", r.address}, {"state", r.state}};
    if (r.attempts) j_r["attempts"] = r.attempts;
    if (r.next_attempt) j_r["next_attempt"] = r.next_attempt;
    if (!r.last_reply.empty()) j_r["last_reply"] = r.last_reply;
    if (!r.remote.empty()) j_r["remote"] = r.remote;
    if (!r.notify.empty()) j_r["notify"] = r.notify;
    if (!r.orcpt.empty()) j_r["orcpt"] = r.orcpt;
    if (r.reported) j_r["reported"] = true;
    rcpts.push_back(std::move(j_r));
  }
  j["received_at"] = e.received_at;
  j["received_at_rfc3339"] = rfc3339_utc(e.received_at);
  j["size"] = e.size;
  j["client_ip"] = e.client_ip;
  j["helo"] = e.helo;
  j["auth_identity"] = e.auth_identity;
  j["account"] = e.account;
  j["body_type"] = e.body_type;
  j["smtputf8"] = e.smtputf8;
  j["requiretls"] = e.requiretls;
  if (!e.dsn_ret.empty()) j["dsn_ret"] = e.dsn_ret;
  if (!e.dsn_envid.empty()) j["dsn_envid"] = e.dsn_envid;
  j["tls"] = {{"active", e.tls.active}, {"version", e.tls.version}, {"cipher", e.tls.cipher}};
  j["prepend_headers"] = e.prepend_headers;
  j["dkim_domain"] = e.dkim_domain;
  // Addresses may be UTF-8 (SMTPUTF8); replace rather than throw on bad
  // bytes so a hostile client cannot make the commit fail after DATA.
  return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
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
