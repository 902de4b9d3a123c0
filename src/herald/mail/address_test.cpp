// Tests for mail::parse_path and the domain / literal / UTF-8 helpers: the
// accepted forms of RFC 5321 §4.1.2 and the near misses clients really send.
#include "herald/mail/address.hpp"

#include <gtest/gtest.h>

#include <string>

namespace herald::mail {
namespace {

Address ok_path(std::string_view text, bool utf8 = false, PathKind kind = PathKind::forward) {
  auto r = parse_path(text, utf8, kind);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().message);
  return r.ok() ? r->address : Address{};
}

bool bad_path(std::string_view text, bool utf8 = false, PathKind kind = PathKind::forward) {
  auto r = parse_path(text, utf8, kind);
  if (!r.ok()) {
    EXPECT_FALSE(r.error().message.empty());
  }
  return !r.ok();
}

TEST(ParsePath, Simple) {
  const Address a = ok_path("<user@example.com>");
  EXPECT_EQ(a.local_part, "user");
  EXPECT_EQ(a.domain, "example.com");
  EXPECT_EQ(a.to_string(), "user@example.com");
  EXPECT_FALSE(a.is_address_literal());
  EXPECT_FALSE(a.has_quoted_local_part());
}

TEST(ParsePath, AtextAndDots) {
  EXPECT_EQ(ok_path("<first.last+tag@example.com>").local_part, "first.last+tag");
  EXPECT_EQ(ok_path("<a!#$%&'*+-/=?^_`{|}~b@example.com>").local_part, "a!#$%&'*+-/=?^_`{|}~b");
  EXPECT_EQ(ok_path("<x@a-b.c0.example>").domain, "a-b.c0.example");
  EXPECT_EQ(ok_path("<x@localhost>").domain, "localhost");
  EXPECT_EQ(ok_path("<x@123.example>").domain, "123.example");
}

TEST(ParsePath, NullPathOnlyForReverse) {
  auto r = parse_path("<>", false, PathKind::reverse);
  ASSERT_TRUE(r.ok());
  EXPECT_TRUE(r->null);
  EXPECT_TRUE(bad_path("<>", false, PathKind::forward));
  EXPECT_TRUE(bad_path("<>"));
}

TEST(ParsePath, SourceRouteIgnored) {
  const Address a = ok_path("<@relay.example,@b.example:user@example.com>");
  EXPECT_EQ(a.to_string(), "user@example.com");
  EXPECT_EQ(ok_path("<@relay.example:u@example.com>").to_string(), "u@example.com");
  EXPECT_TRUE(bad_path("<@relay.example user@example.com>"));
  EXPECT_TRUE(bad_path("<@relay.example,:user@example.com>"));
  EXPECT_TRUE(bad_path("<@:user@example.com>"));
  EXPECT_TRUE(bad_path("<@bad_domain:user@example.com>"));
  EXPECT_TRUE(bad_path("<@a,b:user@example.com>"));
}

TEST(ParsePath, QuotedLocalPartKeptAsWritten) {
  Address a = ok_path("<\"john doe\"@example.com>");
  EXPECT_EQ(a.local_part, "\"john doe\"");
  EXPECT_TRUE(a.has_quoted_local_part());
  a = ok_path("<\"a\\\"b@c\"@example.com>");
  EXPECT_EQ(a.local_part, "\"a\\\"b@c\"");
  EXPECT_EQ(a.domain, "example.com");
  EXPECT_EQ(ok_path("<\"\"@example.com>").local_part, "\"\"");
  EXPECT_EQ(ok_path("<\"a>b\"@example.com>").local_part, "\"a>b\"");
}

TEST(ParsePath, QuotedLocalPartErrors) {
  EXPECT_TRUE(bad_path("<\"unterminated@example.com>"));
  EXPECT_TRUE(bad_path("<\"a\"b@example.com>"));
  EXPECT_TRUE(bad_path("<\"a\"@>"));
  EXPECT_TRUE(bad_path(std::string("<\"a\tb\"@example.com>")));
  EXPECT_TRUE(bad_path(std::string("<\"a\\\x01\"@example.com>")));
  EXPECT_TRUE(bad_path("<\"ab\\\"@example.com>"));
}

TEST(ParsePath, AddressLiterals) {
  Address a = ok_path("<postmaster@[192.0.2.1]>");
  EXPECT_TRUE(a.is_address_literal());
  EXPECT_EQ(a.domain, "[192.0.2.1]");
  EXPECT_TRUE(ok_path("<u@[IPv6:2001:db8::1]>").is_address_literal());
  EXPECT_TRUE(ok_path("<u@[IPv6:::1]>").is_address_literal());
  EXPECT_TRUE(ok_path("<u@[ipv6:::ffff:192.0.2.1]>").is_address_literal());
  EXPECT_TRUE(ok_path("<u@[IPv6:2001:0db8:0000:0000:0000:0000:0000:0001]>").is_address_literal());
  EXPECT_TRUE(bad_path("<u@[256.0.0.1]>"));
  EXPECT_TRUE(bad_path("<u@[1.2.3]>"));
  EXPECT_TRUE(bad_path("<u@[1.2.3.4.5]>"));
  EXPECT_TRUE(bad_path("<u@[1.2.3.]>"));
  EXPECT_TRUE(bad_path("<u@[1..2.3]>"));
  EXPECT_TRUE(bad_path("<u@[1234.1.1.1]>"));
  EXPECT_TRUE(bad_path("<u@[IPv6:2001:db8::g]>"));
  EXPECT_TRUE(bad_path("<u@[IPv6:1:2:3:4:5:6:7:8:9]>"));
  EXPECT_TRUE(bad_path("<u@[2001:db8::1]>"));
  EXPECT_TRUE(bad_path("<u@[IPv6:]>"));
  EXPECT_TRUE(bad_path("<u@[]>"));
  EXPECT_TRUE(bad_path("<u@[1.2.3.4>"));
  EXPECT_TRUE(bad_path("<u@[tag:foo]>"));
}

TEST(ParsePath, BadDomains) {
  EXPECT_TRUE(bad_path("<user@example.com.>"));
  EXPECT_TRUE(bad_path("<user@.example.com>"));
  EXPECT_TRUE(bad_path("<user@example..com>"));
  EXPECT_TRUE(bad_path("<user@-example.com>"));
  EXPECT_TRUE(bad_path("<user@example-.com>"));
  EXPECT_TRUE(bad_path("<user@exa_mple.com>"));
  EXPECT_TRUE(bad_path("<user@exa mple.com>"));
  EXPECT_TRUE(bad_path("<user@>"));
  EXPECT_TRUE(bad_path("<user@a@b.example>"));
  EXPECT_TRUE(bad_path("<user@" + std::string(64, 'a') + ".example>"));
  EXPECT_FALSE(bad_path("<user@" + std::string(63, 'a') + ".example>"));
}

TEST(ParsePath, BadLocalParts) {
  EXPECT_TRUE(bad_path("<@example.com>"));
  EXPECT_TRUE(bad_path("<.user@example.com>"));
  EXPECT_TRUE(bad_path("<user.@example.com>"));
  EXPECT_TRUE(bad_path("<us..er@example.com>"));
  EXPECT_TRUE(bad_path("<us er@example.com>"));
  EXPECT_TRUE(bad_path("<us(er@example.com>"));
  EXPECT_TRUE(bad_path("<us,er@example.com>"));
  EXPECT_TRUE(bad_path("<user>"));
  EXPECT_TRUE(bad_path("<user@example.com"));
  EXPECT_TRUE(bad_path("user@example.com"));
  EXPECT_TRUE(bad_path("user@example.com>"));
  EXPECT_TRUE(bad_path(" <user@example.com>"));
  EXPECT_TRUE(bad_path("<user@example.com> "));
  EXPECT_TRUE(bad_path("<<user@example.com>>"));
  EXPECT_TRUE(bad_path(""));
  EXPECT_TRUE(bad_path("<"));
  EXPECT_TRUE(bad_path(std::string("<us\0er@example.com>", 19)));
}

TEST(ParsePath, LengthLimits) {
  const std::string l64(64, 'a');
  EXPECT_FALSE(bad_path("<" + l64 + "@example.com>"));
  EXPECT_TRUE(bad_path("<" + l64 + "a@example.com>"));
  // Domain of exactly 255 octets: 4 labels of 63 + 3 dots = 255.
  const std::string label(63, 'b');
  const std::string d255 = label + "." + label + "." + label + "." + label;
  ASSERT_EQ(d255.size(), 255u);
  // The path limit (256 incl. brackets) is stricter than local+domain limits.
  EXPECT_TRUE(bad_path("<a@" + d255 + ">"));
  const std::string d250 = label + "." + label + "." + label + "." + std::string(58, 'c');
  ASSERT_EQ(d250.size(), 250u);
  EXPECT_FALSE(bad_path("<abc@" + d250 + ">"));  // 1+3+1+250+1 = 256
  EXPECT_TRUE(bad_path("<abcd@" + d250 + ">"));  // 257
}

TEST(ParsePath, Utf8OnlyWithSmtputf8) {
  EXPECT_TRUE(bad_path("<j\xC3\xBCrgen@example.com>", false));
  EXPECT_EQ(ok_path("<j\xC3\xBCrgen@example.com>", true).local_part, "j\xC3\xBCrgen");
  EXPECT_TRUE(bad_path("<user@b\xC3\xBC\x63her.example>", false));
  EXPECT_EQ(ok_path("<user@b\xC3\xBC\x63her.example>", true).domain, "b\xC3\xBC\x63her.example");
  EXPECT_EQ(ok_path("<\"\xE2\x82\xAC\"@example.com>", true).local_part, "\"\xE2\x82\xAC\"");
  EXPECT_TRUE(bad_path("<\"\xE2\x82\xAC\"@example.com>", false));
}

TEST(ParsePath, InvalidUtf8Refused) {
  EXPECT_TRUE(bad_path("<j\xC3@example.com>", true));          // truncated
  EXPECT_TRUE(bad_path("<j\xC0\xAF@example.com>", true));      // overlong
  EXPECT_TRUE(bad_path("<j\xED\xA0\x80@example.com>", true));  // surrogate
  EXPECT_TRUE(bad_path("<j\xF5\x80\x80\x80@example.com>", true));
  EXPECT_TRUE(bad_path("<j\x80@example.com>", true));
  EXPECT_TRUE(bad_path("<u@b\xFF.example>", true));
}

TEST(Address, NormalizedDomain) {
  Address a{"User", "ExAmple.COM"};
  EXPECT_EQ(a.normalized_domain(), "example.com");
  EXPECT_EQ(a.to_string(), "User@ExAmple.COM");  // local part is never case-folded
  Address lit{"u", "[IPv6:2001:DB8::1]"};
  EXPECT_EQ(lit.normalized_domain(), "[ipv6:2001:db8::1]");
}

TEST(ParseMailbox, WithoutBrackets) {
  auto r = parse_mailbox("a@example.com", false);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->domain, "example.com");
  EXPECT_FALSE(parse_mailbox("<a@example.com>", false).ok());
}

