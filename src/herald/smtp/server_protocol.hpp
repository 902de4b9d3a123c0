// smtp::ServerProtocol — the server side of SMTP as a pure state machine.
// Bytes go in through receive(), replies come out of take_output(), and
// everything the session must decide (policy, credentials, the spool) comes
// out of next() as an Event that waits for a decision call. It never touches
// a socket, a clock or a disk; the submission session is the I/O glue.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "herald/smtp/data_reader.hpp"
#include "herald/smtp/reply.hpp"

namespace herald::smtp {

struct ServerConfig {
  std::string hostname = "localhost";
  std::uint64_t max_message_size = 35u * 1000 * 1000;
  std::size_t max_recipients = 100;
  std::size_t max_errors = 10;         // protocol errors before 421 and close
  std::size_t max_command_line = 512;  // octets including CRLF (RFC 5321 §4.5.3.1.4)
  std::size_t max_text_line = 1000;    // octets including CRLF (RFC 5321 §4.5.3.1.6)
  std::size_t max_auth_line = 12288;   // SASL response line (RFC 4954 §4)
  bool starttls_available = false;     // listener is tls = "starttls"
  bool tls_active = false;             // implicit TLS listener, or after STARTTLS
  bool auth_required = true;           // MAIL before AUTH gets 530 5.7.0
  std::vector<std::string> auth_mechanisms{"PLAIN", "LOGIN"};  // offered only under TLS
};

enum class EventKind {
  need_input,     // nothing more to do until receive(); flush output now
  helo,           // EHLO/HELO accepted (text = client name); informational
  starttls,       // 220 queued, input discarded: flush, handshake, then tls_started()
  auth,           // AUTH: text = mechanism (upper case), initial response in `argument`
  auth_response,  // client's line after a 334 challenge (argument, still base64)
  auth_aborted,   // client sent "*" (501) or a bad SASL line (500); reply queued; drop SASL state
  mail,           // MAIL FROM syntax ok: decide with accept_mail() or reject()
  rcpt,           // RCPT TO syntax ok: decide with accept_rcpt() or reject()
  data_begin,     // DATA or first BDAT: open the spool, then accept_data() or reject()
  data_chunk,     // message bytes (dot-unstuffed, CRLF lines); `data` valid until next call
  data_end,       // end of message: status tells whether it may be queued
  reset,          // RSET, or a new EHLO: drop the transaction (and an open spool file)
  quit,           // QUIT answered; flush and close
  close,          // protocol gave up (too many errors, ...); 421 queued; flush and close
};

enum class DataStatus {
  ok,
  too_big,        // exceeded max_message_size; 552 5.3.4 queued
  bare_newline,   // bare CR or LF in the data; 550 5.6.0 queued
  line_too_long,  // a text line over max_text_line; 550 5.6.0 queued (RFC 5322 §2.1.1)
  nul,            // a NUL octet in the data; 550 5.6.0 queued
  bdat_aborted,   // a malformed BDAT ended an open BDAT message; 501 queued
                  // (RSET/EHLO during BDAT give a reset event instead)
};

struct MailParameters {
  std::optional<std::uint64_t> size;  // SIZE=
  std::string body;                   // "7BIT", "8BITMIME" or empty
  bool smtputf8 = false;
  std::string auth;   // AUTH= (RFC 4954 §5), xtext-decoded
  std::string ret;    // DSN RET= (FULL/HDRS)
  std::string envid;  // DSN ENVID=
};

// DSN parameters of RCPT TO (RFC 3461 §4), validated and kept for the spool.
struct RcptParameters {
  std::string notify;  // "NEVER" or a list of SUCCESS,FAILURE,DELAY (upper case); empty if absent
  std::string orcpt;   // "addr-type;xtext" as written; empty if absent
};

struct Event {
  EventKind kind = EventKind::need_input;
  std::string text;           // helo name, mechanism, or the address (without <>)
  std::string argument;       // AUTH initial response (may be "=" for empty), auth_response line
  bool has_argument = false;  // AUTH came with an initial response
  MailParameters mail;        // for EventKind::mail
  RcptParameters rcpt;        // for EventKind::rcpt
  std::string_view data;      // for EventKind::data_chunk
  DataStatus status = DataStatus::ok;  // for EventKind::data_end
  bool bdat = false;                   // data_begin/data_end came from BDAT
};

struct Command;  // command_parser.hpp

// Driving contract for the session glue:
//   - receive() appends bytes; next() then returns events in order. Several
//     pipelined commands in one receive() are handled one after the other.
//   - mail, rcpt, data_begin, data_end (status ok) and auth/auth_response
//     need a decision call. Until it is made, next() returns need_input and
//     processes nothing more, even if more commands are buffered. So: make
//     the decision (possibly after co_await), then call next() again; do not
//     read the socket while awaiting_decision() is true, or input piles up.
//   - need_input also means "flush take_output() now, then read". After
//     quit/close (closing() true) flush and close; further input is ignored.
//   - data_end with a non-ok status, and data_begin/data_end rejections,
//     end the transaction; the protocol has already queued the reply. The
//     glue drops the spool file on such a data_end and on reset.
//   - starttls: flush the 220, run the handshake, then tls_started(). Bytes
//     received before tls_started() are discarded (RFC 3207 §4.2).
class ServerProtocol {
 public:
  explicit ServerProtocol(ServerConfig config);

