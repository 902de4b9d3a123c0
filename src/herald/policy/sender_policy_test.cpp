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

Identity key(std::vector<std::string> scopes, std::vector<std::string> patterns = {}) {
  Identity k;
  k.login = "key:k1";
  k.account = "acme";
  k.api_key = true;
  k.key_id = "k1";
  k.scopes = std::move(scopes);
  k.sender_patterns = std::move(patterns);
  k.account_addresses = {"app@acme.example", "billing@acme.example"};
  return k;
}

TEST(SenderPolicy, PlainMailSendCoversTheAccountsAddresses) {
  auto k = key({"mail.send"});
  EXPECT_TRUE(check_envelope_sender(k, "billing@acme.example").allowed);
  EXPECT_FALSE(check_envelope_sender(k, "ceo@acme.example").allowed);
  EXPECT_FALSE(check_envelope_sender(k, "").allowed);
  EXPECT_TRUE(check_header_from(k, {{"App@ACME.example"}}).allowed);
  EXPECT_FALSE(check_header_from(k, {{"x@evil.example"}}).allowed);
}

TEST(SenderPolicy, DomainScopeAndPatterns) {
  auto k = key({"mail.send:news.acme.example"}, {"*@news.acme.example"});
  EXPECT_TRUE(check_envelope_sender(k, "weekly@news.acme.example").allowed);
  EXPECT_FALSE(check_envelope_sender(k, "app@acme.example").allowed);
  auto narrow = key({"mail.send:acme.example"}, {"noreply@acme.example"});
  EXPECT_TRUE(check_envelope_sender(narrow, "noreply@acme.example").allowed);
  auto d = check_envelope_sender(narrow, "ceo@acme.example");
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.reason.find("noreply@acme.example"), std::string::npos);
}

TEST(SenderPolicy, Patterns) {
  EXPECT_TRUE(matches_pattern("a@x.example", "*@x.example"));
  EXPECT_TRUE(matches_pattern("A@X.example", "a@x.*"));
  EXPECT_TRUE(matches_pattern("news-1@x.example", "news-*@x.example"));
  EXPECT_FALSE(matches_pattern("a@x.example.evil", "*@x.example"));
  EXPECT_FALSE(matches_pattern("a@y.example", "*@x.example"));
  EXPECT_TRUE(matches_pattern("anything", "*"));
}

}  // namespace herald::policy
