// Tests for http::RequestParser's field lines and header-section checks:
// field syntax, Host, Content-Length (the only framing), Transfer-Encoding
// (refused), Expect, Connection and keep-alive, and the size limits.
#include <gtest/gtest.h>

#include <string>

#include "herald/http/request_parser.hpp"
#include "herald/http/request_parser_test_util.hpp"

namespace herald::http {
namespace {

using namespace std::string_literals;
using test::Outcome;
using test::parse_all;

// A GET with the given extra field lines (each ending in CRLF).
Outcome get_with(const std::string& fields, const std::string& version = "HTTP/1.1") {
  return parse_all("GET /x " + version + "\r\n" + fields + "\r\n");
}

Outcome post_with(const std::string& fields, const std::string& body = "") {
  return parse_all("POST /x HTTP/1.1\r\nHost: h\r\n" + fields + "\r\n" + body);
}

TEST(RequestFields, FieldSyntaxErrorsAre400) {
  for (const std::string& f : {
           "Host: h\r\nX-A : v\r\n"s,     // whitespace before the colon
           "Host: h\r\nX-A\t: v\r\n"s,    // tab before the colon
           "Host: h\r\n continued\r\n"s,  // obs-fold
           "Host: h\r\nX-A: v\r\n\tmore\r\n"s,
           " Host: h\r\n"s,  // whitespace before the first field
           "Host: h\r\nNoColon\r\n"s,
           "Host: h\r\n: empty-name\r\n"s,
           "Host: h\r\nBad(Name): v\r\n"s,
           "Host: h\r\nX\x80: v\r\n"s,
           "Host: h\r\nX-A: a\0b\r\n"s,  // NUL in a value
           "Host: h\r\nX-A: a\x01z\r\n"s,
           "Host: h\r\nX-A: a\x7fz\r\n"s,
       }) {
    const Outcome o = get_with(f);
    EXPECT_EQ(o.code, ParseErrorCode::bad_request) << f;
  }
}

TEST(RequestFields, ValuesMayHoldTabsAndObsText) {
  const Outcome o = get_with("Host: h\r\nX-A: a\tb \xe9\r\nX-Empty:\r\n");
  ASSERT_TRUE(o.done) << o.message;
  EXPECT_EQ(*o.request.header("x-a"), "a\tb \xe9");
  EXPECT_EQ(*o.request.header("x-empty"), "");
}

TEST(RequestFields, HostRules) {
  EXPECT_EQ(get_with("").code, ParseErrorCode::bad_request);  // 1.1 needs Host
  EXPECT_TRUE(get_with("", "HTTP/1.0").done);                 // 1.0 does not
  EXPECT_EQ(get_with("Host: a\r\nHost: a\r\n").code, ParseErrorCode::bad_request);
  EXPECT_EQ(get_with("Host: a\r\nhOST: b\r\n", "HTTP/1.0").code, ParseErrorCode::bad_request);
  for (const std::string ok : {"admin.example", "admin.example:8443", "127.0.0.1:1", "[::1]:8443",
                               "[2001:db8::1]", "xn--bcher-kva.example", ""}) {
    EXPECT_TRUE(get_with("Host: " + ok + "\r\n").done) << ok;
  }
  for (const std::string bad :
       {"a b", "a/b", "a@b", "[::1", "[::1]x", "[]", "h:123456", "h:8x", "a%zz", "h\xc3\xa9"}) {
    EXPECT_EQ(get_with("Host: " + bad + "\r\n").code, ParseErrorCode::bad_request) << bad;
  }
}

TEST(RequestFields, SingletonFieldsMayNotRepeat) {
  EXPECT_EQ(get_with("Host: h\r\nContent-Type: a\r\ncontent-type: b\r\n").code,
            ParseErrorCode::bad_request);
  EXPECT_EQ(get_with("Host: h\r\nAuthorization: a\r\nAuthorization: a\r\n").code,
            ParseErrorCode::bad_request);
  const Outcome o = get_with("Host: h\r\nAccept: a\r\nAccept: b\r\n");  // others may
  ASSERT_TRUE(o.done);
  EXPECT_EQ(*o.request.header("accept"), "a");
}

TEST(RequestFields, ContentLength) {
  Outcome o = post_with("Content-Length: 0005\r\n", "abcde");
  ASSERT_TRUE(o.done) << o.message;
  EXPECT_EQ(o.request.body, "abcde");
  o = post_with("Content-Length: 3, 3\r\nContent-Length: 003\r\n", "abc");
  ASSERT_TRUE(o.done) << o.message;
  EXPECT_EQ(o.request.body, "abc");
  for (const std::string bad :
       {"abc", "-1", "+5", "5 5", "0x10", "5, 6", "1.0", "", " , ", ",5 , 6"}) {
    EXPECT_EQ(post_with("Content-Length: " + bad + "\r\n").code, ParseErrorCode::bad_request)
        << bad;
  }
  // An empty list element is allowed (RFC 9110 §5.6.1).
  EXPECT_TRUE(post_with("Content-Length: 1,\r\n", "a").done);
  EXPECT_EQ(post_with("Content-Length: 3\r\nContent-Length: 4\r\n").code,
            ParseErrorCode::bad_request);
  EXPECT_EQ(post_with("Content-Length: 3\r\nContent-Length:\r\n").code,
            ParseErrorCode::bad_request);
}

TEST(RequestFields, BodyLimitIs413) {
  Limits l;
  l.max_body = 10;
  auto post = [&](const std::string& length) {
    return parse_all("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: " + length + "\r\n\r\n" +
                         std::string(10, 'b'),
                     l);
  };
  EXPECT_TRUE(post("10").done);
  EXPECT_EQ(post("11").code, ParseErrorCode::too_large_body);
  EXPECT_EQ(post("99999999999999999999999999999").code, ParseErrorCode::too_large_body);
  EXPECT_EQ(post("18446744073709551616").code, ParseErrorCode::too_large_body);  // 2^64
  EXPECT_EQ(status_of(ParseErrorCode::too_large_body), 413);
  EXPECT_EQ(Limits{}.max_body, 1024u * 1024u);
}

TEST(RequestFields, TransferEncodingIsNotImplemented) {
  for (const std::string te : {"chunked", "gzip, chunked", "identity", "Chunked"}) {
    const Outcome o = post_with("Transfer-Encoding: " + te + "\r\n");
    EXPECT_EQ(o.code, ParseErrorCode::not_implemented) << te;
    EXPECT_NE(o.message.find("chunked"), std::string::npos);
  }
  // With a Content-Length too: still refused, never one or the other.
  EXPECT_EQ(post_with("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n").code,
            ParseErrorCode::not_implemented);
  EXPECT_EQ(status_of(ParseErrorCode::not_implemented), 501);
}

TEST(RequestFields, LengthRequiredForContentMethods) {
  for (const std::string m : {"POST", "PUT", "PATCH"}) {
    const Outcome o = parse_all(m + " /x HTTP/1.1\r\nHost: h\r\n\r\n");
    EXPECT_EQ(o.code, ParseErrorCode::length_required) << m;
  }
  for (const std::string m : {"GET", "DELETE", "HEAD", "OPTIONS"}) {
    EXPECT_TRUE(parse_all(m + " /x HTTP/1.1\r\nHost: h\r\n\r\n").done) << m;
  }
  Limits lax;
  lax.require_length_for_content = false;
  const Outcome o = parse_all("POST /x HTTP/1.1\r\nHost: h\r\n\r\n", lax);
  ASSERT_TRUE(o.done);
  EXPECT_EQ(o.request.body, "");
  EXPECT_EQ(status_of(ParseErrorCode::length_required), 411);
}

TEST(RequestFields, ExpectContinueIsReportedWhileTheBodyIsAwaited) {
  RequestParser parser;
  const std::string head =
      "PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 4\r\n\r\n";
  EXPECT_EQ(parser.feed(head.substr(0, head.size() - 1)), head.size() - 1);
  EXPECT_FALSE(parser.expects_continue());  // header section not complete yet
  EXPECT_EQ(parser.feed("\n"), 1u);
  EXPECT_TRUE(parser.expects_continue());
  EXPECT_EQ(parser.feed("ab"), 2u);
  EXPECT_TRUE(parser.expects_continue());
  EXPECT_EQ(parser.feed("cd"), 2u);
  EXPECT_TRUE(parser.done());
  EXPECT_FALSE(parser.expects_continue());
}

TEST(RequestFields, ExpectContinueNotReportedWithoutBodyOrForHttp10) {
  RequestParser empty;
  empty.feed("PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n");
  EXPECT_TRUE(empty.done());
  EXPECT_FALSE(empty.expects_continue());
  RequestParser old;
  old.feed("PUT /x HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
  EXPECT_FALSE(old.expects_continue());
  // An oversized body is refused before a 100 could be sent.
  Limits l;
  l.max_body = 1;
  RequestParser big(l);
  big.feed("PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
  ASSERT_TRUE(big.error());
  EXPECT_EQ(big.error()->code, ParseErrorCode::too_large_body);
  EXPECT_FALSE(big.expects_continue());
}

TEST(RequestFields, UnknownExpectationIs417) {
  const Outcome o = post_with("Expect: 200-ok\r\nContent-Length: 0\r\n");
  EXPECT_EQ(o.code, ParseErrorCode::expectation_failed);
  EXPECT_EQ(status_of(*o.code), 417);
  EXPECT_EQ(post_with("Expect: 100-continue, x\r\nContent-Length: 0\r\n").code,
            ParseErrorCode::expectation_failed);
}

TEST(RequestFields, KeepAliveDefaultsAndConnection) {
  EXPECT_TRUE(get_with("Host: h\r\n").request.keep_alive);
  EXPECT_FALSE(get_with("Host: h\r\nConnection: close\r\n").request.keep_alive);
  EXPECT_FALSE(get_with("Host: h\r\nConnection: Keep-Alive, CLOSE\r\n").request.keep_alive);
  EXPECT_FALSE(
      get_with("Host: h\r\nConnection: keep-alive\r\nConnection: close\r\n").request.keep_alive);
  EXPECT_TRUE(get_with("Host: h\r\nConnection: upgrade\r\n").request.keep_alive);
  EXPECT_FALSE(get_with("", "HTTP/1.0").request.keep_alive);
  EXPECT_TRUE(get_with("Connection: keep-alive\r\n", "HTTP/1.0").request.keep_alive);
  EXPECT_FALSE(get_with("Connection: keep-alive, close\r\n", "HTTP/1.0").request.keep_alive);
  EXPECT_EQ(get_with("", "HTTP/1.0").request.minor_version, 0);
}

TEST(RequestFields, HeaderSectionLimitIs431) {
  const std::string fields = "Host: h\r\nX-A: 0123456789\r\n";  // 9 + 17 octets
  Limits l;
  l.max_header_bytes = fields.size() + 2;  // the final CRLF counts
  EXPECT_TRUE(parse_all("GET / HTTP/1.1\r\n" + fields + "\r\n", l).done);
  l.max_header_bytes -= 1;
  const Outcome o = parse_all("GET / HTTP/1.1\r\n" + fields + "\r\n", l);
  EXPECT_EQ(o.code, ParseErrorCode::too_large_headers);
  EXPECT_EQ(status_of(*o.code), 431);
  // Default: 16 KiB, so one huge field is refused even without a line end.
  const Outcome huge = parse_all("GET / HTTP/1.1\r\nX: " + std::string(20000, 'a'));
  EXPECT_EQ(huge.code, ParseErrorCode::too_large_headers);
  EXPECT_LT(huge.consumed, 17000u);
}

TEST(RequestFields, FieldCountLimitIs431) {
  std::string fields = "Host: h\r\n";
  for (int i = 1; i < 100; ++i) fields += "X-" + std::to_string(i) + ": v\r\n";
  EXPECT_TRUE(get_with(fields).done);  // exactly 100
  const Outcome o = get_with(fields + "X-100: v\r\n");
  EXPECT_EQ(o.code, ParseErrorCode::too_large_headers);
}

}  // namespace
}  // namespace herald::http
