// events::WebhookSender — sends the webhook outbox: on its own thread,
// every poll interval (or when woken), each enabled webhook's due events go
// out as one signed JSON batch (post_webhook). A 2xx removes them; anything
// else schedules a retry with exponential backoff. Events older than
// max_age are dropped and a webhook that has failed for disable_after is
// disabled, each with an audit event. It decides nothing about which
// events exist (the store's outbox does) and never runs on an I/O thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

#include "herald/events/webhook_client.hpp"
#include "herald/store/roles.hpp"

namespace herald::events {

struct WebhookSenderOptions {
  bool allow_private = false;  // [webhooks] allow_private
  std::string ca_file;         // [webhooks] ca_file
  std::string data_dir;        // where the key that opens the secrets is
  std::chrono::milliseconds poll{1000};
  std::size_t max_events = 100;  // per POST
  std::chrono::seconds first_retry{30};
  std::chrono::seconds max_retry{3600};
  std::chrono::seconds max_age{24 * 3600};        // then events are dropped
  std::chrono::seconds disable_after{24 * 3600};  // of failing without a success
  // Called after each POST with its result (metrics); may be empty.
  std::function<void(bool delivered)> on_post;
};

using PostFunction = std::function<PostResult(const PostRequest&)>;

// The body of one POST: {"webhook_id": ID, "events": [event, ...]}, the
// events as event_json made them.
std::string webhook_body(const std::string& webhook_id,
                         const std::vector<store::OutboxItem>& items);

// The signed request for `body` (headers Herald-Signature, Herald-Webhook-Id).
PostRequest webhook_request(const store::Webhook& webhook, std::string_view secret,
                            std::string body, std::int64_t now,
                            const WebhookSenderOptions& options);

// Opens a sealed webhook secret with the data directory's key.
base::Result<std::string> open_webhook_secret(const std::string& data_dir, std::string_view sealed);

class WebhookSender {
 public:
  WebhookSender(store::ActivityStore& store, WebhookSenderOptions options,
                PostFunction post = post_webhook);
  ~WebhookSender();  // stop()
  WebhookSender(const WebhookSender&) = delete;
  WebhookSender& operator=(const WebhookSender&) = delete;

  void start();
  void stop();  // waits for a POST in flight (bounded by its timeouts)
  void wake();  // any thread

  // One pass at time `now` (Unix seconds): drops stale events, sends what
  // is due, disables webhooks failing for too long. Returns the POSTs made.
  std::size_t run_once(std::int64_t now);

 private:
  void run();
  void audit(const std::string& event, const std::string& webhook, const std::string& detail);

  store::ActivityStore& store_;
  const WebhookSenderOptions options_;
  const PostFunction post_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = false;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace herald::events
