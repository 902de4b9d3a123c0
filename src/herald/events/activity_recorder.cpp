// events::ActivityRecorder — see activity_recorder.hpp. Runs its store work
// on the BatchWriter's thread only.
#include "herald/events/activity_recorder.hpp"

#include <fmt/format.h>
#include <sodium.h>

#include "herald/base/log.hpp"
#include "herald/events/event_json.hpp"

namespace herald::events {
namespace {

// Counters are kept longer than messages: a dashboard shows months.
constexpr std::int64_t kStatsRetentionSeconds = 400LL * 24 * 3600;

}  // namespace

std::int64_t unix_millis() {
  using namespace std::chrono;
  return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
}

store::ActivityEvent new_event(std::string type, std::string message_id, std::string account) {
  store::ActivityEvent e;
  unsigned char bytes[12];
  randombytes_buf(bytes, sizeof bytes);
  e.id = fmt::format("ev_{:02x}", fmt::join(bytes, bytes + sizeof bytes, ""));
  e.at_ms = unix_millis();
  e.type = std::move(type);
  e.message_id = std::move(message_id);
  e.account = std::move(account);
  return e;
}

ActivityRecorder::ActivityRecorder(store::ActivityStore& store, std::chrono::seconds retention,
                                   std::chrono::milliseconds interval, std::size_t max_pending)
    : store_(store),
      retention_(retention),
      writer_(
          "activity",
          [this](const std::vector<store::ActivityEvent>& batch) { return flush(batch); }, interval,
          max_pending, true) {}

void ActivityRecorder::record(store::ActivityEvent event) {
  if (event.at_ms == 0) event.at_ms = unix_millis();
  if (event.id.empty()) event.id = new_event("", "", "").id;
  writer_.record(std::move(event));
}

base::Result<void> ActivityRecorder::flush(const std::vector<store::ActivityEvent>& batch) {
  base::Result<void> written;
  if (!batch.empty()) {
    // Webhook bodies are made here, on the writer thread, not by the
    // sessions or the scheduler that recorded the events.
    std::vector<store::ActivityEvent> with_payloads = batch;
    for (auto& e : with_payloads) {
      if (is_webhook_event(e.type)) {
        e.webhook_payload =
            event_json(e).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
      }
    }
    written = store_.record_activity(with_payloads);
  }
  const std::int64_t now = unix_millis() / 1000;
  if (now >= next_prune_) {
    next_prune_ = now + 3600;
    const auto started = std::chrono::steady_clock::now();
    auto pruned = store_.prune_activity(now - retention_.count(), now - kStatsRetentionSeconds);
    const auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - started);
    if (!pruned) {
      base::log_error("activity_prune_failed", {{"error", pruned.error().message}});
    } else if (*pruned > 0) {
      base::log_info("activity_pruned", {{"messages", std::to_string(*pruned)},
                                         {"seconds", fmt::format("{:.3f}", took.count())}});
    }
  }
  return written;
}

}  // namespace herald::events
