// smtp::ClientProtocol — the outbound side of SMTP as a pure state machine:
// banner, EHLO/HELO, STARTTLS, AUTH, then MAIL/RCPT/DATA transactions with a
// result per recipient. Server bytes go in through receive(), commands come
// out of take_output(), and what the I/O glue must do comes out of next().
// It never touches a socket, a clock or a disk; delivery is the I/O glue.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "herald/base/result.hpp"
#include "herald/smtp/reply.hpp"
#include "herald/smtp/reply_parser.hpp"

namespace herald::smtp {

enum class TlsPolicy {
  none,           // never STARTTLS
  opportunistic,  // STARTTLS when offered; plaintext when not offered or refused
  required,       // STARTTLS or fail (temporarily)
};

struct ClientCredentials {
  std::string user;
  std::string password;
};

struct ClientConfig {
  std::string helo_name;  // our name for EHLO/HELO: a domain or an address literal
  TlsPolicy tls = TlsPolicy::opportunistic;
  bool tls_active = false;  // implicit TLS (smarthost port 465): no STARTTLS
  // Sent only over TLS; without TLS the session fails instead.
  std::optional<ClientCredentials> credentials;
  std::vector<std::string> auth_mechanisms{"PLAIN", "LOGIN"};  // allowed, by preference
  ReplyLimits reply_limits;
};

struct ClientRecipient {
  std::string address;  // "local@domain" without <>; UTF-8 only with smtputf8
  std::string notify;   // DSN NOTIFY value ("NEVER", "SUCCESS,FAILURE"); empty: none
  std::string orcpt;    // DSN ORCPT "addr-type;xtext" as stored; empty: none
};

struct ClientTransaction {
  std::string sender;  // "local@domain" without <>; empty: the null reverse-path <>
  std::vector<ClientRecipient> recipients;
  std::uint64_t size = 0;  // message octets, for SIZE= and the remote limit; 0: unknown
  bool eight_bit = false;  // body has 8-bit octets: BODY=8BITMIME when offered
  bool smtputf8 = false;   // envelope or headers need SMTPUTF8
  std::string ret;         // DSN RET: "FULL", "HDRS" or empty
  std::string envid;       // DSN ENVID, xtext as stored; empty: none
};

// Extensions from the last EHLO reply (all false after the HELO fallback).
struct ServerExtensions {
  bool esmtp = false;
  bool pipelining = false;
  bool size = false;
  std::uint64_t max_size = 0;  // 0: SIZE without a limit
  bool eight_bit_mime = false;
  bool smtputf8 = false;
  bool starttls = false;
  bool dsn = false;
  bool chunking = false;
  bool enhanced_status_codes = false;
  std::vector<std::string> auth;  // mechanisms, upper case
};

// Where in the session an outcome was decided.
enum class Stage {
  connect,   // banner, or the connection itself
  ehlo,      // EHLO/HELO
  starttls,  // STARTTLS and the handshake
  auth,
  rset,
  mail,
  rcpt,
  data,     // DATA command
  message,  // after the final "."
  quit,
  local,  // Herald decided before sending anything (SIZE, SMTPUTF8, syntax)
};

std::string_view stage_name(Stage stage);

// Why a recipient or the session ended as it did. `reply` is the server's
// reply (`remote` true: a DSN's "Diagnostic-Code: smtp; ...") or Herald's
// own words. `permanent` is decided by Herald, not only by the code: a TLS
// or AUTH failure stays temporary even on a 5xx, so mail is retried.
struct Outcome {
  Reply reply;  // code, enhanced (maybe empty), sanitized one-line text
  bool remote = false;
  bool permanent = false;
  Stage stage = Stage::connect;

  bool ok() const { return reply.code / 100 == 2; }
  // "550 5.1.1 text (in reply to RCPT)" for logs.
  std::string describe() const;
};

enum class RecipientStatus {
  pending,    // not decided yet
  accepted,   // RCPT accepted; waiting for the end of data
  delivered,  // the final reply after "." was 2xx
  temporary,  // failed, retry later
  permanent,  // failed, bounce
};

struct RecipientResult {
  RecipientStatus status = RecipientStatus::pending;
  Outcome outcome;
};

enum class ClientEventKind {
  need_input,  // flush take_output(); read with current_timeout(); receive() or connection_lost()
  start_tls,   // flush take_output(); TLS handshake; tls_started() or connection_lost()
  send_body,   // flush; stream the message through DotStuffer; body_sent()
  transaction_done,  // results() are final; start_transaction() again, or quit()
  idle,              // session ready, no transaction: start_transaction() or quit()
  closed,            // QUIT answered (or peer closed after it): close the connection
  failed,            // session unusable (`outcome`): flush take_output(), then close
};

struct ClientEvent {
  ClientEventKind kind = ClientEventKind::need_input;
  Outcome outcome;  // for failed and closed
};

// Driving contract for the delivery glue (one connection):
//   ClientProtocol p(config);  p.start_transaction(tx);  // may also come later
//   loop: e = p.next();
//     need_input:       write take_output(); read (deadline current_timeout());
//                       p.receive(bytes), or p.connection_lost(why) on EOF/error/timeout
//     start_tls:        write take_output(); handshake; p.tls_started() or connection_lost()
//     send_body:        write take_output(); for each piece of the message:
//                       stuffer.feed(piece, buf), write buf (deadline current_timeout());
//                       stuffer.finish(buf), write buf; p.body_sent()
//     transaction_done: record p.results(); p.start_transaction(next) or p.quit()
//     idle:             p.start_transaction(next) or p.quit()
//     closed / failed:  write take_output() (may hold QUIT); close; stop
// take_output() may hold credentials (AUTH): never log it.
class ClientProtocol {
 public:
  explicit ClientProtocol(ClientConfig config);

