// delivery::Scheduler — the outbound queue runner: watches the spool,
// groups due recipients by destination, delivers each group over one
// connection (reused for several messages), records every recipient's
// state durably, retries on [delivery] retry_schedule with jitter, gives up
// after max_queue_lifetime, queues DSN bounces and suppresses hard-bounced
// addresses. One thread with its own io_context; blocking spool and store
// work goes to a small pool so connections keep moving.
#pragma once

#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/ssl/context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/thread_pool.hpp>
#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "herald/base/result.hpp"
#include "herald/config/config.hpp"
#include "herald/delivery/destination.hpp"
#include "herald/delivery/retry_policy.hpp"
#include "herald/delivery/tls_report.hpp"
#include "herald/dns/resolver.hpp"
#include "herald/events/activity_recorder.hpp"
#include "herald/metrics/herald_metrics.hpp"
#include "herald/spool/spool.hpp"
#include "herald/store/store.hpp"

namespace herald::delivery {

struct SchedulerLimits {
  std::size_t max_connections = 20;               // outbound connections in total
  std::size_t max_messages_per_connection = 50;   // then a new connection
  std::chrono::milliseconds scan_interval{1000};  // retry markers, deleted messages
};

class Scheduler {
 public:
  static base::Result<std::unique_ptr<Scheduler>> create(const config::Config& config,
                                                         spool::Spool& spool,
                                                         store::PolicyStore& store,
                                                         SchedulerLimits limits = {});
  ~Scheduler();  // stop()
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // Prometheus counters and queue gauges; set before start(), may be null.
  void set_metrics(metrics::HeraldMetrics* metrics) { metrics_ = metrics; }
  // Message activity (each attempt's outcome, DSNs); set before start(),
  // may be null.
  void set_activity(events::ActivityRecorder* activity) { activity_ = activity; }
  void start();
  // Stops starting work, lets connections in flight finish for up to
  // `grace`, then stops the thread. Recipients cut off stay queued.
  void stop(std::chrono::seconds grace = std::chrono::seconds{10});
  // A message was queued: look now instead of at the next scan. Any thread.
  void wake();

 private:
  struct Tracked {
    spool::Envelope envelope;
    std::string body_path;
    std::int64_t due = 0;  // earliest next_attempt of a pending recipient
    int running = 0;       // destinations working on it now
  };
  struct Part {
    std::string id;
    std::vector<std::size_t> recipients;
  };
  struct Run {
    std::string destination;
    std::vector<Part> parts;
  };

  Scheduler(const config::Config& config, spool::Spool& spool, store::PolicyStore& store,
            SchedulerLimits limits);
  asio::awaitable<void> loop();
  asio::awaitable<void> scan();
  asio::awaitable<void> run_destination(Run* run);
  asio::awaitable<void> finalize(std::string_view id);
  asio::awaitable<void> send_reports(const std::string& id, Tracked& t);
  void apply(Tracked& t, std::size_t index, const smtp::Outcome& outcome, bool delivered,
             std::int64_t now, const std::string& host, const std::string& tls);
  std::int64_t compute_due(const spool::Envelope& e) const;
  std::string destination_of(const std::string& address) const;

  const config::Config& config_;
  spool::Spool& spool_;
  store::PolicyStore& store_;
  SchedulerLimits limits_;
  RetryPolicy retry_;
  std::unique_ptr<dns::Resolver> resolver_;
  DestinationContext destinations_;
  OutboundOptions outbound_;

  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  asio::steady_timer timer_;
  asio::thread_pool blocking_{2};
  MtaStsCache sts_cache_;
  TlsReportRecorder tls_reports_;
  std::thread thread_;
  std::mt19937_64 rng_{std::random_device{}()};

  // Touched only on the scheduler thread.
  std::map<std::string, Tracked, std::less<>> messages_;
  std::set<std::string> active_destinations_;
  std::atomic<std::size_t> active_{0};  // read by stop() from another thread
  bool woken_ = false;
  std::atomic<bool> stopping_{false};
  metrics::HeraldMetrics* metrics_ = nullptr;
  events::ActivityRecorder* activity_ = nullptr;
};

}  // namespace herald::delivery
