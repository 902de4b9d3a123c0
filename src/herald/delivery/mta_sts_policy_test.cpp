// Tests for delivery::mta_sts_policy: the RFC 8461 examples, record and
// policy edge cases, and the MX pattern rules of §4.1.
#include "herald/delivery/mta_sts_policy.hpp"

#include <gtest/gtest.h>

namespace herald::delivery {
namespace {

#define EXPECT_ERROR(result, needle)                                                     \
  do {                                                                                   \
    auto r_ = (result);                                                                  \
    ASSERT_FALSE(r_.ok());                                                               \
    EXPECT_NE(r_.error().message.find(needle), std::string::npos) << r_.error().message; \
  } while (0)

TEST(StsRecord, RfcExample) {
  auto r = parse_sts_record("v=STSv1; id=20160831085700Z;");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->id, "20160831085700Z");
}

TEST(StsRecord, SeparatorsAndExtensions) {
  EXPECT_EQ(parse_sts_record("v=STSv1;id=abc").value().id, "abc");
  EXPECT_EQ(parse_sts_record("v=STSv1 ;\tid=abc ; ext_1=v.a-l:ue ;").value().id, "abc");
  EXPECT_EQ(parse_sts_record("v=STSv1; x=1; id=Z9").value().id, "Z9");
  EXPECT_EQ(parse_sts_record("v=STSv1; id=" + std::string(32, 'a')).value().id,
            std::string(32, 'a'));
}

TEST(StsRecord, Invalid) {
  EXPECT_ERROR(parse_sts_record("v=STSv1;"), "no id");
  EXPECT_ERROR(parse_sts_record("v=STSv1"), "no id");
  EXPECT_ERROR(parse_sts_record("v=STSv2; id=1"), "does not start with v=STSv1");
  EXPECT_ERROR(parse_sts_record("id=1; v=STSv1"), "does not start with v=STSv1");
  EXPECT_ERROR(parse_sts_record("v=stsv1; id=1"), "does not start with v=STSv1");
  EXPECT_ERROR(parse_sts_record("v=STSv1; id="), "1 to 32");
  EXPECT_ERROR(parse_sts_record("v=STSv1; id=" + std::string(33, 'a')), "1 to 32");
  EXPECT_ERROR(parse_sts_record("v=STSv1; id=2016-08-31"), "1 to 32");
  EXPECT_ERROR(parse_sts_record("v=STSv1; id=1; id=2"), "two id");
  EXPECT_ERROR(parse_sts_record("v=STSv1; id=1; bogus"), "not name=value");
  EXPECT_ERROR(parse_sts_record("v=STSv1; id=1; _x=1"), "malformed");
  EXPECT_ERROR(parse_sts_record("v=STSv1; id=1;; x=1"), "not name=value");
}

TEST(StsRecord, SelectExactlyOne) {
  const std::vector<std::string> one{"v=spf1 -all", "v=STSv1; id=A1"};
  EXPECT_EQ(select_sts_record(one).value().id, "A1");
  const std::vector<std::string> two{"v=STSv1; id=A1", "v=STSv1; id=A2"};
  EXPECT_ERROR(select_sts_record(two), "exactly one");
  const std::vector<std::string> none{"v=spf1 -all"};
  EXPECT_ERROR(select_sts_record(none), "no TXT record");
  EXPECT_ERROR(select_sts_record(std::vector<std::string>{}), "no TXT record");
  // One candidate that is malformed: still no policy.
  const std::vector<std::string> bad{"v=STSv1; id=not-valid"};
  EXPECT_FALSE(select_sts_record(bad).ok());
}

constexpr const char* kRfcPolicy =
    "version: STSv1\r\n"
    "mode: enforce\r\n"
    "mx: mail.example.com\r\n"
    "mx: *.example.net\r\n"
    "mx: backupmx.example.com\r\n"
    "max_age: 604800\r\n";

TEST(StsPolicy, RfcExampleWithCrlf) {
  auto p = parse_sts_policy(kRfcPolicy);
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->mode, StsMode::enforce);
  EXPECT_EQ(p->max_age, std::chrono::seconds{604800});
  EXPECT_EQ(p->mx, (std::vector<std::string>{"mail.example.com", "*.example.net",
                                             "backupmx.example.com"}));
  ASSERT_EQ(p->lines.size(), 6u);
  EXPECT_EQ(p->lines[0], "version: STSv1");
}

TEST(StsPolicy, LfOnlyNoFinalNewlineExtraSpacesUnknownKeys) {
  auto p = parse_sts_policy(
      "version:STSv1\nmode:   testing  \nmx: MX.Example.NET.\nfuture_key: whatever\n"
      "\nmax_age: 0");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->mode, StsMode::testing);
  EXPECT_EQ(p->max_age, std::chrono::seconds{0});
  EXPECT_EQ(p->mx, (std::vector<std::string>{"mx.example.net"}));
}

TEST(StsPolicy, ModeNoneNeedsNoMx) {
  auto p = parse_sts_policy("version: STSv1\nmode: none\nmax_age: 86400\n");
  ASSERT_TRUE(p.ok()) << p.error().message;
  EXPECT_EQ(p->mode, StsMode::none);
  EXPECT_TRUE(p->mx.empty());
}

