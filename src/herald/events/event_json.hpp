// events::event_json — the one JSON form of a message activity event: what
// `herald messages show`, /api/v1/messages/{id} and webhook receivers all
// see. Pure formatting; must not read the store or the clock.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "herald/store/types.hpp"

namespace herald::events {

// {"id", "type", "at", "message_id", "account", "recipient", "detail"}.
nlohmann::json event_json(const store::ActivityEvent& event);

// "2026-12-03T17:00:00.123Z" for Unix milliseconds.
std::string rfc3339_ms(std::int64_t unix_millis);

// The event types webhooks may ask for (SPEC §9).
bool is_webhook_event(std::string_view type);

}  // namespace herald::events
