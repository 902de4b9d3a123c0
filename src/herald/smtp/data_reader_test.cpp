// Tests for smtp::DataReader and smtp::BdatReader: dot-unstuffing, every
// fragmentation of the input, the SMTP smuggling sequences (none may end a
// message), and the line and size limits.
#include "herald/smtp/data_reader.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace herald::smtp {
namespace {

using namespace std::string_literals;

struct Outcome {
  std::string content;
  std::size_t consumed = 0;
  bool done = false;
  ReadStatus status = ReadStatus::ok;
};

// Feeds `input` cut at the given offsets (ascending), like separate reads.
Outcome read_split(std::string_view input, const std::vector<std::size_t>& cuts,
                   std::uint64_t max_size = 1 << 20, std::size_t max_line = 1000) {
  DataReader reader(max_size, max_line);
  Outcome out;
  std::size_t start = 0;
  std::vector<std::size_t> ends = cuts;
  ends.push_back(input.size());
  for (std::size_t end : ends) {
    std::string_view piece = input.substr(start, end - start);
    start = end;
    const std::size_t before = out.content.size();
    const std::size_t n = reader.feed(piece, out.content);
    // A CR held back from the previous piece may come out now, so one more.
    EXPECT_LE(out.content.size() - before, n + 1);
    out.consumed += n;
    EXPECT_LE(out.content.size(), out.consumed);  // never more out than in
    if (reader.done()) break;
    EXPECT_EQ(n, piece.size());  // not done: everything offered is consumed
  }
  out.done = reader.done();
  out.status = reader.status();
  return out;
}

Outcome read_all(std::string_view input, std::uint64_t max_size = 1 << 20,
                 std::size_t max_line = 1000) {
  return read_split(input, {}, max_size, max_line);
}

Outcome read_bytewise(std::string_view input) {
  std::vector<std::size_t> cuts;
  for (std::size_t i = 1; i < input.size(); ++i) cuts.push_back(i);
  return read_split(input, cuts);
}

struct Case {
  std::string wire;
  std::string content;
};

const std::vector<Case>& cases() {
  static const std::vector<Case> kCases{
      {".\r\n", ""},
      {"\r\n.\r\n", "\r\n"},
      {"Subject: hi\r\n\r\nHello\r\n.\r\n", "Subject: hi\r\n\r\nHello\r\n"},
      {"..\r\n.\r\n", ".\r\n"},
      {"..dot\r\n...\r\n.\r\n", ".dot\r\n..\r\n"},
      {".x\r\n.\r\n", "x\r\n"},
      {"a.\r\n.b\r\n. \r\n.\r\n", "a.\r\nb\r\n \r\n"},
      {"line\r\n..\r\n..\r\n.\r\n", "line\r\n.\r\n.\r\n"},
      {"\x80\xFF\x01 8bit\r\n.\r\n", "\x80\xFF\x01 8bit\r\n"},
  };
  return kCases;
}

TEST(DataReader, WholeMessages) {
  for (const Case& c : cases()) {
    const Outcome o = read_all(c.wire);
    EXPECT_TRUE(o.done) << c.wire;
    EXPECT_EQ(o.status, ReadStatus::ok) << c.wire;
    EXPECT_EQ(o.content, c.content) << c.wire;
    EXPECT_EQ(o.consumed, c.wire.size());
  }
}

TEST(DataReader, EveryTwoWaySplit) {
  for (const Case& c : cases()) {
    for (std::size_t i = 0; i <= c.wire.size(); ++i) {
      const Outcome o = read_split(c.wire, {i});
      EXPECT_TRUE(o.done) << c.wire << " cut at " << i;
      EXPECT_EQ(o.content, c.content) << c.wire << " cut at " << i;
      EXPECT_EQ(o.consumed, c.wire.size());
    }
  }
}

TEST(DataReader, EveryThreeWaySplit) {
  for (const Case& c : cases()) {
    for (std::size_t i = 0; i <= c.wire.size(); ++i) {
      for (std::size_t j = i; j <= c.wire.size(); ++j) {
        const Outcome o = read_split(c.wire, {i, j});
        EXPECT_TRUE(o.done);
        EXPECT_EQ(o.content, c.content) << c.wire << " cut at " << i << "," << j;
      }
    }
  }
}

TEST(DataReader, ByteAtATime) {
  for (const Case& c : cases()) {
    const Outcome o = read_bytewise(c.wire);
    EXPECT_TRUE(o.done);
    EXPECT_EQ(o.content, c.content);
  }
}

TEST(DataReader, StopsRightAfterTerminator) {
  const std::string wire = "a\r\n.\r\nMAIL FROM:<x@example.com>\r\n";
  DataReader reader(1000, 1000);
  std::string out;
  EXPECT_EQ(reader.feed(wire, out), 6u);
  EXPECT_TRUE(reader.done());
  EXPECT_EQ(out, "a\r\n");
  EXPECT_EQ(reader.feed("more", out), 0u);  // done: consumes nothing more
}

TEST(DataReader, ResetStartsANewMessage) {
  DataReader reader(1000, 1000);
  std::string out;
  reader.feed("x\ny\r\n.\r\n", out);
  EXPECT_EQ(reader.status(), ReadStatus::bare_newline);
  reader.reset();
  out.clear();
  reader.feed(".\r\n", out);
  EXPECT_TRUE(reader.done());
  EXPECT_EQ(reader.status(), ReadStatus::ok);
  EXPECT_EQ(reader.size(), 0u);
}

TEST(DataReader, LargeMessageStreams) {
  std::string body;
  for (int i = 0; i < 20000; ++i) body += "line " + std::to_string(i) + " of text\r\n";
  const std::string wire = body + ".\r\n";
  DataReader reader(1 << 30, 1000);
  std::string out;
  std::size_t pos = 0;
  while (!reader.done()) {
    std::string piece;
    const std::size_t n = reader.feed(std::string_view(wire).substr(pos, 4093), piece);
    EXPECT_LE(piece.size(), 4094u);  // bounded by what was offered (+ a held CR)
    out += piece;
    pos += n;
  }
  EXPECT_EQ(pos, wire.size());
  EXPECT_EQ(out, body);
  EXPECT_EQ(reader.size(), body.size());
}

// ---- smuggling ------------------------------------------------------------
// Each sequence is one that some MTA once took as end of data. Here it must
// not end the message: a smuggled "MAIL FROM" after it stays content, the
// message ends only at the real CRLF.CRLF, and the status says why it is bad.

void expect_no_early_end(const std::string& sequence, ReadStatus expected) {
  const std::string wire =
      "Subject: one\r\n\r\nbody" + sequence + "MAIL FROM:<evil@example.com>\r\n" + "tail\r\n.\r\n";
  // Byte at a time: done() must stay false until the very last octet.
  DataReader reader(1 << 20, 1000);
  std::string out;
  for (std::size_t i = 0; i < wire.size(); ++i) {
    ASSERT_FALSE(reader.done()) << "ended early at octet " << i;
    EXPECT_EQ(reader.feed(wire.substr(i, 1), out), 1u);
  }
  EXPECT_TRUE(reader.done());
  EXPECT_EQ(reader.status(), expected);
  // And in every two-way split.
  for (std::size_t i = 0; i <= wire.size(); ++i) {
    const Outcome o = read_split(wire, {i});
    EXPECT_TRUE(o.done);
    EXPECT_EQ(o.consumed, wire.size()) << "cut at " << i;
    EXPECT_EQ(o.status, expected);
  }
}

TEST(DataReaderSmuggling, LfDotLf) {
  expect_no_early_end("\n.\n", ReadStatus::bare_newline);
}
TEST(DataReaderSmuggling, CrDotCr) {
  expect_no_early_end("\r.\r", ReadStatus::bare_newline);
}
TEST(DataReaderSmuggling, CrDotLf) {
  expect_no_early_end("\r.\n", ReadStatus::bare_newline);
}
TEST(DataReaderSmuggling, LfDotCr) {
  expect_no_early_end("\n.\r", ReadStatus::bare_newline);
}
TEST(DataReaderSmuggling, LfDotCrLf) {
  expect_no_early_end("\n.\r\n", ReadStatus::bare_newline);
}
TEST(DataReaderSmuggling, CrLfDotLf) {
  expect_no_early_end("\r\n.\n", ReadStatus::bare_newline);
}
TEST(DataReaderSmuggling, CrDotCrLf) {
  expect_no_early_end("\r.\r\n", ReadStatus::bare_newline);
}
TEST(DataReaderSmuggling, CrLfDotCr) {
  expect_no_early_end("\r\n.\r", ReadStatus::bare_newline);
}
TEST(DataReaderSmuggling, CrLfDotCrCrLf) {
  expect_no_early_end("\r\n.\r\r\n", ReadStatus::bare_newline);
}
// NUL is not a line ending, so "\0." is not a line holding only a dot and
// nothing ends there; but a receiver that drops NULs would see CRLF "."
// CRLF, so the message is refused (and never relayed) all the same.
TEST(DataReaderSmuggling, NulBeforeDot) {
  expect_no_early_end("\r\n\0.\r\n"s, ReadStatus::nul);
}
TEST(DataReaderSmuggling, NulAfterDot) {
  expect_no_early_end("\r\n.\0\r\n"s, ReadStatus::nul);
}
TEST(DataReaderSmuggling, NulBeforeAndAfterDot) {
  expect_no_early_end("\r\n\0.\0\r\n"s, ReadStatus::nul);
}
TEST(DataReaderSmuggling, NulInsideALine) {
  expect_no_early_end("in\0side\r\n"s, ReadStatus::nul);
}
TEST(DataReaderSmuggling, NulAloneOnALine) {
  expect_no_early_end("\r\n\0\r\n"s, ReadStatus::nul);
}
TEST(DataReader, NulEmitsNothingFromItOn) {
  const Outcome o = read_all("good\r\nba\0d\r\n.\r\n"s);
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.status, ReadStatus::nul);
  EXPECT_EQ(o.content, "good\r\nba");
  // Every fragmentation gives the same verdict and the same content.
  const std::string wire = "a\r\n\0.\r\nb\r\n.\r\n"s;
  for (std::size_t i = 0; i <= wire.size(); ++i) {
    for (std::size_t j = i; j <= wire.size(); ++j) {
      const Outcome split = read_split(wire, {i, j});
      EXPECT_TRUE(split.done);
      EXPECT_EQ(split.status, ReadStatus::nul) << i << "," << j;
      EXPECT_EQ(split.content, "a\r\n") << i << "," << j;
    }
  }
}
TEST(DataReaderSmuggling, SpaceAfterDot) {
  expect_no_early_end("\r\n. \r\n", ReadStatus::ok);
}
TEST(DataReaderSmuggling, BareLfAtStart) {
  const Outcome o = read_all("\n.\n.\r\n");
  EXPECT_FALSE(o.done);  // "\n.\n" then ".\r\n" is not at a line start
  EXPECT_EQ(o.status, ReadStatus::bare_newline);
}
TEST(DataReaderSmuggling, BadMessageEmitsNothingAfterTheProblem) {
  const Outcome o = read_all("good\r\nbad\n.\nMAIL FROM:<x@example.com>\r\n.\r\n");
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.status, ReadStatus::bare_newline);
  EXPECT_EQ(o.content, "good\r\nbad");  // what came before the bare LF only
}

