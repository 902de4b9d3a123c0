// ServerProtocol's machinery: input framing (CRLF command and SASL lines,
// DATA, BDAT chunks), the decision contract and error counting. The verbs
// themselves are in server_protocol_commands.cpp.
#include "herald/smtp/server_protocol.hpp"

#include <algorithm>
#include <utility>

namespace herald::smtp {
namespace {

// Largest piece of message data handed out in one data_chunk event; bounds
// the copy the protocol holds besides the input buffer.
constexpr std::size_t kMaxChunk = 64 * 1024;

DataStatus to_data_status(ReadStatus status) {
  switch (status) {
    case ReadStatus::ok:
      return DataStatus::ok;
    case ReadStatus::too_big:
      return DataStatus::too_big;
    case ReadStatus::bare_newline:
      return DataStatus::bare_newline;
    case ReadStatus::line_too_long:
      return DataStatus::line_too_long;
    case ReadStatus::nul:
      return DataStatus::nul;
  }
  return DataStatus::bare_newline;
}

}  // namespace

ServerProtocol::ServerProtocol(ServerConfig config)
    : config_(std::move(config)),
      data_reader_(config_.max_message_size, config_.max_text_line),
      bdat_reader_(config_.max_message_size, config_.max_text_line),
      tls_active_(config_.tls_active) {}

void ServerProtocol::greet() {
  output_ += format_reply(Reply{220, "", config_.hostname + " ESMTP Herald ready"});
}

void ServerProtocol::receive(std::string_view bytes) {
  // After QUIT/421 nothing more is read; between STARTTLS and the handshake
  // plaintext bytes must never reach the TLS session (CVE-2011-0411 class).
  if (closing_ || phase_ == Phase::tls_wait) return;
  if (input_pos_ > 0) {
    input_.erase(0, input_pos_);
    input_pos_ = 0;
  }
  input_.append(bytes);
}

Event ServerProtocol::next() {
  while (true) {
    if (pending_ != Pending::none) return Event{};
    if (!ready_.empty()) {
      // The decision becomes pending only now that the glue sees its event,
      // so awaiting_decision() is exact even with a data_chunk queued first.
      Ready r = std::move(ready_.front());
      ready_.pop_front();
      pending_ = r.pending;
      return std::move(r.event);
    }
    if (closing_) return Event{};
    if (!step()) return Event{};
  }
}

std::string ServerProtocol::take_output() {
  return std::exchange(output_, std::string{});
}

bool ServerProtocol::authenticated() const {
  return authenticated_;
}
bool ServerProtocol::tls_active() const {
  return tls_active_;
}
const std::string& ServerProtocol::helo_name() const {
  return helo_name_;
}
bool ServerProtocol::closing() const {
  return closing_;
}

// ---- decisions ------------------------------------------------------------

void ServerProtocol::accept_mail() {
  if (pending_ != Pending::mail) return;
  pending_ = Pending::none;
  txn_ = Transaction{};
  txn_.open = true;
  txn_.smtputf8 = pending_smtputf8_;
  send(Reply{250, "2.1.0", "Sender ok"});
}

void ServerProtocol::accept_rcpt() {
  if (pending_ != Pending::rcpt) return;
  pending_ = Pending::none;
  ++txn_.recipients;
  send(Reply{250, "2.1.5", "Recipient ok"});
}

void ServerProtocol::accept_data() {
  if (pending_ != Pending::data_begin) return;
  pending_ = Pending::none;
  txn_.data_started = true;
  if (pending_bdat_) {
    bdat_reader_.reset();
    begin_bdat_chunk(bdat_size_, bdat_last_);
  } else {
    // 354 is an intermediate reply: RFC 2034 gives it no enhanced code.
    output_ += format_reply(Reply{354, "", "End data with <CR><LF>.<CR><LF>"});
    data_reader_.reset();
    phase_ = Phase::data;
  }
}

void ServerProtocol::message_queued(std::string_view queue_id) {
  if (pending_ != Pending::data_end) return;
  pending_ = Pending::none;
  reset_transaction();
  send(Reply{250, "2.0.0", "Ok: queued as " + std::string(queue_id)});
}

void ServerProtocol::auth_challenge(std::string_view base64) {
  if (pending_ != Pending::auth) return;
  pending_ = Pending::none;
  output_ += "334 ";
  output_ += base64;
  output_ += "\r\n";
  phase_ = Phase::auth_line;
}

void ServerProtocol::auth_succeeded(std::string_view identity) {
  if (pending_ != Pending::auth) return;
  pending_ = Pending::none;
  phase_ = Phase::command;
  authenticated_ = true;
  identity_ = std::string(identity);
  send(Reply{235, "2.7.0", "Authentication successful"});
}

void ServerProtocol::auth_failed(const Reply& reply) {
  if (pending_ != Pending::auth) return;
  pending_ = Pending::none;
  phase_ = Phase::command;
  output_ += format_reply(reply);
  count_error();  // whatever the code: repeated guessing must end the session
}

void ServerProtocol::reject(const Reply& reply) {
  switch (pending_) {
    case Pending::none:
      return;
    case Pending::auth:
      auth_failed(reply);
      return;
    case Pending::mail:
    case Pending::rcpt:
      pending_ = Pending::none;
      send(reply);
      return;
    case Pending::data_begin:
      pending_ = Pending::none;
      reset_transaction();
      if (pending_bdat_) {
        // The chunk is on its way regardless; read past it so its octets are
        // never taken for commands, then answer.
        skip_bdat_chunk(bdat_size_, reply);
      } else {
        send(reply);
      }
      return;
    case Pending::data_end:
      pending_ = Pending::none;
      reset_transaction();
      send(reply);
      return;
  }
}

void ServerProtocol::tls_started() {
  if (phase_ != Phase::tls_wait) return;
  // RFC 3207 §4.2: forget everything learnt before the handshake. The error
  // count is kept: it belongs to the connection, not to the session.
  input_.clear();
  input_pos_ = 0;
  ready_.clear();
  phase_ = Phase::command;
  pending_ = Pending::none;
  txn_ = Transaction{};
  helo_ = false;
  helo_name_.clear();
  authenticated_ = false;
  identity_.clear();
  tls_active_ = true;
}

// ---- helpers --------------------------------------------------------------

void ServerProtocol::send(const Reply& reply) {
  output_ += format_reply(reply);
  if (reply.code >= 500) count_error();
}

void ServerProtocol::count_error() {
  ++errors_;
  if (errors_ >= config_.max_errors && !closing_) {
    output_ += format_reply(Reply{421, "4.7.0", "Too many errors, closing connection"});
    closing_ = true;
    push(Event{EventKind::close});
  }
}

void ServerProtocol::push(Event event, Pending pending) {
  ready_.push_back(Ready{std::move(event), pending});
}

void ServerProtocol::reset_transaction() {
  txn_ = Transaction{};
}

std::string_view ServerProtocol::available() const {
  return std::string_view(input_).substr(input_pos_);
}

ServerProtocol::Line ServerProtocol::take_line(std::size_t limit) {
  const std::string_view avail = available();
  const std::size_t lf = avail.substr(0, limit).find('\n');
  if (lf == std::string_view::npos) {
    if (avail.size() < limit) return Line{};
    // `limit` octets and still no LF: the line cannot fit. Drop those
    // octets; discard_line drops the rest up to its LF, and not one byte
    // more, so the next command is still answered.
    input_pos_ += limit;
    phase_ = Phase::discard_line;
    return Line{LineKind::too_long, {}};
  }
  input_pos_ += lf + 1;
  // Only CRLF ends a line; a bare LF ends the bad line too, so that clients
  // with LF-only line endings get an answer instead of a hang.
  if (lf == 0 || avail[lf - 1] != '\r') return Line{LineKind::bare_newline, {}};
  const std::string_view text = avail.substr(0, lf - 1);
  if (text.find('\r') != std::string_view::npos) return Line{LineKind::bare_newline, {}};
  return Line{LineKind::ok, text};
}

ServerProtocol::InputState ServerProtocol::input_state() const {
  switch (phase_) {
    case Phase::data:
    case Phase::bdat:
    case Phase::bdat_skip:
      return InputState::in_message;
    case Phase::discard_line:
      return InputState::in_line;
    case Phase::command:
    case Phase::auth_line:
      return available().empty() ? InputState::between_lines : InputState::in_line;
    case Phase::tls_wait:
      break;
  }
  return InputState::between_lines;
}

bool ServerProtocol::step() {
  switch (phase_) {
    case Phase::command:
      return step_command();
    case Phase::auth_line:
      return step_auth_line();
    case Phase::data:
      return step_data();
    case Phase::bdat:
      return step_bdat();
    case Phase::bdat_skip:
      return step_bdat_skip();
    case Phase::discard_line:
      return step_discard_line();
    case Phase::tls_wait:
      return false;
  }
  return false;
}

bool ServerProtocol::step_discard_line() {
  const std::string_view avail = available();
  const std::size_t lf = avail.find('\n');
  if (lf == std::string_view::npos) {
    input_pos_ += avail.size();
    return false;
  }
  input_pos_ += lf + 1;
  phase_ = Phase::command;
  return true;
}

bool ServerProtocol::step_command() {
  // AUTH with an initial response may be as long as a SASL response line
  // (RFC 4954 §4: bearer tokens are 1-2 KiB); every other command keeps
  // RFC 5321's 512 octets.
  const std::string_view avail = available();
  const bool auth = avail.size() >= 5 && (avail[0] | 0x20) == 'a' && (avail[1] | 0x20) == 'u' &&
                    (avail[2] | 0x20) == 't' && (avail[3] | 0x20) == 'h' && avail[4] == ' ';
  const Line line = take_line(auth ? config_.max_auth_line : config_.max_command_line);
  switch (line.kind) {
    case LineKind::none:
      return false;
    case LineKind::too_long:
      send(Reply{500, "5.5.2", "Line too long"});
      return true;
    case LineKind::bare_newline:
      send(Reply{500, "5.5.2", "Bare CR or LF is not allowed; end lines with CRLF"});
      return true;
    case LineKind::ok:
      handle_command(line.text);
      return true;
  }
  return false;
}

bool ServerProtocol::step_auth_line() {
  const Line line = take_line(config_.max_auth_line);
  switch (line.kind) {
    case LineKind::none:
      return false;
    case LineKind::too_long:
      // RFC 4954 §4; take_line has switched to discarding the rest.
      send(Reply{500, "5.5.6", "Authentication exchange line is too long"});
      push(Event{EventKind::auth_aborted});
      return true;
    case LineKind::bare_newline:
      phase_ = Phase::command;
      send(Reply{500, "5.5.2", "Bare CR or LF is not allowed; end lines with CRLF"});
      push(Event{EventKind::auth_aborted});
      return true;
    case LineKind::ok:
      break;
  }
  phase_ = Phase::command;
  if (line.text == "*") {
    send(Reply{501, "5.7.0", "Authentication cancelled"});
    push(Event{EventKind::auth_aborted});
    return true;
  }
  Event e{EventKind::auth_response};
  e.argument = std::string(line.text);
  e.has_argument = true;
  push(std::move(e), Pending::auth);
  return true;
}

bool ServerProtocol::step_data() {
  const std::string_view avail = available();
  if (avail.empty()) return false;
  chunk_.clear();
  input_pos_ += data_reader_.feed(avail.substr(0, kMaxChunk), chunk_);
  if (!chunk_.empty()) {
    Event e{EventKind::data_chunk};
    e.data = chunk_;
    push(std::move(e));
  }
  if (data_reader_.done()) finish_data(data_reader_.status(), false);
  return true;
}

bool ServerProtocol::step_bdat() {
  if (bdat_reader_.remaining() == 0) {
    if (bdat_last_) {
      bdat_reader_.finish();
      finish_data(bdat_reader_.status(), true);
    } else if (bdat_reader_.status() != ReadStatus::ok) {
      // RFC 3030 §2: after an error reply the client sends no more chunks.
      finish_data(bdat_reader_.status(), true);
    } else {
      phase_ = Phase::command;
      send(Reply{250, "2.0.0", std::to_string(bdat_size_) + " octets received"});
    }
    return true;
  }
  const std::string_view avail = available();
  if (avail.empty()) return false;
  chunk_.clear();
  input_pos_ += bdat_reader_.feed(avail.substr(0, kMaxChunk), chunk_);
  if (!chunk_.empty()) {
    Event e{EventKind::data_chunk};
    e.data = chunk_;
    e.bdat = true;
    push(std::move(e));
  }
  return true;
}

bool ServerProtocol::step_bdat_skip() {
  if (skip_remaining_ == 0) {
    phase_ = Phase::command;
    send(skip_reply_);
    return true;
  }
  const std::string_view avail = available();
  if (avail.empty()) return false;
  const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(skip_remaining_, avail.size()));
  input_pos_ += n;
  skip_remaining_ -= n;
  return true;
}

