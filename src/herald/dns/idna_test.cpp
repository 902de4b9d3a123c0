#include "herald/dns/idna.hpp"

#include <gtest/gtest.h>

namespace herald::dns {
namespace {

TEST(IdnaTest, ConvertsULabels) {
  auto ascii = to_ascii("bücher.example");
  ASSERT_TRUE(ascii.ok()) << ascii.error().message;
  EXPECT_EQ(*ascii, "xn--bcher-kva.example");
}

TEST(IdnaTest, MapsCaseAndKeepsTrailingDot) {
  auto ascii = to_ascii("Bücher.Example.");
  ASSERT_TRUE(ascii.ok()) << ascii.error().message;
  EXPECT_EQ(*ascii, "xn--bcher-kva.example.");
}

TEST(IdnaTest, NonTransitionalKeepsSharpS) {
  // Transitional processing would map ß to "ss"; IDNA2008 keeps it.
  auto ascii = to_ascii("straße.example");
  ASSERT_TRUE(ascii.ok()) << ascii.error().message;
  EXPECT_EQ(*ascii, "xn--strae-oqa.example");
}

TEST(IdnaTest, AsciiPassesThroughLowercased) {
  auto ascii = to_ascii("Mail.EXAMPLE.net");
  ASSERT_TRUE(ascii.ok());
  EXPECT_EQ(*ascii, "mail.example.net");
  auto underscore = to_ascii("_mta-sts.Example.net");
  ASSERT_TRUE(underscore.ok());
  EXPECT_EQ(*underscore, "_mta-sts.example.net");
}

TEST(IdnaTest, RejectsInvalid) {
  EXPECT_FALSE(to_ascii("").ok());
  EXPECT_FALSE(to_ascii("a..b").ok());
  EXPECT_FALSE(to_ascii("has space.example").ok());
  EXPECT_FALSE(to_ascii(std::string(64, 'a') + ".example").ok());
  EXPECT_FALSE(to_ascii("\xff\xfe.example").ok());  // not UTF-8
  EXPECT_FALSE(to_ascii("a\u2488.example").ok());   // ⒈ is disallowed in IDNA2008
}

}  // namespace
}  // namespace herald::dns