TEST(StsPolicy, MissingOrWrongKeys) {
  EXPECT_ERROR(parse_sts_policy("mode: enforce\nmx: a.example\nmax_age: 1\n"), "no version");
  EXPECT_ERROR(parse_sts_policy("version: STSv1\nmx: a.example\nmax_age: 1\n"), "no mode");
  EXPECT_ERROR(parse_sts_policy("version: STSv1\nmode: enforce\nmx: a.example\n"), "no max_age");
  EXPECT_ERROR(parse_sts_policy("version: STSv1\nmode: enforce\nmax_age: 1\n"), "no mx");
  EXPECT_ERROR(parse_sts_policy("version: STSv2\nmode: enforce\nmx: a\nmax_age: 1\n"),
               "only STSv1");
  EXPECT_ERROR(parse_sts_policy("version: STSv1\nmode: Enforce\nmx: a\nmax_age: 1\n"),
               "enforce, testing or none");
  EXPECT_ERROR(parse_sts_policy("version: STSv1\nmode: enforce\nmode: none\nmx: a\nmax_age: 1\n"),
               "sets mode twice");
  EXPECT_ERROR(parse_sts_policy("version: STSv1\nmode enforce\nmx: a\nmax_age: 1\n"),
               "line 2 of the MTA-STS policy is not");
  EXPECT_ERROR(parse_sts_policy(""), "no version");
}

TEST(StsPolicy, BadMaxAge) {
  const std::string head = "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: ";
  EXPECT_ERROR(parse_sts_policy(head + "-1\n"), "not a number");
  EXPECT_ERROR(parse_sts_policy(head + "1d\n"), "not a number");
  EXPECT_ERROR(parse_sts_policy(head + "\n"), "not a number");
  EXPECT_ERROR(parse_sts_policy(head + "12345678901\n"), "not a number");  // 11 digits
  EXPECT_ERROR(parse_sts_policy(head + "31557601\n"), "above the maximum");
  EXPECT_EQ(parse_sts_policy(head + "31557600\n").value().max_age, kMaxStsMaxAge);
}

TEST(StsPolicy, BadMxPatterns) {
  const std::string head = "version: STSv1\nmode: enforce\nmax_age: 1\nmx: ";
  EXPECT_ERROR(parse_sts_policy(head + "mail.*.example\n"), "not a host name pattern");
  EXPECT_ERROR(parse_sts_policy(head + "*mail.example\n"), "not a host name pattern");
  EXPECT_ERROR(parse_sts_policy(head + "*.\n"), "not a host name pattern");
  EXPECT_ERROR(parse_sts_policy(head + "a..example\n"), "not a host name pattern");
  EXPECT_ERROR(parse_sts_policy(head + "\n"), "not a host name pattern");
  EXPECT_ERROR(parse_sts_policy(head + "a b.example\n"), "not a host name pattern");
}

TEST(StsPolicy, SizeLimit) {
  std::string text = "version: STSv1\nmode: enforce\nmx: a.example\nmax_age: 1\n";
  text += "x: " + std::string(kMaxStsPolicySize, 'a') + "\n";
  EXPECT_ERROR(parse_sts_policy(text), "64 KiB");
}

TEST(MxMatch, ExactAndWildcard) {
  EXPECT_TRUE(mx_pattern_matches("mail.example.com", "mail.example.com"));
  EXPECT_TRUE(mx_pattern_matches("mail.example.com", "MAIL.Example.COM."));
  EXPECT_FALSE(mx_pattern_matches("mail.example.com", "mail2.example.com"));
  EXPECT_FALSE(mx_pattern_matches("mail.example.com", "example.com"));
  // RFC 8461 §4.1: one label, the leftmost, and only that.
  EXPECT_TRUE(mx_pattern_matches("*.example.net", "mx1.example.net"));
  EXPECT_TRUE(mx_pattern_matches("*.Example.NET", "Mx1.example.net."));
  EXPECT_FALSE(mx_pattern_matches("*.example.net", "example.net"));
  EXPECT_FALSE(mx_pattern_matches("*.example.net", "a.b.example.net"));
  EXPECT_FALSE(mx_pattern_matches("*.example.net", "xexample.net"));
  EXPECT_FALSE(mx_pattern_matches("*.example.net", ".example.net"));
  EXPECT_FALSE(mx_pattern_matches("*.example.net", ""));
}

TEST(MxMatch, Policy) {
  auto p = parse_sts_policy(kRfcPolicy).value();
  EXPECT_TRUE(mx_matches(p, "mail.example.com"));
  EXPECT_TRUE(mx_matches(p, "backupmx.example.com"));
  EXPECT_TRUE(mx_matches(p, "mx9.example.net"));
  EXPECT_FALSE(mx_matches(p, "evil.example.org"));
  EXPECT_FALSE(mx_matches(p, "a.mail.example.com"));
}

}  // namespace
}  // namespace herald::delivery
