// submission::Session — the session coroutine and its deadlines: reads
// bytes into smtp::ServerProtocol, runs the handshakes, and turns the
// protocol's events into decisions (policy cache, suppression, rate limits,
// spool). AUTH is in session_auth.cpp, header checks and signing in
// session_message.cpp. It must not block its I/O thread (store, Argon2 and
// signing go to the worker pool), must not decide anything the protocol
// core decides (framing, replies to malformed input), and must never say
// 250 to a message before the spool has made it durable.
#include "herald/submission/session.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sodium.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/redirect_error.hpp>
#include <asio/use_awaitable.hpp>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "herald/base/log.hpp"
#include "herald/mail/date.hpp"
#include "herald/net/await_callback.hpp"

namespace herald::submission {
namespace {

using namespace std::chrono_literals;

std::string random_id() {
  unsigned char bytes[6];
  randombytes_buf(bytes, sizeof bytes);
  return fmt::format("{:02x}", fmt::join(bytes, bytes + sizeof bytes, ""));
}

smtp::ServerConfig protocol_config(const config::Config& c, const config::Listener& l) {
  smtp::ServerConfig pc;
  pc.hostname = c.hostname;
  pc.max_message_size = c.limits.max_message_size;
  pc.max_recipients = c.limits.max_recipients;
  pc.max_errors = c.limits.max_errors;
  pc.starttls_available = l.tls == config::TlsMode::starttls;
  // Implicit TLS: the handshake completes before the banner is sent.
  pc.tls_active = l.tls == config::TlsMode::implicit;
  pc.auth_required = l.auth == config::AuthMode::required;
  pc.auth_mechanisms = c.auth.mechanisms;
  return pc;
}

// Why the protocol refused a message's content, for the log.
const char* data_refusal_name(smtp::DataStatus status) {
  switch (status) {
    case smtp::DataStatus::ok:
      return "ok";
    case smtp::DataStatus::too_big:
      return "too big";
    case smtp::DataStatus::bare_newline:
      return "bare CR or LF";
    case smtp::DataStatus::line_too_long:
      return "line too long";
    case smtp::DataStatus::nul:
      return "NUL octet";
    case smtp::DataStatus::bdat_aborted:
      return "BDAT aborted";
  }
  return "bad data";
}

}  // namespace

Session::Session(Context& context, const config::Listener& listener, asio::ip::tcp::socket socket,
                 net::ConnectionLimiter::Slot slot)
    : ctx_(context),
      listener_(listener),
      slot_(std::move(slot)),
      stream_(std::move(socket), listener.tls == config::TlsMode::none || !context.tls
                                     ? nullptr
                                     : context.tls->current()),
      protocol_(protocol_config(context.config, listener)),
      started_(std::chrono::steady_clock::now()),
      id_(random_id()) {
  asio::error_code ec;
  auto remote = stream_.socket().remote_endpoint(ec);
  client_ip_ = ec ? "unknown" : remote.address().to_string();
  if (ctx_.metrics) {
    const auto index = static_cast<std::size_t>(&listener_ - ctx_.config.listeners.data());
    ctx_.metrics->connections(index).inc();
    ctx_.metrics->connections_active(index).add(1);
  }
}

Session::~Session() {
  if (watchdog_) watchdog_->stop();
  if (ctx_.metrics) {
    const auto index = static_cast<std::size_t>(&listener_ - ctx_.config.listeners.data());
    ctx_.metrics->connections_active(index).add(-1);
  }
  ctx_.sessions.remove(this);
}

void Session::count_message(metrics::MessageResult result) {
  if (ctx_.metrics) ctx_.metrics->messages_received(result).inc();
  // A refusal after AUTH counts toward the account's hourly "rejected".
  if (result != metrics::MessageResult::accepted && ctx_.activity && identity_) {
    ctx_.activity->record(events::new_event("rejected", "", identity_->account));
  }
}

void Session::start(std::shared_ptr<Session> session) {
  session->ctx_.sessions.add(session);
  auto executor = session->stream_.socket().get_executor();
  // The watchdog holds no reference to the session: run() stops it before
  // the session can go away.
  session->watchdog_ = net::Watchdog::start(executor, [s = session.get()] {
    s->timed_out_ = true;
    s->stream_.cancel();
  });
  session->arm(session->command_timeout(), "command");
  asio::co_spawn(
      executor, [s = std::move(session)]() { return s->run(); }, asio::detached);
}

void Session::request_stop(std::shared_ptr<Session> session) {
  auto executor = session->stream_.socket().get_executor();
  asio::post(executor, [s = std::move(session)] {
    s->stopping_ = true;
    if (s->idle_read_) s->stream_.cancel();
  });
}

void Session::apply_stress(std::shared_ptr<Session> session) {
  auto executor = session->stream_.socket().get_executor();
  asio::post(executor, [s = std::move(session)] {
    if (s->done_ || s->data_deadline_) return;
    const auto limit = std::chrono::steady_clock::now() + s->command_timeout();
    if (s->line_deadline_) s->line_deadline_ = std::min(*s->line_deadline_, limit);
    if (limit < s->watchdog_->deadline()) s->set_deadline(limit, s->deadline_for_);
  });
}

void Session::arm(std::chrono::steady_clock::duration timeout, const char* what) {
  set_deadline(std::chrono::steady_clock::now() + timeout, what);
}

void Session::set_deadline(std::chrono::steady_clock::time_point deadline, const char* what) {
  deadline_for_ = what;
  watchdog_->arm_at(deadline);
}

std::chrono::seconds Session::command_timeout() const {
  const auto& limits = ctx_.config.limits;
  // Stress (most connection slots taken): idle and slow clients give way
  // sooner, so that slots keep turning over for real ones.
  if (ctx_.limiter.stressed())
    return std::min(limits.command_timeout, limits.stress_command_timeout);
  return limits.command_timeout;
}

std::chrono::seconds Session::handshake_timeout() const {
  // The whole handshake, however its records are trickled; never longer
  // than a command line may take (so stress mode shortens it too).
  return std::min<std::chrono::seconds>(30s, command_timeout());
}

void Session::arm_for_read(smtp::ServerProtocol::InputState state) {
  using State = smtp::ServerProtocol::InputState;
  const auto now = std::chrono::steady_clock::now();
  if (state == State::in_message) {
    line_deadline_.reset();
    if (!data_deadline_) data_deadline_ = now + ctx_.config.limits.data_timeout;
    set_deadline(*data_deadline_, "message data");
    return;
  }
  data_deadline_.reset();
  // Restarting the clock on every byte would let a client hold the
  // connection forever by trickling; the line's deadline stays put until
  // the whole line is in.
  if (state == State::between_lines || !line_deadline_) line_deadline_ = now + command_timeout();
  set_deadline(*line_deadline_, "command line");
}

void Session::credit_data(std::size_t n) {
  if (!data_deadline_) return;
  const auto& limits = ctx_.config.limits;
  const auto now = std::chrono::steady_clock::now();
  const auto cap = now + limits.data_timeout;
  if (limits.min_data_rate == 0) {
    data_deadline_ = cap;
    return;
  }
  const auto credit =
      std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(
          static_cast<double>(n) / static_cast<double>(limits.min_data_rate)));
  data_deadline_ = std::min(*data_deadline_ + credit, cap);
}

