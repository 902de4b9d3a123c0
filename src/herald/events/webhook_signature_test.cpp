// Tests for the webhook signature: RFC 4231 known answers for the HMAC, the
// "<t>.<body>" message layout, and the receiver's verification rules.
#include "herald/events/webhook_signature.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "herald/base/hex.hpp"

namespace herald::events {
namespace {

constexpr std::string_view kSecret = "whsec_test";
constexpr std::string_view kBody = R"({"event":"delivered","id":"m1"})";
constexpr std::int64_t kTime = 1700000000;

TEST(HmacSha256, Rfc4231TestCase1) {
  const std::string key(20, '\x0b');
  EXPECT_EQ(base::hex_encode(hmac_sha256(key, "Hi There")),
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
}

TEST(HmacSha256, Rfc4231TestCase2) {
  EXPECT_EQ(base::hex_encode(hmac_sha256("Jefe", "what do ya want for nothing?")),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(HmacSha256, EmptyKeyAndMessage) {
  // HMAC-SHA256("", "") is a fixed, well-known value.
  EXPECT_EQ(base::hex_encode(hmac_sha256("", "")),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST(SignWebhook, SignsTimestampDotBody) {
  // Known answer, from: printf '%s' '1700000000.<body>' | openssl dgst -sha256 -hmac whsec_test
  EXPECT_EQ(sign_webhook(kSecret, kTime, kBody),
            "b7ea92db4bc3a734b8f12932cd6adcbcd1cadafeb6ff735032b0913e84791545");
  EXPECT_EQ(sign_webhook(kSecret, kTime, kBody),
            base::hex_encode(hmac_sha256(kSecret, "1700000000." + std::string(kBody))));
  EXPECT_EQ(sign_webhook(kSecret, 0, ""), base::hex_encode(hmac_sha256(kSecret, "0.")));
  EXPECT_NE(sign_webhook(kSecret, kTime, kBody), sign_webhook(kSecret, kTime + 1, kBody));
}

TEST(SignatureHeader, Form) {
  EXPECT_EQ(signature_header(kSecret, kTime, kBody),
            "t=1700000000,v1=b7ea92db4bc3a734b8f12932cd6adcbcd1cadafeb6ff735032b0913e84791545");
}

TEST(VerifyWebhookSignature, AcceptsGood) {
  const std::string header = signature_header(kSecret, kTime, kBody);
  EXPECT_TRUE(verify_webhook_signature(kSecret, header, kBody, kTime, 300));
  EXPECT_TRUE(verify_webhook_signature(kSecret, header, kBody, kTime + 300, 300));
  EXPECT_TRUE(verify_webhook_signature(kSecret, header, kBody, kTime - 300, 300));
}

TEST(VerifyWebhookSignature, AcceptsAnyV1AndIgnoresUnknownKeys) {
  const std::string good = sign_webhook(kSecret, kTime, kBody);
  const std::string header = "t=1700000000,v1=" + std::string(64, '0') + ",v2=whatever,v1=" + good;
  EXPECT_TRUE(verify_webhook_signature(kSecret, header, kBody, kTime, 300));
}

TEST(VerifyWebhookSignature, RefusesTamperedBody) {
  const std::string header = signature_header(kSecret, kTime, kBody);
  EXPECT_FALSE(
      verify_webhook_signature(kSecret, header, R"({"event":"bounced","id":"m1"})", kTime, 300));
  EXPECT_FALSE(verify_webhook_signature(kSecret, header, std::string(kBody) + " ", kTime, 300));
}

TEST(VerifyWebhookSignature, RefusesWrongSecret) {
  const std::string header = signature_header(kSecret, kTime, kBody);
  EXPECT_FALSE(verify_webhook_signature("whsec_other", header, kBody, kTime, 300));
  EXPECT_FALSE(verify_webhook_signature("", header, kBody, kTime, 300));
}

TEST(VerifyWebhookSignature, RefusesStaleOrFutureTimestamp) {
  const std::string header = signature_header(kSecret, kTime, kBody);
  EXPECT_FALSE(verify_webhook_signature(kSecret, header, kBody, kTime + 301, 300));
  EXPECT_FALSE(verify_webhook_signature(kSecret, header, kBody, kTime - 301, 300));
  EXPECT_FALSE(verify_webhook_signature(kSecret, header, kBody, kTime, -1));
  // Extreme clocks neither overflow nor wrap into the window.
  EXPECT_FALSE(verify_webhook_signature(kSecret, header, kBody,
                                        std::numeric_limits<std::int64_t>::min(), 300));
  EXPECT_FALSE(verify_webhook_signature(kSecret, header, kBody,
                                        std::numeric_limits<std::int64_t>::max(), 300));
}

TEST(VerifyWebhookSignature, RefusesReplayWithAnotherTimestamp) {
  // Moving the signature to a fresh timestamp breaks it: t is in the MAC.
  const std::string sig = sign_webhook(kSecret, kTime, kBody);
  const std::string moved = "t=" + std::to_string(kTime + 3600) + ",v1=" + sig;
  EXPECT_FALSE(verify_webhook_signature(kSecret, moved, kBody, kTime + 3600, 300));
}

TEST(VerifyWebhookSignature, RefusesMalformedHeaders) {
  const std::string sig = sign_webhook(kSecret, kTime, kBody);
  const std::vector<std::string> headers = {
      std::string(),
      "v1=" + sig,                             // no t
      "t=1700000000",                          // no v1
      "t=1700000000,v1=",                      // empty v1
      "t=,v1=" + sig,                          // empty t
      "t=+1700000000,v1=" + sig,               // signed t
      "t=1700000000x,v1=" + sig,               // junk after t
      "t=1700000000,t=1700000000,v1=" + sig,   // two t
      "t=1700000000,v1=" + sig.substr(0, 63),  // short
      "t=1700000000,v1=" + sig + "0",          // long
      "t=99999999999999999999,v1=" + sig,      // overflow
  };
  for (const std::string& header : headers) {
    EXPECT_FALSE(verify_webhook_signature(kSecret, header, kBody, kTime, 300)) << header;
  }
}

}  // namespace
}  // namespace herald::events
