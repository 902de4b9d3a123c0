// Tests for http::serialize and the JSON helpers: framing fields are always
// the server's own, and no header value, however hostile, splits a response.
#include "herald/http/response.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

namespace herald::http {
namespace {

using namespace std::string_literals;

// The header section (status line and fields) of a serialized response.
std::string head_of(const std::string& wire) {
  return wire.substr(0, wire.find("\r\n\r\n") + 2);
}

// Every CR is followed by LF and every LF preceded by CR in the head.
bool lines_are_clean(const std::string& head) {
  for (std::size_t i = 0; i < head.size(); ++i) {
    if (head[i] == '\r' && (i + 1 >= head.size() || head[i + 1] != '\n')) return false;
    if (head[i] == '\n' && (i == 0 || head[i - 1] != '\r')) return false;
  }
  return true;
}

TEST(Response, SerializesStatusFieldsLengthAndBody) {
  Response r;
  r.status = 201;
  r.with_header("Location", "/api/v1/accounts/a").with_header("X-Id", "7");
  r.body = "{}";
  EXPECT_EQ(serialize(r, true),
            "HTTP/1.1 201 Created\r\nLocation: /api/v1/accounts/a\r\nX-Id: 7\r\n"
            "Content-Length: 2\r\n\r\n{}");
  EXPECT_EQ(serialize(r, false),
            "HTTP/1.1 201 Created\r\nLocation: /api/v1/accounts/a\r\nX-Id: 7\r\n"
            "Content-Length: 2\r\nConnection: close\r\n\r\n{}");
}

TEST(Response, ContentLengthEvenWhenEmpty) {
  EXPECT_EQ(serialize(empty_response(200), true), "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
}

TEST(Response, NoBodyOrLengthFor1xx204And304) {
  Response r;
  r.body = "ignored";
  for (int status : {100, 204, 304}) {
    r.status = status;
    const std::string wire = serialize(r, true);
    EXPECT_EQ(wire.find("Content-Length"), std::string::npos) << status;
    EXPECT_EQ(wire.substr(wire.size() - 4), "\r\n\r\n") << status;
  }
}

TEST(Response, HeaderInjectionIsImpossible) {
  Response r;
  r.with_header("X-Name", "a\r\nSet-Cookie: stolen=1")
      .with_header("X-Lf", "a\nb")
      .with_header("X-Cr", "a\rb")
      .with_header("X-Nul", "a\0b"s)
      .with_header("X-Bad\r\nSet-Cookie", "x")
      .with_header("Bad Name", "x")
      .with_header("", "x")
      .with_header("X-Trail", "v\r\n");
  const std::string wire = serialize(r, true);
  const std::string head = head_of(wire);
  EXPECT_TRUE(lines_are_clean(head));
  EXPECT_EQ(head.find("\r\nSet-Cookie"), std::string::npos);
  EXPECT_EQ(wire.find('\0'), std::string::npos);
  EXPECT_NE(head.find("X-Name: a  Set-Cookie: stolen=1\r\n"), std::string::npos);
  EXPECT_NE(head.find("X-Lf: a b\r\n"), std::string::npos);
  EXPECT_NE(head.find("X-Trail: v\r\n"), std::string::npos);
  EXPECT_EQ(head.find("Bad Name"), std::string::npos);
  EXPECT_EQ(head.find("\r\n: x"), std::string::npos);
  // Exactly one blank line, then the body.
  EXPECT_EQ(wire.find("\r\n\r\n"), wire.size() - 4);
}

TEST(Response, FramingFieldsAreTheServersOwn) {
  Response r;
  r.body = "abc";
  r.with_header("Content-Length", "999")
      .with_header("transfer-encoding", "chunked")
      .with_header("Connection", "keep-alive");
  const std::string wire = serialize(r, false);
  EXPECT_EQ(wire, "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nConnection: close\r\n\r\nabc");
}

TEST(Response, OutOfRangeStatusBecomes500) {
  for (int status : {0, 42, 99, 600, 999, -1}) {
    Response r;
    r.status = status;
    EXPECT_EQ(serialize(r, true).rfind("HTTP/1.1 500 Internal Server Error\r\n", 0), 0u);
  }
}

TEST(Response, ReasonPhrases) {
  EXPECT_EQ(reason_phrase(404), "Not Found");
  EXPECT_EQ(reason_phrase(413), "Content Too Large");
  EXPECT_EQ(reason_phrase(431), "Request Header Fields Too Large");
  EXPECT_EQ(reason_phrase(299), "Unknown");
  EXPECT_EQ(serialize(Response{299, {}, {}}, true).rfind("HTTP/1.1 299 Unknown\r\n", 0), 0u);
}

TEST(Response, ContinueLine) {
  EXPECT_EQ(continue_response(), "HTTP/1.1 100 Continue\r\n\r\n");
}

TEST(Response, JsonResponse) {
  const Response r = json_response(200, nlohmann::json{{"name", "a"}, {"n", 1}});
  EXPECT_EQ(r.status, 200);
  ASSERT_EQ(r.headers.size(), 1u);
  EXPECT_EQ(r.headers[0].first, "Content-Type");
  EXPECT_EQ(r.headers[0].second, "application/json");
  EXPECT_EQ(r.body, R"({"n":1,"name":"a"})");
}

TEST(Response, JsonWithInvalidUtf8DoesNotThrow) {
  Response r;
  EXPECT_NO_THROW(r = json_response(200, nlohmann::json{{"bad", "a\xff\xc0z"}}));
  EXPECT_EQ(r.body, "{\"bad\":\"a\xef\xbf\xbd\xef\xbf\xbdz\"}");
}

}  // namespace
}  // namespace herald::http
