// ClientProtocol's machinery: the glue-facing calls, reply framing, checks
// on a transaction before anything is sent, session failure and timeouts.
// What each reply means is in client_protocol_replies.cpp.
#include "herald/smtp/client_protocol.hpp"

#include <utility>

#include "herald/base/ascii.hpp"
#include "herald/mail/address.hpp"

namespace herald::smtp {
namespace {

using namespace std::chrono_literals;

// Unread server bytes held at most. The glue reads only on need_input and
// every expected reply is bounded, so only a server talking out of turn
// while the glue keeps feeding can reach this.
constexpr std::size_t kMaxBufferedInput = 256 * 1024;

constexpr std::size_t kMaxEnvid = 100;  // RFC 3461 §4.4
constexpr std::size_t kMaxOrcpt = 500;  // RFC 3461 §4.2

bool is_upper_hex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F');
}

// xtext (RFC 3461 §4): "!".."~" except "+" and "=", or "+" and two
// upper-case hex digits. Checked because these values go on the wire as-is.
bool is_xtext(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '+') {
      if (i + 2 >= s.size()) return false;
      if (!is_upper_hex(s[i + 1]) || !is_upper_hex(s[i + 2])) return false;
      i += 2;
    } else if (c < '!' || c > '~' || c == '=') {
      return false;
    }
  }
  return true;
}

bool valid_notify(std::string_view value) {
  const std::string v = base::ascii_upper(value);
  if (v == "NEVER") return true;
  if (v.empty()) return false;
  std::size_t start = 0;
  while (start <= v.size()) {
    const std::size_t comma = v.find(',', start);
    const std::string_view item = std::string_view(v).substr(
        start, comma == std::string::npos ? std::string::npos : comma - start);
    if (item != "SUCCESS" && item != "FAILURE" && item != "DELAY") return false;
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return true;
}

bool valid_orcpt(std::string_view value) {
  const std::size_t semi = value.find(';');
  if (semi == std::string_view::npos || semi == 0 || value.size() > kMaxOrcpt) return false;
  for (char c : value.substr(0, semi)) {
    const bool alnum = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!alnum && c != '-') return false;
  }
  return is_xtext(value.substr(semi + 1));
}

std::string sanitize_reason(std::string_view reason) {
  std::string out(reason.substr(0, 200));
  for (char& c : out) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u > 0x7E) c = '?';
  }
  return out;
}

}  // namespace

std::string_view stage_name(Stage stage) {
  switch (stage) {
    case Stage::connect:
      return "connect";
    case Stage::ehlo:
      return "EHLO";
    case Stage::starttls:
      return "STARTTLS";
    case Stage::auth:
      return "AUTH";
    case Stage::rset:
      return "RSET";
    case Stage::mail:
      return "MAIL";
    case Stage::rcpt:
      return "RCPT";
    case Stage::data:
      return "DATA";
    case Stage::message:
      return "end of data";
    case Stage::quit:
      return "QUIT";
    case Stage::local:
      return "local";
  }
  return "unknown";
}

std::string Outcome::describe() const {
  std::string out = std::to_string(reply.code);
  if (!reply.enhanced.empty()) out += " " + reply.enhanced;
  if (!reply.text.empty()) out += " " + reply.text;
  out += remote ? " (in reply to " : " (";
  out += stage_name(stage);
  out += ")";
  return out;
}

ClientProtocol::ClientProtocol(ClientConfig config)
    : config_(std::move(config)), parser_(config_.reply_limits), tls_active_(config_.tls_active) {
  pending_.push_back(Pending{Expect::banner});
  // The name goes on the wire in EHLO: anything else could inject commands.
  const std::string& name = config_.helo_name;
  if (!mail::is_valid_domain(name, false) && !mail::is_valid_address_literal(name)) {
    fail_session(
        Outcome{{451, "4.3.5", "invalid EHLO name in configuration"}, false, false, Stage::local},
        false);
  }
}