// ---- limits ---------------------------------------------------------------

TEST(DataReader, LineLimitIncludesCrLf) {
  const std::string ok_line(998, 'x');
  Outcome o = read_all(ok_line + "\r\n.\r\n");
  EXPECT_EQ(o.status, ReadStatus::ok);
  EXPECT_EQ(o.content.size(), 1000u);
  o = read_all(std::string(999, 'x') + "\r\nnext\r\n.\r\n");
  EXPECT_TRUE(o.done);
  EXPECT_EQ(o.status, ReadStatus::line_too_long);
  EXPECT_LT(o.content.size(), 1000u);
}

TEST(DataReader, LineLimitCountsUnstuffedContent) {
  // The stuffing dot is not part of the line as stored.
  const Outcome o = read_all("." + std::string(998, '.') + "\r\n.\r\n");
  EXPECT_EQ(o.status, ReadStatus::ok);
  EXPECT_EQ(o.content.size(), 1000u);
}

TEST(DataReader, LineLimitAcrossFragments) {
  const std::string wire = std::string(600, 'a') + std::string(600, 'b') + "\r\n.\r\n";
  for (std::size_t cut : {1u, 500u, 600u, 999u, 1000u, 1199u}) {
    EXPECT_EQ(read_split(wire, {cut}).status, ReadStatus::line_too_long);
  }
}

