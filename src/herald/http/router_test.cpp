// Tests for http::Router and parse_query: matching, 404/405/Allow, the
// trailing-slash rule, and every traversal or ambiguity trick refused as
// bad_path before a handler could see it.
#include "herald/http/router.hpp"

#include <gtest/gtest.h>

#include <string>

namespace herald::http {
namespace {

using namespace std::string_literals;

class RouterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const auto& [method, pattern, op] :
         std::initializer_list<std::tuple<const char*, const char*, const char*>>{
             {"GET", "/", "root"},
             {"GET", "/api/v1/accounts", "accounts.list"},
             {"POST", "/api/v1/accounts", "accounts.create"},
             {"GET", "/api/v1/accounts/{name}", "accounts.get"},
             {"PUT", "/api/v1/accounts/{name}", "accounts.put"},
             {"DELETE", "/api/v1/accounts/{name}", "accounts.delete"},
             {"GET", "/api/v1/accounts/new", "accounts.template"},
             {"GET", "/api/v1/domains/{domain}/dns", "domains.dns"},
             {"GET", "/api/v1/domains/{domain}/keys/{selector}", "domains.key"},
         }) {
      ASSERT_TRUE(router.add(method, pattern, op).ok()) << pattern;
    }
  }

  MatchStatus status(std::string_view method, std::string_view path) const {
    return router.match(method, path).status;
  }

  Router router;
};

TEST_F(RouterTest, MatchesAndDecodesParams) {
  Match m = router.match("GET", "/api/v1/domains/example.com/dns");
  ASSERT_EQ(m.status, MatchStatus::matched);
  EXPECT_EQ(m.route->operation, "domains.dns");
  EXPECT_EQ(m.route->pattern, "/api/v1/domains/{domain}/dns");
  EXPECT_EQ(*m.param("domain"), "example.com");
  EXPECT_EQ(m.param("other"), nullptr);

  m = router.match("GET", "/api/v1/accounts/j%C3%B6rg%40example.com");
  ASSERT_EQ(m.status, MatchStatus::matched);
  EXPECT_EQ(m.params.at("name"), "j\xc3\xb6rg@example.com");

  m = router.match("GET", "/api/v1/domains/d/keys/s1");
  ASSERT_EQ(m.status, MatchStatus::matched);
  EXPECT_EQ(m.params.size(), 2u);
  EXPECT_EQ(m.params.at("selector"), "s1");

  m = router.match("GET", "/");
  ASSERT_EQ(m.status, MatchStatus::matched);
  EXPECT_EQ(m.route->operation, "root");
  // A space, '+' and '%25' decode as themselves (no '+' rule in paths).
  m = router.match("GET", "/api/v1/accounts/a%20b+c%25");
  ASSERT_EQ(m.status, MatchStatus::matched);
  EXPECT_EQ(m.params.at("name"), "a b+c%");
}

TEST_F(RouterTest, LiteralsCompareDecodedAndCaseSensitive) {
  EXPECT_EQ(status("GET", "/api/v1/%61ccounts"), MatchStatus::matched);
  EXPECT_EQ(status("GET", "/API/v1/accounts"), MatchStatus::not_found);
  EXPECT_EQ(status("get", "/api/v1/accounts"), MatchStatus::method_not_allowed);
}

TEST_F(RouterTest, LiteralBeatsParameter) {
  EXPECT_EQ(router.match("GET", "/api/v1/accounts/new").route->operation, "accounts.template");
  EXPECT_EQ(router.match("GET", "/api/v1/accounts/newer").route->operation, "accounts.get");
  // Other methods still reach the parameter route for the same path.
  const Match m = router.match("PUT", "/api/v1/accounts/new");
  ASSERT_EQ(m.status, MatchStatus::matched);
  EXPECT_EQ(m.route->operation, "accounts.put");
  EXPECT_EQ(m.params.at("name"), "new");
}

TEST_F(RouterTest, NotFound) {
  for (const char* p : {"/api", "/api/v2/accounts", "/api/v1/accounts/a/b", "/api/v1/domains/d",
                        "/x", "/api/v1/domains/d/dns/extra"}) {
    EXPECT_EQ(status("GET", p), MatchStatus::not_found) << p;
  }
}

TEST_F(RouterTest, TrailingSlashIsNotFound) {
  EXPECT_EQ(status("GET", "/api/v1/accounts/"), MatchStatus::not_found);
  EXPECT_EQ(status("GET", "/api/v1/accounts/a/"), MatchStatus::not_found);
  EXPECT_EQ(status("POST", "/api/v1/accounts/"), MatchStatus::not_found);
}

TEST_F(RouterTest, MethodNotAllowedListsAllow) {
  Match m = router.match("PATCH", "/api/v1/accounts/a");
  ASSERT_EQ(m.status, MatchStatus::method_not_allowed);
  EXPECT_EQ(m.allow, (std::vector<std::string>{"DELETE", "GET", "PUT"}));
  EXPECT_EQ(m.route, nullptr);
  m = router.match("DELETE", "/api/v1/accounts");
  EXPECT_EQ(m.allow, (std::vector<std::string>{"GET", "POST"}));
  // HEAD and OPTIONS are not implied by GET.
  EXPECT_EQ(status("HEAD", "/api/v1/accounts"), MatchStatus::method_not_allowed);
  EXPECT_EQ(status("OPTIONS", "/"), MatchStatus::method_not_allowed);
}

