#include "herald/base/cidr.hpp"

#include <gtest/gtest.h>

namespace herald::base {

TEST(Cidr, Ipv4Networks) {
  auto c = Cidr::parse("192.0.2.0/24");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->contains("192.0.2.1"));
  EXPECT_TRUE(c->contains("192.0.2.255"));
  EXPECT_FALSE(c->contains("192.0.3.1"));
  EXPECT_TRUE(c->contains("::ffff:192.0.2.9"));
  EXPECT_FALSE(c->contains("2001:db8::1"));
  EXPECT_FALSE(c->contains("garbage"));
  auto odd = Cidr::parse("10.128.0.0/9");
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->contains("10.200.1.1"));
  EXPECT_FALSE(odd->contains("10.100.1.1"));
  auto one = Cidr::parse("127.0.0.1");
  ASSERT_TRUE(one);
  EXPECT_TRUE(one->contains("127.0.0.1"));
  EXPECT_FALSE(one->contains("127.0.0.2"));
  EXPECT_TRUE(Cidr::parse("0.0.0.0/0")->contains("203.0.113.5"));
}

TEST(Cidr, Ipv6Networks) {
  auto c = Cidr::parse("2001:db8::/32");
  ASSERT_TRUE(c);
  EXPECT_TRUE(c->contains("2001:db8:1::5"));
  EXPECT_FALSE(c->contains("2001:db9::1"));
  EXPECT_FALSE(c->contains("192.0.2.1"));
  EXPECT_TRUE(Cidr::parse("::1/128")->contains("::1"));
}

TEST(Cidr, RejectsNonsense) {
  EXPECT_FALSE(Cidr::parse("192.0.2.0/33"));
  EXPECT_FALSE(Cidr::parse("192.0.2.0/"));
  EXPECT_FALSE(Cidr::parse("192.0.2.0/x"));
  EXPECT_FALSE(Cidr::parse("example.com"));
  EXPECT_FALSE(Cidr::parse("2001:db8::/129"));
  EXPECT_FALSE(Cidr::parse(""));
}

}  // namespace herald::base
