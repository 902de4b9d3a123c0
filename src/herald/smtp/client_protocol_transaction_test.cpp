// Conversations with smtp::ClientProtocol, transaction part: pipelined and
// one-at-a-time MAIL/RCPT/DATA, per-recipient results for every failure
// point, MAIL/RCPT parameters, local refusals (SIZE, SMTPUTF8, syntax),
// connection loss and reuse of a connection for a second transaction.
#include <gtest/gtest.h>

#include "herald/smtp/client_protocol.hpp"
#include "herald/smtp/client_protocol_test_driver.hpp"

namespace herald::smtp {
namespace {

using namespace testing_client;
using K = ClientEventKind;
using S = RecipientStatus;

// A driver past banner and EHLO, with `tx` started and MAIL (and, when
// pipelining, everything up to DATA) written; returns what was written.
struct Session {
  explicit Session(std::string_view ehlo, ClientConfig c = config(TlsPolicy::none)) : d(c) {
    d.feed(kBanner);
    d.feed(ehlo);
  }
  std::string start(const ClientTransaction& tx) {
    EXPECT_TRUE(d.p.start_transaction(tx).ok());
    return d.run();
  }
  Driver d;
};

TEST(ClientTransaction, Pipelined) {
  Session s(kEhloPipelining);
  auto tx = transaction({"a@remote.test", "b@remote.test"});
  tx.eight_bit = true;
  EXPECT_EQ(s.start(tx),
            "MAIL FROM:<alice@herald.test> SIZE=100 BODY=8BITMIME\r\n"
            "RCPT TO:<a@remote.test>\r\nRCPT TO:<b@remote.test>\r\nDATA\r\n");
  EXPECT_EQ(s.d.feed("250 ok\r\n250 ok\r\n550 5.1.1 no such user\r\n354 go\r\n"), "");
  EXPECT_EQ(s.d.last.kind, K::send_body);
  EXPECT_EQ(s.d.status(0), S::accepted);
  EXPECT_EQ(s.d.status(1), S::permanent);
  EXPECT_EQ(s.d.outcome(1).reply.text, "no such user");
  EXPECT_EQ(s.d.outcome(1).stage, Stage::rcpt);
  s.d.send_body("hi\r\n");
  s.d.feed("250 2.0.0 queued\r\n");
  EXPECT_TRUE(s.d.saw(K::transaction_done));
  EXPECT_EQ(s.d.status(0), S::delivered);
  EXPECT_EQ(s.d.status(1), S::permanent);
}

TEST(ClientTransaction, PipelinedRepliesOneByOne) {
  Session s(kEhloPipelining);
  s.start(transaction({"a@remote.test"}));
  EXPECT_EQ(s.d.feed("250 ok\r\n"), "");
  EXPECT_EQ(s.d.last.kind, K::need_input);
  s.d.feed("250 ok\r\n");
  s.d.feed("354 go\r\n");
  EXPECT_EQ(s.d.last.kind, K::send_body);
}

TEST(ClientTransaction, PipelinedAllRecipientsRejected) {
  Session s(kEhloPipelining);
  s.start(transaction({"a@remote.test", "b@remote.test"}));
  EXPECT_EQ(s.d.feed("250 ok\r\n450 4.2.1 later\r\n550 5.1.1 no\r\n554 5.5.1 no valid rcpt\r\n"),
            "");
  EXPECT_TRUE(s.d.saw(K::transaction_done));
  EXPECT_EQ(s.d.status(0), S::temporary);
  EXPECT_EQ(s.d.status(1), S::permanent);
  // The server still holds the MAIL: RSET comes first next time.
  EXPECT_EQ(
      s.start(transaction({"c@remote.test"})),
      "RSET\r\nMAIL FROM:<alice@herald.test> SIZE=100\r\nRCPT TO:<c@remote.test>\r\nDATA\r\n");
}

TEST(ClientTransaction, PipelinedDataAcceptedWithNobody) {
  Session s(kEhloPipelining);
  s.start(transaction({"a@remote.test"}));
  EXPECT_EQ(s.d.feed("250 ok\r\n550 5.1.1 no\r\n354 go\r\n"), ".\r\n");
  EXPECT_EQ(s.d.last.kind, K::need_input);
  s.d.feed("250 empty message accepted\r\n");
  EXPECT_TRUE(s.d.saw(K::transaction_done));
  EXPECT_EQ(s.d.status(0), S::permanent);
  EXPECT_EQ(s.d.outcome(0).stage, Stage::rcpt);
}

TEST(ClientTransaction, PipelinedMailRejected) {
  Session s(kEhloPipelining);
  s.start(transaction({"a@remote.test", "b@remote.test"}));
  s.d.feed("553 5.7.1 sender refused\r\n503 5.5.1 no MAIL\r\n");
  EXPECT_FALSE(s.d.saw(K::transaction_done));  // the DATA reply is still due
  s.d.feed("503 5.5.1 no MAIL\r\n503 5.5.1 no\r\n");
  EXPECT_TRUE(s.d.saw(K::transaction_done));
  for (std::size_t i = 0; i < 2; ++i) {
    EXPECT_EQ(s.d.status(i), S::permanent);
    EXPECT_EQ(s.d.outcome(i).reply.text, "sender refused");
    EXPECT_EQ(s.d.outcome(i).stage, Stage::mail);
  }
  // MAIL never succeeded: no RSET needed.
  EXPECT_EQ(s.start(transaction({"c@remote.test"})).substr(0, 4), "MAIL");
}

TEST(ClientTransaction, MailTemporaryAndPermanent) {
  for (const auto& [reply, status] :
       {std::pair{"451 4.3.0 try later\r\n", S::temporary}, {"550 5.7.1 no\r\n", S::permanent}}) {
    Session s(kEhloPlain);
    s.start(transaction({"a@remote.test", "b@remote.test"}));
    EXPECT_EQ(s.d.feed(reply), "");
    EXPECT_TRUE(s.d.saw(K::transaction_done));
    EXPECT_EQ(s.d.last.kind, K::idle);
    EXPECT_EQ(s.d.status(0), status);
    EXPECT_EQ(s.d.status(1), status);
    EXPECT_EQ(s.d.wire.find("RCPT"), std::string::npos);
  }
}

TEST(ClientTransaction, MixedRecipientsOneAtATime) {
  Session s(kEhloPlain);
  s.start(transaction({"a@remote.test", "b@remote.test", "c@remote.test"}));
  EXPECT_EQ(s.d.feed("250 ok\r\n"), "RCPT TO:<a@remote.test>\r\n");
  EXPECT_EQ(s.d.feed("250 ok\r\n"), "RCPT TO:<b@remote.test>\r\n");
  EXPECT_EQ(s.d.feed("452 4.5.3 too many\r\n"), "RCPT TO:<c@remote.test>\r\n");
  EXPECT_EQ(s.d.feed("550 5.1.1 unknown\r\n"), "DATA\r\n");
  s.d.feed("354 go\r\n");
  s.d.send_body("x");
  s.d.feed("250 ok\r\n");
  EXPECT_EQ(s.d.status(0), S::delivered);
  EXPECT_EQ(s.d.status(1), S::temporary);
  EXPECT_EQ(s.d.status(2), S::permanent);
}

TEST(ClientTransaction, AllRecipientsRejectedSendsNoData) {
  Session s(kEhloPlain);
  s.start(transaction({"a@remote.test", "b@remote.test"}));
  s.d.feed("250 ok\r\n");
  s.d.feed("550 no\r\n");
  EXPECT_EQ(s.d.feed("450 no\r\n"), "");
  EXPECT_TRUE(s.d.saw(K::transaction_done));
  EXPECT_EQ(s.d.wire.find("DATA"), std::string::npos);
  s.d.p.quit();
  EXPECT_EQ(s.d.run(), "QUIT\r\n");
}

TEST(ClientTransaction, DataRefused) {
  for (const auto& [reply, status] :
       {std::pair{"451 4.3.0 later\r\n", S::temporary}, {"554 5.5.1 no\r\n", S::permanent}}) {
    Session s(kEhloPlain);
    s.start(transaction({"a@remote.test", "b@remote.test"}));
    s.d.feed("250 ok\r\n");
    s.d.feed("250 ok\r\n");
    s.d.feed("550 5.1.1 no\r\n");
    EXPECT_EQ(s.d.feed(reply), "");
    EXPECT_TRUE(s.d.saw(K::transaction_done));
    EXPECT_EQ(s.d.status(0), status);
    EXPECT_EQ(s.d.outcome(0).stage, Stage::data);
    EXPECT_EQ(s.d.status(1), S::permanent);
    EXPECT_EQ(s.d.outcome(1).stage, Stage::rcpt);
  }
}

TEST(ClientTransaction, FinalReplyFailures) {
  for (const auto& [reply, status] :
       {std::pair{"452 4.3.1 disk full\r\n", S::temporary}, {"554 5.7.1 spam\r\n", S::permanent}}) {
    Session s(kEhloPipelining);
    s.start(transaction({"a@remote.test"}));
    s.d.feed("250 ok\r\n250 ok\r\n354 go\r\n");
    s.d.send_body("x\r\n");
    s.d.feed(reply);
    EXPECT_EQ(s.d.status(0), status);
    EXPECT_EQ(s.d.outcome(0).stage, Stage::message);
    // The transaction is over either way: no RSET before the next one.
    EXPECT_EQ(s.start(transaction({"b@remote.test"})).substr(0, 4), "MAIL");
  }
}

TEST(ClientTransaction, SizeTooBigForRemote) {
  Session s("250-mx\r\n250 SIZE 1000\r\n");
  auto tx = transaction({"a@remote.test"});
  tx.size = 1001;
  EXPECT_EQ(s.start(tx), "");
  EXPECT_TRUE(s.d.saw(K::transaction_done));
  EXPECT_EQ(s.d.last.kind, K::idle);  // the connection stays usable
  EXPECT_EQ(s.d.status(0), S::permanent);
  EXPECT_EQ(s.d.outcome(0).reply.enhanced, "5.3.4");
  EXPECT_EQ(s.d.outcome(0).reply.text,
            "message too big for remote server (1001 octets, limit 1000)");
  EXPECT_FALSE(s.d.outcome(0).remote);
  tx.size = 1000;
  EXPECT_EQ(s.start(tx), "MAIL FROM:<alice@herald.test> SIZE=1000\r\n");
}

TEST(ClientTransaction, Smtputf8NeededButAbsent) {
  Session s(kEhloPipelining);
  auto tx = transaction({"j\xc3\xb6rg@remote.test"});
  tx.smtputf8 = true;
  EXPECT_EQ(s.start(tx), "");
  EXPECT_EQ(s.d.status(0), S::permanent);
  EXPECT_EQ(s.d.outcome(0).reply.enhanced, "5.6.7");
  EXPECT_EQ(s.d.wire.find("MAIL"), std::string::npos);
}

TEST(ClientTransaction, Smtputf8AndDsnParameters) {
  Session s("250-mx\r\n250-SMTPUTF8\r\n250-DSN\r\n250-8BITMIME\r\n250 SIZE\r\n");
  auto tx = transaction({"j\xc3\xb6rg@remote.test"}, "");
  tx.smtputf8 = true;
  tx.eight_bit = true;
  tx.ret = "hdrs";
  tx.envid = "Q123+2B";
  tx.recipients[0].notify = "failure,delay";
  tx.recipients[0].orcpt = "rfc822;j+C3+B6rg@remote.test";
  EXPECT_EQ(s.start(tx), "MAIL FROM:<> SIZE=100 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=Q123+2B\r\n");
  EXPECT_EQ(s.d.feed("250 ok\r\n"),
            "RCPT TO:<j\xc3\xb6rg@remote.test> NOTIFY=FAILURE,DELAY "
            "ORCPT=rfc822;j+C3+B6rg@remote.test\r\n");
}

TEST(ClientTransaction, DsnParametersOnlyWhenOffered) {
  Session s(kEhloPlain);
  auto tx = transaction({"a@remote.test"});
  tx.ret = "FULL";
  tx.envid = "E1";
  tx.recipients[0].notify = "NEVER";
  tx.recipients[0].orcpt = "rfc822;a@remote.test";
  EXPECT_EQ(s.start(tx), "MAIL FROM:<alice@herald.test> SIZE=100\r\n");
  EXPECT_EQ(s.d.feed("250 ok\r\n"), "RCPT TO:<a@remote.test>\r\n");
}

TEST(ClientTransaction, EightBitWithout8bitmimeIsSentAsIs) {
  Session s("250-mx\r\n250 PIPELINING\r\n");
  auto tx = transaction({"a@remote.test"});
  tx.eight_bit = true;
  EXPECT_EQ(s.start(tx), "MAIL FROM:<alice@herald.test>\r\nRCPT TO:<a@remote.test>\r\nDATA\r\n");
}

TEST(ClientTransaction, MalformedInputsNeverReachTheWire) {
  Session s(kEhloPipelining);
  EXPECT_FALSE(s.d.p.start_transaction(transaction({"a@remote.test"}, "x@y>\r\nRSET")).ok());
  EXPECT_FALSE(s.d.p.start_transaction(transaction({})).ok());
  auto bad_ret = transaction({"a@remote.test"});
  bad_ret.ret = "FULL\r\nRSET";
  EXPECT_FALSE(s.d.p.start_transaction(bad_ret).ok());
  auto bad_envid = transaction({"a@remote.test"});
  bad_envid.envid = "a b";
  EXPECT_FALSE(s.d.p.start_transaction(bad_envid).ok());
  auto utf8_sender = transaction({"a@remote.test"}, "j\xc3\xb6rg@herald.test");
  EXPECT_FALSE(s.d.p.start_transaction(utf8_sender).ok());  // needs tx.smtputf8

  auto tx = transaction({"evil@remote.test>\r\nDATA", "ok@remote.test", "bad-notify@remote.test",
                         "bad-orcpt@remote.test"});
  tx.recipients[2].notify = "NEVER,SUCCESS\r\n";
  tx.recipients[3].orcpt = "rfc822;a=b";
  EXPECT_EQ(s.start(tx),
            "MAIL FROM:<alice@herald.test> SIZE=100\r\nRCPT TO:<ok@remote.test>\r\nDATA\r\n");
  EXPECT_EQ(s.d.status(0), S::permanent);
  EXPECT_EQ(s.d.outcome(0).reply.enhanced, "5.1.3");
  EXPECT_EQ(s.d.outcome(0).stage, Stage::local);
  EXPECT_EQ(s.d.status(1), S::pending);
  EXPECT_EQ(s.d.status(2), S::permanent);
  EXPECT_EQ(s.d.status(3), S::permanent);
}

TEST(ClientTransaction, NoValidRecipientSendsNothing) {
  Session s(kEhloPipelining);
  EXPECT_EQ(s.start(transaction({"not an address"})), "");
  EXPECT_TRUE(s.d.saw(K::transaction_done));
  EXPECT_EQ(s.d.status(0), S::permanent);
}

TEST(ClientTransaction, ConnectionLostMidData) {
  Session s(kEhloPipelining);
  s.start(transaction({"a@remote.test", "b@remote.test"}));
  s.d.feed("250 ok\r\n250 ok\r\n550 no\r\n354 go\r\n");
  ASSERT_EQ(s.d.last.kind, K::send_body);
  s.d.p.connection_lost("connection reset by peer\r\n");
  EXPECT_EQ(s.d.run(), "");
  EXPECT_TRUE(s.d.saw(K::transaction_done));
  EXPECT_EQ(s.d.last.kind, K::failed);
  EXPECT_EQ(s.d.status(0), S::temporary);
  EXPECT_EQ(s.d.outcome(0).reply.code, 421);
  EXPECT_EQ(s.d.outcome(0).reply.enhanced, "4.4.2");
  EXPECT_EQ(s.d.outcome(0).reply.text, "connection lost: connection reset by peer??");
  EXPECT_EQ(s.d.outcome(0).stage, Stage::message);
  EXPECT_EQ(s.d.status(1), S::permanent);  // decided before: unchanged
}

TEST(ClientTransaction, ConnectionLostAwaitingFinalReply) {
  Session s(kEhloPlain);
  s.start(transaction({"a@remote.test"}));
  s.d.feed("250 ok\r\n");
  s.d.feed("250 ok\r\n");
  s.d.feed("354 go\r\n");
  s.d.send_body("x");
  s.d.p.connection_lost("timeout");
  s.d.run();
  EXPECT_EQ(s.d.status(0), S::temporary);
  EXPECT_EQ(s.d.outcome(0).stage, Stage::message);
}

TEST(ClientTransaction, Reply421MidTransaction) {
  Session s(kEhloPipelining);
  s.start(transaction({"a@remote.test", "b@remote.test"}));
  EXPECT_EQ(s.d.feed("250 ok\r\n250 ok\r\n421 4.3.2 shutting down\r\n"), "");
  EXPECT_EQ(s.d.last.kind, K::failed);
  EXPECT_EQ(s.d.status(0), S::temporary);  // accepted, but never delivered
  EXPECT_EQ(s.d.status(1), S::temporary);
  EXPECT_EQ(s.d.outcome(1).stage, Stage::rcpt);
}

TEST(ClientTransaction, ReuseForSecondTransaction) {
  Session s(kEhloPlain);
  s.start(transaction({"a@remote.test"}));
  s.d.feed("250 ok\r\n");
  s.d.feed("250 ok\r\n");
  s.d.feed("354 go\r\n");
  s.d.send_body("one");
  s.d.feed("250 ok\r\n");
  EXPECT_EQ(s.d.status(0), S::delivered);
  EXPECT_EQ(s.start(transaction({"x@remote.test"}, "bob@herald.test")),
            "MAIL FROM:<bob@herald.test> SIZE=100\r\n");
  EXPECT_EQ(s.d.status(0), S::pending);  // results are the new transaction's
  s.d.feed("250 ok\r\n");
  s.d.feed("250 ok\r\n");
  s.d.feed("354 go\r\n");
  s.d.send_body("two");
  s.d.feed("250 ok\r\n");
  EXPECT_EQ(s.d.status(0), S::delivered);
  EXPECT_EQ(s.d.wire.find("RSET"), std::string::npos);
}

TEST(ClientTransaction, RsetRefusedEndsSession) {
  Session s(kEhloPlain);
  s.start(transaction({"a@remote.test"}));
  s.d.feed("250 ok\r\n");
  s.d.feed("550 no\r\n");  // nobody accepted: the MAIL stays open
  EXPECT_EQ(s.start(transaction({"b@remote.test"})), "RSET\r\n");
  EXPECT_EQ(s.d.feed("500 what\r\n"), "QUIT\r\n");
  EXPECT_TRUE(s.d.saw(K::transaction_done));
  EXPECT_EQ(s.d.last.kind, K::failed);
  EXPECT_EQ(s.d.status(0), S::temporary);
  EXPECT_EQ(s.d.outcome(0).stage, Stage::rset);
  EXPECT_EQ(s.d.p.current_timeout(), std::chrono::seconds(0));
}

TEST(ClientTransaction, OnlyOneTransactionAtATime) {
  Session s(kEhloPlain);
  s.start(transaction({"a@remote.test"}));
  EXPECT_FALSE(s.d.p.start_transaction(transaction({"b@remote.test"})).ok());
}

TEST(ClientTransaction, TransactionQueuedBeforeBanner) {
  Driver d(config(TlsPolicy::none));
  ASSERT_TRUE(d.p.start_transaction(transaction({"a@remote.test"})).ok());
  d.p.quit();  // after the transaction
  d.feed(kBanner);
  d.feed(kEhloPlain);
  d.feed("250 ok\r\n");
  EXPECT_EQ(d.feed("550 no\r\n"), "QUIT\r\n");
  EXPECT_TRUE(d.saw(K::transaction_done));
  d.feed("221 bye\r\n");
  EXPECT_EQ(d.last.kind, K::closed);
}

}  // namespace
}  // namespace herald::smtp
