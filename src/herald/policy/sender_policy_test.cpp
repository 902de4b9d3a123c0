#include "herald/policy/sender_policy.hpp"

#include <gtest/gtest.h>

namespace herald::policy {

const Identity kApp{"app@acme.example", "acme"};

TEST(SenderPolicy, NoRelayWithoutIdentity) {
  EXPECT_FALSE(check_relay(nullptr).allowed);
  EXPECT_TRUE(check_relay(&kApp).allowed);
}

TEST(SenderPolicy, EnvelopeSenderMustBeOwnAddress) {
  EXPECT_TRUE(check_envelope_sender(kApp, "app@acme.example").allowed);
  EXPECT_TRUE(check_envelope_sender(kApp, "App@ACME.example").allowed);
  auto d = check_envelope_sender(kApp, "ceo@acme.example");
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.reason.find("ceo@acme.example"), std::string::npos);
  EXPECT_FALSE(check_envelope_sender(kApp, "").allowed);
}

TEST(SenderPolicy, HeaderFrom) {
  EXPECT_TRUE(check_header_from(kApp, {{"app@acme.example"}}).allowed);
  EXPECT_FALSE(check_header_from(kApp, {}).allowed);
  EXPECT_FALSE(check_header_from(kApp, {{"app@acme.example"}, {"app@acme.example"}}).allowed);
  EXPECT_FALSE(check_header_from(kApp, {{"app@acme.example", "x@evil.example"}}).allowed);
}

}  // namespace herald::policy
