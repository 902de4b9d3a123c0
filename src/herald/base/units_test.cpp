// Tests for base::units: accepted spellings, refusals with their sentences,
// overflow, and format/parse round trips.
#include "herald/base/units.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace herald::base {
namespace {

using std::chrono::seconds;

TEST(ParseDuration, AcceptsEachUnit) {
  EXPECT_EQ(*parse_duration("90s"), seconds{90});
  EXPECT_EQ(*parse_duration("15m"), seconds{900});
  EXPECT_EQ(*parse_duration("2h"), seconds{7200});
  EXPECT_EQ(*parse_duration("5d"), seconds{5 * 86400});
  EXPECT_EQ(*parse_duration("0s"), seconds{0});
  EXPECT_EQ(*parse_duration("10 m"), seconds{600});
}

TEST(ParseDuration, RefusesUnknownUnitWithSentence) {
  auto r = parse_duration("15x");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message,
            "\"15x\" is not a duration; write a number followed by s, m, h or d (e.g. \"15m\")");
}

TEST(ParseDuration, PlainNumberAsksForUnit) {
  auto r = parse_duration("300");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("has no unit"), std::string::npos);
  EXPECT_NE(r.error().message.find("\"15m\""), std::string::npos);
}

TEST(ParseDuration, RefusesOtherForms) {
  for (const char* bad :
       {"", "m", "1w", "1.5h", "-5m", "+5m", " 5m", "5m ", "5M", "5ms", "5 ", "1h30m", "5\nm"}) {
    EXPECT_FALSE(parse_duration(bad).ok()) << bad;
  }
}

TEST(ParseDuration, OverflowIsAnErrorNotUndefined) {
  EXPECT_FALSE(parse_duration("99999999999999999999999s").ok());
  EXPECT_FALSE(parse_duration("18446744073709551615d").ok());
  EXPECT_FALSE(parse_duration("36501d").ok());
  EXPECT_EQ(*parse_duration("36500d"), kMaxDuration);
}

TEST(ParseDuration, QuotesHostileInputSafely) {
  auto r = parse_duration(std::string("\x01\"") + std::string(100, 'a'));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("\\x01\\\""), std::string::npos);
  EXPECT_NE(r.error().message.find("...\""), std::string::npos);
  EXPECT_LT(r.error().message.size(), 200u);
}

TEST(ParseSize, DecimalAndBinaryUnits) {
  EXPECT_EQ(*parse_size("35MB"), 35'000'000u);
  EXPECT_EQ(*parse_size("10KB"), 10'000u);
  EXPECT_EQ(*parse_size("1GB"), 1'000'000'000u);
  EXPECT_EQ(*parse_size("512B"), 512u);
  EXPECT_EQ(*parse_size("1024"), 1024u);
  EXPECT_EQ(*parse_size("1KiB"), 1024u);
  EXPECT_EQ(*parse_size("2MiB"), 2u * 1024 * 1024);
  EXPECT_EQ(*parse_size("1GiB"), 1024u * 1024 * 1024);
  EXPECT_EQ(*parse_size("35mb"), 35'000'000u);
  EXPECT_EQ(*parse_size("35 MB"), 35'000'000u);
  EXPECT_EQ(*parse_size("0"), 0u);
}

TEST(ParseSize, Refusals) {
  for (const char* bad : {"", "MB", "35XB", "1.5MB", "-1", "35MBs", "35M", " 35MB", "35MB "}) {
    auto r = parse_size(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message.find("e.g. \"35MB\""), std::string::npos) << bad;
  }
}

TEST(ParseSize, Overflow) {
  EXPECT_EQ(*parse_size("18446744073709551615"), std::numeric_limits<std::uint64_t>::max());
  EXPECT_FALSE(parse_size("18446744073709551616").ok());
  EXPECT_FALSE(parse_size("18446744073709551615KB").ok());
  EXPECT_FALSE(parse_size("17179869184GiB").ok());
}

TEST(FormatDuration, LargestExactUnit) {
  EXPECT_EQ(format_duration(seconds{0}), "0s");
  EXPECT_EQ(format_duration(seconds{90}), "90s");
  EXPECT_EQ(format_duration(seconds{900}), "15m");
  EXPECT_EQ(format_duration(seconds{7200}), "2h");
  EXPECT_EQ(format_duration(seconds{5 * 86400}), "5d");
  EXPECT_EQ(format_duration(seconds{86400 + 3600}), "25h");
  EXPECT_EQ(format_duration(seconds{-60}), "-1m");
  EXPECT_EQ(format_duration(seconds{std::numeric_limits<std::int64_t>::min()}),
            "-9223372036854775808s");
}

TEST(FormatSize, LargestExactUnit) {
  EXPECT_EQ(format_size(0), "0B");
  EXPECT_EQ(format_size(35'000'000), "35MB");
  EXPECT_EQ(format_size(1024 * 1024), "1MiB");
  EXPECT_EQ(format_size(1536), "1536B");
  EXPECT_EQ(format_size(3000), "3KB");
  EXPECT_EQ(format_size(1'000'000'000), "1GB");
}

TEST(Units, RoundTrip) {
  for (std::int64_t s : {0, 1, 59, 60, 61, 3600, 86399, 86400, 1234567}) {
    EXPECT_EQ(*parse_duration(format_duration(seconds{s})), seconds{s});
  }
  for (std::uint64_t b :
       std::initializer_list<std::uint64_t>{0, 1, 999, 1000, 1024, 35'000'000, 1ull << 40,
                                            std::numeric_limits<std::uint64_t>::max()}) {
    EXPECT_EQ(*parse_size(format_size(b)), b);
  }
}

}  // namespace
}  // namespace herald::base