TEST(Helpers, Domain) {
  EXPECT_TRUE(is_valid_domain("example.com", false));
  EXPECT_TRUE(is_valid_domain("a", false));
  EXPECT_FALSE(is_valid_domain("", false));
  EXPECT_FALSE(is_valid_domain("my_host.example", false));
  EXPECT_TRUE(is_valid_domain("my_host.example", false, true));
  EXPECT_FALSE(is_valid_domain("\xC3\xBC.example", false));
  EXPECT_TRUE(is_valid_domain("\xC3\xBC.example", true));
  EXPECT_FALSE(is_valid_domain(std::string(256, 'a'), false));
}

TEST(Helpers, AddressLiteral) {
  EXPECT_TRUE(is_valid_address_literal("[127.0.0.1]"));
  EXPECT_TRUE(is_valid_address_literal("[0.0.0.0]"));
  EXPECT_TRUE(is_valid_address_literal("[IPv6:::1]"));
  EXPECT_FALSE(is_valid_address_literal("127.0.0.1"));
  EXPECT_FALSE(is_valid_address_literal("[IPv6:127.0.0.1]"));
  EXPECT_FALSE(is_valid_address_literal("[ 127.0.0.1]"));
}

TEST(Helpers, Utf8) {
  EXPECT_TRUE(is_valid_utf8("plain"));
  EXPECT_TRUE(is_valid_utf8("\xF0\x9F\x93\xA7"));
  EXPECT_FALSE(is_valid_utf8("\xF0\x9F\x93"));
  EXPECT_FALSE(is_valid_utf8("\xE0\x80\x80"));
  EXPECT_FALSE(is_valid_utf8("\xF4\x90\x80\x80"));
}

}  // namespace
}  // namespace herald::mail
