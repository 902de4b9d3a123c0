#include "herald/events/event_json.hpp"

#include <array>
#include <cstdio>
#include <ctime>

namespace herald::events {

std::string rfc3339_ms(std::int64_t unix_millis) {
  const std::time_t t = static_cast<std::time_t>(unix_millis / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[96];  // room for any int the compiler imagines
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unix_millis % 1000));
  return buf;
}

bool is_webhook_event(std::string_view type) {
  static constexpr std::array<std::string_view, 5> kTypes = {"delivered", "deferred", "bounced",
                                                             "expired", "suppressed"};
  for (auto t : kTypes) {
    if (t == type) return true;
  }
  return false;
}

nlohmann::json event_json(const store::ActivityEvent& e) {
  nlohmann::json detail = nlohmann::json::parse(e.detail.empty() ? "{}" : e.detail, nullptr,
                                                /*allow_exceptions=*/false);
  if (detail.is_discarded()) detail = nlohmann::json::object();
  return {
      {"id", e.id},
      {"type", e.type},
      {"at", rfc3339_ms(e.at_ms)},
      {"message_id", e.message_id},
      {"account", e.account},
      {"recipient", e.recipient.empty() ? nlohmann::json(nullptr) : nlohmann::json(e.recipient)},
      {"detail", detail}};
}

}  // namespace herald::events
