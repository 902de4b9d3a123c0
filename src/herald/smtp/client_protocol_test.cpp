// Conversations with smtp::ClientProtocol, session part: banner, EHLO and
// the HELO fallback, extensions, STARTTLS (required, opportunistic, the
// injection after 220), AUTH PLAIN/LOGIN only under TLS, timeouts, QUIT.
#include "herald/smtp/client_protocol.hpp"

#include <gtest/gtest.h>

#include "herald/smtp/client_protocol_test_driver.hpp"

namespace herald::smtp {
namespace {

using namespace std::chrono_literals;
using namespace testing_client;
using K = ClientEventKind;

TEST(ClientProtocol, PlainSuccessWithoutPipelining) {
  Driver d(config());
  ASSERT_TRUE(d.p.start_transaction(transaction({"bob@remote.test"})).ok());
  EXPECT_EQ(d.run(), "");  // nothing before the banner
  EXPECT_EQ(d.last.kind, K::need_input);
  EXPECT_EQ(d.p.current_timeout(), 5min);
  EXPECT_EQ(d.feed(kBanner), "EHLO out.herald.test\r\n");
  EXPECT_EQ(d.p.current_timeout(), 5min);
  EXPECT_EQ(d.feed(kEhloPlain), "MAIL FROM:<alice@herald.test> SIZE=100\r\n");
  EXPECT_EQ(d.p.current_timeout(), 5min);
  EXPECT_EQ(d.feed("250 2.1.0 ok\r\n"), "RCPT TO:<bob@remote.test>\r\n");
  EXPECT_EQ(d.feed("250 2.1.5 ok\r\n"), "DATA\r\n");
  EXPECT_EQ(d.p.current_timeout(), 2min);
  EXPECT_EQ(d.feed("354 go ahead\r\n"), "");
  EXPECT_EQ(d.last.kind, K::send_body);
  EXPECT_EQ(d.p.current_timeout(), 3min);
  EXPECT_EQ(d.p.next().kind, K::send_body);  // repeated until body_sent()
  EXPECT_EQ(d.send_body("Subject: hi\r\n\r\n.hello\r\n"), "Subject: hi\r\n\r\n..hello\r\n.\r\n");
  EXPECT_EQ(d.last.kind, K::need_input);
  EXPECT_EQ(d.p.current_timeout(), 10min);
  EXPECT_EQ(d.feed("250 2.0.0 queued as X\r\n"), "");
  EXPECT_TRUE(d.saw(K::transaction_done));
  EXPECT_EQ(d.last.kind, K::idle);
  EXPECT_EQ(d.status(0), RecipientStatus::delivered);
  EXPECT_EQ(d.outcome(0).reply.code, 250);
  EXPECT_EQ(d.outcome(0).stage, Stage::message);
  d.p.quit();
  EXPECT_EQ(d.run(), "QUIT\r\n");
  EXPECT_EQ(d.feed("221 2.0.0 bye\r\n"), "");
  EXPECT_EQ(d.last.kind, K::closed);
  EXPECT_TRUE(d.p.ended());
  EXPECT_EQ(d.p.next().kind, K::closed);
  EXPECT_FALSE(d.p.start_transaction(transaction({"x@remote.test"})).ok());
}

TEST(ClientProtocol, RepliesSplitAnywhere) {
  Driver d(config());
  ASSERT_TRUE(d.p.start_transaction(transaction({"bob@remote.test"})).ok());
  const std::string script = std::string(kBanner) + std::string(kEhloPlain);
  std::string out;
  for (char c : script) out += d.feed(std::string_view(&c, 1));
  EXPECT_EQ(out, "EHLO out.herald.test\r\nMAIL FROM:<alice@herald.test> SIZE=100\r\n");
}

TEST(ClientProtocol, ExtensionsParsed) {
  Driver d(config(TlsPolicy::none));
  d.feed(kBanner);
  d.feed(
      "250-mx hello\r\n250-pipelining\r\n250-SIZE\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n"
      "250-STARTTLS\r\n250-DSN\r\n250-CHUNKING\r\n250-ENHANCEDSTATUSCODES\r\n"
      "250-AUTH=LOGIN\r\n250 AUTH plain login CRAM-MD5\r\n");
  const ServerExtensions& e = d.p.extensions();
  EXPECT_TRUE(e.esmtp && e.pipelining && e.size && e.eight_bit_mime && e.smtputf8 && e.starttls &&
              e.dsn && e.chunking && e.enhanced_status_codes);
  EXPECT_EQ(e.max_size, 0u);
  EXPECT_EQ(e.auth, (std::vector<std::string>{"LOGIN", "PLAIN", "CRAM-MD5"}));
  EXPECT_EQ(d.last.kind, K::idle);
}

TEST(ClientProtocol, HeloFallback) {
  Driver d(config());
  auto tx = transaction({"bob@remote.test"});
  tx.eight_bit = true;
  ASSERT_TRUE(d.p.start_transaction(tx).ok());
  d.feed(kBanner);
  EXPECT_EQ(d.feed("502 5.5.1 EHLO not implemented\r\n"), "HELO out.herald.test\r\n");
  // No extensions after HELO: no SIZE=, and BODY=8BITMIME is not sent.
  EXPECT_EQ(d.feed("250 mx.remote.test\r\n"), "MAIL FROM:<alice@herald.test>\r\n");
  EXPECT_FALSE(d.p.extensions().esmtp);
}

TEST(ClientProtocol, HeloRefusedIsFinal) {
  Driver d(config());
  ASSERT_TRUE(d.p.start_transaction(transaction({"bob@remote.test"})).ok());
  d.feed(kBanner);
  d.feed("500 what\r\n");
  EXPECT_EQ(d.feed("550 go away\r\n"), "QUIT\r\n");
  EXPECT_EQ(d.last.kind, K::failed);
  EXPECT_EQ(d.status(0), RecipientStatus::permanent);
  EXPECT_EQ(d.outcome(0).stage, Stage::ehlo);
}

TEST(ClientProtocol, EhloTemporaryFailure) {
  Driver d(config());
  ASSERT_TRUE(d.p.start_transaction(transaction({"bob@remote.test"})).ok());
  d.feed(kBanner);
  EXPECT_EQ(d.feed("451 4.3.0 later\r\n"), "QUIT\r\n");
  EXPECT_EQ(d.status(0), RecipientStatus::temporary);
}

TEST(ClientProtocol, BannerTemporary) {
  Driver d(config());
  ASSERT_TRUE(d.p.start_transaction(transaction({"a@remote.test", "b@remote.test"})).ok());
  EXPECT_EQ(d.feed("450 4.3.2 busy\r\n"), "QUIT\r\n");
  EXPECT_TRUE(d.saw(K::transaction_done));
  EXPECT_EQ(d.last.kind, K::failed);
  EXPECT_FALSE(d.last.outcome.permanent);
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(d.status(i), RecipientStatus::temporary);
    EXPECT_EQ(d.outcome(i).reply.code, 450);
    EXPECT_EQ(d.outcome(i).reply.enhanced, "4.3.2");
    EXPECT_EQ(d.outcome(i).reply.text, "busy");
    EXPECT_TRUE(d.outcome(i).remote);
    EXPECT_EQ(d.outcome(i).stage, Stage::connect);
  }
  EXPECT_EQ(d.outcome(0).describe(), "450 4.3.2 busy (in reply to connect)");
}

TEST(ClientProtocol, BannerPermanent) {
  Driver d(config());
  ASSERT_TRUE(d.p.start_transaction(transaction({"a@remote.test"})).ok());
  EXPECT_EQ(d.feed("554-5.7.1 no\r\n554 5.7.1 mail from you\r\n"), "QUIT\r\n");
  EXPECT_EQ(d.status(0), RecipientStatus::permanent);
  EXPECT_EQ(d.outcome(0).reply.text, "no mail from you");
}

TEST(ClientProtocol, Banner421ClosesWithoutQuit) {
  Driver d(config());
  ASSERT_TRUE(d.p.start_transaction(transaction({"a@remote.test"})).ok());
  EXPECT_EQ(d.feed("421 4.3.2 shutting down\r\n"), "");
  EXPECT_EQ(d.last.kind, K::failed);
  EXPECT_EQ(d.status(0), RecipientStatus::temporary);
}

TEST(ClientProtocol, StarttlsRequiredButNotOffered) {
  Driver d(config(TlsPolicy::required));
  ASSERT_TRUE(d.p.start_transaction(transaction({"a@remote.test"})).ok());
  d.feed(kBanner);
  EXPECT_EQ(d.feed(kEhloPlain), "QUIT\r\n");
  EXPECT_EQ(d.last.kind, K::failed);
  EXPECT_EQ(d.last.outcome.reply.text, "remote server does not offer STARTTLS");
  EXPECT_FALSE(d.last.outcome.permanent);
  EXPECT_EQ(d.status(0), RecipientStatus::temporary);
  EXPECT_EQ(d.outcome(0).reply.text, "remote server does not offer STARTTLS");
  EXPECT_EQ(d.wire.find("MAIL"), std::string::npos);
}

TEST(ClientProtocol, StarttlsThenEhloAgain) {
  Driver d(config(TlsPolicy::required));
  ASSERT_TRUE(d.p.start_transaction(transaction({"a@remote.test"})).ok());
  d.feed(kBanner);
  EXPECT_EQ(d.feed("250-mx\r\n250-PIPELINING\r\n250 STARTTLS\r\n"), "STARTTLS\r\n");
  // Replies injected in plaintext after the 220 must be dropped unread.
  EXPECT_EQ(d.feed("220 2.0.0 go ahead\r\n250-mx\r\n250 AUTH PLAIN\r\n"), "");
  EXPECT_EQ(d.last.kind, K::start_tls);
  EXPECT_EQ(d.p.next().kind, K::start_tls);
  d.p.receive("250 more injection\r\n");  // ignored while handshaking
  EXPECT_FALSE(d.p.tls_active());
  d.p.tls_started();
  EXPECT_TRUE(d.p.tls_active());
  EXPECT_EQ(d.run(), "EHLO out.herald.test\r\n");
  EXPECT_FALSE(d.p.extensions().pipelining);  // forgotten (RFC 3207 §4.2)
  EXPECT_EQ(d.feed("250-mx\r\n250 STARTTLS\r\n"), "MAIL FROM:<alice@herald.test>\r\n");
  EXPECT_EQ(d.wire.find("STARTTLS", d.wire.find("STARTTLS") + 1), std::string::npos);
}

TEST(ClientProtocol, StarttlsRefusedOpportunisticContinuesInPlaintext) {
  Driver d(config(TlsPolicy::opportunistic));
  ASSERT_TRUE(d.p.start_transaction(transaction({"a@remote.test"})).ok());
  d.feed(kBanner);
  EXPECT_EQ(d.feed("250-mx\r\n250 STARTTLS\r\n"), "STARTTLS\r\n");
  EXPECT_EQ(d.feed("454 4.7.0 TLS not available\r\n"), "MAIL FROM:<alice@herald.test>\r\n");
  EXPECT_FALSE(d.p.tls_active());
}

TEST(ClientProtocol, StarttlsRefusedRequiredFailsTemporarily) {
  Driver d(config(TlsPolicy::required));
  ASSERT_TRUE(d.p.start_transaction(transaction({"a@remote.test"})).ok());
  d.feed(kBanner);
  d.feed("250-mx\r\n250 STARTTLS\r\n");
  EXPECT_EQ(d.feed("554 5.7.0 no TLS for you\r\n"), "QUIT\r\n");
  EXPECT_EQ(d.status(0), RecipientStatus::temporary);
  EXPECT_EQ(d.outcome(0).stage, Stage::starttls);
}

TEST(ClientProtocol, PolicyNoneNeverStartsTls) {
  Driver d(config(TlsPolicy::none));
  ASSERT_TRUE(d.p.start_transaction(transaction({"a@remote.test"})).ok());
  d.feed(kBanner);
  EXPECT_EQ(d.feed("250-mx\r\n250 STARTTLS\r\n"), "MAIL FROM:<alice@herald.test>\r\n");
}

TEST(ClientProtocol, TlsHandshakeFailure) {
  Driver d(config(TlsPolicy::required));
  ASSERT_TRUE(d.p.start_transaction(transaction({"a@remote.test"})).ok());
  d.feed(kBanner);
  d.feed("250-mx\r\n250 STARTTLS\r\n");
  d.feed("220 go\r\n");
  d.p.connection_lost("TLS handshake failed: certificate expired");
  EXPECT_EQ(d.run(), "");
  EXPECT_EQ(d.last.kind, K::failed);
  EXPECT_EQ(d.outcome(0).reply.code, 421);
  EXPECT_EQ(d.outcome(0).stage, Stage::starttls);
  EXPECT_EQ(d.outcome(0).reply.text, "connection lost: TLS handshake failed: certificate expired");
}

ClientConfig smarthost(std::vector<std::string> mechanisms = {"PLAIN", "LOGIN"}) {
  ClientConfig c = config(TlsPolicy::required);
  c.tls_active = true;  // port 465
  c.credentials = ClientCredentials{"user", "pass"};
  c.auth_mechanisms = std::move(mechanisms);
  return c;
}

TEST(ClientProtocol, AuthPlainUnderImplicitTls) {
  Driver d(smarthost());
  ASSERT_TRUE(d.p.start_transaction(transaction({"a@remote.test"})).ok());
  EXPECT_EQ(d.feed(kBanner), "EHLO out.herald.test\r\n");
  EXPECT_EQ(d.feed("250-mx\r\n250 AUTH LOGIN PLAIN\r\n"), "AUTH PLAIN AHVzZXIAcGFzcw==\r\n");
  EXPECT_EQ(d.feed("235 2.7.0 ok\r\n"), "MAIL FROM:<alice@herald.test>\r\n");
  EXPECT_TRUE(d.p.authenticated());
}

TEST(ClientProtocol, AuthLogin) {
  Driver d(smarthost({"LOGIN"}));
  ASSERT_TRUE(d.p.start_transaction(transaction({"a@remote.test"})).ok());
  d.feed(kBanner);
  EXPECT_EQ(d.feed("250-mx\r\n250 AUTH PLAIN LOGIN\r\n"), "AUTH LOGIN\r\n");
  EXPECT_EQ(d.feed("334 VXNlcm5hbWU6\r\n"), "dXNlcg==\r\n");
  EXPECT_EQ(d.feed("334 UGFzc3dvcmQ6\r\n"), "cGFzcw==\r\n");
  EXPECT_EQ(d.feed("235 2.7.0 ok\r\n"), "MAIL FROM:<alice@herald.test>\r\n");
}

TEST(ClientProtocol, AuthAfterStarttls) {
  ClientConfig c = config(TlsPolicy::required);
  c.credentials = ClientCredentials{"user", "pass"};
  Driver d(c);
  ASSERT_TRUE(d.p.start_transaction(transaction({"a@remote.test"})).ok());
  d.feed(kBanner);
  EXPECT_EQ(d.feed("250-mx\r\n250-AUTH PLAIN\r\n250 STARTTLS\r\n"), "STARTTLS\r\n");
  d.feed("220 go\r\n");
  d.p.tls_started();
  d.run();
  EXPECT_EQ(d.feed("250-mx\r\n250 AUTH PLAIN\r\n"), "AUTH PLAIN AHVzZXIAcGFzcw==\r\n");
}

TEST(ClientProtocol, NoCredentialsWithoutTls) {
  for (TlsPolicy policy : {TlsPolicy::none, TlsPolicy::opportunistic}) {
    ClientConfig c = config(policy);
    c.credentials = ClientCredentials{"user", "pass"};
    Driver d(c);
    ASSERT_TRUE(d.p.start_transaction(transaction({"a@remote.test"})).ok());
    d.feed(kBanner);
    EXPECT_EQ(d.feed("250-mx\r\n250 AUTH PLAIN LOGIN\r\n"), "QUIT\r\n");
    EXPECT_EQ(d.last.kind, K::failed);
    EXPECT_EQ(d.last.outcome.reply.text, "refusing to send credentials without TLS");
    EXPECT_EQ(d.status(0), RecipientStatus::temporary);
    EXPECT_EQ(d.wire.find("AUTH"), std::string::npos);
    EXPECT_EQ(d.wire.find("dXNlcg"), std::string::npos);
  }
}

TEST(ClientProtocol, AuthRejectedIsTemporary) {
  Driver d(smarthost());
  ASSERT_TRUE(d.p.start_transaction(transaction({"a@remote.test"})).ok());
  d.feed(kBanner);
  d.feed("250-mx\r\n250 AUTH PLAIN\r\n");
  EXPECT_EQ(d.feed("535 5.7.8 bad credentials\r\n"), "QUIT\r\n");
  EXPECT_EQ(d.status(0), RecipientStatus::temporary);
  EXPECT_EQ(d.outcome(0).reply.code, 535);
  EXPECT_EQ(d.outcome(0).stage, Stage::auth);
}

TEST(ClientProtocol, AuthLoginUnexpectedChallengeIsCancelled) {
  Driver d(smarthost({"LOGIN"}));
  ASSERT_TRUE(d.p.start_transaction(transaction({"a@remote.test"})).ok());
  d.feed(kBanner);
  d.feed("250-mx\r\n250 AUTH LOGIN\r\n");
  d.feed("334 VXNlcm5hbWU6\r\n");
  d.feed("334 UGFzc3dvcmQ6\r\n");
  EXPECT_EQ(d.feed("334 more?\r\n"), "*\r\nQUIT\r\n");
  EXPECT_EQ(d.last.kind, K::failed);
}

TEST(ClientProtocol, AuthNoUsableMechanism) {
  Driver d(smarthost());
  ASSERT_TRUE(d.p.start_transaction(transaction({"a@remote.test"})).ok());
  d.feed(kBanner);
  EXPECT_EQ(d.feed("250-mx\r\n250 AUTH CRAM-MD5\r\n"), "QUIT\r\n");
  EXPECT_EQ(d.last.outcome.reply.text,
            "remote server offers no usable AUTH mechanism (offered: CRAM-MD5)");
  Driver none(smarthost());
  none.feed(kBanner);
  EXPECT_EQ(none.feed(kEhloPlain), "QUIT\r\n");
  EXPECT_EQ(none.last.kind, K::failed);
}

TEST(ClientProtocol, InvalidHeloNameFailsAtOnce) {
  ClientConfig c = config();
  c.helo_name = "evil\r\nRSET";
  Driver d(c);
  EXPECT_EQ(d.run(), "");
  EXPECT_EQ(d.last.kind, K::failed);
  EXPECT_FALSE(d.p.start_transaction(transaction({"a@remote.test"})).ok());
  c.helo_name = "[192.0.2.1]";
  Driver literal(c);
  EXPECT_EQ(literal.feed(kBanner), "EHLO [192.0.2.1]\r\n");
}

TEST(ClientProtocol, QuitDuringSetupWaitsForTheSession) {
  Driver d(config());
  d.p.quit();
  d.feed(kBanner);
  EXPECT_EQ(d.feed(kEhloPlain), "QUIT\r\n");
  EXPECT_EQ(d.last.kind, K::need_input);
  d.p.connection_lost("eof");  // closing before the 221 is fine
  EXPECT_EQ(d.run(), "");
  EXPECT_EQ(d.last.kind, K::closed);
}

TEST(ClientProtocol, MalformedAndOversizedReplies) {
  const std::vector<std::string> bad = {
      "hello\r\n",
      "220-mx\r\n221 mx\r\n",
      "220 " + std::string(5000, 'x') + "\r\n",
      [] {
        std::string s;
        for (int i = 0; i < 200; ++i) s += "220-line\r\n";
        return s;
      }(),
  };
  for (const std::string& b : bad) {
    Driver d(config());
    ASSERT_TRUE(d.p.start_transaction(transaction({"a@remote.test"})).ok());
    EXPECT_EQ(d.feed(b), "");
    EXPECT_EQ(d.last.kind, K::failed);
    EXPECT_EQ(d.last.outcome.reply.enhanced, "4.5.0");
    EXPECT_EQ(d.status(0), RecipientStatus::temporary);
  }
}

TEST(ClientProtocol, UnsolicitedReplyWhileIdleEndsSession) {
  Driver d(config());
  d.feed(kBanner);
  d.feed(kEhloPlain);
  EXPECT_EQ(d.last.kind, K::idle);
  EXPECT_EQ(d.feed("421 4.4.2 idle timeout\r\n"), "");
  EXPECT_EQ(d.last.kind, K::failed);
  EXPECT_EQ(d.last.outcome.reply.code, 421);
}

TEST(ClientProtocol, FloodIsBounded) {
  Driver d(config());
  d.feed(kBanner);
  d.feed(kEhloPlain);
  // A server talking out of turn while the glue keeps feeding.
  for (int i = 0; i < 100 && !d.p.ended(); ++i) d.p.receive(std::string(10000, 'x'));
  EXPECT_TRUE(d.p.ended());
}

}  // namespace
}  // namespace herald::smtp
