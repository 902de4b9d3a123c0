// events::WebhookSender — see webhook_sender.hpp. Everything here runs on
// the sender's thread (or a test's); the store and post_webhook block.
#include "herald/events/webhook_sender.hpp"

#include <nlohmann/json.hpp>

#include "herald/auth/cram_key.hpp"
#include "herald/base/log.hpp"
#include "herald/events/webhook_signature.hpp"

namespace herald::events {

std::string webhook_body(const std::string& webhook_id,
                         const std::vector<store::OutboxItem>& items) {
  // The payloads are JSON already (made once, when the event was recorded).
  std::string body = "{\"webhook_id\":" + nlohmann::json(webhook_id).dump() + ",\"events\":[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i > 0) body += ',';
    body += items[i].payload;
  }
  return body + "]}";
}

PostRequest webhook_request(const store::Webhook& webhook, std::string_view secret,
                            std::string body, std::int64_t now,
                            const WebhookSenderOptions& options) {
  PostRequest r;
  r.url = webhook.url;
  r.headers = {{"Herald-Signature", signature_header(secret, now, body)},
               {"Herald-Webhook-Id", webhook.id}};
  r.body = std::move(body);
  r.allow_private = options.allow_private;
  r.ca_file = options.ca_file;
  return r;
}

base::Result<std::string> open_webhook_secret(const std::string& data_dir,
                                              std::string_view sealed) {
  auto key = auth::CramKey::load(auth::cram_key_path(data_dir));
  if (!key) return key.error();
  auto opened = key->open(sealed);
  if (!opened) return opened.error();
  return std::string(opened->view());
}

WebhookSender::WebhookSender(store::ActivityStore& store, WebhookSenderOptions options,
                             PostFunction post)
    : store_(store), options_(std::move(options)), post_(std::move(post)) {}

WebhookSender::~WebhookSender() {
  stop();
}

void WebhookSender::start() {
  thread_ = std::thread([this] { run(); });
}

void WebhookSender::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void WebhookSender::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

void WebhookSender::run() {
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, options_.poll, [this] { return stopping_ || woken_; });
      if (stopping_) return;
      woken_ = false;
    }
    using namespace std::chrono;
    run_once(duration_cast<seconds>(system_clock::now().time_since_epoch()).count());
  }
}

void WebhookSender::audit(const std::string& event, const std::string& webhook,
                          const std::string& detail) {
  if (auto r = store_.add_audit({{0, 0, "admin", event, "webhook:" + webhook, "", detail}}); !r) {
    base::log_error("audit_write_failed", {{"error", r.error().message}});
  }
}

std::size_t WebhookSender::run_once(std::int64_t now) {
  if (auto dropped = store_.drop_stale_webhook_events(now - options_.max_age.count()); !dropped) {
    base::log_error("webhook_outbox_error", {{"error", dropped.error().message}});
  } else {
    for (const auto& [webhook, count] : *dropped) {
      base::log_warn("webhook_events_dropped",
                     {{"webhook", webhook}, {"events", std::to_string(count)}});
      audit("webhook_events_dropped", webhook,
            "events=" + std::to_string(count) + " reason=not accepted within " +
                std::to_string(options_.max_age.count()) + "s");
    }
  }
  auto batches = store_.due_webhook_batches(now, options_.max_events);
  if (!batches) {
    base::log_error("webhook_outbox_error", {{"error", batches.error().message}});
    return 0;
  }
  std::size_t posts = 0;
  for (const auto& batch : *batches) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) break;
    }
    const store::Webhook& hook = batch.hook.webhook;
    std::vector<std::int64_t> seqs;
    int attempts = 0;
    for (const auto& item : batch.items) {
      seqs.push_back(item.seq);
      attempts = std::max(attempts, item.attempts);
    }
    PostResult result;
    auto secret = open_webhook_secret(options_.data_dir, batch.hook.sealed_secret);
    if (!secret) {
      result.outcome = PostOutcome::failed;
      result.detail = "cannot open the webhook's secret: " + secret.error().message;
    } else {
      result =
          post_(webhook_request(hook, *secret, webhook_body(hook.id, batch.items), now, options_));
      ++posts;
    }
    if (options_.on_post) options_.on_post(result.delivered());
    base::log_info("webhook_post", {{"webhook", hook.id},
                                    {"events", std::to_string(seqs.size())},
                                    {"result", std::string(outcome_name(result.outcome))},
                                    {"status", std::to_string(result.status)}});
    if (result.delivered()) {
      if (auto r = store_.webhook_delivered(hook.id, seqs, now); !r) {
        base::log_error("webhook_outbox_error", {{"error", r.error().message}});
      }
      continue;
    }
    // 30 s, 1 m, 2 m... at most max_retry: a receiver that is down for a
    // while is not hammered, and one that is back gets its events soon.
    const auto shift = std::min(attempts, 16);
    const std::int64_t delay =
        std::min<std::int64_t>(options_.max_retry.count(), options_.first_retry.count() << shift);
    const std::string error = std::string(outcome_name(result.outcome)) +
                              (result.status ? " " + std::to_string(result.status) : "") + ": " +
                              result.detail;
    if (auto r = store_.webhook_failed(hook.id, seqs, now + delay, now, error); !r) {
      base::log_error("webhook_outbox_error", {{"error", r.error().message}});
    }
    const std::int64_t failing_since = hook.failing_since.value_or(now);
    if (now - failing_since >= options_.disable_after.count()) {
      const std::string reason = "failing since " + std::to_string(failing_since) + ": " + error;
      if (auto r = store_.disable_webhook(hook.id, now, reason); r) {
        base::log_warn("webhook_disabled", {{"webhook", hook.id}, {"reason", reason}});
        audit("webhook_disabled", hook.id, reason);
      }
    }
  }
  return posts;
}

}  // namespace herald::events
