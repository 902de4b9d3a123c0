#include "herald/metrics/herald_metrics.hpp"

#include <fmt/format.h>

#include "herald/base/ascii.hpp"

namespace herald::metrics {
namespace {

// Label values, indexed by the enums in herald_metrics.hpp (same order).
constexpr std::array<std::string_view, 8> kMechanisms = {
    "PLAIN",   "LOGIN",       "CRAM-MD5", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS",
    "XOAUTH2", "OAUTHBEARER", "other"};
constexpr std::array<std::string_view, 3> kAuthResults = {"ok", "failed", "locked"};
constexpr std::array<std::string_view, 6> kMessageResults = {
    "accepted", "refused_policy", "refused_content", "refused_rate", "refused_suppressed", "error"};
constexpr std::array<std::string_view, 4> kDeliveryResults = {"delivered", "deferred", "bounced",
                                                              "expired"};
constexpr std::array<std::string_view, 2> kSuppressionSources = {"bounce", "manual"};
constexpr std::array<std::string_view, 2> kRateWhat = {"message", "recipient"};
constexpr std::array<std::string_view, 2> kRateWho = {"ip", "account"};
constexpr std::array<std::string_view, 3> kTlsPolicies = {"none", "mta-sts", "dane"};
constexpr std::array<std::string_view, 2> kOkFailed = {"ok", "failed"};
constexpr std::array<std::string_view, 2> kDkimAlgorithms = {"rsa-sha256", "ed25519-sha256"};
constexpr std::array<std::string_view, 2> kQueueStates = {"queued", "deferred"};

// Bucket bounds, in seconds. Acceptance includes one fsync, so it lives in
// the sub-millisecond to second range, with a tail for a stalled disk.
const std::vector<double> kAcceptanceBounds = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                               0.1,    0.25,  0.5,    1,     2.5,  5,     10};
// A group commit on an SSD is ~0.1-2 ms; spinning disks and busy
// filesystems reach tens of milliseconds.
const std::vector<double> kSpoolCommitBounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                                0.025,  0.05,    0.1,    0.25,  0.5,    1};
// DNS, connect, TLS and the transaction; outbound timeouts run to minutes.
const std::vector<double> kDeliveryAttemptBounds = {0.05, 0.1, 0.25, 0.5, 1,   2.5, 5,
                                                    10,   30,  60,   120, 300, 600};
// Most mail leaves within a second; deferred mail waits minutes to the
// queue's lifetime (5 days is the customary limit before bouncing).
const std::vector<double> kSubmitToDeliveredBounds = {
    0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 1800, 3600, 7200, 14400, 43200, 86400, 172800, 432000};

Labels one(std::string_view key, std::string_view value) {
  return {{std::string(key), std::string(value)}};
}

Labels two(std::string_view k1, std::string_view v1, std::string_view k2, std::string_view v2) {
  return {{std::string(k1), std::string(v1)}, {std::string(k2), std::string(v2)}};
}

}  // namespace

AuthMechanism auth_mechanism_from_name(std::string_view sasl_name) noexcept {
  // Stop before `other`: it is not a SASL name a client may claim.
  for (std::size_t i = 0; i + 1 < kMechanisms.size(); ++i) {
    if (base::iequals(sasl_name, kMechanisms[i])) return static_cast<AuthMechanism>(i);
  }
  return AuthMechanism::other;
}

