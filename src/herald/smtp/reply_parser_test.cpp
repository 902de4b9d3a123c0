// Tests for smtp::ReplyParser: single and multi-line replies, enhanced
// codes, lenient line ends, sanitized text, and every limit and malformed
// line a hostile server might send.
#include "herald/smtp/reply_parser.hpp"

#include <gtest/gtest.h>

#include <string>

namespace herald::smtp {
namespace {

using namespace std::string_literals;

// Parses exactly one reply from `input`, which must be consumed whole.
ServerReply parse_one(std::string_view input, ReplyLimits limits = {}) {
  ReplyParser p(limits);
  EXPECT_EQ(p.feed(input), input.size());
  EXPECT_TRUE(p.done()) << input;
  EXPECT_FALSE(p.failed());
  return p.take();
}

ReplyError parse_error(std::string_view input, ReplyLimits limits = {}) {
  ReplyParser p(limits);
  p.feed(input);
  EXPECT_FALSE(p.done());
  return p.error();
}

TEST(ReplyParser, SingleLineWithEnhancedCode) {
  const ServerReply r = parse_one("250 2.1.0 Sender ok\r\n");
  EXPECT_EQ(r.code, 250);
  EXPECT_EQ(r.enhanced, "2.1.0");
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0], "Sender ok");
  EXPECT_TRUE(r.positive());
  EXPECT_EQ(r.summary(), "250 2.1.0 Sender ok");
}

TEST(ReplyParser, NoTextAndNoEnhancedCode) {
  const ServerReply r = parse_one("354\r\n");
  EXPECT_EQ(r.code, 354);
  EXPECT_TRUE(r.intermediate());
  EXPECT_EQ(r.enhanced, "");
  ASSERT_EQ(r.lines.size(), 1u);
  EXPECT_EQ(r.lines[0], "");
  EXPECT_EQ(parse_one("250 2.0.0\r\n").enhanced, "2.0.0");
  EXPECT_EQ(parse_one("250 2.0.0\r\n").lines[0], "");
}

TEST(ReplyParser, EnhancedCodeOfAnotherClassIsText) {
  const ServerReply r = parse_one("250 5.1.1 odd\r\n");
  EXPECT_EQ(r.enhanced, "");
  EXPECT_EQ(r.lines[0], "5.1.1 odd");
  EXPECT_EQ(parse_one("550 5.1.1000 x\r\n").enhanced, "");  // detail of four digits
  EXPECT_EQ(parse_one("550 5.1.1x y\r\n").enhanced, "");    // not followed by space
  EXPECT_EQ(parse_one("550 5.10.100 y\r\n").enhanced, "5.10.100");
}

TEST(ReplyParser, MultiLine) {
  const ServerReply r =
      parse_one("250-mx.example.com hello\r\n250-PIPELINING\r\n250-SIZE 1000\r\n250 DSN\r\n");
  EXPECT_EQ(r.code, 250);
  EXPECT_EQ(r.lines,
            (std::vector<std::string>{"mx.example.com hello", "PIPELINING", "SIZE 1000", "DSN"}));
  EXPECT_EQ(r.text(), "mx.example.com hello PIPELINING SIZE 1000 DSN");
}

TEST(ReplyParser, MultiLineEnhancedCodesStrippedFromEveryLine) {
  const ServerReply r = parse_one("550-5.1.1 no such user\r\n550 5.1.1 try again\r\n");
  EXPECT_EQ(r.enhanced, "5.1.1");
  EXPECT_EQ(r.lines, (std::vector<std::string>{"no such user", "try again"}));
  EXPECT_EQ(r.summary(), "550 5.1.1 no such user try again");
}

TEST(ReplyParser, EmptyContinuationLine) {
  const ServerReply r = parse_one("250-\r\n250 ok\r\n");
  EXPECT_EQ(r.lines, (std::vector<std::string>{"", "ok"}));
}

TEST(ReplyParser, BareLfAccepted) {
  const ServerReply r = parse_one("250-a\n250 b\n");
  EXPECT_EQ(r.lines, (std::vector<std::string>{"a", "b"}));
}

TEST(ReplyParser, TextIsSanitized) {
  // A CR not before LF, NUL, DEL, tabs and 8-bit octets all become '?'.
  const ServerReply r = parse_one("550 5.7.1 a\rb\0c\x7f\td\xc3\xa9\r\n"s);
  EXPECT_EQ(r.lines[0], "a?b?c??d??");
  for (char c : r.summary()) {
    EXPECT_GE(c, 0x20);
    EXPECT_LE(c, 0x7e);
  }
}

