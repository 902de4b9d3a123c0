// Tests for the CRAM-MD5 state machine and digest check, with the RFC 2195
// example exchange.

#include "herald/auth/cram_md5.hpp"

#include <gtest/gtest.h>

#include "herald/auth/sasl_test_util.hpp"
#include "herald/base/base64.hpp"

namespace herald::auth {
namespace {

using test::b64;

constexpr std::string_view kRfcChallenge = "<1896.697170952@postoffice.reston.mci.net>";
constexpr std::string_view kRfcDigest = "b913a602c7eda7a495b4e6e7334d3890";

CramMd5Options rfc_options() {
  CramMd5Options o;
  o.hostname = "postoffice.reston.mci.net";
  o.random = 1896;
  o.timestamp = 697170952;
  return o;
}

TEST(CramMd5, Rfc2195Example) {
  SaslCramMd5 m(rfc_options());
  EXPECT_EQ(m.name(), "CRAM-MD5");
  auto step = m.start(std::nullopt);
  auto* ch = std::get_if<SaslChallenge>(&step);
  ASSERT_NE(ch, nullptr);
  EXPECT_EQ(ch->b64, "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+");
  EXPECT_EQ(m.challenge(), kRfcChallenge);
  step = m.respond("dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw");
  auto* r = std::get_if<CramMd5Response>(&step);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->username, "tim");
  EXPECT_EQ(r->digest_hex, kRfcDigest);
  EXPECT_EQ(r->challenge, kRfcChallenge);
  EXPECT_TRUE(verify_cram_md5("tanstaaftanstaaf", r->challenge, r->digest_hex));
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(m.respond("x")));  // finished
}

TEST(CramMd5, Verify) {
  EXPECT_EQ(cram_md5_digest("tanstaaftanstaaf", kRfcChallenge), kRfcDigest);
  EXPECT_TRUE(verify_cram_md5("tanstaaftanstaaf", kRfcChallenge,
                              "B913A602C7EDA7A495B4E6E7334D3890"));  // either case
  EXPECT_FALSE(verify_cram_md5("tanstaaftanstaafX", kRfcChallenge, kRfcDigest));
  EXPECT_FALSE(verify_cram_md5("tanstaaftanstaaf", "<1@other>", kRfcDigest));
  EXPECT_FALSE(verify_cram_md5("tanstaaftanstaaf", kRfcChallenge, "b913a602"));
  EXPECT_FALSE(
      verify_cram_md5("tanstaaftanstaaf", kRfcChallenge, "g913a602c7eda7a495b4e6e7334d3890"));
}

TEST(CramMd5, RandomChallengesDiffer) {
  SaslCramMd5 a(CramMd5Options{"mx.example.com"}), b(CramMd5Options{"mx.example.com"});
  ASSERT_TRUE(std::holds_alternative<SaslChallenge>(a.start(std::nullopt)));
  ASSERT_TRUE(std::holds_alternative<SaslChallenge>(b.start(std::nullopt)));
  EXPECT_NE(a.challenge(), b.challenge());
  EXPECT_TRUE(a.challenge().starts_with("<"));
  EXPECT_TRUE(a.challenge().ends_with("@mx.example.com>"));
}

TEST(CramMd5, UnsafeHostnameIsReplaced) {
  CramMd5Options o = rfc_options();
  o.hostname = "evil>\r\nhost";
  SaslCramMd5 m(o);
  (void)m.start(std::nullopt);
  EXPECT_EQ(m.challenge(), "<1896.697170952@localhost>");
}

TEST(CramMd5, UsernameWithSpaceAndUppercaseDigest) {
  SaslCramMd5 m(rfc_options());
  (void)m.start(std::nullopt);
  auto step = m.respond(b64("tim smith B913A602C7EDA7A495B4E6E7334D3890"));
  auto* r = std::get_if<CramMd5Response>(&step);
  ASSERT_NE(r, nullptr);
  EXPECT_EQ(r->username, "tim smith");
  EXPECT_EQ(r->digest_hex, kRfcDigest);
}

TEST(CramMd5, Rejects) {
  for (std::string_view msg :
       {"tim", "tim b913", " b913a602c7eda7a495b4e6e7334d3890",
        "tim b913a602c7eda7a495b4e6e7334d389z", "t\x01m b913a602c7eda7a495b4e6e7334d3890"}) {
    SaslCramMd5 m(rfc_options());
    (void)m.start(std::nullopt);
    EXPECT_TRUE(std::holds_alternative<SaslFailure>(m.respond(b64(msg)))) << msg;
  }
  SaslCramMd5 ir(rfc_options());
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(ir.start("dGlt")));  // no initial response
  SaslCramMd5 early(rfc_options());
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(early.respond("dGlt")));
  SaslCramMd5 cancel(rfc_options());
  (void)cancel.start(std::nullopt);
  auto step = cancel.respond("*");
  auto* f = std::get_if<SaslFailure>(&step);
  ASSERT_NE(f, nullptr);
  EXPECT_TRUE(f->cancelled);
  SaslCramMd5 bad(rfc_options());
  (void)bad.start(std::nullopt);
  EXPECT_TRUE(std::holds_alternative<SaslFailure>(bad.respond("!!")));
}

}  // namespace
}  // namespace herald::auth