TEST_F(RouterTest, TraversalAndAmbiguityAreBadPath) {
  for (const std::string& p : {
           "/api/v1/accounts/.."s,
           "/api/v1/accounts/."s,
           "/api/v1/../v1/accounts"s,
           "/api/v1/accounts/%2e%2e"s,
           "/api/v1/accounts/%2E%2e"s,
           "/api/v1/accounts/.%2e"s,
           "/api/v1/accounts/%2e"s,
           "/api/v1/accounts/a%2Fb"s,
           "/api/v1/accounts/a%2fb"s,
           "/api/v1/accounts/%2F"s,
           "/api/v1/accounts/..%2F..%2Fetc"s,
           "/api/v1/accounts/a%5Cb"s,
           "/api/v1/accounts/a%5cb"s,
           "/api/v1/accounts/a%00"s,
           "/api/v1/accounts/a%0a"s,
           "/api/v1/accounts/a%0D%0A"s,
           "/api/v1/accounts/a%7f"s,
           "/api/v1/accounts/%c2%85"s,
           "/api/v1/accounts/%c0%af"s,
           "/api/v1/accounts/%c0%ae%c0%ae"s,
           "/api/v1/accounts/%e0%80%af"s,
           "/api/v1/accounts/%ed%a0%80"s,
           "/api/v1/accounts/%f4%90%80%80"s,
           "/api/v1/accounts/%ff"s,
           "/api/v1/accounts/%c3"s,
           "/api/v1/accounts/a%"s,
           "/api/v1/accounts/a%4"s,
           "/api/v1/accounts/a%zz"s,
           "/api/v1//accounts"s,
           "//api/v1/accounts"s,
           "/api/v1/accounts//"s,
           "api/v1"s,
           ""s,
           "/api/v1/accounts/a\0b"s,
           "/api/v1/accounts/a\nb"s,
           "/api/v1/accounts/\xff"s,
       }) {
    const Match m = router.match("GET", p);
    EXPECT_EQ(m.status, MatchStatus::bad_path) << p;
    EXPECT_FALSE(m.reason.empty()) << p;
    EXPECT_TRUE(m.params.empty());
  }
}

TEST_F(RouterTest, BadPathEvenWhereNoRouteWouldMatch) {
  EXPECT_EQ(status("GET", "/nothing/%2e%2e"), MatchStatus::bad_path);
  EXPECT_EQ(status("BREW", "/../etc/passwd"), MatchStatus::bad_path);
}

TEST_F(RouterTest, RoutesAreListed) {
  ASSERT_EQ(router.routes().size(), 9u);
  EXPECT_EQ(router.routes()[1].method, "GET");
  EXPECT_EQ(router.routes()[1].pattern, "/api/v1/accounts");
  EXPECT_EQ(router.routes()[1].operation, "accounts.list");
}

TEST_F(RouterTest, MatchRouteStaysValidAfterAdd) {
  const Match m = router.match("GET", "/api/v1/accounts");
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(router.add("GET", "/extra/r" + std::to_string(i), "x").ok());
  }
  EXPECT_EQ(m.route->operation, "accounts.list");
}

TEST(Router, AddRefusesBadRoutes) {
  Router r;
  ASSERT_TRUE(r.add("GET", "/a/{x}", "a").ok());
  EXPECT_FALSE(r.add("GET", "/a/{y}", "dup shape").ok());
  EXPECT_TRUE(r.add("POST", "/a/{y}", "other method").ok());
  EXPECT_TRUE(r.add("GET", "/a/b", "literal").ok());
  EXPECT_FALSE(r.add("GET", "/a/b", "dup").ok());
  for (const char* bad : {"", "a", "/a/", "//a", "/a//b", "/{X}", "/{1x}", "/{}", "/{a}/{a}",
                          "/a%20b", "/a b", "/..", "/.", "/{a", "/a}", "/a?b", "/x{a}"}) {
    EXPECT_FALSE(r.add("GET", bad, "bad").ok()) << bad;
  }
  EXPECT_FALSE(r.add("G ET", "/ok", "bad method").ok());
  EXPECT_FALSE(r.add("", "/ok", "bad method").ok());
  EXPECT_EQ(r.routes().size(), 3u);
}

TEST(ParseQuery, DecodesInOrderKeepingDuplicates) {
  const auto q = parse_query("a=1&b=x+y&a=%C3%A9&flag&e=&=v&c=a=b&p=%2B");
  ASSERT_TRUE(q.ok()) << q.error().message;
  const std::vector<std::pair<std::string, std::string>> want = {
      {"a", "1"}, {"b", "x y"}, {"a", "\xc3\xa9"}, {"flag", ""},
      {"e", ""},  {"", "v"},    {"c", "a=b"},      {"p", "+"},
  };
  EXPECT_EQ(*q, want);
}

TEST(ParseQuery, EmptyAndEmptyPieces) {
  EXPECT_TRUE(parse_query("")->empty());
  const auto q = parse_query("&&a=1&");
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->size(), 1u);
  EXPECT_EQ((*q)[0].first, "a");
}

TEST(ParseQuery, RefusesBadEncoding) {
  for (const char* bad : {"a=%zz", "a=%", "a=%4", "%=1", "a=%ff", "a=%c0%af", "a=%00", "a%0a=1",
                          "a=%7F", "a=1&b=%e2%82"}) {
    const auto q = parse_query(bad);
    EXPECT_FALSE(q.ok()) << bad;
  }
  EXPECT_NE(parse_query("a=1&b=%zz").error().message.find("query parameter 2"), std::string::npos);
}

}  // namespace
}  // namespace herald::http
