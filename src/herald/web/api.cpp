// web::Api — the table of operations, routing, and the mapping of typed
// admin errors to problem documents. openapi.cpp turns the same table into
// the OpenAPI document.
#include "herald/web/api.hpp"

#include <stdexcept>

#include "herald/http/problem.hpp"
#include "herald/web/api_handlers.hpp"

namespace herald::web {
namespace {

constexpr const char* kAccountBody = R"({"type":"object","additionalProperties":false,
  "required":["name"],"properties":{"name":{"type":"string"},"parent":{"type":"string"}}})";
constexpr const char* kLimitsBody = R"({"type":"object","additionalProperties":false,
  "properties":{
   "messages_per_hour":{"oneOf":[{"type":"integer","minimum":0},{"const":"inherit"}]},
   "recipients_per_hour":{"oneOf":[{"type":"integer","minimum":0},{"const":"inherit"}]}}})";
constexpr const char* kLoginBody = R"({"type":"object","additionalProperties":false,
  "required":["address","account","password"],"properties":{"address":{"type":"string"},
  "account":{"type":"string"},"password":{"type":"string","minLength":8},
  "mechanisms":{"type":"array","items":{"enum":["PLAIN","LOGIN","SCRAM-SHA-256","CRAM-MD5"]}}}})";
constexpr const char* kPasswordBody = R"({"type":"object","additionalProperties":false,
  "required":["password"],"properties":{"password":{"type":"string","minLength":8},
  "mechanisms":{"type":"array","items":{"enum":["PLAIN","LOGIN","SCRAM-SHA-256","CRAM-MD5"]}}}})";
constexpr const char* kKeyBody = R"({"type":"object","additionalProperties":false,
  "required":["account"],"properties":{"account":{"type":"string"},"name":{"type":"string"},
  "scopes":{"type":"array","items":{"type":"string"}},
  "from":{"type":"array","items":{"type":"string"}},
  "allow_ip":{"type":"array","items":{"type":"string"}},
  "expires":{"type":"string","description":"a duration such as 90d"}}})";
constexpr const char* kRotateBody = R"({"type":"object","additionalProperties":false,
  "properties":{"overlap":{"type":"string","description":"how long the old key keeps working, e.g. 24h"}}})";
constexpr const char* kDomainBody = R"({"type":"object","additionalProperties":false,
  "required":["domain","account"],"properties":{"domain":{"type":"string"},
  "account":{"type":"string"},
  "selector":{"type":"string","description":"DKIM selector; default herald + YYYYMM"},
  "algorithms":{"type":"array","items":{"enum":["rsa2048","ed25519"]},
    "description":"default: both, for dual signing"
}
}
})";
constexpr const char* kRotateDkimBody = R"({"type":"object","additionalProperties":false,
  "properties":{"selector":{"type":"string","description":"selector of the new keys"},
  "retire":{"type":"boolean","description":"instead: retire the keys left retiring by the last rotation"}}})";
constexpr const char* kSuppressionBody = R"({"type":"object","additionalProperties":false,
  "required":["address"],"properties":{"address":{"type":"string"},"reason":{"type":"string"}}})";
constexpr const char* kAdminTokenBody = R"({"type":"object","additionalProperties":false,
  "required":["name","scopes"],"properties":{"name":{"type":"string"},
  "scopes":{"type":"array","minItems":1,"items":{"type":"string",
    "description":"admin:read, admin:write or account:NAME"}},
  "allow_ip":{"type":"array","items":{"type":"string"}},
  "expires":{"type":"string","description":"a duration such as 90d"}}})";
constexpr const char* kWebhookBody = R"({"type":"object","additionalProperties":false,
  "required":["account","url"],"properties":{"account":{"type":"string"},
  "url":{"type":"string","description":"https URL of the receiver"},
  "events":{"type":"array","items":{"enum":["delivered","deferred","bounced","expired","suppressed"]}}}})";
constexpr const char* kAdminUserBody = R"({"type":"object","additionalProperties":false,
  "required":["name","role","password"],"properties":{"name":{"type":"string"},
  "role":{"enum":["owner","admin","account-admin","viewer"]},
  "account":{"type":"string","description":"the account of an account-admin"},
  "allow_ip":{"type":"array","items":{"type":"string"}},
  "password":{"type":"string","minLength":8}}})";

}  // namespace