base::Result<void> ClientProtocol::start_transaction(ClientTransaction tx) {
  if (phase_ == Phase::ended || phase_ == Phase::quitting || quit_requested_) {
    return base::make_error("the SMTP session has ended");
  }
  if (tx_) return base::make_error("a transaction is already in progress");
  if (tx.recipients.empty()) return base::make_error("a transaction needs recipients");
  if (!tx.sender.empty() &&
      !mail::parse_path("<" + tx.sender + ">", tx.smtputf8, mail::PathKind::reverse)) {
    return base::make_error("malformed sender address");
  }
  const std::string ret = base::ascii_upper(tx.ret);
  if (!ret.empty() && ret != "FULL" && ret != "HDRS") {
    return base::make_error("DSN RET must be FULL or HDRS");
  }
  if (tx.envid.size() > kMaxEnvid || !is_xtext(tx.envid)) {
    return base::make_error("DSN ENVID must be xtext of at most 100 characters");
  }
  tx.ret = ret;

  results_.assign(tx.recipients.size(), RecipientResult{});
  for (std::size_t i = 0; i < tx.recipients.size(); ++i) {
    ClientRecipient& r = tx.recipients[i];
    const bool address_ok =
        !r.address.empty() &&
        mail::parse_path("<" + r.address + ">", tx.smtputf8, mail::PathKind::forward).ok();
    const bool notify_ok = r.notify.empty() || valid_notify(r.notify);
    const bool orcpt_ok = r.orcpt.empty() || valid_orcpt(r.orcpt);
    r.notify = base::ascii_upper(r.notify);
    if (!address_ok || !notify_ok || !orcpt_ok) {
      const char* what =
          !address_ok ? "bad recipient address syntax" : "bad DSN parameters for this recipient";
      results_[i] = RecipientResult{RecipientStatus::permanent,
                                    Outcome{{553, "5.1.3", what}, false, true, Stage::local}};
    }
  }
  tx_ = std::move(tx);
  if (phase_ == Phase::ready && pending_.empty()) begin_transaction();
  return {};
}

void ClientProtocol::quit() {
  if (phase_ == Phase::ended || phase_ == Phase::quitting) return;
  quit_requested_ = true;
  if (phase_ == Phase::ready && !tx_ && pending_.empty()) send_quit();
}

void ClientProtocol::receive(std::string_view bytes) {
  // Between STARTTLS's 220 and tls_started() plaintext must never reach the
  // TLS session (response injection, CVE-2011-0411 class).
  if (phase_ == Phase::ended || phase_ == Phase::tls_wait) return;
  if (input_pos_ > 0) {
    input_.erase(0, input_pos_);
    input_pos_ = 0;
  }
  if (input_.size() + bytes.size() > kMaxBufferedInput) {
    return fail_session(Outcome{{451, "4.5.0", "protocol error: remote server sent too much"},
                                false,
                                false,
                                current_stage()},
                        false);
  }
  input_.append(bytes);
}

ClientEvent ClientProtocol::next() {
  while (true) {
    if (!events_.empty()) {
      ClientEvent e = std::move(events_.front());
      events_.pop_front();
      return e;
    }
    switch (phase_) {
      case Phase::ended:
        return terminal_;
      case Phase::tls_wait:
        return ClientEvent{ClientEventKind::start_tls};
      case Phase::body_wait:
        return ClientEvent{ClientEventKind::send_body};
      default:
        break;
    }
    if (!step()) {
      if (phase_ == Phase::ready && pending_.empty()) return ClientEvent{ClientEventKind::idle};
      return ClientEvent{ClientEventKind::need_input};
    }
  }
}

std::string ClientProtocol::take_output() {
  return std::exchange(output_, std::string{});
}

bool ClientProtocol::step() {
  if (input_pos_ >= input_.size()) return false;
  const std::size_t used = parser_.feed(std::string_view(input_).substr(input_pos_));
  input_pos_ += used;
  if (parser_.failed()) {
    fail_session(
        Outcome{{451, "4.5.0", "protocol error: " + std::string(reply_error_text(parser_.error()))},
                false,
                false,
                current_stage()},
        false);
    return true;
  }
  if (!parser_.done()) return false;
  const ServerReply reply = parser_.take();
  if (pending_.empty()) {
    // A reply to nothing: a server closing on us (421 on idle) or one that
    // does not follow the protocol. Either way the session is over.
    fail_session(Outcome{{reply.code, reply.enhanced, "unexpected reply: " + reply.text()},
                         true,
                         false,
                         current_stage()},
                 false);
    return true;
  }
  const Pending p = pending_.front();
  pending_.pop_front();
  handle(reply, p);
  return true;
}

