// delivery::Scheduler — when and where queued recipients go: the scan of
// the spool, grouping by destination, one run per destination, applying
// each attempt's outcome (count, state, retry time, suppression), DSNs and
// removal once every recipient is final. It must not speak SMTP itself
// (outbound_session does), must not block its thread on disk or the store
// (the blocking_ pool does), and must never lose a recipient's state: a
// message leaves the spool only after every recipient is final.
#include "herald/delivery/scheduler.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>

#include "herald/base/log.hpp"
#include "herald/delivery/dsn.hpp"
#include "herald/delivery/tls_policy_ssl.hpp"
#include "herald/dns/idna.hpp"
#include "herald/dns/resolver_factory.hpp"
#include "herald/net/await_callback.hpp"
#include "herald/spool/message_file.hpp"

namespace herald::delivery {
namespace {

std::int64_t unix_now() {
  using namespace std::chrono;
  return duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
}

std::string domain_of(const std::string& address) {
  auto at = address.rfind('@');
  return at == std::string::npos ? std::string() : address.substr(at + 1);
}

std::string one_line(const smtp::Outcome& o) {
  std::string s = std::to_string(o.reply.code);
  if (!o.reply.enhanced.empty()) s += " " + o.reply.enhanced;
  return s + " " + o.reply.text;
}

// "550 5.1.1 text" (as one_line wrote it) back into a reply for a DSN.
smtp::ServerReply parse_one_line(const std::string& line) {
  smtp::ServerReply reply;
  std::string_view rest(line);
  if (rest.size() >= 3 && std::isdigit(static_cast<unsigned char>(rest[0]))) {
    reply.code = std::atoi(std::string(rest.substr(0, 3)).c_str());
    rest.remove_prefix(std::min<std::size_t>(4, rest.size()));
  }
  const auto space = rest.find(' ');
  const std::string_view first = rest.substr(0, space);
  if (first.size() >= 5 && first[1] == '.' && first[0] - '0' == reply.code / 100) {
    reply.enhanced = std::string(first);
    rest = space == std::string_view::npos ? std::string_view() : rest.substr(space + 1);
  }
  reply.lines.emplace_back(rest);
  return reply;
}

// The original's header section (and whole body for RET=FULL when small),
// read without loading a big message.
struct OriginalText {
  std::string header;
  std::optional<std::string> body;
  std::uint64_t size = 0;
};

OriginalText read_original(const spool::Envelope& e, const std::string& path, bool full,
                           std::size_t cap) {
  OriginalText out;
  // The body only, never the spool's trailer after it; an unreadable file
  // leaves an empty header, which build_dsn reports as such.
  auto read = spool::read_body(path, e.size, 256 * 1024);
  std::string head = read ? std::move(*read) : std::string();
  out.size = e.prepend_headers.size() + e.size;
  std::string text = e.prepend_headers + head;
  auto parts = split_message(text);
  out.header = std::string(parts.header);
  if (full && out.size <= cap && static_cast<std::uint64_t>(text.size()) == out.size) {
    out.body = std::string(parts.body);
  }
  return out;
}

}  // namespace

base::Result<std::unique_ptr<Scheduler>> Scheduler::create(const config::Config& config,
                                                           spool::Spool& spool,
                                                           store::PolicyStore& store,
                                                           SchedulerLimits limits) {
  std::unique_ptr<Scheduler> s(new Scheduler(config, spool, store, limits));
  auto resolver = dns::make_resolver(resolver_settings(config));
  if (!resolver) return base::make_error("[dns]: " + resolver.error().message);
  s->resolver_ = std::move(*resolver);
  auto tls = make_client_tls_context(config.delivery.ca_file);
  if (!tls) return base::make_error("outbound TLS: " + tls.error().message);
  auto credentials = smarthost_credentials(config);
  if (!credentials) return credentials.error();
  s->destinations_ = {&config,      s->resolver_.get(), *tls,
                      *credentials, &s->blocking_,      &s->sts_cache_};
  return s;
}

Scheduler::Scheduler(const config::Config& config, spool::Spool& spool, store::PolicyStore& store,
                     SchedulerLimits limits)
    : config_(config), spool_(spool), store_(store), limits_(limits), timer_(io_) {
  retry_.schedule = config.delivery.retry_schedule;
  retry_.max_lifetime = config.delivery.max_queue_lifetime;
  outbound_.helo_name = config.hostname;
}

Scheduler::~Scheduler() {
  stop();
}

void Scheduler::start() {
  spool_.set_commit_listener([this](const std::string&) { wake(); });
  asio::co_spawn(
      io_, [this] { return loop(); }, asio::detached);
  thread_ = std::thread([this] { io_.run(); });
  base::log_info("delivery_started",
                 {{"mode", config_.delivery.mode == config::DeliveryMode::smarthost
                               ? "smarthost " + config_.delivery.smarthost
                               : "mx"}});
}

void Scheduler::stop(std::chrono::seconds grace) {
  if (!thread_.joinable()) return;
  spool_.set_commit_listener(nullptr);
  stopping_ = true;
  wake();
  // Connections in flight finish their message if they can.
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (active_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  work_.reset();
  io_.stop();
  thread_.join();
  blocking_.join();
}

void Scheduler::wake() {
  asio::post(io_, [this] {
    woken_ = true;
    timer_.cancel();
  });
}

asio::awaitable<void> Scheduler::loop() {
  while (!stopping_) {
    woken_ = false;
    try {
      co_await scan();
    } catch (const std::exception& e) {
      base::log_error("delivery_scan_failed", {{"error", e.what()}});
    }
    if (woken_ || stopping_) continue;
    timer_.expires_after(limits_.scan_interval);
    asio::error_code ec;
    co_await timer_.async_wait(asio::redirect_error(asio::use_awaitable, ec));
  }
}

std::int64_t Scheduler::compute_due(const spool::Envelope& e) const {
  std::int64_t due = std::numeric_limits<std::int64_t>::max();
  for (const auto& r : e.recipients) {
    if (!r.final()) due = std::min(due, r.next_attempt);
  }
  return due;
}

std::string Scheduler::destination_of(const std::string& address) const {
  if (config_.delivery.mode == config::DeliveryMode::smarthost) return kSmarthostDestination;
  auto ascii = dns::to_ascii(domain_of(address));
  return ascii ? *ascii : std::string();
}

asio::awaitable<void> Scheduler::scan() {
  auto ids = spool_.ids();
  if (!ids) {
    base::log_error("delivery_scan_failed", {{"error", ids.error().message}});
    co_return;
  }
  std::set<std::string> present(ids->begin(), ids->end());
  for (auto it = messages_.begin(); it != messages_.end();) {
    // Deleted by an operator ('herald queue delete').
    if (!present.count(it->first) && it->second.running == 0) {
      it = messages_.erase(it);
    } else {
      ++it;
    }
  }
  for (const auto& id : *ids) {
    if (messages_.count(id)) continue;
    auto entry = spool_.find(id);
    if (!entry) continue;  // removed meanwhile
    Tracked t{std::move(entry->envelope), entry->body_path, 0, 0};
    t.due = compute_due(t.envelope);
    messages_.emplace(id, std::move(t));
  }
  for (const auto& id : spool_.take_retry_requests()) {
    auto it = messages_.find(id);
    if (it == messages_.end()) continue;
    for (auto& r : it->second.envelope.recipients) {
      if (!r.final()) r.next_attempt = 0;
    }
    it->second.due = 0;
    base::log_info("delivery_retry_requested", {{"queue_id", id}});
  }
  if (stopping_) co_return;

  const std::int64_t now = unix_now();
  if (metrics_) {
    // Queue gauges from what the scheduler holds in memory: no extra I/O.
    double queued = 0, deferred = 0;
    std::int64_t oldest = now;
    for (const auto& [id, t] : messages_) {
      bool any_deferred = false;
      for (const auto& r : t.envelope.recipients) any_deferred |= r.state == "deferred";
      (any_deferred ? deferred : queued) += 1;
      oldest = std::min(oldest, t.envelope.received_at);
    }
    metrics_->queue_messages(metrics::QueueState::queued).set(queued);
    metrics_->queue_messages(metrics::QueueState::deferred).set(deferred);
    metrics_->queue_oldest_seconds().set(static_cast<double>(now - oldest));
  }
  std::map<std::string, std::vector<Part>> groups;
  std::vector<std::string> expired_ids, finished_ids;
  for (auto& [id, t] : messages_) {
    if (t.running > 0 || t.due > now) continue;
    if (expired(retry_, t.envelope.received_at, now)) {
      expired_ids.push_back(id);
      continue;
    }
    std::map<std::string, Part> by_destination;
    for (std::size_t i = 0; i < t.envelope.recipients.size(); ++i) {
      const auto& r = t.envelope.recipients[i];
      if (r.final() || r.next_attempt > now) continue;
      auto& part = by_destination[destination_of(r.address)];
      part.id = id;
      part.recipients.push_back(i);
    }
    if (by_destination.empty()) {
      t.due = compute_due(t.envelope);
      // Nothing left to try: finished (e.g. after a restart mid-finalize).
      if (t.due == std::numeric_limits<std::int64_t>::max()) finished_ids.push_back(id);
      continue;
    }
    for (auto& [dest, part] : by_destination) groups[dest].push_back(std::move(part));
  }
  for (const auto& id : expired_ids) {
    Tracked& t = messages_.at(id);
    smtp::Outcome o;
    o.reply = {550, "4.4.7",
               "the message stayed in the queue too long (max_queue_lifetime) and was not "
               "delivered"};
    o.permanent = true;
    o.stage = smtp::Stage::local;
    for (std::size_t i = 0; i < t.envelope.recipients.size(); ++i) {
      auto& r = t.envelope.recipients[i];
      if (r.final()) continue;
      r.state = "failed";
      r.last_reply = one_line(o) + (r.last_reply.empty() ? "" : "; last: " + r.last_reply);
      r.reply_from_remote = false;
    }
    co_await finalize(id);
  }
  for (const auto& id : finished_ids) co_await finalize(id);

  for (auto& [dest, parts] : groups) {
    if (active_ >= limits_.max_connections) break;
    if (active_destinations_.count(dest)) continue;  // one connection per destination
    auto run = std::make_shared<Run>();
    run->destination = dest;
    for (auto& part : parts) {
      if (run->parts.size() >= limits_.max_messages_per_connection) break;
      // A message may be in several destinations' runs at once.
      auto it = messages_.find(part.id);
      if (it == messages_.end()) continue;
      ++it->second.running;
      run->parts.push_back(std::move(part));
    }
    ++active_;
    active_destinations_.insert(dest);
    asio::co_spawn(
        io_, [this, run] { return run_destination(run.get()); }, asio::detached);
  }
}

void Scheduler::apply(Tracked& t, std::size_t index, const smtp::Outcome& outcome, bool delivered,
                      std::int64_t now, const std::string& host, const std::string& tls) {
  auto& r = t.envelope.recipients[index];
  r.remote = host;
  r.last_reply = one_line(outcome);
  r.reply_from_remote = outcome.remote;
  ++r.attempts;  // every attempt counts, whatever its result
  const char* result;
  if (delivered) {
    r.state = "delivered";
    result = "delivered";
  } else if (outcome.permanent) {
    r.state = "failed";
    result = "bounced";
  } else {
    r.next_attempt =
        next_attempt(retry_, r.attempts, now, std::uniform_real_distribution<double>(0, 1)(rng_));
    if (r.next_attempt - t.envelope.received_at >= retry_.max_lifetime.count()) {
      // The next try would come after the deadline: give up now (4.4.7).
      r.state = "failed";
      r.last_reply = "550 4.4.7 not delivered within max_queue_lifetime; last: " + r.last_reply;
      r.reply_from_remote = false;
      result = "expired";
    } else {
      r.state = "deferred";
      result = "deferred";
    }
  }
  if (metrics_) {
    const auto kind = delivered                               ? metrics::DeliveryResult::delivered
                      : std::string_view(result) == "expired" ? metrics::DeliveryResult::expired
                      : outcome.permanent                     ? metrics::DeliveryResult::bounced
                                                              : metrics::DeliveryResult::deferred;
    metrics_->delivery_attempts(kind).inc();
    if (delivered) {
      metrics_->submit_to_delivered_seconds().observe(
          static_cast<double>(std::max<std::int64_t>(0, now - t.envelope.received_at)));
    }
  }
  base::log_info("delivery", {{"queue_id", t.envelope.id},
                              {"rcpt", r.address},
                              {"host", host.empty() ? "-" : host},
                              {"result", result},
                              {"attempt", std::to_string(r.attempts)},
                              {"reply", r.last_reply}});
  if (activity_) {
    auto e = events::new_event(result, t.envelope.id, t.envelope.account);
    e.recipient = r.address;
    e.detail =
        nlohmann::json{{"host", host},
                       {"tls", tls},
                       {"reply", r.last_reply},
                       {"code", outcome.reply.code},
                       {"enhanced", outcome.reply.enhanced},
                       {"from_remote", r.reply_from_remote},
                       {"attempt", r.attempts},
                       {"next_attempt", r.state == "deferred" ? nlohmann::json(r.next_attempt)
                                                              : nlohmann::json(nullptr)}}
            .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    activity_->record(std::move(e));
  }
  if (!delivered && outcome.permanent && is_hard_bounce(outcome)) {
    if (activity_) {
      auto e = events::new_event("suppressed", t.envelope.id, t.envelope.account);
      e.recipient = r.address;
      e.detail = nlohmann::json{{"reason", "hard bounce"}, {"source", "bounce"}}.dump();
      activity_->record(std::move(e));
    }
    const std::string address = r.address;
    const std::string reason = r.last_reply;
    store::PolicyStore& store = store_;
    if (metrics_) metrics_->suppressions(metrics::SuppressionSource::bounce).inc();
    asio::post(blocking_, [&store, address, reason] {
      if (auto s = store.add_suppression(address, "hard bounce: " + reason, "bounce"); !s) {
        base::log_error("suppression_add_failed",
                        {{"rcpt", address}, {"error", s.error().message}});
      } else {
        base::log_info("suppressed", {{"rcpt", address}, {"reason", reason}});
      }
    });
  }
}

asio::awaitable<void> Scheduler::run_destination(Run* run) {
  const std::string& destination = run->destination;
  DestinationPlan plan;
  if (destination.empty()) {
    plan.outcome = DestinationPlan::Outcome::permanent;
    plan.failure.reply = {553, "5.1.3", "the recipient's domain is not a valid domain name"};
    plan.failure.permanent = true;
    plan.failure.stage = smtp::Stage::local;
  } else {
    plan = co_await plan_destination(destinations_, destination);
  }
  const std::int64_t now = unix_now();
  for (const auto& note : plan.notes) {
    base::log_info("delivery_policy", {{"destination", destination}, {"note", note}});
  }
  const auto day = TlsReportRecorder::day_of(std::chrono::system_clock::now());

  // Which parts are still waiting for a result.
  std::vector<std::size_t> remaining;
  for (std::size_t i = 0; i < run->parts.size(); ++i) remaining.push_back(i);
  std::optional<smtp::Outcome> last_failure;
  std::string last_host;
  if (plan.outcome != DestinationPlan::Outcome::ok) {
    last_failure = plan.failure;
  } else {
    for (const auto& target : plan.targets) {
      if (remaining.empty() || stopping_) break;
      std::vector<OutboundMessage> messages;
      for (auto i : remaining) {
        const Tracked& t = messages_.at(run->parts[i].id);
        messages.push_back({&t.envelope, t.body_path, run->parts[i].recipients});
      }
      const auto attempt_started = std::chrono::steady_clock::now();
      OutboundResult result = co_await deliver_messages(target, messages, outbound_);
      if (metrics_) {
        metrics_->delivery_attempt_seconds().observe(
            std::chrono::duration<double>(std::chrono::steady_clock::now() - attempt_started)
                .count());
        if (result.connected && destination != kSmarthostDestination) {
          const auto policy = plan.report_policy.type == "tlsa"  ? metrics::TlsPolicy::dane
                              : plan.report_policy.type == "sts" ? metrics::TlsPolicy::mta_sts
                                                                 : metrics::TlsPolicy::none;
          const bool tls_failed =
              result.session_failure && result.session_failure->stage == smtp::Stage::starttls;
          metrics_
              ->outbound_tls(policy,
                             tls_failed ? metrics::TlsResult::failed : metrics::TlsResult::ok)
              .inc();
        }
      }
      const std::string host = target.host + " [" + target.address.to_string() + "]";
      if (!result.tls.empty() || result.connected) {
        base::log_info("delivery_connection",
                       {{"destination", destination},
                        {"host", host},
                        {"tls", result.tls.empty() ? "none" : result.tls},
                        {"result", result.session_failure ? one_line(*result.session_failure)
                                                          : std::string("ok")}});
      }
      // TLS-RPT (RFC 8460): a session that got through TLS counts as a
      // success; one that failed in STARTTLS or the handshake as a failure.
      if (destination != kSmarthostDestination && result.connected) {
        if (result.session_failure && result.session_failure->stage == smtp::Stage::starttls) {
          TlsFailure f;
          f.type = result.session_failure->reply.text.find("STARTTLS") != std::string::npos
                       ? TlsResultType::starttls_not_supported
                       : TlsResultType::validation_failure;
          f.receiving_mx_hostname = target.host;
          f.receiving_ip = target.address.to_string();
          f.additional_information = result.session_failure->reply.text;
          tls_reports_.record_failure(destination, plan.report_policy, f, day);
        } else if (!result.tls.empty()) {
          tls_reports_.record_success(destination, plan.report_policy, day);
        }
      }
      std::vector<std::size_t> next;
      for (std::size_t k = 0; k < remaining.size(); ++k) {
        const std::size_t i = remaining[k];
        const auto& per_rcpt = result.results[k];
        if (per_rcpt.empty()) {
          next.push_back(i);
          continue;
        }
        Tracked& t = messages_.at(run->parts[i].id);
        for (std::size_t j = 0; j < per_rcpt.size(); ++j) {
          const auto& rr = per_rcpt[j];
          bool delivered = rr.status == smtp::RecipientStatus::delivered;
          apply(t, run->parts[i].recipients[j], rr.outcome, delivered, now, host, result.tls);
        }
      }
      remaining = std::move(next);
      if (result.session_failure) last_failure = result.session_failure;
      last_host = host;
    }
    if (!last_failure && !remaining.empty()) {
      last_failure = smtp::Outcome{{451, "4.4.1", "no MX host of " + destination + " answered"}};
    }
  }
  for (auto i : remaining) {
    Tracked& t = messages_.at(run->parts[i].id);
    for (auto index : run->parts[i].recipients) {
      apply(t, index, *last_failure, false, now, last_host, "");
    }
  }
  for (const auto& part : run->parts) {
    auto it = messages_.find(part.id);
    if (it != messages_.end() && --it->second.running == 0) co_await finalize(part.id);
  }
  --active_;
  active_destinations_.erase(destination);
  wake();  // waiting work for this destination can start now
}

asio::awaitable<void> Scheduler::send_reports(const std::string& id, Tracked& t) {
  std::vector<DsnRecipient> report;
  std::vector<std::size_t> covered;
  for (std::size_t i = 0; i < t.envelope.recipients.size(); ++i) {
    auto& r = t.envelope.recipients[i];
    if (r.reported || !r.final()) continue;
    const auto action = r.state == "delivered" ? DsnAction::delivered : DsnAction::failed;
    covered.push_back(i);
    if (!wants_dsn(r.notify, action, t.envelope.mail_from)) continue;
    DsnRecipient d;
    d.final_recipient = r.address;
    d.orcpt = r.orcpt;
    d.action = action;
    auto space = r.last_reply.find(' ');
    std::string enhanced = space == std::string::npos ? "" : r.last_reply.substr(space + 1);
    enhanced = enhanced.substr(0, enhanced.find(' '));
    d.status = action == DsnAction::delivered                 ? "2.0.0"
               : (enhanced.size() >= 5 && enhanced[1] == '.') ? enhanced
                                                              : "5.0.0";
    if (d.status[0] == '4') d.status[0] = '5';  // given up: the final status is permanent
    auto host_end = r.remote.find(' ');
    d.remote_mta = r.remote.substr(0, host_end);
    // RFC 3464 §2.3.6: a reply of the remote server is "smtp;", Herald's
    // own reason (expiry, null MX, policy) is not.
    if (r.reply_from_remote) {
      d.remote_reply = parse_one_line(r.last_reply);
    } else {
      d.local_diagnostic = r.last_reply;
    }
    d.last_attempt = unix_now();
    report.push_back(std::move(d));
  }
  if (covered.empty()) co_return;
  if (!report.empty()) {
    const bool full = parse_dsn_return(t.envelope.dsn_ret) == DsnReturn::full;
    DsnOptions options;
    options.reporting_mta = config_.hostname;
    options.now = unix_now();
    const spool::Envelope& e = t.envelope;
    const std::string& path = t.body_path;
    const std::size_t cap = options.full_cap;
    OriginalText original = co_await net::run_blocking(
        blocking_, [&e, &path, full, cap] { return read_original(e, path, full, cap); });
    DsnOriginal o;
    o.sender = e.mail_from;
    o.envid = e.dsn_envid;
    o.ret = full ? DsnReturn::full : DsnReturn::headers;
    o.arrival = e.received_at;
    o.queue_id = id;
    o.header = original.header;
    if (original.body) o.body = *original.body;
    o.size = original.size;
    auto dsn = build_dsn(options, o, report);
    if (!dsn) {
      base::log_error("dsn_failed", {{"queue_id", id}, {"error", dsn.error().message}});
    } else {
      spool::Envelope bounce;
      bounce.mail_from = "";
      spool::Recipient to;
      to.address = e.mail_from;
      bounce.recipients.push_back(std::move(to));
      bounce.received_at = unix_now();
      bounce.account = e.account;
      bounce.helo = config_.hostname;
      bounce.body_type = dsn->eight_bit ? "8BITMIME" : "7BIT";
      spool::Spool& spool = spool_;
      const std::string& text = dsn->message;
      auto queued = co_await net::await_callback<base::Result<std::string>>(
          [&spool, &bounce, &text](auto done) { spool.enqueue(bounce, text, std::move(done)); });
      if (!queued) {
        base::log_error("dsn_failed", {{"queue_id", id}, {"error", queued.error().message}});
        co_return;  // not marked reported: tried again at the next finalize
      }
      if (metrics_) metrics_->dsns().inc();
      if (activity_) {
        auto ev = events::new_event("dsn_queued", id, e.account);
        ev.detail = nlohmann::json{{"dsn_id", *queued},
                                   {"to", e.mail_from},
                                   {"recipients", static_cast<std::int64_t>(report.size())}}
                        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
        activity_->record(std::move(ev));
      }
      base::log_info("dsn_queued", {{"queue_id", id},
                                    {"dsn_id", *queued},
                                    {"to", e.mail_from},
                                    {"recipients", std::to_string(report.size())}});
    }
  }
  for (auto i : covered) t.envelope.recipients[i].reported = true;
}

asio::awaitable<void> Scheduler::finalize(std::string_view id_view) {
  const std::string id(id_view);
  auto it = messages_.find(id);
  if (it == messages_.end()) co_return;
  Tracked& t = it->second;
  ++t.running;  // nobody else touches it while this runs
  co_await send_reports(id, t);
  bool all_final = true;
  for (const auto& r : t.envelope.recipients) all_final = all_final && r.final();
  spool::Spool& spool = spool_;
  const spool::Envelope& envelope = t.envelope;
  base::Result<void> written =
      co_await net::run_blocking(blocking_, [&spool, &envelope, all_final] {
        return all_final ? spool.remove(envelope.id) : spool.update(envelope);
      });
  --t.running;
  if (!written) {
    base::log_error("delivery_state_not_saved",
                    {{"queue_id", id}, {"error", written.error().message}});
  }
  if (all_final || !written) {
    messages_.erase(id);  // done, or deleted by an operator: forget it
    if (all_final) base::log_info("delivery_done", {{"queue_id", id}});
    co_return;
  }
  t.due = compute_due(t.envelope);
}

}  // namespace herald::delivery