const std::vector<Operation>& operations() {
  using namespace handlers;
  static const std::vector<Operation> ops = {
      {"GET", "/accounts", "listAccounts", "List accounts and sub-accounts", "accounts", nullptr,
       200, list_accounts},
      {"POST", "/accounts", "createAccount", "Create an account or a sub-account", "accounts",
       kAccountBody, 201, create_account},
      {"GET", "/accounts/{name}", "getAccount", "An account with its rate limits", "accounts",
       nullptr, 200, get_account},
      {"PATCH", "/accounts/{name}", "updateAccount", "Change an account's rate limits", "accounts",
       kLimitsBody, 200, update_account},
      {"DELETE", "/accounts/{name}", "deleteAccount",
       "Remove an account (?force=true: with its logins, keys and domains)", "accounts", nullptr,
       204, delete_account},
      {"GET", "/logins", "listLogins", "List SMTP logins", "logins", nullptr, 200, list_logins},
      {"POST", "/logins", "createLogin", "Create an SMTP login", "logins", kLoginBody, 201,
       create_login},
      {"DELETE", "/logins/{address}", "deleteLogin", "Remove an SMTP login", "logins", nullptr, 204,
       delete_login},
      {"PUT", "/logins/{address}/password", "setLoginPassword", "Change a login's password",
       "logins", kPasswordBody, 204, set_login_password},
      {"GET", "/keys", "listKeys", "List API keys (never their tokens)", "keys", nullptr, 200,
       list_keys},
      {"POST", "/keys", "createKey", "Create an API key; the answer holds its token, once", "keys",
       kKeyBody, 201, create_key},
      {"GET", "/keys/{id}", "getKey", "An API key", "keys", nullptr, 200, get_key},
      {"DELETE", "/keys/{id}", "revokeKey", "Revoke an API key at once", "keys", nullptr, 204,
       delete_key},
      {"POST", "/keys/{id}/rotate", "rotateKey",
       "Issue a successor; the old key keeps working for the overlap", "keys", kRotateBody, 201,
       rotate_key},
      {"GET", "/domains", "listDomains", "List sending domains with their DKIM keys", "domains",
       nullptr, 200, list_domains},
      {"POST", "/domains", "createDomain", "Add a sending domain and generate its DKIM keys",
       "domains", kDomainBody, 201, create_domain},
      {"GET", "/domains/{domain}", "getDomain", "A sending domain with its DKIM keys", "domains",
       nullptr, 200, get_domain},
      {"DELETE", "/domains/{domain}", "deleteDomain",
       "Remove a sending domain and delete its DKIM keys", "domains", nullptr, 204, delete_domain},
      {"GET", "/domains/{domain}/dns", "getDomainDns",
       "The DNS records to publish (SPF, DKIM, DMARC, MTA-STS, TLS-RPT, MX) and the MTA-STS policy",
       "domains", nullptr, 200, domain_dns},
      {"POST", "/domains/{domain}/verify", "verifyDomain",
       "Look the records up in DNS: each is ok, missing, wrong or unknown, with what to do",
       "domains", nullptr, 200, verify_domain},
      {"POST", "/domains/{domain}/rotate-dkim", "rotateDkim",
       "New DKIM keys that sign from now on (the old ones stay published), or retire the old ones",
       "domains", kRotateDkimBody, 200, rotate_dkim},
      {"GET", "/suppressions", "listSuppressions", "List suppressed addresses", "suppressions",
       nullptr, 200, list_suppressions},
      {"POST", "/suppressions", "createSuppression",
       "Stop sending to an address (201), or change its reason (200)", "suppressions",
       kSuppressionBody, 201, create_suppression},
      {"DELETE", "/suppressions/{address}", "deleteSuppression", "Send to an address again",
       "suppressions", nullptr, 204, delete_suppression},
      {"GET", "/audit", "listAudit", "The audit trail (?kind=auth|admin|send&since=24h)", "audit",
       nullptr, 200, list_audit},
      {"GET", "/queue", "listQueue", "Messages in the outbound queue, with each recipient's state",
       "queue", nullptr, 200, list_queue},
      {"GET", "/queue/{id}", "getQueued", "One queued message and its recipients' states", "queue",
       nullptr, 200, get_queued},
      {"DELETE", "/queue/{id}", "deleteQueued", "Delete a queued message (it is not delivered)",
       "queue", nullptr, 204, delete_queued},
      {"POST", "/queue/{id}/retry", "retryQueued",
       "Try a deferred message again now (the running server picks it up within a second)", "queue",
       nullptr, 202, retry_queued},
      {"GET", "/messages", "searchMessages",
       "Message activity, newest first (?to=&from=&account=&status=&since=&until=, since/until "
       "a duration back from now or a UTC time)",
       "activity", nullptr, 200, search_messages},
      {"GET", "/messages/{id}", "getMessage",
       "One message's timeline: received, signed, each attempt with the remote reply, DSNs",
       "activity", nullptr, 200, get_message},
      {"GET", "/stats", "getStats",
       "Hourly counters per account (?account=&since=&until=; default the last 24 hours)",
       "activity", nullptr, 200, get_stats},
      {"GET", "/webhooks", "listWebhooks", "List event webhooks (never their secrets)", "webhooks",
       nullptr, 200, list_webhooks},
      {"POST", "/webhooks", "createWebhook",
       "Add an event webhook; the answer holds its signing secret, once", "webhooks", kWebhookBody,
       201, create_webhook},
      {"DELETE", "/webhooks/{id}", "deleteWebhook", "Remove a webhook and its pending events",
       "webhooks", nullptr, 204, delete_webhook},
      {"POST", "/webhooks/{id}/test", "testWebhook",
       "POST one signed test event now; the answer says what the receiver replied", "webhooks",
       nullptr, 200, test_webhook},
      {"GET", "/admin-tokens", "listAdminTokens", "List admin API tokens (never their secrets)",
       "admin", nullptr, 200, list_admin_tokens},
      {"POST", "/admin-tokens", "createAdminToken",
       "Create an admin API token; the answer holds it, once", "admin", kAdminTokenBody, 201,
       create_admin_token},
      {"DELETE", "/admin-tokens/{id}", "revokeAdminToken", "Revoke an admin API token", "admin",
       nullptr, 204, delete_admin_token},
      {"GET", "/admin-users", "listAdminUsers", "List admin users (never their secrets)", "admin",
       nullptr, 200, list_admin_users},
      {"POST", "/admin-users", "createAdminUser",
       "Add an admin user (owners only by owners); they enrol TOTP at their first login", "admin",
       kAdminUserBody, 201, create_admin_user},
      {"DELETE", "/admin-users/{name}", "deleteAdminUser",
       "Remove an admin user (never the last owner)", "admin", nullptr, 204, delete_admin_user},
      {"POST", "/admin-users/{name}/reset-2fa", "resetAdminUser2fa",
       "Forget a user's TOTP authenticator and recovery codes; they enrol again", "admin", nullptr,
       204, reset_admin_user_2fa},
  };
  return ops;
}

