// metrics::HeraldMetrics — the named metrics Herald exposes, every series
// registered up front with a bounded label set (never an account, key or
// address). Callers pick a series by enum, so the hot path builds no strings.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "herald/metrics/registry.hpp"

namespace herald::metrics {

enum class AuthMechanism : std::uint8_t {
  plain,
  login,
  cram_md5,
  scram_sha_256,
  scram_sha_256_plus,
  xoauth2,
  oauthbearer,
  other,
};
enum class AuthResult : std::uint8_t { ok, failed, locked };
enum class MessageResult : std::uint8_t {
  accepted,
  refused_policy,
  refused_content,
  refused_rate,
  refused_suppressed,
  error,
};
enum class DeliveryResult : std::uint8_t { delivered, deferred, bounced, expired };
enum class SuppressionSource : std::uint8_t { bounce, manual };
enum class RateLimitWhat : std::uint8_t { message, recipient };
enum class RateLimitWho : std::uint8_t { ip, account };
enum class TlsPolicy : std::uint8_t { none, mta_sts, dane };
enum class TlsResult : std::uint8_t { ok, failed };
enum class DkimAlgorithm : std::uint8_t { rsa_sha256, ed25519_sha256 };
enum class WebhookResult : std::uint8_t { ok, failed };
enum class QueueState : std::uint8_t { queued, deferred };

// The SASL name as the client sent it ("plain", "SCRAM-SHA-256-PLUS"), ASCII
// case-insensitive; anything unknown is `other`, so a client cannot mint
// label values.
AuthMechanism auth_mechanism_from_name(std::string_view sasl_name) noexcept;

class HeraldMetrics {
 public:
  // listener_names: the configured listener addresses ("0.0.0.0:587"), in
  // config order; a listener is later named by its index in this list.
  // Constructing a second HeraldMetrics on the same registry yields the same
  // series.
  HeraldMetrics(Registry& registry, const std::vector<std::string>& listener_names,
                std::string_view version = "0.1.0");
  HeraldMetrics(const HeraldMetrics&) = delete;
  HeraldMetrics& operator=(const HeraldMetrics&) = delete;

  std::size_t listener_count() const noexcept { return listeners_.size(); }
  std::optional<std::size_t> listener_index(std::string_view name) const noexcept;

  // An index past listener_count() is a programming error: std::out_of_range.
  Counter& connections(std::size_t listener) { return *connections_.at(listener); }
  Gauge& connections_active(std::size_t listener) { return *connections_active_.at(listener); }

  Counter& auth(AuthMechanism m, AuthResult r) noexcept { return *auth_[at(m)][at(r)]; }
  Counter& messages_received(MessageResult r) noexcept { return *messages_received_[at(r)]; }
  // 200..599 count under their own code; anything else under "other".
  Counter& smtp_reply(int code) noexcept {
    return (code >= kFirstReplyCode && code <= kLastReplyCode)
               ? *replies_[static_cast<std::size_t>(code - kFirstReplyCode)]
               : *reply_other_;
  }
  Counter& delivery_attempts(DeliveryResult r) noexcept { return *delivery_attempts_[at(r)]; }
  Counter& dsns() noexcept { return *dsns_; }
  Counter& suppressions(SuppressionSource s) noexcept { return *suppressions_[at(s)]; }
  Counter& rate_limited(RateLimitWhat what, RateLimitWho who) noexcept {
    return *rate_limited_[at(what)][at(who)];
  }
  Counter& outbound_tls(TlsPolicy p, TlsResult r) noexcept { return *outbound_tls_[at(p)][at(r)]; }
  Counter& dkim_signatures(DkimAlgorithm a) noexcept { return *dkim_signatures_[at(a)]; }
  Counter& webhook_deliveries(WebhookResult r) noexcept { return *webhook_deliveries_[at(r)]; }

  Gauge& queue_messages(QueueState s) noexcept { return *queue_messages_[at(s)]; }
  Gauge& queue_oldest_seconds() noexcept { return *queue_oldest_seconds_; }
  Gauge& spool_free_bytes() noexcept { return *spool_free_bytes_; }

  // End of DATA to the 250 reply (includes the group commit).
  Histogram& acceptance_seconds() noexcept { return *acceptance_seconds_; }
  // One group-commit batch: write and fsync.
  Histogram& spool_commit_seconds() noexcept { return *spool_commit_seconds_; }
  Histogram& delivery_attempt_seconds() noexcept { return *delivery_attempt_seconds_; }
  // Queued to delivered, retries included: seconds to days.
  Histogram& submit_to_delivered_seconds() noexcept { return *submit_to_delivered_seconds_; }

  static constexpr int kFirstReplyCode = 200;
  static constexpr int kLastReplyCode = 599;

 private:
  template <class E>
  static constexpr std::size_t at(E e) noexcept {
    return static_cast<std::size_t>(e);
  }

  std::vector<std::string> listeners_;
  std::vector<Counter*> connections_;
  std::vector<Gauge*> connections_active_;
  std::array<std::array<Counter*, 3>, 8> auth_{};
  std::array<Counter*, 6> messages_received_{};
  std::array<Counter*, kLastReplyCode - kFirstReplyCode + 1> replies_{};
  Counter* reply_other_ = nullptr;
  std::array<Counter*, 4> delivery_attempts_{};
  Counter* dsns_ = nullptr;
  std::array<Counter*, 2> suppressions_{};
  std::array<std::array<Counter*, 2>, 2> rate_limited_{};
  std::array<std::array<Counter*, 2>, 3> outbound_tls_{};
  std::array<Counter*, 2> dkim_signatures_{};
  std::array<Counter*, 2> webhook_deliveries_{};
  std::array<Gauge*, 2> queue_messages_{};
  Gauge* queue_oldest_seconds_ = nullptr;
  Gauge* spool_free_bytes_ = nullptr;
  Histogram* acceptance_seconds_ = nullptr;
  Histogram* spool_commit_seconds_ = nullptr;
  Histogram* delivery_attempt_seconds_ = nullptr;
  Histogram* submit_to_delivered_seconds_ = nullptr;
};

}  // namespace herald::metrics
