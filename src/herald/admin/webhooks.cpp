// admin::Admin — event webhooks: add (the signing secret is returned once
// and stored sealed), list, remove, and a test POST. Sending the outbox is
// events::WebhookSender's job, not this file's.
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <filesystem>

#include "herald/admin/admin.hpp"
#include "herald/auth/cram_key.hpp"
#include "herald/base/base64.hpp"
#include "herald/events/event_json.hpp"
#include "herald/events/webhook_sender.hpp"
#include "herald/events/webhook_url.hpp"

namespace herald::admin {
namespace {

const std::vector<std::string> kAllEvents = {"delivered", "deferred", "bounced", "expired",
                                             "suppressed"};

std::string random_text(std::size_t bytes) {
  std::string raw(bytes, '\0');
  randombytes_buf(raw.data(), raw.size());
  std::string b64 = base::base64_encode(raw);
  sodium_memzero(raw.data(), raw.size());
  std::replace(b64.begin(), b64.end(), '+', '-');
  std::replace(b64.begin(), b64.end(), '/', '_');
  while (!b64.empty() && b64.back() == '=') b64.pop_back();
  return b64;
}

}  // namespace

Result<std::vector<store::Webhook>> Admin::list_webhooks(const Actor& actor) {
  auto hooks = store_.list_webhooks();
  if (!hooks) return hooks.error();
  if (actor.read_all) return hooks;
  auto t = tree();
  if (!t) return t.error();
  std::vector<store::Webhook> visible;
  for (auto& h : *hooks) {
    if (actor.owns(*t, h.account)) visible.push_back(std::move(h));
  }
  return visible;
}

Result<CreatedWebhook> Admin::add_webhook(const Actor& actor, const WebhookInput& input) {
  if (auto ok = check_create_for(actor, input.account); !ok) return ok.error();
  auto account = store_.find_account(input.account);
  if (!account) return account.error();
  if (!*account) {
    return base::make_error(base::ErrorKind::not_found,
                            fmt::format("account '{}' does not exist", input.account));
  }
  auto url = events::parse_webhook_url(input.url, config_.webhooks.allow_private);
  if (!url) return base::make_error(base::ErrorKind::invalid, url.error().message);
  // Names are resolved and checked again at every POST (DNS may change);
  // "localhost" (RFC 6761) can be refused now already.
  const bool local_name = url->host == "localhost" || url->host.ends_with(".localhost");
  if (local_name && !config_.webhooks.allow_private) {
    return base::make_error(base::ErrorKind::invalid,
                            "a webhook may not target this machine (localhost) unless [webhooks] "
                            "allow_private = true");
  }
  std::vector<std::string> types = input.events.empty() ? kAllEvents : input.events;
  for (const auto& e : types) {
    if (!events::is_webhook_event(e)) {
      return base::make_error(base::ErrorKind::invalid,
                              fmt::format("event '{}' is unknown; use delivered, deferred, "
                                          "bounced, expired or suppressed",
                                          e));
    }
  }
  std::sort(types.begin(), types.end());
  types.erase(std::unique(types.begin(), types.end()), types.end());
  CreatedWebhook created;
  created.secret = "whsec_" + random_text(32);
  std::error_code ec;
  std::filesystem::create_directories(config_.data_dir, ec);
  auto key = auth::CramKey::load_or_create(auth::cram_key_path(config_.data_dir));
  if (!key) return key.error();
  auto sealed = key->seal(created.secret);
  if (!sealed) return sealed.error();
  store::Webhook hook;
  unsigned char id[8];
  randombytes_buf(id, sizeof id);
  hook.id = fmt::format("wh_{:02x}", fmt::join(id, id + sizeof id, ""));
  hook.account = input.account;
  hook.url = url->to_string();
  hook.events = types;
  hook.created_by = actor.name;
  auto added = store_.add_webhook(hook, *sealed);
  if (!added) return added.error();
  created.webhook = std::move(*added);
  audit(actor, "webhook_added",
        fmt::format("webhook={} account={} url={}", created.webhook.id, input.account,
                    created.webhook.url));
  return created;
}

Result<void> Admin::remove_webhook(const Actor& actor, std::string_view id) {
  auto found = store_.find_webhook(id);
  if (!found) return found.error();
  auto t = tree();
  if (!t) return t.error();
  if (!*found || !actor.may_read(*t, (*found)->webhook.account)) {
    return base::make_error(base::ErrorKind::not_found,
                            fmt::format("no webhook '{}'; see 'herald webhook list'", id));
  }
  if (auto ok = check_write(actor, *t, (*found)->webhook.account); !ok) return ok.error();
  if (auto r = store_.remove_webhook(id); !r) return r.error();
  audit(actor, "webhook_removed", fmt::format("webhook={}", id));
  return {};
}

Result<WebhookTest> Admin::test_webhook(const Actor& actor, std::string_view id) {
  auto found = store_.find_webhook(id);
  if (!found) return found.error();
  auto t = tree();
  if (!t) return t.error();
  if (!*found || !actor.may_read(*t, (*found)->webhook.account)) {
    return base::make_error(base::ErrorKind::not_found,
                            fmt::format("no webhook '{}'; see 'herald webhook list'", id));
  }
  if (auto ok = check_write(actor, *t, (*found)->webhook.account); !ok) return ok.error();
  const store::Webhook& hook = (*found)->webhook;
  auto secret = events::open_webhook_secret(config_.data_dir, (*found)->sealed_secret);
  if (!secret) return secret.error();
  store::ActivityEvent e;
  e.id = "ev_test_" + random_text(9);
  e.type = "test";
  e.at_ms = unix_now() * 1000;
  e.account = hook.account;
  e.detail = R"({"note":"a test event from herald webhook test; nothing was sent"})";
  store::OutboxItem item;
  item.payload = events::event_json(e).dump();
  events::WebhookSenderOptions options;
  options.allow_private = config_.webhooks.allow_private;
  options.ca_file = config_.webhooks.ca_file;
  const auto result = events::post_webhook(events::webhook_request(
      hook, *secret, events::webhook_body(hook.id, {item}), unix_now(), options));
  audit(actor, "webhook_tested",
        fmt::format("webhook={} result={} status={}", hook.id, events::outcome_name(result.outcome),
                    result.status));
  return WebhookTest{hook.id, std::string(events::outcome_name(result.outcome)), result.status,
                     result.detail};
}

}  // namespace herald::admin
