// Tests for base::hex: encoding, case-insensitive decoding, refusals.
#include "herald/base/hex.hpp"

#include <gtest/gtest.h>

namespace herald::base {
namespace {

TEST(Hex, Encode) {
  EXPECT_EQ(hex_encode(""), "");
  EXPECT_EQ(hex_encode("foobar"), "666f6f626172");
  EXPECT_EQ(hex_encode(std::string("\x00\xff\x10", 3)), "00ff10");
}

TEST(Hex, DecodeEitherCase) {
  EXPECT_EQ(*hex_decode(""), "");
  EXPECT_EQ(*hex_decode("666f6f626172"), "foobar");
  EXPECT_EQ(*hex_decode("00FF10"), std::string("\x00\xff\x10", 3));
  EXPECT_EQ(*hex_decode("aBcD"), "\xab\xcd");
}

TEST(Hex, RoundTripAllBytes) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  EXPECT_EQ(*hex_decode(hex_encode(all)), all);
}

TEST(Hex, Refusals) {
  for (const char* bad : {"0", "abc", "0g", "g0", " 00", "00 ", "0x00", "+1", "\xff\xff"}) {
    EXPECT_FALSE(hex_decode(bad).ok()) << bad;
  }
  auto r = hex_decode("00zz");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("position 3"), std::string::npos);
}

}  // namespace
}  // namespace herald::base
