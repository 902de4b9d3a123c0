// Tests for web::Api without sockets: routing and problem documents, token
// scopes through the routes, strict bodies, pagination, and that the
// OpenAPI document lists exactly the routes served.
#include "herald/web/api.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "herald/http/request_parser.hpp"

namespace herald::web {
namespace {

namespace fs = std::filesystem;

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("herald-api-test-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    config_.data_dir = dir_.string();
    auto s = store::Store::open((dir_ / "herald.db").string());
    ASSERT_TRUE(s.ok());
    store_.emplace(std::move(*s));
    admin_.emplace(*store_, config_);
    api_.emplace(*admin_);
    writer_ = *admin::Actor::from_scopes("token:w", "192.0.2.1", {"admin:write"});
  }
  void TearDown() override {
    api_.reset();
    admin_.reset();
    store_.reset();
    fs::remove_all(dir_);
  }

  http::Response call(const admin::Actor& actor, const std::string& method,
                      const std::string& target, const std::string& body = "") {
    std::string raw = method + " " + target + " HTTP/1.1\r\nHost: x\r\n";
    if (!body.empty() || method == "POST" || method == "PUT" || method == "PATCH") {
      raw += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
             "\r\n";
    }
    raw += "\r\n" + body;
    http::RequestParser parser;
    parser.feed(raw);
    EXPECT_TRUE(parser.done()) << raw;
    return api_->handle(actor, parser.take());
  }

  static nlohmann::json json(const http::Response& r) { return nlohmann::json::parse(r.body); }

  fs::path dir_;
  config::Config config_;
  std::optional<store::Store> store_;
  std::optional<admin::Admin> admin_;
  std::optional<Api> api_;
  admin::Actor writer_;
};

TEST_F(ApiTest, CreateGetListDelete) {
  auto created = call(writer_, "POST", "/api/v1/accounts", R"({"name":"acme"})");
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(json(created)["name"], "acme");
  EXPECT_EQ(call(writer_, "POST", "/api/v1/accounts", R"({"name":"acme"})").status, 409);
  auto got = call(writer_, "GET", "/api/v1/accounts/acme");
  ASSERT_EQ(got.status, 200);
  EXPECT_EQ(json(got)["limits"]["messages_per_hour"], 0);
  auto patched = call(writer_, "PATCH", "/api/v1/accounts/acme", R"({"messages_per_hour":100})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(json(patched)["limits"]["own_messages_per_hour"], 100);
  EXPECT_EQ(call(writer_, "DELETE", "/api/v1/accounts/acme").status, 204);
  EXPECT_EQ(call(writer_, "GET", "/api/v1/accounts/acme").status, 404);
}

TEST_F(ApiTest, BadInputGetsProblemsNeverA500) {
  for (const auto& [method, target, body, status] :
       std::vector<std::tuple<std::string, std::string, std::string, int>>{
           {"POST", "/api/v1/accounts", R"({"name":"a","extra":1})", 400},
           {"POST", "/api/v1/accounts", R"({"name":7})", 400},
           {"POST", "/api/v1/accounts", R"({"name":"a")", 400},
           {"POST", "/api/v1/accounts", R"([1])", 400},
           {"POST", "/api/v1/accounts", R"({"name":"Bad Name"})", 400},
           {"GET", "/api/v1/nothing", "", 404},
           {"PUT", "/api/v1/accounts", "{}", 405},
           {"GET", "/api/v1/accounts/%2e%2e", "", 400},
           {"GET", "/api/v1/keys/..%2f..%2fetc", "", 400},
           {"GET", "/api/v1/accounts?limit=0", "", 400},
           {"GET", "/api/v1/accounts?cursor=%25%25", "", 400},
       }) {
    auto r = call(writer_, method, target, body);
    EXPECT_EQ(r.status, status) << method << " " << target << " " << body << " -> " << r.body;
    bool problem = false;
    for (const auto& [k, v] : r.headers) problem |= v == "application/problem+json";
    EXPECT_TRUE(problem) << target;
  }
}

TEST_F(ApiTest, TenantTokensSeeTheirOwnOnly) {
  ASSERT_EQ(call(writer_, "POST", "/api/v1/accounts", R"({"name":"acme"})").status, 201);
  ASSERT_EQ(call(writer_, "POST", "/api/v1/accounts", R"({"name":"beta"})").status, 201);
  ASSERT_EQ(
      call(writer_, "POST", "/api/v1/accounts", R"({"name":"acme.news","parent":"acme"})").status,
      201);
  auto tenant = *admin::Actor::from_scopes("token:t", "192.0.2.2", {"account:acme"});
  auto list = json(call(tenant, "GET", "/api/v1/accounts"));
  ASSERT_EQ(list["items"].size(), 2u);
  EXPECT_EQ(call(tenant, "GET", "/api/v1/accounts/beta").status, 404);
  EXPECT_EQ(call(tenant, "POST", "/api/v1/keys", R"({"account":"beta"})").status, 403);
  EXPECT_EQ(call(tenant, "POST", "/api/v1/keys", R"({"account":"acme.news"})").status, 201);
  EXPECT_EQ(call(tenant, "GET", "/api/v1/audit").status, 403);
  auto reader = *admin::Actor::from_scopes("token:r", "192.0.2.3", {"admin:read"});
  EXPECT_EQ(call(reader, "POST", "/api/v1/accounts", R"({"name":"x"})").status, 403);
  EXPECT_EQ(json(call(reader, "GET", "/api/v1/accounts"))["items"].size(), 3u);
}

TEST_F(ApiTest, CursorPagination) {
  for (int i = 0; i < 5; ++i) {
    ASSERT_EQ(
        call(writer_, "POST", "/api/v1/accounts", R"({"name":"a)" + std::to_string(i) + R"("})")
            .status,
        201);
  }
  std::vector<std::string> seen;
  std::string target = "/api/v1/accounts?limit=2";
  for (int pages = 0; pages < 10; ++pages) {
    auto page = json(call(writer_, "GET", target));
    for (const auto& item : page["items"]) seen.push_back(item["name"]);
    if (page["next_cursor"].is_null()) break;
    target = "/api/v1/accounts?limit=2&cursor=" + page["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"a0", "a1", "a2", "a3", "a4"}));
}

TEST_F(ApiTest, KeyTokenIsInTheCreateAnswerOnly) {
  ASSERT_EQ(call(writer_, "POST", "/api/v1/accounts", R"({"name":"acme"})").status, 201);
  auto created = call(writer_, "POST", "/api/v1/keys", R"({"account":"acme","expires":"30d"})");
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string token = json(created)["token"];
  EXPECT_TRUE(token.starts_with("hk_"));
  const std::string id = json(created)["id"];
  EXPECT_EQ(call(writer_, "GET", "/api/v1/keys/" + id).body.find(token), std::string::npos);
  EXPECT_EQ(call(writer_, "GET", "/api/v1/keys").body.find(token), std::string::npos);
}

TEST_F(ApiTest, OpenApiListsExactlyTheServedRoutes) {
  const auto& doc = api_->openapi();
  EXPECT_EQ(doc["openapi"], "3.1.0");
  std::set<std::string> documented, served;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      std::string m = method;
      for (char& c : m) c = static_cast<char>(c - 'a' + 'A');
      documented.insert(m + " " + std::string(kApiPrefix) + path);
    }
  }
  for (const auto& route : api_->router().routes())
    served.insert(route.method + " " + route.pattern);
  EXPECT_EQ(documented, served);
}

}  // namespace
}  // namespace herald::web