http::Response problem_from(const base::Error& error) {
  switch (error.kind) {
    case base::ErrorKind::invalid:
      return http::problem(400, "Bad Request", error.message, "invalid-request");
    case base::ErrorKind::forbidden:
      return http::problem(403, "Forbidden", error.message, "forbidden");
    case base::ErrorKind::not_found:
      return http::problem(404, "Not Found", error.message, "not-found");
    case base::ErrorKind::conflict:
      return http::problem(409, "Conflict", error.message, "conflict");
    case base::ErrorKind::unavailable:
      return http::problem(503, "Service Unavailable", error.message + "; try again in a moment",
                           "unavailable")
          .with_header("Retry-After", "5");
    case base::ErrorKind::failed:
      break;
  }
  return http::problem(500, "Internal Server Error",
                       error.message + "; the server log has the details", "internal");
}

Api::Api(admin::Admin& admin) : admin_(admin) {
  const auto& ops = operations();
  for (std::size_t i = 0; i < ops.size(); ++i) {
    auto added =
        router_.add(ops[i].method, std::string(kApiPrefix) + ops[i].pattern, std::to_string(i));
    if (!added) throw std::logic_error("API route table: " + added.error().message);
  }
  // The document itself is served too, and described like any route.
  if (auto added = router_.add("GET", std::string(kApiPrefix) + "/openapi.json", "openapi");
      !added) {
    throw std::logic_error("API route table: " + added.error().message);
  }
  openapi_ = openapi_document(ops);
}

http::Response Api::handle(const admin::Actor& actor, const http::Request& request) {
  const http::Match match = router_.match(request.method, request.path);
  if (match.status != http::MatchStatus::matched) return http::from_match(match, request.path);
  if (match.route->operation == "openapi") return http::json_response(200, openapi_);
  auto query = http::parse_query(request.query);
  if (!query) {
    return http::problem(400, "Bad Request", query.error().message, "invalid-request");
  }
  const Operation& op = operations().at(std::stoul(match.route->operation));
  return op.handler(admin_, Call{actor, request, match, std::move(*query)});
}

}  // namespace herald::web