TEST(DataReader, SizeLimit) {
  Outcome o = read_all("12345678\r\n.\r\n", 10);
  EXPECT_EQ(o.status, ReadStatus::ok);
  EXPECT_EQ(o.content, "12345678\r\n");
  o = read_all("123456789\r\nmore\r\nand more\r\n.\r\n", 10);
  EXPECT_TRUE(o.done);  // keeps consuming up to the terminator
  EXPECT_EQ(o.status, ReadStatus::too_big);
  EXPECT_LE(o.content.size(), 10u);
}

TEST(DataReader, FirstProblemWins) {
  EXPECT_EQ(read_all("a\nb" + std::string(2000, 'x') + "\r\n.\r\n").status,
            ReadStatus::bare_newline);
  EXPECT_EQ(read_all(std::string(2000, 'x') + "\nb\r\n.\r\n").status, ReadStatus::line_too_long);
  EXPECT_EQ(read_all("12345678901234\r\na\nb\r\n.\r\n", 10).status, ReadStatus::too_big);
  EXPECT_EQ(read_all("a\0b\nc\r\n.\r\n"s).status, ReadStatus::nul);
  EXPECT_EQ(read_all("a\nb\0c\r\n.\r\n"s).status, ReadStatus::bare_newline);
}

// ---- BDAT -----------------------------------------------------------------