  // Queues the 220 banner. Call once when the connection starts.
  void greet();

  void receive(std::string_view bytes);
  Event next();
  std::string take_output();
  bool has_output() const { return !output_.empty(); }

  // Decisions for the pending event.
  void accept_mail();
  void accept_rcpt();
  void accept_data();                              // DATA: queues 354
  void message_queued(std::string_view queue_id);  // 250 2.0.0 Ok: queued as ID
  void auth_challenge(std::string_view base64);    // 334 base64
  void auth_succeeded(std::string_view identity);  // 235 2.7.0
  void auth_failed(const Reply& reply);            // counts as an error
  void reject(const Reply& reply);                 // refuses the pending mail/rcpt/data/end
  void tls_started();                              // STARTTLS done: fresh session, TLS on
  // The TLS connection can carry RFC 9266 channel binding (TLS 1.3):
  // only then are *-PLUS mechanisms advertised and accepted.
  void set_channel_binding(bool available) { channel_binding_ = available; }

  bool authenticated() const;
  bool tls_active() const;
  const std::string& helo_name() const;
  bool closing() const;  // QUIT or 421 sent: no more input is read
  bool awaiting_decision() const { return pending_ != Pending::none; }

  // Where the input stands, so the glue can apply the right deadline: a
  // whole command line must arrive within the command deadline however it
  // is trickled, while message content gets a deadline that grows with
  // the octets received.
  enum class InputState {
    between_lines,  // no command or SASL line begun
    in_line,        // part of a command or SASL line received (or an
                    // over-long one being discarded)
    in_message,     // inside DATA content or a BDAT chunk
  };
  InputState input_state() const;
  const std::string& auth_identity() const { return identity_; }  // from auth_succeeded()

 private:
  enum class Phase {
    command,       // reading command lines
    auth_line,     // after 334: the next line is a SASL response
    data,          // after 354: DataReader until CRLF.CRLF
    bdat,          // inside an accepted BDAT chunk
    bdat_skip,     // swallowing a refused BDAT chunk, then its reply
    discard_line,  // after an over-long line: drop input up to the next LF
    tls_wait,      // after STARTTLS 220: ignore input until tls_started()
  };
  enum class Pending { none, mail, rcpt, data_begin, data_end, auth };
  enum class LineKind { none, ok, bare_newline, too_long };
  struct Line {
    LineKind kind = LineKind::none;
    std::string_view text;  // without CRLF; valid until input_ changes
  };
  struct Transaction {
    bool open = false;           // MAIL accepted
    bool smtputf8 = false;       // MAIL ... SMTPUTF8
    std::size_t recipients = 0;  // accepted RCPTs
    bool data_started = false;   // data_begin accepted
    bool bdat = false;           // BDAT used in this transaction
  };

  bool step();
  bool step_command();
  bool step_auth_line();
  bool step_data();
  bool step_bdat();
  bool step_bdat_skip();
  bool step_discard_line();
  Line take_line(std::size_t limit);
  std::string_view available() const;
  void handle_command(std::string_view line);
  void handle_ehlo(const Command& cmd);
  void handle_mail(const Command& cmd);
  void handle_rcpt(const Command& cmd);
  void handle_data(const Command& cmd);
  void handle_bdat(const Command& cmd);
  void handle_starttls(const Command& cmd);
  void handle_auth(const Command& cmd);
  bool offered(std::string_view mechanism) const;
  void begin_bdat_chunk(std::uint64_t size, bool last);
  void skip_bdat_chunk(std::uint64_t size, const Reply& reply);
  void finish_data(ReadStatus status, bool bdat);
  void send(const Reply& reply);  // queues; a 5xx counts as an error
  void count_error();
  void push(Event event, Pending pending = Pending::none);
  void reset_transaction();

  ServerConfig config_;
  std::string input_;
  std::size_t input_pos_ = 0;  // consumed prefix of input_
  std::string output_;
  std::string chunk_;  // backing store of the last data_chunk event
  struct Ready {
    Event event;
    Pending pending;  // decision the event asks for, pending once returned
  };
  std::deque<Ready> ready_;  // events produced, not yet returned by next()
  Phase phase_ = Phase::command;
  Pending pending_ = Pending::none;
  Transaction txn_;
  bool pending_smtputf8_ = false;  // MAIL awaiting accept_mail()
  bool pending_bdat_ = false;      // data_begin came from BDAT
  std::uint64_t bdat_size_ = 0;    // current BDAT chunk
  bool bdat_last_ = false;
  std::uint64_t skip_remaining_ = 0;
  Reply skip_reply_;
  DataReader data_reader_;
  BdatReader bdat_reader_;
  bool helo_ = false;
  std::string helo_name_;
  bool authenticated_ = false;
  std::string identity_;
  bool tls_active_ = false;
  bool channel_binding_ = false;
  bool closing_ = false;
  std::size_t errors_ = 0;
};

}  // namespace herald::smtp
