// Conversations with smtp::ServerProtocol: extension lists, the TLS and AUTH
// rules, pipelining and the decision contract, DATA/BDAT, error limits.
#include "herald/smtp/server_protocol.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

namespace herald::smtp {
namespace {

// An Event with the chunk copied, so it outlives the protocol's buffer.
struct Seen {
  EventKind kind;
  std::string text;
  std::string argument;
  std::string data;
  DataStatus status;
  bool bdat;
  MailParameters mail;
  RcptParameters rcpt;
};

ServerConfig plain_config() {
  ServerConfig c;
  c.hostname = "mx.example.com";
  c.max_message_size = 1000;
  c.auth_required = false;
  return c;
}

ServerConfig tls_config() {
  ServerConfig c = plain_config();
  c.tls_active = true;
  c.auth_required = true;
  return c;
}

// Plays the session glue. By default it accepts every decision; tests
// override `decide` to refuse some.
class Driver {
 public:
  explicit Driver(ServerConfig config) : p(std::move(config)) {}

  // Feeds bytes and runs next() until need_input; returns the events.
  std::vector<Seen> send(std::string_view bytes) {
    p.receive(bytes);
    return drain();
  }

  std::vector<Seen> drain() {
    std::vector<Seen> seen;
    while (true) {
      Event e = p.next();
      if (e.kind == EventKind::need_input) break;
      seen.push_back(
          Seen{e.kind, e.text, e.argument, std::string(e.data), e.status, e.bdat, e.mail, e.rcpt});
      if (e.kind == EventKind::data_chunk) content += e.data;
      decide(e);
    }
    return seen;
  }

  std::string out() { return p.take_output(); }

  std::function<void(const Event&)> decide = [this](const Event& e) { accept(e); };
  bool auto_tls = true;

  void accept(const Event& e) {
    switch (e.kind) {
      case EventKind::mail:
        return p.accept_mail();
      case EventKind::rcpt:
        return p.accept_rcpt();
      case EventKind::data_begin:
        return p.accept_data();
      case EventKind::data_end:
        if (e.status == DataStatus::ok) p.message_queued("Q1");
        return;
      case EventKind::auth:
        if (e.has_argument) return p.auth_succeeded("user@example.com");
        return p.auth_challenge("VXNlcm5hbWU6");
      case EventKind::auth_response:
        if (e.argument == "Z29vZA==") return p.auth_succeeded("user@example.com");
        return p.auth_failed(Reply{535, "5.7.8", "Authentication credentials invalid"});
      case EventKind::starttls:
        if (auto_tls) p.tls_started();
        return;
      default:
        return;
    }
  }

