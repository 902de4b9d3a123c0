// Tests for http::problem and the typed-error mappings: RFC 9457 members,
// one status per error, the Allow field on 405.
#include "herald/http/problem.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace herald::http {
namespace {

nlohmann::json body_of(const Response& r) {
  return nlohmann::json::parse(r.body);
}

std::string header(const Response& r, std::string_view name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return "<none>";
}

TEST(Problem, Members) {
  const Response r = problem(409, "Conflict", "The account exists; pick another name.",
                             "account-exists", "/api/v1/accounts/a");
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(header(r, "Content-Type"), "application/problem+json");
  const auto j = body_of(r);
  EXPECT_EQ(j["type"], "https://herald.invalid/problems/account-exists");
  EXPECT_EQ(j["title"], "Conflict");
  EXPECT_EQ(j["status"], 409);
  EXPECT_EQ(j["detail"], "The account exists; pick another name.");
  EXPECT_EQ(j["instance"], "/api/v1/accounts/a");
}

TEST(Problem, AboutBlankAndNoInstance) {
  const auto j = body_of(problem(400, "Bad Request", "Fix it."));
  EXPECT_EQ(j["type"], "about:blank");
  EXPECT_FALSE(j.contains("instance"));
}

TEST(Problem, SuffixIsSanitized) {
  const auto j = body_of(problem(400, "t", "d", "../A b\r\n"));
  EXPECT_EQ(j["type"], "https://herald.invalid/problems/-----b--");
}

TEST(Problem, FromParseErrorForEveryCode) {
  const std::pair<ParseErrorCode, int> all[] = {
      {ParseErrorCode::bad_request, 400},        {ParseErrorCode::length_required, 411},
      {ParseErrorCode::too_large_body, 413},     {ParseErrorCode::uri_too_long, 414},
      {ParseErrorCode::expectation_failed, 417}, {ParseErrorCode::too_large_headers, 431},
      {ParseErrorCode::not_implemented, 501},    {ParseErrorCode::version_not_supported, 505},
  };
  for (const auto& [code, status] : all) {
    const Response r = from_parse_error(ParseError{code, "Say what to do."});
    EXPECT_EQ(r.status, status);
    const auto j = body_of(r);
    EXPECT_EQ(j["status"], status);
    EXPECT_EQ(j["detail"], "Say what to do.");
    EXPECT_EQ(j["title"], std::string(reason_phrase(status)));
    EXPECT_EQ(j["type"].get<std::string>().rfind(kProblemTypePrefix, 0), 0u);
  }
}

TEST(Problem, FromBodyErrorNamesTheField) {
  const Response r = from_body_error(
      BodyError{BodyErrorCode::wrong_type, "quota", "an integer", "Field \"quota\" must be ..."});
  EXPECT_EQ(r.status, 400);
  const auto j = body_of(r);
  EXPECT_EQ(j["field"], "quota");
  EXPECT_EQ(j["type"], "https://herald.invalid/problems/invalid-field");
  EXPECT_EQ(from_body_error(BodyError{BodyErrorCode::wrong_content_type, "", "", "x"}).status, 415);
  EXPECT_FALSE(body_of(from_body_error(BodyError{})).contains("field"));
}

TEST(Problem, FromMatch) {
  Match m;
  m.status = MatchStatus::not_found;
  Response r = from_match(m, "/nope");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(body_of(r)["instance"], "/nope");

  m.status = MatchStatus::method_not_allowed;
  m.allow = {"DELETE", "GET"};
  r = from_match(m, "/x");
  EXPECT_EQ(r.status, 405);
  EXPECT_EQ(header(r, "Allow"), "DELETE, GET");

  m.status = MatchStatus::bad_path;
  m.reason = "Path segment 2 is a dot-segment.";
  r = from_match(m, "/a/..");
  EXPECT_EQ(r.status, 400);
  EXPECT_FALSE(body_of(r).contains("instance"));

  m.status = MatchStatus::matched;
  EXPECT_EQ(from_match(m, "/").status, 500);
}

}  // namespace
}  // namespace herald::http