void ClientProtocol::tls_started() {
  if (phase_ != Phase::tls_wait) return;
  // RFC 3207 §4.2: forget everything learnt before TLS and ask again.
  tls_active_ = true;
  ext_ = ServerExtensions{};
  phase_ = Phase::session;
  send_command("EHLO " + config_.helo_name + "\r\n", Pending{Expect::ehlo});
}

void ClientProtocol::body_sent() {
  if (phase_ != Phase::body_wait) return;
  phase_ = Phase::ready;
  pending_.push_back(Pending{Expect::data_end});
}

void ClientProtocol::connection_lost(std::string_view reason) {
  if (phase_ == Phase::ended) return;
  if (phase_ == Phase::quitting) {  // the server may close before its 221
    phase_ = Phase::ended;
    terminal_ = ClientEvent{ClientEventKind::closed,
                            Outcome{{221, "", "connection closed"}, false, false, Stage::quit}};
    return push(terminal_);
  }
  fail_session(Outcome{{421, "4.4.2", "connection lost: " + sanitize_reason(reason)},
                       false,
                       false,
                       current_stage()},
               false);
}

std::chrono::seconds ClientProtocol::current_timeout() const {
  // RFC 5321 §4.5.3.2; EHLO, STARTTLS, AUTH, RSET and QUIT get the 5
  // minutes of the general command case.
  switch (phase_) {
    case Phase::body_wait:
      return 3min;  // each data block
    case Phase::ended:
      return 0s;
    default:
      break;
  }
  if (pending_.empty()) return 5min;
  switch (pending_.front().expect) {
    case Expect::data:
      return 2min;
    case Expect::data_end:
      return 10min;
    default:
      return 5min;
  }
}

Stage ClientProtocol::stage_of(Expect expect) {
  switch (expect) {
    case Expect::banner:
      return Stage::connect;
    case Expect::ehlo:
    case Expect::helo:
      return Stage::ehlo;
    case Expect::starttls:
      return Stage::starttls;
    case Expect::auth_plain:
    case Expect::auth_login_user:
    case Expect::auth_login_password:
    case Expect::auth_final:
      return Stage::auth;
    case Expect::rset:
      return Stage::rset;
    case Expect::mail:
      return Stage::mail;
    case Expect::rcpt:
      return Stage::rcpt;
    case Expect::data:
      return Stage::data;
    case Expect::data_end:
      return Stage::message;
    case Expect::quit:
      return Stage::quit;
  }
  return Stage::connect;
}

Stage ClientProtocol::current_stage() const {
  if (phase_ == Phase::body_wait) return Stage::message;
  if (phase_ == Phase::tls_wait) return Stage::starttls;
  if (pending_.empty()) return Stage::connect;
  return stage_of(pending_.front().expect);
}

void ClientProtocol::fail_pending(const Outcome& outcome) {
  for (RecipientResult& r : results_) {
    if (r.status == RecipientStatus::pending || r.status == RecipientStatus::accepted) {
      r.status = outcome.permanent ? RecipientStatus::permanent : RecipientStatus::temporary;
      r.outcome = outcome;
    }
  }
}

void ClientProtocol::fail_session(Outcome outcome, bool send_quit) {
  if (phase_ == Phase::ended) return;
  if (tx_) {
    fail_pending(outcome);
    tx_.reset();
    push(ClientEvent{ClientEventKind::transaction_done});
  }
  pending_.clear();
  plan_.clear();
  if (send_quit) output_ += "QUIT\r\n";
  phase_ = Phase::ended;
  terminal_ = ClientEvent{ClientEventKind::failed, std::move(outcome)};
  push(terminal_);
}

void ClientProtocol::send_command(std::string line, Pending pending) {
  output_ += line;
  pending_.push_back(pending);
}

void ClientProtocol::send_quit() {
  send_command("QUIT\r\n", Pending{Expect::quit});
  phase_ = Phase::quitting;
}

}  // namespace herald::smtp
