// Tests for events::is_public_address: every refused range, its edges, and
// the IPv6 forms that embed an IPv4 address.
#include "herald/events/address_policy.hpp"

#include <gtest/gtest.h>

#include <string>

namespace herald::events {
namespace {

TEST(IsPublicAddress, PublicIpv4) {
  for (const char* ip : {"8.8.8.8", "1.1.1.1", "93.184.216.34", "223.255.255.255", "1.0.0.0",
                         "11.0.0.0", "9.255.255.255", "126.255.255.255", "128.0.0.0"}) {
    EXPECT_TRUE(is_public_address(ip)) << ip;
  }
}

TEST(IsPublicAddress, EachIpv4Range) {
  for (const char* ip : {
           "0.0.0.0",         "0.1.2.3",                           // this network
           "10.0.0.0",        "10.255.255.255",                    // private
           "100.64.0.0",      "100.127.255.255",                   // CGNAT
           "127.0.0.1",       "127.255.255.254",                   // loopback
           "169.254.169.254", "169.254.0.0",                       // link-local, cloud metadata
           "172.16.0.0",      "172.31.255.255",                    // private
           "192.0.0.8",                                            // IETF protocol assignments
           "192.0.2.1",       "198.51.100.7",    "203.0.113.255",  // documentation
           "192.168.0.1",     "192.168.255.255",                   // private
           "198.18.0.0",      "198.19.255.255",                    // benchmarking
           "224.0.0.1",       "239.255.255.255",                   // multicast
           "240.0.0.1",       "255.255.255.255",                   // reserved, broadcast
       }) {
    EXPECT_FALSE(is_public_address(ip)) << ip;
  }
}

TEST(IsPublicAddress, Ipv4Edges) {
  EXPECT_TRUE(is_public_address("172.15.255.255"));
  EXPECT_FALSE(is_public_address("172.16.0.0"));
  EXPECT_FALSE(is_public_address("172.31.255.255"));
  EXPECT_TRUE(is_public_address("172.32.0.0"));
  EXPECT_TRUE(is_public_address("100.63.255.255"));
  EXPECT_FALSE(is_public_address("100.64.0.0"));
  EXPECT_TRUE(is_public_address("100.128.0.0"));
  EXPECT_TRUE(is_public_address("198.17.255.255"));
  EXPECT_TRUE(is_public_address("198.20.0.0"));
  EXPECT_TRUE(is_public_address("192.0.1.255"));
  EXPECT_TRUE(is_public_address("192.0.3.0"));
  EXPECT_TRUE(is_public_address("169.253.255.255"));
  EXPECT_TRUE(is_public_address("192.167.255.255"));
  EXPECT_TRUE(is_public_address("192.169.0.0"));
}

TEST(IsPublicAddress, PublicIpv6) {
  for (const char* ip : {"2606:4700:4700::1111", "2001:4860:4860::8888", "2a00:1450:4001::1",
                         "2001:200::1", "2c0f:f248::1"}) {
    EXPECT_TRUE(is_public_address(ip)) << ip;
  }
}

TEST(IsPublicAddress, EachIpv6Range) {
  for (const char* ip : {
           "::",           "::1",               // unspecified, loopback
           "::7f00:1",                          // IPv4-compatible (deprecated)
           "fe80::1",      "febf:ffff::1",      // link-local
           "fc00::1",      "fd12:3456::1",      // unique-local
           "fec0::1",                           // site-local
           "ff02::1",      "ff0e::1",           // multicast
           "100::1",                            // discard
           "2001:db8::1",  "2001:db8:ffff::1",  // documentation
           "3fff::1",                           // documentation (RFC 9637)
           "2001::1",      "2001:2::1",
           "2001:10::1",    // Teredo, benchmarking, ORCHID
           "64:ff9b:1::1",  // local-use NAT64
           "1234::1",      "4000::1",
           "e000::1",  // outside 2000::/3
       }) {
    EXPECT_FALSE(is_public_address(ip)) << ip;
  }
}

TEST(IsPublicAddress, EmbeddedIpv4IsJudged) {
  // IPv4-mapped
  EXPECT_FALSE(is_public_address("::ffff:127.0.0.1"));
  EXPECT_FALSE(is_public_address("::ffff:7f00:1"));
  EXPECT_FALSE(is_public_address("::ffff:10.1.2.3"));
  EXPECT_FALSE(is_public_address("::FFFF:169.254.169.254"));
  EXPECT_TRUE(is_public_address("::ffff:8.8.8.8"));
  // NAT64
  EXPECT_FALSE(is_public_address("64:ff9b::127.0.0.1"));
  EXPECT_FALSE(is_public_address("64:ff9b::a00:1"));
  EXPECT_TRUE(is_public_address("64:ff9b::8.8.8.8"));
  // 6to4: the IPv4 address is in bits 16-47
  EXPECT_FALSE(is_public_address("2002:7f00:1::1"));
  EXPECT_FALSE(is_public_address("2002:c0a8:101::1"));
  EXPECT_FALSE(is_public_address("2002::"));
  EXPECT_TRUE(is_public_address("2002:808:808::1"));
}

TEST(IsPublicAddress, UnparsableIsNotPublic) {
  for (const char* ip :
       {"", "localhost", "example.com", "8.8.8", "8.8.8.8.8", "127.1", "2130706433", "0x7f.0.0.1",
        "010.0.0.1", " 8.8.8.8", "8.8.8.8 ", "[2001:4860::1]", "fe80::1%eth0",
        "2001:4860:4860::8888%1", "1.2.3.256", ":::", "8.8.8.8/32"}) {
    EXPECT_FALSE(is_public_address(ip)) << ip;
  }
  EXPECT_FALSE(is_public_address(std::string("8.8.8.8\0junk", 12)));
}

}  // namespace
}  // namespace herald::events
