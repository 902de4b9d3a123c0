// Tests for the XOAUTH2 and OAUTHBEARER message parsers and the OauthServer
// state machine, including the error-challenge round trip.

#include "herald/auth/sasl_oauth.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "herald/auth/sasl_test_util.hpp"
#include "herald/base/base64.hpp"

namespace herald::auth {
namespace {

using test::b64;
using namespace std::string_literals;

constexpr std::string_view kToken = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ4In0.c2ln-_";

TEST(Xoauth2, Parses) {
  auto t = parse_xoauth2(
      "user=app@acme.example\x01"
      "auth=Bearer "s +
      std::string(kToken) + "\x01\x01");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->authzid, "app@acme.example");
  EXPECT_EQ(t->token.view(), kToken);
  // Scheme is case-insensitive.
  EXPECT_TRUE(parse_xoauth2("user=a@b\x01"
                            "auth=bearer abc\x01\x01")
                  .ok());
}

TEST(Xoauth2, Refuses) {
  const std::vector<std::string> bad = {
      "",
      "user=a@b\x01"
      "auth=Bearer abc\x01",  // one ^A at the end
      "user=a@b\x01"
      "auth=Bearer abc",          // none
      "auth=Bearer abc\x01\x01",  // no user
      "user=a@b\x01\x01",         // no auth
      "user=a@b\x01"
      "auth=Basic abc\x01\x01",  // not Bearer
      "user=a@b\x01"
      "auth=Bearer\x01\x01",  // no token
      "user=a@b\x01"
      "auth=Bearer a b\x01\x01",  // space in token
      "user=a@b\x01"
      "auth=Bearer a=b\x01\x01",  // '=' inside
      "user=a@b\x01"
      "auth=Bearer x\x01"
      "auth=Bearer y\x01\x01",
      "user=\x01"
      "auth=Bearer x\x01\x01",  // empty user
      "user=a\tb\x01"
      "auth=Bearer x\x01\x01",  // control char
      "user=a@b\x01"
      "auth=Bearer x\x01"
      "x=y\x01\x01",
  };
  for (const auto& m : bad) EXPECT_FALSE(parse_xoauth2(m).ok()) << m;
}

TEST(OauthBearer, Parses) {
  auto t = parse_oauthbearer(
      "n,a=app@acme.example,\x01"
      "host=mx.example\x01"
      "port=587\x01"
      "auth=Bearer "s +
      std::string(kToken) + "\x01\x01");
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->authzid, "app@acme.example");
  EXPECT_EQ(t->token.view(), kToken);
  auto anon = parse_oauthbearer(
      "n,,\x01"
      "auth=Bearer abc==\x01\x01");
  ASSERT_TRUE(anon.ok());
  EXPECT_EQ(anon->authzid, "");
  auto escaped = parse_oauthbearer(
      "y,a=a=2Cb=3Dc,\x01"
      "auth=Bearer abc\x01\x01");
  ASSERT_TRUE(escaped.ok());
  EXPECT_EQ(escaped->authzid, "a,b=c");
}

TEST(OauthBearer, Refuses) {
  const std::vector<std::string> bad = {
      "",
      "n,,",
      "n,,\x01\x01",  // no auth
      "p=tls-unique,,\x01"
      "auth=Bearer a\x01\x01",  // channel binding
      "n,b=x,\x01"
      "auth=Bearer a\x01\x01",
      "n,a=x=41,\x01"
      "auth=Bearer a\x01\x01",     // bad escape
      "n,,auth=Bearer a\x01\x01",  // ^A missing after header
      "n,,\x01"
      "auth=Bearer a\x01",  // not terminated
      "n,,\x01"
      "auth=Bearer a\x01"
      "auth=Bearer b\x01\x01",
      "n,,\x01"
      "=x\x01"
      "auth=Bearer a\x01\x01",  // empty key
      "n,,\x01"
      "k1=x\x01"
      "auth=Bearer a\x01\x01",  // key not ALPHA
      "n,,\x01"
      "host=\x7f\x01"
      "auth=Bearer a\x01\x01",
  };
  for (const auto& m : bad) EXPECT_FALSE(parse_oauthbearer(m).ok()) << m;
}

nlohmann::json challenge_json(const SaslChallenge& c) {
  auto decoded = base::base64_decode(c.b64);
  EXPECT_TRUE(decoded.ok());
  return nlohmann::json::parse(*decoded);
}

TEST(OauthServer, Xoauth2SuccessAndErrorRoundTrip) {
  const std::string msg =
      b64("user=a@b\x01"
          "auth=Bearer abc\x01\x01"s);
  OauthServer ok(OauthMechanism::xoauth2);
  auto step = ok.start(msg);
  ASSERT_TRUE(std::holds_alternative<BearerToken>(step));
  ok.accept();
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(ok.respond("")));

  OauthServer m(OauthMechanism::xoauth2);
  ASSERT_TRUE(std::holds_alternative<BearerToken>(m.start(msg)));
  auto challenge = m.reject("mail.send");
  ASSERT_TRUE(std::holds_alternative<SaslChallenge>(challenge));
  auto j = challenge_json(std::get<SaslChallenge>(challenge));
  EXPECT_EQ(j["status"], "401");
  EXPECT_EQ(j["schemes"], "bearer");
  EXPECT_EQ(j["scope"], "mail.send");
  EXPECT_TRUE(std::holds_alternative<OauthRejected>(m.respond("")));
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(m.respond("")));
}

TEST(OauthServer, OauthBearerWithoutInitialResponse) {
  OauthServer m(OauthMechanism::oauthbearer);
  auto first = m.start(std::nullopt);
  ASSERT_TRUE(std::holds_alternative<SaslChallenge>(first));
  EXPECT_EQ(std::get<SaslChallenge>(first).b64, "");
  auto token =
      m.respond(b64("n,,\x01"
                    "auth=Bearer abc\x01\x01"s));
  ASSERT_TRUE(std::holds_alternative<BearerToken>(token));
  auto challenge = m.reject("");
  auto j = challenge_json(std::get<SaslChallenge>(challenge));
  EXPECT_EQ(j["status"], "invalid_token");
  EXPECT_FALSE(j.contains("scope"));
  EXPECT_TRUE(std::holds_alternative<OauthRejected>(m.respond("AQ==")));  // "\x01"
}

TEST(OauthServer, MalformedAndCancelled) {
  OauthServer bad(OauthMechanism::oauthbearer);
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(bad.start("not base64!")));
  OauthServer empty(OauthMechanism::xoauth2);
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(empty.start("=")));
  OauthServer cancel(OauthMechanism::xoauth2);
  cancel.start(std::nullopt);
  auto step = cancel.respond("*");
  ASSERT_TRUE(std::holds_alternative<SaslFailure>(step));
  EXPECT_TRUE(std::get<SaslFailure>(step).cancelled);
  OauthServer early(OauthMechanism::xoauth2);
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(early.reject("x")));
  OauthServer huge(OauthMechanism::xoauth2);
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(huge.start(std::string(12292, 'A'))));
}

TEST(OauthServer, AcceptsLargeTokens) {
  // Real access tokens are often 1-2 KiB, more than PLAIN's 1024-char limit.
  const std::string token(6000, 'a');
  OauthServer m(OauthMechanism::xoauth2);
  auto step =
      m.start(b64("user=a@b\x01"
                  "auth=Bearer " +
                  token + "\x01\x01"));
  ASSERT_TRUE(std::holds_alternative<BearerToken>(step));
  EXPECT_EQ(std::get<BearerToken>(step).token.view(), token);
}

}  // namespace
}  // namespace herald::auth
