// Tests for spool::Envelope JSON: round trip, required keys, bad input.

#include "herald/spool/envelope.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace herald::spool {
namespace {

Envelope sample() {
  Envelope e;
  e.id = "0123456789abcdef";
  e.mail_from = "alice@example.org";
  e.recipients = {{"bob@example.com", "queued"}, {"jörg@exämple.de", "queued"}};
  e.recipients[1].state = "deferred";
  e.recipients[1].attempts = 2;
  e.recipients[1].next_attempt = 1700000600;
  e.recipients[1].last_reply = "451 4.7.1 greylisted";
  e.recipients[1].reply_from_remote = true;
  e.recipients[1].remote = "mx.exämple.de";
  e.recipients[1].notify = "FAILURE,DELAY";
  e.recipients[1].orcpt = "rfc822;j+C3+B6rg@ex+C3+A4mple.de";
  e.dsn_ret = "HDRS";
  e.dsn_envid = "abc123";
  e.received_at = 1700000000;
  e.size = 4242;
  e.client_ip = "192.0.2.7";
  e.helo = "laptop.example.org";
  e.auth_identity = "alice";
  e.account = "acme";
  e.body_type = "8BITMIME";
  e.smtputf8 = true;
  e.requiretls = true;
  e.tls = {true, "TLSv1.3", "TLS_AES_256_GCM_SHA384"};
  e.prepend_headers = "DKIM-Signature: v=1; a=ed25519-sha256;\r\n\tb=abc\r\n";
  e.dkim_domain = "example.org";
  return e;
}

TEST(Envelope, RoundTrip) {
  Envelope e = sample();
  std::string json = envelope_to_json(e);
  EXPECT_NE(json.find("\"received_at_rfc3339\": \"2023-11-14T22:13:20Z\""), std::string::npos)
      << json;
  EXPECT_NE(json.find("\"state\": \"queued\""), std::string::npos);
  auto back = envelope_from_json(json);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(*back, e);
}

TEST(Envelope, NullSenderAndUnknownKeys) {
  auto r = envelope_from_json(
      R"({"id":"0123456789abcdef","mail_from":"","recipients":[{"address":"x@y.z"}],
          "received_at":5,"size":0,"future_field":{"a":1}})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->mail_from, "");
  EXPECT_EQ(r->recipients.at(0).state, "queued");
  EXPECT_EQ(r->body_type, "7BIT");
}

TEST(Envelope, RejectsBadInput) {
  EXPECT_FALSE(envelope_from_json("not json").ok());
  EXPECT_FALSE(envelope_from_json("[]").ok());
  auto missing = envelope_from_json(R"({"id":"0123456789abcdef"})");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("malformed"), std::string::npos);
  auto bad_id = envelope_from_json(
      R"({"id":"../x","mail_from":"","recipients":[],"received_at":5,"size":0})");
  ASSERT_FALSE(bad_id.ok());
  EXPECT_NE(bad_id.error().message.find("not a valid queue ID"), std::string::npos);
  EXPECT_FALSE(
      envelope_from_json(
          R"({"id":"0123456789abcdef","mail_from":1,"recipients":[],"received_at":5,"size":0})")
          .ok());
}

TEST(Envelope, InvalidUtf8DoesNotThrow) {
  Envelope e = sample();
  e.mail_from = "bad\xff\xfe@example.org";
  std::string json;
  EXPECT_NO_THROW(json = envelope_to_json(e));
  EXPECT_TRUE(envelope_from_json(json).ok());
}

TEST(Envelope, SameTextAsAJsonLibraryWouldWrite) {
  // The hand-written serializer must print what nlohmann's pretty dump of
  // the same document prints, escapes and all, so ID.json stays the format
  // operators know.
  std::vector<Envelope> cases{sample(), Envelope{}};
  Envelope odd = sample();
  odd.mail_from = "quote\" back\\slash \x01\x1f\t\n\r\b\f del\x7f";
  odd.recipients.clear();
  odd.prepend_headers = "A: b\r\n\tc\r\n";
  odd.recipients.push_back({"x@y.z", "delivered"});
  odd.recipients[0].reported = true;
  odd.recipients[0].next_attempt = -5;
  cases.push_back(odd);
  for (const auto& e : cases) {
    const std::string mine = envelope_to_json(e);
    auto parsed = nlohmann::ordered_json::parse(mine);
    EXPECT_EQ(mine, parsed.dump(2) + "\n");
  }
}

TEST(Envelope, EveryInvalidUtf8ByteBecomesAReplacementCharacter) {
  Envelope e = sample();
  // A stray continuation byte, a truncated sequence, an overlong form, a
  // surrogate, and then valid text again.
  e.helo =
      "a\x80"
      "b\xe2\x82"
      "c\xc0\xaf"
      "d\xed\xa0\x80"
      "e\xe2\x82\xac"
      "f";
  auto back = envelope_from_json(envelope_to_json(e));
  ASSERT_TRUE(back.ok()) << back.error().message;
  const std::string r = "\xEF\xBF\xBD";
  EXPECT_EQ(back->helo,
            "a" + r + "b" + r + r + "c" + r + r + "d" + r + r + r + "e\xe2\x82\xac" + "f");
}

}  // namespace
}  // namespace herald::spool
