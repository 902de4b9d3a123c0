// Tests for percent_decode, valid_utf8 and has_control: the primitives the
// router's and parse_query's refusals rest on.
#include "herald/http/percent.hpp"

#include <gtest/gtest.h>

#include <string>

namespace herald::http {
namespace {

using namespace std::string_literals;

TEST(Percent, Decode) {
  EXPECT_EQ(*percent_decode("a%20b%2Fc%2fd"), "a b/c/d");
  EXPECT_EQ(*percent_decode("%00"), "\0"s);
  EXPECT_EQ(*percent_decode("a+b"), "a+b");
  EXPECT_EQ(*percent_decode("a+b", true), "a b");
  EXPECT_EQ(*percent_decode("%2B", true), "+");
  EXPECT_EQ(*percent_decode(""), "");
  for (const char* bad : {"%", "%4", "%zz", "%4g", "a%", "%%41"}) {
    EXPECT_FALSE(percent_decode(bad).has_value()) << bad;
  }
}

TEST(Percent, Utf8) {
  for (const std::string& ok : {""s, "ascii"s, "\xc3\xa9"s, "\xe2\x82\xac"s, "\xf0\x9f\x98\x80"s,
                                "\xf4\x8f\xbf\xbf"s, "\xed\x9f\xbf"s, "\0"s}) {
    EXPECT_TRUE(valid_utf8(ok)) << ok;
  }
  for (const std::string& bad :
       {"\x80"s, "\xc0\xaf"s, "\xc1\xbf"s, "\xe0\x80\xaf"s, "\xf0\x80\x80\xaf"s, "\xed\xa0\x80"s,
        "\xed\xbf\xbf"s, "\xf4\x90\x80\x80"s, "\xf8\x88\x80\x80\x80"s, "\xff"s, "\xc3"s,
        "\xe2\x82"s, "\xc3\x28"s}) {
    EXPECT_FALSE(valid_utf8(bad)) << bad;
  }
}

TEST(Percent, Controls) {
  EXPECT_TRUE(has_control("a\0"s));
  EXPECT_TRUE(has_control("\t"));
  EXPECT_TRUE(has_control("\x7f"));
  EXPECT_TRUE(has_control("\xc2\x85"));
  EXPECT_FALSE(has_control("\xc2\xa0 plain \xc3\xa9"));
}

}  // namespace
}  // namespace herald::http