void ServerProtocol::begin_bdat_chunk(std::uint64_t size, bool last) {
  bdat_size_ = size;
  bdat_last_ = last;
  bdat_reader_.begin_chunk(size);
  phase_ = Phase::bdat;
}

void ServerProtocol::skip_bdat_chunk(std::uint64_t size, const Reply& reply) {
  skip_remaining_ = size;
  skip_reply_ = reply;
  phase_ = Phase::bdat_skip;
}

void ServerProtocol::finish_data(ReadStatus status, bool bdat) {
  phase_ = Phase::command;
  Event e{EventKind::data_end};
  e.status = to_data_status(status);
  e.bdat = bdat;
  push(std::move(e), status == ReadStatus::ok ? Pending::data_end : Pending::none);
  switch (status) {
    case ReadStatus::ok:
      return;
    case ReadStatus::too_big:
      send(Reply{
          552, "5.3.4",
          "Message too big: the limit is " + std::to_string(config_.max_message_size) + " octets"});
      break;
    case ReadStatus::bare_newline:
      send(Reply{550, "5.6.0",
                 "Message refused: bare CR or LF is not allowed; lines must end in CRLF"});
      break;
    case ReadStatus::line_too_long:
      send(Reply{550, "5.6.0",
                 "Message refused: a line is longer than " + std::to_string(config_.max_text_line) +
                     " octets (RFC 5322 2.1.1)"});
      break;
    case ReadStatus::nul:
      send(Reply{550, "5.6.0",
                 "Message refused: it contains a NUL octet, which is not allowed in mail text "
                 "(RFC 5321 4.5.2); remove it or send the content base64-encoded"});
      break;
  }
  reset_transaction();
}

}  // namespace herald::smtp
