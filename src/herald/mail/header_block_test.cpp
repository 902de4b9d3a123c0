#include "herald/mail/header_block.hpp"

#include <gtest/gtest.h>

namespace herald::mail {

TEST(HeaderBlock, CollectsUntilBlankLineAcrossFragments) {
  HeaderBlock h;
  std::string msg = "From: A <a@x.example>\r\nSubject: hi\r\n\tthere\r\n\r\nbody From: b@y\r\n";
  for (char c : msg) h.feed(std::string_view(&c, 1));
  ASSERT_TRUE(h.complete());
  EXPECT_EQ(h.values("from"), std::vector<std::string>{"A <a@x.example>"});
  EXPECT_EQ(h.values("Subject"), std::vector<std::string>{"hi\tthere"});
  EXPECT_TRUE(h.values("To").empty());
}

TEST(HeaderBlock, TwoFromFieldsAreBothSeen) {
  HeaderBlock h;
  h.feed("From: a@x.example\r\nFROM : b@y.example\r\n\r\n");
  EXPECT_EQ(h.values("From").size(), 2u);
}

TEST(HeaderBlock, StopsAtLimit) {
  HeaderBlock h(64);
  h.feed(std::string(100, 'a'));
  EXPECT_TRUE(h.too_big());
  EXPECT_FALSE(h.complete());
}

TEST(ParseAddressList, DisplayNameTricksYieldTheRealAddress) {
  auto r = parse_address_list("\"ceo@bank.example\" <x@evil.example>");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, std::vector<std::string>{"x@evil.example"});
  r = parse_address_list("=?utf-8?q?ceo@bank.example?= <x@evil.example>");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, std::vector<std::string>{"x@evil.example"});
  r = parse_address_list("x@evil.example (ceo@bank.example)");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, std::vector<std::string>{"x@evil.example"});
}

TEST(ParseAddressList, SeveralAndGroups) {
  auto r = parse_address_list("a@x.example, \"B, Jr\" <b@y.example>");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, (std::vector<std::string>{"a@x.example", "b@y.example"}));
  r = parse_address_list("team: a@x.example, b@y.example;");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->size(), 2u);
  r = parse_address_list("a@[IPv6:::1]");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r, std::vector<std::string>{"a@[IPv6:::1]"});
}

TEST(ParseAddressList, RejectsGarbage) {
  EXPECT_FALSE(parse_address_list(""));
  EXPECT_FALSE(parse_address_list("not an address"));
  EXPECT_FALSE(parse_address_list("<a@x.example"));
  EXPECT_FALSE(parse_address_list("\"unterminated <a@x.example>"));
}

}  // namespace herald::mail
