// Tests for PLAIN decoding and the PLAIN state machine, and the mechanism
// factory.

#include "herald/auth/sasl_plain.hpp"

#include <gtest/gtest.h>

#include "herald/auth/sasl_test_util.hpp"

namespace herald::auth {
namespace {

using test::b64;
using namespace std::string_literals;

TEST(SaslPlainDecode, Valid) {
  auto c = decode_sasl_plain(b64("\0alice@example.com\0s3cret"s));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->authzid, "");
  EXPECT_EQ(c->username, "alice@example.com");
  EXPECT_EQ(c->password.view(), "s3cret");

  auto same = decode_sasl_plain(b64("alice@example.com\0alice@example.com\0pw"s));
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->authzid, "alice@example.com");
}

TEST(SaslPlainDecode, AuthzidMismatchIsProxyAuth) {
  auto c = decode_sasl_plain(b64("bob@example.com\0alice@example.com\0pw"s));
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.error().message.find("proxy authorization"), std::string::npos);
}

TEST(SaslPlainDecode, Rejects) {
  EXPECT_FALSE(decode_sasl_plain(b64("alice\0pw"s)).ok());  // one NUL
  EXPECT_FALSE(decode_sasl_plain(b64("alicepw"s)).ok());    // none
  EXPECT_FALSE(decode_sasl_plain(b64("\0alice\0"s)).ok());  // empty password
  EXPECT_FALSE(decode_sasl_plain(b64("\0\0pw"s)).ok());     // empty username
  EXPECT_FALSE(decode_sasl_plain(b64("\0a\0p\0q"s)).ok());  // third NUL
  EXPECT_TRUE(decode_sasl_plain("AGFsaWNlAHB3").ok());      // sanity: "\0alice\0pw"
  EXPECT_FALSE(decode_sasl_plain("AGFsaWNlAHB3!").ok());    // bad base64
  EXPECT_FALSE(decode_sasl_plain("AGFsaWNlAHB").ok());      // bad length
  EXPECT_FALSE(decode_sasl_plain("=").ok());
  const std::string u255(255, 'u'), u256(256, 'u'), p255(255, 'p'), p256(256, 'p');
  EXPECT_FALSE(decode_sasl_plain(b64("\0"s + u256 + "\0pw"s)).ok());
  EXPECT_FALSE(decode_sasl_plain(b64("\0u\0"s + p256)).ok());
  EXPECT_FALSE(decode_sasl_plain(b64(u256 + "\0"s + u256 + "\0pw"s)).ok());
  EXPECT_TRUE(decode_sasl_plain(b64(u255 + "\0"s + u255 + "\0"s + p255)).ok());
}

TEST(SaslPlainServer, InitialResponse) {
  SaslPlain m;
  auto step = m.start(b64("\0alice\0pw"s));
  auto* creds = std::get_if<SaslCredentials>(&step);
  ASSERT_NE(creds, nullptr);
  EXPECT_EQ(creds->username, "alice");
  EXPECT_EQ(creds->password.view(), "pw");
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(m.respond("x")));  // finished
}

TEST(SaslPlainServer, EmptyChallengeThenResponse) {
  SaslPlain m;
  auto step = m.start(std::nullopt);
  auto* ch = std::get_if<SaslChallenge>(&step);
  ASSERT_NE(ch, nullptr);
  EXPECT_EQ(ch->b64, "");
  step = m.respond(b64("\0alice\0pw"s));
  ASSERT_TRUE(std::holds_alternative<SaslCredentials>(step));
}

TEST(SaslPlainServer, CancelAndGarbage) {
  SaslPlain m;
  (void)m.start(std::nullopt);
  auto step = m.respond("*");
  auto* f = std::get_if<SaslFailure>(&step);
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->cancelled);

  SaslPlain g;
  step = g.start("%%%");
  f = std::get_if<SaslFailure>(&step);
  ASSERT_NE(f, nullptr);
  EXPECT_FALSE(f->cancelled);
  EXPECT_EQ(f->reason.find("%"), std::string::npos);  // never echoes client bytes

  SaslPlain e;
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(e.start("=")));
  SaslPlain twice;
  (void)twice.start(std::nullopt);
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(twice.start(std::nullopt)));
}

TEST(SaslFactory, KnowsPlainAndLogin) {
  auto p = make_sasl_server("plain");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->name(), "PLAIN");
  auto l = make_sasl_server("LOGIN");
  ASSERT_NE(l, nullptr);
  EXPECT_EQ(l->name(), "LOGIN");
  EXPECT_EQ(make_sasl_server("CRAM-MD5"), nullptr);
  EXPECT_EQ(make_sasl_server(""), nullptr);
  EXPECT_EQ(make_sasl_server("PLAINX"), nullptr);
  ASSERT_EQ(sasl_mechanisms().size(), 2u);
  EXPECT_EQ(sasl_mechanisms()[0], "PLAIN");
  for (auto name : sasl_mechanisms()) EXPECT_NE(make_sasl_server(name), nullptr);
}

}  // namespace
}  // namespace herald::auth
