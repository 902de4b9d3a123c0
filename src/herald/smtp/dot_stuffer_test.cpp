// Tests for smtp::DotStuffer: dot-doubling, line-end normalisation, the
// terminator, and every SMTP smuggling sequence cut at every point: the
// output never holds an end of data before the real one, however split.
#include "herald/smtp/dot_stuffer.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace herald::smtp {
namespace {

using namespace std::string_literals;

std::string stuff(std::string_view input) {
  DotStuffer s;
  std::string out;
  s.feed(input, out);
  s.finish(out);
  return out;
}

std::string stuff_split(std::string_view input, const std::vector<std::size_t>& cuts) {
  DotStuffer s;
  std::string out;
  std::size_t start = 0;
  for (std::size_t cut : cuts) {
    s.feed(input.substr(start, cut - start), out);
    start = cut;
  }
  s.feed(input.substr(start), out);
  s.finish(out);
  return out;
}

// The wire form every encoding must have: CRLF lines only, no line that is
// a lone "." except the last one, ending in CRLF "." CRLF.
void expect_safe(const std::string& out) {
  ASSERT_GE(out.size(), 3u);
  ASSERT_EQ(out.substr(out.size() - 3), ".\r\n");
  if (out.size() > 3) {
    ASSERT_EQ(out.substr(out.size() - 5), "\r\n.\r\n");
  }
  const std::string body = out.substr(0, out.size() - 3);
  for (std::size_t i = 0; i < body.size(); ++i) {
    if (body[i] == '\r') {
      ASSERT_TRUE(i + 1 < body.size() && body[i + 1] == '\n') << i;
    }
    if (body[i] == '\n') {
      ASSERT_TRUE(i > 0 && body[i - 1] == '\r') << i;
    }
  }
  EXPECT_EQ(body.find("\r\n.\r\n"), std::string::npos);
  EXPECT_NE(body.substr(0, 3), ".\r\n");
  EXPECT_EQ(body.find('\0'), std::string::npos) << "a NUL left Herald";
}

TEST(DotStuffer, PlainLinesPassThrough) {
  EXPECT_EQ(stuff("Subject: x\r\n\r\nhello\r\n"), "Subject: x\r\n\r\nhello\r\n.\r\n");
}

TEST(DotStuffer, EmptyMessage) {
  EXPECT_EQ(stuff(""), ".\r\n");
}

TEST(DotStuffer, LastLineGetsItsEnd) {
  EXPECT_EQ(stuff("a\r\nb"), "a\r\nb\r\n.\r\n");
}

TEST(DotStuffer, LeadingDotsDoubled) {
  EXPECT_EQ(stuff(".a\r\n..b\r\nc.d\r\n.\r\n."), "..a\r\n...b\r\nc.d\r\n..\r\n..\r\n.\r\n");
  EXPECT_EQ(stuff("."), "..\r\n.\r\n");
}

TEST(DotStuffer, BareLineEndsBecomeCrlf) {
  EXPECT_EQ(stuff("a\nb\rc\r\n"), "a\r\nb\r\nc\r\n.\r\n");
  EXPECT_EQ(stuff("a\r\r\nb"), "a\r\n\r\nb\r\n.\r\n");  // CR, then CRLF
  EXPECT_EQ(stuff("a\n\rb"), "a\r\n\r\nb\r\n.\r\n");    // LF, then CR
  EXPECT_EQ(stuff("\n"), "\r\n.\r\n");
  EXPECT_EQ(stuff("\r"), "\r\n.\r\n");
}

TEST(DotStuffer, EightBitPassesThrough) {
  EXPECT_EQ(stuff("caf\xc3\xa9 x\r\n"), "caf\xc3\xa9 x\r\n.\r\n");
}

TEST(DotStuffer, NulIsNeverWrittenAndIsReported) {
  DotStuffer s;
  std::string out;
  s.feed("caf\xc3\xa9\0x\r\n"s, out);
  EXPECT_TRUE(s.saw_nul());
  s.finish(out);
  EXPECT_EQ(out, "caf\xc3\xa9x\r\n.\r\n");
  EXPECT_FALSE(s.saw_nul());  // finish() starts a new message
  s.feed("clean\r\n", out);
  EXPECT_FALSE(s.saw_nul());
  // CRLF NUL "." CRLF: with the NUL gone the dot starts its line, so it is
  // stuffed; a receiver that dropped NULs itself sees ".." -> "." content.
  EXPECT_EQ(stuff("a\r\n\0.\r\nb"s), "a\r\n..\r\nb\r\n.\r\n");
  EXPECT_EQ(stuff("a\r\n.\0\r\nb"s), "a\r\n..\r\nb\r\n.\r\n");
  EXPECT_EQ(stuff("a\r\0\nb"s), "a\r\nb\r\n.\r\n");  // still one line end
  EXPECT_EQ(stuff("\0"s), ".\r\n");
}

TEST(DotStuffer, ReusableAfterFinish) {
  DotStuffer s;
  std::string out;
  s.feed("a", out);
  s.finish(out);
  s.feed(".b", out);
  s.finish(out);
  EXPECT_EQ(out, "a\r\n.\r\n..b\r\n.\r\n");
  s.feed("x", out);
  s.reset();
  out.clear();
  s.feed(".", out);
  s.finish(out);
  EXPECT_EQ(out, "..\r\n.\r\n");
}

// The published SMTP smuggling shapes and their relatives, each embedded
// where a second message would follow.
const std::vector<std::string>& smuggling_inputs() {
  static const std::vector<std::string> inputs = {
      "a\n.\nMAIL FROM:<x@y>\n",
      "a\r.\rMAIL FROM:<x@y>\r",
      "a\n.\r\nMAIL FROM:<x@y>\r\n",
      "a\r\n.\nMAIL FROM:<x@y>\r\n",
      "a\r.\r\nMAIL FROM:<x@y>\r\n",
      "a\r\n.\rMAIL FROM:<x@y>\r\n",
      "a\n.\rMAIL\r\n",
      "a\r.\nMAIL\r\n",
      "a\r\n.\r\nMAIL FROM:<x@y>\r\n",
      ".\r\nMAIL\r\n",
      ".\nMAIL\n",
      ".\rMAIL\r",
      "\r\n.\r\n",
      "\n.\n",
      "\r.\r",
      "a\r\n.\r\r\n",
      "a\r\n\r.\n\r\n",
      "a\r\r\n.\r\r\n",
      "a\n\r.\n\r",
      "..\r\n.\r\n..\n.\n",
      "a\r\n.",
      "a\r\n.\r",
      "a\r\n\0.\r\nMAIL FROM:<x@y>\r\n"s,
      "a\r\n.\0\r\nMAIL FROM:<x@y>\r\n"s,
      "a\r\n\0.\0\r\nMAIL\r\n"s,
      "a\n\0.\n\0MAIL\r\n"s,
      "a\r\0.\r\0MAIL\r\n"s,
      "\0.\r\nMAIL\r\n"s,
      "a\r\n\0\0.\0\r\0\n\0"s,
  };
  return inputs;
}

TEST(DotStufferSmuggling, WholeInputsAreSafe) {
  for (const std::string& in : smuggling_inputs()) {
    SCOPED_TRACE(testing::PrintToString(in));
    expect_safe(stuff(in));
  }
  EXPECT_EQ(stuff("a\n.\nb"), "a\r\n..\r\nb\r\n.\r\n");
  EXPECT_EQ(stuff("a\r.\rb"), "a\r\n..\r\nb\r\n.\r\n");
  EXPECT_EQ(stuff("a\r\n.\nb"), "a\r\n..\r\nb\r\n.\r\n");
}

TEST(DotStufferSmuggling, EveryTwoAndThreeWaySplit) {
  for (const std::string& in : smuggling_inputs()) {
    SCOPED_TRACE(testing::PrintToString(in));
    const std::string whole = stuff(in);
    for (std::size_t i = 0; i <= in.size(); ++i) {
      ASSERT_EQ(stuff_split(in, {i}), whole) << "cut " << i;
      for (std::size_t j = i; j <= in.size(); ++j) {
        ASSERT_EQ(stuff_split(in, {i, j}), whole) << "cuts " << i << "," << j;
      }
    }
  }
}

TEST(DotStuffer, ByteAtATimeOnARandomishMessage) {
  std::string in;
  const char alphabet[] = {'.', '\r', '\n', 'a', '.', '\n', '\r', ' ', '\0'};
  unsigned x = 12345;
  for (int i = 0; i < 5000; ++i) {
    x = x * 1103515245u + 12345u;
    in += alphabet[(x >> 16) % sizeof(alphabet)];
  }
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < in.size(); ++i) cuts.push_back(i);
  const std::string whole = stuff(in);
  EXPECT_EQ(stuff_split(in, cuts), whole);
  expect_safe(whole);
}

}  // namespace
}  // namespace herald::smtp