asio::awaitable<void> Session::flush() {
  if (!protocol_.has_output()) co_return;
  std::string out = protocol_.take_output();
  if (ctx_.metrics) {
    // One count per reply: its last line is "NNN " (or just "NNN").
    for (std::size_t start = 0; start + 3 <= out.size();) {
      const std::size_t end = out.find("\r\n", start);
      if (end == std::string::npos) break;
      if (end - start == 3 || out[start + 3] == ' ') {
        ctx_.metrics->smtp_reply(std::atoi(out.substr(start, 3).c_str())).inc();
      }
      start = end + 2;
    }
  }
  arm(command_timeout(), "reply write");
  co_await stream_.write(out);
}

asio::awaitable<bool> Session::read_more() {
  const auto state = protocol_.input_state();
  arm_for_read(state);
  asio::error_code ec;
  std::size_t n = 0;
  try {
    // Between messages a session may idle for minutes: wait for bytes
    // before taking a read buffer, and give it back afterwards, so an idle
    // connection holds no buffer (see docs/performance.md).
    if (!writer_) {
      if (stopping_) co_return false;
      idle_read_ = true;
      co_await stream_.wait_readable();
      idle_read_ = false;
    }
    if (buffer_.empty()) buffer_.resize(16 * 1024);
    n = co_await stream_.read_some(buffer_.data(), buffer_.size());
  } catch (const std::system_error& e) {
    ec = e.code();
  }
  idle_read_ = false;
  if (ec || n == 0) co_return false;
  if (state == smtp::ServerProtocol::InputState::in_message) credit_data(n);
  protocol_.receive(std::string_view(buffer_.data(), n));
  if (!writer_) std::vector<char>().swap(buffer_);
  co_return true;
}

