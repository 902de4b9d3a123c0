// Tests for events::WebhookSender against a real SQLite store and a fake
// POST: batching and signatures, backoff, dropping stale events, disabling
// a webhook that keeps failing (each audited).
#include "herald/events/webhook_sender.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "herald/auth/cram_key.hpp"
#include "herald/events/webhook_signature.hpp"
#include "herald/store/store.hpp"

namespace herald::events {
namespace {

namespace fs = std::filesystem;

class WebhookSenderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("herald-webhook-sender-" + std::to_string(::getpid()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    auto s = store::Store::open((dir_ / "herald.db").string());
    ASSERT_TRUE(s.ok()) << s.error().message;
    store_.emplace(std::move(*s));
    ASSERT_TRUE(store_->add_account("acme", std::nullopt).ok());
    ASSERT_TRUE(store_->add_account("news", std::string_view("acme")).ok());
    auto key = auth::CramKey::load_or_create(auth::cram_key_path(dir_.string()));
    ASSERT_TRUE(key.ok());
    store::Webhook hook;
    hook.id = "wh_1";
    hook.account = "acme";
    hook.url = "https://hooks.example/in";
    hook.events = {"bounced", "delivered"};
    ASSERT_TRUE(store_->add_webhook(hook, key->seal("whsec_test").value()).ok());
    options_.data_dir = dir_.string();
    options_.first_retry = std::chrono::seconds(30);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  // A delivered event of a sub-account's message, with its webhook body.
  void record(const std::string& id, std::int64_t at, const std::string& type = "delivered") {
    store::ActivityEvent e;
    e.id = id;
    e.type = type;
    e.message_id = "m1";
    e.account = "news";
    e.at_ms = at * 1000;
    e.webhook_payload = nlohmann::json{{"id", id}, {"type", type}}.dump();
    ASSERT_TRUE(store_->record_activity({e}).ok());
  }

  fs::path dir_;
  std::optional<store::Store> store_;
  WebhookSenderOptions options_;
};

TEST_F(WebhookSenderTest, SendsSignedBatchesAndBacksOff) {
  const std::int64_t now = 1'900'000'000;
  record("ev_a", now);
  record("ev_b", now);
  record("ev_c", now, "deferred");  // not asked for
  std::vector<PostRequest> seen;
  long status = 500;
  WebhookSender sender(*store_, options_, [&](const PostRequest& r) {
    seen.push_back(r);
    PostResult result;
    result.status = status;
    result.outcome = status == 200 ? PostOutcome::delivered : PostOutcome::http_error;
    return result;
  });
  EXPECT_EQ(sender.run_once(now), 1u);
  ASSERT_EQ(seen.size(), 1u);
  const auto body = nlohmann::json::parse(seen[0].body);
  EXPECT_EQ(body["webhook_id"], "wh_1");
  ASSERT_EQ(body["events"].size(), 2u);  // one POST for both, in order
  EXPECT_EQ(body["events"][0]["id"], "ev_a");
  const auto& sig = seen[0].headers[0];
  EXPECT_EQ(sig.first, "Herald-Signature");
  EXPECT_TRUE(verify_webhook_signature("whsec_test", sig.second, seen[0].body, now, 300));
  // Failed: nothing is due again until the backoff has passed.
  EXPECT_EQ(sender.run_once(now + 10), 0u);
  status = 200;
  EXPECT_EQ(sender.run_once(now + 31), 1u);
  EXPECT_EQ(seen[1].body, seen[0].body);        // the same events again
  EXPECT_EQ(sender.run_once(now + 10000), 0u);  // gone from the outbox
  auto hook = store_->find_webhook("wh_1").value();
  EXPECT_FALSE(hook->webhook.failing_since.has_value());
  EXPECT_EQ(hook->webhook.pending, 0);
}

TEST_F(WebhookSenderTest, DropsStaleEventsAndDisablesAFailingWebhook) {
  const std::int64_t now = 1'900'000'000;
  record("ev_old", now);
  WebhookSender sender(*store_, options_, [](const PostRequest&) {
    PostResult r;
    r.outcome = PostOutcome::timed_out;
    return r;
  });
  EXPECT_EQ(sender.run_once(now), 1u);
  // A day later the event is dropped, audited.
  EXPECT_EQ(sender.run_once(now + 24 * 3600 + 1), 0u);
  EXPECT_EQ(store_->find_webhook("wh_1").value()->webhook.pending, 0);
  // New events keep failing; after a day of failures the webhook is disabled.
  record("ev_new", now + 24 * 3600 + 2);
  EXPECT_EQ(sender.run_once(now + 24 * 3600 + 2), 1u);
  auto hook = store_->find_webhook("wh_1").value();
  EXPECT_TRUE(hook->webhook.disabled_at.has_value());
  EXPECT_NE(hook->webhook.disabled_reason.find("timed_out"), std::string::npos);
  auto audit = store_->list_audit(0, "admin", 100).value();
  bool dropped = false, disabled = false;
  for (const auto& e : audit) {
    dropped = dropped || e.event == "webhook_events_dropped";
    disabled = disabled || e.event == "webhook_disabled";
  }
  EXPECT_TRUE(dropped);
  EXPECT_TRUE(disabled);
  // A disabled webhook gets no new events.
  record("ev_later", now + 24 * 3600 + 3);
  EXPECT_EQ(store_->find_webhook("wh_1").value()->webhook.pending, 1);  // ev_new only
}

}  // namespace
}  // namespace herald::events