TEST(BdatReader, CountsExactOctets) {
  BdatReader reader(1000, 1000);
  reader.begin_chunk(7);
  std::string out;
  EXPECT_EQ(reader.feed("..a\r\n.\r\nQUIT\r\n", out), 7u);
  EXPECT_EQ(out, "..a\r\n.\r");  // raw: no unstuffing, no terminator
  EXPECT_EQ(reader.remaining(), 0u);
  EXPECT_EQ(reader.feed("more", out), 0u);
  reader.begin_chunk(1);
  EXPECT_EQ(reader.feed("\nX", out), 1u);
  reader.finish();
  EXPECT_EQ(reader.status(), ReadStatus::ok);
  EXPECT_EQ(reader.size(), 8u);
}

TEST(BdatReader, ZeroChunk) {
  BdatReader reader(1000, 1000);
  reader.begin_chunk(0);
  std::string out;
  EXPECT_EQ(reader.feed("abc", out), 0u);
  reader.finish();
  EXPECT_EQ(reader.status(), ReadStatus::ok);
  EXPECT_TRUE(out.empty());
}

ReadStatus bdat_chunks(const std::vector<std::string>& chunks, std::uint64_t max_size = 1000,
                       std::size_t max_line = 1000) {
  BdatReader reader(max_size, max_line);
  std::string out;
  for (const std::string& c : chunks) {
    reader.begin_chunk(c.size());
    // Byte at a time, as the worst fragmentation.
    for (std::size_t i = 0; i < c.size(); ++i) EXPECT_EQ(reader.feed(c.substr(i, 1), out), 1u);
  }
  reader.finish();
  return reader.status();
}

TEST(BdatReader, CrLfSplitAcrossChunks) {
  EXPECT_EQ(bdat_chunks({"a\r", "\nb\r\n"}), ReadStatus::ok);
  EXPECT_EQ(bdat_chunks({"a\r", "b\r\n"}), ReadStatus::bare_newline);
  EXPECT_EQ(bdat_chunks({"a\r\n", "\nb"}), ReadStatus::bare_newline);
  EXPECT_EQ(bdat_chunks({"a\r\nb"}), ReadStatus::ok);  // last line without CRLF is fine
  EXPECT_EQ(bdat_chunks({"a\r\nb\r"}), ReadStatus::bare_newline);
  EXPECT_EQ(bdat_chunks({"a\r\n.\n"}), ReadStatus::bare_newline);
  EXPECT_EQ(bdat_chunks({"a\r\r\n"}), ReadStatus::bare_newline);
}

TEST(BdatReader, NulAnywhereInAnyChunk) {
  EXPECT_EQ(bdat_chunks({"a\r\n\0.\r\nb\r\n"s}), ReadStatus::nul);
  EXPECT_EQ(bdat_chunks({"a\r\n", "\0"s, ".\r\nb\r\n"}), ReadStatus::nul);
  EXPECT_EQ(bdat_chunks({"a\r\n.\0\r\n"s}), ReadStatus::nul);
  EXPECT_EQ(bdat_chunks({"a\r", "\0\n"s}), ReadStatus::bare_newline);  // the CR came first
  EXPECT_EQ(bdat_chunks({"abc", "de\0"s}), ReadStatus::nul);
  // Withheld from the output like any other refused content.
  BdatReader reader(1000, 1000);
  std::string out;
  const std::string chunk = "ok\r\nno\0\r\n"s;
  reader.begin_chunk(chunk.size());
  EXPECT_EQ(reader.feed(chunk, out), chunk.size());
  reader.finish();
  EXPECT_EQ(reader.status(), ReadStatus::nul);
  EXPECT_TRUE(out.empty());
}

TEST(BdatReader, LineLimitAcrossChunks) {
  EXPECT_EQ(bdat_chunks({std::string(500, 'a'), std::string(498, 'b') + "\r\n"}), ReadStatus::ok);
  EXPECT_EQ(bdat_chunks({std::string(500, 'a'), std::string(499, 'b') + "\r\n"}),
            ReadStatus::line_too_long);
  EXPECT_EQ(bdat_chunks({std::string(999, 'a')}), ReadStatus::line_too_long);
}

TEST(BdatReader, SizeLimitAcrossChunks) {
  EXPECT_EQ(bdat_chunks({"12345", "67890"}, 10), ReadStatus::ok);
  EXPECT_EQ(bdat_chunks({"12345", "67890", "1"}, 10), ReadStatus::too_big);
  BdatReader reader(4, 1000);
  std::string out;
  reader.begin_chunk(6);
  EXPECT_EQ(reader.feed("abcdef", out), 6u);  // consumed even when over the limit
  EXPECT_EQ(reader.status(), ReadStatus::too_big);
  EXPECT_TRUE(out.empty());
}

}  // namespace
}  // namespace herald::smtp