asio::awaitable<void> Session::run() {
  base::log_info("connect",
                 {{"session", id_}, {"ip", client_ip_}, {"listener", listener_.address}});
  std::string reason = "quit";
  try {
    if (listener_.tls == config::TlsMode::implicit) {
      arm(handshake_timeout(), "TLS handshake");
      in_handshake_ = true;
      co_await stream_.handshake();
      in_handshake_ = false;
      tls_description_ =
          net::tls_version(stream_.native_ssl()) + " " + net::tls_cipher(stream_.native_ssl());
      base::log_info("tls", {{"session", id_},
                             {"version", net::tls_version(stream_.native_ssl())},
                             {"cipher", net::tls_cipher(stream_.native_ssl())}});
    }
    if (listener_.tls == config::TlsMode::implicit) note_tls_channel_binding();
    protocol_.greet();
    for (;;) {
      smtp::Event event = protocol_.next();
      if (event.kind == smtp::EventKind::need_input) {
        co_await flush();
        if (protocol_.closing()) break;
        if (!co_await read_more()) {
          reason = timed_out_ ? "timeout" : stopping_ ? "server stopping" : "client closed";
          if (stopping_ && !timed_out_) {
            stream_.resume();  // the stop interrupted the read; the goodbye must go out
            co_await stream_.write("421 4.3.2 " + ctx_.config.hostname +
                                   " Service shutting down, try again later\r\n");
          }
          break;
        }
        continue;
      }
      if (event.kind == smtp::EventKind::quit || event.kind == smtp::EventKind::close) {
        reason = event.kind == smtp::EventKind::quit ? "quit" : "too many errors";
        co_await flush();
        break;
      }
      co_await handle(event);
    }
  } catch (const std::exception& e) {
    reason = timed_out_ ? "timeout" : std::string("error: ") + e.what();
  }
  if (timed_out_) {
    reason = std::string("timeout: ") + deadline_for_;
    // Best effort: the reply is tiny and fits the socket buffer. Not in
    // the middle of a TLS handshake: the client expects TLS records there,
    // and on an implicit-TLS port a line in clear text is never right.
    if (!in_handshake_) {
      try {
        stream_.resume();
        arm(5s, "timeout reply");
        co_await stream_.write("421 4.4.2 " + ctx_.config.hostname +
                               " Timeout exceeded, closing connection\r\n");
      } catch (...) {
      }
    }
  }
  reset_transaction();
  done_ = true;
  watchdog_->stop();
  stream_.close();
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_);
  base::log_info("disconnect", {{"session", id_},
                                {"ip", client_ip_},
                                {"reason", reason},
                                {"messages", std::to_string(messages_)},
                                {"duration", fmt::format("{:.3f}s", seconds.count())}});
}

