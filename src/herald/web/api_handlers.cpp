// web::Api handlers: decode the request (path parameters, query, strict
// JSON body), call admin::Admin, encode its typed result. Nothing here
// decides policy; a handler that returns a problem changed nothing.
#include "herald/web/api_handlers.hpp"

#include <algorithm>

#include "herald/admin/json.hpp"
#include "herald/base/base64.hpp"
#include "herald/base/units.hpp"
#include "herald/http/json_body.hpp"
#include "herald/http/problem.hpp"
#include "herald/web/api.hpp"

namespace herald::web::handlers {
namespace {

using http::Response;

const std::string& param(const Call& call, std::string_view name) {
  static const std::string empty;
  const std::string* v = call.match.param(name);
  return v ? *v : empty;
}

const std::string* query(const Call& call, std::string_view key) {
  for (const auto& [k, v] : call.query) {
    if (k == key) return &v;
  }
  return nullptr;
}

Response invalid(std::string_view detail) {
  return http::problem(400, "Bad Request", detail, "invalid-request");
}

// The body as a strict JSON object; a problem when it is not one.
std::variant<http::JsonObject, Response> body_of(const Call& call) {
  if (auto wrong = http::check_json_content_type(call.request.header("content-type"))) {
    return http::from_body_error(*wrong);
  }
  auto parsed = http::JsonObject::parse(call.request.body);
  if (!parsed) return http::from_body_error(parsed.error());
  return std::move(*parsed);
}

// Cursors are base64url (no padding) of a key: opaque to clients.
std::string encode_cursor(const std::string& key) {
  std::string b64 = base::base64_encode(key);
  std::replace(b64.begin(), b64.end(), '+', '-');
  std::replace(b64.begin(), b64.end(), '/', '_');
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return b64;
}

std::optional<std::string> decode_cursor(std::string b64) {
  std::replace(b64.begin(), b64.end(), '-', '+');
  std::replace(b64.begin(), b64.end(), '_', '/');
  while (b64.size() % 4 != 0) b64 += '=';
  auto decoded = base::base64_decode(b64);
  if (!decoded) return std::nullopt;
  return std::move(*decoded);
}

// ?limit=1..1000 (default 100), or a problem.
std::variant<std::size_t, Response> limit_of(const Call& call) {
  const auto* l = query(call, "limit");
  if (!l) return std::size_t{100};
  const bool digits =
      !l->empty() && l->size() <= 4 &&
      std::all_of(l->begin(), l->end(), [](char c) { return c >= '0' && c <= '9'; });
  const std::uint64_t n = digits ? std::stoull(*l) : 0;
  if (!digits || n < 1 || n > 1000) return invalid("limit must be a number from 1 to 1000");
  return static_cast<std::size_t>(n);
}

// Cursor pagination over a list already sorted by `key_of`: ?limit=1..1000
// (default 100) and ?cursor= from the previous page's next_cursor (the
// last key returned, base64url; opaque to clients).
template <class T, class Key>
Response page(const Call& call, const std::vector<T>& items, Key key_of) {
  auto limit_or = limit_of(call);
  if (auto* p = std::get_if<Response>(&limit_or)) return *p;
  const std::size_t limit = std::get<std::size_t>(limit_or);
  std::size_t start = 0;
  if (const auto* c = query(call, "cursor")) {
    auto after = decode_cursor(*c);
    if (!after) return invalid("cursor is not one this API gave out; start again without it");
    while (start < items.size() && key_of(items[start]) <= *after) ++start;
  }
  auto out = nlohmann::json::array();
  std::size_t i = start;
  for (; i < items.size() && out.size() < limit; ++i) out.push_back(admin::to_json(items[i]));
  nlohmann::json next = nullptr;
  if (i < items.size() && i > start) next = encode_cursor(key_of(items[i - 1]));
  return http::json_response(200, {{"items", std::move(out)}, {"next_cursor", next}});
}

template <class T>
Response reply(int status, const base::Result<T>& r) {
  if (!r) return problem_from(r.error());
  return http::json_response(status, admin::to_json(*r));
}

Response reply_empty(const base::Result<void>& r) {
  if (!r) return problem_from(r.error());
  return http::empty_response(204);
}

// Reads an optional duration field ("90d") as seconds.
std::variant<std::optional<std::int64_t>, Response> duration_field(http::JsonObject& body,
                                                                   std::string_view key) {
  auto text = body.optional_string(key);
  if (!text) return http::from_body_error(text.error());
  if (!*text) return std::optional<std::int64_t>();
  auto d = base::parse_duration(**text);
  if (!d) return invalid(std::string(key) + ": " + d.error().message);
  return std::optional<std::int64_t>(d->count());
}

#define HERALD_BODY(var)                                     \
  auto var##_or = body_of(call);                             \
  if (auto* p = std::get_if<Response>(&var##_or)) return *p; \
  auto& var = std::get<http::JsonObject>(var##_or)

#define HERALD_FIELD(var, expr)                                \
  auto var##_r = (expr);                                       \
  if (!var##_r) return http::from_body_error(var##_r.error()); \
  auto var = std::move(*var##_r)

#define HERALD_FINISH(body) \
  if (auto e = (body).finish()) return http::from_body_error(*e)

}  // namespace

// -- accounts ---------------------------------------------------------------

Response list_accounts(admin::Admin& admin, const Call& call) {
  auto r = admin.list_accounts(call.actor);
  if (!r) return problem_from(r.error());
  return page(call, *r, [](const store::Account& a) { return a.name; });
}

Response create_account(admin::Admin& admin, const Call& call) {
  HERALD_BODY(body);
  HERALD_FIELD(name, body.required_string("name"));
  HERALD_FIELD(parent, body.optional_string("parent"));
  HERALD_FINISH(body);
  return reply(201, admin.add_account(call.actor, {name, parent}));
}

Response get_account(admin::Admin& admin, const Call& call) {
  auto account = admin.get_account(call.actor, param(call, "name"));
  if (!account) return problem_from(account.error());
  auto limits = admin.account_limits(call.actor, account->name);
  if (!limits) return problem_from(limits.error());
  auto j = admin::to_json(*account);
  j["limits"] = admin::to_json(*limits);
  return http::json_response(200, j);
}

Response update_account(admin::Admin& admin, const Call& call) {
  HERALD_BODY(body);
  // Each limit is a number per hour (0 = unlimited) or "inherit", a union
  // the typed getters do not cover: checked here, unknown keys included.
  static constexpr const char* kKeys[2] = {"messages_per_hour", "recipients_per_hour"};
  for (const auto& [key, value] : body.json().items()) {
    if (key != kKeys[0] && key != kKeys[1]) {
      return invalid("unknown field \"" + key +
                     "\"; known fields: messages_per_hour, recipients_per_hour");
    }
  }
  admin::LimitChange changes[2];
  for (int i = 0; i < 2; ++i) {
    if (!body.json().contains(kKeys[i])) continue;
    const auto& v = body.json()[kKeys[i]];
    if (v.is_string() && v.get<std::string>() == "inherit") {
      changes[i] = {true, true, 0};
    } else if (v.is_number_integer() && v.get<std::int64_t>() >= 0) {
      changes[i] = {true, false, v.get<std::int64_t>()};
    } else {
      return invalid(std::string(kKeys[i]) +
                     " must be a number per hour (0 = unlimited) or \"inherit\"");
    }
  }
  auto limits = admin.set_account_limits(call.actor, param(call, "name"), changes[0], changes[1]);
  if (!limits) return problem_from(limits.error());
  return get_account(admin, call);
}

Response delete_account(admin::Admin& admin, const Call& call) {
  bool force = false;
  if (const auto* f = query(call, "force")) {
    if (*f != "true" && *f != "false") return invalid("force must be true or false");
    force = *f == "true";
  }
  auto removed = admin.remove_account(call.actor, param(call, "name"), force);
  if (!removed) return problem_from(removed.error());
  return http::empty_response(204);
}

// -- logins -----------------------------------------------------------------

Response list_logins(admin::Admin& admin, const Call& call) {
  auto r = admin.list_logins(call.actor);
  if (!r) return problem_from(r.error());
  return page(call, *r, [](const store::Login& l) { return l.address; });
}

namespace {

// "mechanisms": ["CRAM-MD5"] turns CRAM-MD5 on; PLAIN, LOGIN and
// SCRAM-SHA-256 are always on and may be listed.
std::variant<bool, Response> cram_from(http::JsonObject& body) {
  auto mechanisms = body.optional_string_list("mechanisms");
  if (!mechanisms) return http::from_body_error(mechanisms.error());
  bool cram = false;
  for (const auto& m : mechanisms->value_or(std::vector<std::string>{})) {
    if (m == "CRAM-MD5") {
      cram = true;
    } else if (m != "PLAIN" && m != "LOGIN" && m != "SCRAM-SHA-256") {
      return invalid("mechanisms: " + m +
                     " is not one; choose from PLAIN, LOGIN, SCRAM-SHA-256 and CRAM-MD5");
    }
  }
  return cram;
}

}  // namespace

Response create_login(admin::Admin& admin, const Call& call) {
  HERALD_BODY(body);
  HERALD_FIELD(address, body.required_string("address"));
  HERALD_FIELD(account, body.required_string("account"));
  HERALD_FIELD(password, body.required_string("password"));
  auto cram = cram_from(body);
  if (auto* p = std::get_if<Response>(&cram)) return *p;
  HERALD_FINISH(body);
  return reply(201, admin.add_login(call.actor,
                                    {address, account, std::move(password), std::get<bool>(cram)}));
}

Response set_login_password(admin::Admin& admin, const Call& call) {
  HERALD_BODY(body);
  HERALD_FIELD(password, body.required_string("password"));
  auto cram = cram_from(body);
  if (auto* p = std::get_if<Response>(&cram)) return *p;
  HERALD_FINISH(body);
  admin::PasswordChange change{std::get<bool>(cram)};
  return reply_empty(
      admin.set_password(call.actor, param(call, "address"), std::move(password), change));
}

Response delete_login(admin::Admin& admin, const Call& call) {
  return reply_empty(admin.remove_login(call.actor, param(call, "address")));
}

// -- API keys ---------------------------------------------------------------

Response list_keys(admin::Admin& admin, const Call& call) {
  auto r = admin.list_keys(call.actor);
  if (!r) return problem_from(r.error());
  std::sort(r->begin(), r->end(), [](const auto& a, const auto& b) { return a.id < b.id; });
  return page(call, *r, [](const store::ApiKey& k) { return k.id; });
}

Response create_key(admin::Admin& admin, const Call& call) {
  HERALD_BODY(body);
  admin::KeyInput input;
  HERALD_FIELD(account, body.required_string("account"));
  HERALD_FIELD(name, body.optional_string("name"));
  HERALD_FIELD(scopes, body.optional_string_list("scopes"));
  HERALD_FIELD(from, body.optional_string_list("from"));
  HERALD_FIELD(allow_ip, body.optional_string_list("allow_ip"));
  auto expires = duration_field(body, "expires");
  if (auto* p = std::get_if<Response>(&expires)) return *p;
  HERALD_FINISH(body);
  input.account = account;
  input.name = name.value_or("");
  input.scopes = scopes.value_or(std::vector<std::string>{});
  input.from = from.value_or(std::vector<std::string>{});
  input.allow_ip = allow_ip.value_or(std::vector<std::string>{});
  input.expires_in = std::get<std::optional<std::int64_t>>(expires);
  return reply(201, admin.create_key(call.actor, input));
}

Response get_key(admin::Admin& admin, const Call& call) {
  return reply(200, admin.get_key(call.actor, param(call, "id")));
}

Response delete_key(admin::Admin& admin, const Call& call) {
  return reply_empty(admin.revoke_key(call.actor, param(call, "id")));
}

Response rotate_key(admin::Admin& admin, const Call& call) {
  std::int64_t overlap = 24 * 3600;
  if (!call.request.body.empty()) {
    HERALD_BODY(body);
    auto d = duration_field(body, "overlap");
    if (auto* p = std::get_if<Response>(&d)) return *p;
    HERALD_FINISH(body);
    if (auto v = std::get<std::optional<std::int64_t>>(d)) overlap = *v;
  }
  return reply(201, admin.rotate_key(call.actor, param(call, "id"), overlap));
}

// -- sending domains ------------------------------------------------------------

Response list_domains(admin::Admin& admin, const Call& call) {
  auto r = admin.list_domains(call.actor);
  if (!r) return problem_from(r.error());
  return page(call, *r, [](const admin::DomainView& d) { return d.domain.name; });
}

Response create_domain(admin::Admin& admin, const Call& call) {
  HERALD_BODY(body);
  HERALD_FIELD(domain, body.required_string("domain"));
  HERALD_FIELD(account, body.required_string("account"));
  HERALD_FIELD(selector, body.optional_string("selector"));
  HERALD_FIELD(algorithms, body.optional_string_list("algorithms"));
  HERALD_FINISH(body);
  admin::DomainInput input{domain, account, selector.value_or(""),
                           algorithms.value_or(std::vector<std::string>{})};
  return reply(201, admin.add_domain(call.actor, input));
}

Response get_domain(admin::Admin& admin, const Call& call) {
  return reply(200, admin.get_domain(call.actor, param(call, "domain")));
}

Response delete_domain(admin::Admin& admin, const Call& call) {
  return reply_empty(admin.remove_domain(call.actor, param(call, "domain")));
}

Response domain_dns(admin::Admin& admin, const Call& call) {
  return reply(200, admin.domain_records(call.actor, param(call, "domain")));
}

Response verify_domain(admin::Admin& admin, const Call& call) {
  return reply(200, admin.verify_domain(call.actor, param(call, "domain")));
}

Response rotate_dkim(admin::Admin& admin, const Call& call) {
  std::optional<std::string> selector;
  bool retire = false;
  if (!call.request.body.empty()) {
    HERALD_BODY(body);
    HERALD_FIELD(s, body.optional_string("selector"));
    HERALD_FIELD(r, body.optional_bool("retire"));
    HERALD_FINISH(body);
    selector = s;
    retire = r.value_or(false);
  }
  if (retire) {
    if (selector) return invalid("give either selector (a rotation) or retire, not both");
    return reply(200, admin.retire_dkim(call.actor, param(call, "domain")));
  }
  return reply(200, admin.rotate_dkim(call.actor, param(call, "domain"), selector.value_or("")));
}

// -- suppression list ----------------------------------------------------------

Response list_suppressions(admin::Admin& admin, const Call& call) {
  auto r = admin.list_suppressions(call.actor);
  if (!r) return problem_from(r.error());
  return page(call, *r, [](const store::Suppression& s) { return s.address; });
}

Response create_suppression(admin::Admin& admin, const Call& call) {
  HERALD_BODY(body);
  HERALD_FIELD(address, body.required_string("address"));
  HERALD_FIELD(reason, body.optional_string("reason"));
  HERALD_FINISH(body);
  auto change =
      admin.add_suppression(call.actor, address, reason.value_or("added by an administrator"));
  if (!change) return problem_from(change.error());
  return http::json_response(change->updated ? 200 : 201, admin::to_json(change->row));
}

Response delete_suppression(admin::Admin& admin, const Call& call) {
  return reply_empty(admin.remove_suppression(call.actor, param(call, "address")));
}

// -- audit trail -----------------------------------------------------------------

Response list_audit(admin::Admin& admin, const Call& call) {
  admin::AuditQuery q;
  if (const auto* k = query(call, "kind")) q.kind = *k;
  if (const auto* s = query(call, "since")) {
    auto d = base::parse_duration(*s);
    if (!d) return invalid("since: " + d.error().message + " (a duration back from now)");
    q.since = admin::unix_now() - d->count();
  }
  q.limit = 100000;
  auto r = admin.list_audit(call.actor, q);
  if (!r) return problem_from(r.error());
  // Oldest first; the key is the event's id, zero-padded so text order is
  // number order.
  return page(call, *r, [](const store::AuditEvent& e) {
    std::string id = std::to_string(e.id);
    return std::string(20 - std::min<std::size_t>(20, id.size()), '0') + id;
  });
}

// -- the queue -------------------------------------------------------------------

Response list_queue(admin::Admin& admin, const Call& call) {
  auto r = admin.list_queue(call.actor);
  if (!r) return problem_from(r.error());
  return page(call, *r, [](const spool::QueueEntry& e) { return e.envelope.id; });
}

Response get_queued(admin::Admin& admin, const Call& call) {
  return reply(200, admin.get_queued(call.actor, param(call, "id")));
}

Response delete_queued(admin::Admin& admin, const Call& call) {
  return reply_empty(admin.delete_queued(call.actor, param(call, "id")));
}

Response retry_queued(admin::Admin& admin, const Call& call) {
  auto r = admin.retry_queued(call.actor, param(call, "id"));
  if (!r) return problem_from(r.error());
  return http::empty_response(202);
}

// -- admin tokens ----------------------------------------------------------------

Response list_admin_tokens(admin::Admin& admin, const Call& call) {
  auto r = admin.list_admin_tokens(call.actor);
  if (!r) return problem_from(r.error());
  return page(call, *r, [](const store::AdminToken& t) { return t.name; });
}

Response create_admin_token(admin::Admin& admin, const Call& call) {
  HERALD_BODY(body);
  HERALD_FIELD(name, body.required_string("name"));
  HERALD_FIELD(scopes, body.optional_string_list("scopes"));
  HERALD_FIELD(allow_ip, body.optional_string_list("allow_ip"));
  auto expires = duration_field(body, "expires");
  if (auto* p = std::get_if<Response>(&expires)) return *p;
  HERALD_FINISH(body);
  admin::AdminTokenInput input{name, scopes.value_or(std::vector<std::string>{}),
                               allow_ip.value_or(std::vector<std::string>{}),
                               std::get<std::optional<std::int64_t>>(expires)};
  return reply(201, admin.create_admin_token(call.actor, input));
}

Response delete_admin_token(admin::Admin& admin, const Call& call) {
  return reply_empty(admin.revoke_admin_token(call.actor, param(call, "id")));
}

// -- admin users -----------------------------------------------------------------

Response list_admin_users(admin::Admin& admin, const Call& call) {
  auto r = admin.list_admin_users(call.actor);
  if (!r) return problem_from(r.error());
  return page(call, *r, [](const store::AdminUser& u) { return u.name; });
}

Response create_admin_user(admin::Admin& admin, const Call& call) {
  HERALD_BODY(body);
  HERALD_FIELD(name, body.required_string("name"));
  HERALD_FIELD(role, body.required_string("role"));
  HERALD_FIELD(account, body.optional_string("account"));
  HERALD_FIELD(allow_ip, body.optional_string_list("allow_ip"));
  HERALD_FIELD(password, body.required_string("password"));
  HERALD_FINISH(body);
  return reply(201, admin.add_admin_user(call.actor, {name, role, account,
                                                      allow_ip.value_or(std::vector<std::string>{}),
                                                      std::move(password)}));
}

Response delete_admin_user(admin::Admin& admin, const Call& call) {
  return reply_empty(admin.remove_admin_user(call.actor, param(call, "name")));
}

Response reset_admin_user_2fa(admin::Admin& admin, const Call& call) {
  return reply_empty(admin.reset_admin_user_2fa(call.actor, param(call, "name")));
}

// -- message activity and statistics -------------------------------------------

namespace {

// Unknown parameters are refused: a misspelt filter must not silently
// widen a search.
std::optional<Response> only_params(const Call& call,
                                    std::initializer_list<std::string_view> known) {
  for (const auto& [k, v] : call.query) {
    if (std::find(known.begin(), known.end(), k) == known.end()) {
      return invalid("unknown query parameter '" + k + "'");
    }
  }
  return std::nullopt;
}

// ?since= / ?until=: a duration back from now or a UTC time; 0 if absent.
std::variant<std::int64_t, Response> time_param(const Call& call, std::string_view key) {
  const auto* v = query(call, key);
  if (!v) return std::int64_t{0};
  auto t = admin::parse_time_bound(*v, admin::unix_now());
  if (!t) return invalid(std::string(key) + ": " + t.error().message);
  return *t;
}

}  // namespace

Response search_messages(admin::Admin& admin, const Call& call) {
  if (auto bad = only_params(
          call, {"to", "from", "account", "status", "since", "until", "limit", "cursor"})) {
    return *bad;
  }
  admin::MessageSearch search;
  for (auto [key, field] :
       {std::pair{"to", &search.to}, std::pair{"from", &search.from},
        std::pair{"account", &search.account}, std::pair{"status", &search.status}}) {
    if (const auto* v = query(call, key)) *field = *v;
  }
  for (auto [key, field] : {std::pair{"since", &search.since}, std::pair{"until", &search.until}}) {
    auto t = time_param(call, key);
    if (auto* p = std::get_if<Response>(&t)) return *p;
    *field = std::get<std::int64_t>(t);
  }
  auto limit = limit_of(call);
  if (auto* p = std::get_if<Response>(&limit)) return *p;
  search.limit = std::get<std::size_t>(limit);
  if (const auto* c = query(call, "cursor")) {
    // "<received_at> <id>" of the last message of the previous page.
    auto key = decode_cursor(*c);
    const auto space = key ? key->find(' ') : std::string::npos;
    if (space == std::string::npos || space == 0 || space > 19 ||
        key->find_first_not_of("0123456789") != space) {
      return invalid("cursor is not one this API gave out; start again without it");
    }
    search.after = std::pair{std::stoll(key->substr(0, space)), key->substr(space + 1)};
  }
  auto found = admin.search_messages(call.actor, search);
  if (!found) return problem_from(found.error());
  nlohmann::json next = nullptr;
  if (found->size() == search.limit) {
    const auto& last = found->back();
    next = encode_cursor(std::to_string(last.received_at) + " " + last.id);
  }
  return http::json_response(200, {{"items", admin::to_json_array(*found)}, {"next_cursor", next}});
}

Response get_message(admin::Admin& admin, const Call& call) {
  return reply(200, admin.get_message(call.actor, param(call, "id")));
}

Response get_stats(admin::Admin& admin, const Call& call) {
  if (auto bad = only_params(call, {"account", "since", "until"})) return *bad;
  admin::StatsQuery q;
  if (const auto* a = query(call, "account")) q.account = *a;
  for (auto [key, field] : {std::pair{"since", &q.since}, std::pair{"until", &q.until}}) {
    auto t = time_param(call, key);
    if (auto* p = std::get_if<Response>(&t)) return *p;
    *field = std::get<std::int64_t>(t);
  }
  return reply(200, admin.stats(call.actor, q));
}

// -- webhooks ---------------------------------------------------------------------

Response list_webhooks(admin::Admin& admin, const Call& call) {
  auto r = admin.list_webhooks(call.actor);
  if (!r) return problem_from(r.error());
  return page(call, *r, [](const store::Webhook& w) { return w.id; });
}

Response create_webhook(admin::Admin& admin, const Call& call) {
  HERALD_BODY(body);
  HERALD_FIELD(account, body.required_string("account"));
  HERALD_FIELD(url, body.required_string("url"));
  HERALD_FIELD(events, body.optional_string_list("events"));
  HERALD_FINISH(body);
  return reply(201, admin.add_webhook(call.actor,
                                      {account, url, events.value_or(std::vector<std::string>{})}));
}

Response delete_webhook(admin::Admin& admin, const Call& call) {
  return reply_empty(admin.remove_webhook(call.actor, param(call, "id")));
}

Response test_webhook(admin::Admin& admin, const Call& call) {
  return reply(200, admin.test_webhook(call.actor, param(call, "id")));
}

}  // namespace herald::web::handlers