HeraldMetrics::HeraldMetrics(Registry& r, const std::vector<std::string>& listener_names,
                             std::string_view version)
    : listeners_(listener_names) {
  static_assert(kMechanisms.size() == std::tuple_size_v<decltype(auth_)>);
  static_assert(kAuthResults.size() == std::tuple_size_v<decltype(auth_)::value_type>);

  for (const std::string& listener : listeners_) {
    connections_.push_back(&r.counter("herald_connections_total",
                                      "SMTP connections accepted, by listener address.",
                                      one("listener", listener)));
    connections_active_.push_back(&r.gauge("herald_connections_active",
                                           "SMTP connections open now, by listener address.",
                                           one("listener", listener)));
  }

  for (std::size_t m = 0; m < kMechanisms.size(); ++m) {
    for (std::size_t res = 0; res < kAuthResults.size(); ++res) {
      auth_[m][res] = &r.counter(
          "herald_auth_total",
          "SMTP AUTH attempts by SASL mechanism and result (locked: refused by lockout).",
          two("mechanism", kMechanisms[m], "result", kAuthResults[res]));
    }
  }

  static_assert(kMessageResults.size() == std::tuple_size_v<decltype(messages_received_)>);
  for (std::size_t i = 0; i < kMessageResults.size(); ++i) {
    messages_received_[i] = &r.counter("herald_messages_received_total",
                                       "Messages submitted to the end of DATA, by outcome.",
                                       one("result", kMessageResults[i]));
  }

  // 400 possible codes of which a handful ever occur: shown once seen.
  const std::string_view reply_help = "SMTP replies sent to submission clients, by reply code.";
  for (int code = kFirstReplyCode; code <= kLastReplyCode; ++code) {
    replies_[static_cast<std::size_t>(code - kFirstReplyCode)] =
        &r.counter("herald_smtp_replies_total", reply_help, one("code", fmt::format("{}", code)),
                   Visibility::once_nonzero);
  }
  reply_other_ = &r.counter("herald_smtp_replies_total", reply_help, one("code", "other"),
                            Visibility::once_nonzero);

  static_assert(kDeliveryResults.size() == std::tuple_size_v<decltype(delivery_attempts_)>);
  for (std::size_t i = 0; i < kDeliveryResults.size(); ++i) {
    delivery_attempts_[i] = &r.counter("herald_delivery_attempts_total",
                                       "Outbound delivery attempts per recipient, by outcome.",
                                       one("result", kDeliveryResults[i]));
  }

  dsns_ = &r.counter("herald_dsns_total", "Delivery status notifications (bounces) generated.");

  static_assert(kSuppressionSources.size() == std::tuple_size_v<decltype(suppressions_)>);
  for (std::size_t i = 0; i < kSuppressionSources.size(); ++i) {
    suppressions_[i] = &r.counter("herald_suppressions_total",
                                  "Addresses added to the suppression list, by source.",
                                  one("source", kSuppressionSources[i]));
  }

  for (std::size_t what = 0; what < kRateWhat.size(); ++what) {
    for (std::size_t who = 0; who < kRateWho.size(); ++who) {
      rate_limited_[what][who] =
          &r.counter("herald_rate_limited_total",
                     "Submissions refused by a rate limit, by what was limited and whose limit.",
                     two("what", kRateWhat[what], "who", kRateWho[who]));
    }
  }

  static_assert(kTlsPolicies.size() == std::tuple_size_v<decltype(outbound_tls_)>);
  for (std::size_t p = 0; p < kTlsPolicies.size(); ++p) {
    for (std::size_t res = 0; res < kOkFailed.size(); ++res) {
      outbound_tls_[p][res] =
          &r.counter("herald_outbound_tls_total",
                     "Outbound TLS negotiations, by the policy that applied and the result.",
                     two("policy", kTlsPolicies[p], "result", kOkFailed[res]));
    }
  }

  static_assert(kDkimAlgorithms.size() == std::tuple_size_v<decltype(dkim_signatures_)>);
  for (std::size_t i = 0; i < kDkimAlgorithms.size(); ++i) {
    dkim_signatures_[i] = &r.counter("herald_dkim_signatures_total",
                                     "DKIM signatures added to outgoing messages, by algorithm.",
                                     one("algorithm", kDkimAlgorithms[i]));
  }

  for (std::size_t i = 0; i < kOkFailed.size(); ++i) {
    webhook_deliveries_[i] =
        &r.counter("herald_webhook_deliveries_total", "Webhook event deliveries, by result.",
                   one("result", kOkFailed[i]));
  }

  static_assert(kQueueStates.size() == std::tuple_size_v<decltype(queue_messages_)>);
  for (std::size_t i = 0; i < kQueueStates.size(); ++i) {
    queue_messages_[i] =
        &r.gauge("herald_queue_messages", "Messages in the spool awaiting delivery, by state.",
                 one("state", kQueueStates[i]));
  }
  queue_oldest_seconds_ = &r.gauge("herald_queue_oldest_seconds",
                                   "Age of the oldest message in the queue, 0 when empty.");
  spool_free_bytes_ = &r.gauge("herald_spool_free_bytes",
                               "Free space on the spool's filesystem available to Herald.");
  r.gauge("herald_build_info", "Always 1; the version label names the running build.",
          one("version", version))
      .set(1);

  acceptance_seconds_ = &r.histogram(
      "herald_acceptance_seconds",
      "Time from the end of DATA to the 250 reply, spool commit included.", kAcceptanceBounds);
  spool_commit_seconds_ =
      &r.histogram("herald_spool_commit_seconds",
                   "Duration of one spool group commit (write and fsync).", kSpoolCommitBounds);
  delivery_attempt_seconds_ = &r.histogram(
      "herald_delivery_attempt_seconds",
      "Duration of one outbound delivery attempt, DNS to final reply.", kDeliveryAttemptBounds);
  submit_to_delivered_seconds_ =
      &r.histogram("herald_submit_to_delivered_seconds",
                   "Time from acceptance to delivery of a recipient, retries included.",
                   kSubmitToDeliveredBounds);
}

std::optional<std::size_t> HeraldMetrics::listener_index(std::string_view name) const noexcept {
  for (std::size_t i = 0; i < listeners_.size(); ++i) {
    if (listeners_[i] == name) return i;
  }
  return std::nullopt;
}

}  // namespace herald::metrics