asio::awaitable<void> Session::handle(smtp::Event& event) {
  switch (event.kind) {
    case smtp::EventKind::helo:
      break;
    case smtp::EventKind::starttls: {
      co_await flush();
      arm(handshake_timeout(), "TLS handshake");
      in_handshake_ = true;
      co_await stream_.handshake();
      in_handshake_ = false;
      protocol_.tls_started();
      note_tls_channel_binding();
      reset_transaction();
      tls_description_ =
          net::tls_version(stream_.native_ssl()) + " " + net::tls_cipher(stream_.native_ssl());
      base::log_info("tls", {{"session", id_},
                             {"version", net::tls_version(stream_.native_ssl())},
                             {"cipher", net::tls_cipher(stream_.native_ssl())}});
      break;
    }
    case smtp::EventKind::auth:
      co_await begin_auth(event);
      break;
    case smtp::EventKind::auth_response:
      co_await continue_auth(event);
      break;
    case smtp::EventKind::auth_aborted:
      sasl_.reset();
      scram_.reset();
      cram_.reset();
      oauth_.reset();
      break;
    case smtp::EventKind::mail:
      co_await handle_mail(event);
      break;
    case smtp::EventKind::rcpt:
      co_await handle_rcpt(event);
      break;
    case smtp::EventKind::data_begin:
      handle_data_begin(event);
      break;
    case smtp::EventKind::data_chunk:
      if (writer_ && !write_failed_) {
        // The DKIM body hash is computed as the body streams by, so signing
        // at end of data costs no second pass over the message.
        const std::size_t header_bytes = headers_->feed(event.data);
        if (body_hasher_) body_hasher_->update(std::string_view(event.data).substr(header_bytes));
        if (!writer_->write(event.data)) write_failed_ = true;
      }
      break;
    case smtp::EventKind::data_end:
      co_await handle_data_end(event);
      break;
    case smtp::EventKind::reset:
      reset_transaction();
      break;
    default:
      break;
  }
}

asio::awaitable<void> Session::handle_mail(const smtp::Event& event) {
  // One look at the store's policy version per transaction: the policy
  // answers for this MAIL and its RCPTs are those of this moment.
  store_version_ = ctx_.store.policy_version();
  if (identity_) {
    if (!identity_->domains_loaded) {
      auto loaded = co_await account_policy(identity_->account);
      if (!loaded) {
        base::log_error("store_error", {{"session", id_}, {"error", loaded.error().message}});
        protocol_.reject(
            {451, "4.3.0", "Local error: cannot read the sending domains now; try again later"});
        co_return;
      }
      identity_->domains = std::move(loaded->domains);
      identity_->messages_per_hour =
          static_cast<std::uint64_t>(loaded->limits.messages_per_hour.value_or(0));
      identity_->recipients_per_hour =
          static_cast<std::uint64_t>(loaded->limits.recipients_per_hour.value_or(0));
      identity_->domains_loaded = true;
    }
    auto decision = policy::check_envelope_sender(*identity_, event.text);
    if (!decision.allowed) {
      count_message(metrics::MessageResult::refused_policy);
      protocol_.reject({550, "5.7.1", decision.reason});
      co_return;
    }
  }
  if (auto limited = take_rate("message", 1)) {
    count_message(metrics::MessageResult::refused_rate);
    protocol_.reject(*limited);
    co_return;
  }
  mail_from_ = event.text;
  mail_params_ = event.mail;
  protocol_.accept_mail();
}

asio::awaitable<base::Result<store::AccountPolicy>> Session::account_policy(
    const std::string& account) {
  // The store is read on a worker (SQLite may wait on the disk) unless the
  // cache holds an answer the store has not changed since.
  if (auto hit = ctx_.policy_cache.account(account, store_version_)) co_return std::move(*hit);
  PolicyCache& cache = ctx_.policy_cache;
  store::PolicyStore& store = ctx_.store;
  co_return co_await run_blocking(
      ctx_.workers, [&cache, &store, &account] { return cache.read_account(store, account); });
}

