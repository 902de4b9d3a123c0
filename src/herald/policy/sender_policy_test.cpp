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

HeaderSenders from(std::vector<mail::Mailbox> mailboxes) {
  return {{std::move(mailboxes)}, {}};
}

TEST(SenderPolicy, HeaderFrom) {
  const std::string mf = "app@acme.example";
  EXPECT_TRUE(check_header_senders(kApp, mf, from({{"App", "app@acme.example"}})).allowed);
  EXPECT_FALSE(check_header_senders(kApp, mf, {}).allowed);
  HeaderSenders two = from({{"", "app@acme.example"}});
  two.from.push_back({{"", "app@acme.example"}});
  EXPECT_FALSE(check_header_senders(kApp, mf, two).allowed);
  EXPECT_FALSE(
      check_header_senders(kApp, mf, from({{"", "app@acme.example"}, {"", "x@evil.example"}}))
          .allowed);
}

Identity with_domains() {
  Identity id = kApp;
  id.domains = {"acme.example", "news.acme.example"};
  return id;
}

TEST(SenderPolicy, AccountDomainsCoverEveryAddressOnThem) {
  auto id = with_domains();
  EXPECT_TRUE(check_envelope_sender(id, "ceo@acme.example").allowed);
  EXPECT_TRUE(check_envelope_sender(id, "x@NEWS.acme.example").allowed);
  auto d = check_envelope_sender(id, "x@acme.example.evil");
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.reason.find("@acme.example, news.acme.example"), std::string::npos) << d.reason;
  EXPECT_FALSE(check_envelope_sender(id, "x@sub.news.acme.example").allowed);
  EXPECT_FALSE(check_envelope_sender(id, "").allowed);
}

TEST(SenderPolicy, DisplayNameMayNotShowAnotherAddress) {
  auto id = with_domains();
  const std::string mf = "app@acme.example";
  auto d = check_header_senders(id, mf, from({{"ceo@bank.example", "app@acme.example"}}));
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.reason.find("ceo@bank.example"), std::string::npos);
  EXPECT_FALSE(check_header_senders(
                   id, mf, from({{"=?utf-8?B?Y2VvQGJhbmsuZXhhbXBsZQ==?=", "app@acme.example"}}))
                   .allowed);
  EXPECT_TRUE(
      check_header_senders(id, mf, from({{"app@acme.example", "app@acme.example"}})).allowed);
  EXPECT_TRUE(
      check_header_senders(id, mf, from({{"Acme Billing", "billing@acme.example"}})).allowed);
  EXPECT_TRUE(
      check_header_senders(id, mf, from({{"Mail @ Acme", "billing@acme.example"}})).allowed);
}

TEST(SenderPolicy, HeaderFromDomainAlignsWithEnvelope) {
  auto id = with_domains();
  EXPECT_TRUE(
      check_header_senders(id, "bounce@news.acme.example", from({{"", "news@acme.example"}}))
          .allowed);
  EXPECT_TRUE(
      check_header_senders(id, "a@acme.example", from({{"", "b@news.acme.example"}})).allowed);
  Identity two = id;
  two.domains.push_back("other.example");
  auto d = check_header_senders(two, "a@other.example", from({{"", "b@acme.example"}}));
  EXPECT_FALSE(d.allowed);
  EXPECT_NE(d.reason.find("differs from the envelope"), std::string::npos);
}

TEST(SenderPolicy, SenderHeader) {
  auto id = with_domains();
  const std::string mf = "app@acme.example";
  HeaderSenders several = from({{"", "a@acme.example"}, {"", "b@acme.example"}});
  EXPECT_FALSE(check_header_senders(id, mf, several).allowed);  // needs Sender:
  several.sender.push_back({{"", "app@acme.example"}});
  EXPECT_TRUE(check_header_senders(id, mf, several).allowed);
  HeaderSenders bad_sender = from({{"", "app@acme.example"}});
  bad_sender.sender.push_back({{"", "x@evil.example"}});
  EXPECT_FALSE(check_header_senders(id, mf, bad_sender).allowed);
  HeaderSenders two_senders = from({{"", "app@acme.example"}});
  two_senders.sender.push_back({{"", "app@acme.example"}, {"", "b@acme.example"}});
  EXPECT_FALSE(check_header_senders(id, mf, two_senders).allowed);
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
  EXPECT_TRUE(check_header_senders(k, "", from({{"", "App@ACME.example"}})).allowed);
  EXPECT_FALSE(check_header_senders(k, "", from({{"", "x@evil.example"}})).allowed);
}

TEST(SenderPolicy, DomainScopeAndPatterns) {
  auto k = key({"mail.send:news.acme.example"}, {"*@news.acme.example"});
  // The scope only narrows what the account may use.
  EXPECT_FALSE(check_envelope_sender(k, "weekly@news.acme.example").allowed);
  k.domains = {"acme.example", "news.acme.example"};
  EXPECT_TRUE(check_envelope_sender(k, "weekly@news.acme.example").allowed);
  EXPECT_FALSE(check_envelope_sender(k, "app@acme.example").allowed);
  auto narrow = key({"mail.send:acme.example"}, {"noreply@acme.example"});
  narrow.domains = {"acme.example"};
  EXPECT_FALSE(check_envelope_sender(narrow, "x@news.acme.example").allowed);
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
