// events webhook signatures — the HMAC-SHA256 a receiver checks to know a
// webhook came from Herald and was not altered or replayed. Pure functions:
// no clock, no key storage, no I/O; callers pass the time and the secret.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace herald::events {

// The raw 32-byte HMAC-SHA256 of `message` under `key` (RFC 2104).
std::string hmac_sha256(std::string_view key, std::string_view message);

// Lower-case hex of HMAC-SHA256(key = secret, message = "<timestamp>." + body),
// timestamp in decimal Unix seconds. Binding the timestamp into the MAC is
// what lets a receiver refuse replays of an old delivery.
std::string sign_webhook(std::string_view secret, std::int64_t timestamp, std::string_view body);

// The header value sent with each delivery: "t=<timestamp>,v1=<hex>".
std::string signature_header(std::string_view secret, std::int64_t timestamp,
                             std::string_view body);

// The receiver's algorithm, documented for webhook consumers and used by the
// tests: split the header on ',' into key=value pairs; take the one `t`
// (decimal seconds) and every `v1` (other keys are ignored, so a future
// scheme can be sent alongside); refuse unless |now - t| <= tolerance_seconds;
// compute sign_webhook(secret, t, body) over the raw body bytes as received
// and accept if any v1 equals it, compared in constant time.
bool verify_webhook_signature(std::string_view secret, std::string_view header,
                              std::string_view body, std::int64_t now,
                              std::int64_t tolerance_seconds);

}  // namespace herald::events