asio::awaitable<base::Result<std::optional<store::Suppression>>> Session::find_suppression(
    const std::string& address) {
  // Looked up for every recipient, so that 'herald suppression add/remove'
  // takes effect from the next transaction: any commit empties the cache.
  if (auto hit = ctx_.policy_cache.suppression(address, store_version_)) co_return std::move(*hit);
  PolicyCache& cache = ctx_.policy_cache;
  store::PolicyStore& store = ctx_.store;
  co_return co_await run_blocking(
      ctx_.workers, [&cache, &store, &address] { return cache.read_suppression(store, address); });
}

std::optional<smtp::Reply> Session::take_rate(std::string_view what, std::uint64_t n) {
  if (!ctx_.rates) return std::nullopt;
  const bool messages = what == "message";
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  auto refuse = [&](const std::string& who, std::uint64_t limit, std::int64_t retry_at,
                    metrics::RateLimitWho counted_as) {
    base::log_info("rate_limited", {{"session", id_}, {"who", who}, {"what", std::string(what)}});
    if (ctx_.metrics) {
      ctx_.metrics
          ->rate_limited(
              messages ? metrics::RateLimitWhat::message : metrics::RateLimitWhat::recipient,
              counted_as)
          .inc();
    }
    return smtp::Reply{
        450, "4.7.1",
        fmt::format("Rate limit reached: {} may send {} {}s per hour; try again "
                    "after {:%H:%M:%S} UTC",
                    who, limit, what, fmt::gmtime(static_cast<std::time_t>(retry_at)))};
  };
  const std::uint64_t ip_limit = messages ? ctx_.config.limits.max_messages_per_hour_per_ip
                                          : ctx_.config.limits.max_recipients_per_hour_per_ip;
  const std::uint64_t account_limit =
      identity_ ? (messages ? identity_->messages_per_hour : identity_->recipients_per_hour) : 0;
  // Both must have room before either counts, so a refusal costs nothing.
  const std::string ip_key = std::string(what) + "/ip/" + client_ip_;
  const std::string account_key =
      identity_ ? std::string(what) + "/account/" + identity_->account : "";
  auto ip = ctx_.rates->take(ip_key, n, {ip_limit}, now);
  if (!ip.allowed) {
    return refuse("the address " + client_ip_, ip_limit, ip.retry_at, metrics::RateLimitWho::ip);
  }
  if (account_limit > 0) {
    auto account = ctx_.rates->take(account_key, n, {account_limit}, now);
    if (!account.allowed) {
      // Give back what the IP counter took for this refused attempt.
      if (ip_limit > 0) ctx_.rates->give_back(ip_key, n);
      return refuse("account " + identity_->account, account_limit, account.retry_at,
                    metrics::RateLimitWho::account);
    }
  }
  return std::nullopt;
}

namespace {

// The refusal for a suppressed recipient: when, why, and how to undo it.
// Kept under the 512-octet reply line (RFC 5321 §4.5.3.1.5) by dropping
// the reason, then the repeated address, when addresses are very long.
std::string suppressed_text(const std::string& address, const store::Suppression& row) {
  auto ascii = [](std::string_view text) {
    std::string out;
    for (char c : text) out += (c >= 0x20 && c < 0x7f) ? c : '?';
    return out;
  };
  char since[32];
  const std::time_t t = static_cast<std::time_t>(row.created_at);
  std::tm tm{};
  ::gmtime_r(&t, &tm);
  std::strftime(since, sizeof since, "%Y-%m-%d %H:%M UTC", &tm);
  const std::string reason = row.reason.empty() ? "" : " (" + ascii(row.reason) + ")";
  auto text = [&](std::string_view why, std::string_view target) {
    return fmt::format(
        "<{}>: this address is on the suppression list since {}{}; it is not sent to. If it "
        "works again, an administrator can lift this with 'herald suppression remove {}'",
        ascii(address), since, why, target);
  };
  constexpr std::size_t kMax = 512 - 12;  // "550 5.1.1 " and CRLF
  std::string out = text(reason, ascii(row.address));
  if (out.size() > kMax) out = text("", ascii(row.address));
  if (out.size() > kMax) out = text("", "ADDRESS");
  return out;
}

}  // namespace