  // Queues a transaction: sent as soon as the session is ready (or at once
  // when idle). Only one at a time: refused while one is in progress, after
  // the session ended, or when the sender or parameters are malformed (a
  // malformed recipient address only fails that recipient, permanently).
  base::Result<void> start_transaction(ClientTransaction tx);

  // Ends the session politely (QUIT) once no transaction is in progress.
  void quit();

  void receive(std::string_view bytes);
  ClientEvent next();
  std::string take_output();
  bool has_output() const { return !output_.empty(); }

  void tls_started();  // the handshake after start_tls succeeded
  void body_sent();    // the whole stuffed message, "." included, was written
  // The connection broke (EOF, error, timeout): pending recipients fail
  // temporarily (accepted ones too: their fate after "." is unknown).
  void connection_lost(std::string_view reason);

  // Per recipient of the current (or last) transaction, in input order.
  const std::vector<RecipientResult>& results() const { return results_; }
  const ServerExtensions& extensions() const { return ext_; }
  bool tls_active() const { return tls_active_; }
  bool authenticated() const { return authenticated_; }
  bool ended() const { return phase_ == Phase::ended; }
  // RFC 5321 §4.5.3.2 limit for what the glue is waiting on now.
  std::chrono::seconds current_timeout() const;

 private:
  enum class Phase {
    session,    // banner, EHLO, STARTTLS, AUTH: replies expected
    tls_wait,   // start_tls given; waiting for tls_started()
    ready,      // session established; transactions run here
    body_wait,  // send_body given; waiting for body_sent()
    quitting,   // QUIT sent
    ended,      // closed or failed given
  };
  enum class Expect {
    banner,
    ehlo,
    helo,
    starttls,
    auth_plain,
    auth_login_user,      // "AUTH LOGIN" sent: 334 wanted
    auth_login_password,  // user sent: 334 wanted
    auth_final,           // password sent: 235 wanted
    rset,
    mail,
    rcpt,
    data,
    data_end,
    quit,
  };
  struct Pending {
    Expect expect;
    std::size_t index = 0;  // recipient, for Expect::rcpt
  };
  struct Planned {  // a transaction command not yet written
    Pending pending;
    std::string line;  // with CRLF
  };

  bool step();
  void handle(const ServerReply& reply, Pending pending);
  void handle_banner(const ServerReply& reply);
  void handle_ehlo(const ServerReply& reply, bool helo);
  void handle_starttls(const ServerReply& reply);
  void handle_auth(const ServerReply& reply, Expect expect);
  void handle_mail(const ServerReply& reply);
  void handle_rcpt(const ServerReply& reply, std::size_t index);
  void handle_data(const ServerReply& reply);
  void handle_data_end(const ServerReply& reply);
  void after_tls_decision();
  void begin_auth();
  void session_ready();
  void begin_transaction();
  void send_planned();
  void finish_transaction();
  void fail_pending(const Outcome& outcome);
  void fail_session(Outcome outcome, bool send_quit);
  void send_command(std::string line, Pending pending);
  void send_quit();
  Stage current_stage() const;
  static Stage stage_of(Expect expect);
  void push(ClientEvent event) { events_.push_back(std::move(event)); }

  ClientConfig config_;
  std::string input_;
  std::size_t input_pos_ = 0;
  std::string output_;
  ReplyParser parser_;
  std::deque<Pending> pending_;  // replies expected, in order
  std::deque<ClientEvent> events_;
  ClientEvent terminal_;  // closed or failed, repeated once ended
  Phase phase_ = Phase::session;
  ServerExtensions ext_;
  bool tls_active_ = false;
  bool authenticated_ = false;
  bool quit_requested_ = false;
  bool server_txn_open_ = false;  // MAIL accepted, no final reply: RSET before the next MAIL

  // The current transaction.
  std::optional<ClientTransaction> tx_;
  std::vector<RecipientResult> results_;
  std::deque<Planned> plan_;  // non-pipelined: sent one after another
  bool mail_ok_ = false;
  std::optional<Outcome> mail_failure_;
  std::size_t accepted_ = 0;
  bool discard_data_ = false;  // 354 with nobody accepted: "." sent, reply ignored
};

}  // namespace herald::smtp
