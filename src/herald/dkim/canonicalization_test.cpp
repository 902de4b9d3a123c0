// Tests for dkim::canonicalization: RFC 6376 §3.4.5 vectors, known body
// hashes and fragmentation independence of the streaming hasher.
#include "herald/dkim/canonicalization.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "herald/base/base64.hpp"
#include "herald/dkim/test_vectors.hpp"

namespace herald::dkim {
namespace {

std::string stream_hash(std::string_view body) {
  RelaxedBodyHasher h;
  h.update(body);
  return base::base64_encode(h.finish());
}

std::string whole_hash(std::string_view body) {
  return base::base64_encode(sha256(canonicalize_body_relaxed(body)));
}

TEST(Canonicalization, Rfc6376Section345Headers) {
  EXPECT_EQ(canonicalize_header_relaxed("A: X\r\n"), "a:X\r\n");
  EXPECT_EQ(canonicalize_header_relaxed("B : Y\t\r\n\tZ  \r\n"), "b:Y Z\r\n");
  EXPECT_EQ(canonicalize_header_simple("B : Y\t\r\n\tZ  \r\n"), "B : Y\t\r\n\tZ  \r\n");
  EXPECT_EQ(canonicalize_header_relaxed("Subject:   "), "subject:\r\n");
}

TEST(Canonicalization, Rfc6376Section345Body) {
  const std::string body = " C \r\nD \t E\r\n\r\n\r\n";
  EXPECT_EQ(canonicalize_body_relaxed(body), " C\r\nD E\r\n");
  EXPECT_EQ(canonicalize_body_simple(body), " C \r\nD \t E\r\n");
  EXPECT_EQ(stream_hash(body), base::base64_encode(sha256(" C\r\nD E\r\n")));
}

TEST(Canonicalization, EmptyBody) {
  // Relaxed: empty stays empty; simple: empty becomes one CRLF.
  EXPECT_EQ(stream_hash(""), "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=");
  EXPECT_EQ(canonicalize_body_simple(""), "\r\n");
  EXPECT_EQ(base::base64_encode(sha256(canonicalize_body_simple(""))),
            "frcCV1k9oG9oKj3dpUqdJg1PxRT2RSN/XKdLCPjaYaY=");
}

TEST(Canonicalization, OnlyCrlfs) {
  EXPECT_EQ(stream_hash("\r\n"), stream_hash(""));
  EXPECT_EQ(stream_hash("\r\n\r\n\r\n"), stream_hash(""));
  std::string many;
  for (int i = 0; i < 100000; ++i) many += "\r\n";
  EXPECT_EQ(stream_hash(many), stream_hash(""));
  EXPECT_EQ(stream_hash(" \t \r\n\r\n  \r\n"), stream_hash(""));
  EXPECT_EQ(canonicalize_body_simple("\r\n\r\n\r\n"), "\r\n");
}

TEST(Canonicalization, TrailingWhitespaceAndMissingCrlf) {
  EXPECT_EQ(stream_hash("a  \t\r\n"), stream_hash("a\r\n"));
  EXPECT_EQ(stream_hash("a \t b\r\n"), stream_hash("a b\r\n"));
  EXPECT_EQ(stream_hash("abc"), stream_hash("abc\r\n"));
  EXPECT_EQ(stream_hash("abc  "), stream_hash("abc\r\n"));
  EXPECT_EQ(canonicalize_body_relaxed("x\r\n\r\n\r\ny \r\n\r\n"), "x\r\n\r\n\r\ny\r\n");
  EXPECT_EQ(canonicalize_body_simple("abc"), "abc\r\n");
}

TEST(Canonicalization, DotLinesAreHashedAsGiven) {
  // The body arrives dot-unstuffed; a lone "." line is content here.
  const std::string body = ".\r\n.hidden\r\n..two\r\n";
  EXPECT_EQ(canonicalize_body_relaxed(body), body);
  EXPECT_EQ(stream_hash(body), base::base64_encode(sha256(body)));
  EXPECT_NE(stream_hash(body), stream_hash("..\r\n..hidden\r\n...two\r\n"));
}

TEST(Canonicalization, Rfc8463BodyHash) {
  EXPECT_EQ(stream_hash(testing::kRfcBody), testing::kRfcBodyHash);
}

TEST(Canonicalization, BareCrAndBareLfAreContent) {
  EXPECT_EQ(stream_hash("a\rb\r\n"), base::base64_encode(sha256("a\rb\r\n")));
  EXPECT_EQ(stream_hash("a\r"), base::base64_encode(sha256("a\r\r\n")));
  EXPECT_EQ(stream_hash("a\r"), whole_hash("a\r"));
  EXPECT_EQ(stream_hash("a\nb\r\n"), whole_hash("a\nb\r\n"));
}

TEST(Canonicalization, FragmentationIndependence) {
  const std::vector<std::string> bodies = {
      "",
      "\r\n",
      " C \r\nD \t E\r\n\r\n\r\n",
      testing::kRfcBody,
      "  lead\r\n\r\n \r\n\tx\t\r\n\r\ny   z  \r\n \r\n\r\n",
      "no final newline  \t",
      "a\rb\r\r\n\r\r\n\r",
      ".\r\n..\r\n\r\n.\r\n",
      "caf\xc3\xa9 \xe2\x82\xac  \r\n\r\n",
  };
  for (const auto& body : bodies) {
    const std::string expected = whole_hash(body);
    EXPECT_EQ(stream_hash(body), expected) << body;
    for (std::size_t i = 0; i <= body.size(); ++i) {
      for (std::size_t j = i; j <= body.size(); ++j) {
        RelaxedBodyHasher h;
        h.update(std::string_view(body).substr(0, i));
        h.update(std::string_view(body).substr(i, j - i));
        h.update(std::string_view(body).substr(j));
        ASSERT_EQ(base::base64_encode(h.finish()), expected) << "split " << i << "," << j;
      }
    }
    RelaxedBodyHasher bytewise;
    for (char c : body) bytewise.update(std::string_view(&c, 1));
    EXPECT_EQ(base::base64_encode(bytewise.finish()), expected);
  }
}

TEST(Canonicalization, LargeBodyStreams) {
  std::string line = "The quick brown fox   jumps over the lazy dog. \t\r\n";
  RelaxedBodyHasher h;
  std::string whole;
  for (int i = 0; i < 20000; ++i) {
    h.update(line);
    whole += line;
  }
  EXPECT_EQ(base::base64_encode(h.finish()), whole_hash(whole));
}

}  // namespace
}  // namespace herald::dkim