asio::awaitable<void> Session::handle_rcpt(const smtp::Event& event) {
  auto decision = policy::check_relay(identity_ ? &*identity_ : nullptr);
  if (!decision.allowed) {
    protocol_.reject({554, "5.7.1", decision.reason});
    co_return;
  }
  auto suppressed = co_await find_suppression(event.text);
  if (!suppressed) {
    base::log_error("store_error", {{"session", id_}, {"error", suppressed.error().message}});
    protocol_.reject(
        {451, "4.3.0", "Local error: cannot read the suppression list now; try again later"});
    co_return;
  }
  if (*suppressed) {
    base::log_info("rcpt_suppressed", {{"session", id_}, {"rcpt", (*suppressed)->address}});
    count_message(metrics::MessageResult::refused_suppressed);
    protocol_.reject({550, "5.1.1", suppressed_text(event.text, **suppressed)});
    co_return;
  }
  if (auto limited = take_rate("recipient", 1)) {
    protocol_.reject(*limited);
    co_return;
  }
  recipients_.push_back(event.text);
  rcpt_params_.push_back(event.rcpt);
  protocol_.accept_rcpt();
}

void Session::handle_data_begin(const smtp::Event&) {
  auto writer = ctx_.spool.create();
  if (!writer) {
    base::log_error("spool_error", {{"session", id_}, {"error", writer.error().message}});
    protocol_.reject({451, "4.3.0", "Local error: cannot store the message now; try again later"});
    return;
  }
  writer_ = std::move(*writer);
  write_failed_ = false;
  headers_.emplace();
  // Only an account with sending domains has DKIM keys to sign with; the
  // others skip the body hash and the signing round trip to the workers.
  if (identity_ && ctx_.dkim && !identity_->domains.empty()) body_hasher_.emplace();
  std::string received = received_header(writer_->id());
  if (!writer_->write(received)) write_failed_ = true;
  protocol_.accept_data();
}