TEST(ReplyParser, ByteAtATimeAndStopsAfterReply) {
  const std::string input = "250-one\r\n250 two\r\n221 bye\r\n";
  ReplyParser p;
  std::size_t pos = 0;
  while (!p.done()) {
    ASSERT_LT(pos, input.size());
    EXPECT_EQ(p.feed(std::string_view(input).substr(pos, 1)), 1u);
    ++pos;
  }
  EXPECT_EQ(pos, 18u);
  EXPECT_EQ(p.feed("more"), 0u);  // nothing consumed until take()
  EXPECT_EQ(p.take().lines, (std::vector<std::string>{"one", "two"}));
  EXPECT_EQ(p.feed(std::string_view(input).substr(pos)), input.size() - pos);
  ASSERT_TRUE(p.done());
  EXPECT_EQ(p.take().code, 221);
}

TEST(ReplyParser, Malformed) {
  EXPECT_EQ(parse_error("25\r\n"), ReplyError::malformed);
  EXPECT_EQ(parse_error("2500 x\r\n"), ReplyError::malformed);
  EXPECT_EQ(parse_error("abc def\r\n"), ReplyError::malformed);
  EXPECT_EQ(parse_error("150 x\r\n"), ReplyError::malformed);
  EXPECT_EQ(parse_error("650 x\r\n"), ReplyError::malformed);
  EXPECT_EQ(parse_error("250x\r\n"), ReplyError::malformed);
  EXPECT_EQ(parse_error("\r\n"), ReplyError::malformed);
  EXPECT_EQ(parse_error(" 250 x\r\n"), ReplyError::malformed);
  EXPECT_EQ(parse_error("250-ok\r\nxyz\r\n"), ReplyError::malformed);
}

TEST(ReplyParser, CodeMismatch) {
  EXPECT_EQ(parse_error("250-a\r\n251 b\r\n"), ReplyError::code_mismatch);
  // The injection shape: a continuation then a different final reply.
  EXPECT_EQ(parse_error("250-a\r\n550 5.1.1 b\r\n"), ReplyError::code_mismatch);
}

TEST(ReplyParser, LineLimitCountsTheLineEnd) {
  ReplyLimits limits;
  limits.max_line = 10;
  EXPECT_EQ(parse_one("250 abcd\r\n", limits).lines[0], "abcd");  // exactly 10
  EXPECT_EQ(parse_one("250 abcde\n", limits).lines[0], "abcde");  // 10 with a bare LF
  EXPECT_EQ(parse_error("250 abcde\r\n", limits), ReplyError::line_too_long);
  // Refused as soon as the limit is passed, without waiting for the LF.
  ReplyParser p(limits);
  EXPECT_EQ(p.feed(std::string(5000, '2')), 10u);
  EXPECT_EQ(p.error(), ReplyError::line_too_long);
  EXPECT_EQ(p.feed("250 ok\r\n"), 0u);  // stuck once failed
}

TEST(ReplyParser, LineLimitAcrossFeeds) {
  ReplyLimits limits;
  limits.max_line = 10;
  ReplyParser p(limits);
  EXPECT_EQ(p.feed("250 ab"), 6u);
  EXPECT_EQ(p.feed("cd"), 2u);
  EXPECT_EQ(p.feed("e\r\n"), 2u);  // the CR is the octet over the limit
  EXPECT_EQ(p.error(), ReplyError::line_too_long);
}

TEST(ReplyParser, TooManyLines) {
  ReplyLimits limits;
  limits.max_lines = 3;
  EXPECT_EQ(parse_one("250-a\r\n250-b\r\n250 c\r\n", limits).lines.size(), 3u);
  EXPECT_EQ(parse_error("250-a\r\n250-b\r\n250-c\r\n250 d\r\n", limits),
            ReplyError::too_many_lines);
}

TEST(ReplyParser, ReplyTooBig) {
  ReplyLimits limits;
  limits.max_reply = 30;
  EXPECT_EQ(parse_error("250-aaaaaaaaaa\r\n250-bbbbbbbbbb\r\n250 c\r\n", limits),
            ReplyError::reply_too_big);
}

TEST(ReplyParser, DefaultLimitsBoundAFlood) {
  std::string flood;
  for (int i = 0; i < 1000; ++i) flood += "250-" + std::string(100, 'x') + "\r\n";
  ReplyParser p;
  const std::size_t used = p.feed(flood);
  EXPECT_TRUE(p.failed());
  EXPECT_LE(used, 64u * 1024 + 2048);
}

TEST(ReplyParser, ResetClearsError) {
  ReplyParser p;
  p.feed("xx\r\n");
  ASSERT_TRUE(p.failed());
  p.reset();
  EXPECT_FALSE(p.failed());
  p.feed("220 ok\r\n");
  EXPECT_TRUE(p.done());
}

TEST(ServerReply, TextIsCut) {
  ServerReply r;
  r.code = 550;
  r.lines = {std::string(50, 'a'), std::string(50, 'b')};
  EXPECT_EQ(r.text(20), std::string(17, 'a') + "...");
  EXPECT_EQ(r.text().size(), 101u);
}

}  // namespace
}  // namespace herald::smtp
