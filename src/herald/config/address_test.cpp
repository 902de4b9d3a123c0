// Tests for config::address: listener and smarthost host:port parsing.
#include "herald/config/address.hpp"

#include <gtest/gtest.h>

namespace herald::config {
namespace {

TEST(ParseIpPort, Ipv4AndIpv6) {
  auto v4 = parse_ip_port("127.0.0.1:587");
  ASSERT_TRUE(v4.ok()) << v4.error().message;
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 587);
  EXPECT_FALSE(v4->ipv6);

  auto v6 = parse_ip_port("[::1]:2525");
  ASSERT_TRUE(v6.ok()) << v6.error().message;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 2525);
  EXPECT_TRUE(v6->ipv6);

  EXPECT_TRUE(parse_ip_port("[::]:465").ok());
  EXPECT_TRUE(parse_ip_port("0.0.0.0:65535").ok());
  EXPECT_TRUE(parse_ip_port("[2001:db8::1]:1").ok());
}

TEST(ParseIpPort, Refusals) {
  for (const char* bad : {"",
                          ":587",
                          "0.0.0.0",
                          "0.0.0.0:",
                          "0.0.0.0:0",
                          "0.0.0.0:65536",
                          "0.0.0.0:99999",
                          "0.0.0.0:587x",
                          "0.0.0.0:+587",
                          "0.0.0.0: 587",
                          "localhost:587",
                          "mail.example.com:587",
                          "::1:587",
                          "[::1]",
                          "[::1]587",
                          "[::1:587",
                          "[127.0.0.1]:587",
                          "256.0.0.1:587",
                          "1.2.3:587",
                          "[fe80::1%eth0]:587",
                          " 0.0.0.0:587"}) {
    EXPECT_FALSE(parse_ip_port(bad).ok()) << bad;
  }
  auto names = parse_ip_port("localhost:587");
  ASSERT_FALSE(names.ok());
  EXPECT_NE(names.error().message.find("must be an IP address"), std::string::npos);
  auto v6 = parse_ip_port("::1:587");
  ASSERT_FALSE(v6.ok());
  EXPECT_NE(v6.error().message.find("brackets"), std::string::npos);
}

TEST(ParseHostPort, AllowsNames) {
  auto r = parse_host_port("smtp.upstream.example:587");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->host, "smtp.upstream.example");
  EXPECT_EQ(r->port, 587);
  EXPECT_TRUE(parse_host_port("192.0.2.1:25").ok());
  EXPECT_TRUE(parse_host_port("[2001:db8::1]:25").ok());
  for (const char* bad : {"smtp.example", "smtp..example:25", "-smtp.example:25",
                          "smtp_x.example:25", "10.0.0.300:25", "smtp.example:0"}) {
    EXPECT_FALSE(parse_host_port(bad).ok()) << bad;
  }
}

TEST(IsHostname, Rules) {
  EXPECT_TRUE(is_hostname("localhost"));
  EXPECT_TRUE(is_hostname("mail.example.com"));
  EXPECT_TRUE(is_hostname("xn--bcher-kva.example"));
  EXPECT_TRUE(is_hostname("a-b.c1"));
  EXPECT_FALSE(is_hostname(""));
  EXPECT_FALSE(is_hostname("mail.example.com."));
  EXPECT_FALSE(is_hostname(".example"));
  EXPECT_FALSE(is_hostname("a-.example"));
  EXPECT_FALSE(is_hostname("mail example"));
  EXPECT_FALSE(is_hostname("mail\r\n250 x"));
  EXPECT_FALSE(is_hostname(std::string(64, 'a') + ".example"));
  EXPECT_TRUE(is_hostname(std::string(63, 'a') + ".example"));
  EXPECT_FALSE(
      is_hostname("b\xc3\xbc"
                  "cher.example"));
}

TEST(IsIpLiteral, Both) {
  EXPECT_TRUE(is_ip_literal("10.1.2.3"));
  EXPECT_TRUE(is_ip_literal("::ffff:10.1.2.3"));
  EXPECT_FALSE(is_ip_literal("[::1]"));
  EXPECT_FALSE(is_ip_literal("example.com"));
}

}  // namespace
}  // namespace herald::config