asio::awaitable<void> Session::handle_data_end(const smtp::Event& event) {
  if (!writer_) co_return;  // data_begin was refused
  const auto end_of_data = std::chrono::steady_clock::now();
  if (event.status != smtp::DataStatus::ok) {
    count_message(metrics::MessageResult::refused_content);
    base::log_info("message_refused",
                   {{"session", id_}, {"reason", std::string(data_refusal_name(event.status))}});
    reset_transaction();
    co_return;
  }
  if (write_failed_) {
    count_message(metrics::MessageResult::error);
    reset_transaction();
    protocol_.reject({451, "4.3.0", "Local error: cannot store the message now; try again later"});
    co_return;
  }
  if (auto refused = check_headers()) {
    count_message(metrics::MessageResult::refused_policy);
    reset_transaction();
    protocol_.reject(*refused);
    co_return;
  }
  spool::Envelope envelope;
  envelope.mail_from = mail_from_;
  for (std::size_t i = 0; i < recipients_.size(); ++i) {
    spool::Recipient r;
    r.address = recipients_[i];
    r.notify = rcpt_params_[i].notify;
    r.orcpt = rcpt_params_[i].orcpt;
    envelope.recipients.push_back(std::move(r));
  }
  envelope.dsn_ret = mail_params_.ret;
  envelope.dsn_envid = mail_params_.envid;
  envelope.received_at = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  envelope.client_ip = client_ip_;
  envelope.helo = protocol_.helo_name();
  envelope.auth_identity = identity_ ? identity_->login : "";
  envelope.account = identity_ ? identity_->account : "";
  envelope.smtputf8 = mail_params_.smtputf8;
  if (!mail_params_.body.empty()) envelope.body_type = mail_params_.body;
  if (stream_.tls_active()) {
    envelope.tls = {true, net::tls_version(stream_.native_ssl()),
                    net::tls_cipher(stream_.native_ssl())};
  }
  if (auto refused = co_await sign_message(envelope)) {
    reset_transaction();
    protocol_.reject(*refused);
    co_return;
  }
  std::string dkim_for_log = envelope.dkim_domain.empty() ? "none" : envelope.dkim_domain;
  auto writer = std::move(writer_);
  std::uint64_t size = writer->size();
  std::string from_for_log = mail_from_.empty() ? "<>" : mail_from_;
  std::string mail_from_for_audit = mail_from_;
  auto committed =
      co_await await_callback<base::Result<std::string>>([this, &writer, &envelope](auto done) {
        ctx_.spool.commit(std::move(writer), std::move(envelope), std::move(done));
      });
  std::size_t rcpt_count = recipients_.size();
  std::vector<std::string> recipients = recipients_;
  std::string selectors = std::move(signed_selectors_);
  reset_transaction();
  if (!committed) {
    base::log_error("spool_error", {{"session", id_}, {"error", committed.error().message}});
    protocol_.reject({451, "4.3.0", "Local error: cannot store the message now; try again later"});
    co_return;
  }
  ++messages_;
  protocol_.message_queued(*committed);
  count_message(metrics::MessageResult::accepted);
  if (ctx_.metrics) {
    ctx_.metrics->acceptance_seconds().observe(std::chrono::steady_clock::now() - end_of_data);
  }
  if (ctx_.activity) {
    auto received = events::new_event("received", *committed, identity_ ? identity_->account : "");
    received.sender = mail_from_for_audit;
    received.identity = identity_ ? identity_->login : "";
    received.client_ip = client_ip_;
    received.size = size;
    received.recipients = std::move(recipients);
    nlohmann::json detail = {{"helo", protocol_.helo_name()}, {"tls", tls_description_}};
    received.detail = detail.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    ctx_.activity->record(std::move(received));
    if (!selectors.empty()) {
      auto sig = events::new_event("signed", *committed, identity_ ? identity_->account : "");
      sig.detail = nlohmann::json{{"d", dkim_for_log}, {"s", selectors}}.dump(
          -1, ' ', false, nlohmann::json::error_handler_t::replace);
      ctx_.activity->record(std::move(sig));
    }
  }
  ctx_.audit.record({0, 0, "send", "message_accepted", identity_ ? identity_->login : "",
                     client_ip_,
                     fmt::format("queue_id={} from=<{}> recipients={} size={}", *committed,
                                 mail_from_for_audit, rcpt_count, size)});
  base::log_info("message_accepted", {{"session", id_},
                                      {"queue_id", *committed},
                                      {"from", from_for_log},
                                      {"size", std::to_string(size)},
                                      {"recipients", std::to_string(rcpt_count)},
                                      {"dkim", dkim_for_log}});
}

void Session::reset_transaction() {
  if (writer_) writer_->abort();
  writer_.reset();
  headers_.reset();
  body_hasher_.reset();
  from_domain_.clear();
  mail_from_.clear();
  mail_params_ = {};
  recipients_.clear();
  rcpt_params_.clear();
  signed_selectors_.clear();
  write_failed_ = false;
  store_version_.reset();
}

std::string Session::received_header(const std::string& queue_id) const {
  // RFC 5321 §4.4 trace field; "ESMTPSA" etc per RFC 3848. The recipient is
  // named only for a single recipient, so Bcc lists don't leak.
  std::string with = "ESMTP";
  if (stream_.tls_active()) with += "S";
  if (identity_) with += "A";
  std::string h = fmt::format("Received: from {} ([{}])\r\n\tby {} (Herald) with {} id {}",
                              protocol_.helo_name().empty() ? "unknown" : protocol_.helo_name(),
                              client_ip_, ctx_.config.hostname, with, queue_id);
  if (!tls_description_.empty()) h += fmt::format("\r\n\t(using {})", tls_description_);
  if (recipients_.size() == 1) h += fmt::format("\r\n\tfor <{}>", recipients_.front());
  h += "; " + mail::rfc5322_date_now() + "\r\n";
  return h;
}

}  // namespace herald::submission