  ServerProtocol p;
  std::string content;  // all data_chunk bytes
};

std::vector<EventKind> kinds(const std::vector<Seen>& seen) {
  std::vector<EventKind> k;
  for (const Seen& s : seen) k.push_back(s.kind);
  return k;
}

using K = EventKind;

TEST(ServerProtocol, Greeting) {
  Driver d(plain_config());
  d.p.greet();
  EXPECT_EQ(d.out(), "220 mx.example.com ESMTP Herald ready\r\n");
}

TEST(ServerProtocol, EhloOnPlainListener) {
  Driver d(plain_config());
  const auto ev = d.send("EHLO client.example\r\n");
  EXPECT_EQ(kinds(ev), std::vector<K>{K::helo});
  EXPECT_EQ(ev[0].text, "client.example");
  EXPECT_EQ(d.out(),
            "250-mx.example.com greets client.example\r\n250-PIPELINING\r\n250-SIZE 1000\r\n"
            "250-8BITMIME\r\n250-SMTPUTF8\r\n250-ENHANCEDSTATUSCODES\r\n250 CHUNKING\r\n");
  EXPECT_EQ(d.p.helo_name(), "client.example");
}

TEST(ServerProtocol, EhloOffersStarttlsButNotAuthBeforeTls) {
  ServerConfig c = plain_config();
  c.starttls_available = true;
  Driver d(c);
  d.send("EHLO c\r\n");
  const std::string out = d.out();
  EXPECT_NE(out.find("250-CHUNKING\r\n250 STARTTLS\r\n"), std::string::npos);
  EXPECT_EQ(out.find("AUTH"), std::string::npos);
}

TEST(ServerProtocol, EhloOffersAuthUnderTls) {
  Driver d(tls_config());
  d.send("EHLO c\r\n");
  const std::string out = d.out();
  EXPECT_NE(out.find("250 AUTH PLAIN LOGIN\r\n"), std::string::npos);
  EXPECT_EQ(out.find("STARTTLS"), std::string::npos);
}

TEST(ServerProtocol, HeloAndBadEhlo) {
  Driver d(plain_config());
  d.send("HELO c\r\nEHLO\r\nEHLO a b\r\n");
  EXPECT_EQ(d.out(),
            "250 2.0.0 mx.example.com\r\n"
            "501 5.5.4 EHLO needs your host name: a domain, or an address literal like "
            "[192.0.2.1].\r\n"
            "501 5.5.4 EHLO needs your host name: a domain, or an address literal like "
            "[192.0.2.1].\r\n");
}

TEST(ServerProtocol, AuthRefusedWithoutTls) {
  ServerConfig c = plain_config();
  c.starttls_available = true;
  Driver d(c);
  const auto ev = d.send("EHLO c\r\nAUTH PLAIN AGEAYg==\r\n");
  EXPECT_EQ(kinds(ev), std::vector<K>{K::helo});
  const std::string out = d.out();
  EXPECT_NE(out.find("530 5.7.0 Must issue a STARTTLS command first\r\n"), std::string::npos);
  EXPECT_FALSE(d.p.authenticated());
}

TEST(ServerProtocol, StarttlsDiscardsPipelinedBytes) {
  ServerConfig c = plain_config();
  c.starttls_available = true;
  Driver d(c);
  d.auto_tls = false;
  d.send("EHLO c\r\n");
  d.out();
  const auto ev = d.send("STARTTLS\r\nMAIL FROM:<evil@example.com>\r\nRCPT TO:<x@example.org>\r\n");
  EXPECT_EQ(kinds(ev), std::vector<K>{K::starttls});
  EXPECT_EQ(d.out(), "220 2.0.0 Ready to start TLS\r\n");
  // Bytes arriving before the handshake completes are dropped too.
  EXPECT_TRUE(d.send("DATA\r\n").empty());
  d.p.tls_started();
  EXPECT_TRUE(d.p.tls_active());
  EXPECT_TRUE(d.drain().empty());
  EXPECT_EQ(d.out(), "");
  EXPECT_EQ(d.p.helo_name(), "");
  // Fresh session: EHLO again, now with AUTH and without STARTTLS.
  d.send("MAIL FROM:<a@example.com>\r\n");
  EXPECT_EQ(d.out(), "503 5.5.1 Send EHLO or HELO first\r\n");
  d.send("EHLO c\r\n");
  const std::string out = d.out();
  EXPECT_NE(out.find("AUTH PLAIN LOGIN"), std::string::npos);
  EXPECT_EQ(out.find("STARTTLS"), std::string::npos);
  d.send("STARTTLS\r\n");
  EXPECT_EQ(d.out(), "503 5.5.1 TLS is already active\r\n");
}

TEST(ServerProtocol, StarttlsRefusals) {
  Driver d(plain_config());
  d.send("EHLO c\r\nSTARTTLS\r\n");
  d.out();
  ServerConfig c = plain_config();
  c.starttls_available = true;
  Driver e(c);
  e.send("EHLO c\r\nSTARTTLS now\r\nMAIL FROM:<a@example.com>\r\nSTARTTLS\r\n");
  const std::string out = e.out();
  EXPECT_NE(out.find("501 5.5.4 STARTTLS takes no arguments.\r\n"), std::string::npos);
  EXPECT_NE(out.find("503 5.5.1 Finish or reset the mail transaction before STARTTLS\r\n"),
            std::string::npos);
}

TEST(ServerProtocol, AuthRequiredBeforeMail) {
  Driver d(tls_config());
  d.send("EHLO c\r\n");
  d.out();
  d.send("MAIL FROM:<a@example.com>\r\n");
  EXPECT_EQ(d.out(), "530 5.7.0 Authentication required\r\n");
  const auto ev = d.send("AUTH PLAIN AHVzZXIAcGFzcw==\r\nMAIL FROM:<a@example.com>\r\n");
  EXPECT_EQ(kinds(ev), (std::vector<K>{K::auth, K::mail}));
  EXPECT_EQ(ev[0].text, "PLAIN");
  EXPECT_EQ(ev[0].argument, "AHVzZXIAcGFzcw==");
  EXPECT_EQ(d.out(), "235 2.7.0 Authentication successful\r\n250 2.1.0 Sender ok\r\n");
  EXPECT_TRUE(d.p.authenticated());
  EXPECT_EQ(d.p.auth_identity(), "user@example.com");
  d.send("RSET\r\nAUTH PLAIN =\r\n");
  EXPECT_EQ(d.out(), "250 2.0.0 Ok\r\n503 5.5.1 Already authenticated\r\n");
}

TEST(ServerProtocol, AuthChallengeResponse) {
  Driver d(tls_config());
  d.send("EHLO c\r\n");
  d.out();
  auto ev = d.send("AUTH LOGIN\r\n");
  EXPECT_EQ(kinds(ev), std::vector<K>{K::auth});
  EXPECT_EQ(d.out(), "334 VXNlcm5hbWU6\r\n");
  ev = d.send("YmFk\r\n");  // wrong: auth_failed
  EXPECT_EQ(kinds(ev), std::vector<K>{K::auth_response});
  EXPECT_EQ(d.out(), "535 5.7.8 Authentication credentials invalid\r\n");
  d.send("AUTH LOGIN\r\n");
  d.out();
  ev = d.send("*\r\n");
  EXPECT_EQ(kinds(ev), std::vector<K>{K::auth_aborted});
  EXPECT_EQ(d.out(), "501 5.7.0 Authentication cancelled\r\n");
  d.send("AUTH LOGIN\r\n");
  d.out();
  // A SASL line is not a command, even when it looks like one.
  ev = d.send("QUIT\r\n");
  EXPECT_EQ(kinds(ev), std::vector<K>{K::auth_response});
  EXPECT_EQ(ev[0].argument, "QUIT");
  d.out();
  d.send("AUTH LOGIN\r\nZ29vZA==\r\n");
  EXPECT_EQ(d.out(), "334 VXNlcm5hbWU6\r\n235 2.7.0 Authentication successful\r\n");
}

TEST(ServerProtocol, AuthRefusals) {
  Driver d(tls_config());
  d.send("AUTH PLAIN\r\n");
  EXPECT_EQ(d.out(), "503 5.5.1 Send EHLO first\r\n");
  d.send("EHLO c\r\nAUTH CRAM-MD5\r\nAUTH PLAIN abc\r\n");
  const std::string out = d.out();
  EXPECT_NE(out.find("504 5.5.4 Unrecognized authentication type; use one of: PLAIN LOGIN\r\n"),
            std::string::npos);
  EXPECT_NE(out.find("501 5.5.2 "), std::string::npos);
  ServerConfig c = tls_config();
  c.auth_required = false;
  Driver e(c);
  e.send("EHLO c\r\nMAIL FROM:<a@example.com>\r\nAUTH PLAIN =\r\n");
  EXPECT_NE(e.out().find("503 5.5.1 AUTH is not allowed during a mail transaction\r\n"),
            std::string::npos);
}

TEST(ServerProtocol, AuthLineTooLongAborts) {
  ServerConfig c = tls_config();
  c.max_auth_line = 100;
  Driver d(c);
  d.send("EHLO c\r\nAUTH LOGIN\r\n");
  d.out();
  auto ev = d.send(std::string(150, 'A'));
  EXPECT_EQ(kinds(ev), std::vector<K>{K::auth_aborted});
  ev = d.send(std::string(150, 'A') + "\r\nNOOP\r\n");
  EXPECT_TRUE(ev.empty());
  EXPECT_EQ(d.out(), "500 5.5.6 Authentication exchange line is too long\r\n250 2.0.0 Ok\r\n");
}

TEST(ServerProtocol, PlusMechanismsOnlyWithChannelBinding) {
  ServerConfig c = tls_config();
  c.auth_mechanisms = {"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"};
  Driver d(c);
  d.send("EHLO c\r\n");
  std::string ehlo = d.out();
  EXPECT_NE(ehlo.find("AUTH PLAIN SCRAM-SHA-256\r\n"), std::string::npos) << ehlo;
  d.send("AUTH SCRAM-SHA-256-PLUS\r\n");
  EXPECT_EQ(d.out().rfind("504 5.5.4 ", 0), 0u);
  Driver e(c);
  e.p.set_channel_binding(true);
  e.send("EHLO c\r\n");
  EXPECT_NE(e.out().find("AUTH PLAIN SCRAM-SHA-256 SCRAM-SHA-256-PLUS\r\n"), std::string::npos);
  auto ev = e.send("AUTH SCRAM-SHA-256-PLUS\r\n");
  ASSERT_EQ(kinds(ev), std::vector<K>{K::auth});
}

TEST(ServerProtocol, AuthInitialResponseMayExceedTheCommandLineLimit) {
  Driver d(tls_config());
  d.send("EHLO c\r\n");
  d.out();
  // A 2 KiB bearer token as initial response (RFC 4954 §4 allows 12288).
  auto ev = d.send("AUTH PLAIN " + std::string(2000, 'A') + "\r\n");
  ASSERT_EQ(kinds(ev), std::vector<K>{K::auth});
  EXPECT_EQ(ev[0].argument.size(), 2000u);
  // Other commands keep the 512-octet limit.
  Driver e(tls_config());
  e.send("EHLO c\r\n");
  e.out();
  e.send("NOOP " + std::string(600, 'x') + "\r\n");
  EXPECT_EQ(e.out(), "500 5.5.2 Line too long\r\n");
}

TEST(ServerProtocol, DecisionsHoldBackPipelinedCommands) {
  Driver d(plain_config());
  d.send("EHLO c\r\n");
  d.out();
  d.p.receive("MAIL FROM:<a@example.com> SIZE=100\r\nRCPT TO:<b@example.org>\r\nNOOP\r\n");
  Event e = d.p.next();
  ASSERT_EQ(e.kind, K::mail);
  EXPECT_EQ(e.text, "a@example.com");
  EXPECT_EQ(e.mail.size, 100u);
  EXPECT_TRUE(d.p.awaiting_decision());
  EXPECT_EQ(d.p.next().kind, K::need_input);  // nothing moves until the decision
  EXPECT_EQ(d.p.next().kind, K::need_input);
  EXPECT_EQ(d.out(), "");
  d.p.accept_mail();
  e = d.p.next();
  ASSERT_EQ(e.kind, K::rcpt);
  EXPECT_EQ(e.text, "b@example.org");
  EXPECT_EQ(d.p.next().kind, K::need_input);
  d.p.reject(Reply{550, "5.7.1", "Relaying denied"});
  EXPECT_EQ(d.p.next().kind, K::need_input);
  EXPECT_EQ(d.out(), "250 2.1.0 Sender ok\r\n550 5.7.1 Relaying denied\r\n250 2.0.0 Ok\r\n");
}

TEST(ServerProtocol, PipelinedTransaction) {
  Driver d(plain_config());
  const auto ev = d.send(
      "EHLO c\r\nMAIL FROM:<a@example.com> BODY=8BITMIME\r\n"
      "RCPT TO:<b@example.org> NOTIFY=NEVER\r\nRCPT TO:<c@example.org>\r\nDATA\r\n");
  EXPECT_EQ(kinds(ev), (std::vector<K>{K::helo, K::mail, K::rcpt, K::rcpt, K::data_begin}));
  EXPECT_EQ(ev[1].mail.body, "8BITMIME");
  EXPECT_EQ(ev[2].rcpt.notify, "NEVER");
  EXPECT_FALSE(ev[4].bdat);
  std::string out = d.out();
  EXPECT_NE(out.find("250 2.1.0 Sender ok\r\n250 2.1.5 Recipient ok\r\n250 2.1.5 Recipient ok\r\n"
                     "354 End data with <CR><LF>.<CR><LF>\r\n"),
            std::string::npos);
  const auto ev2 = d.send("Subject: x\r\n\r\n..hi\r\n.\r\nQUIT\r\n");
  EXPECT_EQ(kinds(ev2), (std::vector<K>{K::data_chunk, K::data_end, K::quit}));
  EXPECT_EQ(ev2[1].status, DataStatus::ok);
  EXPECT_EQ(d.content, "Subject: x\r\n\r\n.hi\r\n");
  EXPECT_EQ(d.out(), "250 2.0.0 Ok: queued as Q1\r\n221 2.0.0 Bye\r\n");
  EXPECT_TRUE(d.p.closing());
}

TEST(ServerProtocol, DecisionPendingOnlyOnceItsEventIsReturned) {
  Driver d(plain_config());
  d.send("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
  d.p.receive("x\r\n.\r\n");
  Event e = d.p.next();
  ASSERT_EQ(e.kind, K::data_chunk);
  EXPECT_EQ(e.data, "x\r\n");
  EXPECT_FALSE(d.p.awaiting_decision());  // data_end is queued but not yet seen
  EXPECT_EQ(d.p.next().kind, K::data_end);
  EXPECT_TRUE(d.p.awaiting_decision());
  d.p.message_queued("Q9");
  EXPECT_FALSE(d.p.awaiting_decision());
  EXPECT_NE(d.out().find("250 2.0.0 Ok: queued as Q9\r\n"), std::string::npos);
}

TEST(ServerProtocol, AllRecipientsRefusedThenData) {
  Driver d(plain_config());
  d.decide = [&](const Event& e) {
    if (e.kind == K::rcpt) return d.p.reject(Reply{550, "5.1.1", "No such user"});
    d.accept(e);
  };
  const auto ev =
      d.send("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
  EXPECT_EQ(kinds(ev), (std::vector<K>{K::helo, K::mail, K::rcpt}));
  const std::string out = d.out();
  EXPECT_NE(out.find("550 5.1.1 No such user\r\n554 5.5.1 No valid recipients\r\n"),
            std::string::npos);
}

TEST(ServerProtocol, SequenceErrors) {
  Driver d(plain_config());
  d.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
  EXPECT_EQ(d.out(),
            "503 5.5.1 Send EHLO or HELO first\r\n503 5.5.1 Send MAIL FROM first\r\n"
            "503 5.5.1 Send MAIL FROM first\r\n");
  d.send("EHLO c\r\nMAIL FROM:<a@example.com>\r\n");
  d.out();
  d.send("MAIL FROM:<a@example.com>\r\nDATA\r\nDATA x\r\n");
  EXPECT_EQ(d.out(),
            "503 5.5.1 Nested MAIL command; send RSET to start over\r\n"
            "554 5.5.1 No valid recipients\r\n554 5.5.1 No valid recipients\r\n");
  d.send("RCPT TO:<b@example.org>\r\nDATA x\r\n");
  EXPECT_EQ(d.out(), "250 2.1.5 Recipient ok\r\n501 5.5.4 DATA takes no arguments.\r\n");
}

TEST(ServerProtocol, MailSyntaxAndSize) {
  Driver d(plain_config());
  d.send(
      "EHLO c\r\nMAIL FROM:<a@example.com> SIZE=1001\r\nMAIL FROM:<a@example.com> X=1\r\n"
      "MAIL FROM:a@example.com\r\n");
  const std::string out = d.out();
  EXPECT_NE(out.find("552 5.3.4 Message size exceeds the limit of 1000 octets\r\n"),
            std::string::npos);
  EXPECT_NE(out.find("555 5.5.4 Unsupported MAIL parameter X.\r\n"), std::string::npos);
  EXPECT_NE(out.find("501 5.5.4 Syntax: MAIL FROM:<address> [parameters]\r\n"), std::string::npos);
}

TEST(ServerProtocol, TooManyRecipients) {
  ServerConfig c = plain_config();
  c.max_recipients = 2;
  Driver d(c);
  d.send("EHLO c\r\nMAIL FROM:<>\r\n");
  d.out();
  const auto ev =
      d.send("RCPT TO:<a@x.example>\r\nRCPT TO:<b@x.example>\r\nRCPT TO:<c@x.example>\r\n");
  EXPECT_EQ(kinds(ev), (std::vector<K>{K::rcpt, K::rcpt}));
  EXPECT_EQ(
      d.out(),
      "250 2.1.5 Recipient ok\r\n250 2.1.5 Recipient ok\r\n452 4.5.3 Too many recipients\r\n");
}

TEST(ServerProtocol, SmugglingInDataIsRefused) {
  Driver d(plain_config());
  d.send("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
  d.out();
  const auto ev = d.send(
      "Subject: one\r\n\r\nbody\n.\nMAIL FROM:<evil@example.com>\r\nRCPT TO:<v@example.org>\r\n"
      "DATA\r\nforged\r\n.\r\nNOOP\r\n");
  EXPECT_EQ(kinds(ev), (std::vector<K>{K::data_chunk, K::data_end}));
  EXPECT_EQ(ev[1].status, DataStatus::bare_newline);
  EXPECT_EQ(d.out(),
            "550 5.6.0 Message refused: bare CR or LF is not allowed; lines must end in CRLF\r\n"
            "250 2.0.0 Ok\r\n");
  d.send("RCPT TO:<b@example.org>\r\n");  // the transaction is over
  EXPECT_EQ(d.out(), "503 5.5.1 Send MAIL FROM first\r\n");
}

TEST(ServerProtocol, NulInDataOrBdatIsRefused) {
  using namespace std::string_literals;
  const std::string nul_reply =
      "550 5.6.0 Message refused: it contains a NUL octet, which is not allowed in mail text "
      "(RFC 5321 4.5.2); remove it or send the content base64-encoded\r\n";
  Driver d(plain_config());
  d.send("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
  d.out();
  // CRLF NUL "." CRLF is no end of data: the message ends at the real one,
  // and the smuggled commands after the NUL line are content.
  auto ev = d.send("Subject: one\r\n\r\nbody\r\n\0.\r\nMAIL FROM:<evil@example.com>\r\n.\r\n"s);
  EXPECT_EQ(ev.back().kind, K::data_end);
  EXPECT_EQ(ev.back().status, DataStatus::nul);
  EXPECT_EQ(d.out(), nul_reply);
  d.send("NOOP\r\n");  // the session goes on
  EXPECT_EQ(d.out(), "250 2.0.0 Ok\r\n");
  d.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\n");
  d.out();
  ev = d.send("BDAT 6 LAST\r\na\0\r\nb\r"s);
  EXPECT_EQ(ev.back().kind, K::data_end);
  EXPECT_TRUE(ev.back().bdat);
  EXPECT_EQ(ev.back().status, DataStatus::nul);
  EXPECT_EQ(d.out(), nul_reply);
}

TEST(ServerProtocol, DataTooBigAndLineTooLong) {
  ServerConfig c = plain_config();
  c.max_message_size = 20;
  Driver d(c);
  d.send("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
  d.out();
  auto ev = d.send("0123456789\r\n0123456789\r\n.\r\n");
  EXPECT_EQ(ev.back().status, DataStatus::too_big);
  EXPECT_EQ(d.out(), "552 5.3.4 Message too big: the limit is 20 octets\r\n");
  c.max_message_size = 100000;
  Driver e(c);
  e.send("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
  e.out();
  ev = e.send(std::string(1200, 'x') + "\r\n.\r\n");
  EXPECT_EQ(ev.back().status, DataStatus::line_too_long);
  EXPECT_EQ(e.out(),
            "550 5.6.0 Message refused: a line is longer than 1000 octets (RFC 5322 2.1.1)\r\n");
}

TEST(ServerProtocol, GlueRejectsDataAndMessage) {
  Driver d(plain_config());
  d.decide = [&](const Event& e) {
    if (e.kind == K::data_end) return d.p.reject(Reply{451, "4.3.0", "Spool unavailable"});
    d.accept(e);
  };
  d.send("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\nx\r\n.\r\n");
  EXPECT_NE(d.out().find("451 4.3.0 Spool unavailable\r\n"), std::string::npos);
  d.send("DATA\r\n");
  EXPECT_EQ(d.out(), "503 5.5.1 Send MAIL FROM first\r\n");
}

TEST(ServerProtocol, InputStateForDeadlines) {
  using S = ServerProtocol::InputState;
  Driver d(plain_config());
  EXPECT_EQ(d.p.input_state(), S::between_lines);
  d.send("EHLO c\r\nNO");
  EXPECT_EQ(d.p.input_state(), S::in_line);  // a trickled line keeps its deadline
  d.send("OP\r\n");
  EXPECT_EQ(d.p.input_state(), S::between_lines);
  d.send(std::string(600, 'x'));  // over-long: discarded up to its LF
  EXPECT_EQ(d.p.input_state(), S::in_line);
  d.send("\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n");
  EXPECT_EQ(d.p.input_state(), S::in_message);
  d.send("x\r\n.\r\n");
  EXPECT_EQ(d.p.input_state(), S::between_lines);
  d.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nBDAT 10\r\nab");
  EXPECT_EQ(d.p.input_state(), S::in_message);
  d.out();
}

TEST(ServerProtocol, Bdat) {
  Driver d(plain_config());
  d.send("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\n");
  d.out();
  const auto ev = d.send("BDAT 7\r\nline\r\n.BDAT 4 LAST\r\n.\r\n\r");
  EXPECT_EQ(kinds(ev), (std::vector<K>{K::data_begin, K::data_chunk, K::data_chunk, K::data_end}));
  EXPECT_TRUE(ev[0].bdat);
  EXPECT_TRUE(ev[3].bdat);
  EXPECT_EQ(ev[3].status, DataStatus::bare_newline);  // the final lone CR
  EXPECT_EQ(d.content, "line\r\n..\r\n\r");           // raw octets, no unstuffing
  d.send("MAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\n");
  d.out();
  d.content.clear();
  d.send("BDAT 3\r\nab\r");
  d.send("BDAT 3 LAST\r\n\nc\n");
  EXPECT_EQ(d.content, "ab\r");  // a piece holding a problem is not passed on
  // The CRLF split between chunks is fine, the final bare LF is not.
  EXPECT_EQ(d.out(),
            "250 2.0.0 3 octets received\r\n"
            "550 5.6.0 Message refused: bare CR or LF is not allowed; lines must end in "
            "CRLF\r\n");
}

TEST(ServerProtocol, BdatFragmentedAndDataAfterBdat) {
  Driver d(plain_config());
  d.send("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\n");
  d.out();
  const std::string wire = "BDAT 6\r\nab\r\ncdDATA\r\nBDAT 0 LAST\r\n";
  for (char ch : wire) d.send(std::string(1, ch));
  EXPECT_EQ(d.content, "ab\r\ncd");
  EXPECT_EQ(d.out(),
            "250 2.0.0 6 octets received\r\n"
            "503 5.5.1 DATA cannot follow BDAT in the same transaction\r\n"
            "250 2.0.0 Ok: queued as Q1\r\n");
}

TEST(ServerProtocol, BdatZeroLast) {
  Driver d(plain_config());
  const auto ev =
      d.send("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nBDAT 0 LAST\r\n");
  EXPECT_EQ(kinds(ev), (std::vector<K>{K::helo, K::mail, K::rcpt, K::data_begin, K::data_end}));
  EXPECT_NE(d.out().find("250 2.0.0 Ok: queued as Q1\r\n"), std::string::npos);
}

TEST(ServerProtocol, RefusedBdatChunkIsSkippedNotExecuted) {
  Driver d(plain_config());
  d.decide = [&](const Event& e) {
    if (e.kind == K::data_begin) return d.p.reject(Reply{452, "4.3.1", "Spool full"});
    d.accept(e);
  };
  d.send("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\n");
  d.out();
  const auto ev = d.send("BDAT 6\r\nRSET\r\nNOOP\r\n");
  EXPECT_EQ(kinds(ev), std::vector<K>{K::data_begin});
  EXPECT_EQ(d.out(), "452 4.3.1 Spool full\r\n250 2.0.0 Ok\r\n");
  // Without a transaction, chunks are still swallowed.
  d.send("BDAT 4\r\nQUIT");
  EXPECT_EQ(d.out(), "503 5.5.1 Send MAIL FROM first\r\n");
  EXPECT_FALSE(d.p.closing());
}

TEST(ServerProtocol, BdatSyntaxErrorAbortsMessage) {
  Driver d(plain_config());
  d.send("EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nBDAT 2\r\nab");
  d.out();
  const auto ev = d.send("BDAT x\r\n");
  EXPECT_EQ(kinds(ev), std::vector<K>{K::data_end});
  EXPECT_EQ(ev[0].status, DataStatus::bdat_aborted);
  EXPECT_EQ(d.out(), "501 5.5.4 Syntax: BDAT size [LAST]\r\n");
}

TEST(ServerProtocol, ResetAndEhloEndTransaction) {
  Driver d(plain_config());
  d.send("EHLO c\r\nMAIL FROM:<a@example.com>\r\n");
  d.out();
  auto ev = d.send("RSET\r\n");
  EXPECT_EQ(kinds(ev), std::vector<K>{K::reset});
  EXPECT_EQ(d.out(), "250 2.0.0 Ok\r\n");
  d.send("MAIL FROM:<a@example.com>\r\n");
  ev = d.send("HELO c2\r\n");
  EXPECT_EQ(kinds(ev), (std::vector<K>{K::reset, K::helo}));
  ev = d.send("EHLO c3\r\n");
  EXPECT_EQ(kinds(ev), std::vector<K>{K::helo});  // nothing open: no reset
}

TEST(ServerProtocol, SmallCommands) {
  Driver d(plain_config());
  d.send("NOOP\r\nVRFY bob\r\nEXPN staff\r\nHELP\r\nFOO\r\n");
  EXPECT_EQ(d.out(),
            "250 2.0.0 Ok\r\n"
            "252 2.5.2 Cannot VRFY user, but will accept message and attempt delivery\r\n"
            "502 5.5.1 EXPN is not supported\r\n"
            "214 2.0.0 Herald submission server; commands: EHLO MAIL RCPT DATA BDAT RSET NOOP "
            "QUIT VRFY HELP STARTTLS AUTH; see docs/operations.md in the Herald distribution\r\n"
            "500 5.5.2 Command not recognized\r\n");
}

TEST(ServerProtocol, BareNewlinesInCommands) {
  Driver d(plain_config());
  d.send("NOOP\nNOOP\rX\r\nNOOP\r\n");
  EXPECT_EQ(d.out(),
            "500 5.5.2 Bare CR or LF is not allowed; end lines with CRLF\r\n"
            "500 5.5.2 Bare CR or LF is not allowed; end lines with CRLF\r\n"
            "250 2.0.0 Ok\r\n");
}

TEST(ServerProtocol, LongCommandLineDiscarded) {
  Driver d(plain_config());
  d.send("NOOP " + std::string(400, 'x'));
  EXPECT_EQ(d.out(), "");  // still under the limit: waiting for the rest
  d.send(std::string(400, 'x'));
  EXPECT_EQ(d.out(), "500 5.5.2 Line too long\r\n");
  d.send(std::string(5000, 'y') + "QUIT\r\nNOOP\r\n");
  EXPECT_EQ(d.out(), "250 2.0.0 Ok\r\n");
  EXPECT_FALSE(d.p.closing());
  d.send("NOOP " + std::string(505, 'x') + "\r\n");  // 512 octets exactly: fine
  EXPECT_EQ(d.out(), "250 2.0.0 Ok\r\n");
  d.send("NOOP " + std::string(506, 'x') + "\r\n");
  EXPECT_EQ(d.out(), "500 5.5.2 Line too long\r\n");
  d.send("NOOP\r\n");  // the line after an over-long one is answered
  EXPECT_EQ(d.out(), "250 2.0.0 Ok\r\n");
}

TEST(ServerProtocol, CommandsPipelinedAfterLongLineAreAnswered) {
  Driver d(plain_config());
  d.send("VRFY " + std::string(506, 'x') + "\r\nNOOP\r\nHELP\r\n");
  std::string out = d.out();
  EXPECT_EQ(out.rfind("500 5.5.2 Line too long\r\n250 2.0.0 Ok\r\n214", 0), 0u) << out;
}

TEST(ServerProtocol, TooManyErrorsCloses) {
  ServerConfig c = plain_config();
  c.max_errors = 3;
  Driver d(c);
  auto ev = d.send("FOO\r\nBAR\r\n");
  EXPECT_TRUE(ev.empty());
  ev = d.send("BAZ\r\nNOOP\r\n");
  EXPECT_EQ(kinds(ev), std::vector<K>{K::close});
  EXPECT_EQ(
      d.out(),
      "500 5.5.2 Command not recognized\r\n500 5.5.2 Command not recognized\r\n"
      "500 5.5.2 Command not recognized\r\n421 4.7.0 Too many errors, closing connection\r\n");
  EXPECT_TRUE(d.p.closing());
  EXPECT_TRUE(d.send("NOOP\r\n").empty());
  EXPECT_EQ(d.out(), "");
}

TEST(ServerProtocol, AuthFailuresCountAsErrors) {
  ServerConfig c = tls_config();
  c.max_errors = 2;
  Driver d(c);
  d.send("EHLO c\r\nAUTH LOGIN\r\nbad\r\nAUTH LOGIN\r\n");
  d.out();
  const auto ev = d.send("bad\r\n");
  EXPECT_EQ(kinds(ev), (std::vector<K>{K::auth_response, K::close}));
  EXPECT_EQ(d.out(),
            "535 5.7.8 Authentication credentials invalid\r\n"
            "421 4.7.0 Too many errors, closing connection\r\n");
}

TEST(ServerProtocol, QuitIgnoresTheRest) {
  Driver d(plain_config());
  const auto ev = d.send("QUIT\r\nNOOP\r\n");
  EXPECT_EQ(kinds(ev), std::vector<K>{K::quit});
  EXPECT_EQ(d.out(), "221 2.0.0 Bye\r\n");
  EXPECT_TRUE(d.p.closing());
}

TEST(ServerProtocol, WholeConversationByteAtATime) {
  const std::string wire =
      "EHLO c\r\nMAIL FROM:<a@example.com>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n"
      "Subject: s\r\n\r\nbody\r\n.\r\nBDAT 1\r\nxNOOP\r\nQUIT\r\n";
  Driver whole(plain_config());
  whole.send(wire);
  Driver bytes(plain_config());
  for (char ch : wire) bytes.send(std::string(1, ch));
  EXPECT_EQ(whole.out(), bytes.out());
  EXPECT_EQ(whole.content, bytes.content);
  EXPECT_EQ(bytes.content, "Subject: s\r\n\r\nbody\r\n");
}

}  // namespace
}  // namespace herald::smtp
