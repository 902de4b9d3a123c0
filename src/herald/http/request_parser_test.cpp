// Tests for http::RequestParser framing: the request line, CRLF rules, the
// Content-Length body, pipelining, and that every way of cutting the input
// into reads gives the same result (no two readings of one stream).
#include "herald/http/request_parser.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "herald/http/request_parser_test_util.hpp"

namespace herald::http {
namespace {

using namespace std::string_literals;
using test::Outcome;
using test::parse_all;
using test::parse_split;

TEST(RequestParser, SimpleGet) {
  const std::string in =
      "GET /api/v1/accounts?limit=5 HTTP/1.1\r\nHost: admin.example\r\n"
      "X-Thing:  spaced value \t\r\n\r\n";
  const Outcome o = parse_all(in);
  ASSERT_TRUE(o.done) << o.message;
  EXPECT_EQ(o.consumed, in.size());
  EXPECT_EQ(o.request.method, "GET");
  EXPECT_EQ(o.request.target, "/api/v1/accounts?limit=5");
  EXPECT_EQ(o.request.path, "/api/v1/accounts");
  EXPECT_EQ(o.request.query, "limit=5");
  ASSERT_EQ(o.request.headers.size(), 2u);
  EXPECT_EQ(o.request.headers[0].first, "host");
  EXPECT_EQ(o.request.headers[1].first, "x-thing");
  EXPECT_EQ(o.request.headers[1].second, "spaced value");
  ASSERT_NE(o.request.header("X-THING"), nullptr);
  EXPECT_EQ(*o.request.header("x-thing"), "spaced value");
  EXPECT_EQ(o.request.header("absent"), nullptr);
  EXPECT_TRUE(o.request.keep_alive);
  EXPECT_EQ(o.request.minor_version, 1);
  EXPECT_TRUE(o.request.body.empty());
}

TEST(RequestParser, QueryIsSplitAtFirstQuestionMarkAndNotDecoded) {
  Outcome o = parse_all("GET /a/b%20c?x=1&y=%41?z HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(o.done);
  EXPECT_EQ(o.request.path, "/a/b%20c");
  EXPECT_EQ(o.request.query, "x=1&y=%41?z");
  o = parse_all("GET /a? HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(o.done);
  EXPECT_EQ(o.request.path, "/a");
  EXPECT_EQ(o.request.query, "");
}

TEST(RequestParser, PostWithBody) {
  const std::string in = "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 12\r\n\r\nhello\r\nworld";
  const Outcome o = parse_all(in);
  ASSERT_TRUE(o.done) << o.message;
  EXPECT_EQ(o.request.body, "hello\r\nworld");
  EXPECT_EQ(o.consumed, in.size());
}

// Inputs covering every state and error; each must give the same outcome
// whatever the fragmentation.
const std::vector<std::string>& samples() {
  static const std::vector<std::string> all = {
      "GET / HTTP/1.1\r\nHost: h\r\n\r\n",
      "\r\nGET / HTTP/1.0\r\n\r\n",
      "POST /a HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nabcdeGET / HTTP/1.1\r\n",
      "PUT /a HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\nxyz",
      "GET / HTTP/1.1\nHost: h\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\rX\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\n folded\r\n\r\n",
      "GET / HTTP/1.1\r\nHost : h\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
      "GET / HTTP/2.0\r\n\r\n",
      "GET /" + std::string(100, 'a') + " HTTP/1.1\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\nX: " + std::string(300, 'v') + "\r\n\r\n",
      "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 999\r\n\r\n",
      "GET / HTTP/1.1\r\nHost: h\r\n\r",
      "\r\n\r\nGET / HTTP/1.1\r\n",
  };
  return all;
}

Limits small_limits() {
  Limits l;
  l.max_request_line = 64;
  l.max_header_bytes = 256;
  l.max_header_fields = 10;
  l.max_body = 100;
  return l;
}

TEST(RequestParser, OneOctetAtATimeGivesTheSameOutcome) {
  for (const std::string& in : samples()) {
    const Outcome whole = parse_all(in, small_limits());
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i < in.size(); ++i) cuts.push_back(i);
    EXPECT_EQ(parse_split(in, cuts, small_limits()), whole) << in;
  }
}

TEST(RequestParser, EveryTwoWaySplitGivesTheSameOutcome) {
  for (const std::string& in : samples()) {
    const Outcome whole = parse_all(in, small_limits());
    for (std::size_t cut = 0; cut <= in.size(); ++cut) {
      EXPECT_EQ(parse_split(in, {cut}, small_limits()), whole) << "cut " << cut << " in " << in;
    }
  }
}

TEST(RequestParser, PipelinedRequestsStayInTheBuffer) {
  std::string buffer =
      "POST /one HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
      "GET /two HTTP/1.1\r\nHost: h\r\n\r\n"
      "GET /three HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
  RequestParser parser;
  std::vector<Request> seen;
  while (!buffer.empty()) {
    const std::size_t n = parser.feed(buffer);
    buffer.erase(0, n);
    ASSERT_FALSE(parser.error()) << parser.error()->message;
    ASSERT_TRUE(parser.done());
    seen.push_back(parser.take());
    parser.reset();
  }
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].path, "/one");
  EXPECT_EQ(seen[0].body, "abc");
  EXPECT_EQ(seen[1].path, "/two");
  EXPECT_TRUE(seen[1].keep_alive);
  EXPECT_EQ(seen[2].path, "/three");
  EXPECT_FALSE(seen[2].keep_alive);
}

TEST(RequestParser, FeedConsumesNothingAfterDoneOrError) {
  RequestParser parser;
  const std::string req = "GET / HTTP/1.1\r\nHost: h\r\n\r\n";
  EXPECT_EQ(parser.feed(req + "GET"), req.size());
  EXPECT_TRUE(parser.done());
  EXPECT_EQ(parser.feed("more"), 0u);

  RequestParser bad;
  EXPECT_EQ(bad.feed("GET / HTTP/1.1\nrest"), 15u);  // up to and including the bare LF
  ASSERT_TRUE(bad.error());
  EXPECT_EQ(bad.feed("more"), 0u);
  bad.reset();
  EXPECT_FALSE(bad.error());
  EXPECT_EQ(bad.feed(req), req.size());
  EXPECT_TRUE(bad.done());
}

TEST(RequestParser, TakeLeavesTheParserEmpty) {
  RequestParser parser;
  const std::string in = "GET /x HTTP/1.1\r\nHost: h\r\n\r\n";
  ASSERT_EQ(parser.feed(in), in.size());
  const Request r = parser.take();
  EXPECT_EQ(r.path, "/x");
  EXPECT_EQ(parser.take().path, "");
}

TEST(RequestParser, OneLeadingEmptyLineIsTolerated) {
  EXPECT_TRUE(parse_all("\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n").done);
  const Outcome o = parse_all("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n");
  EXPECT_EQ(o.code, ParseErrorCode::bad_request);
}

TEST(RequestParser, BareLineEndsAreRefused) {
  for (const std::string& in :
       {"GET / HTTP/1.1\nHost: h\r\n\r\n"s, "GET / HTTP/1.1\r\nHost: h\n\r\n"s,
        "GET / HTTP/1.1\r\nHost: h\r\n\n"s, "GET / HTTP/1.1\rHost: h\r\n\r\n"s,
        "GET / HTTP/1.1\r\nHost: h\r\r\n\r\n"s, "GET / HTTP/1.1\r\nHost: h\r\n\r\r\n"s}) {
    const Outcome o = parse_all(in);
    EXPECT_EQ(o.code, ParseErrorCode::bad_request) << in;
    EXPECT_EQ(status_of(*o.code), 400);
  }
}

TEST(RequestParser, MalformedRequestLines) {
  for (const std::string& line : {"GET  / HTTP/1.1"s,
                                  "GET / HTTP/1.1 "s,
                                  " GET / HTTP/1.1"s,
                                  "GET /"s,
                                  "GET / "s,
                                  "GET\t/ HTTP/1.1"s,
                                  "GE(T / HTTP/1.1"s,
                                  "GET / http/1.1"s,
                                  "GET / HTTP/1.10"s,
                                  "GET / HTTP/1"s,
                                  "GET / HTTP/a.b"s,
                                  "GET http://h/ HTTP/1.1"s,
                                  "OPTIONS * HTTP/1.1"s,
                                  "CONNECT h:443 HTTP/1.1"s,
                                  "GET a/b HTTP/1.1"s,
                                  "GET /a#frag HTTP/1.1"s,
                                  "GET /a%zz HTTP/1.1"s,
                                  "GET /a% HTTP/1.1"s,
                                  "GET /a%4 HTTP/1.1"s,
                                  "GET /caf\xc3\xa9 HTTP/1.1"s,
                                  "GET /a\"b HTTP/1.1"s,
                                  "GET /a<b HTTP/1.1"s,
                                  "GET /a\\b HTTP/1.1"s,
                                  "GET /a{b} HTTP/1.1"s,
                                  "GET /a\x7f HTTP/1.1"s,
                                  "GET /a\0b HTTP/1.1"s,
                                  " "s,
                                  ""s + "x"}) {
    const Outcome o = parse_all(line + "\r\nHost: h\r\n\r\n");
    EXPECT_EQ(o.code, ParseErrorCode::bad_request) << line;
  }
}

TEST(RequestParser, UnsupportedVersionsAre505) {
  for (const std::string& v : {"HTTP/2.0"s, "HTTP/3.0"s, "HTTP/1.2"s, "HTTP/0.9"s}) {
    const Outcome o = parse_all("GET / " + v + "\r\nHost: h\r\n\r\n");
    EXPECT_EQ(o.code, ParseErrorCode::version_not_supported) << v;
    EXPECT_EQ(status_of(*o.code), 505);
  }
}

TEST(RequestParser, AcceptsUriCharactersInTarget) {
  const Outcome o =
      parse_all("GET /a-b._~!$&'()*+,;=:@/%2F%c3%a9?q=/?:@ HTTP/1.1\r\nHost: h\r\n\r\n");
  ASSERT_TRUE(o.done) << o.message;
  EXPECT_EQ(o.request.path, "/a-b._~!$&'()*+,;=:@/%2F%c3%a9");
  EXPECT_EQ(o.request.query, "q=/?:@");
}

TEST(RequestParser, RequestLineLimitIs414) {
  Limits l;
  l.max_request_line = 32;
  const std::string exact = "GET /" + std::string(32 - 14, 'a') + " HTTP/1.1";
  ASSERT_EQ(exact.size(), 32u);
  EXPECT_TRUE(parse_all(exact + "\r\nHost: h\r\n\r\n", l).done);
  const std::string over = "GET /" + std::string(32 - 13, 'a') + " HTTP/1.1";
  const Outcome o = parse_all(over + "\r\nHost: h\r\n\r\n", l);
  EXPECT_EQ(o.code, ParseErrorCode::uri_too_long);
  EXPECT_EQ(status_of(*o.code), 414);
  EXPECT_EQ(o.consumed, 33u);  // stopped at the octet past the limit
  // The default is 8 KiB.
  EXPECT_EQ(Limits{}.max_request_line, 8192u);
  const Outcome big = parse_all("GET /" + std::string(9000, 'a') + " HTTP/1.1\r\n");
  EXPECT_EQ(big.code, ParseErrorCode::uri_too_long);
}

TEST(RequestParser, BodyStopsAtContentLengthAndWaitsForMore) {
  RequestParser parser;
  const std::string head = "POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\n";
  EXPECT_EQ(parser.feed(head + "ab"), head.size() + 2);
  EXPECT_FALSE(parser.done());
  EXPECT_EQ(parser.feed("cdEXTRA"), 2u);
  ASSERT_TRUE(parser.done());
  EXPECT_EQ(parser.take().body, "abcd");
}

TEST(RequestParser, EveryErrorMapsToItsStatus) {
  EXPECT_EQ(status_of(ParseErrorCode::bad_request), 400);
  EXPECT_EQ(status_of(ParseErrorCode::length_required), 411);
  EXPECT_EQ(status_of(ParseErrorCode::too_large_body), 413);
  EXPECT_EQ(status_of(ParseErrorCode::uri_too_long), 414);
  EXPECT_EQ(status_of(ParseErrorCode::expectation_failed), 417);
  EXPECT_EQ(status_of(ParseErrorCode::too_large_headers), 431);
  EXPECT_EQ(status_of(ParseErrorCode::not_implemented), 501);
  EXPECT_EQ(status_of(ParseErrorCode::version_not_supported), 505);
  EXPECT_EQ((ParseError{ParseErrorCode::too_large_body, "x"}.status()), 413);
}

}  // namespace
}  // namespace herald::http
