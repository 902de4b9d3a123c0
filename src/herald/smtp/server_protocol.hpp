// smtp::ServerProtocol — the server side of SMTP as a pure state machine.
// Bytes go in through receive(), replies come out of take_output(), and
// everything the session must decide (policy, credentials, the spool) comes
// out of next() as an Event that waits for a decision call. It never touches
// a socket, a clock or a disk; the submission session is the I/O glue.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "herald/smtp/reply.hpp"

namespace herald::smtp {

struct ServerConfig {
  std::string hostname = "localhost";
  std::uint64_t max_message_size = 35u * 1000 * 1000;
  std::size_t max_recipients = 100;
  std::size_t max_errors = 10;          // protocol errors before 421 and close
  std::size_t max_command_line = 512;   // octets including CRLF (RFC 5321 §4.5.3.1.4)
  std::size_t max_text_line = 1000;     // octets including CRLF (RFC 5321 §4.5.3.1.6)
  std::size_t max_auth_line = 12288;    // SASL response line (RFC 4954 §4)
  bool starttls_available = false;      // listener is tls = "starttls"
  bool tls_active = false;              // implicit TLS listener, or after STARTTLS
  bool auth_required = true;            // MAIL before AUTH gets 530 5.7.0
  std::vector<std::string> auth_mechanisms{"PLAIN", "LOGIN"};  // offered only under TLS
};

enum class EventKind {
  need_input,    // nothing more to do until receive(); flush output now
  helo,          // EHLO/HELO accepted (text = client name); informational
  starttls,      // 220 queued, input discarded: flush, handshake, then tls_started()
  auth,          // AUTH: text = mechanism (upper case), initial response in `argument`
  auth_response, // client's line after a 334 challenge (argument, still base64)
  auth_aborted,  // client sent "*"; 501 already queued; drop SASL state
  mail,          // MAIL FROM syntax ok: decide with accept_mail() or reject()
  rcpt,          // RCPT TO syntax ok: decide with accept_rcpt() or reject()
  data_begin,    // DATA or first BDAT: open the spool, then accept_data() or reject()
  data_chunk,    // message bytes (dot-unstuffed, CRLF lines); `data` valid until next call
  data_end,      // end of message: status tells whether it may be queued
  reset,         // RSET, or a new EHLO: drop the transaction (and an open spool file)
  quit,          // QUIT answered; flush and close
  close,         // protocol gave up (too many errors, ...); 421 queued; flush and close
};

enum class DataStatus {
  ok,
  too_big,        // exceeded max_message_size; 552 5.3.4 queued
  bare_newline,   // bare CR or LF in the data; 550 5.6.0 queued
  line_too_long,  // a text line over max_text_line; 550 5.6.0 queued (RFC 5322 §2.1.1)
  bdat_aborted,   // BDAT sequence cancelled (RSET, bad chunk); reply queued
};

struct MailParameters {
  std::optional<std::uint64_t> size;  // SIZE=
  std::string body;                   // "7BIT", "8BITMIME" or empty
  bool smtputf8 = false;
  std::string auth;                   // AUTH= (RFC 4954 §5), xtext-decoded
  std::string ret;                    // DSN RET= (FULL/HDRS)
  std::string envid;                  // DSN ENVID=
};

struct Event {
  EventKind kind = EventKind::need_input;
  std::string text;          // helo name, mechanism, or the address (without <>)
  std::string argument;      // AUTH initial response (may be "=" for empty), auth_response line
  bool has_argument = false; // AUTH came with an initial response
  MailParameters mail;       // for EventKind::mail
  std::string_view data;     // for EventKind::data_chunk
  DataStatus status = DataStatus::ok;  // for EventKind::data_end
  bool bdat = false;         // data_begin/data_end came from BDAT
};

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

  bool authenticated() const;
  bool tls_active() const;
  const std::string& helo_name() const;
  bool closing() const;  // QUIT or 421 sent: no more input is read

 private:
  // Implementation detail, see server_protocol.cpp.
  struct State;
  ServerConfig config_;
  std::string input_;
  std::string output_;
  // ... further members are private to the implementation.
};

}  // namespace herald::smtp
