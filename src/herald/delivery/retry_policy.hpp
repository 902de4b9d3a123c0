// delivery::retry_policy — when a deferred recipient is tried again, when a
// message has been queued too long, and which permanent failures put an
// address on the suppression list. Pure: the clock and randomness come in
// as arguments.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "herald/smtp/client_protocol.hpp"

namespace herald::delivery {

struct RetryPolicy {
  std::vector<std::chrono::seconds> schedule;  // [delivery] retry_schedule
  std::chrono::seconds max_lifetime{5 * 24 * 3600};
  double jitter = 0.1;  // ± this fraction of each delay, so retries spread out
};

// The time of the next attempt after the `attempts`-th failed one (1 = the
// first): schedule[attempts-1], the last entry repeating, scaled by
// 1 ± jitter with `random01` in [0, 1).
std::int64_t next_attempt(const RetryPolicy& policy, int attempts, std::int64_t now,
                          double random01);

// Queued longer than max_lifetime: give up (RFC 5321 §4.5.4.1).
bool expired(const RetryPolicy& policy, std::int64_t received_at, std::int64_t now);

// A permanent failure that says the address itself is bad (RFC 3463 class
// X.1.X, or 550/551/553 at RCPT without an enhanced code): the address
// goes on the suppression list. Policy and content refusals (X.7.X, X.6.X)
// and full mailboxes do not.
bool is_hard_bounce(const smtp::Outcome& outcome);

}  // namespace herald::delivery
