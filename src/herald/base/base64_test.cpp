// Tests for base::base64: RFC 4648 §10 vectors, binary round trips, and
// every class of input the strict decoder must refuse.
#include "herald/base/base64.hpp"

#include <gtest/gtest.h>

#include <random>

namespace herald::base {
namespace {

struct Vector {
  const char* plain;
  const char* encoded;
};

constexpr Vector kRfc4648[] = {
    {"", ""},
    {"f", "Zg=="},
    {"fo", "Zm8="},
    {"foo", "Zm9v"},
    {"foob", "Zm9vYg=="},
    {"fooba", "Zm9vYmE="},
    {"foobar", "Zm9vYmFy"},
};

TEST(Base64, Rfc4648Vectors) {
  for (const auto& v : kRfc4648) {
    EXPECT_EQ(base64_encode(v.plain), v.encoded);
    auto decoded = base64_decode(v.encoded);
    ASSERT_TRUE(decoded.ok()) << v.encoded << ": " << decoded.error().message;
    EXPECT_EQ(*decoded, v.plain);
  }
}

TEST(Base64, SaslPlainExample) {
  // RFC 4616 style: "\0user\0pass".
  const std::string plain("\0user\0pass", 10);
  EXPECT_EQ(base64_encode(plain), "AHVzZXIAcGFzcw==");
  EXPECT_EQ(*base64_decode("AHVzZXIAcGFzcw=="), plain);
}

TEST(Base64, AllByteValuesRoundTrip) {
  std::string all;
  for (int i = 0; i < 256; ++i) all += static_cast<char>(i);
  for (std::size_t n = 0; n <= all.size(); n += 37) {
    const auto part = all.substr(0, n);
    EXPECT_EQ(*base64_decode(base64_encode(part)), part);
  }
  EXPECT_EQ(base64_encode("\xff\xfe\xfd"), "//79");
  EXPECT_EQ(base64_encode("\xfb\xef"), "++8=");
}

TEST(Base64, RefusesBadLength) {
  for (const char* bad : {"Z", "Zg", "Zg=", "Zm9vY", "Zm9vYg="}) {
    EXPECT_FALSE(base64_decode(bad).ok()) << bad;
  }
}

TEST(Base64, RefusesCharactersOutsideAlphabet) {
  for (const char* bad :
       {"Zm9v!A==", "Zm-v", "Zm_v", "Zm9v\n", "Zm 9v", " Zm9", "Zm9v\r\n", "Zm9\x80", "\tZm9"}) {
    EXPECT_FALSE(base64_decode(bad).ok()) << bad;
  }
  EXPECT_FALSE(base64_decode(std::string("Zm\0v", 4)).ok());
}

TEST(Base64, RefusesBadPadding) {
  for (const char* bad : {"====", "Z===", "=Zg=", "Zg=A", "Zm=v", "Zg==Zg==", "Zm9v====", "Z=g="}) {
    auto r = base64_decode(bad);
    EXPECT_FALSE(r.ok()) << bad;
  }
}

TEST(Base64, RefusesNonCanonicalTrailingBits) {
  EXPECT_TRUE(base64_decode("Zg==").ok());
  EXPECT_FALSE(base64_decode("Zh==").ok());  // 'h' sets unused low bits
  EXPECT_FALSE(base64_decode("Zm9=").ok());
  EXPECT_TRUE(base64_decode("Zm8=").ok());
}

TEST(Base64, ErrorsDoNotEchoInput) {
  auto r = base64_decode("c2VjcmV0!===");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find("c2Vj"), std::string::npos);
  EXPECT_NE(r.error().message.find("position 9"), std::string::npos);
}

// Property: whatever the decoder accepts, re-encodes to exactly the same
// text (one spelling per byte string), over short strings that mix the
// alphabet with '=' and a few foreign characters.
TEST(Base64, AcceptedTextIsCanonical) {
  std::mt19937 rng(4648);
  const std::string chars = "AZaz09+/=gh-_ \n";
  int accepted = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string text(4 * (1 + rng() % 3), 'A');
    for (auto& c : text) c = chars[rng() % chars.size()];
    auto r = base64_decode(text);
    if (!r.ok()) continue;
    ++accepted;
    ASSERT_EQ(base64_encode(*r), text);
  }
  EXPECT_GT(accepted, 100);
}

}  // namespace
}  // namespace herald::base
